//! Line charts: one or more panels over months, each with its own value axis and target line.

use plotters::style::text_anchor::{HPos, VPos};

use super::draw::{Painter, paint};
use super::plot::*;
use super::style::{Dash, INK, Key, LABEL, Look, MUTED};

/// One panel of a line chart: its own value axis, series and optional target line.
pub(super) struct Panel {
    /// Bold line above the panel (`P1 Critical · target 5m`); empty for single-panel charts.
    pub heading: String,
    pub value_title: String,
    pub scale: Scale,
    /// `(look, value per month)`; `None` leaves the month without a point and breaks the line.
    pub series: Vec<(Look, Vec<Option<f64>>)>,
    pub target: Option<f64>,
    /// `(look, values per month)` drawn as loose markers, spread across the month's slot: the
    /// individual times a median would hide (all of a small month's, every one over target).
    pub points: Vec<(Look, Vec<Vec<f64>>)>,
    /// Sample size per month, written in a small row under the panel; empty for none.
    pub counts: Vec<String>,
}

/// Line panels stacked vertically over a shared month axis.
pub(super) struct Lines<'a> {
    pub title: &'a str,
    pub legend: Vec<(String, Key)>,
    pub months: &'a [String],
    pub panels: Vec<Panel>,
    pub panel_height: i32,
    pub month_title: &'a str,
    /// Shown when there are no panels.
    pub empty: &'a str,
}

pub(super) fn line_panels(spec: &Lines<'_>) -> String {
    const HEADING: i32 = 22;
    const COUNTS: i32 = 14;
    let counts = if spec.panels.iter().any(|p| !p.counts.is_empty()) {
        COUNTS
    } else {
        0
    };
    let gap = 18 + counts;
    let heading = if spec.panels.iter().any(|p| !p.heading.is_empty()) {
        HEADING
    } else {
        0
    };
    let legend_bottom = {
        let mut bottom = 0;
        paint(WIDTH, 100, |p| bottom = header(p, spec.title, &spec.legend));
        bottom
    };
    let count = spec.panels.len().max(1) as i32;
    let top = legend_bottom + 12;
    let height = top + count * (heading + spec.panel_height + gap) - gap + counts + BOTTOM_MARGIN;
    paint(WIDTH, height as u32, |p| {
        header(p, spec.title, &spec.legend);
        let n = spec.months.len();
        let mut y = top;
        let mut frame = Frame {
            left: LEFT,
            top: y,
            right: RIGHT,
            bottom: y + spec.panel_height,
        };
        for panel in &spec.panels {
            let bold = LABEL.bold().anchor(HPos::Left, VPos::Top);
            p.text(&panel.heading, (LEFT, y), bold);
            frame.top = y + heading;
            frame.bottom = frame.top + spec.panel_height;
            draw_panel(p, &frame, panel, n);
            y = frame.bottom + gap;
        }
        if spec.panels.is_empty() {
            empty_note(p, &frame, spec.empty);
        }
        month_axis(p, &frame, spec.months, spec.month_title, counts);
    })
}

fn draw_panel(p: &Painter<'_>, f: &Frame, panel: &Panel, months: usize) {
    value_axis_left(p, f, &panel.scale, &panel.value_title);
    p.line(
        &[(f.left, f.bottom), (f.right, f.bottom)],
        INK,
        1,
        Dash::Solid,
    );
    if let Some(target) = panel.target {
        let y = f.y(target, &panel.scale);
        p.line(&[(f.left, y), (f.right, y)], INK, 2, Dash::Dotted);
    }
    if !panel.counts.is_empty() {
        let small = LABEL.size(10).colour(MUTED);
        p.text(
            "n",
            (f.left - 30, f.bottom + 3),
            small.anchor(HPos::Right, VPos::Top),
        );
        for (i, count) in panel.counts.iter().enumerate() {
            let at = (f.centre(i, months), f.bottom + 3);
            p.text(count, at, small.anchor(HPos::Center, VPos::Top));
        }
    }
    for (look, months_values) in &panel.points {
        for (i, values) in months_values.iter().enumerate() {
            let (a, b) = f.slot(i, months);
            let n = values.len() as i32;
            for (j, v) in values.iter().enumerate() {
                // Evenly spread over the middle of the slot, so equal times stay countable.
                let x = a + (b - a) * (2 * j as i32 + 1) / (2 * n.max(1));
                let x = (a + b) / 2 + (x - (a + b) / 2) * 3 / 4;
                p.marker((x, f.y(*v, &panel.scale)), look.marker, look.fill);
            }
        }
    }
    let k = panel.series.len() as i32;
    for (s, (look, values)) in panel.series.iter().enumerate() {
        // Side-by-side offsets keep equal values (e.g. several severities at 100 %) visible.
        let dodge = (2 * s as i32 - (k - 1)) * 3;
        let point = |i: usize, v: f64| (f.centre(i, months) + dodge, f.y(v, &panel.scale));
        for (i, pair) in values.windows(2).enumerate() {
            if let [Some(a), Some(b)] = pair {
                let line = [point(i, *a), point(i + 1, *b)];
                p.line(&line, look.fill, 2, look.dash);
            }
        }
        for (i, value) in values.iter().enumerate() {
            if let Some(v) = value {
                p.marker(point(i, *v), look.marker, look.fill);
            }
        }
    }
}
