//! The audit rules (design/evidence-rules.md) as pure functions over the model: no I/O, no clock.
//!
//! `evaluate` is the one entry point; every figure the site shows comes from its [`Evidence`].

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::model::Target;

pub mod exceptions;
pub mod oncall;
pub mod period;
pub mod postmortems;
pub mod severity;
pub mod sla;
pub mod summary;

pub use summary::Summary;

/// Everything the rules concluded about a site's inputs.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    /// The build's only "now": 00:00 local on the day after `as_of`.
    pub now: DateTime<Utc>,
    /// [period start 00:00 local, the day after end 00:00 local).
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    /// One per in-period incident, sorted by number.
    pub incidents: Vec<IncidentFacts>,
    /// One per postmortem, sorted by id (same order as `Inputs::postmortems`).
    pub postmortems: Vec<PostmortemFacts>,
    /// Every exception, sorted by kind (in `ExceptionKind::ALL` order) then subject.
    pub exceptions: Vec<Exception>,
    pub summary: Summary,
    /// Calendar months of the period in the organization's zone, oldest first.
    pub months: Vec<MonthFacts>,
}

/// Where an incident's severity came from (evidence-rules.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SeveritySource {
    /// The row's priority columns (`priority`, `priority_name`, `severity`) or the API's `priority.summary`.
    Priority,
    /// A linked postmortem's `severity`, then `priority`.
    Postmortem,
    /// `site.toml [severity] from_urgency`.
    Urgency,
    /// No source had a value.
    None,
}

#[derive(Debug, Clone, Serialize)]
pub struct SeverityDecision {
    /// The policy level (`P1`), or `None` when unclassified.
    pub level: Option<String>,
    /// The raw value that decided it (shown for unclassified incidents).
    pub raw: Option<String>,
    pub source: SeveritySource,
    /// Id of the postmortem the value came from, when `source` is `Postmortem`.
    pub postmortem: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictState {
    Met,
    Breached,
    Pending,
    NoData,
    /// No target for the severity, or unclassified.
    NotApplicable,
}

/// One response-target verdict (evidence-rules.md §4).
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub state: VerdictState,
    pub target: Option<Target>,
    pub deadline: Option<DateTime<Utc>>,
    /// For `Breached`: seconds past the deadline (to the event, or to "now" when it never happened).
    pub by_secs: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PostmortemState {
    /// The severity sets no postmortem target (or is unclassified).
    NotRequired,
    /// Required, a linked postmortem was completed at or before the due time.
    OnTime,
    /// Required; not completed and not yet due (or the incident is unresolved).
    Pending,
    /// `postmortem_missing`.
    Missing,
    /// `postmortem_late`.
    Late,
}

#[derive(Debug, Clone, Serialize)]
pub struct IncidentFacts {
    pub number: u64,
    pub severity: SeverityDecision,
    /// Seconds from creation to first acknowledgement, when known.
    pub time_to_ack: Option<i64>,
    /// Seconds from creation to resolution, when resolved.
    pub time_to_resolve: Option<i64>,
    pub ack: Verdict,
    pub resolve: Verdict,
    /// Ids of the postmortems linking this incident, sorted.
    pub postmortems: Vec<String>,
    pub postmortem: PostmortemState,
    /// Resolution + the severity's postmortem target.
    pub postmortem_due: Option<DateTime<Utc>>,
    /// Earliest completion among the linked postmortems.
    pub postmortem_completed: Option<DateTime<Utc>>,
    /// Jira keys from the title, the row, and the linked postmortems' action items; unique, in order.
    pub jira_keys: Vec<String>,
}

/// The five parts of a SOC 2-quality postmortem (evidence-rules.md §5), in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Timeline,
    RootCause,
    CustomerImpact,
    CorrectiveActions,
    PreventiveMeasures,
}

impl Part {
    pub const ALL: [Part; 5] = [
        Part::Timeline,
        Part::RootCause,
        Part::CustomerImpact,
        Part::CorrectiveActions,
        Part::PreventiveMeasures,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Part::Timeline => "Incident timeline",
            Part::RootCause => "Root cause analysis",
            Part::CustomerImpact => "Customer impact",
            Part::CorrectiveActions => "Corrective actions with owners and due dates",
            Part::PreventiveMeasures => "Preventive measures",
        }
    }
}

/// A postmortem incidents-list entry after resolution against the population.
#[derive(Debug, Clone, Serialize)]
pub struct ResolvedLink {
    /// The incident it links, if any incident read from any input matches.
    pub number: Option<u64>,
    /// The number and id named different incidents (number wins; `check` warns).
    pub mismatch: bool,
    /// The entry as written, for display (`#1042`, `Q3YON8WNWTZMRQ`, or the URL).
    pub label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActionItemFacts {
    pub key: String,
    pub done: bool,
    /// Where `done` was decided: `jira` (snapshot statusCategory) or `postmortem` (own status).
    pub status_source: &'static str,
    /// Jira status name from the snapshot, when present.
    pub jira_status: Option<String>,
    pub untracked: bool,
    pub overdue: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PostmortemFacts {
    pub id: String,
    pub links: Vec<ResolvedLink>,
    pub orphan: bool,
    pub completed: Option<DateTime<Utc>>,
    pub parts_present: Vec<Part>,
    pub parts_missing: Vec<Part>,
    /// Links at least one in-period incident (its action items are judged).
    pub in_scope: bool,
    pub action_items: Vec<ActionItemFacts>,
}

/// Every exception kind of evidence-rules.md §6, in display and summary order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionKind {
    AckBreach,
    ResolveBreach,
    SeverityMissing,
    ResponseDataMissing,
    PostmortemMissing,
    PostmortemLate,
    PostmortemIncomplete,
    OrphanPostmortem,
    ActionItemUntracked,
    ActionItemOverdue,
    CoverageGap,
    EscalationDrift,
}

impl ExceptionKind {
    pub const ALL: [ExceptionKind; 12] = [
        ExceptionKind::AckBreach,
        ExceptionKind::ResolveBreach,
        ExceptionKind::SeverityMissing,
        ExceptionKind::ResponseDataMissing,
        ExceptionKind::PostmortemMissing,
        ExceptionKind::PostmortemLate,
        ExceptionKind::PostmortemIncomplete,
        ExceptionKind::OrphanPostmortem,
        ExceptionKind::ActionItemUntracked,
        ExceptionKind::ActionItemOverdue,
        ExceptionKind::CoverageGap,
        ExceptionKind::EscalationDrift,
    ];

