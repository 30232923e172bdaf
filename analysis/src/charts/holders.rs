//! Charts across hotkeys: validator yield against stake, Lorenz curves.

use super::{
    Band, Chart, Context, DrawResult, LIGHT_GRID, Plot, Stroke, color, draw_bands, draw_legend,
    err, format_number, has_arm, series_label, shown_arms, tick_format, zero_based_range,
};
use crate::columns;
use crate::metrics::{self, gini, lorenz_on_grid};
use crate::{AnalysisError, Study};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::collections::BTreeMap;

/// One arm's validators.
struct ArmPoints {
    label: String,
    color: RGBColor,
    /// (mean stake, dividends per 1,000 TAO per day) per validator and run.
    points: Vec<(f64, f64)>,
    /// Stake-weighted mean of the yields.
    mean: f64,
}

struct Scatter {
    groups: Vec<ArmPoints>,
}

/// Running sums of one arm's validators.
#[derive(Default)]
struct Acc {
    points: Vec<(f64, f64)>,
    weighted: f64,
    stake: f64,
}

/// Each validator's dividends per 1,000 TAO staked per day against its mean stake, all runs.
pub(super) fn validator_dividends(
    study: &Study,
    ctx: &Context,
) -> Result<Option<Chart>, AnalysisError> {
    let df = metrics::hotkeys(study)?;
    let t = "hotkeys";
    let arm = columns::u32s(&df, t, "arm")?;
    let role = columns::strs(&df, t, "role")?;
    let stake = columns::f64s_nan(&df, t, "mean_stake")?;
    let yields = columns::f64s_nan(&df, t, "emission_per_1000_tao_day")?;
    let (arms, arms_note) = shown_arms(study)?;
    let mut by_arm: BTreeMap<u32, Acc> = BTreeMap::new();
    for i in 0..df.height() {
        if role[i] != "validator"
            || !stake[i].is_finite()
            || stake[i] <= 0.0
            || !yields[i].is_finite()
            || !has_arm(&arms, arm[i])
        {
            continue;
        }
        let e = by_arm.entry(arm[i]).or_default();
        e.points.push((stake[i], yields[i]));
        e.weighted += yields[i] * stake[i];
        e.stake += stake[i];
    }
    if by_arm.is_empty() {
        return Ok(None);
    }
    let groups = by_arm
        .into_iter()
        .enumerate()
        .map(|(k, (a, acc))| {
            let label = if arms.len() > 1 {
                series_label(&arms, a, "")
            } else {
                "validators".to_string()
            };
            ArmPoints {
                label,
                color: color(k),
                mean: acc.weighted / acc.stake,
                points: acc.points,
            }
        })
        .collect();
    let note = if study.run_count() > 1 {
        "One dot per validator per run; a validator without a permit earns nothing. Dashed: stake-weighted mean."
    } else {
        "One dot per validator; a validator without a permit earns nothing. Dashed: stake-weighted mean."
    };
    let note = format!("{note}{arms_note}");
    Ok(Some(ctx.render(
        "validator_dividends",
        "Validator dividends per 1,000 TAO staked",
        &note,
        &Scatter { groups },
    )?))
}

impl Plot for Scatter {
    fn plot<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let xs = || {
            self.groups
                .iter()
                .flat_map(|g| g.points.iter().map(|p| p.0))
        };
        let lo = xs().fold(f64::INFINITY, f64::min);
        let hi = xs().fold(f64::NEG_INFINITY, f64::max);
        let (x0, x1) = if hi > lo {
            (lo / 1.5, hi * 1.5)
        } else {
            (lo / 10.0, lo * 10.0)
        };
        let (y0, y1) = zero_based_range(
            self.groups
                .iter()
                .flat_map(|g| g.points.iter().map(|p| p.1)),
        );
        let yfmt = tick_format(y0, y1, 8);
        let mut chart = ChartBuilder::on(area)
            .margin_left(12)
            .margin_right(24)
            .margin_top(8)
            .x_label_area_size(44)
            .y_label_area_size(84)
            .build_cartesian_2d((x0..x1).log_scale(), y0..y1)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("mean stake of the validator (TAO, log scale)")
            .y_desc("dividends per 1,000 TAO staked per day (TAO)")
            .x_label_formatter(&|x| {
                let decimals = if *x >= 1.0 { 0 } else { 3 };
                format_number(*x, decimals)
            })
            .y_label_formatter(&yfmt)
            .y_labels(8)
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 16))
            .light_line_style(LIGHT_GRID)
            .max_light_lines(1)
            .draw()
            .map_err(err)?;
        for ArmPoints {
            label,
            color: c,
            points,
            mean,
        } in &self.groups
        {
            let c = *c;
            chart
                .draw_series(
                    points
                        .iter()
                        .map(|&p| Circle::new(p, 4, c.mix(0.65).filled())),
                )
                .map_err(err)?
                .label(label.clone())
                .legend(move |(x, y)| Circle::new((x + 10, y), 5, c.filled()));
            if mean.is_finite() {
                chart
                    .draw_series(DashedLineSeries::new(
                        vec![(x0, *mean), (x1, *mean)],
                        8,
                        5,
                        c.stroke_width(1),
                    ))
                    .map_err(err)?;
            }
        }
        draw_legend(&mut chart, SeriesLabelPosition::LowerRight)
    }
}

