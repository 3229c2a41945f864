//! `pagerproof init DIR`: a small site that builds as is, to start from.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use crate::cli::InitArgs;

/// The scaffold's files: path in the new site → contents.
const FILES: &[(&str, &str)] = &[
    ("site.toml", include_str!("scaffold/site.toml")),
    (
        "content/policies/incident-response.md",
        include_str!("scaffold/incident-response.md"),
    ),
    (
        "content/incidents/incidents.csv",
        include_str!("scaffold/incidents.csv"),
    ),
    // The export's parameters, to be filled in by whoever downloads the real export.
    (
        "content/incidents/incidents.csv.toml",
        crate::ingest::sidecar::TEMPLATE,
    ),
    (
        "content/postmortems/PM-0001.json",
        include_str!("scaffold/PM-0001.json"),
    ),
    (
        "content/postmortems/PM-0002.json",
        include_str!("scaffold/PM-0002.json"),
    ),
    (
        "content/responses/ack_breach-102.md",
        include_str!("scaffold/response.md"),
    ),
];

pub fn run(args: &InitArgs) -> Result<ExitCode> {
    scaffold(&args.dir)?;
    println!(
        "created a site in {}; build it with: pagerproof build --site {}",
        args.dir.display(),
        args.dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn scaffold(dir: &Path) -> Result<()> {
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        bail!(
            "{}: exists and is not empty; init only writes into a new or empty directory",
            dir.display()
        );
    }
    for (rel, text) in FILES {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().expect("relative paths have parents"))?;
        std::fs::write(&path, text).with_context(|| format!("{}: cannot write", path.display()))?;
    }
    Ok(())
}
