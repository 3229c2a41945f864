//! Audit package: BagIt manifests, deterministic zip, minisign signature, verify.
//!
//! `write_package` turns any directory into `<dist>/<name>.zip` holding one bag `<name>/` whose
//! `data/` is that directory, plus `<name>.zip.sha256` beside it: the package's identity cannot
//! live inside the package it identifies.

pub mod archive;
pub mod bagit;
pub mod collection;
pub mod sha512_lanes;
pub mod sign;
pub mod sink;
pub mod spill;
pub mod verify;
pub mod zipread;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use bagit::{Algorithm, BagInfo, Digests, Oxum};
use rayon::prelude::*;

/// What identifies a written package, printed by `package` and carried in its signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageIdentity {
    /// Bag and zip base name, `<org-slug>-<period-slug>`.
    pub name: String,
    pub zip: PathBuf,
    /// `<name>.zip.sha256` beside the zip, in `sha256sum -c` format.
    pub checksum_file: PathBuf,
    pub zip_sha256: String,
    /// SHA-256 of `tagmanifest-sha256.txt`: the identity of the unzipped bag.
    pub tagmanifest_sha256: String,
    pub oxum: Oxum,
}

impl PackageIdentity {
    pub fn zip_file_name(&self) -> String {
        format!("{}.zip", self.name)
    }
}

/// Writes `<dist>/<name>.zip` (the bag of `site_dir`) and `<dist>/<name>.zip.sha256`.
pub fn write_package(
    site_dir: &Path,
    dist: &Path,
    name: &str,
    info: &BagInfo,
    mtime: zip::DateTime,
) -> Result<PackageIdentity> {
    write_package_with(site_dir, dist, name, info, mtime, &|_, _, _| {})
}

/// [`write_package`], calling `progress(stage, done, total)` with the payload done so far and
/// the whole payload's size: stage `packed` as files are read, hashed and deflated, then
/// `bagged` as they are written into the zip.
pub fn write_package_with(
    site_dir: &Path,
    dist: &Path,
    name: &str,
    info: &BagInfo,
    mtime: zip::DateTime,
    progress: &(dyn Fn(&str, Oxum, Oxum) + Sync),
) -> Result<PackageIdentity> {
    check_bag_name(name)?;
    std::fs::create_dir_all(dist).with_context(|| format!("{}: cannot create", dist.display()))?;
    refuse_dist_inside_site(site_dir, dist)?;
    let payload = Payload::new(list_payload(site_dir)?);
    // The files on disk go the way a render's pages go, so the zip is the same either way.
    let sink = sink::BagSink::new(dist, name, mtime)?;
    pack_payload(&sink, &payload, progress)?;
    write_rendered_package(sink, info, progress)
}

/// Reads each payload file once, in parallel (rayon), into `sink`, which hashes and deflates
/// it as it is read. A file whose size differs from the listing's changed while the package
/// was being written.
fn pack_payload(
    sink: &sink::BagSink,
    payload: &Payload,
    progress: &(dyn Fn(&str, Oxum, Oxum) + Sync),
) -> Result<()> {
    use crate::util::sink::Sink;
    let total = payload.oxum;
    let done = std::sync::Mutex::new(Oxum::default());
    progress("packed", Oxum::default(), total);
    payload.files.par_iter().try_for_each(|(bag_path, f)| {
        let rel = bag_path
            .strip_prefix("data/")
            .expect("bag paths are data/...");
        let cannot = || format!("{}: cannot read", f.path.display());
        let mut file = std::fs::File::open(&f.path).with_context(cannot)?;
        let mut entry = sink.create(rel)?;
        let mut read = 0;
        // Blocks large enough for [`Packing`] to hash and deflate a large file side by side.
        let mut blocks = crate::util::BlockReader::new(&mut file, f.size);
        while let Some(block) = blocks.next_block().with_context(cannot)? {
            std::io::Write::write_all(&mut entry, block)
                .with_context(|| format!("{rel}: cannot write into the package"))?;
            read += block.len() as u64;
        }
        if read != f.size {
            bail!(
                "{}: changed while the package was being written",
                f.path.display()
            );
        }
        entry.finish()?;
        let mut done = done.lock().expect("no thread panics holding the count");
        done.files += 1;
        done.bytes += f.size;
        if done.files % 1024 == 0 || done.files == total.files {
            progress("packed", *done, total);
        }
        Ok(())
    })
}

