//! `pagerproof verify`: checks a package zip (its entries streamed, never extracted) or an
//! unzipped bag against its manifests, and its signature when a public key is given. Every
//! problem names the file it is about; nothing stops at the first one.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use super::bagit::{self, Algorithm, Oxum, RawDigests};
use super::{sign, zipread};

/// What was checked and what was wrong.
#[derive(Debug, Clone, Default)]
pub struct VerifyReport {
    /// `file: message`, one per problem.
    pub problems: Vec<String>,
    /// The bag's directory name.
    pub bag: String,
    pub payload: Oxum,
    /// Algorithms of the payload manifests and the tag manifests found.
    pub manifest_algorithms: Vec<String>,
    pub tagmanifest_algorithms: Vec<String>,
    /// Manifest lines checked (payload, tag).
    pub manifest_lines: usize,
    pub tagmanifest_lines: usize,
    pub zip_sha256: Option<String>,
    pub tagmanifest_sha256: Option<String>,
    pub signature: Option<sign::SignatureCheck>,
}

impl VerifyReport {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }

    fn problem(&mut self, file: &str, message: impl std::fmt::Display) {
        self.problems.push(format!("{file}: {message}"));
    }
}

/// One file of the bag.
#[derive(Debug)]
struct BagFile {
    size: u64,
    /// As bytes: a million-incident bag has 1.1 million files.
    digests: RawDigests,
    /// Kept for top-level tag files, which are parsed.
    content: Option<Vec<u8>>,
}

type BagFiles = BTreeMap<String, BagFile>;

/// Told after every file read, with the files and bytes read so far and of the whole bag.
pub type Progress<'a> = &'a dyn Fn(Oxum, Oxum);

/// Verifies a zip or a bag directory; the signature `<zip>.minisig` too when `pubkey` is given.
pub fn verify_path(path: &Path, pubkey: Option<&Path>) -> VerifyReport {
    verify_path_with(path, pubkey, &|_, _| {})
}

/// [`verify_path`], telling `progress` how much of the bag's files it has read.
pub fn verify_path_with(path: &Path, pubkey: Option<&Path>, progress: Progress) -> VerifyReport {
    let mut report = VerifyReport::default();
    let label = path.display().to_string();
    let files = if path.is_dir() {
        report.bag = dir_name(path);
        read_dir_bag(path, &mut report, progress)
    } else {
        // The zip's own hash is taken beside the reading of its entries.
        let (zip_sha256, files) = std::thread::scope(|scope| {
            let zip_sha256 = scope.spawn(|| crate::util::sha256_file(path));
            let files = std::fs::File::open(path)
                .map(|mut file| read_zip_bag(&mut file, &label, &mut report, progress));
            (zip_sha256.join().expect("hashing does not panic"), files)
        });
        match (zip_sha256, files) {
            (Ok(zip_sha256), Ok(files)) => {
                report.zip_sha256 = Some(zip_sha256);
                files
            }
            (Err(e), _) | (_, Err(e)) => {
                report.problem(&label, format!("cannot read: {e}"));
                return report;
            }
        }
    };
    check_bag(&files, &mut report);
    if let Some(pubkey) = pubkey {
        check_signature(path, pubkey, &mut report);
    }
    report
}

fn dir_name(path: &Path) -> String {
    let name = path
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_owned()));
    name.map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The most of a top-level tag file kept for parsing (manifests of very large sites included).
const TAG_FILE_LIMIT: u64 = 256 * 1024 * 1024;

