//! Headline metrics, one row per run, and the time series the charts draw.
//!
//! A governance proposal argues with a handful of numbers: how concentrated stake and emission
//! are (Gini, Nakamoto coefficient, HHI), who gets the emission (validators, miners, subnet
//! owners, and which strategies), what a validator earns per staked TAO, what the network pays
//! for security, how fast supply grows. [`per_run`] computes them for every run of a study, so
//! [`crate::stats`] can put confidence intervals on them across replicates and compare arms.
//!
//! Conventions, stated once:
//! - **Final stake** of a hotkey is the stake its last epoch used plus the emission that epoch
//!   paid it (the engine stakes emission to the earning hotkey), summed over its subnets.
//! - **Days** of a run are `(last block − first block) / 7,200` from the network table (the
//!   rows at the run's first and last block), the span over which issuance is measured.
//! - Empty input gives NaN (null in the frame), never a panic; NaN values inside a vector are
//!   skipped by the pure helpers ([`gini`], [`nakamoto`], [`hhi`]).
//! - Time series over several subnets use a common window of `W` blocks, `W` the longest gap
//!   between two epochs of any subnet in the study (one epoch per window for a single subnet);
//!   a window is kept only if every subnet of the run had an epoch in it, so a half-finished
//!   last window does not bias the shares.

mod adversary;

use crate::AnalysisError;
use crate::Study;
use crate::columns::{self, Interned, frame};
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use subnetlab_sim::scenario::{BLOCKS_PER_DAY, BLOCKS_PER_YEAR};

const RAO_PER_TAO: f64 = 1e9;

/// The fixed metric columns of [`per_run`], in order. Emission shares by role and strategy
/// (`share_<role>_<strategy>`) follow them, one column per pair present in the study.
pub const METRICS: [&str; 17] = [
    "stake_gini",
    "stake_nakamoto",
    "stake_hhi",
    "emission_gini",
    "emission_nakamoto",
    "emission_hhi",
    "share_validator",
    "share_miner",
    "share_owner",
    "validator_dividends_per_1000_tao_day",
    "final_miner_count",
    "final_mean_miner_quality",
    "supply_end_tao",
    "minted_tao",
    "inflation_annualised",
    "emission_tao_per_day",
    "security_budget_usd_per_day",
];

/// One line per metric: its unit and meaning (for report tables and chart axes).
pub fn describe(metric: &str) -> String {
    let known = match metric {
        "stake_gini" => "Gini of final stake per hotkey (0 = equal, 1 = one holds all)",
        "stake_nakamoto" => "Nakamoto coefficient of final stake: fewest hotkeys holding > 50 %",
        "stake_hhi" => "HHI of final stake per hotkey (sum of squared shares, 1/n … 1)",
        "emission_gini" => "Gini of total emission per hotkey over the run",
        "emission_nakamoto" => "Nakamoto coefficient of total emission per hotkey",
        "emission_hhi" => "HHI of total emission per hotkey",
        "share_validator" => "validators' share of paid emission (dividends)",
        "share_miner" => "miners' share of paid emission (incentive)",
        "share_owner" => "subnet owners' share of paid emission (owner cut)",
        "validator_dividends_per_1000_tao_day" => {
            "validator dividends per 1,000 staked per day (TAO; with pools, each subnet's alpha)"
        }
        "final_miner_count" => "miners registered at the last epoch",
        "final_mean_miner_quality" => "mean latent miner quality at the last epoch",
        "supply_end_tao" => "total TAO issuance at the end (TAO)",
        "minted_tao" => "TAO minted over the run",
        "inflation_annualised" => "supply growth over the run, annualised (fraction per year)",
        "emission_tao_per_day" => "TAO minted per day",
        "security_budget_usd_per_day" => "USD value of TAO minted per day (× TAO price)",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_string();
    }
    if let Some(text) = adversary::describe(metric) {
        return text;
    }
    if let Some(rest) = metric.strip_prefix("share_")
        && let Some((role, strategy)) = rest.split_once('_')
    {
        return format!("share of paid emission to {strategy} {role}s");
    }
    String::new()
}

/// The values `metric` can take, as `(low, high)`: [0, 1] for shares, Gini and HHI; at least
/// 0 for counts, amounts of TAO and ratios of them; unbounded for emission net of burn, for
/// miner quality (a scenario's quality distribution may go below 0) and for unknown columns.
/// Summaries cut their intervals to it ([`crate::stats::Estimate::within`]).
pub fn range(metric: &str) -> (f64, f64) {
    let known =
        METRICS.contains(&metric) || metric.starts_with("share_") || is_adversary_metric(metric);
    let unit = metric.starts_with("share_")
        || metric.starts_with("stake_share_")
        || metric.ends_with("_gini")
        || metric.ends_with("_hhi");
    let signed = metric.starts_with("net_") || metric == "final_mean_miner_quality";
    if !known || signed {
        (f64::NEG_INFINITY, f64::INFINITY)
    } else if unit {
        (0.0, 1.0)
    } else {
        (0.0, f64::INFINITY)
    }
}

/// The metric columns of a [`per_run`] frame: [`METRICS`], the `share_*` columns and the
/// adversary columns ([`is_adversary_metric`]), in frame
/// order. Identifiers (`arm`, `run`, `arm_name`, `seed`), sweep parameters and `days` are not
/// metrics.
pub fn metric_columns(per_run: &DataFrame) -> Vec<String> {
    per_run
        .get_column_names()
        .iter()
        .map(|c| c.as_str())
        .filter(|c| {
            METRICS.contains(c)
                || c.starts_with("share_")
                || adversary::PREFIXES.iter().any(|p| c.starts_with(p))
        })
        .map(str::to_string)
        .collect()
}

