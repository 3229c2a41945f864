//! Where a render's files go: a directory (`build`), or straight into the audit package
//! (`package`, whose bag implements [`Sink`]), so a package never writes a page to disk only to
//! read it back. Paths are site-relative and `/`-separated (`incidents/12.html`).

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result};

/// A place files are stored, shared by the threads of a render.
pub trait Sink: Sync {
    /// Stores the whole file `rel`.
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<()>;

    /// Opens `rel` to write in pieces; it is stored when [`SinkFile::finish`] succeeds.
    fn create(&self, rel: &str) -> Result<Box<dyn SinkFile + '_>>;

    /// `rel` is to be a verbatim copy of the file `from`, whose SHA-256 is `sha256`. Either the
    /// copy's bytes are to be written to the returned file (as the caller reads `from`), which
    /// refuses them when finished if they do not hash to `sha256` (the input changed since it was
    /// read); or, when `None`, the sink keeps no bytes and checking them is the caller's.
    fn copy_from(
        &self,
        rel: &str,
        from: &Path,
        sha256: &str,
    ) -> Result<Option<Box<dyn SinkFile + '_>>>;

    /// The SHA-256 of the file `rel` stored so far; `None` when there is none.
    fn sha256(&self, rel: &str) -> Option<String>;
}

/// A file being written to a [`Sink`].
pub trait SinkFile: Write + Send {
    /// Stores the file; until then it is not part of the output.
    fn finish(self: Box<Self>) -> Result<()>;
}

/// Files under a directory on disk, parent directories created as needed.
#[derive(Debug)]
pub struct DirSink {
    root: PathBuf,
    /// The directories made (or found) so far: a page's directory is made once, not asked for
    /// again with two system calls per page (100,000 incident pages share one directory).
    made: Mutex<HashSet<PathBuf>>,
    /// What has been stored so far, counted as it is written: a build's stamp and log need it,
    /// and walking 110,000 files afterwards to count them again took a core a quarter second.
    files: AtomicU64,
    bytes: AtomicU64,
    pages: AtomicU64,
}

/// Whether the file `name` is an HTML page (what [`Tally::pages`] counts).
pub fn is_page(name: &str) -> bool {
    name.ends_with(".html")
}

/// What a [`DirSink`] has stored: its files, their bytes, and how many are HTML pages.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub files: u64,
    pub bytes: u64,
    pub pages: u64,
}

impl DirSink {
    pub fn new(root: impl Into<PathBuf>) -> DirSink {
        DirSink {
            root: root.into(),
            made: Mutex::default(),
            files: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            pages: AtomicU64::new(0),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The files stored so far (each once: a sink is written by a render, which writes no name
    /// twice).
    pub fn stored(&self) -> Tally {
        Tally {
            files: self.files.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            pages: self.pages.load(Ordering::Relaxed),
        }
    }

    fn count(&self, rel: &str, bytes: u64) {
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        if is_page(rel) {
            self.pages.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn open(&self, rel: &str) -> Result<DirFile<'_>> {
        let path = self.path(rel)?;
        let file = std::fs::File::create(&path)
            .with_context(|| format!("{}: cannot write", path.display()))?;
        Ok(DirFile {
            sink: self,
            rel: rel.to_string(),
            file: std::io::BufWriter::with_capacity(1 << 16, file),
            path,
            written: 0,
            expect: None,
        })
    }

    fn path(&self, rel: &str) -> Result<PathBuf> {
        let path = self.root.join(rel);
        if let Some(parent) = path.parent() {
            let made = |parent: &Path| {
                self.made
                    .lock()
                    .expect("no panic holds it")
                    .contains(parent)
            };
            if !made(parent) {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("{}: cannot create", parent.display()))?;
                self.made
                    .lock()
                    .expect("no panic holds it")
                    .insert(parent.to_path_buf());
            }
        }
        Ok(path)
    }
}

impl Sink for DirSink {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let path = self.path(rel)?;
        std::fs::write(&path, bytes)
            .with_context(|| format!("{}: cannot write", path.display()))?;
        self.count(rel, bytes.len() as u64);
        Ok(())
    }

    fn create(&self, rel: &str) -> Result<Box<dyn SinkFile + '_>> {
        Ok(Box::new(self.open(rel)?))
    }

    fn copy_from(
        &self,
        rel: &str,
        from: &Path,
        sha256: &str,
    ) -> Result<Option<Box<dyn SinkFile + '_>>> {
        let mut file = self.open(rel)?;
        file.expect = Some(CopyCheck::new(from.display(), sha256));
        Ok(Some(Box::new(file)))
    }

