//! Reading every input of a site into the model, accounting for every row.
//!
//! One module per input kind. Each returns model values; malformed files are errors naming the
//! file and line, bad CSV rows are rejected rows (counted and listed, never fatal).

pub mod csv_incidents;
pub mod file_names;
pub mod frontmatter;
pub mod github;
pub mod github_refs;
pub mod headers;
pub mod jira;
pub mod jira_refs;
pub mod lenient_json;
pub mod load;
pub mod pagerduty;
pub mod policy;
pub mod population;
pub mod postmortem;
pub mod provenance;
pub mod requests;
pub mod responses;
pub mod samples;
pub mod sidecar;
pub mod statuspage;
pub mod strict_json;
pub mod timestamp;

pub use load::load;
