//! Replicate statistics: how sure we are of a metric, and of a difference between arms.
//!
//! A single simulated run is one draw; a governance argument needs the spread across
//! replicates. [`summarize`] gives, per group (by default per arm) and metric, the number of
//! runs, mean, standard deviation and a confidence interval for the mean, either Student-t
//! (`mean ± t₍₁₊level₎/₂,ₙ₋₁ · sd/√n`, exact for normal data and the usual choice for a handful of
//! replicates) or a percentile bootstrap (no normality assumption; deterministic, seeded
//! ChaCha8). [`compare`] pairs each arm's runs with the baseline arm's runs of the same `run`
//! index: the arms share their random streams (common random numbers), so the paired
//! difference cancels most of the run-to-run noise and gives far tighter intervals than
//! comparing two separate means.
//!
//! Both return long-format frames (one row per group × metric), which is what the report's
//! tables and a notebook's `pivot` want.

use crate::AnalysisError;
use crate::columns::{self, frame};
use crate::metrics::{self, metric_columns};
use polars::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use statrs::distribution::{ContinuousCDF, StudentsT};
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// How a confidence interval is computed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Interval {
    /// Student-t interval for the mean (the default).
    StudentT,
    /// Percentile bootstrap of the mean: `resamples` resamples with replacement, drawn from a
    /// ChaCha8 stream seeded with `seed` and keyed by group and metric name, so the same input
    /// gives the same interval on every machine and in any group order.
    Bootstrap {
        /// Number of resamples (2,000 is plenty for a 95 % interval).
        resamples: usize,
        /// Seed of the resampling streams.
        seed: u64,
    },
}

impl Interval {
    /// Name used in the `method` column: `t` or `bootstrap`.
    pub fn name(&self) -> &'static str {
        match self {
            Interval::StudentT => "t",
            Interval::Bootstrap { .. } => "bootstrap",
        }
    }
}

/// Options of [`summarize`] and [`compare`].
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryOptions {
    /// Confidence level, strictly between 0 and 1 (default 0.95).
    pub level: f64,
    /// Interval method (default [`Interval::StudentT`]).
    pub interval: Interval,
    /// Columns to group runs by in [`summarize`] (default `["arm"]`; a sweep might use its
    /// parameter columns). [`compare`] always pairs by `arm` and `run`.
    pub by: Vec<String>,
}

impl Default for SummaryOptions {
    fn default() -> Self {
        SummaryOptions {
            level: 0.95,
            interval: Interval::StudentT,
            by: vec!["arm".to_string()],
        }
    }
}

impl SummaryOptions {
    fn check(&self) -> Result<(), AnalysisError> {
        if !(self.level > 0.0 && self.level < 1.0) {
            return Err(AnalysisError::InvalidArgument(format!(
                "confidence level {} is not strictly between 0 and 1; use e.g. 0.95",
                self.level
            )));
        }
        if let Interval::Bootstrap { resamples: 0, .. } = self.interval {
            return Err(AnalysisError::InvalidArgument(
                "a bootstrap needs at least one resample; use e.g. 2000".to_string(),
            ));
        }
        Ok(())
    }
}

/// A mean with its spread and confidence interval. Fields are NaN where undefined: the mean of
/// nothing, the sd and interval of fewer than two values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Number of finite values used.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (n − 1 denominator).
    pub sd: f64,
    /// Lower bound of the interval.
    pub low: f64,
    /// Upper bound of the interval.
    pub high: f64,
}

impl Estimate {
    /// The interval cut to `[lo, hi]`, the values the estimated mean can take (a share's mean
    /// lies in [0, 1]). A symmetric t interval around a mean near a bound reaches past it;
    /// cutting that part off keeps the coverage, since the true mean is never there.
    pub fn within(self, (lo, hi): (f64, f64)) -> Estimate {
        // `f64::max` would turn an undefined (NaN) bound into `lo`.
        let cut = |x: f64| if x.is_nan() { x } else { x.clamp(lo, hi) };
        Estimate {
            low: cut(self.low),
            high: cut(self.high),
            ..self
        }
    }
}

