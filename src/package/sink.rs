//! The bag as a render's [`Sink`]: `package` renders each page once, straight into the package,
//! and never writes it to disk to read it back.
//!
//! Each file is hashed (SHA-256 here, SHA-512 by the spill, eight pages at a time) and
//! deflated on the thread that rendered it, as it is written, straight into the spill
//! (`super::spill`: files beside the package, written a part per thread at a time). Verbatim
//! copies of inputs go the same way, as the render reads them (it reads each once anyway, to
//! hash it), rather than read again when the bag is
//! finished: packing them there was a second or more of the package's tail, on one core at
//! 100k incidents. [`BagSink::finish`] then writes the package in name order, copying each
//! spilled entry's compressed bytes as they are (no second deflate), and names the entries
//! again from the bag's list of files for the central directory. [`super::write_package`]
//! bags files on disk through this same sink, so a rendered package and the package of the same
//! files on disk are one zip byte for byte.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result, bail};

use super::bagit::{self, Algorithm, BagInfo, Oxum};
use super::spill::{self, Place, Spill};
use super::{Packing, archive};
use crate::util::file_list::FileList;
use crate::util::sink::{HashSink, Sink, SinkFile};

/// A package being written from a render; see the module documentation.
pub struct BagSink {
    /// The bag's name, the zip's top directory.
    name: String,
    dist: PathBuf,
    mtime: zip::DateTime,
    spill: Spill,
    /// Every payload file so far, by its path in the site (the bag path less `data/`).
    files: Mutex<FileList<Stored>>,
    /// The SHA-256s the render may ask for ([`BagSink::keeping`]).
    kept: HashSink,
}

/// A file in the spill, where `at` says, with its size. This list is held while the pages are
/// rendered (and everything they need with it), so it keeps only what is asked of it then: its
/// digests wait in the spill (`spill::Finished::digests`). 16 bytes, where name, hex digests
/// and all were 250 a file, 270 MB at 1M incidents (and the SHA-256 held here, 35 MB).
struct Stored {
    size: u64,
    at: Place,
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
            spill: Spill::new(dist, name),
            files: Mutex::new(FileList::default()),
            kept: HashSink::only([]),
        })
    }

    /// The sink, answering [`Sink::sha256`] for the files `names` (the render asks after the
    /// few that the auditor's requests are answered with) and no other.
    pub fn keeping(self, names: impl IntoIterator<Item = String>) -> BagSink {
        BagSink {
            kept: HashSink::only(names),
            ..self
        }
    }

    /// Records `rel` as written, refusing a second file of the same name (on disk the second
    /// would silently replace the first) and names BagIt tools disagree on.
    fn claim(&self, rel: &str, stored: Stored) -> Result<()> {
        if let Some(why) = bagit::refused_name(&format!("data/{rel}")) {
            bail!("{rel}: file name {why}, which BagIt tools disagree on");
        }
        let mut files = self
            .files
            .lock()
            .expect("no thread panics holding the file list");
        if !files.insert(rel, stored) {
            bail!("{rel}: written twice into the package")
        }
        Ok(())
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn dist(&self) -> &Path {
        &self.dist
    }

    /// Writes the package to `zip_path`: every entry is copied in name order from the spill
    /// into the zip, between the tag files. Returns the zip's SHA-256, the tag manifest's and the
    /// payload's size. `progress(stage, done, total)` follows the `bagged` stage (the whole
    /// payload).
    pub fn finish(
        self,
        zip_path: &Path,
        info: &BagInfo,
        progress: &(dyn Fn(&str, Oxum, Oxum) + Sync),
    ) -> Result<(String, String, Oxum)> {
        let BagSink {
            name,
            mtime,
            spill,
            files,
            ..
        } = self;
        let files = files
            .into_inner()
            .expect("no thread panics holding the file list");
        if files.is_empty() {
            bail!("no files to package");
        }
        let mut spill = spill.finish()?;

        let oxum = Oxum {
            files: files.len() as u64,
            bytes: files.iter().map(|(_, s)| s.size).sum(),
        };
        let files = Sorted {
            order: files.sorted(),
            list: files,
        };
        let (mut zip, head) = super::start_bag_zip(zip_path, &name, info, oxum, mtime)?;
        // The manifests need only the digests, all known by now: they are written out and
        // deflated beside the payload's copying, which is one thread's work.
        let digests: Vec<_> = spill
            .iter_mut()
            .map(|part| std::mem::take(&mut part.digests))
            .collect();
        let (tail, copied) = std::thread::scope(|scope| {
            let tail = scope.spawn(|| {
                let manifests = Algorithm::ALL.map(|alg| {
                    let text = payload_manifest(alg, &files, |stored| {
                        let digests = &digests[stored.at.part as usize][stored.at.index as usize];
                        match alg {
                            Algorithm::Sha256 => &digests.sha256[..],
                            Algorithm::Sha512 => &digests.sha512[..],
                        }
                    });
                    (alg, text)
                });
                super::tail_tags(&name, head, manifests)
            });
            let copied = copy_spilled(&mut zip, &name, &files, &mut spill, oxum, progress);
            (
                tail.join().expect("the manifests' thread does not panic"),
                copied,
            )
        });
        copied?;
        let payload = files.iter().map(|(rel, _)| entry_name(&name, rel));
        let (zip_sha256, tagmanifest_sha256) = super::finish_bag_zip(zip, payload, tail?)?;
        Ok((zip_sha256, tagmanifest_sha256, oxum))
    }
}

