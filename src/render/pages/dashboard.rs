//! index.html: the dashboard. Headline figures per severity, exception counts, the monthly trend
//! and every chart; with a previous period, each headline figure's change since then.

use std::collections::BTreeMap;

use anyhow::Result;
use chrono::NaiveDate;
use serde::Serialize;

use super::{
    ExceptionCount, SeverityFigure, exception_counts, register_filter, severity_figures, share,
};
use crate::evidence::MonthSeverity;
use crate::evidence::changes::{Headline, SeverityDelta};
use crate::model::Accounting;
use crate::render::chart_files::ChartView;
use crate::render::context::Ctx;
use crate::render::pages::verify::ProvenanceView;

#[derive(Serialize)]
struct Dashboard<'a> {
    population: &'a Accounting,
    policy: PolicyRef<'a>,
    severities: Vec<SeverityFigure>,
    first: Option<SeverityFigure>,
    exception_counts: Vec<ExceptionCount>,
    exceptions_total: usize,
    exceptions_answered: usize,
    postmortems: usize,
    months: Vec<MonthRow<'a>>,
    charts: &'a [ChartView],
    provenance: ProvenanceView,
    /// The headline figures' changes since the previous period (`None` without one).
    previous: Option<PreviousView<'a>>,
    /// Security and operational incidents apart (evidence-rules §9).
    classes: Vec<ClassFigure<'a>>,
    /// Public Statuspage incidents detected first (`None` without a Statuspage snapshot).
    statuspage: Option<&'a crate::evidence::customers::StatuspageSummary>,
}

/// The previous period's figures next to this period's, as `evidence::changes` computed them.
#[derive(Serialize)]
struct PreviousView<'a> {
    /// Its name ("FY2025"), or words when its summary.json has none.
    period: &'a str,
    headline: &'a Headline,
    /// Per-severity changes by level, for the figures table.
    severities: BTreeMap<&'a str, &'a SeverityDelta>,
}

#[derive(Serialize)]
struct ClassFigure<'a> {
    class: &'static str,
    counts: &'a crate::evidence::classes::ClassCounts,
}

#[derive(Serialize)]
struct PolicyRef<'a> {
    title: &'a str,
    version: &'a Option<String>,
    href: String,
    effective: Option<String>,
    approved_by: &'a Option<String>,
}

/// A month's incidents of one severity, with the level its register link filters on.
#[derive(Serialize)]
struct LevelCount {
    count: u64,
    /// The register filtered to the month and the level.
    href: String,
}

/// One row of the per-month trend table.
#[derive(Serialize)]
struct MonthRow<'a> {
    month: &'a str,
    incidents: u64,
    by_severity: Vec<LevelCount>,
    ack_pct: String,
    /// The shares' denominators (met + breached).
    ack_judged: u64,
    resolve_judged: u64,
    ack_breached: u64,
    resolve_pct: String,
    resolve_breached: u64,
    pm_on_time: u64,
    pm_late: u64,
    pm_missing: u64,
    pm_pending: u64,
}

pub fn render(ctx: &Ctx, charts: &[ChartView]) -> Result<usize> {
    let policy = ctx.inputs.policy();
    let severities = severity_figures(ctx);
    let data = Dashboard {
        population: &ctx.inputs.accounting,
        policy: PolicyRef {
            title: &policy.title,
            version: &policy.version,
            href: format!("policies/{}.html", policy.slug),
            effective: policy.effective.map(|d: NaiveDate| d.to_string()),
            approved_by: &policy.approved_by,
        },
        first: severities.first().cloned(),
        severities,
        exception_counts: exception_counts(ctx),
        exceptions_total: ctx.evidence.exceptions.len(),
        exceptions_answered: ctx.evidence.responses.answered,
        postmortems: ctx.inputs.postmortems.len(),
        months: month_rows(ctx),
        charts,
        provenance: ProvenanceView::new(&ctx.evidence.provenance, ctx.tz()),
        previous: ctx.evidence.changes.as_ref().map(|c| PreviousView {
            period: match c.previous_period.as_str() {
                "" => "the previous period",
                name => name,
            },
            headline: &c.headline,
            severities: c
                .headline
                .severities
                .iter()
                .map(|s| (s.level.as_str(), s))
                .collect(),
        }),
        classes: crate::evidence::classes::IncidentClass::ALL
            .iter()
            .map(|&c| ClassFigure {
                class: c.name(),
                counts: ctx.evidence.summary.by_class.get(c),
            })
            .collect(),
        statuspage: ctx
            .evidence
            .customers
            .tested
            .then_some(&ctx.evidence.summary.statuspage),
    };
    ctx.page(
        "index.html",
        "index.html",
        "Incident management evidence",
        &data,
    )?;
    Ok(1)
}

fn month_rows<'a>(ctx: &Ctx<'a>) -> Vec<MonthRow<'a>> {
    ctx.evidence
        .months
        .iter()
        .map(|m| {
            let sum = |f: fn(&MonthSeverity) -> u64| m.by_severity.iter().map(f).sum::<u64>();
            let (am, ab) = (sum(|s| s.ack_met), sum(|s| s.ack_breached));
            let (rm, rb) = (sum(|s| s.resolve_met), sum(|s| s.resolve_breached));
            MonthRow {
                month: &m.month,
                incidents: sum(|s| s.incidents),
                by_severity: m
                    .by_severity
                    .iter()
                    .map(|s| LevelCount {
                        count: s.incidents,
                        href: format!("{}&month={}", register_filter(&s.level), m.month),
                    })
                    .collect(),
                ack_pct: share(am, am + ab),
                ack_judged: am + ab,
                resolve_judged: rm + rb,
                ack_breached: ab,
                resolve_pct: share(rm, rm + rb),
                resolve_breached: rb,
                pm_on_time: m.postmortems_on_time,
                pm_late: m.postmortems_late,
                pm_missing: m.postmortems_missing,
                pm_pending: m.postmortems_pending,
            }
        })
        .collect()
}
