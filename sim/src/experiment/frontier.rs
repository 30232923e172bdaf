//! The collusion frontier: how much of the emission a cabal takes, against its share of the
//! stake, per mechanism variant — and from which stake share colluding pays.
//!
//! What is modelled, at mechanism level (the epoch alone, no engine):
//!
//! - **The world.** `validators` validators and `miners` miners. Each miner has a utility
//!   `q_j = exp(g_j)` with `g_j` starting `N(0, 0.5²)` and drifting by `N(0, drift²)` per
//!   epoch, so the best miners change over time.
//! - **The cabal** owns the fraction `f` of the stake (its validators are the last
//!   `round(f · validators)`, at least one) and as many miners in proportion (the last
//!   `round(f · miners)`, at least one). Stakes are `max(0, N(1, 0.3²))` draws normalised to
//!   each team's share. Each team produces utility in proportion to its stake (the cabal
//!   miners' utilities are scaled each epoch so their sum is the share `f` of the total, as
//!   `W_H = S_H` in `docs/consensus.md`), so playing honestly earns about the stake share
//!   and any excess is what colluding gains.
//! - **Honest validators** evaluate every miner each epoch as `q_j · max(0, 1 + σ·z)` (fresh
//!   noise `z ~ N(0, 1)` per validator, miner and epoch) and set those weights.
//! - **Cabal validators** spend nothing on evaluation: they copy the honest weights they can
//!   see (the stake-weighted mean of the honest rows, each normalised) and move a fraction
//!   `λ` (the self-weight knob) of their weight onto the cabal's miners (uniformly):
//!   `row = (1 − λ)·copy + λ·self`. The cabal picks the `λ` on the grid that pays best
//!   (best response, per variant and `f`).
//! - **Commit-reveal** (a variant with `reveal_period = r`): the weights an epoch uses are
//!   those committed `r` tempos earlier, for everyone; what the cabal can copy when it
//!   commits is what was revealed, i.e. honest commits `r` tempos old, so its copied part is
//!   used `2r` tempos after the honest evaluation it copies. Without commit-reveal the cabal
//!   copies the weights honest validators set this tempo (it sets its own last).
//! - **Compounding.** Each epoch mints `inflation` × total stake; each team's share of the
//!   epoch's emission (its validators' dividends and its miners' incentive) is staked to its
//!   validators in proportion to their stake. Bonds carry over between epochs.
//!
//! Per point the cabal's **reward share** is its share of all emission over the run; its
//! **stake share** is `f`. Colluding pays where the best response's reward share exceeds the
//! stake share by more than `margin`; the **break-even** stake fraction is the smallest `f`
//! where it does (interpolated linearly between grid points on the advantage). Pure copying
//! (`λ = 0`) can already beat the stake share a little (the copier's free ride on the
//! consensus); the **self-dealing break-even** counts only where the best `λ` also beats
//! copying by the margin.
//!
//! Draws (utilities, noise, stakes) are per trial and shared by every variant, `f` and `λ`
//! (common random numbers).

use super::error::{MAX_EPOCHS, MAX_TRIALS, MAX_UIDS, check_count, check_range};
use super::retention::compound;
use super::{ExperimentError, Numeric, Subnet, Variant};
use crate::rng::{Purpose, stream};
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

/// The frontier's settings.
#[derive(Clone, Debug, PartialEq)]
pub struct FrontierConfig {
    /// The mechanisms compared.
    pub variants: Vec<Variant>,
    /// Arithmetic of the epoch.
    pub numeric: Numeric,
    /// Validators (default 32; all get permits).
    pub validators: usize,
    /// Miners (default 96).
    pub miners: usize,
    /// Cabal stake fractions `f` (default 0, 0.05, …, 0.5).
    pub cabal_stakes: Vec<f64>,
    /// The cabal's self-weight grid `λ` (default 0, 0.25, 0.5, 0.75, 1).
    pub self_weights: Vec<f64>,
    /// Epochs per run (default 60).
    pub epochs: u32,
    /// Emission per epoch as a fraction of total stake (default 0.01).
    pub inflation: f64,
    /// Evaluation noise σ of honest validators (default 0.2).
    pub noise: f64,
    /// Drift of miners' log-utility per epoch (default 0.1).
    pub drift: f64,
    /// Independent worlds per point, averaged (default 2).
    pub trials: u32,
    /// Seed of the draws.
    pub seed: u64,
    /// Advantage (reward share − stake share) above which colluding counts as paying
    /// (default 0.005: half a percentage point, above the trial-to-trial noise).
    pub margin: f64,
}

