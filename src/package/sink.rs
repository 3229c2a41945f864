//! The bag as a render's [`Sink`]: `package` renders each page once, straight into the package,
//! and never writes it to disk to read it back.
//!
//! Each file is hashed (both manifests) and deflated on the thread that rendered it, as it is
//! written, then appended to a spill (zips beside the package), in whatever order the threads
//! finish. Verbatim copies of inputs are not buffered: they are read from the inputs when the bag
//! is finished.
//! [`BagSink::finish`] then writes the package in name order, copying each spilled entry's
//! compressed bytes as they are (no second deflate), so the zip is byte for byte the one
//! [`super::write_package`] makes of the same files on disk.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use zip::write::SimpleFileOptions;
use zip::{ZipArchive, ZipWriter};

use super::bagit::{self, BagInfo, Digests, Oxum};
use super::{BATCH_BYTES, PayloadFile, archive, batches, pack};
use crate::util::sink::{Sink, SinkFile};

/// A package being written from a render; see the module documentation.
pub struct BagSink {
    /// The bag's name, the zip's top directory.
    name: String,
    dist: PathBuf,
    mtime: zip::DateTime,
    options: SimpleFileOptions,
    spill: Mutex<Spill>,
    /// Every payload file so far, by bag path (`data/...`).
    files: Mutex<BTreeMap<String, Stored>>,
    /// Files [`held_on_disk`] until the bag is written (deleted with the sink).
    held: Mutex<Vec<tempfile::TempPath>>,
}

/// A file that is itself compressed (the workbook is a zip) is not deflated as it is written:
/// deflating gains nothing, and its deflated bytes, held until it is finished, were 18 MB at
/// 100k incidents, twice that while the buffer grew, and took the package's peak past 512 MiB.
/// It is written to a temp file and packed with the copies of inputs, once the render has freed
/// its memory.
fn held_on_disk(rel: &str) -> bool {
    rel.ends_with(".xlsx")
}

enum Stored {
    /// In the spill zip, with its digests as bytes (as hex, 110,000 pages' would cost 20 MB
    /// more while everything the render needs is still held).
    Spilled {
        sha256: [u8; 32],
        sha512: [u8; 64],
        size: u64,
    },
    /// To be read from `path` when the bag is finished.
    Copy { path: PathBuf, sha256: String },
    /// A copy read into the spill.
    Packed { digests: Digests, size: u64 },
}

impl Stored {
    /// The digests and size of a file in the spill.
    fn spilled(self) -> (Digests, u64) {
        match self {
            Stored::Spilled {
                sha256,
                sha512,
                size,
            } => {
                let (sha256, sha512) = (hex::encode(sha256), hex::encode(sha512));
                (Digests { sha256, sha512 }, size)
            }
            Stored::Packed { digests, size } => (digests, size),
            Stored::Copy { .. } => unreachable!("copies are packed before the zip is written"),
        }
    }
}

impl BagSink {
    /// A sink for the bag `name`, its package to be written in `dist` (the spill goes there too;
    /// see [`super::write_rendered_package`]).
    pub fn new(dist: &Path, name: &str, mtime: zip::DateTime) -> Result<BagSink> {
        super::check_bag_name(name)?;
        std::fs::create_dir_all(dist)
            .with_context(|| format!("{}: cannot create", dist.display()))?;
        Ok(BagSink {
            name: name.to_string(),
            dist: dist.to_path_buf(),
            mtime,
            options: archive::entry_options(mtime),
            spill: Mutex::new(Spill {
                dist: dist.to_path_buf(),
                name: name.to_string(),
                current: None,
                count: 0,
                parts: Vec::new(),
            }),
            files: Mutex::new(BTreeMap::new()),
            held: Mutex::new(Vec::new()),
        })
    }

