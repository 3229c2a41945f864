//! PagerDuty incident CSV exports (every variant of pagerduty-formats.md §1), read header-driven
//! into typed rows. A row that cannot be read is a rejected row naming file, line, column and
//! value; only a file without any identity column is an error. OWNER: csv-ingest helper.

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use csv::ByteRecord;

use super::headers::{self, Field};
use super::population::RowOutcome;
use super::timestamp;
use crate::model::{IncidentRow, RejectedRow, RowRef};
use crate::util;

/// PagerDuty's report export stops at this many rows; a file of exactly this size may be partial.
const EXPORT_ROW_CAP: usize = 20_000;

/// One CSV file, read.
#[derive(Debug)]
pub struct CsvRead {
    /// "advanced-reporting" | "analytics" | "title-case" | "basic-reporting" | "other"
    pub variant: &'static str,
    /// Every row in file order (blank lines are not rows).
    pub rows: Vec<RowOutcome>,
    /// For the population page: ignored columns, the row-cap warning.
    pub notes: Vec<String>,
}

/// What [`read_in_blocks`] gives besides the rows it hands over.
#[derive(Debug)]
pub struct CsvHead {
    pub variant: &'static str,
    pub notes: Vec<String>,
}

/// Rows are handed over this many at a time by [`read_in_blocks`].
const BLOCK_ROWS: usize = 16_384;

/// Reads one incident CSV whole. `rel_path` is the file's path relative to the site; it names
/// the file in every row reference and message.
pub fn read(rel_path: &str, bytes: &[u8], export_tz: Tz) -> anyhow::Result<CsvRead> {
    let mut rows = Vec::new();
    let head = read_in_blocks(rel_path, bytes, export_tz, |block| rows.extend(block))?;
    Ok(CsvRead {
        variant: head.variant,
        rows,
        notes: head.notes,
    })
}

/// [`read`], each block of rows handed to `take` as soon as it is read, in file order: held
/// whole, a million-incident year's half-year export (495,000 rows) was 150 MB of rows beside
/// the incidents they became, and what mimalloc kept of them after raised the load's peak.
pub fn read_in_blocks(
    rel_path: &str,
    bytes: &[u8],
    export_tz: Tz,
    mut take: impl FnMut(Vec<RowOutcome>),
) -> anyhow::Result<CsvHead> {
    if crate::util::looks_utf16(bytes) {
        bail!("{rel_path}:1: UTF-16 text; export or save the CSV as UTF-8");
    }
    let data = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let lines = LineIndex::new(data);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(data);
    let mut records = reader
        .byte_records()
        .filter(|r| !r.as_ref().is_ok_and(is_blank));

    let header = match records.next() {
        Some(r) => r.with_context(|| format!("{rel_path}: reading the header row"))?,
        None => bail!("{rel_path}: empty file, expected a header row"),
    };
    let columns = Columns::new(&header);
    let header_line = lines.record_line(header.position().map_or(0, |p| p.byte() as usize));
    for (i, h) in columns.headers.iter().enumerate() {
        if let Some(j) = columns.headers[..i]
            .iter()
            .position(|g| g.eq_ignore_ascii_case(h))
        {
            bail!(
                "{rel_path}:{header_line}: column {h:?} appears twice (columns {} and {}); \
                 which one holds the data is ambiguous, keep one",
                j + 1,
                i + 1
            );
        }
    }
    if !columns.has(Field::Number) && !columns.has(Field::Id) {
        bail!(
            "{rel_path}: no incident number or id column; headers seen: {}",
            columns.quoted_headers()
        );
    }

    let (mut rows, mut count) = (Vec::new(), 0);
    let file = crate::model::Sym::new(rel_path);
    for record in records {
        let record = record.with_context(|| format!("{rel_path}: reading CSV rows"))?;
        let start = record.position().map_or(0, |p| p.byte() as usize);
        let at = RowRef {
            file,
            line: lines.record_line(start),
        };
        if let Some(header) = columns.object_cell(&record) {
            bail!(
                "{rel_path}:{}: column {header:?} holds an object written as text, so this is a                  dump of PagerDuty API objects, not a PagerDuty CSV export; read the API with                  `pagerproof fetch pagerduty`, or download an incident export from PagerDuty                  Analytics",
                at.line
            );
        }
        rows.push(columns.row(&record, at, export_tz));
        count += 1;
        if rows.len() == BLOCK_ROWS {
            take(std::mem::replace(&mut rows, Vec::with_capacity(BLOCK_ROWS)));
        }
    }
    take(rows);

    let mut notes = columns.notes.clone();
    if count == EXPORT_ROW_CAP {
        notes.push(format!(
            "exactly {EXPORT_ROW_CAP} rows: PagerDuty's report export stops there, so this export \
             may be incomplete"
        ));
    }
    Ok(CsvHead {
        variant: variant(&columns.headers),
        notes,
    })
}

