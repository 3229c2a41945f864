//! The three chart shapes the site uses, laid out on a 720 px wide canvas: stacked bars over
//! months, horizontal bars over named categories, and line panels over months.

use plotters::style::text_anchor::{HPos, VPos};

use super::draw::{Dash, GRID, INK, Key, LABEL, Look, MUTED, Painter, paint, text_width};

pub(super) const WIDTH: u32 = 720;
const LEFT: i32 = 76;
const RIGHT: i32 = WIDTH as i32 - 20;
/// Room under the plot for month labels (two lines) and the axis title.
const BOTTOM_MARGIN: i32 = 56;

/// A value axis from zero: ticks at every `step` up to `max`, labelled with fixed decimals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Scale {
    pub max: f64,
    pub step: f64,
    pub decimals: usize,
}

impl Scale {
    /// About five ticks at 1, 2 or 5 × 10^k covering `max_value`. Count axes (`integer`) step by
    /// at least 1 and reach at least 4, so a single incident does not fill the whole height.
    pub fn nice(max_value: f64, integer: bool) -> Scale {
        let floor = if integer { 4.0 } else { 1.0 };
        let max_value = if max_value.is_finite() {
            max_value.max(floor)
        } else {
            floor
        };
        let raw = max_value / 5.0;
        // Power of ten at or below `raw`, by multiplication only (no libm: bit-identical everywhere).
        let mut magnitude = 1.0_f64;
        let mut decimals = 0_usize;
        while magnitude * 10.0 <= raw {
            magnitude *= 10.0;
        }
        while magnitude > raw && !(integer && magnitude <= 1.0) {
            magnitude /= 10.0;
            decimals += 1;
        }
        let step = [1.0, 2.0, 5.0, 10.0]
            .into_iter()
            .map(|m| m * magnitude)
            .find(|s| *s >= raw)
            .unwrap_or(10.0 * magnitude);
        if step >= 1.0 {
            decimals = 0;
        }
        let ticks = (max_value / step).ceil();
        Scale {
            max: ticks * step,
            step,
            decimals,
        }
    }

    pub fn percent() -> Scale {
        Scale {
            max: 100.0,
            step: 20.0,
            decimals: 0,
        }
    }

    fn ticks(&self) -> Vec<f64> {
        let n = (self.max / self.step).round() as u32;
        (0..=n).map(|i| f64::from(i) * self.step).collect()
    }

    pub fn label(&self, value: f64) -> String {
        format!("{:.*}", self.decimals, value)
    }
}

/// The plotting rectangle, in pixels.
#[derive(Debug, Clone, Copy)]
struct Frame {
    left: i32,
    top: i32,
    right: i32,
    bottom: i32,
}

impl Frame {
    /// Pixel row of a value (zero at the bottom).
    fn y(&self, value: f64, scale: &Scale) -> i32 {
        let h = f64::from(self.bottom - self.top);
        self.bottom - (value / scale.max * h).round() as i32
    }

    /// Pixel column of a value (zero at the left), for horizontal bars.
    fn x(&self, value: f64, scale: &Scale) -> i32 {
        let w = f64::from(self.right - self.left);
        self.left + (value / scale.max * w).round() as i32
    }

    /// Horizontal extent of category `i` of `n`.
    fn slot(&self, i: usize, n: usize) -> (i32, i32) {
        let w = i64::from(self.right - self.left);
        let n = n.max(1) as i64;
        let at = |k: i64| self.left + (w * k / n) as i32;
        (at(i as i64), at(i as i64 + 1))
    }

    fn centre(&self, i: usize, n: usize) -> i32 {
        let (a, b) = self.slot(i, n);
        (a + b) / 2
    }
}

/// Title at the top left, then the legend; returns the y below them.
fn header(p: &Painter<'_>, title: &str, legend: &[(String, Key)]) -> i32 {
    p.text(
        title,
        (16, 10),
        LABEL.size(15).bold().anchor(HPos::Left, VPos::Top),
    );
    p.legend(legend, (16, 36), RIGHT)
}

/// Horizontal gridlines with tick labels, the y axis line and its rotated title.
fn value_axis_left(p: &Painter<'_>, f: &Frame, scale: &Scale, title: &str) {
    for tick in scale.ticks() {
        let y = f.y(tick, scale);
        p.line(&[(f.left, y), (f.right, y)], GRID, 1, Dash::Solid);
        let label = LABEL.size(11).anchor(HPos::Right, VPos::Center);
        p.text(&scale.label(tick), (f.left - 6, y), label);
    }
    p.line(&[(f.left, f.top), (f.left, f.bottom)], INK, 1, Dash::Solid);
    let at = (f.left - 50, (f.top + f.bottom) / 2);
    p.text(
        title,
        at,
        LABEL.anchor(HPos::Center, VPos::Center).vertical(),
    );
}