    fn sha256(&self, rel: &str) -> Option<String> {
        let path = self.root.join(rel);
        if !path.is_file() {
            return None;
        }
        super::sha256_file(&path).ok()
    }
}

struct DirFile<'a> {
    sink: &'a DirSink,
    rel: String,
    file: std::io::BufWriter<std::fs::File>,
    path: PathBuf,
    /// Bytes written so far.
    written: u64,
    expect: Option<CopyCheck>,
}

/// A copy of an input hashed as it is written, to be refused when its bytes are not those the
/// input had when it was read (its SHA-256 then).
pub struct CopyCheck {
    hash: sha2::Sha256,
    sha256: String,
    /// The input, as the refusal names it.
    input: String,
}

impl CopyCheck {
    pub fn new(input: impl std::fmt::Display, sha256: &str) -> CopyCheck {
        CopyCheck {
            hash: sha2::Sha256::default(),
            sha256: sha256.to_string(),
            input: input.to_string(),
        }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        sha2::Digest::update(&mut self.hash, bytes);
    }

    /// An error when the bytes written are not the input's as it was read.
    pub fn finish(self) -> Result<()> {
        if hex::encode(sha2::Digest::finalize(self.hash)) != self.sha256 {
            anyhow::bail!(
                "{}: changed while the site was being built; build again",
                self.input
            );
        }
        Ok(())
    }
}

impl Write for DirFile<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.written += n as u64;
        if let Some(expect) = &mut self.expect {
            expect.update(&buf[..n]);
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl SinkFile for DirFile<'_> {
    fn finish(mut self: Box<Self>) -> Result<()> {
        self.file
            .flush()
            .with_context(|| format!("{}: cannot write", self.path.display()))?;
        if let Some(expect) = self.expect.take() {
            // Not counted when refused: the directory is a build's staging, discarded on error.
            expect.finish()?;
        }
        self.sink.count(&self.rel, self.written);
        Ok(())
    }
}

/// Files hashed, not kept: what `check` needs to know of a render (which files it makes and
/// their SHA-256) without writing a site. The digests are kept as bytes: 1.1M files' names and
/// hex digests were 275 MB at 1M incidents, held beside everything the render needs.
#[derive(Debug, Default)]
pub struct HashSink {
    /// A second write of a name replaces the first, as on disk.
    files: std::sync::Mutex<super::file_list::FileList<[u8; 32]>>,
    /// When set, the only names kept (and hashed); see [`HashSink::only`].
    only: Option<std::collections::BTreeSet<String>>,
}

impl HashSink {
    /// A sink that keeps (and hashes) only the files `names`: `check` asks after the few files
    /// the auditor's requests are answered with, and the list of every file was 117 MB at 1M
    /// incidents, the top of `check`'s memory.
    pub fn only(names: impl IntoIterator<Item = String>) -> HashSink {
        HashSink {
            only: Some(names.into_iter().collect()),
            ..HashSink::default()
        }
    }

    fn wanted(&self, rel: &str) -> bool {
        self.only.as_ref().is_none_or(|only| only.contains(rel))
    }

    /// Records `rel` as written with `sha256`, when the sink keeps it.
    pub fn record(&self, rel: &str, sha256: [u8; 32]) {
        if self.wanted(rel) {
            self.keep(rel, sha256);
        }
    }

    fn keep(&self, rel: &str, sha256: [u8; 32]) {
        let mut files = self
            .files
            .lock()
            .expect("no thread panics holding the hash list");
        files.set(rel, sha256);
    }
}

impl Sink for HashSink {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        use sha2::Digest;
        if self.wanted(rel) {
            self.keep(rel, sha2::Sha256::digest(bytes).into());
        }
        Ok(())
    }

    fn create(&self, rel: &str) -> Result<Box<dyn SinkFile + '_>> {
        use sha2::Digest;
        Ok(Box::new(HashFile {
            sink: self,
            rel: rel.to_string(),
            sha256: self.wanted(rel).then(sha2::Sha256::new),
        }))
    }

    fn copy_from(
        &self,
        rel: &str,
        _: &Path,
        sha256: &str,
    ) -> Result<Option<Box<dyn SinkFile + '_>>> {
        let mut digest = [0; 32];
        hex::decode_to_slice(sha256, &mut digest)
            .with_context(|| format!("{rel}: {sha256:?} is not a SHA-256"))?;
        self.record(rel, digest);
        Ok(None)
    }

    fn sha256(&self, rel: &str) -> Option<String> {
        let files = self
            .files
            .lock()
            .expect("no thread panics holding the hash list");
        files.get(rel).map(hex::encode)
    }
}

