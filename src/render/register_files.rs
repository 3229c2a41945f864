//! The register as files: `data/register.csv` (one row per in-period incident, the register
//! page's columns), `data/exceptions.csv` (one row per exception) and `data/register.xlsx`, the
//! workbook an auditor files: sheets Register, Exceptions, Population and (when a sample was
//! recorded) Sample, each with a frozen header row and an autofilter, date-times as real Excel
//! date-time cells in the organisation's zone, which each such header names.
//!
//! Every file is streamed row by row: the CSVs through a buffered writer, the workbook's
//! Register and Exceptions sheets in rust_xlsxwriter's constant-memory mode (one row in memory,
//! the rest in an anonymous temporary file the operating system removes, never in the site), and
//! the workbook saved straight to its file. Nothing holds every row's cells at once.

use crate::util::sink::Sink;
use std::borrow::Cow;

use anyhow::{Context, Result};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};

use super::context::Ctx;
use super::views::IncidentRowView;

/// Column headers, in order.
pub const HEADERS: &[&str] = &[
    "Number",
    "PagerDuty ID",
    "Title",
    "Service",
    "Severity",
    "Severity source",
    "Raw priority",
    "Urgency",
    "Created",
    "Acknowledged",
    "Resolved",
    "Time to acknowledge (s)",
    "Time to acknowledge",
    "Acknowledge verdict",
    "Acknowledge deadline",
    "Time to resolve (s)",
    "Time to resolve",
    "Resolve verdict",
    "Resolve deadline",
    "Responder",
    "Postmortems",
    "Postmortem status",
    "Jira keys",
    "Customer impact",
    "Page",
    "Source row",
    "Class",
];

/// One row's cells as text, in `HEADERS` order: the row's own strings moved into place, not
/// copied (the CSV and the workbook each build 100k rows).
pub fn cells(row: IncidentRowView) -> Vec<String> {
    let secs = |s: Option<i64>| s.map(|s| s.to_string()).unwrap_or_default();
    vec![
        row.number.to_string(),
        row.id,
        row.title,
        row.service,
        row.severity,
        row.severity_source.into(),
        row.severity_raw,
        row.urgency,
        row.created,
        row.acknowledged,
        row.resolved,
        secs(row.tta_secs),
        row.tta,
        row.ack.text,
        row.ack.deadline,
        secs(row.ttr_secs),
        row.ttr,
        row.resolve.text,
        row.resolve.deadline,
        row.responder,
        row.postmortems.join(" "),
        row.postmortem_status.into(),
        row.jira
            .iter()
            .map(|l| l.label.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        row.customer_impact,
        row.href,
        row.source,
        row.class.into(),
    ]
}

/// A spreadsheet program treats a leading `=`, `+`, `-` or `@` as a formula; a title from an
/// alert must never run as one (CSV injection), so such cells get a leading apostrophe.
fn defuse(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && cell.parse::<f64>().is_err() {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// The most characters a spreadsheet cell holds (Excel's limit, enforced by the writer).
pub const CELL_LIMIT: usize = 32_767;

/// A cell cut to `CELL_LIMIT` with a visible note saying so; `check` names the input beforehand
/// and register.csv keeps the whole value.
fn fit_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    let len = cell.chars().count();
    if len <= CELL_LIMIT {
        return cell.into();
    }
    let note = format!(" [… truncated: {len} characters; the full text is in register.csv]");
    let keep = CELL_LIMIT - note.chars().count();
    let mut out: String = cell.chars().take(keep).collect();
    out.push_str(&note);
    out.into()
}

/// A CSV file under `out`, written row by row (`csv::Writer` buffers), CR LF line ends, the
/// cells defused; errors name the file.
fn write_csv_rows<S: AsRef<str>>(
    out: &dyn Sink,
    rel: &str,
    headers: &[&str],
    rows: impl Iterator<Item = Vec<S>>,
) -> Result<()> {
    let file = out.create(rel)?;
    let fail = || format!("{rel}: cannot write");
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .buffer_capacity(1 << 16)
        .from_writer(file);
    w.write_record(headers).with_context(fail)?;
    for row in rows {
        let row: Vec<Cow<str>> = row.iter().map(|c| defuse(c.as_ref())).collect();
        w.write_record(row.iter().map(|c| c.as_bytes()))
            .with_context(fail)?;
    }
    w.flush().with_context(fail)?;
    let file = w
        .into_inner()
        .map_err(|e| e.into_error())
        .with_context(fail)?;
    file.finish()
}

pub fn write_csv(ctx: &Ctx) -> Result<()> {
    write_csv_rows(ctx.out, "data/register.csv", HEADERS, owned_cells(ctx))
}

/// Every register row's cells, each row built as it is written.
fn owned_cells<'c>(ctx: &'c Ctx) -> impl Iterator<Item = Vec<String>> + 'c {
    (0..ctx.row_count()).map(|i| cells(ctx.row(i)))
}

