//! On-call evidence from the PagerDuty snapshot (evidence-rules.md §6, config.md): coverage of
//! each escalation policy's first level over the period, and the documented escalation path
//! compared with PagerDuty's configuration.
//!
//! - **Coverage**: level 1 of an escalation policy is covered at an instant when a user it targets
//!   directly exists (always on call) or one of the schedules it targets has someone in its final
//!   schedule (overrides included). A *gap* is a maximal uncovered interval inside the period
//!   (clipped to the fetched window); one crossing a month boundary is one gap. A schedule missing
//!   from the snapshot covers nothing (the conservative reading). Policies judged: those some
//!   service uses, and the one the documented policy names; when the snapshot lists no service
//!   links at all, every policy.
//! - **Drift**: documented level N is paged `paged_after` after the trigger (cumulative);
//!   PagerDuty pages rule N after the sum of `escalation_delay_in_minutes` of rules 1..N-1. Every
//!   level where the two differ, or that exists on one side only, is `escalation_drift`.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use serde::Serialize;

use crate::config::Config;
use crate::evidence::escalation_history::{self, DriftSpan, PolicyHistory};
use crate::evidence::{Exception, ExceptionKind, Subject};
use crate::model::Inputs;
use crate::model::Snapshot;
use crate::model::{EscalationPolicy, PdRef};
use crate::util::{human_duration, human_target, local_time};

