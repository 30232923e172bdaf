//! Charts over time: supply and block emission, emission shares by role, concentration, miner
//! quality.

use super::{
    ANY, Band, Chart, Context, DrawResult, LIGHT_GRID, Plot, Stroke, bands_by, color, draw_bands,
    draw_legend, draw_note, err, has_arm, legend_entry, padded_range, series_label, shown_arms,
    tick_format, zero_based_range,
};
use crate::columns;
use crate::metrics;
use crate::{AnalysisError, Study};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::collections::BTreeMap;

/// One arm's supply series.
struct SupplyLine {
    label: String,
    /// (block, issuance in M TAO, block emission in TAO)
    points: Vec<(f64, f64, f64)>,
}

struct Supply {
    lines: Vec<SupplyLine>,
    /// (block, new halving level)
    halvings: Vec<(f64, u32)>,
}

/// Supply and block emission over blocks, halvings marked. One line per arm (its first run:
/// issuance does not depend on agents' randomness).
pub(super) fn supply(study: &Study, ctx: &Context) -> Result<Option<Chart>, AnalysisError> {
    let df = metrics::network_series(study)?;
    if df.height() == 0 {
        return Ok(None);
    }
    let t = "network series";
    let arm = columns::u32s(&df, t, "arm")?;
    let run = columns::u32s(&df, t, "run")?;
    let block = columns::u64s(&df, t, "block")?;
    let issuance = columns::f64s_nan(&df, t, "issuance")?;
    let emission = columns::f64s_nan(&df, t, "block_emission")?;
    let halving = columns::u32s(&df, t, "halving_index")?;
    let (arms, arms_note) = shown_arms(study)?;
    // The first run of each arm.
    let mut first_run: BTreeMap<u32, u32> = BTreeMap::new();
    for (a, r) in arm.iter().zip(&run).filter(|(a, _)| has_arm(&arms, **a)) {
        let e = first_run.entry(*a).or_insert(*r);
        *e = (*e).min(*r);
    }
    let mut lines = Vec::new();
    let mut halvings: Vec<(f64, u32)> = Vec::new();
    for (a, r) in &first_run {
        let rows: Vec<usize> = (0..df.height())
            .filter(|&i| arm[i] == *a && run[i] == *r)
            .collect();
        let points = rows
            .iter()
            .map(|&i| (block[i] as f64, issuance[i] / 1e6, emission[i]))
            .collect();
        for pair in rows.windows(2) {
            let (p, q) = (pair[0], pair[1]);
            if halving[q] > halving[p] && !halvings.iter().any(|(b, _)| *b == block[q] as f64) {
                halvings.push((block[q] as f64, halving[q]));
            }
        }
        lines.push(SupplyLine {
            label: if arms.len() > 1 {
                series_label(&arms, *a, "")
            } else {
                String::new()
            },
            points,
        });
    }
    halvings.sort_by(|a, b| a.0.total_cmp(&b.0));
    let note = if halvings.is_empty() {
        "Total TAO issued and TAO minted per block; no halving falls in the run."
    } else {
        "Total TAO issued and TAO minted per block; dashed lines mark halvings."
    };
    let note = format!("{note}{arms_note}");
    Ok(Some(ctx.render(
        "supply",
        "TAO supply and block emission",
        &note,
        &Supply { lines, halvings },
    )?))
}

impl Plot for Supply {
    fn plot<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (_, h) = area.dim_in_pixel();
        let (top, bottom) = area.split_vertically(h * 56 / 100);
        let all = || self.lines.iter().flat_map(|l| l.points.iter());
        let (x0, x1) = padded_range(all().map(|p| p.0));
        let (x0, x1) = {
            let (lo, hi) = (
                all().map(|p| p.0).fold(f64::INFINITY, f64::min),
                all().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max),
            );
            if hi > lo { (lo, hi) } else { (x0, x1) }
        };
        let xfmt = tick_format(x0, x1, 8);
        for (panel, (area, ydesc)) in [
            (&top, "issued (million TAO)"),
            (&bottom, "block emission (TAO/block)"),
        ]
        .into_iter()
        .enumerate()
        {
            let value = |p: &(f64, f64, f64)| if panel == 0 { p.1 } else { p.2 };
            let (y0, y1) = if panel == 0 {
                padded_range(all().map(value))
            } else {
                zero_based_range(all().map(value))
            };
            let y1 = if panel == 1 { y1 * 1.08 } else { y1 };
            let yfmt = tick_format(y0, y1, 8);
            let mut chart = ChartBuilder::on(area)
                .margin_left(12)
                .margin_right(24)
                .margin_top(8)
                .x_label_area_size(if panel == 0 { 18 } else { 44 })
                .y_label_area_size(84)
                .build_cartesian_2d(x0..x1, y0..y1)
                .map_err(err)?;
            let mut mesh = chart.configure_mesh();
            mesh.y_desc(ydesc)
                .y_label_formatter(&yfmt)
                .x_label_formatter(&xfmt)
                .x_labels(8)
                .y_labels(8)
                .label_style(("sans-serif", 14))
                .axis_desc_style(("sans-serif", 16))
                .light_line_style(LIGHT_GRID)
                .max_light_lines(1);
            if panel == 0 {
                mesh.x_label_formatter(&|_| String::new());
            } else {
                mesh.x_desc("block");
            }
            mesh.draw().map_err(err)?;
            for (b, level) in &self.halvings {
                chart
                    .draw_series(DashedLineSeries::new(
                        vec![(*b, y0), (*b, y1)],
                        6,
                        4,
                        RGBColor(200, 60, 60).stroke_width(1),
                    ))
                    .map_err(err)?;
                if panel == 0 {
                    let style = TextStyle::from(("sans-serif", 14).into_font())
                        .color(&RGBColor(200, 60, 60));
                    chart
                        .draw_series(std::iter::once(Text::new(
                            format!(" halving {level}"),
                            (*b, y1),
                            style,
                        )))
                        .map_err(err)?;
                }
            }
            for (i, line) in self.lines.iter().enumerate() {
                let c = color(i);
                let pts: Vec<(f64, f64)> = line.points.iter().map(|p| (p.0, value(p))).collect();
                let series = chart
                    .draw_series(LineSeries::new(pts, c.stroke_width(2)))
                    .map_err(err)?;
                if panel == 0 && !line.label.is_empty() {
                    series.label(line.label.clone()).legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 22, y)], c.stroke_width(3))
                    });
                }
            }
            if panel == 0 && self.lines.iter().any(|l| !l.label.is_empty()) {
                draw_legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
            }
        }
        Ok(())
    }
}