/// Register columns holding an instant (`2026-01-01 11:15:34 -05:00` in the CSV): date-time
/// cells in the workbook, the zone named in the header.
const DATE_COLUMNS: &[&str] = &[
    "Created",
    "Acknowledged",
    "Resolved",
    "Acknowledge deadline",
    "Resolve deadline",
];

/// `data/exceptions.csv` and the Exceptions sheet, in this order; `Since` is a date-time, left
/// empty when the exception has no instant, `Since note` then says why ("n/a: …").
pub const EXCEPTION_HEADERS: &[&str] = &[
    "Exception",
    "Kind",
    "Criterion",
    "Subject",
    "Severity",
    "Owner",
    "Since",
    "Age (days)",
    "Since note",
    "Response status",
    "Response owner",
    "Required",
    "Actual",
    "Link",
];

/// One row per exception, in `EXCEPTION_HEADERS` order (evidence order), made as it is read.
pub fn exception_cells<'a>(ctx: &'a Ctx) -> impl Iterator<Item = Vec<String>> + 'a {
    let tz = ctx.tz();
    let ev = ctx.evidence;
    ev.exceptions
        .iter()
        .zip(&ev.exception_ages)
        .map(move |(e, age)| {
            let response = ctx.response_for(&e.id);
            vec![
                e.id.clone(),
                e.kind.name().to_string(),
                e.kind.criterion().to_string(),
                e.subject.to_string(),
                age.severity.clone().unwrap_or_default(),
                age.owner.clone().unwrap_or_default(),
                age.since
                    .map(|at| crate::util::local_time_secs(at, tz))
                    .unwrap_or_default(),
                age.age_days.map(|d| d.to_string()).unwrap_or_default(),
                age.since_note.unwrap_or_default().to_string(),
                match response {
                    Some(r) => r.status.clone().unwrap_or_else(|| "responded".into()),
                    None => "awaiting response".into(),
                },
                response.map(|r| r.owner.clone()).unwrap_or_default(),
                e.required.clone(),
                e.actual.clone(),
                ctx.exception_href(&e.id),
            ]
        })
}

pub fn write_exceptions_csv(ctx: &Ctx) -> Result<()> {
    write_csv_rows(
        ctx.out,
        "data/exceptions.csv",
        EXCEPTION_HEADERS,
        exception_cells(ctx),
    )
}

/// Saved straight to its file: the zip is assembled there, not in a buffer.
pub fn write_xlsx(ctx: &Ctx) -> Result<()> {
    let rel = "data/register.xlsx";
    let mut file = ctx.out.create(rel)?;
    let fail = |e: XlsxError| anyhow::anyhow!("{rel}: {e}");
    xlsx_workbook(ctx)
        .map_err(fail)?
        .save_to_writer(&mut file)
        .map_err(fail)?;
    file.finish()
}

/// The wall-clock time of `2026-01-01 11:15:34 -05:00` (as the register writes instants, already
/// in the organisation's zone) as an Excel date-time.
fn local_cell(text: &str) -> Option<ExcelDateTime> {
    let (y, mo, d, h, mi, s) = match wall_clock(text) {
        Some(fields) => fields,
        None => {
            use chrono::{Datelike, Timelike};
            let t = chrono::DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S %:z")
                .ok()?
                .naive_local();
            let (h, mi, s) = (t.hour(), t.minute(), t.second());
            (t.year() as u16, t.month(), t.day(), h, mi, s)
        }
    };
    ExcelDateTime::from_ymd(y, mo as u8, d as u8)
        .and_then(|d| d.and_hms(h as u16, mi as u8, s))
        .ok()
}

