//! Policies: `content/policies/*.md`, markdown with TOML front matter. The incident response
//! policy's front matter (severity matrix, escalation path) is what every verdict is tested against.

use std::path::Path;

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use serde::Deserialize;

use super::frontmatter;
use crate::model::{
    ContactKind, DocumentedRoute, EscalationLevel, PolicyDoc, SeverityLevel, Target, Urgency,
    parse_duration,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Front {
    title: String,
    version: Option<String>,
    #[serde(default, deserialize_with = "crate::config::de_opt_date")]
    effective: Option<NaiveDate>,
    approved_by: Option<String>,
    #[serde(default, deserialize_with = "crate::config::de_opt_date")]
    approved_on: Option<NaiveDate>,
    owner: Option<String>,
    #[serde(default, deserialize_with = "crate::config::de_opt_date")]
    next_review: Option<NaiveDate>,
    escalation_policy: Option<String>,
    #[serde(default)]
    severity: Vec<FrontSeverity>,
    #[serde(default)]
    escalation: Vec<FrontEscalation>,
    notify_high_urgency: Option<Vec<String>>,
    #[serde(default)]
    routing: Vec<FrontRoute>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontRoute {
    source: String,
    #[serde(default)]
    events: String,
    service: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontSeverity {
    level: String,
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    definition: String,
    ack: Option<String>,
    resolve: Option<String>,
    postmortem: Option<String>,
    urgency: Option<String>,
    automation: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontEscalation {
    level: u32,
    role: String,
    paged_after: String,
}

/// Reads one policy file; `rel` is its path relative to the site (used in errors and links).
pub fn read(path: &Path, rel: &str) -> Result<PolicyDoc> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{rel}: cannot read as UTF-8 text"))?;
    parse(rel, &text)
}

pub fn parse(rel: &str, text: &str) -> Result<PolicyDoc> {
    let doc = frontmatter::split(rel, text)?;
    let front: Front = frontmatter::parse(rel, &doc)?;
    let line_of = |needle: &str| {
        doc.front
            .lines()
            .position(|l| l.contains(needle))
            .map_or(doc.front_line, |i| i + doc.front_line)
    };
    let mut severities = Vec::new();
    for s in front.severity {
        let target = |what: &str, v: &Option<String>| -> Result<Option<Target>> {
            v.as_deref()
                .map(|t| {
                    let parsed = Target::parse(t).map_err(|e| {
                        anyhow::anyhow!("{rel}:{}: severity {} {what}: {e}", line_of(t), s.level)
                    })?;
                    if what != "ack" && parsed == Target::NextBusinessDay {
                        bail!(
                            "{rel}:{}: severity {} {what}: next-business-day is only an ack target",
                            line_of(t),
                            s.level
                        );
                    }
                    Ok(parsed)
                })
                .transpose()
        };
        let urgency = s
            .urgency
            .as_deref()
            .map(|u| {
                Urgency::parse(u).map_err(|e| {
                    anyhow::anyhow!("{rel}:{}: severity {} urgency: {e}", line_of(u), s.level)
                })
            })
            .transpose()?;
        let level = SeverityLevel {
            ack: target("ack", &s.ack)?,
            resolve: target("resolve", &s.resolve)?,
            postmortem: target("postmortem", &s.postmortem)?,
            level: s.level.trim().to_string(),
            name: s.name.trim().to_string(),
            aliases: s.aliases,
            definition: s.definition,
            urgency,
            automation: s.automation.map(|names| {
                names
                    .into_iter()
                    .map(|n| n.trim().to_string())
                    .filter(|n| !n.is_empty())
                    .collect()
            }),
        };
        if level.level.is_empty() || level.level.eq_ignore_ascii_case("unclassified") {
            bail!(
                "{rel}:{}: severity level `{}` is not a usable level name",
                line_of("level"),
                level.level
            );
        }
        severities.push(level);
    }
    check_unique_matches(rel, &severities)?;
    let mut escalation = Vec::new();
    for e in front.escalation {
        let secs = parse_duration(&e.paged_after).map_err(|err| {
            anyhow::anyhow!(
                "{rel}:{}: escalation level {} paged_after: {err}",
                line_of(&e.paged_after),
                e.level
            )
        })?;
        escalation.push(EscalationLevel {
            level: e.level,
            role: e.role,
            paged_after_secs: secs,
        });
    }
    for pair in escalation.windows(2) {
        if pair[1].level <= pair[0].level || pair[1].paged_after_secs < pair[0].paged_after_secs {
            bail!(
                "{rel}: escalation levels must be listed in increasing order with non-decreasing paged_after"
            );
        }
    }
    let notify_high_urgency = front
        .notify_high_urgency
        .map(|kinds| {
            kinds
                .iter()
                .map(|k| {
                    ContactKind::parse(k).map_err(|e| {
                        anyhow::anyhow!("{rel}:{}: notify_high_urgency: {e}", line_of(k))
                    })
                })
                .collect::<Result<Vec<_>>>()
        })
        .transpose()?;
    let routing = front
        .routing
        .into_iter()
        .map(|r| DocumentedRoute {
            source: r.source.trim().to_string(),
            events: r.events.trim().to_string(),
            service: r.service.trim().to_string(),
        })
        .collect();
    let slug = crate::util::slug(
        Path::new(rel)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or(&front.title),
    );
    Ok(PolicyDoc {
        slug,
        source: rel.to_string(),
        title: front.title,
        version: front.version,
        effective: front.effective,
        approved_by: front.approved_by,
        approved_on: front.approved_on,
        owner: front.owner,
        next_review: front.next_review,
        escalation_policy: front.escalation_policy,
        severities,
        escalation,
        notify_high_urgency,
        routing,
        body_markdown: doc.body.to_string(),
        body_line: doc.body_line as u64,
    })
}

/// A value may match only one level, or severities would depend on list order silently.
fn check_unique_matches(rel: &str, levels: &[SeverityLevel]) -> Result<()> {
    for (i, a) in levels.iter().enumerate() {
        let names = std::iter::once(&a.level)
            .chain(std::iter::once(&a.name))
            .chain(a.aliases.iter());
        for n in names {
            if let Some(b) = levels[i + 1..].iter().find(|b| b.matches(n)) {
                bail!(
                    "{rel}: `{n}` matches both severity {} and {}",
                    a.level,
                    b.level
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = r#"+++
title = "Incident Response Policy"
version = "3.1"
effective = 2026-01-01
approved_by = "Jane Roe, CTO"
approved_on = 2025-12-15
escalation_policy = "Production Services"

[[severity]]
level = "P1"
name = "Critical"
aliases = ["SEV-1", "SEV1"]
ack = "5m"
resolve = "4h"
postmortem = "48h"

[[severity]]
level = "P4"
name = "Low"
ack = "next-business-day"

[[escalation]]
level = 1
role = "On-call engineer"
paged_after = "0m"
[[escalation]]
level = 2
role = "Lead"
paged_after = "10m"
+++

# Incident Response Policy
"#;

    #[test]
    fn reads_severity_matrix_and_escalation_path() {
        let p = parse("content/policies/incident-response.md", POLICY).unwrap();
        assert_eq!(p.slug, "incident-response");
        assert_eq!(p.severities.len(), 2);
        assert_eq!(p.severities[0].ack, Some(Target::Elapsed(300)));
        assert_eq!(p.severities[0].postmortem, Some(Target::Elapsed(172_800)));
        assert_eq!(p.severities[1].ack, Some(Target::NextBusinessDay));
        assert_eq!(p.escalation[1].paged_after_secs, 600);
        assert_eq!(p.match_severity(" sev-1 ").unwrap().level, "P1");
        assert_eq!(p.match_severity("low").unwrap().level, "P4");
        assert!(p.match_severity("P3").is_none());
        assert_eq!(p.body_line, 31);
    }

    #[test]
    fn bad_duration_names_file_and_line() {
        let text = POLICY.replace("resolve = \"4h\"", "resolve = \"4 hours\"");
        let err = parse("pol.md", &text).unwrap_err().to_string();
        assert!(err.starts_with("pol.md:14:"), "{err}");
        assert!(err.contains("4 hours"), "{err}");
    }

    #[test]
    fn unknown_front_matter_key_is_rejected() {
        let text = POLICY.replace("version = \"3.1\"", "versoin = \"3.1\"");
        let err = parse("pol.md", &text).unwrap_err().to_string();
        assert!(err.starts_with("pol.md:3:"), "{err}");
        assert!(err.contains("versoin"), "{err}");
    }

    #[test]
    fn urgency_is_read_and_kept_per_level() {
        let text = POLICY.replace(
            "postmortem = \"48h\"",
            "postmortem = \"48h\"\nurgency = \"High\"",
        );
        let p = parse("pol.md", &text).unwrap();
        assert_eq!(p.severities[0].urgency, Some(Urgency::High));
        assert_eq!(p.severities[1].urgency, None, "absent means not documented");
        let bad = POLICY.replace(
            "postmortem = \"48h\"",
            "postmortem = \"48h\"\nurgency = \"urgent\"",
        );
        let err = parse("pol.md", &bad).unwrap_err().to_string();
        assert!(err.starts_with("pol.md:16:"), "{err}");
        assert!(err.contains("urgent"), "{err}");
    }

    #[test]
    fn automation_notify_and_routing_are_read() {
        let text = POLICY
            .replace(
                "postmortem = \"48h\"",
                "postmortem = \"48h\"\nautomation = [\" Major incident \", \"\"]",
            )
            .replace(
                "escalation_policy = \"Production Services\"",
                "escalation_policy = \"Production Services\"\nnotify_high_urgency = [\"phone\", \"SMS\"]\n\n[[routing]]\nsource = \"AWS GuardDuty\"\nevents = \"findings\"\nservice = \"Security\"",
            );
        let p = parse("pol.md", &text).unwrap();
        assert_eq!(
            p.severities[0].automation.as_deref(),
            Some(&["Major incident".to_string()][..])
        );
        assert_eq!(
            p.severities[1].automation, None,
            "absent means not documented"
        );
        assert_eq!(
            p.notify_high_urgency,
            Some(vec![ContactKind::Phone, ContactKind::Sms])
        );
        assert_eq!(p.routing.len(), 1);
        assert_eq!(p.routing[0].service, "Security");
        assert_eq!(parse("pol.md", POLICY).unwrap().notify_high_urgency, None);
    }

    #[test]
    fn unknown_contact_kind_is_an_error_naming_the_line() {
        let text = POLICY.replace(
            "escalation_policy = \"Production Services\"",
            "escalation_policy = \"Production Services\"\nnotify_high_urgency = [\"phone\", \"pigeon\"]",
        );
        let err = parse("pol.md", &text).unwrap_err().to_string();
        assert!(err.starts_with("pol.md:8:"), "{err}");
        assert!(err.contains("pigeon"), "{err}");
    }
}
