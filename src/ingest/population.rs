//! Merging rows from every incident source into the population, each row in exactly one bucket
//! (evidence-rules.md §2). OWNER: csv-ingest helper.

use crate::model::{IncidentRow, RejectedRow};

/// One row as read from a source: an incident row, or a rejected one with its reason.
pub type RowOutcome = Result<IncidentRow, RejectedRow>;
