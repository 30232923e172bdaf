//! The headline numbers of a study as plain text for the terminal: per arm, each metric's mean
//! with its 95 % confidence interval, and each arm's paired difference from the first arm.

use crate::columns::{f64s, strs, u32s};
use crate::stats::{self, SummaryOptions};
use crate::{AnalysisError, Study, metrics};
use std::fmt::Write;

/// The metrics shown in the terminal (the report shows all of them).
pub const CONSOLE_METRICS: [&str; 7] = [
    "share_miner",
    "share_validator",
    "emission_gini",
    "stake_gini",
    "validator_dividends_per_1000_tao_day",
    "final_mean_miner_quality",
    "security_budget_usd_per_day",
];

fn interval(mean: Option<f64>, low: Option<f64>, high: Option<f64>, n: u32) -> String {
    match (mean, low, high) {
        (Some(m), Some(l), Some(h)) if n > 1 => format!("{m:>12.4} [{l:.4}, {h:.4}]"),
        (Some(m), ..) => format!("{m:>12.4}"),
        _ => format!("{:>12}", "n/a"),
    }
}

/// Per-arm means with 95 % CIs (when an arm has several runs) of [`CONSOLE_METRICS`], then the
/// differences of every other arm from the first (paired on run index).
pub fn headline(study: &Study, options: &SummaryOptions) -> Result<String, AnalysisError> {
    let per_run = metrics::per_run(study)?;
    let summary = stats::summarize(&per_run, options)?;
    let t = "summary";
    let (arm, metric, n) = (
        u32s(&summary, t, "arm")?,
        strs(&summary, t, "metric")?,
        u32s(&summary, t, "n")?,
    );
    let (mean, low, high) = (
        f64s(&summary, t, "mean")?,
        f64s(&summary, t, "ci_low")?,
        f64s(&summary, t, "ci_high")?,
    );
    let level = interval_name(options);
    let all_arms = study.arms()?;
    // A sweep can have dozens of arms: the terminal shows the first few, the report all.
    let arms = &all_arms[..all_arms.len().min(MAX_ARMS)];
    let mut out = String::new();
    for (a, name) in arms {
        let runs = (0..summary.height())
            .find(|&i| arm[i] == *a)
            .map_or(0, |i| n[i]);
        let _ = writeln!(
            out,
            "{name} ({runs} run{}), mean [{level}]:",
            if runs == 1 { "" } else { "s" }
        );
        for m in CONSOLE_METRICS {
            if let Some(i) = (0..summary.height()).find(|&i| arm[i] == *a && metric[i] == m) {
                let _ = writeln!(
                    out,
                    "  {m:<38} {}",
                    interval(mean[i], low[i], high[i], n[i])
                );
            }
        }
        // The adversaries' own figures, where the arm has any.
        for i in (0..summary.height()).filter(|&i| {
            arm[i] == *a && mean[i].is_some() && metrics::is_adversary_metric(&metric[i])
        }) {
            let _ = writeln!(
                out,
                "  {:<38} {}",
                metric[i],
                interval(mean[i], low[i], high[i], n[i])
            );
        }
    }
    if let Some((base, base_name)) = arms.first()
        && arms.len() > 1
    {
        let c = stats::compare(&per_run, *base, options)?;
        let t = "comparison";
        let (names, metric, n) = (
            strs(&c, t, "arm_name")?,
            strs(&c, t, "metric")?,
            u32s(&c, t, "n")?,
        );
        let (d, low, high) = (
            f64s(&c, t, "mean_diff")?,
            f64s(&c, t, "ci_low")?,
            f64s(&c, t, "ci_high")?,
        );
        let _ = writeln!(
            out,
            "difference from {base_name} (paired on run), mean [{level}]:"
        );
        let shown: Vec<&String> = arms.iter().map(|(_, name)| name).collect();
        let rows = (0..c.height()).filter(|&i| {
            CONSOLE_METRICS.contains(&metric[i].as_str()) && shown.contains(&&names[i])
        });
        for i in rows {
            let _ = writeln!(
                out,
                "  {:<20} {:<38} {}",
                names[i],
                metric[i],
                interval(d[i], low[i], high[i], n[i])
            );
        }
    }
    if all_arms.len() > MAX_ARMS {
        let _ = writeln!(
            out,
            "({} more arms: see report.html)",
            all_arms.len() - MAX_ARMS
        );
    }
    Ok(out)
}

/// Arms shown in the terminal.
const MAX_ARMS: usize = 3;

/// "95 % t CI" or "95 % bootstrap CI".
fn interval_name(options: &SummaryOptions) -> String {
    let method = match options.interval {
        stats::Interval::StudentT => "t",
        stats::Interval::Bootstrap { .. } => "bootstrap",
    };
    format!("{:.0} % {method} CI", options.level * 100.0)
}

/// Write the study's statistics next to its tables: `metrics` (one row per run),
/// `summary` (per arm and metric: n, mean, sd, confidence interval) and, with several arms,
/// `comparison` (each arm's paired differences from the first), as Parquet and CSV.
pub fn write_statistics(
    study: &Study,
    dir: &std::path::Path,
    options: &SummaryOptions,
) -> Result<(), AnalysisError> {
    let mut per_run = metrics::per_run(study)?;
    let mut summary = stats::summarize(&per_run, options)?;
    crate::tables::write_frame(dir, "metrics", &mut per_run)?;
    crate::tables::write_frame(dir, "summary", &mut summary)?;
    let arms = study.arms()?;
    if let Some((base, _)) = arms.first()
        && arms.len() > 1
    {
        let mut c = stats::compare(&per_run, *base, options)?;
        crate::tables::write_frame(dir, "comparison", &mut c)?;
    }
    Ok(())
}
