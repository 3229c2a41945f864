//! GitHub issue snapshots written by `pagerproof fetch github` (layout:
//! [`crate::model::layout::github`]): every `*.jsonl` file under `[inputs] github` holds one
//! issue per line with its `tracked_as` reference; `fetch-record.json` is provenance.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::config::Config;
use crate::ingest::pagerduty::{records, snapshot_paths, source_file_of};
use crate::model::layout::github::FETCH_RECORD;
use crate::model::{FetchRecord, FetchRecordFile, GithubIssue, SourceFile, SourceKind};
use crate::util::github_issue_ref;

#[derive(Debug, Default)]
pub struct Loaded {
    pub issues: BTreeMap<String, GithubIssue>,
    pub files: Vec<SourceFile>,
    pub fetch_records: Vec<FetchRecordFile>,
}

pub fn load(config: &Config) -> Result<Loaded> {
    let dir = config.path(&config.inputs.github);
    let mut loaded = Loaded::default();
    if !dir.is_dir() {
        return Ok(loaded);
    }
    let paths = snapshot_paths(config, &dir);
    for (rel, path) in paths {
        let bytes = std::fs::read(&path).with_context(|| format!("{rel}: cannot read"))?;
        let mut source = source_file_of(&rel, &bytes, SourceKind::GithubSnapshot);
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if name.ends_with(".jsonl") {
            for (line, v) in records(&rel, &bytes)? {
                let issue = issue(&v, &rel, line as u64)
                    .with_context(|| format!("{rel}:{line}: GitHub issue"))?;
                loaded.issues.insert(issue.tracked_as.clone(), issue);
            }
        } else if name == FETCH_RECORD {
            let record: FetchRecord = serde_json::from_slice(&bytes)
                .map_err(|e| anyhow::anyhow!("{rel}:{}: not a fetch record: {e}", e.line()))?;
            source.notes.push("fetch record (provenance)".into());
            loaded.fetch_records.push(FetchRecordFile {
                file: rel.clone(),
                record,
            });
        } else {
            source
                .notes
                .push("not an issue snapshot: copied, not read".into());
        }
        loaded.files.push(source);
    }
    Ok(loaded)
}

fn issue(v: &Value, source: &str, line: u64) -> Result<GithubIssue> {
    let text = |k: &str| {
        v[k].as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    // `tracked_as` is written by the fetch; a hand-dropped issue is keyed by its own URL.
    let tracked_as = text("tracked_as")
        .as_deref()
        .and_then(github_issue_ref)
        .or_else(|| text("html_url").as_deref().and_then(github_issue_ref))
        .context("no `tracked_as` (owner/repo#number) and no issue `html_url`")?;
    let closed_at = match text("closed_at") {
        Some(t) => Some(
            DateTime::parse_from_rfc3339(&t)
                .with_context(|| format!("`closed_at` = `{t}` is not an RFC 3339 time"))?
                .with_timezone(&Utc),
        ),
        None => None,
    };
    Ok(GithubIssue {
        tracked_as,
        title: text("title"),
        state: text("state").context("no `state`")?,
        state_reason: text("state_reason"),
        closed_at,
        url: text("html_url").filter(|u| crate::util::is_web_url(u)),
        source: source.to_string(),
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn issues_are_keyed_by_their_tracked_reference() {
        let v = json!({"tracked_as": "acme/api#12", "number": 12, "state": "closed",
            "state_reason": "completed", "closed_at": "2026-03-01T10:00:00Z",
            "html_url": "https://github.com/acme/api2/issues/12", "title": "Add retries"});
        let i = issue(&v, "content/github/issues.jsonl", 1).unwrap();
        assert_eq!(
            i.tracked_as, "acme/api#12",
            "the transferred issue keeps its reference"
        );
        assert_eq!(i.state_reason.as_deref(), Some("completed"));
        let hand = json!({"state": "open", "html_url": "https://github.com/acme/web/issues/3"});
        assert_eq!(issue(&hand, "x", 1).unwrap().tracked_as, "acme/web#3");
        let bad = json!({"tracked_as": "acme/api#1", "state": "closed", "closed_at": "soon"});
        assert!(format!("{:#}", issue(&bad, "x", 1).unwrap_err()).contains("closed_at"));
    }
}
