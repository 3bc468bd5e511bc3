//! The summary's charts, drawn by `plotters` into SVG strings to inline in the HTML:
//! line charts over time, and horizontal bars of each endpoint's latency.
//!
//! The SVG is made for inline use: its `xmlns` attribute (a namespace name, never
//! fetched, but a URL all the same) is dropped, since HTML5 puts an inline `<svg>` in
//! the SVG namespace by itself, and text is drawn in the browser's `sans-serif`.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::timeline::Point;
use super::ReportError;

/// Width of every chart, in pixels.
pub const WIDTH: u32 = 960;
/// Height of a line chart, in pixels.
pub const LINE_HEIGHT: u32 = 300;

pub const BLUE: RGBColor = RGBColor(31, 119, 180);
pub const ORANGE: RGBColor = RGBColor(255, 127, 14);
pub const GREEN: RGBColor = RGBColor(44, 160, 44);
pub const RED: RGBColor = RGBColor(214, 39, 40);
pub const GREY: RGBColor = RGBColor(110, 110, 110);

/// One line of a line chart.
pub struct Line<'a> {
    pub label: &'a str,
    pub color: RGBColor,
    pub points: &'a [Point],
    /// The stroke's width in pixels.
    pub width: u32,
    /// Drawn in dashes, so a line drawn before it shows through the gaps.
    pub dashed: bool,
}

impl<'a> Line<'a> {
    /// A solid line two pixels wide.
    pub fn new(label: &'a str, color: RGBColor, points: &'a [Point]) -> Line<'a> {
        Line {
            label,
            color,
            points,
            width: 2,
            dashed: false,
        }
    }

    /// The same line, `width` pixels wide.
    pub fn width(self, width: u32) -> Line<'a> {
        Line { width, ..self }
    }

    /// The same line, in dashes.
    pub fn dashed(self) -> Line<'a> {
        Line {
            dashed: true,
            ..self
        }
    }
}

/// Dash and gap lengths of a dashed line, in pixels.
const DASH: (u32, u32) = (9, 6);

/// One endpoint's bars: its label, average and p95 in milliseconds.
pub struct LatencyBar {
    pub label: String,
    pub avg_ms: f64,
    pub p95_ms: f64,
}

type Drawn = Result<(), Box<dyn std::error::Error>>;

/// A line chart of `lines` over seconds since the start, as an inline `<svg>`.
pub fn line_chart(title: &str, y_desc: &str, lines: &[Line<'_>]) -> Result<String, ReportError> {
    render(title, (WIDTH, LINE_HEIGHT), |root| {
        draw_lines(root, title, y_desc, lines)
    })
}

/// Horizontal bars of each endpoint's average and p95 response time, as an inline
/// `<svg>`; its height grows with the number of endpoints.
pub fn latency_bars(title: &str, bars: &[LatencyBar]) -> Result<String, ReportError> {
    let height = 90 + 30 * bars.len().max(1) as u32;
    render(title, (WIDTH, height), |root| draw_bars(root, title, bars))
}

/// Runs `draw` on a new SVG canvas of `size` and returns the SVG, ready to inline.
fn render(
    title: &str,
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Drawn,
) -> Result<String, ReportError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        draw(&root)
            .and_then(|()| root.present().map_err(Into::into))
            .map_err(|e| ReportError::Chart {
                chart: title.to_string(),
                message: e.to_string(),
            })?;
    }
    Ok(svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1))
}

