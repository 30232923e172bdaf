//! Charts of the built-in experiments: retention lines (the docs' compound contour plot),
//! the honest utility needed per honest stake, the collusion frontier, and the case
//! library's dividends per epoch.

use super::{
    Chart, Context, DrawResult, LIGHT_GRID, Plot, Stroke, color, draw_legend, err, labelled_line,
    tick_format,
};
use crate::AnalysisError;
use crate::experiment::validator_letter;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;
use subnetlab_sim::experiment::cases::CaseRun;
use subnetlab_sim::experiment::frontier::FrontierResult;
use subnetlab_sim::experiment::retention::{Mode, RetentionResult, axis, retention_line};

/// A line drawn in pieces (gaps where it is undefined).
struct Series {
    label: String,
    color: RGBColor,
    stroke: Stroke,
    segments: Vec<Vec<(f64, f64)>>,
}

/// A line chart over fixed or data ranges, optionally with the diagonal `y = x`.
struct Lines {
    series: Vec<Series>,
    x_desc: String,
    y_desc: String,
    x_range: (f64, f64),
    y_range: (f64, f64),
    diagonal: Option<&'static str>,
    legend: SeriesLabelPosition,
}

impl Plot for Lines {
    fn plot<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (x0, x1) = self.x_range;
        let (y0, y1) = self.y_range;
        // Twice the label count plotters aims for: its steps can be finer than the nominal one.
        let (xfmt, yfmt) = (tick_format(x0, x1, 20), tick_format(y0, y1, 20));
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
            .x_desc(self.x_desc.as_str())
            .y_desc(self.y_desc.as_str())
            .x_label_formatter(&xfmt)
            .y_label_formatter(&yfmt)
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 16))
            .light_line_style(LIGHT_GRID)
            .max_light_lines(1)
            .draw()
            .map_err(err)?;
        if let Some(label) = self.diagonal {
            let lo = x0.max(y0);
            let hi = x1.min(y1);
            labelled_line(
                &mut chart,
                vec![(lo, lo), (hi, hi)],
                label,
                RGBColor(150, 150, 150),
                Stroke::Dotted,
            )?;
        }
        for s in &self.series {
            for (k, seg) in s.segments.iter().enumerate() {
                let label = if k == 0 { s.label.as_str() } else { "" };
                labelled_line(&mut chart, seg.clone(), label, s.color, s.stroke)?;
                if seg.len() == 1 {
                    chart
                        .draw_series(seg.iter().map(|&p| Circle::new(p, 4, s.color.filled())))
                        .map_err(err)?;
                }
            }
        }
        if self.series.iter().any(|s| !s.label.is_empty()) || self.diagonal.is_some() {
            draw_legend(&mut chart, self.legend.clone())?;
        }
        Ok(())
    }
}

