//! PagerDuty REST API snapshots written by `pagerproof fetch pagerduty` (layout: see
//! [`crate::fetch::pagerduty`]), read back into the model.
//!
//! Incidents become population rows (one per record, cited by file and 1-based line = record
//! index) with their log entries as the timeline; everything else becomes the [`Snapshot`]. A
//! line that is not JSON is an error naming the file and line; a record that is JSON but cannot be
//! an incident (no number or id, an unreadable creation time) is a rejected row.

use std::collections::BTreeMap;
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};

use hashbrown::HashTable;
use rayon::prelude::*;

use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde_json::Value;

use crate::config::Config;
use crate::ingest::lenient_json::{IncidentRecord, LogRecord, Loose, Obj, Time};
use crate::ingest::population::{RowOutcome, RowSink};
use crate::model::layout::pagerduty as layout;
use crate::model::*;

#[derive(Debug, Default)]
pub struct Loaded {
    pub snapshot: Snapshot,
    /// One per incident file, in path byte order; their records went to the [`RowSink`].
    pub files: Vec<SourceFile>,
    /// Every other snapshot file (copied to `sources/`).
    pub other_files: Vec<SourceFile>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Incidents,
    LogEntries,
    EscalationPolicies,
    Schedules,
    Overrides,
    Services,
    Priorities,
    Users,
    AuditRecords,
    IncidentWorkflows,
    WorkflowTriggers,
    ResponsePlays,
    AutomationActions,
    EventOrchestrations,
    FetchRecord,
    /// `raw/<n>.json.gz`: a response body kept by `fetch --keep-raw`.
    RawBody,
    Other,
}

fn kind_of(name: &str) -> FileKind {
    let stem = |f: &str| f.trim_end_matches(".jsonl").to_string();
    let table = [
        (layout::INCIDENTS, FileKind::Incidents),
        (layout::LOG_ENTRIES, FileKind::LogEntries),
        (layout::ESCALATION_POLICIES, FileKind::EscalationPolicies),
        (layout::SCHEDULES, FileKind::Schedules),
        (layout::OVERRIDES, FileKind::Overrides),
        (layout::SERVICES, FileKind::Services),
        (layout::PRIORITIES, FileKind::Priorities),
        (layout::USERS, FileKind::Users),
        (layout::AUDIT_RECORDS, FileKind::AuditRecords),
        (layout::INCIDENT_WORKFLOWS, FileKind::IncidentWorkflows),
        (layout::WORKFLOW_TRIGGERS, FileKind::WorkflowTriggers),
        (layout::RESPONSE_PLAYS, FileKind::ResponsePlays),
        (layout::AUTOMATION_ACTIONS, FileKind::AutomationActions),
        (layout::EVENT_ORCHESTRATIONS, FileKind::EventOrchestrations),
    ];
    if name == layout::FETCH_RECORD {
        return FileKind::FetchRecord;
    }
    if let Some(base) = name.strip_suffix(".jsonl") {
        // `incidents.jsonl`, or a split such as `incidents-2026h1.jsonl`.
        for (file, kind) in table {
            let s = stem(file);
            if base == s
                || base
                    .strip_prefix(&s)
                    .is_some_and(|rest| rest.starts_with(['-', '_', '.']))
            {
                return kind;
            }
        }
    }
    FileKind::Other
}

/// Reads every snapshot file under `[inputs] pagerduty`, each incident file's records into
/// `rows` block by block as they are read (a file started per incident file, in path byte
/// order). No directory → nothing loaded.
pub fn load(config: &Config, rows: &mut (impl RowSink + Send)) -> Result<Loaded> {
    load_with(read_log(config)?, rows)
}

/// What is read of a snapshot before its incident records, which need it: every log entry, and
/// the fetch records (which say whose log entries were fetched). Independent of every other
/// input, so it is read beside the CSV exports (see `ingest::load`).
pub struct LogRead {
    files: Vec<(String, FileKind, PathBuf)>,
    log: Timelines,
    /// The files already read, by path: their `SourceFile`s.
    early: BTreeMap<String, SourceFile>,
    fetch_records: Vec<FetchRecordFile>,
}

/// The log entries and fetch records under `[inputs] pagerduty`; `None` without the directory.
pub fn read_log(config: &Config) -> Result<Option<LogRead>> {
    let dir = config.path(&config.inputs.pagerduty);
    if !dir.is_dir() {
        return Ok(None);
    }
    let files = snapshot_files(config, &dir)?;
    // Each file is read when its turn comes and dropped after, so only one file's bytes are
    // held at a time.
    let mut log = Timelines::default();
    let mut early = BTreeMap::new();
    let mut fetch_records = Vec::new();
    for (rel, kind, path) in &files {
        match kind {
            FileKind::LogEntries => {
                let file = Sym::new(rel);
                // Read as typed records, not `Value` trees: a year has a million of them.
                let parse = |line: usize, text: &str| {
                    let record =
                        serde_json::from_str(text).map_err(|e| not_a_record(rel, line, &e))?;
                    let (incident, mut entry, agent) =
                        log_entry(record).with_context(|| format!("{rel}:{line}: log entry"))?;
                    entry.source = Some(RowRef {
                        file,
                        line: line as u64,
                    });
                    Ok((incident, entry, agent))
                };
                // Each block's entries go straight to their timelines.
                let source = map_lines_streamed(rel, path, parse, |entries| {
                    for (incident, entry, agent) in entries {
                        log.add(incident, entry, agent);
                    }
                })?;
                early.insert(rel.clone(), source);
            }
            FileKind::FetchRecord => {
                let bytes = read(rel, path)?;
                let record: FetchRecord = serde_json::from_slice(&bytes)
                    .map_err(|e| anyhow::anyhow!("{rel}:{}: {e}", e.line()))?;
                fetch_records.push(FetchRecordFile {
                    file: rel.clone(),
                    record,
                });
                early.insert(rel.clone(), source_file(rel, &bytes));
            }
            _ => {}
        }
    }
    Ok(Some(LogRead {
        files,
        log,
        early,
        fetch_records,
    }))
}