/// The fields of a `YYYY-MM-DD HH:MM:SS ±HH:MM` that chrono's parser would accept, read by hand
/// (a 100k register has 400,000 of them); `None` sends anything else to chrono.
fn wall_clock(text: &str) -> Option<(u16, u32, u32, u32, u32, u32)> {
    let b = text.as_bytes();
    if b.len() != 26 || !matches!(b[20], b'+' | b'-') {
        return None;
    }
    let sep = |i: usize, c: u8| b[i] == c;
    if !(sep(4, b'-') && sep(7, b'-') && sep(10, b' ') && sep(13, b':') && sep(16, b':'))
        || !(sep(19, b' ') && sep(23, b':'))
    {
        return None;
    }
    let num = |from: usize, len: usize| -> Option<u32> {
        b[from..from + len].iter().try_fold(0, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let (y, mo, d) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (h, mi, s) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    let (oh, om) = (num(21, 2)?, num(24, 2)?);
    // Leap seconds and out-of-range offsets are chrono's to judge.
    let valid = chrono::NaiveDate::from_ymd_opt(y as i32, mo, d).is_some()
        && h < 24
        && mi < 60
        && s < 60
        && oh < 24
        && om < 60;
    valid.then_some((y as u16, mo, d, h, mi, s))
}

/// How one sheet's text cells are written: `dates` and `numbers` name the columns written as
/// date-time and number cells (a cell that does not parse stays text).
struct Sheet<'a> {
    name: &'a str,
    headers: Vec<String>,
    dates: &'a [&'a str],
    numbers: &'a [&'a str],
    widths: &'a [f64],
}

/// The workbook's deflate level (see [`xlsx_workbook`]).
const XLSX_COMPRESSION_LEVEL: u8 = 2;

/// The workbook, its sheets written in order. The Register and Exceptions sheets grow with the
/// incidents and are written in constant-memory mode (strings inline in the sheet instead of the
/// shared-string table, whose every unique title would otherwise stay in memory); Population and
/// Sample are a few rows and keep the default.
fn xlsx_workbook(ctx: &Ctx) -> Result<Workbook, XlsxError> {
    use chrono::Datelike;
    let config = ctx.config;
    let mut workbook = Workbook::new();
    // Level 2, as the package's own zip (zlib-rs's fast strategy): at 100k incidents the
    // workbook takes 1.5 s instead of the default level 6's 2.3 s, for 21 MB instead of 18 MB.
    workbook.set_zip_compression_level(XLSX_COMPRESSION_LEVEL);
    // A fixed creation date (the as-of date) keeps the file byte-identical across builds.
    let as_of = config.period.as_of();
    let created =
        ExcelDateTime::from_ymd(as_of.year() as u16, as_of.month() as u8, as_of.day() as u8)?;
    let props = DocProperties::new()
        .set_title(format!("Incident register {}", config.period.name))
        .set_company(&config.organization.name)
        .set_creation_datetime(&created);
    workbook.set_properties(&props);
    let zone = config.tz().name();
    let headers = |list: &[&str], dates: &[&str]| -> Vec<String> {
        list.iter()
            .map(|h| {
                if dates.contains(h) {
                    format!("{h} ({zone})")
                } else {
                    h.to_string()
                }
            })
            .collect()
    };
    let register = Sheet {
        name: "Register",
        headers: headers(HEADERS, DATE_COLUMNS),
        dates: DATE_COLUMNS,
        numbers: &["Number", "Time to acknowledge (s)", "Time to resolve (s)"],
        widths: &[
            8.0, 16.0, 50.0, 18.0, 10.0, 14.0, 12.0, 9.0, 20.0, 20.0, 20.0, 10.0, 12.0, 20.0, 20.0,
            10.0, 12.0, 20.0, 20.0, 20.0, 16.0, 14.0, 16.0, 10.0, 22.0, 40.0, 12.0,
        ],
    };
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    write_sheet(sheet, &register, owned_cells(ctx))?;
    let exceptions = Sheet {
        name: "Exceptions",
        headers: headers(EXCEPTION_HEADERS, &["Since"]),
        dates: &["Since"],
        numbers: &["Age (days)"],
        widths: &[
            36.0, 22.0, 10.0, 30.0, 9.0, 18.0, 20.0, 10.0, 18.0, 18.0, 40.0, 40.0, 36.0,
        ],
    };
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    write_sheet(sheet, &exceptions, exception_cells(ctx))?;
    let population = Sheet {
        name: "Population",
        headers: POPULATION_HEADERS.iter().map(|h| h.to_string()).collect(),
        dates: &[],
        numbers: &[
            "Bytes",
            "Rows read",
            "Accepted",
            "Duplicates",
            "Outside the period",
            "Rejected",
        ],
        widths: &[44.0, 28.0, 10.0, 66.0, 10.0, 10.0, 11.0, 11.0, 10.0, 44.0],
    };
    write_sheet(
        workbook.add_worksheet(),
        &population,
        population_cells(ctx).into_iter(),
    )?;
    if !ctx.inputs.samples.is_empty() {
        let sample = Sheet {
            name: "Sample",
            headers: headers(SAMPLE_HEADERS, &["Created"]),
            dates: &["Created"],
            numbers: &["Incident", "Size"],
            widths: &[
                34.0, 20.0, 8.0, 18.0, 12.0, 9.0, 14.0, 24.0, 20.0, 10.0, 22.0,
            ],
        };
        write_sheet(
            workbook.add_worksheet(),
            &sample,
            sample_cells(ctx).into_iter(),
        )?;
    }
    Ok(workbook)
}

