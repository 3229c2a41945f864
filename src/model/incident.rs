//! Incidents: one parsed input row, and the merged incident the population is made of.

use chrono::{DateTime, Utc};
use serde::Serialize;
use thin_vec::ThinVec;

use super::{Conflict, RowRef, Sym, Timeline};

/// One incident as read from one input row (a CSV line or an API snapshot record), with every
/// field typed. Empty input values are `None`. Which columns the row's file *has* is kept too,
/// because "column present but empty" (never acknowledged) differs from "no such column" (no data).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IncidentRow {
    pub at: Option<RowRef>,
    pub number: Option<u64>,
    pub id: Option<Text>,
    /// Interned ([`Sym::new_varied`]): an alert that fires again and again names its incidents
    /// alike (a generated 1M year has 7,000 distinct titles in 524,000 rows), and a title held
    /// as its own text took a 64-byte allocation beside 24 bytes in the row.
    pub title: Option<Sym>,
    pub service: Option<Sym>,
    pub service_id: Option<Sym>,
    pub escalation_policy: Option<Sym>,
    pub escalation_policy_id: Option<Sym>,
    pub team: Option<Sym>,
    pub created: Option<DateTime<Utc>>,
    pub resolved: Option<DateTime<Utc>>,
    /// Where `resolved` came from when it is not the record's own resolved-at value: an API
    /// object of an older version says `status: "resolved"` without `resolved_at`, so the time is
    /// the resolve log entry's, else `last_status_change_at` (shown on the incident page).
    pub resolved_source: Option<Sym>,
    pub acknowledged: Option<DateTime<Utc>>,
    pub seconds_to_first_ack: Option<i64>,
    pub seconds_to_resolve: Option<i64>,
    /// First non-empty of the row's priority columns: `priority`, `priority_name`, `severity`
    /// (an API snapshot puts `priority.summary` here).
    pub priority: Option<Sym>,
    pub urgency: Option<Sym>,
    pub status: Option<Sym>,
    pub auto_resolved: Option<bool>,
    pub acknowledged_by: Option<Sym>,
    pub assigned_to: Option<Sym>,
    pub resolved_by: Option<Sym>,
    pub escalation_count: Option<u64>,
    /// Basic Reporting's "Duration", kept as text (durations come from the timestamps).
    pub duration_text: Option<Text>,
    pub url: Option<Url>,
    /// The row's source carries acknowledgement information (an ack column, or log entries).
    pub has_ack_data: bool,
    /// The row's source carries resolution information (a resolved-at or seconds-to-resolve column).
    pub has_resolve_data: bool,
    /// Timeline from API log entries, oldest first.
    pub timeline: Timeline,
    /// Jira keys referenced by the row itself (API external references).
    /// Usually none: a `ThinVec` is one pointer when empty, where a `Vec` is three words.
    pub jira_keys: ThinVec<String>,
}

/// An incident's own text (its id, title, URL, duration), kept inline (no heap) up to 24 bytes.
/// Texts that repeat from record to record are interned instead ([`Sym`]).
pub type Text = compact_str::CompactString;

/// An incident's web address, split at its last `/`: the part before, interned (every incident
/// of an account shares `https://<account>.pagerduty.com/incidents/`), and the rest inline. Held
/// whole, a million incidents' addresses were 64 MB of text.
#[derive(Clone, PartialEq, Eq)]
pub struct Url {
    head: Sym,
    tail: Text,
}

impl Url {
    pub fn new(url: &str) -> Url {
        let (head, tail) = url.split_at(url.rfind('/').map_or(0, |i| i + 1));
        Url {
            head: Sym::new(head),
            tail: tail.into(),
        }
    }
}

impl Url {
    /// The interned part before the last `/` and the rest, for [`super::incident_store`].
    pub(super) fn parts(&self) -> (Sym, &str) {
        (self.head, &self.tail)
    }

    pub(super) fn from_parts(head: Sym, tail: &str) -> Url {
        Url {
            head,
            tail: tail.into(),
        }
    }
}

impl From<&str> for Url {
    fn from(url: &str) -> Url {
        Url::new(url)
    }
}

impl std::fmt::Display for Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.head, self.tail)
    }
}

impl std::fmt::Debug for Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.to_string())
    }
}

impl Serialize for Url {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One entry of an incident's timeline (PagerDuty log entry). Its texts are interned ([`Sym`]):
/// a million-incident year has seven million entries, and their texts repeat.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogEntry {
    pub at: DateTime<Utc>,
    /// PagerDuty type without the `_log_entry` suffix: trigger, acknowledge, escalate, resolve, ...
    pub kind: Sym,
    pub summary: Sym,
    pub agent: Option<Sym>,
    pub channel: Option<Sym>,
    /// Who the entry is about when that is not the agent: the user notified (`user`), or the
    /// users assigned or escalated to (`assignees`), names joined by ", ".
    pub subject: Option<Sym>,
    /// The log entry's record in the snapshot (file and 1-based line).
    pub source: Option<RowRef>,
}

