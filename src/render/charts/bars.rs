//! Bar charts: stacked vertical bars over months, horizontal bars over named categories.

use plotters::style::text_anchor::{HPos, VPos};

use super::draw::paint;
use super::plot::*;
use super::style::{Dash, GRID, INK, Key, LABEL, Look, text_width};

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