/// [`load`] with the log entries and fetch records already read by [`read_log`].
pub fn load_with(log_read: Option<LogRead>, rows: &mut (impl RowSink + Send)) -> Result<Loaded> {
    let mut loaded = Loaded::default();
    let Some(LogRead {
        files,
        log,
        mut early,
        fetch_records,
    }) = log_read
    else {
        return Ok(loaded);
    };
    loaded.snapshot.fetch_records = fetch_records;
    let log = log.sealed();
    // The builders' buffers and table, freed: before the API's records are read beside them.
    crate::util::release_freed_memory();
    check_raw_bodies(&files, &loaded.snapshot.fetch_records)?;
    let coverage = LogCoverage::from(&loaded.snapshot.fetch_records);
    let snap = &mut loaded.snapshot;
    for (rel, kind, path) in &files {
        if *kind == FileKind::Incidents {
            let file = Sym::new(rel);
            // Typed records, as log entries are.
            let parse = |line: usize, text: &str| {
                let record = serde_json::from_str(text).map_err(|e| not_a_record(rel, line, &e))?;
                let at = (file, line as u64, text);
                Ok(incident_row(at, &record, &log, &coverage))
            };
            // Each block's rows join the population at once: a year's incident records are
            // never all held as rows.
            rows.start_file();
            let source = map_lines_streamed(rel, path, parse, |block| rows.take_rows(rel, block))?;
            loaded.files.push(source);
            continue;
        }
        let (source, bytes) = match early.remove(rel.as_str()) {
            Some(source) => (source, Vec::new()),
            None => {
                let bytes = read(rel, path)?;
                (source_file(rel, &bytes), bytes)
            }
        };
        let ctx = |line: usize, what: &str| format!("{rel}:{line}: {what}");
        let rel = rel.clone();
        match kind {
            FileKind::Incidents => unreachable!("read above, streamed"),
            FileKind::EscalationPolicies => {
                for (line, v) in records(&rel, &bytes)? {
                    snap.escalation_policies.push(
                        escalation_policy(&v).with_context(|| ctx(line, "escalation policy"))?,
                    );
                }
            }
            FileKind::Schedules => {
                for (line, v) in records(&rel, &bytes)? {
                    snap.schedules
                        .push(schedule(&v).with_context(|| ctx(line, "schedule"))?);
                }
            }
            FileKind::Overrides => {
                for (line, v) in records(&rel, &bytes)? {
                    snap.overrides
                        .push(override_of(&v).with_context(|| ctx(line, "override"))?);
                }
            }
            FileKind::Services => {
                for (line, v) in records(&rel, &bytes)? {
                    snap.services
                        .push(service(&v).with_context(|| ctx(line, "service"))?);
                }
            }
            FileKind::Priorities => {
                for (line, v) in records(&rel, &bytes)? {
                    snap.priorities
                        .push(priority(&v).with_context(|| ctx(line, "priority"))?);
                }
            }
            FileKind::Users => {
                for (line, v) in records(&rel, &bytes)? {
                    snap.users
                        .push(user(&v).with_context(|| ctx(line, "user"))?);
                }
            }
            FileKind::AuditRecords => {
                for (line, v) in records(&rel, &bytes)? {
                    snap.audit_records
                        .push(audit_record(&v).with_context(|| ctx(line, "audit record"))?);
                }
            }
            FileKind::IncidentWorkflows => {
                let list = snap.workflows.get_or_insert_with(Vec::new);
                for (line, v) in records(&rel, &bytes)? {
                    list.push(workflow(&v).with_context(|| ctx(line, "incident workflow"))?);
                }
            }
            FileKind::WorkflowTriggers => {
                let list = snap.workflow_triggers.get_or_insert_with(Vec::new);
                for (line, v) in records(&rel, &bytes)? {
                    list.push(trigger(&v).with_context(|| ctx(line, "workflow trigger"))?);
                }
            }
            FileKind::ResponsePlays => {
                let list = snap.response_plays.get_or_insert_with(Vec::new);
                for (line, v) in records(&rel, &bytes)? {
                    list.push(response_play(&v).with_context(|| ctx(line, "response play"))?);
                }
            }
            FileKind::AutomationActions => {
                let list = snap.automation_actions.get_or_insert_with(Vec::new);
                for (line, v) in records(&rel, &bytes)? {
                    list.push(
                        automation_action(&v).with_context(|| ctx(line, "automation action"))?,
                    );
                }
            }
            FileKind::EventOrchestrations => {
                let list = snap.orchestrations.get_or_insert_with(Vec::new);
                for (line, v) in records(&rel, &bytes)? {
                    list.push(orchestration(&v).with_context(|| ctx(line, "event orchestration"))?);
                }
            }
            FileKind::LogEntries | FileKind::FetchRecord => {}
            FileKind::RawBody => {
                let mut source = source;
                source.notes.push(
                    "raw API response body (fetch --keep-raw), gzip: the fetch record holds its \
                     SHA-256 before compression"
                        .into(),
                );
                loaded.other_files.push(source);
                continue;
            }
            FileKind::Other => {
                let mut source = source;
                source
                    .notes
                    .push("not a pagerproof snapshot file: copied, not read".into());
                loaded.other_files.push(source);
                continue;
            }
        }
        loaded.other_files.push(source);
    }
    // The entries no record of an incident file named go now; the others live on in the rows.
    drop(log);
    let snap = &mut loaded.snapshot;
    snap.escalation_policies.sort_by(|a, b| a.id.cmp(&b.id));
    snap.schedules.sort_by(|a, b| a.id.cmp(&b.id));
    snap.overrides
        .sort_by(|a, b| (&a.schedule_id, a.start, &a.id).cmp(&(&b.schedule_id, b.start, &b.id)));
    snap.services.sort_by(|a, b| a.id.cmp(&b.id));
    snap.users.sort_by(|a, b| a.id.cmp(&b.id));
    sort_by_id(&mut snap.workflows, |w| &w.id);
    sort_by_id(&mut snap.workflow_triggers, |t| &t.id);
    sort_by_id(&mut snap.response_plays, |p| &p.id);
    sort_by_id(&mut snap.automation_actions, |a| &a.id);
    sort_by_id(&mut snap.orchestrations, |o| &o.id);
    name_v3_members(snap);
    snap.audit_records
        .sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
    Ok(loaded)
}

fn sort_by_id<T>(list: &mut Option<Vec<T>>, id: impl Fn(&T) -> &String) {
    if let Some(l) = list {
        l.sort_by(|a, b| id(a).cmp(id(b)));
    }
}

/// v3 shift members carry only a user id: name them from the users list.
fn name_v3_members(snap: &mut Snapshot) {
    let names: BTreeMap<&str, &str> = snap
        .users
        .iter()
        .map(|u| (u.id.as_str(), u.name.as_str()))
        .collect();
    for e in snap.schedules.iter_mut().flat_map(|s| &mut s.final_entries) {
        if let Some(user) = e.user.as_mut().filter(|u| u.name.is_none()) {
            user.name = names.get(user.id.as_str()).map(|n| n.to_string());
        }
    }
}

/// Every kept raw body named by a fetch record must re-hash to the SHA-256 the record holds: a
/// body edited (or swapped) after the fetch is an error naming the file. A record naming a body
/// that is not there is one too, since the snapshot claims to carry it.
fn check_raw_bodies(
    files: &[(String, FileKind, PathBuf)],
    records: &[FetchRecordFile],
) -> Result<()> {
    let by_path: BTreeMap<&Path, &Path> = files
        .iter()
        .filter(|(_, kind, _)| *kind == FileKind::RawBody)
        .map(|(rel, _, path)| (Path::new(rel.as_str()), path.as_path()))
        .collect();
    for file in records {
        // Kept bodies are named relative to the directory of the record that names them.
        let base = Path::new(&file.file).parent().unwrap_or(Path::new(""));
        for r in file.record.windows.iter().flat_map(|w| &w.requests) {
            let Some(raw) = &r.raw else { continue };
            let shown = format!("{}/{raw}", base.to_string_lossy());
            let Some(path) = by_path.get(Path::new(&shown)) else {
                anyhow::bail!("{}: names the kept body {raw}, which is missing", file.file);
            };
            let gz = read(&shown, path)?;
            let mut body = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(gz.as_slice()), &mut body)
                .map_err(|e| anyhow::anyhow!("{shown}: not a gzip body: {e}"))?;
            let sha = crate::util::sha256_hex(&body);
            if sha != r.sha256 {
                anyhow::bail!(
                    "{shown}: the body hashes to {sha}, but {} recorded {} for it; the kept body \
                     is not the one the API sent",
                    file.file,
                    r.sha256
                );
            }
        }
    }
    Ok(())
}

/// Every non-hidden file under `dir`: (path relative to the site with `/`, kind, path), in path
/// byte order. Nothing is read yet: files are read one at a time as their turn comes.
fn snapshot_files(config: &Config, dir: &Path) -> Result<Vec<(String, FileKind, PathBuf)>> {
    let mut out = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = entry.with_context(|| format!("{}: cannot list", dir.display()))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = relative(config, entry.path());
        super::file_names::check_file_name(&rel)?;
        let in_dir = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let kind = if in_dir.starts_with(crate::model::layout::RAW_DIR) && rel.ends_with(".json.gz")
        {
            FileKind::RawBody
        } else {
            kind_of(&entry.file_name().to_string_lossy())
        };
        out.push((rel, kind, entry.into_path()));
    }
    out.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    Ok(out)
}

/// A snapshot directory's files (hidden entries skipped), each with its site-relative path, in
/// path byte order: the order every snapshot loader reads in, whatever the file system's.
pub(crate) fn snapshot_paths(config: &Config, dir: &Path) -> Vec<(String, std::path::PathBuf)> {
    let mut paths: Vec<(String, std::path::PathBuf)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| (relative(config, e.path()), e.into_path()))
        .collect();
    paths.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    paths
}

