//! The spill: payload entries deflated ahead of the package, into files ("parts") beside it.
//! The package copies each entry's stored bytes from its part as they are
//! (`super::archive::ZipStream::copy_raw`), so a part holds only those, one entry after another,
//! and a record of each at its end; it is no zip, and nothing but [`Spill::finish`] reads it.
//!
//! How an entry is deflated depends on its size alone, so the same bytes make the same entry
//! however they are written (whole, in pieces, or read from disk):
//! - up to [`WHOLE_LIMIT`], whole, by libdeflate at level 1. Pages are small (an incident page
//!   is about 12 KB), and there libdeflate deflates about twice as fast as zlib-rs at the level 2
//!   used before, to slightly fewer bytes: on 5,000 incident pages of a 100k site, 381 MB/s to
//!   29.8 % against 173 MB/s to 30.5 % (`cargo bench --bench deflate -- <site>`). The inputs'
//!   line pages (2 to 4.5 MB each, 440 MB at 100k) are whole too: 642 against 520 MB/s;
//! - larger (copies of inputs, the register's CSV and workbook), in 64 KiB pieces by zlib-rs at
//!   level 2, as they are written, so memory holds a piece and never the file;
//! - a file that is itself deflated (by its name: the register's workbook, a zip) is stored as
//!   it is, whatever its size. Deflating the workbook again took zlib-rs 0.4 s of CPU at 100k
//!   incidents to save 3 % of its 21 MB.
//!
//! The spill computes each entry's SHA-512 itself (the writer brings the SHA-256, which it
//! checks copies against): an entry deflated whole waits with up to [`sha512_lanes::LANES`]` - 1`
//! others and they are hashed together ([`sha512_lanes`], three and a half times one
//! message's rate), in its part; one past `LANE_LIMIT` (the inputs' line pages, megabytes
//! each) waits in the spill instead, with the large entries of every part, up to
//! `LARGE_BYTES` of them ([`Spill::hash_later`]); one written in pieces is hashed as it goes,
//! beside its deflating.
//!
//! A thread writing an entry takes a part of its own (there are as many as entries written at
//! once) and gives it back when the entry is done; each part's deflaters are reused from entry
//! to entry. A part holds at most [`PART_FILES`] entries: it keeps each entry's record and
//! digests (SHA-256 and SHA-512) until it finishes, a finished part nothing. They go into the
//! part, after its entries ([`Part::finish`]), and are read back when the package is
//! assembled: the manifests need the digests only then, and held for every file while the
//! pages are rendered they were 105 MB at 1M incidents. The parts' order does not matter; the
//! package is written by name.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result, bail};

use super::archive::{Method, Raw};
use super::sha512_lanes;

/// Entries of at most this many bytes are deflated whole by libdeflate; larger ones in pieces
/// by zlib-rs. Part of the package's identity, like [`LIBDEFLATE_LEVEL`]. Every page fits (the
/// inputs' line pages are up to 4.5 MB at 100k incidents, and no larger at 1M: 5,000 lines
/// each), so only copies of inputs and the register's CSV and workbook go in pieces.
pub const WHOLE_LIMIT: usize = 8 << 20;
/// libdeflate's level for whole entries.
pub const LIBDEFLATE_LEVEL: i32 = 1;
/// zlib-rs's level for entries deflated in pieces ([`super::archive::COMPRESSION_LEVEL`]).
const STREAM_LEVEL: u32 = super::archive::COMPRESSION_LEVEL;

/// An entry past [`WHOLE_LIMIT`] is fed to zlib-rs this many bytes at a time, however its bytes
/// arrive: zlib-rs's output depends on how its input is split, so only this way does a file
/// deflate to the same bytes written whole, in pieces, or read from disk.
const PIECE: usize = 64 << 10;

/// Entries a part holds before it is finished. (Two in unit tests, so they cross parts.)
const PART_FILES: usize = if cfg!(test) { 2 } else { 8192 };

