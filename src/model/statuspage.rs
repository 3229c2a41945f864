//! Statuspage incidents as snapshotted by `fetch statuspage`: what customers were told, and when.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::FetchRecordFile;

/// One Statuspage incident (or scheduled maintenance, which comes back from the same list).
#[derive(Debug, Clone, Serialize)]
pub struct StatuspageIncident {
    pub id: String,
    pub name: String,
    /// `investigating|identified|monitoring|resolved`, or for maintenance
    /// `scheduled|in_progress|verifying|completed`.
    pub status: Option<String>,
    /// `none|maintenance|minor|major|critical`.
    pub impact: Option<String>,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub scheduled_for: Option<DateTime<Utc>>,
    pub scheduled_until: Option<DateTime<Utc>>,
    pub components: Vec<StatuspageComponent>,
    /// The public link (`shortlink`), when the snapshot has one.
    pub shortlink: Option<String>,
    /// The snapshot file and 1-based line it was read from.
    pub source: String,
    pub line: u64,
}

impl StatuspageIncident {
    /// Scheduled maintenance (evidence-rules §9): `impact = "maintenance"` or `scheduled_for` set.
    pub fn is_maintenance(&self) -> bool {
        self.scheduled_for.is_some()
            || self
                .impact
                .as_deref()
                .is_some_and(|i| i.trim().eq_ignore_ascii_case("maintenance"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatuspageComponent {
    pub id: String,
    pub name: Option<String>,
}

/// What `[inputs] statuspage` holds. `Inputs.statuspage` is `None` when there is no snapshot at
/// all (then nothing is tested and every figure is zero).
#[derive(Debug, Clone, Default, Serialize)]
pub struct StatuspageSnapshot {
    /// Sorted by `created_at`, then id.
    pub incidents: Vec<StatuspageIncident>,
    /// The page's components from `components.jsonl` (sorted by id; empty without the file).
    pub components: Vec<StatuspageComponent>,
    pub fetch_records: Vec<FetchRecordFile>,
}

impl StatuspageSnapshot {
    /// The component's name when the snapshot knows it.
    pub fn component_name(&self, id: &str) -> Option<&str> {
        self.components
            .iter()
            .find(|c| c.id == id)
            .and_then(|c| c.name.as_deref())
    }
}
