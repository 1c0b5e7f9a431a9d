//! The report's charts, drawn once as plain shapes (lines, polylines, rectangles, text) in a
//! top-left coordinate system; the HTML writes them as inline SVG and the PDF as vector paths, so
//! both show the same picture.

/// An RGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Color(pub u8, pub u8, pub u8);

impl Color {
    pub const INK: Self = Self(0x1f, 0x29, 0x37);
    pub const MUTED: Self = Self(0x6b, 0x72, 0x80);
    pub const GRID: Self = Self(0xe5, 0xe7, 0xeb);
    pub const BLUE: Self = Self(0x25, 0x63, 0xeb);
    pub const GREEN: Self = Self(0x16, 0xa3, 0x4a);
    pub const RED: Self = Self(0xdc, 0x26, 0x26);
    pub const AMBER: Self = Self(0xd9, 0x77, 0x06);
    pub const SERIES: [Self; 4] = [Self::BLUE, Self::GREEN, Self::AMBER, Self(0x7c, 0x3a, 0xed)];

    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// 0.0–1.0 components, for PDF operators.
    pub fn unit(self) -> (f32, f32, f32) {
        (f32::from(self.0) / 255.0, f32::from(self.1) / 255.0, f32::from(self.2) / 255.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

/// One drawing instruction.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    Line { from: (f32, f32), to: (f32, f32), color: Color, width: f32, dashed: bool },
    Polyline { points: Vec<(f32, f32)>, color: Color, width: f32 },
    Rect { x: f32, y: f32, w: f32, h: f32, fill: Color },
    Text { at: (f32, f32), text: String, size: f32, anchor: Anchor, color: Color },
}

/// A chart: its size and what to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub width: f32,
    pub height: f32,
    pub shapes: Vec<Shape>,
    /// What the chart shows, for people who cannot see it (the SVG's label).
    pub title: String,
}

/// One line of a line chart: (time in ms, value).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: String,
    pub points: Vec<(i64, f64)>,
    /// Drawn as steps (a running total changes at each point).
    pub steps: bool,
}

/// What a chart plots over time.
#[derive(Clone)]
pub struct TimeChart<'a> {
    pub title: String,
    pub from_ms: i64,
    pub to_ms: i64,
    pub series: Vec<Series>,
    /// Bars: (start ms, value), each `bar_ms` wide.
    pub bars: Vec<(i64, f64)>,
    pub bar_ms: i64,
    /// Vertical dashed lines (the start, the end).
    pub markers: Vec<(i64, String)>,
    /// A horizontal dashed line (tickets sold, against viewers).
    pub guide: Option<(f64, String)>,
    /// How a time and a value are written on the axes.
    pub time_label: &'a dyn Fn(i64) -> String,
    pub value_label: &'a dyn Fn(f64) -> String,
    /// Values are counts (people, tickets): whole steps on the axis.
    pub whole: bool,
}

impl std::fmt::Debug for TimeChart<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimeChart").field("title", &self.title).field("series", &self.series).finish_non_exhaustive()
    }
}

pub const WIDTH: f32 = 640.0;
pub const HEIGHT: f32 = 210.0;
const LEFT: f32 = 56.0;
const RIGHT: f32 = 16.0;
const TOP: f32 = 22.0;
const BOTTOM: f32 = 26.0;
const LABEL: f32 = 9.0;

/// A "nice" axis: 0 to a round maximum in 4 or 5 steps of 1, 2 or 5 × 10ⁿ (whole steps for counts).
pub fn nice_ticks(max: f64, whole: bool) -> Vec<f64> {
    if max.is_nan() || max <= 0.0 {
        return vec![0.0, 1.0];
    }
    let rough = max / 4.0;
    let magnitude = 10f64.powf(rough.log10().floor());
    let step =
        [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * magnitude).find(|s| s * 4.0 >= max).unwrap_or(10.0 * magnitude);
    let step = if whole { step.max(1.0).ceil() } else { step };
    let mut ticks = vec![0.0];
    while ticks.last().is_some_and(|t| *t < max) {
        let next = ticks.len() as f64 * step;
        ticks.push(next);
    }
    ticks
}

