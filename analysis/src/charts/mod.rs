//! Charts of a study, each written as PNG (for the Markdown report, slides and the notebook
//! folder) and SVG (inlined in the HTML report, sharp at any zoom).
//!
//! Every chart has a title, axes labelled with their units, and a caption line naming the
//! scenario, seed, run count and subnetlab version, so a chart copied into a proposal still
//! says where it came from. Where a study has several runs of an arm, lines are the mean across
//! the runs and a shaded band the 95 % Student-t interval of that mean.
//!
//! Text goes through ab_glyph with the DejaVu Sans font embedded by the `dejavu` crate, so no
//! system font library is needed and a PNG is byte-identical on every machine. The same
//! drawing code runs on both backends (a chart's drawing code is generic over the backend).
//!
//! The charts ([`render_all`] draws those whose data the study has):
//!
//! | name | what |
//! |---|---|
//! | `supply` | total issuance and block emission over blocks, halvings marked |
//! | `role_shares` | emission share of validators, miners and owners over time |
//! | `validator_dividends` | each validator's dividends per 1,000 TAO staked per day vs its stake |
//! | `lorenz` | Lorenz curves of final stake and of total emission per hotkey |
//! | `concentration` | Gini of stake and of emission over time |
//! | `miner_quality` | mean latent miner quality per subnet over time |
//! | `sweep_line_<metric>` | a metric against the first sweep parameter, with CI bands |
//! | `sweep_heatmap_<metric>` | a metric over the first two sweep parameters |
//!
//! The built-in experiments' charts (retention lines, collusion frontier, case library) are
//! drawn by [`experiment`] from their results.

pub mod experiment;
mod holders;
mod sweep;
mod time;

use crate::AnalysisError;
use crate::Study;
use crate::stats::t_interval;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A chart written to disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chart {
    /// File stem and identifier, e.g. `supply`.
    pub name: String,
    /// The title drawn on the chart.
    pub title: String,
    /// The caption line drawn under it (scenario, seed, runs, version) and a sentence on how to
    /// read it.
    pub caption: String,
    /// The PNG file.
    pub png: PathBuf,
    /// The SVG file.
    pub svg: PathBuf,
}

/// Options of [`render_all_with`].
#[derive(Clone, Debug, PartialEq)]
pub struct ChartOptions {
    /// Metrics of [`crate::metrics::per_run`] to draw against the sweep parameters (default
    /// `["emission_gini", "validator_dividends_per_1000_tao_day"]`); unknown names are skipped.
    pub sweep_metrics: Vec<String>,
    /// Size of every chart in pixels (default 1000 × 600).
    pub size: (u32, u32),
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            sweep_metrics: vec![
                "emission_gini".to_string(),
                "validator_dividends_per_1000_tao_day".to_string(),
            ],
            size: (1000, 600),
        }
    }
}

/// Draw every chart the study has data for into `out_dir` (created if missing), with the
/// default [`ChartOptions`]. Returns the charts written, in the order of the table in the
/// module docs; charts without data are skipped, not errors.
pub fn render_all(study: &Study, out_dir: &Path) -> Result<Vec<Chart>, AnalysisError> {
    render_all_with(study, out_dir, &ChartOptions::default())
}

/// [`render_all`] with options.
pub fn render_all_with(
    study: &Study,
    out_dir: &Path,
    options: &ChartOptions,
) -> Result<Vec<Chart>, AnalysisError> {
    std::fs::create_dir_all(out_dir).map_err(AnalysisError::io(out_dir))?;
    register_fonts()?;
    let ctx = Context {
        out_dir: out_dir.to_path_buf(),
        size: options.size,
        caption: study.caption(),
    };
    let mut charts = Vec::new();
    charts.extend(time::supply(study, &ctx)?);
    charts.extend(time::role_shares(study, &ctx)?);
    charts.extend(holders::validator_dividends(study, &ctx)?);
    charts.extend(holders::lorenz(study, &ctx)?);
    charts.extend(time::concentration(study, &ctx)?);
    charts.extend(time::miner_quality(study, &ctx)?);
    charts.extend(sweep::sweep_charts(study, &ctx, &options.sweep_metrics)?);
    Ok(charts)
}

/// Register DejaVu Sans as `sans-serif` (regular and bold), once per process. plotters keeps
/// fonts in a global table, and its error type has no `Debug`, hence the `map_err`.
fn register_fonts() -> Result<(), AnalysisError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = REGISTERED.get_or_init(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular())
            .is_ok()
            && plotters::style::register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold())
                .is_ok()
    });
    if *ok {
        Ok(())
    } else {
        Err(AnalysisError::Font)
    }
}

