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

mod draw;
mod plot;

use draw::{Key, LATE, LOOKS, Look, MEDIAN, MISSING, ON_TIME, P90, PENDING, UNKNOWN};
use plot::{Bars, HBars, Lines, Panel, Scale};

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

/// Fewest times a month needs for a median to be shown.
pub const MIN_SAMPLES_MEDIAN: usize = 1;
/// Fewest times a month needs for a 90th percentile to be shown.
pub const MIN_SAMPLES_P90: usize = 10;

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

/// The value at nearest rank ⌈p/100 · n⌉ of the values (sorted here), or `None` when empty.
pub fn nearest_rank(values: &[i64], percentile: u32) -> Option<i64> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let n = sorted.len();
    let rank = (percentile as usize * n).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
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

/// The count chart's series: the policy's levels in order, then levels found only in the data
/// (`unclassified`) that have incidents, so every month's segments add up to its total.
fn count_series(months: &[MonthFacts], levels: &[SeverityLevel]) -> Vec<(String, String)> {
    let mut series: Vec<(String, String)> = levels
        .iter()
        .map(|l| (l.level.clone(), level_label(l)))
        .collect();
    for s in months.iter().flat_map(|m| &m.by_severity) {
        if s.incidents > 0 && !series.iter().any(|(code, _)| *code == s.level) {
            series.push((s.level.clone(), s.level.clone()));
        }
    }
    series
}

/// Table rows `month, count…, total` for per-month counts.
fn count_rows<C: AsRef<[u64]>>(months: &[MonthFacts], counts: &[C]) -> Vec<Vec<String>> {
    months
        .iter()
        .zip(counts)
        .map(|(m, c)| {
            let c = c.as_ref();
            let mut row = vec![m.month.clone()];
            row.extend(c.iter().map(u64::to_string));
            row.push(c.iter().sum::<u64>().to_string());
            row
        })
        .collect()
}

/// Chart 1: incidents per month, stacked by severity.
pub fn incidents_per_month(months: &[MonthFacts], levels: &[SeverityLevel]) -> Chart {
    const TITLE: &str = "Incidents per month by severity";
    let series = count_series(months, levels);
    let counts: Vec<Vec<u64>> = months
        .iter()
        .map(|m| {
            series
                .iter()
                .map(|(code, _)| severity(m, code).map_or(0, |s| s.incidents))
                .collect()
        })
        .collect();
    let totals: Vec<u64> = counts.iter().map(|c| c.iter().sum()).collect();
    let looks: Vec<Look> = (0..series.len()).map(|i| LOOKS[i % LOOKS.len()]).collect();
    let legend = series
        .iter()
        .zip(&looks)
        .map(|((_, label), look)| (label.clone(), Key::Bar(*look)))
        .collect();
    let names = month_names(months);
    let svg = plot::stacked_bars(&Bars {
        title: TITLE,
        legend,
        months: &names,
        looks,
        values: counts
            .iter()
            .map(|c| c.iter().map(|v| *v as f64).collect())
            .collect(),
        labels: totals.iter().map(u64::to_string).collect(),
        scale: Scale::nice(totals.iter().copied().max().unwrap_or(0) as f64, true),
        value_title: "incidents (count)",
        month_title: MONTH_AXIS,
    });
    let labels: Vec<&str> = series.iter().map(|(_, l)| l.as_str()).collect();
    let description = format!(
        "Stacked bar chart of the {} in-period incidents by the calendar month they were created \
         in (organization's time zone), {}, one segment per severity ({}), told apart by colour \
         and fill pattern as in the legend. The number above each bar is the month's total; a \
         month without incidents shows 0 and no bar. Vertical axis: incidents (count), from zero.",
        totals.iter().sum::<u64>(),
        period_text(months),
        labels.join(", ")
    );
    let mut headers = vec!["Month".to_string()];
    headers.extend(labels.iter().map(|l| l.to_string()));
    headers.push("Total".to_string());
    let rows = count_rows(months, &counts);
    let table = DataTable {
        caption: format!("{TITLE}, {}", period_text(months)),
        headers,
        rows,
        notes: vec![],
    };
    chart("incidents-per-month.svg", TITLE, description, &svg, table)
}

