//! `pagerproof fetch jira`: the Jira issues referenced by postmortems (action item trackers) and
//! incidents (PagerDuty external references, titles, CSV title columns).
//!
//! # Snapshot layout (`[inputs] jira`, by default `content/jira/`)
//!
//! - `issues.jsonl`: one issue per line as Jira returned it (`key`, `fields`, ...), sorted by key;
//! - `fetch-record.json`: every request with its parameters and counts, and every answer's
//!   instant, status and body SHA-256; keys Jira does not know are listed in the record's notes;
//! - `raw/<n>.json.gz` (`--keep-raw`): each answered body, gzip-compressed.
//!
//! Cloud (`JIRA_EMAIL` + `JIRA_API_TOKEN`, Basic) searches `/rest/api/3/search/jql` in batches,
//! following `nextPageToken`; a batch Jira refuses (a key that does not exist makes JQL fail) is
//! read issue by issue. Data Center (`JIRA_PAT`, Bearer) reads `/rest/api/2/issue/{key}`.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::Result;
use chrono::Utc;
use serde_json::Value;

use super::client::{ApiClient, Credential, FetchError};
use super::pagination::{Progress, new_window};
use crate::model::layout::jira::{FETCH_RECORD, ISSUES};
use crate::model::{FetchRecord, FetchWindow};
use crate::util::utc_rfc3339;

pub const FIELDS: &str = "summary,status,resolution,resolutiondate,duedate,assignee,issuetype,project,priority,created,updated";
const BATCH: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Jira Cloud: REST API 3, enhanced JQL search.
    Cloud,
    /// Jira Data Center / Server: REST API 2.
    DataCenter,
}

/// The client and flavour from the environment: `JIRA_PAT` (Data Center) or `JIRA_EMAIL` +
/// `JIRA_API_TOKEN` (Cloud).
pub fn client_from_env(base: &str) -> Result<(ApiClient, Flavor)> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let hint = "JIRA_EMAIL + JIRA_API_TOKEN (Cloud) or JIRA_PAT (Data Center)";
    let (cred, flavor) = match (var("JIRA_PAT"), var("JIRA_EMAIL"), var("JIRA_API_TOKEN")) {
        (Some(pat), _, _) => (Credential::bearer(pat.trim()), Flavor::DataCenter),
        (None, Some(email), Some(token)) => {
            (Credential::basic(email.trim(), token.trim()), Flavor::Cloud)
        }
        _ => anyhow::bail!("no Jira credentials: set {hint}"),
    };
    Ok((
        ApiClient::new("Jira", base, cred, "application/json", hint)?,
        flavor,
    ))
}

/// What one fetch read.
#[derive(Debug, Default)]
pub struct JiraSnapshot {
    pub issues: Vec<Value>,
    pub missing: Vec<String>,
    pub record: FetchRecord,
    /// `--keep-raw`: (path under the snapshot, gzip body) of every answer, in request order.
    pub raw: Vec<(String, Vec<u8>)>,
}

pub fn fetch(
    client: &ApiClient,
    flavor: Flavor,
    keys: &BTreeSet<String>,
    progress: Progress,
) -> Result<JiraSnapshot> {
    let started = utc_rfc3339(Utc::now());
    let mut windows = Vec::new();
    let mut issues = Vec::new();
    let mut missing = Vec::new();
    let keys: Vec<&String> = keys.iter().collect();
    for batch in keys.chunks(BATCH) {
        let searched = match flavor {
            Flavor::Cloud => search_cloud(client, batch, &mut windows, progress),
            Flavor::DataCenter => Ok(None),
        };
        match searched {
            Ok(Some(found)) => issues.extend(found),
            Ok(None) => {
                for key in batch {
                    match get_issue(client, flavor, key, &mut windows, progress)? {
                        Some(issue) => issues.push(issue),
                        None => missing.push(key.to_string()),
                    }
                }
            }
            Err(e) => return Err(e),
        }
    }
    let found: BTreeSet<String> = issues.iter().map(key_of).collect();
    for key in &keys {
        if !found.contains(*key) && !missing.contains(key) {
            missing.push(key.to_string());
        }
    }
    issues.sort_by_key(key_of);
    issues.dedup_by_key(|i| key_of(i));
    missing.sort();
    Ok(JiraSnapshot {
        issues,
        missing,
        record: FetchRecord {
            source: "jira".into(),
            tool: concat!("pagerproof ", env!("CARGO_PKG_VERSION")).into(),
            api_url: client.base().to_string(),
            since: None,
            until: None,
            started_at: started,
            finished_at: utc_rfc3339(Utc::now()),
            windows,
            missing_keys: Vec::new(),
        },
        raw: client.take_raw(),
    })
}