/// Hashes one file as it is read; only top-level tag files, which are parsed, are kept.
fn bag_file(reader: &mut impl Read, rel: &str) -> Result<BagFile, String> {
    if rel.contains('/') {
        let (digests, size) =
            RawDigests::of_reader(reader).map_err(|e| format!("cannot read: {e}"))?;
        return Ok(BagFile {
            size,
            digests,
            content: None,
        });
    }
    let mut bytes = Vec::new();
    reader
        .take(TAG_FILE_LIMIT + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > TAG_FILE_LIMIT {
        return Err(format!(
            "tag file larger than {} MiB",
            TAG_FILE_LIMIT / 1024 / 1024
        ));
    }
    Ok(BagFile {
        size: bytes.len() as u64,
        digests: RawDigests::of(&bytes),
        content: Some(bytes),
    })
}

/// The files of an unzipped bag, by bag path; symbolic links and non-UTF-8 names are problems.
fn read_dir_bag(root: &Path, report: &mut VerifyReport, progress: Progress) -> BagFiles {
    let mut files = BagFiles::new();
    // Listed first, so the progress has a total.
    let entries: Vec<_> = walkdir::WalkDir::new(root)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter()
        .collect();
    let sizes = entries
        .iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.metadata().map_or(0, |m| m.len()));
    let total = sizes.fold(Oxum::default(), |t, size| Oxum {
        bytes: t.bytes + size,
        files: t.files + 1,
    });
    let mut done = Oxum::default();
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                report.problem(&root.display().to_string(), format!("cannot list: {e}"));
                continue;
            }
        };
        let rel = entry
            .path()
            .strip_prefix(root)
            .expect("walkdir stays under its root");
        let Some(rel) = rel
            .to_str()
            .map(|r| r.replace(std::path::MAIN_SEPARATOR, "/"))
        else {
            report.problem(
                &entry.path().display().to_string(),
                "file name is not UTF-8",
            );
            continue;
        };
        let kind = entry.file_type();
        if kind.is_dir() {
            continue;
        }
        if !kind.is_file() {
            report.problem(&rel, "not a regular file (symbolic link or device)");
            continue;
        }
        let read = std::fs::File::open(entry.path())
            .map_err(|e| format!("cannot read: {e}"))
            .and_then(|mut file| bag_file(&mut file, &rel));
        done.files += 1;
        done.bytes += read.as_ref().map_or(0, |f| f.size);
        progress(done, total);
        match read {
            Ok(file) => {
                files.insert(rel.clone(), file);
            }
            Err(e) => report.problem(&rel, e),
        }
    }
    files
}

/// The files of the one bag inside a zip, by bag path, each streamed through its hashes. The
/// central directory is read as written (see `zipread`): duplicate names, local headers naming
/// another file, entries that would leave the extraction directory, links and entries outside
/// the bag directory are problems.
fn read_zip_bag(
    zip: &mut (impl Read + std::io::Seek),
    label: &str,
    report: &mut VerifyReport,
    progress: Progress,
) -> BagFiles {
    let mut files = BagFiles::new();
    let entries = match zipread::central_directory(zip) {
        Ok(entries) => entries,
        Err(e) => {
            report.problem(label, format!("not a readable zip: {e}"));
            return files;
        }
    };
    let total = Oxum {
        bytes: entries.iter().map(|e| e.size).sum(),
        files: entries.len() as u64,
    };
    let mut done = Oxum::default();
    let mut bags = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let mut batch = Batch::default();
    for (i, entry) in entries.iter().enumerate() {
        // The entries before this one are read or queued (every `continue` below skips the rest
        // of it).
        progress(done, total);
        done.files += 1;
        done.bytes += entry.size;
        let name = match screen(i, entry, label, &mut seen, &mut bags) {
            Ok(name) => name,
            Err((file, problem)) => {
                // Problems are reported in entry order: the queued entries' come first.
                batch.check(&mut files, report);
                report.problem(&file, problem);
                continue;
            }
        };
        if entry.compressed_size > BATCHED_ENTRY {
            // Too large to hold: read and checked here, after the entries queued before it.
            batch.check(&mut files, report);
            let read = zipread::open_entry(zip, entry).and_then(|r| read_entry(r, &name, entry));
            record(&mut files, report, name, read);
            continue;
        }
        let raw = zipread::seek_to_data(zip, entry).and_then(|()| {
            let mut raw = Vec::with_capacity(entry.compressed_size as usize);
            let read = zip.take(entry.compressed_size).read_to_end(&mut raw);
            read.map_err(|e| format!("cannot read: {e}"))?;
            Ok(raw)
        });
        batch.held += entry.compressed_size;
        batch.entries.push(Queued { name, entry, raw });
        if batch.held >= BATCH_BYTES || batch.entries.len() >= BATCH_ENTRIES {
            batch.check(&mut files, report);
        }
    }
    batch.check(&mut files, report);
    progress(done, total);
    match bags.len() {
        1 => report.bag = bags.pop_first().expect("one bag"),
        0 => report.problem(label, "no bag directory in zip"),
        _ => {
            let names: Vec<String> = bags.into_iter().collect();
            report.problem(
                label,
                format!("more than one top-level directory: {}", names.join(", ")),
            );
        }
    }
    files
}

