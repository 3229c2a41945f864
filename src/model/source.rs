//! Input files and the accounting of every row read from them (evidence-rules.md §2).

use serde::Serialize;

/// What kind of input a file is; decides where it is read and how it is linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    IncidentCsv,
    /// `<export>.csv.toml` beside a CSV export: who exported it, when, how (issue 16).
    ExportSidecar,
    Postmortem,
    Policy,
    PagerDutySnapshot,
    JiraSnapshot,
    Response,
    Sample,
    /// The auditor's request list, `content/requests.csv`.
    RequestList,
    /// `site.toml` itself, so the package can be rebuilt from its `sources/` alone.
    SiteConfig,
    /// A file of the site's own theme (`themes/<name>/`), for the same reason.
    Theme,
    StatuspageSnapshot,
    GithubSnapshot,
}

/// Row buckets, decided in this order (evidence-rules.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    Rejected,
    Duplicate,
    OutsidePeriod,
    Accepted,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Accounting {
    pub rows_read: u64,
    pub accepted: u64,
    pub duplicates: u64,
    pub outside_period: u64,
    pub rejected: u64,
}

impl Accounting {
    pub fn count(&mut self, bucket: Bucket) {
        self.rows_read += 1;
        match bucket {
            Bucket::Rejected => self.rejected += 1,
            Bucket::Duplicate => self.duplicates += 1,
            Bucket::OutsidePeriod => self.outside_period += 1,
            Bucket::Accepted => self.accepted += 1,
        }
    }

    pub fn add(&mut self, other: &Accounting) {
        self.rows_read += other.rows_read;
        self.accepted += other.accepted;
        self.duplicates += other.duplicates;
        self.outside_period += other.outside_period;
        self.rejected += other.rejected;
    }

    /// rows_read = accepted + duplicates + outside_period + rejected, always.
    pub fn balances(&self) -> bool {
        self.rows_read == self.accepted + self.duplicates + self.outside_period + self.rejected
    }
}

/// One input file, copied verbatim to `sources/` in the output.
#[derive(Debug, Clone, Serialize)]
pub struct SourceFile {
    /// Path relative to the site root, with `/` separators (e.g. `content/incidents/q1.csv`).
    pub path: String,
    /// Path of the verbatim copy relative to the output root (e.g. `sources/content/incidents/q1.csv`).
    pub copy: String,
    pub kind: SourceKind,
    pub sha256: String,
    pub bytes: u64,
    /// Row accounting; only meaningful for incident sources.
    pub accounting: Accounting,
    /// Free-form notes shown on the population page (export variant, warnings).
    pub notes: Vec<String>,
    /// A CSV export's parameters, from its sidecar; `None` for other kinds and for an export
    /// without one.
    pub export: Option<ExportParams>,
}

/// How a CSV export was made, as its sidecar `<export>.csv.toml` records it: an auditor testing
/// information produced by the entity asks exactly this (who ran which report with which filters).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExportParams {
    /// The sidecar's path relative to the site.
    pub sidecar: String,
    pub exported_by: String,
    /// As written in the sidecar (a TOML date-time).
    pub exported_at: String,
    /// The PagerDuty screen or report the file was downloaded from.
    pub screen: String,
    /// The report's date range, as written (a TOML date or date-time).
    pub since: Option<String>,
    pub until: Option<String>,
    /// Empty: no filter (every service, team, urgency).
    pub services: Vec<String>,
    pub teams: Vec<String>,
    pub urgency: Vec<String>,
}

/// Where a value came from: a file and a 1-based physical line (CSV) or record index (API snapshot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct RowRef {
    /// Interned: every log entry and row of a file names it.
    pub file: super::Sym,
    pub line: u64,
}

/// A row that could not be read as an incident.
#[derive(Debug, Clone, Serialize)]
pub struct RejectedRow {
    pub at: RowRef,
    pub reason: String,
    /// The incident number, when the row's number column (or record) can be read even though
    /// the row cannot: shown with the `row_rejected` exception and marked "rejected" in the
    /// number-gap list.
    pub number: Option<u64>,
}

/// A later duplicate row whose non-empty value differs from the kept one.
#[derive(Debug, Clone, Serialize)]
pub struct Conflict {
    pub number: u64,
    pub at: RowRef,
    pub field: String,
    pub kept: String,
    pub other: String,
}

/// A finding from loading inputs: shown by `check`, and errors stop `build`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    pub level: Level,
    pub file: String,
    pub line: Option<u64>,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Error,
    Warning,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        match self.line {
            Some(line) => write!(f, "{}:{}: {}: {}", self.file, line, level, self.message),
            None => write!(f, "{}: {}: {}", self.file, level, self.message),
        }
    }
}
