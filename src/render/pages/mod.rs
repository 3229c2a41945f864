//! One module per page family, each with a `render` that writes its pages and returns how many.
//! What more than one family shows (the severity figures, the exception counts and references)
//! is here.

use serde::Serialize;

use super::context::Ctx;
use crate::evidence::summary::SeverityCounts;
use crate::evidence::{ExceptionKind, Subject};

pub mod audit_log;
pub mod automation;
pub mod changes;
pub mod configuration;
pub mod controls;
pub mod customers;
pub mod dashboard;
pub mod exceptions;
pub mod incidents;
pub mod method;
pub mod oncall;
pub mod policies;
pub mod population;
pub mod population_proof;
pub mod postmortems;
pub mod register;
pub mod requests;
pub mod sample;
pub mod severities;
pub mod sources;
pub mod verify;
pub mod workpapers;

/// `n` of `d` as a percentage with one decimal, or a dash when nothing was judged.
pub fn share(n: u64, d: u64) -> String {
    if d == 0 {
        "–".to_string()
    } else {
        format!("{:.1} %", n as f64 * 100.0 / d as f64)
    }
}

/// One severity's headline figures (dashboard and severity pages), summary.json's numbers.
#[derive(Debug, Clone, Serialize)]
pub struct SeverityFigure {
    pub level: String,
    pub name: String,
    pub incidents: u64,
    pub ack_target: String,
    pub resolve_target: String,
    pub postmortem_target: String,
    pub ack_met: u64,
    pub ack_breached: u64,
    pub ack_pct: String,
    pub resolve_met: u64,
    pub resolve_breached: u64,
    pub resolve_pct: String,
    pub pm_required: u64,
    pub pm_present: u64,
    pub pm_on_time: u64,
    pub pm_complete: u64,
    pub pm_present_pct: String,
    pub pm_on_time_pct: String,
    pub pm_complete_pct: String,
    /// The shares' denominators: incidents with a met or breached verdict.
    pub ack_judged: u64,
    pub resolve_judged: u64,
    pub href: String,
    /// The register filtered to this severity (`incidents/index.html?severity=P1`); the
    /// dashboard appends `&ack=breached` and the like so each figure opens the rows it counts.
    pub rows_href: String,
}

/// `incidents/index.html?severity=<level>` with the level percent-encoded.
pub fn register_filter(level: &str) -> String {
    let level = percent_encoding::utf8_percent_encode(level, percent_encoding::NON_ALPHANUMERIC);
    format!("incidents/index.html?severity={level}")
}

/// Per severity level in policy order, then unclassified.
pub fn severity_figures(ctx: &Ctx) -> Vec<SeverityFigure> {
    let by_sev = &ctx.evidence.summary.by_severity;
    let policy = ctx.inputs.policy();
    let unclassified = SeverityCounts {
        incidents: by_sev.unclassified,
        ..Default::default()
    };
    let levels = policy
        .severities
        .iter()
        .map(|s| {
            let counts = by_sev
                .levels
                .iter()
                .find(|(l, _)| *l == s.level)
                .map(|(_, c)| *c);
            (
                s.level.clone(),
                s.name.clone(),
                Some(s),
                counts.unwrap_or_default(),
            )
        })
        .chain(std::iter::once((
            "unclassified".to_string(),
            "Unclassified".to_string(),
            None,
            unclassified,
        )));
    levels
        .map(|(level, name, sev, c)| {
            let target =
                |t: Option<crate::model::Target>| t.map(|t| t.to_string()).unwrap_or_default();
            let req = c.postmortem_required;
            SeverityFigure {
                href: severities::page_path(&level, 1),
                rows_href: register_filter(&level),
                ack_judged: c.ack_met + c.ack_breached,
                resolve_judged: c.resolve_met + c.resolve_breached,
                level,
                name,
                incidents: c.incidents,
                ack_target: target(sev.and_then(|s| s.ack)),
                resolve_target: target(sev.and_then(|s| s.resolve)),
                postmortem_target: target(sev.and_then(|s| s.postmortem)),
                ack_met: c.ack_met,
                ack_breached: c.ack_breached,
                ack_pct: share(c.ack_met, c.ack_met + c.ack_breached),
                resolve_met: c.resolve_met,
                resolve_breached: c.resolve_breached,
                resolve_pct: share(c.resolve_met, c.resolve_met + c.resolve_breached),
                pm_required: req,
                pm_present: c.postmortem_present,
                pm_on_time: c.postmortem_on_time,
                pm_complete: c.postmortem_complete,
                pm_present_pct: share(c.postmortem_present, req),
                pm_on_time_pct: share(c.postmortem_on_time, req),
                pm_complete_pct: share(c.postmortem_complete, req),
            }
        })
        .collect()
}