/// The `p` quantile of Student's t with `df` degrees of freedom (NaN for `df ≤ 0` or `p`
/// outside (0, 1)). E.g. `t_quantile(0.975, 4.0) = 2.776445…`.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if !(p > 0.0 && p < 1.0) || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    match StudentsT::new(0.0, 1.0, df) {
        Ok(t) => t.inverse_cdf(p),
        Err(_) => f64::NAN,
    }
}

fn mean_sd(xs: &[f64]) -> (usize, f64, f64) {
    let n = xs.len();
    if n == 0 {
        return (0, f64::NAN, f64::NAN);
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (n, mean, f64::NAN);
    }
    let ss: f64 = xs.iter().map(|x| (x - mean) * (x - mean)).sum();
    (n, mean, (ss / (n - 1) as f64).sqrt())
}

/// Mean, sd and Student-t interval at `level` of the finite values of `xs`.
pub fn t_interval(xs: &[f64], level: f64) -> Estimate {
    let v: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
    let (n, mean, sd) = mean_sd(&v);
    if n < 2 {
        return Estimate {
            n,
            mean,
            sd,
            low: f64::NAN,
            high: f64::NAN,
        };
    }
    let half = t_quantile(0.5 + level / 2.0, (n - 1) as f64) * sd / (n as f64).sqrt();
    Estimate {
        n,
        mean,
        sd,
        low: mean - half,
        high: mean + half,
    }
}

/// The `q` quantile of sorted values by linear interpolation between order statistics
/// (Hyndman & Fan type 7, numpy's and R's default).
fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Mean, sd and percentile-bootstrap interval at `level` of the finite values of `xs`:
/// `resamples` means of `n` draws with replacement, and their `(1 − level)/2` and
/// `(1 + level)/2` quantiles. `rng` is consumed deterministically.
pub fn bootstrap_interval(
    xs: &[f64],
    level: f64,
    resamples: usize,
    rng: &mut ChaCha8Rng,
) -> Estimate {
    let v: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
    let (n, mean, sd) = mean_sd(&v);
    if n < 2 || resamples == 0 {
        return Estimate {
            n,
            mean,
            sd,
            low: f64::NAN,
            high: f64::NAN,
        };
    }
    let mut means = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        let mut sum = 0.0;
        for _ in 0..n {
            sum += v[rng.random_range(0..n)];
        }
        means.push(sum / n as f64);
    }
    means.sort_by(f64::total_cmp);
    Estimate {
        n,
        mean,
        sd,
        low: quantile_sorted(&means, (1.0 - level) / 2.0),
        high: quantile_sorted(&means, (1.0 + level) / 2.0),
    }
}

