//! A management response to an exception (`content/responses/*.md`).

use chrono::NaiveDate;
use serde::Serialize;

/// One management response.
#[derive(Debug, Clone, Serialize)]
pub struct Response {
    /// The exception id it answers (`ack_breach:1042`).
    pub exception: String,
    pub owner: String,
    pub date: NaiveDate,
    pub status: Option<String>,
    pub remediation: Option<String>,
    pub body_markdown: String,
    pub source: String,
    /// Line of the `exception` key, for findings about it.
    pub line: u64,
}
