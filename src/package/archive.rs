//! The deterministic zip writer: entries sorted by the bytes of their name, one fixed timestamp,
//! mode 0644, Unix host, no extra fields but ZIP64's, no directory entries. Tag files are
//! deflated here by zlib-rs at level 2; payload files in the spill (`super::spill`: libdeflate
//! at level 1 up to 8 MiB, zlib-rs at level 2 past it, files already compressed stored), whose
//! stored bytes are copied here as they are. Both deflaters are pinned by Cargo.lock.
//!
//! The zip is written here, not by the `zip` crate, byte for byte as the crate's `ZipWriter`
//! wrote it (`add_prepared_file`, `raw_copy_file`, `finish`; a unit test holds the two
//! together): the crate keeps a record of every entry, name and all, until its central
//! directory is written (with the reader of the spill that fed it, 1.1M of each at a million
//! incidents, the package's peak). Here an entry leaves a record of 40 bytes, and the central
//! directory takes the copied entries' names again from the caller ([`ZipStream::finish`]).

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::{Datelike, NaiveDate, Timelike};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use zip::DateTime;

use super::zipread::{CENTRAL, EOCD, EOCD64, EOCD64_LOCATOR, LOCAL};

/// zlib-rs's level, for tag files and payload files past 8 MiB: part of the package's identity,
/// changing it changes every zip. Level 2 (zlib-rs's fast strategy): on 86 MB of incident and
/// line pages it deflates at about 196 MB/s to 19 MB, where the default level 6 takes 115 MB/s
/// for 17 MB; level 3 (157 MB/s, 18 MB) buys less and level 1 (330 MB/s, 23 MB) gives up a
/// third more size.
pub const COMPRESSION_LEVEL: u32 = 2;

/// 1980-01-01 00:00:00 UTC and 2107-12-31 23:59:58 UTC: the range a zip timestamp can hold.
const ZIP_EPOCH_MIN: i64 = 315_532_800;
const ZIP_EPOCH_MAX: i64 = 4_354_819_198;

/// The ZIP64 extended information extra field's id.
const ZIP64_FIELD: u16 = 0x0001;
/// A 32-bit field's value that says "see the ZIP64 field"; any value from it up needs one.
const SATURATED: u64 = 0xFFFF_FFFF;
/// Entries an end-of-central-directory record counts; more need the ZIP64 end records.
const MAX_COUNT: u64 = 0xFFFF;
/// The host of "version made by": Unix.
const UNIX: u16 = 3 << 8;
/// A regular file, mode 0644 (`unix_permissions(0o644)` in the `zip` crate).
const EXTERNAL_ATTRIBUTES: u32 = 0o100_644 << 16;
/// General purpose flag 11: the name is UTF-8.
const UTF8_NAME: u16 = 1 << 11;

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

/// Writes `entries`, sorted by name, to `path`; returns the zip's SHA-256.
pub fn write_zip(path: &Path, mut entries: Vec<Entry>, mtime: DateTime) -> Result<String> {
    entries.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    let mut zip = ZipStream::create(path, mtime)?;
    for entry in &entries {
        let bytes = entry_bytes(&entry.source)?;
        zip.add(vec![(entry.name.clone(), bytes)])?;
    }
    zip.finish(std::iter::empty::<&[u8]>())
}

/// How an entry's bytes are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Stored,
    Deflated,
}

/// An entry's bytes as a zip stores them: how, their CRC-32 and both sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Raw {
    pub method: Method,
    pub crc32: u32,
    pub compressed: u64,
    pub size: u64,
}

impl Raw {
    /// Whether a size needs the ZIP64 field: then both sizes go there, in the local header too
    /// (the `zip` crate's `large_file`, which it sets for such an entry).
    fn large(self) -> bool {
        self.compressed.max(self.size) >= SATURATED
    }

    /// The version needed to extract (APPNOTE 4.4.3.2) as the `zip` crate reckons it: 1.0 to
    /// store, 2.0 to deflate, 4.5 for ZIP64 sizes. An offset past 32 bits does not count.
    fn version_needed(self) -> u16 {
        let method = match self.method {
            Method::Stored => 10,
            Method::Deflated => 20,
        };
        if self.large() { method.max(45) } else { method }
    }