/// What every chart needs to know besides its data.
pub(crate) struct Context {
    out_dir: PathBuf,
    size: (u32, u32),
    caption: String,
}

/// Drawing errors, as text: plotters' error types differ per backend.
pub(crate) type DrawResult = Result<(), String>;

/// Any plotters error as text.
pub(crate) fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// A chart's drawing code, run once per backend.
pub(crate) trait Plot {
    /// Draw into `area` (the space under the title and above the caption).
    fn plot<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static;
}

fn draw_frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    caption: &str,
    plot: &impl Plot,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(err)?;
    let (width, height) = root.dim_in_pixel();
    let (header, rest) = root.split_vertically(46);
    let (main, footer) = rest.split_vertically(height.saturating_sub(46 + 28));
    let centred = Pos::new(HPos::Center, VPos::Center);
    let title_style = TextStyle::from(("sans-serif", 24).into_font().style(FontStyle::Bold))
        .color(&BLACK)
        .pos(centred);
    header
        .draw_text(title, &title_style, (width as i32 / 2, 26))
        .map_err(err)?;
    let style = TextStyle::from(("sans-serif", 14).into_font()).color(&RGBColor(90, 90, 90));
    footer.draw_text(caption, &style, (14, 6)).map_err(err)?;
    plot.plot(&main)?;
    root.present().map_err(err)
}

impl Context {
    /// A context writing into `out_dir` (created if missing) at the default size, with
    /// `caption` under every chart (the experiments' charts, which have no study).
    pub(crate) fn new(out_dir: &Path, caption: &str) -> Result<Context, AnalysisError> {
        std::fs::create_dir_all(out_dir).map_err(AnalysisError::io(out_dir))?;
        register_fonts()?;
        Ok(Context {
            out_dir: out_dir.to_path_buf(),
            size: ChartOptions::default().size,
            caption: caption.to_string(),
        })
    }

    /// Draw `plot` as `<name>.png` and `<name>.svg`.
    pub(crate) fn render(
        &self,
        name: &str,
        title: &str,
        note: &str,
        plot: &impl Plot,
    ) -> Result<Chart, AnalysisError> {
        let png = self.out_dir.join(format!("{name}.png"));
        let svg = self.out_dir.join(format!("{name}.svg"));
        let chart_err = |message: String| AnalysisError::Chart {
            chart: name.to_string(),
            message,
        };
        {
            let root = BitMapBackend::new(&png, self.size).into_drawing_area();
            draw_frame(&root, title, &self.caption, plot).map_err(chart_err)?;
        }
        {
            let root = SVGBackend::new(&svg, self.size).into_drawing_area();
            draw_frame(&root, title, &self.caption, plot).map_err(chart_err)?;
        }
        let caption = if note.is_empty() {
            self.caption.clone()
        } else {
            format!("{note} {}.", self.caption)
        };
        Ok(Chart {
            name: name.to_string(),
            title: title.to_string(),
            caption,
            png,
            svg,
        })
    }
}

/// Linear axes in the house style (margins, label areas, fonts, a light grid), about `labels`
/// labelled ticks per axis. Tick labels get the decimals of twice that many steps: plotters may
/// pick steps finer than the nominal one, and two ticks must never print alike.
pub(crate) fn linear_axes<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
    (x_desc, y_desc): (&str, &str),
    labels: usize,
) -> Result<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>, String>
where
    DB::ErrorType: 'static,
{
    let (xfmt, yfmt) = (
        tick_format(x0, x1, 2 * labels),
        tick_format(y0, y1, 2 * labels),
    );
    let mut chart = ChartBuilder::on(area)
        .margin_left(12)
        .margin_right(24)
        .margin_top(8)
        .x_label_area_size(44)
        .y_label_area_size(84)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_label_formatter(&xfmt)
        .y_label_formatter(&yfmt)
        .x_labels(labels)
        .y_labels(labels)
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 16))
        .light_line_style(LIGHT_GRID)
        .max_light_lines(1)
        .draw()
        .map_err(err)?;
    Ok(chart)
}

/// The colour of the minor grid lines (one between two labelled ticks).
pub(crate) const LIGHT_GRID: RGBColor = RGBColor(241, 241, 241);

