//! Jira issues as snapshotted by `fetch jira`: the corrective-action tickets.

use chrono::{DateTime, NaiveDate, Utc};
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
    /// Resolution name (`Done`, `Won't Do`, `Duplicate`, ...).
    pub resolution: Option<String>,
    /// `resolutiondate`: when the resolution was set.
    pub resolution_date: Option<DateTime<Utc>>,
    pub due_date: Option<NaiveDate>,
    pub assignee: Option<String>,
    /// The snapshot file and 1-based line (or record index in a `.json` file) it was read from.
    pub source: String,
    pub line: u64,
}

impl JiraIssue {
    /// Jira's own verdict: the status category is `done`.
    pub fn is_done(&self) -> bool {
        self.status_category
            .as_deref()
            .is_some_and(|c| c.eq_ignore_ascii_case("done"))
    }
}