impl FrontierConfig {
    /// The defaults on `variants`.
    pub fn new(variants: Vec<Variant>) -> FrontierConfig {
        FrontierConfig {
            variants,
            numeric: Numeric::F64,
            validators: 32,
            miners: 96,
            cabal_stakes: (0..=10).map(|k| f64::from(k) * 0.05).collect(),
            self_weights: vec![0.0, 0.25, 0.5, 0.75, 1.0],
            epochs: 60,
            inflation: 0.01,
            noise: 0.2,
            drift: 0.1,
            trials: 2,
            seed: 0,
            margin: 0.005,
        }
    }

    fn check(&self) -> Result<(), ExperimentError> {
        if self.validators < 2 || self.miners < 2 {
            return Err(ExperimentError::parameter(
                "validators/miners",
                format!("{}/{}", self.validators, self.miners),
                "expected at least 2 of each",
            ));
        }
        check_count(
            "validators + miners",
            (self.validators + self.miners) as u64,
            4,
            MAX_UIDS,
        )?;
        check_count("trials", u64::from(self.trials), 1, MAX_TRIALS)?;
        check_count("epochs", u64::from(self.epochs), 1, MAX_EPOCHS)?;
        for &f in &self.cabal_stakes {
            check_range("cabal-stakes", f, 0.0, 0.99)?;
        }
        for &l in &self.self_weights {
            check_range("self-weights", l, 0.0, 1.0)?;
        }
        check_range("inflation", self.inflation, 0.0, 10.0)?;
        check_range("noise", self.noise, 0.0, 10.0)?;
        check_range("drift", self.drift, 0.0, 10.0)?;
        check_range("margin", self.margin, 0.0, 1.0)?;
        // An epoch uses the weights committed `r` tempos earlier: with `r` at or past the
        // run's length no epoch ever sees a weight, and the variant measures nothing.
        for r in self.variants.iter().filter_map(|v| v.reveal_period) {
            if u64::from(r) >= u64::from(self.epochs) {
                return Err(ExperimentError::parameter(
                    "reveal-period",
                    r,
                    format!(
                        "a period below the {} epochs run (no epoch would see a revealed weight)",
                        self.epochs
                    ),
                ));
            }
        }
        if self.trials == 0 || self.epochs == 0 || self.self_weights.is_empty() {
            return Err(ExperimentError::parameter(
                "trials/epochs/self-weights",
                format!(
                    "{}/{}/{}",
                    self.trials,
                    self.epochs,
                    self.self_weights.len()
                ),
                "expected at least one of each",
            ));
        }
        Ok(())
    }
}

/// One (variant, `f`, `λ`) point, averaged over trials.
#[derive(Clone, Debug, PartialEq)]
pub struct FrontierPoint {
    /// Variant name.
    pub variant: String,
    /// Cabal stake fraction `f`.
    pub cabal_stake: f64,
    /// Cabal self-weight `λ`.
    pub self_weight: f64,
    /// Cabal's share of all emission over the run.
    pub reward_share: f64,
    /// Sample standard deviation of the reward share over trials (0 with one trial).
    pub reward_sd: f64,
    /// Cabal's stake share at the end.
    pub final_stake_share: f64,
}

/// The cabal's best response at one (variant, `f`).
#[derive(Clone, Debug, PartialEq)]
pub struct BestResponse {
    /// Variant name.
    pub variant: String,
    /// Cabal stake fraction `f`.
    pub cabal_stake: f64,
    /// The `λ` that pays best.
    pub self_weight: f64,
    /// Its reward share.
    pub reward_share: f64,
    /// `reward_share − f`.
    pub advantage: f64,
    /// `advantage > margin`.
    pub pays: bool,
    /// The reward share of pure copying (`λ = 0`), NaN if 0 is not on the grid.
    pub copy_share: f64,
}

