//! The archive of every audit period (`pagerproof archive`): each package verified, its site
//! unpacked under `<DIR>/<bag>/`, its zip kept under `<DIR>/packages/`, and one deterministic
//! `<DIR>/index.html` listing the periods with their headline figures and the hash chain
//! linking each period to the one before.
//!
//! The zips kept in `packages/` are what a re-run reads back: every run re-verifies every zip the
//! archive holds, so the index never vouches for bytes it has not just checked.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use serde_json::Value;

use super::bagit::{field, parse_fields};
use super::{sign, verify, zipread};

pub use super::bagit::{PREVIOUS_IDENTIFIER, PREVIOUS_SHA256};

/// The folder of an archive that keeps the zips themselves.
pub const PACKAGES: &str = "packages";

/// Whether a package's signature was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signature {
    Valid {
        key_id: String,
    },
    /// A `.minisig` lies beside the zip but no public key was given.
    NotChecked,
    NotSigned,
}

impl Signature {
    pub fn text(&self) -> String {
        match self {
            Signature::Valid { key_id } => format!("valid, key ID {key_id}"),
            Signature::NotChecked => "not checked (no --pubkey)".into(),
            Signature::NotSigned => "not signed".into(),
        }
    }
}

/// A verified package, read into memory: what was verified is exactly what gets unpacked.
#[derive(Debug, Clone)]
pub struct Package {
    /// The zip's file name (`acme-corp-fy2026.zip`).
    pub zip_name: String,
    pub zip_bytes: Vec<u8>,
    pub signature_bytes: Option<Vec<u8>>,
    /// The bag's directory name, `<org-slug>-<period-slug>`.
    pub bag: String,
    pub zip_sha256: String,
    pub info: Vec<(String, String)>,
    pub signature: Signature,
    /// Payload files by path under `data/` (`index.html`, `data/summary.json`, ...).
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Package {
    pub fn info_field(&self, label: &str) -> Option<&str> {
        field(&self.info, label)
    }

    pub fn identifier(&self) -> &str {
        self.info_field("External-Identifier").unwrap_or("")
    }
}

/// Verifies `zip` (and its `.minisig` when `pubkey` is given and one lies beside it) and reads it.
/// A package that fails any check is refused, naming the zip and every problem.
pub fn open(zip: &Path, pubkey: Option<&Path>) -> Result<Package> {
    let label = zip.display().to_string();
    let zip_bytes = std::fs::read(zip).with_context(|| format!("{label}: cannot read"))?;
    let signature_path = sign::signature_path(zip);
    let has_signature = signature_path.is_file();
    let report = verify::verify_path(zip, pubkey.filter(|_| has_signature));
    if !report.is_ok() {
        bail!(
            "{label}: refused, the package does not verify:\n  {}",
            report.problems.join("\n  ")
        );
    }
    // The bytes read above must be the bytes verified: a zip replaced in between is refused.
    let zip_sha256 = crate::util::sha256_hex(&zip_bytes);
    if report.zip_sha256.as_deref() != Some(zip_sha256.as_str()) {
        bail!("{label}: refused, the file changed while it was being verified");
    }
    let signature = match (&report.signature, has_signature) {
        (Some(check), _) => Signature::Valid {
            key_id: check.key_id.clone(),
        },
        (None, true) => Signature::NotChecked,
        (None, false) => Signature::NotSigned,
    };
    let signature_bytes = if has_signature {
        Some(
            std::fs::read(&signature_path)
                .with_context(|| format!("{}: cannot read", signature_path.display()))?,
        )
    } else {
        None
    };
    let mut all = read_entries(&zip_bytes).map_err(|e| anyhow!("{label}: {e}"))?;
    let prefix = format!("{}/", report.bag);
    let info_text = all
        .remove(&format!("{prefix}bag-info.txt"))
        .ok_or_else(|| anyhow!("{label}: no bag-info.txt"))?;
    let info = parse_fields(&String::from_utf8_lossy(&info_text));
    let data = format!("{prefix}data/");
    let files = all
        .into_iter()
        .filter_map(|(name, bytes)| Some((name.strip_prefix(&data)?.to_string(), bytes)))
        .collect();
    let zip_name = zip
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(Package {
        zip_name,
        zip_bytes,
        signature_bytes,
        bag: report.bag,
        zip_sha256,
        info,
        signature,
        files,
    })
}

/// Every file entry of a zip, by name (the zip has been verified: names are safe, unique).
fn read_entries(bytes: &[u8]) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let mut cursor = Cursor::new(bytes);
    let entries = zipread::central_directory(&mut cursor)?;
    let mut out = BTreeMap::new();
    for entry in entries.iter().filter(|e| !e.name.ends_with(b"/")) {
        let name = String::from_utf8_lossy(&entry.name).into_owned();
        let mut data = Vec::new();
        zipread::open_entry(&mut cursor, entry)
            .and_then(|r| {
                r.take(entry.size)
                    .read_to_end(&mut data)
                    .map_err(|e| e.to_string())
            })
            .map_err(|e| format!("{name}: {e}"))?;
        out.insert(name, data);
    }
    Ok(out)
}