/// Writes one sheet: the bold header row, then `rows` in order (row by row, as constant-memory
/// mode requires), then widths, the frozen header and the autofilter over every row written.
fn write_sheet<S: AsRef<str>>(
    sheet: &mut rust_xlsxwriter::Worksheet,
    spec: &Sheet,
    rows: impl Iterator<Item = Vec<S>>,
) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    sheet.set_name(spec.name)?;
    for (c, h) in spec.headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, h, &bold)?;
    }
    // (date-time, number) per column; a date header carries its zone: `Created (UTC)`.
    let kinds: Vec<(bool, bool)> = spec
        .headers
        .iter()
        .map(|h| {
            let name = h.split(" (").next().unwrap_or("");
            (
                spec.dates.contains(&name),
                spec.numbers.contains(&h.as_str()),
            )
        })
        .collect();
    // A date column's format is the column's, which its cells written without one take: given
    // to each cell, the format was hashed for each (400,000 times at 100k incidents).
    for (c, _) in kinds.iter().enumerate().filter(|(_, (date, _))| *date) {
        sheet.set_column_format(c as u16, &datetime)?;
    }
    let mut last_row = 0;
    for (r, row) in rows.enumerate() {
        let r = r as u32 + 1;
        last_row = r;
        for (c, cell) in row.iter().enumerate() {
            let cell = cell.as_ref();
            let (date, numeric) = kinds[c];
            let c = c as u16;
            if cell.is_empty() {
                continue;
            }
            if date && let Some(dt) = local_cell(cell) {
                sheet.write_datetime(r, c, &dt)?;
            } else if let (true, Ok(n)) = (numeric, cell.parse::<f64>()) {
                sheet.write_number(r, c, n)?;
            } else {
                sheet.write_string(r, c, fit_cell(cell))?;
            }
        }
    }
    for (c, w) in spec.widths.iter().enumerate() {
        sheet.set_column_width(c as u16, *w)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let last_col = spec.headers.len() as u16 - 1;
    sheet.autofilter(0, 0, last_row, last_col)?;
    Ok(())
}

/// The Population sheet: every input file with its SHA-256 and row buckets, then the totals.
pub const POPULATION_HEADERS: &[&str] = &[
    "File",
    "Kind",
    "Bytes",
    "SHA-256",
    "Rows read",
    "Accepted",
    "Duplicates",
    "Outside the period",
    "Rejected",
    "Copy in this site",
];

