//! The web team tracks its corrective actions in GitHub Issues, not Jira: action items whose
//! ticket would be in the `WEB` Jira project are written as `northwind/web-app#<n>` issues, and
//! `content/github/issues.jsonl` holds them as `fetch github` writes them. Each issue mirrors the
//! ticket's state (done: closed as completed when the ticket was resolved; else open), so the
//! evidence reaches the same verdict whichever tracker holds it.

use std::path::Path;

use anyhow::Result;
use serde_json::json;

use crate::jira::Jira;

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

/// `content/github/issues.jsonl`: one issue per GitHub-tracked action item, sorted by reference.
pub fn write(out: &Path, keys: &[String], jira: &Jira) -> Result<()> {
    let mut lines: Vec<(String, String)> = Vec::new();
    for key in keys {
        let (Some(tracked), Some(url)) = (tracked_as(key), url(key)) else {
            continue;
        };
        let Some(issue) = jira.issues.get(key) else {
            continue;
        };
        let at = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let closed = issue.done() && issue.resolved.is_some();
        let number: u64 = key[PROJECT.len()..].parse().unwrap_or_default();
        let v = json!({
            "tracked_as": tracked, "number": number, "title": issue.summary,
            "state": if closed { "closed" } else { "open" },
            "state_reason": if closed { json!("completed") } else { json!(null) },
            "closed_at": if closed { json!(issue.resolved.map(at)) } else { json!(null) },
            "created_at": at(issue.created), "updated_at": at(issue.updated),
            "html_url": url, "assignees": [],
        });
        lines.push((tracked, serde_json::to_string(&v)?));
    }
    lines.sort();
    lines.dedup();
    let text: String = lines.iter().map(|(_, l)| format!("{l}\n")).collect();
    crate::write_file(out, "content/github/issues.jsonl", text.as_bytes())
}