/// The zip entry of `rel`, a payload file of the bag `name`.
fn entry_name(name: &str, rel: &str) -> String {
    format!("{name}/data/{rel}")
}

/// The bag's files in name order.
struct Sorted {
    list: FileList<Stored>,
    order: Vec<u32>,
}

impl Sorted {
    fn iter(&self) -> impl Iterator<Item = (&str, &Stored)> {
        self.order.iter().map(|&i| self.list.entry(i))
    }
}

/// The payload manifest of `alg` ([`bagit::manifest`]'s text) written straight from the
/// file list, each digest hex-encoded into the text: a table of every file's digests as hex
/// strings, made for it before, was 370 MB at a million incidents, the package's peak.
fn payload_manifest<'a>(
    alg: Algorithm,
    files: &'a Sorted,
    digest: impl Fn(&'a Stored) -> &'a [u8],
) -> String {
    let line = alg.hex_len() + "  data/\n".len();
    let mut text = String::with_capacity(files.iter().map(|(rel, _)| line + rel.len()).sum());
    let mut hex = vec![0; alg.hex_len()];
    // Names sort as `data/<name>` does: every one has the prefix.
    for (rel, stored) in files.iter() {
        hex::encode_to_slice(digest(stored), &mut hex).expect("a digest of its algorithm's length");
        let hash = std::str::from_utf8(&hex).expect("hex is ASCII");
        bagit::push_manifest_line(&mut text, hash, &["data/", rel]);
    }
    text
}

/// Copies every entry of `files`, in their (name) order, from the spill into `zip` as it is
/// stored there (no second deflate). `progress("bagged", done, total)` as it goes.
fn copy_spilled(
    zip: &mut archive::ZipStream,
    name: &str,
    files: &Sorted,
    spill: &mut [spill::Finished],
    oxum: Oxum,
    progress: &(dyn Fn(&str, Oxum, Oxum) + Sync),
) -> Result<()> {
    progress("bagged", Oxum::default(), oxum);
    let mut done = Oxum::default();
    for (rel, Stored { size, at, .. }) in files.iter() {
        let entry = entry_name(name, rel);
        let (raw, bytes) = spill
            .get_mut(at.part as usize)
            .and_then(|part| part.entry(at.index))
            .with_context(|| format!("{entry}: missing from the spill"))?;
        if raw.size != *size {
            bail!("{entry}: the spill is out of step with the file list");
        }
        zip.copy_raw(&entry, raw, bytes)?;
        done.files += 1;
        done.bytes += size;
        if done.files % 1024 == 0 {
            progress("bagged", done, oxum);
        }
    }
    progress("bagged", done, oxum);
    Ok(())
}

