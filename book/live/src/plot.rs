//! Pictures for the book, drawn as inline SVG from measurements.
//!
//! Two kinds: a [`LinePlot`] (speedup against workers, wall time against
//! K) and a [`Timeline`] (what each thread or request did over time). Both
//! render to a `<figure>` holding an `<svg role="img">` whose `<title>` and
//! `<desc>` are its alt text and state the plotted numbers, followed by a
//! visible caption.
//!
//! Colours are not written into the SVG: every mark carries a class
//! (`s0`…`s5` for series, `k-…` for timeline kinds) and
//! `book/theme/live.css` colours them for mdBook's light and dark themes,
//! with text and axes in the theme's own foreground colour. The SVG holds
//! no blank line, so Markdown keeps it as one HTML block.

use std::fmt::Write as _;

/// Escapes text for SVG and HTML content and attributes.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A number as short as it can be while telling values apart.
fn num(v: f64) -> String {
    if (v == v.round() && v.abs() < 1e6) || v.abs() >= 10.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// Up to about `n` round tick values covering `0..=max`.
fn ticks(max: f64, n: usize) -> Vec<f64> {
    if max <= 0.0 {
        return vec![0.0];
    }
    let raw = max / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let count = (max / step).ceil() as usize;
    (0..=count).map(|i| i as f64 * step).collect()
}

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stroke {
    /// A measured series: a solid line with a dot at every point.
    Measured,
    /// A bound or a model: a dashed line, no dots.
    Model,
}

/// One line of a [`LinePlot`].
#[derive(Clone, Debug)]
pub struct Series {
    /// Legend text.
    pub name: String,
    /// `(x, y)` points in x order.
    pub points: Vec<(f64, f64)>,
    /// Solid and dotted, or dashed.
    pub stroke: Stroke,
    /// Colour slot: `s{class}` in the stylesheet.
    pub class: usize,
}

/// A vertical marker, such as the machine's core count.
#[derive(Clone, Debug)]
pub struct Marker {
    /// Where on the x axis.
    pub x: f64,
    /// The label beside it.
    pub label: String,
}

/// Lines over a numeric x axis.
#[derive(Clone, Debug, Default)]
pub struct LinePlot {
    /// An id unique on the page (for `aria-labelledby`).
    pub id: String,
    /// The heading inside the picture.
    pub title: String,
    /// The x axis's label.
    pub x_label: String,
    /// The y axis's label.
    pub y_label: String,
    /// Values written under the x axis (every x that has a point, usually).
    pub x_ticks: Vec<f64>,
    /// The lines.
    pub series: Vec<Series>,
    /// Vertical markers.
    pub markers: Vec<Marker>,
    /// The alt text: what the picture shows, numbers included.
    pub alt: String,
    /// The caption under the picture (Markdown is not rendered in it).
    pub caption: String,
}

const W: f64 = 680.0;

impl LinePlot {
    /// The figure as one block of HTML.
    pub fn render(&self) -> String {
        let (left, right, top, bottom) = (58.0, 470.0, 34.0, 292.0);
        let h = 340.0;
        let x_max = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.0))
            .chain(self.x_ticks.iter().copied())
            .fold(1.0f64, f64::max);
        let y_data = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.1))
            .fold(0.0f64, f64::max);
        let y_ticks = ticks(y_data * 1.05, 5);
        let y_max = *y_ticks.last().expect("at least one tick");
        let x_min = self.x_ticks.first().copied().unwrap_or(0.0).min(1.0);
        let sx = |x: f64| left + (x - x_min) / (x_max - x_min).max(1e-9) * (right - left);
        let sy = |y: f64| bottom - y / y_max.max(1e-9) * (bottom - top);

        let mut svg = String::new();
        let _ = write!(
            svg,
            r#"<svg class="live-svg" viewBox="0 0 {W} {h}" width="100%" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{title}</title><desc id="{id}-d">{alt}</desc>"#,
            id = self.id,
            title = esc(&self.title),
            alt = esc(&self.alt),
        );
        let _ = write!(
            svg,
            r#"<text class="heading" x="{left}" y="18">{}</text>"#,
            esc(&self.title)
        );
        // Grid and y ticks.
        for t in &y_ticks {
            let y = sy(*t);
            let _ = write!(
                svg,
                r#"<line class="grid" x1="{left}" x2="{right}" y1="{y:.1}" y2="{y:.1}"/><text class="tick" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
                left - 6.0,
                y + 4.0,
                num(*t)
            );
        }
        for t in &self.x_ticks {
            let x = sx(*t);
            let _ = write!(
                svg,
                r#"<line class="axis" x1="{x:.1}" x2="{x:.1}" y1="{bottom}" y2="{:.1}"/><text class="tick" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                bottom + 4.0,
                bottom + 17.0,
                num(*t)
            );
        }
        let _ = write!(
            svg,
            r#"<line class="axis" x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}"/><line class="axis" x1="{left}" x2="{left}" y1="{top}" y2="{bottom}"/><text class="label" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text><text class="label" transform="translate(14 {:.1}) rotate(-90)" text-anchor="middle">{}</text>"#,
            (left + right) / 2.0,
            h - 12.0,
            esc(&self.x_label),
            (top + bottom) / 2.0,
            esc(&self.y_label)
        );
        for m in &self.markers {
            let x = sx(m.x);
            let _ = write!(
                svg,
                r#"<line class="marker" x1="{x:.1}" x2="{x:.1}" y1="{top}" y2="{bottom}"/><text class="marker-label" x="{:.1}" y="{:.1}">{}</text>"#,
                x + 4.0,
                top + 10.0,
                esc(&m.label)
            );
        }
        for s in &self.series {
            let path: Vec<String> = s
                .points
                .iter()
                .map(|&(x, y)| format!("{:.1},{:.1}", sx(x), sy(y)))
                .collect();
            let kind = match s.stroke {
                Stroke::Measured => "measured",
                Stroke::Model => "model",
            };
            let _ = write!(
                svg,
                r#"<polyline class="line {kind} s{}" points="{}"/>"#,
                s.class,
                path.join(" ")
            );
            if s.stroke == Stroke::Measured {
                for &(x, y) in &s.points {
                    let _ = write!(
                        svg,
                        r#"<circle class="dot s{}" cx="{:.1}" cy="{:.1}" r="3.5"><title>{}: {} at {}</title></circle>"#,
                        s.class,
                        sx(x),
                        sy(y),
                        esc(&s.name),
                        num2(y),
                        num(x)
                    );
                }
            }
        }
        // Legend, right of the plot.
        for (i, s) in self.series.iter().enumerate() {
            let y = top + 8.0 + i as f64 * 22.0;
            let kind = match s.stroke {
                Stroke::Measured => "measured",
                Stroke::Model => "model",
            };
            let _ = write!(
                svg,
                r#"<line class="line {kind} s{c}" x1="{:.1}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}"/><text class="legend" x="{:.1}" y="{:.1}">{}</text>"#,
                right + 16.0,
                right + 40.0,
                right + 46.0,
                y + 4.0,
                esc(&s.name),
                c = s.class,
            );
        }
        svg.push_str("</svg>");
        figure("plot", &svg, &self.caption)
    }
}