pub(crate) fn relative(config: &Config, path: &Path) -> String {
    let rel = path.strip_prefix(&config.root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

pub(crate) fn source_file_of(rel: &str, bytes: &[u8], kind: SourceKind) -> SourceFile {
    SourceFile {
        path: rel.to_string(),
        copy: format!("sources/{rel}"),
        kind,
        sha256: crate::util::sha256_hex(bytes),
        bytes: bytes.len() as u64,
        accounting: Accounting::default(),
        notes: Vec::new(),
        export: None,
    }
}

fn source_file(rel: &str, bytes: &[u8]) -> SourceFile {
    source_file_of(rel, bytes, SourceKind::PagerDutySnapshot)
}

fn read(rel: &str, path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("{rel}: cannot read"))
}

/// Each JSON record of a JSON Lines file (1-based line, blank lines skipped) through `f`, parsed
/// in parallel, results in file order. Only the results are kept, never the whole file's JSON
/// trees (a 100k-incident year has about a million log entries). The first failing line in file
/// order is the error, whatever the thread count.
fn map_records<T: Send>(
    rel: &str,
    bytes: &[u8],
    first_line: usize,
    f: &(impl Fn(usize, Value) -> Result<T> + Sync),
) -> Result<Vec<T>> {
    map_lines(rel, bytes, first_line, &|n, line| {
        f(n, json_record(rel, n, line)?)
    })
}

/// One line's JSON record as a `Value`.
fn json_record(rel: &str, n: usize, line: &str) -> Result<Value> {
    serde_json::from_str(line).map_err(|e| not_a_record(rel, n, &e))
}

fn not_a_record(rel: &str, n: usize, e: &serde_json::Error) -> anyhow::Error {
    anyhow::anyhow!("{rel}:{n}: not a JSON record: {e}")
}

/// [`map_records`] with each line's text handed to `f` as it is, for `f` to parse.
fn map_lines<T: Send>(
    rel: &str,
    bytes: &[u8],
    first_line: usize,
    f: &(impl Fn(usize, &str) -> Result<T> + Sync),
) -> Result<Vec<T>> {
    let text = std::str::from_utf8(bytes).map_err(|e| anyhow::anyhow!("{rel}: not UTF-8 ({e})"))?;
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| (first_line + i, line))
        .collect();
    let results: Vec<Result<T>> = lines
        .par_iter()
        .with_min_len(512)
        .map(|&(n, line)| f(n, line))
        .collect();
    results.into_iter().collect()
}

/// [`map_lines`] over a file read in blocks of whole lines (about 4 MiB each), hashed as it is
/// read, each block's results handed to `sink` in file order: a year's log entries (238 MB at
/// 100k incidents) are never held whole, as text or as results. Gives the file's [`SourceFile`].
fn map_lines_streamed<T: Send>(
    rel: &str,
    path: &Path,
    f: impl Fn(usize, &str) -> Result<T> + Sync,
    sink: impl FnMut(Vec<T>) + Send,
) -> Result<SourceFile> {
    map_lines_in_blocks(rel, path, 4 << 20, f, sink)
}

fn map_lines_in_blocks<T: Send>(
    rel: &str,
    path: &Path,
    block_bytes: usize,
    f: impl Fn(usize, &str) -> Result<T> + Sync,
    mut sink: impl FnMut(Vec<T>) + Send,
) -> Result<SourceFile> {
    use sha2::Digest;
    let file = std::fs::File::open(path).with_context(|| format!("{rel}: cannot read"))?;
    let mut reader = Blocks {
        rel,
        reader: std::io::BufReader::with_capacity(1 << 20, file),
        block_bytes,
        hasher: sha2::Sha256::new(),
        size: 0,
    };
    let (mut block, mut next) = (Vec::new(), Vec::new());
    let mut lines = reader.next(&mut block)?;
    let mut first_line = 1;
    // While a block is parsed (on every core), the previous block's results go to `sink` (a
    // timeline's or the population's bookkeeping, one thread's work) and the next block is read
    // and hashed: neither leaves the other core idle between blocks.
    let mut parsed: Option<Vec<T>> = None;
    while !block.is_empty() {
        let previous = parsed.take();
        let (this, next_lines) = rayon::join(
            || map_lines(rel, &block, first_line, &f),
            || {
                previous.into_iter().for_each(&mut sink);
                reader.next(&mut next)
            },
        );
        parsed = Some(this?);
        first_line += lines;
        lines = next_lines?;
        std::mem::swap(&mut block, &mut next);
    }
    parsed.into_iter().for_each(&mut sink);
    let sha256 = hex::encode(reader.hasher.finalize());
    Ok(SourceFile {
        sha256,
        bytes: reader.size,
        ..source_file(rel, &[])
    })
}

/// A JSON Lines file read in blocks of whole lines, hashed as it is read.
struct Blocks<'a> {
    rel: &'a str,
    reader: std::io::BufReader<std::fs::File>,
    /// A block ends with the line that takes it to this size or past it.
    block_bytes: usize,
    hasher: sha2::Sha256,
    size: u64,
}

impl Blocks<'_> {
    /// Fills `block` with the next lines (empty at the end of the file); how many lines.
    fn next(&mut self, block: &mut Vec<u8>) -> Result<usize> {
        use sha2::Digest;
        use std::io::BufRead;
        block.clear();
        let mut lines = 0;
        while block.len() < self.block_bytes
            && self
                .reader
                .read_until(b'\n', block)
                .with_context(|| format!("{}: cannot read", self.rel))?
                > 0
        {
            lines += 1;
        }
        self.hasher.update(&block[..]);
        self.size += block.len() as u64;
        Ok(lines)
    }
}

/// The JSON records of a JSON Lines file with their 1-based line numbers (blank lines skipped).
pub(crate) fn records(rel: &str, bytes: &[u8]) -> Result<Vec<(usize, Value)>> {
    map_records(rel, bytes, 1, &|line, v| Ok((line, v)))
}

/// Log entries by incident id: each incident's log, in the order its first entry was read,
/// found through a table of positions hashed by the id. Hashed: a million-incident year's
/// seven million log entries each find their incident's log, which in a B-tree took twenty
/// string comparisons and as many cache misses (a quarter of loading's CPU at 1M incidents, in
/// `memcmp`). Positions, not a map keyed by the id: two maps (the entries and the resolvers),
/// each grown by doubling, were half empty at a million incidents, 228 MB at the load's peak
/// where these take about 100. Ids are kept inline (`Text`): an id is 14 bytes, and a million
/// of them were a million allocations.
#[derive(Default)]
struct Timelines {
    logs: crate::util::blocks::Blocks<IncidentLog>,
    /// Positions in `logs`, hashed by their incident's id.
    by_id: HashTable<u32>,
    hasher: foldhash::fast::FixedState,
}

/// One incident's log entries.
struct IncidentLog {
    id: Text,
    entries: Slot,
    /// The instant and the agent type (interned) of its first resolve entry.
    resolver: Option<(DateTime<Utc>, Option<Sym>)>,
}

/// An incident's log entries: packed as they are read, then sealed where they are. Sealed into
/// a second table, made while the first was still held, they were the load's peak at a million
/// incidents (1,339 MiB resident, against 1,189 sealed in place).
#[derive(Debug)]
enum Slot {
    Packing(Packer),
    Sealed(Timeline),
}

impl Timelines {
    fn add(&mut self, incident: Text, entry: LogEntry, agent: Option<Sym>) {
        let log = self.log_of(incident);
        if entry.kind == "resolve" && log.resolver.is_none_or(|(at, _)| entry.at < at) {
            log.resolver = Some((entry.at, agent));
        }
        match &mut log.entries {
            Slot::Packing(packer) => packer.push(&entry),
            Slot::Sealed(_) => unreachable!("timelines are sealed once every entry is read"),
        }
    }

    /// The log of incident `id`, added empty when none is yet.
    fn log_of(&mut self, id: Text) -> &mut IncidentLog {
        let Timelines {
            logs,
            by_id,
            hasher,
        } = self;
        let hash = hasher.hash_one(id.as_str());
        let found = by_id.find(hash, |&i| logs.get(i as usize).id == id);
        let index = match found {
            Some(&i) => i as usize,
            None => {
                let index = logs.push(IncidentLog {
                    id,
                    entries: Slot::Packing(Packer::default()),
                    resolver: None,
                });
                let position = u32::try_from(index).expect("fewer than 2^32 incidents");
                by_id.insert_unique(hash, position, |&i| {
                    hasher.hash_one(logs.get(i as usize).id.as_str())
                });
                index
            }
        };
        logs.get_mut(index)
    }

    /// Every log entry read: each incident's oldest first (entries of the same instant keep
    /// their file order), in the shared form the rows take.
    fn sealed(mut self) -> SealedTimelines {
        for log in self.logs.iter_mut() {
            if let Slot::Packing(packer) = &mut log.entries {
                let timeline = std::mem::take(packer).finish();
                log.entries = Slot::Sealed(timeline);
            }
        }
        SealedTimelines(self)
    }
}

/// [`Timelines`] once every log entry is read: every slot sealed.
#[derive(Default)]
struct SealedTimelines(Timelines);

