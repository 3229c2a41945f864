//! The register as files: `data/register.csv` (one row per in-period incident, the register
//! page's columns), `data/exceptions.csv` (one row per exception) and `data/register.xlsx`, the
//! workbook an auditor files: sheets Register, Exceptions, Population and (when a sample was
//! recorded) Sample, each with a frozen header row and an autofilter, date-times as real Excel
//! date-time cells in the organisation's zone, which each such header names.

use std::path::Path;

use anyhow::{Context, Result};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};

use super::context::Ctx;
use super::views::IncidentRowView;
use crate::config::Config;

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

/// One row's cells as text, in `HEADERS` order.
pub fn cells(row: &IncidentRowView) -> Vec<String> {
    vec![
        row.number.to_string(),
        row.id.clone(),
        row.title.clone(),
        row.service.clone(),
        row.severity.clone(),
        row.severity_source.to_string(),
        row.severity_raw.clone(),
        row.urgency.clone(),
        row.created.clone(),
        row.acknowledged.clone(),
        row.resolved.clone(),
        row.tta_secs.map(|s| s.to_string()).unwrap_or_default(),
        row.tta.clone(),
        row.ack.text.clone(),
        row.ack.deadline.clone(),
        row.ttr_secs.map(|s| s.to_string()).unwrap_or_default(),
        row.ttr.clone(),
        row.resolve.text.clone(),
        row.resolve.deadline.clone(),
        row.responder.clone(),
        row.postmortems.join(" "),
        row.postmortem_status.to_string(),
        row.jira
            .iter()
            .map(|l| l.label.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        row.customer_impact.clone(),
        row.href.clone(),
        row.source.clone(),
        row.class.to_string(),
    ]
}

/// A spreadsheet program treats a leading `=`, `+`, `-` or `@` as a formula; a title from an
/// alert must never run as one (CSV injection), so such cells get a leading apostrophe.
fn defuse(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && cell.parse::<f64>().is_err() {
        format!("'{cell}")
    } else {
        cell.to_string()
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

pub fn write_csv(out: &Path, _config: &Config, rows: &[IncidentRowView]) -> Result<()> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(HEADERS)?;
    for row in rows {
        w.write_record(cells(row).iter().map(|c| defuse(c)))?;
    }
    let bytes = w.into_inner().context("register.csv")?;
    super::write(out, "data/register.csv", &bytes)
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

/// One row per exception, in `EXCEPTION_HEADERS` order (evidence order).
pub fn exception_cells(ctx: &Ctx) -> Vec<Vec<String>> {
    let tz = ctx.tz();
    let ev = ctx.evidence;
    ev.exceptions
        .iter()
        .zip(&ev.exception_ages)
        .map(|(e, age)| {
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
                format!("exceptions.html#{}", super::anchor(&e.id)),
            ]
        })
        .collect()
}

pub fn write_exceptions_csv(ctx: &Ctx) -> Result<()> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(EXCEPTION_HEADERS)?;
    for row in exception_cells(ctx) {
        w.write_record(row.iter().map(|c| defuse(c)))?;
    }
    let bytes = w.into_inner().context("exceptions.csv")?;
    super::write(ctx.out, "data/exceptions.csv", &bytes)
}

pub fn write_xlsx(ctx: &Ctx) -> Result<()> {
    let bytes = xlsx_bytes(ctx).map_err(|e| anyhow::anyhow!("register.xlsx: {e}"))?;
    super::write(ctx.out, "data/register.xlsx", &bytes)
}

/// The wall-clock time of `2026-01-01 11:15:34 -05:00` (as the register writes instants, already
/// in the organisation's zone) as an Excel date-time.
fn local_cell(text: &str) -> Option<ExcelDateTime> {
    use chrono::{Datelike, Timelike};
    let t = chrono::DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S %:z")
        .ok()?
        .naive_local();
    ExcelDateTime::from_ymd(t.year() as u16, t.month() as u8, t.day() as u8)
        .and_then(|d| d.and_hms(t.hour() as u16, t.minute() as u8, t.second()))
        .ok()
}

/// One sheet's worth of text cells: `dates` and `numbers` name the columns written as
/// date-time and number cells (a cell that does not parse stays text).
struct Sheet<'a> {
    name: &'a str,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    dates: &'a [&'a str],
    numbers: &'a [&'a str],
    widths: &'a [f64],
}