struct HashFile<'a> {
    sink: &'a HashSink,
    rel: String,
    /// `None` for a file the sink does not keep.
    sha256: Option<sha2::Sha256>,
}

impl Write for HashFile<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Some(sha256) = &mut self.sha256 {
            sha2::Digest::update(sha256, buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl SinkFile for HashFile<'_> {
    fn finish(self: Box<Self>) -> Result<()> {
        if let Some(sha256) = self.sha256 {
            self.sink
                .keep(&self.rel, sha2::Digest::finalize(sha256).into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_sink_writes_creates_and_hashes_files() {
        let dir = tempfile::tempdir().unwrap();
        let sink = DirSink::new(dir.path());
        sink.write("a/b.html", b"page").unwrap();
        let mut f = sink.create("c/d.csv").unwrap();
        f.write_all(b"x,").unwrap();
        f.write_all(b"y\n").unwrap();
        f.finish().unwrap();
        assert_eq!(std::fs::read(dir.path().join("a/b.html")).unwrap(), b"page");
        assert_eq!(std::fs::read(dir.path().join("c/d.csv")).unwrap(), b"x,y\n");
        assert_eq!(
            sink.sha256("a/b.html").as_deref(),
            Some(super::super::sha256_hex(b"page").as_str())
        );
        assert_eq!(sink.sha256("a/missing.html"), None);
        // Counted as written (a file given up before it is finished is not stored).
        let given_up = sink.create("f.html").unwrap();
        drop(given_up);
        let expected = Tally {
            files: 2,
            bytes: 8,
            pages: 1,
        };
        assert_eq!(sink.stored(), expected);
        let copy = |rel: &str, bytes: &[u8]| {
            let abc = super::super::sha256_hex(b"abc");
            let mut copy = sink
                .copy_from(rel, Path::new("x"), &abc)
                .unwrap()
                .expect("a directory takes a copy's bytes as they are read");
            copy.write_all(bytes).unwrap();
            copy.finish()
        };
        copy("e.txt", b"abc").unwrap();
        assert_eq!((sink.stored().files, sink.stored().bytes), (3, 11));
        // Bytes that are not the input's as it was read are refused, and not counted.
        let err = copy("g.txt", b"abd").unwrap_err().to_string();
        assert!(err.contains("x: changed while"), "{err}");
        assert_eq!((sink.stored().files, sink.stored().bytes), (3, 11));
    }

    #[test]
    fn a_hash_sink_keeps_each_file_s_sha256_and_nothing_else() {
        let sink = HashSink::default();
        sink.write("a.html", b"page").unwrap();
        let mut f = sink.create("b.csv").unwrap();
        f.write_all(b"pa").unwrap();
        f.write_all(b"ge").unwrap();
        assert_eq!(sink.sha256("b.csv"), None, "stored only when finished");
        f.finish().unwrap();
        // A copy is taken as its input hashed when it was read.
        let input = super::super::sha256_hex(b"input");
        assert!(
            sink.copy_from("c.txt", Path::new("c"), &input)
                .unwrap()
                .is_none()
        );
        assert!(sink.copy_from("e.txt", Path::new("e"), "abc").is_err());
        let page = super::super::sha256_hex(b"page");
        assert_eq!(sink.sha256("a.html").as_deref(), Some(page.as_str()));
        assert_eq!(sink.sha256("b.csv").as_deref(), Some(page.as_str()));
        assert_eq!(sink.sha256("c.txt"), Some(input));
        assert_eq!(sink.sha256("d.txt"), None);
        assert_eq!(sink.sha256("e.txt"), None);
    }

    #[test]
    fn a_hash_sink_for_some_names_keeps_those_alone() {
        let sink = HashSink::only(["a.html".to_string(), "c.txt".to_string()]);
        for rel in ["a.html", "b.html"] {
            let mut f = sink.create(rel).unwrap();
            f.write_all(b"page").unwrap();
            f.finish().unwrap();
        }
        sink.write("d.html", b"page").unwrap();
        let input = super::super::sha256_hex(b"input");
        for rel in ["c.txt", "e.txt"] {
            assert!(
                sink.copy_from(rel, Path::new("x"), &input)
                    .unwrap()
                    .is_none()
            );
        }
        let page = super::super::sha256_hex(b"page");
        assert_eq!(sink.sha256("a.html"), Some(page));
        assert_eq!(sink.sha256("c.txt"), Some(input));
        for other in ["b.html", "d.html", "e.txt"] {
            assert_eq!(sink.sha256(other), None, "{other}");
        }
    }
}