/// Lines with bands on a numeric x axis.
struct Lines {
    bands: Vec<Band>,
    x_desc: String,
    y_desc: String,
    /// Fixed y range, or None to fit the data.
    y_range: Option<(f64, f64)>,
    legend: SeriesLabelPosition,
    /// Legend entries without a series of their own (a colour per arm, a pattern per role).
    legend_entries: Vec<(String, RGBColor, Stroke)>,
}

impl Plot for Lines {
    fn plot<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let xs = || self.bands.iter().flat_map(|b| b.points.iter().map(|p| p.0));
        if xs().next().is_none() {
            return draw_note(area, "no data");
        }
        let (lo, hi) = (
            xs().fold(f64::INFINITY, f64::min),
            xs().fold(f64::NEG_INFINITY, f64::max),
        );
        let (x0, x1) = if hi > lo {
            (lo, hi)
        } else {
            padded_range(xs())
        };
        let (y0, y1) = self.y_range.unwrap_or_else(|| {
            padded_range(
                self.bands
                    .iter()
                    .flat_map(|b| b.points.iter().flat_map(|p| [p.1, p.2, p.3])),
            )
        });
        let mut chart =
            super::linear_axes(area, (x0, x1), (y0, y1), (&self.x_desc, &self.y_desc), 8)?;
        draw_bands(&mut chart, &self.bands)?;
        for (label, c, stroke) in &self.legend_entries {
            legend_entry(&mut chart, label, *c, *stroke)?;
        }
        if self.bands.iter().any(|b| !b.label.is_empty()) || !self.legend_entries.is_empty() {
            draw_legend(&mut chart, self.legend.clone())?;
        }
        Ok(())
    }
}

fn runs_note(study: &Study) -> &'static str {
    if study.run_count() > 1 {
        " Lines are means across runs; bands are 95 % t intervals."
    } else {
        ""
    }
}

/// Emission share by role over time.
pub(super) fn role_shares(study: &Study, ctx: &Context) -> Result<Option<Chart>, AnalysisError> {
    let df = metrics::role_shares_over_time(study)?;
    if df.height() == 0 {
        return Ok(None);
    }
    let t = "role shares";
    let arm = columns::u32s(&df, t, "arm")?;
    let day = columns::f64s_nan(&df, t, "day")?;
    let group = columns::strs(&df, t, "group")?;
    let share = columns::f64s_nan(&df, t, "share")?;
    let order = |g: &str| match g {
        "validator" => 0,
        "miner" => 1,
        _ => 2,
    };
    let (arms, arms_note) = shown_arms(study)?;
    let grouped = bands_by(
        (0..df.height())
            .filter(|&i| has_arm(&arms, arm[i]))
            .map(|i| ((arm[i], order(&group[i])), day[i], share[i] * 100.0)),
        (0.0, 100.0),
    );
    let arm_index = |a: u32| arms.iter().position(|(x, _)| *x == a).unwrap_or(0);
    let names = ["validators", "miners", "owners"];
    // One arm: a colour per role (miners dashed, since they sit exactly on the validators).
    // Several: a colour per arm and a line pattern per role, with legend entries for both.
    let several = arms.len() > 1;
    let strokes = [Stroke::Solid, Stroke::Dashed, Stroke::Dotted];
    let bands = grouped
        .into_iter()
        .map(|((a, g), points)| Band {
            label: if several {
                String::new()
            } else {
                names[g].to_string()
            },
            color: if several {
                color(arm_index(a))
            } else {
                color(g)
            },
            points,
            stroke: if several {
                strokes[g]
            } else if g == 1 {
                Stroke::Dashed
            } else {
                Stroke::Solid
            },
        })
        .collect();
    let mut legend = Vec::new();
    if several {
        for (k, (a, _)) in arms.iter().enumerate() {
            legend.push((series_label(&arms, *a, ""), color(k), Stroke::Solid));
        }
        for (g, name) in names.iter().enumerate() {
            legend.push((name.to_string(), RGBColor(110, 110, 110), strokes[g]));
        }
    }
    let note = format!(
        "Share of the emission paid in each window (one epoch of the slowest subnet).{}{arms_note}",
        runs_note(study)
    );
    Ok(Some(ctx.render(
        "role_shares",
        "Emission share by role",
        &note,
        &Lines {
            bands,
            x_desc: "day".to_string(),
            y_desc: "share of paid emission (%)".to_string(),
            y_range: Some((0.0, 100.0)),
            legend: SeriesLabelPosition::UpperRight,
            legend_entries: legend,
        },
    )?))
}