impl SealedTimelines {
    fn log(&self, id: &str) -> Option<&IncidentLog> {
        let Timelines {
            logs,
            by_id,
            hasher,
        } = &self.0;
        let found = by_id.find(hasher.hash_one(id), |&i| logs.get(i as usize).id == id);
        found.map(|&i| logs.get(i as usize))
    }

    /// Resolved by a user (`Some(true)`), by a service or integration (`Some(false)`), unknown.
    fn resolved_by_user(&self, id: &str) -> Option<bool> {
        let (_, agent) = self.log(id)?.resolver?;
        agent.map(|a| a == "user")
    }

    /// The log entries of incident `id`, when any were read.
    fn timeline(&self, id: &str) -> Option<&Timeline> {
        match &self.log(id)?.entries {
            Slot::Sealed(timeline) => Some(timeline),
            Slot::Packing(_) => unreachable!("every slot is sealed"),
        }
    }
}

/// Which incidents had their log entries fetched, from the fetch records.
#[derive(Debug, Default)]
struct LogCoverage {
    windows: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    incidents: std::collections::BTreeSet<String>,
}

impl LogCoverage {
    fn from(records: &[FetchRecordFile]) -> LogCoverage {
        let mut c = LogCoverage::default();
        for w in records.iter().flat_map(|r| &r.record.windows) {
            let param = |k: &str| {
                w.params
                    .iter()
                    .find(|(n, _)| n == k)
                    .and_then(|(_, v)| parse_str_time(v))
            };
            if w.endpoint == "/log_entries" {
                if let (Some(a), Some(b)) = (param("since"), param("until")) {
                    c.windows.push((a, b));
                }
            } else if let Some(id) = w
                .endpoint
                .strip_prefix("/incidents/")
                .and_then(|r| r.strip_suffix("/log_entries"))
            {
                c.incidents.insert(id.to_string());
            }
        }
        c
    }

    fn covers(&self, id: Option<&str>, created: Option<DateTime<Utc>>) -> bool {
        id.is_some_and(|id| self.incidents.contains(id))
            || created.is_some_and(|t| self.windows.iter().any(|(a, b)| *a <= t && t < *b))
    }
}

/// One incident record as a row. `at` is the record's file, line and text (the text only to
/// quote a bad `created_at` as it was written).
fn incident_row(
    (rel, line, text): (Sym, u64, &str),
    v: &IncidentRecord,
    log: &SealedTimelines,
    coverage: &LogCoverage,
) -> RowOutcome {
    let at = RowRef { file: rel, line };
    let number = v.incident_number.0;
    let reject = |reason: String| Err(RejectedRow { at, reason, number });
    if !v.object {
        return reject("the record is not a JSON object".into());
    }
    let id = v.id.get();
    if number.is_none() && id.is_none() {
        return reject("no incident_number and no id".into());
    }
    let created = match &v.created_at {
        Time::None => None,
        t => match record_time(t) {
            Some(t) => Some(t),
            None => {
                let written = serde_json::from_str::<Value>(text)
                    .map(|v| v["created_at"].to_string())
                    .unwrap_or_default();
                return reject(format!("created_at {written} is not a timestamp"));
            }
        },
    };
    // Shared, not copied: another record of the same id (in another snapshot file) gets the
    // same entries.
    let timeline: Timeline = id
        .and_then(|id| log.timeline(id))
        .cloned()
        .unwrap_or_default();
    let first = |kind: &str| timeline.iter().find(|e| e.kind == kind);
    let resolve = first("resolve");
    let (resolved, resolved_source) = resolution(v, resolve.as_ref());
    let resolved_by_user = id.and_then(|id| log.resolved_by_user(id));
    let title = v
        .title
        .get()
        .or_else(|| v.description.get())
        .or_else(|| v.summary.get());
    let mut jira_keys = external_jira_keys(&v.external_references.0);
    for k in crate::util::jira_keys(title.unwrap_or_default()) {
        if !jira_keys.contains(&k) {
            jira_keys.push(k);
        }
    }
    let has_log = !timeline.is_empty() || coverage.covers(id, created);
    let txt = |l: &Loose| l.get().map(Sym::new);
    Ok(IncidentRow {
        at: Some(at),
        number,
        id: id.map(Text::from),
        title: title.map(Sym::new_varied),
        service: txt(&v.service.summary),
        service_id: txt(&v.service.id),
        escalation_policy: txt(&v.escalation_policy.summary),
        escalation_policy_id: txt(&v.escalation_policy.id),
        team: v.teams.0.first().and_then(|t| txt(&t.summary)),
        created,
        resolved,
        resolved_source: resolved_source.map(Sym::from),
        acknowledged: first_acknowledgement(&v.acknowledgements.0, &timeline, has_log),
        seconds_to_first_ack: None,
        seconds_to_resolve: None,
        priority: txt(&v.priority.summary).or_else(|| txt(&v.priority.name)),
        urgency: txt(&v.urgency),
        status: txt(&v.status),
        auto_resolved: resolved_by_user.map(|user| !user),
        acknowledged_by: first("acknowledge").and_then(|e| e.agent),
        assigned_to: joined_names(v.assignments.0.iter().filter_map(|a| a.assignee.as_deref()))
            .map(Sym::from),
        resolved_by: resolve
            .filter(|_| resolved_by_user == Some(true))
            .and_then(|e| e.agent),
        escalation_count: has_log
            .then(|| timeline.iter().filter(|e| e.kind == "escalate").count() as u64),
        duration_text: None,
        url: v.html_url.get().map(Url::from),
        has_ack_data: has_log,
        has_resolve_data: true,
        timeline,
        jira_keys: jira_keys.into(),
    })
}

/// The summaries of `refs` joined by ", "; none without any.
fn joined_names<'a>(refs: impl Iterator<Item = &'a Obj<'a>>) -> Option<String> {
    let names: Vec<&str> = refs.filter_map(|r| r.summary.get()).collect();
    (!names.is_empty()).then(|| names.join(", "))
}

/// The first acknowledgement (evidence-rules §4). The incident's `acknowledgements` array is
/// its *current* state: a reassignment, an escalation timeout or an unacknowledge clears it, and
/// a later acknowledgement replaces it. So the earliest acknowledge log entry decides whenever
/// the log covers the incident (no such entry: never acknowledged); the array only without a log.
fn first_acknowledgement(
    acknowledgements: &[Obj],
    timeline: &Timeline,
    has_log: bool,
) -> Option<DateTime<Utc>> {
    if has_log {
        return timeline
            .iter()
            .filter(|e| e.kind == "acknowledge")
            .map(|e| e.at)
            .min();
    }
    acknowledgements
        .iter()
        .filter_map(|a| record_time(&a.at))
        .min()
}

/// The resolution instant and, when it is not the object's own `resolved_at`, where it came
/// from. Objects of older API versions say `status: "resolved"` without `resolved_at`: then the
/// resolve log entry, else `last_status_change_at`, gives the time.
fn resolution(
    v: &IncidentRecord,
    resolve: Option<&LogEntry>,
) -> (Option<DateTime<Utc>>, Option<String>) {
    if let Some(at) = record_time(&v.resolved_at) {
        return (Some(at), None);
    }
    if v.status.get() != Some("resolved") {
        return (None, None);
    }
    if let Some(entry) = resolve {
        return (Some(entry.at), Some("the resolve log entry".into()));
    }
    match record_time(&v.last_status_change_at) {
        Some(at) => (Some(at), Some("last_status_change_at".into())),
        None => (None, None),
    }
}

/// One log entry: (incident id, timeline entry, agent type without `_reference`).
fn log_entry(r: LogRecord) -> Result<(Text, LogEntry, Option<Sym>)> {
    let incident = Text::from(r.incident.id.get().context("no incident.id")?);
    let at = record_time(&r.created_at).context("no readable created_at")?;
    let raw = r.kind.get().context("no type")?;
    let kind = raw.strip_suffix("_log_entry").unwrap_or(raw);
    let kind = if kind == "acknowledgement" {
        "acknowledge"
    } else {
        kind
    };
    let agent_kind = r
        .agent
        .kind
        .get()
        .map(|t| Sym::new(t.strip_suffix("_reference").unwrap_or(t)));
    let subject = r.user.summary.into_string().or_else(|| {
        let names: Vec<&str> = r
            .assignees
            .0
            .iter()
            .filter_map(|a| a.summary.get())
            .collect();
        (!names.is_empty()).then(|| names.join(", "))
    });
    Ok((
        incident,
        LogEntry {
            at,
            kind: Sym::new(kind),
            summary: Sym::new(r.summary.get().unwrap_or_default()),
            agent: r.agent.summary.get().map(Sym::new),
            channel: r.channel.kind.get().map(Sym::new),
            subject: subject.map(Sym::from),
            source: None,
        },
        agent_kind,
    ))
}