    fn method_code(self) -> u16 {
        match self.method {
            Method::Stored => 0,
            Method::Deflated => 8,
        }
    }
}

/// An entry deflated ahead of writing, on any thread ([`prepare`]).
pub struct Prepared {
    name: String,
    raw: Raw,
    bytes: Vec<u8>,
}

/// Deflates `data` into an entry named `name` (a tag file: the payload is deflated in the
/// spill, `super::spill`): one `write_all` and `finish` of flate2's encoder, the calls the `zip`
/// crate made, since zlib-rs's output depends on how its input is fed.
pub fn prepare(name: &str, data: &[u8]) -> Result<Prepared> {
    let level = flate2::Compression::new(COMPRESSION_LEVEL);
    let mut deflater = flate2::write::DeflateEncoder::new(Vec::new(), level);
    let deflated = deflater.write_all(data).and_then(|()| deflater.finish());
    let bytes = deflated.with_context(|| format!("{name}: cannot deflate"))?;
    let raw = Raw {
        method: Method::Deflated,
        crc32: crc32fast::hash(data),
        compressed: bytes.len() as u64,
        size: data.len() as u64,
    };
    Ok(Prepared {
        name: name.to_string(),
        raw,
        bytes,
    })
}

/// A zip written front to back in name order, never seeking: entries are deflated ahead of
/// writing (in parallel, see [`prepare`]) or copied as another file stores them, and appended
/// in their given order, so the bytes do not depend on the thread count. The zip's SHA-256 is
/// computed as it is written, so nothing is read back.
pub struct ZipStream<W: Write = HashingWriter<File>> {
    out: W,
    /// The zip's path, for errors.
    path: PathBuf,
    /// Where the next entry's local header goes.
    at: u64,
    /// The entries' DOS time and date.
    dos: (u16, u16),
    /// What the central directory says of each entry, but its name.
    written: Vec<Written>,
    /// The names of the entries appended ([`ZipStream::append`]), by index: tag files, a few.
    /// Those of the entries copied ([`ZipStream::copy_raw`]), the payload, are not kept.
    held: Vec<(usize, Box<[u8]>)>,
    /// The last name added.
    last: Vec<u8>,
    /// A local header or a central-directory record (reused).
    header: Vec<u8>,
}

/// An entry written: 40 bytes, its name left out.
struct Written {
    raw: Raw,
    /// Where its local header is.
    offset: u64,
    /// The CRC-32 of its name, to check the name [`ZipStream::finish`] is given for a copied
    /// entry.
    name_crc: u32,
}

const _: () = assert!(std::mem::size_of::<Written>() == 40);

impl ZipStream {
    pub fn create(path: &Path, mtime: DateTime) -> Result<ZipStream> {
        let file =
            File::create(path).with_context(|| format!("{}: cannot create", path.display()))?;
        Ok(ZipStream::new(HashingWriter::new(file), path, mtime, 0))
    }

    /// Writes the central directory and returns the zip's SHA-256. `copied` gives again the
    /// names of the entries copied by [`ZipStream::copy_raw`], in the order they were copied:
    /// the bag's list of files holds them, and a copy here would be 60 MB at a million
    /// incidents (55 bytes a name).
    pub fn finish<N: AsRef<[u8]>>(self, copied: impl IntoIterator<Item = N>) -> Result<String> {
        let path = self.path.clone();
        let hashing = self.write_central_directory(copied)?;
        let sha256 = hashing.finish();
        sha256.with_context(|| format!("{}: cannot write", path.display()))
    }
}

impl<W: Write> ZipStream<W> {
    /// A zip written to `out` (named `path` in errors), as if `at` bytes came before it.
    fn new(out: W, path: &Path, mtime: DateTime, at: u64) -> ZipStream<W> {
        ZipStream {
            out,
            path: path.to_path_buf(),
            at,
            dos: (mtime.timepart(), mtime.datepart()),
            written: Vec::new(),
            held: Vec::new(),
            last: Vec::new(),
            header: Vec::new(),
        }
    }