/// Whether `metric` is one of the adversary columns (`stake_share_*`, `return_*`,
/// `vs_twin_*`, `below_stake_day_*`, `burn_*`, `net_*`, `share_coalition_*`).
pub fn is_adversary_metric(metric: &str) -> bool {
    metric.starts_with("share_coalition_")
        || adversary::PREFIXES.iter().any(|p| metric.starts_with(p))
}

fn finite(xs: &[f64]) -> Vec<f64> {
    xs.iter().copied().filter(|x| x.is_finite()).collect()
}

/// Gini coefficient of `xs`: mean absolute difference over all ordered pairs divided by twice
/// the mean, `Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² μ)`, computed on the sorted values as
/// `2 Σᵢ i·x₍ᵢ₎ / (n Σ x) − (n + 1)/n`. 0 when all are equal, `(n−1)/n` when one holds all.
/// Non-finite values are skipped; NaN when nothing is left or the total is not positive.
pub fn gini(xs: &[f64]) -> f64 {
    let mut v = finite(xs);
    let n = v.len();
    let total: f64 = v.iter().sum();
    if n == 0 || total <= 0.0 {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let weighted: f64 = v
        .iter()
        .enumerate()
        .map(|(i, x)| (i as f64 + 1.0) * x)
        .sum();
    let n = n as f64;
    (2.0 * weighted / (n * total) - (n + 1.0) / n).max(0.0)
}

/// Nakamoto coefficient: the smallest number of holders whose combined share is strictly more
/// than half of the total (the fewest hotkeys that together control a majority). `None` when
/// nothing finite is left or the total is not positive. Non-finite values are skipped.
pub fn nakamoto(xs: &[f64]) -> Option<usize> {
    let mut v = finite(xs);
    let total: f64 = v.iter().sum();
    if v.is_empty() || total <= 0.0 {
        return None;
    }
    v.sort_by(|a, b| b.total_cmp(a));
    let mut acc = 0.0;
    for (i, x) in v.iter().enumerate() {
        acc += x;
        if acc > 0.5 * total {
            return Some(i + 1);
        }
    }
    // Rounding can leave the full sum a hair under the total of the unsorted order.
    Some(v.len())
}

/// Herfindahl–Hirschman index: the sum of squared shares, `Σ (xᵢ / Σx)²`, a fraction between
/// `1/n` (all equal) and 1 (one holds all); multiply by 10,000 for the antitrust convention.
/// Non-finite values are skipped; NaN when nothing is left or the total is not positive.
pub fn hhi(xs: &[f64]) -> f64 {
    let v = finite(xs);
    let total: f64 = v.iter().sum();
    if v.is_empty() || total <= 0.0 {
        return f64::NAN;
    }
    v.iter().map(|x| (x / total) * (x / total)).sum()
}

/// The Lorenz curve of `xs`: points (fraction of holders, fraction of the total they hold),
/// holders sorted from smallest to largest, starting at (0, 0) and ending at (1, 1). Empty when
/// nothing finite is left or the total is not positive.
pub fn lorenz(xs: &[f64]) -> Vec<(f64, f64)> {
    let mut v = finite(xs);
    let total: f64 = v.iter().sum();
    if v.is_empty() || total <= 0.0 {
        return Vec::new();
    }
    v.sort_by(f64::total_cmp);
    let n = v.len() as f64;
    let mut out = Vec::with_capacity(v.len() + 1);
    out.push((0.0, 0.0));
    let mut acc = 0.0;
    for (i, x) in v.iter().enumerate() {
        acc += x;
        out.push(((i + 1) as f64 / n, acc / total));
    }
    out
}

/// The Lorenz curve sampled at `points` evenly spaced population fractions (0 and 1 included)
/// by linear interpolation, so curves of runs with different holder counts can be averaged.
pub fn lorenz_on_grid(xs: &[f64], points: usize) -> Vec<f64> {
    let curve = lorenz(xs);
    let points = points.max(2);
    if curve.is_empty() {
        return vec![f64::NAN; points];
    }
    (0..points)
        .map(|k| {
            let p = k as f64 / (points - 1) as f64;
            let i = curve.partition_point(|(q, _)| *q < p);
            if i == 0 {
                return curve[0].1;
            }
            let Some(&(q1, y1)) = curve.get(i) else {
                return 1.0;
            };
            let (q0, y0) = curve[i - 1];
            if q1 > q0 {
                y0 + (y1 - y0) * (p - q0) / (q1 - q0)
            } else {
                y1
            }
        })
        .collect()
}

/// A run's key.
pub(crate) type RunKey = (u32, u32);

/// Row indices of `df` per (arm, run), rows in table order.
pub(crate) fn rows_by_run(
    df: &DataFrame,
    table: &str,
) -> Result<BTreeMap<RunKey, Vec<usize>>, AnalysisError> {
    let arms = columns::u32s(df, table, "arm")?;
    let runs = columns::u32s(df, table, "run")?;
    let mut out: BTreeMap<RunKey, Vec<usize>> = BTreeMap::new();
    for (i, key) in arms.into_iter().zip(runs).enumerate() {
        out.entry(key).or_default().push(i);
    }
    Ok(out)
}

/// The network table's columns.
struct Network {
    block: Vec<u64>,
    issuance: Vec<f64>,
    block_emission: Vec<f64>,
    halving_index: Vec<u32>,
    price: Vec<f64>,
    by_run: BTreeMap<RunKey, Vec<usize>>,
}

impl Network {
    fn read(study: &Study) -> Result<Network, AnalysisError> {
        let df = &study.network;
        let block = columns::u64s(df, "network", "block")?;
        let mut by_run = rows_by_run(df, "network")?;
        // Rows in block order within a run (they are written so; sorting makes it a promise).
        for rows in by_run.values_mut() {
            rows.sort_by_key(|&i| block[i]);
        }
        let price = if df.column("tao_price_usd").is_ok() {
            columns::f64s_nan(df, "network", "tao_price_usd")?
        } else {
            vec![f64::NAN; df.height()]
        };
        Ok(Network {
            issuance: columns::f64s_nan(df, "network", "issuance")?,
            block_emission: columns::f64s_nan(df, "network", "block_emission")?,
            halving_index: columns::u32s(df, "network", "halving_index")?,
            price,
            block,
            by_run,
        })
    }

    /// (first block, last block) of a run.
    fn span(&self, key: RunKey) -> Option<(u64, u64)> {
        let rows = self.by_run.get(&key)?;
        Some((self.block[*rows.first()?], self.block[*rows.last()?]))
    }

    /// Days a run covers. Rows state the network *after* their block, so a run from block `a`
    /// to block `b` covers `b − a + 1` blocks (a 2-day run: blocks 0 to 14,399).
    fn days(&self, key: RunKey) -> f64 {
        self.span(key).map_or(f64::NAN, |(a, b)| {
            (b.saturating_sub(a) + 1) as f64 / BLOCKS_PER_DAY as f64
        })
    }
}

/// The neurons table's columns the metrics use.
struct Neurons {
    subnet: Vec<u32>,
    epoch: Vec<u64>,
    block: Vec<u64>,
    hotkey: Vec<u64>,
    role: Interned,
    strategy: Interned,
    /// Coalition per row (none in result folders written before coalitions existed).
    coalition: Vec<Option<u32>>,
    /// Burn the hotkey paid to register, TAO (0 where the column is missing).
    registration_burn: Vec<f64>,
    stake: Vec<f64>,
    quality: Vec<Option<f64>>,
    emission: Vec<f64>,
    /// Emission of the hotkey since it registered, as of the row (none in result folders
    /// written before the column existed: then rows are summed, exact only when every epoch
    /// was recorded).
    emission_total: Option<Vec<f64>>,
    by_run: BTreeMap<RunKey, Vec<usize>>,
}

impl Neurons {
    fn read(study: &Study) -> Result<Neurons, AnalysisError> {
        let df = &study.neurons;
        let t = "neurons";
        Ok(Neurons {
            subnet: columns::u32s(df, t, "subnet")?,
            epoch: columns::u64s(df, t, "epoch")?,
            block: columns::u64s(df, t, "block")?,
            hotkey: columns::u64s(df, t, "hotkey")?,
            role: columns::interned(df, t, "role")?,
            strategy: columns::interned(df, t, "strategy")?,
            coalition: if df.column("coalition").is_ok() {
                columns::f64s(df, t, "coalition")?
                    .into_iter()
                    .map(|c| c.map(|c| c as u32))
                    .collect()
            } else {
                vec![None; df.height()]
            },
            registration_burn: if df.column("registration_burn_rao").is_ok() {
                columns::u64s(df, t, "registration_burn_rao")?
                    .into_iter()
                    .map(|r| r as f64 / RAO_PER_TAO)
                    .collect()
            } else {
                vec![0.0; df.height()]
            },
            stake: columns::f64s_nan(df, t, "stake")?,
            quality: columns::f64s(df, t, "quality")?,
            emission: columns::f64s_nan(df, t, "emission")?,
            emission_total: if df.column("emission_total").is_ok() {
                Some(columns::f64s_nan(df, t, "emission_total")?)
            } else {
                None
            },
            by_run: rows_by_run(df, t)?,
        })
    }
}

/// The subnets table's columns the metrics use.
struct Subnets {
    subnet: Vec<u32>,
    epoch: Vec<u64>,
    block: Vec<u64>,
    miner: Vec<f64>,
    validator: Vec<f64>,
    owner: Vec<f64>,
    quality: Vec<f64>,
    by_run: BTreeMap<RunKey, Vec<usize>>,
}

impl Subnets {
    fn read(study: &Study) -> Result<Subnets, AnalysisError> {
        let df = &study.subnets;
        let t = "subnets";
        let tao = |c: &str| -> Result<Vec<f64>, AnalysisError> {
            Ok(columns::u64s(df, t, c)?
                .into_iter()
                .map(|r| r as f64 / RAO_PER_TAO)
                .collect())
        };
        Ok(Subnets {
            subnet: columns::u32s(df, t, "subnet")?,
            epoch: columns::u64s(df, t, "epoch")?,
            block: columns::u64s(df, t, "block")?,
            miner: tao("miner_emission_rao")?,
            validator: tao("validator_emission_rao")?,
            owner: tao("owner_cut_rao")?,
            quality: columns::f64s_nan(df, t, "mean_miner_quality")?,
            by_run: rows_by_run(df, t)?,
        })
    }
}

/// Per-hotkey aggregates of one run.
#[derive(Clone, Debug, Default)]
struct Holder {
    subnet: u32,
    /// Code in `Neurons::role`.
    role: u32,
    /// Code in `Neurons::strategy`.
    strategy: u32,
    last_epoch: u64,
    final_stake: f64,
    emission: f64,
    stake_sum: f64,
    epochs: u64,
}

/// Aggregate a run's neuron rows per (subnet, hotkey).
fn holders(n: &Neurons, rows: &[usize]) -> BTreeMap<(u32, u64), Holder> {
    let mut out: BTreeMap<(u32, u64), Holder> = BTreeMap::new();
    for &i in rows {
        let h = out
            .entry((n.subnet[i], n.hotkey[i]))
            .or_insert_with(|| Holder {
                subnet: n.subnet[i],
                role: n.role.codes[i],
                strategy: n.strategy.codes[i],
                ..Holder::default()
            });
        let stake = if n.stake[i].is_finite() {
            n.stake[i]
        } else {
            0.0
        };
        let emission = if n.emission[i].is_finite() {
            n.emission[i]
        } else {
            0.0
        };
        if h.epochs == 0 || n.epoch[i] >= h.last_epoch {
            h.last_epoch = n.epoch[i];
            h.final_stake = stake + emission;
            if let Some(total) = &n.emission_total {
                // The hotkey's running total at its last recorded epoch: exact however
                // sparsely epochs were recorded (the run's last epoch always is).
                h.emission = if total[i].is_finite() { total[i] } else { 0.0 };
            }
        }
        if n.emission_total.is_none() {
            h.emission += emission;
        }
        h.stake_sum += stake;
        h.epochs += 1;
    }
    out
}

/// Sum per hotkey over its subnets (a hotkey id is stable across the run).
fn per_hotkey(holders: &BTreeMap<(u32, u64), Holder>, f: impl Fn(&Holder) -> f64) -> Vec<f64> {
    let mut sums: BTreeMap<u64, f64> = BTreeMap::new();
    for ((_, hotkey), h) in holders {
        *sums.entry(*hotkey).or_default() += f(h);
    }
    sums.into_values().collect()
}

/// The (role, strategy) pairs of the study, sorted, for the `share_<role>_<strategy>` columns.
fn strategy_groups(n: &Neurons) -> Vec<(String, String)> {
    let codes: BTreeSet<(u32, u32)> = n
        .role
        .codes
        .iter()
        .zip(&n.strategy.codes)
        .map(|(r, s)| (*r, *s))
        .collect();
    let named: BTreeSet<(String, String)> = codes
        .into_iter()
        .map(|(r, s)| (n.role.name(r).to_string(), n.strategy.name(s).to_string()))
        .collect();
    named.into_iter().collect()
}

/// The values as a column: non-finite ones null, and `-0.0` (a difference or product that
/// came out as negative zero) written as `0.0`.
fn nan_to_null(v: &[f64]) -> Vec<Option<f64>> {
    v.iter()
        .map(|x| if x.is_finite() { Some(*x + 0.0) } else { None })
        .collect()
}

/// One row per run with the headline metrics, joined with `runs.parquet`.
///
/// Columns: every column of [`Study::runs`] (`arm`, `run`, `arm_name`, `seed`, the sweep
/// parameters), then `days` (span of the run), then [`METRICS`] in order, then
/// `share_<role>_<strategy>` for each (role, strategy) pair in the study (e.g.
/// `share_validator_honest`), then the adversary columns of each adversary class and coalition
/// (`share_coalition_<id>`, `stake_share_*`, `return_*`, `vs_twin_*`, `below_stake_day_*`,
/// `burn_*`, `net_*`; see
/// `metrics/adversary.rs`). Every metric column is f64; a metric that cannot be computed for a
/// run (no rows, zero total) is null. Rows follow `runs.parquet` sorted by (arm, run); runs
/// that appear only in the tables are left out.
///
/// The emission shares are fractions of the emission paid out (miners + validators + owner
/// cuts, from the subnets table), so `share_validator + share_miner + share_owner = 1` and the
/// strategy shares of a role add up to the role's share. Emission still pending at the end of
/// the run is not counted. `validator_dividends_per_1000_tao_day` is the validators' total
/// dividends divided by their time-averaged stake, × 1,000, per day of the run.
/// `inflation_annualised` is `(I_end / I_start)^(365 days / days) − 1` over the network table.
/// `security_budget_usd_per_day` prices each stretch of minted TAO between two network rows at
/// the TAO price of the first, per day.
pub fn per_run(study: &Study) -> Result<DataFrame, AnalysisError> {
    let runs = study
        .runs
        .sort(["arm", "run"], SortMultipleOptions::default())
        .map_err(AnalysisError::polars("sorting the runs table"))?;
    let keys: Vec<RunKey> = columns::u32s(&runs, "runs", "arm")?
        .into_iter()
        .zip(columns::u32s(&runs, "runs", "run")?)
        .collect();
    let neurons = Neurons::read(study)?;
    let subnets = Subnets::read(study)?;
    let network = Network::read(study)?;
    let groups = strategy_groups(&neurons);
    let adversaries = adversary::groups(&neurons);
    let twins = adversary::twins(&study.arms()?);
    let mut adversary_values: Vec<Vec<[f64; 7]>> = vec![Vec::new(); adversaries.len()];

    let mut days = Vec::with_capacity(keys.len());
    let mut values: Vec<Vec<f64>> = vec![Vec::with_capacity(keys.len()); METRICS.len()];
    let mut group_values: Vec<Vec<f64>> = vec![Vec::with_capacity(keys.len()); groups.len()];
    let empty = Vec::new();
    for key in &keys {
        let nrows = neurons.by_run.get(key).unwrap_or(&empty);
        let srows = subnets.by_run.get(key).unwrap_or(&empty);
        let h = holders(&neurons, nrows);

        let stake = per_hotkey(&h, |h| h.final_stake);
        let emission = per_hotkey(&h, |h| h.emission);

        let (mut miner, mut validator, mut owner) = (0.0, 0.0, 0.0);
        for &i in srows {
            miner += subnets.miner[i];
            validator += subnets.validator[i];
            owner += subnets.owner[i];
        }
        let paid = miner + validator + owner;
        let share = |x: f64| if paid > 0.0 { x / paid } else { f64::NAN };

        let (span_days, supply_end, minted, inflation, per_day, budget) =
            supply_metrics(&network, *key);
        let run_days = span_days;

        let (mut v_emission, mut v_stake) = (0.0, 0.0);
        let validator_code = neurons.role.code("validator");
        for h in h.values().filter(|h| Some(h.role) == validator_code) {
            v_emission += h.emission;
            v_stake += h.stake_sum / h.epochs.max(1) as f64;
        }
        let dividends = if v_stake > 0.0 && run_days > 0.0 {
            v_emission / v_stake * 1000.0 / run_days
        } else {
            f64::NAN
        };

        let (miners, quality) = final_miners(&neurons, nrows);

        let row = [
            gini(&stake),
            nakamoto(&stake).map_or(f64::NAN, |k| k as f64),
            hhi(&stake),
            gini(&emission),
            nakamoto(&emission).map_or(f64::NAN, |k| k as f64),
            hhi(&emission),
            share(validator),
            share(miner),
            share(owner),
            dividends,
            miners,
            quality,
            supply_end,
            minted,
            inflation,
            per_day,
            budget,
        ];
        for (column, x) in values.iter_mut().zip(row) {
            column.push(x);
        }
        for (column, (role, strategy)) in group_values.iter_mut().zip(&groups) {
            let total: f64 = h
                .values()
                .filter(|h| {
                    neurons.role.name(h.role) == role
                        && neurons.strategy.name(h.strategy) == strategy
                })
                .map(|h| h.emission)
                .sum();
            // A run without neuron rows (`record.neurons: none`) knows no strategy's share.
            column.push(if nrows.is_empty() {
                f64::NAN
            } else {
                share(total)
            });
        }
        let start = network.span(*key).map_or(0, |(a, _)| a);
        let twin = adversary::twin_of(&twins, *key).and_then(|k| neurons.by_run.get(&k));
        for (column, g) in adversary_values.iter_mut().zip(&adversaries) {
            column.push(
                match adversary::values(&neurons, g, nrows, twin.map(|t| &t[..]), start) {
                    Some([a, b, c, d, e, f]) => [
                        share(adversary::emission(&neurons, g, nrows)),
                        a,
                        b,
                        c,
                        d,
                        e,
                        f,
                    ],
                    None => [f64::NAN; 7],
                },
            );
        }
        days.push(span_days);
    }

    let mut out = runs.columns().to_vec();
    out.push(Column::new("days".into(), nan_to_null(&days)));
    for (name, column) in METRICS.iter().zip(&values) {
        out.push(Column::new((*name).into(), nan_to_null(column)));
    }
    for ((role, strategy), column) in groups.iter().zip(&group_values) {
        let name = format!("share_{role}_{}", sanitize(strategy));
        if out.iter().any(|c| c.name().as_str() == name) {
            continue;
        }
        out.push(Column::new(name.into(), nan_to_null(column)));
    }
    for (g, rows) in adversaries.iter().zip(&adversary_values) {
        let suffix = g.suffix(&neurons);
        let coalition = matches!(g, adversary::Group::Coalition(_));
        let prefixes = std::iter::once("share_")
            .filter(|_| coalition)
            .chain(adversary::PREFIXES);
        let first = if coalition { 0 } else { 1 };
        for (k, prefix) in (first..7).zip(prefixes) {
            let column: Vec<f64> = rows.iter().map(|r| r[k]).collect();
            out.push(Column::new(
                format!("{prefix}{suffix}").into(),
                nan_to_null(&column),
            ));
        }
    }
    frame("the per-run metrics", out)
}

/// A strategy name as part of a column name: lower case, non-alphanumerics as `_`.
fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// (days, supply at end, minted, annualised inflation, TAO per day, USD per day) of a run.
fn supply_metrics(network: &Network, key: RunKey) -> (f64, f64, f64, f64, f64, f64) {
    let nan = f64::NAN;
    let Some(rows) = network.by_run.get(&key) else {
        return (nan, nan, nan, nan, nan, nan);
    };
    let (Some(&first), Some(&last)) = (rows.first(), rows.last()) else {
        return (nan, nan, nan, nan, nan, nan);
    };
    // The first row is after the run's first block, which minted `block_emission` of it.
    let blocks = (network.block[last].saturating_sub(network.block[first]) + 1) as f64;
    let days = blocks / BLOCKS_PER_DAY as f64;
    let first_mint = network.block_emission[first];
    let (i0, i1) = (network.issuance[first] - first_mint, network.issuance[last]);
    let minted = i1 - i0;
    let inflation = if i0 > 0.0 {
        (i1 / i0).powf(BLOCKS_PER_YEAR as f64 / blocks) - 1.0
    } else {
        nan
    };
    let mut usd = first_mint * network.price[first];
    for pair in rows.windows(2) {
        usd += (network.issuance[pair[1]] - network.issuance[pair[0]]) * network.price[pair[0]];
    }
    (days, i1, minted, inflation, minted / days, usd / days)
}

/// (miner count, mean quality) at the last epoch of each subnet, summed / pooled over subnets.
fn final_miners(n: &Neurons, rows: &[usize]) -> (f64, f64) {
    let mut last: BTreeMap<u32, u64> = BTreeMap::new();
    for &i in rows {
        let e = last.entry(n.subnet[i]).or_insert(n.epoch[i]);
        *e = (*e).max(n.epoch[i]);
    }
    if last.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let miner = n.role.code("miner");
    let (mut count, mut sum, mut with_quality) = (0u64, 0.0, 0u64);
    for &i in rows {
        if Some(n.role.codes[i]) == miner && last.get(&n.subnet[i]) == Some(&n.epoch[i]) {
            count += 1;
            if let Some(q) = n.quality[i].filter(|q| q.is_finite()) {
                sum += q;
                with_quality += 1;
            }
        }
    }
    let mean = if with_quality > 0 {
        sum / with_quality as f64
    } else {
        f64::NAN
    };
    (count as f64, mean)
}

/// Network rows as a time series: `arm`, `run`, `block`, `day` (days since the run's first
/// network row), `issuance` (TAO), `block_emission` (TAO per block), `halving_index`,
/// `tao_price_usd`; sorted by arm, run, block. Halving rows come in pairs (last block at the
/// old rate, first at the new), which is what draws the step.
pub fn network_series(study: &Study) -> Result<DataFrame, AnalysisError> {
    let n = Network::read(study)?;
    let mut arm = Vec::new();
    let mut run = Vec::new();
    let mut block = Vec::new();
    let mut day = Vec::new();
    let mut issuance = Vec::new();
    let mut emission = Vec::new();
    let mut halving = Vec::new();
    let mut price = Vec::new();
    for (key, rows) in &n.by_run {
        let first = rows.first().map_or(0, |&i| n.block[i]);
        for &i in rows {
            arm.push(key.0);
            run.push(key.1);
            block.push(n.block[i]);
            day.push(n.block[i].saturating_sub(first) as f64 / BLOCKS_PER_DAY as f64);
            issuance.push(n.issuance[i]);
            emission.push(n.block_emission[i]);
            halving.push(n.halving_index[i]);
            price.push(n.price[i]);
        }
    }
    frame(
        "the network series",
        vec![
            Column::new("arm".into(), arm),
            Column::new("run".into(), run),
            Column::new("block".into(), block),
            Column::new("day".into(), day),
            Column::new("issuance".into(), nan_to_null(&issuance)),
            Column::new("block_emission".into(), nan_to_null(&emission)),
            Column::new("halving_index".into(), halving),
            Column::new("tao_price_usd".into(), nan_to_null(&price)),
        ],
    )
}

/// Issuance per day: `arm`, `run`, `day` (0 = start), `block`, `issuance` (TAO after the
/// block), `minted_tao` (since the previous row; 0 on day 0), `block_emission` (TAO per block
/// at that block). One row per whole day since the run's first network row, plus the last row
/// when the run does not end on a day boundary.
pub fn daily(study: &Study) -> Result<DataFrame, AnalysisError> {
    let n = Network::read(study)?;
    let (mut arm, mut run, mut day, mut block) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut issuance, mut minted, mut emission) = (Vec::new(), Vec::new(), Vec::new());
    for (key, rows) in &n.by_run {
        let Some(&first) = rows.first() else { continue };
        let start = n.block[first];
        let last_row = rows.last().copied();
        let mut prev: Option<usize> = None;
        for &i in rows {
            let offset = n.block[i] - start;
            let on_day = offset % BLOCKS_PER_DAY == 0;
            if !(on_day || Some(i) == last_row) || prev.is_some_and(|p| n.block[p] == n.block[i]) {
                continue;
            }
            arm.push(key.0);
            run.push(key.1);
            day.push(offset as f64 / BLOCKS_PER_DAY as f64);
            block.push(n.block[i]);
            issuance.push(n.issuance[i]);
            minted.push(prev.map_or(0.0, |p| n.issuance[i] - n.issuance[p]));
            emission.push(n.block_emission[i]);
            prev = Some(i);
        }
    }
    frame(
        "the daily series",
        vec![
            Column::new("arm".into(), arm),
            Column::new("run".into(), run),
            Column::new("day".into(), day),
            Column::new("block".into(), block),
            Column::new("issuance".into(), nan_to_null(&issuance)),
            Column::new("minted_tao".into(), nan_to_null(&minted)),
            Column::new("block_emission".into(), nan_to_null(&emission)),
        ],
    )
}