impl Sink for BagSink {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let mut file = self.create(rel)?;
        file.write_all(bytes)
            .with_context(|| format!("{rel}: cannot write into the package"))?;
        file.finish()
    }

    fn create(&self, rel: &str) -> Result<Box<dyn SinkFile + '_>> {
        Ok(Box::new(self.open(rel, None)?))
    }

    /// The copy is written into the spill as the caller reads `from`, and refused when what
    /// was written does not hash to `sha256` (the input changed since it was read).
    fn copy_from(
        &self,
        rel: &str,
        _from: &Path,
        sha256: &str,
    ) -> Result<Option<Box<dyn SinkFile + '_>>> {
        Ok(Some(Box::new(self.open(rel, Some(sha256.to_string()))?)))
    }

    /// Only for a file named to [`BagSink::keeping`].
    fn sha256(&self, rel: &str) -> Option<String> {
        self.kept.sha256(rel)
    }
}

impl BagSink {
    /// Whether `rel` is already in the package.
    fn is_claimed(&self, rel: &str) -> bool {
        let files = self
            .files
            .lock()
            .expect("no thread panics holding the file list");
        files.contains(rel)
    }
}

impl BagSink {
    /// `rel`, to be written in pieces into the spill; `expect` is the SHA-256 a copy must have.
    fn open(&self, rel: &str, expect: Option<String>) -> Result<BagFile<'_>> {
        // Refused before it is written, rather than deflated into the spill for nothing and
        // refused when claimed.
        if self.is_claimed(rel) {
            bail!("{rel}: written twice into the package");
        }
        Ok(BagFile {
            sink: self,
            rel: rel.to_string(),
            expect,
            entry: Packing::new(self.spill.entry(&entry_name(&self.name, rel))?),
        })
    }
}

/// A file written in pieces, straight into the spill.
struct BagFile<'a> {
    sink: &'a BagSink,
    rel: String,
    /// A copy's SHA-256 as its input was read.
    expect: Option<String>,
    /// Hashed as it is written into the spill; given up (left out) when dropped unfinished.
    entry: Packing<spill::Entry<'a>>,
}

