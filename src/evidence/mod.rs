//! The audit rules (design/evidence-rules.md) as pure functions over the model: no I/O, no clock.
//!
//! `evaluate` is the one entry point; every figure the site shows comes from its [`Evidence`].

use chrono::{DateTime, Utc};
use serde::Serialize;
use thin_vec::ThinVec;

use crate::config::Config;
use crate::model::Inputs;
use crate::model::{Incident, OptSecs};

pub mod aging;
pub mod automation;
pub mod changes;
pub mod classes;
pub mod configuration;
pub mod customers;
pub mod escalation_history;
pub mod exceptions;
pub mod on_call_chain;
pub mod oncall;
pub mod population;
pub mod population_proof;
pub mod postmortems;
pub mod provenance;
pub mod reconciliation;
pub mod responders;
pub mod responses;
pub mod sample;
pub mod severity;
pub mod sla;
pub mod stats;
pub mod summary;
pub mod timeline;
pub mod warnings;
pub mod workpaper;

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
    /// Each exception's severity, owner and age as of `as_of`, in `exceptions` order.
    pub exception_ages: Vec<aging::ExceptionAge>,
    pub summary: Summary,
    /// Calendar months of the period in the organization's zone, oldest first.
    pub months: Vec<MonthFacts>,
    /// Escalation path and first-level coverage from the PagerDuty snapshot (empty without one).
    pub oncall: oncall::OnCallFacts,
    /// First and last incident numbers and the gaps between them.
    pub numbering: population::Numbering,
    /// Every `/incidents` fetch window: reported against received.
    pub incident_windows: Vec<population_proof::WindowTotal>,
    /// The exports reconciled with the API snapshot, when the site has both (issue 16).
    pub reconciliation: Option<reconciliation::Reconciliation>,
    /// Pages per responder, most first.
    pub responders: Vec<responders::ResponderLoad>,
    /// Each recorded sample re-derived, in `Inputs::samples` order.
    pub samples: Vec<sample::SampleCheck>,
    /// Indices into the PagerDuty snapshot's audit records of those made in the period.
    pub audit_records: Vec<usize>,
    /// Exceptions answered by management responses, per kind; responses that answer nothing.
    pub responses: responses::ResponseFacts,
    /// When the evidence was prepared, by whom and from which commit.
    pub provenance: provenance::Provenance,
    /// This period against the previous package's (`[package] previous`), when there is one.
    pub changes: Option<changes::Changes>,
    /// Urgency and notification rules, services as configured (§9).
    pub configuration: configuration::ConfigurationFacts,
    /// Response automation (§9).
    pub automation: automation::AutomationFacts,
    /// Public Statuspage incidents against PagerDuty detection (customers.html).
    pub customers: customers::CustomerFacts,
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
    pub level: Option<crate::model::Sym>,
    /// The raw value that decided it (shown for unclassified incidents).
    pub raw: Option<crate::model::Sym>,
    pub source: SeveritySource,
    /// Id of the postmortem the value came from, when `source` is `Postmortem` (interned: a
    /// decision is held for every incident until the site is written).
    pub postmortem: Option<crate::model::Sym>,
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
    /// When the severity's target fell due (`None` for n/a and no data). The target itself is
    /// the severity's ([`crate::model::SeverityLevel`]), not held again for every incident.
    pub deadline: Option<DateTime<Utc>>,
    /// For `Breached`: seconds past the deadline (to the event, or to "now" when it never happened).
    pub by_secs: OptSecs,
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
    pub time_to_ack: OptSecs,
    /// Seconds from creation to resolution, when resolved.
    pub time_to_resolve: OptSecs,
    pub ack: Verdict,
    pub resolve: Verdict,
    /// Ids of the postmortems linking this incident, sorted.
    pub postmortems: ThinVec<String>,
    pub postmortem: PostmortemState,
    /// Resolution + the severity's postmortem target.
    pub postmortem_due: Option<DateTime<Utc>>,
    /// Earliest completion among the linked postmortems.
    pub postmortem_completed: Option<DateTime<Utc>>,
    /// Jira keys from the title, the row, and the linked postmortems' action items; unique, in order.
    pub jira_keys: ThinVec<String>,
    /// The register's responder: who acknowledged it, else who resolved it, else the assignee.
    pub responder: Option<crate::model::Sym>,
    /// The `customer_impact` impact field of the first linked postmortem (by id) that has one.
    /// Interned: one of the postmortems' own values, held for every incident they link.
    pub customer_impact: Option<crate::model::Sym>,
    /// Security or operational (`site.toml [classification]`, evidence-rules §9).
    pub class: classes::IncidentClass,
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
    /// Where `done` was decided: `jira` (snapshot statusCategory), `github` (snapshot state and
    /// state_reason) or `postmortem` (own status).
    pub status_source: &'static str,
    /// The tracker's status from the snapshot, when present (Jira status name; GitHub `state`).
    pub jira_status: Option<String>,
    /// Jira resolution name (GitHub `state_reason`) and resolution (closing) date, when the
    /// snapshot has them.
    pub jira_resolution: Option<String>,
    pub resolved_on: Option<DateTime<Utc>>,
    /// Why a Jira-tracked item is not done (not in the done category, a non-fix resolution,
    /// resolved after `as_of`, no resolution date).
    pub not_done: Option<String>,
    /// The ticket was resolved after the item's due date.
    pub closed_late: bool,
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
    /// A `postmortem_incomplete` exception: links an in-period incident requiring a postmortem,
    /// is completed or past that incident's due time, and lacks a part.
    pub incomplete: bool,
    /// Links at least one in-period incident (its action items are judged).
    pub in_scope: bool,
    pub action_items: Vec<ActionItemFacts>,
    /// Action items not done.
    pub open_items: usize,
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
    RowRejected,
    UrgencyMismatch,
    NotificationGap,
    AutomationMissing,
    StatuspageUnmatched,
    DetectedAfterCustomers,
}

