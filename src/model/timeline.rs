//! [`Timeline`]: an incident's log entries, packed.
//!
//! A million-incident year has seven million log entries, held from loading to the last
//! incident page. As [`LogEntry`] values they take 48 bytes each, 350 MB in all; packed as
//! variable-length integers (times and line numbers as differences from the entry before) they
//! take about 13. They are unpacked one at a time as they are read ([`Timeline::iter`]): every
//! reader walks them in order, and there are about seven per incident.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{LogEntry, RowRef, Sym};

/// An incident's log entries, oldest first, packed (see the module documentation). Shared:
/// every API record of one incident id (one incident in two snapshot files) points at the same
/// bytes. Two timelines are equal when their entries are: an entry list packs one way only.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Timeline(Option<Arc<[u8]>>);

impl Timeline {
    /// The entries, unpacked one by one, in order.
    pub fn iter(&self) -> Entries<'_> {
        Entries {
            bytes: self.0.as_deref().unwrap_or_default(),
            secs: 0,
            line: 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// The packed bytes (none for no entries), for [`super::incident_store`] to copy.
    pub(super) fn packed(&self) -> &[u8] {
        self.0.as_deref().unwrap_or_default()
    }

    /// The timeline of bytes [`Timeline::packed`] gave.
    pub(super) fn from_packed(bytes: &[u8]) -> Timeline {
        Timeline((!bytes.is_empty()).then(|| Arc::from(bytes)))
    }

    /// Whether both are the same bytes, not only equal: one incident's records share them.
    pub fn shares(&self, other: &Timeline) -> bool {
        match (&self.0, &other.0) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl From<Vec<LogEntry>> for Timeline {
    fn from(entries: Vec<LogEntry>) -> Timeline {
        Timeline::from(entries.as_slice())
    }
}

impl From<&[LogEntry]> for Timeline {
    /// The entries in the order given (the loader's [`Packer::finish`] puts them in order).
    fn from(entries: &[LogEntry]) -> Timeline {
        let mut packer = Packer::default();
        for e in entries {
            packer.push(e);
        }
        packer.in_given_order()
    }
}

/// A timeline packed as its entries arrive, in any order ([`Packer::finish`] puts them in
/// order): the loader packs each log entry as it is read rather than hold it whole until the
/// last one is (seven million at 1M incidents, 400 MB at the peak of loading).
#[derive(Debug, Default)]
pub struct Packer {
    bytes: Vec<u8>,
    /// The last entry's instant and source line, which the next one's are packed relative to.
    last: Option<DateTime<Utc>>,
    line: u64,
    /// Whether an entry arrived older than the one before it.
    out_of_order: bool,
}

impl Packer {
    pub fn push(&mut self, e: &LogEntry) {
        let previous = self.last.replace(e.at);
        self.out_of_order |= previous.is_some_and(|last| e.at < last);
        let out = &mut self.bytes;
        let at = e.at.timestamp();
        let nanos = e.at.timestamp_subsec_nanos();
        // The difference from the entry before, its low bit saying whether nanoseconds follow.
        let before = previous.map_or(0, |p| p.timestamp());
        push(
            out,
            zigzag(at.wrapping_sub(before)) << 1 | u64::from(nanos != 0),
        );
        if nanos != 0 {
            push(out, u64::from(nanos));
        }
        push(out, sym(Some(e.kind)));
        push(out, sym(Some(e.summary)));
        for s in [e.agent, e.channel, e.subject] {
            push(out, sym(s));
        }
        push(out, sym(e.source.as_ref().map(|r| r.file)));
        if let Some(r) = &e.source {
            push(out, zigzag(r.line.wrapping_sub(self.line) as i64));
            self.line = r.line;
        }
    }

    /// The timeline: its entries oldest first, those of the same instant in the order they
    /// arrived.
    pub fn finish(self) -> Timeline {
        let out_of_order = self.out_of_order;
        let packed = self.in_given_order();
        if !out_of_order {
            return packed;
        }
        let mut entries: Vec<LogEntry> = packed.iter().collect();
        entries.sort_by_key(|e| e.at);
        Timeline::from(entries)
    }

    /// The timeline of the entries in the order they arrived.
    fn in_given_order(self) -> Timeline {
        if self.bytes.is_empty() {
            return Timeline(None);
        }
        Timeline(Some(Arc::from(self.bytes)))
    }
}

impl std::fmt::Debug for Timeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Timeline {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

/// A timeline's entries, unpacked as they are read.
pub struct Entries<'a> {
    bytes: &'a [u8],
    /// The last entry's instant (seconds) and source line, which the next one's are relative to.
    secs: i64,
    line: u64,
}

impl Iterator for Entries<'_> {
    type Item = LogEntry;

    fn next(&mut self) -> Option<LogEntry> {
        if self.bytes.is_empty() {
            return None;
        }
        let head = self.take();
        self.secs = self.secs.wrapping_add(unzigzag(head >> 1));
        let nanos = if head & 1 == 1 { self.take() as u32 } else { 0 };
        let at = DateTime::<Utc>::from_timestamp(self.secs, nanos).expect("packed from a DateTime");
        let kind = self.sym().expect("every entry has a kind");
        let summary = self.sym().expect("every entry has a summary");
        let (agent, channel, subject) = (self.sym(), self.sym(), self.sym());
        let source = self.sym().map(|file| {
            self.line = self.line.wrapping_add(unzigzag(self.take()) as u64);
            RowRef {
                file,
                line: self.line,
            }
        });
        Some(LogEntry {
            at,
            kind,
            summary,
            agent,
            channel,
            subject,
            source,
        })
    }
}

impl Entries<'_> {
    /// The next variable-length integer: seven bits a byte, low bits first, the high bit set on
    /// every byte but the last.
    fn take(&mut self) -> u64 {
        let mut value = 0u64;
        for (i, &b) in self.bytes.iter().enumerate() {
            value |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                self.bytes = &self.bytes[i + 1..];
                return value;
            }
        }
        unreachable!("a timeline ends with a whole integer")
    }

