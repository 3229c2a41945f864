//! The spill: payload entries deflated ahead of the package, in zips ("parts") beside it, each
//! written here rather than by the `zip` crate, which has no way to take bytes already deflated
//! by another deflater. The package copies each entry's deflated bytes from its part as they
//! are (`ZipWriter::raw_copy_file`), so the parts only need to be zips the `zip` crate reads.
//!
//! How an entry is deflated depends on its size alone, so the same bytes make the same entry
//! however they are written (whole, in pieces, or read from disk):
//! - up to [`WHOLE_LIMIT`], whole, by libdeflate at level 1. Pages are small (an incident page
//!   is about 12 KB), and there libdeflate deflates about twice as fast as zlib-rs at the level 2
//!   used before, to slightly fewer bytes: on 5,000 incident pages of a 100k site, 381 MB/s to
//!   29.8 % against 173 MB/s to 30.5 % (`cargo bench --bench deflate -- <site>`);
//! - larger (copies of inputs, the register's CSV and workbook), in 64 KiB pieces by zlib-rs at
//!   level 2, as they are written, so memory holds a piece and never the file;
//! - a file that is itself deflated (by its name: the register's workbook, a zip) is stored as
//!   it is, whatever its size. Deflating the workbook again took zlib-rs 0.4 s of CPU at 100k
//!   incidents to save 3 % of its 21 MB.
//!
//! A thread writing an entry takes a part of its own (there are as many as entries written at
//! once) and gives it back when the entry is done; each part's deflaters are reused from entry
//! to entry. A part holds at most [`PART_FILES`] entries: it keeps each entry's directory
//! record and SHA-512 until it finishes, a finished part nothing. The SHA-512s go into the part
//! as its last entry ([`DIGESTS`]), read back when the package is assembled: the manifests need
//! them only then, and held for every file while the pages are rendered they were 70 MB at 1M
//! incidents. The parts' order does not matter; the package is written by name.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result};
use zip::ZipArchive;

/// Entries of at most this many bytes are deflated whole by libdeflate; larger ones in pieces
/// by zlib-rs. Part of the package's identity, like [`LIBDEFLATE_LEVEL`].
pub const WHOLE_LIMIT: usize = 1 << 20;
/// libdeflate's level for whole entries.
pub const LIBDEFLATE_LEVEL: i32 = 1;
/// zlib-rs's level for entries deflated in pieces ([`super::archive::COMPRESSION_LEVEL`]).
const STREAM_LEVEL: u32 = super::archive::COMPRESSION_LEVEL as u32;

/// An entry past [`WHOLE_LIMIT`] is fed to zlib-rs this many bytes at a time, however its bytes
/// arrive: zlib-rs's output depends on how its input is split, so only this way does a file
/// deflate to the same bytes written whole, in pieces, or read from disk.
const PIECE: usize = 64 << 10;

/// Entries a part holds before it is finished. (Two in unit tests, so they cross parts.)
const PART_FILES: usize = if cfg!(test) { 2 } else { 8192 };

/// A part's last entry: the SHA-512 of each entry before it, in order, 64 bytes each. No
/// payload entry has this name (theirs start with the bag's name and `/`), and none is copied
/// into the package but the ones it lists.
const DIGESTS: &str = ".sha512";

const LOCAL: u32 = 0x0403_4b50;
const CENTRAL: u32 = 0x0201_4b50;
const EOCD: u32 = 0x0605_4b50;
const EOCD64: u32 = 0x0606_4b50;
const EOCD64_LOCATOR: u32 = 0x0706_4b50;
/// Version 2.0 (deflate) made on Unix (3), and needed to extract.
const MADE_BY: u16 = (3 << 8) | 20;
const NEEDED: u16 = 20;
/// Needed for an entry with ZIP64 fields.
const NEEDED_ZIP64: u16 = 45;
/// A regular file, mode 0644, as the `zip` crate writes `unix_permissions(0o644)`.
const EXTERNAL_ATTRIBUTES: u32 = 0o100_644 << 16;
/// General purpose flag 11: the name is UTF-8.
const UTF8_NAME: u16 = 1 << 11;
const DEFLATED: u16 = 8;
const STORED: u16 = 0;
const OVER_32_BITS: u64 = 0xFFFF_FFFF;

/// Names of files stored as they are ([`is_compressed`]), by their ending (any case).
const COMPRESSED_ENDINGS: &[&str] = &[".xlsx", ".docx", ".zip", ".gz", ".png", ".jpg", ".jpeg"];

