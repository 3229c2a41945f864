//! An auditor's sample as drawn and recorded (`content/samples/*.json`, evidence-rules §8).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub const SCHEMA: &str = "pagerproof.sample.v1";

/// A sample as drawn: enough to re-derive it and to see whether the population changed since.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleRecord {
    pub schema: String,
    pub seed: String,
    pub size: usize,
    pub stratify: Option<Stratify>,
    pub algorithm: String,
    pub population: PopulationRef,
    pub picks: Vec<Pick>,
    /// Who drew it (`sample --drawn-by`): the auditor supplies the seed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drawn_by: Option<String>,
    /// The date it was drawn (`sample --drawn-on`, by default the day `sample` ran).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drawn_on: Option<NaiveDate>,
    /// The file it was read from (not stored in the file).
    #[serde(skip)]
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationRef {
    pub count: usize,
    pub sha256: String,
}

/// How a sample is stratified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stratify {
    Severity,
    Quarter,
}

/// One selected incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pick {
    pub number: u64,
    pub stratum: Option<String>,
    /// Hex SHA-256 rank of the incident, so anyone can re-derive the order.
    pub rank: String,
}