/// Entry `i`'s name, or the file and problem that keep it from being read: a name that is not
/// UTF-8, a duplicate, an unsafe path, a symbolic link, a file outside the bag's directory.
fn screen(
    i: usize,
    entry: &zipread::CentralEntry,
    label: &str,
    seen: &mut BTreeSet<String>,
    bags: &mut BTreeSet<String>,
) -> Result<String, (String, String)> {
    let Ok(name) = std::str::from_utf8(&entry.name).map(str::to_string) else {
        return Err((label.to_string(), format!("entry #{i}: name is not UTF-8")));
    };
    if !seen.insert(name.clone()) {
        let why = "duplicate entry in zip (extractors disagree on which copy wins)";
        return Err((name, why.to_string()));
    }
    let check = name.strip_suffix('/').unwrap_or(&name);
    if let Some(why) = bagit::unsafe_path(check) {
        return Err((name, format!("unsafe path in zip ({why})")));
    }
    if entry.is_symlink() {
        return Err((name, "symbolic link in zip".to_string()));
    }
    let Some((bag, _)) = name.split_once('/') else {
        return Err((name, "file outside the bag directory".to_string()));
    };
    bags.insert(bag.to_string());
    Ok(name)
}

/// Entries stored in at most this many bytes are read into memory, a batch of about
/// [`BATCH_BYTES`] at a time, and inflated and hashed in parallel (an auditor's machine has
/// more than one core: at 100k incidents, 110,000 entries took 9 s on one); larger ones are
/// streamed.
const BATCHED_ENTRY: u64 = if cfg!(test) { 64 } else { 8 << 20 };
const BATCH_BYTES: u64 = 32 << 20;
/// And at most this many entries (a zip of a million empty files is not held at once).
const BATCH_ENTRIES: usize = 4096;

/// Entries read from the zip, stored bytes and all, waiting to be inflated and hashed.
#[derive(Default)]
struct Batch<'z> {
    entries: Vec<Queued<'z>>,
    held: u64,
}

/// An entry read into memory: its name, its record, and its stored bytes (or why they could
/// not be read).
struct Queued<'z> {
    name: String,
    entry: &'z zipread::CentralEntry,
    raw: Result<Vec<u8>, String>,
}

impl Batch<'_> {
    /// Inflates and hashes every entry queued, in parallel, and records each in order.
    fn check(&mut self, files: &mut BagFiles, report: &mut VerifyReport) {
        use rayon::prelude::*;
        let read: Vec<_> = self
            .entries
            .par_iter()
            .map(|q| {
                let raw = q.raw.as_ref().map_err(Clone::clone)?;
                let reader = zipread::decoder(&raw[..], q.entry.method)?;
                read_entry(reader, &q.name, q.entry)
            })
            .collect();
        for (q, read) in self.entries.drain(..).zip(read) {
            record(files, report, q.name, read);
        }
        self.held = 0;
    }
}

/// Hashes an entry's uncompressed bytes as `reader` gives them, checking their size against
/// the central directory's.
fn read_entry(
    reader: impl Read,
    name: &str,
    entry: &zipread::CentralEntry,
) -> Result<BagFile, String> {
    let rel = in_bag(name);
    // One byte past the recorded size is enough to tell that the entry lies about it.
    let mut limited = reader.take(entry.size.saturating_add(1));
    let file = bag_file(&mut limited, rel)?;
    if file.size != entry.size {
        return Err(format!(
            "its data differs in size from the {} bytes the central directory records",
            entry.size
        ));
    }
    Ok(file)
}