/// Whether the entry `name` is a format that is already deflated (or otherwise compressed),
/// which deflate would only make slower to write and read and no smaller.
fn is_compressed(name: &[u8]) -> bool {
    COMPRESSED_ENDINGS.iter().any(|ending| {
        name.len() >= ending.len()
            && name[name.len() - ending.len()..].eq_ignore_ascii_case(ending.as_bytes())
    })
}

/// Where an entry is in the spill: its part and its index there, so the package is assembled
/// without looking names up part by part (at 1M files, 134 parts).
#[derive(Debug, Clone, Copy)]
pub struct Place {
    pub part: u32,
    pub index: u32,
}

/// A finished part, open for reading.
pub struct Finished {
    pub zip: ZipArchive<PartReader>,
    /// Deleted when dropped.
    pub path: tempfile::TempPath,
    /// The SHA-512 of each entry, by index.
    pub sha512: Vec<[u8; 64]>,
}

/// See the module documentation.
pub struct Spill {
    dist: PathBuf,
    name: String,
    /// The entries' DOS time and date.
    dos: (u16, u16),
    /// Parts with room, no entry being written.
    idle: Mutex<Vec<Part>>,
    /// Finished parts by id, each deleted when dropped.
    full: Mutex<Vec<(usize, File, tempfile::TempPath)>>,
    /// Parts made so far (the next part's id).
    made: AtomicUsize,
}

impl Spill {
    /// A spill for the bag `name`, its parts in `dist`, every entry stamped `mtime`.
    pub fn new(dist: &Path, name: &str, mtime: zip::DateTime) -> Spill {
        Spill {
            dist: dist.to_path_buf(),
            name: name.to_string(),
            dos: (mtime.timepart(), mtime.datepart()),
            idle: Mutex::new(Vec::new()),
            full: Mutex::new(Vec::new()),
            made: AtomicUsize::new(0),
        }
    }

    /// An entry `entry_name` of some part, to be written and finished.
    pub fn entry(&self, entry_name: &str) -> Result<Entry<'_>> {
        let mut part = self.take()?;
        part.start(entry_name);
        Ok(Entry {
            spill: self,
            part: Some(part),
        })
    }

    fn take(&self) -> Result<Part> {
        let idle = self
            .idle
            .lock()
            .expect("no thread panics holding the spill")
            .pop();
        if let Some(part) = idle {
            return Ok(part);
        }
        let file = tempfile::Builder::new()
            .prefix(&format!(".{}.spill", self.name))
            .tempfile_in(&self.dist)
            .with_context(|| format!("{}: cannot create a spill file", self.dist.display()))?;
        let (file, path) = file.into_parts();
        Ok(Part::new(
            self.made.fetch_add(1, Ordering::Relaxed),
            file,
            path,
            self.dos,
        ))
    }

    /// Gives `part` back, finishing it when full.
    fn put(&self, part: Part) -> Result<()> {
        if part.count < PART_FILES {
            let mut idle = self
                .idle
                .lock()
                .expect("no thread panics holding the spill");
            idle.push(part);
            return Ok(());
        }
        let done = part.finish()?;
        let mut full = self
            .full
            .lock()
            .expect("no thread panics holding the spill");
        full.push(done);
        Ok(())
    }

    /// Every part, finished and open for reading, in id order (ids run from 0).
    pub fn finish(self) -> Result<Vec<Finished>> {
        let mut parts = self
            .full
            .into_inner()
            .expect("no thread panics holding the spill");
        let idle = self
            .idle
            .into_inner()
            .expect("no thread panics holding the spill");
        for part in idle {
            parts.push(part.finish()?);
        }
        parts.sort_by_key(|(id, ..)| *id);
        parts
            .into_iter()
            .map(|(_, file, path)| {
                let cannot = || format!("{}: cannot read back the spill", path.display());
                let mut zip = ZipArchive::new(PartReader::new(file)).with_context(cannot)?;
                let sha512 = read_digests(&mut zip).with_context(cannot)?;
                Ok(Finished { zip, path, sha512 })
            })
            .collect()
    }
}