/// Which response a timing chart is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Response {
    Acknowledge,
    Resolve,
}

impl Response {
    fn times(self, s: &MonthSeverity) -> &[i64] {
        match self {
            Response::Acknowledge => &s.ack_times,
            Response::Resolve => &s.resolve_times,
        }
    }

    fn target(self, level: &SeverityLevel) -> Option<Target> {
        match self {
            Response::Acknowledge => level.ack,
            Response::Resolve => level.resolve,
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Response::Acknowledge => "acknowledge",
            Response::Resolve => "resolve",
        }
    }
}

/// Seconds → a chart unit: minutes up to two hours, hours beyond.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Minutes,
    Hours,
}

impl Unit {
    fn for_max(secs: i64) -> Unit {
        if secs <= 2 * 3600 {
            Unit::Minutes
        } else {
            Unit::Hours
        }
    }

    fn convert(self, secs: i64) -> f64 {
        match self {
            Unit::Minutes => secs as f64 / 60.0,
            Unit::Hours => secs as f64 / 3600.0,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Unit::Minutes => "minutes",
            Unit::Hours => "hours",
        }
    }
}

/// A month's statistic as the table shows it.
fn stat_cell(n: usize, min: usize, value: Option<i64>) -> String {
    match value {
        _ if n == 0 => "none".to_string(),
        Some(secs) if n >= min => human_duration(secs),
        _ => format!("too few ({n})"),
    }
}

fn target_text(target: Option<Target>) -> String {
    match target {
        Some(Target::Elapsed(secs)) => human_target(secs),
        Some(Target::NextBusinessDay) => "next business day".to_string(),
        None => "none".to_string(),
    }
}

/// One month's sample size, and its median and 90th percentile where the sample is big enough.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct MonthStats {
    n: usize,
    median: Option<i64>,
    p90: Option<i64>,
}

impl MonthStats {
    fn of(times: &[i64]) -> MonthStats {
        let n = times.len();
        MonthStats {
            n,
            median: (n >= MIN_SAMPLES_MEDIAN)
                .then(|| nearest_rank(times, 50))
                .flatten(),
            p90: (n >= MIN_SAMPLES_P90)
                .then(|| nearest_rank(times, 90))
                .flatten(),
        }
    }
}

/// One severity's timing panel and its table rows.
fn timing_panel(
    response: Response,
    months: &[MonthFacts],
    level: &SeverityLevel,
) -> (Panel, Vec<Vec<String>>) {
    let target = response.target(level);
    let stats: Vec<MonthStats> = months
        .iter()
        .map(|m| MonthStats::of(severity(m, &level.level).map_or(&[][..], |s| response.times(s))))
        .collect();
    let target_secs = match target {
        Some(Target::Elapsed(secs)) => Some(secs),
        _ => None,
    };
    let max = stats
        .iter()
        .flat_map(|s| [s.median, s.p90])
        .chain([target_secs])
        .flatten()
        .max()
        .unwrap_or(0);
    let unit = Unit::for_max(max);
    let heading = match target {
        Some(Target::Elapsed(secs)) => {
            format!("{}, target {}", level_label(level), human_target(secs))
        }
        Some(Target::NextBusinessDay) => {
            format!(
                "{}, target next business day (not drawn)",
                level_label(level)
            )
        }
        None => format!("{}, no target", level_label(level)),
    };
    let series = |pick: fn(&MonthStats) -> Option<i64>| {
        stats
            .iter()
            .map(|s| pick(s).map(|v| unit.convert(v)))
            .collect()
    };
    let panel = Panel {
        heading,
        value_title: unit.name().to_string(),
        scale: Scale::nice(unit.convert(max), false),
        series: vec![(MEDIAN, series(|s| s.median)), (P90, series(|s| s.p90))],
        target: target_secs.map(|s| unit.convert(s)),
        counts: stats.iter().map(|s| s.n.to_string()).collect(),
    };
    let rows = months
        .iter()
        .zip(&stats)
        .map(|(m, s)| {
            vec![
                m.month.clone(),
                level.level.clone(),
                s.n.to_string(),
                stat_cell(s.n, MIN_SAMPLES_MEDIAN, s.median),
                stat_cell(s.n, MIN_SAMPLES_P90, s.p90),
                target_text(target),
            ]
        })
        .collect();
    (panel, rows)
}

