//! The deterministic zip writer: entries sorted by the bytes of their name, one fixed timestamp,
//! mode 0644, Unix host, no extra fields, no directory entries. Tag files are deflated here by
//! zlib-rs at level 2; payload files in the spill (`super::spill`: libdeflate at level 1 up to
//! 1 MiB, zlib-rs at level 2 past it, files already compressed stored), whose entries are
//! copied here as they are. Both deflaters are pinned by Cargo.lock.

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::{Datelike, NaiveDate, Timelike};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use zip::write::{PreparedZipFile, SimpleFileOptions};
use zip::{CompressionMethod, DateTime, System, ZipWriter};

/// zlib-rs's level, for tag files and payload files past 1 MiB: part of the package's identity,
/// changing it changes every zip. Level 2 (zlib-rs's fast strategy): on 86 MB of incident and
/// line pages it deflates at about 196 MB/s to 19 MB, where the default level 6 takes 115 MB/s
/// for 17 MB; level 3 (157 MB/s, 18 MB) buys less and level 1 (330 MB/s, 23 MB) gives up a
/// third more size.
pub const COMPRESSION_LEVEL: i64 = 2;

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

/// Writes `entries`, sorted by name, to `path`; returns the zip's SHA-256.
pub fn write_zip(path: &Path, mut entries: Vec<Entry>, mtime: DateTime) -> Result<String> {
    entries.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    let mut zip = ZipStream::create(path, mtime)?;
    for entry in &entries {
        let bytes = entry_bytes(&entry.source)?;
        zip.add(vec![(entry.name.clone(), bytes)])?;
    }
    zip.finish()
}

/// A zip written front to back in name order: entries are deflated ahead of writing (in
/// parallel, see [`prepare`]) and appended in their given order, so the bytes do not depend on
/// the thread count. The zip's SHA-256 is computed as it is written, so nothing is read back.
pub struct ZipStream {
    path: PathBuf,
    zip: ZipWriter<HashingWriter<File>>,
    options: SimpleFileOptions,
    last: Option<Box<[u8]>>,
}

impl ZipStream {
    pub fn create(path: &Path, mtime: DateTime) -> Result<ZipStream> {
        let file =
            File::create(path).with_context(|| format!("{}: cannot create", path.display()))?;
        Ok(ZipStream {
            path: path.to_path_buf(),
            zip: ZipWriter::new(HashingWriter::new(file)),
            options: entry_options(mtime),
            last: None,
        })
    }

    /// The options every entry of this zip is deflated with (for [`prepare`] on other threads).
    pub fn options(&self) -> SimpleFileOptions {
        self.options
    }

    /// Deflates `entries` (name, bytes) in parallel and appends them in their given order.
    pub fn add(&mut self, entries: Vec<(String, Vec<u8>)>) -> Result<()> {
        let options = self.options;
        let prepared: Vec<_> = entries
            .into_par_iter()
            .map(|(name, bytes)| prepare(&name, options, &bytes))
            .collect::<Result<_>>()?;
        self.append(prepared)
    }

    /// Appends entries deflated by [`prepare`], whose names must follow every name added so far
    /// in byte order: a duplicate or an out-of-order name is an error, never a differently
    /// ordered zip.
    pub fn append(&mut self, files: Vec<PreparedZipFile>) -> Result<()> {
        for file in files {
            self.next_name(file.file_name_raw())?;
            let added = self.zip.add_prepared_file(file);
            added.with_context(|| self.cannot_add())?;
        }
        Ok(())
    }

    /// Appends an entry of another zip as it is stored there (no second deflate), under the
    /// same ordering rule as [`ZipStream::append`]. An entry deflated by [`prepare`] with this
    /// zip's options is copied to the same bytes `append` writes.
    pub fn copy_raw<R: std::io::Read>(&mut self, file: zip::read::ZipFile<'_, R>) -> Result<()> {
        self.next_name(file.name_raw())?;
        let copied = self.zip.raw_copy_file(file);
        copied.with_context(|| self.cannot_add())
    }

    /// Checks that `name` comes after every name added so far, and records it.
    fn next_name(&mut self, name: &[u8]) -> Result<()> {
        if let Some(last) = &self.last
            && **last >= *name
        {
            let (name, last) = (String::from_utf8_lossy(name), String::from_utf8_lossy(last));
            if last == name {
                bail!("{name}: duplicate zip entry");
            }
            bail!("{name}: zip entry out of order (after {last})");
        }
        self.last = Some(name.into());
        Ok(())
    }