/// The SHA-512s of a finished part's entries, from its last entry ([`DIGESTS`]).
fn read_digests(zip: &mut ZipArchive<PartReader>) -> Result<Vec<[u8; 64]>> {
    use std::io::Read;
    let last = zip.len().checked_sub(1).context("no digest entry")?;
    let mut entry = zip.by_index(last)?;
    if entry.name_raw() != DIGESTS.as_bytes() || entry.size() != 64 * last as u64 {
        anyhow::bail!("its last entry is not the digests of the others");
    }
    let mut bytes = Vec::with_capacity(64 * last);
    entry.read_to_end(&mut bytes)?;
    Ok(bytes
        .chunks_exact(64)
        .map(|d| d.try_into().expect("64 bytes"))
        .collect())
}

/// A finished part read by positioned reads through a window of its bytes. The package is
/// copied from the parts in name order, which jumps from part to part: through a `File`, each
/// entry cost five system calls (two seeks, a read of its local header, reads of its bytes):
/// the zip's writing took 1.2 s at 100k incidents, 0.9 s this way (14.6 and 11.1 s at 1M).
/// Here a seek costs nothing, and a read past the window fills it with one `pread` from where
/// it is asked: [`SMALL_WINDOW`] takes in a page's header and deflated bytes together, and a
/// window read through to its end doubles (up to [`LARGE_WINDOW`]) for the copies of inputs,
/// megabytes long.
pub struct PartReader {
    file: File,
    pos: u64,
    /// The file's bytes from `window_at`.
    window: Vec<u8>,
    window_at: u64,
    /// How many bytes the next fill asks for.
    fill: usize,
}

/// A window's size after a jump: an incident page's local header and deflated bytes (about
/// 3 KB) fit, so one read takes in both.
const SMALL_WINDOW: usize = 16 << 10;
/// The most a window grows to while it is read through front to back.
const LARGE_WINDOW: usize = 1 << 20;

impl PartReader {
    pub fn new(file: File) -> PartReader {
        PartReader {
            file,
            pos: 0,
            window: Vec::new(),
            window_at: 0,
            fill: SMALL_WINDOW,
        }
    }

    /// Fills the window from `pos`: larger when it goes on where the last one ended.
    fn refill(&mut self) -> std::io::Result<()> {
        use std::os::unix::fs::FileExt;
        let follows = self.pos == self.window_at + self.window.len() as u64 && self.pos > 0;
        self.fill = if follows {
            (self.fill * 2).min(LARGE_WINDOW)
        } else {
            // A grown window is let go: at a million incidents there are 134 parts.
            if self.window.capacity() > SMALL_WINDOW {
                self.window = Vec::new();
            }
            SMALL_WINDOW
        };
        self.window.resize(self.fill, 0);
        let mut got = 0;
        while got < self.fill {
            match self
                .file
                .read_at(&mut self.window[got..], self.pos + got as u64)
            {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.window.truncate(got);
        self.window_at = self.pos;
        Ok(())
    }
}

impl std::io::Read for PartReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let in_window =
            |r: &PartReader| r.pos >= r.window_at && r.pos < r.window_at + r.window.len() as u64;
        if !in_window(self) {
            self.refill()?;
            if !in_window(self) {
                return Ok(0); // the end of the file
            }
        }
        let from = (self.pos - self.window_at) as usize;
        let n = buf.len().min(self.window.len() - from);
        buf[..n].copy_from_slice(&self.window[from..from + n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for PartReader {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let pos = match to {
            SeekFrom::Start(at) => Some(at),
            SeekFrom::Current(by) => self.pos.checked_add_signed(by),
            SeekFrom::End(by) => self.file.metadata()?.len().checked_add_signed(by),
        };
        self.pos = pos.ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "seek before the start")
        })?;
        Ok(self.pos)
    }
}

/// An entry being written into a part of the spill.
pub struct Entry<'a> {
    spill: &'a Spill,
    /// `None` once finished.
    part: Option<Part>,
}

impl Entry<'_> {
    /// Ends the entry, whose bytes have `sha512` (kept with the part until the package is
    /// assembled), and gives its part back: where the entry is.
    pub fn finish(mut self, sha512: [u8; 64]) -> Result<Place> {
        let mut part = self.part.take().expect("an entry is finished once");
        let index = part.finish_entry();
        let index = index.with_context(|| format!("{}: cannot write", part.path.display()))?;
        part.sha512.push(sha512);
        let at = Place {
            part: u32::try_from(part.id).context("more than 2^32 spill parts")?,
            index: u32::try_from(index).expect("a part holds PART_FILES entries"),
        };
        self.spill.put(part)?;
        Ok(at)
    }
}