/// Records an entry read: a file of the bag, or a problem. A directory entry holds nothing;
/// only its local header's problems count.
fn record(
    files: &mut BagFiles,
    report: &mut VerifyReport,
    name: String,
    read: Result<BagFile, String>,
) {
    match read {
        Err(e) => report.problem(&name, e),
        Ok(_) if name.ends_with('/') => {}
        Ok(file) => {
            files.insert(in_bag(&name).to_string(), file);
        }
    }
}

/// An entry's path inside its bag: its name after the bag's directory ([`screen`] passes only
/// names that have one).
fn in_bag(name: &str) -> &str {
    name.split_once('/').map_or(name, |(_, rel)| rel)
}

/// RFC 8493 completeness and validity, plus Payload-Oxum.
fn check_bag(files: &BagFiles, report: &mut VerifyReport) {
    if files.is_empty() {
        report.problem("bagit.txt", "missing: no bag found");
        return;
    }
    check_bagit_txt(files, report);
    let (manifests, tagmanifests) = find_manifests(files, report);
    let payload: BTreeSet<&str> = files
        .keys()
        .filter(|p| p.starts_with("data/"))
        .map(String::as_str)
        .collect();
    if payload.is_empty() {
        report.problem("data/", "missing or empty payload directory");
    }
    for (alg, name) in &manifests {
        let listed = check_manifest(files, name, *alg, true, report);
        report_unlisted(&payload, &listed, name, report);
        report.manifest_lines += listed.len();
    }
    let tag_files: BTreeSet<&str> = files
        .keys()
        .map(String::as_str)
        .filter(|p| !p.starts_with("data/") && !is_tagmanifest(p))
        .collect();
    for (alg, name) in &tagmanifests {
        let listed = check_manifest(files, name, *alg, false, report);
        report_unlisted(&tag_files, &listed, name, report);
        report.tagmanifest_lines += listed.len();
    }
    report.manifest_algorithms = manifests
        .iter()
        .map(|(a, _)| a.name().to_string())
        .collect();
    report.tagmanifest_algorithms = tagmanifests
        .iter()
        .map(|(a, _)| a.name().to_string())
        .collect();
    report.tagmanifest_sha256 = files
        .get("tagmanifest-sha256.txt")
        .map(|f| hex::encode(f.digests.sha256));
    report.payload = Oxum {
        bytes: payload.iter().map(|p| files[*p].size).sum(),
        files: payload.len() as u64,
    };
    check_oxum(files, report);
}

fn text<'a>(files: &'a BagFiles, name: &str) -> Option<&'a [u8]> {
    files.get(name).and_then(|f| f.content.as_deref())
}

fn check_bagit_txt(files: &BagFiles, report: &mut VerifyReport) {
    let Some(bytes) = text(files, "bagit.txt") else {
        report.problem("bagit.txt", "missing (required)");
        return;
    };
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        report.problem("bagit.txt", "starts with a byte-order mark");
    }
    let fields = bagit::parse_fields(&String::from_utf8_lossy(bytes));
    match bagit::field(&fields, "BagIt-Version") {
        Some("1.0") => {}
        Some(v) => report.problem("bagit.txt", format!("BagIt-Version {v}, expected 1.0")),
        None => report.problem("bagit.txt", "no BagIt-Version"),
    }
    match bagit::field(&fields, "Tag-File-Character-Encoding") {
        Some(e) if e.eq_ignore_ascii_case("UTF-8") => {}
        Some(e) => report.problem(
            "bagit.txt",
            format!("Tag-File-Character-Encoding {e}, expected UTF-8"),
        ),
        None => report.problem("bagit.txt", "no Tag-File-Character-Encoding"),
    }
}

fn is_tagmanifest(path: &str) -> bool {
    path.starts_with("tagmanifest-") && path.ends_with(".txt") && !path.contains('/')
}

type Manifests = Vec<(Algorithm, String)>;

