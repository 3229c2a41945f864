//! Jira issue snapshots written by `pagerproof fetch jira`. OWNER: fetch helper.

use serde::Serialize;

/// One Jira issue as snapshotted.
#[derive(Debug, Clone, Serialize)]
pub struct JiraIssue {
    pub key: String,
    pub summary: Option<String>,
    /// Status name (`In Progress`).
    pub status: Option<String>,
    /// `statusCategory.key`: `new`, `indeterminate` or `done`.
    pub status_category: Option<String>,
    pub url: Option<String>,
}
// TEMPORARY shim below; replaced by the fetch branch.
pub fn load(
    _c: &crate::Config,
) -> anyhow::Result<(
    std::collections::BTreeMap<String, JiraIssue>,
    Vec<crate::model::SourceFile>,
)> {
    Ok(Default::default())
}