fn draw_lines(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    title: &str,
    y_desc: &str,
    lines: &[Line<'_>],
) -> Drawn {
    root.fill(&WHITE)?;
    let points = || lines.iter().flat_map(|line| line.points.iter());
    let x_max = points().map(|p| p.0).fold(0.0, f64::max).max(1.0);
    let y_top = points().map(|p| p.1).fold(0.0, f64::max);
    // Head room for the legend in the upper right.
    let y_max = nice_ceiling(y_top * 1.25).max(1.0);
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(0f64..x_max, 0f64..y_max)?;
    let y_format = |y: &f64| match y_max {
        m if m <= 5.0 => format!("{y:.2}"),
        m if m <= 50.0 => format!("{y:.1}"),
        _ => format!("{y:.0}"),
    };
    chart
        .configure_mesh()
        .x_desc("seconds since start")
        .y_desc(y_desc)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&y_format)
        .max_light_lines(2)
        .light_line_style(RGBColor(242, 242, 242))
        .label_style(("sans-serif", 12))
        .draw()?;
    // In the order given: a later line is drawn over an earlier one, so callers put the
    // widest first and dash the ones drawn over it.
    for line in lines {
        let color = line.color;
        let style = color.stroke_width(line.width);
        // Short runs have few points: mark each, or a single one would not show.
        let marks = if line.points.len() <= 60 { 3 } else { 0 };
        let points = line.points.iter().copied();
        if line.dashed {
            chart
                .draw_series(DashedLineSeries::new(points, DASH.0, DASH.1, style))?
                .label(line.label)
                .legend(move |(x, y)| {
                    DashedPathElement::new(vec![(x, y), (x + 18, y)], 5, 3, style)
                });
            if marks > 0 {
                chart.draw_series(
                    line.points
                        .iter()
                        .map(|p| Circle::new(*p, marks, color.filled())),
                )?;
            }
        } else {
            chart
                .draw_series(LineSeries::new(points, style).point_size(marks))?
                .label(line.label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style));
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(200, 200, 200))
        .label_font(("sans-serif", 13))
        .draw()?;
    Ok(())
}

fn draw_bars(root: &DrawingArea<SVGBackend<'_>, Shift>, title: &str, bars: &[LatencyBar]) -> Drawn {
    root.fill(&WHITE)?;
    let labels: Vec<String> = bars.iter().map(|bar| shorten(&bar.label, 56)).collect();
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(8) as u32;
    let label_width = (longest * 7 + 16).clamp(80, 420);
    let top = bars
        .iter()
        .map(|bar| bar.avg_ms.max(bar.p95_ms))
        .fold(0.0, f64::max);
    let x_max = nice_ceiling(top * 1.15).max(1.0);
    let n = bars.len().max(1) as f64;
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(label_width)
        .build_cartesian_2d(0f64..x_max, 0f64..n)?;
    chart
        .configure_mesh()
        .x_desc("milliseconds")
        .disable_y_mesh()
        .y_labels(0)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .max_light_lines(2)
        .light_line_style(RGBColor(242, 242, 242))
        .label_style(("sans-serif", 12))
        .draw()?;
    // Endpoint i is drawn from the top: band [n - i - 1, n - i].
    let band = |i: usize| n - i as f64 - 1.0;
    for (series, color, offset, value) in [
        (
            "average",
            BLUE,
            0.52,
            (|b: &LatencyBar| b.avg_ms) as fn(&LatencyBar) -> f64,
        ),
        ("p95", ORANGE, 0.14, |b: &LatencyBar| b.p95_ms),
    ] {
        chart
            .draw_series(bars.iter().enumerate().map(|(i, bar)| {
                let y = band(i) + offset;
                Rectangle::new([(0.0, y), (value(bar), y + 0.34)], color.filled())
            }))?
            .label(series)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], color.filled()));
        chart.draw_series(bars.iter().enumerate().map(|(i, bar)| {
            // The value just right of its bar.
            EmptyElement::at((value(bar), band(i) + offset + 0.17))
                + Text::new(
                    format_ms(value(bar)),
                    (4, 0),
                    ("sans-serif", 11)
                        .into_font()
                        .color(&GREY)
                        .pos(Pos::new(HPos::Left, VPos::Center)),
                )
        }))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(200, 200, 200))
        .label_font(("sans-serif", 13))
        .draw()?;
    // Endpoint names left of the axis, each centred on its band.
    let style = ("sans-serif", 12)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Right, VPos::Center));
    for (i, label) in labels.iter().enumerate() {
        let (x, y) = chart.backend_coord(&(0.0, band(i) + 0.5));
        root.draw(&Text::new(label.as_str(), (x - 8, y), style.clone()))?;
    }
    Ok(())
}

/// `value` in milliseconds, with decimals only where they matter.
fn format_ms(value: f64) -> String {
    match value {
        v if v < 10.0 => format!("{v:.2}"),
        v if v < 100.0 => format!("{v:.1}"),
        v => format!("{v:.0}"),
    }
}

/// `label` cut to `max` characters, keeping its end (the distinctive part of a path).
fn shorten(label: &str, max: usize) -> String {
    let count = label.chars().count();
    if count <= max {
        return label.to_string();
    }
    let tail: String = label.chars().skip(count - (max - 1)).collect();
    format!("…{tail}")
}