/// The payload and tag manifests present; unknown algorithms and a missing SHA-256 manifest
/// (the package identity rests on it) are problems.
fn find_manifests(files: &BagFiles, report: &mut VerifyReport) -> (Manifests, Manifests) {
    let mut manifests = Vec::new();
    let mut tagmanifests = Vec::new();
    for name in files.keys().filter(|p| !p.contains('/')) {
        let (list, alg) = if let Some(alg) = strip(name, "manifest-") {
            (&mut manifests, alg)
        } else if let Some(alg) = strip(name, "tagmanifest-") {
            (&mut tagmanifests, alg)
        } else {
            continue;
        };
        match Algorithm::from_name(alg) {
            Some(alg) => list.push((alg, name.clone())),
            None => report.problem(
                name,
                format!("unsupported algorithm `{alg}` (use sha256, sha512)"),
            ),
        }
    }
    for (list, name) in [
        (&manifests, "manifest-sha256.txt"),
        (&tagmanifests, "tagmanifest-sha256.txt"),
    ] {
        if !list.iter().any(|(a, _)| *a == Algorithm::Sha256) {
            report.problem(name, "missing (required)");
        }
    }
    // RFC 8493 §2.2.1: a tag manifest SHOULD exist for every payload manifest algorithm; without
    // this, deleting `tagmanifest-sha512.txt` would go unnoticed (no other file lists it).
    for (alg, name) in &manifests {
        if !tagmanifests.iter().any(|(a, _)| a == alg) {
            report.problem(
                &format!("tagmanifest-{}.txt", alg.name()),
                format!("missing ({name} has no tag manifest of its algorithm)"),
            );
        }
    }
    (manifests, tagmanifests)
}

fn strip<'a>(name: &'a str, prefix: &str) -> Option<&'a str> {
    name.strip_prefix(prefix)?.strip_suffix(".txt")
}

/// Checks every line of one manifest; returns the paths it lists.
fn check_manifest(
    files: &BagFiles,
    name: &str,
    alg: Algorithm,
    payload: bool,
    report: &mut VerifyReport,
) -> BTreeSet<String> {
    let mut listed = BTreeSet::new();
    let Some(bytes) = text(files, name) else {
        return listed;
    };
    let Ok(body) = std::str::from_utf8(bytes) else {
        report.problem(name, "not UTF-8");
        return listed;
    };
    let (lines, errors) = bagit::parse_manifest(body);
    for (line, message) in errors {
        report.problem(&format!("{name}:{line}"), message);
    }
    for entry in lines {
        let at = format!("{name}:{}", entry.line);
        if let Some(why) = bagit::unsafe_path(&entry.path) {
            report.problem(
                &at,
                format!("unsafe path `{}` ({why})", entry.path.escape_debug()),
            );
            continue;
        }
        let in_data = entry.path.starts_with("data/");
        if payload != in_data || is_tagmanifest(&entry.path) {
            let wanted = if payload {
                "a payload path (data/...)"
            } else {
                "a tag file"
            };
            report.problem(&at, format!("`{}` is not {wanted}", entry.path));
            continue;
        }
        if entry.digest.len() != alg.hex_len()
            || !entry.digest.bytes().all(|b| b.is_ascii_hexdigit())
        {
            report.problem(
                &at,
                format!("`{}` is not a {} digest", entry.digest, alg.name()),
            );
        }
        if !listed.insert(entry.path.clone()) {
            report.problem(&at, format!("`{}` listed twice", entry.path));
            continue;
        }
        match files.get(&entry.path).map(|file| file.digests.hex(alg)) {
            None => report.problem(&entry.path, format!("missing (listed in {at})")),
            Some(has) if has != entry.digest => report.problem(
                &entry.path,
                format!(
                    "{} mismatch: {at} expects {}, file has {has}",
                    alg.name(),
                    entry.digest,
                ),
            ),
            Some(_) => {}
        }
    }
    listed
}

fn report_unlisted(
    present: &BTreeSet<&str>,
    listed: &BTreeSet<String>,
    manifest: &str,
    report: &mut VerifyReport,
) {
    for path in present.iter().filter(|p| !listed.contains(**p)) {
        report.problem(path, format!("unexpected file: not listed in {manifest}"));
    }
}