impl Write for Entry<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let part = self.part.as_mut().expect("not written after finishing");
        part.write_entry(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Entry<'_> {
    /// An entry given up (its page failed) is taken out of its part, which other entries share.
    fn drop(&mut self) {
        if let Some(mut part) = self.part.take()
            && part.abort_entry().is_ok()
        {
            let _ = self.spill.put(part);
        }
    }
}

/// One part: a zip written front to back, its directory kept until [`Part::finish`].
struct Part {
    /// Its place among the parts [`Spill::finish`] returns.
    id: usize,
    out: BufWriter<File>,
    path: tempfile::TempPath,
    /// Where the next entry starts: the end of the last finished one.
    end: u64,
    /// The central directory's records so far.
    central: Vec<u8>,
    /// Entries finished.
    count: usize,
    /// Their SHA-512s, by index.
    sha512: Vec<[u8; 64]>,
    dos: (u16, u16),
    whole: libdeflater::Compressor,
    pieces: flate2::Compress,
    /// A whole entry's deflated bytes (reused).
    deflated: Vec<u8>,
    /// The piece deflater's output: always [`OUT_CHUNK`] long.
    piece_out: Box<[u8]>,
    /// The entry being written.
    open: Open,
}

/// The entry being written: its bytes so far, whole until they pass [`WHOLE_LIMIT`].
#[derive(Default)]
struct Open {
    name: Vec<u8>,
    /// Stored as it is, not deflated ([`is_compressed`]).
    stored: bool,
    crc: crc32fast::Hasher,
    size: u64,
    /// Bytes not yet deflated: the whole entry, or the next piece once in pieces (reused).
    pending: Vec<u8>,
    /// Set once the entry is written in pieces: the (deflated) bytes written so far.
    streamed: Option<u64>,
}

/// Deflated output is produced into a buffer of this size, whatever the input: the calls the
/// deflater sees, and so its bytes, depend on the entry's bytes alone.
const OUT_CHUNK: usize = 128 << 10;

impl Part {
    fn new(id: usize, file: File, path: tempfile::TempPath, dos: (u16, u16)) -> Part {
        let level = libdeflater::CompressionLvl::new(LIBDEFLATE_LEVEL).expect("a valid level");
        Part {
            id,
            out: BufWriter::with_capacity(1 << 18, file),
            path,
            end: 0,
            central: Vec::new(),
            count: 0,
            sha512: Vec::new(),
            dos,
            whole: libdeflater::Compressor::new(level),
            pieces: flate2::Compress::new(flate2::Compression::new(STREAM_LEVEL), false),
            deflated: Vec::new(),
            piece_out: vec![0; OUT_CHUNK].into_boxed_slice(),
            open: Open::default(),
        }
    }

    fn start(&mut self, name: &str) {
        let pending = std::mem::take(&mut self.open.pending);
        self.open = Open {
            name: name.as_bytes().to_vec(),
            stored: is_compressed(name.as_bytes()),
            pending,
            ..Open::default()
        };
        self.open.pending.clear();
    }

    fn write_entry(&mut self, mut buf: &[u8]) -> std::io::Result<()> {
        self.open.crc.update(buf);
        self.open.size += buf.len() as u64;
        if self.open.streamed.is_none() {
            if self.open.pending.len() + buf.len() <= WHOLE_LIMIT {
                self.open.pending.extend_from_slice(buf);
                return Ok(());
            }
            self.start_pieces()?;
        }
        if self.open.stored {
            self.out.write_all(buf)?;
            *self.open.streamed.as_mut().expect("in pieces") += buf.len() as u64;
            return Ok(());
        }
        // Fed in pieces of PIECE, however the bytes arrive.
        while !buf.is_empty() {
            let take = (PIECE - self.open.pending.len()).min(buf.len());
            self.open.pending.extend_from_slice(&buf[..take]);
            buf = &buf[take..];
            if self.open.pending.len() == PIECE {
                self.deflate_piece(flate2::FlushCompress::None)?;
            }
        }
        Ok(())
    }

    /// The entry outgrew [`WHOLE_LIMIT`]: its local header goes out now (sizes and checksum
    /// filled in when it is done) and what it holds so far is deflated in pieces.
    fn start_pieces(&mut self) -> std::io::Result<()> {
        self.out.write_all(&self.local_header(0, 0, 0))?;
        self.open.streamed = Some(0);
        let held = std::mem::take(&mut self.open.pending);
        if self.open.stored {
            self.out.write_all(&held)?;
            self.open.streamed = Some(held.len() as u64);
            self.open.pending = held;
            self.open.pending.clear();
            return Ok(());
        }
        self.pieces.reset();
        for piece in held.chunks(PIECE) {
            self.open.pending.extend_from_slice(piece);
            if self.open.pending.len() == PIECE {
                self.deflate_piece(flate2::FlushCompress::None)?;
            }
        }
        Ok(())
    }