/// How many exceptions of one kind, and how many have a management response.
#[derive(Debug, Clone, Serialize)]
pub struct ExceptionCount {
    pub kind: &'static str,
    pub label: &'static str,
    pub count: usize,
    pub answered: usize,
    pub criterion: &'static str,
    pub href: String,
}

/// Every kind, in `ExceptionKind::ALL` order, zero counts included.
pub fn exception_counts(ctx: &Ctx) -> Vec<ExceptionCount> {
    ctx.evidence
        .responses
        .by_kind
        .iter()
        .map(|t| ExceptionCount {
            kind: t.kind.name(),
            label: kind_label(t.kind),
            count: t.count,
            answered: t.answered,
            criterion: t.kind.criterion(),
            href: ctx.exception_kind_href(t.kind),
        })
        .collect()
}

pub fn kind_label(k: ExceptionKind) -> &'static str {
    match k {
        ExceptionKind::AckBreach => "Not acknowledged within the target",
        ExceptionKind::ResolveBreach => "Not resolved within the target",
        ExceptionKind::SeverityMissing => "No severity matching the policy",
        ExceptionKind::ResponseDataMissing => "No response-time data",
        ExceptionKind::PostmortemMissing => "Required postmortem missing",
        ExceptionKind::PostmortemLate => "Postmortem completed late",
        ExceptionKind::PostmortemIncomplete => "Postmortem lacks required parts",
        ExceptionKind::OrphanPostmortem => "Postmortem linked to no known incident",
        ExceptionKind::ActionItemUntracked => "Action item without a tracker ticket",
        ExceptionKind::ActionItemOverdue => "Action item overdue",
        ExceptionKind::CoverageGap => "Nobody on call (coverage gap)",
        ExceptionKind::EscalationDrift => "Escalation path differs from the policy",
        ExceptionKind::RowRejected => "Input row that could not be read",
        ExceptionKind::UrgencyMismatch => "Urgency differs from the policy",
        ExceptionKind::NotificationGap => "On-call user not notified as documented",
        ExceptionKind::AutomationMissing => "Documented automation not configured",
        ExceptionKind::StatuspageUnmatched => "Public incident with no PagerDuty detection",
        ExceptionKind::DetectedAfterCustomers => "Customers told before PagerDuty detected it",
    }
}

/// An exception as the page of its subject lists it, linking to where it is listed.
#[derive(Debug, Clone, Serialize)]
pub struct ExceptionRef {
    pub id: String,
    pub kind: &'static str,
    pub label: &'static str,
    pub anchor: String,
    /// Where it is listed, relative to the site root.
    pub href: String,
    pub response: bool,
}

pub fn exceptions_about(ctx: &Ctx, subject: &Subject) -> Vec<ExceptionRef> {
    ctx.exceptions_of(subject)
        .map(|e| ExceptionRef {
            id: e.id.clone(),
            kind: e.kind.name(),
            label: kind_label(e.kind),
            anchor: super::anchor(&e.id),
            href: ctx.exception_href(&e.id),
            response: ctx.response_for(&e.id).is_some(),
        })
        .collect()
}

/// The anchor of a rejected row on the population page.
pub fn rejected_anchor(file: &str, line: u64) -> String {
    format!("row-{}-{line}", crate::render::anchor(file))
}