fn check_oxum(files: &BagFiles, report: &mut VerifyReport) {
    let Some(bytes) = text(files, "bag-info.txt") else {
        report.problem("bag-info.txt", "missing");
        return;
    };
    let fields = bagit::parse_fields(&String::from_utf8_lossy(bytes));
    let Some(value) = bagit::field(&fields, "Payload-Oxum") else {
        report.problem("bag-info.txt", "no Payload-Oxum");
        return;
    };
    match Oxum::parse(value) {
        None => report.problem(
            "bag-info.txt",
            format!("Payload-Oxum `{value}` is not BYTES.FILES"),
        ),
        Some(oxum) if oxum != report.payload => {
            let found = report.payload;
            report.problem(
                "bag-info.txt",
                format!(
                    "Payload-Oxum {oxum} says {} bytes in {} files, \
                     the payload has {} bytes in {} files",
                    oxum.bytes, oxum.files, found.bytes, found.files
                ),
            );
        }
        Some(_) => {}
    }
}

/// The zip's signature `<zip>.minisig`; for an unzipped bag `<bag>.zip.minisig` and the zip it
/// signs, beside the bag directory. The trusted comment must name the hashes found.
fn check_signature(path: &Path, pubkey: &Path, report: &mut VerifyReport) {
    let zip = if path.is_dir() {
        zip_beside(path)
    } else {
        path.to_path_buf()
    };
    let signature = sign::signature_path(&zip);
    let sig_label = signature.display().to_string();
    if !signature.is_file() {
        report.problem(&sig_label, "missing: no signature to check");
        return;
    }
    if !zip.is_file() {
        report.problem(
            &zip.display().to_string(),
            "missing: the signature signs this zip",
        );
        return;
    }
    let check = match sign::verify_signature(&zip, &signature, pubkey) {
        Ok(check) => check,
        Err(e) => {
            report.problems.push(format!("{e:#}"));
            return;
        }
    };
    let zip_sha256 = super::file_sha256(&zip).ok();
    let tagmanifest_sha256 = report.tagmanifest_sha256.clone();
    let claims = [
        ("sha256", zip_sha256.as_deref()),
        ("tagmanifest-sha256", tagmanifest_sha256.as_deref()),
    ];
    for (key, actual) in claims {
        let claimed = sign::comment_field(&check.trusted_comment, key);
        if claimed.is_none() || claimed != actual {
            report.problem(
                &sig_label,
                format!(
                    "trusted comment {key} {} does not match {}",
                    claimed.unwrap_or("(none)"),
                    actual.unwrap_or("(none)")
                ),
            );
        }
    }
    report.signature = Some(check);
}