/// The window `W` in blocks for network-wide time series: the longest gap between two
/// consecutive epochs of any subnet in any run, or the whole span when no subnet has two.
fn window_blocks(s: &Subnets) -> u64 {
    let mut by_subnet: BTreeMap<(RunKey, u32), Vec<u64>> = BTreeMap::new();
    for (key, rows) in &s.by_run {
        for &i in rows {
            by_subnet
                .entry((*key, s.subnet[i]))
                .or_default()
                .push(s.block[i]);
        }
    }
    let mut w = 0;
    let mut span = 1;
    for blocks in by_subnet.values_mut() {
        blocks.sort_unstable();
        blocks.dedup();
        for pair in blocks.windows(2) {
            w = w.max(pair[1] - pair[0]);
        }
        if let (Some(a), Some(b)) = (blocks.first(), blocks.last()) {
            span = span.max(b - a + 1);
        }
    }
    if w == 0 { span } else { w }
}

/// First block of each run: its first network row, else its first subnet epoch.
fn run_starts(n: &Network, s: &Subnets) -> BTreeMap<RunKey, u64> {
    let mut out = BTreeMap::new();
    for (key, rows) in &s.by_run {
        let start = n
            .span(*key)
            .map(|(a, _)| a)
            .or_else(|| rows.iter().map(|&i| s.block[i]).min())
            .unwrap_or(0);
        out.insert(*key, start);
    }
    out
}