/// One batch through `/rest/api/3/search/jql`; `None` when Jira refuses the query (HTTP 400).
fn search_cloud(
    client: &ApiClient,
    keys: &[&String],
    windows: &mut Vec<FetchWindow>,
    progress: Progress,
) -> Result<Option<Vec<Value>>> {
    let endpoint = "/rest/api/3/search/jql";
    let list: Vec<&str> = keys.iter().map(|k| k.as_str()).collect();
    let params = vec![
        (
            "jql".to_string(),
            format!("key in ({}) ORDER BY key", list.join(",")),
        ),
        ("fields".to_string(), FIELDS.to_string()),
        ("maxResults".to_string(), BATCH.to_string()),
    ];
    let mut window = new_window(endpoint, &params, "token", None);
    let mut issues = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut p = params.clone();
        if let Some(t) = &token {
            p.push(("nextPageToken".into(), t.clone()));
        }
        let v = match client.get_recorded(endpoint, &p) {
            Ok((v, mut request)) => {
                request.received = v["issues"].as_array().map_or(0, |a| a.len() as u64);
                window.requests.push(request);
                v
            }
            Err(e) if e.status() == Some(400) => {
                window.note = Some(format!("refused, read issue by issue: {e}"));
                windows.push(window);
                return Ok(None);
            }
            Err(e) => return Err(e.into()),
        };
        let page = v["issues"].as_array().cloned().unwrap_or_default();
        window.pages += 1;
        issues.extend(page);
        progress(endpoint, issues.len() as u64, None);
        // The last page omits nextPageToken (or says isLast).
        match v["nextPageToken"].as_str() {
            Some(t) if v["isLast"].as_bool() != Some(true) && token.as_deref() != Some(t) => {
                token = Some(t.to_string())
            }
            _ => break,
        }
    }
    window.received = issues.len() as u64;
    windows.push(window);
    Ok(Some(issues))
}

/// `GET /rest/api/{3|2}/issue/{key}`; `None` when Jira does not know the key (404).
fn get_issue(
    client: &ApiClient,
    flavor: Flavor,
    key: &str,
    windows: &mut Vec<FetchWindow>,
    progress: Progress,
) -> Result<Option<Value>> {
    let version = if flavor == Flavor::Cloud { 3 } else { 2 };
    let endpoint = format!("/rest/api/{version}/issue/{key}");
    let params = vec![("fields".to_string(), FIELDS.to_string())];
    let mut window = new_window(&endpoint, &params, "none", None);
    window.pages = 1;
    let result = match client.get_recorded(&endpoint, &params) {
        Ok((v, mut request)) => {
            request.received = 1;
            window.requests.push(request);
            window.received = 1;
            progress(&endpoint, 1, Some(1));
            Some(v)
        }
        Err(FetchError::Status { status: 404, .. }) => {
            window.note = Some("not found".into());
            None
        }
        Err(e) => return Err(e.into()),
    };
    windows.push(window);
    Ok(result)
}

/// Writes `issues.jsonl` and `fetch-record.json`, replacing the directory only when complete.
pub fn write_snapshot(dir: &Path, snap: &JiraSnapshot) -> Result<()> {
    let mut record = serde_json::to_value(&snap.record)?;
    record["missing_keys"] = serde_json::json!(snap.missing);
    super::write_dir_atomically(dir, |tmp| {
        super::write_jsonl(&tmp.join(ISSUES), &snap.issues)?;
        super::write_raw(tmp, &snap.raw)?;
        super::write_json(&tmp.join(FETCH_RECORD), &record)
    })
}

fn key_of(v: &Value) -> String {
    v["key"].as_str().unwrap_or_default().to_string()
}
