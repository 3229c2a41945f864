//! oncall/index.html: the escalation path documented vs configured, first-level coverage and its
//! gaps, schedules, overrides, escalation policies and services, from the PagerDuty snapshot.

use std::collections::BTreeSet;

use anyhow::Result;
use serde::Serialize;

use crate::evidence::oncall::{EscalationComparison, PolicyCoverage};
use crate::evidence::{ExceptionKind, Subject};
use crate::model::{PdRef, ScheduleVersion};
use crate::render::anchor;
use crate::render::chart_files::ChartView;
use crate::render::context::Ctx;
use crate::util::{human_duration, human_target, local_time, utc_rfc3339};

#[derive(Serialize)]
struct OnCallPage<'a> {
    escalation: Option<EscalationView<'a>>,
    coverage: Vec<CoverageView<'a>>,
    schedules: Vec<ScheduleView<'a>>,
    overrides: Vec<OverrideView>,
    policies: Vec<PolicyView<'a>>,
    services: Vec<ServiceView<'a>>,
    window: Option<WindowView>,
    charts: Vec<&'a ChartView>,
    /// When the snapshot's escalation policies were fetched.
    snapshot_at: Option<String>,
    history: Vec<HistoryView<'a>>,
    drift: Vec<DriftView>,
}

/// A policy's versions over the period (`evidence::escalation_history`).
#[derive(Serialize)]
struct HistoryView<'a> {
    name: &'a str,
    anchor: String,
    versions: Vec<VersionView>,
}

#[derive(Serialize)]
struct VersionView {
    from: Option<String>,
    until: Option<String>,
    paged_after: String,
    num_loops: u32,
    introduced_by: Option<AuditLink>,
    ended_by: Option<AuditLink>,
    unknown_before: String,
    /// The version the snapshot shows.
    current: bool,
}

#[derive(Serialize)]
struct AuditLink {
    id: String,
    href: String,
}

#[derive(Serialize)]
struct DriftView {
    level: u32,
    documented: Option<String>,
    configured: Option<String>,
    from: Option<String>,
    until: Option<String>,
    started_by: Option<AuditLink>,
    ended_by: Option<AuditLink>,
}

fn audit_link(id: &Option<String>) -> Option<AuditLink> {
    id.as_ref().map(|id| AuditLink {
        id: id.clone(),
        href: format!("../audit-log/index.html#audit-{}", anchor(id)),
    })
}

fn history_views<'a>(
    ctx: &Ctx,
    f: &'a crate::evidence::oncall::OnCallFacts,
) -> Vec<HistoryView<'a>> {
    let tz = ctx.tz();
    f.history
        .iter()
        .map(|h| HistoryView {
            name: &h.name,
            anchor: anchor(&h.policy_id),
            versions: h
                .versions
                .iter()
                .map(|v| VersionView {
                    from: v.from.map(|t| local_time(t, tz)),
                    until: v.until.map(|t| local_time(t, tz)),
                    paged_after: v
                        .paged_after_secs()
                        .into_iter()
                        .enumerate()
                        .map(|(i, s)| format!("L{} {}", i + 1, human_target(s)))
                        .collect::<Vec<_>>()
                        .join(", "),
                    num_loops: v.num_loops,
                    introduced_by: audit_link(&v.introduced_by),
                    ended_by: audit_link(&v.ended_by),
                    unknown_before: v.unknown_before.join(", "),
                    current: v.until.is_none(),
                })
                .collect(),
        })
        .collect()
}

fn drift_views(ctx: &Ctx, f: &crate::evidence::oncall::OnCallFacts) -> Vec<DriftView> {
    let tz = ctx.tz();
    f.drift
        .iter()
        .map(|d| DriftView {
            level: d.level,
            documented: d.documented_secs.map(human_target),
            configured: d.configured_secs.map(human_target),
            from: d.from.map(|t| local_time(t, tz)),
            until: d.until.map(|t| local_time(t, tz)),
            started_by: audit_link(&d.started_by),
            ended_by: audit_link(&d.ended_by),
        })
        .collect()
}

