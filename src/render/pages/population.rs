//! population.html: completeness and accuracy. Every input file with its hash and row
//! accounting, rejected rows, conflicts, the numbering and its gaps, the fetch records.

use anyhow::Result;
use serde::Serialize;

use crate::evidence::population::NumberGap;
use crate::evidence::reconciliation::ReconciliationCounts;
use crate::evidence::{Exception, ExceptionKind, Subject};
use crate::model::{Accounting, ExportParams, FetchWindow, RowRef, SourceKind};
use crate::render::context::Ctx;
use crate::render::views::ConflictView;
use crate::util::{local_time, local_time_secs, utc_rfc3339};

#[derive(Serialize)]
struct PopulationPage<'a> {
    total: &'a Accounting,
    balances: bool,
    sources: Vec<SourceRow<'a>>,
    rejected: Vec<RejectedRow<'a>>,
    conflicts: Vec<ConflictView<'a>>,
    first: Option<u64>,
    last: Option<u64>,
    first_any: Option<u64>,
    last_any: Option<u64>,
    gaps: &'a [NumberGap],
    period_start: String,
    period_start_utc: String,
    period_end: String,
    period_end_utc: String,
    outside: Vec<OutsideRow<'a>>,
    fetch: Vec<FetchRecordView<'a>>,
    findings: Vec<String>,
    /// Issue 16's completeness proof (own partial: population-proof.html).
    proof: super::population_proof::ProofView,
    /// The exports reconciled with the API snapshot, when the site has both.
    reconciliation: Option<ReconciliationView<'a>>,
}

/// The exports against the API snapshot: counts, the incidents on one side only, and the
/// fields that differ for incidents on both.
#[derive(Serialize)]
struct ReconciliationView<'a> {
    counts: ReconciliationCounts,
    export_only: Vec<OneSide<'a>>,
    /// Export-only incidents created outside every window the API was asked for.
    outside_api_window: Vec<OneSide<'a>>,
    api_only: Vec<OneSide<'a>>,
    differences: Vec<DifferenceRow<'a>>,
}

/// An in-period incident read from one kind of source only.
#[derive(Serialize)]
struct OneSide<'a> {
    number: u64,
    href: String,
    file: &'a str,
    line: u64,
    source_href: String,
}

#[derive(Serialize)]
struct DifferenceRow<'a> {
    number: u64,
    href: String,
    field: &'static str,
    export: &'a str,
    api: &'a str,
    export_file: &'a str,
    export_line: u64,
    export_href: String,
    api_file: &'a str,
    api_line: u64,
    api_href: String,
}

fn reconciliation_view<'a>(ctx: &Ctx<'a>) -> Option<ReconciliationView<'a>> {
    let r = ctx.evidence.reconciliation.as_ref()?;
    let incident_href = |n: u64| format!("incidents/{n}.html");
    let one_side = |list: &'a [(u64, RowRef)]| {
        list.iter()
            .map(|(number, at)| OneSide {
                number: *number,
                href: incident_href(*number),
                file: &at.file,
                line: at.line,
                source_href: ctx.source_href(&at.file),
            })
            .collect()
    };
    Some(ReconciliationView {
        counts: r.counts(),
        export_only: one_side(&r.export_only),
        outside_api_window: one_side(&r.outside_api_window),
        api_only: one_side(&r.api_only),
        differences: r
            .differences
            .iter()
            .map(|d| DifferenceRow {
                number: d.number,
                href: incident_href(d.number),
                field: d.field,
                export: &d.export,
                api: &d.api,
                export_file: &d.export_at.file,
                export_line: d.export_at.line,
                export_href: ctx.source_href(&d.export_at.file),
                api_file: &d.api_at.file,
                api_line: d.api_at.line,
                api_href: ctx.source_href(&d.api_at.file),
            })
            .collect(),
    })
}

/// An incident read but outside the period, so the cut-off can be tested.
#[derive(Serialize)]
struct OutsideRow<'a> {
    number: u64,
    created: String,
    created_utc: String,
    file: &'a str,
    line: u64,
    href: String,
}

/// One `fetch-record.json` (PagerDuty or Jira): when it ran, what was asked, what came back.
#[derive(Serialize)]
struct FetchRecordView<'a> {
    file: &'a str,
    href: String,
    system: &'static str,
    api_url: &'a str,
    started: String,
    finished: String,
    since: &'a Option<String>,
    until: &'a Option<String>,
    windows: Vec<FetchRow<'a>>,
    missing_keys: &'a [String],
}