/// Blank lines are not rows; the csv crate already skips empty lines, this also skips lines of
/// only whitespace.
fn is_blank(record: &ByteRecord) -> bool {
    record.len() == 1 && record[0].iter().all(u8::is_ascii_whitespace)
}

/// Physical line numbers: `\r\n`, `\n` and a lone `\r` each end a line (the csv crate counts only
/// `\n`, which is wrong for old Mac line endings).
struct LineIndex<'a> {
    data: &'a [u8],
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(data: &'a [u8]) -> Self {
        let mut starts = vec![0];
        for (i, &b) in data.iter().enumerate() {
            if b == b'\n' || (b == b'\r' && data.get(i + 1) != Some(&b'\n')) {
                starts.push(i + 1);
            }
        }
        LineIndex { data, starts }
    }

    /// The 1-based line on which the record starting at (or after blank lines from) `byte` begins.
    fn record_line(&self, mut byte: usize) -> u64 {
        while matches!(self.data.get(byte), Some(b'\r' | b'\n')) {
            byte += 1;
        }
        self.starts.partition_point(|&s| s <= byte) as u64
    }
}

/// The header row: each column's text as written and the field it maps to.
struct Columns {
    headers: Vec<String>,
    fields: Vec<Option<Field>>,
    notes: Vec<String>,
}

impl Columns {
    fn new(record: &ByteRecord) -> Self {
        let headers: Vec<String> = record
            .iter()
            .map(|h| String::from_utf8_lossy(h).trim().to_string())
            .collect();
        let mut fields: Vec<Option<Field>> = Vec::with_capacity(headers.len());
        let mut ignored = Vec::new();
        let mut notes = Vec::new();
        for h in &headers {
            let field = headers::field(h);
            let earlier = field.and_then(|f| fields.iter().position(|g| *g == Some(f)));
            match (field, earlier) {
                (None, _) => ignored.push(format!("{h:?}")),
                (Some(_), Some(first)) => notes.push(format!(
                    "column {h:?} ignored: column {:?} already gives that field",
                    headers[first]
                )),
                (Some(_), None) => {}
            }
            fields.push(if earlier.is_some() { None } else { field });
        }
        if !ignored.is_empty() {
            notes.insert(0, format!("columns not used: {}", ignored.join(", ")));
        }
        Columns {
            headers,
            fields,
            notes,
        }
    }

    fn has(&self, field: Field) -> bool {
        self.fields.contains(&Some(field))
    }

    fn quoted_headers(&self) -> String {
        let quoted: Vec<String> = self.headers.iter().map(|h| format!("{h:?}")).collect();
        quoted.join(", ")
    }

    /// The header of the first cell that holds an API object written out as text: a Python
    /// dict or list of dicts (`{'id': ...}`, `[{'at': ...}]`) anywhere, or a JSON object in a
    /// column that is not free text. No PagerDuty export writes either; dumps of API objects
    /// (pandas, connectors) do, and their columns would otherwise be misread as an export's.
    fn object_cell(&self, record: &ByteRecord) -> Option<&str> {
        let free_text = |f: &Option<Field>| matches!(f, Some(Field::Title | Field::Description));
        record
            .iter()
            .zip(&self.headers)
            .zip(&self.fields)
            .find(|((bytes, _), field)| {
                let v = String::from_utf8_lossy(bytes);
                let v = v.trim();
                let python = (v.starts_with("{'") || v.starts_with("[{'"))
                    && (v.ends_with('}') || v.ends_with(']'));
                let json = v.starts_with("{\"") && v.ends_with('}') && v.contains("\":");
                python || (json && !free_text(field))
            })
            .map(|((_, header), _)| header.as_str())
    }