/// Tableau 10, a palette that stays apart in print and for most colour-blind readers.
pub(crate) const PALETTE: [RGBColor; 10] = [
    RGBColor(0x4e, 0x79, 0xa7),
    RGBColor(0xf2, 0x8e, 0x2b),
    RGBColor(0x59, 0xa1, 0x4f),
    RGBColor(0xe1, 0x57, 0x59),
    RGBColor(0xb0, 0x7a, 0xa1),
    RGBColor(0x76, 0xb7, 0xb2),
    RGBColor(0xed, 0xc9, 0x48),
    RGBColor(0x9c, 0x75, 0x5f),
    RGBColor(0xff, 0x9d, 0xa7),
    RGBColor(0xba, 0xb0, 0xac),
];

/// The palette colour `i` (wrapping).
pub(crate) fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// An axis range covering the finite `values` with 5 % padding; a flat or empty set gets a
/// sensible non-empty range.
pub(crate) fn padded_range(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values {
        if v.is_finite() {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.05 };
        return (lo - pad, hi + pad);
    }
    let pad = (hi - lo) * 0.05;
    (lo - pad, hi + pad)
}

/// An axis range that includes 0, padded by 5 % of its span on the data side(s).
pub(crate) fn zero_based_range(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for v in values {
        if v.is_finite() {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if hi - lo <= 0.0 {
        return (0.0, 1.0);
    }
    let pad = (hi - lo) * 0.05;
    (
        if lo < 0.0 { lo - pad } else { 0.0 },
        if hi > 0.0 { hi + pad } else { 0.0 },
    )
}

/// A tick-label formatter for an axis spanning `lo..hi` with about `labels` ticks: as many
/// decimals as the tick step plotters will pick (1, 2 or 5 × 10ᵏ) needs, thousands separators
/// for whole numbers.
pub(crate) fn tick_format(lo: f64, hi: f64, labels: usize) -> impl Fn(&f64) -> String {
    let decimals = step_decimals((hi - lo).abs() / labels.max(1) as f64);
    move |x: &f64| format_number(*x, decimals)
}

/// Decimals needed to print multiples of the nice step at or above `raw`.
pub(crate) fn step_decimals(raw: f64) -> usize {
    if !(raw.is_finite() && raw > 0.0) {
        return 0;
    }
    let power = 10f64.powf(raw.log10().floor());
    let nice = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&s| s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * power);
    (-(nice.log10() + 1e-9).floor()).clamp(0.0, 8.0) as usize
}

/// `x` with `decimals` decimals; whole numbers of 10,000 and more with thousands separators.
pub(crate) fn format_number(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "–".to_string();
    }
    if decimals == 0 && x.abs() >= 1_000.0 {
        let digits = format!("{:.0}", x.abs());
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        return if x < 0.0 { format!("-{out}") } else { out };
    }
    let s = format!("{x:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// A line with an optional confidence band: points (x, mean, low, high).
pub(crate) struct Band {
    /// Legend label.
    pub label: String,
    /// Line colour.
    pub color: RGBColor,
    /// Points in x order; low/high NaN where there is no interval (a single run).
    pub points: Vec<(f64, f64, f64, f64)>,
    /// How the line is drawn (a dashed line on top of a solid one keeps both visible).
    pub stroke: Stroke,
}

/// Line patterns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stroke {
    /// A continuous line.
    Solid,
    /// Long dashes.
    Dashed,
    /// Short dots.
    Dotted,
}

impl Stroke {
    /// (dash, gap) in pixels for the patterned strokes.
    fn pattern(self) -> Option<(i32, i32)> {
        match self {
            Stroke::Solid => None,
            Stroke::Dashed => Some((10, 6)),
            Stroke::Dotted => Some((3, 4)),
        }
    }
}

/// The coordinate system of the line charts.
pub(crate) type XY =
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>;

/// Draw `points` as a line with `stroke`.
fn draw_line<'a, 'b, DB: DrawingBackend + 'a>(
    chart: &'b mut ChartContext<'a, DB, XY>,
    points: Vec<(f64, f64)>,
    style: ShapeStyle,
    stroke: Stroke,
) -> Result<&'b mut plotters::chart::SeriesAnno<'a, DB>, String>
where
    DB::ErrorType: 'static,
{
    match stroke.pattern() {
        None => chart
            .draw_series(LineSeries::new(points, style))
            .map_err(err),
        Some((dash, gap)) => chart
            .draw_series(DashedLineSeries::new(points, dash, gap, style))
            .map_err(err),
    }
}

/// The three segments of a legend glyph for `stroke`, relative to the entry's anchor.
fn glyph_segments(stroke: Stroke) -> [[(i32, i32); 2]; 3] {
    match stroke {
        Stroke::Solid => [[(0, 0), (22, 0)]; 3],
        Stroke::Dashed => [[(0, 0), (8, 0)], [(14, 0), (22, 0)], [(14, 0), (22, 0)]],
        Stroke::Dotted => [[(0, 0), (3, 0)], [(9, 0), (12, 0)], [(18, 0), (21, 0)]],
    }
}

