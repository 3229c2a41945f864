//! BagIt 1.0 (RFC 8493) tag files: `bagit.txt`, `bag-info.txt` and the `hash  path` manifests,
//! written and parsed.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use sha2::{Digest, Sha256, Sha512};

use crate::util::slug;

/// The whole `bagit.txt`: exactly these two lines, no byte-order mark.
pub const BAGIT_TXT: &str = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";

/// `Bag-Software-Agent` of every bag we write.
/// `Bag-Software-Agent`: the version and, when built from git, the commit (build.rs).
pub const SOFTWARE_AGENT: &str = concat!("pagerproof ", env!("PAGERPROOF_VERSION"));

/// The checksum algorithms pagerproof writes and verifies (both MUST per RFC 8493 §2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Algorithm {
    Sha256,
    Sha512,
}

impl Algorithm {
    pub const ALL: [Algorithm; 2] = [Algorithm::Sha256, Algorithm::Sha512];

    /// The normalised name used in `manifest-<name>.txt`.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
        }
    }

    pub fn from_name(name: &str) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|a| a.name() == name)
    }

    pub fn hex_len(self) -> usize {
        match self {
            Algorithm::Sha256 => 64,
            Algorithm::Sha512 => 128,
        }
    }
}

/// Lower-case hex digests of one file in every [`Algorithm`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digests {
    pub sha256: String,
    pub sha512: String,
}

impl Digests {
    pub fn of(data: &[u8]) -> Digests {
        let raw = RawDigests::of(data);
        Digests {
            sha256: hex::encode(raw.sha256),
            sha512: hex::encode(raw.sha512),
        }
    }

    pub fn get(&self, algorithm: Algorithm) -> &str {
        match algorithm {
            Algorithm::Sha256 => &self.sha256,
            Algorithm::Sha512 => &self.sha512,
        }
    }
}

/// [`Digests`] as bytes: 96 bytes a file where the hex strings take about 240 (`verify` holds
/// one for every file of a bag: 1.1 million at a million incidents).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawDigests {
    pub sha256: [u8; 32],
    pub sha512: [u8; 64],
}

impl RawDigests {
    pub fn of(data: &[u8]) -> RawDigests {
        RawDigests {
            sha256: Sha256::digest(data).into(),
            sha512: Sha512::digest(data).into(),
        }
    }

    /// The digests of everything `reader` yields, streamed; also returns the byte count.
    pub fn of_reader(reader: &mut impl std::io::Read) -> std::io::Result<(RawDigests, u64)> {
        let mut sha256 = Sha256::new();
        let mut sha512 = Sha512::new();
        let mut size = 0u64;
        let mut blocks = crate::util::BlockReader::with_block(reader, 64 << 10);
        while let Some(block) = blocks.next_block()? {
            sha256.update(block);
            sha512.update(block);
            size += block.len() as u64;
        }
        let digests = RawDigests {
            sha256: sha256.finalize().into(),
            sha512: sha512.finalize().into(),
        };
        Ok((digests, size))
    }

    /// The digest of `algorithm` in lowercase hex, as [`Digests::get`] gives it.
    pub fn hex(&self, algorithm: Algorithm) -> String {
        match algorithm {
            Algorithm::Sha256 => hex::encode(self.sha256),
            Algorithm::Sha512 => hex::encode(self.sha512),
        }
    }
}

/// `Payload-Oxum`: total payload octets and number of payload files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Oxum {
    pub bytes: u64,
    pub files: u64,
}

impl Oxum {
    pub fn parse(text: &str) -> Option<Oxum> {
        let (bytes, files) = text.trim().split_once('.')?;
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(bytes) || !digits(files) {
            return None;
        }
        Some(Oxum {
            bytes: bytes.parse().ok()?,
            files: files.parse().ok()?,
        })
    }
}

impl fmt::Display for Oxum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.bytes, self.files)
    }
}