impl ExceptionKind {
    pub const ALL: [ExceptionKind; 18] = [
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
        ExceptionKind::RowRejected,
        ExceptionKind::UrgencyMismatch,
        ExceptionKind::NotificationGap,
        ExceptionKind::AutomationMissing,
        ExceptionKind::StatuspageUnmatched,
        ExceptionKind::DetectedAfterCustomers,
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
            ExceptionKind::RowRejected => "row_rejected",
            ExceptionKind::UrgencyMismatch => "urgency_mismatch",
            ExceptionKind::NotificationGap => "notification_gap",
            ExceptionKind::AutomationMissing => "automation_missing",
            ExceptionKind::StatuspageUnmatched => "statuspage_unmatched",
            ExceptionKind::DetectedAfterCustomers => "detected_after_customers",
        }
    }

    /// The anchor of the method.html section stating the rule that raises this kind.
    pub fn rule_id(self) -> &'static str {
        match self {
            ExceptionKind::AckBreach => "ack-target",
            ExceptionKind::ResolveBreach => "resolve-target",
            ExceptionKind::SeverityMissing => "severity",
            ExceptionKind::ResponseDataMissing => "response-data",
            ExceptionKind::PostmortemMissing | ExceptionKind::PostmortemLate => "postmortem-due",
            ExceptionKind::PostmortemIncomplete => "postmortem-parts",
            ExceptionKind::OrphanPostmortem => "postmortem-link",
            ExceptionKind::ActionItemUntracked => "action-item-tracked",
            ExceptionKind::ActionItemOverdue => "action-item-done",
            ExceptionKind::CoverageGap => "coverage-gap",
            ExceptionKind::EscalationDrift => "escalation-drift",
            ExceptionKind::RowRejected => "row-rejected",
            ExceptionKind::UrgencyMismatch => "urgency-rule",
            ExceptionKind::NotificationGap => "notification-rule",
            ExceptionKind::AutomationMissing => "automation-rule",
            ExceptionKind::StatuspageUnmatched | ExceptionKind::DetectedAfterCustomers => {
                "statuspage-match"
            }
        }
    }

    /// The criterion it is evidence against (controls.html).
    pub fn criterion(self) -> &'static str {
        match self {
            ExceptionKind::AckBreach
            | ExceptionKind::ResolveBreach
            | ExceptionKind::SeverityMissing => "CC7.3",
            ExceptionKind::ResponseDataMissing | ExceptionKind::RowRejected => "CC7.2",
            ExceptionKind::PostmortemMissing
            | ExceptionKind::PostmortemLate
            | ExceptionKind::PostmortemIncomplete
            | ExceptionKind::OrphanPostmortem => "CC7.4",
            ExceptionKind::ActionItemUntracked | ExceptionKind::ActionItemOverdue => "CC7.5",
            ExceptionKind::CoverageGap | ExceptionKind::EscalationDrift => "CC7.3",
            ExceptionKind::UrgencyMismatch
            | ExceptionKind::NotificationGap
            | ExceptionKind::AutomationMissing => "CC7.3",
            ExceptionKind::StatuspageUnmatched | ExceptionKind::DetectedAfterCustomers => "CC7.2",
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
    /// `row_rejected:<file relative to the site root>:<line>` (the row's first line).
    RejectedRow {
        file: String,
        line: u64,
        /// The incident number, when it can be read.
        number: Option<u64>,
    },
    /// `notification_gap:<user-id>`.
    User {
        id: String,
    },
    /// `automation_missing:<level>`.
    Level {
        level: String,
    },
    /// `statuspage_unmatched:<id>`, `detected_after_customers:<id>`.
    Statuspage {
        id: String,
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
            Subject::RejectedRow { file, line, .. } => write!(f, "{file}:{line}"),
            Subject::User { id } => f.write_str(id),
            Subject::Level { level } => f.write_str(level),
            Subject::Statuspage { id } => f.write_str(id),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Exception {
    /// `<kind>:<subject>`, stable across builds.
    pub id: String,
    pub kind: ExceptionKind,
    pub subject: Subject,
    /// The rule that produced it, in words (`acknowledge within the P1 target of 5m`).
    pub rule: String,
    /// The id of that rule's section on method.html (`ack-target`), what the page links to.
    pub rule_id: &'static str,
    /// What the rule required, in words.
    pub required: String,
    /// What happened, in words.
    pub actual: String,
}

impl Exception {
    /// The id of the exception of `kind` about `subject`: pages that show a subject link its
    /// exception by this id, whether or not one was raised.
    pub fn id_of(kind: ExceptionKind, subject: &Subject) -> String {
        format!("{}:{}", kind.name(), subject)
    }

    pub fn new(
        kind: ExceptionKind,
        subject: Subject,
        rule: String,
        required: String,
        actual: String,
    ) -> Self {
        Exception {
            id: Exception::id_of(kind, &subject),
            kind,
            subject,
            rule,
            rule_id: kind.rule_id(),
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
    /// Median and 90th percentile of `ack_times`.
    pub ack: stats::TimeStats,
    /// Median and 90th percentile of `resolve_times`.
    pub resolve: stats::TimeStats,
}

/// Readings taken where evidence-rules.md does not settle a case; each reports the exception
/// rather than hiding it. Rendered on method.html.
pub const JUDGMENTS: &[&str] = &[
    "A Jira ticket in the done category whose snapshot records no resolution date is not shown to be done as of the as-of date: its action item is reported as not done (overdue once due).",
    "Never acknowledged and resolved after the acknowledge deadline: breached, by the resolution time minus the deadline. Never acknowledged and unresolved past the deadline: breached by \"now\" minus the deadline.",
    "Verdicts compare instants as recorded, so an event a fraction of a second late is breached; the amount shown is truncated to whole seconds.",
    "An incident with no resolution data that was never acknowledged is treated as unresolved for its acknowledge verdict (pending or breached).",
    "Severity from postmortems: only the linked postmortem whose id sorts first is consulted (its severity, then its priority); a later postmortem does not fill in.",
    "The no-value words (N/A, -, null, none, blank) are also treated as empty in postmortem severity and priority and in urgency.",
    "An urgency mapped by [severity] from_urgency to a value that matches no level leaves the incident unclassified (severity_missing), showing the mapped value.",
    "A postmortem entry with a number links by number only: when no incident has that number the link is dead even if its id matches an incident; the id only raises the mismatch warning.",
    "A completed postmortem of an unresolved incident is pending (there is no due time yet): it counts as present and complete, not as on time.",
    "Preventive measures are present only with an action item whose type is exactly \"prevent\" or a non-blank preventive measure; a blank owner counts as no owner.",
    "\"Past the incident's due time\" (postmortem_incomplete) means due strictly before \"now\", as for postmortem_missing.",
    "Urgency (urgency_mismatch): a recorded urgency other than high or low (PagerDuty writes only those) is treated as not recorded, so not tested.",
    "Notification (notification_gap): \"any escalation policy\" is every policy of the snapshot, not only those the coverage check judges; a high-urgency rule counts by the kind of the contact method it references, even when that method is disabled or blacklisted (the page lists the channels for review).",
    "Automation (automation_missing): a disabled workflow still counts as configured (the snapshot says it exists; its triggers are shown beside it).",
    "Statuspage matching considers every PagerDuty incident read (in the period or not), so a detection shortly before the period's start still matches; a PagerDuty incident exactly match_window away still matches, and of two created at the same instant the lower number is the match.",
    "A Statuspage incident is in the period by its created_at; the same PagerDuty incident may match several public incidents (one detection, several customer notices).",
    "A security team named in [classification] is compared with the incident's team name (the exports and the API row carry the team's name, not its id).",
    "An action item's Jira key is read from its /browse/KEY URL first, else its tracker key; \"done\" from Jira needs the status category key to be exactly \"done\"; an item with no due date is never overdue (its postmortem then lacks the corrective-actions part).",
];

/// Applies evidence-rules.md §1 and §3–§7 to a site's inputs, on-call exceptions
/// (`coverage_gap`, `escalation_drift`, from the PagerDuty snapshot) included.
pub fn evaluate(config: &Config, inputs: &Inputs) -> Evidence {
    let (reconciliation, index) = reconcile_and_link(inputs);
    evaluate_with(config, inputs, reconciliation, index)
}

/// [`evaluate`] for `build`, `package` and `check`: reconciliation, the one reader of each
/// incident's per-row values, runs first, and the values are freed before the facts are made
/// (at 1M incidents about 150 MB, held beside the facts until the evaluation ended).
pub fn evaluate_releasing(config: &Config, inputs: &mut Inputs) -> Evidence {
    let (reconciliation, index) = reconcile_and_link(inputs);
    inputs.incidents.release_row_values();
    crate::util::release_freed_memory();
    evaluate_with(config, inputs, reconciliation, index)
}

/// The reconciliation of the exports with the API snapshot, and the postmortems' links
/// resolved: each a pass over every incident on one thread, so side by side.
fn reconcile_and_link(
    inputs: &Inputs,
) -> (
    Option<reconciliation::Reconciliation>,
    postmortems::LinkIndex,
) {
    rayon::join(
        || reconciliation::reconcile(inputs),
        || postmortems::LinkIndex::build(&inputs.incidents, &inputs.postmortems),
    )
}

/// Evaluates `inputs`, whose exports and API snapshot were reconciled as `reconciliation` and
/// whose postmortems' links are `index`.
fn evaluate_with(
    config: &Config,
    inputs: &Inputs,
    reconciliation: Option<reconciliation::Reconciliation>,
    index: postmortems::LinkIndex,
) -> Evidence {
    use rayon::prelude::*;
    let now = crate::model::period::now(config);
    let clock = sla::Clock {
        tz: config.tz(),
        hours: &config.business_hours,
        now,
    };
    // Each incident is judged on its own: in parallel, collected in population order. Filtered
    // first, so rayon collects into one vector of the exact length: a filtered parallel
    // iterator collects into pieces and then copies them, twice the facts at the peak.
    let all = &inputs.incidents;
    let in_period: Vec<usize> = all.positions(true).collect();
    let incidents: Vec<IncidentFacts> = in_period
        .par_iter()
        .map(|&i| incident_facts(config, inputs, &index, &clock, &all.get(i)))
        .collect();
    drop(in_period);
    let as_of = config.period.as_of();
    let trackers = postmortems::Trackers {
        tz: config.tz(),
        as_of,
        now,
        non_fix: &config.trackers.non_fix_resolutions,
        github: &inputs.github,
    };
    let cx = exceptions::Context {
        tz: config.tz(),
        now,
        as_of,
        policy: inputs.policy(),
    };
    let (period_start, period_end) = (
        crate::model::period::period_start(config),
        crate::model::period::period_end(config),
    );
    let window = oncall::fetched_window(&inputs.pagerduty, period_start, period_end);
    let statuspage = inputs.statuspage.as_ref().map(|s| s.incidents.as_slice());
    // These read the inputs and the incidents' facts, and nothing of each other: run side by
    // side. Their exceptions are added in the same order as ever, then sorted.
    let on_call_and_configuration = || {
        rayon::join(
            || oncall::facts(config, inputs, period_start, period_end),
            || configuration::facts(config, inputs, &incidents, window),
        )
    };
    let automation_and_customers = || {
        rayon::join(
            || automation::facts(inputs, &incidents),
            || {
                customers::facts(
                    &config.statuspage,
                    statuspage,
                    &inputs.incidents,
                    period_start,
                    period_end,
                )
            },
        )
    };
    let (postmortems, ((oncall, configuration), (automation, customers))) = rayon::join(
        || postmortems::facts(inputs, &index, &incidents, &clock, &trackers),
        || rayon::join(on_call_and_configuration, automation_and_customers),
    );
    // The exceptions and the summary of them; beside them, the monthly figures and the
    // responders' load, which read only the incidents (each a pass over all of them).
    let exceptions_and_summary = || {
        let mut exceptions = exceptions::build(&cx, inputs, &incidents, &postmortems);
        exceptions.extend(oncall::exceptions_from(config, &oncall));
        exceptions.extend(configuration::exceptions(&configuration));
        exceptions.extend(automation::exceptions(&automation));
        exceptions.extend(customers::exceptions(
            &customers,
            statuspage.unwrap_or_default(),
        ));
        exceptions::sort(&mut exceptions);
        let summary = summary::build(
            config,
            inputs,
            reconciliation.as_ref().map(|r| r.counts()),
            &incidents,
            &postmortems,
            &exceptions,
            &customers,
        );
        (exceptions, summary)
    };
    let ((exceptions, summary), (months, responders)) = rayon::join(exceptions_and_summary, || {
        rayon::join(
            || summary::months(config, inputs, &incidents),
            || responders::load(config, inputs, &incidents),
        )
    });
    let answers = responses::facts(&exceptions, &inputs.responses);
    let changes = changes::compute(inputs, &summary);
    let exception_ages = aging::ages(
        config.tz(),
        as_of,
        inputs,
        &incidents,
        &postmortems,
        &exceptions,
        &oncall.drift,
    );
    let mut evidence = Evidence {
        now,
        period_start,
        period_end,
        incidents,
        postmortems,
        exceptions,
        exception_ages,
        summary,
        months,
        oncall,
        numbering: population::numbering(inputs),
        incident_windows: population_proof::incident_totals(&inputs.pagerduty.fetch_records),
        reconciliation,
        audit_records: oncall::audit_in_period(&inputs.pagerduty, period_start, period_end),
        responses: answers,
        responders,
        samples: Vec::new(),
        changes,
        provenance: provenance::provenance(
            inputs,
            now,
            config.tz(),
            config.package.preparer.as_deref(),
        ),
        configuration,
        automation,
        customers,
    };
    // A sample is drawn from the evaluated population, so it is checked last.
    evidence.samples = sample::checks(config, inputs, &evidence);
    evidence
}

fn incident_facts(
    config: &Config,
    inputs: &Inputs,
    index: &postmortems::LinkIndex,
    clock: &sla::Clock,
    incident: &Incident,
) -> IncidentFacts {
    let policy = inputs.policy();
    let linked = index.linking(incident.number, &inputs.postmortems);
    let severity = severity::decide(policy, &config.severity, incident, &linked);
    let level = severity.level.as_deref().and_then(|l| policy.severity(l));
    let pm = postmortems::judge(
        level.and_then(|l| l.postmortem),
        incident.resolved_at(),
        &linked,
        clock,
    );
    IncidentFacts {
        number: incident.number,
        time_to_ack: sla::time_to_ack(incident).into(),
        time_to_resolve: sla::time_to_resolve(incident).into(),
        ack: sla::ack_verdict(incident, level, clock),
        resolve: sla::resolve_verdict(incident, level, clock),
        postmortems: linked.iter().map(|p| p.id.clone()).collect(),
        postmortem: pm.state,
        postmortem_due: pm.due,
        postmortem_completed: pm.completed,
        jira_keys: jira_keys(incident, &linked),
        responder: responders::responder(incident),
        customer_impact: postmortems::customer_impact(&linked),
        class: classes::classify(&config.classification, incident),
        severity,
    }
}

/// Jira keys from the title, the row, and the linked postmortems' action items; unique, in order.
fn jira_keys(incident: &Incident, linked: &[&crate::model::Postmortem]) -> ThinVec<String> {
    let mut keys: ThinVec<String> = crate::util::jira_keys(incident.title()).into();
    let more = incident.fields.jira_keys.iter().cloned().chain(
        linked
            .iter()
            .flat_map(|p| &p.action_items)
            .filter_map(postmortems::item_jira_key),
    );
    for key in more {
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys
}

/// Hand-built model values for the rules' unit tests.
#[cfg(test)]
pub(crate) mod testkit {
    use chrono::{DateTime, NaiveDate, Utc};

    use crate::config::Config;
    use crate::model::Inputs;
    use crate::model::*;

    pub fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    pub fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// A note (`annotate` log entry) with `summary` at `at`, by no one, read from no file.
    pub fn annotation(at: &str, summary: &str) -> LogEntry {
        LogEntry {
            at: utc(at),
            kind: "annotate".into(),
            summary: summary.into(),
            agent: None,
            channel: None,
            subject: None,
            source: None,
        }
    }

    /// FY2026 in America/New_York, default business hours, as of the period's end.
    pub fn config() -> Config {
        let text = format!(
            "{}[business_hours]\nholidays = [2026-12-25]\n",
            crate::config::tests::MIN
        );
        Config::parse(std::path::Path::new("."), &text, "site.toml").unwrap()
    }

    fn level(level: &str, name: &str, ack: &str, resolve: &str, pm: &str) -> SeverityLevel {
        let t = |s: &str| (!s.is_empty()).then(|| Target::parse(s).unwrap());
        SeverityLevel {
            level: level.into(),
            name: name.into(),
            aliases: if level == "P1" {
                vec!["SEV-1".into()]
            } else {
                vec![]
            },
            definition: String::new(),
            ack: t(ack),
            resolve: t(resolve),
            postmortem: t(pm),
            urgency: None,
            automation: None,
        }
    }

    /// P1 5m/4h/48h, P2 15m/-/7d, P3 1h, P4 next-business-day (config.md's example).
    pub fn p1() -> SeverityLevel {
        level("P1", "Critical", "5m", "4h", "48h")
    }
    pub fn p2() -> SeverityLevel {
        level("P2", "High", "15m", "", "7d")
    }

    pub fn policy() -> PolicyDoc {
        PolicyDoc {
            slug: "incident-response".into(),
            source: "content/policies/incident-response.md".into(),
            title: "Incident Response Policy".into(),
            version: None,
            effective: None,
            approved_by: None,
            approved_on: None,
            owner: None,
            next_review: None,
            escalation_policy: None,
            severities: vec![
                p1(),
                p2(),
                level("P3", "Medium", "1h", "", ""),
                level("P4", "Low", "next-business-day", "", ""),
            ],
            escalation: vec![],
            notify_high_urgency: None,
            routing: Vec::new(),
            body_markdown: String::new(),
            body_line: 1,
        }
    }

    pub struct IncidentBuilder(Incident);

    /// An in-period incident created 2026-03-02 10:00 EST with ack and resolve columns (empty).
    pub fn incident(number: u64) -> IncidentBuilder {
        let created = utc("2026-03-02T15:00:00Z");
        IncidentBuilder(Incident {
            number,
            fields: IncidentRow {
                number: Some(number),
                id: Some(format!("Q{number}").into()),
                created: Some(created),
                has_ack_data: true,
                has_resolve_data: true,
                ..IncidentRow::default()
            },
            created,
            sources: vec![],
            conflicts: Default::default(),
            in_period: true,
            rows: Default::default(),
        })
    }

    impl IncidentBuilder {
        pub fn created(mut self, at: &str) -> Self {
            self.0.created = utc(at);
            self.0.fields.created = Some(utc(at));
            self
        }
        pub fn acked(mut self, at: &str) -> Self {
            self.0.fields.acknowledged = Some(utc(at));
            self
        }
        pub fn never_acked(mut self) -> Self {
            self.0.fields.acknowledged = None;
            self
        }
        pub fn no_ack_data(mut self) -> Self {
            self.0.fields.has_ack_data = false;
            self
        }
        pub fn no_resolve_data(mut self) -> Self {
            self.0.fields.has_resolve_data = false;
            self
        }
        pub fn resolved(mut self, at: &str) -> Self {
            self.0.fields.resolved = Some(utc(at));
            self
        }
        pub fn unresolved(mut self) -> Self {
            self.0.fields.resolved = None;
            self
        }
        pub fn secs_to_ack(mut self, s: i64) -> Self {
            self.0.fields.seconds_to_first_ack = Some(s);
            self
        }
        pub fn secs_to_resolve(mut self, s: i64) -> Self {
            self.0.fields.seconds_to_resolve = Some(s);
            self
        }
        pub fn priority(mut self, p: &str) -> Self {
            self.0.fields.priority = Some(p.into());
            self
        }
        pub fn urgency(mut self, u: &str) -> Self {
            self.0.fields.urgency = Some(u.into());
            self
        }
        pub fn title(mut self, t: &str) -> Self {
            self.0.fields.title = Some(t.into());
            self
        }
        pub fn outside_period(mut self) -> Self {
            self.0.in_period = false;
            self
        }
        /// A row read for this incident, with its own values (reconciliation).
        pub fn row(mut self, values: crate::model::RowValues) -> Self {
            self.0.sources.push(values.at);
            self.0.rows.push(&values);
            self
        }
        pub fn build(self) -> Incident {
            self.0
        }
    }

    pub struct PmBuilder(Postmortem);

    /// A postmortem with all five parts, linking nothing, not completed.
    pub fn pm(id: &str) -> PmBuilder {
        PmBuilder(Postmortem {
            id: id.into(),
            source: format!("content/postmortems/{id}.json"),
            title: format!("Postmortem {id}"),
            status: Some("draft".into()),
            severity: None,
            priority: None,
            incidents: vec![],
            services: vec![],
            owner: None,
            responders: vec![],
            timestamps: Timestamps::default(),
            summary: None,
            detection: None,
            timeline: vec![TimelineEntry {
                at: Some(utc("2026-03-02T15:00:00Z")),
                event: "Alert fired".into(),
                source: None,
            }],
            root_causes: vec!["A lock held too long".into()],
            analysis_method: None,
            impact: Some(vec![("customer_impact".into(), "false".into())]),
            impact_description: None,
            resolution: None,
            action_items: vec![action("AI-1")],
            preventive_measures: vec![],
            lessons: vec![],
            review: None,
            extensions: serde_json::Map::new(),
        })
    }

    /// A tracked, owned `prevent` action item due 2026-03-30, open.
    pub fn action(key: &str) -> ActionItem {
        ActionItem {
            key: key.into(),
            title: "Add a lock timeout".into(),
            kind: Some("prevent".into()),
            owner: Some("Sam Lee".into()),
            due_date: Some(date("2026-03-30")),
            status: Some("open".into()),
            tracker_key: Some("OPS-1234".into()),
            tracker_url: Some("https://acme.atlassian.net/browse/OPS-1234".into()),
        }
    }

    impl PmBuilder {
        pub fn link(mut self, number: u64) -> Self {
            self.0.incidents.push(IncidentLink {
                number: Some(number),
                ..IncidentLink::default()
            });
            self
        }
        pub fn entry(mut self, link: IncidentLink) -> Self {
            self.0.incidents.push(link);
            self
        }
        pub fn severity(mut self, s: &str) -> Self {
            self.0.severity = Some(s.into());
            self
        }
        pub fn priority(mut self, s: &str) -> Self {
            self.0.priority = Some(s.into());
            self
        }
        pub fn completed(mut self, at: &str) -> Self {
            self.0.timestamps.completed_at = Some(utc(at));
            self
        }
        pub fn with(mut self, change: impl FnOnce(&mut Postmortem)) -> Self {
            change(&mut self.0);
            self
        }
        pub fn build(self) -> Postmortem {
            self.0
        }
    }

    /// Inputs holding these incidents (sorted) and postmortems (sorted), with the test policy.
    pub fn inputs(mut incidents: Vec<Incident>, mut postmortems: Vec<Postmortem>) -> Inputs {
        incidents.sort_by_key(|i| i.number);
        postmortems.sort_by(|a, b| a.id.cmp(&b.id));
        let mut accounting = Accounting::default();
        for i in &incidents {
            accounting.count(if i.in_period {
                Bucket::Accepted
            } else {
                Bucket::OutsidePeriod
            });
        }
        Inputs {
            incidents: incidents.into(),
            accounting,
            policies: vec![policy()],
            policy: 0,
            postmortems,
            ..Inputs::default()
        }
    }
}