struct Lorenz {
    /// Two panels: (panel title, bands).
    panels: [(String, Vec<Band>); 2],
}

/// Points on the population axis where Lorenz curves are sampled and averaged.
const LORENZ_POINTS: usize = 101;

/// Lorenz curves of final stake and of total emission per hotkey, averaged over each arm's
/// runs.
pub(super) fn lorenz(study: &Study, ctx: &Context) -> Result<Option<Chart>, AnalysisError> {
    let df = metrics::hotkeys(study)?;
    if df.height() == 0 {
        return Ok(None);
    }
    let t = "hotkeys";
    let arm = columns::u32s(&df, t, "arm")?;
    let run = columns::u32s(&df, t, "run")?;
    let stake = columns::f64s_nan(&df, t, "final_stake")?;
    let emission = columns::f64s_nan(&df, t, "emission")?;
    let mut runs: BTreeMap<(u32, u32), Vec<usize>> = BTreeMap::new();
    for i in 0..df.height() {
        runs.entry((arm[i], run[i])).or_default().push(i);
    }
    let (arms, arms_note) = shown_arms(study)?;
    let mut panels: [(String, Vec<Band>); 2] = [
        ("final stake".to_string(), Vec::new()),
        ("total emission".to_string(), Vec::new()),
    ];
    for (p, values) in [&stake, &emission].into_iter().enumerate() {
        // Per arm: the curves of its runs and their Ginis.
        let mut per_arm: BTreeMap<u32, (Vec<Vec<f64>>, Vec<f64>)> = BTreeMap::new();
        for ((a, _), rows) in runs.iter().filter(|((a, _), _)| has_arm(&arms, *a)) {
            let xs: Vec<f64> = rows.iter().map(|&i| values[i]).collect();
            let curve = lorenz_on_grid(&xs, LORENZ_POINTS);
            if curve.iter().any(|y| !y.is_finite()) {
                continue;
            }
            let e = per_arm.entry(*a).or_default();
            e.0.push(curve);
            e.1.push(gini(&xs));
        }
        for (k, (a, (curves, ginis))) in per_arm.into_iter().enumerate() {
            let n = curves.len() as f64;
            let points = (0..LORENZ_POINTS)
                .map(|j| {
                    let x = 100.0 * j as f64 / (LORENZ_POINTS - 1) as f64;
                    let y = 100.0 * curves.iter().map(|c| c[j]).sum::<f64>() / n;
                    (x, y, f64::NAN, f64::NAN)
                })
                .collect();
            let g = ginis.iter().sum::<f64>() / ginis.len() as f64;
            let name = series_label(&arms, a, "");
            let label = if arms.len() > 1 {
                format!("{name} (Gini {g:.3})")
            } else {
                format!("Gini {g:.3}")
            };
            panels[p].1.push(Band {
                label,
                color: color(k),
                points,
                stroke: Stroke::Solid,
            });
        }
    }
    if panels.iter().all(|p| p.1.is_empty()) {
        return Ok(None);
    }
    let note = if study.run_count() > 1 {
        "Hotkeys sorted from smallest to largest; curves averaged over runs; the diagonal is perfect equality."
    } else {
        "Hotkeys sorted from smallest to largest; the diagonal is perfect equality."
    };
    let note = format!("{note}{arms_note}");
    Ok(Some(ctx.render(
        "lorenz",
        "Lorenz curves of stake and emission per hotkey",
        &note,
        &Lorenz { panels },
    )?))
}

impl Plot for Lorenz {
    fn plot<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (w, _) = area.dim_in_pixel();
        let (left, right) = area.split_horizontally(w / 2);
        for (area, (title, bands)) in [left, right].iter().zip(&self.panels) {
            let mut chart = ChartBuilder::on(area)
                .caption(title, ("sans-serif", 18))
                .margin_left(12)
                .margin_right(20)
                .x_label_area_size(44)
                .y_label_area_size(70)
                .build_cartesian_2d(0.0..100.0, 0.0..100.0)
                .map_err(err)?;
            chart
                .configure_mesh()
                .x_desc("share of hotkeys, smallest first (%)")
                .y_desc("share of the total they hold (%)")
                .x_labels(6)
                .y_labels(8)
                .x_label_formatter(&|x| format!("{x:.0}"))
                .y_label_formatter(&|y| format!("{y:.0}"))
                .label_style(("sans-serif", 14))
                .axis_desc_style(("sans-serif", 15))
                .light_line_style(LIGHT_GRID)
                .max_light_lines(1)
                .draw()
                .map_err(err)?;
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(0.0, 0.0), (100.0, 100.0)],
                    6,
                    4,
                    RGBColor(150, 150, 150).stroke_width(1),
                ))
                .map_err(err)?;
            draw_bands(&mut chart, bands)?;
            if !bands.is_empty() {
                draw_legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
            }
        }
        Ok(())
    }
}
