//! A small map preview of a page of features, drawn as inline SVG.
//!
//! The page needs no script, tiles or network: the features are drawn in RD metres
//! (north up, true to scale), each one a link to its own page. The table beside it is
//! the accessible alternative, so the drawing is labelled as an image.

use super::escape;
use crate::features::OutlineRd;
use geo::{BoundingRect, Coord, LineString, MultiPolygon, Rect};
use std::fmt::Write as _;

const WIDTH: f64 = 640.0;
const MAX_HEIGHT: f64 = 420.0;
const MARGIN: f64 = 8.0;

/// One feature to draw: where its page is, what to call it, and its geometry.
pub struct Shape<'a> {
    pub href: String,
    pub label: String,
    pub outline: OutlineRd<'a>,
}

/// Maps RD metres onto the drawing, y flipped so north is up.
struct Frame {
    min: Coord<f64>,
    max_y: f64,
    scale: f64,
    height: f64,
}

impl Frame {
    fn fit(bounds: Rect<f64>) -> Frame {
        // A single point or a line has no area; give it a 1 km window.
        let w = bounds.width().max(1000.0);
        let h = bounds.height().max(1000.0);
        let scale = ((WIDTH - 2.0 * MARGIN) / w).min((MAX_HEIGHT - 2.0 * MARGIN) / h);
        let cx = (bounds.min().x + bounds.max().x) / 2.0;
        let cy = (bounds.min().y + bounds.max().y) / 2.0;
        let height = h * scale + 2.0 * MARGIN;
        let half_w = (WIDTH / 2.0) / scale;
        let half_h = (height / 2.0) / scale;
        Frame {
            min: Coord {
                x: cx - half_w,
                y: cy - half_h,
            },
            max_y: cy + half_h,
            scale,
            height,
        }
    }

    fn place(&self, c: Coord<f64>) -> (f64, f64) {
        (
            ((c.x - self.min.x) * self.scale * 10.0).round() / 10.0,
            ((self.max_y - c.y) * self.scale * 10.0).round() / 10.0,
        )
    }
}

fn bounds(shapes: &[Shape<'_>]) -> Option<Rect<f64>> {
    shapes
        .iter()
        .filter_map(|s| match s.outline {
            OutlineRd::Area(mp) => mp.bounding_rect(),
            OutlineRd::Point(c) => Some(Rect::new(c, c)),
        })
        .reduce(|a, b| {
            Rect::new(
                Coord {
                    x: a.min().x.min(b.min().x),
                    y: a.min().y.min(b.min().y),
                },
                Coord {
                    x: a.max().x.max(b.max().x),
                    y: a.max().y.max(b.max().y),
                },
            )
        })
}

/// Writes a ring as path commands, dropping points that round onto the previous one:
/// at preview scale that keeps the page small without changing the picture.
fn write_ring(out: &mut String, ring: &LineString<f64>, frame: &Frame) {
    let mut last = None;
    for (i, c) in ring.0.iter().enumerate() {
        let p = frame.place(*c);
        if last == Some(p) {
            continue;
        }
        let _ = write!(out, "{}{} {}", if i == 0 { 'M' } else { 'L' }, p.0, p.1);
        last = Some(p);
    }
    out.push('Z');
}

fn write_area(out: &mut String, mp: &MultiPolygon<f64>, frame: &Frame) {
    out.push_str(r#"<path d=""#);
    for poly in &mp.0 {
        write_ring(out, poly.exterior(), frame);
        for hole in poly.interiors() {
            write_ring(out, hole, frame);
        }
    }
    out.push_str(r#"">"#);
}

/// The preview as an `<svg>` element, or an empty string when nothing has a geometry.
pub fn preview(shapes: &[Shape<'_>], caption: &str) -> String {
    preview_marked(shapes, &[], caption)
}

/// The preview with a short text (a number in the table beside it) at each point.
///
/// A labelled group, not an image: each shape is a link, and an image's content is
/// presentational, so links inside it would be interactive content hidden from
/// assistive technology (axe's `nested-interactive`).
pub fn preview_marked(
    shapes: &[Shape<'_>],
    marks: &[(Coord<f64>, String)],
    caption: &str,
) -> String {
    let Some(b) = bounds(shapes) else {
        return String::new();
    };
    let frame = Frame::fit(b);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="preview" viewBox="0 0 {WIDTH} {h:.1}" role="group" aria-label="{label}" xmlns="http://www.w3.org/2000/svg">"#,
        h = frame.height,
        label = escape(caption)
    );
    for s in shapes {
        let _ = write!(out, r#"<a href="{}">"#, escape(&s.href));
        match s.outline {
            OutlineRd::Area(mp) => write_area(&mut out, mp, &frame),
            OutlineRd::Point(c) => {
                let (x, y) = frame.place(c);
                let _ = write!(out, r#"<circle cx="{x}" cy="{y}" r="4">"#);
            }
        }
        let _ = write!(out, "<title>{}</title>", escape(&s.label));
        out.push_str(match s.outline {
            OutlineRd::Area(_) => "</path></a>",
            OutlineRd::Point(_) => "</circle></a>",
        });
    }
    for (at, text) in marks {
        let (x, y) = frame.place(*at);
        let _ = write!(
            out,
            r#"<text x="{x}" y="{y}" text-anchor="middle" dominant-baseline="middle" aria-hidden="true">{}</text>"#,
            escape(text)
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn draws_north_up_and_to_scale() {
        let square = MultiPolygon(vec![polygon![
            (x: 150_000.0, y: 460_000.0),
            (x: 152_000.0, y: 460_000.0),
            (x: 152_000.0, y: 462_000.0),
            (x: 150_000.0, y: 462_000.0),
        ]]);
        let shapes = [Shape {
            href: "/x".into(),
            label: "A & B".into(),
            outline: OutlineRd::Area(&square),
        }];
        let svg = preview(&shapes, "kaart");
        assert!(svg.contains("<title>A &amp; B</title>"), "{svg}");
        // The south-west corner is drawn below (larger y than) the north-west one.
        let frame = Frame::fit(bounds(&shapes).unwrap());
        let (_, south) = frame.place(Coord {
            x: 150_000.0,
            y: 460_000.0,
        });
        let (_, north) = frame.place(Coord {
            x: 150_000.0,
            y: 462_000.0,
        });
        assert!(south > north);
        // Square in RD stays square on screen.
        let (x0, _) = frame.place(Coord {
            x: 150_000.0,
            y: 460_000.0,
        });
        let (x1, _) = frame.place(Coord {
            x: 152_000.0,
            y: 460_000.0,
        });
        assert!(((x1 - x0) - (south - north)).abs() < 0.2);
    }

    #[test]
    fn nothing_to_draw_is_no_drawing() {
        assert_eq!(preview(&[], "kaart"), "");
    }
}
