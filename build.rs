//! Records the git commit the binary is built from, for `pagerproof --version`. Builds outside a
//! git checkout (a crates.io tarball, a vendored copy) or without git get the version alone.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let version = std::env::var("CARGO_PKG_VERSION").expect("cargo sets CARGO_PKG_VERSION");
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    // Without this, a build script that prints no rerun-if line reruns on every change in the
    // package; with it, it reruns only when build.rs or (below) the checked-out commit changes.
    println!("cargo:rerun-if-changed=build.rs");
    let full = match commit(&manifest_dir) {
        Some(commit) => format!("{version} (commit {commit})"),
        None => version,
    };
    println!("cargo:rustc-env=PAGERPROOF_VERSION={full}");
}

/// HEAD's commit, when `dir` is the top of a git work tree (not merely inside some other
/// repository, as an unpacked crate might be). Also tells cargo which files to watch.
fn commit(dir: &Path) -> Option<String> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    if Path::new(&top).canonicalize().ok()? != dir.canonicalize().ok()? {
        return None;
    }
    // HEAD names the branch; the branch's ref file (or packed-refs) moves with every commit.
    // In a linked worktree HEAD lives in the worktree's git dir and refs in the common dir.
    let git_dir = absolute(dir, &git(dir, &["rev-parse", "--git-dir"])?);
    let common_dir = absolute(dir, &git(dir, &["rev-parse", "--git-common-dir"])?);
    println!("cargo:rerun-if-changed={}", git_dir.join("HEAD").display());
    if let Some(reference) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        let loose = common_dir.join(&reference);
        let watched = if loose.is_file() {
            loose
        } else {
            common_dir.join("packed-refs")
        };
        println!("cargo:rerun-if-changed={}", watched.display());
    }
    let commit = git(dir, &["rev-parse", "HEAD"])?;
    Some(commit.chars().take(12).collect())
}

fn absolute(base: &Path, path: &str) -> PathBuf {
    let p = Path::new(path);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !text.trim().is_empty()).then(|| text.trim().to_string())
}