/// What `bag-info.txt` says about the package, besides the computed Payload-Oxum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BagInfo {
    pub organization: String,
    pub period: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// The build's "today": `Bagging-Date`.
    pub as_of: NaiveDate,
    /// `External-Identifier`, e.g. `pagerproof:acme-corp:fy2026`.
    pub identifier: String,
    /// Who prepared the package, when and from what; `None` writes the as-of date alone.
    pub prepared: Option<Prepared>,
    /// The previous period's package (the hash chain, issue 15).
    pub previous: Option<PreviousRef>,
}

/// bag-info.txt labels of the hash chain (issue 15).
pub const PREVIOUS_SHA256: &str = "Previous-Package-SHA256";
pub const PREVIOUS_IDENTIFIER: &str = "Previous-External-Identifier";

/// The link to the previous period's package: `Previous-Package-SHA256` (of its zip) and
/// `Previous-External-Identifier`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousRef {
    pub zip_sha256: String,
    pub identifier: String,
}

/// The provenance bag-info.txt carries (issue 9): a preparation date that never precedes the
/// inputs, the preparer, the content's commit and the tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// `Prepared-At`, RFC 3339 UTC.
    pub at: String,
    /// `Bagging-Date`: the preparation instant's date in the organization's zone.
    pub date: NaiveDate,
    /// `Prepared-From`: what decided the instant.
    pub from: String,
    /// `Contact-Name`.
    pub preparer: Option<String>,
    /// `Content-Commit`: the commit, or why there is none.
    pub content_commit: String,
}

impl BagInfo {
    pub fn from_config(config: &crate::Config) -> BagInfo {
        let p = &config.period;
        BagInfo {
            organization: one_line(&config.organization.name),
            period: one_line(&p.name),
            start: p.start,
            end: p.end,
            as_of: p.as_of(),
            identifier: format!(
                "pagerproof:{}:{}",
                slug(&config.organization.name),
                slug(&p.name)
            ),
            prepared: None,
            previous: None,
        }
    }

    /// `External-Description`: what the bag is, naming the period.
    pub fn description(&self) -> String {
        format!(
            "SOC 2 CC7.3 incident evidence, period {} ({}..{})",
            self.period, self.start, self.end
        )
    }

    /// The whole `bag-info.txt`, labels sorted (as bagit-python writes them) for determinism.
    pub fn render(&self, oxum: Oxum) -> String {
        let date = self.prepared.as_ref().map_or(self.as_of, |p| p.date);
        let mut fields = vec![
            ("Bag-Software-Agent", SOFTWARE_AGENT.to_string()),
            ("Bagging-Date", date.format("%Y-%m-%d").to_string()),
            ("External-Description", self.description()),
            ("External-Identifier", one_line(&self.identifier)),
            ("Payload-Oxum", oxum.to_string()),
            ("Source-Organization", self.organization.clone()),
        ];
        if let Some(p) = &self.prepared {
            fields.push(("Content-Commit", one_line(&p.content_commit)));
            fields.push(("Prepared-At", one_line(&p.at)));
            fields.push(("Prepared-From", one_line(&p.from)));
            if let Some(name) = &p.preparer {
                fields.push(("Contact-Name", one_line(name)));
            }
        }
        if let Some(prev) = &self.previous {
            fields.push((PREVIOUS_SHA256, one_line(&prev.zip_sha256)));
            fields.push((PREVIOUS_IDENTIFIER, one_line(&prev.identifier)));
        }
        fields.sort_by_key(|(label, _)| *label);
        fields
            .iter()
            .map(|(label, value)| format!("{label}: {value}\n"))
            .collect()
    }
}

/// Control characters (tabs, newlines) would break a tag-file line or a trusted comment.
pub fn one_line(text: &str) -> String {
    let spaced: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    spaced.trim().to_string()
}

/// A manifest: `hash  path` lines sorted by the byte order of the path, so `sha256sum -c` reads
/// it. Paths never need percent-encoding: payload names with `%`, CR or LF are refused earlier.
pub fn manifest(algorithm: Algorithm, files: &BTreeMap<String, Digests>) -> String {
    let mut text = String::new();
    for (path, digests) in files {
        push_manifest_line(&mut text, digests.get(algorithm), &[path]);
    }
    text
}

