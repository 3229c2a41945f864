//! `data/summary.json` (evidence-rules.md §7). OWNER: evidence helper.

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Summary {}
