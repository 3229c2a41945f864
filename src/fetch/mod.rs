//! PagerDuty and Jira REST clients (the only network code). They write snapshots into `content/`
//! that `build` reads back (see `ingest::pagerduty` and `ingest::jira`).
//!
//! - [`client`]: one blocking HTTP client with credential handling and retries;
//! - [`retry`]: the back-off rules and the injectable sleeper;
//! - [`pagination`]: offset (with the 10,000 cap and reconciliation), windows, cursors;
//! - [`pagerduty`], [`jira`], [`statuspage`], [`github`]: what each fetch reads and the snapshot
//!   layout.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde_json::Value;

pub mod client;
pub mod github;
pub mod jira;
pub mod pagerduty;
pub mod pagination;
pub mod retry;
pub mod statuspage;

/// Builds a directory's new content in a hidden sibling (`.<name>.partial-<pid>`) with `fill`,
/// then swaps it into place. On failure (or interruption) the old directory is untouched and the
/// leftover is hidden and named partial, so nothing reads it as a snapshot.
pub fn write_dir_atomically(dir: &Path, fill: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = dir
        .file_name()
        .with_context(|| format!("{}: not a directory name", dir.display()))?
        .to_string_lossy()
        .into_owned();
    std::fs::create_dir_all(parent)
        .with_context(|| format!("{}: cannot create", parent.display()))?;
    let sibling =
        |what: &str| -> PathBuf { parent.join(format!(".{name}.{what}-{}", std::process::id())) };
    let tmp = sibling("partial");
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp)
            .with_context(|| format!("{}: cannot remove", tmp.display()))?;
    }
    std::fs::create_dir(&tmp).with_context(|| format!("{}: cannot create", tmp.display()))?;
    if let Err(e) = fill(&tmp) {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    let old = sibling("old");
    let had_old = dir.exists();
    if had_old {
        std::fs::rename(dir, &old)
            .with_context(|| format!("{}: cannot move aside", dir.display()))?;
    }
    if let Err(e) = std::fs::rename(&tmp, dir) {
        if had_old {
            let _ = std::fs::rename(&old, dir);
        }
        return Err(e).with_context(|| {
            format!("{}: cannot move the new snapshot into place", dir.display())
        });
    }
    if had_old {
        std::fs::remove_dir_all(&old)
            .with_context(|| format!("{}: cannot remove", old.display()))?;
    }
    Ok(())
}

/// One compact JSON record per line (keys sorted: serde_json's map is ordered).
pub fn write_jsonl(path: &Path, records: &[Value]) -> Result<()> {
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(path)
            .with_context(|| format!("{}: cannot create", path.display()))?,
    );
    for r in records {
        serde_json::to_writer(&mut out, r)?;
        out.write_all(b"\n")?;
    }
    out.flush()
        .with_context(|| format!("{}: cannot write", path.display()))
}

/// The kept raw bodies (`--keep-raw`), each at its path relative to the snapshot directory.
pub fn write_raw(dir: &Path, raw: &[(String, Vec<u8>)]) -> Result<()> {
    for (rel, bytes) in raw {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("{}: cannot create", parent.display()))?;
        }
        std::fs::write(&path, bytes)
            .with_context(|| format!("{}: cannot write", path.display()))?;
    }
    Ok(())
}

/// Pretty JSON with a final newline.
pub fn write_json(path: &Path, value: &Value) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    std::fs::write(path, text).with_context(|| format!("{}: cannot write", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_fill_keeps_the_old_directory() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("pagerduty");
        write_dir_atomically(&dir, |t| Ok(std::fs::write(t.join("a"), "1")?)).unwrap();
        let err = write_dir_atomically(&dir, |t| {
            std::fs::write(t.join("a"), "2")?;
            anyhow::bail!("interrupted")
        });
        assert!(err.is_err());
        assert_eq!(std::fs::read_to_string(dir.join("a")).unwrap(), "1");
        let names: Vec<_> = std::fs::read_dir(root.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("pagerduty")]);
        write_dir_atomically(&dir, |t| Ok(std::fs::write(t.join("b"), "3")?)).unwrap();
        assert!(!dir.join("a").exists());
        assert_eq!(std::fs::read_to_string(dir.join("b")).unwrap(), "3");
    }

    #[test]
    fn jsonl_sorts_keys() {
        let root = tempfile::tempdir().unwrap();
        let p = root.path().join("x.jsonl");
        write_jsonl(&p, &[serde_json::json!({"b": 1, "a": {"d": 2, "c": 3}})]).unwrap();
        assert_eq!(
            std::fs::read_to_string(p).unwrap(),
            "{\"a\":{\"c\":3,\"d\":2},\"b\":1}\n"
        );
    }
}
