//! Timing charts: times to acknowledge and to resolve per month, median and 90th percentile.

use super::*;
use crate::evidence::stats::{TimePoints, TimeStats};

/// Which response a timing chart is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Response {
    Acknowledge,
    Resolve,
}

impl Response {
    fn stats(self, s: &MonthSeverity) -> TimeStats {
        match self {
            Response::Acknowledge => s.ack,
            Response::Resolve => s.resolve,
        }
    }

    fn times(self, s: &MonthSeverity) -> &[i64] {
        match self {
            Response::Acknowledge => &s.ack_times,
            Response::Resolve => &s.resolve_times,
        }
    }

    fn breached(self, s: &MonthSeverity) -> u64 {
        match self {
            Response::Acknowledge => s.ack_breached,
            Response::Resolve => s.resolve_breached,
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

/// One severity's timing panel and its table rows.
fn timing_panel(
    response: Response,
    months: &[MonthFacts],
    level: &SeverityLevel,
) -> (Panel, Vec<Vec<String>>) {
    let target = response.target(level);
    let stats: Vec<TimeStats> = months
        .iter()
        .map(|m| {
            severity(m, &level.level)
                .map(|s| response.stats(s))
                .unwrap_or_default()
        })
        .collect();
    let target_secs = match target {
        Some(Target::Elapsed(secs)) => Some(secs),
        _ => None,
    };
    let of_month: Vec<Option<&MonthSeverity>> =
        months.iter().map(|m| severity(m, &level.level)).collect();
    let points: Vec<TimePoints> = of_month
        .iter()
        .map(|s| {
            s.map_or_else(TimePoints::default, |s| {
                TimePoints::of(response.times(s), target_secs)
            })
        })
        .collect();
    let max = stats
        .iter()
        .flat_map(|s| [s.median, s.p90])
        .chain(
            points
                .iter()
                .flat_map(|p| p.within.iter().chain(&p.over).map(|t| Some(*t))),
        )
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
    let series = |pick: fn(&TimeStats) -> Option<i64>| {
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
        points: vec![
            (WITHIN, loose(&points, |p| &p.within, unit)),
            (OVER, loose(&points, |p| &p.over, unit)),
        ],
        counts: stats.iter().map(|s| s.n.to_string()).collect(),
    };
    let rows = months
        .iter()
        .zip(&stats)
        .zip(&of_month)
        .zip(&points)
        .map(|(((m, s), facts), p)| {
            let over: Vec<String> = p.over.iter().map(|t| human_duration(*t)).collect();
            vec![
                m.month.clone(),
                level.level.clone(),
                s.n.to_string(),
                stat_cell(s.n, MIN_SAMPLES_MEDIAN, s.median),
                stat_cell(s.n, MIN_SAMPLES_P90, s.p90),
                target_text(target),
                facts.map_or(0, |f| response.breached(f)).to_string(),
                if over.is_empty() {
                    "none".to_string()
                } else {
                    over.join(", ")
                },
            ]
        })
        .collect();
    (panel, rows)
}

/// One look's values per month in the panel's unit.
fn loose(points: &[TimePoints], pick: fn(&TimePoints) -> &Vec<i64>, unit: Unit) -> Vec<Vec<f64>> {
    points
        .iter()
        .map(|p| pick(p).iter().map(|t| unit.convert(*t)).collect())
        .collect()
}

/// Charts 2 and 3: one panel per policy severity with median, 90th percentile and target.
pub(super) fn response_times(
    response: Response,
    months: &[MonthFacts],
    scope: &Scope<'_>,
) -> Chart {
    let verb = response.verb();
    let title = format!("Time to {verb} per month{}: every breach shown", scope.name);
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
    let svg = lines::line_panels(&Lines {
        title: &title,
        legend: vec![
            ("median".to_string(), Key::Line(MEDIAN)),
            ("90th percentile".to_string(), Key::Line(P90)),
            ("target".to_string(), Key::Target),
            ("one incident".to_string(), Key::Point(WITHIN)),
            ("one incident over target".to_string(), Key::Point(OVER)),
        ],
        months: &names,
        panels,
        panel_height: 110,
        month_title: MONTH_AXIS,
        empty: "The policy defines no severity levels",
    });
    let sample_rule = format!(
        "A 90th percentile needs at least {MIN_SAMPLES_P90} times in the month and a median at \
         least {MIN_SAMPLES_MEDIAN}; a month with fewer shows no such line point and the table says \
         \"too few (n)\"."
    );
    let points_rule = format!(
        "Every time over the target is drawn as its own point (a cross) in every month, and in a \
         month with fewer than {MIN_SAMPLES_P90} times every time is drawn as a point, so no \
         breach hides behind a median. \"Breached\" counts the month's incidents whose \
         {verb} verdict is breached, including those never {verb}d, which have no time to draw."
    );
    let mut notes = vec![
        NEAREST_RANK.to_string(),
        sample_rule.clone(),
        points_rule.clone(),
    ];
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
         as a dotted horizontal line; single incidents' times are drawn as loose points \
         (diamonds within target, crosses over it). Each panel's vertical axis starts at zero and is in the \
         unit its label gives; the small figures under a panel are the month's number of times \
         (n). {} {} {}",
        period_text(months),
        NEAREST_RANK,
        sample_rule,
        points_rule
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
            "Breached",
            "Times over target",
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
