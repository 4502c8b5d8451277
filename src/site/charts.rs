//! Charts for the site, drawn by casework as inline SVG (no script), each
//! with the same numbers as a table for readers who cannot see it.
//!
//! The SVG is standalone: its `viewBox` fixes the proportions and it has
//! no `width` or `height`, so the page's CSS sizes it. Series are coloured
//! through the classes `series-0` .. `series-7` (the site's CSS picks the
//! colours for light and dark mode; fallback colours are set as
//! attributes, which any CSS rule overrides). Colour is never the only
//! signal: bars carry hatching patterns and, where they fit, their values;
//! lines carry their own dash and marker shape; the legend names every
//! series with the same swatch. Text is drawn in `currentColor`.
//!
//! Titles, labels and series names come from records, so every text is
//! escaped. Values that are not finite (`f64::NAN`) mean "no value" (a
//! month with no closed case has no time to resolve): no bar, a gap in the
//! line, and `–` in the table. A series shorter than the labels has no
//! values for the rest; values past the last label are ignored.

use serde::Serialize;
use std::fmt::Write;

/// One named row of values, one value per label (see the module docs for
/// missing values).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

/// A chart's text equivalent, printed under it: `header` is an empty cell
/// (the caller may name the label column, e.g. "Month") then the series
/// names; each row is a label then its formatted values, unit included.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A drawn chart: the inline SVG and the table with the same numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chart {
    pub svg: String,
    pub table: Table,
}

/// Grouped vertical bars: one group per label (a month, say), one bar per
/// series in each group (a feedback category, say). The axis starts at 0
/// (or below, for negative values). `unit` (e.g. `%`, `days`) follows
/// every value in the table and labels the axis.
pub fn bars(title: &str, labels: &[String], series: &[Series], unit: &str) -> Chart {
    draw(Kind::Bars, title, labels, series, unit, None)
}

/// Lines over the labels, one per series (SLA compliance per month, say).
/// `max` fixes the top of the axis (`Some(100.0)` for a percentage) unless
/// a value is higher; `None` fits the axis to the values.
pub fn line(title: &str, labels: &[String], series: &[Series], unit: &str, max: Option<f64>) -> Chart {
    draw(Kind::Line, title, labels, series, unit, max)
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Bars,
    Line,
}

const WIDTH: f64 = 640.0;
const BASE_HEIGHT: f64 = 360.0;
/// A chart with nothing to draw is short, so it does not fill the page.
const NO_DATA_HEIGHT: f64 = 120.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const BOTTOM: f64 = 36.0;
const LEGEND_TOP: f64 = 34.0;
const LEGEND_ROW: f64 = 18.0;
/// Space above the plot for the value labels on the highest bars.
const HEADROOM: f64 = 16.0;
/// The average width of a character at 12px and at 10px, for layout.
const CHAR_12: f64 = 6.8;
const CHAR_10: f64 = 5.8;
/// Values beyond this are drawn at it, so no coordinate overflows.
const LIMIT: f64 = 1e15;

/// Fallback colours (Okabe–Ito, told apart with most colour blindness).
const COLOURS: [&str; 8] = [
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#999999",
];
/// Hatching drawn over bars of each series (none for the first).
const HATCHES: [&str; 8] = [
    "",
    "M-2 2L2-2M0 8L8 0M6 10L10 6",
    "M0 4H8",
    "M4 0V8",
    "M-2 2L2-2M0 8L8 0M6 10L10 6M-2 6L2 10M0 0L8 8M6-2L10 2",
    "M3 4a1 1 0 1 0 2 0a1 1 0 1 0-2 0",
    "M0 4H8M4 0V8",
    "M-2 6L2 10M0 0L8 8M6-2L10 2",
];
/// The dash of each series' line.
const DASHES: [&str; 8] = ["", "8 4", "2 3", "10 3 2 3", "4 4", "12 4", "2 6", "6 2 2 2"];