    /// Deflates `entries` (name, bytes) in parallel and appends them in their given order.
    pub fn add(&mut self, entries: Vec<(String, Vec<u8>)>) -> Result<()> {
        let prepared: Vec<_> = entries
            .into_par_iter()
            .map(|(name, bytes)| prepare(&name, &bytes))
            .collect::<Result<_>>()?;
        self.append(prepared)
    }

    /// Appends entries deflated by [`prepare`], whose names must follow every name added so far
    /// in byte order: a duplicate or an out-of-order name is an error, never a differently
    /// ordered zip.
    pub fn append(&mut self, files: Vec<Prepared>) -> Result<()> {
        for file in files {
            self.write_entry(file.name.as_bytes(), file.raw, &file.bytes[..])?;
            let index = self.written.len() - 1;
            self.held.push((index, file.name.into_bytes().into()));
        }
        Ok(())
    }

    /// Appends an entry whose stored bytes (`raw.compressed` of them) `bytes` reads, as they
    /// are (no second deflate), under the same ordering rule as [`ZipStream::append`]. An entry
    /// deflated by [`prepare`] is copied to the same bytes `append` writes.
    pub fn copy_raw(&mut self, name: &str, raw: Raw, bytes: impl Read) -> Result<()> {
        self.write_entry(name.as_bytes(), raw, bytes)
    }

    fn write_entry(&mut self, name: &[u8], raw: Raw, bytes: impl Read) -> Result<()> {
        // Its length is a 16-bit field: refused rather than written as a zip no reader can read.
        if u16::try_from(name.len()).is_err() {
            let name = String::from_utf8_lossy(&name[..100]);
            bail!("{name}…: a zip entry's name must be shorter than 64 KiB");
        }
        self.next_name(name)?;
        self.header.clear();
        local_header(&mut self.header, name, self.dos, raw);
        let copied = self
            .out
            .write_all(&self.header)
            .and_then(|()| std::io::copy(&mut bytes.take(raw.compressed), &mut self.out));
        let copied = copied.with_context(|| self.cannot_add())?;
        if copied != raw.compressed {
            let what = self.cannot_add();
            bail!("{what}: its bytes end after {copied} of {}", raw.compressed);
        }
        self.written.push(Written {
            raw,
            offset: self.at,
            name_crc: crc32fast::hash(name),
        });
        self.at += self.header.len() as u64 + raw.compressed;
        Ok(())
    }

    /// Checks that `name` comes after every name added so far, and records it.
    fn next_name(&mut self, name: &[u8]) -> Result<()> {
        if !self.written.is_empty() && *self.last >= *name {
            let (name, last) = (
                String::from_utf8_lossy(name),
                String::from_utf8_lossy(&self.last),
            );
            if last == name {
                bail!("{name}: duplicate zip entry");
            }
            bail!("{name}: zip entry out of order (after {last})");
        }
        self.last.clear();
        self.last.extend_from_slice(name);
        Ok(())
    }

    fn cannot_add(&self) -> String {
        let name = String::from_utf8_lossy(&self.last);
        format!("{}: cannot add {name}", self.path.display())
    }

    /// Writes the central directory (see [`ZipStream::finish`]) and the end records; the
    /// writer, every byte passed to it.
    fn write_central_directory<N: AsRef<[u8]>>(
        mut self,
        copied: impl IntoIterator<Item = N>,
    ) -> Result<W> {
        let start = self.at;
        let mut copied = copied.into_iter();
        let mut held = std::mem::take(&mut self.held).into_iter().peekable();
        for i in 0..self.written.len() {
            if let Some((_, name)) = held.next_if(|(at, _)| *at == i) {
                self.write_central_record(i, &name)?;
                continue;
            }
            let shown = self.path.display();
            let name = copied
                .next()
                .with_context(|| format!("{shown}: no name for entry #{i}"))?;
            let name = name.as_ref();
            if crc32fast::hash(name) != self.written[i].name_crc {
                let name = String::from_utf8_lossy(name);
                bail!("{shown}: {name} is not the name of entry #{i}");
            }
            self.write_central_record(i, name)?;
        }
        if copied.next().is_some() {
            bail!("{}: more names than entries copied", self.path.display());
        }
        // What the ZIP64 end record says is needed: the most any entry needs.
        let needed = self.written.iter().map(|e| e.raw.version_needed());
        let needed = needed.max().unwrap_or(10);
        self.header.clear();
        let count = self.written.len() as u64;
        end_records(&mut self.header, count, start, self.at - start, needed);
        self.out
            .write_all(&self.header)
            .and_then(|()| self.out.flush())
            .with_context(|| format!("{}: cannot write", self.path.display()))?;
        Ok(self.out)
    }