/// An incident of the population: the first non-rejected row with its identity, with later
/// duplicate rows merged in field by field (evidence-rules.md §2).
#[derive(Debug, Clone, Serialize)]
pub struct Incident {
    pub number: u64,
    pub fields: IncidentRow,
    pub created: DateTime<Utc>,
    /// Every non-rejected row that carried this identity, in reading order.
    pub sources: Vec<RowRef>,
    /// Usually empty, like `rows` once reconciliation has run: `ThinVec`s, a pointer each.
    pub conflicts: ThinVec<Conflict>,
    /// In the period (the first row's bucket was `accepted`).
    pub in_period: bool,
    /// Each row's own values of the fields an export is reconciled with the API on, in the
    /// order of `sources`: `fields` keeps only the first non-empty value of each (issue 16).
    /// Read by reconciliation alone, and emptied once it has run, before the evidence's facts
    /// are made ([`super::Incidents::release_row_values`]).
    pub rows: super::incident_store::RowValuesList,
}

/// One row's values of the fields an export and an API snapshot are compared on. `None` is
/// "this source does not say" (no such column); `Some(None)` of a time is "says: not yet".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowValues {
    pub at: RowRef,
    pub created: Option<DateTime<Utc>>,
    pub priority: Option<Sym>,
    pub urgency: Option<Sym>,
    pub acknowledged: Option<Option<DateTime<Utc>>>,
    pub resolved: Option<Option<DateTime<Utc>>>,
}

impl RowValues {
    /// The values `row` gives, its times derived as [`Incident::acknowledged_at`] and
    /// [`Incident::resolved_at`] derive them from merged fields.
    pub fn of(row: &IncidentRow, at: RowRef) -> Self {
        let first = |kind: &[&str]| {
            row.timeline
                .iter()
                .filter(|e| kind.contains(&e.kind.as_str()))
                .map(|e| e.at)
                .min()
        };
        let after =
            |secs: Option<i64>| secs.and_then(|s| row.created.and_then(|c| add_seconds(c, s)));
        let acknowledged = after(row.seconds_to_first_ack)
            .or(row.acknowledged)
            .or_else(|| first(&["acknowledge", "acknowledgement"]));
        let resolved = after(row.seconds_to_resolve)
            .or(row.resolved)
            .or_else(|| first(&["resolve"]));
        RowValues {
            at,
            created: row.created,
            priority: row.priority.filter(|p| !p.trim().is_empty()),
            urgency: row.urgency.filter(|u| !u.trim().is_empty()),
            acknowledged: (row.has_ack_data || acknowledged.is_some()).then_some(acknowledged),
            resolved: (row.has_resolve_data || resolved.is_some()).then_some(resolved),
        }
    }
}

impl Incident {
    /// Earliest acknowledgement instant known from any source, by evidence-rules.md §4's order:
    /// `seconds_to_first_ack`, then an acknowledged-at column, then the log entries.
    pub fn acknowledged_at(&self) -> Option<DateTime<Utc>> {
        let f = &self.fields;
        if let Some(secs) = f.seconds_to_first_ack {
            return add_seconds(self.created, secs);
        }
        if let Some(at) = f.acknowledged {
            return Some(at);
        }
        f.timeline
            .iter()
            .filter(|e| e.kind == "acknowledge" || e.kind == "acknowledgement")
            .map(|e| e.at)
            .min()
    }

    /// Resolution instant: `seconds_to_resolve` when present, else the resolved-at value.
    pub fn resolved_at(&self) -> Option<DateTime<Utc>> {
        let f = &self.fields;
        if let Some(secs) = f.seconds_to_resolve {
            return add_seconds(self.created, secs);
        }
        f.resolved.or_else(|| {
            f.timeline
                .iter()
                .filter(|e| e.kind == "resolve")
                .map(|e| e.at)
                .min()
        })
    }

    pub fn title(&self) -> &str {
        self.fields.title.as_deref().unwrap_or("")
    }
}

/// `at` + `secs` seconds, or `None` when that instant is not representable (ingest rejects such
/// rows; this keeps a merged-in value from a duplicate row from panicking).
pub fn add_seconds(at: DateTime<Utc>, secs: i64) -> Option<DateTime<Utc>> {
    at.checked_add_signed(chrono::TimeDelta::try_seconds(secs)?)
}

#[cfg(test)]
mod tests {
    use super::Url;

    /// Split at its last `/` and joined again, every address reads back as given, compares as
    /// its text does, and serializes as that text.
    #[test]
    fn an_address_reads_back_as_given() {
        for text in [
            "https://acme.pagerduty.com/incidents/Q1ABCDEFGHIJKL",
            "https://acme.pagerduty.com/incidents/",
            "https://acme.pagerduty.com/incidents/Q1?tab=log#x/y",
            "no slash at all",
            "/",
            "",
            "https://ü.example/ä/事件/1",
            "https://acme.pagerduty.com/incidents/a-tail-much-longer-than-twenty-four-bytes",
        ] {
            let url = Url::new(text);
            assert_eq!(url.to_string(), text);
            assert_eq!(format!("{url:?}"), format!("{text:?}"));
            assert_eq!(
                serde_json::to_string(&url).unwrap(),
                serde_json::to_string(text).unwrap()
            );
        }
        let a = "https://acme.pagerduty.com/incidents/Q1";
        assert_eq!(Url::new(a), Url::from(a));
        assert_ne!(
            Url::new(a),
            Url::new("https://acme.pagerduty.com/incidents/Q2")
        );
        assert_ne!(
            Url::new(a),
            Url::new("https://other.pagerduty.com/incidents/Q1")
        );
    }
}