/// Two decimals: for measured values.
fn num2(v: f64) -> String {
    format!("{v:.2}")
}

fn figure(kind: &str, svg: &str, caption: &str) -> String {
    format!(
        "<figure class=\"live-figure live-{kind}\">{svg}<figcaption>{}</figcaption></figure>\n",
        esc(caption)
    )
}

/// One interval on a timeline lane.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Span {
    /// Lane index.
    pub lane: usize,
    /// Start, in seconds from the timeline's origin.
    pub start: f64,
    /// End, in seconds from the timeline's origin.
    pub end: f64,
    /// Style class: `k-{kind}` in the stylesheet.
    pub kind: String,
}

/// A moment on a timeline lane.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Mark {
    /// Lane index.
    pub lane: usize,
    /// When, in seconds from the timeline's origin.
    pub at: f64,
    /// Style class: `k-{kind}` in the stylesheet.
    pub kind: String,
}

/// One panel of a [`Timeline`]: lanes of spans and marks.
#[derive(Clone, Debug, Default)]
pub struct Panel {
    /// The panel's heading.
    pub title: String,
    /// One label per lane, top to bottom.
    pub lanes: Vec<String>,
    /// Intervals.
    pub spans: Vec<Span>,
    /// Moments.
    pub marks: Vec<Mark>,
}

