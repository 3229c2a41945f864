//! An export reconciled with the API (issue 16, step 4): when a site has both CSV exports and an
//! API snapshot, the in-period incidents are compared by number (in both, export only, API
//! only) and, for those in both, field by field. Two lists of one population made two ways
//! should agree; where they do not, the auditor has a question for the preparer.

use std::collections::BTreeSet;

use chrono::{DateTime, Timelike, Utc};
use serde::Serialize;

use crate::model::{Inputs, RowRef, RowValues, SourceKind};

/// The comparison; only computed when both kinds of source exist.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Reconciliation {
    /// In-period incident numbers read from both an export and the API snapshot.
    pub both: Vec<u64>,
    /// Read from an export only (with the first export row that carried it), created inside a
    /// window the API snapshot fetched: the API should have returned it.
    pub export_only: Vec<(u64, RowRef)>,
    /// Read from an export only, created outside every `/incidents` window the snapshot's fetch
    /// records show: the API was never asked for it, so its absence there says nothing. Listed
    /// apart and not counted in `summary.json` (whose four keys stay as they were).
    pub outside_api_window: Vec<(u64, RowRef)>,
    /// Read from the API snapshot only.
    pub api_only: Vec<(u64, RowRef)>,
    /// For incidents in both: every compared field whose values differ.
    pub differences: Vec<FieldDifference>,
}

/// The counts `summary.json` carries as `population.reconciliation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReconciliationCounts {
    pub both: u64,
    pub export_only: u64,
    pub api_only: u64,
    /// Fields that differ, over every incident in both.
    pub field_differences: u64,
}

/// One field of one incident that the export and the API give differently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldDifference {
    pub number: u64,
    /// `created`, `priority`, `urgency`, `acknowledged` or `resolved`.
    pub field: &'static str,
    /// The values as text (RFC 3339 UTC for times; `(none)` for "not yet").
    pub export: String,
    pub api: String,
    pub export_at: RowRef,
    pub api_at: RowRef,
}

impl Reconciliation {
    pub fn counts(&self) -> ReconciliationCounts {
        ReconciliationCounts {
            both: self.both.len() as u64,
            export_only: self.export_only.len() as u64,
            api_only: self.api_only.len() as u64,
            field_differences: self.differences.len() as u64,
        }
    }
}

/// Compares the in-period incidents of the exports with those of the API snapshot; `None`
/// unless the inputs hold both an incident export and an API snapshot with incident rows.
/// Each side is its first row in reading order (the value the population keeps).
pub fn reconcile(inputs: &Inputs) -> Option<Reconciliation> {
    let files = |kind: SourceKind| -> BTreeSet<&str> {
        inputs
            .sources
            .iter()
            .filter(|s| s.kind == kind && s.accounting.rows_read > 0)
            .map(|s| s.path.as_str())
            .collect()
    };
    let (exports, api) = (
        files(SourceKind::IncidentCsv),
        files(SourceKind::PagerDutySnapshot),
    );
    if exports.is_empty() || api.is_empty() {
        return None;
    }
    let windows = api_windows(&inputs.pagerduty);
    let asked =
        |t: DateTime<Utc>| windows.is_empty() || windows.iter().any(|(s, u)| *s <= t && t < *u);
    let mut out = Reconciliation::default();
    let all = &inputs.incidents;
    for incident in all.positions(true).map(|i| all.get(i)) {
        let first = |set: &BTreeSet<&str>| incident.rows.iter().find(|r| set.contains(&*r.at.file));
        match (first(&exports), first(&api)) {
            (Some(e), Some(a)) => {
                out.both.push(incident.number);
                out.differences.extend(differences(incident.number, &e, &a));
            }
            (Some(e), None) if asked(incident.created) => {
                out.export_only.push((incident.number, e.at))
            }
            (Some(e), None) => out.outside_api_window.push((incident.number, e.at)),
            (None, Some(a)) => out.api_only.push((incident.number, a.at)),
            (None, None) => {}
        }
    }
    Some(out)
}

/// The [since, until) windows the snapshot's `/incidents` requests asked for, from its fetch
/// records; empty when none is bounded (a snapshot without records covers everything it has).
fn api_windows(snap: &crate::model::Snapshot) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let parse = |s: &str| {
        DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    };
    let param = |w: &crate::model::FetchWindow, name: &str| {
        w.params
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| parse(v))
    };
    snap.fetch_records
        .iter()
        .filter(|f| f.record.source == "pagerduty")
        .flat_map(|f| &f.record.windows)
        .filter(|w| w.endpoint == "/incidents")
        .filter_map(|w| Some((param(w, "since")?, param(w, "until")?)))
        .collect()
}

