//! What proves the population complete beyond the rows read (issue 16): for every `/incidents`
//! request window of an API fetch, the count the API reported against the count received.

use serde::Serialize;

use crate::model::FetchRecordFile;

/// The incidents endpoint: its windows are the population's completeness proof.
const INCIDENTS: &str = "/incidents";

/// One `/incidents` window: what the API said it held and what was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WindowTotal {
    /// The fetch record it comes from.
    pub file: String,
    /// The window's `since` and `until` parameters as sent (RFC 3339 UTC).
    pub since: Option<String>,
    pub until: Option<String>,
    pub reported: Option<u64>,
    pub received: u64,
    /// Received equals reported (or nothing was reported).
    pub reconciled: bool,
    /// Split in halves (over the offset cap): its halves follow as windows of their own.
    pub split: bool,
    /// Pages read, and how many of them carry the SHA-256 of their body.
    pub pages: u64,
    pub pages_hashed: u64,
}

impl WindowTotal {
    /// The API said the window holds nothing (or, reporting nothing, returned nothing).
    pub fn empty(&self) -> bool {
        self.reported.unwrap_or(self.received) == 0 && self.received == 0
    }
}

/// Every `/incidents` window of every fetch record, in record order.
pub fn incident_totals(records: &[FetchRecordFile]) -> Vec<WindowTotal> {
    let param = |params: &[(String, String)], key: &str| {
        params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    records
        .iter()
        .flat_map(|f| f.record.windows.iter().map(move |w| (f, w)))
        .filter(|(_, w)| w.endpoint == INCIDENTS)
        .map(|(f, w)| WindowTotal {
            file: f.file.clone(),
            since: param(&w.params, "since"),
            until: param(&w.params, "until"),
            reported: w.reported,
            received: w.received,
            reconciled: w.reconciled(),
            split: w.note.as_deref().is_some_and(|n| n.starts_with("split")),
            pages: w.pages,
            pages_hashed: w.requests.len() as u64,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FetchRecord, FetchRequest, FetchWindow};

    fn window(endpoint: &str, since: &str, reported: Option<u64>, received: u64) -> FetchWindow {
        FetchWindow {
            endpoint: endpoint.into(),
            params: vec![
                ("since".into(), since.into()),
                ("until".into(), "2026-07-01T04:00:00Z".into()),
            ],
            pages: 1,
            received,
            reported,
            requests: vec![FetchRequest {
                sha256: "ab".repeat(32),
                received,
                ..FetchRequest::default()
            }],
            ..FetchWindow::default()
        }
    }

    #[test]
    fn only_incident_windows_with_their_counts_and_empty_ones_flagged() {
        let record = FetchRecordFile {
            file: "content/pagerduty/fetch-record.json".into(),
            record: FetchRecord {
                windows: vec![
                    window("/incidents", "2026-01-01T05:00:00Z", Some(0), 0),
                    window("/log_entries", "2026-01-01T05:00:00Z", Some(5), 5),
                    window("/incidents", "2026-04-01T04:00:00Z", Some(7), 6),
                ],
                ..FetchRecord::default()
            },
        };
        let totals = incident_totals(&[record]);
        assert_eq!(totals.len(), 2);
        assert!(totals[0].empty() && totals[0].reconciled);
        assert_eq!(totals[0].since.as_deref(), Some("2026-01-01T05:00:00Z"));
        assert!(!totals[1].empty() && !totals[1].reconciled);
        assert_eq!((totals[1].pages, totals[1].pages_hashed), (1, 1));
        // Reporting nothing but returning rows is not empty.
        let mut w = totals[1].clone();
        w.reported = None;
        assert!(!w.empty());
    }
}
