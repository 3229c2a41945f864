//! Which Jira keys a site's inputs reference (postmortem action-item trackers, incident titles,
//! API snapshot incidents): the list `pagerproof fetch jira` asks Jira for.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::Result;
use serde_json::Value;

use crate::config::Config;
use crate::util::{jira_key_from_url, jira_keys};

/// Every Jira key the site's postmortems and incidents reference.
pub fn referenced_keys(config: &Config) -> Result<BTreeSet<String>> {
    let mut keys = BTreeSet::new();
    for path in files_with_ext(&config.path(&config.inputs.postmortems), &["json"]) {
        let text = std::fs::read_to_string(&path)?;
        match serde_json::from_str::<Value>(&text) {
            Ok(doc) => keys.extend(postmortem_keys(&doc)),
            Err(e) => eprintln!(
                "warning: {}: not JSON ({e}); its Jira keys are not fetched",
                path.display()
            ),
        }
    }
    for path in files_with_ext(&config.path(&config.inputs.incidents), &["csv"]) {
        keys.extend(csv_keys(&path)?);
    }
    super::pagerduty::load(config, &mut SnapshotKeys(&mut keys))?;
    Ok(keys)
}

/// The Jira keys of every API snapshot incident record that could be read, rows dropped as read.
struct SnapshotKeys<'a>(&'a mut BTreeSet<String>);

impl super::population::RowSink for SnapshotKeys<'_> {
    fn start_file(&mut self) {}

    fn take_rows(&mut self, _file: &str, rows: Vec<super::population::RowOutcome>) {
        for row in rows.into_iter().flatten() {
            self.0.extend(row.jira_keys);
        }
    }
}

/// Keys of a postmortem's action item trackers (`tracker.key`, else the `/browse/` URL).
pub fn postmortem_keys(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for item in doc["action_items"].as_array().into_iter().flatten() {
        let tracker = &item["tracker"];
        let key = tracker["key"]
            .as_str()
            .and_then(|k| {
                jira_keys(k)
                    .into_iter()
                    .next()
                    .filter(|found| found == k.trim())
            })
            .or_else(|| tracker["url"].as_str().and_then(jira_key_from_url));
        out.extend(key);
    }
    out
}

/// Keys in the title-like columns of an incident CSV (description, title, summary, Jira ticket).
fn csv_keys(path: &Path) -> Result<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_path(path)?;
    let wanted: Vec<usize> = reader
        .headers()?
        .iter()
        .enumerate()
        .filter(|(_, h)| {
            let h = h.trim().to_ascii_lowercase();
            [
                "description",
                "title",
                "summary",
                "jira ticket id",
                "jira ticket url",
            ]
            .contains(&h.as_str())
        })
        .map(|(i, _)| i)
        .collect();
    let mut out = Vec::new();
    for record in reader.records().flatten() {
        for &i in &wanted {
            out.extend(jira_keys(record.get(i).unwrap_or_default()));
        }
    }
    Ok(out)
}

pub(crate) fn files_with_ext(dir: &Path, exts: &[&str]) -> Vec<std::path::PathBuf> {
    let mut out: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| {
            p.extension()
                .is_some_and(|x| exts.iter().any(|e| x.eq_ignore_ascii_case(e)))
        })
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postmortem_trackers_give_keys() {
        let doc = serde_json::json!({"action_items": [
            {"tracker": {"system": "jira", "key": "OPS-12"}},
            {"tracker": {"url": "https://acme.atlassian.net/browse/SEC-7"}},
            {"tracker": {"key": "not a key"}},
            {"title": "no tracker"}
        ]});
        assert_eq!(postmortem_keys(&doc), vec!["OPS-12", "SEC-7"]);
    }
}