    /// Deflates what is pending into the part.
    fn deflate_piece(&mut self, flush: flate2::FlushCompress) -> std::io::Result<()> {
        let mut input = std::mem::take(&mut self.open.pending);
        let mut at = 0;
        loop {
            let (read, written) = (self.pieces.total_in(), self.pieces.total_out());
            let status = self
                .pieces
                .compress(&input[at..], &mut self.piece_out, flush)
                .map_err(std::io::Error::other)?;
            at += (self.pieces.total_in() - read) as usize;
            let out = (self.pieces.total_out() - written) as usize;
            self.out.write_all(&self.piece_out[..out])?;
            *self.open.streamed.as_mut().expect("in pieces") += out as u64;
            let done = match flush {
                flate2::FlushCompress::Finish => status == flate2::Status::StreamEnd,
                // All taken, and room left: nothing more waits to come out.
                _ => at == input.len() && out < OUT_CHUNK,
            };
            if done {
                break;
            }
        }
        input.clear();
        self.open.pending = input;
        Ok(())
    }

    /// Writes the rest of the entry and its directory record; its index in the part.
    fn finish_entry(&mut self) -> std::io::Result<usize> {
        let crc = self.open.crc.clone().finalize();
        let size = self.open.size;
        let compressed = match self.open.streamed {
            None if self.open.stored => {
                let header = self.local_header(crc, size, size);
                self.out.write_all(&header)?;
                self.out.write_all(&self.open.pending)?;
                size
            }
            None => {
                let bound = self.whole.deflate_compress_bound(self.open.pending.len());
                self.deflated.resize(bound, 0);
                let n = self
                    .whole
                    .deflate_compress(&self.open.pending, &mut self.deflated)
                    .map_err(|e| std::io::Error::other(format!("{e:?}")))?;
                let header = self.local_header(crc, n as u64, size);
                self.out.write_all(&header)?;
                self.out.write_all(&self.deflated[..n])?;
                n as u64
            }
            Some(_) => {
                if !self.open.stored {
                    self.deflate_piece(flate2::FlushCompress::Finish)?;
                }
                let compressed = self.open.streamed.expect("in pieces");
                // Sizes and checksum into the local header, written before they were known.
                let header = self.local_header(crc, compressed, size);
                self.out.seek(SeekFrom::Start(self.end))?;
                self.out.write_all(&header)?;
                let end = self.end + header.len() as u64 + compressed;
                self.out.seek(SeekFrom::Start(end))?;
                compressed
            }
        };
        let at = self.end;
        self.end += (30 + self.open.name.len()) as u64 + compressed;
        self.central_record(crc, compressed, size, at);
        self.open.pending.clear();
        self.count += 1;
        Ok(self.count - 1)
    }

    /// Forgets the entry being written: the next one starts where it did.
    fn abort_entry(&mut self) -> std::io::Result<()> {
        if self.open.streamed.is_some() {
            self.out.seek(SeekFrom::Start(self.end))?;
        }
        self.open.pending.clear();
        self.open.streamed = None;
        Ok(())
    }

    /// The open entry's compression method.
    fn method(&self) -> u16 {
        if self.open.stored { STORED } else { DEFLATED }
    }

    /// The local header of the open entry. Sizes past 32 bits are marked as in the directory,
    /// whose ZIP64 field the `zip` crate reads them from.
    fn local_header(&self, crc: u32, compressed: u64, size: u64) -> Vec<u8> {
        let name = &self.open.name;
        let mut h = Vec::with_capacity(30 + name.len());
        h.extend_from_slice(&LOCAL.to_le_bytes());
        let zip64 = compressed >= OVER_32_BITS || size >= OVER_32_BITS;
        let needed = if zip64 { NEEDED_ZIP64 } else { NEEDED };
        let fields = (needed, self.method(), crc, compressed, size);
        push_entry_fields(&mut h, name, self.dos, fields);
        h.extend_from_slice(&0u16.to_le_bytes());
        h.extend_from_slice(name);
        h
    }