/// A legend entry for a line of `color` and `stroke` that draws no data.
pub(crate) fn legend_entry<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, XY>,
    label: &str,
    color: RGBColor,
    stroke: Stroke,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    labelled_line(chart, Vec::new(), label, color, stroke)
}

/// Draw `points` as a line with `stroke`, with a legend entry when `label` is not empty.
pub(crate) fn labelled_line<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, XY>,
    points: Vec<(f64, f64)>,
    label: &str,
    color: RGBColor,
    stroke: Stroke,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let anno = draw_line(chart, points, color.stroke_width(2), stroke)?;
    if !label.is_empty() {
        anno.label(label).legend(move |(x, y)| {
            let style = color.stroke_width(3);
            let [a, b, c] = glyph_segments(stroke);
            EmptyElement::at((x, y))
                + PathElement::new(a.to_vec(), style)
                + PathElement::new(b.to_vec(), style)
                + PathElement::new(c.to_vec(), style)
        });
    }
    Ok(())
}

/// The range of a band whose values can be anything (see [`bands_by`]).
pub(crate) const ANY: (f64, f64) = (f64::NEG_INFINITY, f64::INFINITY);

/// Mean and Student-t 95 % interval across runs of `values` grouped by (series key, x), the
/// interval cut to `range`, the values the mean can take ([`crate::stats::Estimate::within`]).
/// `rows` are (series key, x, value); series come out in key order, points in x order.
pub(crate) fn bands_by<K: Ord + Clone>(
    rows: impl IntoIterator<Item = (K, f64, f64)>,
    range: (f64, f64),
) -> BTreeMap<K, Vec<(f64, f64, f64, f64)>> {
    let mut grouped: BTreeMap<K, BTreeMap<u64, (f64, Vec<f64>)>> = BTreeMap::new();
    for (key, x, y) in rows {
        if !x.is_finite() {
            continue;
        }
        // Bit pattern keys keep x exact; for non-negative floats they sort as numbers do.
        let slot = grouped
            .entry(key)
            .or_default()
            .entry(order_key(x))
            .or_insert((x, Vec::new()));
        slot.1.push(y);
    }
    grouped
        .into_iter()
        .map(|(key, xs)| {
            let points = xs
                .into_values()
                .map(|(x, ys)| {
                    let e = t_interval(&ys, 0.95).within(range);
                    (x, e.mean, e.low, e.high)
                })
                .filter(|p| p.1.is_finite())
                .collect();
            (key, points)
        })
        .collect()
}

/// A u64 that sorts like the f64 it came from (total order).
fn order_key(x: f64) -> u64 {
    let bits = x.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// Draw the bands (shaded intervals first, then lines on top, with legend entries).
pub(crate) fn draw_bands<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, XY>,
    bands: &[Band],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    for band in bands {
        // Contiguous stretches with an interval each get one polygon.
        let mut stretch: Vec<(f64, f64, f64)> = Vec::new();
        let mut stretches = Vec::new();
        for &(x, _, lo, hi) in &band.points {
            if lo.is_finite() && hi.is_finite() {
                stretch.push((x, lo, hi));
            } else if !stretch.is_empty() {
                stretches.push(std::mem::take(&mut stretch));
            }
        }
        if !stretch.is_empty() {
            stretches.push(stretch);
        }
        for s in stretches.into_iter().filter(|s| s.len() >= 2) {
            let mut poly: Vec<(f64, f64)> = s.iter().map(|&(x, lo, _)| (x, lo)).collect();
            poly.extend(s.iter().rev().map(|&(x, _, hi)| (x, hi)));
            chart
                .draw_series(std::iter::once(Polygon::new(
                    poly,
                    band.color.mix(0.18).filled(),
                )))
                .map_err(err)?;
        }
    }
    for band in bands {
        let color = band.color;
        let line: Vec<(f64, f64)> = band.points.iter().map(|&(x, y, _, _)| (x, y)).collect();
        labelled_line(chart, line.clone(), &band.label, color, band.stroke)?;
        if line.len() == 1 {
            chart
                .draw_series(line.iter().map(|&p| Circle::new(p, 4, color.filled())))
                .map_err(err)?;
        }
    }
    Ok(())
}

/// The legend box, drawn if any series has a label.
pub(crate) fn draw_legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(160, 160, 160))
        .label_font(("sans-serif", 15))
        .draw()
        .map_err(err)
}