/// An entry's record at the end of its part: its stored size, size, CRC-32 and whether it is
/// deflated; then come the digests ([`Digests`]), 96 bytes each, and last the number of
/// entries.
const RECORD_LEN: usize = 8 + 8 + 4 + 1;
const DIGESTS_LEN: usize = 32 + 64;

/// An entry's SHA-256 and SHA-512, for the bag's two manifests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Digests {
    pub sha256: [u8; 32],
    pub sha512: [u8; 64],
}

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

/// An entry in its part: where its stored bytes start, and what they are. 32 bytes, held for
/// every entry while the package is written.
#[derive(Debug, Clone, Copy)]
struct Spilled {
    at: u64,
    raw: Raw,
}

const _: () = assert!(std::mem::size_of::<Spilled>() == 32);

/// A finished part, open for reading.
pub struct Finished {
    reader: PartReader,
    /// Deleted when dropped.
    pub path: tempfile::TempPath,
    /// Each entry, by index.
    entries: Vec<Spilled>,
    /// The digests of each entry, by index.
    pub digests: Vec<Digests>,
}

impl Finished {
    /// The entry at `index`: what its stored bytes are, and a reader of them (and on past them).
    pub fn entry(&mut self, index: u32) -> Option<(Raw, &mut PartReader)> {
        let Spilled { at, raw } = *self.entries.get(index as usize)?;
        self.reader.pos = at;
        Some((raw, &mut self.reader))
    }

    /// Reads a part's records (see [`RECORD_LEN`]) from its end.
    fn open(file: File, path: tempfile::TempPath) -> Result<Finished> {
        let cannot = || format!("{}: cannot read back the spill", path.display());
        let mut reader = PartReader::new(file);
        let len = reader.seek(SeekFrom::End(0)).with_context(cannot)?;
        let count = read_exact_at(&mut reader, len.saturating_sub(8), 8).with_context(cannot)?;
        let count = u64::from_le_bytes(count.try_into().expect("8 bytes"));
        let tail = count
            .checked_mul((RECORD_LEN + DIGESTS_LEN) as u64)
            .and_then(|n| n.checked_add(8))
            .filter(|&n| n <= len)
            .with_context(|| format!("{}: the spill's records are cut short", path.display()))?;
        let data_end = len - tail;
        let trailer =
            read_exact_at(&mut reader, data_end, (tail - 8) as usize).with_context(cannot)?;
        let (records, digests) = trailer.split_at(count as usize * RECORD_LEN);
        let mut at = 0;
        let mut entries = Vec::with_capacity(count as usize);
        for record in records.chunks_exact(RECORD_LEN) {
            let u64_at =
                |i: usize| u64::from_le_bytes(record[i..i + 8].try_into().expect("8 bytes"));
            let raw = Raw {
                compressed: u64_at(0),
                size: u64_at(8),
                crc32: u32::from_le_bytes(record[16..20].try_into().expect("4 bytes")),
                method: if record[20] == 1 {
                    Method::Deflated
                } else {
                    Method::Stored
                },
            };
            entries.push(Spilled { at, raw });
            at += raw.compressed;
        }
        if at != data_end {
            bail!(
                "{}: the spill's records do not add up to its entries",
                path.display()
            );
        }
        let digests = digests
            .chunks_exact(DIGESTS_LEN)
            .map(|d| {
                let (sha256, sha512) = d.split_at(32);
                Digests {
                    sha256: sha256.try_into().expect("32 bytes"),
                    sha512: sha512.try_into().expect("64 bytes"),
                }
            })
            .collect();
        Ok(Finished {
            reader,
            path,
            entries,
            digests,
        })
    }
}

/// `len` bytes of `reader` from `at`.
fn read_exact_at(reader: &mut PartReader, at: u64, len: usize) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    reader.pos = at;
    let mut bytes = vec![0; len];
    reader.read_exact(&mut bytes)?;
    Ok(bytes)
}