/// Panels of lanes over a shared time axis.
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    /// An id unique on the page.
    pub id: String,
    /// The heading inside the picture.
    pub title: String,
    /// The panels, top to bottom, on one time scale.
    pub panels: Vec<Panel>,
    /// Legend entries: `(kind, text)`; a kind drawn as a mark if it is
    /// among the marks' kinds.
    pub legend: Vec<(String, String)>,
    /// The time axis ends here (seconds); 0 means at the last event.
    pub until: f64,
    /// Shaded vertical bands, e.g. switch intervals: `(start, end, label)`.
    pub bands: Vec<(f64, f64, String)>,
    /// A scale bar under the panels: a length in seconds and its label
    /// ("one switch interval, 5 ms").
    pub scale: Option<(f64, String)>,
    /// The alt text.
    pub alt: String,
    /// The caption under the picture.
    pub caption: String,
}

impl Timeline {
    /// The figure as one block of HTML.
    pub fn render(&self) -> String {
        let (left, right) = (118.0, W - 16.0);
        let lane_h = |p: &Panel| if p.lanes.len() > 8 { 9.0 } else { 24.0 };
        let end = if self.until > 0.0 {
            self.until
        } else {
            self.panels
                .iter()
                .flat_map(|p| {
                    p.spans
                        .iter()
                        .map(|s| s.end)
                        .chain(p.marks.iter().map(|m| m.at))
                })
                .fold(0.0f64, f64::max)
        };
        let end = end.max(1e-6);
        let sx = |t: f64| left + (t / end).clamp(0.0, 1.0) * (right - left);
        let mut y = 30.0;
        let mut body = String::new();
        let x_ticks = ticks(end * 1e3, 6);
        let x_ticks: Vec<f64> = x_ticks.into_iter().filter(|t| *t <= end * 1e3).collect();
        for p in &self.panels {
            let lh = lane_h(p);
            let _ = write!(
                body,
                r#"<text class="label" x="{left}" y="{:.1}">{}</text>"#,
                y + 4.0,
                esc(&p.title)
            );
            y += 12.0;
            let top = y;
            let height = lh * p.lanes.len() as f64;
            for (a, b, _) in &self.bands {
                let _ = write!(
                    body,
                    r#"<rect class="band" x="{:.1}" y="{top:.1}" width="{:.1}" height="{height:.1}"/>"#,
                    sx(*a),
                    (sx(*b) - sx(*a)).max(0.5)
                );
            }
            for t in &x_ticks {
                let x = sx(t / 1e3);
                let _ = write!(
                    body,
                    r#"<line class="grid" x1="{x:.1}" x2="{x:.1}" y1="{top:.1}" y2="{:.1}"/>"#,
                    top + height
                );
            }
            let every = if p.lanes.len() > 8 { 4 } else { 1 };
            for (i, name) in p.lanes.iter().enumerate() {
                if i % every == 0 || i + 1 == p.lanes.len() {
                    let _ = write!(
                        body,
                        r#"<text class="tick" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
                        left - 6.0,
                        top + lh * i as f64 + lh * 0.5 + 3.5,
                        esc(name)
                    );
                }
            }
            for s in &p.spans {
                let x = sx(s.start);
                let _ = write!(
                    body,
                    r#"<rect class="span k-{}" x="{x:.1}" y="{:.1}" width="{:.1}" height="{:.1}"/>"#,
                    esc(&s.kind),
                    top + lh * s.lane as f64 + 1.0,
                    (sx(s.end) - x).max(0.8),
                    lh - 2.0
                );
            }
            for m in &p.marks {
                let x = sx(m.at);
                let yc = top + lh * m.lane as f64 + lh * 0.5;
                let _ = write!(
                    body,
                    r#"<path class="mark k-{}" d="M{x:.1} {:.1} l4 -6 h-8 z"/>"#,
                    esc(&m.kind),
                    yc - 1.0
                );
            }
            let _ = write!(
                body,
                r#"<line class="axis" x1="{left}" x2="{right}" y1="{:.1}" y2="{:.1}"/>"#,
                top + height,
                top + height
            );
            y = top + height + 10.0;
        }
        for t in &x_ticks {
            let x = sx(t / 1e3);
            let _ = write!(
                body,
                r#"<text class="tick" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                y + 4.0,
                num(*t)
            );
        }
        let _ = write!(
            body,
            r#"<text class="label" x="{:.1}" y="{:.1}" text-anchor="middle">time (ms)</text>"#,
            (left + right) / 2.0,
            y + 20.0
        );
        y += 34.0;
        if let Some((length, label)) = &self.scale {
            let (x0, x1) = (left, sx(*length));
            let _ = write!(
                body,
                r#"<path class="scale" d="M{x0:.1} {:.1} v6 H{x1:.1} v-6"/><text class="legend" x="{:.1}" y="{:.1}">{}</text>"#,
                y - 10.0,
                x1 + 6.0,
                y - 2.0,
                esc(label)
            );
            y += 18.0;
        }
        // Legend in a row.
        let mark_kinds: Vec<&str> = self
            .panels
            .iter()
            .flat_map(|p| p.marks.iter().map(|m| m.kind.as_str()))
            .collect();
        let mut x = left;
        for (kind, text) in &self.legend {
            let width = 22.0 + 6.6 * text.chars().count() as f64;
            if x > left && x + width > right {
                x = left;
                y += 18.0;
            }
            if mark_kinds.contains(&kind.as_str()) {
                let _ = write!(
                    body,
                    r#"<path class="mark k-{}" d="M{:.1} {:.1} l4 -6 h-8 z"/>"#,
                    esc(kind),
                    x + 5.0,
                    y + 2.0
                );
            } else {
                let _ = write!(
                    body,
                    r#"<rect class="span k-{}" x="{x:.1}" y="{:.1}" width="12" height="10"/>"#,
                    esc(kind),
                    y - 7.0
                );
            }
            let _ = write!(
                body,
                r#"<text class="legend" x="{:.1}" y="{:.1}">{}</text>"#,
                x + 16.0,
                y + 2.0,
                esc(text)
            );
            x += width;
        }
        y += 12.0;
        let svg = format!(
            r#"<svg class="live-svg" viewBox="0 0 {W} {y:.0}" width="100%" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{title}</title><desc id="{id}-d">{alt}</desc><text class="heading" x="{left}" y="18">{title}</text>{body}</svg>"#,
            id = self.id,
            title = esc(&self.title),
            alt = esc(&self.alt),
        );
        figure("timeline", &svg, &self.caption)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(ticks(4.2, 5), vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(ticks(1600.0, 6).last(), Some(&2000.0));
        assert_eq!(ticks(0.0, 5), vec![0.0]);
    }

    #[test]
    fn a_plot_states_its_numbers_and_has_no_blank_line() {
        let plot = LinePlot {
            id: "p".into(),
            title: "speedup".into(),
            x_label: "workers".into(),
            y_label: "speedup".into(),
            x_ticks: vec![1.0, 2.0],
            series: vec![Series {
                name: "threads".into(),
                points: vec![(1.0, 1.0), (2.0, 1.9)],
                stroke: Stroke::Measured,
                class: 0,
            }],
            markers: vec![],
            alt: "threads: 1.00 at 1 worker, 1.90 at 2 <".into(),
            caption: "c".into(),
        }
        .render();
        assert!(plot.contains("<desc id=\"p-d\">threads: 1.00 at 1 worker, 1.90 at 2 &lt;</desc>"));
        assert_eq!(plot.matches("<circle").count(), 2);
        assert!(!plot.contains("\n\n"));
    }
}