/// Gini of stake and of emission over time.
pub(super) fn concentration(study: &Study, ctx: &Context) -> Result<Option<Chart>, AnalysisError> {
    let df = metrics::concentration_over_time(study)?;
    if df.height() == 0 {
        return Ok(None);
    }
    let t = "concentration";
    let arm = columns::u32s(&df, t, "arm")?;
    let day = columns::f64s_nan(&df, t, "day")?;
    let stake = columns::f64s_nan(&df, t, "stake_gini")?;
    let emission = columns::f64s_nan(&df, t, "emission_gini")?;
    let (arms, arms_note) = shown_arms(study)?;
    let rows = (0..df.height())
        .filter(|&i| has_arm(&arms, arm[i]))
        .flat_map(|i| {
            [
                ((arm[i], 0usize), day[i], stake[i]),
                ((arm[i], 1usize), day[i], emission[i]),
            ]
        });
    let grouped = bands_by(rows, (0.0, 1.0));
    let arm_index = |a: u32| arms.iter().position(|(x, _)| *x == a).unwrap_or(0);
    let names = ["stake Gini", "emission Gini (per window)"];
    let bands = grouped
        .into_iter()
        .map(|((a, g), points)| Band {
            label: series_label(&arms, a, names[g]),
            color: color(arm_index(a) * 2 + g),
            points,
            stroke: Stroke::Solid,
        })
        .collect();
    let note = format!(
        "Gini across hotkeys (validators and miners) of stake after each window and of the emission paid in it.{}{arms_note}",
        runs_note(study)
    );
    Ok(Some(ctx.render(
        "concentration",
        "Concentration of stake and emission over time",
        &note,
        &Lines {
            bands,
            x_desc: "day".to_string(),
            y_desc: "Gini coefficient (0 = equal, 1 = one holds all)".to_string(),
            y_range: Some((0.0, 1.0)),
            legend: SeriesLabelPosition::LowerRight,
            legend_entries: Vec::new(),
        },
    )?))
}

/// Mean miner quality per subnet over time.
pub(super) fn miner_quality(study: &Study, ctx: &Context) -> Result<Option<Chart>, AnalysisError> {
    let df = metrics::quality_over_time(study)?;
    let t = "miner quality";
    let quality = columns::f64s_nan(&df, t, "mean_miner_quality")?;
    if quality.iter().all(|q| !q.is_finite()) {
        return Ok(None);
    }
    let arm = columns::u32s(&df, t, "arm")?;
    let subnet = columns::u32s(&df, t, "subnet")?;
    let day = columns::f64s_nan(&df, t, "day")?;
    let (arms, arms_note) = shown_arms(study)?;
    let grouped = bands_by(
        (0..df.height())
            .filter(|&i| has_arm(&arms, arm[i]))
            .map(|i| ((arm[i], subnet[i]), day[i], quality[i])),
        ANY,
    );
    let subnets: Vec<u32> = {
        let mut s: Vec<u32> = subnet.clone();
        s.sort_unstable();
        s.dedup();
        s
    };
    let bands = grouped
        .into_iter()
        .enumerate()
        .map(|(i, ((a, s), points))| Band {
            label: if subnets.len() > 1 || arms.len() > 1 {
                series_label(&arms, a, &format!("subnet {s}"))
            } else {
                String::new()
            },
            color: color(i),
            points,
            stroke: Stroke::Solid,
        })
        .collect();
    let note = format!(
        "Mean latent quality of each subnet's miners at its epochs.{}{arms_note}",
        runs_note(study)
    );
    Ok(Some(ctx.render(
        "miner_quality",
        "Mean miner quality",
        &note,
        &Lines {
            bands,
            x_desc: "day".to_string(),
            y_desc: "mean miner quality (latent, scenario units)".to_string(),
            y_range: None,
            legend: SeriesLabelPosition::LowerRight,
            legend_entries: Vec::new(),
        },
    )?))
}
