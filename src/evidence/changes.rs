//! "Changes since last period" (issue 15): the policy, the PagerDuty configuration and the
//! headline figures of this period against the previous package's. Pure: both sides are read
//! already (the previous package's inputs by `commands`, its summary.json as packaged).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::summary::Summary;
use crate::model::{Inputs, PolicyDoc, Snapshot};

/// One thing that differs: what, and its value before and after (empty when absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub what: String,
    pub before: String,
    pub after: String,
}

/// An escalation policy, schedule or service added, removed or changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfigChange {
    pub kind: &'static str,
    pub name: String,
    pub id: String,
    /// `added`, `removed` or `changed`.
    pub status: &'static str,
}

/// One headline figure in both periods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Figure {
    pub label: String,
    pub before: String,
    pub after: String,
    /// `+3`, `-1.5 pts`, `0`; `n/a` when either side is not measurable.
    pub delta: String,
}

/// One severity's headline figures in both periods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeverityDelta {
    pub level: String,
    pub incidents: Figure,
    pub ack: Figure,
    pub resolve: Figure,
}

/// The dashboard's headline figures against the previous period: volume, attainment per severity,
/// postmortems on time and exceptions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Headline {
    pub incidents: Figure,
    /// In this period's severity order; a level the previous period lacked counts as zero there.
    pub severities: Vec<SeverityDelta>,
    pub postmortems_on_time: Figure,
    pub exceptions: Figure,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changes {
    pub previous_zip: String,
    pub previous_identifier: String,
    pub previous_period: String,
    pub policy_before: String,
    pub policy_after: String,
    /// Every changed policy field, target, escalation step and severity definition.
    pub policy: Vec<Change>,
    /// `None` when the previous package carried no sources to compare with.
    pub pagerduty: Option<Vec<ConfigChange>>,
    pub headline: Headline,
    /// The headline figures in one list, then exceptions by kind (changes.html's table).
    pub figures: Vec<Figure>,
}