/// `attained / measured`, shown as a percentage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ratio {
    pub met: u64,
    pub of: u64,
}

impl Ratio {
    pub fn text(self) -> String {
        if self.of == 0 {
            return "n/a".into();
        }
        let tenths = (self.met * 1000 + self.of / 2) / self.of;
        format!(
            "{}.{}% ({}/{})",
            tenths / 10,
            tenths % 10,
            self.met,
            self.of
        )
    }
}

/// The headline figures of one period, from its `data/summary.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headline {
    pub incidents: u64,
    /// The policy's first (most severe) level.
    pub top_level: String,
    pub ack: Ratio,
    pub resolve: Ratio,
    pub exceptions: u64,
    pub postmortems_on_time: Ratio,
}

/// A JSON object's entries in the file's order (serde_json's `Map` sorts its keys, and the
/// policy's order of severities is what says which level is the top one).
struct Ordered(Vec<(String, Value)>);

impl<'de> serde::Deserialize<'de> for Ordered {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Ordered, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Ordered(entries))
            }
        }
        d.deserialize_map(Visit)
    }
}

#[derive(serde::Deserialize)]
struct SummaryFigures {
    by_severity: Ordered,
    exceptions: Value,
}

/// Reads the figures the index shows; `name` labels errors.
pub fn headline(summary: &[u8], name: &str) -> Result<Headline> {
    let v: SummaryFigures = serde_json::from_slice(summary)
        .with_context(|| format!("{name}: not a pagerproof summary"))?;
    let num = |v: &Value, key: &str| v.get(key).and_then(Value::as_u64).unwrap_or(0);
    let mut h = Headline::default();
    for (level, counts) in &v.by_severity.0 {
        h.incidents += num(counts, "incidents");
        if level == "unclassified" {
            continue;
        }
        h.postmortems_on_time.met += num(counts, "postmortem_on_time");
        h.postmortems_on_time.of += num(counts, "postmortem_required");
        if h.top_level.is_empty() {
            h.top_level = level.clone();
            h.ack = Ratio {
                met: num(counts, "ack_met"),
                of: num(counts, "ack_met") + num(counts, "ack_breached"),
            };
            h.resolve = Ratio {
                met: num(counts, "resolve_met"),
                of: num(counts, "resolve_met") + num(counts, "resolve_breached"),
            };
        }
    }
    h.exceptions = num(&v.exceptions, "total");
    Ok(h)
}

/// One row of the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub bag: String,
    pub zip_name: String,
    pub organization: String,
    pub period: String,
    pub start: String,
    pub end: String,
    pub identifier: String,
    pub zip_sha256: String,
    pub signature: Signature,
    pub previous_sha256: Option<String>,
    pub previous_identifier: Option<String>,
    pub figures: Headline,
}