    fn cannot_add(&self) -> String {
        let name = String::from_utf8_lossy(self.last.as_deref().unwrap_or_default());
        format!("{}: cannot add {name}", self.path.display())
    }

    /// Writes the central directory and returns the zip's SHA-256.
    pub fn finish(self) -> Result<String> {
        let path = self.path;
        let hashing = self
            .zip
            .finish()
            .with_context(|| format!("{}: cannot finish", path.display()))?;
        match hashing.finish() {
            Ok(Some(sha256)) => Ok(sha256),
            // Bytes rewritten in place (not done by today's writer for prepared entries): the
            // running hash no longer describes the file, so hash what is on disk.
            Ok(None) => super::file_sha256(&path),
            Err(e) => Err(e).with_context(|| format!("{}: cannot write", path.display())),
        }
    }
}

/// Deflates `data` into an entry named `name` (a tag file: the payload is deflated in the
/// spill, `super::spill`).
pub fn prepare(name: &str, options: SimpleFileOptions, data: &[u8]) -> Result<PreparedZipFile> {
    PreparedZipFile::from_data(name, options, data)
        .with_context(|| format!("{name}: cannot deflate"))
}

/// Buffers writes to `W` and hashes them, in order, on a thread of its own: the zip is written
/// on one thread, in name order, at the end of a package, and hashing its half a gigabyte (at
/// 100k incidents) there took a third of that time while the other core waited. Notes when a
/// seek rewrites bytes already hashed (then the hash is unusable).
pub struct HashingWriter<W: Write> {
    inner: W,
    /// Bytes written but not yet passed on; sent to the hasher with them.
    buf: Vec<u8>,
    pos: u64,
    hashed: u64,
    to_hasher: std::sync::mpsc::SyncSender<Vec<u8>>,
    hasher: std::thread::JoinHandle<Sha256>,
    rewritten: bool,
}

/// The bytes [`HashingWriter`] passes on at a time.
const HASHED_PIECE: usize = 256 << 10;

impl<W: Write + Seek> HashingWriter<W> {
    fn new(inner: W) -> Self {
        // A few pieces in flight: the writer never waits on the hasher unless it falls behind.
        let (to_hasher, pieces) = std::sync::mpsc::sync_channel::<Vec<u8>>(4);
        let hasher = std::thread::spawn(move || {
            let mut sha256 = Sha256::new();
            for piece in pieces {
                sha256.update(&piece);
            }
            sha256
        });
        HashingWriter {
            inner,
            buf: Vec::with_capacity(HASHED_PIECE),
            pos: 0,
            hashed: 0,
            to_hasher,
            hasher,
            rewritten: false,
        }
    }

    /// Flushes; the hex SHA-256 of everything written, or None when bytes were rewritten.
    fn finish(mut self) -> std::io::Result<Option<String>> {
        self.pass_on()?;
        self.inner.flush()?;
        let end = self.inner.seek(SeekFrom::End(0))?;
        let HashingWriter {
            to_hasher,
            hasher,
            hashed,
            rewritten,
            ..
        } = self;
        drop(to_hasher); // the hasher's last piece
        let sha256 = hasher.join().expect("the hasher does not panic");
        if rewritten || end != hashed {
            return Ok(None);
        }
        Ok(Some(hex::encode(sha256.finalize())))
    }
}

