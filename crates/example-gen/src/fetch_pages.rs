//! The per-page request entries of the example's fetch record: for each window, the pages
//! `pagerproof fetch pagerduty` would have requested, with their parameters, status, counts and
//! the SHA-256 of the body. The example keeps no raw bodies (`fetch --keep-raw` was not used),
//! so each body is the JSON envelope the API sends for that page (`{"users": [...], "limit":
//! 100, "offset": 0, "more": false, "total": 7}`) holding the page's records from the snapshot
//! files, serialised compactly: its hash is that of a plausible body, not of a response received.

use chrono::{DateTime, Utc};
use pagerproof::model::layout::pagerduty as layout;
use pagerproof::model::{FetchRequest, FetchWindow};
use pagerproof::util::sha256_hex;
use serde_json::{Value, json};

/// One record of a snapshot file as written: its compact JSON (one JSON Lines line) and its
/// `created_at`, by which fetch windows select it. At 1M incidents the log holds about 7M
/// entries: as JSON text they take a few GB, as `serde_json::Value` trees they took over 20.
pub struct Line {
    pub created_at: Option<DateTime<Utc>>,
    pub json: Box<str>,
}

impl Line {
    pub fn of(record: &Value) -> Line {
        Line {
            created_at: pagerproof::fetch::pagerduty::parse_time(&record["created_at"]),
            json: serde_json::to_string(record)
                .expect("JSON values serialise")
                .into_boxed_str(),
        }
    }
}

/// Stands in an envelope for its records, which [`body`] puts in as text.
const RECORDS: &str = "\u{1}records\u{1}";

/// PagerDuty's page size as `fetch` asks for it.
const LIMIT: usize = 100;

/// Fills `requests` of every window from the snapshot files' records (`files`: file name →
/// records, as written).
/// `lines`: the snapshot files too large for values (incidents, log entries), as written.
pub fn fill<'a>(
    windows: &mut [FetchWindow],
    files: &[(&str, &'a Vec<Value>)],
    lines: &[(&str, &'a [Line])],
) {
    let file = |name: &str| {
        files
            .iter()
            .find(|f| f.0 == name)
            .map(|f| f.1.iter().collect::<Vec<&Value>>())
            .unwrap_or_default()
    };
    for w in windows.iter_mut() {
        let param = |key: &str| {
            w.params
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        // The records whose `field` instant falls in the window's [since, until).
        let within = |all: Vec<&'a Value>, field: &str| -> Vec<&'a Value> {
            let (since, until) = (param("since"), param("until"));
            all.into_iter()
                .filter(|r| {
                    let t = pagerproof::fetch::pagerduty::parse_time(&r[field])
                        .map(pagerproof::util::utc_rfc3339);
                    t.is_some_and(|t| {
                        since.as_deref().is_none_or(|s| t.as_str() >= s)
                            && until.as_deref().is_none_or(|u| t.as_str() < u)
                    })
                })
                .collect()
        };
        let (key, records): (&str, Vec<&Value>) = match w.endpoint.as_str() {
            "/escalation_policies" => ("escalation_policies", file(layout::ESCALATION_POLICIES)),
            "/schedules" => ("schedules", file(layout::SCHEDULES)),
            "/services" => ("services", file(layout::SERVICES)),
            "/priorities" => ("priorities", file(layout::PRIORITIES)),
            "/users" => ("users", file(layout::USERS)),
            "/audit/records" => (
                "records",
                within(file(layout::AUDIT_RECORDS), "execution_time"),
            ),
            "/incidents" => {
                let records = lines_within(w, lines, layout::INCIDENTS);
                w.requests = pages(w, "incidents", &records);
                w.pages = w.requests.len() as u64;
                continue;
            }
            "/log_entries" => {
                let records = lines_within(w, lines, layout::LOG_ENTRIES);
                w.requests = pages(w, "log_entries", &records);
                w.pages = w.requests.len() as u64;
                continue;
            }
            "/incident_workflows" => ("incident_workflows", file(layout::INCIDENT_WORKFLOWS)),
            "/incident_workflows/triggers" => ("triggers", file(layout::WORKFLOW_TRIGGERS)),
            "/automation_actions/actions" => ("actions", file(layout::AUTOMATION_ACTIONS)),
            // One snapshot line per orchestration: the list's item and its router's path.
            "/event_orchestrations" => (
                "orchestrations",
                file(layout::EVENT_ORCHESTRATIONS)
                    .into_iter()
                    .map(|o| &o["orchestration"])
                    .collect(),
            ),
            e if e.starts_with("/event_orchestrations/") && e.ends_with("/router") => {
                let id = e.split('/').nth(2).unwrap_or_default();
                (
                    "orchestration_path",
                    file(layout::EVENT_ORCHESTRATIONS)
                        .into_iter()
                        .filter(|o| o["orchestration"]["id"] == id)
                        .map(|o| &o["router"]["orchestration_path"])
                        .collect(),
                )
            }
            e if e.ends_with("/overrides") => {
                let id = e.trim_end_matches("/overrides").rsplit('/').next();
                let all = file(layout::OVERRIDES);
                let mine = all
                    .into_iter()
                    .filter(|o| id.is_some_and(|id| o["schedule_id"] == id))
                    .collect();
                ("overrides", mine)
            }
            e if e.contains("/schedules/") => {
                let id = e.rsplit('/').next().unwrap_or_default();
                let all = file(layout::SCHEDULES);
                (
                    "schedule",
                    all.into_iter().filter(|s| s["id"] == id).collect(),
                )
            }
            // An endpoint this module does not know: no entries rather than invented ones.
            _ => continue,
        };
        let texts: Vec<String> = records
            .iter()
            .map(|r| serde_json::to_string(r).expect("JSON values serialise"))
            .collect();
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        w.requests = pages(w, key, &texts);
        w.pages = w.requests.len() as u64;
    }
}

/// The records of the snapshot file `name` created in the window's [since, until), as text.
fn lines_within<'a>(w: &FetchWindow, lines: &[(&str, &'a [Line])], name: &str) -> Vec<&'a str> {
    let param = |key: &str| w.params.iter().find(|(k, _)| k == key).map(|(_, v)| v);
    let (since, until) = (param("since"), param("until"));
    let all = lines.iter().find(|f| f.0 == name).map_or(&[][..], |f| f.1);
    all.iter()
        .filter(|r| {
            let t = r.created_at.map(pagerproof::util::utc_rfc3339);
            t.is_some_and(|t| {
                since.is_none_or(|s| t.as_str() >= s.as_str())
                    && until.is_none_or(|u| t.as_str() < u.as_str())
            })
        })
        .map(|r| &*r.json)
        .collect()
}

