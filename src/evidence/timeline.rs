//! An incident's timeline as an auditor reads it: each PagerDuty log entry classified (trigger,
//! notification, escalation by timeout or by hand, acknowledgement, unacknowledgement, assignment
//! and reassignment, note, resolution), with who acted, whom it concerned and where it was read.
//!
//! The first acknowledge entry is marked: it is the acknowledgement the target is judged on when
//! the log decides it (evidence-rules §4). Later acknowledgements after an unacknowledge or a
//! reassignment do not move it.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::model::{Incident, LogEntry, RowRef, Sym};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    Trigger,
    Notify,
    /// Paged the next level because no one acknowledged in time.
    EscalateTimeout,
    /// Escalated by a person (or through the API).
    EscalateManual,
    Acknowledge,
    Unacknowledge,
    /// The first assignment (at the trigger, through the escalation policy).
    Assign,
    /// A later assignment to someone else, or a delegation to another policy.
    Reassign,
    Note,
    Resolve,
    /// Any other log entry type (snooze, urgency change, ...), shown as read.
    Other,
}

impl StepKind {
    pub fn label(self) -> &'static str {
        match self {
            StepKind::Trigger => "Triggered",
            StepKind::Notify => "Notified",
            StepKind::EscalateTimeout => "Escalated (timeout)",
            StepKind::EscalateManual => "Escalated (manual)",
            StepKind::Acknowledge => "Acknowledged",
            StepKind::Unacknowledge => "Unacknowledged",
            StepKind::Assign => "Assigned",
            StepKind::Reassign => "Reassigned",
            StepKind::Note => "Note",
            StepKind::Resolve => "Resolved",
            StepKind::Other => "Other",
        }
    }
}

/// One classified log entry.
#[derive(Debug, Clone, Serialize)]
pub struct Step<'a> {
    pub at: DateTime<Utc>,
    pub kind: StepKind,
    /// The PagerDuty type (without `_log_entry`), for `Other` and for the record.
    pub raw_kind: &'a str,
    pub summary: &'a str,
    /// Who acted (a user, or the service for automatic actions).
    pub agent: Option<&'a str>,
    /// Whom it concerned: the user notified, the users assigned or escalated to.
    pub subject: Option<&'a str>,
    pub channel: Option<&'a str>,
    /// The first acknowledgement, the one the acknowledge target is judged on.
    pub first_ack: bool,
    pub source: Option<RowRef>,
}

/// The incident's log entries, oldest first, classified.
pub fn steps(incident: &Incident) -> Vec<Step<'_>> {
    let mut assigned = false;
    let mut acked = false;
    incident
        .fields
        .timeline
        .iter()
        .map(|e| {
            let kind = classify(&e, &mut assigned);
            let first_ack = kind == StepKind::Acknowledge && !acked;
            acked |= kind == StepKind::Acknowledge;
            Step {
                at: e.at,
                kind,
                raw_kind: e.kind.as_str(),
                summary: e.summary.as_str(),
                agent: e.agent.map(Sym::as_str),
                subject: e.subject.map(Sym::as_str).or_else(|| notified(&e)),
                channel: e.channel.map(Sym::as_str),
                first_ack,
                source: e.source,
            }
        })
        .collect()
}

fn classify(e: &LogEntry, assigned: &mut bool) -> StepKind {
    match e.kind.as_str() {
        "trigger" => StepKind::Trigger,
        "notify" => StepKind::Notify,
        "escalate" if e.channel.as_deref() == Some("timeout") => StepKind::EscalateTimeout,
        "escalate" => StepKind::EscalateManual,
        "acknowledge" => StepKind::Acknowledge,
        "unacknowledge" => StepKind::Unacknowledge,
        "assign" if !*assigned => {
            *assigned = true;
            StepKind::Assign
        }
        "assign" | "delegate" => StepKind::Reassign,
        "annotate" => StepKind::Note,
        "resolve" => StepKind::Resolve,
        _ => StepKind::Other,
    }
}

/// A notify entry without `user` (as some captures have): the name in "Notified Jane Doe by
/// email."
fn notified(e: &LogEntry) -> Option<&'static str> {
    if e.kind != "notify" {
        return None;
    }
    let rest = e.summary.as_str().strip_prefix("Notified ")?;
    let end = rest.rfind(" by ")?;
    Some(&rest[..end]).filter(|n| !n.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::testkit::incident;

    fn entry(
        kind: &str,
        at: &str,
        agent: Option<&str>,
        channel: &str,
        subject: Option<&str>,
    ) -> LogEntry {
        LogEntry {
            at: at.parse().unwrap(),
            kind: kind.into(),
            summary: format!("{kind} entry").into(),
            agent: agent.map(Into::into),
            channel: Some(channel.into()),
            subject: subject.map(Into::into),
            source: Some(RowRef {
                file: "content/pagerduty/log_entries.jsonl".into(),
                line: 7,
            }),
        }
    }

    #[test]
    fn reassignment_unacknowledge_and_escalations_are_told_apart() {
        let mut i = incident(1).build();
        i.fields.timeline = crate::model::Timeline::from(vec![
            entry("trigger", "2026-03-02T15:00:00Z", Some("api"), "api", None),
            entry(
                "assign",
                "2026-03-02T15:00:00Z",
                Some("api"),
                "auto",
                Some("Ann"),
            ),
            entry(
                "acknowledge",
                "2026-03-02T15:02:00Z",
                Some("Ann"),
                "website",
                None,
            ),
            entry(
                "unacknowledge",
                "2026-03-02T15:32:00Z",
                None,
                "timeout",
                None,
            ),
            entry(
                "escalate",
                "2026-03-02T15:37:00Z",
                None,
                "timeout",
                Some("Bob"),
            ),
            entry(
                "assign",
                "2026-03-02T15:40:00Z",
                Some("Bob"),
                "website",
                Some("Cy"),
            ),
            entry(
                "escalate",
                "2026-03-02T15:41:00Z",
                Some("Cy"),
                "website",
                Some("Dee"),
            ),
            entry(
                "acknowledge",
                "2026-03-02T15:42:00Z",
                Some("Dee"),
                "mobile",
                None,
            ),
            LogEntry {
                summary: "Notified Eve Example by SMS.".into(),
                ..entry("notify", "2026-03-02T15:42:30Z", None, "sms", None)
            },
            entry(
                "resolve",
                "2026-03-02T16:00:00Z",
                Some("Dee"),
                "website",
                None,
            ),
        ]);
        let s = steps(&i);
        let kinds: Vec<StepKind> = s.iter().map(|s| s.kind).collect();
        use StepKind::*;
        assert_eq!(
            kinds,
            [
                Trigger,
                Assign,
                Acknowledge,
                Unacknowledge,
                EscalateTimeout,
                Reassign,
                EscalateManual,
                Acknowledge,
                Notify,
                Resolve
            ]
        );
        let first: Vec<bool> = s.iter().map(|s| s.first_ack).collect();
        assert_eq!(first.iter().filter(|f| **f).count(), 1);
        assert!(s[2].first_ack && !s[7].first_ack);
        assert_eq!(s[5].subject, Some("Cy"));
        assert_eq!(s[8].subject, Some("Eve Example"));
        assert_eq!(s[0].source.unwrap().line, 7);
    }
}