impl TimeChart<'_> {
    pub fn draw(&self) -> Figure {
        let mut shapes = Vec::new();
        let plot_w = WIDTH - LEFT - RIGHT;
        let plot_h = HEIGHT - TOP - BOTTOM;
        let span = (self.to_ms - self.from_ms).max(1) as f64;
        let x = |ms: i64| LEFT + (((ms - self.from_ms) as f64 / span).clamp(0.0, 1.0) as f32) * plot_w;
        let highest = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.1))
            .chain(self.bars.iter().map(|b| b.1))
            .chain(self.guide.iter().map(|g| g.0))
            .fold(0.0_f64, f64::max);
        let ticks = nice_ticks(highest, self.whole);
        let top_value = ticks.last().copied().unwrap_or(1.0).max(f64::MIN_POSITIVE);
        let y = |value: f64| TOP + plot_h - ((value / top_value).clamp(0.0, 1.0) as f32) * plot_h;

        for &tick in &ticks {
            let at = y(tick);
            shapes.push(Shape::Line {
                from: (LEFT, at),
                to: (LEFT + plot_w, at),
                color: Color::GRID,
                width: 0.8,
                dashed: false,
            });
            shapes.push(Shape::Text {
                at: (LEFT - 6.0, at + 3.0),
                text: (self.value_label)(tick),
                size: LABEL,
                anchor: Anchor::End,
                color: Color::MUTED,
            });
        }
        for i in 0..=4 {
            let ms = self.from_ms + (span * f64::from(i) / 4.0) as i64;
            let anchor = match i {
                0 => Anchor::Start,
                4 => Anchor::End,
                _ => Anchor::Middle,
            };
            shapes.push(Shape::Text {
                at: (x(ms), HEIGHT - 8.0),
                text: (self.time_label)(ms),
                size: LABEL,
                anchor,
                color: Color::MUTED,
            });
        }
        let bar_w = ((self.bar_ms as f64 / span) as f32 * plot_w - 1.0).max(1.5);
        for &(at, value) in &self.bars {
            let top = y(value);
            shapes.push(Shape::Rect { x: x(at), y: top, w: bar_w, h: TOP + plot_h - top, fill: Color::BLUE });
        }
        for (i, series) in self.series.iter().enumerate() {
            let color = Color::SERIES[i % Color::SERIES.len()];
            let mut points = Vec::with_capacity(series.points.len() * 2);
            for &(at, value) in &series.points {
                if series.steps
                    && let Some(&(_, previous)) = points.last()
                {
                    points.push((x(at), previous));
                }
                points.push((x(at), y(value)));
            }
            if series.steps
                && let Some(&(_, last)) = points.last()
            {
                points.push((x(self.to_ms), last));
            }
            if points.len() == 1 {
                // A single reading still shows: a short flat stroke.
                let (px, py) = points[0];
                points.push((px + 3.0, py));
            }
            shapes.push(Shape::Polyline { points, color, width: 1.8 });
            if self.series.len() > 1 {
                let lx = LEFT + plot_w - 150.0 * (self.series.len() - i) as f32;
                shapes.push(Shape::Rect { x: lx, y: 6.0, w: 10.0, h: 10.0, fill: color });
                shapes.push(Shape::Text {
                    at: (lx + 14.0, 15.0),
                    text: series.label.clone(),
                    size: LABEL,
                    anchor: Anchor::Start,
                    color: Color::INK,
                });
            }
        }
        if let Some((value, label)) = &self.guide {
            let at = y(*value);
            shapes.push(Shape::Line {
                from: (LEFT, at),
                to: (LEFT + plot_w, at),
                color: Color::RED,
                width: 1.0,
                dashed: true,
            });
            // At the right end: the start marker's label sits at the left.
            shapes.push(Shape::Text {
                at: (LEFT + plot_w - 4.0, at - 4.0),
                text: label.clone(),
                size: LABEL,
                anchor: Anchor::End,
                color: Color::RED,
            });
        }
        for (at, label) in &self.markers {
            if *at < self.from_ms || *at > self.to_ms {
                continue;
            }
            let px = x(*at);
            shapes.push(Shape::Line {
                from: (px, TOP),
                to: (px, TOP + plot_h),
                color: Color::MUTED,
                width: 1.0,
                dashed: true,
            });
            // A label near the right edge is written to the left of its line, so it is not cut.
            let (lx, anchor) =
                if px > LEFT + plot_w - 40.0 { (px - 3.0, Anchor::End) } else { (px + 3.0, Anchor::Start) };
            shapes.push(Shape::Text {
                at: (lx, TOP - 4.0),
                text: label.clone(),
                size: LABEL,
                anchor,
                color: Color::MUTED,
            });
        }
        shapes.push(Shape::Line {
            from: (LEFT, TOP + plot_h),
            to: (LEFT + plot_w, TOP + plot_h),
            color: Color::MUTED,
            width: 1.0,
            dashed: false,
        });
        Figure { width: WIDTH, height: HEIGHT, shapes, title: self.title.clone() }
    }
}