fn zip_beside(bag_dir: &Path) -> PathBuf {
    let dir = bag_dir
        .canonicalize()
        .unwrap_or_else(|_| bag_dir.to_path_buf());
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.with_file_name(format!("{name}.zip"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Entries held and inflated in parallel (at most `BATCHED_ENTRY`, 64 bytes in tests) and
    /// entries streamed are checked alike, problems named in entry order either way.
    #[test]
    fn small_and_large_entries_are_checked_alike() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        std::fs::create_dir_all(site.join("pages")).unwrap();
        let large: String = (0..40)
            .map(|i| {
                format!(
                    "line {} of a page longer than the test's batched entries\n",
                    i * 7919
                )
            })
            .collect();
        std::fs::write(site.join("pages/large.html"), &large).unwrap();
        std::fs::write(site.join("pages/small.html"), "<p>s</p>").unwrap();
        let mtime = super::super::archive::zip_time(chrono::NaiveDate::MIN, Some(1_790_000_000));
        let info = super::super::tests::bag_info();
        let id =
            super::super::write_package(&site, &dir.path().join("d"), "bag", &info, mtime.unwrap())
                .unwrap();
        let report = verify_path(&id.zip, None);
        assert!(report.is_ok(), "{:?}", report.problems);
        assert_eq!(report.payload.files, 2);

        // Both pages changed: one read whole and inflated in a batch, one streamed.
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&id.zip).unwrap()).unwrap();
        let stored = |zip: &mut zip::ZipArchive<std::fs::File>, name: &str| {
            zip.by_name(&format!("bag/data/pages/{name}"))
                .unwrap()
                .compressed_size()
        };
        assert!(stored(&mut zip, "large.html") > BATCHED_ENTRY);
        assert!(stored(&mut zip, "small.html") <= BATCHED_ENTRY);
        let tampered = dir.path().join("tampered.zip");
        let mut out = zip::ZipWriter::new(std::fs::File::create(&tampered).unwrap());
        for i in 0..zip.len() {
            let mut file = zip.by_index(i).unwrap();
            let name = file.name().unwrap().to_string();
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).unwrap();
            if name.ends_with(".html") {
                bytes[0] ^= 1;
            }
            let options = zip::write::SimpleFileOptions::default();
            out.start_file(&name, options).unwrap();
            std::io::Write::write_all(&mut out, &bytes).unwrap();
        }
        out.finish().unwrap();
        let report = verify_path(&tampered, None);
        let named: Vec<&String> = report
            .problems
            .iter()
            .filter(|p| p.contains("sha256 mismatch"))
            .collect();
        assert_eq!(named.len(), 2, "{:?}", report.problems);
        assert!(named[0].starts_with("data/pages/large.html"), "{named:?}");
        assert!(named[1].starts_with("data/pages/small.html"), "{named:?}");
        assert!(report.problems.iter().all(|p| !p.contains("cannot read")));
    }

    #[test]
    fn progress_counts_every_file_of_a_bag_directory_of_its_total() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("data")).unwrap();
        std::fs::write(dir.path().join("bagit.txt"), "abc").unwrap();
        std::fs::write(dir.path().join("data/a.html"), "12345").unwrap();
        let told = std::sync::Mutex::new(Vec::new());
        verify_path_with(dir.path(), None, &|done, total| {
            told.lock().unwrap().push((done, total))
        });
        let told = told.into_inner().unwrap();
        let whole = Oxum { bytes: 8, files: 2 };
        assert_eq!(told.len(), 2);
        assert!(told.iter().all(|&(_, total)| total == whole));
        assert_eq!(told.last().unwrap().0, whole);
    }

    fn files(entries: &[(&str, &str)]) -> BagFiles {
        entries
            .iter()
            .map(|(p, c)| (p.to_string(), bag_file(&mut c.as_bytes(), p).unwrap()))
            .collect()
    }

    #[test]
    fn an_empty_file_set_is_reported_not_panicking() {
        let mut report = VerifyReport::default();
        check_bag(&BagFiles::new(), &mut report);
        assert_eq!(report.problems, ["bagit.txt: missing: no bag found"]);
    }

    #[test]
    fn wrong_bagit_version_and_missing_manifests_are_named() {
        let mut report = VerifyReport::default();
        let bag = files(&[("bagit.txt", "BagIt-Version: 0.97\n"), ("data/a", "x")]);
        check_bag(&bag, &mut report);
        let all = report.problems.join("\n");
        assert!(
            all.contains("bagit.txt: BagIt-Version 0.97, expected 1.0"),
            "{all}"
        );
        assert!(
            all.contains("bagit.txt: no Tag-File-Character-Encoding"),
            "{all}"
        );
        assert!(
            all.contains("manifest-sha256.txt: missing (required)"),
            "{all}"
        );
        assert!(
            all.contains("tagmanifest-sha256.txt: missing (required)"),
            "{all}"
        );
        assert!(all.contains("bag-info.txt: missing"), "{all}");
    }

    #[test]
    fn manifest_paths_must_stay_in_their_part_of_the_bag() {
        let mut report = VerifyReport::default();
        let manifest = format!(
            "{}  ../etc/passwd\n{}  bagit.txt\n",
            "0".repeat(64),
            "0".repeat(64)
        );
        let bag = files(&[("manifest-sha256.txt", &manifest), ("data/a", "x")]);
        let listed = check_manifest(
            &bag,
            "manifest-sha256.txt",
            Algorithm::Sha256,
            true,
            &mut report,
        );
        assert!(listed.is_empty());
        assert_eq!(
            report.problems,
            [
                "manifest-sha256.txt:1: unsafe path `../etc/passwd` (`..` component)",
                "manifest-sha256.txt:2: `bagit.txt` is not a payload path (data/...)",
            ]
        );
    }
}
