//! `pagerproof verify --rebuild`: the package rebuilt from itself. Its `data/sources/` holds
//! site.toml and every input (theme files included), and its bag-info.txt the preparation instant
//! and content commit; building from them must give the packaged site file for file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use crate::config::Config;
use crate::model::BuildEnv;
use crate::package::bagit;

/// Rebuilds the verified package at `path` (a zip or an unzipped bag named `bag`) and compares.
pub fn run(path: &Path, bag: &str, quiet: bool) -> Result<ExitCode> {
    let work = tempfile::Builder::new()
        .prefix("pagerproof-rebuild-")
        .tempdir()
        .context("cannot create a temporary directory for the rebuild")?;
    let root = if path.is_dir() {
        path.to_path_buf()
    } else {
        unzip(path, work.path())?;
        work.path().join(bag)
    };
    let data = root.join("data");
    let sources = data.join("sources");
    if !sources.join("site.toml").is_file() {
        bail!(
            "{}: the package has no data/sources/site.toml: it was made by a pagerproof that did \
             not package its configuration, and cannot be rebuilt from itself",
            path.display()
        );
    }
    let info = std::fs::read_to_string(root.join("bag-info.txt"))
        .with_context(|| format!("{}: cannot read bag-info.txt", path.display()))?;
    let env = recorded_env(&info)?;
    let site = work.path().join("site");
    copy_inputs(&sources, &site)?;
    let config = Config::load(&site)?;
    let out = work.path().join("rebuilt");
    let built = super::build::build_site(&config, &out, quiet, Some(env))?;
    let differences = compare(&data, &out)?;
    println!("rebuilt from data/sources/: {}", built.summary);
    if differences.is_empty() {
        println!(
            "  identical: every file of the rebuilt site equals the packaged one ({} files)",
            files(&out)?.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    for d in &differences {
        eprintln!("DIFF {d}");
    }
    eprintln!(
        "{}: the rebuilt site differs from the packaged one in {} file(s); a different \
         pagerproof version than the one in bag-info.txt (Bag-Software-Agent) renders differently",
        path.display(),
        differences.len()
    );
    Ok(ExitCode::FAILURE)
}

/// The build environment bag-info.txt records: `Prepared-At` (as `SOURCE_DATE_EPOCH`) and
/// `Content-Commit`.
fn recorded_env(info: &str) -> Result<BuildEnv> {
    let fields = bagit::parse_fields(info);
    let at = bagit::field(&fields, "Prepared-At")
        .context("bag-info.txt has no Prepared-At: this package cannot be rebuilt from itself")?;
    let at = chrono::DateTime::parse_from_rfc3339(at)
        .with_context(|| format!("bag-info.txt: Prepared-At `{at}` is not an RFC 3339 instant"))?;
    let commit = bagit::field(&fields, "Content-Commit").unwrap_or_default();
    let (content_commit, content_dirty) = if commit.starts_with("none") || commit.is_empty() {
        (None, false)
    } else {
        match commit.strip_suffix(" (with uncommitted changes)") {
            Some(c) => (Some(c.to_string()), true),
            None => (Some(commit.to_string()), false),
        }
    };
    Ok(BuildEnv {
        source_date_epoch: Some(at.timestamp()),
        content_commit,
        content_dirty,
    })
}

/// Extracts a verified zip under `into` (entry names were checked by `verify`).
fn unzip(zip: &Path, into: &Path) -> Result<()> {
    let file =
        std::fs::File::open(zip).with_context(|| format!("{}: cannot open", zip.display()))?;
    let mut archive =
        zip::ZipArchive::new(file).with_context(|| format!("{}: not a zip", zip.display()))?;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        let Some(name) = entry.enclosed_name() else {
            bail!("{}: entry {i} leaves the archive", zip.display());
        };
        let target = into.join(name);
        if entry.is_dir() {
            std::fs::create_dir_all(&target)?;
            continue;
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut out = std::fs::File::create(&target)
            .with_context(|| format!("{}: cannot write", target.display()))?;
        std::io::copy(&mut entry, &mut out)?;
    }
    Ok(())
}

/// The inputs under `sources` (every file but the line pages render made beside them), copied
/// to `to` as a site to build.
fn copy_inputs(sources: &Path, to: &Path) -> Result<()> {
    let all = files(sources)?;
    for (rel, path) in &all {
        if crate::render::is_line_page(rel, |p| all.contains_key(p)) {
            continue;
        }
        let target = to.join(rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("{}: cannot create", parent.display()))?;
        }
        std::fs::copy(path, &target).with_context(|| format!("{}: cannot copy", path.display()))?;
    }
    Ok(())
}

/// Every path present in only one tree, or with different bytes.
fn compare(packaged: &Path, rebuilt: &Path) -> Result<Vec<String>> {
    let (a, b) = (files(packaged)?, files(rebuilt)?);
    let mut out = Vec::new();
    for (rel, path) in &a {
        match b.get(rel) {
            None => out.push(format!("{rel}: in the package, not in the rebuild")),
            Some(other) if std::fs::read(path)? != std::fs::read(other)? => {
                out.push(format!("{rel}: differs"))
            }
            Some(_) => {}
        }
    }
    for rel in b.keys().filter(|rel| !a.contains_key(*rel)) {
        out.push(format!("{rel}: in the rebuild, not in the package"));
    }
    Ok(out)
}

fn files(root: &Path) -> Result<BTreeMap<String, PathBuf>> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(root) {
        let entry = entry.with_context(|| format!("{}: cannot list", root.display()))?;
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(root).expect("under root");
            out.insert(rel.to_string_lossy().replace('\\', "/"), entry.into_path());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recorded_environment_reads_back() {
        let info = "Bagging-Date: 2027-01-01\nContent-Commit: abc123 (with uncommitted changes)\n\
                    Prepared-At: 2027-01-01T14:31:50Z\n";
        let env = recorded_env(info).unwrap();
        assert_eq!(env.source_date_epoch, Some(1_798_813_910));
        assert_eq!(env.content_commit.as_deref(), Some("abc123"));
        assert!(env.content_dirty);
        let none = recorded_env("Content-Commit: none: the site was not a git checkout\nPrepared-At: 2027-01-01T00:00:00Z\n").unwrap();
        assert_eq!(none.content_commit, None);
        assert!(recorded_env("Bagging-Date: 2027-01-01\n").is_err());
    }
}