/// `2026-03` → ("Mar", "2026"); anything else is shown as it is.
fn month_label(month: &str) -> (String, Option<&str>) {
    const NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let parsed = month
        .split_once('-')
        .and_then(|(y, m)| Some((y, m.parse::<usize>().ok()?)))
        .filter(|(y, m)| y.len() == 4 && (1..=12).contains(m));
    match parsed {
        Some((year, m)) => (NAMES[m - 1].to_string(), Some(year)),
        None => (month.to_string(), None),
    }
}

/// Month names under each slot (every k-th when crowded), the year under the first label and
/// wherever it changes, then the axis title.
fn month_axis(p: &Painter<'_>, f: &Frame, months: &[String], title: &str, below: i32) {
    p.line(
        &[(f.left, f.bottom), (f.right, f.bottom)],
        INK,
        1,
        Dash::Solid,
    );
    let labels = f.bottom + below;
    let n = months.len();
    let (a, b) = f.slot(0, n);
    let slot = (b - a).max(1);
    let every = ((30 + slot - 1) / slot) as usize;
    let mut last_year = None;
    for (i, month) in months.iter().enumerate().step_by(every) {
        let x = f.centre(i, n);
        let (name, year) = month_label(month);
        let small = LABEL.size(11).anchor(HPos::Center, VPos::Top);
        p.text(&name, (x, labels + 6), small);
        if year.is_some() && year != last_year {
            p.text(
                year.unwrap_or_default(),
                (x, labels + 20),
                small.colour(MUTED),
            );
            last_year = year;
        }
    }
    let at = ((f.left + f.right) / 2, labels + 38);
    p.text(title, at, LABEL.anchor(HPos::Center, VPos::Top));
}

/// A note centred in an empty plot ("no data").
fn empty_note(p: &Painter<'_>, f: &Frame, note: &str) {
    let at = ((f.left + f.right) / 2, (f.top + f.bottom) / 2);
    p.text(
        note,
        at,
        LABEL.colour(MUTED).anchor(HPos::Center, VPos::Center),
    );
}

/// Stacked vertical bars, one per month.
pub(super) struct Bars<'a> {
    pub title: &'a str,
    pub legend: Vec<(String, Key)>,
    pub months: &'a [String],
    /// Per series, bottom to top.
    pub looks: Vec<Look>,
    /// `[month][series]`.
    pub values: Vec<Vec<f64>>,
    /// Text above each month's bar (its total), shown for empty months too.
    pub labels: Vec<String>,
    pub scale: Scale,
    pub value_title: &'a str,
    pub month_title: &'a str,
}

pub(super) fn stacked_bars(spec: &Bars<'_>) -> String {
    const HEIGHT: u32 = 380;
    paint(WIDTH, HEIGHT, |p| {
        let top = header(p, spec.title, &spec.legend) + 16;
        let f = Frame {
            left: LEFT,
            top,
            right: RIGHT,
            bottom: HEIGHT as i32 - BOTTOM_MARGIN,
        };
        value_axis_left(p, &f, &spec.scale, spec.value_title);
        let n = spec.months.len();
        for (i, values) in spec.values.iter().enumerate() {
            let (a, b) = f.slot(i, n);
            let inset = (b - a) * 18 / 100;
            let mut stacked = 0.0;
            for (value, look) in values.iter().zip(&spec.looks) {
                if *value > 0.0 {
                    let (y0, y1) = (f.y(stacked, &spec.scale), f.y(stacked + value, &spec.scale));
                    p.bar((a + inset, y1), (b - inset, y0), *look);
                    stacked += value;
                }
            }
            if let Some(label) = spec.labels.get(i) {
                let at = (f.centre(i, n), f.y(stacked, &spec.scale) - 3);
                p.text(label, at, LABEL.size(11).anchor(HPos::Center, VPos::Bottom));
            }
        }
        if n == 0 {
            empty_note(p, &f, "No months in the period");
        }
        month_axis(p, &f, spec.months, spec.month_title, 0);
    })
}

/// Stacked horizontal bars, one per named category.
pub(super) struct HBars<'a> {
    pub title: &'a str,
    pub legend: Vec<(String, Key)>,
    pub categories: Vec<String>,
    pub looks: Vec<Look>,
    /// `[category][series]`.
    pub values: Vec<Vec<f64>>,
    /// Text after each bar (its total).
    pub labels: Vec<String>,
    pub scale: Scale,
    pub value_title: &'a str,
    /// Shown in the plot when there are no categories.
    pub empty: &'a str,
}