fn draw(kind: Kind, title: &str, labels: &[String], series: &[Series], unit: &str, max: Option<f64>) -> Chart {
    let table = table(labels, series, unit);
    let id = chart_id(kind, title, labels, series, unit, max);
    let value = |s: &Series, i: usize| s.values.get(i).copied().filter(|v| v.is_finite());
    let values: Vec<f64> = series
        .iter()
        .flat_map(|s| (0..labels.len()).filter_map(move |i| value(s, i)))
        .map(|v| v.clamp(-LIMIT, LIMIT))
        .collect();

    let legend = legend_layout(series);
    let height = if values.is_empty() {
        NO_DATA_HEIGHT
    } else {
        BASE_HEIGHT + (legend.rows.saturating_sub(4) as f64) * LEGEND_ROW
    };
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" class=\"chart chart-{}\" \
         font-family=\"system-ui, sans-serif\" font-size=\"12\" fill=\"currentColor\">",
        num(WIDTH),
        num(height),
        if kind == Kind::Bars { "bars" } else { "line" },
    );
    let _ = write!(
        svg,
        "<title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        esc(title),
        esc(&describe(kind, labels, series, unit, &values)),
    );
    let _ = write!(
        svg,
        "<text class=\"chart-title\" x=\"{}\" y=\"20\" font-size=\"14\" font-weight=\"bold\">{}</text>",
        num(LEFT),
        esc(&truncate(title, ((WIDTH - LEFT - RIGHT) / 7.6) as usize)),
    );

    let top = LEGEND_TOP + legend.rows as f64 * LEGEND_ROW + HEADROOM;
    let plot = Plot {
        left: LEFT,
        right: WIDTH - RIGHT,
        top,
        bottom: height - BOTTOM,
    };
    if values.is_empty() {
        let _ = write!(
            svg,
            "<text class=\"no-data\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"16\">No data</text></svg>",
            num(WIDTH / 2.0),
            num(NO_DATA_HEIGHT / 2.0 + 16.0),
        );
        return Chart { svg, table };
    }
    if kind == Kind::Bars && series.len() > 1 {
        defs(&mut svg, &id, series.len());
    }
    draw_legend(&mut svg, kind, &id, series, &legend);

    let axis = Axis::new(&values, max);
    draw_axis(&mut svg, &plot, &axis, labels, unit);
    match kind {
        Kind::Bars => draw_bars(&mut svg, &plot, &axis, &id, labels, series, unit),
        Kind::Line => draw_lines(&mut svg, &plot, &axis, labels, series, unit),
    }
    svg.push_str("</svg>");
    Chart { svg, table }
}

/// The plot area inside the margins.
struct Plot {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
}

impl Plot {
    /// The width given to each label (a group of bars, a point).
    fn band(&self, labels: usize) -> f64 {
        (self.right - self.left) / labels.max(1) as f64
    }
    fn x(&self, labels: usize, i: usize) -> f64 {
        self.left + self.band(labels) * (i as f64 + 0.5)
    }
}

/// The value axis: its range and the round numbers ticked on it.
struct Axis {
    low: f64,
    high: f64,
    ticks: Vec<f64>,
    decimals: usize,
}

impl Axis {
    fn new(values: &[f64], max: Option<f64>) -> Axis {
        let mut low = values.iter().copied().fold(0.0_f64, f64::min);
        let mut high = values.iter().copied().fold(0.0_f64, f64::max);
        if let Some(max) = max.filter(|m| m.is_finite()) {
            high = high.max(max.clamp(-LIMIT, LIMIT));
        }
        if high - low < 1e-9 {
            // All zero, or too close to it to tell apart: an axis 0 to 5.
            high = low + 5.0;
        }
        let step = nice_step((high - low) / 5.0);
        let step = if step.is_finite() && step > 0.0 { step } else { 1.0 };
        low = (low / step).floor() * step;
        high = (high / step).ceil() * step;
        let count = (((high - low) / step).round() as usize).min(20);
        let ticks = (0..=count).map(|i| low + step * i as f64).collect();
        let decimals = if step >= 1.0 {
            0
        } else {
            (-step.log10()).ceil().clamp(0.0, 6.0) as usize
        };
        Axis {
            low,
            high,
            ticks,
            decimals,
        }
    }

    fn y(&self, plot: &Plot, value: f64) -> f64 {
        let value = value.clamp(self.low, self.high);
        plot.bottom - (value - self.low) / (self.high - self.low) * (plot.bottom - plot.top)
    }
}