/// Draw a centred note in an empty area (used when a panel has no data).
pub(crate) fn draw_note<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, text: &str) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (w, h) = area.dim_in_pixel();
    let style = TextStyle::from(("sans-serif", 18).into_font())
        .color(&RGBColor(120, 120, 120))
        .pos(Pos::new(HPos::Center, VPos::Center));
    area.draw_text(text, &style, (w as i32 / 2, h as i32 / 2))
        .map_err(err)
}

/// The most arms a chart over time or across hotkeys draws: beyond that the lines become a
/// tangle. The sweep charts and the report's tables cover every arm.
pub(crate) const MAX_ARMS: usize = 3;

/// The arms such a chart draws (the first [`MAX_ARMS`] in arm order) and, when some are left
/// out, a sentence saying so for the caption.
pub(crate) fn shown_arms(study: &Study) -> Result<(Vec<(u32, String)>, String), AnalysisError> {
    let mut arms = study.arms()?;
    let total = arms.len();
    if total <= MAX_ARMS {
        return Ok((arms, String::new()));
    }
    arms.truncate(MAX_ARMS);
    Ok((
        arms,
        format!(
            " Showing the first {MAX_ARMS} of {total} arms; the sweep charts and tables cover all."
        ),
    ))
}

/// Whether `arm` is among `arms`.
pub(crate) fn has_arm(arms: &[(u32, String)], arm: u32) -> bool {
    arms.iter().any(|(a, _)| *a == arm)
}

/// A label for series `group` of `arm` when a study has several arms.
pub(crate) fn series_label(arms: &[(u32, String)], arm: u32, group: &str) -> String {
    if arms.len() <= 1 {
        return group.to_string();
    }
    let name = arms
        .iter()
        .find(|(a, _)| *a == arm)
        .map_or_else(|| format!("arm {arm}"), |(_, n)| n.clone());
    if group.is_empty() {
        name
    } else {
        format!("{name} · {group}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_format_for_ticks() {
        assert_eq!(format_number(216_000.0, 0), "216,000");
        assert_eq!(format_number(-1_234_567.0, 0), "-1,234,567");
        assert_eq!(format_number(4_000.0, 0), "4,000");
        assert_eq!(format_number(999.0, 0), "999");
        assert_eq!(format_number(0.25, 2), "0.25");
        assert_eq!(format_number(-0.0001, 2), "0.00");
        assert_eq!(format_number(f64::NAN, 2), "–");
        // A span of 0.2 over 8 ticks: raw step 0.025, nice step 0.05, two decimals.
        assert_eq!(tick_format(10.3, 10.5, 8)(&10.4), "10.40");
        // 0.06 over 6: step 0.01; 0.0144 over 6: raw 0.0024, nice 0.005.
        assert_eq!(step_decimals(0.01), 2);
        assert_eq!(step_decimals(0.0024), 3);
        assert_eq!(step_decimals(2500.0), 0);
        assert_eq!(step_decimals(0.15), 1);
    }

    #[test]
    fn ranges_are_never_empty() {
        assert_eq!(padded_range([]), (0.0, 1.0));
        assert_eq!(padded_range([f64::NAN]), (0.0, 1.0));
        let (lo, hi) = padded_range([2.0, 2.0]);
        assert!(lo < 2.0 && hi > 2.0);
        assert_eq!(padded_range([0.0, 10.0]), (-0.5, 10.5));
        assert_eq!(zero_based_range([5.0, 10.0]), (0.0, 10.5));
        assert_eq!(zero_based_range([-2.0, 0.0]), (-2.1, 0.0));
        assert_eq!(zero_based_range([]), (0.0, 1.0));
    }

    #[test]
    fn order_keys_sort_like_floats() {
        let mut xs = [3.5, -1.0, 0.0, 1e9, -1e9, 0.25];
        let mut keys: Vec<u64> = xs.iter().map(|&x| order_key(x)).collect();
        keys.sort_unstable();
        xs.sort_by(f64::total_cmp);
        let back: Vec<u64> = xs.iter().map(|&x| order_key(x)).collect();
        assert_eq!(keys, back);
    }

    #[test]
    fn bands_average_runs() {
        // Two runs at x = 0 (1 and 3) and one at x = 1 (5): mean 2 with an interval, then 5
        // without.
        let b = bands_by([("a", 0.0, 1.0), ("a", 0.0, 3.0), ("a", 1.0, 5.0)], ANY);
        let a = &b["a"];
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].1, 2.0);
        assert!(a[0].2 < 2.0 && a[0].3 > 2.0);
        assert_eq!(a[1].1, 5.0);
        assert!(a[1].2.is_nan());
    }
}