/// Splits `(x, Option<y>)` points into the runs where `y` is defined.
fn segments(points: impl IntoIterator<Item = (f64, Option<f64>)>) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current = Vec::new();
    for (x, y) in points {
        match y {
            Some(y) => current.push((x, y)),
            None if !current.is_empty() => out.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn stroke(k: usize) -> Stroke {
    [Stroke::Solid, Stroke::Dashed, Stroke::Dotted][k % 3]
}

/// The retention charts: per mode and σ, the `E_H = S_H` lines of every honest stake in the
/// `W_H` × `W_C` plane (`retention_<mode>_sigma_<σ>`), and the honest utility needed per
/// honest stake (`retention_required`).
pub fn retention_charts(
    result: &RetentionResult,
    out_dir: &Path,
    caption: &str,
) -> Result<Vec<Chart>, AnalysisError> {
    let ctx = Context::new(out_dir, caption)?;
    let maps = result.maps();
    let mut keys: Vec<(Mode, f64)> = Vec::new();
    for (mode, sigma, _, _) in &maps {
        if !keys.contains(&(*mode, *sigma)) {
            keys.push((*mode, *sigma));
        }
    }
    let mut charts = Vec::new();
    for (mode, sigma) in keys {
        let series: Vec<Series> = maps
            .iter()
            .filter(|m| m.0 == mode && m.1 == sigma)
            .enumerate()
            .map(|(k, (_, _, sh, points))| {
                let grid = (points.len() as f64).sqrt().round() as usize;
                let line = retention_line(points, &axis(grid), *sh);
                // x: the honest utility needed, y: the cabal self-weight.
                Series {
                    label: format!("S_H = {sh:.2}"),
                    color: color(k),
                    stroke: Stroke::Solid,
                    segments: segments(line)
                        .into_iter()
                        .map(|seg| seg.into_iter().map(|(wc, wh)| (wh, wc)).collect())
                        .collect(),
                }
            })
            .collect();
        let name = format!("retention_{}_sigma_{sigma:.2}", mode.name());
        let what = match mode {
            Mode::Single => "one epoch",
            Mode::Multi => "many epochs, stake compounding",
        };
        charts.push(ctx.render(
            &name,
            &format!("Retention lines, σ_W = {sigma}, {what}"),
            "Each line is where the honest team just keeps its stake share S_H: right of it \
             (more honest utility) the honest share grows, left of it the cabal's does.",
            &Lines {
                series,
                x_desc: "honest utility W_H (honest weight on honest servers)".into(),
                y_desc: "cabal self-weight W_C".into(),
                x_range: (0.0, 1.0),
                y_range: (0.0, 1.0),
                diagonal: None,
                legend: SeriesLabelPosition::UpperLeft,
            },
        )?);
    }
    let mut keys: Vec<(Mode, f64)> = Vec::new();
    for r in &result.required {
        if !keys.contains(&(r.mode, r.sigma)) {
            keys.push((r.mode, r.sigma));
        }
    }
    let sigmas: Vec<f64> = {
        let mut s: Vec<f64> = keys.iter().map(|k| k.1).collect();
        s.dedup();
        s
    };
    let series = keys
        .iter()
        .map(|&(mode, sigma)| Series {
            label: format!("σ_W = {sigma}, {}", mode.name().replace('_', " ")),
            color: color(sigmas.iter().position(|&s| s == sigma).unwrap_or(0)),
            stroke: if mode == Mode::Single {
                Stroke::Solid
            } else {
                Stroke::Dashed
            },
            segments: segments(
                result
                    .required
                    .iter()
                    .filter(|r| r.mode == mode && r.sigma == sigma)
                    .map(|r| (r.honest_stake, r.required_utility)),
            ),
        })
        .collect();
    charts.push(ctx.render(
        "retention_required",
        "Honest utility needed to keep the honest stake share",
        "The least honest utility W_H at which the honest team keeps S_H against every cabal \
         self-weight; a missing point means no utility is enough.",
        &Lines {
            series,
            x_desc: "honest stake share S_H".into(),
            y_desc: "honest utility needed W_H".into(),
            x_range: (0.5, 1.0),
            y_range: (0.0, 1.0),
            diagonal: None,
            legend: SeriesLabelPosition::LowerRight,
        },
    )?);
    Ok(charts)
}

/// The frontier chart: the cabal's best-response reward share against its stake share, one
/// line per variant, with the break-even diagonal.
pub fn frontier_chart(
    result: &FrontierResult,
    out_dir: &Path,
    caption: &str,
) -> Result<Vec<Chart>, AnalysisError> {
    let ctx = Context::new(out_dir, caption)?;
    let mut variants: Vec<&str> = Vec::new();
    for b in &result.best {
        if !variants.contains(&b.variant.as_str()) {
            variants.push(&b.variant);
        }
    }
    let series: Vec<Series> = variants
        .iter()
        .enumerate()
        .map(|(k, v)| Series {
            label: (*v).to_string(),
            color: color(k),
            stroke: if v.contains("+cr") {
                Stroke::Dashed
            } else {
                Stroke::Solid
            },
            segments: segments(
                result
                    .best
                    .iter()
                    .filter(|b| b.variant == *v)
                    .map(|b| (b.cabal_stake, Some(b.reward_share))),
            ),
        })
        .collect();
    let hi = result
        .best
        .iter()
        .map(|b| b.reward_share.max(b.cabal_stake))
        .fold(0.05, f64::max);
    let x_hi = result
        .best
        .iter()
        .map(|b| b.cabal_stake)
        .fold(0.05, f64::max);
    Ok(vec![ctx.render(
        "frontier",
        "Collusion frontier: cabal reward share vs stake share",
        "The cabal's reward share at its best self-weight; above the diagonal colluding pays \
         (dashed: with commit-reveal).",
        &Lines {
            series,
            x_desc: "cabal stake share".into(),
            y_desc: "cabal share of emission".into(),
            x_range: (0.0, x_hi * 1.02),
            y_range: (0.0, hi * 1.05),
            diagonal: Some("reward share = stake share"),
            legend: SeriesLabelPosition::UpperLeft,
        },
    )?])
}

/// One chart per case: each validator's dividends per 1000 TAO per epoch (colour: validator,
/// line style: variant).
pub fn case_charts(
    runs: &[CaseRun],
    out_dir: &Path,
    caption: &str,
) -> Result<Vec<Chart>, AnalysisError> {
    let ctx = Context::new(out_dir, caption)?;
    let mut charts = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    for r in runs {
        if !names.contains(&r.case.name) {
            names.push(r.case.name);
        }
    }
    for name in names {
        let case_runs: Vec<&CaseRun> = runs.iter().filter(|r| r.case.name == name).collect();
        let mut series = Vec::new();
        let mut y_hi: f64 = 0.0;
        for (k, run) in case_runs.iter().enumerate() {
            for v in 0..3 {
                let points: Vec<(f64, f64)> = run
                    .epochs
                    .iter()
                    .filter(|e| e.validator == v)
                    .map(|e| (f64::from(e.epoch), e.per_1000_tao))
                    .collect();
                y_hi = points.iter().map(|p| p.1).fold(y_hi, f64::max);
                series.push(Series {
                    label: format!(
                        "{} {} · {}",
                        validator_letter(v),
                        run.case.validators[v],
                        run.variant
                    ),
                    color: color(v),
                    stroke: stroke(k),
                    segments: vec![points],
                });
            }
        }
        let case = case_runs[0].case;
        charts.push(ctx.render(
            &format!("case_{name}"),
            case.title,
            "Dividends per 1000 TAO staked per epoch; colour: validator, line style: Yuma variant.",
            &Lines {
                series,
                x_desc: "epoch".into(),
                y_desc: "dividends per 1000 TAO per epoch".into(),
                x_range: (0.0, f64::from(case.epochs.saturating_sub(1)).max(1.0)),
                y_range: (0.0, (y_hi * 1.1).max(1e-6)),
                diagonal: None,
                legend: SeriesLabelPosition::UpperRight,
            },
        )?);
    }
    Ok(charts)
}
