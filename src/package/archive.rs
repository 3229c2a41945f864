//! The deterministic zip writer: entries sorted by the bytes of their name, one fixed timestamp,
//! mode 0644, Unix host, no extra fields, no directory entries, deflate level 6 (the deflate
//! backend is pinned by Cargo.lock).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::{Datelike, NaiveDate, Timelike};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, System, ZipWriter};

/// The compression setting is part of the package's identity: changing it changes every zip.
pub const COMPRESSION_LEVEL: i64 = 6;

/// 1980-01-01 00:00:00 UTC and 2107-12-31 23:59:58 UTC: the range a zip timestamp can hold.
const ZIP_EPOCH_MIN: i64 = 315_532_800;
const ZIP_EPOCH_MAX: i64 = 4_354_819_198;

/// Where an entry's bytes come from.
#[derive(Debug, Clone)]
pub enum Source {
    Bytes(Vec<u8>),
    /// A payload file, with the SHA-256 its manifests recorded: a file that changed since it
    /// was hashed would make the bag invalid, so writing it fails instead.
    File {
        path: PathBuf,
        sha256: String,
    },
}

#[derive(Debug, Clone)]
pub struct Entry {
    /// Full name inside the zip, `/`-separated (`<bag>/data/index.html`).
    pub name: String,
    pub source: Source,
}

/// The options of every entry: nothing here depends on the clock, the host or the file system.
pub fn entry_options(mtime: DateTime) -> SimpleFileOptions {
    SimpleFileOptions::DEFAULT
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(COMPRESSION_LEVEL))
        .last_modified_time(mtime)
        .unix_permissions(0o644)
        .system(System::Unix)
        .large_file(false)
}

/// Writes `entries`, sorted by name, to `path`.
pub fn write_zip(path: &Path, mut entries: Vec<Entry>, mtime: DateTime) -> Result<()> {
    entries.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    if let Some(pair) = entries.windows(2).find(|w| w[0].name == w[1].name) {
        bail!("{}: duplicate zip entry", pair[0].name);
    }
    let file = File::create(path).with_context(|| format!("{}: cannot create", path.display()))?;
    let mut zip = ZipWriter::new(BufWriter::new(file));
    let options = entry_options(mtime);
    for entry in &entries {
        let bytes = entry_bytes(&entry.source)?;
        zip.start_file(entry.name.as_str(), options)
            .with_context(|| format!("{}: cannot add {}", path.display(), entry.name))?;
        zip.write_all(&bytes)
            .with_context(|| format!("{}: cannot write {}", path.display(), entry.name))?;
    }
    let mut out = zip
        .finish()
        .with_context(|| format!("{}: cannot finish", path.display()))?;
    out.flush()
        .with_context(|| format!("{}: cannot write", path.display()))?;
    Ok(())
}

fn entry_bytes(source: &Source) -> Result<Vec<u8>> {
    match source {
        Source::Bytes(bytes) => Ok(bytes.clone()),
        Source::File { path, sha256 } => {
            let bytes =
                std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
            if &crate::util::sha256_hex(&bytes) != sha256 {
                bail!(
                    "{}: changed while the package was being written",
                    path.display()
                );
            }
            Ok(bytes)
        }
    }
}

/// The one timestamp of every entry: the preparation instant in UTC (clamped to what a zip can
/// hold). Zip times have no zone and 2-second resolution.
pub fn zip_time_at(prepared_at: chrono::DateTime<chrono::Utc>) -> Result<DateTime> {
    zip_time(prepared_at.date_naive(), Some(prepared_at.timestamp()))
}

/// The one timestamp of every entry: `SOURCE_DATE_EPOCH` when given (clamped to what a zip can
/// hold), else the as-of date at 00:00:00. Zip times have no zone and 2-second resolution.
pub fn zip_time(as_of: NaiveDate, source_date_epoch: Option<i64>) -> Result<DateTime> {
    let at = match source_date_epoch {
        Some(secs) => {
            let secs = secs.clamp(ZIP_EPOCH_MIN, ZIP_EPOCH_MAX);
            chrono::DateTime::from_timestamp(secs, 0)
                .context("SOURCE_DATE_EPOCH out of range")?
                .naive_utc()
        }
        None => as_of.and_time(chrono::NaiveTime::MIN),
    };
    let part = |v: u32| u8::try_from(v).expect("date parts fit in u8");
    let year = u16::try_from(at.year()).ok();
    year.and_then(|year| {
        DateTime::from_date_and_time(
            year,
            part(at.month()),
            part(at.day()),
            part(at.hour()),
            part(at.minute()),
            part(at.second()),
        )
        .ok()
    })
    .with_context(|| format!("{at}: a zip timestamp must lie in 1980..=2107"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn zip_time_uses_as_of_midnight_or_clamped_epoch() {
        let t = zip_time(date("2026-12-31"), None).unwrap();
        assert_eq!((t.year(), t.month(), t.day(), t.hour()), (2026, 12, 31, 0));
        let t = zip_time(date("2026-12-31"), Some(1_735_689_599)).unwrap();
        assert_eq!((t.year(), t.month(), t.day()), (2024, 12, 31));
        assert_eq!((t.hour(), t.minute(), t.second()), (23, 59, 58));
        let t = zip_time(date("2026-12-31"), Some(0)).unwrap();
        assert_eq!((t.year(), t.month(), t.day()), (1980, 1, 1));
        let t = zip_time(date("2026-12-31"), Some(i64::MAX)).unwrap();
        assert_eq!(t.year(), 2107);
        assert!(zip_time(date("1970-01-01"), None).is_err());
    }

    #[test]
    fn same_entries_in_any_order_give_identical_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let entry = |name: &str, body: &str| Entry {
            name: name.to_string(),
            source: Source::Bytes(body.as_bytes().to_vec()),
        };
        let a = vec![entry("b/x", "1"), entry("a/y", "2"), entry("a/Y", "3")];
        let b: Vec<Entry> = a.iter().rev().cloned().collect();
        let mtime = zip_time(date("2026-12-31"), None).unwrap();
        write_zip(&dir.path().join("a.zip"), a, mtime).unwrap();
        write_zip(&dir.path().join("b.zip"), b, mtime).unwrap();
        let a = std::fs::read(dir.path().join("a.zip")).unwrap();
        let b = std::fs::read(dir.path().join("b.zip")).unwrap();
        assert_eq!(a, b);
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(a)).unwrap();
        let names: Vec<String> = archive
            .file_names()
            .map(|n| n.unwrap().into_owned())
            .collect();
        assert_eq!(names, ["a/Y", "a/y", "b/x"]);
        let first = archive.by_index(0).unwrap();
        assert_eq!(first.unix_mode(), Some(0o100644));
        assert!(first.extra_data().is_none_or(|e| e.is_empty()));
    }

    #[test]
    fn a_file_changed_after_hashing_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, "new").unwrap();
        let source = Source::File {
            path,
            sha256: crate::util::sha256_hex(b"old"),
        };
        let err = entry_bytes(&source).unwrap_err().to_string();
        assert!(err.contains("changed while"), "{err}");
    }
}
