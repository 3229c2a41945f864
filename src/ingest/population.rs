//! Merging rows from every incident source into the population, each row in exactly one bucket
//! (evidence-rules.md §2). OWNER: csv-ingest helper.

use std::collections::HashMap;
use std::hash::BuildHasher;

use hashbrown::HashTable;

use chrono::{DateTime, Utc};
use thin_vec::ThinVec;

use crate::model::{
    Accounting, Bucket, Conflict, Incident, IncidentRow, Incidents, RejectedRow, RowRef, RowValues,
    Text, incident_store,
};
use crate::util;

/// One row as read from a source: an incident row, or a rejected one with its reason.
pub type RowOutcome = Result<IncidentRow, RejectedRow>;

/// Where a reader's incident rows go as it reads them, file by file.
pub trait RowSink {
    /// The next file starts: the rows given until the next call are its rows.
    fn start_file(&mut self);
    /// The next rows of the current file (`file` names it), in reading order.
    fn take_rows(&mut self, file: &str, rows: Vec<RowOutcome>);
}

/// Each file's rows, collected whole (for tests and tools that look at the rows themselves).
impl RowSink for Vec<Vec<RowOutcome>> {
    fn start_file(&mut self) {
        self.push(Vec::new());
    }

    fn take_rows(&mut self, _file: &str, rows: Vec<RowOutcome>) {
        self.last_mut()
            .expect("RowSink::start_file before its rows")
            .extend(rows);
    }
}

/// Every row of every incident source, accounted for.
#[derive(Debug, Default)]
pub struct Population {
    /// Every identity from a non-rejected row (accepted, duplicate or outside the period),
    /// sorted by number, packed ([`crate::model::incident_store`]).
    pub incidents: Incidents,
    /// In reading order.
    pub rejected: Vec<RejectedRow>,
    /// Same order as the files given to `assemble`.
    pub per_file: Vec<Accounting>,
    pub total: Accounting,
    /// Every conflict, in reading order (each is also on its incident).
    pub conflicts: Vec<Conflict>,
}

/// The population of files given whole, `(file, rows)` in reading order (see [`Assembly`]).
pub fn assemble(
    files: Vec<(String, Vec<RowOutcome>)>,
    period_start: DateTime<Utc>,
    period_end: DateTime<Utc>,
) -> Population {
    let mut assembly = Assembly::new(period_start, period_end);
    for (file, rows) in files {
        assembly.start_file();
        assembly.take_rows(&file, rows);
    }
    assembly.finish()
}

/// The population built as rows are read: each file's rows are bucketed and merged the moment
/// they arrive (in one batch or in blocks), so no source's rows are ever held all at once beside
/// the incidents they become. Files arrive in reading order: CSVs by path byte order, then API
/// snapshots. The period is [period_start, period_end).
pub struct Assembly {
    period: (DateTime<Utc>, DateTime<Utc>),
    /// In the order first read; sorted by number when finished, in place. Held in blocks and
    /// found through `by_number`: in a B-tree (filled in ascending order, its nodes half full)
    /// the incidents had to be boxed, and the sorted vector was then copied out of a million
    /// boxes, each found by a walk of the tree.
    incidents: Blocks,
    /// Finds an incident in `incidents` by number, and a number by PagerDuty id.
    index: Index,
    rejected: Vec<RejectedRow>,
    conflicts: Vec<Conflict>,
    /// One per file started, in order; the last is the file being read.
    per_file: Vec<Accounting>,
}

/// Each file counted in its own accounting; a row without a reference is cited by its 1-based
/// index in its file.
impl RowSink for Assembly {
    fn start_file(&mut self) {
        self.per_file.push(Accounting::default());
    }

    fn take_rows(&mut self, file: &str, rows: Vec<RowOutcome>) {
        for outcome in rows {
            let index = self.current().rows_read as usize;
            let bucket = self.take(file, index, outcome);
            self.current().count(bucket);
        }
    }
}

impl Assembly {
    pub fn new(period_start: DateTime<Utc>, period_end: DateTime<Utc>) -> Self {
        Assembly {
            period: (period_start, period_end),
            incidents: Blocks::default(),
            index: Index::default(),
            rejected: Vec::new(),
            conflicts: Default::default(),
            per_file: Vec::new(),
        }
    }

    fn current(&mut self) -> &mut Accounting {
        self.per_file
            .last_mut()
            .expect("Assembly::start_file before its rows")
    }