    /// Writes entry `i`'s central-directory record, under `name`.
    fn write_central_record(&mut self, i: usize, name: &[u8]) -> Result<()> {
        self.header.clear();
        central_record(&mut self.header, name, self.dos, &self.written[i]);
        self.out
            .write_all(&self.header)
            .with_context(|| format!("{}: cannot write", self.path.display()))?;
        self.at += self.header.len() as u64;
        Ok(())
    }
}

fn push_u16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn push_u32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn push_u64(out: &mut Vec<u8>, value: u64) {
    out.extend_from_slice(&value.to_le_bytes());
}

/// A value for a 32-bit field: itself, or [`SATURATED`] when the ZIP64 field holds it.
fn field_32(value: u64) -> u32 {
    value.min(SATURATED) as u32
}

/// The fields a local header and a central-directory record share, in the same order: version
/// needed, flags (UTF-8 when the name is not ASCII), method, time, date, CRC-32, both sizes
/// (saturated for a large entry, whose ZIP64 field has them both) and the name's length.
fn push_entry_fields(out: &mut Vec<u8>, name: &[u8], dos: (u16, u16), raw: Raw) {
    let flags = if name.is_ascii() { 0 } else { UTF8_NAME };
    for field in [raw.version_needed(), flags, raw.method_code(), dos.0, dos.1] {
        push_u16(out, field);
    }
    push_u32(out, raw.crc32);
    for size in [raw.compressed, raw.size] {
        push_u32(
            out,
            if raw.large() {
                u32::MAX
            } else {
                field_32(size)
            },
        );
    }
    push_u16(out, name.len() as u16);
}

/// An entry's local header: a large entry's sizes in a ZIP64 field (uncompressed first).
fn local_header(out: &mut Vec<u8>, name: &[u8], dos: (u16, u16), raw: Raw) {
    push_u32(out, LOCAL);
    push_entry_fields(out, name, dos, raw);
    let large = raw.large();
    push_u16(out, if large { 20 } else { 0 });
    out.extend_from_slice(name);
    if large {
        push_u16(out, ZIP64_FIELD);
        push_u16(out, 16);
        push_u64(out, raw.size);
        push_u64(out, raw.compressed);
    }
}

/// An entry's central-directory record: a ZIP64 field with a large entry's sizes and an offset
/// past 32 bits, whichever apply, in that order.
fn central_record(out: &mut Vec<u8>, name: &[u8], dos: (u16, u16), entry: &Written) {
    let raw = entry.raw;
    push_u32(out, CENTRAL);
    push_u16(out, UNIX | raw.version_needed());
    push_entry_fields(out, name, dos, raw);
    let mut zip64 = Vec::new();
    if raw.large() {
        zip64.extend_from_slice(&raw.size.to_le_bytes());
        zip64.extend_from_slice(&raw.compressed.to_le_bytes());
    }
    if entry.offset >= SATURATED {
        zip64.extend_from_slice(&entry.offset.to_le_bytes());
    }
    let extra = if zip64.is_empty() { 0 } else { 4 + zip64.len() };
    push_u16(out, extra as u16);
    out.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
    push_u32(out, EXTERNAL_ATTRIBUTES);
    push_u32(out, field_32(entry.offset));
    out.extend_from_slice(name);
    if !zip64.is_empty() {
        push_u16(out, ZIP64_FIELD);
        push_u16(out, zip64.len() as u16);
        out.extend_from_slice(&zip64);
    }
}