/// Where colluding starts to pay, per variant.
#[derive(Clone, Debug, PartialEq)]
pub struct BreakEven {
    /// Variant name.
    pub variant: String,
    /// The smallest cabal stake fraction where colluding pays (interpolated); `None` if it
    /// pays nowhere on the grid.
    pub stake: Option<f64>,
    /// The same for self-dealing alone: where the best self-weight beats both the stake share
    /// and pure copying (`λ = 0`) by the margin, so the gain is not just the copier's free
    /// ride; `None` if nowhere (or 0 is not on the self-weight grid).
    pub self_dealing_stake: Option<f64>,
}

/// Everything the frontier produces.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FrontierResult {
    /// Every point, by variant, `f`, `λ`.
    pub points: Vec<FrontierPoint>,
    /// Best response per variant and `f`.
    pub best: Vec<BestResponse>,
    /// Break-even per variant.
    pub break_even: Vec<BreakEven>,
}

/// One trial's world: stake draws per validator, log-utility paths per miner, evaluation
/// noise per (epoch, validator, miner).
struct World {
    stake: Vec<f64>,
    /// `[epoch][miner]` log-utility.
    log_utility: Vec<f64>,
    /// `[epoch][validator][miner]` standard normal noise.
    noise: Vec<f64>,
}

impl World {
    fn new(cfg: &FrontierConfig, trial: u32) -> World {
        let (v, m, t) = (cfg.validators, cfg.miners, cfg.epochs as usize);
        let mut rng = stream(cfg.seed, u64::from(trial), Purpose::Experiment, 1);
        let mut normal = || -> f64 { StandardNormal.sample(&mut rng) };
        let stake = (0..v).map(|_| normal()).collect();
        let mut log_utility = Vec::with_capacity(t * m);
        let start: Vec<f64> = (0..m).map(|_| 0.5 * normal()).collect();
        log_utility.extend_from_slice(&start);
        for e in 1..t {
            for j in 0..m {
                let prev = log_utility[(e - 1) * m + j];
                log_utility.push(prev + cfg.drift * normal());
            }
        }
        let noise = (0..t * v * m).map(|_| normal()).collect();
        World {
            stake,
            log_utility,
            noise,
        }
    }
}

/// Team sizes for cabal fraction `f`: `(cabal validators, cabal miners)`, none if `f = 0`.
fn cabal_size(f: f64, validators: usize, miners: usize) -> (usize, usize) {
    if f <= 0.0 {
        return (0, 0);
    }
    let size = |total: usize| ((f * total as f64).round() as usize).clamp(1, total - 1);
    (size(validators), size(miners))
}