/// The compared fields that differ between an export row and an API row. A field one side does
/// not give (no such column) is not a difference: there is nothing to compare.
fn differences(number: u64, e: &RowValues, a: &RowValues) -> Vec<FieldDifference> {
    let mut found = Vec::new();
    let mut differ = |field: &'static str, export: String, api: String| {
        found.push(FieldDifference {
            number,
            field,
            export,
            api,
            export_at: e.at,
            api_at: a.at,
        })
    };
    if let (Some(x), Some(y)) = (e.created, a.created)
        && !same_instant(x, y)
    {
        differ("created", time(Some(x)), time(Some(y)));
    }
    for (field, x, y) in [
        ("priority", &e.priority, &a.priority),
        ("urgency", &e.urgency, &a.urgency),
    ] {
        if let (Some(x), Some(y)) = (x, y)
            && !x.trim().eq_ignore_ascii_case(y.trim())
        {
            differ(field, x.to_string(), y.to_string());
        }
    }
    for (field, x, y) in [
        ("acknowledged", e.acknowledged, a.acknowledged),
        ("resolved", e.resolved, a.resolved),
    ] {
        if let (Some(x), Some(y)) = (x, y) {
            let same = match (x, y) {
                (Some(x), Some(y)) => same_instant(x, y),
                (None, None) => true,
                _ => false,
            };
            if !same {
                differ(field, time(x), time(y));
            }
        }
    }
    found
}

/// Equal at the precision of the coarser side: exports write whole seconds (Basic Reporting and
/// hand-kept sheets whole minutes) where the API keeps milliseconds, and a rounding is not a
/// disagreement.
fn same_instant(x: DateTime<Utc>, y: DateTime<Utc>) -> bool {
    let whole_second = |t: DateTime<Utc>| t.nanosecond() == 0;
    let whole_minute = |t: DateTime<Utc>| whole_second(t) && t.second() == 0;
    let (sx, sy) = (x.timestamp(), y.timestamp());
    x == y
        || ((whole_second(x) || whole_second(y)) && sx == sy)
        || ((whole_minute(x) || whole_minute(y)) && sx.div_euclid(60) == sy.div_euclid(60))
}