    fn sym(&mut self) -> Option<Sym> {
        Sym::from_number(u32::try_from(self.take()).expect("packed from a Sym"))
    }
}

fn push(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push(value as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// A handle's number, 0 for none.
fn sym(s: Option<Sym>) -> u64 {
    s.map_or(0, |s| u64::from(s.number()))
}

/// Small differences either way as small numbers: 0, -1, 1, -2, 2, ...
fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    (v >> 1) as i64 ^ -((v & 1) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn entry(at: &str, kind: &str, source: Option<(&str, u64)>) -> LogEntry {
        LogEntry {
            at: utc(at),
            kind: Sym::new(kind),
            summary: Sym::new(&format!("{kind} at {at}")),
            agent: (kind != "notify").then(|| Sym::new("Jamal Wright")),
            channel: Some(Sym::new("sms")),
            subject: None,
            source: source.map(|(file, line)| RowRef {
                file: Sym::new(file),
                line,
            }),
        }
    }

    /// Every field comes back as it went in, whatever the differences between entries: time
    /// going back, fractions of a second, lines going back and forth, files changing, entries
    /// with no source, instants before 1970 and line numbers past 32 bits.
    #[test]
    fn entries_unpack_as_they_were_packed() {
        let entries = vec![
            entry("1969-12-31T23:59:59Z", "trigger", None),
            entry(
                "2026-03-01T10:00:00Z",
                "trigger",
                Some(("log.jsonl", 1_000_000)),
            ),
            entry(
                "2026-03-01T10:00:00.250Z",
                "notify",
                Some(("log.jsonl", 999_999)),
            ),
            entry(
                "2026-03-01T09:59:00Z",
                "acknowledge",
                Some(("log.jsonl", 5)),
            ),
            entry(
                "2026-03-01T10:05:00Z",
                "resolve",
                Some(("other.jsonl", 1 << 40)),
            ),
            entry("2026-03-01T10:05:00Z", "annotate", None),
            entry(
                "2026-03-01T10:06:00.000000001Z",
                "resolve",
                Some(("log.jsonl", 6)),
            ),
        ];
        let timeline = Timeline::from(entries.clone());
        assert_eq!(timeline.iter().collect::<Vec<_>>(), entries);
        assert_eq!(timeline.iter().count(), 7);
        assert!(!timeline.is_empty());
        // Far smaller than the entries themselves.
        let packed = timeline.0.as_deref().unwrap().len();
        assert!(packed < 7 * 24, "{packed} bytes");
    }

    /// Entries packed as they arrive come out oldest first, those of one instant in the order
    /// they arrived, exactly as the same entries given in order pack.
    #[test]
    fn entries_packed_out_of_order_come_out_oldest_first() {
        let late = entry("2026-03-01T10:05:00Z", "resolve", Some(("log.jsonl", 9)));
        let first = entry("2026-03-01T10:00:00Z", "trigger", Some(("log.jsonl", 7)));
        let mut tie = entry("2026-03-01T10:00:00Z", "notify", None);
        tie.summary = Sym::new("the second of its instant");
        let mut packer = Packer::default();
        for e in [&late, &first, &tie] {
            packer.push(e);
        }
        let timeline = packer.finish();
        let ordered = vec![first, tie, late];
        assert_eq!(timeline.iter().collect::<Vec<_>>(), ordered);
        assert_eq!(timeline, Timeline::from(ordered));
    }

    /// Out of order stays out of order where the entries are given whole (tests build such
    /// timelines on purpose): only the loader's [`Packer::finish`] sorts.
    #[test]
    fn a_timeline_from_entries_keeps_their_order() {
        let entries = vec![
            entry("2026-03-01T10:05:00Z", "resolve", None),
            entry("2026-03-01T10:00:00Z", "trigger", None),
        ];
        let timeline = Timeline::from(entries.clone());
        assert_eq!(timeline.iter().collect::<Vec<_>>(), entries);
    }

    #[test]
    fn no_entries_is_the_empty_timeline() {
        let timeline = Timeline::from(Vec::new());
        assert!(timeline.is_empty());
        assert_eq!(timeline.iter().count(), 0);
        assert_eq!(timeline.iter().next(), None);
        assert_eq!(timeline, Timeline::default());
    }

    #[test]
    fn timelines_of_the_same_entries_are_equal_and_serialize_as_their_entries() {
        let entries = vec![entry("2026-03-01T10:00:00Z", "trigger", Some(("a", 3)))];
        let (a, b) = (
            Timeline::from(entries.clone()),
            Timeline::from(entries.clone()),
        );
        assert_eq!(a, b);
        assert_ne!(a, Timeline::default());
        assert_eq!(
            serde_json::to_value(&a).unwrap(),
            serde_json::to_value(&entries).unwrap()
        );
    }

    #[test]
    fn zigzag_round_trips() {
        for v in [0, 1, -1, 63, -64, i64::MAX, i64::MIN] {
            assert_eq!(unzigzag(zigzag(v)), v);
        }
    }
}