    /// One data record as an incident row, or rejected with every reason found.
    fn row(&self, record: &ByteRecord, at: RowRef, tz: Tz) -> RowOutcome {
        if record.len() != self.headers.len() {
            return Err(RejectedRow {
                at,
                number: self.readable_number(record),
                reason: format!(
                    "{} fields, but the header has {} columns",
                    record.len(),
                    self.headers.len()
                ),
            });
        }
        let mut row = RowBuilder::new(self);
        let mut problems = Vec::new();
        for ((bytes, header), field) in record.iter().zip(&self.headers).zip(&self.fields) {
            let Ok(value) = std::str::from_utf8(bytes) else {
                problems.push(format!("column {header:?}: value is not valid UTF-8"));
                continue;
            };
            let (Some(field), false) = (field, timestamp::is_no_value(value)) else {
                continue;
            };
            if let Err(why) = row.set(*field, value.trim(), tz) {
                problems.push(format!(
                    "column {header:?}, value {:?}: {why}",
                    value.trim()
                ));
            }
        }
        if problems.is_empty() {
            Ok(row.finish(at))
        } else {
            Err(RejectedRow {
                at,
                reason: problems.join("; "),
                number: row.row.number,
            })
        }
    }

    /// The incident number of a row that cannot be read as a whole, when its number column can.
    fn readable_number(&self, record: &ByteRecord) -> Option<u64> {
        let column = self.fields.iter().position(|f| *f == Some(Field::Number))?;
        let value = std::str::from_utf8(record.get(column)?).ok()?;
        value.trim().parse().ok()
    }
}

/// Collects one row's values; the columns that feed one field by precedence (title, priority)
/// are kept apart until `finish`.
struct RowBuilder {
    row: IncidentRow,
    title: Option<crate::model::Text>,
    description: Option<crate::model::Text>,
    priority: [Option<crate::model::Sym>; 3],
    jira_keys: Vec<String>,
}

impl RowBuilder {
    fn new(columns: &Columns) -> Self {
        let has = |f| columns.has(f);
        let row = IncidentRow {
            has_ack_data: has(Field::SecondsToFirstAck) || has(Field::Acknowledged),
            has_resolve_data: has(Field::Resolved) || has(Field::SecondsToResolve),
            ..IncidentRow::default()
        };
        RowBuilder {
            row,
            title: None,
            description: None,
            priority: [None, None, None],
            jira_keys: Vec::new(),
        }
    }

    /// Stores one non-empty, trimmed value; `Err` says why it is not a value of its column's type.
    fn set(&mut self, field: Field, v: &str, tz: Tz) -> Result<(), String> {
        // Texts that repeat from row to row (names, levels) are interned; ids, titles and URLs
        // are each row's own.
        let text = || Some(crate::model::Text::from(v));
        let sym = || Some(crate::model::Sym::new(v));
        let r = &mut self.row;
        match field {
            Field::Number => r.number = Some(parse_count(v, "an incident number")?),
            Field::Id => r.id = text(),
            Field::Title => self.title = text(),
            Field::Description => self.description = text(),
            Field::Service => r.service = sym(),
            Field::ServiceId => r.service_id = sym(),
            Field::EscalationPolicy => r.escalation_policy = sym(),
            Field::EscalationPolicyId => r.escalation_policy_id = sym(),
            Field::Team => r.team = sym(),
            Field::Created => r.created = parse_time(v, tz)?,
            Field::Resolved => r.resolved = parse_time(v, tz)?,
            Field::Acknowledged => r.acknowledged = parse_time(v, tz)?,
            Field::SecondsToFirstAck => r.seconds_to_first_ack = Some(parse_seconds(v)?),
            Field::SecondsToResolve => r.seconds_to_resolve = Some(parse_seconds(v)?),
            Field::Priority => self.priority[0] = sym(),
            Field::PriorityName => self.priority[1] = sym(),
            Field::Severity => self.priority[2] = sym(),
            Field::Urgency => r.urgency = sym(),
            Field::Status => r.status = sym(),
            Field::AutoResolved => r.auto_resolved = Some(parse_bool(v)?),
            Field::AcknowledgedBy => r.acknowledged_by = sym(),
            Field::AssignedTo => r.assigned_to = sym(),
            Field::ResolvedBy => r.resolved_by = sym(),
            Field::EscalationCount => r.escalation_count = Some(parse_count(v, "a count")?),
            Field::Duration => r.duration_text = text(),
            Field::Url => r.url = text().map(|t| crate::model::Url::new(&t)),
            Field::JiraKey => self.jira_keys.extend(util::jira_keys(v)),
            Field::JiraUrl => self.jira_keys.extend(util::jira_key_from_url(v)),
        }
        Ok(())
    }

