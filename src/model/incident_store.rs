//! [`Incidents`]: the population, held as values while it is read and merged, then packed.
//!
//! An [`Incident`] takes 360 bytes, and its row references, conflicts and timeline each an
//! allocation of their own: at a million incidents, about 480 MB from the end of loading to the
//! last page written. Once every row is merged nothing changes an incident any more, and every
//! reader walks them one at a time (the facts, the register, the incident pages), so the
//! population packs them as it finishes ([`Builder`]): each incident as one record of
//! variable-length integers and interned handles, about 200 bytes with its timeline, in shared
//! blocks, unpacked whole when it is read ([`Incidents::get`], about 0.2 µs). Each row's own
//! values, which reconciliation alone reads, are kept beside the records as they were, until
//! [`Incidents::release_row_values`].

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use thin_vec::ThinVec;

use super::{Conflict, Incident, IncidentRow, RowRef, RowValues, Sym, Text, Timeline, Url};

/// The population's incidents, sorted by number (see the module documentation).
#[derive(Debug)]
pub enum Incidents {
    /// As read: each incident a value, open to change.
    Held(Vec<Incident>),
    /// As the population packs them ([`Builder`]): read only.
    Packed(Packed),
}

impl Default for Incidents {
    fn default() -> Self {
        Incidents::Held(Vec::new())
    }
}

impl From<Vec<Incident>> for Incidents {
    fn from(incidents: Vec<Incident>) -> Self {
        Incidents::Held(incidents)
    }
}