/// Writes `<dist>/<name>.zip` and `<dist>/<name>.zip.sha256` from a render into `sink`: the
/// same package [`write_package`] makes of the same files on disk, without the files on disk.
/// `progress(stage, done, total)`: see [`sink::BagSink::finish`].
pub fn write_rendered_package(
    sink: sink::BagSink,
    info: &BagInfo,
    progress: &(dyn Fn(&str, Oxum, Oxum) + Sync),
) -> Result<PackageIdentity> {
    let (dist, name) = (sink.dist().to_path_buf(), sink.name().to_string());
    publish(&dist, &name, |partial| sink.finish(partial, info, progress))
}

/// Runs `write` on `<dist>/<name>.zip.partial` (removed if it fails), renames it to
/// `<name>.zip` and writes the checksum file beside it. `write` returns the zip's SHA-256, the
/// tag manifest's and the payload's size.
fn publish(
    dist: &Path,
    name: &str,
    write: impl FnOnce(&Path) -> Result<(String, String, Oxum)>,
) -> Result<PackageIdentity> {
    let zip_name = format!("{name}.zip");
    let zip = dist.join(&zip_name);
    let partial = dist.join(format!("{zip_name}.partial"));
    let (zip_sha256, tagmanifest_sha256, oxum) = match write(&partial) {
        Ok(ids) => ids,
        Err(e) => {
            let _ = std::fs::remove_file(&partial); // a half-written zip must not linger
            return Err(e);
        }
    };
    std::fs::rename(&partial, &zip)
        .with_context(|| format!("{}: cannot rename to {}", partial.display(), zip.display()))?;

    let checksum_file = dist.join(format!("{zip_name}.sha256"));
    let checksums = checksum_text(name, &zip_sha256, &tagmanifest_sha256);
    std::fs::write(&checksum_file, checksums)
        .with_context(|| format!("{}: cannot write", checksum_file.display()))?;
    Ok(PackageIdentity {
        name: name.to_string(),
        zip,
        checksum_file,
        zip_sha256,
        tagmanifest_sha256,
        oxum,
    })
}

/// Creates the zip of bag `name` at `path` and writes the tag files that sort before `data/`
/// (they depend only on the payload's size); returns them for [`finish_bag_zip`].
fn start_bag_zip(
    path: &Path,
    name: &str,
    info: &BagInfo,
    oxum: Oxum,
    mtime: zip::DateTime,
) -> Result<(archive::ZipStream, BTreeMap<String, Vec<u8>>)> {
    let mut zip = archive::ZipStream::create(path, mtime)?;
    let head = head_tags(info, oxum);
    zip.add(
        head.iter()
            .map(|(p, bytes)| (format!("{name}/{p}"), bytes.clone()))
            .collect(),
    )?;
    Ok((zip, head))
}

/// The tag files that sort after `data/` (both manifests and both tag manifests), deflated for
/// a zip of bag `name`, and the tag manifest's SHA-256. They need only the payload's digests,
/// so a package can make them while its payload is still being written.
fn tail_tags(
    name: &str,
    head: BTreeMap<String, Vec<u8>>,
    manifests: [(Algorithm, String); 2],
) -> Result<TailTags> {
    let tags = tag_files(head, manifests);
    let tagmanifest_sha256 = crate::util::sha256_hex(&tags["tagmanifest-sha256.txt"]);
    let entries = tags
        .into_par_iter()
        .filter(|(p, _)| !HEAD_TAGS.contains(&p.as_str()))
        .map(|(p, bytes)| archive::prepare(&format!("{name}/{p}"), &bytes))
        .collect::<Result<_>>()?;
    Ok(TailTags {
        entries,
        tagmanifest_sha256,
    })
}