/// See the module documentation.
pub struct Spill {
    dist: PathBuf,
    name: String,
    /// Parts with room, no entry being written.
    idle: Mutex<Vec<Part>>,
    /// Finished parts by id, each deleted when dropped.
    full: Mutex<Vec<(usize, File, tempfile::TempPath)>>,
    /// Parts made so far (the next part's id).
    made: AtomicUsize,
    /// Entries a part holds before it is finished: [`PART_FILES`] but in tests.
    part_files: usize,
    /// Entries deflated whole past this size wait here, not in their part, for their SHA-512:
    /// [`LANE_LIMIT`] but in tests.
    lane_limit: usize,
    /// Large entries waiting for their SHA-512 ([`Spill::hash_later`]) are hashed once they
    /// hold this many bytes, or are [`sha512_lanes::LANES`]: [`LARGE_BYTES`] but in tests.
    large_bytes: usize,
    /// Large entries waiting for their SHA-512, from every part.
    large: Mutex<Large>,
    /// The large entries' SHA-512s, set into their parts' digests by [`Spill::finish`].
    late: Mutex<Vec<(Place, [u8; 64])>>,
}

impl Spill {
    /// A spill for the bag `name`, its parts in `dist`.
    pub fn new(dist: &Path, name: &str) -> Spill {
        Spill {
            dist: dist.to_path_buf(),
            name: name.to_string(),
            idle: Mutex::new(Vec::new()),
            full: Mutex::new(Vec::new()),
            made: AtomicUsize::new(0),
            part_files: PART_FILES,
            lane_limit: LANE_LIMIT,
            large_bytes: LARGE_BYTES,
            large: Mutex::default(),
            late: Mutex::default(),
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
        ))
    }

    /// Gives `part` back, finishing it when full.
    fn put(&self, part: Part) -> Result<()> {
        if part.records.len() < self.part_files {
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

    /// Hashes the large entry `bytes`, at `at`, with the others waiting once there are enough
    /// of them: [`sha512_lanes::LANES`], or fewer holding `large_bytes` between them. Held in
    /// their parts instead, each thread's part would hold up to eight line pages (36 MB);
    /// here the pages of every thread fill the lanes together, under one bound.
    fn hash_later(&self, at: Place, bytes: Vec<u8>) {
        let ready = {
            let mut large = self
                .large
                .lock()
                .expect("no thread panics holding the spill");
            large.held += bytes.len();
            large.waiting.push((at, bytes));
            if large.waiting.len() < sha512_lanes::LANES && large.held < self.large_bytes {
                return;
            }
            large.held = 0;
            std::mem::take(&mut large.waiting)
        };
        self.hash_large(ready);
    }

    /// Computes the SHA-512s of `entries`, all at once, for [`Spill::finish`] to list.
    fn hash_large(&self, entries: Vec<(Place, Vec<u8>)>) {
        let messages: Vec<&[u8]> = entries.iter().map(|(_, bytes)| bytes.as_slice()).collect();
        let sha512s = sha512_lanes::digests(&messages);
        let mut late = self
            .late
            .lock()
            .expect("no thread panics holding the spill");
        late.extend(entries.iter().map(|(at, _)| *at).zip(sha512s));
    }

    /// Every part, finished and open for reading, in id order (ids run from 0).
    pub fn finish(self) -> Result<Vec<Finished>> {
        let waiting = std::mem::take(
            &mut self
                .large
                .lock()
                .expect("no thread panics holding the spill")
                .waiting,
        );
        self.hash_large(waiting);
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
        let mut finished: Vec<Finished> = parts
            .into_iter()
            .map(|(_, file, path)| Finished::open(file, path))
            .collect::<Result<_>>()?;
        let late = self
            .late
            .into_inner()
            .expect("no thread panics holding the spill");
        for (at, sha512) in late {
            finished[at.part as usize].digests[at.index as usize].sha512 = sha512;
        }
        Ok(finished)
    }
}

/// Large entries waiting for their SHA-512 ([`Spill::hash_later`]).
#[derive(Default)]
struct Large {
    waiting: Vec<(Place, Vec<u8>)>,
    /// Their bytes, together.
    held: usize,
}

/// A finished part read by positioned reads through a window of its bytes. The package is
/// copied from the parts in name order, which jumps from part to part: through a `File`, each
/// entry cost a seek and reads (five system calls when the parts were zips, whose local headers
/// were read too: the zip's writing took 1.2 s at 100k incidents, 0.9 s this way; 14.6 and
/// 11.1 s at 1M). Here a seek costs nothing, and a read past the window fills it with one
/// `pread` from where it is asked: [`SMALL_WINDOW`] takes in a page's deflated bytes at once,
/// and a window read through to its end doubles (up to [`LARGE_WINDOW`]) for the copies of
/// inputs, megabytes long.
pub struct PartReader {
    file: File,
    pos: u64,
    /// The file's bytes from `window_at`.
    window: Vec<u8>,
    window_at: u64,
    /// How many bytes the next fill asks for.
    fill: usize,
}

/// A window's size after a jump: an incident page's deflated bytes (about 3 KB) fit, so one
/// read takes them in.
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
    /// Ends the entry, whose bytes have the SHA-256 `sha256` (kept with the part, and its
    /// SHA-512, until the package is assembled), and gives its part back: where the entry is.
    pub fn finish(mut self, sha256: [u8; 32]) -> Result<Place> {
        let mut part = self.part.take().expect("an entry is finished once");
        let finished = part.finish_entry(sha256, self.spill.lane_limit);
        let (index, large) =
            finished.with_context(|| format!("{}: cannot write", part.path.display()))?;
        let at = Place {
            part: u32::try_from(part.id).context("more than 2^32 spill parts")?,
            index: u32::try_from(index).expect("a part holds PART_FILES entries"),
        };
        self.spill.put(part)?;
        if let Some(bytes) = large {
            self.spill.hash_later(at, bytes);
        }
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

/// One part: entries' stored bytes written front to back, their records kept until
/// [`Part::finish`].
struct Part {
    /// Its place among the parts [`Spill::finish`] returns.
    id: usize,
    out: BufWriter<File>,
    path: tempfile::TempPath,
    /// Where the next entry starts: the end of the last finished one.
    end: u64,
    /// The entries finished: what their stored bytes are, in order.
    records: Vec<Raw>,
    /// Their digests, by index; the SHA-512s of those in `unhashed` are still to come.
    digests: Vec<Digests>,
    /// Entries deflated whole whose SHA-512 is not yet computed: their index and bytes, hashed
    /// together once there are [`sha512_lanes::LANES`] ([`Part::hash_waiting`]).
    unhashed: Vec<(usize, Vec<u8>)>,
    /// Buffers of hashed entries, for the next entries' bytes.
    spare: Vec<Vec<u8>>,
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
    /// Stored as it is, not deflated ([`is_compressed`]).
    stored: bool,
    crc: crc32fast::Hasher,
    size: u64,
    /// Bytes not yet deflated: the whole entry, or the next piece once in pieces (reused).
    pending: Vec<u8>,
    /// Set once the entry is written in pieces: the (deflated) bytes written so far.
    streamed: Option<u64>,
    /// Once in pieces, the SHA-512 of its bytes so far.
    sha512: Option<sha2::Sha512>,
}

/// Entries deflated whole and larger than this wait for their SHA-512 in the spill, not in
/// their part ([`Spill::hash_later`]): a part holds up to seven pages of at most this size
/// waiting for theirs.
const LANE_LIMIT: usize = 1 << 20;

/// The bytes of large entries waiting for their SHA-512 are hashed once they reach this
/// ([`Spill::hash_later`]), if there are not eight of them first: eight of the log's line
/// pages (2.2 MB each) fill the lanes; four of the largest (4.5 MB) still run at twice one
/// message's rate. Past the line pages, `package`'s peak at 1M incidents leaves no room for
/// much more.
const LARGE_BYTES: usize = 16 << 20;

/// The largest buffer a part keeps for reuse ([`Part::hash_waiting`]): an incident page's
/// bytes fit many times over.
const SPARE_CAPACITY: usize = 64 << 10;

/// Deflated output is produced into a buffer of this size, whatever the input: the calls the
/// deflater sees, and so its bytes, depend on the entry's bytes alone.
const OUT_CHUNK: usize = 128 << 10;

impl Part {
    fn new(id: usize, file: File, path: tempfile::TempPath) -> Part {
        let level = libdeflater::CompressionLvl::new(LIBDEFLATE_LEVEL).expect("a valid level");
        Part {
            id,
            out: BufWriter::with_capacity(1 << 18, file),
            path,
            end: 0,
            records: Vec::new(),
            digests: Vec::new(),
            unhashed: Vec::with_capacity(sha512_lanes::LANES),
            spare: Vec::new(),
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
            stored: is_compressed(name.as_bytes()),
            pending,
            ..Open::default()
        };
        self.open.pending.clear();
    }

    fn write_entry(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.open.crc.update(buf);
        self.open.size += buf.len() as u64;
        if self.open.streamed.is_none() {
            if self.open.pending.len() + buf.len() <= WHOLE_LIMIT {
                self.open.pending.extend_from_slice(buf);
                return Ok(());
            }
            self.start_pieces()?;
        }
        // A large write (a copy read from disk) is hashed on one thread, deflated on another.
        let mut sha512 = self.open.sha512.take().expect("in pieces");
        let written = if buf.len() >= super::SIDE_BY_SIDE {
            rayon::join(
                || sha2::Digest::update(&mut sha512, buf),
                || self.write_piece(buf),
            )
            .1
        } else {
            sha2::Digest::update(&mut sha512, buf);
            self.write_piece(buf)
        };
        self.open.sha512 = Some(sha512);
        written
    }

    /// Writes `buf`, past the entry's first [`WHOLE_LIMIT`] bytes, deflated or as it is.
    fn write_piece(&mut self, mut buf: &[u8]) -> std::io::Result<()> {
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

    /// The entry outgrew [`WHOLE_LIMIT`]: what it holds so far goes out now, deflated in
    /// pieces (or as it is).
    fn start_pieces(&mut self) -> std::io::Result<()> {
        self.open.streamed = Some(0);
        let held = std::mem::take(&mut self.open.pending);
        self.open.sha512 = Some(<sha2::Sha512 as sha2::Digest>::new_with_prefix(&held));
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

    /// Writes the rest of the entry and records it, with its SHA-256 `sha256`; its index in
    /// the part, and its bytes if they are past `lane_limit`, to be hashed in the spill
    /// ([`Spill::hash_later`]).
    fn finish_entry(
        &mut self,
        sha256: [u8; 32],
        lane_limit: usize,
    ) -> std::io::Result<(usize, Option<Vec<u8>>)> {
        let size = self.open.size;
        let compressed = match self.open.streamed {
            None if self.open.stored => {
                self.out.write_all(&self.open.pending)?;
                size
            }
            None => {
                let n = deflate_whole(&mut self.whole, &self.open.pending, &mut self.deflated)?;
                self.out.write_all(&self.deflated[..n])?;
                if self.deflated.capacity() > SPARE_CAPACITY {
                    self.deflated = Vec::new(); // a line page's megabytes, not kept
                }
                n as u64
            }
            Some(_) => {
                if !self.open.stored {
                    self.deflate_piece(flate2::FlushCompress::Finish)?;
                }
                self.open.streamed.expect("in pieces")
            }
        };
        self.end += compressed;
        self.records.push(Raw {
            method: if self.open.stored {
                Method::Stored
            } else {
                Method::Deflated
            },
            crc32: self.open.crc.clone().finalize(),
            compressed,
            size,
        });
        let index = self.records.len() - 1;
        let mut large = None;
        let sha512 = match self.open.sha512.take() {
            Some(streamed) => sha2::Digest::finalize(streamed).into(),
            // A large page (the inputs' line pages, megabytes each) waits with those of every
            // part, not in this one: eight of them waiting here would be tens of megabytes a
            // part, and the line pages are where `package`'s peak is at 1M incidents.
            None if self.open.pending.len() > lane_limit => {
                let next = self.spare.pop().unwrap_or_default();
                large = Some(std::mem::replace(&mut self.open.pending, next));
                [0; 64] // until hashed in the spill
            }
            None => {
                let next = self.spare.pop().unwrap_or_default();
                let bytes = std::mem::replace(&mut self.open.pending, next);
                self.unhashed.push((index, bytes));
                [0; 64] // until hashed with others
            }
        };
        self.digests.push(Digests { sha256, sha512 });
        if self.unhashed.len() == sha512_lanes::LANES {
            self.hash_waiting();
        }
        Ok((index, large))
    }

    /// Computes the SHA-512s of the entries waiting for theirs, all at once.
    fn hash_waiting(&mut self) {
        let messages: Vec<&[u8]> = self.unhashed.iter().map(|(_, b)| b.as_slice()).collect();
        let sha512s = sha512_lanes::digests(&messages);
        for ((index, mut bytes), sha512) in self.unhashed.drain(..).zip(sha512s) {
            self.digests[index].sha512 = sha512;
            // A page's buffer is kept for the next; a large one's (the register's pages) let go.
            if bytes.capacity() <= SPARE_CAPACITY {
                bytes.clear();
                self.spare.push(bytes);
            }
        }
    }

    /// Forgets the entry being written: the next one starts where it did.
    fn abort_entry(&mut self) -> std::io::Result<()> {
        if self.open.streamed.is_some() {
            self.out.seek(SeekFrom::Start(self.end))?;
        }
        self.open.pending.clear();
        self.open.streamed = None;
        self.open.sha512 = None;
        Ok(())
    }

    /// Writes each entry's record, digests and their number after the entries (see
    /// [`RECORD_LEN`]); the part, ready to read.
    fn finish(mut self) -> Result<(usize, File, tempfile::TempPath)> {
        self.hash_waiting();
        let cannot = || format!("{}: cannot write", self.path.display());
        let mut tail = Vec::with_capacity(self.records.len() * (RECORD_LEN + DIGESTS_LEN) + 8);
        for raw in &self.records {
            tail.extend_from_slice(&raw.compressed.to_le_bytes());
            tail.extend_from_slice(&raw.size.to_le_bytes());
            tail.extend_from_slice(&raw.crc32.to_le_bytes());
            tail.push(u8::from(raw.method == Method::Deflated));
        }
        for digests in &self.digests {
            tail.extend_from_slice(&digests.sha256);
            tail.extend_from_slice(&digests.sha512);
        }
        tail.extend_from_slice(&(self.records.len() as u64).to_le_bytes());
        // An entry given up after it had written pieces may have left bytes past the end.
        self.out
            .seek(SeekFrom::Start(self.end))
            .and_then(|_| self.out.write_all(&tail))
            .with_context(cannot)?;
        let end = self.end + tail.len() as u64;
        let Part { id, out, path, .. } = self;
        let cannot = || format!("{}: cannot write", path.display());
        let file = out
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(cannot)?;
        file.set_len(end).with_context(cannot)?;
        Ok((id, file, path))
    }
}

/// Deflates `input` into `out`, its length: first into half the input's size (pages deflate to
/// 12-30 %), for only the bytes written are touched, and a line page's worst case is megabytes
/// zeroed for nothing; an input that does not shrink that much is deflated again into room
/// for the worst case. libdeflate's output does not depend on the room it is given.
fn deflate_whole(
    compressor: &mut libdeflater::Compressor,
    input: &[u8],
    out: &mut Vec<u8>,
) -> std::io::Result<usize> {
    let first = input.len() / 2 + 1024;
    let bound = compressor.deflate_compress_bound(input.len());
    for room in [first.min(bound), bound] {
        out.clear();
        out.resize(room, 0);
        match compressor.deflate_compress(input, out) {
            Ok(n) => return Ok(n),
            Err(libdeflater::CompressionError::InsufficientSpace) if room < bound => {}
            Err(e) => return Err(std::io::Error::other(format!("{e:?}"))),
        }
    }
    unreachable!("the bound always has room")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// Text that deflates unevenly, `len` bytes of it.
    fn text(len: usize, seed: usize) -> Vec<u8> {
        (0..len)
            .map(|j| b"<td>incident 42</td>\n"[(j * (seed + 3) + j / 977) % 21])
            .collect()
    }

    /// The digests of `bytes`, as the sink hands them to [`Entry::finish`].
    fn digests(bytes: &[u8]) -> Digests {
        use sha2::Digest;
        Digests {
            sha256: sha2::Sha256::digest(bytes).into(),
            sha512: sha2::Sha512::digest(bytes).into(),
        }
    }

    /// Writes `body` in pieces of `pieces` as the entry `name`; where it went.
    fn spill_entry(spill: &Spill, name: &str, body: &[u8], pieces: usize) -> Place {
        let mut entry = spill.entry(name).unwrap();
        for piece in body.chunks(pieces) {
            entry.write_all(piece).unwrap();
        }
        entry.finish(digests(body).sha256).unwrap()
    }

    /// Each entry's bytes and stored bytes, by name, read back from the spill's parts where
    /// `places` says; each entry's CRC-32, size and digests as its part records them are
    /// checked against its bytes, and the parts hold no entry but those of `places`.
    fn raw_entries(
        spill: Spill,
        places: &BTreeMap<String, Place>,
    ) -> BTreeMap<String, (Vec<u8>, Vec<u8>)> {
        let mut parts = spill.finish().unwrap();
        let entries: usize = parts.iter().map(|p| p.entries.len()).sum();
        assert_eq!(entries, places.len(), "entries in the parts");
        let mut out = BTreeMap::new();
        for (name, at) in places {
            let part = &mut parts[at.part as usize];
            let digest = part.digests[at.index as usize];
            let (raw, reader) = part.entry(at.index).unwrap();
            let mut stored = Vec::new();
            reader
                .take(raw.compressed)
                .read_to_end(&mut stored)
                .unwrap();
            let bytes = match raw.method {
                Method::Stored => stored.clone(),
                Method::Deflated => {
                    let mut bytes = Vec::new();
                    flate2::read::DeflateDecoder::new(&stored[..])
                        .read_to_end(&mut bytes)
                        .unwrap();
                    bytes
                }
            };
            assert_eq!(raw.size, bytes.len() as u64, "{name}");
            assert_eq!(raw.crc32, crc32fast::hash(&bytes), "{name}");
            assert_eq!(digests(&bytes), digest, "{name}: its digests as listed");
            out.insert(name.clone(), (bytes, stored));
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
        let spill = Spill::new(dir.path(), "bag");
        let sizes = [0, 1, 4000, WHOLE_LIMIT, WHOLE_LIMIT + 1, 3 << 20];
        let mut written = BTreeMap::new();
        let mut places = BTreeMap::new();
        for (i, &len) in sizes.iter().enumerate() {
            let name = format!("bag/data/f{i}-é.html");
            let body = text(len, i);
            places.insert(name.clone(), spill_entry(&spill, &name, &body, 70_001));
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
        let read = raw_entries(spill, &places);
        for (name, body) in &written {
            assert!(read[name].0 == *body, "{name}");
        }
    }

    /// A file that is already compressed (a workbook, by its name) is stored as it is, small
    /// or large, whole or given up midway; the entries around it are still deflated.
    #[test]
    fn an_already_compressed_file_is_stored_as_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let spill = Spill::new(dir.path(), "bag");
        let entries = [
            ("bag/data/a.html", text(5000, 1)),
            ("bag/data/data/register.xlsx", text(5000, 2)),
            ("bag/data/data/LARGE.XLSX", text(WHOLE_LIMIT + 70_001, 3)),
            ("bag/data/z.html", text(WHOLE_LIMIT + 5, 4)),
        ];
        let mut places = BTreeMap::new();
        for (i, (name, body)) in entries.iter().enumerate() {
            if i == 2 {
                let mut given_up = spill.entry("bag/data/given-up.zip").unwrap();
                given_up.write_all(&text(WHOLE_LIMIT + 300_000, 9)).unwrap();
                drop(given_up);
            }
            places.insert(name.to_string(), spill_entry(&spill, name, body, 70_001));
        }
        let read = raw_entries(spill, &places);
        for (name, body) in &entries {
            let (bytes, raw) = &read[*name];
            assert!(bytes == body, "{name}");
            let stored = name.to_lowercase().ends_with(".xlsx");
            assert_eq!(raw == body, stored, "{name} stored as it is: {stored}");
        }
    }

    /// Every entry's SHA-512, as its part lists it, is its bytes' (`sha2`'s): entries deflated
    /// whole are hashed eight at a time in their part, the large ones eight at a time (or as
    /// many as reach the byte bound) in the spill, across entries written in pieces (hashed as
    /// they go), entries given up, and parts and a spill finished with fewer than eight waiting.
    #[test]
    fn each_entry_is_listed_with_its_own_sha512() {
        // (bytes of large entries hashed at once, large entries hashed at the bound)
        for (large_bytes, batched_at_the_bound) in [(usize::MAX, false), (60_000, true)] {
            let dir = tempfile::tempdir().unwrap();
            let mut spill = Spill::new(dir.path(), "bag");
            spill.part_files = 19; // two batches and three waiting, in each full part
            spill.lane_limit = 20_000;
            spill.large_bytes = large_bytes;
            let mut places = BTreeMap::new();
            let mut large = 0;
            for i in 0..50 {
                let len = match i % 13 {
                    5 => WHOLE_LIMIT + 1,
                    9 => 0,
                    n => 3000 + n * 1777 + i,
                };
                large += usize::from(len > spill.lane_limit && len <= WHOLE_LIMIT);
                let name = format!("bag/data/{i:02}.html");
                places.insert(
                    name.clone(),
                    spill_entry(&spill, &name, &text(len, i), 4096),
                );
                if i % 7 == 3 {
                    let mut given_up = spill.entry("bag/data/given-up.html").unwrap();
                    given_up.write_all(&text(2000 + i, 1)).unwrap();
                    drop(given_up);
                }
            }
            // Some large entries were hashed together before the spill was finished: eight
            // at once, or fewer at the bound. More wait for the finish.
            let hashed = spill.late.lock().unwrap().len();
            assert_eq!(hashed, if batched_at_the_bound { 9 } else { 8 });
            assert!(
                large > hashed,
                "{large} large entries, {hashed} hashed already"
            );
            // `raw_entries` checks each entry's listed digests against its bytes.
            assert_eq!(raw_entries(spill, &places).len(), 50);
        }
    }

    /// A page deflated into half its size, or into room for the worst case after it did not
    /// fit, is deflated to the bytes the worst case's room gives.
    #[test]
    fn a_whole_entry_deflates_alike_whatever_the_room() {
        let level = libdeflater::CompressionLvl::new(LIBDEFLATE_LEVEL).unwrap();
        let mut compressor = libdeflater::Compressor::new(level);
        let noise: Vec<u8> = (0..20_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
            .collect();
        for input in [text(300_000, 3), noise, Vec::new(), b"x".to_vec()] {
            let mut roomy = vec![0; compressor.deflate_compress_bound(input.len())];
            let n = compressor.deflate_compress(&input, &mut roomy).unwrap();
            let mut out = Vec::new();
            let got = deflate_whole(&mut compressor, &input, &mut out).unwrap();
            assert!(out[..got] == roomy[..n], "{} bytes", input.len());
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
                let spill = Spill::new(dir.path(), "bag");
                let at = spill_entry(&spill, "bag/data/x", &body, pieces);
                let places = BTreeMap::from([("bag/data/x".to_string(), at)]);
                raw_entries(spill, &places).remove("bag/data/x").unwrap().1
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
