//! Sweep charts: a metric of [`crate::metrics::per_run`] against the sweep parameters.
//!
//! The sweep parameters are the columns of `runs.parquet` after the identifiers; only those
//! with at least two distinct values count. With one or more, a line chart of the metric
//! against the first (if numeric), one line per value of the second when it has at most six
//! values, else pooled; with two or more, a heatmap over the first two (cells average over the
//! runs, and over any further parameters).

use super::{
    Band, Chart, Context, DrawResult, Plot, Stroke, bands_by, color, draw_bands, draw_legend, err,
    format_number, tick_format,
};
use crate::columns;
use crate::metrics::{self, describe};
use crate::stats::t_interval;
use crate::{AnalysisError, Study};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::collections::BTreeMap;

/// A parameter value: numbers sort as numbers, text as text.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Num(f64),
    Text(String),
}

impl Value {
    fn label(&self) -> String {
        match self {
            Value::Num(x) => {
                let s = format!("{x}");
                if s.len() > 10 { format!("{x:.4e}") } else { s }
            }
            Value::Text(t) => t.clone(),
        }
    }
}

/// Distinct values in order (numbers ascending, then text).
fn distinct(values: &[Option<Value>]) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for v in values.iter().flatten() {
        if !out.contains(v) {
            out.push(v.clone());
        }
    }
    out.sort_by(|a, b| match (a, b) {
        (Value::Num(x), Value::Num(y)) => x.total_cmp(y),
        (Value::Num(_), Value::Text(_)) => std::cmp::Ordering::Less,
        (Value::Text(_), Value::Num(_)) => std::cmp::Ordering::Greater,
        (Value::Text(x), Value::Text(y)) => x.cmp(y),
    });
    out
}

fn values(
    df: &polars::prelude::DataFrame,
    name: &str,
) -> Result<Vec<Option<Value>>, AnalysisError> {
    if columns::is_numeric(df, name) {
        Ok(columns::f64s(df, "per_run", name)?
            .into_iter()
            .map(|v| v.filter(|x| x.is_finite()).map(Value::Num))
            .collect())
    } else {
        Ok(columns::strs(df, "per_run", name)?
            .into_iter()
            .map(|s| (!s.is_empty()).then_some(Value::Text(s)))
            .collect())
    }
}

/// The sweep charts for each of `metrics` present in the per-run frame.
pub(super) fn sweep_charts(
    study: &Study,
    ctx: &Context,
    metrics: &[String],
) -> Result<Vec<Chart>, AnalysisError> {
    let per_run = metrics::per_run(study)?;
    let mut params: Vec<(String, Vec<Option<Value>>, Vec<Value>)> = Vec::new();
    for name in study.sweep_params() {
        let v = values(&per_run, &name)?;
        let d = distinct(&v);
        if d.len() >= 2 {
            params.push((name, v, d));
        }
    }
    let mut charts = Vec::new();
    if params.is_empty() {
        return Ok(charts);
    }
    let available = metrics::metric_columns(&per_run);
    for metric in metrics.iter().filter(|m| available.contains(m)) {
        let y = columns::f64s_nan(&per_run, "per_run", metric)?;
        let unit = describe(metric);
        let (p1, v1, d1) = &params[0];
        if d1.iter().all(|v| matches!(v, Value::Num(_))) {
            let by = params.get(1).filter(|p| p.2.len() <= 6);
            let rows = (0..per_run.height()).filter_map(|i| {
                let Some(Value::Num(x)) = &v1[i] else {
                    return None;
                };
                let series = by.map_or(0, |(_, v2, d2)| {
                    v2[i]
                        .as_ref()
                        .and_then(|v| d2.iter().position(|d| d == v))
                        .map_or(d2.len(), |k| k)
                });
                Some((series, *x, y[i]))
            });
            let bands = bands_by(rows, crate::metrics::range(metric))
                .into_iter()
                .map(|(k, points)| Band {
                    label: by.map_or_else(String::new, |(name, _, d2)| {
                        format!(
                            "{} = {}",
                            short(name),
                            d2.get(k).map_or_else(|| "none".to_string(), Value::label)
                        )
                    }),
                    color: color(k),
                    points,
                    stroke: Stroke::Solid,
                })
                .collect();
            let note = format!(
                "{} against {p1}; points are means over runs, bands 95 % t intervals.",
                capitalised(&unit)
            );
            charts.push(ctx.render(
                &format!("sweep_line_{metric}"),
                &format!("{metric} across the sweep"),
                &note,
                &SweepLine {
                    bands,
                    x_desc: p1.clone(),
                    y_desc: if unit.is_empty() {
                        metric.clone()
                    } else {
                        unit.clone()
                    },
                },
            )?);
        }
        if let Some((p2, v2, d2)) = params.get(1) {
            let mut cells: BTreeMap<(usize, usize), Vec<f64>> = BTreeMap::new();
            for i in 0..per_run.height() {
                let (Some(a), Some(b)) = (&v1[i], &v2[i]) else {
                    continue;
                };
                let (Some(ia), Some(ib)) = (
                    d1.iter().position(|d| d == a),
                    d2.iter().position(|d| d == b),
                ) else {
                    continue;
                };
                cells.entry((ia, ib)).or_default().push(y[i]);
            }
            let means: BTreeMap<(usize, usize), f64> = cells
                .into_iter()
                .map(|(k, ys)| (k, t_interval(&ys, 0.95).mean))
                .filter(|(_, m)| m.is_finite())
                .collect();
            let note = format!(
                "Mean of {metric} over the runs at each pair of {p1} and {p2}{}.",
                if params.len() > 2 {
                    " (and over the other sweep parameters)"
                } else {
                    ""
                }
            );
            charts.push(ctx.render(
                &format!("sweep_heatmap_{metric}"),
                &format!("{metric} over {} × {}", short(p1), short(p2)),
                &note,
                &Heatmap {
                    x_labels: d1.iter().map(Value::label).collect(),
                    y_labels: d2.iter().map(Value::label).collect(),
                    x_desc: p1.clone(),
                    y_desc: p2.clone(),
                    metric: metric.clone(),
                    cells: means,
                },
            )?);
        }
    }
    Ok(charts)
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}