    /// Every row taken, accounted for.
    pub fn finish(self) -> Population {
        let mut total = Accounting::default();
        for accounting in &self.per_file {
            total.add(accounting);
        }
        drop(self.index);
        // The rows merged and dropped while reading, freed on other threads, are returned
        // before the incidents are packed.
        crate::util::release_freed_memory();
        Population {
            incidents: pack(self.incidents),
            rejected: self.rejected,
            per_file: self.per_file,
            total,
            conflicts: self.conflicts,
        }
    }

    /// Puts one row in its bucket, in the order of evidence-rules.md §2.
    fn take(&mut self, file: &str, index: usize, outcome: RowOutcome) -> Bucket {
        let mut row = match outcome {
            Ok(row) => row,
            Err(rejected) => return self.reject(rejected.at, rejected.reason, rejected.number),
        };
        // API snapshot rows may not carry a reference; their record index stands in for a line.
        let at = row.at.unwrap_or_else(|| RowRef {
            file: file.into(),
            line: index as u64 + 1,
        });
        row.at = Some(at);
        let number = match self.identity(&row) {
            Ok(number) => number,
            Err(reason) => return self.reject(at, reason, row.number),
        };
        row.number = Some(number);
        let Some(created) = row.created else {
            return self.reject(at, "no creation time".to_string(), Some(number));
        };
        if let Err(reason) = check_times(&row, created) {
            return self.reject(at, reason, Some(number));
        }
        let id = row.id.clone();
        let values = RowValues::of(&row, at);
        if let Some(i) = self.index.position(&self.incidents, number) {
            let incident = self.incidents.get_mut(i);
            let found = merge(&mut incident.fields, row, number, &at);
            // Room for exactly one more: most incidents have two rows, and a vector left to
            // grow by itself takes room for four, which at a million incidents was 180 MB of
            // empty room while the API's records were read.
            incident.sources.reserve_exact(1);
            incident.sources.push(at);
            incident.rows.push(&values);
            incident.conflicts.reserve_exact(found.len());
            incident.conflicts.extend(found.iter().cloned());
            self.conflicts.extend(found);
            if let Some(id) = id {
                self.index.add_id(&self.incidents, id, number, i);
            }
            return Bucket::Duplicate;
        }
        let (start, end) = self.period;
        let in_period = start <= created && created < end;
        let incident = Incident {
            number,
            fields: row,
            created,
            sources: vec![at],
            conflicts: ThinVec::new(),
            in_period,
            rows: incident_store::RowValuesList::from_iter([values]),
        };
        let index = self.incidents.push(incident);
        self.index.add(&self.incidents, number, index);
        if let Some(id) = id {
            self.index.add_id(&self.incidents, id, number, index);
        }
        if in_period {
            Bucket::Accepted
        } else {
            Bucket::OutsidePeriod
        }
    }

    /// The row's incident number: its own, or that of the incident already read with its id.
    fn identity(&self, row: &IncidentRow) -> Result<u64, String> {
        match (row.number, &row.id) {
            (Some(number), _) => Ok(number),
            (None, Some(id)) => self.index.number_of(&self.incidents, id).ok_or_else(|| {
                format!("no incident number, and no incident read before it has id {id:?}")
            }),
            (None, None) => Err("no incident number or id".to_string()),
        }
    }

    fn reject(&mut self, at: RowRef, reason: String, number: Option<u64>) -> Bucket {
        self.rejected.push(RejectedRow { at, reason, number });
        Bucket::Rejected
    }
}

/// Incidents as a population takes them ([`util::blocks`]): added a block at a time, never
/// moved while the rows are read.
type Blocks = util::blocks::Blocks<Incident>;

/// Every incident packed and sorted by number, each block freed as soon as it is packed: the
/// incidents are never held both ways at once, nor gathered into one vector (which, with its
/// copy, was a 250 MB step at 1M incidents).
fn pack(incidents: Blocks) -> Incidents {
    let mut builder = incident_store::Builder::default();
    for block in incidents.into_blocks() {
        block
            .into_iter()
            .for_each(|incident| builder.push(incident));
        crate::util::release_freed_memory();
    }
    builder.sorted()
}

