//! Which GitHub issues the postmortems' action items track (`tracker.key` as `owner/repo#123`,
//! or `tracker.url` an issue URL): the list `pagerproof fetch github` reads.

use std::collections::BTreeSet;

use anyhow::Result;
use serde_json::Value;

use crate::config::Config;
use crate::util::github_issue_ref;

/// Every `owner/repo#number` the site's postmortems track, sorted.
pub fn referenced_issues(config: &Config) -> Result<BTreeSet<String>> {
    let mut refs = BTreeSet::new();
    let dir = config.path(&config.inputs.postmortems);
    for path in super::jira_refs::files_with_ext(&dir, &["json"]) {
        let text = std::fs::read_to_string(&path)?;
        match serde_json::from_str::<Value>(&text) {
            Ok(doc) => refs.extend(postmortem_refs(&doc)),
            Err(e) => eprintln!(
                "warning: {}: not JSON ({e}); its GitHub issues are not fetched",
                path.display()
            ),
        }
    }
    Ok(refs)
}

/// The GitHub issues a postmortem's action items track.
pub fn postmortem_refs(doc: &Value) -> Vec<String> {
    doc["action_items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| {
            let tracker = &item["tracker"];
            tracker["key"]
                .as_str()
                .and_then(github_issue_ref)
                .or_else(|| tracker["url"].as_str().and_then(github_issue_ref))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_items_name_issues_by_key_or_url() {
        let doc = serde_json::json!({"action_items": [
            {"tracker": {"system": "github", "key": "acme/api#12"}},
            {"tracker": {"url": "https://github.com/acme/web/issues/3"}},
            {"tracker": {"system": "jira", "key": "OPS-1"}},
            {"title": "no tracker"}]});
        assert_eq!(postmortem_refs(&doc), vec!["acme/api#12", "acme/web#3"]);
    }
}