    /// Records `rel` as written, refusing a second file of the same name (on disk the second
    /// would silently replace the first) and names BagIt tools disagree on.
    fn claim(&self, rel: &str, stored: Stored) -> Result<()> {
        let bag_path = format!("data/{rel}");
        if let Some(why) = bagit::refused_name(&bag_path) {
            bail!("{rel}: file name {why}, which BagIt tools disagree on");
        }
        let mut files = self
            .files
            .lock()
            .expect("no thread panics holding the file list");
        match files.entry(bag_path) {
            std::collections::btree_map::Entry::Occupied(_) => {
                bail!("{rel}: written twice into the package")
            }
            std::collections::btree_map::Entry::Vacant(v) => v.insert(stored),
        };
        Ok(())
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn dist(&self) -> &Path {
        &self.dist
    }

    /// Writes the package to `zip_path`: the copies of inputs are packed, then every entry is
    /// copied in name order from the spill into the zip, between the tag files. Returns the zip's
    /// SHA-256, the tag manifest's and the payload's size. `progress(stage, done, total)` follows
    /// each stage: `packed` (the files read from disk) and `bagged` (the whole payload).
    pub fn finish(
        self,
        zip_path: &Path,
        info: &BagInfo,
        progress: &(dyn Fn(&str, Oxum, Oxum) + Sync),
    ) -> Result<(String, String, Oxum)> {
        let BagSink {
            name,
            mtime,
            options,
            spill,
            files,
            held,
            ..
        } = self;
        let mut files = files
            .into_inner()
            .expect("no thread panics holding the file list");
        let mut spill = spill
            .into_inner()
            .expect("no thread panics holding the spill");
        if files.is_empty() {
            bail!("no files to package");
        }
        pack_copies(&name, &mut files, &mut spill, options, &|done, total| {
            progress("packed", done, total)
        })?;
        drop(held);
        let mut spill = spill.finish()?;

        let oxum = Oxum {
            files: files.len() as u64,
            bytes: files
                .values()
                .map(|s| match s {
                    Stored::Spilled { size, .. } | Stored::Packed { size, .. } => *size,
                    Stored::Copy { .. } => unreachable!("copies are packed above"),
                })
                .sum(),
        };
        let mut digests = BTreeMap::new();
        let (mut zip, head) = super::start_bag_zip(zip_path, &name, info, oxum, mtime)?;
        progress("bagged", Oxum::default(), oxum);
        let mut done = Oxum::default();
        for (bag_path, stored) in files {
            let (d, size) = stored.spilled();
            let entry = format!("{name}/{bag_path}");
            let found = spill
                .iter_mut()
                .find_map(|(part, _)| Some((part.index_for_name_raw(entry.as_bytes())?, part)));
            let (index, part) =
                found.with_context(|| format!("{entry}: missing from the spill"))?;
            let file = part
                .by_index_raw(index)
                .with_context(|| format!("{entry}: cannot read from the spill"))?;
            zip.copy_raw(file)?;
            digests.insert(bag_path, d);
            done.files += 1;
            done.bytes += size;
            if done.files % 1024 == 0 {
                progress("bagged", done, oxum);
            }
        }
        progress("bagged", done, oxum);
        let (zip_sha256, tagmanifest_sha256) = super::finish_bag_zip(zip, &name, head, &digests)?;
        Ok((zip_sha256, tagmanifest_sha256, oxum))
    }

    /// `rel`'s name in the zip.
    fn entry_name(&self, rel: &str) -> String {
        format!("{}/data/{rel}", self.name)
    }

    fn spill(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let mut packing = super::Packing::new(&self.entry_name(rel), self.options)?;
        packing.write_all(bytes)?;
        self.store(rel, packing.finish()?)
    }

    /// Records a packed file and appends its entry to the spill.
    fn store(&self, rel: &str, packed: super::Packed) -> Result<()> {
        let super::Packed {
            sha256,
            sha512,
            size,
            entry,
        } = packed;
        self.claim(
            rel,
            Stored::Spilled {
                sha256,
                sha512,
                size,
            },
        )?;
        let mut spill = self
            .spill
            .lock()
            .expect("no thread panics holding the spill");
        spill.add(entry)
    }
}

/// Packs the verbatim copies of inputs into the spill (read, hashed and deflated in parallel,
/// about [`BATCH_BYTES`] at a time), refusing an input that changed since it was read.
/// `progress(done, total)` after each batch.
fn pack_copies(
    name: &str,
    files: &mut BTreeMap<String, Stored>,
    spill: &mut Spill,
    options: SimpleFileOptions,
    progress: &dyn Fn(Oxum, Oxum),
) -> Result<()> {
    let mut copies = Vec::new();
    let mut expected = Vec::new();
    for (bag_path, stored) in files.iter() {
        if let Stored::Copy { path, sha256 } = stored {
            let size = std::fs::metadata(path)
                .with_context(|| format!("{}: cannot read", path.display()))?
                .len();
            let file = PayloadFile {
                path: path.clone(),
                size,
            };
            copies.push((bag_path.clone(), file));
            expected.push(sha256.clone());
        }
    }
    let mut expected = expected.into_iter();
    let total = Oxum {
        files: copies.len() as u64,
        bytes: copies.iter().map(|(_, f)| f.size).sum(),
    };
    let mut done = Oxum::default();
    progress(done, total);
    for batch in batches(&copies, BATCH_BYTES) {
        let packed: Vec<_> = batch
            .par_iter()
            .map(|(bag_path, f)| pack(f, &format!("{name}/{bag_path}"), options))
            .collect::<Result<_>>()?;
        for ((bag_path, f), (digests, prepared)) in batch.iter().zip(packed) {
            if Some(&digests.sha256) != expected.next().as_ref() {
                bail!(
                    "{}: changed while the package was being written",
                    f.path.display()
                );
            }
            spill.add(prepared)?;
            let size = f.size;
            files.insert(bag_path.clone(), Stored::Packed { digests, size });
            done.files += 1;
            done.bytes += size;
        }
        progress(done, total);
    }
    Ok(())
}

/// Entries deflated ahead of the zip, in zips ("parts") of at most [`SPILL_PART_FILES`]: a zip
/// writer keeps every entry's metadata until it finishes (for 110,000 pages, 45 MB held while
/// everything the render needs is still held), a finished part nothing.
struct Spill {
    dist: PathBuf,
    name: String,
    current: Option<(ZipWriter<BufWriter<File>>, tempfile::TempPath)>,
    /// Entries in the current part.
    count: usize,
    /// Finished parts, each deleted when dropped.
    parts: Vec<(File, tempfile::TempPath)>,
}

/// (Two in unit tests, so they cross parts.)
const SPILL_PART_FILES: usize = if cfg!(test) { 2 } else { 8192 };

impl Spill {
    fn add(&mut self, prepared: zip::write::PreparedZipFile) -> Result<()> {
        if self.current.is_none() {
            let part = tempfile::Builder::new()
                .prefix(&format!(".{}.spill", self.name))
                .tempfile_in(&self.dist)
                .with_context(|| format!("{}: cannot create a spill file", self.dist.display()))?;
            let (file, path) = part.into_parts();
            let writer = ZipWriter::new(BufWriter::with_capacity(1 << 20, file));
            self.current = Some((writer, path));
        }
        let (writer, path) = self.current.as_mut().expect("opened above");
        writer
            .add_prepared_file(prepared)
            .with_context(|| format!("{}: cannot write", path.display()))?;
        self.count += 1;
        if self.count >= SPILL_PART_FILES {
            self.finish_part()?;
        }
        Ok(())
    }

