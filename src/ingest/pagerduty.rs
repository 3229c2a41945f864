//! PagerDuty REST API snapshots written by `pagerproof fetch pagerduty`. OWNER: fetch helper.

use serde::Serialize;

/// Snapshot contents other than incidents.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Snapshot {}