#[derive(Serialize)]
struct EscalationView<'a> {
    documented_name: &'a Option<String>,
    policy_id: &'a Option<String>,
    policy_name: &'a Option<String>,
    anchor: Option<String>,
    levels: Vec<LevelView<'a>>,
}

#[derive(Serialize)]
struct LevelView<'a> {
    level: u32,
    role: &'a Option<String>,
    documented: Option<String>,
    configured: Option<String>,
    targets: String,
    drift: bool,
    /// Where its escalation_drift exception is listed, relative to the site root.
    exception_href: Option<String>,
}

#[derive(Serialize)]
struct CoverageView<'a> {
    id: &'a str,
    anchor: String,
    name: &'a str,
    targets: String,
    pct: String,
    gaps: Vec<GapView>,
    months: Vec<MonthView<'a>>,
}

#[derive(Serialize)]
struct GapView {
    start: String,
    end: String,
    start_utc: String,
    length: String,
    /// Where its coverage_gap exception is listed, relative to the site root.
    exception_href: String,
}

#[derive(Serialize)]
struct MonthView<'a> {
    month: &'a str,
    pct: String,
}

#[derive(Serialize)]
struct ScheduleView<'a> {
    id: &'a str,
    name: &'a str,
    version: &'a ScheduleVersion,
    time_zone: &'a Option<String>,
    url: &'a Option<String>,
    entries: usize,
    users: String,
    escalation_policies: String,
}

#[derive(Serialize)]
struct OverrideView {
    schedule: String,
    start: String,
    end: String,
    user: Option<String>,
}

#[derive(Serialize)]
struct PolicyView<'a> {
    id: &'a str,
    anchor: String,
    name: &'a str,
    description: &'a Option<String>,
    num_loops: u32,
    url: &'a Option<String>,
    services: String,
    rules: Vec<RuleView>,
}

#[derive(Serialize)]
struct RuleView {
    level: usize,
    delay: String,
    paged_after: String,
    targets: String,
}

#[derive(Serialize)]
struct ServiceView<'a> {
    name: &'a str,
    status: &'a Option<String>,
    escalation_policy: Option<String>,
}

#[derive(Serialize)]
struct WindowView {
    from: String,
    to: String,
}

pub fn render(ctx: &Ctx, charts: &[ChartView]) -> Result<usize> {
    if !ctx.site.has_oncall {
        return Ok(0);
    }
    let tz = ctx.tz();
    let f = &ctx.evidence.oncall;
    let snap = &ctx.inputs.pagerduty;
    let schedules = snap
        .schedules
        .iter()
        .map(|s| {
            let users: BTreeSet<String> = s
                .final_entries
                .iter()
                .filter_map(|e| e.user.as_ref())
                .map(ref_name)
                .collect();
            ScheduleView {
                id: &s.id,
                name: &s.name,
                version: &s.version,
                time_zone: &s.time_zone,
                url: &s.url,
                entries: s.final_entries.len(),
                users: users.into_iter().collect::<Vec<_>>().join(", "),
                escalation_policies: names(&s.escalation_policies),
            }
        })
        .collect();
    let overrides = snap
        .overrides
        .iter()
        .map(|o| OverrideView {
            schedule: snap
                .schedules
                .iter()
                .find(|s| s.id == o.schedule_id)
                .map_or(o.schedule_id.clone(), |s| s.name.clone()),
            start: local_time(o.start, tz),
            end: local_time(o.end, tz),
            user: o.user.as_ref().map(ref_name),
        })
        .collect();
    let policies = snap
        .escalation_policies
        .iter()
        .map(|p| PolicyView {
            id: &p.id,
            anchor: anchor(&p.id),
            name: &p.name,
            description: &p.description,
            num_loops: p.num_loops,
            url: &p.url,
            services: names(&p.services),
            rules: p
                .rules
                .iter()
                .zip(p.paged_after_secs())
                .enumerate()
                .map(|(i, (r, at))| RuleView {
                    level: i + 1,
                    delay: format!("{}m", r.delay_minutes),
                    paged_after: human_target(at),
                    targets: target_names(&r.targets),
                })
                .collect(),
        })
        .collect();
    let services = snap
        .services
        .iter()
        .map(|s| ServiceView {
            name: &s.name,
            status: &s.status,
            escalation_policy: s.escalation_policy.as_ref().map(ref_name),
        })
        .collect();
    let data = OnCallPage {
        escalation: f.escalation.as_ref().map(|e| escalation(ctx, e)),
        coverage: f.coverage.iter().map(|c| coverage(ctx, c)).collect(),
        schedules,
        overrides,
        policies,
        services,
        window: f.window.map(|(a, b)| WindowView {
            from: local_time(a, tz),
            to: local_time(b, tz),
        }),
        charts: charts
            .iter()
            .filter(|c| c.file.starts_with("oncall"))
            .collect(),
        snapshot_at: f.snapshot_at.map(|t| local_time(t, tz)),
        history: history_views(ctx, f),
        drift: drift_views(ctx, f),
    };
    ctx.page(
        "oncall.html",
        "oncall/index.html",
        "On-call and escalation",
        &data,
    )?;
    Ok(1)
}