/// Where each incident is in the population's [`Blocks`], found by its number and by PagerDuty
/// id. The tables hold positions only and read their keys from the incidents themselves: keyed
/// by their own copies (a number and an index; an id and a number), the two maps were 100 MB
/// at 1M incidents, at the load's peak.
#[derive(Default)]
struct Index {
    /// Every incident's position, hashed by its number.
    by_number: HashTable<u32>,
    /// Positions of incidents whose own id (`fields.id`) was, when it was added, the first
    /// row's with that id: hashed by that id.
    by_id: HashTable<u32>,
    /// The few ids that are not their incident's own: a later row's differing id (a conflict),
    /// or an id first read on an incident that already had another.
    other_ids: HashMap<Text, u64, foldhash::fast::RandomState>,
    hasher: foldhash::fast::FixedState,
}

impl Index {
    fn position(&self, incidents: &Blocks, number: u64) -> Option<usize> {
        let hash = self.hasher.hash_one(number);
        let found = self
            .by_number
            .find(hash, |&i| incidents.get(i as usize).number == number);
        found.map(|&i| i as usize)
    }

    /// Adds the incident just put at `index`.
    fn add(&mut self, incidents: &Blocks, number: u64, index: usize) {
        let hasher = &self.hasher;
        self.by_number
            .insert_unique(hasher.hash_one(number), position(index), |&i| {
                hasher.hash_one(incidents.get(i as usize).number)
            });
    }

    /// The number of the first non-rejected row that carried `id`.
    fn number_of(&self, incidents: &Blocks, id: &str) -> Option<u64> {
        let hash = self.hasher.hash_one(id);
        let own = self
            .by_id
            .find(hash, |&i| own_id(incidents, i) == id)
            .map(|&i| incidents.get(i as usize).number);
        own.or_else(|| self.other_ids.get(id).copied())
    }

    /// `id` was carried by a row of incident `number` (at `index`), now merged in: kept unless
    /// an earlier row carried it.
    fn add_id(&mut self, incidents: &Blocks, id: Text, number: u64, index: usize) {
        if self.number_of(incidents, &id).is_some() {
            return;
        }
        if incidents.get(index).fields.id.as_ref() != Some(&id) {
            self.other_ids.insert(id, number);
            return;
        }
        let hasher = &self.hasher;
        self.by_id
            .insert_unique(hasher.hash_one(id.as_str()), position(index), |&i| {
                hasher.hash_one(own_id(incidents, i))
            });
    }
}

/// The id of the incident at `i`, which `Index::by_id` holds only for incidents that have one.
fn own_id(incidents: &Blocks, i: u32) -> &str {
    let id = incidents.get(i as usize).fields.id.as_deref();
    id.expect("indexed by its id")
}

/// A position in [`Blocks`] as the index holds it.
fn position(index: usize) -> u32 {
    u32::try_from(index).expect("fewer than 4,294,967,296 incidents")
}

/// A row whose times cannot be true: seconds columns that leave the calendar, or a resolution
/// before the creation (which would be judged `met` with a negative duration).
fn check_times(row: &IncidentRow, created: DateTime<Utc>) -> Result<(), String> {
    use crate::model::add_seconds;
    for (column, secs) in [
        ("seconds_to_first_ack", row.seconds_to_first_ack),
        ("seconds_to_resolve", row.seconds_to_resolve),
    ] {
        if let Some(secs) = secs
            && add_seconds(created, secs).is_none()
        {
            return Err(format!(
                "{column} {secs} is out of range (beyond any representable instant)"
            ));
        }
    }
    if let Some(resolved) = row.resolved
        && resolved < created
    {
        return Err(format!(
            "resolved {} is before created {}",
            time(&resolved),
            time(&created)
        ));
    }
    Ok(())
}