/// Windows of a run's subnet rows: window index → row indices, keeping only windows in which
/// every subnet of the run had an epoch.
fn complete_windows(s: &Subnets, rows: &[usize], start: u64, w: u64) -> BTreeMap<u64, Vec<usize>> {
    let subnets: BTreeSet<u32> = rows.iter().map(|&i| s.subnet[i]).collect();
    let mut windows: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for &i in rows {
        windows
            .entry(s.block[i].saturating_sub(start) / w)
            .or_default()
            .push(i);
    }
    windows.retain(|_, rows| {
        let seen: BTreeSet<u32> = rows.iter().map(|&i| s.subnet[i]).collect();
        seen == subnets
    });
    windows
}

/// Emission share by role over time: `arm`, `run`, `block` (window start), `day`, `group`
/// (`validator`, `miner`, `owner`), `share` of the emission paid in the window. With one subnet
/// a window is one epoch; see the module docs for several.
pub fn role_shares_over_time(study: &Study) -> Result<DataFrame, AnalysisError> {
    let s = Subnets::read(study)?;
    let n = Network::read(study)?;
    let w = window_blocks(&s).max(1);
    let starts = run_starts(&n, &s);
    let (mut arm, mut run, mut block, mut day) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut group, mut share) = (Vec::new(), Vec::new());
    for (key, rows) in &s.by_run {
        let start = starts.get(key).copied().unwrap_or(0);
        for (index, rows) in complete_windows(&s, rows, start, w) {
            let (mut v, mut m, mut o) = (0.0, 0.0, 0.0);
            for &i in &rows {
                v += s.validator[i];
                m += s.miner[i];
                o += s.owner[i];
            }
            let total = v + m + o;
            if total <= 0.0 {
                continue;
            }
            let b = start + index * w;
            for (name, x) in [("validator", v), ("miner", m), ("owner", o)] {
                arm.push(key.0);
                run.push(key.1);
                block.push(b);
                day.push((b - start) as f64 / BLOCKS_PER_DAY as f64);
                group.push(name);
                share.push(x / total);
            }
        }
    }
    frame(
        "the role shares over time",
        vec![
            Column::new("arm".into(), arm),
            Column::new("run".into(), run),
            Column::new("block".into(), block),
            Column::new("day".into(), day),
            Column::new("group".into(), group),
            Column::new("share".into(), share),
        ],
    )
}