fn population_cells(ctx: &Ctx) -> Vec<Vec<String>> {
    let counts = |a: &crate::model::Accounting| {
        [
            a.rows_read,
            a.accepted,
            a.duplicates,
            a.outside_period,
            a.rejected,
        ]
        .map(|n| n.to_string())
    };
    let mut rows: Vec<Vec<String>> = ctx
        .inputs
        .sources
        .iter()
        .map(|s| {
            let mut row = vec![
                s.path.clone(),
                super::pages::population::source_kind(s.kind).to_string(),
                s.bytes.to_string(),
                s.sha256.clone(),
            ];
            row.extend(counts(&s.accounting));
            row.push(s.copy.clone());
            row
        })
        .collect();
    let mut total = vec![
        "Total".to_string(),
        String::new(),
        String::new(),
        String::new(),
    ];
    total.extend(counts(&ctx.inputs.accounting));
    total.push(String::new());
    rows.push(total);
    rows
}

/// The Sample sheet: one row per pick of every recorded sample.
pub const SAMPLE_HEADERS: &[&str] = &[
    "Sample record",
    "Seed",
    "Size",
    "Drawn by",
    "Drawn on",
    "Incident",
    "Stratum",
    "Created",
    "Severity",
    "Rank",
    "Page",
];

fn sample_cells(ctx: &Ctx) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for record in &ctx.inputs.samples {
        for pick in &record.picks {
            let row = ctx.row_of(pick.number);
            let row = row.as_ref();
            rows.push(vec![
                record.source.clone(),
                record.seed.clone(),
                record.size.to_string(),
                record.drawn_by.clone().unwrap_or_default(),
                record.drawn_on.map(|d| d.to_string()).unwrap_or_default(),
                pick.number.to_string(),
                pick.stratum.clone().unwrap_or_default(),
                row.map(|r| r.created.clone()).unwrap_or_default(),
                row.map(|r| r.severity.clone()).unwrap_or_default(),
                pick.rank.clone(),
                row.map(|r| r.href.clone()).unwrap_or_default(),
            ]);
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_times_are_read_as_chrono_reads_them() {
        let chrono_cell = |text: &str| {
            use chrono::{Datelike, Timelike};
            let t = chrono::DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S %:z")
                .ok()?
                .naive_local();
            ExcelDateTime::from_ymd(t.year() as u16, t.month() as u8, t.day() as u8)
                .and_then(|d| d.and_hms(t.hour() as u16, t.minute() as u8, t.second()))
                .ok()
        };
        for text in [
            "2026-01-01 11:15:34 -05:00",
            "2026-12-31 23:59:59 +14:00",
            "2026-03-08 02:30:00 +05:30",
            "2024-02-29 00:00:00 +00:00",
            "2026-02-29 00:00:00 +00:00",
            "2026-13-01 00:00:00 +00:00",
            "2026-01-01 24:00:00 +00:00",
            "2016-12-31 23:59:60 +00:00",
            "2026-01-01 11:15:34 +24:00",
            "2026-01-01 11:15:34 -05:60",
            "2026-01-01 11:15 -05:00",
            "2026-01-01T11:15:34 -05:00",
            "1899-12-31 00:00:00 +00:00",
            "",
        ] {
            let (ours, theirs) = (local_cell(text), chrono_cell(text));
            assert_eq!(
                ours.map(|d| d.to_excel()),
                theirs.map(|d| d.to_excel()),
                "{text}"
            );
        }
        assert!(
            wall_clock("2026-01-01 11:15:34 -05:00").is_some(),
            "fast path"
        );
    }

    #[test]
    fn an_over_long_cell_is_cut_with_a_note() {
        let long = "x".repeat(CELL_LIMIT + 10);
        let cut = fit_cell(&long);
        assert_eq!(cut.chars().count(), CELL_LIMIT);
        assert!(cut.ends_with("truncated: 32777 characters; the full text is in register.csv]"));
        assert_eq!(fit_cell("short"), "short");
    }

    #[test]
    fn formulas_are_defused_but_numbers_kept() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("-5"), "-5");
        assert_eq!(defuse("@cmd"), "'@cmd");
        assert_eq!(defuse("plain"), "plain");
    }
}