    /// The snake_case name used in ids and summary.json.
    pub fn name(self) -> &'static str {
        match self {
            ExceptionKind::AckBreach => "ack_breach",
            ExceptionKind::ResolveBreach => "resolve_breach",
            ExceptionKind::SeverityMissing => "severity_missing",
            ExceptionKind::ResponseDataMissing => "response_data_missing",
            ExceptionKind::PostmortemMissing => "postmortem_missing",
            ExceptionKind::PostmortemLate => "postmortem_late",
            ExceptionKind::PostmortemIncomplete => "postmortem_incomplete",
            ExceptionKind::OrphanPostmortem => "orphan_postmortem",
            ExceptionKind::ActionItemUntracked => "action_item_untracked",
            ExceptionKind::ActionItemOverdue => "action_item_overdue",
            ExceptionKind::CoverageGap => "coverage_gap",
            ExceptionKind::EscalationDrift => "escalation_drift",
        }
    }

    /// The criterion it is evidence against (controls.html).
    pub fn criterion(self) -> &'static str {
        match self {
            ExceptionKind::AckBreach
            | ExceptionKind::ResolveBreach
            | ExceptionKind::SeverityMissing => "CC7.3",
            ExceptionKind::ResponseDataMissing => "CC7.2",
            ExceptionKind::PostmortemMissing
            | ExceptionKind::PostmortemLate
            | ExceptionKind::PostmortemIncomplete
            | ExceptionKind::OrphanPostmortem => "CC7.4",
            ExceptionKind::ActionItemUntracked | ExceptionKind::ActionItemOverdue => "CC7.5",
            ExceptionKind::CoverageGap | ExceptionKind::EscalationDrift => "CC7.3",
        }
    }
}

/// What an exception is about; decides its id's subject part and its evidence link.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Subject {
    Incident {
        number: u64,
    },
    Postmortem {
        id: String,
    },
    /// `item` is the action item's id, or `#<1-based position>`.
    ActionItem {
        postmortem: String,
        item: String,
    },
    /// `coverage_gap:<ep-id>@<gap start RFC 3339 UTC>`.
    CoverageGap {
        escalation_policy: String,
        start: String,
    },
    /// `escalation_drift:<ep-id>/level-<n>`.
    EscalationDrift {
        escalation_policy: String,
        level: u32,
    },
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subject::Incident { number } => write!(f, "{number}"),
            Subject::Postmortem { id } => f.write_str(id),
            Subject::ActionItem { postmortem, item } => write!(f, "{postmortem}/{item}"),
            Subject::CoverageGap {
                escalation_policy,
                start,
            } => write!(f, "{escalation_policy}@{start}"),
            Subject::EscalationDrift {
                escalation_policy,
                level,
            } => write!(f, "{escalation_policy}/level-{level}"),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Exception {
    /// `<kind>:<subject>`, stable across builds.
    pub id: String,
    pub kind: ExceptionKind,
    pub subject: Subject,
    /// The rule that produced it (`evidence-rules §4: acknowledge within the P1 target of 5m`).
    pub rule: String,
    /// What the rule required, in words.
    pub required: String,
    /// What happened, in words.
    pub actual: String,
}

impl Exception {
    pub fn new(
        kind: ExceptionKind,
        subject: Subject,
        rule: String,
        required: String,
        actual: String,
    ) -> Self {
        Exception {
            id: format!("{}:{}", kind.name(), subject),
            kind,
            subject,
            rule,
            required,
            actual,
        }
    }
}

/// One calendar month of the period (trend table and charts).
#[derive(Debug, Clone, Serialize)]
pub struct MonthFacts {
    /// `2026-03`.
    pub month: String,
    /// Per severity level in policy order, then `unclassified`.
    pub by_severity: Vec<MonthSeverity>,
    /// Postmortems among the month's incidents requiring one.
    pub postmortems_on_time: u64,
    pub postmortems_late: u64,
    pub postmortems_missing: u64,
    pub postmortems_pending: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct MonthSeverity {
    pub level: String,
    pub incidents: u64,
    pub ack_met: u64,
    pub ack_breached: u64,
    pub resolve_met: u64,
    pub resolve_breached: u64,
    /// Times to acknowledge (seconds) of the month's incidents of this severity, sorted.
    pub ack_times: Vec<i64>,
    /// Times to resolve (seconds), sorted.
    pub resolve_times: Vec<i64>,
}