/// FNV-1a, a fixed hash (std's hasher may change between Rust releases) for stream keys.
fn fnv1a(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The interval of `xs` under `opts`; `key` names the group and metric for the bootstrap
/// stream.
fn estimate(xs: &[f64], opts: &SummaryOptions, key: &str) -> Estimate {
    match opts.interval {
        Interval::StudentT => t_interval(xs, opts.level),
        Interval::Bootstrap { resamples, seed } => {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(fnv1a(key));
            bootstrap_interval(xs, opts.level, resamples, &mut rng)
        }
    }
}

/// A group key part with a total order: nulls first, then numbers, then text.
#[derive(Clone, Debug)]
enum Key {
    Null,
    Num(f64),
    Text(String),
}

impl Key {
    fn rank(&self) -> u8 {
        match self {
            Key::Null => 0,
            Key::Num(_) => 1,
            Key::Text(_) => 2,
        }
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Key {}
impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Key::Num(a), Key::Num(b)) => a.total_cmp(b),
            (Key::Text(a), Key::Text(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::Null => write!(f, "null"),
            Key::Num(x) => write!(f, "{x}"),
            Key::Text(s) => write!(f, "{s}"),
        }
    }
}

fn keys_of(df: &DataFrame, name: &str) -> Result<Vec<Key>, AnalysisError> {
    if columns::is_numeric(df, name) {
        Ok(columns::f64s(df, "per_run", name)?
            .into_iter()
            .map(|v| v.map_or(Key::Null, Key::Num))
            .collect())
    } else {
        let c = columns::column(df, "per_run", name)?;
        let s = c
            .cast(&DataType::String)
            .map_err(AnalysisError::polars(format!("reading per_run.{name}")))?;
        let ca = s
            .str()
            .map_err(AnalysisError::polars(format!("reading per_run.{name}")))?;
        Ok(ca
            .iter()
            .map(|v| v.map_or(Key::Null, |s| Key::Text(s.to_string())))
            .collect())
    }
}

/// The rows of `df` at `idx` for the columns `names`.
fn gather(df: &DataFrame, names: &[String], idx: &[usize]) -> Result<Vec<Column>, AnalysisError> {
    let idx = IdxCa::from_vec(
        "idx".into(),
        idx.iter().map(|&i| i as IdxSize).collect::<Vec<_>>(),
    );
    names
        .iter()
        .map(|n| {
            columns::column(df, "per_run", n)?
                .take(&idx)
                .map_err(AnalysisError::polars(format!("gathering per_run.{n}")))
        })
        .collect()
}

fn opt(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Replicate statistics of every metric of a [`crate::metrics::per_run`] frame, per group.
///
/// Long format, one row per group × metric, groups in ascending order of the `by` columns and
/// metrics in frame order. Columns: the `by` columns (plus `arm_name` when grouping by `arm`),
/// `metric`, `n` (finite values), `mean`, `sd`, `ci_low`, `ci_high` (null for fewer than two
/// values), `level`, `method` (`t` or `bootstrap`).
pub fn summarize(per_run: &DataFrame, opts: &SummaryOptions) -> Result<DataFrame, AnalysisError> {
    opts.check()?;
    let metrics = metric_columns(per_run);
    let mut by = opts.by.clone();
    if by.iter().any(|b| b == "arm")
        && !by.iter().any(|b| b == "arm_name")
        && per_run.column("arm_name").is_ok()
    {
        by.push("arm_name".to_string());
    }
    let key_columns = by
        .iter()
        .map(|b| keys_of(per_run, b))
        .collect::<Result<Vec<_>, _>>()?;
    let mut groups: BTreeMap<Vec<Key>, Vec<usize>> = BTreeMap::new();
    for i in 0..per_run.height() {
        let key: Vec<Key> = key_columns.iter().map(|c| c[i].clone()).collect();
        groups.entry(key).or_default().push(i);
    }
    let values = metrics
        .iter()
        .map(|m| columns::f64s_nan(per_run, "per_run", m))
        .collect::<Result<Vec<_>, _>>()?;

    let mut idx = Vec::new();
    let mut metric = Vec::new();
    let (mut n, mut mean, mut sd, mut low, mut high) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (key, rows) in &groups {
        let label: Vec<String> = key.iter().map(|k| k.to_string()).collect();
        for (name, column) in metrics.iter().zip(&values) {
            let xs: Vec<f64> = rows.iter().map(|&i| column[i]).collect();
            let e = estimate(&xs, opts, &format!("{}|{name}", label.join("|")))
                .within(metrics::range(name));
            idx.push(rows[0]);
            metric.push(name.as_str());
            n.push(e.n as u32);
            mean.push(opt(e.mean));
            sd.push(opt(e.sd));
            low.push(opt(e.low));
            high.push(opt(e.high));
        }
    }
    let rows = idx.len();
    let mut out = gather(per_run, &by, &idx)?;
    out.extend([
        Column::new("metric".into(), metric),
        Column::new("n".into(), n),
        Column::new("mean".into(), mean),
        Column::new("sd".into(), sd),
        Column::new("ci_low".into(), low),
        Column::new("ci_high".into(), high),
        Column::new("level".into(), vec![opts.level; rows]),
        Column::new("method".into(), vec![opts.interval.name(); rows]),
    ]);
    frame("the replicate summary", out)
}

/// Paired differences between each arm and `baseline_arm`, per metric, over the runs with the
/// same `run` index in both (common random numbers).
///
/// Takes a [`crate::metrics::per_run`] frame. Long format, one row per arm (other than the
/// baseline, ascending) × metric. Columns: `arm`, `arm_name`, `baseline_arm`, `metric`, `n`
/// (pairs where both values are finite), `baseline_mean` and `arm_mean` (over those pairs),
/// `mean_diff` (arm − baseline), `sd_diff`, `ci_low`, `ci_high` (interval of the mean
/// difference under `opts`; null for fewer than two pairs), `level`, `method`. `opts.by` is
/// not used. Fails with [`AnalysisError::UnknownArm`] when no run has the baseline arm.
pub fn compare(
    per_run: &DataFrame,
    baseline_arm: u32,
    opts: &SummaryOptions,
) -> Result<DataFrame, AnalysisError> {
    opts.check()?;
    let metrics = metric_columns(per_run);
    let arms = columns::u32s(per_run, "per_run", "arm")?;
    let runs = columns::u32s(per_run, "per_run", "run")?;
    let names = if per_run.column("arm_name").is_ok() {
        columns::strs(per_run, "per_run", "arm_name")?
    } else {
        arms.iter().map(|a| format!("arm {a}")).collect()
    };
    // (arm, run) → row; the first row wins if a folder repeats a pair.
    let mut rows: BTreeMap<u32, BTreeMap<u32, usize>> = BTreeMap::new();
    for (i, (a, r)) in arms.iter().zip(&runs).enumerate() {
        rows.entry(*a).or_default().entry(*r).or_insert(i);
    }
    let Some(base) = rows.get(&baseline_arm) else {
        return Err(AnalysisError::UnknownArm {
            arm: baseline_arm,
            available: rows.keys().copied().collect(),
        });
    };
    let values = metrics
        .iter()
        .map(|m| columns::f64s_nan(per_run, "per_run", m))
        .collect::<Result<Vec<_>, _>>()?;

    let (mut arm_col, mut name_col, mut metric_col) = (Vec::new(), Vec::new(), Vec::new());
    let (mut n, mut base_mean, mut arm_mean) = (Vec::new(), Vec::new(), Vec::new());
    let (mut diff, mut sd, mut low, mut high) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (arm, arm_rows) in &rows {
        if *arm == baseline_arm {
            continue;
        }
        let first = arm_rows.values().next().copied().unwrap_or(0);
        for (metric, column) in metrics.iter().zip(&values) {
            let mut pairs = Vec::new();
            for (run, &i) in arm_rows {
                if let Some(&j) = base.get(run)
                    && column[i].is_finite()
                    && column[j].is_finite()
                {
                    pairs.push((column[i], column[j]));
                }
            }
            let d: Vec<f64> = pairs.iter().map(|(a, b)| a - b).collect();
            let (lo, hi) = metrics::range(metric);
            let e = estimate(&d, opts, &format!("{arm}-{baseline_arm}|{metric}"))
                .within((lo - hi, hi - lo));
            let m = |f: fn(&(f64, f64)) -> f64| {
                if pairs.is_empty() {
                    None
                } else {
                    Some(pairs.iter().map(f).sum::<f64>() / pairs.len() as f64)
                }
            };
            arm_col.push(*arm);
            name_col.push(names[first].clone());
            metric_col.push(metric.clone());
            n.push(e.n as u32);
            base_mean.push(m(|p| p.1));
            arm_mean.push(m(|p| p.0));
            diff.push(opt(e.mean));
            sd.push(opt(e.sd));
            low.push(opt(e.low));
            high.push(opt(e.high));
        }
    }
    let count = arm_col.len();
    frame(
        "the comparison",
        vec![
            Column::new("arm".into(), arm_col),
            Column::new("arm_name".into(), name_col),
            Column::new("baseline_arm".into(), vec![baseline_arm; count]),
            Column::new("metric".into(), metric_col),
            Column::new("n".into(), n),
            Column::new("baseline_mean".into(), base_mean),
            Column::new("arm_mean".into(), arm_mean),
            Column::new("mean_diff".into(), diff),
            Column::new("sd_diff".into(), sd),
            Column::new("ci_low".into(), low),
            Column::new("ci_high".into(), high),
            Column::new("level".into(), vec![opts.level; count]),
            Column::new("method".into(), vec![opts.interval.name(); count]),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() < tol
    }

    #[test]
    fn t_quantiles_match_the_tables() {
        // Two-sided 95 % critical values from any t table (e.g. NIST/SEMATECH e-Handbook
        // 1.3.6.7.2): df 1 → 12.706205, df 4 → 2.776445, df 9 → 2.262157, df 29 → 2.045230.
        assert!(close(t_quantile(0.975, 4.0), 2.776445, 1e-6));
        assert!(close(t_quantile(0.975, 1.0), 12.706205, 1e-5));
        assert!(close(t_quantile(0.975, 9.0), 2.262157, 1e-6));
        assert!(close(t_quantile(0.975, 29.0), 2.045230, 1e-6));
        assert!(close(t_quantile(0.025, 4.0), -2.776445, 1e-6));
        assert!(t_quantile(0.975, 0.0).is_nan());
        assert!(t_quantile(1.0, 4.0).is_nan());
    }

    #[test]
    fn t_interval_by_hand() {
        // [1..5]: mean 3, sd √2.5 = 1.5811388, se = sd/√5 = 0.7071068,
        // half-width 2.776445 × 0.7071068 = 1.963243.
        let e = t_interval(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.95);
        assert_eq!(e.n, 5);
        assert!(close(e.mean, 3.0, 1e-12));
        assert!(close(e.sd, 2.5f64.sqrt(), 1e-12));
        assert!(close(e.low, 1.036757, 1e-6));
        assert!(close(e.high, 4.963243, 1e-6));
        // One value: a mean, no spread; none: nothing. NaN is skipped.
        let one = t_interval(&[7.0, f64::NAN], 0.95);
        assert_eq!(one.n, 1);
        assert_eq!(one.mean, 7.0);
        assert!(one.sd.is_nan() && one.low.is_nan());
        assert!(t_interval(&[], 0.95).mean.is_nan());
    }

    /// Shares near 0: [0.001, 0.002, 0.030] has mean 0.011 and sd 0.016462 (by hand), so the
    /// 95 % t half-width 4.302653 × 0.016462 / √3 = 0.040893 reaches below 0; the summary cuts
    /// it at 0, the least a share can be. An undefined bound stays undefined.
    #[test]
    fn intervals_stay_within_the_metric_range() {
        let e = t_interval(&[0.001, 0.002, 0.030], 0.95);
        assert!(close(e.low, 0.011 - 0.040893, 1e-5), "{e:?}");
        let cut = e.within(metrics::range("share_miner"));
        assert_eq!(cut.low, 0.0);
        assert!(close(cut.high, 0.011 + 0.040893, 1e-5));
        assert_eq!((cut.n, cut.mean, cut.sd), (e.n, e.mean, e.sd));
        let none = t_interval(&[0.5], 0.95).within((0.0, 1.0));
        assert!(none.low.is_nan() && none.high.is_nan());
        assert_eq!(metrics::range("stake_gini"), (0.0, 1.0));
        assert_eq!(metrics::range("minted_tao"), (0.0, f64::INFINITY));
        assert_eq!(
            metrics::range("net_validator_self_dealer").0,
            f64::NEG_INFINITY
        );
        assert_eq!(metrics::range("arm").0, f64::NEG_INFINITY);
        // Through the summary: one group of three runs.
        let per_run = df!("share_miner" => [0.001, 0.002, 0.030]).unwrap();
        let opts = SummaryOptions {
            by: Vec::new(),
            ..SummaryOptions::default()
        };
        let s = summarize(&per_run, &opts).unwrap();
        assert_eq!(columns::f64s(&s, "s", "ci_low").unwrap(), [Some(0.0)]);
    }

    #[test]
    fn bootstrap_is_deterministic_and_sane() {
        let xs = [1.0, 2.0, 3.0, 4.0, 5.0];
        let run = |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            bootstrap_interval(&xs, 0.95, 2000, &mut rng)
        };
        let a = run(1);
        assert_eq!(a, run(1), "same seed, same interval");
        assert!(a.low >= 1.0 && a.high <= 5.0 && a.low < 3.0 && a.high > 3.0);
        // The percentile interval of the mean is narrower than the t interval for n = 5
        // (bootstrap se uses the n denominator: sd·√(4/5)/√5 ≈ 0.632 vs t's 2.78 × 0.707).
        assert!(a.high - a.low < 2.0 * 1.963243);
        // Constant data: every resample mean is the constant.
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let c = bootstrap_interval(&[2.0; 4], 0.95, 100, &mut rng);
        assert_eq!((c.low, c.high), (2.0, 2.0));
    }

    #[test]
    fn quantiles_interpolate_like_numpy() {
        // numpy.quantile([1, 2, 3, 4], 0.25) = 1.75 (linear, type 7).
        assert!(close(
            quantile_sorted(&[1.0, 2.0, 3.0, 4.0], 0.25),
            1.75,
            1e-12
        ));
        assert!(close(
            quantile_sorted(&[1.0, 2.0, 3.0, 4.0], 1.0),
            4.0,
            1e-12
        ));
    }

    fn per_run() -> DataFrame {
        // Arm 0 runs 0..4 and arm 1 runs 0..4 (+ an unmatched run 9).
        df!(
            "arm" => [0u32, 0, 0, 0, 1, 1, 1, 1, 1],
            "run" => [0u32, 1, 2, 3, 0, 1, 2, 3, 9],
            "arm_name" => ["base", "base", "base", "base", "alt", "alt", "alt", "alt", "alt"],
            "seed" => [1u64; 9],
            "minted_tao" => [1.0, 2.0, 3.0, 4.0, 2.0, 4.0, 3.0, 7.0, 100.0],
            "share_owner" => [Some(0.5), None, Some(0.5), Some(0.5), None, None, None, None, None],
        )
        .unwrap()
    }

    #[test]
    fn summarize_by_arm() {
        let s = summarize(&per_run(), &SummaryOptions::default()).unwrap();
        assert_eq!(s.height(), 4, "2 arms × 2 metrics");
        let names: Vec<&str> = s.get_column_names().iter().map(|c| c.as_str()).collect();
        assert_eq!(
            names,
            [
                "arm", "arm_name", "metric", "n", "mean", "sd", "ci_low", "ci_high", "level",
                "method"
            ]
        );
        let mean = columns::f64s(&s, "s", "mean").unwrap();
        let n = columns::u32s(&s, "s", "n").unwrap();
        // Arm 0 minted_tao [1,2,3,4]: mean 2.5; share_owner three 0.5s, sd 0.
        assert_eq!(n, [4, 3, 5, 0]);
        assert_eq!(mean[0], Some(2.5));
        assert_eq!(mean[1], Some(0.5));
        // Arm 1 minted_tao [2,4,3,7,100]: mean 23.2.
        assert!(close(mean[2].unwrap(), 23.2, 1e-12));
        assert_eq!(mean[3], None, "no values: null, not NaN");
        let low = columns::f64s(&s, "s", "ci_low").unwrap();
        // [1,2,3,4]: sd = 1.2909944, se = 0.6454972, t(3) = 3.182446, half = 2.054260.
        assert!(close(low[0].unwrap(), 2.5 - 2.054260, 1e-6));
        let names = columns::strs(&s, "s", "arm_name").unwrap();
        assert_eq!(names, ["base", "base", "alt", "alt"]);
    }

    #[test]
    fn compare_pairs_by_run() {
        let c = compare(&per_run(), 0, &SummaryOptions::default()).unwrap();
        assert_eq!(c.height(), 2);
        let d = columns::f64s(&c, "c", "mean_diff").unwrap();
        let n = columns::u32s(&c, "c", "n").unwrap();
        // Pairs (2−1, 4−2, 3−3, 7−4) = [1, 2, 0, 3]: mean 1.5, sd √(5/3) = 1.2909944,
        // t(3) × sd/2 = 3.182446 × 0.6454972 = 2.054260. Run 9 has no partner.
        assert_eq!(n[0], 4);
        assert!(close(d[0].unwrap(), 1.5, 1e-12));
        let low = columns::f64s(&c, "c", "ci_low").unwrap();
        let high = columns::f64s(&c, "c", "ci_high").unwrap();
        assert!(close(low[0].unwrap(), 1.5 - 2.054260, 1e-6));
        assert!(close(high[0].unwrap(), 1.5 + 2.054260, 1e-6));
        assert_eq!((n[1], d[1]), (0, None), "share_owner has no finite pairs");
        assert!(matches!(
            compare(&per_run(), 7, &SummaryOptions::default()),
            Err(AnalysisError::UnknownArm { arm: 7, .. })
        ));
    }

    #[test]
    fn bad_options_are_errors() {
        let bad = SummaryOptions {
            level: 1.0,
            ..SummaryOptions::default()
        };
        assert!(summarize(&per_run(), &bad).is_err());
        let boot = SummaryOptions {
            interval: Interval::Bootstrap {
                resamples: 500,
                seed: 9,
            },
            ..SummaryOptions::default()
        };
        let a = summarize(&per_run(), &boot).unwrap();
        let b = summarize(&per_run(), &boot).unwrap();
        assert!(a.equals_missing(&b));
    }
}
