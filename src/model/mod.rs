//! Plain data types shared by the pipeline stages, the snapshot layout and the period. No I/O
//! lives here: `ingest` fills these types, `evidence` judges them, `render` lays them out.

pub mod github;
pub mod incident;
pub mod incident_store;
pub mod inputs;
pub mod jira;
pub mod oncall;
pub mod period;
pub mod policy;
pub mod postmortem;
pub mod previous;
pub mod request;
pub mod response;
pub mod sample;
pub mod secs;
pub mod snapshot;
pub mod source;
pub mod statuspage;
pub mod sym;
pub mod timeline;

pub use github::GithubIssue;
pub use incident::*;
pub use incident_store::Incidents;
pub use inputs::{BuildEnv, Inputs};
pub use jira::JiraIssue;
pub use oncall::*;
pub use policy::*;
pub use postmortem::*;
pub use previous::PreviousPeriod;
pub use request::{REQUESTS_FILE, Request};
pub use response::Response;
pub use sample::SampleRecord;
pub use secs::OptSecs;
pub use snapshot::{FetchRecordFile, Snapshot, layout};
pub use source::*;
pub use statuspage::{StatuspageComponent, StatuspageIncident, StatuspageSnapshot};
pub use sym::Sym;
pub use timeline::{Packer, Timeline};
