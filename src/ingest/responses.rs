//! Management responses to exceptions: `content/responses/*.md` with TOML front matter.

use chrono::NaiveDate;
use serde::Serialize;

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
}