/// Mean miner quality per subnet epoch: `arm`, `run`, `subnet`, `epoch`, `block`, `day`,
/// `mean_miner_quality` (straight from the subnets table, with `day` since the run start).
pub fn quality_over_time(study: &Study) -> Result<DataFrame, AnalysisError> {
    let s = Subnets::read(study)?;
    let n = Network::read(study)?;
    let starts = run_starts(&n, &s);
    let (mut arm, mut run, mut subnet, mut epoch) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut block, mut day, mut quality) = (Vec::new(), Vec::new(), Vec::new());
    for (key, rows) in &s.by_run {
        let start = starts.get(key).copied().unwrap_or(0);
        for &i in rows {
            arm.push(key.0);
            run.push(key.1);
            subnet.push(s.subnet[i]);
            epoch.push(s.epoch[i]);
            block.push(s.block[i]);
            day.push(s.block[i].saturating_sub(start) as f64 / BLOCKS_PER_DAY as f64);
            quality.push(s.quality[i]);
        }
    }
    frame(
        "the miner quality over time",
        vec![
            Column::new("arm".into(), arm),
            Column::new("run".into(), run),
            Column::new("subnet".into(), subnet),
            Column::new("epoch".into(), epoch),
            Column::new("block".into(), block),
            Column::new("day".into(), day),
            Column::new("mean_miner_quality".into(), nan_to_null(&quality)),
        ],
    )
}