/// 1, 2 or 5 times a power of ten, at least `raw`.
fn nice_step(raw: f64) -> f64 {
    let raw = if raw.is_finite() && raw > 0.0 { raw } else { 1.0 };
    let magnitude = 10f64.powf(raw.log10().floor());
    let fraction = raw / magnitude;
    let nice = if fraction <= 1.0 {
        1.0
    } else if fraction <= 2.0 {
        2.0
    } else if fraction <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

fn draw_axis(svg: &mut String, plot: &Plot, axis: &Axis, labels: &[String], unit: &str) {
    svg.push_str("<g class=\"axis\">");
    for &tick in &axis.ticks {
        let y = num(axis.y(plot, tick));
        let _ = write!(
            svg,
            "<line class=\"grid\" x1=\"{}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\" stroke=\"currentColor\" stroke-opacity=\"0.15\"/>\
             <text class=\"tick\" x=\"{}\" y=\"{y}\" dy=\"4\" text-anchor=\"end\">{}</text>",
            num(plot.left),
            num(plot.right),
            num(plot.left - 6.0),
            esc(&format!("{:.*}", axis.decimals, tick + 0.0)),
        );
    }
    let base = num(axis.y(plot, 0.0));
    let _ = write!(
        svg,
        "<line class=\"baseline\" x1=\"{}\" x2=\"{}\" y1=\"{base}\" y2=\"{base}\" stroke=\"currentColor\"/>",
        num(plot.left),
        num(plot.right),
    );
    if !unit.is_empty() {
        let x = 14.0;
        let y = (plot.top + plot.bottom) / 2.0;
        let _ = write!(
            svg,
            "<text class=\"unit\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" transform=\"rotate(-90 {} {})\">{}</text>",
            num(x),
            num(y),
            num(x),
            num(y),
            esc(&truncate(unit, 40)),
        );
    }
    // Every label when they fit, else every second, third ...
    let band = plot.band(labels.len());
    let widest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64;
    let every = ((widest * CHAR_12 + 8.0) / band).ceil().max(1.0) as usize;
    let room = ((band * every as f64 - 8.0) / CHAR_12).max(1.0) as usize;
    for (i, label) in labels.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let _ = write!(
            svg,
            "<text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            num(plot.x(labels.len(), i)),
            num(plot.bottom + 18.0),
            esc(&truncate(label, room)),
        );
    }
    svg.push_str("</g>");
}