    /// Appends the open entry's central-directory record, with a ZIP64 field for any value
    /// past 32 bits.
    fn central_record(&mut self, crc: u32, compressed: u64, size: u64, at: u64) {
        let mut zip64 = Vec::new();
        for value in [size, compressed, at] {
            if value >= OVER_32_BITS {
                zip64.extend_from_slice(&value.to_le_bytes());
            }
        }
        let extra = if zip64.is_empty() {
            Vec::new()
        } else {
            let mut e = vec![0x01, 0x00];
            e.extend_from_slice(&(zip64.len() as u16).to_le_bytes());
            e.extend_from_slice(&zip64);
            e
        };
        let method = self.method();
        let name = &self.open.name;
        let c = &mut self.central;
        c.extend_from_slice(&CENTRAL.to_le_bytes());
        c.extend_from_slice(&MADE_BY.to_le_bytes());
        let needed = if extra.is_empty() {
            NEEDED
        } else {
            NEEDED_ZIP64
        };
        push_entry_fields(c, name, self.dos, (needed, method, crc, compressed, size));
        c.extend_from_slice(&(extra.len() as u16).to_le_bytes());
        c.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
        c.extend_from_slice(&EXTERNAL_ATTRIBUTES.to_le_bytes());
        c.extend_from_slice(&low_32(at).to_le_bytes());
        c.extend_from_slice(name);
        c.extend_from_slice(&extra);
    }

    /// Writes the digests' entry, the central directory and its end records; the part,
    /// rewound, ready to read.
    fn finish(mut self) -> Result<(usize, File, tempfile::TempPath)> {
        let shown = self.path.display().to_string();
        let cannot = || format!("{shown}: cannot write");
        let digests = std::mem::take(&mut self.sha512).concat();
        self.start(DIGESTS);
        self.write_entry(&digests).with_context(cannot)?;
        self.finish_entry().with_context(cannot)?;
        self.out
            .seek(SeekFrom::Start(self.end))
            .with_context(cannot)?;
        let start = self.end;
        let (count, len) = (self.count as u64, self.central.len() as u64);
        let mut tail = std::mem::take(&mut self.central);
        if start + len >= OVER_32_BITS || count >= 0xFFFF {
            let eocd64 = start + len;
            tail.extend_from_slice(&EOCD64.to_le_bytes());
            tail.extend_from_slice(&44u64.to_le_bytes());
            tail.extend_from_slice(&MADE_BY.to_le_bytes());
            tail.extend_from_slice(&NEEDED_ZIP64.to_le_bytes());
            tail.extend_from_slice(&[0; 8]); // this disk, the directory's disk
            tail.extend_from_slice(&count.to_le_bytes());
            tail.extend_from_slice(&count.to_le_bytes());
            tail.extend_from_slice(&len.to_le_bytes());
            tail.extend_from_slice(&start.to_le_bytes());
            tail.extend_from_slice(&EOCD64_LOCATOR.to_le_bytes());
            tail.extend_from_slice(&0u32.to_le_bytes());
            tail.extend_from_slice(&eocd64.to_le_bytes());
            tail.extend_from_slice(&1u32.to_le_bytes());
        }
        let count16 = count.min(0xFFFF) as u16;
        tail.extend_from_slice(&EOCD.to_le_bytes());
        tail.extend_from_slice(&[0; 4]); // this disk, the directory's disk
        tail.extend_from_slice(&count16.to_le_bytes());
        tail.extend_from_slice(&count16.to_le_bytes());
        tail.extend_from_slice(&low_32(len).to_le_bytes());
        tail.extend_from_slice(&low_32(start).to_le_bytes());
        tail.extend_from_slice(&0u16.to_le_bytes());
        self.out.write_all(&tail).with_context(cannot)?;
        let end = start + tail.len() as u64;
        let Part { id, out, path, .. } = self;
        let cannot = || format!("{}: cannot write", path.display());
        let mut file = out
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(cannot)?;
        // An entry given up after it had written pieces may have left bytes past the end.
        file.set_len(end).with_context(cannot)?;
        file.rewind().with_context(cannot)?;
        Ok((id, file, path))
    }
}