fn escalation<'a>(ctx: &Ctx, e: &'a EscalationComparison) -> EscalationView<'a> {
    EscalationView {
        documented_name: &e.documented_name,
        policy_id: &e.policy_id,
        policy_name: &e.policy_name,
        anchor: e.policy_id.as_deref().map(anchor),
        levels: e
            .levels
            .iter()
            .map(|l| LevelView {
                level: l.level,
                role: &l.role,
                documented: l.documented_secs.map(human_target),
                configured: l.configured_secs.map(human_target),
                targets: target_names(&l.targets),
                drift: l.drift,
                exception_href: ctx
                    .exceptions_of(&Subject::EscalationDrift {
                        escalation_policy: e.policy_id.clone().unwrap_or_default(),
                        level: l.level,
                    })
                    .next()
                    .map(|x| ctx.exception_href(&x.id)),
            })
            .collect(),
    }
}

fn coverage<'a>(ctx: &Ctx, c: &'a PolicyCoverage) -> CoverageView<'a> {
    let tz = ctx.tz();
    CoverageView {
        id: &c.escalation_policy_id,
        anchor: anchor(&c.escalation_policy_id),
        name: &c.name,
        targets: target_names(&c.targets),
        pct: pct(c.covered_secs, c.total_secs),
        gaps: c
            .gaps
            .iter()
            .map(|g| GapView {
                start: local_time(g.start, tz),
                end: local_time(g.end, tz),
                start_utc: utc_rfc3339(g.start),
                length: human_duration((g.end - g.start).num_seconds()),
                exception_href: ctx.exception_href_of(
                    ExceptionKind::CoverageGap,
                    &Subject::CoverageGap {
                        escalation_policy: c.escalation_policy_id.clone(),
                        start: utc_rfc3339(g.start),
                    },
                ),
            })
            .collect(),
        months: c
            .months
            .iter()
            .map(|m| MonthView {
                month: &m.month,
                pct: pct(m.covered_secs, m.total_secs),
            })
            .collect(),
    }
}

/// Covered time as a percentage with two decimals, or a dash for no time at all.
fn pct(covered: i64, total: i64) -> String {
    if total == 0 {
        "–".into()
    } else {
        format!("{:.2} %", covered as f64 * 100.0 / total as f64)
    }
}

/// A PagerDuty reference's name, else its id.
fn ref_name(r: &PdRef) -> String {
    r.name.clone().unwrap_or_else(|| r.id.clone())
}

fn names(refs: &[PdRef]) -> String {
    refs.iter().map(ref_name).collect::<Vec<_>>().join(", ")
}

/// Targets with their kind: `Ana (user), Primary (schedule)`.
fn target_names(targets: &[PdRef]) -> String {
    targets
        .iter()
        .map(|t| {
            format!(
                "{} ({})",
                ref_name(t),
                t.kind.trim_end_matches("_reference")
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}