fn draw_bars(svg: &mut String, plot: &Plot, axis: &Axis, id: &str, labels: &[String], series: &[Series], unit: &str) {
    let band = plot.band(labels.len());
    let width = band * 0.8 / series.len() as f64;
    let widest_value = series
        .iter()
        .flat_map(|s| s.values.iter().take(labels.len()))
        .map(|&v| format_value(v).chars().count())
        .max()
        .unwrap_or(0) as f64;
    // A value label may be as wide as its bar, or its group when alone.
    let room = if series.len() == 1 { band } else { width };
    let show_values = widest_value * CHAR_10 + 2.0 <= room;
    let zero = axis.y(plot, 0.0);
    for (s, serie) in series.iter().enumerate() {
        let class = s % 8;
        let _ = write!(svg, "<g class=\"series series-{class}\">");
        for (i, label) in labels.iter().enumerate() {
            let Some(v) = serie.values.get(i).copied().filter(|v| v.is_finite()) else {
                continue;
            };
            let x = plot.left + band * i as f64 + band * 0.1 + width * s as f64;
            let y = axis.y(plot, v.clamp(-LIMIT, LIMIT));
            let (top, height) = (y.min(zero), (y - zero).abs());
            let tip = format!("{}, {}: {}", serie.name, label, with_unit(v, unit));
            let _ = write!(
                svg,
                "<rect class=\"bar series-{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}</title></rect>",
                num(x),
                num(top),
                num(width),
                num(height),
                COLOURS[class],
                esc(&tip),
            );
            if class != 0 && series.len() > 1 {
                let _ = write!(
                    svg,
                    "<rect class=\"hatch\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"url(#{id}-p{class})\"/>",
                    num(x),
                    num(top),
                    num(width),
                    num(height),
                );
            }
            if show_values {
                let ty = if v < 0.0 { top + height + 12.0 } else { top - 4.0 };
                let _ = write!(
                    svg,
                    "<text class=\"value\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"10\">{}</text>",
                    num(x + width / 2.0),
                    num(ty),
                    esc(&format_value(v)),
                );
            }
        }
        svg.push_str("</g>");
    }
}

fn draw_lines(svg: &mut String, plot: &Plot, axis: &Axis, labels: &[String], series: &[Series], unit: &str) {
    for (s, serie) in series.iter().enumerate() {
        let class = s % 8;
        let _ = write!(svg, "<g class=\"series series-{class}\">");
        // Gaps where a value is missing: a new sub-path after each.
        let mut d = String::new();
        let mut pen_down = false;
        let mut points = Vec::new();
        for (i, label) in labels.iter().enumerate() {
            match serie.values.get(i).copied().filter(|v| v.is_finite()) {
                Some(v) => {
                    let (x, y) = (plot.x(labels.len(), i), axis.y(plot, v.clamp(-LIMIT, LIMIT)));
                    let _ = write!(d, "{}{} {}", if pen_down { "L" } else { "M" }, num(x), num(y));
                    pen_down = true;
                    points.push((x, y, format!("{}, {}: {}", serie.name, label, with_unit(v, unit))));
                }
                None => pen_down = false,
            }
        }
        if !d.is_empty() {
            let _ = write!(
                svg,
                "<path class=\"line series-{class}\" d=\"{d}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{}/>",
                COLOURS[class],
                dash(class),
            );
        }
        for (x, y, tip) in points {
            marker(svg, class, x, y, Some(&tip));
        }
        svg.push_str("</g>");
    }
}

fn dash(class: usize) -> String {
    if DASHES[class].is_empty() {
        String::new()
    } else {
        format!(" stroke-dasharray=\"{}\"", DASHES[class])
    }
}

/// A point of series `class`, its shape told apart without colour.
fn marker(svg: &mut String, class: usize, x: f64, y: f64, tip: Option<&str>) {
    let r = 4.0;
    let shape = match class % 4 {
        0 => format!("<circle cx=\"{}\" cy=\"{}\" r=\"{}\"", num(x), num(y), num(r)),
        1 => format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"",
            num(x - r),
            num(y - r),
            num(2.0 * r),
            num(2.0 * r)
        ),
        2 => format!(
            "<path d=\"M{} {}L{} {}L{} {}Z\"",
            num(x),
            num(y - r - 1.0),
            num(x + r + 1.0),
            num(y + r),
            num(x - r - 1.0),
            num(y + r)
        ),
        _ => format!(
            "<path d=\"M{} {}L{} {}L{} {}L{} {}Z\"",
            num(x),
            num(y - r - 1.0),
            num(x + r + 1.0),
            num(y),
            num(x),
            num(y + r + 1.0),
            num(x - r - 1.0),
            num(y)
        ),
    };
    // Series 4..7 repeat the shapes hollow.
    let fill = if class >= 4 { "none" } else { COLOURS[class] };
    let _ = write!(
        svg,
        "{shape} class=\"marker series-{class}\" fill=\"{fill}\" stroke=\"{}\" stroke-width=\"1.5\"",
        COLOURS[class]
    );
    match tip {
        Some(tip) => {
            let _ = write!(svg, "><title>{}</title></{}>", esc(tip), tag_of(&shape));
        }
        None => svg.push_str("/>"),
    }
}

fn tag_of(shape: &str) -> &str {
    shape[1..].split(' ').next().unwrap_or("path")
}

/// Where each legend entry goes: rows that wrap at the plot's width.
struct Legend {
    places: Vec<(f64, usize)>,
    rows: usize,
}

fn legend_layout(series: &[Series]) -> Legend {
    let mut places = Vec::new();
    let (mut x, mut row) = (LEFT, 0);
    for serie in series {
        let width = 26.0 + serie.name.chars().count().min(40) as f64 * CHAR_12 + 16.0;
        if x > LEFT && x + width > WIDTH - RIGHT {
            x = LEFT;
            row += 1;
        }
        places.push((x, row));
        x += width;
    }
    Legend {
        places,
        rows: if series.is_empty() { 0 } else { row + 1 },
    }
}