/// The figure as inline SVG (no script, no external reference; inline SVG in HTML needs no namespace).
pub fn svg(figure: &Figure) -> String {
    use std::fmt::Write;
    let mut out = format!(
        "<svg viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\">",
        figure.width,
        figure.height,
        super::html::escape(&figure.title)
    );
    for shape in &figure.shapes {
        let _ = match shape {
            Shape::Line { from, to, color, width, dashed } => write!(
                out,
                "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{}\" stroke-width=\"{width}\"{}/>",
                from.0,
                from.1,
                to.0,
                to.1,
                color.hex(),
                if *dashed { " stroke-dasharray=\"4 3\"" } else { "" }
            ),
            Shape::Polyline { points, color, width } => {
                let list: Vec<String> = points.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
                write!(
                    out,
                    "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{width}\" stroke-linejoin=\"round\"/>",
                    list.join(" "),
                    color.hex()
                )
            }
            Shape::Rect { x, y, w, h, fill } => {
                write!(
                    out,
                    "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{}\"/>",
                    fill.hex()
                )
            }
            Shape::Text { at, text, size, anchor, color } => write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"{size}\" text-anchor=\"{}\" fill=\"{}\">{}</text>",
                at.0,
                at.1,
                match anchor {
                    Anchor::Start => "start",
                    Anchor::Middle => "middle",
                    Anchor::End => "end",
                },
                color.hex(),
                super::html::escape(text)
            ),
        };
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_are_round() {
        assert_eq!(nice_ticks(0.0, true), [0.0, 1.0]);
        assert_eq!(nice_ticks(1.0, true), [0.0, 1.0]);
        assert_eq!(nice_ticks(1.0, false), [0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(nice_ticks(7.0, true), [0.0, 2.0, 4.0, 6.0, 8.0]);
        assert_eq!(nice_ticks(21.0, true), [0.0, 10.0, 20.0, 30.0]);
        assert_eq!(nice_ticks(420.0, true), [0.0, 200.0, 400.0, 600.0]);
        assert_eq!(nice_ticks(2_600_000.0, false).last().copied(), Some(3_000_000.0));
    }

    #[test]
    fn a_chart_draws_its_series_markers_and_guide() {
        let time = |ms: i64| format!("t{ms}");
        let value = |v: f64| format!("{v}");
        let chart = TimeChart {
            title: "Viewers".into(),
            from_ms: 0,
            to_ms: 100,
            series: vec![Series { label: "main".into(), points: vec![(0, 1.0), (50, 4.0), (100, 2.0)], steps: true }],
            bars: vec![],
            bar_ms: 10,
            markers: vec![(50, "Start".into()), (500, "outside".into())],
            guide: Some((3.0, "Tickets".into())),
            time_label: &time,
            value_label: &value,
            whole: true,
        };
        let figure = chart.draw();
        let polyline = figure.shapes.iter().find_map(|s| match s {
            Shape::Polyline { points, .. } => Some(points.len()),
            _ => None,
        });
        assert_eq!(polyline, Some(6), "three points as steps, to the end");
        let texts: Vec<&str> = figure
            .shapes
            .iter()
            .filter_map(|s| match s {
                Shape::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert!(texts.contains(&"Start") && texts.contains(&"Tickets") && !texts.contains(&"outside"));
        let svg = svg(&figure);
        assert!(svg.starts_with("<svg") && svg.contains("aria-label=\"Viewers\"") && !svg.contains("<script"));
    }
}