/// Appends one manifest line, `hash  path` with the path given in parts (a payload file's is
/// `data/` and its name).
pub fn push_manifest_line(text: &mut String, hash: &str, path: &[&str]) {
    text.push_str(hash);
    text.push_str("  ");
    for part in path {
        text.push_str(part);
    }
    text.push('\n');
}

/// Why a payload file name cannot go into a bag, if it cannot.
pub fn refused_name(path: &str) -> Option<&'static str> {
    if path.contains('%') {
        Some("contains `%`")
    } else if path.contains(['\r', '\n']) {
        Some("contains a carriage return or line feed")
    } else {
        None
    }
}

/// Why a path (from a manifest or an archive) would leave the bag, if it would.
pub fn unsafe_path(path: &str) -> Option<&'static str> {
    if path.is_empty() {
        return Some("empty path");
    }
    if path.starts_with('/') || path.starts_with('~') {
        return Some("absolute path");
    }
    if path.contains('\\') {
        return Some("backslash in path");
    }
    if path
        .split('/')
        .next()
        .is_some_and(|first| first.contains(':'))
    {
        return Some("drive or scheme prefix");
    }
    if path.split('/').any(|c| c == "..") {
        return Some("`..` component");
    }
    if path.split('/').any(|c| c.is_empty() || c == ".") {
        return Some("empty or `.` component");
    }
    None
}

/// One parsed manifest line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestLine {
    /// 1-based line number in the manifest.
    pub line: usize,
    pub digest: String,
    pub path: String,
}

/// Parses `checksum 1*WSP filepath` lines (RFC 8493 §2.1.3): blank lines are skipped, `%0A`,
/// `%0D` and `%25` decoded. Malformed lines come back as `(line, message)`.
pub fn parse_manifest(text: &str) -> (Vec<ManifestLine>, Vec<(usize, String)>) {
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        match raw.split_once([' ', '\t']) {
            Some((digest, rest)) if !rest.trim_start().is_empty() => lines.push(ManifestLine {
                line,
                digest: digest.to_ascii_lowercase(),
                path: decode_path(rest.trim_start_matches([' ', '\t'])),
            }),
            _ => errors.push((line, "expected `checksum  path`".to_string())),
        }
    }
    (lines, errors)
}

fn decode_path(path: &str) -> String {
    path.replace("%0A", "\n")
        .replace("%0D", "\r")
        .replace("%25", "%")
}

/// `Label: value` fields of a tag file (`bagit.txt`, `bag-info.txt`); lines starting with
/// whitespace continue the previous value.
pub fn parse_fields(text: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = fields.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((label, value)) = line.split_once(':') {
            fields.push((label.trim().to_string(), value.trim().to_string()));
        }
    }
    fields
}

