//! PagerDuty REST API snapshots written by `pagerproof fetch pagerduty`. OWNER: fetch helper.

use serde::Serialize;

/// Snapshot contents other than incidents.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Snapshot {}
// TEMPORARY shim below; replaced by the fetch branch.
pub struct Loaded {
    pub snapshot: Snapshot,
    pub files: Vec<(crate::model::SourceFile, Vec<super::population::RowOutcome>)>,
    pub other_files: Vec<crate::model::SourceFile>,
}
pub fn load(_c: &crate::Config) -> anyhow::Result<Loaded> {
    Ok(Loaded {
        snapshot: Snapshot::default(),
        files: vec![],
        other_files: vec![],
    })
}
