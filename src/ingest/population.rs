//! Merging rows from every incident source into the population, each row in exactly one bucket
//! (evidence-rules.md §2). OWNER: csv-ingest helper.

use crate::model::{IncidentRow, RejectedRow};

/// One row as read from a source: an incident row, or a rejected one with its reason.
pub type RowOutcome = Result<IncidentRow, RejectedRow>;
// TEMPORARY shim below; replaced by the csv branch.
use chrono::{DateTime, Utc};
use crate::model::{Accounting, Conflict, Incident};
pub struct Population { pub incidents: Vec<Incident>, pub rejected: Vec<RejectedRow>, pub per_file: Vec<Accounting>, pub total: Accounting, pub conflicts: Vec<Conflict> }
pub fn assemble(_f: Vec<(String, Vec<RowOutcome>)>, _s: DateTime<Utc>, _e: DateTime<Utc>) -> Population { unimplemented!() }
pub fn number_gaps(_n: &[u64]) -> Vec<(u64, u64)> { Vec::new() }