/// The last field of a parameter path (`subnets[0].hyperparameters.kappa` → `kappa`).
fn short(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

struct SweepLine {
    bands: Vec<Band>,
    x_desc: String,
    y_desc: String,
}

impl Plot for SweepLine {
    fn plot<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let xs = || self.bands.iter().flat_map(|b| b.points.iter().map(|p| p.0));
        let (x0, x1) = super::padded_range(xs());
        let (y0, y1) = super::padded_range(
            self.bands
                .iter()
                .flat_map(|b| b.points.iter().flat_map(|p| [p.1, p.2, p.3])),
        );
        let mut chart =
            super::linear_axes(area, (x0, x1), (y0, y1), (&self.x_desc, &self.y_desc), 10)?;
        draw_bands(&mut chart, &self.bands)?;
        for band in &self.bands {
            let c = band.color;
            chart
                .draw_series(
                    band.points
                        .iter()
                        .map(move |p| Circle::new((p.0, p.1), 4, c.filled())),
                )
                .map_err(err)?;
        }
        if self.bands.iter().any(|b| !b.label.is_empty()) {
            draw_legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        }
        Ok(())
    }
}

struct Heatmap {
    x_labels: Vec<String>,
    y_labels: Vec<String>,
    x_desc: String,
    y_desc: String,
    metric: String,
    cells: BTreeMap<(usize, usize), f64>,
}

/// Viridis at ten stops (matplotlib's default colour map: perceptually even, legible in grey
/// and for colour-blind readers).
const VIRIDIS: [(u8, u8, u8); 10] = [
    (0x44, 0x01, 0x54),
    (0x48, 0x28, 0x78),
    (0x3e, 0x4a, 0x89),
    (0x31, 0x68, 0x8e),
    (0x26, 0x82, 0x8e),
    (0x1f, 0x9e, 0x89),
    (0x35, 0xb7, 0x79),
    (0x6d, 0xcd, 0x59),
    (0xb4, 0xde, 0x2c),
    (0xfd, 0xe7, 0x25),
];

