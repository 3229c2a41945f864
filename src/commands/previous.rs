//! `[package] previous`: the previous period's package, verified and read for the hash chain
//! and the "changes since last period" page.

use anyhow::{Context, Result, bail};

use crate::config::Config;
use crate::model::PreviousPeriod;
use crate::package::bagit::PreviousRef;
use crate::package::collection;

/// The previous package `config` names, if any. A package that does not verify is refused:
/// chaining to a tampered package would vouch for it.
pub fn load(config: &Config) -> Result<Option<PreviousPeriod>> {
    let Some(rel) = &config.package.previous else {
        return Ok(None);
    };
    let path = config.path(rel);
    let package = collection::open(&path, None).with_context(|| {
        format!("site.toml: [package] previous = \"{rel}\": cannot chain to this package")
    })?;
    let Some(summary) = package.files.get("data/summary.json") else {
        bail!(
            "{}: no data/summary.json: [package] previous must name a pagerproof package",
            path.display()
        );
    };
    let inputs = previous_inputs(&package)
        .with_context(|| format!("{}: cannot read its data/sources/", path.display()))?;
    Ok(Some(PreviousPeriod {
        zip_name: package.zip_name.clone(),
        zip_sha256: package.zip_sha256.clone(),
        identifier: package.identifier().to_string(),
        summary: summary.clone(),
        inputs,
    }))
}

/// The previous period's inputs, loaded from the copy of its site under `data/sources/`.
fn previous_inputs(package: &collection::Package) -> Result<Option<Box<crate::model::Inputs>>> {
    if !package.files.contains_key("sources/site.toml") {
        return Ok(None);
    }
    let work = tempfile::Builder::new()
        .prefix("pagerproof-previous-")
        .tempdir()
        .context("cannot create a temporary directory")?;
    let is_line_page =
        |rel: &str| crate::render::is_line_page(rel, |p| package.files.contains_key(p));
    for (rel, bytes) in &package.files {
        if is_line_page(rel) {
            continue;
        }
        let Some(rel) = rel.strip_prefix("sources/") else {
            continue;
        };
        let path = work.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("{}: cannot create", parent.display()))?;
        }
        std::fs::write(&path, bytes)
            .with_context(|| format!("{}: cannot write", path.display()))?;
    }
    let config = Config::load(work.path())?;
    Ok(Some(Box::new(crate::ingest::load(&config)?)))
}

/// What bag-info.txt records of the previous package.
pub fn reference(previous: &PreviousPeriod) -> PreviousRef {
    PreviousRef {
        zip_sha256: previous.zip_sha256.clone(),
        identifier: previous.identifier.clone(),
    }
}