    fn finish_part(&mut self) -> Result<()> {
        let Some((writer, path)) = self.current.take() else {
            return Ok(());
        };
        self.count = 0;
        let cannot = || format!("{}: cannot write", path.display());
        let mut file = writer
            .finish()
            .with_context(cannot)?
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(cannot)?;
        file.rewind().with_context(cannot)?;
        self.parts.push((file, path));
        Ok(())
    }

    /// Every part, finished and open for reading.
    fn finish(mut self) -> Result<Vec<(ZipArchive<File>, tempfile::TempPath)>> {
        self.finish_part()?;
        self.parts
            .into_iter()
            .map(|(file, path)| {
                let part = ZipArchive::new(file)
                    .with_context(|| format!("{}: cannot read back the spill", path.display()))?;
                Ok((part, path))
            })
            .collect()
    }
}

impl Sink for BagSink {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        self.spill(rel, bytes)
    }

    fn create(&self, rel: &str) -> Result<Box<dyn SinkFile + '_>> {
        let to = if held_on_disk(rel) {
            let file = tempfile::Builder::new()
                .prefix(&format!(".{}.file", self.name))
                .tempfile_in(&self.dist)
                .with_context(|| format!("{}: cannot create a temp file", self.dist.display()))?;
            let (file, path) = file.into_parts();
            To::Disk(HeldFile {
                file: BufWriter::with_capacity(1 << 20, file),
                path,
                sha256: sha2::Digest::new(),
            })
        } else {
            To::Zip(Box::new(super::Packing::new(
                &self.entry_name(rel),
                self.options,
            )?))
        };
        Ok(Box::new(BagFile {
            sink: self,
            rel: rel.to_string(),
            to,
        }))
    }

    fn copy_from(
        &self,
        rel: &str,
        from: &Path,
        sha256: &str,
    ) -> Result<Option<Box<dyn SinkFile + '_>>> {
        let path = from.to_path_buf();
        let sha256 = sha256.to_string();
        self.claim(rel, Stored::Copy { path, sha256 })?;
        Ok(None)
    }

    fn sha256(&self, rel: &str) -> Option<String> {
        let files = self
            .files
            .lock()
            .expect("no thread panics holding the file list");
        match files.get(&format!("data/{rel}"))? {
            Stored::Spilled { sha256, .. } => Some(hex::encode(sha256)),
            Stored::Copy { sha256, .. } => Some(sha256.clone()),
            Stored::Packed { digests, .. } => Some(digests.sha256.clone()),
        }
    }
}

