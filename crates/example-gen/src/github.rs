//! The web team tracks its corrective actions in GitHub Issues, not Jira: action items whose
//! ticket would be in the `WEB` Jira project are written as `northwind/web-app#<n>` issues, and
//! `content/github/issues.jsonl` holds them as `fetch github` writes them. Each issue mirrors the
//! ticket's state (done: closed as completed when the ticket was resolved; else open), so the
//! evidence reaches the same verdict whichever tracker holds it.

use std::path::Path;

use anyhow::Result;
use serde_json::json;

use chrono::{DateTime, Utc};

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

/// The web URL.
pub fn url(jira_key: &str) -> Option<String> {
    let n = jira_key.strip_prefix(PROJECT)?;
    Some(format!("https://github.com/{REPO}/issues/{n}"))
}

/// `content/github/issues.jsonl`: one issue per GitHub-tracked ticket, sorted by reference.
pub fn write(out: &Path, tickets: &[Ticket]) -> Result<()> {
    let mut lines: Vec<(String, String)> = Vec::new();
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
        lines.push((tracked, serde_json::to_string(&v)?));
    }
    lines.sort();
    lines.dedup();
    let text: String = lines.iter().map(|(_, l)| format!("{l}\n")).collect();
    crate::write_file(out, "content/github/issues.jsonl", text.as_bytes())
}