    fn finish(self, at: RowRef) -> IncidentRow {
        let mut jira_keys = thin_vec::ThinVec::new();
        for key in self.jira_keys {
            if !jira_keys.contains(&key) {
                jira_keys.push(key);
            }
        }
        IncidentRow {
            at: Some(at),
            title: self
                .title
                .or(self.description)
                .as_deref()
                .map(crate::model::Sym::new_varied),
            priority: self.priority.into_iter().flatten().next(),
            jira_keys,
            ..self.row
        }
    }
}

fn parse_time(v: &str, tz: Tz) -> Result<Option<DateTime<Utc>>, String> {
    timestamp::parse(v, tz).map_err(|e| format!("not a valid timestamp: {e}"))
}

fn parse_count(v: &str, what: &str) -> Result<u64, String> {
    v.parse::<u64>()
        .map_err(|_| format!("not {what} (expected a whole number)"))
}

/// Whole seconds; a decimal value is truncated (evidence-rules.md §1).
fn parse_seconds(v: &str) -> Result<i64, String> {
    let (whole, frac) = v.split_once('.').unwrap_or((v, ""));
    let digits = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) {
        return Err("not a number of seconds (expected a non-negative number)".into());
    }
    whole
        .parse::<i64>()
        .map_err(|_| "number of seconds out of range".to_string())
}

fn parse_bool(v: &str) -> Result<bool, String> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" => Ok(true),
        "0" | "false" | "no" => Ok(false),
        _ => Err("not a boolean (expected 0/1, true/false or yes/no)".into()),
    }
}

/// Which export the header row looks like (shown on the population page; reading is the same).
fn variant(headers: &[String]) -> &'static str {
    let normalised: Vec<String> = headers.iter().map(|h| headers::normalise(h)).collect();
    let has = |name: &str| normalised.iter().any(|h| h == name);
    let snake_case = headers.iter().zip(&normalised).all(|(h, n)| h == n);
    if headers.iter().any(|h| h == "#") && has("opened_on") {
        "basic-reporting"
    } else if snake_case && has("incident_number") && has("created_on") {
        "advanced-reporting"
    } else if snake_case && has("created_at") {
        "analytics"
    } else if headers.iter().all(|h| is_title_case(h)) {
        "title-case"
    } else {
        "other"
    }
}

