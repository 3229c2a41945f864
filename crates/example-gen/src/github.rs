//! The web team tracks its corrective actions in GitHub Issues, not Jira: action items whose
//! ticket would be in the `WEB` Jira project are written as `northwind/web-app#<n>` issues, and
//! `content/github/issues.jsonl` holds them as `fetch github` writes them. Each issue mirrors the
//! ticket's state (done: closed as completed when the ticket was resolved; else open), so the
//! evidence reaches the same verdict whichever tracker holds it.

use std::path::Path;

use anyhow::Result;
use chrono::{DateTime, Duration, Utc};
use pagerproof::model::{FetchRecord, FetchWindow};
use pagerproof::util::utc_rfc3339;
use serde_json::{Value, json};

use crate::incidents::Calendar;

/// What an issue mirrors of its ticket (kept free of the `jira` module, which depends on the
/// postmortems that depend on this one).
pub struct Ticket<'a> {
    pub key: &'a str,
    pub summary: &'a str,
    /// When the ticket was resolved as done; `None` when it is not done.
    pub done_at: Option<DateTime<Utc>>,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
}

const REPO: &str = "northwind/web-app";
const PROJECT: &str = "WEB-";

/// The GitHub reference of an action item's ticket key, when the web team tracks it there.
pub fn tracked_as(jira_key: &str) -> Option<String> {
    let n = jira_key.strip_prefix(PROJECT)?;
    Some(format!("{REPO}#{n}"))
}

/// The issue's web URL.
pub fn url(jira_key: &str) -> Option<String> {
    let n = jira_key.strip_prefix(PROJECT)?;
    Some(format!("https://github.com/{REPO}/issues/{n}"))
}

/// `content/github/issues.jsonl`: one issue per GitHub-tracked ticket, sorted by reference, and
/// the `fetch-record.json` of reading them one by one after the Statuspage fetch.
pub fn write(out: &Path, tickets: &[Ticket], cal: &Calendar) -> Result<()> {
    let mut lines: Vec<(String, Value)> = Vec::new();
    for t in tickets {
        let (Some(tracked), Some(url)) = (tracked_as(t.key), url(t.key)) else {
            continue;
        };
        let at = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let number: u64 = t.key[PROJECT.len()..].parse().unwrap_or_default();
        let v = json!({
            "tracked_as": tracked, "number": number, "title": t.summary,
            "state": if t.done_at.is_some() { "closed" } else { "open" },
            "state_reason": if t.done_at.is_some() { json!("completed") } else { json!(null) },
            "closed_at": t.done_at.map(at),
            "created_at": at(t.created), "updated_at": at(t.updated),
            "html_url": url, "assignees": [],
        });
        lines.push((tracked, v));
    }
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    lines.dedup();
    let mut text = String::new();
    for (_, v) in &lines {
        text.push_str(&serde_json::to_string(v)?);
        text.push('\n');
    }
    crate::write_file(out, "content/github/issues.jsonl", text.as_bytes())?;
    let mut text = serde_json::to_string_pretty(&serde_json::to_value(fetch_record(&lines, cal))?)?;
    text.push('\n');
    crate::write_file(out, "content/github/fetch-record.json", text.as_bytes())
}

/// One `GET /repos/{owner}/{repo}/issues/{number}` window per issue, one second apart; the body
/// is the issue as GitHub sends it (the snapshot line without `tracked_as`).
fn fetch_record(issues: &[(String, Value)], cal: &Calendar) -> FetchRecord {
    let started = cal.now + Duration::hours(9) + Duration::minutes(38) + Duration::seconds(3);
    let mut clock = started;
    let windows = issues
        .iter()
        .map(|(_, v)| {
            clock += Duration::seconds(1);
            let at = utc_rfc3339(clock);
            let mut body = v.clone();
            if let Some(o) = body.as_object_mut() {
                o.remove("tracked_as");
            }
            FetchWindow {
                endpoint: format!("/repos/{REPO}/issues/{}", v["number"]),
                params: Vec::new(),
                fetched_at: at.clone(),
                pagination: "none".into(),
                pages: 1,
                received: 1,
                reported: None,
                note: None,
                requests: vec![crate::fetch_pages::answered(&[], &at, &body, 1)],
            }
        })
        .collect();
    FetchRecord {
        source: "github".into(),
        tool: concat!("pagerproof ", env!("CARGO_PKG_VERSION")).into(),
        api_url: pagerproof::fetch::github::DEFAULT_API.into(),
        since: None,
        until: None,
        started_at: utc_rfc3339(started),
        finished_at: utc_rfc3339(clock + Duration::seconds(1)),
        windows,
        missing_keys: Vec::new(),
    }
}
