//! The three chart shapes the site uses, laid out on a 720 px wide canvas: stacked bars over
//! months, horizontal bars over named categories, and line panels over months.

use plotters::style::text_anchor::{HPos, VPos};

use super::draw::Painter;
use super::style::{Dash, GRID, INK, Key, LABEL, MUTED, text_width};

pub(super) const WIDTH: u32 = 720;
pub(super) const LEFT: i32 = 76;
pub(super) const RIGHT: i32 = WIDTH as i32 - 20;
/// Room under the plot for month labels (two lines) and the axis title.
pub(super) const BOTTOM_MARGIN: i32 = 56;

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

    pub(super) fn ticks(&self) -> Vec<f64> {
        let n = (self.max / self.step).round() as u32;
        (0..=n).map(|i| f64::from(i) * self.step).collect()
    }

    pub fn label(&self, value: f64) -> String {
        format!("{:.*}", self.decimals, value)
    }
}

/// The plotting rectangle, in pixels.
#[derive(Debug, Clone, Copy)]
pub(super) struct Frame {
    pub left: i32,
    pub top: i32,
    pub right: i32,
    pub bottom: i32,
}

impl Frame {
    /// Pixel row of a value (zero at the bottom).
    pub(super) fn y(&self, value: f64, scale: &Scale) -> i32 {
        let h = f64::from(self.bottom - self.top);
        self.bottom - (value / scale.max * h).round() as i32
    }

    /// Pixel column of a value (zero at the left), for horizontal bars.
    pub(super) fn x(&self, value: f64, scale: &Scale) -> i32 {
        let w = f64::from(self.right - self.left);
        self.left + (value / scale.max * w).round() as i32
    }

    /// Horizontal extent of category `i` of `n`.
    pub(super) fn slot(&self, i: usize, n: usize) -> (i32, i32) {
        let w = i64::from(self.right - self.left);
        let n = n.max(1) as i64;
        let at = |k: i64| self.left + (w * k / n) as i32;
        (at(i as i64), at(i as i64 + 1))
    }

    pub(super) fn centre(&self, i: usize, n: usize) -> i32 {
        let (a, b) = self.slot(i, n);
        (a + b) / 2
    }
}

/// Title at the top left, then the legend; returns the y below them.
pub(super) fn header(p: &Painter<'_>, title: &str, legend: &[(String, Key)]) -> i32 {
    p.text(
        title,
        (16, 10),
        LABEL.size(15).bold().anchor(HPos::Left, VPos::Top),
    );
    p.legend(legend, (16, 36), RIGHT)
}

/// Horizontal gridlines with tick labels, the y axis line and its rotated title.
pub(super) fn value_axis_left(p: &Painter<'_>, f: &Frame, scale: &Scale, title: &str) {
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
pub(super) fn month_label(month: &str) -> (String, Option<&str>) {
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
pub(super) fn month_axis(p: &Painter<'_>, f: &Frame, months: &[String], title: &str, below: i32) {
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
pub(super) fn empty_note(p: &Painter<'_>, f: &Frame, note: &str) {
    let at = ((f.left + f.right) / 2, (f.top + f.bottom) / 2);
    p.text(
        note,
        at,
        LABEL.colour(MUTED).anchor(HPos::Center, VPos::Center),
    );
}

/// The text, cut short with an ellipsis when its estimated width exceeds `max` pixels (the data
/// table keeps the full text).
pub(super) fn fit(text: &str, max: i32, px: u32) -> String {
    if text_width(text, px) <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().collect();
    while !cut.is_empty() && text_width(&cut, px) + text_width("…", px) > max {
        cut.pop();
    }
    format!("{}…", cut.trim_end())
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