/// Every word starts with something other than a lower-case letter ("Seconds To First Ack").
fn is_title_case(h: &str) -> bool {
    h.split_whitespace()
        .all(|w| !w.chars().next().is_some_and(char::is_lowercase))
        && h.chars().any(char::is_uppercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dump_of_api_objects_is_not_an_export() {
        // The shape of a pandas/connector dump of `GET /incidents` (cells are Python dict text).
        let text = "id,incident_number,title,created_at,service,assignments\n\
            Q3YON8WNWTZMRQ,4,Crash reported,2022-11-03T06:23:06Z,\
            \"{'id': 'PIKL83L', 'type': 'service_reference', 'summary': 'DevService'}\",[]\n";
        let err = read(
            "content/incidents/dump.csv",
            text.as_bytes(),
            chrono_tz::UTC,
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("content/incidents/dump.csv:2:"), "{err}");
        assert!(
            err.contains("\"service\"") && err.contains("not a PagerDuty CSV export"),
            "{err}"
        );
        // A monitor alert whose title is JSON is still an export.
        let ok = "incident_number,title,created_at\n7,\"{\"\"error\"\": \"\"timeout\"\"}\",2022-11-03T06:23:06Z\n";
        assert_eq!(
            read("a.csv", ok.as_bytes(), chrono_tz::UTC)
                .unwrap()
                .rows
                .len(),
            1
        );
    }
    use chrono_tz::America::New_York;
    use chrono_tz::Europe::Berlin;

    const AR_HEADER: &str = "id,incident_number,description,service_id,service_name,\
        escalation_policy_id,escalation_policy_name,created_on,resolved_on,seconds_to_first_ack,\
        seconds_to_resolve,auto_resolved,escalation_count,auto_escalation_count,acknowledge_count,\
        assignment_count,acknowledged_by_user_ids,acknowledged_by_user_names,assigned_to_user_ids,\
        assigned_to_user_names,resolved_by_user_id,resolved_by_user_name,urgency";

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn read_ok(text: &str) -> CsvRead {
        read("content/incidents/x.csv", text.as_bytes(), New_York).unwrap()
    }

    fn row(r: &RowOutcome) -> &IncidentRow {
        r.as_ref().unwrap_or_else(|e| panic!("rejected: {e:?}"))
    }

    fn rejected(r: &RowOutcome) -> &RejectedRow {
        r.as_ref().expect_err("expected a rejected row")
    }

    fn lines(read: &CsvRead) -> Vec<u64> {
        let at = |r: &RowOutcome| match r {
            Ok(row) => row.at.as_ref().unwrap().line,
            Err(rej) => rej.at.line,
        };
        read.rows.iter().map(at).collect()
    }

    /// A file of more rows than a block hands them over in full blocks, then the rest, in file
    /// order: the same rows, with the same lines, as read whole.
    #[test]
    fn rows_are_handed_over_in_blocks_in_file_order() {
        let mut text = String::from("incident_number,title,created_at\n");
        let n = 2 * BLOCK_ROWS + 100;
        for i in 1..=n {
            text.push_str(&format!("{i},Disk full {i},2026-02-01T00:00:00Z\n"));
        }
        let mut blocks = Vec::new();
        let head = read_in_blocks("b.csv", text.as_bytes(), chrono_tz::UTC, |rows| {
            blocks.push(rows)
        })
        .unwrap();
        assert_eq!(head.variant, read_ok(&text).variant);
        let sizes: Vec<usize> = blocks.iter().map(Vec::len).collect();
        assert_eq!(sizes, [BLOCK_ROWS, BLOCK_ROWS, 100]);
        let whole = read("b.csv", text.as_bytes(), chrono_tz::UTC).unwrap().rows;
        let streamed: Vec<RowOutcome> = blocks.into_iter().flatten().collect();
        assert_eq!(streamed.len(), whole.len());
        for (a, b) in streamed.iter().zip(&whole) {
            assert_eq!(row(a), row(b));
        }
        assert_eq!(row(&streamed[n - 1]).number, Some(n as u64));
        assert_eq!(
            row(&streamed[n - 1]).at.map(|at| at.line),
            Some(n as u64 + 1)
        );
    }

    #[test]
    fn advanced_reporting_export() {
        let text = format!(
            "\u{feff}{AR_HEADER}\r\n\
             Q38V2M61ITSKVU,96830,\"web-01 : CheckProcess CRITICAL, Found 0\n\",POQT69N,\
             SRE Not Urgent Service,P5AGSRY,SRE EP,2023-02-26T00:10:04+00:00,\
             2023-02-26T00:34:06+00:00,,1442,0,0,0,0,1,,,PW28787,Jane Doe,,,low\r\n\
             \r\n\
             Q1,96831,Disk full,PS,Storage,PE,Storage EP,2023-02-26T09:00:00-05:00,,120.9,,\
             false,2,0,1,1,PU1,\"Doe, Jane\",PU1,\"Doe, Jane\",,,high\r\n"
        );
        let read = read_ok(&text);
        assert_eq!(read.variant, "advanced-reporting");
        assert_eq!(read.rows.len(), 2);
        assert_eq!(lines(&read), vec![2, 5]);
        let a = row(&read.rows[0]);
        assert_eq!(a.id.as_deref(), Some("Q38V2M61ITSKVU"));
        assert_eq!(a.number, Some(96830));
        assert_eq!(
            a.title.as_deref(),
            Some("web-01 : CheckProcess CRITICAL, Found 0")
        );
        assert_eq!(a.service.as_deref(), Some("SRE Not Urgent Service"));
        assert_eq!(a.escalation_policy_id.as_deref(), Some("P5AGSRY"));
        assert_eq!(a.created, Some(utc("2023-02-26T00:10:04Z")));
        assert_eq!(a.resolved, Some(utc("2023-02-26T00:34:06Z")));
        assert_eq!(a.seconds_to_first_ack, None);
        assert_eq!(a.seconds_to_resolve, Some(1442));
        assert_eq!(a.auto_resolved, Some(false));
        assert_eq!(a.assigned_to.as_deref(), Some("Jane Doe"));
        assert_eq!(a.urgency.as_deref(), Some("low"));
        assert!(a.has_ack_data && a.has_resolve_data);
        let b = row(&read.rows[1]);
        assert_eq!(b.created, Some(utc("2023-02-26T14:00:00Z")));
        assert_eq!(b.resolved, None);
        assert_eq!(b.seconds_to_first_ack, Some(120), "fractions truncate");
        assert_eq!(b.escalation_count, Some(2));
        assert_eq!(b.acknowledged_by.as_deref(), Some("Doe, Jane"));
        assert_eq!(
            read.notes,
            vec![
                "columns not used: \"auto_escalation_count\", \"acknowledge_count\", \
                 \"assignment_count\", \"acknowledged_by_user_ids\", \"assigned_to_user_ids\", \
                 \"resolved_by_user_id\""
            ]
        );
    }

    #[test]
    fn line_numbers_follow_physical_lines() {
        // LF, CRLF and lone CR endings, blank and whitespace-only lines, quoted newlines of
        // every kind: each row's line is where its record starts.
        let text = "\n\nincident_number,description,created_on\n\
                    1,plain,2026-01-01T00:00:00Z\r\n\
                    \r\n\
                    2,\"two\nlines\",2026-01-01T00:00:00Z\n\
                    3,\"three\r\nlines\rhere\",2026-01-01T00:00:00Z\r\
                    \r\
                    4,\"a, b\",2026-01-01T00:00:00Z\n   \n\
                    5,last,2026-01-01T00:00:00Z";
        let read = read_ok(text);
        assert_eq!(lines(&read), vec![4, 6, 8, 12, 14]);
        let titles: Vec<_> = read.rows.iter().map(|r| row(r).title.unwrap()).collect();
        assert_eq!(
            titles,
            vec![
                "plain",
                "two\nlines",
                "three\r\nlines\rhere",
                "a, b",
                "last"
            ]
        );
        let numbers: Vec<_> = read.rows.iter().map(|r| row(r).number.unwrap()).collect();
        assert_eq!(numbers, vec![1, 2, 3, 4, 5]);
    }

    #[test]
    fn bom_and_crlf() {
        let text = "\u{feff}incident_number,created_on\r\n7,2026-01-01T00:00:00Z\r\n";
        let read = read_ok(text);
        assert_eq!(read.rows.len(), 1);
        assert_eq!(row(&read.rows[0]).number, Some(7));
        assert_eq!(lines(&read), vec![2]);
    }

    #[test]
    fn booleans() {
        let mut text = String::from("incident_number,auto_resolved\n");
        let values = ["0", "1", "true", "FALSE", "Yes", "no", ""];
        for (i, v) in values.iter().enumerate() {
            text.push_str(&format!("{i},{v}\n"));
        }
        let read = read_ok(&text);
        let got: Vec<_> = read.rows.iter().map(|r| row(r).auto_resolved).collect();
        let want = [
            Some(false),
            Some(true),
            Some(true),
            Some(false),
            Some(true),
            Some(false),
        ];
        assert_eq!(got[..6], want);
        assert_eq!(got[6], None);
        let bad = read_ok("incident_number,auto_resolved\n1,maybe\n");
        assert!(rejected(&bad.rows[0]).reason.contains("not a boolean"));
    }

    #[test]
    fn wrong_field_count_is_rejected() {
        let read = read_ok("incident_number,description\n1,a\n2,b,extra\n3\n4,d\n");
        assert!(read.rows[0].is_ok() && read.rows[3].is_ok());
        let r = rejected(&read.rows[1]);
        assert_eq!(r.at.line, 3);
        assert_eq!(r.reason, "3 fields, but the header has 2 columns");
        assert_eq!(rejected(&read.rows[2]).at.line, 4);
    }

    #[test]
    fn bad_values_name_line_column_and_value() {
        let text = "Incident Number,Created At,Seconds To First Ack,Title\n\
                    1,2026-01-01T00:00:00Z,60,ok\n\
                    2,2026-02-30 10:00,60,bad date\n\
                    3,2026-01-01T00:00:00Z,-5,negative\n\
                    x4,2026-01-01T00:00:00Z,soon,two problems\n";
        let read = read("content/incidents/q1.csv", text.as_bytes(), Berlin).unwrap();
        assert_eq!(read.variant, "title-case");
        let r = rejected(&read.rows[1]);
        assert_eq!(
            r.at,
            RowRef {
                file: "content/incidents/q1.csv".into(),
                line: 3
            }
        );
        assert!(
            r.reason
                .starts_with("column \"Created At\", value \"2026-02-30 10:00\": ")
        );
        assert!(r.reason.contains("no such date"), "{}", r.reason);
        assert!(
            rejected(&read.rows[2])
                .reason
                .contains("\"-5\": not a number of seconds")
        );
        let r = rejected(&read.rows[3]);
        assert!(
            r.reason
                .contains("column \"Incident Number\", value \"x4\""),
            "{}",
            r.reason
        );
        assert!(
            r.reason
                .contains("column \"Seconds To First Ack\", value \"soon\"")
        );
    }

    #[test]
    fn empty_creation_is_left_to_population_but_no_value_forms_are_empty() {
        let read = read_ok("incident_number,created_at,urgency,resolved_at\n1,,N/A,null\n");
        let r = row(&read.rows[0]);
        assert_eq!((r.created, r.urgency, r.resolved), (None, None, None));
        assert!(!r.has_ack_data && r.has_resolve_data);
        assert_eq!(read.variant, "analytics");
    }

    #[test]
    fn non_utf8_value_rejects_the_row() {
        let mut bytes = b"incident_number,description\n1,caf".to_vec();
        bytes.extend_from_slice(b"\xe9\n2,fine\n");
        let read = read("x.csv", &bytes, New_York).unwrap();
        assert!(
            rejected(&read.rows[0])
                .reason
                .contains("\"description\": value is not valid UTF-8")
        );
        assert_eq!(row(&read.rows[1]).number, Some(2));
    }

    #[test]
    fn no_identity_column_is_an_error_listing_headers() {
        let err = read(
            "content/incidents/bad.csv",
            b"Service,Created At\nA,2026-01-01\n",
            New_York,
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("content/incidents/bad.csv: no incident number or id column"));
        assert!(
            err.contains("headers seen: \"Service\", \"Created At\""),
            "{err}"
        );
        assert!(
            read("e.csv", b"\n\n", New_York)
                .unwrap_err()
                .to_string()
                .contains("empty file")
        );
    }

    #[test]
    fn basic_reporting_file() {
        let text = "#,Service,Opened On,Resolved On,Resolve By,Duration,#Escalations\n\
                    1042,Checkout,2021-03-04 15:04:05 CET,2021-03-04 16:00:00 CET,Jane Doe,\
                    0:55:55,2\n";
        let read = read("b.csv", text.as_bytes(), Berlin).unwrap();
        assert_eq!(read.variant, "basic-reporting");
        assert!(read.notes.is_empty(), "{:?}", read.notes);
        let r = row(&read.rows[0]);
        assert_eq!(r.number, Some(1042));
        assert_eq!(r.service.as_deref(), Some("Checkout"));
        assert_eq!(r.created, Some(utc("2021-03-04T14:04:05Z")));
        assert_eq!(r.resolved, Some(utc("2021-03-04T15:00:00Z")));
        assert_eq!(r.resolved_by.as_deref(), Some("Jane Doe"));
        assert_eq!(r.duration_text.as_deref(), Some("0:55:55"));
        assert_eq!(r.escalation_count, Some(2));
        assert!(!r.has_ack_data && r.has_resolve_data);
    }

    #[test]
    fn priority_title_and_jira_columns() {
        let text = "PagerDuty Incident Number,Title,Description,Created At,Updated At,Status,\
                    PagerDuty Incident URL,Jira Ticket ID,Jira Ticket URL\n\
                    5,,Long text,2026-01-01T00:00:00Z,x,resolved,https://a.pagerduty.com/i/Q1,\
                    OPS-12,https://a.atlassian.net/browse/OPS-13\n\
                    6,Short,Long,2026-01-01T00:00:00Z,x,resolved,,OPS-12,\
                    https://a.atlassian.net/browse/OPS-12\n";
        let read = read_ok(text);
        assert_eq!(read.notes, vec!["columns not used: \"Updated At\""]);
        let a = row(&read.rows[0]);
        assert_eq!(a.title.as_deref(), Some("Long text"));
        assert_eq!(
            a.url.as_ref().map(ToString::to_string).as_deref(),
            Some("https://a.pagerduty.com/i/Q1")
        );
        assert_eq!(a.jira_keys, vec!["OPS-12", "OPS-13"]);
        let b = row(&read.rows[1]);
        assert_eq!(b.title.as_deref(), Some("Short"));
        assert_eq!(b.jira_keys, vec!["OPS-12"]);

        let read = read_ok("number,severity,priority_name,priority\n1,sev,name,P1\n2,sev,,-\n");
        assert_eq!(row(&read.rows[0]).priority.as_deref(), Some("P1"));
        assert_eq!(row(&read.rows[1]).priority.as_deref(), Some("sev"));
        assert_eq!(read.variant, "other");
    }

    #[test]
    fn duplicate_columns_keep_the_first() {
        let read = read_ok("number,service,Service Name\n1,a,b\n");
        assert_eq!(row(&read.rows[0]).service.as_deref(), Some("a"));
        assert_eq!(
            read.notes,
            vec!["column \"Service Name\" ignored: column \"service\" already gives that field"]
        );
    }

    #[test]
    fn ack_data_from_acknowledged_at_column() {
        let read = read_ok("Incident ID,Acknowledged At\nQ1,2026-01-01 10:00\n");
        let r = row(&read.rows[0]);
        assert!(r.has_ack_data && !r.has_resolve_data);
        assert_eq!(r.acknowledged, Some(utc("2026-01-01T15:00:00Z")));
        assert_eq!((r.number, r.id.as_deref()), (None, Some("Q1")));
    }

    #[test]
    fn row_cap_warning() {
        let mut text = String::from("number\n");
        for n in 0..EXPORT_ROW_CAP {
            text.push_str(&format!("{n}\n"));
        }
        let read = read_ok(&text);
        assert_eq!(read.rows.len(), EXPORT_ROW_CAP);
        assert!(
            read.notes
                .iter()
                .any(|n| n.starts_with("exactly 20000 rows"))
        );
        text.push_str("20000\n");
        assert!(read_ok(&text).notes.is_empty());
    }
}