/// The first value of `label` in parsed fields.
pub fn field<'a>(fields: &'a [(String, String)], label: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(l, _)| l == label)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes read whole or streamed in blocks give the digests [`Digests`] gives, in its
    /// lowercase hex, with the byte count.
    #[test]
    fn raw_digests_are_the_digests_as_bytes() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let hexed = Digests::of(&data);
        let (streamed, size) = RawDigests::of_reader(&mut data.as_slice()).unwrap();
        assert_eq!(size, data.len() as u64);
        assert_eq!(streamed, RawDigests::of(&data));
        for alg in Algorithm::ALL {
            assert_eq!(streamed.hex(alg), hexed.get(alg), "{}", alg.name());
        }
        assert_eq!(
            RawDigests::of(b"").hex(Algorithm::Sha256),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    fn info() -> BagInfo {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        BagInfo {
            organization: "Acme Corp".into(),
            period: "FY2026".into(),
            start: d("2026-01-01"),
            end: d("2026-12-31"),
            as_of: d("2027-01-15"),
            identifier: "pagerproof:acme-corp:fy2026".into(),
            prepared: None,
            previous: None,
        }
    }

    #[test]
    fn bag_info_carries_the_provenance() {
        let mut i = info();
        i.prepared = Some(Prepared {
            at: "2027-01-16T14:31:50Z".into(),
            date: NaiveDate::from_ymd_opt(2027, 1, 16).unwrap(),
            from: "the newest instant the inputs record (content/jira/fetch-record.json)".into(),
            preparer: Some("Grace Liu,\tSecurity Lead".into()),
            content_commit: "0123abcd".into(),
        });
        let text = i.render(Oxum::default());
        let labels: Vec<&str> = text.lines().map(|l| l.split(':').next().unwrap()).collect();
        let mut sorted = labels.clone();
        sorted.sort();
        assert_eq!(labels, sorted, "labels sorted");
        assert!(text.contains("Bagging-Date: 2027-01-16\n"));
        assert!(text.contains("Contact-Name: Grace Liu, Security Lead\n"));
        assert!(text.contains("Content-Commit: 0123abcd\n"));
        assert!(text.contains("Prepared-At: 2027-01-16T14:31:50Z\n"));
    }

    #[test]
    fn bag_info_is_sorted_and_complete() {
        let text = info().render(Oxum {
            bytes: 21,
            files: 2,
        });
        let expected = format!(
            "Bag-Software-Agent: pagerproof {}\n\
             Bagging-Date: 2027-01-15\n\
             External-Description: SOC 2 CC7.3 incident evidence, period FY2026 \
             (2026-01-01..2026-12-31)\n\
             External-Identifier: pagerproof:acme-corp:fy2026\n\
             Payload-Oxum: 21.2\n\
             Source-Organization: Acme Corp\n",
            env!("PAGERPROOF_VERSION")
        );
        assert_eq!(text, expected);
        let fields = parse_fields(&text);
        assert_eq!(field(&fields, "Payload-Oxum"), Some("21.2"));
    }

    #[test]
    fn manifest_lines_are_sorted_by_bytes_with_two_spaces() {
        let mut files = BTreeMap::new();
        files.insert("data/b.html".to_string(), Digests::of(b"b"));
        files.insert("data/Z.html".to_string(), Digests::of(b"z"));
        files.insert("data/a/x.csv".to_string(), Digests::of(b"x"));
        let text = manifest(Algorithm::Sha256, &files);
        let paths: Vec<&str> = text
            .lines()
            .map(|l| l.split_once("  ").unwrap().1)
            .collect();
        assert_eq!(paths, ["data/Z.html", "data/a/x.csv", "data/b.html"]);
        let (lines, errors) = parse_manifest(&text);
        assert!(errors.is_empty());
        assert_eq!(lines[2].digest, Digests::of(b"b").sha256);
        assert_eq!(lines[2].line, 3);
    }

    #[test]
    fn parse_manifest_reports_malformed_lines_and_decodes_percent() {
        let (lines, errors) = parse_manifest("abc  data/a%0Ab\n\nnopath\nDEF\tdata/c\n");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].path, "data/a\nb");
        assert_eq!(lines[1].digest, "def");
        assert_eq!(errors, vec![(3, "expected `checksum  path`".to_string())]);
    }

    #[test]
    fn unsafe_paths_are_named() {
        assert_eq!(unsafe_path("data/../x"), Some("`..` component"));
        assert_eq!(unsafe_path("../x"), Some("`..` component"));
        assert_eq!(unsafe_path("/etc/passwd"), Some("absolute path"));
        assert_eq!(unsafe_path("C:/x"), Some("drive or scheme prefix"));
        assert_eq!(unsafe_path("data\\x"), Some("backslash in path"));
        assert_eq!(unsafe_path("data//x"), Some("empty or `.` component"));
        assert_eq!(unsafe_path("data/a..b/c.html"), None);
    }

    #[test]
    fn refused_names_and_oxum() {
        assert!(refused_name("data/100%.html").is_some());
        assert!(refused_name("data/a\nb").is_some());
        assert!(refused_name("data/ok file.csv").is_none());
        assert_eq!(
            Oxum::parse("21.2"),
            Some(Oxum {
                bytes: 21,
                files: 2
            })
        );
        assert_eq!(Oxum::parse("21"), None);
        assert_eq!(Oxum::parse("-1.2"), None);
        assert_eq!(one_line("Acme\tCorp\n"), "Acme Corp");
    }
}