impl Row {
    pub fn of(p: &Package) -> Result<Row> {
        let summary = p.files.get("data/summary.json").with_context(|| {
            format!(
                "{}: no data/summary.json (not a pagerproof package)",
                p.zip_name
            )
        })?;
        let name = format!("{}: data/summary.json", p.zip_name);
        let v: Value = serde_json::from_slice(summary).with_context(|| name.clone())?;
        let period = |key: &str| {
            v.pointer(&format!("/period/{key}"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        Ok(Row {
            bag: p.bag.clone(),
            zip_name: p.zip_name.clone(),
            organization: p.info_field("Source-Organization").unwrap_or("").into(),
            period: period("name"),
            start: period("start"),
            end: period("end"),
            identifier: p.identifier().into(),
            zip_sha256: p.zip_sha256.clone(),
            signature: p.signature.clone(),
            previous_sha256: p.info_field(PREVIOUS_SHA256).map(str::to_string),
            previous_identifier: p.info_field(PREVIOUS_IDENTIFIER).map(str::to_string),
            figures: headline(summary, &name)?,
        })
    }
}

/// One row's link to the period before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// The package names no previous one.
    First,
    /// The previous package is held and its zip hashes to what this one recorded.
    Intact { previous: String },
    /// A package with the recorded identifier is held, but its zip hashes differently.
    Broken {
        previous: String,
        recorded: String,
        held: String,
    },
    /// The recorded previous package is not in this archive.
    NotHeld { identifier: String, sha256: String },
}

impl Link {
    pub fn is_break(&self) -> bool {
        matches!(self, Link::Broken { .. })
    }
}

/// Checks every link of the chain the archive holds.
pub fn links(rows: &[Row]) -> Vec<Link> {
    rows.iter()
        .map(|row| {
            let Some(sha) = &row.previous_sha256 else {
                return Link::First;
            };
            if let Some(prev) = rows.iter().find(|r| &r.zip_sha256 == sha) {
                return Link::Intact {
                    previous: prev.bag.clone(),
                };
            }
            let identifier = row.previous_identifier.clone().unwrap_or_default();
            match rows.iter().find(|r| r.identifier == identifier) {
                Some(prev) => Link::Broken {
                    previous: prev.bag.clone(),
                    recorded: sha.clone(),
                    held: prev.zip_sha256.clone(),
                },
                None => Link::NotHeld {
                    identifier,
                    sha256: sha.clone(),
                },
            }
        })
        .collect()
}

/// The chain's verdict in one line.
pub fn chain_status(links: &[Link]) -> String {
    let breaks = links.iter().filter(|l| l.is_break()).count();
    let not_held = links
        .iter()
        .filter(|l| matches!(l, Link::NotHeld { .. }))
        .count();
    match (breaks, not_held) {
        (0, 0) => "chain intact".into(),
        (0, n) => {
            format!("chain intact as far as held ({n} previous package(s) not in this archive)")
        }
        (n, _) => format!("chain broken at {n} link(s)"),
    }
}

/// Builds (or extends) the archive in `dir` from `zips` plus every zip it already holds.
/// Nothing is written unless every package verifies. Returns the rows, in period order.
pub fn build(dir: &Path, zips: &[PathBuf], pubkey: Option<&Path>) -> Result<Vec<Row>> {
    std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    let _lock = crate::util::lock_dir(dir)?;
    // Held zips first: a zip given again by the same name replaces the held copy.
    let mut sources: BTreeMap<String, PathBuf> = BTreeMap::new();
    let held = dir.join(PACKAGES);
    if held.is_dir() {
        for entry in
            std::fs::read_dir(&held).with_context(|| format!("{}: cannot list", held.display()))?
        {
            let path = entry
                .with_context(|| format!("{}: cannot list", held.display()))?
                .path();
            if path.extension().is_some_and(|e| e == "zip") {
                sources.insert(file_name(&path), path);
            }
        }
    }
    for zip in zips {
        sources.insert(file_name(zip), zip.clone());
    }
    let mut packages = Vec::new();
    for path in sources.values() {
        packages.push(open(path, pubkey)?);
    }
    let mut rows = packages.iter().map(Row::of).collect::<Result<Vec<_>>>()?;
    let mut bags: BTreeMap<&str, &str> = BTreeMap::new();
    for row in &rows {
        if let Some(other) = bags.insert(&row.bag, &row.zip_name) {
            bail!(
                "{} and {}: both hold the bag `{}`; an archive keeps one package per period",
                other,
                row.zip_name,
                row.bag
            );
        }
    }
    for p in &packages {
        unpack(dir, p)?;
    }
    // Period order; periods with the same dates follow their chain.
    let depths: BTreeMap<String, usize> = rows
        .iter()
        .map(|r| (r.bag.clone(), chain_depth(&rows, r)))
        .collect();
    rows.sort_by(|a, b| {
        (&a.start, depths[&a.bag], &a.bag).cmp(&(&b.start, depths[&b.bag], &b.bag))
    });
    let links = links(&rows);
    write_atomic(
        &dir.join("index.html"),
        index_html(&rows, &links).as_bytes(),
    )?;
    write_atomic(&dir.join("archive.css"), ARCHIVE_CSS.as_bytes())?;
    Ok(rows)
}

/// How many held packages precede `row` along the chain (a cycle cannot occur: each link is a
/// hash of an earlier zip, but the walk is bounded anyway).
fn chain_depth(rows: &[Row], row: &Row) -> usize {
    let mut depth = 0;
    let mut at = row;
    while let Some(prev) = at
        .previous_sha256
        .as_ref()
        .and_then(|sha| rows.iter().find(|r| &r.zip_sha256 == sha))
    {
        depth += 1;
        at = prev;
        if depth > rows.len() {
            break;
        }
    }
    depth
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Writes the site under `<dir>/<bag>/` (replacing an earlier copy whole) and the zip, its
/// signature and checksum file under `<dir>/packages/`.
fn unpack(dir: &Path, p: &Package) -> Result<()> {
    let site = dir.join(&p.bag);
    let staging = crate::util::unique_sibling(&site, "unpack");
    for (rel, bytes) in &p.files {
        let path = staging.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("{}: cannot create", parent.display()))?;
        }
        std::fs::write(&path, bytes)
            .with_context(|| format!("{}: cannot write", path.display()))?;
    }
    if site.exists() {
        std::fs::remove_dir_all(&site)
            .with_context(|| format!("{}: cannot replace", site.display()))?;
    }
    std::fs::rename(&staging, &site)
        .with_context(|| format!("{}: cannot rename to {}", staging.display(), site.display()))?;
    let packages = dir.join(PACKAGES);
    std::fs::create_dir_all(&packages)
        .with_context(|| format!("{}: cannot create", packages.display()))?;
    let zip = packages.join(&p.zip_name);
    if std::fs::read(&zip).ok().as_deref() != Some(p.zip_bytes.as_slice()) {
        write_atomic(&zip, &p.zip_bytes)?;
    }
    let signature = sign::signature_path(&zip);
    match &p.signature_bytes {
        Some(bytes) => write_atomic(&signature, bytes)?,
        None if signature.exists() => std::fs::remove_file(&signature)
            .with_context(|| format!("{}: cannot remove", signature.display()))?,
        None => {}
    }
    let checksum = format!("{}  {}\n", p.zip_sha256, p.zip_name);
    write_atomic(
        &packages.join(format!("{}.sha256", p.zip_name)),
        checksum.as_bytes(),
    )
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let partial = crate::util::unique_sibling(path, "write");
    std::fs::write(&partial, bytes)
        .with_context(|| format!("{}: cannot write", partial.display()))?;
    std::fs::rename(&partial, path)
        .with_context(|| format!("{}: cannot rename to {}", partial.display(), path.display()))
}

fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn href(path: &str) -> String {
    esc(&crate::util::encode_href(path))
}

const ARCHIVE_CSS: &str = "body{font:15px/1.5 system-ui,sans-serif;margin:2rem;color:#1a1a1a}\
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;\
vertical-align:top}code{font-size:.8em;word-break:break-all}.break{color:#a00000;font-weight:bold}\
.ok{color:#0a5c0a;font-weight:bold}\n";

/// The index page: no script, no inline style, relative links only, so it opens from `file://`
/// and from any sub-path of a static host.
pub fn index_html(rows: &[Row], links: &[Link]) -> String {
    let status = chain_status(links);
    let class = if links.iter().any(Link::is_break) {
        "break"
    } else {
        "ok"
    };
    let mut html = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'self'; \
img-src 'self'; base-uri 'none'; form-action 'none'\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>Evidence archive: every audit period</title>\n\
<link rel=\"stylesheet\" href=\"archive.css\">\n</head>\n<body>\n<main>\n\
<h1>Evidence archive: every audit period</h1>\n",
    );
    html.push_str(&format!(
        "<p>Hash chain: <span class=\"{class}\" id=\"chain\">{}</span>. Every package below was \
verified (every manifest line, Payload-Oxum, signature when a key was given) when this index was \
written; each period's site is unpacked beside this page and its zip is under \
<a href=\"{PACKAGES}/\">{PACKAGES}/</a>.</p>\n",
        esc(&status)
    ));
    html.push_str(
        "<table>\n<thead><tr><th scope=\"col\">Organization</th><th scope=\"col\">Period</th>\
<th scope=\"col\">Dates</th><th scope=\"col\">Incidents</th>\
<th scope=\"col\">Acknowledged in target (top severity)</th>\
<th scope=\"col\">Resolved in target (top severity)</th><th scope=\"col\">Exceptions</th>\
<th scope=\"col\">Postmortems on time</th><th scope=\"col\">Zip SHA-256</th>\
<th scope=\"col\">Signature</th><th scope=\"col\">Previous period</th></tr></thead>\n<tbody>\n",
    );
    for (row, link) in rows.iter().zip(links) {
        let f = &row.figures;
        let level = esc(&f.top_level);
        html.push_str(&format!(
            "<tr id=\"{bag}\"><td>{org}</td><td><a href=\"{site}\">{period}</a></td>\
<td>{start} to {end}</td><td>{incidents}</td><td>{level}: {ack}</td><td>{level}: {resolve}</td>\
<td>{exceptions}</td><td>{pm}</td><td><a href=\"{zip}\">{zip_name}</a><br><code>{sha}</code></td>\
<td>{sig}</td><td>{link}</td></tr>\n",
            bag = esc(&row.bag),
            org = esc(&row.organization),
            site = href(&format!("{}/index.html", row.bag)),
            period = esc(&row.period),
            start = esc(&row.start),
            end = esc(&row.end),
            incidents = f.incidents,
            ack = f.ack.text(),
            resolve = f.resolve.text(),
            exceptions = f.exceptions,
            pm = f.postmortems_on_time.text(),
            zip = href(&format!("{PACKAGES}/{}", row.zip_name)),
            zip_name = esc(&row.zip_name),
            sha = esc(&row.zip_sha256),
            sig = esc(&row.signature.text()),
            link = link_html(link),
        ));
    }
    html.push_str("</tbody>\n</table>\n</main>\n</body>\n</html>\n");
    html
}

fn link_html(link: &Link) -> String {
    match link {
        Link::First => "none recorded".into(),
        Link::Intact { previous } => format!(
            "<span class=\"ok\">link intact</span>: <a href=\"#{}\">{}</a>",
            esc(previous),
            esc(previous)
        ),
        Link::Broken {
            previous,
            recorded,
            held,
        } => format!(
            "<span class=\"break\">chain break</span>: recorded <code>{}</code> but the held \
             {} zip hashes to <code>{}</code>",
            esc(recorded),
            esc(previous),
            esc(held)
        ),
        Link::NotHeld { identifier, sha256 } => format!(
            "not in this archive: {} (<code>{}</code>)",
            esc(identifier),
            esc(sha256)
        ),
    }
}