fn time(t: Option<DateTime<Utc>>) -> String {
    t.map_or("(none)".to_string(), crate::util::utc_rfc3339)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::testkit::*;
    use crate::model::{Accounting, SourceFile};

    const CSV: &str = "content/incidents/a.csv";
    const API: &str = "content/pagerduty/incidents.jsonl";

    fn source(path: &str, kind: SourceKind) -> SourceFile {
        SourceFile {
            path: path.into(),
            copy: format!("sources/{path}"),
            kind,
            sha256: String::new(),
            bytes: 0,
            accounting: Accounting {
                rows_read: 1,
                ..Accounting::default()
            },
            notes: vec![],
            export: None,
        }
    }

    fn row(file: &str, line: u64, created: &str) -> RowValues {
        RowValues {
            at: RowRef {
                file: file.into(),
                line,
            },
            created: Some(utc(created)),
            priority: None,
            urgency: None,
            acknowledged: None,
            resolved: None,
        }
    }

    const T: &str = "2026-03-02T15:00:00Z";

    #[test]
    fn counts_and_lists_by_number_and_field() {
        let mut inputs = inputs(
            vec![
                // In both, agreeing (the export's minute-rounded creation time is no difference).
                incident(1)
                    .row(row(CSV, 2, "2026-03-02T15:00:00Z"))
                    .row(row(API, 1, "2026-03-02T15:00:41Z"))
                    .build(),
                // In both, differing on four fields; a field the export lacks is not compared.
                incident(2)
                    .row(RowValues {
                        priority: Some("P2".into()),
                        urgency: Some("high".into()),
                        acknowledged: Some(None),
                        resolved: Some(Some(utc("2026-03-02T16:00:00Z"))),
                        ..row(CSV, 3, "2026-03-02T15:00:10Z")
                    })
                    .row(RowValues {
                        priority: Some("P1".into()),
                        urgency: Some("High".into()),
                        acknowledged: Some(Some(utc("2026-03-02T15:05:00Z"))),
                        resolved: Some(Some(utc("2026-03-02T16:30:00Z"))),
                        ..row(API, 2, "2026-03-02T15:00:20Z")
                    })
                    .build(),
                incident(3).row(row(CSV, 4, T)).build(),
                incident(4).row(row(API, 3, T)).build(),
                // Outside the period: not compared.
                incident(5).row(row(CSV, 5, T)).outside_period().build(),
            ],
            vec![],
        );
        inputs.sources = vec![
            source(CSV, SourceKind::IncidentCsv),
            source(API, SourceKind::PagerDutySnapshot),
        ];
        let r = reconcile(&inputs).unwrap();
        assert_eq!(r.both, vec![1, 2]);
        assert_eq!(
            r.export_only,
            vec![(
                3,
                RowRef {
                    file: CSV.into(),
                    line: 4
                }
            )]
        );
        assert_eq!(
            r.api_only,
            vec![(
                4,
                RowRef {
                    file: API.into(),
                    line: 3
                }
            )]
        );
        let fields: Vec<(u64, &str, &str, &str)> = r
            .differences
            .iter()
            .map(|d| (d.number, d.field, d.export.as_str(), d.api.as_str()))
            .collect();
        assert_eq!(
            fields,
            vec![
                (2, "created", "2026-03-02T15:00:10Z", "2026-03-02T15:00:20Z"),
                (2, "priority", "P2", "P1"),
                (2, "acknowledged", "(none)", "2026-03-02T15:05:00Z"),
                (
                    2,
                    "resolved",
                    "2026-03-02T16:00:00Z",
                    "2026-03-02T16:30:00Z"
                ),
            ]
        );
        assert_eq!(
            r.counts(),
            ReconciliationCounts {
                both: 2,
                export_only: 1,
                api_only: 1,
                field_differences: 4
            }
        );
    }

    #[test]
    fn absent_unless_both_kinds_of_source_exist() {
        let mut inputs = inputs(vec![incident(1).row(row(CSV, 2, T)).build()], vec![]);
        inputs.sources = vec![source(CSV, SourceKind::IncidentCsv)];
        assert_eq!(reconcile(&inputs), None);
        inputs
            .sources
            .push(source(API, SourceKind::PagerDutySnapshot));
        inputs.sources[1].accounting.rows_read = 0;
        assert_eq!(
            reconcile(&inputs),
            None,
            "an API snapshot without incidents"
        );
    }

    #[test]
    fn rounding_to_the_minute_is_not_a_difference() {
        assert!(same_instant(
            utc("2026-03-02T15:00:00Z"),
            utc("2026-03-02T15:00:59Z")
        ));
        assert!(!same_instant(
            utc("2026-03-02T15:00:00Z"),
            utc("2026-03-02T15:01:00Z")
        ));
        assert!(!same_instant(
            utc("2026-03-02T15:00:01Z"),
            utc("2026-03-02T15:00:59Z")
        ));
    }

    #[test]
    fn an_export_incident_the_api_was_never_asked_for_is_outside_its_window() {
        use crate::model::{FetchRecord, FetchRecordFile, FetchWindow};
        let mut inputs = inputs(
            vec![
                incident(1)
                    .created("2026-03-02T15:00:00Z")
                    .row(row(CSV, 2, T))
                    .build(),
                incident(2)
                    .created("2026-05-02T15:00:00Z")
                    .row(row(CSV, 3, T))
                    .build(),
                incident(3).row(row(API, 1, T)).build(),
            ],
            vec![],
        );
        inputs.sources = vec![
            source(CSV, SourceKind::IncidentCsv),
            source(API, SourceKind::PagerDutySnapshot),
        ];
        let window = |since: &str, until: &str| FetchWindow {
            endpoint: "/incidents".into(),
            params: vec![
                ("since".into(), since.into()),
                ("until".into(), until.into()),
            ],
            ..FetchWindow::default()
        };
        inputs.pagerduty.fetch_records = vec![FetchRecordFile {
            file: "content/pagerduty/fetch.json".into(),
            record: FetchRecord {
                source: "pagerduty".into(),
                windows: vec![
                    window("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"),
                    window("2026-06-01T00:00:00Z", "2026-07-01T00:00:00Z"),
                ],
                ..FetchRecord::default()
            },
        }];
        let r = reconcile(&inputs).unwrap();
        // #1 was created in March, which the API was asked for: it should be there.
        assert_eq!(r.export_only.iter().map(|x| x.0).collect::<Vec<_>>(), [1]);
        // #2 in May, which no window covered.
        assert_eq!(
            r.outside_api_window.iter().map(|x| x.0).collect::<Vec<_>>(),
            [2]
        );
        assert_eq!(r.counts().export_only, 1);
    }
}
