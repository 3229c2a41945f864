//! Drawing primitives over plotters' SVG backend, in pixel coordinates.
//!
//! Everything is placed by our own arithmetic (integer pixels, fixed tick steps) rather than by
//! plotters' mesh and font metrics, so the output depends on nothing but the data: no system fonts
//! (text stays `<text font-family="sans-serif">`), no hash-ordered series, no transcendental float
//! functions whose last bit could differ between C libraries.

use plotters::prelude::*;
use plotters::style::text_anchor::Pos;

use super::style::*;

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

/// The drawing surface handed to a chart's drawing code.
pub(super) struct Painter<'a> {
    area: Area<'a>,
}

/// Drawing into a `String` has no failure mode (the backend only fails on file I/O).
fn drawn<E: std::fmt::Debug>(result: Result<(), E>) {
    result.expect("drawing SVG into a String cannot fail");
}

/// Runs `draw` on a white `width`×`height` canvas and returns plotters' SVG text.
pub(super) fn paint(width: u32, height: u32, draw: impl FnOnce(&Painter<'_>)) -> String {
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        drawn(area.fill(&WHITE));
        let painter = Painter { area };
        draw(&painter);
        drawn(painter.area.present());
    }
    svg
}

impl Painter<'_> {
    pub fn rect(&self, (x0, y0): (i32, i32), (x1, y1): (i32, i32), fill: RGBColor) {
        drawn(
            self.area
                .draw(&Rectangle::new([(x0, y0), (x1, y1)], fill.filled())),
        );
    }

    pub fn outline(&self, (x0, y0): (i32, i32), (x1, y1): (i32, i32), colour: RGBColor) {
        drawn(self.area.draw(&Rectangle::new(
            [(x0, y0), (x1, y1)],
            colour.stroke_width(1),
        )));
    }

    /// A bar segment: fill, hatch pattern and a thin white edge between stacked segments.
    pub fn bar(&self, from: (i32, i32), to: (i32, i32), look: Look) {
        if from.0 == to.0 || from.1 == to.1 {
            return;
        }
        let (x0, x1) = (from.0.min(to.0), from.0.max(to.0));
        let (y0, y1) = (from.1.min(to.1), from.1.max(to.1));
        self.rect((x0, y0), (x1, y1), look.fill);
        self.hatch((x0, y0), (x1, y1), look.hatch, look.hatch_ink);
        // An empty (white) segment needs a visible edge; filled ones are parted by white.
        let edge = if look.fill == WHITE {
            look.hatch_ink
        } else {
            WHITE
        };
        self.outline((x0, y0), (x1, y1), edge);
    }

    /// Pattern lines clipped to the rectangle, anchored to the canvas so stacked segments line up.
    fn hatch(&self, (x0, y0): (i32, i32), (x1, y1): (i32, i32), hatch: Hatch, ink: RGBColor) {
        const STEP: i32 = 6;
        let first = |from: i32| from.div_euclid(STEP) * STEP + STEP;
        let style = ink.mix(0.7).stroke_width(1);
        let mut segments: Vec<[(i32, i32); 2]> = Vec::new();
        if matches!(hatch, Hatch::Horizontal | Hatch::Cross) {
            let mut y = first(y0);
            while y < y1 {
                segments.push([(x0, y), (x1, y)]);
                y += STEP;
            }
        }
        if matches!(hatch, Hatch::Vertical | Hatch::Cross) {
            let mut x = first(x0);
            while x < x1 {
                segments.push([(x, y0), (x, y1)]);
                x += STEP;
            }
        }
        if hatch == Hatch::Diagonal {
            // Lines x + y = c ("/" on screen), clipped to the rectangle.
            let mut c = first(x0 + y0);
            while c < x1 + y1 {
                let (xa, xb) = ((c - y1).max(x0), (c - y0).min(x1));
                if xa < xb {
                    segments.push([(xa, c - xa), (xb, c - xb)]);
                }
                c += STEP;
            }
        }
        for [a, b] in segments {
            drawn(self.area.draw(&PathElement::new(vec![a, b], style)));
        }
    }

    /// A polyline, solid or broken into dashes (computed here: plotters' SVG has no dasharray).
    pub fn line(&self, points: &[(i32, i32)], colour: RGBColor, width: u32, dash: Dash) {
        let style = colour.stroke_width(width);
        let Some((on, off)) = dash.pattern() else {
            drawn(self.area.draw(&PathElement::new(points.to_vec(), style)));
            return;
        };
        // Walk the polyline, carrying the position within the on/off cycle across vertices.
        let mut phase = 0.0_f64;
        for pair in points.windows(2) {
            let ((ax, ay), (bx, by)) = (pair[0], pair[1]);
            let (dx, dy) = (f64::from(bx - ax), f64::from(by - ay));
            let length = (dx * dx + dy * dy).sqrt();
            let mut at = 0.0_f64;
            while at < length {
                let in_on = phase < on;
                let left_in_state = if in_on { on - phase } else { on + off - phase };
                let step = left_in_state.min(length - at);
                if in_on {
                    let p = |t: f64| {
                        (
                            ax + (dx * t / length).round() as i32,
                            ay + (dy * t / length).round() as i32,
                        )
                    };
                    drawn(
                        self.area
                            .draw(&PathElement::new(vec![p(at), p(at + step)], style)),
                    );
                }
                at += step;
                phase = (phase + step) % (on + off);
            }
        }
    }

    pub fn marker(&self, (x, y): (i32, i32), marker: Marker, colour: RGBColor) {
        const R: i32 = 4;
        let fill = colour.filled();
        match marker {
            Marker::Circle => drawn(self.area.draw(&Circle::new((x, y), R, fill))),
            Marker::Square => self.rect((x - R + 1, y - R + 1), (x + R - 1, y + R - 1), colour),
            Marker::Triangle => drawn(self.area.draw(&Polygon::new(
                vec![(x, y - R - 1), (x + R + 1, y + R), (x - R - 1, y + R)],
                fill,
            ))),
            Marker::Diamond => drawn(self.area.draw(&Polygon::new(
                vec![
                    (x, y - R - 1),
                    (x + R + 1, y),
                    (x, y + R + 1),
                    (x - R - 1, y),
                ],
                fill,
            ))),
            Marker::Cross => {
                let style = colour.stroke_width(2);
                drawn(self.area.draw(&PathElement::new(
                    vec![(x - R, y - R), (x + R, y + R)],
                    style,
                )));
                drawn(self.area.draw(&PathElement::new(
                    vec![(x - R, y + R), (x + R, y - R)],
                    style,
                )));
            }
        }
    }

    pub fn text(&self, text: &str, at: (i32, i32), opts: TextOpts) {
        // plotters writes `font-size = size / 1.24`; hand it the size that comes out as `px`.
        let weight = if opts.bold {
            FontStyle::Bold
        } else {
            FontStyle::Normal
        };
        let mut font = FontDesc::new(FontFamily::SansSerif, f64::from(opts.px) * 1.24, weight);
        if opts.vertical {
            font = font.transform(FontTransform::Rotate270);
        }
        let style = TextStyle::from(font)
            .color(&opts.colour)
            .pos(Pos::new(opts.h, opts.v));
        drawn(self.area.draw(&Text::new(text, at, style)));
    }

    /// Legend entries flowing left to right from `(x, y)`, wrapping before `right`;
    /// returns the y just below the last row.
    pub fn legend(&self, entries: &[(String, Key)], (x, y): (i32, i32), right: i32) -> i32 {
        const ROW: i32 = 20;
        let (mut cx, mut cy) = (x, y);
        for (label, key) in entries {
            let width = 22 + text_width(label, 12) + 18;
            if cx > x && cx + width > right {
                cx = x;
                cy += ROW;
            }
            self.key((cx, cy), *key);
            self.text(label, (cx + 22, cy + 7), LABEL);
            cx += width;
        }
        if entries.is_empty() { y } else { cy + ROW }
    }

    fn key(&self, (x, y): (i32, i32), key: Key) {
        match key {
            Key::Bar(look) => {
                self.bar((x, y), (x + 16, y + 14), look);
                self.outline((x, y), (x + 16, y + 14), MUTED);
            }
            Key::Line(look) => {
                self.line(&[(x, y + 7), (x + 16, y + 7)], look.fill, 2, look.dash);
                self.marker((x + 8, y + 7), look.marker, look.fill);
            }
            Key::Point(look) => self.marker((x + 8, y + 7), look.marker, look.fill),
            Key::Target => self.line(&[(x, y + 7), (x + 16, y + 7)], INK, 2, Dash::Dotted),
        }
    }
}

