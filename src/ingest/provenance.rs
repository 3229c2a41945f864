//! How a build was made, beyond its files: `SOURCE_DATE_EPOCH` and the content's git commit.
//! Both are recorded in the package (bag-info.txt, verify.html) so the auditor knows what the
//! evidence was prepared from.

use std::path::Path;
use std::process::Command;

use anyhow::{Result, bail};

use crate::config::Config;
use crate::model::BuildEnv;

/// `SOURCE_DATE_EPOCH` from the environment and the site's git commit (when the site's root is
/// the top of a git work tree and git is installed).
pub fn build_env(config: &Config) -> Result<BuildEnv> {
    let source_date_epoch = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(value) => Some(parse_source_date_epoch(&value)?),
        Err(_) => None,
    };
    let (content_commit, content_dirty) = match git_commit(&config.root) {
        Some((commit, dirty)) => (Some(commit), dirty),
        None => (None, false),
    };
    Ok(BuildEnv {
        source_date_epoch,
        content_commit,
        content_dirty,
    })
}

/// `SOURCE_DATE_EPOCH` is a decimal count of seconds since 1970-01-01 UTC.
pub fn parse_source_date_epoch(value: &str) -> Result<i64> {
    let value = value.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        bail!("SOURCE_DATE_EPOCH=`{value}` is not a decimal number of seconds");
    }
    match value.parse() {
        Ok(secs) => Ok(secs),
        Err(_) => bail!("SOURCE_DATE_EPOCH=`{value}` is too large"),
    }
}

/// HEAD's commit and whether the work tree has uncommitted changes, when `dir` is the top of a
/// git work tree. A site inside some other repository (an unpacked package under a project) is
/// not its own checkout.
fn git_commit(dir: &Path) -> Option<(String, bool)> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    if Path::new(&top).canonicalize().ok()? != dir.canonicalize().ok()? {
        return None;
    }
    let commit = git(dir, &["rev-parse", "HEAD"])?;
    let dirty =
        git(dir, &["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    Some((commit, dirty))
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_date_epoch_is_whole_seconds() {
        assert_eq!(
            parse_source_date_epoch("1735689599").unwrap(),
            1_735_689_599
        );
        assert!(parse_source_date_epoch("").is_err());
        assert!(parse_source_date_epoch("-5").is_err());
        assert!(parse_source_date_epoch("12a").is_err());
    }

    #[test]
    fn a_directory_that_is_no_checkout_has_no_commit() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(git_commit(dir.path()), None);
    }
}