/// Concentration over time: `arm`, `run`, `block` (window start), `day`, `stake_gini` (Gini of
/// stake per hotkey after its last epoch in the window), `emission_gini` (Gini of emission per
/// hotkey within the window). Windows as in [`role_shares_over_time`].
pub fn concentration_over_time(study: &Study) -> Result<DataFrame, AnalysisError> {
    let neurons = Neurons::read(study)?;
    let s = Subnets::read(study)?;
    let n = Network::read(study)?;
    let w = window_blocks(&s).max(1);
    let starts = run_starts(&n, &s);
    let (mut arm, mut run, mut block, mut day) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut stake_gini, mut emission_gini) = (Vec::new(), Vec::new());
    for (key, rows) in &neurons.by_run {
        let start = starts.get(key).copied().unwrap_or(0);
        let subnets: BTreeSet<u32> = rows.iter().map(|&i| neurons.subnet[i]).collect();
        let mut windows: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
        for &i in rows {
            windows
                .entry(neurons.block[i].saturating_sub(start) / w)
                .or_default()
                .push(i);
        }
        for (index, rows) in windows {
            let seen: BTreeSet<u32> = rows.iter().map(|&i| neurons.subnet[i]).collect();
            if seen != subnets {
                continue;
            }
            let h = holders(&neurons, &rows);
            let b = start + index * w;
            arm.push(key.0);
            run.push(key.1);
            block.push(b);
            day.push((b - start) as f64 / BLOCKS_PER_DAY as f64);
            stake_gini.push(gini(&per_hotkey(&h, |h| h.final_stake)));
            emission_gini.push(gini(&per_hotkey(&h, |h| h.emission)));
        }
    }
    frame(
        "the concentration over time",
        vec![
            Column::new("arm".into(), arm),
            Column::new("run".into(), run),
            Column::new("block".into(), block),
            Column::new("day".into(), day),
            Column::new("stake_gini".into(), nan_to_null(&stake_gini)),
            Column::new("emission_gini".into(), nan_to_null(&emission_gini)),
        ],
    )
}

