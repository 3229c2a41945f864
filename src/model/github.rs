//! GitHub issues as snapshotted by `fetch github`: corrective-action tickets besides Jira.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// One GitHub issue as snapshotted.
#[derive(Debug, Clone, Serialize)]
pub struct GithubIssue {
    /// `owner/repo#number` as the action item names it.
    pub tracked_as: String,
    pub title: Option<String>,
    /// `open` or `closed`.
    pub state: String,
    /// `completed`, `not_planned`, `duplicate`, `reopened`, or `None`.
    pub state_reason: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub url: Option<String>,
    /// The snapshot file and 1-based line it was read from.
    pub source: String,
    pub line: u64,
}