/// Merges a later row into the kept fields: the first non-empty value wins, a different later
/// value is a conflict. Returns the conflicts found.
fn merge(kept: &mut IncidentRow, other: IncidentRow, number: u64, at: &RowRef) -> Vec<Conflict> {
    // Destructured in full so that a field added to IncidentRow cannot be forgotten here.
    let IncidentRow {
        at: _,
        number: _,
        id,
        title,
        service,
        service_id,
        escalation_policy,
        escalation_policy_id,
        team,
        created,
        resolved,
        resolved_source,
        acknowledged,
        seconds_to_first_ack,
        seconds_to_resolve,
        priority,
        urgency,
        status,
        auto_resolved,
        acknowledged_by,
        assigned_to,
        resolved_by,
        escalation_count,
        duration_text,
        url,
        has_ack_data,
        has_resolve_data,
        timeline,
        jira_keys,
    } = other;
    let mut m = Merger {
        number,
        at,
        found: Vec::new(),
    };
    m.field("id", &mut kept.id, id, ToString::to_string);
    m.field("title", &mut kept.title, title, ToString::to_string);
    m.field("service", &mut kept.service, service, ToString::to_string);
    m.field(
        "service_id",
        &mut kept.service_id,
        service_id,
        ToString::to_string,
    );
    m.field(
        "escalation_policy",
        &mut kept.escalation_policy,
        escalation_policy,
        ToString::to_string,
    );
    let ep_id = &mut kept.escalation_policy_id;
    m.field(
        "escalation_policy_id",
        ep_id,
        escalation_policy_id,
        ToString::to_string,
    );
    m.field("team", &mut kept.team, team, ToString::to_string);
    m.field("created", &mut kept.created, created, time);
    // Each row was checked alone (never resolved before created); a later row's resolution
    // that lies before the kept creation would make an impossible incident of the two, so it is
    // listed as a conflict and not taken.
    let resolved = match (resolved, kept.created) {
        (Some(r), Some(c)) if kept.resolved.is_none() && r < c => {
            m.conflict("resolved", "—".to_string(), time(&r));
            None
        }
        (r, _) => r,
    };
    // The source of the resolution time travels with the value that is kept.
    if kept.resolved.is_none() && resolved.is_some() {
        kept.resolved_source = resolved_source;
    }
    m.field("resolved", &mut kept.resolved, resolved, time);
    m.field("acknowledged", &mut kept.acknowledged, acknowledged, time);
    let ack = &mut kept.seconds_to_first_ack;
    m.field(
        "seconds_to_first_ack",
        ack,
        seconds_to_first_ack,
        ToString::to_string,
    );
    let resolve = &mut kept.seconds_to_resolve;
    m.field(
        "seconds_to_resolve",
        resolve,
        seconds_to_resolve,
        ToString::to_string,
    );
    m.field(
        "priority",
        &mut kept.priority,
        priority,
        ToString::to_string,
    );
    m.field("urgency", &mut kept.urgency, urgency, ToString::to_string);
    m.field("status", &mut kept.status, status, ToString::to_string);
    m.field(
        "auto_resolved",
        &mut kept.auto_resolved,
        auto_resolved,
        ToString::to_string,
    );
    m.field(
        "acknowledged_by",
        &mut kept.acknowledged_by,
        acknowledged_by,
        ToString::to_string,
    );
    m.field(
        "assigned_to",
        &mut kept.assigned_to,
        assigned_to,
        ToString::to_string,
    );
    m.field(
        "resolved_by",
        &mut kept.resolved_by,
        resolved_by,
        ToString::to_string,
    );
    m.field(
        "escalation_count",
        &mut kept.escalation_count,
        escalation_count,
        ToString::to_string,
    );
    m.field(
        "duration",
        &mut kept.duration_text,
        duration_text,
        ToString::to_string,
    );
    m.field("url", &mut kept.url, url, ToString::to_string);
    kept.has_ack_data |= has_ack_data;
    kept.has_resolve_data |= has_resolve_data;
    if kept.timeline.is_empty() {
        kept.timeline = timeline;
    }
    for key in jira_keys {
        if !kept.jira_keys.contains(&key) {
            kept.jira_keys.push(key);
        }
    }
    m.found
}

struct Merger<'a> {
    number: u64,
    at: &'a RowRef,
    found: Vec<Conflict>,
}

impl Merger<'_> {
    fn field<T: PartialEq>(
        &mut self,
        name: &str,
        kept: &mut Option<T>,
        other: Option<T>,
        show: fn(&T) -> String,
    ) {
        let Some(k) = kept else {
            *kept = other;
            return;
        };
        if let Some(o) = other
            && *k != o
        {
            self.conflict(name, show(k), show(&o));
        }
    }

    fn conflict(&mut self, field: &str, kept: String, other: String) {
        self.found.push(Conflict {
            number: self.number,
            at: *self.at,
            field: field.to_string(),
            kept,
            other,
        });
    }
}