/// One input file as read.
#[derive(Serialize)]
struct SourceRow<'a> {
    path: &'a str,
    href: String,
    kind: &'static str,
    sha256: &'a str,
    bytes: u64,
    accounting: &'a Accounting,
    notes: &'a [String],
    /// Copied under another name than its path (two inputs would have collided).
    renamed: bool,
    /// An incident source with rows: its accounting is shown.
    incidents: bool,
    /// A CSV export: its parameters from its sidecar, or `None` (said on the page).
    csv: bool,
    export: Option<ExportView<'a>>,
}

/// A CSV export's parameters (its sidecar), shown beside its SHA-256.
#[derive(Serialize)]
struct ExportView<'a> {
    sidecar: &'a str,
    href: String,
    exported_by: &'a str,
    exported_at: &'a str,
    screen: &'a str,
    range: String,
    services: String,
    teams: String,
    urgency: String,
}

impl<'a> ExportView<'a> {
    fn new(p: &'a ExportParams, ctx: &Ctx) -> Self {
        let list = |v: &[String]| {
            if v.is_empty() {
                "all (no filter)".to_string()
            } else {
                v.join(", ")
            }
        };
        let range = match (&p.since, &p.until) {
            (None, None) => "not recorded".to_string(),
            (since, until) => format!(
                "{} to {}",
                since.as_deref().unwrap_or("(open)"),
                until.as_deref().unwrap_or("(open)")
            ),
        };
        ExportView {
            sidecar: &p.sidecar,
            href: ctx.source_href(&p.sidecar),
            exported_by: &p.exported_by,
            exported_at: &p.exported_at,
            screen: &p.screen,
            range,
            services: list(&p.services),
            teams: list(&p.teams),
            urgency: list(&p.urgency),
        }
    }
}

#[derive(Serialize)]
struct RejectedRow<'a> {
    file: &'a str,
    line: u64,
    reason: &'a str,
    href: String,
    /// The incident number, when the row's number can be read.
    number: Option<u64>,
    /// This row's id on the page, and its `row_rejected` exception.
    anchor: String,
    exception: String,
    /// Where the exception is listed, relative to the site root.
    exception_href: String,
}

/// One window of a fetch record: what was asked, what came back.
#[derive(Serialize)]
struct FetchRow<'a> {
    endpoint: &'a str,
    params: String,
    fetched_at: &'a str,
    pagination: &'a str,
    pages: u64,
    received: u64,
    reported: String,
    /// `yes`, `no`, or `not reported` when the API gave no total to compare with.
    reconciled: &'static str,
    note: &'a Option<String>,
}

pub fn render(ctx: &Ctx) -> Result<usize> {
    let inputs = ctx.inputs;
    let sources = inputs
        .sources
        .iter()
        .map(|s| SourceRow {
            path: &s.path,
            href: crate::util::encode_href(&s.copy),
            kind: source_kind(s.kind),
            sha256: &s.sha256,
            bytes: s.bytes,
            accounting: &s.accounting,
            notes: &s.notes,
            renamed: s.copy != format!("sources/{}", s.path),
            incidents: matches!(
                s.kind,
                SourceKind::IncidentCsv | SourceKind::PagerDutySnapshot
            ) && s.accounting.rows_read > 0,
            csv: s.kind == SourceKind::IncidentCsv,
            export: s.export.as_ref().map(|p| ExportView::new(p, ctx)),
        })
        .collect();
    let rejected = inputs
        .rejected
        .iter()
        .map(|r| {
            let exception = Exception::id_of(
                ExceptionKind::RowRejected,
                &Subject::RejectedRow {
                    file: r.at.file.to_string(),
                    line: r.at.line,
                    number: r.number,
                },
            );
            RejectedRow {
                file: &r.at.file,
                line: r.at.line,
                reason: &r.reason,
                href: ctx.line_href(&r.at.file, r.at.line),
                number: r.number,
                anchor: super::rejected_anchor(&r.at.file, r.at.line),
                exception_href: ctx.exception_href(&exception),
                exception,
            }
        })
        .collect();
    // Copied out of their incidents, which are unpacked one at a time (`model::Incidents`).
    let all = &inputs.incidents;
    let every_conflict: Vec<crate::model::Conflict> = (0..all.len())
        .filter(|&i| all.has_conflicts(i))
        .flat_map(|i| all.get(i).conflicts.to_vec())
        .collect();
    let conflicts = every_conflict
        .iter()
        .map(|c| ConflictView::new(c, ctx.line_href(&c.at.file, c.at.line)))
        .collect();
    let tz = ctx.tz();
    let (start, end) = (ctx.evidence.period_start, ctx.evidence.period_end);
    let numbering = &ctx.evidence.numbering;
    let data = PopulationPage {
        total: &inputs.accounting,
        balances: inputs.accounting.balances(),
        sources,
        rejected,
        conflicts,
        first: numbering.first,
        last: numbering.last,
        first_any: numbering.first_any,
        last_any: numbering.last_any,
        gaps: &numbering.gaps,
        period_start: local_time(start, tz),
        period_start_utc: utc_rfc3339(start),
        period_end: local_time(end, tz),
        period_end_utc: utc_rfc3339(end),
        outside: outside_rows(ctx),
        fetch: fetch_records(ctx),
        findings: inputs.findings.iter().map(|f| f.to_string()).collect(),
        proof: super::population_proof::view(ctx),
        reconciliation: reconciliation_view(ctx),
    };
    ctx.page(
        "population.html",
        "population.html",
        "Population: completeness and accuracy",
        &data,
    )?;
    Ok(1)
}