/// What [`tail_tags`] makes.
struct TailTags {
    entries: Vec<archive::Prepared>,
    tagmanifest_sha256: String,
}

/// Appends the tag files after the payload and finishes the zip, given the names of the
/// payload's entries again (see [`archive::ZipStream::finish`]); returns its SHA-256 and the
/// tag manifest's.
fn finish_bag_zip(
    mut zip: archive::ZipStream,
    payload: impl Iterator<Item = String>,
    tail: TailTags,
) -> Result<(String, String)> {
    zip.append(tail.entries)?;
    Ok((zip.finish(payload)?, tail.tagmanifest_sha256))
}

/// A payload file hashed (SHA-256) and passed to its zip entry `W` in one pass, as its bytes
/// are written. The SHA-512 is the spill's to compute (`spill`), several entries at once.
pub struct Packing<W: std::io::Write> {
    sha256: sha2::Sha256,
    size: u64,
    entry: W,
}

/// A file's SHA-256, as bytes, and size.
pub struct Hashed {
    pub sha256: [u8; 32],
    pub size: u64,
}

impl<W: std::io::Write> Packing<W> {
    pub fn new(entry: W) -> Packing<W> {
        use sha2::Digest;
        Packing {
            sha256: sha2::Sha256::new(),
            size: 0,
            entry,
        }
    }

    /// The file's SHA-256 and size, and its entry with every byte written to it.
    pub fn finish(self) -> (Hashed, W) {
        use sha2::Digest;
        let hashed = Hashed {
            sha256: self.sha256.finalize().into(),
            size: self.size,
        };
        (hashed, self.entry)
    }
}

/// Writes at least this long are hashed on one thread and deflated on another: hashing twice
/// and deflating take about as long, and a large input (the log entries' 238 MB at 100k
/// incidents) was otherwise one thread's work while the other waited for it.
pub(crate) const SIDE_BY_SIDE: usize = 256 << 10;

impl<W: std::io::Write + Send> std::io::Write for Packing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        let Packing { sha256, entry, .. } = self;
        let mut hash = || sha256.update(buf);
        if buf.len() >= SIDE_BY_SIDE {
            rayon::join(hash, || entry.write_all(buf)).1?;
        } else {
            entry.write_all(buf)?;
            hash();
        }
        self.size += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The payload files in bag-path order, with their total.
struct Payload {
    files: Vec<(String, PayloadFile)>,
    oxum: Oxum,
}

impl Payload {
    fn new(files: BTreeMap<String, PayloadFile>) -> Payload {
        let oxum = Oxum {
            bytes: files.values().map(|f| f.size).sum(),
            files: files.len() as u64,
        };
        let files = files.into_iter().collect();
        Payload { files, oxum }
    }
}

/// One payload file: where it is and how long it was when listed.
struct PayloadFile {
    path: PathBuf,
    size: u64,
}

/// `<name>.zip.sha256`: one `sha256sum -c` line for the zip; the bag's tag-manifest hash rides
/// along on a `#` line, which `sha256sum -c` skips.
pub fn checksum_text(name: &str, zip_sha256: &str, tagmanifest_sha256: &str) -> String {
    format!(
        "# pagerproof package {name}: check with `sha256sum -c {name}.zip.sha256`\n\
         # SHA-256 of {name}/tagmanifest-sha256.txt (the unzipped bag): {tagmanifest_sha256}\n\
         {zip_sha256}  {name}.zip\n"
    )
}

fn check_bag_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    if !ok {
        bail!("`{name}` cannot name a bag: use letters, digits, `-`, `_` and `.`");
    }
    Ok(())
}