fn time(t: &DateTime<Utc>) -> String {
    util::utc_rfc3339(*t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    const START: &str = "2026-01-01T05:00:00Z";
    const END: &str = "2027-01-01T05:00:00Z";
    const IN: &str = "2026-06-01T12:00:00Z";

    fn at(file: &str, line: u64) -> RowRef {
        RowRef {
            file: file.into(),
            line,
        }
    }

    fn ok(file: &str, line: u64, number: Option<u64>, created: Option<&str>) -> RowOutcome {
        Ok(IncidentRow {
            at: Some(at(file, line)),
            number,
            created: created.map(utc),
            ..IncidentRow::default()
        })
    }

    #[test]
    fn incidents_read_in_any_order_are_sorted_by_number() {
        let orders: [&[u64]; 5] = [
            &[],
            &[7],
            &[1, 2, 3, 4, 5],
            &[5, 4, 3, 2, 1],
            &[30, 10, 50, 20, 40, 60, 1, 1000, 999, 2],
        ];
        for order in orders {
            let incidents: Vec<Incident> = order
                .iter()
                .map(|&number| Incident {
                    number,
                    fields: IncidentRow::default(),
                    created: utc(IN),
                    sources: vec![at("x.csv", number)],
                    conflicts: Default::default(),
                    in_period: true,
                    rows: Default::default(),
                })
                .collect();
            let mut builder = incident_store::Builder::default();
            incidents.into_iter().for_each(|i| builder.push(i));
            let incidents = builder.sorted();
            let mut expected = order.to_vec();
            expected.sort_unstable();
            let got: Vec<u64> = incidents.iter().map(|i| i.number).collect();
            assert_eq!(got, expected, "read as {order:?}");
            // Each incident's record came along: its sources are its own.
            assert!(incidents.iter().all(|i| i.sources[0].line == i.number));
        }
    }

    /// More incidents than a block holds, read newest first, and a duplicate of the first one
    /// read once its block is long full: each duplicate merges into its own incident, and every
    /// incident comes out once, sorted.
    #[test]
    fn incidents_across_blocks_merge_and_sort_as_in_one() {
        let n = 2 * Blocks::LEN as u64 + 3;
        let mut rows: Vec<RowOutcome> = (1..=n)
            .rev()
            .map(|number| ok("a.csv", n + 2 - number, Some(number), Some(IN)))
            .collect();
        rows.push(ok("b.csv", 2, Some(n), Some(IN)));
        rows.push(ok("b.csv", 3, Some(1), Some(IN)));
        let pop = assemble(vec![("a+b".to_string(), rows)], utc(START), utc(END));
        let numbers: Vec<u64> = pop.incidents.iter().map(|i| i.number).collect();
        assert_eq!(numbers, (1..=n).collect::<Vec<_>>());
        assert_eq!(pop.total.duplicates, 2);
        for number in [1, n] {
            let sources = &pop.incidents.get(number as usize - 1).sources;
            assert_eq!(sources.len(), 2, "#{number}: {sources:?}");
            assert_eq!(&*sources[1].file, "b.csv");
        }
        assert_eq!(pop.incidents.get(1).sources.len(), 1);
    }

    fn bad(file: &str, line: u64) -> RowOutcome {
        Err(RejectedRow {
            at: at(file, line),
            reason: "column \"created_on\", value \"x\": not a valid timestamp".into(),
            number: None,
        })
    }

    fn run(files: Vec<(&str, Vec<RowOutcome>)>) -> Population {
        let files = files.into_iter().map(|(f, r)| (f.to_string(), r)).collect();
        assemble(files, utc(START), utc(END))
    }

    fn counts(a: &Accounting) -> [u64; 5] {
        [
            a.rows_read,
            a.accepted,
            a.duplicates,
            a.outside_period,
            a.rejected,
        ]
    }

    /// A file's rows given in blocks (as the snapshot reader gives them) make the population
    /// they make given whole: the same buckets, and a row without a reference still cited by
    /// its index in its file, not in its block.
    #[test]
    fn rows_in_blocks_make_the_population_rows_given_whole_make() {
        let rows = || {
            let mut unreferenced = ok("api.jsonl", 0, Some(5), Some(IN)).unwrap();
            unreferenced.at = None;
            vec![
                ok("api.jsonl", 1, Some(4), Some(IN)),
                bad("api.jsonl", 2),
                Ok(unreferenced),
                ok("api.jsonl", 4, Some(4), Some(IN)),
            ]
        };
        let whole = run(vec![("api.jsonl", rows())]);
        let mut assembly = Assembly::new(utc(START), utc(END));
        assembly.start_file();
        for block in rows().chunks(2) {
            assembly.take_rows("api.jsonl", block.to_vec());
        }
        let blocks = assembly.finish();
        assert_eq!(counts(&blocks.per_file[0]), [4, 2, 1, 0, 1]);
        assert_eq!(counts(&blocks.per_file[0]), counts(&whole.per_file[0]));
        let cited = |p: &Population| -> Vec<Vec<RowRef>> {
            p.incidents.iter().map(|i| i.sources.clone()).collect()
        };
        assert_eq!(cited(&blocks), cited(&whole));
        assert_eq!(
            cited(&blocks)[1],
            vec![at("api.jsonl", 3)],
            "its index, 1-based"
        );
    }

    #[test]
    fn every_row_in_one_bucket_per_file_and_in_total() {
        let pop = run(vec![
            (
                "a.csv",
                vec![
                    ok("a.csv", 2, Some(1), Some(IN)),
                    bad("a.csv", 3),
                    ok("a.csv", 4, None, Some(IN)),
                    ok("a.csv", 5, Some(9), Some("2025-12-31T00:00:00Z")),
                    ok("a.csv", 6, Some(2), Some(IN)),
                    ok("a.csv", 7, Some(1), Some(IN)),
                ],
            ),
            (
                "b.csv",
                vec![
                    ok("b.csv", 2, Some(2), Some(IN)),
                    ok("b.csv", 3, Some(8), Some("2027-02-01T00:00:00Z")),
                    ok("b.csv", 4, Some(3), Some(IN)),
                    ok("b.csv", 5, Some(4), None),
                ],
            ),
        ]);
        assert_eq!(counts(&pop.per_file[0]), [6, 2, 1, 1, 2]);
        assert_eq!(counts(&pop.per_file[1]), [4, 1, 1, 1, 1]);
        assert_eq!(counts(&pop.total), [10, 3, 2, 2, 3]);
        assert!(pop.per_file.iter().all(Accounting::balances) && pop.total.balances());
        let numbers: Vec<u64> = pop.incidents.iter().map(|i| i.number).collect();
        assert_eq!(numbers, vec![1, 2, 3, 8, 9]);
        let in_period: Vec<bool> = pop.incidents.iter().map(|i| i.in_period).collect();
        assert_eq!(in_period, vec![true, true, true, false, false]);
        let rejected: Vec<(RowRef, &str)> = pop
            .rejected
            .iter()
            .map(|r| (r.at, r.reason.as_str()))
            .collect();
        assert_eq!(rejected[0].0, at("a.csv", 3));
        assert_eq!(rejected[1], (at("a.csv", 4), "no incident number or id"));
        assert_eq!(rejected[2], (at("b.csv", 5), "no creation time"));
        assert_eq!(
            pop.incidents.get(0).sources,
            vec![at("a.csv", 2), at("a.csv", 7)]
        );
    }

    #[test]
    fn duplicates_across_files_merge_field_by_field() {
        let first = IncidentRow {
            at: Some(at("a.csv", 2)),
            number: Some(10),
            id: Some("Q10".into()),
            title: Some("Disk full".into()),
            priority: Some("P1".into()),
            created: Some(utc(IN)),
            has_resolve_data: true,
            jira_keys: thin_vec::thin_vec!["OPS-1".into()],
            ..IncidentRow::default()
        };
        let second = IncidentRow {
            at: Some(at("b.csv", 9)),
            number: Some(10),
            title: Some("Disk full".into()),
            service: Some("Storage".into()),
            priority: Some("P2".into()),
            created: Some(utc("2026-06-01T12:00:30Z")),
            seconds_to_first_ack: Some(60),
            has_ack_data: true,
            jira_keys: thin_vec::thin_vec!["OPS-2".into(), "OPS-1".into()],
            ..IncidentRow::default()
        };
        let third = IncidentRow {
            at: Some(at("b.csv", 10)),
            number: Some(10),
            seconds_to_first_ack: Some(75),
            auto_resolved: Some(true),
            created: Some(utc(IN)),
            ..IncidentRow::default()
        };
        let pop = run(vec![
            ("a.csv", vec![Ok(first)]),
            ("b.csv", vec![Ok(second), Ok(third)]),
        ]);
        assert_eq!(counts(&pop.total), [3, 1, 2, 0, 0]);
        let inc = &pop.incidents.get(0);
        let f = &inc.fields;
        assert_eq!(f.title.as_deref(), Some("Disk full"));
        assert_eq!(
            f.service.as_deref(),
            Some("Storage"),
            "empty filled from a later row"
        );
        assert_eq!(f.priority.as_deref(), Some("P1"), "first non-empty wins");
        assert_eq!(f.seconds_to_first_ack, Some(60));
        assert_eq!(f.auto_resolved, Some(true));
        assert_eq!(f.at, Some(at("a.csv", 2)));
        assert!(f.has_ack_data && f.has_resolve_data);
        assert_eq!(f.jira_keys, vec!["OPS-1", "OPS-2"]);
        assert_eq!(inc.created, utc(IN));
        assert_eq!(
            inc.sources,
            vec![at("a.csv", 2), at("b.csv", 9), at("b.csv", 10)]
        );
        let shown: Vec<(RowRef, &str, &str, &str)> = pop
            .conflicts
            .iter()
            .map(|c| (c.at, c.field.as_str(), c.kept.as_str(), c.other.as_str()))
            .collect();
        assert_eq!(
            shown,
            vec![
                (
                    at("b.csv", 9),
                    "created",
                    "2026-06-01T12:00:00Z",
                    "2026-06-01T12:00:30Z"
                ),
                (at("b.csv", 9), "priority", "P1", "P2"),
                (at("b.csv", 10), "seconds_to_first_ack", "60", "75"),
            ]
        );
        assert!(pop.conflicts.iter().all(|c| c.number == 10));
        assert_eq!(inc.conflicts.len(), 3);
    }

    /// Found by `csv_rows_each_land_in_exactly_one_bucket`: two rows valid alone (resolved after
    /// their own creation) must not merge into an incident resolved before it was created.
    #[test]
    fn a_later_row_s_resolution_before_the_kept_creation_is_a_conflict_not_a_fill() {
        let first = IncidentRow {
            at: Some(at("a.csv", 2)),
            number: Some(10),
            created: Some(utc(IN)),
            ..IncidentRow::default()
        };
        let second = IncidentRow {
            at: Some(at("a.csv", 3)),
            number: Some(10),
            created: Some(utc("2026-05-01T00:00:00Z")),
            resolved: Some(utc("2026-05-02T00:00:00Z")),
            ..IncidentRow::default()
        };
        let pop = run(vec![("a.csv", vec![Ok(first), Ok(second)])]);
        let inc = &pop.incidents.get(0);
        assert_eq!(
            inc.fields.resolved, None,
            "not resolved before it was created"
        );
        let resolved: Vec<_> = pop
            .conflicts
            .iter()
            .filter(|c| c.field == "resolved")
            .map(|c| (c.kept.as_str(), c.other.as_str()))
            .collect();
        assert_eq!(resolved, [("—", "2026-05-02T00:00:00Z")]);
    }

    #[test]
    fn rejected_row_claims_no_identity() {
        let pop = run(vec![(
            "a.csv",
            vec![
                Err(RejectedRow {
                    at: at("a.csv", 2),
                    reason: "2 fields, but the header has 3 columns".into(),
                    number: None,
                }),
                ok("a.csv", 3, Some(5), None),
                ok("a.csv", 4, Some(5), Some(IN)),
            ],
        )]);
        assert_eq!(counts(&pop.total), [3, 1, 0, 0, 2]);
        assert_eq!(pop.incidents.get(0).sources, vec![at("a.csv", 4)]);
        assert!(pop.incidents.get(0).in_period);
    }

    #[test]
    fn id_only_rows_take_the_number_of_the_incident_read_with_that_id() {
        let with_id = |line, number, id: &str| {
            Ok(IncidentRow {
                at: Some(at("a.csv", line)),
                number,
                id: Some(id.into()),
                created: Some(utc(IN)),
                ..IncidentRow::default()
            })
        };
        let pop = run(vec![(
            "a.csv",
            vec![
                with_id(2, None, "Q7"),
                with_id(3, Some(7), "Q7"),
                with_id(4, None, "Q7"),
                with_id(5, None, "QX"),
            ],
        )]);
        assert_eq!(counts(&pop.total), [4, 1, 1, 0, 2]);
        assert_eq!(pop.incidents.len(), 1);
        assert_eq!(pop.incidents.get(0).number, 7);
        assert_eq!(
            pop.incidents.get(0).sources,
            vec![at("a.csv", 3), at("a.csv", 4)]
        );
        let reasons: Vec<&str> = pop.rejected.iter().map(|r| r.reason.as_str()).collect();
        assert_eq!(
            reasons,
            vec![
                "no incident number, and no incident read before it has id \"Q7\"",
                "no incident number, and no incident read before it has id \"QX\"",
            ]
        );
    }

    /// The index keeps the first number each id was read with, wherever the id sits: an
    /// incident's own id, a later row's differing id (a conflict), an id a second number also
    /// carries, an id first read on a later row. Enough incidents that its tables grow.
    #[test]
    fn an_id_names_the_number_it_was_first_read_with() {
        let row = |line, number, id: Option<&str>| {
            Ok(IncidentRow {
                at: Some(at("a.csv", line)),
                number,
                id: id.map(Into::into),
                created: Some(utc(IN)),
                ..IncidentRow::default()
            })
        };
        let many = 3 * Blocks::LEN as u64;
        let mut rows: Vec<RowOutcome> = (1..=many)
            .map(|n| row(n, Some(n), Some(&format!("P{n}"))))
            .collect();
        rows.extend([
            // #1's second row says another id: a conflict, and that id is #1's too.
            row(many + 1, Some(1), Some("OTHER")),
            // #2 carries #3's id: it stays #3's.
            row(many + 2, Some(2), Some("P3")),
            // #many+1 is read first without an id, then with one.
            row(many + 3, Some(many + 1), None),
            row(many + 4, Some(many + 1), Some("LATE")),
            // Id-only rows.
            row(many + 5, None, Some("OTHER")),
            row(many + 6, None, Some("P3")),
            row(many + 7, None, Some("LATE")),
            row(many + 8, None, Some(&format!("P{many}"))),
            row(many + 9, None, Some("NEVER")),
        ]);
        let pop = run(vec![("a.csv", rows)]);
        let lines_of = |number: u64| -> Vec<u64> {
            let i = pop.incidents.iter().find(|i| i.number == number).unwrap();
            i.sources.iter().map(|s| s.line).collect()
        };
        assert_eq!(lines_of(1), vec![1, many + 1, many + 5]);
        assert_eq!(lines_of(2), vec![2, many + 2]);
        assert_eq!(lines_of(3), vec![3, many + 6]);
        assert_eq!(lines_of(many), vec![many, many + 8]);
        assert_eq!(lines_of(many + 1), vec![many + 3, many + 4, many + 7]);
        assert_eq!(pop.incidents.len() as u64, many + 1);
        let rejected: Vec<u64> = pop.rejected.iter().map(|r| r.at.line).collect();
        assert_eq!(rejected, vec![many + 9]);
    }

    #[test]
    fn period_boundaries() {
        let pop = run(vec![(
            "a.csv",
            vec![
                ok("a.csv", 2, Some(1), Some(START)),
                ok("a.csv", 3, Some(2), Some(END)),
                ok("a.csv", 4, Some(3), Some("2027-01-01T04:59:59Z")),
                ok("a.csv", 5, Some(4), Some("2026-01-01T04:59:59Z")),
            ],
        )]);
        let in_period: Vec<(u64, bool)> = pop
            .incidents
            .iter()
            .map(|i| (i.number, i.in_period))
            .collect();
        assert_eq!(
            in_period,
            vec![(1, true), (2, false), (3, true), (4, false)]
        );
        assert_eq!(counts(&pop.total), [4, 2, 0, 2, 0]);
    }

    #[test]
    fn merging_never_moves_the_first_rows_bucket() {
        let pop = run(vec![(
            "a.csv",
            vec![
                ok("a.csv", 2, Some(1), Some("2025-12-31T00:00:00Z")),
                ok("a.csv", 3, Some(1), Some(IN)),
            ],
        )]);
        assert_eq!(counts(&pop.total), [2, 0, 1, 1, 0]);
        assert!(!pop.incidents.get(0).in_period);
        assert_eq!(pop.incidents.get(0).created, utc("2025-12-31T00:00:00Z"));
    }

    #[test]
    fn rows_without_a_reference_use_their_record_index() {
        let row = IncidentRow {
            created: Some(utc(IN)),
            ..IncidentRow::default()
        };
        let pop = run(vec![(
            "snap.json",
            vec![ok("x", 1, Some(1), Some(IN)), Ok(row)],
        )]);
        assert_eq!(pop.rejected[0].at, at("snap.json", 2));
    }
}
