//! pagerproof: SOC 2 incident-management evidence as one verifiable static site.
//!
//! The pipeline flows one way: `ingest` → `model` → `evidence` → `render` → `package`.
//! Only `fetch` touches the network, and it only writes snapshots into `content/`.

pub mod cli;
pub mod commands;
pub mod config;
pub mod evidence;
pub mod exit;
pub mod fetch;
pub mod ingest;
pub mod model;
pub mod package;
pub mod render;
pub mod util;

pub use config::Config;