/// `envelope` serialised compactly with `records` (JSON text) in place of its `RECORDS` string:
/// the body `serde_json` would write for the envelope holding the records' values (keys sorted).
fn body(envelope: Value, records: &str) -> Vec<u8> {
    let text = serde_json::to_string(&envelope).expect("JSON values serialise");
    let quoted = serde_json::to_string(RECORDS).expect("strings serialise");
    text.replacen(&quoted, records, 1).into_bytes()
}

/// One answered request of a non-PagerDuty fetch (Statuspage, GitHub): its parameters, the
/// window's instant, 200, and the SHA-256 of `body` serialised compactly (module docs).
pub fn answered(
    params: &[(&str, String)],
    at: &str,
    body: &Value,
    received: usize,
) -> FetchRequest {
    let bytes = serde_json::to_vec(body).expect("JSON values serialise");
    FetchRequest {
        params: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        requested_at: at.to_string(),
        status: 200,
        reported: None,
        received: received as u64,
        sha256: sha256_hex(&bytes),
        bytes: bytes.len() as u64,
        raw: None,
    }
}

/// The pages of one window, by its pagination; `records` are the records' compact JSON.
fn pages(w: &FetchWindow, key: &str, records: &[&str]) -> Vec<FetchRequest> {
    let total = records.len();
    let entry = |extra: Vec<(&str, String)>, bytes: Vec<u8>, received: usize, reported| {
        let mut params = w.params.clone();
        params.extend(extra.into_iter().map(|(k, v)| (k.to_string(), v)));
        FetchRequest {
            params,
            requested_at: w.fetched_at.clone(),
            status: 200,
            reported,
            received: received as u64,
            sha256: sha256_hex(&bytes),
            bytes: bytes.len() as u64,
            raw: None,
        }
    };
    let list = |page: &[&str]| format!("[{}]", page.join(","));
    match w.pagination.as_str() {
        "none" => {
            let one = records.first().copied().unwrap_or("null");
            let body = body(json!({ key: RECORDS }), one);
            vec![entry(vec![], body, records.len().min(1), None)]
        }
        "cursor" => {
            let chunks: Vec<&[&str]> = chunks(records);
            let cursor = |i: usize| format!("{}:{}", w.fetched_at, i * LIMIT);
            chunks
                .iter()
                .enumerate()
                .map(|(i, page)| {
                    let next = (i + 1 < chunks.len()).then(|| cursor(i + 1));
                    let mut extra = vec![("limit", LIMIT.to_string())];
                    if i > 0 {
                        extra.push(("cursor", cursor(i)));
                    }
                    let envelope = json!({ key: RECORDS, "limit": LIMIT, "next_cursor": next });
                    entry(extra, body(envelope, &list(page)), page.len(), None)
                })
                .collect()
        }
        _ => {
            let chunks: Vec<&[&str]> = chunks(records);
            let reported = w.reported.map(|_| total as u64);
            chunks
                .iter()
                .enumerate()
                .map(|(i, page)| {
                    let offset = i * LIMIT;
                    let extra = vec![
                        ("limit", LIMIT.to_string()),
                        ("offset", offset.to_string()),
                        ("total", "true".to_string()),
                    ];
                    let envelope = json!({
                        key: RECORDS,
                        "limit": LIMIT,
                        "offset": offset,
                        "more": offset + page.len() < total,
                        "total": total,
                    });
                    entry(extra, body(envelope, &list(page)), page.len(), reported)
                })
                .collect()
        }
    }
}