fn outside_rows<'a>(ctx: &Ctx<'a>) -> Vec<OutsideRow<'a>> {
    let tz = ctx.tz();
    let all = &ctx.inputs.incidents;
    all.positions(false)
        .map(|i| all.get(i))
        .filter_map(|i| {
            // The first row decided the bucket (evidence-rules §2).
            let at = *i.sources.first()?;
            Some(OutsideRow {
                number: i.number,
                created: local_time_secs(i.created, tz),
                created_utc: utc_rfc3339(i.created),
                file: at.file.as_str(),
                line: at.line,
                href: ctx.line_href(&at.file, at.line),
            })
        })
        .collect()
}

fn fetch_records<'a>(ctx: &Ctx<'a>) -> Vec<FetchRecordView<'a>> {
    let tz = ctx.tz();
    // An instant as recorded (RFC 3339), shown in the organisation's zone when it parses.
    let when = |text: &str| {
        chrono::DateTime::parse_from_rfc3339(text).map_or(text.to_string(), |at| {
            local_time_secs(at.with_timezone(&chrono::Utc), tz)
        })
    };
    let pd = ctx.inputs.pagerduty.fetch_records.iter();
    pd.map(|f| (f, "PagerDuty"))
        .chain(ctx.inputs.jira_fetch_records.iter().map(|f| (f, "Jira")))
        .chain(
            ctx.inputs
                .github_fetch_records
                .iter()
                .map(|f| (f, "GitHub")),
        )
        .chain(
            ctx.inputs
                .statuspage
                .iter()
                .flat_map(|s| &s.fetch_records)
                .map(|f| (f, "Statuspage")),
        )
        .map(|(f, system)| FetchRecordView {
            file: &f.file,
            href: ctx.source_href(&f.file),
            system,
            api_url: &f.record.api_url,
            started: when(&f.record.started_at),
            finished: when(&f.record.finished_at),
            since: &f.record.since,
            until: &f.record.until,
            windows: f.record.windows.iter().map(fetch_row).collect(),
            missing_keys: &f.record.missing_keys,
        })
        .collect()
}

fn fetch_row(w: &FetchWindow) -> FetchRow<'_> {
    let params: Vec<String> = w.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    FetchRow {
        endpoint: &w.endpoint,
        params: params.join("&"),
        fetched_at: &w.fetched_at,
        pagination: &w.pagination,
        pages: w.pages,
        received: w.received,
        reported: w
            .reported
            .map_or("not reported".to_string(), |r| r.to_string()),
        reconciled: reconciled_text(w),
        note: &w.note,
    }
}

/// Received against reported: with no reported total there is nothing to reconcile.
fn reconciled_text(w: &FetchWindow) -> &'static str {
    match w.reported {
        None => "not reported",
        Some(_) if w.reconciled() => "yes",
        Some(_) => "no",
    }
}

pub fn source_kind(k: SourceKind) -> &'static str {
    match k {
        SourceKind::IncidentCsv => "incident export (CSV)",
        SourceKind::ExportSidecar => "export parameters (sidecar)",
        SourceKind::Postmortem => "postmortem",
        SourceKind::Policy => "policy",
        SourceKind::PagerDutySnapshot => "PagerDuty API snapshot",
        SourceKind::JiraSnapshot => "Jira snapshot",
        SourceKind::StatuspageSnapshot => "Statuspage snapshot",
        SourceKind::GithubSnapshot => "GitHub snapshot",
        SourceKind::Response => "management response",
        SourceKind::Sample => "sample record",
        SourceKind::RequestList => "auditor's request list",
        SourceKind::SiteConfig => "site configuration (site.toml)",
        SourceKind::Theme => "theme file",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_without_a_reported_total_is_not_reconciled_yes() {
        let mut w = FetchWindow {
            received: 7,
            ..FetchWindow::default()
        };
        assert_eq!(reconciled_text(&w), "not reported");
        w.reported = Some(7);
        assert_eq!(reconciled_text(&w), "yes");
        w.reported = Some(8);
        assert_eq!(reconciled_text(&w), "no");
    }
}