/// The smallest of 1, 2, 2.5, 5 times a power of ten that is at least `value`.
fn nice_ceiling(value: f64) -> f64 {
    if value <= 0.0 || !value.is_finite() {
        return 0.0;
    }
    let power = 10f64.powf(value.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|&v| v >= value)
        .unwrap_or(10.0 * power)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_chart_is_inline_svg_without_urls() {
        let points = [(0.0, 1.0), (1.0, 5.0), (2.0, 3.0)];
        let svg = line_chart(
            "Requests per second",
            "requests/s",
            &[Line::new("requests/s", BLUE, &points)],
        )
        .unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..80]);
        assert!(svg.trim_end().ends_with("</svg>"));
        assert!(!svg.contains("http"), "{svg}");
        assert!(svg.contains("Requests per second"));
        assert!(
            svg.contains("<polyline") || svg.contains("<path"),
            "no line drawn"
        );
    }

    #[test]
    fn empty_and_single_point_charts_draw() {
        let svg = line_chart("Errors", "errors/s", &[]).unwrap();
        assert!(svg.contains("Errors"));
        let one = [(0.0, 2.0)];
        let svg = line_chart("One", "x", &[Line::new("one", RED, &one)]).unwrap();
        assert!(svg.contains("<circle"), "a single point is marked");
    }

    /// Equal p95 and p99 (common with few requests a second): the wide p99 is drawn
    /// first, the p95 in dashes over it and the p50 last, so each stays visible; the
    /// legend names all three in that order.
    #[test]
    fn lines_drawn_over_each_other_stay_visible() {
        let same: Vec<Point> = (0..100).map(|s| (s as f64, 20.0)).collect();
        let svg = line_chart(
            "Percentiles",
            "ms",
            &[
                Line::new("p99", RED, &same).width(6),
                Line::new("p95", ORANGE, &same).width(3).dashed(),
                Line::new("p50", GREEN, &same),
            ],
        )
        .unwrap();
        let colour = |c: RGBColor| format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2);
        let (red, orange, green) = (colour(RED), colour(ORANGE), colour(GREEN));
        let first = |needle: &str| {
            svg.find(needle)
                .unwrap_or_else(|| panic!("no {needle} in the chart"))
        };
        assert!(first(&red) < first(&orange) && first(&orange) < first(&green));
        assert!(svg.contains("stroke-width=\"6\""), "p99 is wide");
        let orange_strokes = svg.matches(&format!("stroke=\"{orange}\"")).count();
        assert!(
            orange_strokes > 20,
            "p95 in dashes: {orange_strokes} pieces"
        );
        let texts = texts(&svg);
        let legend: Vec<&String> = texts.iter().filter(|t| t.starts_with('p')).collect();
        assert_eq!(legend, ["p99", "p95", "p50"], "{texts:?}");
    }

    #[test]
    fn bars_name_every_endpoint() {
        let bars = [
            LatencyBar {
                label: "GET /health".into(),
                avg_ms: 1.5,
                p95_ms: 4.0,
            },
            LatencyBar {
                label: format!("POST /{}", "x".repeat(100)),
                avg_ms: 120.0,
                p95_ms: 300.0,
            },
        ];
        let svg = latency_bars("Latency per endpoint", &bars).unwrap();
        let texts = texts(&svg);
        assert!(texts.contains(&"GET /health".to_string()), "{texts:?}");
        let long = texts.iter().find(|t| t.ends_with("xxx")).unwrap();
        assert!(
            long.starts_with('…') && long.chars().count() == 56,
            "{long}"
        );
        for value in ["1.50", "4.00", "120", "300"] {
            assert!(
                texts.contains(&value.to_string()),
                "{value} written at its bar"
            );
        }
        assert!(!svg.contains("http"));
    }

    /// The content of every `<text>` element of `svg`.
    fn texts(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| {
                t.split_once('>')
                    .and_then(|(_, rest)| rest.split_once("</text>"))
            })
            .map(|(content, _)| content.trim().to_string())
            .collect()
    }

    #[test]
    fn nice_ceilings() {
        assert_eq!(nice_ceiling(0.0), 0.0);
        assert_eq!(nice_ceiling(7.0), 10.0);
        assert_eq!(nice_ceiling(12.0), 20.0);
        assert_eq!(nice_ceiling(210.0), 250.0);
        assert_eq!(nice_ceiling(0.3), 0.5);
        assert_eq!(shorten("abcdef", 4), "…def");
    }
}
