//! The incident register as files: `data/register.csv` and `data/register.xlsx`, one row per
//! in-period incident, the same columns as the register page.

use std::path::Path;

use anyhow::{Context, Result};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};

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

pub fn write_xlsx(out: &Path, config: &Config, rows: &[IncidentRowView]) -> Result<()> {
    let bytes = xlsx_bytes(config, rows).map_err(|e| anyhow::anyhow!("register.xlsx: {e}"))?;
    super::write(out, "data/register.xlsx", &bytes)
}

fn xlsx_bytes(
    config: &Config,
    rows: &[IncidentRowView],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use chrono::Datelike;
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
    let sheet = workbook.add_worksheet();
    sheet.set_name("Register")?;
    let bold = Format::new().set_bold();
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in cells(row).iter().enumerate() {
            let c = c as u16;
            let numeric = matches!(
                HEADERS[c as usize],
                "Number" | "Time to acknowledge (s)" | "Time to resolve (s)"
            );
            match cell.parse::<f64>() {
                Ok(n) if numeric => {
                    sheet.write_number(r, c, n)?;
                }
                _ => {
                    sheet.write_string(r, c, fit_cell(cell))?;
                }
            }
        }
    }
    let widths: &[f64] = &[
        8.0, 16.0, 50.0, 18.0, 10.0, 14.0, 12.0, 9.0, 26.0, 26.0, 26.0, 10.0, 12.0, 20.0, 26.0,
        10.0, 12.0, 20.0, 26.0, 20.0, 16.0, 14.0, 16.0, 10.0, 22.0, 12.0,
    ];
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, *w)?;
    }
    sheet.set_freeze_panes(1, 1)?;
    sheet.autofilter(0, 0, rows.len() as u32, HEADERS.len() as u16 - 1)?;
    workbook.save_to_buffer()
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