/// The end records of a central directory of `count` entries, `len` bytes at `start`: the
/// ZIP64 ones first when the count or an offset needs them, then the classic one, its fields
/// saturated. The ZIP64 record gives `needed` as both versions, as the `zip` crate does.
fn end_records(out: &mut Vec<u8>, count: u64, start: u64, len: u64, needed: u16) {
    let zip64 = count > MAX_COUNT || start.max(len) > SATURATED;
    if zip64 {
        push_u32(out, EOCD64);
        push_u64(out, 44); // the record's size after this field
        push_u16(out, needed);
        push_u16(out, needed);
        push_u64(out, 0); // this disk, the directory's disk
        for value in [count, count, len, start] {
            push_u64(out, value);
        }
        push_u32(out, EOCD64_LOCATOR);
        push_u32(out, 0); // the ZIP64 end record's disk
        push_u64(out, start + len);
        push_u32(out, 1); // disks
    }
    push_u32(out, EOCD);
    push_u32(out, 0); // this disk, the directory's disk
    let count = count.min(MAX_COUNT) as u16;
    push_u16(out, count);
    push_u16(out, count);
    push_u32(out, if zip64 { u32::MAX } else { field_32(len) });
    push_u32(out, field_32(start));
    push_u16(out, 0); // comment length
}

/// Buffers writes to `W` and hashes them, in order, on a thread of its own: the zip is written
/// on one thread, in name order, at the end of a package, and hashing its half a gigabyte (at
/// 100k incidents) there took a third of that time while the other core waited.
pub struct HashingWriter<W: Write> {
    inner: W,
    /// Bytes written but not yet passed on; sent to the hasher with them.
    buf: Vec<u8>,
    to_hasher: std::sync::mpsc::SyncSender<Vec<u8>>,
    hasher: std::thread::JoinHandle<Sha256>,
    /// Set when the hasher is gone (it does not panic): the hash cannot be trusted.
    lost: bool,
}

/// The bytes [`HashingWriter`] passes on at a time.
const HASHED_PIECE: usize = 256 << 10;

