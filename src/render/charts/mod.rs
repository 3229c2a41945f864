//! The site's charts: deterministic, accessible SVG drawn with plotters, each with its figures as
//! a data table (what prints, and what screen readers read).
//!
//! Determinism: text is SVG `<text font-family="sans-serif">` (no system fonts), series are drawn
//! in input order (no hash-ordered iteration), numbers are formatted with fixed decimals, and no
//! clock or time zone is consulted: months arrive already bucketed in the organization's zone.

use serde::Serialize;

pub use crate::evidence::responders::ResponderLoad;
use crate::evidence::{Evidence, Exception, ExceptionKind, MonthFacts, MonthSeverity};
use crate::model::{SeverityLevel, Target};
use crate::util::{human_duration, human_target};

mod bars;
mod counts;
mod draw;
mod lines;
mod oncall;
mod plot;
mod shares;
mod style;
mod timing;

use bars::{Bars, HBars};
use lines::{Lines, Panel};
use plot::Scale;
use style::{
    Key, LATE, LOOKS, Look, MEDIAN, MISSING, ON_TIME, OVER, P90, PENDING, UNKNOWN, WITHIN,
};

pub use counts::{exceptions_by_kind, incidents_per_month, postmortems_per_month};
pub use oncall::{oncall_coverage, oncall_load};
use shares::ack_share;
pub use shares::acknowledged_within_target;
use timing::{Response, response_times};
pub use timing::{time_to_acknowledge, time_to_resolve};

/// One chart: the SVG file's name under `charts/`, its text alternatives and its data.
#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    /// `incidents-per-month.svg`.
    pub file: String,
    pub title: String,
    /// What the chart shows and how its figures were computed (also the SVG's `<desc>`).
    pub description: String,
    pub svg: String,
    pub table: DataTable,
}

/// A chart's figures as an HTML-ready table.
#[derive(Debug, Clone, Serialize)]
pub struct DataTable {
    pub caption: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Method and caveats (percentile method, minimum sample sizes, targets not drawn).
    pub notes: Vec<String>,
}

pub use crate::evidence::stats::{MIN_SAMPLES_MEDIAN, MIN_SAMPLES_P90};

const MONTH_AXIS: &str = "month (organization's time zone)";
const NEAREST_RANK: &str = "Percentiles use the nearest-rank method: the smallest time with at \
     least 50 % (median) or 90 % (90th percentile) of the month's times at or below it.";

/// Every chart, in a fixed order; the coverage chart only when coverage figures exist.
pub fn render_all(
    evidence: &Evidence,
    levels: &[SeverityLevel],
    oncall_load: &[ResponderLoad],
    coverage: &[(String, f64)],
) -> Vec<Chart> {
    render_parts(
        &evidence.months,
        &evidence.exceptions,
        levels,
        oncall_load,
        coverage,
    )
}

/// [`render_all`] over the parts of the evidence the charts read.
pub fn render_parts(
    months: &[MonthFacts],
    exceptions: &[Exception],
    levels: &[SeverityLevel],
    load: &[ResponderLoad],
    coverage: &[(String, f64)],
) -> Vec<Chart> {
    let mut charts = vec![
        incidents_per_month(months, levels),
        time_to_acknowledge(months, levels),
        time_to_resolve(months, levels),
        acknowledged_within_target(months, levels),
        postmortems_per_month(months),
        exceptions_by_kind(exceptions),
        oncall_load(load),
    ];
    if !coverage.is_empty() {
        charts.push(oncall_coverage(months, coverage));
    }
    charts
}

/// The charts for one severity's page: its times to acknowledge and to resolve and its share
/// acknowledged within target, as files `time-to-acknowledge-p1.svg` and so on.
pub fn severity_charts(months: &[MonthFacts], level: &SeverityLevel) -> Vec<Chart> {
    let scope = Scope::one(level);
    vec![
        response_times(Response::Acknowledge, months, &scope),
        response_times(Response::Resolve, months, &scope),
        ack_share(months, &scope),
    ]
}

/// The severities a per-severity chart covers: all of them (dashboard) or one (its page).
struct Scope<'a> {
    levels: &'a [SeverityLevel],
    /// Appended to the file stem (`-p1`).
    suffix: String,
    /// Appended to the title (`, P1 Critical`).
    name: String,
}

impl<'a> Scope<'a> {
    fn all(levels: &'a [SeverityLevel]) -> Self {
        Scope {
            levels,
            suffix: String::new(),
            name: String::new(),
        }
    }

    fn one(level: &'a SeverityLevel) -> Self {
        Scope {
            levels: std::slice::from_ref(level),
            suffix: format!("-{}", crate::util::slug(&level.level)),
            name: format!(", {}", level_label(level)),
        }
    }
}

fn chart(file: &str, title: &str, description: String, svg: &str, table: DataTable) -> Chart {
    let id = format!("chart-{}", file.trim_end_matches(".svg"));
    Chart {
        file: file.to_string(),
        title: title.to_string(),
        svg: draw::finish(svg, &id, title, &description),
        description,
        table,
    }
}

fn month_names(months: &[MonthFacts]) -> Vec<String> {
    months.iter().map(|m| m.month.clone()).collect()
}

fn period_text(months: &[MonthFacts]) -> String {
    match (months.first(), months.last()) {
        (Some(a), Some(b)) if a.month == b.month => a.month.clone(),
        (Some(a), Some(b)) => format!("{} to {}", a.month, b.month),
        _ => "no months".to_string(),
    }
}

fn severity<'a>(month: &'a MonthFacts, level: &str) -> Option<&'a MonthSeverity> {
    month.by_severity.iter().find(|s| s.level == level)
}

/// `P1 Critical`, or just `P1` when the name adds nothing.
fn level_label(level: &SeverityLevel) -> String {
    let name = level.name.trim();
    if name.is_empty() || name.eq_ignore_ascii_case(&level.level) {
        level.level.clone()
    } else {
        format!("{} {}", level.level, name)
    }
}

fn percent(part: u64, whole: u64) -> f64 {
    part as f64 * 100.0 / whole as f64
}

fn format_percent(value: f64) -> String {
    format!("{value:.1}%")
}

#[cfg(test)]
mod tests;