/// One run: `(cabal reward share, final cabal stake share)`.
fn run_one(
    cfg: &FrontierConfig,
    variant: &Variant,
    world: &World,
    f: f64,
    lambda: f64,
) -> Result<(f64, f64), ExperimentError> {
    let (v, m) = (cfg.validators, cfg.miners);
    let (cv, cm) = cabal_size(f, v, m);
    let honest_v = v - cv;
    let honest_m = m - cm;
    let mut stake = vec![0.0; v + m];
    for (range, share) in [(0..honest_v, 1.0 - f), (honest_v..v, f)] {
        let raw: Vec<f64> = world.stake[range.clone()]
            .iter()
            .map(|z| (1.0 + 0.3 * z).max(0.0))
            .collect();
        let total: f64 = raw.iter().sum();
        let k = raw.len() as f64;
        for (i, r) in range.zip(raw) {
            stake[i] = share * if total > 0.0 { r / total } else { 1.0 / k };
        }
    }
    let mut params = variant.params.clone();
    params.max_allowed_validators = v;
    let mut subnet = Subnet::new(stake, params, cfg.numeric)?;
    let is_cabal = |uid: usize| {
        if uid < v {
            uid >= honest_v
        } else {
            uid - v >= honest_m
        }
    };
    // Honest rows (normalised) per epoch committed, and the cabal's commits.
    let mut honest_rows: Vec<Vec<f64>> = Vec::with_capacity(cfg.epochs as usize);
    let mut cabal_rows: Vec<Vec<f64>> = Vec::with_capacity(cfg.epochs as usize);
    let lag = variant.reveal_period.map_or(0, |r| r as usize);
    let mut row = Vec::with_capacity(m);
    let (mut cabal_minted, mut minted) = (0.0, 0.0);
    for t in 0..cfg.epochs as usize {
        // True utilities, the cabal's scaled to its stake share of the total.
        let mut q: Vec<f64> = world.log_utility[t * m..(t + 1) * m]
            .iter()
            .map(|g| g.exp())
            .collect();
        if cm > 0 {
            let honest_q: f64 = q[..honest_m].iter().sum();
            let cabal_q: f64 = q[honest_m..].iter().sum();
            let k = f / (1.0 - f) * honest_q / cabal_q;
            q[honest_m..].iter_mut().for_each(|x| *x *= k);
        }
        // Honest commits at t: evaluations, each row normalised (v rows of m, flattened).
        let mut rows = vec![0.0; honest_v * m];
        for i in 0..honest_v {
            let z = &world.noise[(t * v + i) * m..(t * v + i + 1) * m];
            let r = &mut rows[i * m..(i + 1) * m];
            for ((w, &q), &z) in r.iter_mut().zip(&q).zip(z) {
                *w = q * (1.0 + cfg.noise * z).max(0.0);
            }
            normalise(r);
        }
        honest_rows.push(rows);
        // The cabal's commit at t copies what it can see: honest commits `lag` tempos old.
        let visible = &honest_rows[t.saturating_sub(lag)];
        let stake = subnet.stake();
        let honest_stake: f64 = stake[..honest_v].iter().sum();
        let mut copy = vec![0.0; m];
        for i in 0..honest_v {
            let s = if honest_stake > 0.0 {
                stake[i] / honest_stake
            } else {
                1.0 / honest_v as f64
            };
            for (c, w) in copy.iter_mut().zip(&visible[i * m..(i + 1) * m]) {
                *c += s * w;
            }
        }
        for (j, c) in copy.iter_mut().enumerate() {
            let own = if j >= honest_m { 1.0 / cm as f64 } else { 0.0 };
            *c = (1.0 - lambda) * *c + lambda * own;
        }
        cabal_rows.push(copy);
        // The weights this epoch uses: commits `lag` tempos old (now, without commit-reveal).
        let used = t.saturating_sub(lag);
        for i in 0..v {
            let src = if i < honest_v {
                &honest_rows[used][i * m..(i + 1) * m]
            } else {
                &cabal_rows[used][..]
            };
            row.clear();
            row.extend(src.iter().enumerate().map(|(j, &w)| ((v + j) as u16, w)));
            subnet.set_weights(i, &row);
        }
        subnet.epoch()?;
        let (mut cabal_e, mut total_e) = (0u128, 0u128);
        for uid in 0..subnet.len() {
            let e = u128::from(subnet.emission(uid));
            total_e += e;
            if is_cabal(uid) {
                cabal_e += e;
            }
        }
        let e_c = if total_e > 0 {
            cabal_e as f64 / total_e as f64
        } else {
            0.0
        };
        let stake = subnet.stake_mut();
        let mint = cfg.inflation * stake.iter().sum::<f64>();
        cabal_minted += mint * e_c;
        minted += mint;
        compound(stake, v, honest_v, mint, 1.0 - e_c);
    }
    let stake = subnet.stake();
    let total: f64 = stake.iter().sum();
    let cabal: f64 = stake[honest_v..v].iter().sum();
    let reward = if minted > 0.0 {
        cabal_minted / minted
    } else {
        0.0
    };
    Ok((reward, if total > 0.0 { cabal / total } else { 0.0 }))
}

/// Scales `row` to sum 1 (left alone if it sums to 0).
fn normalise(row: &mut [f64]) {
    let total: f64 = row.iter().sum();
    if total > 0.0 {
        row.iter_mut().for_each(|w| *w /= total);
    }
}