/// A dist inside the site would pack the zip being written into itself.
fn refuse_dist_inside_site(site_dir: &Path, dist: &Path) -> Result<()> {
    let site = site_dir
        .canonicalize()
        .with_context(|| format!("{}: cannot open the site directory", site_dir.display()))?;
    let dist = dist
        .canonicalize()
        .with_context(|| format!("{}: cannot open", dist.display()))?;
    if dist.starts_with(&site) {
        bail!(
            "{}: the dist directory must not be inside the site directory",
            dist.display()
        );
    }
    Ok(())
}

/// Every regular file under `site_dir`, keyed by its bag path (`data/...`), with its size.
/// Symbolic links and names BagIt tools disagree on are refused rather than packed.
fn list_payload(site_dir: &Path) -> Result<BTreeMap<String, PayloadFile>> {
    let mut payload = BTreeMap::new();
    for entry in walkdir::WalkDir::new(site_dir).min_depth(1) {
        let entry = entry.with_context(|| format!("{}: cannot list", site_dir.display()))?;
        let path = entry.path();
        let kind = entry.file_type();
        if kind.is_dir() {
            continue;
        }
        if !kind.is_file() {
            bail!(
                "{}: not a regular file (symbolic links are not packed)",
                path.display()
            );
        }
        let bag_path = format!("data/{}", relative_name(site_dir, path)?);
        if let Some(why) = bagit::refused_name(&bag_path) {
            bail!(
                "{}: file name {why}, which BagIt tools disagree on",
                path.display()
            );
        }
        let size = entry
            .metadata()
            .with_context(|| format!("{}: cannot read", path.display()))?
            .len();
        let file = PayloadFile {
            path: path.to_path_buf(),
            size,
        };
        payload.insert(bag_path, file);
    }
    if payload.is_empty() {
        bail!("{}: no files to package", site_dir.display());
    }
    Ok(payload)
}

/// `a/b.html` for `<site>/a/b.html`; names must be UTF-8 to be written in manifests.
fn relative_name(root: &Path, path: &Path) -> Result<String> {
    let rel = path
        .strip_prefix(root)
        .expect("walkdir yields paths under its root");
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    match parts {
        Some(parts) => Ok(parts.join("/")),
        None => bail!("{}: file name is not UTF-8", path.display()),
    }
}

/// The tag files that sort before `data/` and depend only on the payload's size.
const HEAD_TAGS: [&str; 2] = ["bag-info.txt", "bagit.txt"];

/// `bag-info.txt` and `bagit.txt`, by bag path.
fn head_tags(info: &BagInfo, oxum: Oxum) -> BTreeMap<String, Vec<u8>> {
    let mut tags = BTreeMap::new();
    tags.insert(
        "bagit.txt".to_string(),
        bagit::BAGIT_TXT.as_bytes().to_vec(),
    );
    tags.insert("bag-info.txt".to_string(), info.render(oxum).into_bytes());
    tags
}

/// The tag files, by bag path: the `head` ones (`tags`), the payload's `manifests` (each
/// algorithm's text, in [`bagit::manifest`]'s format) and both tag manifests.
fn tag_files(
    mut tags: BTreeMap<String, Vec<u8>>,
    manifests: [(Algorithm, String); 2],
) -> BTreeMap<String, Vec<u8>> {
    for (alg, text) in manifests {
        tags.insert(format!("manifest-{}.txt", alg.name()), text.into_bytes());
    }
    let tag_digests: BTreeMap<String, Digests> = tags
        .iter()
        .map(|(path, bytes)| (path.clone(), Digests::of(bytes)))
        .collect();
    for alg in Algorithm::ALL {
        let text = bagit::manifest(alg, &tag_digests);
        tags.insert(format!("tagmanifest-{}.txt", alg.name()), text.into_bytes());
    }
    tags
}