/// The comparison, when the build has a previous package.
pub fn compute(inputs: &Inputs, summary: &Summary) -> Option<Changes> {
    let previous = inputs.previous.as_ref()?;
    let before: Value = serde_json::from_slice(&previous.summary).unwrap_or(Value::Null);
    let prev_inputs = previous.inputs.as_deref();
    let prev_policy = prev_inputs.and_then(|i| i.policies.get(i.policy));
    let policy = inputs.policies.get(inputs.policy);
    let headline = headline(&before, summary);
    let figures = figures(&headline, &before, summary);
    Some(Changes {
        previous_zip: previous.zip_name.clone(),
        previous_identifier: previous.identifier.clone(),
        previous_period: before
            .pointer("/period/name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        policy_before: prev_policy.map(version).unwrap_or_default(),
        policy_after: policy.map(version).unwrap_or_default(),
        policy: match (prev_policy, policy) {
            (Some(a), Some(b)) => policy_changes(a, b),
            _ => Vec::new(),
        },
        pagerduty: prev_inputs.map(|p| config_changes(&p.pagerduty, &inputs.pagerduty)),
        headline,
        figures,
    })
}

fn version(p: &PolicyDoc) -> String {
    p.version.clone().unwrap_or_else(|| "(no version)".into())
}

fn opt<T: std::fmt::Display>(v: Option<&T>) -> String {
    v.map(ToString::to_string).unwrap_or_default()
}

fn push(out: &mut Vec<Change>, what: String, before: String, after: String) {
    if before != after {
        out.push(Change {
            what,
            before,
            after,
        });
    }
}

/// Every policy field that differs, severity by severity and step by step.
pub fn policy_changes(a: &PolicyDoc, b: &PolicyDoc) -> Vec<Change> {
    let mut out = Vec::new();
    push(&mut out, "Version".into(), version(a), version(b));
    push(&mut out, "Title".into(), a.title.clone(), b.title.clone());
    push(
        &mut out,
        "Effective".into(),
        opt(a.effective.as_ref()),
        opt(b.effective.as_ref()),
    );
    push(
        &mut out,
        "Approved by".into(),
        opt(a.approved_by.as_ref()),
        opt(b.approved_by.as_ref()),
    );
    push(
        &mut out,
        "Approved on".into(),
        opt(a.approved_on.as_ref()),
        opt(b.approved_on.as_ref()),
    );
    push(
        &mut out,
        "PagerDuty escalation policy".into(),
        opt(a.escalation_policy.as_ref()),
        opt(b.escalation_policy.as_ref()),
    );
    let mut levels: Vec<&str> = b.severities.iter().map(|s| s.level.as_str()).collect();
    levels.extend(
        a.severities
            .iter()
            .map(|s| s.level.as_str())
            .filter(|l| !b.severities.iter().any(|s| s.level == *l)),
    );
    for level in levels {
        let sa = a.severities.iter().find(|s| s.level == level);
        let sb = b.severities.iter().find(|s| s.level == level);
        match (sa, sb) {
            (None, Some(_)) => push(&mut out, level.to_string(), String::new(), "added".into()),
            (Some(_), None) => push(
                &mut out,
                level.to_string(),
                "defined".into(),
                "removed".into(),
            ),
            (Some(sa), Some(sb)) => {
                push(
                    &mut out,
                    format!("{level} name"),
                    sa.name.clone(),
                    sb.name.clone(),
                );
                push(
                    &mut out,
                    format!("{level} definition"),
                    sa.definition.clone(),
                    sb.definition.clone(),
                );
                push(
                    &mut out,
                    format!("{level} aliases"),
                    sa.aliases.join(", "),
                    sb.aliases.join(", "),
                );
                push(
                    &mut out,
                    format!("{level} acknowledge within"),
                    opt(sa.ack.as_ref()),
                    opt(sb.ack.as_ref()),
                );
                push(
                    &mut out,
                    format!("{level} resolve within"),
                    opt(sa.resolve.as_ref()),
                    opt(sb.resolve.as_ref()),
                );
                push(
                    &mut out,
                    format!("{level} postmortem within"),
                    opt(sa.postmortem.as_ref()),
                    opt(sb.postmortem.as_ref()),
                );
            }
            (None, None) => {}
        }
    }
    let step = |e: Option<&crate::model::EscalationLevel>| {
        e.map(|e| {
            format!(
                "{} after {}",
                e.role,
                crate::util::human_target(e.paged_after_secs)
            )
        })
        .unwrap_or_default()
    };
    let steps = a.escalation.len().max(b.escalation.len());
    for i in 0..steps {
        push(
            &mut out,
            format!("Escalation step {}", i + 1),
            step(a.escalation.get(i)),
            step(b.escalation.get(i)),
        );
    }
    out
}

/// Escalation policies, schedules and services added, removed or changed, matched by id.
/// A schedule's rendered entries cover its own period, so only its definition is compared.
pub fn config_changes(a: &Snapshot, b: &Snapshot) -> Vec<ConfigChange> {
    let mut out = Vec::new();
    let keyed = |items: Vec<(String, String, Value)>| -> BTreeMap<String, (String, Value)> {
        items
            .into_iter()
            .map(|(id, name, v)| (id, (name, v)))
            .collect()
    };
    let eps = |s: &Snapshot| {
        keyed(
            s.escalation_policies
                .iter()
                .map(|e| (e.id.clone(), e.name.clone(), json(e)))
                .collect(),
        )
    };
    let schedules = |s: &Snapshot| {
        keyed(
            s.schedules
                .iter()
                .map(|x| {
                    let v =
                        serde_json::json!([x.name, x.version, x.time_zone, x.escalation_policies]);
                    (x.id.clone(), x.name.clone(), v)
                })
                .collect(),
        )
    };
    let services = |s: &Snapshot| {
        keyed(
            s.services
                .iter()
                .map(|x| (x.id.clone(), x.name.clone(), json(x)))
                .collect(),
        )
    };
    for (kind, before, after) in [
        ("Escalation policy", eps(a), eps(b)),
        ("Schedule", schedules(a), schedules(b)),
        ("Service", services(a), services(b)),
    ] {
        let ids: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
        for id in ids {
            let status = match (before.get(id), after.get(id)) {
                (None, Some(_)) => "added",
                (Some(_), None) => "removed",
                (Some(x), Some(y)) if x != y => "changed",
                _ => continue,
            };
            let name = after
                .get(id)
                .or(before.get(id))
                .map(|(n, _)| n.clone())
                .unwrap_or_default();
            out.push(ConfigChange {
                kind,
                name,
                id: id.clone(),
                status,
            });
        }
    }
    out
}

/// Any serializable value as JSON, for comparing two snapshots' objects.
fn json<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Attainment as a percentage with one decimal, or `None` when nothing was measured.
fn permille(met: u64, of: u64) -> Option<i64> {
    (of > 0).then(|| ((met * 1000 + of / 2) / of) as i64)
}

fn pct(p: Option<i64>) -> String {
    p.map_or("n/a".into(), |p| format!("{}.{}%", p / 10, p % 10))
}

fn signed(n: i64, unit: &str) -> String {
    match n {
        0 => format!("0{unit}"),
        n if n > 0 => format!("+{n}{unit}"),
        n => format!("{n}{unit}"),
    }
}

fn count_figure(label: String, before: u64, after: u64) -> Figure {
    Figure {
        label,
        before: before.to_string(),
        after: after.to_string(),
        delta: signed(after as i64 - before as i64, ""),
    }
}

fn rate_figure(label: String, before: Option<i64>, after: Option<i64>) -> Figure {
    let delta = match (before, after) {
        (Some(b), Some(a)) => {
            let d = a - b;
            let sign = if d > 0 {
                "+"
            } else if d < 0 {
                "-"
            } else {
                ""
            };
            format!("{sign}{}.{} pts", d.abs() / 10, d.abs() % 10)
        }
        _ => "n/a".into(),
    };
    Figure {
        label,
        before: pct(before),
        after: pct(after),
        delta,
    }
}

/// A count in the previous period's summary.json (0 when absent: an older or smaller package).
fn num(v: Option<&Value>) -> u64 {
    v.and_then(Value::as_u64).unwrap_or(0)
}

fn headline(before: &Value, summary: &Summary) -> Headline {
    let level_num =
        |level: &str, key: &str| num(before.pointer(&format!("/by_severity/{level}/{key}")));
    let total_before: u64 = before
        .get("by_severity")
        .and_then(Value::as_object)
        .map(|m| m.values().map(|v| num(v.get("incidents"))).sum())
        .unwrap_or(0);
    let total_after: u64 = summary
        .by_severity
        .levels
        .iter()
        .map(|(_, c)| c.incidents)
        .sum::<u64>()
        + summary.by_severity.unclassified;
    let rate = |level: &str, met: &str, breached: &str| {
        let m = level_num(level, met);
        permille(m, m + level_num(level, breached))
    };
    let (mut pm_b, mut pm_b_of, mut pm_a, mut pm_a_of) = (0, 0, 0, 0);
    let mut severities = Vec::new();
    for (level, c) in &summary.by_severity.levels {
        severities.push(SeverityDelta {
            level: level.clone(),
            incidents: count_figure(
                format!("{level} incidents"),
                level_num(level, "incidents"),
                c.incidents,
            ),
            ack: rate_figure(
                format!("{level} acknowledged within target"),
                rate(level, "ack_met", "ack_breached"),
                permille(c.ack_met, c.ack_met + c.ack_breached),
            ),
            resolve: rate_figure(
                format!("{level} resolved within target"),
                rate(level, "resolve_met", "resolve_breached"),
                permille(c.resolve_met, c.resolve_met + c.resolve_breached),
            ),
        });
        pm_b += level_num(level, "postmortem_on_time");
        pm_b_of += level_num(level, "postmortem_required");
        pm_a += c.postmortem_on_time;
        pm_a_of += c.postmortem_required;
    }
    Headline {
        incidents: count_figure("Incidents in period".into(), total_before, total_after),
        severities,
        postmortems_on_time: rate_figure(
            "Postmortems on time".into(),
            permille(pm_b, pm_b_of),
            permille(pm_a, pm_a_of),
        ),
        exceptions: count_figure(
            "Exceptions".into(),
            num(before.pointer("/exceptions/total")),
            summary.exceptions.total,
        ),
    }
}

fn figures(h: &Headline, before: &Value, summary: &Summary) -> Vec<Figure> {
    let mut out = vec![h.incidents.clone()];
    for s in &h.severities {
        out.extend([s.incidents.clone(), s.ack.clone(), s.resolve.clone()]);
    }
    out.push(h.postmortems_on_time.clone());
    out.push(h.exceptions.clone());
    for (kind, n) in &summary.exceptions.by_kind.0 {
        let b = num(before.pointer(&format!("/exceptions/by_kind/{}", kind.name())));
        if b != 0 || *n != 0 {
            out.push(count_figure(format!("Exceptions: {}", kind.name()), b, *n));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::testkit::policy;
    use crate::model::{Service, Target};

    #[test]
    fn every_changed_policy_field_is_listed_and_nothing_else() {
        let a = policy();
        let mut b = policy();
        assert!(policy_changes(&a, &b).is_empty());
        b.version = Some("4.0".into());
        b.severities[0].ack = Some(Target::parse("10m").unwrap());
        b.severities[1].definition = "Redefined.".into();
        b.severities.pop();
        let whats: Vec<String> = policy_changes(&a, &b).into_iter().map(|c| c.what).collect();
        let p1 = &a.severities[0].level;
        let p2 = &a.severities[1].level;
        let last = &a.severities.last().unwrap().level;
        let mut want = vec![
            "Version".to_string(),
            format!("{p1} acknowledge within"),
            format!("{p2} definition"),
        ];
        if last != p2 {
            want.push(last.clone());
        }
        assert_eq!(whats, want);
    }

    #[test]
    fn services_added_removed_and_changed_are_named() {
        let service = |id: &str, status: &str| Service {
            id: id.into(),
            name: format!("svc {id}"),
            status: Some(status.into()),
            escalation_policy: None,
            teams: Vec::new(),
            url: None,
            ..Default::default()
        };
        let a = Snapshot {
            services: vec![service("S1", "active"), service("S2", "active")],
            ..Default::default()
        };
        let b = Snapshot {
            services: vec![service("S2", "disabled"), service("S3", "active")],
            ..Default::default()
        };
        let got: Vec<(String, &str)> = config_changes(&a, &b)
            .into_iter()
            .map(|c| (c.id, c.status))
            .collect();
        assert_eq!(
            got,
            [
                ("S1".to_string(), "removed"),
                ("S2".to_string(), "changed"),
                ("S3".to_string(), "added")
            ]
        );
    }

    #[test]
    fn headline_deltas_compare_with_the_previous_summary() {
        use crate::evidence::testkit::{config, incident, inputs};
        let config = config();
        // Two P1s, both resolved within 4h: one acknowledged in 2 minutes, one in 20 (target 5m).
        let mut current = inputs(
            vec![
                incident(1)
                    .priority("P1")
                    .acked("2026-03-02T15:02:00Z")
                    .resolved("2026-03-02T16:00:00Z")
                    .build(),
                incident(2)
                    .priority("P1")
                    .acked("2026-03-02T15:20:00Z")
                    .resolved("2026-03-02T16:00:00Z")
                    .build(),
            ],
            vec![],
        );
        assert!(
            crate::evidence::evaluate(&config, &current)
                .changes
                .is_none()
        );
        let before = serde_json::json!({
            "period": {"name": "Prior"},
            "by_severity": {"P1": {
                "incidents": 4, "ack_met": 4, "ack_breached": 0, "resolve_met": 3,
                "resolve_breached": 1, "postmortem_required": 4, "postmortem_on_time": 2
            }},
            "exceptions": {"total": 1, "by_kind": {"ack_breach": 0}},
        });
        current.previous = Some(crate::model::PreviousPeriod {
            summary: serde_json::to_vec(&before).unwrap(),
            ..Default::default()
        });
        let evidence = crate::evidence::evaluate(&config, &current);
        let changes = evidence.changes.expect("a previous period");
        assert_eq!(changes.previous_period, "Prior");
        let h = &changes.headline;
        let triple = |f: &Figure| (f.before.clone(), f.after.clone(), f.delta.clone());
        let t = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
        assert_eq!(triple(&h.incidents), t("4", "2", "-2"));
        let p1 = &h.severities[0];
        assert_eq!(p1.level, "P1");
        assert_eq!(triple(&p1.incidents), t("4", "2", "-2"));
        assert_eq!(triple(&p1.ack), t("100.0%", "50.0%", "-50.0 pts"));
        assert_eq!(triple(&p1.resolve), t("75.0%", "100.0%", "+25.0 pts"));
        assert_eq!(h.postmortems_on_time.before, "50.0%");
        let total = evidence.summary.exceptions.total;
        assert!(total >= 1, "the late acknowledgement is an exception");
        assert_eq!(
            triple(&h.exceptions),
            t("1", &total.to_string(), &format!("+{}", total - 1))
        );
        // changes.html's table is the headline, in order, then exceptions by kind.
        let labels: Vec<&str> = changes.figures.iter().map(|f| f.label.as_str()).collect();
        assert_eq!(
            labels[..4],
            [
                "Incidents in period",
                "P1 incidents",
                "P1 acknowledged within target",
                "P1 resolved within target"
            ]
        );
        assert!(labels.contains(&"Exceptions: ack_breach"));
    }

    #[test]
    fn rate_deltas_are_in_points() {
        let f = rate_figure("x".into(), permille(9, 10), permille(19, 20));
        assert_eq!((f.before.as_str(), f.after.as_str()), ("90.0%", "95.0%"));
        assert_eq!(f.delta, "+5.0 pts");
        assert_eq!(rate_figure("x".into(), None, permille(1, 2)).delta, "n/a");
        assert_eq!(count_figure("n".into(), 5, 3).delta, "-2");
    }
}