/// What the on-call pages show.
#[derive(Debug, Clone, Default, Serialize)]
pub struct OnCallFacts {
    /// The documented path against PagerDuty, when the policy documents one and a snapshot exists.
    pub escalation: Option<EscalationComparison>,
    /// One per judged escalation policy, sorted by id.
    pub coverage: Vec<PolicyCoverage>,
    /// The window coverage was measured over: the period, clipped to the fetched window.
    pub window: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// First-level coverage per month over every judged policy together (months with time only).
    pub by_month: Vec<MonthCoverage>,
    /// Every policy's configuration over time, rebuilt from the audit records.
    pub history: Vec<PolicyHistory>,
    /// When the documented policy's PagerDuty configuration differed from the documented path
    /// inside the period (empty when it never did, or when the snapshot lacks the policy).
    pub drift: Vec<DriftSpan>,
    /// When the escalation policies were fetched (the snapshot's own date), from the fetch record.
    pub snapshot_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EscalationComparison {
    /// `escalation_policy` of the documented policy's front matter.
    pub documented_name: Option<String>,
    /// The PagerDuty policy it names (matched by name, case-insensitive, or id).
    pub policy_id: Option<String>,
    pub policy_name: Option<String>,
    /// One per level on either side, in level order.
    pub levels: Vec<LevelComparison>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LevelComparison {
    pub level: u32,
    pub role: Option<String>,
    /// Documented `paged_after` (cumulative seconds from the trigger).
    pub documented_secs: Option<i64>,
    /// PagerDuty: the sum of the previous rules' delays, in seconds.
    pub configured_secs: Option<i64>,
    pub targets: Vec<PdRef>,
    pub drift: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PolicyCoverage {
    pub escalation_policy_id: String,
    pub name: String,
    /// Level 1's targets (users and schedules).
    pub targets: Vec<PdRef>,
    pub gaps: Vec<Gap>,
    pub covered_secs: i64,
    pub total_secs: i64,
    pub months: Vec<MonthCoverage>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MonthCoverage {
    /// `2026-03`, in the organization's zone.
    pub month: String,
    pub covered_secs: i64,
    pub total_secs: i64,
}

pub fn facts(
    config: &Config,
    inputs: &Inputs,
    period_start: DateTime<Utc>,
    period_end: DateTime<Utc>,
) -> OnCallFacts {
    let snap = &inputs.pagerduty;
    if snap.escalation_policies.is_empty() {
        return OnCallFacts::default();
    }
    let policy = inputs.policies.get(inputs.policy);
    let documented_name = policy.and_then(|p| p.escalation_policy.clone());
    let documented = documented_name
        .as_deref()
        .and_then(|n| find_policy(snap, n));
    let escalation = policy
        .filter(|p| !p.escalation.is_empty() || p.escalation_policy.is_some())
        .map(|p| compare(p, documented));
    let (from, to) = fetched_window(snap, period_start, period_end);
    let judged = judged_policies(snap, documented.map(|e| e.id.as_str()));
    let coverage: Vec<PolicyCoverage> = judged
        .iter()
        .map(|ep| coverage(config, snap, ep, from, to))
        .collect();
    let history = escalation_history::histories(snap);
    let drift = match (policy, documented) {
        (Some(p), Some(ep)) => history
            .iter()
            .find(|h| h.policy_id == ep.id)
            .map(|h| escalation_history::drift(h, &p.escalation, period_start, period_end))
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    OnCallFacts {
        escalation,
        by_month: coverage_by_month(&coverage),
        coverage,
        window: (from < to).then_some((from, to)),
        history,
        drift,
        snapshot_at: snapshot_at(snap),
    }
}

/// When `/escalation_policies` was fetched, else when the fetch finished.
fn snapshot_at(snap: &Snapshot) -> Option<DateTime<Utc>> {
    let parse = |s: &str| DateTime::parse_from_rfc3339(s).ok().map(|t| t.to_utc());
    let records = snap.fetch_records.iter().map(|f| &f.record);
    records
        .clone()
        .flat_map(|r| &r.windows)
        .filter(|w| w.endpoint == "/escalation_policies")
        .find_map(|w| parse(&w.fetched_at))
        .or_else(|| {
            records
                .filter(|r| r.source == "pagerduty")
                .find_map(|r| parse(&r.finished_at))
        })
}

/// Indices of the snapshot's audit records made inside [start, end), in snapshot order.
pub fn audit_in_period(snap: &Snapshot, start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<usize> {
    snap.audit_records
        .iter()
        .enumerate()
        .filter(|(_, r)| r.at >= start && r.at < end)
        .map(|(i, _)| i)
        .collect()
}

/// Covered and total seconds per month, summed over the policies; months without time dropped.
pub fn coverage_by_month(coverage: &[PolicyCoverage]) -> Vec<MonthCoverage> {
    let mut by: std::collections::BTreeMap<&str, (i64, i64)> = Default::default();
    for c in coverage {
        for m in &c.months {
            let e = by.entry(m.month.as_str()).or_default();
            e.0 += m.covered_secs;
            e.1 += m.total_secs;
        }
    }
    by.into_iter()
        .filter(|(_, (_, total))| *total > 0)
        .map(|(month, (covered_secs, total_secs))| MonthCoverage {
            month: month.to_string(),
            covered_secs,
            total_secs,
        })
        .collect()
}

pub fn exceptions(
    config: &Config,
    inputs: &Inputs,
    period_start: DateTime<Utc>,
    period_end: DateTime<Utc>,
) -> Vec<Exception> {
    exceptions_from(config, &facts(config, inputs, period_start, period_end))
}

/// The coverage-gap and escalation-drift exceptions that already computed facts show.
pub fn exceptions_from(config: &Config, f: &OnCallFacts) -> Vec<Exception> {
    let tz = config.tz();
    let mut out = Vec::new();
    for c in &f.coverage {
        for g in &c.gaps {
            out.push(Exception::new(
                ExceptionKind::CoverageGap,
                Subject::CoverageGap {
                    escalation_policy: c.escalation_policy_id.clone(),
                    start: crate::util::utc_rfc3339(g.start),
                },
                "someone is on call for the first level of every escalation policy \
                 throughout the period"
                    .into(),
                format!("level 1 of {} has someone on call at every instant", c.name),
                format!(
                    "nobody on call from {} to {} ({})",
                    local_time(g.start, tz),
                    local_time(g.end, tz),
                    human_duration((g.end - g.start).num_seconds())
                ),
            ));
        }
    }
    if let Some(e) = &f.escalation {
        let subject_policy = e
            .policy_id
            .clone()
            .or_else(|| e.documented_name.clone())
            .unwrap_or_else(|| "(unnamed)".into());
        // With the policy in the snapshot, its rebuilt history decides (drift that ended inside
        // the period counts, and is dated); without it, the comparison of the current state.
        let drifting: Vec<u32> = if e.policy_id.is_some() {
            let mut levels: Vec<u32> = f.drift.iter().map(|d| d.level).collect();
            levels.dedup();
            levels
        } else {
            e.levels
                .iter()
                .filter(|l| l.drift)
                .map(|l| l.level)
                .collect()
        };
        for level in drifting {
            let l = match e.levels.iter().find(|l| l.level == level) {
                Some(l) => l.clone(),
                None => LevelComparison {
                    level,
                    role: None,
                    documented_secs: None,
                    configured_secs: None,
                    targets: vec![],
                    drift: true,
                },
            };
            let spans: Vec<&DriftSpan> = f.drift.iter().filter(|d| d.level == level).collect();
            out.push(Exception::new(
                ExceptionKind::EscalationDrift,
                Subject::EscalationDrift {
                    escalation_policy: subject_policy.clone(),
                    level: l.level,
                },
                "the documented escalation path (paged_after, cumulative) matches PagerDuty's \
                 rules (sum of the previous rules' escalation_delay_in_minutes)"
                    .into(),
                match (l.documented_secs, &l.role) {
                    (Some(s), Some(role)) => format!(
                        "level {} ({role}) paged {} after the trigger",
                        l.level,
                        human_target(s)
                    ),
                    (Some(s), None) => format!(
                        "level {} paged {} after the trigger",
                        l.level,
                        human_target(s)
                    ),
                    (None, _) => format!("no level {} in the documented path", l.level),
                },
                match (&e.policy_id, spans.is_empty(), l.configured_secs) {
                    (None, _, _) => format!(
                        "no escalation policy named {} in the PagerDuty snapshot",
                        e.documented_name.as_deref().unwrap_or("(none named)")
                    ),
                    (Some(_), false, _) => spans
                        .iter()
                        .map(|d| drift_text(d, f.snapshot_at, tz))
                        .collect::<Vec<_>>()
                        .join("; "),
                    (Some(_), true, Some(s)) => format!(
                        "PagerDuty pages level {} {} after the trigger",
                        l.level,
                        human_target(s)
                    ),
                    (Some(_), true, None) => format!("PagerDuty has no level {}", l.level),
                },
            ));
        }
    }
    out.sort_by(|a, b| (a.kind, &a.subject).cmp(&(b.kind, &b.subject)));
    out
}

/// "PagerDuty paged level 3 20m after the trigger from … (audit record X) until … (audit record Y)".
fn drift_text(d: &DriftSpan, snapshot_at: Option<DateTime<Utc>>, tz: chrono_tz::Tz) -> String {
    let what = match d.configured_secs {
        Some(s) => format!(
            "PagerDuty paged level {} {} after the trigger",
            d.level,
            human_target(s)
        ),
        None => format!("PagerDuty had no level {}", d.level),
    };
    let from = match (d.from, &d.started_by) {
        (Some(t), Some(id)) => format!("from {} (audit record {id})", local_time(t, tz)),
        (Some(t), None) => format!("from {}", local_time(t, tz)),
        (None, _) => "from the start of the period".into(),
    };
    let until = match (d.until, &d.ended_by, snapshot_at) {
        (Some(t), Some(id), _) => format!("until {} (audit record {id})", local_time(t, tz)),
        (Some(t), None, _) => format!("until {}", local_time(t, tz)),
        (None, _, Some(s)) => format!("until the snapshot of {} (still so)", local_time(s, tz)),
        (None, _, None) => "until the snapshot (still so)".into(),
    };
    format!("{what} {from} {until}")
}

fn find_policy<'a>(snap: &'a Snapshot, name: &str) -> Option<&'a EscalationPolicy> {
    let n = name.trim();
    snap.escalation_policies
        .iter()
        .find(|e| e.id == n || e.name.trim().eq_ignore_ascii_case(n))
}

fn compare(
    policy: &crate::model::PolicyDoc,
    ep: Option<&EscalationPolicy>,
) -> EscalationComparison {
    let configured = ep.map(|e| e.paged_after_secs()).unwrap_or_default();
    let max_doc = policy.escalation.iter().map(|l| l.level).max().unwrap_or(0);
    let max = max_doc.max(configured.len() as u32);
    let levels = (1..=max)
        .map(|level| {
            let doc = policy.escalation.iter().find(|l| l.level == level);
            let configured_secs = configured.get(level as usize - 1).copied();
            let documented_secs = doc.map(|l| l.paged_after_secs);
            LevelComparison {
                level,
                role: doc.map(|l| l.role.clone()),
                documented_secs,
                configured_secs,
                targets: ep
                    .and_then(|e| e.rules.get(level as usize - 1))
                    .map(|r| r.targets.clone())
                    .unwrap_or_default(),
                drift: documented_secs != configured_secs,
            }
        })
        .collect();
    EscalationComparison {
        documented_name: policy.escalation_policy.clone(),
        policy_id: ep.map(|e| e.id.clone()),
        policy_name: ep.map(|e| e.name.clone()),
        levels,
    }
}

/// The period clipped to what the PagerDuty fetch rendered schedules over.
pub fn fetched_window(
    snap: &Snapshot,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let parse = |s: &Option<String>| {
        s.as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc))
    };
    let pd = snap
        .fetch_records
        .iter()
        .filter(|f| f.record.source == "pagerduty");
    let since = pd.clone().filter_map(|f| parse(&f.record.since)).min();
    let until = pd.filter_map(|f| parse(&f.record.until)).max();
    (
        since.map_or(start, |s| s.max(start)),
        until.map_or(end, |u| u.min(end)),
    )
}

fn judged_policies<'a>(snap: &'a Snapshot, documented: Option<&str>) -> Vec<&'a EscalationPolicy> {
    let mut used: BTreeSet<&str> = snap
        .services
        .iter()
        .filter_map(|s| s.escalation_policy.as_ref().map(|r| r.id.as_str()))
        .collect();
    used.extend(
        snap.escalation_policies
            .iter()
            .filter(|e| !e.services.is_empty())
            .map(|e| e.id.as_str()),
    );
    let any_links = !used.is_empty();
    used.extend(documented);
    snap.escalation_policies
        .iter()
        .filter(|e| !any_links || used.contains(e.id.as_str()))
        .collect()
}