/// Escapes text for an SVG/XML text node or attribute value.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Makes plotters' SVG accessible: `role="img"`, `aria-labelledby`, and `<title>`/`<desc>` as the
/// first children of the root. plotters already writes `viewBox`, so the width and height it
/// keeps only set the default size and CSS can scale the chart.
pub(super) fn finish(svg: &str, id: &str, title: &str, desc: &str) -> String {
    let open_end = svg
        .find('>')
        .expect("plotters SVG starts with an <svg> tag");
    let (open, rest) = svg.split_at(open_end);
    let mut out = String::with_capacity(svg.len() + title.len() + desc.len() + 200);
    out.push_str(open);
    out.push_str(&format!(
        " role=\"img\" aria-labelledby=\"{id}-title {id}-desc\">\n\
         <title id=\"{id}-title\">{}</title>\n<desc id=\"{id}-desc\">{}</desc>",
        escape(title),
        escape(desc)
    ));
    out.push_str(&tidy_font_sizes(&rest[1..]));
    out
}

/// plotters writes `font-size` as `size / 1.24`, e.g. `15.000000000000002`; round to 0.1 px.
fn tidy_font_sizes(svg: &str) -> String {
    use std::sync::OnceLock;
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = RE.get_or_init(|| regex::Regex::new(r#"font-size="([0-9.]+)""#).unwrap());
    re.replace_all(svg, |caps: &regex::Captures<'_>| {
        let size: f64 = caps[1].parse().unwrap_or(12.0);
        let tenths = (size * 10.0).round() as i64;
        if tenths % 10 == 0 {
            format!("font-size=\"{}\"", tenths / 10)
        } else {
            format!("font-size=\"{}.{}\"", tenths / 10, tenths % 10)
        }
    })
    .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn font_sizes_are_tidied() {
        let svg = r#"<text font-size="15.000000000000002">a</text><text font-size="9.5">b</text>"#;
        assert_eq!(
            tidy_font_sizes(svg),
            r#"<text font-size="15">a</text><text font-size="9.5">b</text>"#
        );
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape(r#"<a & "b" 'c'>"#),
            "&lt;a &amp; &quot;b&quot; &apos;c&apos;&gt;"
        );
    }

    #[test]
    fn dashed_lines_are_broken_into_segments() {
        let svg = paint(100, 20, |p| {
            p.line(&[(0, 10), (99, 10)], INK, 2, Dash::Dashed)
        });
        // 99 px of a 7-on/4-off pattern: 9 dashes.
        assert_eq!(svg.matches("<polyline").count(), 9);
    }
}