impl Write for BagFile<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.entry.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl SinkFile for BagFile<'_> {
    fn finish(self: Box<Self>) -> Result<()> {
        let BagFile {
            sink,
            rel,
            expect,
            entry,
        } = *self;
        let (hashed, entry) = entry.finish();
        let sha256 = hashed.sha256;
        let at = entry.finish(sha256)?;
        // Left unclaimed, the entry stays in its part but never reaches the zip.
        if let Some(expect) = expect
            && hex::encode(sha256) != expect
        {
            bail!("{rel}: its input changed while the package was being written");
        }
        let stored = Stored {
            size: hashed.size,
            at,
        };
        sink.claim(&rel, stored)?;
        sink.kept.record(&rel, sha256);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::fs::File;
    use zip::ZipArchive;

    use super::super::tests::bag_info as info;

    /// Every way into the sink (whole, in pieces, in pieces that straddle the deflater's, a copy
    /// of an input) gives the zip `write_package` makes of the same files on disk, which hashes
    /// and deflates the large file side by side (read whole, past `SIDE_BY_SIDE`).
    #[test]
    fn a_rendered_package_is_the_package_of_the_same_files_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("input.csv");
        std::fs::write(&input, "id,title\n1,a\n").unwrap();
        let big: Vec<u8> = (0..(5 << 16) + 5000)
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

        let keep = ["index.html", "sources/input.csv"].map(String::from);
        let sink = BagSink::new(&dir.path().join("b"), "bag", mtime)
            .unwrap()
            .keeping(keep);
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
        let mut copy = sink
            .copy_from("sources/input.csv", &input, &sha)
            .unwrap()
            .expect("the copy is written as its input is read");
        copy.write_all(b"id,title\n").unwrap();
        copy.write_all(b"1,a\n").unwrap();
        copy.finish().unwrap();
        assert_eq!(
            sink.sha256("index.html"),
            Some(crate::util::sha256_hex(b"<p>home</p>"))
        );
        assert_eq!(sink.sha256("sources/input.csv"), Some(sha));
        // Asked after, a file not named to `keeping` has none.
        assert_eq!(sink.sha256("incidents/1.html"), None);
        let err = sink.write("index.html", b"again").unwrap_err().to_string();
        assert!(err.contains("written twice"), "{err}");
        let last = Mutex::new(BTreeMap::new());
        let progress = |stage: &str, done: Oxum, total: Oxum| {
            let mut last = last.lock().unwrap();
            last.insert(stage.to_string(), (done, total));
        };
        let rendered = super::super::write_rendered_package(sink, &info(), &progress).unwrap();
        // Everything went into the spill as it was written; bagging ends at the payload's total.
        let last = last.into_inner().unwrap();
        assert_eq!(last.keys().collect::<Vec<_>>(), ["bagged"]);
        assert_eq!(last["bagged"], (rendered.oxum, rendered.oxum));
        assert_eq!(rendered.oxum.files, 5);

        assert_eq!(rendered.zip_sha256, on_disk.zip_sha256);
        assert_eq!(
            std::fs::read(&rendered.zip).unwrap(),
            std::fs::read(&on_disk.zip).unwrap()
        );
        assert_eq!(rendered.oxum, on_disk.oxum);
        // Payload entries (deflated in the spill, copied raw) and tag files (deflated by the
        // zip writer) carry the same metadata: version, flags, method, time and mode.
        let zip = std::fs::read(&rendered.zip).unwrap();
        let records = central_records(&zip);
        let metadata = |name: &str| records.iter().find(|(n, _)| n == name).unwrap().1.clone();
        assert_eq!(metadata("bag/data/index.html"), metadata("bag/bagit.txt"));
        assert_eq!(
            metadata("bag/data/data/register.csv"),
            metadata("bag/bagit.txt")
        );
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

    /// Each central-directory record's name and metadata fields (version made by, version
    /// needed, flags, method, time, date; then the external attributes).
    fn central_records(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
        let u16_at = |at: usize| usize::from(u16::from_le_bytes([zip[at], zip[at + 1]]));
        let eocd = zip.len() - 22;
        assert_eq!(&zip[eocd..eocd + 4], b"PK\x05\x06");
        let mut at = u32::from_le_bytes(zip[eocd + 16..eocd + 20].try_into().unwrap()) as usize;
        let mut records = Vec::new();
        while &zip[at..at + 4] == b"PK\x01\x02" {
            let (name_len, extra, comment) = (u16_at(at + 28), u16_at(at + 30), u16_at(at + 32));
            let name = String::from_utf8(zip[at + 46..at + 46 + name_len].to_vec()).unwrap();
            let mut fields = zip[at + 4..at + 16].to_vec();
            fields.extend_from_slice(&zip[at + 38..at + 42]);
            records.push((name, fields));
            at += 46 + name_len + extra + comment;
        }
        records
    }

    /// A copy whose bytes no longer hash as its input did when read is refused, and left out.
    #[test]
    fn an_input_changed_before_it_is_packed_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("input.csv");
        std::fs::write(&input, "new").unwrap();
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        let mtime = archive::zip_time(as_of, None).unwrap();
        let sink = BagSink::new(&dir.path().join("d"), "bag", mtime)
            .unwrap()
            .keeping(["sources/input.csv".to_string()]);
        sink.write("index.html", b"<p>home</p>").unwrap();
        let old = crate::util::sha256_hex(b"old");
        let mut copy = sink
            .copy_from("sources/input.csv", &input, &old)
            .unwrap()
            .unwrap();
        copy.write_all(b"new").unwrap();
        let err = copy.finish().unwrap_err();
        assert!(format!("{err:#}").contains("changed while"), "{err:#}");
        assert_eq!(sink.sha256("sources/input.csv"), None);
        let rendered = super::super::write_rendered_package(sink, &info(), &|_, _, _| {}).unwrap();
        assert_eq!(rendered.oxum.files, 1, "only index.html");
        let left = std::fs::read_dir(dir.path().join("d")).unwrap().count();
        assert_eq!(left, 2, "the zip and its checksum; no spill");
    }

    /// A file whose writing is given up (its page failed) is left out, and the part it was
    /// written into, shared with other files, still holds them whole.
    #[test]
    fn a_file_given_up_is_left_out_of_the_spill_it_shared() {
        let dir = tempfile::tempdir().unwrap();
        let mtime = archive::zip_time(chrono::NaiveDate::MIN, Some(1_790_000_000)).unwrap();
        let sink = BagSink::new(&dir.path().join("d"), "bag", mtime)
            .unwrap()
            .keeping(["b.html".to_string()]);
        sink.write("a.html", b"<p>a</p>").unwrap();
        let mut given_up = sink.create("b.html").unwrap();
        given_up.write_all(&[b'x'; 100_000]).unwrap();
        drop(given_up);
        sink.write("c.html", b"<p>c</p>").unwrap();
        assert_eq!(sink.sha256("b.html"), None);
        let rendered = super::super::write_rendered_package(sink, &info(), &|_, _, _| {}).unwrap();
        assert_eq!(rendered.oxum.files, 2);
        let mut zip = ZipArchive::new(File::open(&rendered.zip).unwrap()).unwrap();
        let mut names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
        names.sort();
        assert!(names.contains(&"bag/data/a.html".to_string()), "{names:?}");
        assert!(names.contains(&"bag/data/c.html".to_string()), "{names:?}");
        assert!(!names.iter().any(|n| n.ends_with("b.html")), "{names:?}");
        let mut c = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("bag/data/c.html").unwrap(), &mut c)
            .unwrap();
        assert_eq!(c, "<p>c</p>");
    }

    /// Written from the file list, a payload manifest is the text [`bagit::manifest`] makes of
    /// the same digests under `data/` names, byte for byte: lines sorted by the whole name.
    #[test]
    fn a_payload_manifest_is_bagits_text_of_the_same_digests() {
        let names = ["b.html", "Z.html", "a/x.csv", "a.b", "a-b/c", "ä.html"];
        let mut list = FileList::default();
        for (i, name) in names.iter().enumerate() {
            let stored = Stored {
                size: i as u64,
                at: Place {
                    part: 0,
                    index: i as u32,
                },
            };
            assert!(list.insert(name, stored));
        }
        let files = Sorted {
            order: list.sorted(),
            list,
        };
        let sha256: Vec<[u8; 32]> = (0..names.len() as u8).map(|i| [i + 1; 32]).collect();
        let sha512: Vec<[u8; 64]> = (0..names.len() as u8).map(|i| [i; 64]).collect();
        let expected: BTreeMap<String, bagit::Digests> = files
            .list
            .iter()
            .map(|(rel, stored)| {
                let digests = bagit::Digests {
                    sha256: hex::encode(sha256[stored.at.index as usize]),
                    sha512: hex::encode(sha512[stored.at.index as usize]),
                };
                (format!("data/{rel}"), digests)
            })
            .collect();
        let sha256 = payload_manifest(Algorithm::Sha256, &files, |s| &sha256[s.at.index as usize]);
        let sha512 = payload_manifest(Algorithm::Sha512, &files, |s| &sha512[s.at.index as usize]);
        assert_eq!(sha256, bagit::manifest(Algorithm::Sha256, &expected));
        assert_eq!(sha512, bagit::manifest(Algorithm::Sha512, &expected));
        assert_eq!(sha256.lines().count(), names.len());
    }
}
