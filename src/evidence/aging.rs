//! Each exception's severity, owner and age as of `as_of`: the columns an auditor sorts a
//! list of exceptions by (the workbook's Exceptions sheet and `data/exceptions.csv`).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::{Exception, ExceptionKind, IncidentFacts, PostmortemFacts, Subject};
use crate::evidence::escalation_history::DriftSpan;
use crate::model::Inputs;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExceptionAge {
    /// The policy level of the incident or postmortem it is about.
    pub severity: Option<String>,
    /// Who owns the subject: an action item's owner, a postmortem's owner, an incident's
    /// responder.
    pub owner: Option<String>,
    /// When the exception arose: the deadline missed, the due date passed, the gap begun, or
    /// (for an incident with no deadline of its own) the incident's creation.
    pub since: Option<DateTime<Utc>>,
    /// Whole days from `since` to `as_of` in the organisation's zone (0 on the same day).
    pub age_days: Option<i64>,
    /// Why `since` is empty, when it is: said explicitly so an empty cell never reads as a gap
    /// in the evidence (the `Since note` column of `data/exceptions.csv` and the workbook).
    pub since_note: Option<&'static str>,
}

/// A rejected row is about a line of a file, not an instant.
pub const NO_INSTANT: &str = "n/a: a rejected row is a line of a file, not an instant";
/// A configuration finding about a user has no date in the snapshot.
pub const NO_DATE: &str = "n/a: the snapshot dates no such finding";
/// Drift that was already there before the first audit record of the policy.
pub const BEFORE_RECORDS: &str = "before the policy's first audit record";

/// One age per exception, in the same order.
pub fn ages(
    tz: chrono_tz::Tz,
    as_of: NaiveDate,
    inputs: &Inputs,
    incidents: &[IncidentFacts],
    postmortems: &[PostmortemFacts],
    exceptions: &[Exception],
    drift: &[DriftSpan],
) -> Vec<ExceptionAge> {
    exceptions
        .iter()
        .map(|e| {
            let (severity, owner, since) =
                subject_facts(tz, inputs, incidents, postmortems, drift, e);
            let age_days = since
                .map(|at| (as_of - crate::model::period::local_date(tz, at)).num_days())
                .filter(|d| *d >= 0);
            let since_note = match (&e.subject, since) {
                (_, Some(_)) => None,
                (Subject::RejectedRow { .. }, None) => Some(NO_INSTANT),
                (Subject::EscalationDrift { .. }, None) => Some(BEFORE_RECORDS),
                (_, None) => Some(NO_DATE),
            };
            ExceptionAge {
                severity,
                owner,
                since,
                age_days,
                since_note,
            }
        })
        .collect()
}

type Facts = (Option<String>, Option<String>, Option<DateTime<Utc>>);

fn subject_facts(
    tz: chrono_tz::Tz,
    inputs: &Inputs,
    incidents: &[IncidentFacts],
    postmortems: &[PostmortemFacts],
    drift: &[DriftSpan],
    e: &Exception,
) -> Facts {
    let postmortem = |id: &str| {
        let i = inputs
            .postmortems
            .binary_search_by(|p| p.id.as_str().cmp(id))
            .ok()?;
        Some((&inputs.postmortems[i], &postmortems[i]))
    };
    match &e.subject {
        Subject::Incident { number } => {
            let Ok(i) = incidents.binary_search_by_key(number, |f| f.number) else {
                return (None, None, None);
            };
            let f = &incidents[i];
            let created = inputs
                .incident(*number)
                .filter(|i| i.in_period)
                .map(|i| i.created);
            let since = match e.kind {
                ExceptionKind::AckBreach => f.ack.deadline,
                ExceptionKind::ResolveBreach => f.resolve.deadline,
                ExceptionKind::PostmortemMissing | ExceptionKind::PostmortemLate => {
                    f.postmortem_due
                }
                _ => None,
            };
            (
                f.severity.level.map(|l| l.to_string()),
                f.responder.map(|r| r.to_string()),
                since.or(created),
            )
        }
        Subject::Postmortem { id } => match postmortem(id) {
            Some((pm, facts)) => (
                pm.severity.clone(),
                pm.owner.as_ref().map(|p| p.name.clone()),
                facts.completed,
            ),
            None => (None, None, None),
        },
        Subject::ActionItem {
            postmortem: id,
            item,
        } => {
            let Some((pm, _)) = postmortem(id) else {
                return (None, None, None);
            };
            let item = pm.action_items.iter().find(|a| &a.key == item);
            // Overdue from the start of the day after its due date.
            let since = item
                .and_then(|a| a.due_date)
                .and_then(|d| d.succ_opt())
                .map(|d| crate::model::period::local_midnight(tz, d));
            (
                pm.severity.clone(),
                item.and_then(|a| a.owner.clone()),
                since,
            )
        }
        Subject::CoverageGap { start, .. } => (
            None,
            None,
            DateTime::parse_from_rfc3339(start)
                .ok()
                .map(|t| t.with_timezone(&Utc)),
        ),
        // The level of an automation gap is its severity; configuration findings have no
        // owner or start date of their own in the snapshot.
        Subject::Level { level } => (Some(level.clone()), None, None),
        // A public incident's finding dates from the notice customers saw.
        Subject::Statuspage { id } => (
            None,
            None,
            inputs
                .statuspage
                .iter()
                .flat_map(|s| &s.incidents)
                .find(|i| i.id == *id)
                .map(|i| i.created_at),
        ),
        // Since the first stretch of the period in which the level was paged off the
        // documented path began (its audit record); none when it began before the records.
        Subject::EscalationDrift { level, .. } => (
            None,
            None,
            drift
                .iter()
                .find(|d| d.level == *level)
                .and_then(|d| d.from),
        ),
        Subject::RejectedRow { .. } | Subject::User { .. } => (None, None, None),
    }
}