/// SHA-256 of a file, streamed (`util::sha256_file`): a zip at 100k incidents is 0.5 GB.
pub fn file_sha256(path: &Path) -> Result<String> {
    crate::util::sha256_file(path).with_context(|| format!("{}: cannot read", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bag_names_are_restricted() {
        assert!(check_bag_name("acme-corp-fy2026").is_ok());
        assert!(check_bag_name("").is_err());
        assert!(check_bag_name("../x").is_err());
        assert!(check_bag_name("a/b").is_err());
    }

    #[test]
    fn tag_manifests_cover_every_tag_file_but_themselves() {
        let empty = Algorithm::ALL.map(|alg| (alg, String::new()));
        let tags = tag_files(head_tags(&bag_info(), Oxum::default()), empty);
        let text = String::from_utf8(tags["tagmanifest-sha256.txt"].clone()).unwrap();
        let paths: Vec<&str> = text
            .lines()
            .map(|l| l.split_once("  ").unwrap().1)
            .collect();
        assert_eq!(
            paths,
            [
                "bag-info.txt",
                "bagit.txt",
                "manifest-sha256.txt",
                "manifest-sha512.txt"
            ]
        );
    }

    /// A bag-info for tests here and in `sink`.
    pub(super) fn bag_info() -> BagInfo {
        BagInfo {
            organization: "Acme".into(),
            period: "P".into(),
            start: chrono::NaiveDate::MIN,
            end: chrono::NaiveDate::MIN,
            as_of: chrono::NaiveDate::MIN,
            identifier: "x".into(),
            prepared: None,
            previous: None,
        }
    }

    /// A package's bytes do not depend on the thread count, and each payload file comes back
    /// out of it whole, past the size deflated whole (`spill::WHOLE_LIMIT`) included, and
    /// listed in both manifests.
    #[test]
    fn a_package_is_the_same_whatever_the_threads_and_holds_its_files() {
        let site = tempfile::tempdir().unwrap();
        let mut files = BTreeMap::new();
        for i in 0..40u32 {
            // Sizes from empty to past the whole-entry limit, text that deflates unevenly.
            let len = (i as usize * 7919) % 20_000 + if i % 9 == 0 { 1_700_000 } else { 0 };
            let body: Vec<u8> = (0..len)
                .map(|j| b"<td>incident</td>\n"[(j * (i as usize + 3)) % 18])
                .collect();
            let rel = format!("d{}/f{i:02}.html", i % 3);
            std::fs::create_dir_all(site.path().join(format!("d{}", i % 3))).unwrap();
            std::fs::write(site.path().join(&rel), &body).unwrap();
            files.insert(format!("data/{rel}"), body);
        }
        let mtime = archive::zip_time(chrono::NaiveDate::MIN, Some(0)).unwrap();
        let bag = |threads: usize| {
            let dist = tempfile::tempdir().unwrap();
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let write = || write_package(site.path(), dist.path(), "b", &bag_info(), mtime);
            let id = pool.install(write).unwrap();
            (std::fs::read(&id.zip).unwrap(), id)
        };
        let (one_thread, id) = bag(1);
        let (two_threads, _) = bag(2);
        assert!(one_thread == two_threads);
        assert_eq!(id.zip_sha256, crate::util::sha256_hex(&one_thread));
        assert_eq!(id.oxum.files, 40);

        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(one_thread)).unwrap();
        let mut read = |name: &str| {
            let mut bytes = Vec::new();
            // The reader checks each entry's CRC-32 as it reads it to the end.
            std::io::Read::read_to_end(&mut zip.by_name(name).unwrap(), &mut bytes).unwrap();
            bytes
        };
        for (path, body) in &files {
            assert!(read(&format!("b/{path}")) == *body, "{path}");
        }
        let manifest = String::from_utf8(read("b/manifest-sha512.txt")).unwrap();
        for (path, body) in &files {
            let line = format!("{}  {path}", Digests::of(body).sha512);
            assert!(manifest.lines().any(|l| l == line), "{line}");
        }
    }

    #[test]
    fn checksum_text_checks_only_the_zip() {
        let text = checksum_text("a-b", &"1".repeat(64), &"2".repeat(64));
        let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(lines, [format!("{}  a-b.zip", "1".repeat(64))]);
        assert!(text.contains(&"2".repeat(64)));
    }
}