fn draw_legend(svg: &mut String, kind: Kind, id: &str, series: &[Series], legend: &Legend) {
    svg.push_str("<g class=\"legend\">");
    for (s, (serie, &(x, row))) in series.iter().zip(&legend.places).enumerate() {
        let class = s % 8;
        let y = LEGEND_TOP + row as f64 * LEGEND_ROW;
        match kind {
            Kind::Bars => {
                let _ = write!(
                    svg,
                    "<rect class=\"swatch series-{class}\" x=\"{}\" y=\"{}\" width=\"20\" height=\"12\" fill=\"{}\"/>",
                    num(x),
                    num(y),
                    COLOURS[class],
                );
                if class != 0 && series.len() > 1 {
                    let _ = write!(
                        svg,
                        "<rect class=\"hatch\" x=\"{}\" y=\"{}\" width=\"20\" height=\"12\" fill=\"url(#{id}-p{class})\"/>",
                        num(x),
                        num(y),
                    );
                }
            }
            Kind::Line => {
                let _ = write!(
                    svg,
                    "<path class=\"line series-{class}\" d=\"M{} {}H{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{}/>",
                    num(x),
                    num(y + 6.0),
                    num(x + 20.0),
                    COLOURS[class],
                    dash(class),
                );
                marker(svg, class, x + 10.0, y + 6.0, None);
            }
        }
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\">{}</text>",
            num(x + 26.0),
            num(y + 10.5),
            esc(&truncate(&serie.name, 40)),
        );
    }
    svg.push_str("</g>");
}

/// The hatching patterns, one per series after the first.
fn defs(svg: &mut String, id: &str, count: usize) {
    svg.push_str("<defs>");
    for (class, hatch) in HATCHES.iter().enumerate().take(count.min(8)).skip(1) {
        let _ = write!(
            svg,
            "<pattern id=\"{id}-p{class}\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\">\
             <path d=\"{hatch}\" fill=\"none\" stroke=\"currentColor\" stroke-opacity=\"0.55\" stroke-width=\"1.5\"/></pattern>",
        );
    }
    svg.push_str("</defs>");
}

/// What the chart shows, in words, for the SVG's `<desc>`.
fn describe(kind: Kind, labels: &[String], series: &[Series], unit: &str, values: &[f64]) -> String {
    if values.is_empty() {
        return "No data.".to_string();
    }
    let names: Vec<&str> = series.iter().map(|s| s.name.as_str()).collect();
    let what = match kind {
        Kind::Bars => "Bar chart",
        Kind::Line => "Line chart",
    };
    let span = match labels {
        [only] => only.clone(),
        [first, .., last] => format!("{} labels from {first} to {last}", labels.len()),
        [] => String::new(),
    };
    let mut text = format!("{what} of {} over {span}", names.join(", "));
    if !unit.is_empty() {
        let _ = write!(text, ", in {unit}");
    }
    let high = values.iter().copied().fold(f64::MIN, f64::max);
    let _ = write!(
        text,
        ". Highest value {}. The table after the chart gives every value.",
        with_unit(high, unit)
    );
    text
}

fn table(labels: &[String], series: &[Series], unit: &str) -> Table {
    let mut header = vec![String::new()];
    header.extend(series.iter().map(|s| s.name.clone()));
    let rows = labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let mut row = vec![label.clone()];
            row.extend(series.iter().map(|s| match s.values.get(i) {
                Some(&v) if v.is_finite() => with_unit(v, unit),
                _ => "\u{2013}".to_string(),
            }));
            row
        })
        .collect();
    Table { header, rows }
}