#[cfg(test)]
mod tests {
    use crate::evidence::evaluate;
    use crate::evidence::testkit::*;

    #[test]
    fn a_breach_ages_from_its_missed_deadline_in_the_local_zone() {
        let config = config();
        let e = evaluate(
            &config,
            &inputs(
                vec![
                    incident(1042)
                        .priority("P1")
                        .created("2026-03-01T15:00:00Z")
                        .acked("2026-03-01T15:12:04Z")
                        .resolved("2026-03-01T16:00:00Z")
                        .build(),
                    // Created late on 2 March in New York, 3 March in UTC.
                    incident(1043)
                        .priority("P1")
                        .created("2026-03-03T04:00:00Z")
                        .acked("2026-03-03T04:30:00Z")
                        .resolved("2026-03-03T05:00:00Z")
                        .build(),
                ],
                vec![],
            ),
        );
        assert_eq!(e.exception_ages.len(), e.exceptions.len());
        let age = |id: &str| {
            let i = e.exceptions.iter().position(|x| x.id == id).unwrap();
            &e.exception_ages[i]
        };
        let as_of = config.period.as_of();
        let ack = age("ack_breach:1042");
        assert_eq!(ack.severity.as_deref(), Some("P1"));
        assert_eq!(ack.since, Some(utc("2026-03-01T15:05:00Z")));
        assert_eq!(ack.age_days, Some((as_of - date("2026-03-01")).num_days()));
        let late = age("ack_breach:1043");
        assert_eq!(late.age_days, Some((as_of - date("2026-03-02")).num_days()));
    }

    #[test]
    fn drift_ages_from_its_audit_record_and_a_rejected_row_says_why_it_has_no_date() {
        use super::*;
        use crate::evidence::escalation_history::DriftSpan;
        let config = config();
        let inputs = inputs(vec![], vec![]);
        let drift_of = |level| {
            Exception::new(
                ExceptionKind::EscalationDrift,
                Subject::EscalationDrift {
                    escalation_policy: "PEP1".into(),
                    level,
                },
                String::new(),
                String::new(),
                String::new(),
            )
        };
        let exceptions = [
            drift_of(3),
            drift_of(2),
            Exception::new(
                ExceptionKind::RowRejected,
                Subject::RejectedRow {
                    file: "content/incidents/a.csv".into(),
                    line: 7,
                    number: None,
                },
                String::new(),
                String::new(),
                String::new(),
            ),
        ];
        let span = |level, from: Option<&str>| DriftSpan {
            level,
            from: from.map(utc),
            until: None,
            documented_secs: Some(900),
            configured_secs: Some(1200),
            started_by: from.map(|_| "A-START".into()),
            ended_by: None,
        };
        let drift = [span(2, None), span(3, Some("2026-03-14T20:42:00Z"))];
        let a = ages(
            config.tz(),
            config.period.as_of(),
            &inputs,
            &[],
            &[],
            &exceptions,
            &drift,
        );
        assert_eq!(a[0].since, Some(utc("2026-03-14T20:42:00Z")));
        assert_eq!(a[0].since_note, None);
        assert_eq!((a[1].since, a[1].since_note), (None, Some(BEFORE_RECORDS)));
        assert_eq!((a[2].since, a[2].since_note), (None, Some(NO_INSTANT)));
        assert!(NO_INSTANT.starts_with("n/a"));
    }
}