fn xlsx_bytes(ctx: &Ctx) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use chrono::Datelike;
    let config = ctx.config;
    let mut workbook = Workbook::new();
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
    let mut sheets = vec![
        Sheet {
            name: "Register",
            headers: headers(HEADERS, DATE_COLUMNS),
            rows: ctx.rows.iter().map(cells).collect(),
            dates: DATE_COLUMNS,
            numbers: &["Number", "Time to acknowledge (s)", "Time to resolve (s)"],
            widths: &[
                8.0, 16.0, 50.0, 18.0, 10.0, 14.0, 12.0, 9.0, 20.0, 20.0, 20.0, 10.0, 12.0, 20.0,
                20.0, 10.0, 12.0, 20.0, 20.0, 20.0, 16.0, 14.0, 16.0, 10.0, 22.0, 40.0, 12.0,
            ],
        },
        Sheet {
            name: "Exceptions",
            headers: headers(EXCEPTION_HEADERS, &["Since"]),
            rows: exception_cells(ctx),
            dates: &["Since"],
            numbers: &["Age (days)"],
            widths: &[
                36.0, 22.0, 10.0, 30.0, 9.0, 18.0, 20.0, 10.0, 18.0, 18.0, 40.0, 40.0, 36.0,
            ],
        },
        Sheet {
            name: "Population",
            headers: POPULATION_HEADERS.iter().map(|h| h.to_string()).collect(),
            rows: population_cells(ctx),
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
        },
    ];
    if !ctx.inputs.samples.is_empty() {
        sheets.push(Sheet {
            name: "Sample",
            headers: headers(SAMPLE_HEADERS, &["Created"]),
            rows: sample_cells(ctx),
            dates: &["Created"],
            numbers: &["Incident", "Size"],
            widths: &[
                34.0, 20.0, 8.0, 18.0, 12.0, 9.0, 14.0, 24.0, 20.0, 10.0, 22.0,
            ],
        });
    }
    let bold = Format::new().set_bold();
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    for sheet_data in &sheets {
        let sheet = workbook.add_worksheet();
        sheet.set_name(sheet_data.name)?;
        for (c, h) in sheet_data.headers.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, h, &bold)?;
        }
        // (date-time, number) per column; a date header carries its zone: `Created (UTC)`.
        let kinds: Vec<(bool, bool)> = sheet_data
            .headers
            .iter()
            .map(|h| {
                let name = h.split(" (").next().unwrap_or("");
                (
                    sheet_data.dates.contains(&name),
                    sheet_data.numbers.contains(&h.as_str()),
                )
            })
            .collect();
        for (r, row) in sheet_data.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let (date, numeric) = kinds[c];
                let c = c as u16;
                if cell.is_empty() {
                    continue;
                }
                if date && let Some(dt) = local_cell(cell) {
                    sheet.write_datetime_with_format(r, c, &dt, &datetime)?;
                } else if let (true, Ok(n)) = (numeric, cell.parse::<f64>()) {
                    sheet.write_number(r, c, n)?;
                } else {
                    sheet.write_string(r, c, fit_cell(cell))?;
                }
            }
        }
        for (c, w) in sheet_data.widths.iter().enumerate() {
            sheet.set_column_width(c as u16, *w)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        let last_col = sheet_data.headers.len() as u16 - 1;
        sheet.autofilter(0, 0, sheet_data.rows.len() as u32, last_col)?;
    }
    workbook.save_to_buffer()
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
            let row = ctx.rows.iter().find(|r| r.number == pick.number);
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