/// A file written in pieces: hashed and deflated as it is written (see [`archive::Deflating`]),
/// so only its deflated bytes are held and nothing is written to disk to be read back; or, when
/// [`held_on_disk`], written to a temp file.
struct BagFile<'a> {
    sink: &'a BagSink,
    rel: String,
    to: To,
}

enum To {
    Zip(Box<super::Packing>),
    Disk(HeldFile),
}

struct HeldFile {
    file: BufWriter<File>,
    path: tempfile::TempPath,
    sha256: sha2::Sha256,
}

impl Write for BagFile<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.to {
            To::Zip(packing) => packing.write(buf),
            To::Disk(held) => {
                let n = held.file.write(buf)?;
                sha2::Digest::update(&mut held.sha256, &buf[..n]);
                Ok(n)
            }
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl SinkFile for BagFile<'_> {
    fn finish(self: Box<Self>) -> Result<()> {
        let BagFile { sink, rel, to } = *self;
        let mut held = match to {
            To::Zip(packing) => return sink.store(&rel, packing.finish()?),
            To::Disk(held) => held,
        };
        held.file
            .flush()
            .with_context(|| format!("{}: cannot write", held.path.display()))?;
        let sha256 = hex::encode(sha2::Digest::finalize(held.sha256));
        let path = held.path.to_path_buf();
        sink.claim(&rel, Stored::Copy { path, sha256 })?;
        let mut list = sink
            .held
            .lock()
            .expect("no thread panics holding the held files");
        list.push(held.path);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::super::tests::bag_info as info;

    /// Every way into the sink (whole, in pieces, in pieces that straddle the deflater's, a copy
    /// of an input) gives the zip `write_package` makes of the same files on disk.
    #[test]
    fn a_rendered_package_is_the_package_of_the_same_files_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("input.csv");
        std::fs::write(&input, "id,title\n1,a\n").unwrap();
        let big: Vec<u8> = (0..(3 << 16) + 5000)
            .map(|i| b"abcdefgh\n"[i % 9])
            .collect();
        let files: [(&str, &[u8]); 5] = [
            ("index.html", b"<p>home</p>"),
            ("incidents/1.html", b"<p>one</p>"),
            ("data/register.csv", &big),
            ("data/register.xlsx", b"PK\x03\x04 a workbook"),
            ("sources/input.csv", b"id,title\n1,a\n"),
        ];
        let site = dir.path().join("site");
        for (rel, bytes) in files {
            std::fs::create_dir_all(site.join(rel).parent().unwrap()).unwrap();
            std::fs::write(site.join(rel), bytes).unwrap();
        }
        let mtime = archive::zip_time(chrono::NaiveDate::MIN, Some(1_790_000_000)).unwrap();
        let on_disk =
            super::super::write_package(&site, &dir.path().join("a"), "bag", &info(), mtime)
                .unwrap();

        let sink = BagSink::new(&dir.path().join("b"), "bag", mtime).unwrap();
        std::thread::scope(|s| {
            s.spawn(|| sink.write("incidents/1.html", b"<p>one</p>").unwrap());
            s.spawn(|| {
                let mut f = sink.create("data/register.csv").unwrap();
                for piece in big.chunks(70_001) {
                    f.write_all(piece).unwrap();
                }
                f.finish().unwrap();
            });
        });
        let mut f = sink.create("data/register.xlsx").unwrap();
        f.write_all(b"PK\x03\x04").unwrap();
        f.write_all(b" a workbook").unwrap();
        f.finish().unwrap();
        let mut f = sink.create("index.html").unwrap();
        f.write_all(b"<p>ho").unwrap();
        f.write_all(b"me</p>").unwrap();
        f.finish().unwrap();
        let sha = crate::util::sha256_hex(b"id,title\n1,a\n");
        assert!(
            sink.copy_from("sources/input.csv", &input, &sha)
                .unwrap()
                .is_none()
        );
        assert_eq!(
            sink.sha256("index.html"),
            Some(crate::util::sha256_hex(b"<p>home</p>"))
        );
        assert_eq!(sink.sha256("sources/input.csv"), Some(sha));
        let err = sink.write("index.html", b"again").unwrap_err().to_string();
        assert!(err.contains("written twice"), "{err}");
        let last = Mutex::new(BTreeMap::new());
        let progress = |stage: &str, done: Oxum, total: Oxum| {
            let mut last = last.lock().unwrap();
            last.insert(stage.to_string(), (done, total));
        };
        let rendered = super::super::write_rendered_package(sink, &info(), &progress).unwrap();
        // The input copy and the workbook are packed from disk (the big file was deflated as it
        // was written), then the whole payload is bagged: each stage ends at its total.
        let last = last.into_inner().unwrap();
        let packed = Oxum {
            files: 2,
            bytes: 13 + 15,
        };
        assert_eq!(last["packed"], (packed, packed));
        assert_eq!(last["bagged"], (rendered.oxum, rendered.oxum));
        assert_eq!(rendered.oxum.files, 5);

        assert_eq!(rendered.zip_sha256, on_disk.zip_sha256);
        assert_eq!(
            std::fs::read(&rendered.zip).unwrap(),
            std::fs::read(&on_disk.zip).unwrap()
        );
        assert_eq!(rendered.oxum, on_disk.oxum);
        let left: Vec<_> = std::fs::read_dir(dir.path().join("b"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(
            left.len(),
            2,
            "only the zip and its checksum are left: {left:?}"
        );
    }

    #[test]
    fn an_input_changed_before_it_is_packed_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("input.csv");
        std::fs::write(&input, "new").unwrap();
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        let mtime = archive::zip_time(as_of, None).unwrap();
        let sink = BagSink::new(&dir.path().join("d"), "bag", mtime).unwrap();
        let old = crate::util::sha256_hex(b"old");
        sink.copy_from("sources/input.csv", &input, &old).unwrap();
        let err = super::super::write_rendered_package(sink, &info(), &|_, _, _| {}).unwrap_err();
        assert!(format!("{err:#}").contains("changed while"), "{err:#}");
        let left = std::fs::read_dir(dir.path().join("d")).unwrap().count();
        assert_eq!(left, 0, "no partial zip, no spill");
    }
}
