//! Jira issue snapshots written by `pagerproof fetch jira` (layout: [`crate::model::layout::jira`]).
//!
//! Every `*.jsonl` file under `[inputs] jira` holds one issue per line; a `*.json` file may hold
//! one issue, a list of issues, or a search response (`{"issues": [...]}`), so hand-exported
//! issues can be dropped in too. `fetch-record.json` is provenance, copied but not read as issues.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use serde_json::Value;

use crate::config::Config;
use crate::ingest::pagerduty::{records, snapshot_paths, source_file_of};
use crate::model::layout::jira::FETCH_RECORD;
use crate::model::{FetchRecord, FetchRecordFile, JiraIssue, SourceFile, SourceKind};

/// Every issue under `[inputs] jira` by key (a later file's copy of a key replaces an earlier
/// one: files are read in path byte order), and the snapshot files.
/// What `[inputs] jira` holds: the issues by key, the snapshot files, and the fetch records.
#[derive(Debug, Default)]
pub struct Loaded {
    pub issues: BTreeMap<String, JiraIssue>,
    pub files: Vec<SourceFile>,
    pub fetch_records: Vec<FetchRecordFile>,
}

pub fn load(config: &Config) -> Result<Loaded> {
    let dir = config.path(&config.inputs.jira);
    let mut loaded = Loaded::default();
    if !dir.is_dir() {
        return Ok(loaded);
    }
    let paths = snapshot_paths(config, &dir);
    let browse = config
        .links
        .jira
        .as_deref()
        .map(|b| b.trim_end_matches('/').to_string());
    for (rel, path) in paths {
        let bytes = std::fs::read(&path).with_context(|| format!("{rel}: cannot read"))?;
        let mut source = source_file_of(&rel, &bytes, SourceKind::JiraSnapshot);
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let found: Vec<(usize, Value)> = if name.ends_with(".jsonl") {
            records(&rel, &bytes)?
        } else if name == FETCH_RECORD {
            let record: FetchRecord = serde_json::from_slice(&bytes)
                .map_err(|e| anyhow::anyhow!("{rel}:{}: not a fetch record: {e}", e.line()))?;
            source.notes.push("fetch record (provenance)".into());
            loaded.fetch_records.push(FetchRecordFile {
                file: rel.clone(),
                record,
            });
            Vec::new()
        } else if name.ends_with(".json") {
            let v: Value = serde_json::from_slice(&bytes)
                .map_err(|e| anyhow::anyhow!("{rel}:{}: {e}", e.line()))?;
            json_issues(v)
        } else {
            source
                .notes
                .push("not an issue snapshot: copied, not read".into());
            Vec::new()
        };
        for (line, v) in found {
            let issue = issue(&v, &rel, line as u64, browse.as_deref())
                .with_context(|| format!("{rel}:{line}: Jira issue"))?;
            loaded.issues.insert(issue.key.clone(), issue);
        }
        loaded.files.push(source);
    }
    Ok(loaded)
}

/// The issues of a `.json` file with their 1-based record index.
fn json_issues(v: Value) -> Vec<(usize, Value)> {
    let list = match v {
        Value::Array(a) => a,
        Value::Object(mut o) => match o.remove("issues") {
            Some(Value::Array(a)) => a,
            Some(_) => Vec::new(),
            None => vec![Value::Object(o)],
        },
        _ => Vec::new(),
    };
    list.into_iter()
        .enumerate()
        .map(|(i, v)| (i + 1, v))
        .collect()
}

fn issue(v: &Value, source: &str, line: u64, browse: Option<&str>) -> Result<JiraIssue> {
    let key = text(&v["key"]).context("no `key`")?;
    let f = &v["fields"];
    // The browse URL: the site's Jira link, else the host of the issue's REST `self` URL.
    let base = browse.map(str::to_string).or_else(|| {
        v["self"]
            .as_str()
            .and_then(|s| s.split("/rest/").next())
            .map(str::to_string)
    });
    Ok(JiraIssue {
        url: base.map(|b| format!("{b}/browse/{key}")),
        summary: text(&f["summary"]),
        status: text(&f["status"]["name"]),
        status_category: text(&f["status"]["statusCategory"]["key"]),
        resolution: text(&f["resolution"]["name"]),
        // Jira writes `2026-12-28T09:47:59.000+0000`; the offset makes the export zone moot.
        resolution_date: f["resolutiondate"]
            .as_str()
            .and_then(|t| super::timestamp::parse(t, chrono_tz::UTC).ok().flatten()),
        due_date: f["duedate"]
            .as_str()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
        assignee: text(&f["assignee"]["displayName"]).or_else(|| text(&f["assignee"]["name"])),
        key,
        source: source.to_string(),
        line,
    })
}

fn text(v: &Value) -> Option<String> {
    v.as_str()
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_files_hold_an_issue_a_list_or_a_search_response() {
        let one = json!({"key": "OPS-1", "fields": {}});
        assert_eq!(json_issues(one.clone()).len(), 1);
        assert_eq!(json_issues(json!([one.clone(), one.clone()])).len(), 2);
        let search = json_issues(json!({"issues": [one], "isLast": true}));
        assert_eq!(search[0].0, 1);
    }

    #[test]
    fn issues_take_status_category_and_a_browse_url() {
        let v = json!({"key": "OPS-9", "self": "https://acme.atlassian.net/rest/api/3/issue/10001", "fields": {
            "summary": "Add lock timeout", "duedate": "2024-03-30", "resolution": null,
            "status": {"name": "Closed", "statusCategory": {"key": "done"}},
            "assignee": {"name": "slee"}}});
        let i = issue(&v, "content/jira/issues.jsonl", 3, None).unwrap();
        assert!(i.is_done());
        assert_eq!(
            i.url.as_deref(),
            Some("https://acme.atlassian.net/browse/OPS-9")
        );
        assert_eq!(i.due_date, NaiveDate::from_ymd_opt(2024, 3, 30));
        assert_eq!(i.assignee.as_deref(), Some("slee"));
        let linked = issue(&v, "x", 1, Some("https://jira.example.com")).unwrap();
        assert_eq!(
            linked.url.as_deref(),
            Some("https://jira.example.com/browse/OPS-9")
        );
        assert!(issue(&json!({"fields": {}}), "x", 1, None).is_err());
    }
}