/// A value as people read it: whole numbers bare, others to one decimal.
fn format_value(v: f64) -> String {
    if !v.is_finite() {
        return "\u{2013}".to_string();
    }
    if v.abs() >= 1e14 {
        return format!("{v:.0}");
    }
    let rounded = (v * 10.0).round() / 10.0 + 0.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

/// A value and its unit: `95%`, `3.5 days`.
fn with_unit(v: f64, unit: &str) -> String {
    match unit {
        "" => format_value(v),
        "%" => format!("{}%", format_value(v)),
        unit => format!("{} {unit}", format_value(v)),
    }
}

/// A coordinate, to a tenth of a unit; never NaN or infinite.
fn num(v: f64) -> String {
    let v = if v.is_finite() {
        (v * 10.0).round() / 10.0 + 0.0
    } else {
        0.0
    };
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// `text` shortened to `chars` characters with an ellipsis.
fn truncate(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        text.to_string()
    } else {
        let mut short: String = text.chars().take(chars.saturating_sub(1)).collect();
        short.push('\u{2026}');
        short
    }
}

/// Text for XML content and attributes; characters XML cannot hold
/// (most control characters) are dropped.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// An id for the chart's `<title>`, `<desc>` and patterns, the same for
/// the same chart and different between charts on one page.
fn chart_id(kind: Kind, title: &str, labels: &[String], series: &[Series], unit: &str, max: Option<f64>) -> String {
    // FNV-1a: small, stable across builds and platforms.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for &b in bytes.iter().chain([0xff].iter()) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    feed(&[kind as u8]);
    feed(title.as_bytes());
    feed(unit.as_bytes());
    feed(&max.unwrap_or(f64::NAN).to_bits().to_le_bytes());
    for label in labels {
        feed(label.as_bytes());
    }
    for s in series {
        feed(s.name.as_bytes());
        for v in &s.values {
            feed(&v.to_bits().to_le_bytes());
        }
    }
    format!("chart-{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::{Series, bars, line};
    use quick_xml::Reader;
    use quick_xml::events::Event;

    fn labels(l: &[&str]) -> Vec<String> {
        l.iter().map(|s| s.to_string()).collect()
    }

    fn series(name: &str, values: &[f64]) -> Series {
        Series {
            name: name.to_string(),
            values: values.to_vec(),
        }
    }

    /// Panics unless `svg` is well-formed XML with an `<svg>` root that
    /// has the accessibility attributes, a `<title>` and a `<desc>`.
    fn assert_valid(svg: &str) {
        let mut reader = Reader::from_str(svg);
        let mut depth = 0usize;
        let mut roots = 0;
        let mut seen = Vec::new();
        loop {
            match reader.read_event().unwrap_or_else(|e| panic!("bad XML ({e}):\n{svg}")) {
                Event::Start(e) => {
                    if depth == 0 {
                        roots += 1;
                        assert_eq!(e.name().as_ref(), b"svg");
                        let attrs: Vec<String> = e
                            .attributes()
                            .map(|a| String::from_utf8(a.unwrap().key.as_ref().to_vec()).unwrap())
                            .collect();
                        for needed in ["xmlns", "viewBox", "role", "aria-labelledby"] {
                            assert!(attrs.iter().any(|a| a == needed), "{needed}: {svg}");
                        }
                    }
                    if depth == 1 {
                        seen.push(String::from_utf8(e.name().as_ref().to_vec()).unwrap());
                    }
                    depth += 1;
                }
                Event::End(_) => depth -= 1,
                Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!((roots, depth), (1, 0), "{svg}");
        assert_eq!(&seen[..2], ["title", "desc"], "{svg}");
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        let root = &svg[..svg.find('>').unwrap()];
        assert!(!root.contains(" width=") && !root.contains(" height="), "{svg}");
    }

    fn count(svg: &str, needle: &str) -> usize {
        svg.matches(needle).count()
    }

    fn months() -> Vec<String> {
        labels(&["2026-01", "2026-02", "2026-03"])
    }

    #[test]
    fn bars_draw_one_rect_per_value_with_its_label() {
        let chart = bars(
            "Feedback",
            &months(),
            &[
                series("Praise", &[3.0, 0.0, 5.0]),
                series("Complaint", &[1.0, 2.0, 4.5]),
            ],
            "",
        );
        assert_valid(&chart.svg);
        assert_eq!(count(&chart.svg, "<rect class=\"bar "), 6);
        assert_eq!(count(&chart.svg, "<rect class=\"bar series-0\""), 3);
        assert_eq!(count(&chart.svg, "<rect class=\"bar series-1\""), 3);
        assert_eq!(count(&chart.svg, "<rect class=\"swatch series-"), 2);
        for value in [">3<", ">0<", ">5<", ">4.5<"] {
            assert!(chart.svg.contains(value), "{value}: {}", chart.svg);
        }
        assert!(chart.svg.contains(">Praise</text>") && chart.svg.contains(">Complaint</text>"));
        assert!(chart.svg.contains("fill=\"url(#chart-"), "second series hatched");
        assert_eq!(chart.table.header, labels(&["", "Praise", "Complaint"]));
        assert_eq!(chart.table.rows[2], labels(&["2026-03", "5", "4.5"]));
    }

    #[test]
    fn missing_and_non_finite_values_draw_nothing_and_print_a_dash() {
        let chart = bars(
            "t",
            &months(),
            &[
                series("a", &[1.0, f64::NAN]),
                series("b", &[f64::INFINITY, 2.0, 3.0, 9.0]),
            ],
            "days",
        );
        assert_valid(&chart.svg);
        assert_eq!(count(&chart.svg, "<rect class=\"bar "), 3);
        assert_eq!(chart.table.rows[0], labels(&["2026-01", "1 days", "\u{2013}"]));
        assert_eq!(chart.table.rows[1], labels(&["2026-02", "\u{2013}", "2 days"]));
        assert_eq!(chart.table.rows[2], labels(&["2026-03", "\u{2013}", "3 days"]));
        assert_eq!(chart.table.rows.len(), 3, "values past the labels are ignored");
    }

    #[test]
    fn text_from_records_is_escaped() {
        let hostile = "<script>alert(\"x\")</script> & 'co'";
        let chart = bars(
            hostile,
            &labels(&[hostile, "R&D"]),
            &[series(hostile, &[1.0, 2.0])],
            hostile,
        );
        assert_valid(&chart.svg);
        assert!(!chart.svg.contains("<script"), "{}", chart.svg);
        assert!(chart.svg.contains("R&amp;D"), "{}", chart.svg);
        assert!(chart.svg.contains("&lt;script&gt;"), "{}", chart.svg);
        let line = line(
            hostile,
            &labels(&["a\u{1}b", "R&D"]),
            &[series(hostile, &[1.0, 2.0])],
            "%",
            None,
        );
        assert_valid(&line.svg);
        assert!(!line.svg.contains("<script") && line.svg.contains("R&amp;D"));
        assert_eq!(line.table.rows[1][0], "R&D", "the table holds the text as it is");
    }

    #[test]
    fn empty_data_draws_a_no_data_chart() {
        for chart in [
            bars("Nothing", &[], &[], ""),
            bars("Nothing", &months(), &[], ""),
            bars("Nothing", &[], &[series("a", &[1.0])], ""),
            bars("Nothing", &months(), &[series("a", &[f64::NAN; 3])], ""),
            line("Nothing", &[], &[], "%", Some(100.0)),
            line("Nothing", &months(), &[series("a", &[])], "%", None),
        ] {
            assert_valid(&chart.svg);
            assert!(chart.svg.contains(">No data</text>"), "{}", chart.svg);
            assert!(chart.svg.contains("<desc id=\"chart-") && chart.svg.contains(">No data.</desc>"));
            assert_eq!(count(&chart.svg, "<rect class=\"bar"), 0);
        }
        assert!(bars("x", &[], &[], "").table.rows.is_empty());
    }

    #[test]
    fn all_zero_and_extreme_values_give_finite_coordinates() {
        for values in [
            vec![0.0, 0.0, 0.0],
            vec![-0.0, 0.0, -0.0],
            vec![f64::MAX, f64::MIN, 0.0],
            vec![1e-300, 2e-300, 0.0],
            vec![-5.0, -2.0, -1.0],
            vec![7.0, 7.0, 7.0],
        ] {
            for chart in [
                bars("z", &months(), &[series("a", &values), series("b", &values)], "%"),
                line("z", &months(), &[series("a", &values)], "%", Some(100.0)),
                line("z", &months(), &[series("a", &values)], "", Some(f64::NAN)),
            ] {
                assert_valid(&chart.svg);
                assert!(!chart.svg.contains(">No data<"), "{values:?}");
            }
        }
        let zero = bars("z", &months(), &[series("a", &[0.0; 3])], "");
        assert_eq!(count(&zero.svg, "<rect class=\"bar "), 3);
        assert!(zero.svg.contains(">5</text>"), "an axis from 0 to 5: {}", zero.svg);
    }

    #[test]
    fn the_axis_has_round_ticks_and_respects_max() {
        let chart = line(
            "SLA",
            &months(),
            &[series("On time", &[80.0, 95.5, 88.0])],
            "%",
            Some(100.0),
        );
        assert_valid(&chart.svg);
        for tick in [">0</text>", ">20</text>", ">40</text>", ">100</text>"] {
            assert!(chart.svg.contains(tick), "{tick}: {}", chart.svg);
        }
        assert_eq!(count(&chart.svg, "class=\"tick\""), 6);
        assert_eq!(chart.table.rows[1], labels(&["2026-02", "95.5%"]));
        let above = line("SLA", &months(), &[series("a", &[120.0, 1.0, 1.0])], "%", Some(100.0));
        assert!(
            above.svg.contains(">120</text>") || above.svg.contains(">150</text>"),
            "{}",
            above.svg
        );
        let small = bars("s", &months(), &[series("a", &[0.1, 0.25, 0.3])], "");
        assert!(
            small.svg.contains(">0.05</text>") || small.svg.contains(">0.1</text>"),
            "{}",
            small.svg
        );
    }

    #[test]
    fn lines_have_gaps_markers_and_distinct_dashes() {
        let chart = line(
            "Time to resolve",
            &labels(&["a", "b", "c", "d"]),
            &[
                series("Complaint", &[3.0, f64::NAN, 4.0, 5.0]),
                series("Request", &[1.0, 2.0, 2.0, 2.0]),
            ],
            "days",
            None,
        );
        assert_valid(&chart.svg);
        let first = chart.svg.split("<path class=\"line series-0\" d=\"").nth(2).unwrap();
        let d = &first[..first.find('"').unwrap()];
        assert_eq!(d.matches('M').count(), 2, "a gap where the value is missing: {d}");
        assert_eq!(
            count(&chart.svg, "class=\"marker series-0\""),
            4,
            "3 points and the legend"
        );
        assert_eq!(count(&chart.svg, "class=\"marker series-1\""), 5);
        assert!(
            chart.svg.contains("stroke-dasharray=\"8 4\""),
            "the second line is dashed"
        );
        assert!(
            chart.svg.contains("<title>Complaint, d: 5 days</title>"),
            "{}",
            chart.svg
        );
    }

    #[test]
    fn many_bars_drop_value_labels_but_keep_patterns_and_legend() {
        let months: Vec<String> = (1..=12).map(|m| format!("2026-{m:02}")).collect();
        let series: Vec<Series> = (0..9)
            .map(|s| series(&format!("Category {s}"), &[1234.5; 12]))
            .collect();
        let chart = bars("Busy", &months, &series, "");
        assert_valid(&chart.svg);
        assert_eq!(count(&chart.svg, "<rect class=\"bar "), 108);
        assert_eq!(count(&chart.svg, "class=\"value\""), 0, "no room for values");
        assert_eq!(count(&chart.svg, "<rect class=\"swatch "), 9);
        assert_eq!(
            count(&chart.svg, "<rect class=\"bar series-0\""),
            24,
            "9 series, 8 classes"
        );
        assert_eq!(count(&chart.svg, "<pattern "), 7);
    }

    #[test]
    fn ids_differ_between_charts_and_stay_the_same_for_one() {
        let a = bars("A", &months(), &[series("x", &[1.0, 2.0, 3.0])], "");
        let b = bars("B", &months(), &[series("x", &[1.0, 2.0, 3.0])], "");
        let id = |svg: &str| svg.split("<title id=\"").nth(1).unwrap()[..22].to_string();
        assert_ne!(id(&a.svg), id(&b.svg));
        assert_eq!(a, bars("A", &months(), &[series("x", &[1.0, 2.0, 3.0])], ""));
        assert!(
            a.svg
                .contains(&format!("aria-labelledby=\"{0}-title {0}-desc\"", id(&a.svg)))
        );
    }

    proptest::proptest! {
        #[test]
        fn any_input_gives_a_valid_chart_and_a_full_table(
            title in "\\PC{0,30}",
            unit in "\\PC{0,6}",
            labels in proptest::collection::vec("\\PC{0,12}", 0..8),
            values in proptest::collection::vec(
                proptest::collection::vec(proptest::num::f64::ANY, 0..10), 0..5),
            max in proptest::option::of(proptest::num::f64::ANY),
        ) {
            let series: Vec<Series> = values
                .iter()
                .enumerate()
                .map(|(i, v)| series(&format!("s{i}<&"), v))
                .collect();
            for chart in [
                bars(&title, &labels, &series, &unit),
                line(&title, &labels, &series, &unit, max),
            ] {
                assert_valid(&chart.svg);
                proptest::prop_assert_eq!(chart.table.rows.len(), labels.len());
                proptest::prop_assert!(chart.table.rows.iter().all(|r| r.len() == series.len() + 1));
                proptest::prop_assert!(!chart.svg.contains("<script"));
            }
        }
    }
}