fn coverage(
    config: &Config,
    snap: &Snapshot,
    ep: &EscalationPolicy,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> PolicyCoverage {
    let targets = ep
        .rules
        .first()
        .map(|r| r.targets.clone())
        .unwrap_or_default();
    let always = targets.iter().any(|t| t.kind != "schedule");
    let mut spans: Vec<(DateTime<Utc>, DateTime<Utc>)> = if always {
        vec![(from, to)]
    } else {
        targets
            .iter()
            .filter_map(|t| snap.schedule(&t.id))
            .flat_map(|s| &s.final_entries)
            .filter(|e| e.user.is_some())
            .map(|e| (e.start.max(from), e.end.min(to)))
            .filter(|(a, b)| a < b)
            .collect()
    };
    spans.sort();
    let covered = union(&spans);
    let gaps = complement(&covered, from, to);
    let months = month_bounds(config, from, to)
        .into_iter()
        .map(|(label, a, b)| MonthCoverage {
            month: label,
            covered_secs: overlap_secs(&covered, a, b),
            total_secs: (b - a).num_seconds(),
        })
        .collect();
    PolicyCoverage {
        escalation_policy_id: ep.id.clone(),
        name: ep.name.clone(),
        targets,
        covered_secs: overlap_secs(&covered, from, to),
        total_secs: (to - from).num_seconds().max(0),
        gaps,
        months,
    }
}

/// Sorted spans merged where they overlap or touch.
fn union(spans: &[(DateTime<Utc>, DateTime<Utc>)]) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut out: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
    for &(a, b) in spans {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

fn complement(
    covered: &[(DateTime<Utc>, DateTime<Utc>)],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<Gap> {
    let mut gaps = Vec::new();
    let mut at = from;
    for &(a, b) in covered {
        if a > at {
            gaps.push(Gap { start: at, end: a });
        }
        at = at.max(b);
    }
    if at < to {
        gaps.push(Gap { start: at, end: to });
    }
    gaps
}

fn overlap_secs(
    covered: &[(DateTime<Utc>, DateTime<Utc>)],
    a: DateTime<Utc>,
    b: DateTime<Utc>,
) -> i64 {
    covered
        .iter()
        .map(|&(x, y)| (y.min(b) - x.max(a)).num_seconds().max(0))
        .sum()
}

/// Calendar months of the organization's zone overlapping [from, to), clipped to it.
fn month_bounds(
    config: &Config,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<(String, DateTime<Utc>, DateTime<Utc>)> {
    let tz = config.tz();
    let midnight = |d: NaiveDate| {
        let naive = d.and_hms_opt(0, 0, 0).expect("midnight");
        tz.from_local_datetime(&naive)
            .earliest()
            .or_else(|| {
                tz.from_local_datetime(&(naive + chrono::Duration::hours(1)))
                    .earliest()
            })
            .map_or(from, |t| t.with_timezone(&Utc))
    };
    let mut out = Vec::new();
    if from >= to {
        return out;
    }
    let local = from.with_timezone(&tz).date_naive();
    let mut first =
        NaiveDate::from_ymd_opt(local.year(), local.month(), 1).expect("first of month");
    loop {
        let next = first
            .checked_add_months(chrono::Months::new(1))
            .expect("next month");
        let (a, b) = (midnight(first).max(from), midnight(next).min(to));
        if a >= to {
            break;
        }
        out.push((first.format("%Y-%m").to_string(), a, b));
        first = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        EscalationLevel, EscalationRule, PolicyDoc, Schedule, ScheduleEntry, ScheduleVersion,
    };

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn config() -> Config {
        let text = "[organization]\nname = \"Acme\"\ntimezone = \"America/New_York\"\n[period]\nname = \"Q1\"\n\
                    start = 2026-01-01\nend = 2026-03-31\n[policy]\nfile = \"p.md\"\n";
        Config::parse(std::path::Path::new("."), text, "site.toml").unwrap()
    }

    fn target(kind: &str, id: &str) -> PdRef {
        PdRef {
            id: id.into(),
            kind: kind.into(),
            name: None,
        }
    }

    fn ep(id: &str, name: &str, delays: &[i64], first: PdRef) -> EscalationPolicy {
        EscalationPolicy {
            id: id.into(),
            name: name.into(),
            description: None,
            num_loops: 0,
            rules: delays
                .iter()
                .enumerate()
                .map(|(i, d)| EscalationRule {
                    id: format!("R{i}"),
                    delay_minutes: *d,
                    targets: vec![if i == 0 {
                        first.clone()
                    } else {
                        target("user", "PU2")
                    }],
                })
                .collect(),
            services: vec![target("service", "PS1")],
            teams: Vec::new(),
            url: None,
        }
    }

    fn schedule(id: &str, entries: &[(&str, &str)]) -> Schedule {
        Schedule {
            id: id.into(),
            name: id.into(),
            version: ScheduleVersion::V2,
            time_zone: None,
            escalation_policies: Vec::new(),
            final_entries: entries
                .iter()
                .map(|(a, b)| ScheduleEntry {
                    start: at(a),
                    end: at(b),
                    user: Some(target("user", "PU1")),
                })
                .collect(),
            url: None,
        }
    }

    fn policy(ep_name: &str, after: &[&str]) -> PolicyDoc {
        PolicyDoc {
            slug: "incident-response".into(),
            source: "p.md".into(),
            title: "Incident Response Policy".into(),
            version: None,
            effective: None,
            approved_by: None,
            approved_on: None,
            owner: None,
            next_review: None,
            escalation_policy: Some(ep_name.into()),
            severities: Vec::new(),
            escalation: after
                .iter()
                .enumerate()
                .map(|(i, a)| EscalationLevel {
                    level: i as u32 + 1,
                    role: format!("role {}", i + 1),
                    paged_after_secs: crate::model::parse_duration(a).unwrap(),
                })
                .collect(),
            notify_high_urgency: None,
            routing: Vec::new(),
            body_markdown: String::new(),
            body_line: 1,
        }
    }

    fn inputs(
        eps: Vec<EscalationPolicy>,
        schedules: Vec<Schedule>,
        policies: Vec<PolicyDoc>,
    ) -> Inputs {
        let mut i = Inputs {
            policies,
            ..Default::default()
        };
        i.pagerduty.escalation_policies = eps;
        i.pagerduty.schedules = schedules;
        i
    }

    #[test]
    fn drift_compares_cumulative_paged_after_with_summed_delays() {
        let c = config();
        let (start, end) = (at("2026-01-01T05:00:00Z"), at("2026-04-01T04:00:00Z"));
        let eps = vec![ep(
            "PEP1",
            "Production Services",
            &[10, 15, 10],
            target("user", "PU1"),
        )];
        let docs = vec![policy("production services", &["0m", "10m", "20m", "30m"])];
        let ex = exceptions(&c, &inputs(eps, Vec::new(), docs), start, end);
        let ids: Vec<&str> = ex.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(
            ids,
            vec![
                "escalation_drift:PEP1/level-3",
                "escalation_drift:PEP1/level-4"
            ]
        );
        assert_eq!(
            ex[0].required,
            "level 3 (role 3) paged 20m after the trigger"
        );
        // No audit record changed the policy: the drift ran the whole period.
        assert_eq!(
            ex[0].actual,
            "PagerDuty paged level 3 25m after the trigger from the start of the period until \
             the snapshot (still so)"
        );
        assert_eq!(
            ex[1].actual,
            "PagerDuty had no level 4 from the start of the period until the snapshot (still so)"
        );
    }

    #[test]
    fn an_unknown_documented_policy_drifts_at_every_level() {
        let c = config();
        let (start, end) = (at("2026-01-01T05:00:00Z"), at("2026-04-01T04:00:00Z"));
        let eps = vec![ep("PEP1", "Other", &[10], target("user", "PU1"))];
        let docs = vec![policy("Production Services", &["0m", "10m"])];
        let ex = exceptions(&c, &inputs(eps, Vec::new(), docs), start, end);
        let ids: Vec<&str> = ex.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(
            ids,
            vec![
                "escalation_drift:Production Services/level-1",
                "escalation_drift:Production Services/level-2"
            ]
        );
        assert!(
            ex[0]
                .actual
                .contains("no escalation policy named Production Services")
        );
    }

    #[test]
    fn gaps_are_maximal_and_one_across_a_month_boundary() {
        let c = config();
        let (start, end) = (at("2026-01-01T05:00:00Z"), at("2026-04-01T04:00:00Z"));
        let sched = schedule(
            "PS1",
            &[
                ("2025-12-20T00:00:00Z", "2026-01-31T12:00:00Z"),
                ("2026-01-20T00:00:00Z", "2026-01-31T20:00:00Z"),
                ("2026-02-01T08:00:00Z", "2026-03-15T00:00:00Z"),
                ("2026-03-15T00:00:00Z", "2026-05-01T00:00:00Z"),
            ],
        );
        let eps = vec![ep("PEP1", "Prod", &[10], target("schedule", "PS1"))];
        let i = inputs(eps, vec![sched], Vec::new());
        let ex = exceptions(&c, &i, start, end);
        let ids: Vec<&str> = ex.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, vec!["coverage_gap:PEP1@2026-01-31T20:00:00Z"]);
        assert!(ex[0].actual.ends_with("(12h 00m)"), "{}", ex[0].actual);
        let f = facts(&c, &i, start, end);
        let months: Vec<(String, i64)> = f.coverage[0]
            .months
            .iter()
            .map(|m| (m.month.clone(), m.total_secs - m.covered_secs))
            .collect();
        // The gap runs 15:00 Jan 31 – 03:00 Feb 1 New York time: 9 hours in January, 3 in February.
        assert_eq!(
            months,
            vec![
                ("2026-01".into(), 9 * 3600),
                ("2026-02".into(), 3 * 3600),
                ("2026-03".into(), 0)
            ]
        );
        assert_eq!(
            f.coverage[0].total_secs - f.coverage[0].covered_secs,
            12 * 3600
        );
    }

    #[test]
    fn users_are_always_on_call_and_missing_schedules_cover_nothing() {
        let c = config();
        let (start, end) = (at("2026-01-01T05:00:00Z"), at("2026-04-01T04:00:00Z"));
        let eps = vec![
            ep("PEP1", "Direct", &[5], target("user", "PU1")),
            ep("PEP2", "Ghost", &[5], target("schedule", "NOPE")),
        ];
        let ex = exceptions(&c, &inputs(eps, Vec::new(), Vec::new()), start, end);
        let ids: Vec<&str> = ex.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, vec!["coverage_gap:PEP2@2026-01-01T05:00:00Z"]);
        assert!(exceptions(&c, &Inputs::default(), start, end).is_empty());
    }

    #[test]
    fn coverage_by_month_sums_the_policies_and_drops_empty_months() {
        let m = |month: &str, covered_secs, total_secs| MonthCoverage {
            month: month.into(),
            covered_secs,
            total_secs,
        };
        let policy = |months: Vec<MonthCoverage>| PolicyCoverage {
            escalation_policy_id: "P".into(),
            name: "P".into(),
            targets: vec![],
            gaps: vec![],
            covered_secs: 0,
            total_secs: 0,
            months,
        };
        let by = coverage_by_month(&[
            policy(vec![m("2026-02", 50, 100), m("2026-03", 0, 0)]),
            policy(vec![m("2026-01", 10, 10), m("2026-02", 100, 100)]),
        ]);
        let got: Vec<_> = by
            .iter()
            .map(|m| (m.month.as_str(), m.covered_secs, m.total_secs))
            .collect();
        assert_eq!(got, vec![("2026-01", 10, 10), ("2026-02", 150, 200)]);
    }

    #[test]
    fn audit_records_in_the_period_end_exclusive() {
        let record = |at: &str| crate::model::AuditRecord {
            id: at.into(),
            at: self::at(at),
            action: "update".into(),
            actors: vec![],
            method: None,
            root_resource: PdRef {
                id: "P1".into(),
                kind: "service".into(),
                name: None,
            },
            resource: None,
            fields: vec![],
            references: vec![],
        };
        let snap = Snapshot {
            audit_records: vec![
                record("2025-12-31T23:59:59Z"),
                record("2026-01-01T00:00:00Z"),
                record("2026-03-31T23:59:59Z"),
                record("2026-04-01T00:00:00Z"),
            ],
            ..Snapshot::default()
        };
        let (start, end) = (at("2026-01-01T00:00:00Z"), at("2026-04-01T00:00:00Z"));
        assert_eq!(audit_in_period(&snap, start, end), vec![1, 2]);
    }
}