impl Incidents {
    pub fn len(&self) -> usize {
        match self {
            Incidents::Held(all) => all.len(),
            Incidents::Packed(p) => p.numbers.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`th incident (by number): borrowed while held, unpacked once packed.
    pub fn get(&self, i: usize) -> Cow<'_, Incident> {
        match self {
            Incidents::Held(all) => Cow::Borrowed(&all[i]),
            Incidents::Packed(p) => Cow::Owned(p.get(i)),
        }
    }

    /// The `i`th incident's number, without unpacking it.
    pub fn number(&self, i: usize) -> u64 {
        match self {
            Incidents::Held(all) => all[i].number,
            Incidents::Packed(p) => p.numbers[i],
        }
    }

    /// Where incident `number` is, if it is one.
    pub fn position(&self, number: u64) -> Option<usize> {
        let len = self.len();
        if len == 0 {
            return None;
        }
        let (first, last) = (self.number(0), self.number(len - 1));
        if !(first..=last).contains(&number) {
            return None;
        }
        // Numbers are sorted and unique, so `number` sits where it would without gaps in the
        // numbering, or up to as many places earlier as there are gaps: only that window is
        // searched. Evaluation looks up every incident (100k binary searches over the whole
        // population cost a tenth of a second in cache misses).
        let offset = usize::try_from(number - first).ok()?;
        let span = usize::try_from(last - first).ok()?;
        let gaps = (span + 1).saturating_sub(len);
        let (mut lo, mut hi) = (offset.saturating_sub(gaps), offset.min(len - 1) + 1);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.number(mid).cmp(&number) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// Whether the `i`th incident is in the period, without unpacking it.
    pub fn in_period(&self, i: usize) -> bool {
        match self {
            Incidents::Held(all) => all[i].in_period,
            Incidents::Packed(p) => p.in_period[i],
        }
    }

    /// The positions of the incidents in the period (`in_period`) or outside it, in order,
    /// read from the period flags without unpacking an incident.
    pub fn positions(&self, in_period: bool) -> impl DoubleEndedIterator<Item = usize> + '_ {
        (0..self.len()).filter(move |&i| self.in_period(i) == in_period)
    }

    /// Whether the `i`th incident has conflicts, without unpacking it.
    pub fn has_conflicts(&self, i: usize) -> bool {
        match self {
            Incidents::Held(all) => !all[i].conflicts.is_empty(),
            Incidents::Packed(p) => p.conflicted[i],
        }
    }

    /// The `i`th incident's creation, without unpacking it.
    pub fn created(&self, i: usize) -> DateTime<Utc> {
        match self {
            Incidents::Held(all) => all[i].created,
            Incidents::Packed(p) => p.created[i],
        }
    }

    /// Every incident in number order.
    pub fn iter(
        &self,
    ) -> impl DoubleEndedIterator<Item = Cow<'_, Incident>> + ExactSizeIterator + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Frees each incident's per-row values ([`Incident::rows`]) once reconciliation, their one
    /// reader, has run: the render holds the inputs throughout.
    pub fn release_row_values(&mut self) {
        match self {
            Incidents::Held(all) => all
                .iter_mut()
                .for_each(|i| i.rows = RowValuesList::default()),
            Incidents::Packed(p) => p.rows = Vec::new(),
        }
    }

    /// Packs held incidents, as the population packs what it read (for tests, which build
    /// their incidents as values).
    #[cfg(test)]
    pub fn pack(&mut self) {
        if let Incidents::Held(all) = std::mem::take(self) {
            let mut builder = Builder::default();
            all.into_iter().for_each(|i| builder.push(i));
            *self = builder.sorted();
        }
    }
}

/// Packs incidents one by one, each freed as it is packed, in any order.
#[derive(Default)]
pub struct Builder {
    packed: Packed,
    record: Vec<u8>,
}

impl Builder {
    pub fn push(&mut self, incident: Incident) {
        self.record.clear();
        write_incident(&mut self.record, &incident);
        self.packed.push(incident, &self.record);
    }

    /// The incidents sorted by number (numbers are unique): only the columns are put in
    /// order, each record stays where it was written.
    pub fn sorted(self) -> Incidents {
        let mut p = self.packed;
        let mut order: Vec<usize> = (0..p.numbers.len()).collect();
        order.sort_unstable_by_key(|&i| p.numbers[i]);
        p.at = gather(&order, &p.at);
        p.numbers = gather(&order, &p.numbers);
        p.created = gather(&order, &p.created);
        p.in_period = gather(&order, &p.in_period);
        p.conflicted = gather(&order, &p.conflicted);
        let mut rows = std::mem::take(&mut p.rows);
        p.rows = order
            .iter()
            .map(|&i| std::mem::take(&mut rows[i]))
            .collect();
        Incidents::Packed(p)
    }
}

/// `column`'s values in `order`.
fn gather<T: Copy>(order: &[usize], column: &[T]) -> Vec<T> {
    order.iter().map(|&i| column[i]).collect()
}

/// Packed incidents: records in blocks, found by index.
#[derive(Debug, Default)]
pub struct Packed {
    /// Records one after another; a record never spans two blocks.
    blocks: Vec<Vec<u8>>,
    /// Where each record starts: its block, shifted 32 bits, and the offset in it.
    at: Vec<u64>,
    numbers: Vec<u64>,
    /// Each one's creation: read by every match of a Statuspage incident against them all.
    created: Vec<DateTime<Utc>>,
    in_period: Vec<bool>,
    /// Whether each has conflicts: the population page lists them all, from a few incidents.
    conflicted: Vec<bool>,
    /// Each one's rows' own values, until released (empty from then on).
    rows: Vec<RowValuesList>,
}

impl Packed {
    /// Records are put in blocks of about this size: a block is allocated whole and never
    /// grown, so nothing is copied as the store fills.
    const BLOCK: usize = 1 << 20;

    fn push(&mut self, incident: Incident, record: &[u8]) {
        let fits = self
            .blocks
            .last()
            .is_some_and(|b| b.capacity() - b.len() >= record.len());
        if !fits {
            self.blocks
                .push(Vec::with_capacity(Self::BLOCK.max(record.len())));
        }
        let block = self.blocks.len() - 1;
        let bytes = &mut self.blocks[block];
        self.at.push(((block as u64) << 32) | bytes.len() as u64);
        bytes.extend_from_slice(record);
        self.numbers.push(incident.number);
        self.created.push(incident.created);
        self.in_period.push(incident.in_period);
        self.conflicted.push(!incident.conflicts.is_empty());
        self.rows.push(incident.rows);
    }

    fn get(&self, i: usize) -> Incident {
        let at = self.at[i];
        let block = &self.blocks[(at >> 32) as usize];
        let mut r = Reader {
            bytes: &block[(at & u64::from(u32::MAX)) as usize..],
        };
        let mut incident = read_incident(&mut r);
        incident.rows = self.rows.get(i).cloned().unwrap_or_default();
        incident
    }
}

// Which of a row's optional fields are present: one bit each, in this order.
const AT: u32 = 1;
const NUMBER: u32 = 1 << 1;
const ID: u32 = 1 << 2;
const TITLE: u32 = 1 << 3;
const SERVICE: u32 = 1 << 4;
const SERVICE_ID: u32 = 1 << 5;
const POLICY: u32 = 1 << 6;
const POLICY_ID: u32 = 1 << 7;
const TEAM: u32 = 1 << 8;
const CREATED: u32 = 1 << 9;
const RESOLVED: u32 = 1 << 10;
const RESOLVED_SOURCE: u32 = 1 << 11;
const ACKNOWLEDGED: u32 = 1 << 12;
const TO_ACK: u32 = 1 << 13;
const TO_RESOLVE: u32 = 1 << 14;
const PRIORITY: u32 = 1 << 15;
const URGENCY: u32 = 1 << 16;
const STATUS: u32 = 1 << 17;
const AUTO_RESOLVED: u32 = 1 << 18;
const ACKNOWLEDGED_BY: u32 = 1 << 19;
const ASSIGNED_TO: u32 = 1 << 20;
const RESOLVED_BY: u32 = 1 << 21;
const ESCALATIONS: u32 = 1 << 22;
const DURATION: u32 = 1 << 23;
const URL: u32 = 1 << 24;
// Flags that are no option.
const HAS_ACK_DATA: u32 = 1 << 25;
const HAS_RESOLVE_DATA: u32 = 1 << 26;
const AUTO_RESOLVED_TRUE: u32 = 1 << 27;
const IN_PERIOD: u32 = 1 << 28;

/// One incident as a record. Instants are written relative to the incident's creation, so that
/// most take three or four bytes.
fn write_incident(out: &mut Vec<u8>, incident: &Incident) {
    let Incident {
        number,
        fields,
        created,
        sources,
        conflicts,
        in_period,
        rows: _,
    } = incident;
    // Destructured in full so that a field added to IncidentRow cannot be forgotten here.
    let IncidentRow {
        at,
        number: row_number,
        id,
        title,
        service,
        service_id,
        escalation_policy,
        escalation_policy_id,
        team,
        created: row_created,
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
    } = fields;
    let bit = |present: bool, bit: u32| if present { bit } else { 0 };
    let mask = bit(at.is_some(), AT)
        | bit(row_number.is_some(), NUMBER)
        | bit(id.is_some(), ID)
        | bit(title.is_some(), TITLE)
        | bit(service.is_some(), SERVICE)
        | bit(service_id.is_some(), SERVICE_ID)
        | bit(escalation_policy.is_some(), POLICY)
        | bit(escalation_policy_id.is_some(), POLICY_ID)
        | bit(team.is_some(), TEAM)
        | bit(row_created.is_some(), CREATED)
        | bit(resolved.is_some(), RESOLVED)
        | bit(resolved_source.is_some(), RESOLVED_SOURCE)
        | bit(acknowledged.is_some(), ACKNOWLEDGED)
        | bit(seconds_to_first_ack.is_some(), TO_ACK)
        | bit(seconds_to_resolve.is_some(), TO_RESOLVE)
        | bit(priority.is_some(), PRIORITY)
        | bit(urgency.is_some(), URGENCY)
        | bit(status.is_some(), STATUS)
        | bit(auto_resolved.is_some(), AUTO_RESOLVED)
        | bit(acknowledged_by.is_some(), ACKNOWLEDGED_BY)
        | bit(assigned_to.is_some(), ASSIGNED_TO)
        | bit(resolved_by.is_some(), RESOLVED_BY)
        | bit(escalation_count.is_some(), ESCALATIONS)
        | bit(duration_text.is_some(), DURATION)
        | bit(url.is_some(), URL)
        | bit(*has_ack_data, HAS_ACK_DATA)
        | bit(*has_resolve_data, HAS_RESOLVE_DATA)
        | bit(*auto_resolved == Some(true), AUTO_RESOLVED_TRUE)
        | bit(*in_period, IN_PERIOD);
    let w = &mut Writer { out };
    w.uint(*number);
    w.uint(created.timestamp() as u64);
    w.uint(u64::from(created.timestamp_subsec_nanos()));
    w.uint(u64::from(mask));
    let base = *created;
    if let Some(at) = at {
        w.row_ref(at);
    }
    if let Some(n) = row_number {
        w.uint(*n);
    }
    if let Some(id) = id {
        w.text(id);
    }
    let named = [
        title,
        service,
        service_id,
        escalation_policy,
        escalation_policy_id,
        team,
    ];
    for sym in named.into_iter().flatten() {
        w.sym(*sym);
    }
    for (time, sym) in [
        (row_created, None),
        (resolved, *resolved_source),
        (acknowledged, None),
    ] {
        if let Some(time) = time {
            w.time(*time, base);
        }
        if let Some(sym) = sym {
            w.sym(sym);
        }
    }
    for secs in [seconds_to_first_ack, seconds_to_resolve]
        .into_iter()
        .flatten()
    {
        w.int(*secs);
    }
    let syms = [
        priority,
        urgency,
        status,
        acknowledged_by,
        assigned_to,
        resolved_by,
    ];
    for sym in syms.into_iter().flatten() {
        w.sym(*sym);
    }
    if let Some(n) = escalation_count {
        w.uint(*n);
    }
    if let Some(text) = duration_text {
        w.text(text);
    }
    if let Some(url) = url {
        let (head, tail) = url.parts();
        w.sym(head);
        w.text(tail);
    }
    w.bytes(timeline.packed());
    w.uint(jira_keys.len() as u64);
    for key in jira_keys {
        w.text(key);
    }
    w.uint(sources.len() as u64);
    for at in sources {
        w.row_ref(at);
    }
    w.uint(conflicts.len() as u64);
    for c in conflicts {
        w.uint(c.number);
        w.row_ref(&c.at);
        w.text(&c.field);
        w.text(&c.kept);
        w.text(&c.other);
    }
}

fn read_incident(r: &mut Reader) -> Incident {
    let number = r.uint();
    let secs = r.uint() as i64;
    let nanos = r.uint() as u32;
    let created = DateTime::from_timestamp(secs, nanos).expect("packed from an instant");
    let mask = r.uint() as u32;
    let has = |bit: u32| mask & bit != 0;
    let base = created;
    let mut f = IncidentRow {
        has_ack_data: has(HAS_ACK_DATA),
        has_resolve_data: has(HAS_RESOLVE_DATA),
        auto_resolved: has(AUTO_RESOLVED).then_some(has(AUTO_RESOLVED_TRUE)),
        ..IncidentRow::default()
    };
    f.at = has(AT).then(|| r.row_ref());
    f.number = has(NUMBER).then(|| r.uint());
    f.id = has(ID).then(|| Text::from(r.text()));
    f.title = has(TITLE).then(|| r.sym());
    f.service = has(SERVICE).then(|| r.sym());
    f.service_id = has(SERVICE_ID).then(|| r.sym());
    f.escalation_policy = has(POLICY).then(|| r.sym());
    f.escalation_policy_id = has(POLICY_ID).then(|| r.sym());
    f.team = has(TEAM).then(|| r.sym());
    f.created = has(CREATED).then(|| r.time(base));
    f.resolved = has(RESOLVED).then(|| r.time(base));
    f.resolved_source = has(RESOLVED_SOURCE).then(|| r.sym());
    f.acknowledged = has(ACKNOWLEDGED).then(|| r.time(base));
    f.seconds_to_first_ack = has(TO_ACK).then(|| r.int());
    f.seconds_to_resolve = has(TO_RESOLVE).then(|| r.int());
    f.priority = has(PRIORITY).then(|| r.sym());
    f.urgency = has(URGENCY).then(|| r.sym());
    f.status = has(STATUS).then(|| r.sym());
    f.acknowledged_by = has(ACKNOWLEDGED_BY).then(|| r.sym());
    f.assigned_to = has(ASSIGNED_TO).then(|| r.sym());
    f.resolved_by = has(RESOLVED_BY).then(|| r.sym());
    f.escalation_count = has(ESCALATIONS).then(|| r.uint());
    f.duration_text = has(DURATION).then(|| Text::from(r.text()));
    f.url = has(URL).then(|| {
        let head = r.sym();
        Url::from_parts(head, r.text())
    });
    f.timeline = Timeline::from_packed(r.bytes());
    let keys = r.uint() as usize;
    f.jira_keys = (0..keys).map(|_| r.text().to_string()).collect();
    let count = r.uint() as usize;
    let sources = (0..count).map(|_| r.row_ref()).collect();
    let count = r.uint() as usize;
    let conflicts: ThinVec<Conflict> = (0..count)
        .map(|_| Conflict {
            number: r.uint(),
            at: r.row_ref(),
            field: r.text().to_string(),
            kept: r.text().to_string(),
            other: r.text().to_string(),
        })
        .collect();
    Incident {
        number,
        fields: f,
        created,
        sources,
        conflicts,
        in_period: has(IN_PERIOD),
        rows: RowValuesList::default(),
    }
}

/// Each of an incident's rows' own values ([`RowValues`]), packed one after another as they
/// are merged in: held for every incident from its first row to reconciliation, two or three
/// each, as values 72 bytes a row and about 150 MB at 1M incidents, at the load's peak; packed
/// about 30 (61 MB for the 2.06M rows of a generated 1M year).
#[derive(Clone, Default, PartialEq)]
pub struct RowValuesList {
    bytes: ThinVec<u8>,
}

impl RowValuesList {
    pub fn push(&mut self, row: &RowValues) {
        let mut record = Vec::with_capacity(48);
        let w = &mut Writer { out: &mut record };
        w.row_ref(&row.at);
        w.opt_opt_time(row.created.map(Some));
        w.opt_sym(row.priority);
        w.opt_sym(row.urgency);
        w.opt_opt_time(row.acknowledged);
        w.opt_opt_time(row.resolved);
        // Room for exactly this row: most incidents have two, and a vector left to grow by
        // itself takes twice the room it needs.
        self.bytes.reserve_exact(record.len());
        self.bytes.extend_from_slice(&record);
    }

    /// The rows' values, in the order pushed.
    pub fn iter(&self) -> impl Iterator<Item = RowValues> + '_ {
        let mut r = Reader { bytes: &self.bytes };
        std::iter::from_fn(move || {
            (!r.bytes.is_empty()).then(|| RowValues {
                at: r.row_ref(),
                created: r.opt_opt_time().flatten(),
                priority: r.opt_sym(),
                urgency: r.opt_sym(),
                acknowledged: r.opt_opt_time(),
                resolved: r.opt_opt_time(),
            })
        })
    }

    pub fn len(&self) -> usize {
        self.iter().count()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

impl FromIterator<RowValues> for RowValuesList {
    fn from_iter<I: IntoIterator<Item = RowValues>>(rows: I) -> Self {
        let mut list = RowValuesList::default();
        rows.into_iter().for_each(|row| list.push(&row));
        list
    }
}

impl std::fmt::Debug for RowValuesList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl serde::Serialize for RowValuesList {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

struct Writer<'a> {
    out: &'a mut Vec<u8>,
}

impl Writer<'_> {
    /// LEB128: seven bits a byte, the high bit set on every byte but the last.
    fn uint(&mut self, mut n: u64) {
        while n >= 0x80 {
            self.out.push((n as u8) | 0x80);
            n >>= 7;
        }
        self.out.push(n as u8);
    }

    /// Zigzag, so that small negative numbers stay short.
    fn int(&mut self, n: i64) {
        self.uint(((n << 1) ^ (n >> 63)) as u64);
    }

    fn bytes(&mut self, bytes: &[u8]) {
        self.uint(bytes.len() as u64);
        self.out.extend_from_slice(bytes);
    }

    fn text(&mut self, text: &str) {
        self.bytes(text.as_bytes());
    }

    fn sym(&mut self, sym: Sym) {
        self.uint(u64::from(sym.number()));
    }

    fn opt_sym(&mut self, sym: Option<Sym>) {
        self.uint(sym.map_or(0, |s| u64::from(s.number())));
    }

    fn row_ref(&mut self, at: &RowRef) {
        self.sym(at.file);
        self.uint(at.line);
    }

    /// `None`, "says: not yet" (`Some(None)`), or an instant (seconds and nanoseconds).
    fn opt_opt_time(&mut self, at: Option<Option<DateTime<Utc>>>) {
        match at {
            None => self.uint(0),
            Some(None) => self.uint(1),
            Some(Some(at)) => {
                self.uint(2);
                self.int(at.timestamp());
                self.uint(u64::from(at.timestamp_subsec_nanos()));
            }
        }
    }

    /// Seconds from `base` (checked arithmetic: any two instants chrono holds are less than
    /// 2^63 seconds apart) and the nanoseconds.
    fn time(&mut self, at: DateTime<Utc>, base: DateTime<Utc>) {
        self.int(at.timestamp() - base.timestamp());
        self.uint(u64::from(at.timestamp_subsec_nanos()));
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> u8 {
        let (&first, rest) = self.bytes.split_first().expect("a whole packed record");
        self.bytes = rest;
        first
    }

    fn uint(&mut self) -> u64 {
        let mut n = 0u64;
        let mut shift = 0;
        loop {
            let b = self.byte();
            n |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return n;
            }
            shift += 7;
        }
    }

    fn int(&mut self) -> i64 {
        let n = self.uint();
        ((n >> 1) as i64) ^ -((n & 1) as i64)
    }

    fn bytes(&mut self) -> &'a [u8] {
        let len = self.uint() as usize;
        let (bytes, rest) = self.bytes.split_at(len);
        self.bytes = rest;
        bytes
    }

    fn text(&mut self) -> &'a str {
        std::str::from_utf8(self.bytes()).expect("packed from a string")
    }

    fn sym(&mut self) -> Sym {
        self.opt_sym().expect("packed from a handle")
    }

    fn opt_sym(&mut self) -> Option<Sym> {
        let n = u32::try_from(self.uint()).expect("packed from a handle");
        Sym::from_number(n)
    }

    fn row_ref(&mut self) -> RowRef {
        RowRef {
            file: self.sym(),
            line: self.uint(),
        }
    }

    fn opt_opt_time(&mut self) -> Option<Option<DateTime<Utc>>> {
        match self.uint() {
            0 => None,
            1 => Some(None),
            _ => {
                let secs = self.int();
                let nanos = self.uint() as u32;
                let at = DateTime::from_timestamp(secs, nanos).expect("packed from an instant");
                Some(Some(at))
            }
        }
    }

    fn time(&mut self, base: DateTime<Utc>) -> DateTime<Utc> {
        let secs = base.timestamp() + self.int();
        let nanos = self.uint() as u32;
        DateTime::from_timestamp(secs, nanos).expect("packed from an instant")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LogEntry;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn at(file: &str, line: u64) -> RowRef {
        RowRef {
            file: file.into(),
            line,
        }
    }

    /// Every field set, with values at the edges of their encodings: instants before the
    /// creation and with nanoseconds, negative seconds, `u64::MAX`, empty and non-ASCII text.
    fn full(number: u64) -> Incident {
        let created = utc("2026-03-01T10:00:00.250Z");
        let entry = |s: &str, kind: &str| LogEntry {
            at: utc(s),
            kind: kind.into(),
            summary: "Triggered via the API".into(),
            agent: Some("Priya Raman".into()),
            channel: None,
            subject: Some("Marcus Chen, Ana Souza".into()),
            source: Some(at("pagerduty/log_entries.jsonl", 4_000_000_001)),
        };
        Incident {
            number,
            fields: IncidentRow {
                at: Some(at("incidents/q1.csv", 2)),
                number: Some(number),
                id: Some("Q3YON8WNWTZMRQ".into()),
                title: Some("Disk full on db-01 — ünïcode".into()),
                service: Some("db".into()),
                service_id: Some("PSR2C7H".into()),
                escalation_policy: Some("Production Services".into()),
                escalation_policy_id: Some("PZ4K7QD".into()),
                team: Some("Platform".into()),
                created: Some(created),
                resolved: Some(utc("2026-03-02T11:00:01.999999999Z")),
                resolved_source: Some("log entry".into()),
                acknowledged: Some(utc("2026-02-28T09:00:00Z")),
                seconds_to_first_ack: Some(-5),
                seconds_to_resolve: Some(i64::MAX),
                priority: Some("P1".into()),
                urgency: Some("high".into()),
                status: Some("resolved".into()),
                auto_resolved: Some(false),
                acknowledged_by: Some("Priya Raman".into()),
                assigned_to: Some("Marcus Chen".into()),
                resolved_by: Some("Ana Souza".into()),
                escalation_count: Some(u64::MAX),
                duration_text: Some("".into()),
                url: Some(Url::new(
                    "https://northwind.pagerduty.com/incidents/Q3YON8WNWTZMRQ",
                )),
                has_ack_data: true,
                has_resolve_data: false,
                timeline: Timeline::from(vec![
                    entry("2026-03-01T10:00:00Z", "trigger"),
                    entry("2026-03-01T10:05:00Z", "acknowledge"),
                ]),
                jira_keys: thin_vec::thin_vec!["OPS-1".to_string(), "SEC-22".to_string()],
            },
            created,
            sources: vec![
                at("incidents/q1.csv", 2),
                at("pagerduty/incidents.jsonl", 9),
            ],
            conflicts: thin_vec::thin_vec![Conflict {
                number,
                at: at("pagerduty/incidents.jsonl", 9),
                field: "priority".into(),
                kept: "P1".into(),
                other: "P2".into(),
            }],
            in_period: true,
            rows: RowValuesList::from_iter([
                RowValues {
                    at: at("incidents/q1.csv", 2),
                    created: Some(created),
                    priority: Some("P1".into()),
                    urgency: None,
                    acknowledged: Some(None),
                    resolved: Some(Some(utc("1999-12-31T23:59:59Z"))),
                },
                RowValues {
                    at: at("pagerduty/incidents.jsonl", 9),
                    created: None,
                    priority: None,
                    urgency: Some("high".into()),
                    acknowledged: None,
                    resolved: Some(Some(utc("2026-03-02T11:00:01.5Z"))),
                },
            ]),
        }
    }

    /// Nothing set but what an incident must have.
    fn bare(number: u64) -> Incident {
        Incident {
            number,
            fields: IncidentRow {
                auto_resolved: Some(true),
                ..IncidentRow::default()
            },
            created: utc("1970-01-01T00:00:00Z"),
            sources: Vec::new(),
            conflicts: ThinVec::new(),
            in_period: false,
            rows: RowValuesList::default(),
        }
    }

    /// Every field survives packing: the incidents unpacked print as they did (every field,
    /// timeline entries included), and the columns read without unpacking agree.
    #[test]
    fn packed_incidents_unpack_as_they_were() {
        // Enough records to fill more than one block.
        let all: Vec<Incident> = (1..=12_000)
            .map(|n| if n % 3 == 0 { bare(n) } else { full(n) })
            .collect();
        let before: Vec<String> = all.iter().map(|i| format!("{i:?}")).collect();
        let mut incidents = Incidents::from(all);
        incidents.pack();
        let Incidents::Packed(p) = &incidents else {
            panic!("packed");
        };
        assert!(p.blocks.len() > 1, "{} blocks", p.blocks.len());
        assert_eq!(incidents.len(), before.len());
        for (i, text) in before.iter().enumerate() {
            let incident = incidents.get(i);
            assert_eq!(&format!("{incident:?}"), text, "incident {i}");
            assert_eq!(incidents.number(i), incident.number);
            assert_eq!(incidents.created(i), incident.created);
            assert_eq!(incidents.in_period(i), incident.in_period);
            assert_eq!(incidents.has_conflicts(i), !incident.conflicts.is_empty());
            assert_eq!(incidents.position(incident.number), Some(i));
        }
        assert_eq!(incidents.position(0), None);
        assert_eq!(incidents.position(12_001), None);
        // Each row's own values are kept beside the records until released.
        assert_eq!(incidents.get(0).rows.len(), 2);
        incidents.release_row_values();
        assert!(incidents.iter().all(|i| i.rows.is_empty()));
    }
}