/// Charts 2 and 3: one panel per policy severity with median, 90th percentile and target.
fn response_times(response: Response, months: &[MonthFacts], scope: &Scope<'_>) -> Chart {
    let verb = response.verb();
    let title = format!(
        "Time to {verb} per month{}: median and 90th percentile",
        scope.name
    );
    let mut panels = Vec::new();
    let mut rows = Vec::new();
    for level in scope.levels {
        let (panel, level_rows) = timing_panel(response, months, level);
        panels.push(panel);
        rows.extend(level_rows);
    }
    let undrawn: Vec<&str> = scope
        .levels
        .iter()
        .filter(|l| response.target(l) == Some(Target::NextBusinessDay))
        .map(|l| l.level.as_str())
        .collect();
    let names = month_names(months);
    let svg = plot::line_panels(&Lines {
        title: &title,
        legend: vec![
            ("median".to_string(), Key::Line(MEDIAN)),
            ("90th percentile".to_string(), Key::Line(P90)),
            ("target".to_string(), Key::Target),
        ],
        months: &names,
        panels,
        panel_height: 110,
        month_title: MONTH_AXIS,
        empty: "The policy defines no severity levels",
    });
    let sample_rule = format!(
        "A 90th percentile needs at least {MIN_SAMPLES_P90} times in the month and a median at \
         least {MIN_SAMPLES_MEDIAN}; a month with fewer shows no point and the table says \
         \"too few (n)\"."
    );
    let mut notes = vec![NEAREST_RANK.to_string(), sample_rule.clone()];
    if !undrawn.is_empty() {
        notes.push(format!(
            "{}: the target is the next business day, whose deadline depends on each incident's \
             creation time, so no fixed target line can be drawn.",
            undrawn.join(", ")
        ));
    }
    notes.push(
        "Incidents without a severity have no target and are not shown here; they are counted \
         in the incidents-per-month chart."
            .to_string(),
    );
    let description = format!(
        "Line charts, one panel per severity, of the time from an incident's creation to its \
         {verb} in each calendar month (organization's time zone), {}: the median (solid line, \
         circles) and the 90th percentile (dashed line, triangles), with the severity's target \
         as a dotted horizontal line. Each panel's vertical axis starts at zero and is in the \
         unit its label gives; the small figures under a panel are the month's number of times \
         (n). {} {}",
        period_text(months),
        NEAREST_RANK,
        sample_rule
    );
    let table = DataTable {
        caption: format!("{title}, {}", period_text(months)),
        headers: [
            "Month",
            "Severity",
            "Times",
            "Median",
            "90th percentile",
            "Target",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        notes,
    };
    let file = format!("time-to-{verb}{}.svg", scope.suffix);
    chart(&file, &title, description, &svg, table)
}

/// Chart 2: time to acknowledge per month per severity.
pub fn time_to_acknowledge(months: &[MonthFacts], levels: &[SeverityLevel]) -> Chart {
    response_times(Response::Acknowledge, months, &Scope::all(levels))
}

/// Chart 3: time to resolve per month per severity.
pub fn time_to_resolve(months: &[MonthFacts], levels: &[SeverityLevel]) -> Chart {
    response_times(Response::Resolve, months, &Scope::all(levels))
}

/// Chart 4: share of judged incidents acknowledged within target, per month and severity.
pub fn acknowledged_within_target(months: &[MonthFacts], levels: &[SeverityLevel]) -> Chart {
    ack_share(months, &Scope::all(levels))
}

fn ack_share(months: &[MonthFacts], scope: &Scope<'_>) -> Chart {
    let levels = scope.levels;
    let title = format!(
        "Incidents acknowledged within target, per month{}",
        scope.name
    );
    let mut series = Vec::new();
    let mut legend = Vec::new();
    let mut rows = Vec::new();
    for (i, level) in levels.iter().enumerate() {
        let look = LOOKS[i % LOOKS.len()];
        let label = match level.ack {
            Some(_) => level_label(level),
            None => format!("{} (no target)", level_label(level)),
        };
        legend.push((label, Key::Line(look)));
        let mut values = Vec::new();
        for m in months {
            let (met, breached) =
                severity(m, &level.level).map_or((0, 0), |s| (s.ack_met, s.ack_breached));
            let judged = met + breached;
            let share = (judged > 0).then(|| percent(met, judged));
            values.push(share);
            rows.push(vec![
                m.month.clone(),
                level.level.clone(),
                met.to_string(),
                breached.to_string(),
                share.map_or_else(|| "none judged".to_string(), format_percent),
            ]);
        }
        series.push((look, values));
    }
    let names = month_names(months);
    let svg = plot::line_panels(&Lines {
        title: &title,
        legend,
        months: &names,
        panels: if levels.is_empty() {
            vec![]
        } else {
            vec![Panel {
                heading: String::new(),
                value_title: "% of judged incidents".to_string(),
                scale: Scale::percent(),
                series,
                target: None,
                counts: vec![],
            }]
        },
        panel_height: 230,
        month_title: MONTH_AXIS,
        empty: "The policy defines no severity levels",
    });
    let description = format!(
        "Line chart of the share of incidents acknowledged within their severity's target, per \
         calendar month (organization's time zone), {}, one line per severity, told apart by \
         colour, marker and dash as in the legend; points of one month are set slightly apart \
         so equal values stay visible. The share is met ÷ (met + breached); incidents still \
         pending or without acknowledgement data are not judged. A month with no judged \
         incident has no point. Vertical axis: percent, 0 to 100.",
        period_text(months)
    );
    let table = DataTable {
        caption: format!("{title}, {}", period_text(months)),
        headers: ["Month", "Severity", "Met", "Breached", "Within target"]
            .map(String::from)
            .to_vec(),
        rows,
        notes: vec![
            "Within target = met ÷ (met + breached); pending and no-data incidents are not \
             judged."
                .to_string(),
        ],
    };
    chart(
        &format!("acknowledged-within-target{}.svg", scope.suffix),
        &title,
        description,
        &svg,
        table,
    )
}

/// Chart 5: postmortems per month by state.
pub fn postmortems_per_month(months: &[MonthFacts]) -> Chart {
    const TITLE: &str = "Postmortems per month";
    let states: [(&str, Look); 4] = [
        ("on time", ON_TIME),
        ("late", LATE),
        ("missing", MISSING),
        ("pending", PENDING),
    ];
    let counts: Vec<[u64; 4]> = months
        .iter()
        .map(|m| {
            [
                m.postmortems_on_time,
                m.postmortems_late,
                m.postmortems_missing,
                m.postmortems_pending,
            ]
        })
        .collect();
    let totals: Vec<u64> = counts.iter().map(|c| c.iter().sum()).collect();
    let names = month_names(months);
    let svg = plot::stacked_bars(&Bars {
        title: TITLE,
        legend: states
            .iter()
            .map(|(name, look)| (name.to_string(), Key::Bar(*look)))
            .collect(),
        months: &names,
        looks: states.iter().map(|(_, look)| *look).collect(),
        values: counts
            .iter()
            .map(|c| c.iter().map(|v| *v as f64).collect())
            .collect(),
        labels: totals.iter().map(u64::to_string).collect(),
        scale: Scale::nice(totals.iter().copied().max().unwrap_or(0) as f64, true),
        value_title: "postmortems (count)",
        month_title: "month of the incident (organization's time zone)",
    });
    let description = format!(
        "Stacked bar chart of the {} incidents requiring a postmortem, by the calendar month \
         the incident was created in (organization's time zone), {}: postmortem completed on \
         time, late, missing (overdue and not completed) or pending (not yet due), told apart by \
         colour and fill pattern as in the legend. The number above each bar is the month's \
         total. Vertical axis: postmortems (count), from zero.",
        totals.iter().sum::<u64>(),
        period_text(months)
    );
    let rows = count_rows(months, &counts);
    let table = DataTable {
        caption: format!("{TITLE}, {}", period_text(months)),
        headers: ["Month", "On time", "Late", "Missing", "Pending", "Total"]
            .map(String::from)
            .to_vec(),
        rows,
        notes: vec![],
    };
    chart("postmortems-per-month.svg", TITLE, description, &svg, table)
}

/// Chart 6: exceptions by kind, every kind listed (zero included).
pub fn exceptions_by_kind(exceptions: &[Exception]) -> Chart {
    const TITLE: &str = "Exceptions by kind";
    let counts: Vec<(ExceptionKind, u64)> = ExceptionKind::ALL
        .iter()
        .map(|k| {
            (
                *k,
                exceptions.iter().filter(|e| e.kind == *k).count() as u64,
            )
        })
        .collect();
    let bar = MEDIAN;
    let svg = plot::horizontal_bars(&HBars {
        title: TITLE,
        legend: vec![("exceptions".to_string(), Key::Bar(bar))],
        categories: counts.iter().map(|(k, _)| k.name().to_string()).collect(),
        looks: vec![bar],
        values: counts.iter().map(|(_, c)| vec![*c as f64]).collect(),
        labels: counts.iter().map(|(_, c)| c.to_string()).collect(),
        scale: Scale::nice(
            counts.iter().map(|(_, c)| *c).max().unwrap_or(0) as f64,
            true,
        ),
        value_title: "exceptions (count)",
        empty: "No exceptions",
    });
    let description = format!(
        "Horizontal bar chart of the {} exceptions found, one bar per kind in the order of the \
         exceptions page, every kind listed even when it has none. The number after each bar is \
         its count. Horizontal axis: exceptions (count), from zero.",
        exceptions.len()
    );
    let table = DataTable {
        caption: TITLE.to_string(),
        headers: ["Kind", "Criterion", "Count"].map(String::from).to_vec(),
        rows: counts
            .iter()
            .map(|(k, c)| {
                vec![
                    k.name().to_string(),
                    k.criterion().to_string(),
                    c.to_string(),
                ]
            })
            .collect(),
        notes: vec![],
    };
    chart("exceptions-by-kind.svg", TITLE, description, &svg, table)
}

/// Chart 7: pages per responder, split into business hours and off-hours where known.
pub fn oncall_load(load: &[ResponderLoad]) -> Chart {
    const TITLE: &str = "On-call load: pages per responder";
    let mut load = load.to_vec();
    load.sort_by(|a, b| {
        b.pages
            .cmp(&a.pages)
            .then_with(|| a.responder.cmp(&b.responder))
    });
    let split = load.iter().any(|r| r.off_hours.is_some());
    let parts: Vec<(&str, Look)> = if split {
        let mut parts = vec![("business hours", MEDIAN), ("off-hours", LATE)];
        if load.iter().any(|r| r.off_hours.is_none()) {
            parts.push(("hours unknown", UNKNOWN));
        }
        parts
    } else {
        vec![("pages", MEDIAN)]
    };
    let values = load
        .iter()
        .map(|r| match (split, r.off_hours) {
            (false, _) => vec![r.pages as f64],
            (true, Some(off)) => {
                let off = off.min(r.pages);
                vec![(r.pages - off) as f64, off as f64, 0.0]
            }
            (true, None) => vec![0.0, 0.0, r.pages as f64],
        })
        .collect();
    let svg = plot::horizontal_bars(&HBars {
        title: TITLE,
        legend: parts
            .iter()
            .map(|(name, look)| (name.to_string(), Key::Bar(*look)))
            .collect(),
        categories: load.iter().map(|r| r.responder.clone()).collect(),
        looks: parts.iter().map(|(_, look)| *look).collect(),
        values,
        labels: load.iter().map(|r| r.pages.to_string()).collect(),
        scale: Scale::nice(load.iter().map(|r| r.pages).max().unwrap_or(0) as f64, true),
        value_title: "pages (count)",
        empty: "No pages could be attributed to a responder",
    });
    let total: u64 = load.iter().map(|r| r.pages).sum();
    let description = format!(
        "Horizontal bar chart of the {total} in-period pages attributed to {} responders, most \
         paged first{}. The number after each bar is the responder's total. Horizontal axis: \
         pages (count), from zero.",
        load.len(),
        if split {
            ", each bar split into pages in and outside business hours (organization's time zone)"
        } else {
            ""
        }
    );
    let table = DataTable {
        caption: TITLE.to_string(),
        headers: ["Responder", "Pages", "Off-hours pages", "Off-hours share"]
            .map(String::from)
            .to_vec(),
        rows: load
            .iter()
            .map(|r| {
                let (off, share) = match r.off_hours {
                    Some(_) if r.pages == 0 => ("0".to_string(), "none".to_string()),
                    Some(off) => (off.to_string(), format_percent(percent(off, r.pages))),
                    None => ("unknown".to_string(), "unknown".to_string()),
                };
                vec![r.responder.clone(), r.pages.to_string(), off, share]
            })
            .collect(),
        notes: vec![],
    };
    chart("oncall-load.svg", TITLE, description, &svg, table)
}

/// Chart 8: share of time the on-call schedules covered, per month of the period.
pub fn oncall_coverage(months: &[MonthFacts], coverage: &[(String, f64)]) -> Chart {
    const TITLE: &str = "On-call coverage per month";
    let values: Vec<Option<f64>> = months
        .iter()
        .map(|m| {
            coverage
                .iter()
                .find(|(month, _)| *month == m.month)
                .map(|(_, pct)| pct.clamp(0.0, 100.0))
        })
        .collect();
    let bar = ON_TIME;
    let cells: Vec<String> = values
        .iter()
        .map(|v| v.map_or_else(|| "no data".to_string(), format_percent))
        .collect();
    let names = month_names(months);
    let svg = plot::stacked_bars(&Bars {
        title: TITLE,
        legend: vec![("time covered".to_string(), Key::Bar(bar))],
        months: &names,
        looks: vec![bar],
        values: values.iter().map(|v| vec![v.unwrap_or(0.0)]).collect(),
        labels: cells.clone(),
        scale: Scale::percent(),
        value_title: "% of time covered",
        month_title: MONTH_AXIS,
    });
    let description = format!(
        "Bar chart of the share of time the on-call schedules had someone on call, per calendar \
         month (organization's time zone), {}. The figure above each bar is the month's share; \
         \"no data\" marks a month without schedule data. Vertical axis: percent, 0 to 100.",
        period_text(months)
    );
    let table = DataTable {
        caption: format!("{TITLE}, {}", period_text(months)),
        headers: ["Month", "Covered"].map(String::from).to_vec(),
        rows: months
            .iter()
            .zip(cells)
            .map(|(m, cell)| vec![m.month.clone(), cell])
            .collect(),
        notes: vec![],
    };
    chart("oncall-coverage.svg", TITLE, description, &svg, table)
}

#[cfg(test)]
mod tests;
