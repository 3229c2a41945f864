//! `pagerproof fetch statuspage`: every incident (and scheduled maintenance) of one Statuspage
//! page, for the "detected before customers" comparison (evidence-rules §9).
//!
//! # Snapshot layout (`[inputs] statuspage`, by default `content/statuspage/`)
//!
//! - `incidents.jsonl`: one incident per line as Statuspage returned it, sorted by id;
//! - `components.jsonl`: the page's components (`GET /v1/pages/{page_id}/components`, paged with
//!   `page`/`per_page`), sorted by id: the names for the component ids of `[statuspage] components`;
//! - `fetch-record.json`: every page requested, with its instant, status and body SHA-256;
//! - `raw/<n>.json.gz` (`--keep-raw`): each answered body, gzip-compressed.
//!
//! `GET /v1/pages/{page_id}/incidents` answers a bare JSON array with no paging metadata. It
//! takes `limit` (at most 100) and `page` (not `per_page`, unlike Statuspage's other lists), so
//! pages are read until one comes back shorter than the limit. The API allows one request a
//! second per key: the fetch waits a second between pages, and 420/429 answers are retried.

use std::path::Path;
use std::time::Duration;

use anyhow::{Result, bail};
use chrono::Utc;
use serde_json::Value;

use super::client::{ApiClient, Credential};
use super::pagination::{Progress, new_window};
use crate::model::layout::statuspage::{COMPONENTS, FETCH_RECORD, INCIDENTS};
use crate::model::{FetchRecord, FetchWindow};
use crate::util::utc_rfc3339;

pub const KEY_ENV: &str = "STATUSPAGE_API_KEY";
pub const DEFAULT_API: &str = "https://api.statuspage.io";
/// Statuspage's maximum page size.
pub const LIMIT: u64 = 100;
/// A page past this many means the API ignores `page` (it would never end).
const MAX_PAGES: u64 = 10_000;

pub fn client(base: &str, key: &str) -> Result<ApiClient> {
    ApiClient::new(
        "Statuspage",
        base,
        Credential::oauth(key),
        "application/json",
        KEY_ENV,
    )
}

/// What one fetch read.
#[derive(Debug, Default)]
pub struct StatuspageFetch {
    pub incidents: Vec<Value>,
    pub components: Vec<Value>,
    pub record: FetchRecord,
    pub raw: Vec<(String, Vec<u8>)>,
}

pub fn fetch(client: &ApiClient, page_id: &str, progress: Progress) -> Result<StatuspageFetch> {
    if page_id.trim().is_empty() || page_id.contains(['/', '?', '#']) {
        bail!("--page-id `{page_id}` is not a Statuspage page id");
    }
    let started = utc_rfc3339(Utc::now());
    let (mut incidents, incidents_window) = read_pages(
        client,
        &format!("/v1/pages/{page_id}/incidents"),
        "limit",
        progress,
    )?;
    let id = |v: &Value| v["id"].as_str().unwrap_or_default().to_string();
    incidents.sort_by_key(id);
    // An incident created while paging shifts the pages: it may come back twice.
    incidents.dedup_by_key(|v| id(v));
    client.pause(Duration::from_secs(1));
    let (mut components, components_window) = read_pages(
        client,
        &format!("/v1/pages/{page_id}/components"),
        "per_page",
        progress,
    )?;
    components.sort_by_key(id);
    components.dedup_by_key(|v| id(v));
    Ok(StatuspageFetch {
        incidents,
        components,
        record: FetchRecord {
            source: "statuspage".into(),
            tool: concat!("pagerproof ", env!("CARGO_PKG_VERSION")).into(),
            api_url: client.base().to_string(),
            since: None,
            until: None,
            started_at: started,
            finished_at: utc_rfc3339(Utc::now()),
            windows: vec![incidents_window, components_window],
            missing_keys: Vec::new(),
        },
        raw: client.take_raw(),
    })
}

/// Every page of one list answered as a bare JSON array: `page` = 1, 2, … with `size_key` =
/// [`LIMIT`] (the incidents list calls it `limit`, the others `per_page`) until a short page.
fn read_pages(
    client: &ApiClient,
    endpoint: &str,
    size_key: &str,
    progress: Progress,
) -> Result<(Vec<Value>, FetchWindow)> {
    let mut window = new_window(endpoint, &[], "page", None);
    let mut all = Vec::new();
    for page in 1..=MAX_PAGES {
        if page > 1 {
            client.pause(Duration::from_secs(1));
        }
        let params = vec![
            (size_key.to_string(), LIMIT.to_string()),
            ("page".to_string(), page.to_string()),
        ];
        let (v, mut request) = client.get_recorded(endpoint, &params)?;
        let Some(items) = v.as_array() else {
            bail!(
                "{} {endpoint} page {page}: expected a JSON array",
                client.base()
            );
        };
        request.received = items.len() as u64;
        window.pages += 1;
        window.requests.push(request);
        let short = (items.len() as u64) < LIMIT;
        all.extend(items.iter().cloned());
        progress(endpoint, all.len() as u64, None);
        if short {
            break;
        }
    }
    window.received = all.len() as u64;
    Ok((all, window))
}

/// Writes `incidents.jsonl`, `components.jsonl` and `fetch-record.json`, replacing the directory only when complete.
pub fn write_snapshot(dir: &Path, snap: &StatuspageFetch) -> Result<()> {
    let record = serde_json::to_value(&snap.record)?;
    super::write_dir_atomically(dir, |tmp| {
        super::write_jsonl(&tmp.join(INCIDENTS), &snap.incidents)?;
        super::write_jsonl(&tmp.join(COMPONENTS), &snap.components)?;
        super::write_raw(tmp, &snap.raw)?;
        super::write_json(&tmp.join(FETCH_RECORD), &record)
    })
}