/// Runs the frontier. `progress` is called with the number of points finished.
pub fn run(
    cfg: &FrontierConfig,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<FrontierResult, ExperimentError> {
    cfg.check()?;
    let worlds: Vec<World> = (0..cfg.trials).map(|t| World::new(cfg, t)).collect();
    let tasks: Vec<(usize, f64, f64)> = (0..cfg.variants.len())
        .flat_map(|k| {
            cfg.cabal_stakes
                .iter()
                .flat_map(move |&f| cfg.self_weights.iter().map(move |&l| (k, f, l)))
        })
        .collect();
    let points: Vec<FrontierPoint> = tasks
        .par_iter()
        .map(|&(k, f, lambda)| {
            let variant = &cfg.variants[k];
            let runs = worlds
                .iter()
                .map(|w| run_one(cfg, variant, w, f, lambda))
                .collect::<Result<Vec<_>, _>>()?;
            progress(1);
            let rewards: Vec<f64> = runs.iter().map(|r| r.0).collect();
            let n = rewards.len() as f64;
            let mean = rewards.iter().sum::<f64>() / n;
            let sd = if rewards.len() > 1 {
                (rewards.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
            } else {
                0.0
            };
            Ok(FrontierPoint {
                variant: variant.name.clone(),
                cabal_stake: f,
                self_weight: lambda,
                reward_share: mean,
                reward_sd: sd,
                final_stake_share: runs.iter().map(|r| r.1).sum::<f64>() / n,
            })
        })
        .collect::<Result<_, ExperimentError>>()?;
    let best = best_responses(&points, cfg.margin);
    let break_even = cfg
        .variants
        .iter()
        .map(|v| {
            let rows = || best.iter().filter(|b| b.variant == v.name);
            let self_dealing: Vec<BestResponse> = rows()
                .map(|b| {
                    let advantage = b.reward_share - b.cabal_stake.max(b.copy_share);
                    BestResponse {
                        advantage,
                        pays: advantage > cfg.margin,
                        ..b.clone()
                    }
                })
                .collect();
            BreakEven {
                variant: v.name.clone(),
                stake: break_even(rows(), cfg.margin),
                self_dealing_stake: break_even(&self_dealing, cfg.margin),
            }
        })
        .collect();
    Ok(FrontierResult {
        points,
        best,
        break_even,
    })
}

/// Per (variant, `f`) in the points' order, the `λ` with the largest reward share (the first
/// on ties).
pub fn best_responses(points: &[FrontierPoint], margin: f64) -> Vec<BestResponse> {
    let mut best: Vec<BestResponse> = Vec::new();
    for p in points {
        let advantage = p.reward_share - p.cabal_stake;
        let copy_share = points
            .iter()
            .find(|q| {
                q.variant == p.variant && q.cabal_stake == p.cabal_stake && q.self_weight == 0.0
            })
            .map_or(f64::NAN, |q| q.reward_share);
        let candidate = BestResponse {
            variant: p.variant.clone(),
            cabal_stake: p.cabal_stake,
            self_weight: p.self_weight,
            reward_share: p.reward_share,
            advantage,
            pays: advantage > margin,
            copy_share,
        };
        match best
            .iter_mut()
            .find(|b| b.variant == p.variant && b.cabal_stake == p.cabal_stake)
        {
            Some(b) if p.reward_share > b.reward_share => *b = candidate,
            Some(_) => {}
            None => best.push(candidate),
        }
    }
    best
}

/// The smallest cabal stake (in the rows' order, ascending `f`) where colluding pays: the
/// first row that pays, interpolated with the row before it where `advantage − margin`
/// crosses zero; the first row itself if it already pays. `None` if no row pays.
pub fn break_even<'a>(
    rows: impl IntoIterator<Item = &'a BestResponse>,
    margin: f64,
) -> Option<f64> {
    let mut previous: Option<&BestResponse> = None;
    for b in rows {
        if b.pays {
            return Some(match previous {
                None => b.cabal_stake,
                Some(p) => {
                    let (lo, hi) = (p.advantage - margin, b.advantage - margin);
                    let t = if hi > lo { -lo / (hi - lo) } else { 1.0 };
                    p.cabal_stake + t.clamp(0.0, 1.0) * (b.cabal_stake - p.cabal_stake)
                }
            });
        }
        previous = Some(b);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::{VariantKind, chain_defaults};

    fn best(f: f64, advantage: f64, margin: f64) -> BestResponse {
        BestResponse {
            variant: "v".into(),
            cabal_stake: f,
            self_weight: 1.0,
            reward_share: f + advantage,
            advantage,
            pays: advantage > margin,
            copy_share: f,
        }
    }

    /// Constructed advantages −0.02, −0.01, +0.03 at f = 0.1, 0.2, 0.3 with margin 0.01:
    /// `advantage − margin` goes −0.02 → +0.02 between 0.2 and 0.3, so break-even is 0.25.
    #[test]
    fn break_even_interpolates_the_crossing() {
        let rows = [
            best(0.1, -0.02, 0.01),
            best(0.2, -0.01, 0.01),
            best(0.3, 0.03, 0.01),
        ];
        let b = break_even(&rows, 0.01).unwrap();
        assert!((b - 0.25).abs() < 1e-12, "{b}");
        assert_eq!(break_even(&rows[..2], 0.01), None);
        assert_eq!(break_even(&rows[2..], 0.01), Some(0.3));
    }

    /// The best response takes the largest reward share per (variant, f).
    #[test]
    fn best_response_takes_the_largest_share() {
        let p = |l: f64, r: f64| FrontierPoint {
            variant: "v".into(),
            cabal_stake: 0.2,
            self_weight: l,
            reward_share: r,
            reward_sd: 0.0,
            final_stake_share: 0.0,
        };
        let b = best_responses(&[p(0.0, 0.19), p(0.5, 0.26), p(1.0, 0.22)], 0.005);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].self_weight, 0.5);
        assert!((b[0].advantage - 0.06).abs() < 1e-12 && b[0].pays);
        assert_eq!(b[0].copy_share, 0.19);
    }

    /// Same seed, same results on 1 and 2 threads (points are collected in task order and
    /// every draw is keyed by trial), for the frontier and the retention map.
    #[test]
    fn results_do_not_depend_on_threads() {
        let base = chain_defaults();
        let mut cfg = FrontierConfig::new(vec![Variant::new(VariantKind::Yuma3Liquid, &base)]);
        cfg.validators = 4;
        cfg.miners = 6;
        cfg.cabal_stakes = vec![0.0, 0.3];
        cfg.self_weights = vec![0.0, 1.0];
        cfg.epochs = 4;
        cfg.trials = 2;
        let mut rcfg = crate::experiment::retention::RetentionConfig::new(Variant::new(
            VariantKind::Classic,
            &base,
        ));
        rcfg.neurons = 12;
        rcfg.validators = 4;
        rcfg.grid = 3;
        rcfg.sigmas = vec![0.3];
        rcfg.honest_stakes = vec![0.6];
        rcfg.trials = 2;
        rcfg.multi = Some(crate::experiment::retention::MultiEpoch {
            epochs: 3,
            inflation: 0.05,
            grid: 2,
            honest_stakes: vec![0.6],
        });
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                (
                    run(&cfg, &|_| {}).unwrap(),
                    crate::experiment::retention::run(&rcfg, &|_| {}).unwrap(),
                )
            })
        };
        assert_eq!(on(1), on(2));
    }

    /// Audit: `--reveal-period 100000` ran, every epoch without a revealed weight.
    #[test]
    fn a_reveal_period_past_the_run_is_refused() {
        let base = chain_defaults();
        let mut v = Variant::new(VariantKind::Yuma3, &base);
        v.reveal_period = Some(12);
        let mut cfg = FrontierConfig::new(vec![v]);
        cfg.epochs = 12;
        let err = run(&cfg, &|_| {}).unwrap_err().to_string();
        assert!(
            err.contains("reveal-period") && err.contains("12 epochs"),
            "{err}"
        );
        cfg.epochs = 13;
        cfg.validators = 4;
        cfg.miners = 4;
        cfg.cabal_stakes = vec![0.2];
        cfg.self_weights = vec![0.0];
        cfg.trials = 1;
        assert!(run(&cfg, &|_| {}).is_ok());
    }

    /// On a small network, a stake-majority cabal that weights only itself takes more than
    /// its stake share (consensus is its own), while a 10 % cabal's self-weight is clipped
    /// and it does not profit; the break-even lies between.
    #[test]
    fn a_majority_cabal_profits_and_a_small_one_does_not() {
        let base = chain_defaults();
        let mut cfg = FrontierConfig::new(vec![Variant::new(VariantKind::Yuma3, &base)]);
        cfg.validators = 8;
        cfg.miners = 16;
        cfg.cabal_stakes = vec![0.1, 0.6];
        cfg.self_weights = vec![0.0, 1.0];
        cfg.epochs = 12;
        cfg.trials = 1;
        let r = run(&cfg, &|_| {}).unwrap();
        assert_eq!(r.points.len(), 4);
        assert!(!r.best[0].pays, "{:?}", r.best[0]);
        assert!(r.best[1].pays, "{:?}", r.best[1]);
        let b = r.break_even[0].stake.unwrap();
        assert!(b > 0.1 && b <= 0.6, "{b}");
        // Without collusion (λ = 0) the cabal's share is near its stake share.
        let honest = &r.points[0];
        assert!((honest.reward_share - 0.1).abs() < 0.05, "{honest:?}");
    }
}
