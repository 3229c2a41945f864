//! The charts' visual vocabulary: Okabe–Ito colours, hatches, markers and dashes per series
//! (so no series is told apart by colour alone), and text styles.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Okabe–Ito colours (distinguishable with the common colour-vision deficiencies).
const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
const SKY_BLUE: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
const GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
const YELLOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);
const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
const PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
pub(super) const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub(super) const GRID: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);
pub(super) const MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
const GREY: RGBColor = RGBColor(0xBB, 0xBB, 0xBB);

/// Fill patterns, so that bars stay apart when printed in greyscale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Hatch {
    None,
    Diagonal,
    Horizontal,
    Vertical,
    Cross,
}

/// Point markers, so that lines stay apart without colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Marker {
    Circle,
    Triangle,
    Square,
    Diamond,
    Cross,
}

/// Line patterns as (on, off) pixel lengths; `Solid` is unbroken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dash {
    Solid,
    Dashed,
    Dotted,
    Long,
}

impl Dash {
    pub(super) fn pattern(self) -> Option<(f64, f64)> {
        match self {
            Dash::Solid => None,
            Dash::Dashed => Some((7.0, 4.0)),
            Dash::Dotted => Some((2.0, 3.0)),
            Dash::Long => Some((14.0, 4.0)),
        }
    }
}

/// How one data series looks: colour plus a colour-independent cue for bars and for lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Look {
    pub fill: RGBColor,
    pub hatch: Hatch,
    /// Colour of the hatch lines: white on dark fills, black on light ones.
    pub hatch_ink: RGBColor,
    pub marker: Marker,
    pub dash: Dash,
}

/// Series looks in assignment order (severities in policy order, statuses, ...).
pub(super) const LOOKS: [Look; 7] = [
    look(VERMILLION, Hatch::None, WHITE, Marker::Circle, Dash::Solid),
    look(
        ORANGE,
        Hatch::Diagonal,
        BLACK,
        Marker::Triangle,
        Dash::Dashed,
    ),
    look(BLUE, Hatch::Cross, WHITE, Marker::Square, Dash::Dotted),
    look(
        SKY_BLUE,
        Hatch::Vertical,
        BLACK,
        Marker::Diamond,
        Dash::Long,
    ),
    look(GREEN, Hatch::Horizontal, WHITE, Marker::Cross, Dash::Solid),
    look(PURPLE, Hatch::Diagonal, WHITE, Marker::Circle, Dash::Dashed),
    look(YELLOW, Hatch::None, BLACK, Marker::Triangle, Dash::Dotted),
];

/// Looks with a fixed meaning.
pub(super) const MEDIAN: Look = look(BLUE, Hatch::None, WHITE, Marker::Circle, Dash::Solid);
pub(super) const P90: Look = look(
    VERMILLION,
    Hatch::None,
    WHITE,
    Marker::Triangle,
    Dash::Dashed,
);
pub(super) const ON_TIME: Look = look(GREEN, Hatch::None, WHITE, Marker::Circle, Dash::Solid);
pub(super) const LATE: Look = LOOKS[1];
/// Something that does not exist (a missing postmortem): an empty segment, outlined and
/// cross-hatched in vermillion, never a filled bar.
pub(super) const MISSING: Look = look(
    WHITE,
    Hatch::Cross,
    VERMILLION,
    Marker::Square,
    Dash::Dotted,
);
pub(super) const PENDING: Look = look(
    SKY_BLUE,
    Hatch::Vertical,
    BLACK,
    Marker::Diamond,
    Dash::Long,
);
/// A single time drawn as a point: within target, and over it.
pub(super) const WITHIN: Look = look(SKY_BLUE, Hatch::None, BLACK, Marker::Diamond, Dash::Solid);
pub(super) const OVER: Look = look(BLACK, Hatch::None, WHITE, Marker::Cross, Dash::Solid);
pub(super) const UNKNOWN: Look = look(GREY, Hatch::Horizontal, BLACK, Marker::Square, Dash::Solid);

const fn look(
    fill: RGBColor,
    hatch: Hatch,
    hatch_ink: RGBColor,
    marker: Marker,
    dash: Dash,
) -> Look {
    Look {
        fill,
        hatch,
        hatch_ink,
        marker,
        dash,
    }
}

/// A legend entry's symbol.
#[derive(Debug, Clone, Copy)]
pub(super) enum Key {
    Bar(Look),
    Line(Look),
    /// A loose marker without a line.
    Point(Look),
    /// The dotted black target line.
    Target,
}

/// Text placement and weight.
#[derive(Clone, Copy)]
pub(super) struct TextOpts {
    pub px: u32,
    pub bold: bool,
    pub h: HPos,
    pub v: VPos,
    /// Rotated a quarter turn counter-clockwise (y-axis titles).
    pub vertical: bool,
    pub colour: RGBColor,
}

pub(super) const LABEL: TextOpts = TextOpts {
    px: 12,
    bold: false,
    h: HPos::Left,
    v: VPos::Center,
    vertical: false,
    colour: INK,
};

impl TextOpts {
    pub fn anchor(self, h: HPos, v: VPos) -> Self {
        TextOpts { h, v, ..self }
    }
    pub fn size(self, px: u32) -> Self {
        TextOpts { px, ..self }
    }
    pub fn bold(self) -> Self {
        TextOpts { bold: true, ..self }
    }
    pub fn vertical(self) -> Self {
        TextOpts {
            vertical: true,
            ..self
        }
    }
    pub fn colour(self, colour: RGBColor) -> Self {
        TextOpts { colour, ..self }
    }
}

/// A generous estimate of a label's width in pixels (sans-serif averages ~0.55 em per glyph).
pub(super) fn text_width(text: &str, px: u32) -> i32 {
    let glyphs = i32::try_from(text.chars().count()).unwrap_or(i32::MAX / 16);
    glyphs.saturating_mul(px as i32 * 6) / 10
}