pub(super) fn horizontal_bars(spec: &HBars<'_>) -> String {
    const ROW: i32 = 24;
    let widest = spec
        .categories
        .iter()
        .map(|c| text_width(c, 12))
        .max()
        .unwrap_or(0);
    let left = (widest + 28).clamp(120, 320);
    let rows = spec.categories.len().max(3) as i32;
    // The legend's height depends on wrapping; measure it on a throwaway canvas.
    let legend_bottom = {
        let mut bottom = 0;
        paint(WIDTH, 100, |p| bottom = header(p, spec.title, &spec.legend));
        bottom
    };
    let top = legend_bottom + 12;
    let height = top + rows * ROW + 48;
    paint(WIDTH, height as u32, |p| {
        header(p, spec.title, &spec.legend);
        let f = Frame {
            left,
            top,
            right: RIGHT - 40,
            bottom: top + rows * ROW,
        };
        for tick in spec.scale.ticks() {
            let x = f.x(tick, &spec.scale);
            p.line(&[(x, f.top), (x, f.bottom)], GRID, 1, Dash::Solid);
            let label = LABEL.size(11).anchor(HPos::Center, VPos::Top);
            p.text(&spec.scale.label(tick), (x, f.bottom + 6), label);
        }
        p.line(
            &[(f.left, f.bottom), (f.right, f.bottom)],
            INK,
            1,
            Dash::Solid,
        );
        let at = ((f.left + f.right) / 2, f.bottom + 26);
        p.text(spec.value_title, at, LABEL.anchor(HPos::Center, VPos::Top));
        for (i, name) in spec.categories.iter().enumerate() {
            let (y0, y1) = (f.top + i as i32 * ROW + 4, f.top + (i as i32 + 1) * ROW - 4);
            let mid = (y0 + y1) / 2;
            let name = fit(name, f.left - 16, 12);
            p.text(
                &name,
                (f.left - 8, mid),
                LABEL.anchor(HPos::Right, VPos::Center),
            );
            let mut stacked = 0.0;
            for (value, look) in spec.values[i].iter().zip(&spec.looks) {
                if *value > 0.0 {
                    let (x0, x1) = (f.x(stacked, &spec.scale), f.x(stacked + value, &spec.scale));
                    p.bar((x0, y0), (x1, y1), *look);
                    stacked += value;
                }
            }
            if let Some(label) = spec.labels.get(i) {
                let at = (f.x(stacked, &spec.scale) + 5, mid);
                p.text(label, at, LABEL.size(11).anchor(HPos::Left, VPos::Center));
            }
        }
        p.line(&[(f.left, f.top), (f.left, f.bottom)], INK, 1, Dash::Solid);
        if spec.categories.is_empty() {
            empty_note(p, &f, spec.empty);
        }
    })
}

/// The text, cut short with an ellipsis when its estimated width exceeds `max` pixels (the data
/// table keeps the full text).
fn fit(text: &str, max: i32, px: u32) -> String {
    if text_width(text, px) <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().collect();
    while !cut.is_empty() && text_width(&cut, px) + text_width("…", px) > max {
        cut.pop();
    }
    format!("{}…", cut.trim_end())
}

/// One panel of a line chart: its own value axis, series and optional target line.
pub(super) struct Panel {
    /// Bold line above the panel (`P1 Critical · target 5m`); empty for single-panel charts.
    pub heading: String,
    pub value_title: String,
    pub scale: Scale,
    /// `(look, value per month)`; `None` leaves the month without a point and breaks the line.
    pub series: Vec<(Look, Vec<Option<f64>>)>,
    pub target: Option<f64>,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_scales() {
        let s = Scale::nice(0.0, true);
        assert_eq!((s.max, s.step, s.decimals), (4.0, 1.0, 0));
        let s = Scale::nice(23.0, true);
        assert_eq!((s.max, s.step, s.decimals), (25.0, 5.0, 0));
        let s = Scale::nice(7.0, false);
        assert_eq!((s.max, s.step, s.decimals), (8.0, 2.0, 0));
        let s = Scale::nice(1.3, false);
        assert_eq!((s.max, s.step, s.decimals), (1.5, 0.5, 1));
        let s = Scale::nice(0.3, false);
        assert_eq!((s.max, s.step, s.decimals), (1.0, 0.2, 1));
        assert_eq!(s.label(0.6000000000000001), "0.6");
    }

    #[test]
    fn month_labels() {
        assert_eq!(month_label("2026-03"), ("Mar".to_string(), Some("2026")));
        assert_eq!(month_label("2026-13"), ("2026-13".to_string(), None));
        assert_eq!(month_label("Q1"), ("Q1".to_string(), None));
    }

    #[test]
    fn long_labels_are_cut_to_fit() {
        assert_eq!(fit("Ana Lima", 200, 12), "Ana Lima");
        let cut = fit(&"x".repeat(100), 100, 12);
        assert!(cut.ends_with('…') && text_width(&cut, 12) <= 100, "{cut}");
    }

    #[test]
    fn slots_tile_the_frame() {
        let f = Frame {
            left: 76,
            top: 0,
            right: 700,
            bottom: 100,
        };
        assert_eq!(f.slot(0, 12).0, 76);
        assert_eq!(f.slot(11, 12).1, 700);
        assert_eq!(f.slot(3, 12).1, f.slot(4, 12).0);
    }
}