impl<W: Write> HashingWriter<W> {
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
            to_hasher,
            hasher,
            lost: false,
        }
    }

    /// Flushes; the hex SHA-256 of everything written.
    fn finish(mut self) -> std::io::Result<String> {
        self.flush()?;
        let HashingWriter {
            to_hasher,
            hasher,
            lost,
            ..
        } = self;
        drop(to_hasher); // the hasher's last piece
        let sha256 = hasher.join().expect("the hasher does not panic");
        if lost {
            return Err(std::io::Error::other("the zip's hasher stopped"));
        }
        Ok(hex::encode(sha256.finalize()))
    }

    /// Writes what is buffered to `W` and sends it to the hasher.
    fn pass_on(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        self.inner.write_all(&self.buf)?;
        let piece = std::mem::replace(&mut self.buf, Vec::with_capacity(HASHED_PIECE));
        self.lost |= self.to_hasher.send(piece).is_err();
        Ok(())
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(buf);
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
    use std::io::{Cursor, Seek, SeekFrom};

    /// Hashed on its own thread, in order, across pieces.
    #[test]
    fn the_hashing_writer_hashes_in_order() {
        let bytes: Vec<u8> = (0..HASHED_PIECE * 3 + 77)
            .map(|i| (i % 251) as u8)
            .collect();
        let mut w = HashingWriter::new(Vec::new());
        for piece in bytes.chunks(10_007) {
            w.write_all(piece).unwrap();
        }
        assert_eq!(w.finish().unwrap(), crate::util::sha256_hex(&bytes));
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
        let mut archive = zip::ZipArchive::new(Cursor::new(a)).unwrap();
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
        let sha256 = zip.finish(std::iter::empty::<&[u8]>()).unwrap();
        let written = std::fs::read(&path).unwrap();
        assert_eq!(sha256, crate::util::sha256_hex(&written));
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
        let raw = prepare("c", b"").unwrap().raw;
        let err = zip.copy_raw("a", raw, &[3, 0][..]).unwrap_err().to_string();
        assert!(err.contains("out of order"), "{err}");
    }

    /// The names given to `finish` for the copied entries must be theirs, as many as they are,
    /// a copy's stored bytes as long as it says, and a name shorter than 64 KiB.
    #[test]
    fn a_copy_must_be_whole_and_named_again_as_it_was() {
        let mtime = zip_time(date("2026-12-31"), None).unwrap();
        let raw = prepare("x", b"").unwrap().raw;
        let zip = || {
            let mut zip = ZipStream::new(Vec::new(), Path::new("z"), mtime, 0);
            zip.add(vec![("a".into(), vec![])]).unwrap();
            zip.copy_raw("b", raw, &[3, 0][..]).unwrap();
            zip.copy_raw("c", raw, &[3, 0][..]).unwrap();
            zip
        };
        assert!(zip().write_central_directory(["b", "c"]).is_ok());
        for names in [&["b", "d"][..], &["b"], &["b", "c", "d"], &["a", "b", "c"]] {
            assert!(zip().write_central_directory(names).is_err(), "{names:?}");
        }
        let err = zip().copy_raw("d", raw, &[3][..]).unwrap_err().to_string();
        assert!(err.contains("end after 1 of 2"), "{err}");
        let long = "d".repeat(1 << 16);
        let err = zip()
            .copy_raw(&long, raw, &[3, 0][..])
            .unwrap_err()
            .to_string();
        assert!(err.contains("shorter than 64 KiB"), "{err}");
    }

    /// The options the `zip` crate wrote every entry with (`ZipStream` before it wrote the zip
    /// itself).
    fn zip_crate_options(mtime: DateTime) -> zip::write::SimpleFileOptions {
        zip::write::SimpleFileOptions::DEFAULT
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(COMPRESSION_LEVEL.into()))
            .last_modified_time(mtime)
            .unix_permissions(0o644)
            .system(zip::System::Unix)
            .large_file(false)
    }

    /// What a `zip::ZipWriter` writes when it starts `base` bytes into its writer.
    struct Shifted {
        base: u64,
        bytes: Cursor<Vec<u8>>,
    }

    impl Write for Shifted {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.bytes.write(buf)
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Seek for Shifted {
        fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
            let to = match to {
                SeekFrom::Start(at) => SeekFrom::Start(at - self.base),
                relative => relative,
            };
            Ok(self.base + self.bytes.seek(to)?)
        }
    }

    /// A tag file (deflated here, or by the `zip` crate) or a payload file copied as another
    /// zip stores it.
    enum Test {
        Tag(&'static str, Vec<u8>),
        Copy(String, Raw, Vec<u8>),
    }

    /// The zip of `entries`, in order, after `base` bytes: written here and by the `zip` crate
    /// (`add_prepared_file`, `raw_copy_file` from a zip holding the copies, `finish`).
    fn both_writers(entries: &[Test], base: u64) -> (Vec<u8>, Vec<u8>) {
        let mtime = zip_time(date("2026-12-31"), Some(1_790_000_123)).unwrap();
        let mut source = ZipStream::new(Vec::new(), Path::new("source"), mtime, 0);
        for entry in entries {
            if let Test::Copy(name, raw, bytes) = entry {
                source.copy_raw(name, *raw, &bytes[..]).unwrap();
            }
        }
        let copies = entries.iter().filter_map(|e| match e {
            Test::Copy(name, ..) => Some(name),
            Test::Tag(..) => None,
        });
        let source = source.write_central_directory(copies.clone()).unwrap();
        let mut source = zip::ZipArchive::new(Cursor::new(source)).unwrap();

        let mut ours = ZipStream::new(Vec::new(), Path::new("ours"), mtime, base);
        let bytes = Cursor::new(Vec::new());
        let mut theirs = zip::ZipWriter::new(Shifted { base, bytes });
        let mut copied = 0;
        for entry in entries {
            match entry {
                Test::Tag(name, bytes) => {
                    ours.append(vec![prepare(name, bytes).unwrap()]).unwrap();
                    let options = zip_crate_options(mtime);
                    let file = zip::write::PreparedZipFile::from_data(name, options, bytes);
                    theirs.add_prepared_file(file.unwrap()).unwrap();
                }
                Test::Copy(name, ..) => {
                    let file = source.by_index_raw(copied).unwrap();
                    let raw = Raw {
                        method: match file.compression() {
                            zip::CompressionMethod::Stored => Method::Stored,
                            _ => Method::Deflated,
                        },
                        crc32: file.crc32(),
                        compressed: file.compressed_size(),
                        size: file.size(),
                    };
                    ours.copy_raw(name, raw, file).unwrap();
                    theirs
                        .raw_copy_file(source.by_index_raw(copied).unwrap())
                        .unwrap();
                    copied += 1;
                }
            }
        }
        let ours = ours.write_central_directory(copies).unwrap();
        (ours, theirs.finish().unwrap().bytes.into_inner())
    }

    fn copy(name: &str, method: Method, bytes: &[u8], size: u64) -> Test {
        let raw = Raw {
            method,
            crc32: crc32fast::hash(name.as_bytes()),
            compressed: bytes.len() as u64,
            size,
        };
        Test::Copy(name.to_string(), raw, bytes.to_vec())
    }

    /// The zip is byte for byte the one the `zip` crate wrote (`ZipWriter::add_prepared_file`
    /// for tag files, `raw_copy_file` for the payload, `finish`), the ZIP64 cases included:
    /// an entry whose size passes 32 bits (its stored bytes need not: a copy is taken at its
    /// word), an entry at exactly 4 GiB and past it, the central directory past 4 GiB (the
    /// zip starts at an offset, as if the bytes before it were written), and more entries than
    /// the end record counts.
    #[test]
    fn the_zip_is_the_one_the_zip_crate_wrote() {
        let page = b"<p>incident</p>".repeat(300);
        let deflated = |bytes: &[u8]| {
            let mut d = flate2::write::DeflateEncoder::new(Vec::new(), Default::default());
            d.write_all(bytes).unwrap();
            d.finish().unwrap()
        };
        let entries = vec![
            Test::Tag("bag/bag-info.txt", b"Payload-Oxum: 1.2\n".to_vec()),
            Test::Tag("bag/bagit.txt", Vec::new()),
            copy("bag/data/a.html", Method::Deflated, &deflated(&page), 4500),
            copy("bag/data/b.html", Method::Deflated, &deflated(b""), 0),
            copy("bag/data/c é.xlsx", Method::Stored, b"PK\x03\x04", 4),
            copy(
                "bag/data/d.csv",
                Method::Deflated,
                &deflated(&page),
                SATURATED,
            ),
            copy("bag/data/e.bin", Method::Stored, b"12345", 5),
            Test::Tag("bag/manifest-ä.txt", page.clone()),
            Test::Tag("bag/tagmanifest-sha256.txt", b"x".to_vec()),
        ];
        let (ours, theirs) = both_writers(&entries, 0);
        assert!(ours == theirs, "a zip of its own");
        assert!(ours.windows(4).any(|w| w == EOCD.to_le_bytes()));
        // The third entry (a.html) at exactly 4 GiB: the first two before it, the rest past it.
        let before: usize = entries[..2]
            .iter()
            .map(|e| match e {
                Test::Tag(name, bytes) => {
                    30 + name.len() + prepare(name, bytes).unwrap().bytes.len()
                }
                Test::Copy(..) => unreachable!(),
            })
            .sum();
        for base in [SATURATED - before as u64, SATURATED + 7] {
            let (ours, theirs) = both_writers(&entries, base);
            assert!(ours == theirs, "a zip of its own at {base}");
        }
        for count in [MAX_COUNT, MAX_COUNT + 1] {
            let many: Vec<_> = (0..count)
                .map(|i| copy(&format!("bag/data/{i:06}"), Method::Stored, b"", 0))
                .collect();
            let (ours, theirs) = both_writers(&many, 0);
            assert!(ours == theirs, "a zip of its own, {count} entries");
        }
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