/// One row per hotkey per subnet per run: `arm`, `run`, `subnet`, `hotkey`, `role`,
/// `strategy`, `mean_stake` (mean of the stake its epochs used, TAO), `final_stake` (TAO),
/// `emission` (total over the run, TAO) and `emission_per_1000_tao_day` (emission ÷ mean stake
/// × 1,000 ÷ days of the run; for a validator, its dividends per 1,000 TAO staked per day; null
/// without stake).
pub fn hotkeys(study: &Study) -> Result<DataFrame, AnalysisError> {
    let neurons = Neurons::read(study)?;
    let network = Network::read(study)?;
    let (mut arm, mut run, mut subnet, mut hotkey) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut role, mut strategy) = (Vec::new(), Vec::new());
    let (mut mean_stake, mut final_stake, mut emission, mut yields) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (key, rows) in &neurons.by_run {
        let days = network.days(*key);
        for ((_, id), h) in holders(&neurons, rows) {
            let mean = h.stake_sum / h.epochs.max(1) as f64;
            arm.push(key.0);
            run.push(key.1);
            subnet.push(h.subnet);
            hotkey.push(id);
            role.push(neurons.role.name(h.role).to_string());
            strategy.push(neurons.strategy.name(h.strategy).to_string());
            mean_stake.push(mean);
            final_stake.push(h.final_stake);
            emission.push(h.emission);
            yields.push(if mean > 0.0 && days > 0.0 {
                h.emission / mean * 1000.0 / days
            } else {
                f64::NAN
            });
        }
    }
    frame(
        "the per-hotkey table",
        vec![
            Column::new("arm".into(), arm),
            Column::new("run".into(), run),
            Column::new("subnet".into(), subnet),
            Column::new("hotkey".into(), hotkey),
            Column::new("role".into(), role),
            Column::new("strategy".into(), strategy),
            Column::new("mean_stake".into(), nan_to_null(&mean_stake)),
            Column::new("final_stake".into(), nan_to_null(&final_stake)),
            Column::new("emission".into(), nan_to_null(&emission)),
            Column::new("emission_per_1000_tao_day".into(), nan_to_null(&yields)),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    /// Audit: metrics.csv held `-0.0`. Columns write it as 0; non-finite values are null.
    #[test]
    fn columns_have_no_negative_zero() {
        let got = nan_to_null(&[-0.0, 1.5, f64::NAN, f64::INFINITY]);
        assert_eq!(got, [Some(0.0), Some(1.5), None, None]);
        assert!(got[0].unwrap().is_sign_positive());
    }

    #[test]
    fn gini_by_hand() {
        // [1,2,3,4]: Σ|xi−xj| over the 12 ordered pairs is 2×(1+2+3+1+2+1) = 20;
        // 2 n² μ = 2 × 16 × 2.5 = 80; G = 0.25.
        assert!(close(gini(&[1.0, 2.0, 3.0, 4.0]), 0.25));
        assert!(
            close(gini(&[4.0, 1.0, 3.0, 2.0]), 0.25),
            "order does not matter"
        );
        // One holder of four holds all: (n−1)/n = 0.75.
        assert!(close(gini(&[0.0, 0.0, 0.0, 1.0]), 0.75));
        assert!(close(gini(&[5.0, 5.0, 5.0]), 0.0));
        assert!(close(gini(&[7.0]), 0.0));
        // NaN is skipped; empty and all-zero are undefined.
        assert!(close(gini(&[1.0, f64::NAN, 2.0, 3.0, 4.0]), 0.25));
        assert!(gini(&[]).is_nan());
        assert!(gini(&[0.0, 0.0]).is_nan());
    }

    #[test]
    fn nakamoto_by_hand() {
        // 40 % alone is not a majority; 40 + 30 = 70 % is.
        assert_eq!(nakamoto(&[10.0, 40.0, 20.0, 30.0]), Some(2));
        // Exactly half is not more than half.
        assert_eq!(nakamoto(&[50.0, 50.0]), Some(2));
        assert_eq!(nakamoto(&[51.0, 49.0]), Some(1));
        // Ten equal holders: six are needed (5 hold exactly half).
        assert_eq!(nakamoto(&[1.0; 10]), Some(6));
        assert_eq!(nakamoto(&[]), None);
        assert_eq!(nakamoto(&[0.0, 0.0]), None);
        assert_eq!(nakamoto(&[f64::NAN, 3.0]), Some(1));
    }

    #[test]
    fn hhi_by_hand() {
        // Shares .5, .3, .2: .25 + .09 + .04 = .38.
        assert!(close(hhi(&[50.0, 30.0, 20.0]), 0.38));
        // n equal holders: 1/n.
        assert!(close(hhi(&[2.0; 4]), 0.25));
        assert!(close(hhi(&[0.0, 9.0]), 1.0));
        assert!(hhi(&[]).is_nan());
    }

    #[test]
    fn lorenz_by_hand() {
        // [1,3]: the smaller half holds 1/4.
        assert_eq!(
            lorenz(&[3.0, 1.0]),
            vec![(0.0, 0.0), (0.5, 0.25), (1.0, 1.0)]
        );
        // On a grid of 5 points: 0, .25 (half of .25), .5 → .25, .75 → .625, 1.
        let g = lorenz_on_grid(&[3.0, 1.0], 5);
        let want = [0.0, 0.125, 0.25, 0.625, 1.0];
        for (a, b) in g.iter().zip(want) {
            assert!(close(*a, b), "{g:?}");
        }
        assert!(lorenz(&[]).is_empty());
        assert!(lorenz_on_grid(&[], 3).iter().all(|x| x.is_nan()));
    }

    #[test]
    fn share_columns_describe_themselves() {
        assert!(describe("share_validator_honest").contains("honest validators"));
        assert!(describe("stake_gini").contains("Gini"));
        assert_eq!(sanitize("Weight-Copier"), "weight_copier");
    }
}
