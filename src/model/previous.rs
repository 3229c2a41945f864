//! The previous period's package (`[package] previous`, issue 15): what the hash chain records
//! and what "changes since last period" compares with.

use super::Inputs;

/// Read by `commands` from the previous package, after verifying it.
#[derive(Debug, Default)]
pub struct PreviousPeriod {
    /// The zip's file name.
    pub zip_name: String,
    pub zip_sha256: String,
    /// Its bag-info.txt `External-Identifier`.
    pub identifier: String,
    /// Its `data/summary.json`, as packaged.
    pub summary: Vec<u8>,
    /// Its inputs, loaded from its `data/sources/` (site.toml, policy, PagerDuty snapshot);
    /// `None` for a package made before sources carried site.toml.
    pub inputs: Option<Box<Inputs>>,
}