/// The fields a local header and a central-directory record share, in the same order: version
/// needed, flags, method, time, date, CRC-32, both sizes (see [`low_32`]) and the name's length.
/// `fields` are the version needed, the method, the CRC-32 and the sizes.
fn push_entry_fields(
    out: &mut Vec<u8>,
    name: &[u8],
    dos: (u16, u16),
    (needed, method, crc, compressed, size): (u16, u16, u32, u64, u64),
) {
    for field in [needed, name_flags(name), method, dos.0, dos.1] {
        out.extend_from_slice(&field.to_le_bytes());
    }
    for field in [crc, low_32(compressed), low_32(size)] {
        out.extend_from_slice(&field.to_le_bytes());
    }
    out.extend_from_slice(&(name.len() as u16).to_le_bytes());
}

/// A value for a 32-bit field: itself, or all ones when it needs the ZIP64 field.
fn low_32(value: u64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// The flags an entry named `name` carries: UTF-8 when the name is not ASCII.
fn name_flags(name: &[u8]) -> u16 {
    if name.is_ascii() { 0 } else { UTF8_NAME }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn mtime() -> zip::DateTime {
        super::super::archive::zip_time(chrono::NaiveDate::MIN, Some(1_790_000_000)).unwrap()
    }

    /// Text that deflates unevenly, `len` bytes of it.
    fn text(len: usize, seed: usize) -> Vec<u8> {
        (0..len)
            .map(|j| b"<td>incident 42</td>\n"[(j * (seed + 3) + j / 977) % 21])
            .collect()
    }

    /// The SHA-512 of `bytes`, as the sink hands it to [`Entry::finish`].
    fn sha512(bytes: &[u8]) -> [u8; 64] {
        use sha2::Digest;
        sha2::Sha512::digest(bytes).into()
    }

    /// Each entry's bytes and deflated bytes, by name, read from the spill's parts; each
    /// entry's SHA-512 as its part lists it is checked against its bytes.
    fn raw_entries(spill: Spill) -> BTreeMap<String, (Vec<u8>, Vec<u8>)> {
        let mut out = BTreeMap::new();
        for Finished {
            zip: mut part,
            path,
            sha512: digests,
        } in spill.finish().unwrap()
        {
            // The strict reader `verify` uses accepts every part too.
            let mut file = File::open(&path).unwrap();
            let records = super::super::zipread::central_directory(&mut file).unwrap();
            assert_eq!(records.len(), part.len());
            assert_eq!(digests.len() + 1, part.len(), "the digests' entry is last");
            for (i, digest) in digests.iter().enumerate() {
                let name = part.by_index_raw(i).unwrap().name().unwrap().to_string();
                let mut raw = Vec::new();
                part.by_index_raw(i).unwrap().read_to_end(&mut raw).unwrap();
                let mut bytes = Vec::new();
                // The reader checks the CRC-32 and size as it reads to the end.
                part.by_index(i).unwrap().read_to_end(&mut bytes).unwrap();
                assert!(sha512(&bytes) == *digest, "{name}: its SHA-512 as listed");
                out.insert(name, (bytes, raw));
            }
        }
        out
    }

    /// The part reader gives the file's bytes wherever it is asked, in reads of any size: a
    /// jump back, a jump into the window, reading a window through (it grows) and on past the
    /// end of the file.
    #[test]
    fn the_part_reader_reads_what_the_file_holds() {
        use std::io::Seek;
        let bytes = text(3 * LARGE_WINDOW + 12_345, 5);
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(&bytes).unwrap();
        let mut reader = PartReader::new(file);
        let read_at = |reader: &mut PartReader, at: u64, len: usize| {
            reader.seek(SeekFrom::Start(at)).unwrap();
            let mut got = Vec::new();
            reader.take(len as u64).read_to_end(&mut got).unwrap();
            got
        };
        let len = bytes.len() as u64;
        for (at, n) in [
            (100_000, 30),
            (100_030, 2_000),
            (5, 100),
            (100_010, 40),
            (0, bytes.len()),
            (len - 10, 10),
            (len - 10, 100),
            (len + 7, 10),
            (1_000_003, 8_192),
        ] {
            let from = (at as usize).min(bytes.len());
            let to = (from + n).min(bytes.len());
            let got = read_at(&mut reader, at, n);
            assert!(got == bytes[from..to], "{n} bytes at {at}");
        }
        // Read through, the window grew; a jump lets it go.
        assert!(read_at(&mut reader, 0, bytes.len()) == bytes);
        assert!(reader.window.capacity() > SMALL_WINDOW);
        read_at(&mut reader, 17, 1);
        assert!(reader.window.capacity() <= 2 * SMALL_WINDOW);
        assert_eq!(reader.seek(SeekFrom::End(-4)).unwrap(), len - 4);
        assert_eq!(reader.seek(SeekFrom::Current(2)).unwrap(), len - 2);
        assert!(reader.seek(SeekFrom::Current(-(len as i64) - 1)).is_err());
    }

    use std::collections::BTreeMap;

    /// Entries of every size class read back whole from the parts, with an entry given up
    /// midway (after its pieces reached the part) between them, and a name that is not ASCII.
    #[test]
    fn spilled_entries_read_back_whole_around_one_given_up() {
        let dir = tempfile::tempdir().unwrap();
        let spill = Spill::new(dir.path(), "bag", mtime());
        let sizes = [0, 1, 4000, WHOLE_LIMIT, WHOLE_LIMIT + 1, 3 << 20];
        let mut written = BTreeMap::new();
        for (i, &len) in sizes.iter().enumerate() {
            let name = format!("bag/data/f{i}-é.html");
            let body = text(len, i);
            let mut entry = spill.entry(&name).unwrap();
            for piece in body.chunks(70_001) {
                entry.write_all(piece).unwrap();
            }
            entry.finish(sha512(&body)).unwrap();
            if i == 3 {
                let mut given_up = spill.entry("bag/data/given-up.html").unwrap();
                given_up.write_all(&text(WHOLE_LIMIT + 300_000, 9)).unwrap();
                drop(given_up);
            }
            written.insert(name, body);
        }
        // Given up last in its part: the part ends before the pieces it had written.
        let mut given_up = spill.entry("bag/data/given-up-last.html").unwrap();
        given_up.write_all(&text(WHOLE_LIMIT + 5, 7)).unwrap();
        drop(given_up);
        let read = raw_entries(spill);
        assert_eq!(
            read.keys().collect::<Vec<_>>(),
            written.keys().collect::<Vec<_>>()
        );
        for (name, body) in &written {
            assert!(read[name].0 == *body, "{name}");
        }
    }

    /// A file that is already compressed (a workbook, by its name) is stored as it is, small
    /// or large, whole or given up midway; the entries around it are still deflated.
    #[test]
    fn an_already_compressed_file_is_stored_as_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let spill = Spill::new(dir.path(), "bag", mtime());
        let entries = [
            ("bag/data/a.html", text(5000, 1)),
            ("bag/data/data/register.xlsx", text(5000, 2)),
            ("bag/data/data/LARGE.XLSX", text(WHOLE_LIMIT + 70_001, 3)),
            ("bag/data/z.html", text(WHOLE_LIMIT + 5, 4)),
        ];
        for (i, (name, body)) in entries.iter().enumerate() {
            if i == 2 {
                let mut given_up = spill.entry("bag/data/given-up.zip").unwrap();
                given_up.write_all(&text(WHOLE_LIMIT + 300_000, 9)).unwrap();
                drop(given_up);
            }
            let mut entry = spill.entry(name).unwrap();
            for piece in body.chunks(70_001) {
                entry.write_all(piece).unwrap();
            }
            entry.finish(sha512(body)).unwrap();
        }
        let read = raw_entries(spill);
        assert_eq!(read.len(), entries.len(), "{:?}", read.keys());
        for (name, body) in &entries {
            let (bytes, raw) = &read[*name];
            assert!(bytes == body, "{name}");
            let stored = name.to_lowercase().ends_with(".xlsx");
            assert_eq!(raw == body, stored, "{name} stored as it is: {stored}");
        }
    }

    /// An entry's deflated bytes depend on its bytes alone, not on the pieces they arrive in,
    /// whether it is deflated whole or in pieces.
    #[test]
    fn an_entry_deflates_alike_however_it_is_written() {
        for len in [5000, WHOLE_LIMIT + 70_000] {
            let body = text(len, 1);
            let deflated = |pieces: usize| {
                let dir = tempfile::tempdir().unwrap();
                let spill = Spill::new(dir.path(), "bag", mtime());
                let mut entry = spill.entry("bag/data/x").unwrap();
                for piece in body.chunks(pieces) {
                    entry.write_all(piece).unwrap();
                }
                entry.finish(sha512(&body)).unwrap();
                raw_entries(spill).remove("bag/data/x").unwrap().1
            };
            let whole = deflated(len);
            assert!(whole.len() < len / 3, "{len} deflated to {}", whole.len());
            for pieces in [1000, 65_536, 70_001] {
                assert!(
                    deflated(pieces) == whole,
                    "{len} bytes in pieces of {pieces}"
                );
            }
        }
    }
}