impl<W: Write> HashingWriter<W> {
    /// Writes what is buffered to `W` and, unless it rewrites bytes already hashed, sends it
    /// to the hasher.
    fn pass_on(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        self.inner.write_all(&self.buf)?;
        let start = self.pos - self.buf.len() as u64;
        if start != self.hashed {
            self.rewritten = true;
            self.buf.clear();
            return Ok(());
        }
        self.hashed += self.buf.len() as u64;
        let piece = std::mem::replace(&mut self.buf, Vec::with_capacity(HASHED_PIECE));
        if self.to_hasher.send(piece).is_err() {
            self.rewritten = true; // no hasher left: the hash cannot be trusted
        }
        Ok(())
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(buf);
        self.pos += buf.len() as u64;
        if self.buf.len() >= HASHED_PIECE {
            self.pass_on()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.pass_on()?;
        self.inner.flush()
    }
}

impl<W: Write + Seek> Seek for HashingWriter<W> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        // The zip writer asks where it is at every entry: answered without passing on a few
        // bytes at a time.
        if to == SeekFrom::Current(0) {
            return Ok(self.pos);
        }
        self.pass_on()?;
        self.pos = self.inner.seek(to)?;
        Ok(self.pos)
    }
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

    /// Hashed on its own thread, in order, across pieces; a seek that rewrites hashed bytes
    /// leaves no hash (the caller hashes the file instead), a seek that does not keeps it.
    #[test]
    fn the_hashing_writer_hashes_in_order_and_notices_a_rewrite() {
        let bytes: Vec<u8> = (0..HASHED_PIECE * 3 + 77)
            .map(|i| (i % 251) as u8)
            .collect();
        let written = |rewrite: bool| {
            let mut w = HashingWriter::new(std::io::Cursor::new(Vec::new()));
            for piece in bytes.chunks(10_007) {
                w.write_all(piece).unwrap();
            }
            assert_eq!(w.stream_position().unwrap(), bytes.len() as u64);
            if rewrite {
                w.seek(SeekFrom::Start(5)).unwrap();
                w.write_all(&bytes[5..9]).unwrap();
                w.seek(SeekFrom::End(0)).unwrap();
            }
            w.finish().unwrap()
        };
        assert_eq!(written(false), Some(crate::util::sha256_hex(&bytes)));
        assert_eq!(written(true), None);
    }

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
    fn the_zip_hash_is_taken_as_it_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.zip");
        let mtime = zip_time(date("2026-12-31"), None).unwrap();
        let mut zip = ZipStream::create(&path, mtime).unwrap();
        zip.add(vec![
            ("a".into(), b"1".repeat(100_000)),
            ("b".into(), vec![]),
        ])
        .unwrap();
        zip.add(vec![("c".into(), b"2".to_vec())]).unwrap();
        // Not the read-back fallback: the running hash must have seen every byte once.
        let hashing = zip.zip.finish().unwrap();
        let sha256 = hashing.finish().unwrap().expect("no bytes rewritten");
        assert_eq!(
            sha256,
            crate::util::sha256_hex(&std::fs::read(&path).unwrap())
        );
    }

    #[test]
    fn entries_out_of_order_or_twice_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mtime = zip_time(date("2026-12-31"), None).unwrap();
        let mut zip = ZipStream::create(&dir.path().join("a.zip"), mtime).unwrap();
        zip.add(vec![("b".into(), vec![])]).unwrap();
        let err = zip.add(vec![("b".into(), vec![])]).unwrap_err().to_string();
        assert!(err.contains("duplicate"), "{err}");
        let err = zip.add(vec![("a".into(), vec![])]).unwrap_err().to_string();
        assert!(err.contains("out of order"), "{err}");
    }

    /// `package` spills entries in render order and copies them into the zip in name order:
    /// a copied entry must be byte for byte the entry `append` writes.
    #[test]
    fn an_entry_copied_raw_from_another_zip_is_the_entry_appended() {
        let dir = tempfile::tempdir().unwrap();
        let mtime = zip_time(date("2026-12-31"), Some(1_790_000_123)).unwrap();
        let entries = [
            ("bag/data/a.html", "<p>a</p>".repeat(500)),
            ("bag/data/b é.txt", String::new()),
            ("bag/data/c/d.csv", "x,y\r\n".repeat(20_000)),
        ];
        let appended = dir.path().join("appended.zip");
        let mut zip = ZipStream::create(&appended, mtime).unwrap();
        let prepared =
            |name: &str, body: &str| prepare(name, entry_options(mtime), body.as_bytes());
        for (name, body) in &entries {
            zip.append(vec![prepared(name, body).unwrap()]).unwrap();
        }
        let appended_sha = zip.finish().unwrap();

        // The spill: the same entries, another order, another writer.
        let spill_path = dir.path().join("spill.zip");
        let mut spill = ZipWriter::new(File::create(&spill_path).unwrap());
        for (name, body) in entries.iter().rev() {
            spill
                .add_prepared_file(prepared(name, body).unwrap())
                .unwrap();
        }
        spill.finish().unwrap();
        let mut spill = zip::ZipArchive::new(File::open(&spill_path).unwrap()).unwrap();
        let copied = dir.path().join("copied.zip");
        let mut zip = ZipStream::create(&copied, mtime).unwrap();
        for (name, _) in &entries {
            let index = spill.index_for_name(name).unwrap();
            zip.copy_raw(spill.by_index_raw(index).unwrap()).unwrap();
        }
        let copied_sha = zip.finish().unwrap();
        assert_eq!(
            std::fs::read(&copied).unwrap(),
            std::fs::read(&appended).unwrap()
        );
        assert_eq!(copied_sha, appended_sha);
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