/// Viridis at `t` in [0, 1] by linear interpolation between the stops.
fn viridis(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * (VIRIDIS.len() - 1) as f64;
    let i = (x.floor() as usize).min(VIRIDIS.len() - 2);
    let f = x - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |p: u8, q: u8| (p as f64 + (q as f64 - p as f64) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

impl Plot for Heatmap {
    fn plot<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (w, _) = area.dim_in_pixel();
        let (main, bar) = area.split_horizontally(w.saturating_sub(150));
        let lo = self.cells.values().copied().fold(f64::INFINITY, f64::min);
        let hi = self
            .cells
            .values()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        // Differences at the level of floating-point noise are no differences: a flat sweep
        // gets one colour, not a full scale stretched over 1e-12.
        let flat = (hi - lo).is_nan() || hi - lo <= 1e-9 * lo.abs().max(hi.abs()).max(1e-300);
        let (lo, hi) = if !lo.is_finite() {
            (0.0, 1.0)
        } else if flat {
            let pad = (lo.abs() * 0.01).max(1e-9);
            (lo - pad, lo + pad)
        } else {
            (lo, hi)
        };
        let scale = |v: f64| (v - lo) / (hi - lo);
        let (nx, ny) = (self.x_labels.len(), self.y_labels.len());
        let mut chart = ChartBuilder::on(&main)
            .margin_left(12)
            .margin_right(12)
            .margin_top(8)
            .x_label_area_size(44)
            .y_label_area_size(90)
            // plotters' integer ranges include their end: 0..n−1 is n segments.
            .build_cartesian_2d(
                (0..nx.saturating_sub(1)).into_segmented(),
                (0..ny.saturating_sub(1)).into_segmented(),
            )
            .map_err(err)?;
        let label_of = |labels: &[String], v: &SegmentValue<usize>| match v {
            SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(self.x_desc.as_str())
            .y_desc(self.y_desc.as_str())
            .x_labels(nx)
            .y_labels(ny)
            .x_label_formatter(&|v| label_of(&self.x_labels, v))
            .y_label_formatter(&|v| label_of(&self.y_labels, v))
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 16))
            .draw()
            .map_err(err)?;
        let decimals = {
            let step = ((hi - lo) / 20.0).max(f64::MIN_POSITIVE);
            (-step.log10()).ceil().clamp(0.0, 6.0) as usize
        };
        for i in 0..nx {
            for j in 0..ny {
                let corners = [
                    (SegmentValue::Exact(i), SegmentValue::Exact(j)),
                    (SegmentValue::Exact(i + 1), SegmentValue::Exact(j + 1)),
                ];
                let (fill, text) = match self.cells.get(&(i, j)) {
                    Some(&v) => (viridis(scale(v)), format_number(v, decimals)),
                    None => (RGBColor(225, 225, 225), "–".to_string()),
                };
                chart
                    .draw_series(std::iter::once(Rectangle::new(corners, fill.filled())))
                    .map_err(err)?;
                let light = self.cells.get(&(i, j)).is_some_and(|&v| scale(v) > 0.6);
                let ink = if light { BLACK } else { WHITE };
                let ink = if self.cells.contains_key(&(i, j)) {
                    ink
                } else {
                    RGBColor(90, 90, 90)
                };
                let style = TextStyle::from(("sans-serif", 15).into_font())
                    .color(&ink)
                    .pos(Pos::new(HPos::Center, VPos::Center));
                chart
                    .draw_series(std::iter::once(Text::new(
                        text,
                        (SegmentValue::CenterOf(i), SegmentValue::CenterOf(j)),
                        style,
                    )))
                    .map_err(err)?;
            }
        }
        // Colour bar.
        let mut legend = ChartBuilder::on(&bar)
            .margin_top(8)
            .margin_bottom(52)
            .margin_left(16)
            .margin_right(8)
            .right_y_label_area_size(96)
            .build_cartesian_2d(0.0..1.0, lo..hi)
            .map_err(err)?;
        let yfmt = tick_format(lo, hi, 6);
        legend
            .configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .y_label_formatter(&yfmt)
            .y_labels(6)
            .y_desc(self.metric.as_str())
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 14))
            .draw()
            .map_err(err)?;
        let steps = 64;
        legend
            .draw_series((0..steps).map(|k| {
                let a = lo + (hi - lo) * k as f64 / steps as f64;
                let b = lo + (hi - lo) * (k + 1) as f64 / steps as f64;
                Rectangle::new(
                    [(0.0, a), (1.0, b)],
                    viridis((k as f64 + 0.5) / steps as f64).filled(),
                )
            }))
            .map_err(err)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viridis_ends() {
        assert_eq!(viridis(0.0), RGBColor(0x44, 0x01, 0x54));
        assert_eq!(viridis(1.0), RGBColor(0xfd, 0xe7, 0x25));
        assert_eq!(viridis(f64::NAN), viridis(0.0));
    }

    #[test]
    fn values_sort_numbers_first() {
        let v = vec![
            Some(Value::Num(3.0)),
            Some(Value::Text("b".into())),
            None,
            Some(Value::Num(1.0)),
            Some(Value::Num(3.0)),
        ];
        assert_eq!(
            distinct(&v),
            [Value::Num(1.0), Value::Num(3.0), Value::Text("b".into())]
        );
        assert_eq!(short("subnets[0].hyperparameters.kappa"), "kappa");
    }
}
