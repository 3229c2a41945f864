//! `pagerproof fetch github`: the GitHub issues postmortem action items track (the corrective-
//! action tracker besides Jira; evidence-rules §9).
//!
//! # Snapshot layout (`[inputs] github`, by default `content/github/`)
//!
//! - `issues.jsonl`: one issue per line as GitHub returned it, plus `tracked_as`: the
//!   `owner/repo#number` the action item names (a transferred issue answers under its new
//!   repository), sorted by that reference;
//! - `fetch-record.json`: every request with its instant, status and body SHA-256; references
//!   GitHub does not know (404, 410) are the record's `missing_keys`;
//! - `raw/<n>.json.gz` (`--keep-raw`): each answered body, gzip-compressed.
//!
//! Each issue is one `GET /repos/{owner}/{repo}/issues/{number}`, made serially. Rate limits:
//! `Retry-After` first, else with `x-ratelimit-remaining: 0` the wait until `x-ratelimit-reset`
//! (epoch seconds), else at least a minute for a secondary limit; 403 and 429 both signal them
//! (see `fetch::client`).

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::Result;
use chrono::Utc;
use serde_json::Value;

use super::client::{ApiClient, Credential, FetchError};
use super::pagination::{Progress, new_window};
use crate::model::FetchRecord;
use crate::model::layout::github::{FETCH_RECORD, ISSUES};
use crate::util::utc_rfc3339;

pub const TOKEN_ENV: &str = "GITHUB_TOKEN";
pub const DEFAULT_API: &str = "https://api.github.com";
/// The REST API version asked for (supported until 2028-03-10).
pub const API_VERSION: &str = "2022-11-28";

pub fn client(base: &str, token: &str) -> Result<ApiClient> {
    Ok(ApiClient::new(
        "GitHub",
        base,
        Credential::bearer(token),
        "application/vnd.github+json",
        TOKEN_ENV,
    )?
    .with_header("X-GitHub-Api-Version", API_VERSION))
}

/// What one fetch read.
#[derive(Debug, Default)]
pub struct GithubFetch {
    pub issues: Vec<Value>,
    pub missing: Vec<String>,
    pub record: FetchRecord,
    pub raw: Vec<(String, Vec<u8>)>,
}

/// Reads each `owner/repo#number` in `refs`.
pub fn fetch(
    client: &ApiClient,
    refs: &BTreeSet<String>,
    progress: Progress,
) -> Result<GithubFetch> {
    let started = utc_rfc3339(Utc::now());
    let mut windows = Vec::new();
    let mut issues = Vec::new();
    let mut missing = Vec::new();
    for tracked in refs {
        let Some((repo, number)) = tracked.split_once('#') else {
            anyhow::bail!("`{tracked}` is not owner/repo#number");
        };
        let endpoint = format!("/repos/{repo}/issues/{number}");
        let mut window = new_window(&endpoint, &[], "none", None);
        window.pages = 1;
        match client.get_recorded(&endpoint, &[]) {
            Ok((mut v, mut request)) => {
                request.received = 1;
                window.requests.push(request);
                window.received = 1;
                progress(&endpoint, 1, Some(1));
                v["tracked_as"] = Value::String(tracked.clone());
                issues.push(v);
            }
            Err(FetchError::Status {
                status: status @ (404 | 410),
                ..
            }) => {
                window.note = Some(format!("HTTP {status}: not found or deleted"));
                missing.push(tracked.clone());
            }
            Err(e) => return Err(e.into()),
        }
        windows.push(window);
    }
    Ok(GithubFetch {
        issues,
        record: FetchRecord {
            source: "github".into(),
            tool: concat!("pagerproof ", env!("CARGO_PKG_VERSION")).into(),
            api_url: client.base().to_string(),
            since: None,
            until: None,
            started_at: started,
            finished_at: utc_rfc3339(Utc::now()),
            windows,
            missing_keys: missing.clone(),
        },
        missing,
        raw: client.take_raw(),
    })
}

/// Writes `issues.jsonl` and `fetch-record.json`, replacing the directory only when complete.
pub fn write_snapshot(dir: &Path, snap: &GithubFetch) -> Result<()> {
    let record = serde_json::to_value(&snap.record)?;
    super::write_dir_atomically(dir, |tmp| {
        super::write_jsonl(&tmp.join(ISSUES), &snap.issues)?;
        super::write_raw(tmp, &snap.raw)?;
        super::write_json(&tmp.join(FETCH_RECORD), &record)
    })
}