/// Pages of at most [`LIMIT`] records; an empty list is still one (empty) page.
fn chunks<'a>(records: &'a [&'a str]) -> Vec<&'a [&'a str]> {
    if records.is_empty() {
        return vec![&[]];
    }
    records.chunks(LIMIT).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(endpoint: &str, pagination: &str, received: u64) -> FetchWindow {
        FetchWindow {
            endpoint: endpoint.into(),
            params: vec![("time_zone".into(), "UTC".into())],
            fetched_at: "2026-12-31T14:14:07Z".into(),
            pagination: pagination.into(),
            received,
            reported: Some(received),
            ..FetchWindow::default()
        }
    }

    #[test]
    fn pages_add_up_to_the_window_and_hash_their_bodies() {
        let users: Vec<Value> = (0..250)
            .map(|i| json!({ "id": format!("PU{i}") }))
            .collect();
        let files = [(layout::USERS, &users)];
        let mut windows = vec![window("/users", "offset", 250)];
        fill(&mut windows, &files, &[]);
        let w = &windows[0];
        assert_eq!(w.pages, 3);
        let received: Vec<u64> = w.requests.iter().map(|r| r.received).collect();
        assert_eq!(received, vec![100, 100, 50]);
        assert!(
            w.requests
                .iter()
                .all(|r| r.status == 200 && r.reported == Some(250) && r.sha256.len() == 64)
        );
        assert!(
            w.requests[2]
                .params
                .contains(&("offset".into(), "200".into()))
        );
        assert_ne!(w.requests[0].sha256, w.requests[1].sha256);
        // The same records give the same bytes: regeneration is byte-identical.
        let mut again = vec![window("/users", "offset", 250)];
        fill(&mut again, &files, &[]);
        assert_eq!(again[0].requests, w.requests);
    }

    #[test]
    fn an_empty_window_is_one_empty_page() {
        let none: Vec<Value> = Vec::new();
        let files = [(layout::OVERRIDES, &none)];
        let mut windows = vec![window("/schedules/PX/overrides", "offset", 0)];
        fill(&mut windows, &files, &[]);
        assert_eq!(windows[0].requests.len(), 1);
        assert_eq!(windows[0].requests[0].received, 0);
    }

    #[test]
    fn the_example_record_has_pages_that_add_up_to_every_window() {
        let dir = tempfile::tempdir().unwrap();
        let opts = crate::Options {
            incidents: 300,
            seed: 7,
            ..crate::Options::default()
        };
        crate::generate(&opts, dir.path()).unwrap();
        let text = std::fs::read_to_string(dir.path().join("content/pagerduty/fetch-record.json"))
            .unwrap();
        let record: pagerproof::model::FetchRecord = serde_json::from_str(&text).unwrap();
        assert!(!record.windows.is_empty());
        // A list the account does not offer (legacy response plays) is a noted window without
        // pages, as `fetch` records it.
        for w in record.windows.iter().filter(|w| w.note.is_none()) {
            assert!(!w.requests.is_empty(), "{} has its pages", w.endpoint);
            assert_eq!(w.pages, w.requests.len() as u64);
            let sum: u64 = w.requests.iter().map(|r| r.received).sum();
            assert_eq!(sum, w.received, "{} {:?}", w.endpoint, w.params);
        }
    }
}