/// Jira keys of `external_references`: from the `/browse/` URL first, then `external_id`.
fn external_jira_keys(refs: &[Obj]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for r in refs {
        let from_url = r
            .external_url
            .get()
            .and_then(crate::util::jira_key_from_url);
        let from_id = r.external_id.get().and_then(|id| {
            crate::util::jira_keys(id)
                .into_iter()
                .next()
                .filter(|k| k == id.trim())
        });
        for k in [from_url, from_id].into_iter().flatten() {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    keys
}

fn escalation_policy(v: &Value) -> Result<EscalationPolicy> {
    Ok(EscalationPolicy {
        id: required(v, "id")?,
        name: text(&v["name"])
            .or_else(|| text(&v["summary"]))
            .unwrap_or_default(),
        description: text(&v["description"]),
        num_loops: v["num_loops"].as_u64().unwrap_or(0) as u32,
        rules: list(&v["escalation_rules"])
            .map(|r| EscalationRule {
                id: text(&r["id"]).unwrap_or_default(),
                delay_minutes: r["escalation_delay_in_minutes"].as_i64().unwrap_or(0),
                targets: refs(&r["targets"]),
            })
            .collect(),
        services: refs(&v["services"]),
        teams: refs(&v["teams"]),
        url: text(&v["html_url"]),
    })
}

fn schedule(v: &Value) -> Result<Schedule> {
    let fin = &v["final_schedule"];
    let v3 =
        v["type"].as_str() == Some("schedule_v3") || fin["computed_shift_assignments"].is_array();
    let mut entries = Vec::new();
    if v3 {
        for a in list(&fin["computed_shift_assignments"]) {
            let m = &a["member"];
            let user = (m["type"].as_str() != Some("empty_member"))
                .then(|| text(&m["user_id"]).or_else(|| text(&m["user"]["id"])))
                .flatten()
                .map(|id| PdRef {
                    id,
                    kind: "user".into(),
                    name: text(&m["user"]["summary"]),
                });
            entries.push(entry(&a["start_time"], &a["end_time"], user)?);
        }
    } else {
        for e in list(&fin["rendered_schedule_entries"]) {
            let user = pd_ref(&e["user"]);
            entries.push(entry(&e["start"], &e["end"], user)?);
        }
    }
    entries.sort();
    Ok(Schedule {
        id: required(v, "id")?,
        name: text(&v["name"])
            .or_else(|| text(&v["summary"]))
            .unwrap_or_default(),
        version: if v3 {
            ScheduleVersion::V3
        } else {
            ScheduleVersion::V2
        },
        time_zone: text(&v["time_zone"]),
        escalation_policies: refs(&v["escalation_policies"]),
        final_entries: entries,
        url: text(&v["html_url"]),
    })
}

fn entry(start: &Value, end: &Value, user: Option<PdRef>) -> Result<ScheduleEntry> {
    let start =
        parse_time(start).with_context(|| format!("entry start {start} is not a timestamp"))?;
    let end = parse_time(end).with_context(|| format!("entry end {end} is not a timestamp"))?;
    Ok(ScheduleEntry { start, end, user })
}

fn override_of(v: &Value) -> Result<Override> {
    let o = &v["override"];
    Ok(Override {
        id: required(o, "id")?,
        schedule_id: required(v, "schedule_id")?,
        start: parse_time(&o["start"]).context("no readable start")?,
        end: parse_time(&o["end"]).context("no readable end")?,
        user: pd_ref(&o["user"]),
    })
}

fn service(v: &Value) -> Result<Service> {
    Ok(Service {
        id: required(v, "id")?,
        name: text(&v["name"])
            .or_else(|| text(&v["summary"]))
            .unwrap_or_default(),
        status: text(&v["status"]),
        escalation_policy: pd_ref(&v["escalation_policy"]),
        teams: refs(&v["teams"]),
        url: text(&v["html_url"]),
        urgency_rule: urgency_rule(&v["incident_urgency_rule"]),
        support_hours: support_hours(&v["support_hours"]),
        scheduled_actions: list(&v["scheduled_actions"])
            .map(|a| {
                let at = text(&a["at"]["name"]).unwrap_or_else(|| "?".into());
                match text(&a["to_urgency"]) {
                    Some(u) => format!("urgency to {u} at {at}"),
                    None => format!("{} at {at}", text(&a["type"]).unwrap_or_default()),
                }
            })
            .collect(),
        integrations: list(&v["integrations"])
            .filter_map(|i| {
                Some(Integration {
                    id: text(&i["id"])?,
                    kind: text(&i["type"]).unwrap_or_default(),
                    name: text(&i["name"]).or_else(|| text(&i["summary"])),
                    vendor: text(&i["vendor"]["summary"]).or_else(|| text(&i["vendor"]["name"])),
                    created: parse_time(&i["created_at"]),
                })
            })
            .collect(),
    })
}

fn urgency_rule(v: &Value) -> Option<UrgencyRule> {
    Some(UrgencyRule {
        kind: text(&v["type"])?,
        urgency: text(&v["urgency"]),
        during_support_hours: text(&v["during_support_hours"]["urgency"]),
        outside_support_hours: text(&v["outside_support_hours"]["urgency"]),
    })
}

fn support_hours(v: &Value) -> Option<SupportHours> {
    Some(SupportHours {
        time_zone: text(&v["time_zone"]),
        days_of_week: list(&v["days_of_week"])
            .filter_map(|d| d.as_u64().and_then(|d| u8::try_from(d).ok()))
            .collect(),
        start_time: text(&v["start_time"])?,
        end_time: text(&v["end_time"])?,
    })
}

fn workflow(v: &Value) -> Result<IncidentWorkflow> {
    Ok(IncidentWorkflow {
        id: required(v, "id")?,
        name: text(&v["name"]).unwrap_or_default(),
        description: text(&v["description"]),
        enabled: v["is_enabled"].as_bool(),
        url: text(&v["html_url"]),
    })
}

fn trigger(v: &Value) -> Result<WorkflowTrigger> {
    Ok(WorkflowTrigger {
        id: required(v, "id")?,
        workflow_id: required(&v["workflow"], "id").context("workflow")?,
        workflow_name: text(&v["workflow"]["name"]),
        trigger_type: text(&v["trigger_type"]).unwrap_or_default(),
        condition: text(&v["condition"]),
        all_services: v["is_subscribed_to_all_services"].as_bool() == Some(true),
        services: refs(&v["services"]),
    })
}

fn response_play(v: &Value) -> Result<ResponsePlay> {
    Ok(ResponsePlay {
        id: required(v, "id")?,
        name: text(&v["name"]).unwrap_or_default(),
        description: text(&v["description"]),
    })
}

fn automation_action(v: &Value) -> Result<AutomationAction> {
    Ok(AutomationAction {
        id: required(v, "id")?,
        name: text(&v["name"]).unwrap_or_default(),
        description: text(&v["description"]),
        action_type: text(&v["action_type"]),
        classification: text(&v["action_classification"]),
        services: refs(&v["services"]),
    })
}

/// One `event_orchestrations.jsonl` record: the orchestration and its router path.
fn orchestration(v: &Value) -> Result<Orchestration> {
    let o = &v["orchestration"];
    let path = &v["router"]["orchestration_path"];
    let routes = list(&path["sets"])
        .flat_map(|set| list(&set["rules"]))
        .map(|r| {
            let actions = &r["actions"];
            let route_to = text(&actions["route_to"]).unwrap_or_else(|| {
                let d = &actions["dynamic_route_to"];
                format!(
                    "dynamic: {} by {} from {}",
                    text(&d["regex"]).unwrap_or_default(),
                    text(&d["lookup_by"]).unwrap_or_default(),
                    text(&d["source"]).unwrap_or_default()
                )
            });
            Ok(OrchestrationRoute {
                id: required(r, "id")?,
                label: text(&r["label"]),
                conditions: list(&r["conditions"])
                    .filter_map(|c| text(&c["expression"]))
                    .collect(),
                route_to,
                disabled: r["disabled"].as_bool() == Some(true),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Orchestration {
        id: required(o, "id").context("orchestration")?,
        name: text(&o["name"]).unwrap_or_default(),
        routes,
        catch_all: text(&path["catch_all"]["actions"]["route_to"]),
    })
}

fn priority(v: &Value) -> Result<Priority> {
    Ok(Priority {
        id: required(v, "id")?,
        name: text(&v["name"])
            .or_else(|| text(&v["summary"]))
            .unwrap_or_default(),
        description: text(&v["description"]),
    })
}

fn user(v: &Value) -> Result<User> {
    Ok(User {
        id: required(v, "id")?,
        name: text(&v["name"])
            .or_else(|| text(&v["summary"]))
            .unwrap_or_default(),
        email: text(&v["email"]),
        role: text(&v["role"]),
        time_zone: text(&v["time_zone"]),
        // Without the includes these are references (or absent): not the data §9 tests.
        contact_methods: v["contact_methods"]
            .as_array()
            .filter(|l| {
                l.iter()
                    .all(|c| !c["type"].as_str().unwrap_or("").ends_with("_reference"))
            })
            .map(|l| l.iter().filter_map(contact_method).collect()),
        notification_rules: v["notification_rules"]
            .as_array()
            .filter(|l| l.iter().all(|r| r.get("urgency").is_some()))
            .map(|l| l.iter().filter_map(notification_rule).collect()),
    })
}

fn contact_method(v: &Value) -> Option<ContactMethod> {
    let kind = text(&v["type"])?;
    Some(ContactMethod {
        id: text(&v["id"])?,
        kind: kind.strip_suffix("_reference").unwrap_or(&kind).to_string(),
        label: text(&v["label"]).or_else(|| text(&v["summary"])),
        disabled: v["blacklisted"].as_bool() == Some(true) || v["enabled"].as_bool() == Some(false),
    })
}

fn notification_rule(v: &Value) -> Option<NotificationRule> {
    Some(NotificationRule {
        id: text(&v["id"])?,
        urgency: text(&v["urgency"])?,
        start_delay_minutes: v["start_delay_in_minutes"].as_i64().unwrap_or(0),
        contact_method: pd_ref(&v["contact_method"])?,
    })
}

fn audit_record(v: &Value) -> Result<AuditRecord> {
    let value_text = |x: &Value| match x {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    };
    Ok(AuditRecord {
        id: required(v, "id")?,
        at: parse_time(&v["execution_time"]).context("no readable execution_time")?,
        action: text(&v["action"]).unwrap_or_default(),
        actors: refs(&v["actors"]),
        method: text(&v["method"]["type"]),
        root_resource: pd_ref(&v["root_resource"]).context("no root_resource")?,
        resource: pd_ref(&v["details"]["resource"]),
        fields: list(&v["details"]["fields"])
            .map(|f| FieldChange {
                name: text(&f["name"]).unwrap_or_default(),
                before: value_text(&f["before_value"]),
                after: value_text(&f["value"]),
            })
            .collect(),
        references: list(&v["details"]["references"])
            .map(|r| ReferenceChange {
                name: text(&r["name"]).unwrap_or_default(),
                added: refs(&r["added"]),
                removed: refs(&r["removed"]),
            })
            .collect(),
    })
}

fn required(v: &Value, key: &str) -> Result<String> {
    text(&v[key]).with_context(|| format!("no `{key}`"))
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn list(v: &Value) -> impl Iterator<Item = &Value> {
    v.as_array().into_iter().flatten()
}

fn pd_ref(v: &Value) -> Option<PdRef> {
    let id = text(&v["id"])?;
    let kind = text(&v["type"]).unwrap_or_default();
    Some(PdRef {
        id,
        kind: kind.strip_suffix("_reference").unwrap_or(&kind).to_string(),
        name: text(&v["summary"]).or_else(|| text(&v["name"])),
    })
}

fn refs(v: &Value) -> Vec<PdRef> {
    list(v).filter_map(pd_ref).collect()
}

/// RFC 3339 text, or a v3 `{date_time, time_zone}` object.
fn parse_time(v: &Value) -> Option<DateTime<Utc>> {
    match v {
        Value::String(s) => parse_str_time(s),
        Value::Object(o) => v3_time(
            o.get("date_time")?.as_str()?,
            o.get("time_zone").and_then(Value::as_str),
        ),
        _ => None,
    }
}

/// [`parse_time`] of a typed record's time.
fn record_time(t: &Time) -> Option<DateTime<Utc>> {
    match t {
        Time::Text(s) => parse_str_time(s),
        Time::Object(o) => v3_time(o.date_time.get()?, o.time_zone.get()),
        Time::None | Time::Invalid => None,
    }
}

/// A v3 `{date_time, time_zone}` time: RFC 3339, else local time in the named zone.
fn v3_time(date_time: &str, zone: Option<&str>) -> Option<DateTime<Utc>> {
    parse_str_time(date_time).or_else(|| {
        let tz: chrono_tz::Tz = zone?.parse().ok()?;
        let naive = NaiveDateTime::parse_from_str(date_time, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
        tz.from_local_datetime(&naive)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    })
}

fn parse_str_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn records_read_in_blocks_keep_their_lines_and_the_file_hash() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.jsonl");
        let text = "{\"n\":1}\n\n{\"n\":3}\r\n{\"n\":4}\n{\"n\":5}";
        std::fs::write(&path, text).unwrap();
        for block in [1, 7, 9, 1 << 20] {
            let mut got = Vec::new();
            let f = |line, text: &str| {
                let v = json_record("x.jsonl", line, text)?;
                Ok((line, v["n"].as_u64().unwrap()))
            };
            let source =
                map_lines_in_blocks("x.jsonl", &path, block, f, |b| got.extend(b)).unwrap();
            assert_eq!(
                got,
                [(1, 1), (3, 3), (4, 4), (5, 5)],
                "block of {block} bytes"
            );
            assert_eq!(source.sha256, crate::util::sha256_hex(text.as_bytes()));
            assert_eq!(source.bytes, text.len() as u64);
        }
        std::fs::write(&path, "{}\n{}\n{}\nnot json\n").unwrap();
        for block in [1, 4, 1 << 20] {
            let parse = |line, text: &str| json_record("x.jsonl", line, text);
            let err = map_lines_in_blocks("x.jsonl", &path, block, parse, drop).unwrap_err();
            assert!(
                err.to_string().starts_with("x.jsonl:4: not a JSON record"),
                "{err}"
            );
        }
    }

    #[test]
    fn file_kinds_follow_the_layout() {
        assert_eq!(kind_of("incidents.jsonl"), FileKind::Incidents);
        assert_eq!(kind_of("incidents-2026h1.jsonl"), FileKind::Incidents);
        assert_eq!(kind_of("log_entries.jsonl"), FileKind::LogEntries);
        assert_eq!(kind_of("fetch-record.json"), FileKind::FetchRecord);
        assert_eq!(kind_of("incidentsx.jsonl"), FileKind::Other);
        assert_eq!(kind_of("incidents.csv"), FileKind::Other);
    }

    /// A test record, as the loader reads it from its line.
    fn record(v: &Value) -> LogRecord<'static> {
        let text: &'static str = serde_json::to_string(v).unwrap().leak();
        serde_json::from_str(text).unwrap()
    }

    fn incident(v: &Value) -> IncidentRecord<'static> {
        let text: &'static str = serde_json::to_string(v).unwrap().leak();
        serde_json::from_str(text).unwrap()
    }

    /// The row (or the rejection) of one incident record written as `text`, without log entries.
    fn row_of(text: &str) -> RowOutcome {
        let record: IncidentRecord = serde_json::from_str(text).unwrap();
        let file = Sym::new("incidents.jsonl");
        let (log, coverage) = (SealedTimelines::default(), LogCoverage::default());
        incident_row((file, 7, text), &record, &log, &coverage)
    }

    #[test]
    fn incident_records_are_read_as_leniently_as_value_trees_were() {
        let rejected = |text: &str| row_of(text).unwrap_err().reason;
        assert_eq!(rejected("[1, 2]"), "the record is not a JSON object");
        assert_eq!(
            rejected(r#"{"incident_number": 3.0, "created_at": null}"#),
            "no incident_number and no id"
        );
        assert_eq!(
            rejected(r#"{"id": "Q1", "created_at": 5}"#),
            "created_at 5 is not a timestamp"
        );
        // A bad time is quoted as written (compactly), whatever keys it has.
        assert_eq!(
            rejected(
                r#"{"id": "Q1", "created_at": {"date_time": "x", "extra": [1], "time_zone": "UTC"}}"#
            ),
            r#"created_at {"date_time":"x","extra":[1],"time_zone":"UTC"} is not a timestamp"#
        );
        let row = row_of(
            r#"{"incident_number": 12, "id": "Q1", "created_at": "2026-01-02T03:04:05Z",
                "title": " ", "description": "Disk full OPS-7", "teams": ["not an object", {"summary": "B"}],
                "priority": {"summary": "", "name": "P2"}, "service": "svc",
                "assignments": [{"assignee": {"summary": "Ann"}}, {"assignee": 3}, {"assignee": {"summary": "Bo"}}],
                "external_references": [{"external_url": "https://x.atlassian.net/browse/OPS-9", "external_id": 7},
                    {"external_id": " OPS-8 "}],
                "acknowledgements": [{"at": "2026-01-02T03:09:05Z"}, {"at": 1}]}"#,
        )
        .unwrap();
        assert_eq!(row.number, Some(12));
        assert_eq!(row.title.as_deref(), Some("Disk full OPS-7"));
        assert_eq!(row.team, None, "teams[0] is not an object");
        assert_eq!(row.priority.as_deref(), Some("P2"));
        assert_eq!(row.service, None);
        assert_eq!(row.assigned_to.as_deref(), Some("Ann, Bo"));
        assert_eq!(row.jira_keys, ["OPS-9", "OPS-8", "OPS-7"]);
        let ack = row.acknowledged.map(crate::util::utc_rfc3339);
        assert_eq!(ack.as_deref(), Some("2026-01-02T03:09:05Z"));
    }

    #[test]
    fn log_entries_become_timeline_entries() {
        let ack = json!({"id": "R1", "type": "acknowledgement_log_entry", "created_at": "2026-01-02T03:04:05.123Z",
            "summary": "Acknowledged by Jane Doe.", "agent": {"id": "PU1", "type": "user_reference", "summary": "Jane Doe"},
            "channel": {"type": "website"}, "incident": {"id": "Q1"}});
        let (incident, entry, agent) = log_entry(record(&ack)).unwrap();
        assert_eq!(
            (incident.as_str(), entry.kind.as_str(), agent.as_deref()),
            ("Q1", "acknowledge", Some("user"))
        );
        assert_eq!(entry.agent.as_deref(), Some("Jane Doe"));
        assert_eq!(entry.channel.as_deref(), Some("website"));
        let notify = json!({"type": "notify_log_entry", "created_at": "2026-01-02T03:04:05-05:00",
            "summary": "Notified Jane Doe by email.", "channel": {"type": "auto"}, "incident": {"id": "Q1"}});
        let (_, entry, agent) = log_entry(record(&notify)).unwrap();
        assert_eq!(
            (entry.kind.as_str(), entry.agent, agent),
            ("notify", None, None)
        );
        assert_eq!(crate::util::utc_rfc3339(entry.at), "2026-01-02T08:04:05Z");
        let odd = json!({"type": "foo_log_entry", "created_at": "2026-01-02T00:00:00Z", "incident": {"id": "Q1"}});
        assert_eq!(log_entry(record(&odd)).unwrap().1.kind, "foo");
        assert!(
            log_entry(record(
                &json!({"type": "trigger_log_entry", "incident": {"id": "Q1"}})
            ))
            .is_err()
        );
    }

    fn entry(kind: &str, at: &str) -> LogEntry {
        LogEntry {
            at: parse_time(&json!(at)).unwrap(),
            kind: kind.into(),
            summary: Default::default(),
            agent: None,
            channel: None,
            subject: None,
            source: None,
        }
    }

    /// Across blocks of logs (three and then some), each incident's entries come back in order
    /// of time however they arrived, and its resolver is its oldest resolve entry's agent.
    #[test]
    fn each_incident_finds_its_own_log_and_first_resolver() {
        let n = 3 * crate::util::blocks::Blocks::<IncidentLog>::LEN + 5;
        let id = |i: usize| Text::from(format!("P{i:07}"));
        let mut log = Timelines::default();
        // Interleaved as a log file is: every incident's resolve first (a service), then its
        // trigger, then, for every third, an older resolve by a user.
        for i in (0..n).rev() {
            log.add(
                id(i),
                entry("resolve", "2026-03-01T12:00:00Z"),
                Some("service".into()),
            );
        }
        for i in 0..n {
            log.add(id(i), entry("trigger", "2026-03-01T10:00:00Z"), None);
            if i % 3 == 0 {
                log.add(
                    id(i),
                    entry("resolve", "2026-03-01T11:00:00Z"),
                    Some("user".into()),
                );
            }
        }
        let log = log.sealed();
        for i in 0..n {
            let kinds: Vec<String> = log
                .timeline(&id(i))
                .unwrap()
                .iter()
                .map(|e| e.kind.to_string())
                .collect();
            let expected: &[&str] = if i % 3 == 0 {
                &["trigger", "resolve", "resolve"]
            } else {
                &["trigger", "resolve"]
            };
            assert_eq!(kinds, expected, "{}", id(i));
            assert_eq!(log.resolved_by_user(&id(i)), Some(i % 3 == 0), "{}", id(i));
        }
        assert!(log.timeline("P9999999").is_none());
        assert_eq!(log.resolved_by_user("P9999999"), None);
    }

    #[test]
    fn the_log_not_the_current_array_gives_the_first_acknowledgement() {
        // As captured (tests/fixtures/devlake-capture): #4 was acknowledged, then reassigned and
        // escalated, so its current `acknowledgements` array is empty; a later re-acknowledgement
        // would replace it. The earliest acknowledge log entry is the first acknowledgement.
        let v = json!({"acknowledgements": [{"at": "2022-11-03T06:34:53Z"}]});
        let log = [
            entry("trigger", "2022-11-03T06:23:06Z"),
            entry("acknowledge", "2022-11-03T06:23:07Z"),
            entry("acknowledge", "2022-11-03T06:34:53Z"),
        ];
        let acks = &incident(&v).acknowledgements.0;
        let first = first_acknowledgement(acks, &log[..].into(), true).unwrap();
        assert_eq!(crate::util::utc_rfc3339(first), "2022-11-03T06:23:07Z");
        // A log that covers the incident and has no acknowledgement: never acknowledged.
        assert_eq!(first_acknowledgement(acks, &log[..1].into(), true), None);
        // No log at all: the array is all there is.
        let only = first_acknowledgement(acks, &Timeline::default(), false).unwrap();
        assert_eq!(crate::util::utc_rfc3339(only), "2022-11-03T06:34:53Z");
    }

    #[test]
    fn resolved_without_resolved_at_takes_the_log_then_last_status_change() {
        // #6 as captured: an older API version's object, `resolved` without `resolved_at`.
        let v = incident(
            &json!({"status": "resolved", "last_status_change_at": "2022-11-03T06:51:44Z"}),
        );
        let log = entry("resolve", "2022-11-03T06:51:40Z");
        let (at, source) = resolution(&v, Some(&log));
        assert_eq!(
            crate::util::utc_rfc3339(at.unwrap()),
            "2022-11-03T06:51:40Z"
        );
        assert_eq!(source.as_deref(), Some("the resolve log entry"));
        let (at, source) = resolution(&v, None);
        assert_eq!(
            crate::util::utc_rfc3339(at.unwrap()),
            "2022-11-03T06:51:44Z"
        );
        assert_eq!(source.as_deref(), Some("last_status_change_at"));
        let with = incident(&json!({"status": "resolved", "resolved_at": "2022-11-03T06:50:00Z"}));
        assert_eq!(resolution(&with, Some(&log)).1, None);
        let open = incident(
            &json!({"status": "acknowledged", "last_status_change_at": "2022-11-03T06:44:37Z"}),
        );
        assert_eq!(resolution(&open, None), (None, None));
    }

    #[test]
    fn external_references_give_jira_keys_url_first() {
        let refs = incident(&json!({"external_references": [
            {"external_id": "10042", "external_url": "https://acme.atlassian.net/browse/OPS-1234"},
            {"external_id": "SEC-7", "external_url": null},
            {"external_id": "INC001234", "type": "servicenow_reference"}
        ]}));
        let keys = external_jira_keys(&refs.external_references.0);
        assert_eq!(keys, vec!["OPS-1234", "SEC-7"]);
        assert!(external_jira_keys(&[]).is_empty());
    }

    #[test]
    fn v3_schedules_take_computed_shift_assignments() {
        let v = json!({"id": "PS3", "type": "schedule_v3", "name": "Data", "final_schedule": {"computed_shift_assignments": [
            {"start_time": {"date_time": "2026-01-02T09:00:00", "time_zone": "America/New_York"},
             "end_time": "2026-01-02T17:00:00-05:00", "member": {"type": "user_member", "user_id": "PU1"}},
            {"start_time": "2026-01-01T00:00:00Z", "end_time": "2026-01-01T08:00:00Z", "member": {"type": "empty_member"}}
        ]}});
        let s = schedule(&v).unwrap();
        assert_eq!(s.version, ScheduleVersion::V3);
        assert_eq!(s.final_entries.len(), 2);
        assert_eq!(s.final_entries[0].user, None, "empty member, sorted first");
        let e = &s.final_entries[1];
        assert_eq!(crate::util::utc_rfc3339(e.start), "2026-01-02T14:00:00Z");
        assert_eq!(e.user.as_ref().unwrap().id, "PU1");
        let v2 = json!({"id": "PS2", "name": "Primary", "final_schedule": {"rendered_schedule_entries": [
            {"start": "2015-11-10T08:00:00-05:00", "end": "2015-11-10T17:00:00-05:00",
             "user": {"id": "PX", "type": "user_reference", "summary": "Regina Phalange"}}]}});
        let s = schedule(&v2).unwrap();
        assert_eq!(s.version, ScheduleVersion::V2);
        assert_eq!(
            s.final_entries[0].user.as_ref().unwrap().name.as_deref(),
            Some("Regina Phalange")
        );
    }

    #[test]
    fn audit_records_keep_field_changes_as_text() {
        let v = json!({"id": "A1", "execution_time": "2020-06-04T15:30:16.272Z", "action": "update",
            "method": {"type": "api_token", "truncated_token": "2adm"},
            "root_resource": {"id": "PRY9M8B", "type": "team_reference", "summary": "DevOps"},
            "details": {"fields": [{"name": "num_loops", "before_value": "0", "value": 2}]}});
        let r = audit_record(&v).unwrap();
        assert_eq!(r.root_resource.kind, "team");
        assert_eq!(r.method.as_deref(), Some("api_token"));
        assert_eq!(
            (r.fields[0].before.as_deref(), r.fields[0].after.as_deref()),
            (Some("0"), Some("2"))
        );
        assert!(r.actors.is_empty());
    }

    #[test]
    fn audit_records_keep_reference_changes() {
        let v = json!({"id": "A2", "execution_time": "2020-06-04T15:30:16.272Z", "action": "update",
            "root_resource": {"id": "PRY9M8B", "type": "team_reference", "summary": "DevOps"},
            "details": {"resource": {"id": "PRY9M8B", "type": "team_reference", "summary": "DevOps"},
                "references": [{"name": "members", "removed": [{"id": "PU1", "type": "user_reference", "summary": "John Doe"}]}]}});
        let r = audit_record(&v).unwrap();
        assert_eq!(r.references.len(), 1);
        assert_eq!(r.references[0].name, "members");
        assert!(r.references[0].added.is_empty());
        assert_eq!(r.references[0].removed[0].name.as_deref(), Some("John Doe"));
    }

    #[test]
    fn services_keep_urgency_rule_support_hours_and_integrations() {
        let v = json!({"id": "S1", "name": "Checkout",
            "incident_urgency_rule": {"type": "use_support_hours",
                "during_support_hours": {"type": "constant", "urgency": "high"},
                "outside_support_hours": {"type": "constant", "urgency": "low"}},
            "support_hours": {"type": "fixed_time_per_day", "time_zone": "America/Lima",
                "start_time": "09:00:00", "end_time": "17:00:00", "days_of_week": [1, 2, 3, 4, 5]},
            "scheduled_actions": [{"type": "urgency_change",
                "at": {"type": "named_time", "name": "support_hours_start"}, "to_urgency": "high"}],
            "integrations": [{"id": "I1", "type": "aws_cloudwatch_inbound_integration",
                "name": "CloudWatch", "created_at": "2025-03-01T10:00:00Z",
                "vendor": {"id": "V1", "type": "vendor_reference", "summary": "Amazon CloudWatch"}}]});
        let s = service(&v).unwrap();
        let rule = s.urgency_rule.unwrap();
        assert_eq!(rule.kind, "use_support_hours");
        assert_eq!(rule.during_support_hours.as_deref(), Some("high"));
        assert_eq!(rule.outside_support_hours.as_deref(), Some("low"));
        assert_eq!(s.support_hours.unwrap().days_of_week, vec![1, 2, 3, 4, 5]);
        assert_eq!(
            s.scheduled_actions,
            vec!["urgency to high at support_hours_start"]
        );
        assert_eq!(
            s.integrations[0].vendor.as_deref(),
            Some("Amazon CloudWatch")
        );
        assert!(s.integrations[0].created.is_some());
    }

    #[test]
    fn users_without_the_includes_have_no_rules_to_test() {
        let bare = json!({"id": "U1", "name": "A",
            "contact_methods": [{"id": "C1", "type": "phone_contact_method_reference"}],
            "notification_rules": [{"id": "R1", "type": "assignment_notification_rule_reference"}]});
        let u = user(&bare).unwrap();
        assert!(u.contact_methods.is_none() && u.notification_rules.is_none());
        let full = json!({"id": "U1", "name": "A",
            "contact_methods": [{"id": "C1", "type": "phone_contact_method", "address": "555",
                "blacklisted": true}],
            "notification_rules": [{"id": "R1", "urgency": "high", "start_delay_in_minutes": 0,
                "contact_method": {"id": "C1", "type": "phone_contact_method_reference"}}]});
        let u = user(&full).unwrap();
        assert!(u.contact_methods.unwrap()[0].disabled);
        let rules = u.notification_rules.unwrap();
        assert_eq!(rules[0].contact_method.kind, "phone_contact_method");
        assert_eq!(
            user(&json!({"id": "U2", "notification_rules": []}))
                .unwrap()
                .notification_rules,
            Some(vec![])
        );
    }

    #[test]
    fn orchestration_router_rules_in_order() {
        let v = json!({"orchestration": {"id": "O1", "name": "Global"},
            "router": {"orchestration_path": {"type": "router", "sets": [{"id": "start", "rules": [
                {"id": "r1", "label": "GuardDuty", "conditions": [{"expression": "event.source matches 'aws.guardduty'"}],
                 "actions": {"route_to": "PSEC"}},
                {"id": "r2", "conditions": [], "actions": {"dynamic_route_to": {"source": "event.custom_details.service", "regex": "(.*)", "lookup_by": "service_name"}}, "disabled": true}]}],
                "catch_all": {"actions": {"route_to": "unrouted"}}}}});
        let o = orchestration(&v).unwrap();
        assert_eq!(o.routes.len(), 2);
        assert_eq!(o.routes[0].route_to, "PSEC");
        assert!(o.routes[1].disabled && o.routes[1].route_to.starts_with("dynamic"));
        assert_eq!(o.catch_all.as_deref(), Some("unrouted"));
        assert_eq!(
            kind_of("event_orchestrations.jsonl"),
            FileKind::EventOrchestrations
        );
        assert_eq!(
            kind_of("workflow_triggers.jsonl"),
            FileKind::WorkflowTriggers
        );
        assert_eq!(
            kind_of("incident_workflows.jsonl"),
            FileKind::IncidentWorkflows
        );
    }

    #[test]
    fn workflow_triggers_name_their_workflow() {
        let v = json!({"id": "T1", "trigger_type": "conditional",
            "condition": "incident.priority matches 'P1'", "is_subscribed_to_all_services": true,
            "services": [], "workflow": {"id": "W1", "name": "Major incident"}});
        let t = trigger(&v).unwrap();
        assert_eq!(t.workflow_id, "W1");
        assert!(t.all_services);
        assert!(trigger(&json!({"id": "T2"})).is_err());
    }
}
