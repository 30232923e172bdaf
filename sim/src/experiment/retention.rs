//! Consensus-guarantee maps (subtensor `docs/consensus.md`, "Monte Carlo simulations"): does
//! an honest stake majority keep its share against a cabal that weights itself?
//!
//! The network is split into an honest (major) and a cabal (minor) team, each with
//! validators and servers (miners). Honest validators put `W_H` of their weight on honest
//! servers (the honest utility) and the rest on cabal servers; cabal validators put `W_C` on
//! their own servers (self-weight, free to choose) and the rest on honest servers. Within each
//! quadrant weights are `max(0, N(1, σ_W²))` draws normalised to the quadrant's total, so
//! `σ_W` is the subjectivity of the evaluations. Validator stakes are `max(0, N(1, 0.3²))`
//! draws normalised to the team's share `S_H` or `1 − S_H`. Team sizes follow the stake
//! ratio, each team keeping at least one validator and one server (upstream
//! `non_extreme_fixed_ratio`); validators are the first UIDs (the upstream map's blockwise
//! layout).
//!
//! - **Single epoch** (as the original `map_consensus_guarantees`): a permit epoch, then one
//!   epoch with empty bonds; the honest emission share `E_H` (miner and validator emission
//!   of honest UIDs) is compared with `S_H`. Retention holds where `E_H ≥ S_H`.
//! - **Multi-epoch** (what the original does not do): the same network runs `epochs` epochs
//!   with bonds carried over; after each, each team's emission (its servers' and validators')
//!   is staked to its validators in proportion to their stake, at `inflation` × total stake
//!   per epoch. Retention holds where the final honest stake share is `≥ S_H`.
//!
//! The figure the docs quote is [`RequiredUtility`]: the honest utility `W_H` needed to keep
//! `S_H` whatever self-weight the cabal picks (the worst `W_C` on the grid).
//!
//! Draws are made once per trial and shared by every grid point, σ and `S_H` (common random
//! numbers, as the original reuses one seed), so the maps are smooth and differences between
//! settings are not luck.

use super::error::{MAX_EPOCHS, MAX_GRID, MAX_TRIALS, MAX_UIDS, check_count, check_range};
use super::{ExperimentError, Numeric, Subnet, Variant};
use crate::rng::{Purpose, stream};
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

/// Which version of the experiment a row belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// One epoch, empty bonds (the original).
    Single,
    /// Many epochs, bonds and stake compounding.
    Multi,
}

impl Mode {
    /// The name in tables.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Single => "single_epoch",
            Mode::Multi => "multi_epoch",
        }
    }
}

/// The multi-epoch version's settings.
#[derive(Clone, Debug, PartialEq)]
pub struct MultiEpoch {
    /// Epochs per point (default 100).
    pub epochs: u32,
    /// Emission per epoch as a fraction of total stake, staked back to the teams (default
    /// 0.01: 1 % per epoch, so 100 epochs mint 1.7× the starting stake).
    pub inflation: f64,
    /// Points per axis of the `W_H` × `W_C` grid (default 11: steps of 0.1).
    pub grid: usize,
    /// Honest stake shares mapped (default 0.55, 0.6, 0.7).
    pub honest_stakes: Vec<f64>,
}

impl Default for MultiEpoch {
    fn default() -> Self {
        MultiEpoch {
            epochs: 100,
            inflation: 0.01,
            grid: 11,
            honest_stakes: vec![0.55, 0.6, 0.7],
        }
    }
}

/// The experiment's settings (defaults: the original's).
#[derive(Clone, Debug, PartialEq)]
pub struct RetentionConfig {
    /// Mechanism (κ and bonds penalty live in its parameters; the original runs classic Yuma).
    pub variant: Variant,
    /// Arithmetic of the epoch.
    pub numeric: Numeric,
    /// UIDs (default 512).
    pub neurons: usize,
    /// Validators among them (default 64; the permit count is set to it).
    pub validators: usize,
    /// Standard deviation of the stake draws (default 0.3).
    pub stake_sd: f64,
    /// Weight deviations σ_W mapped (default 0, 0.2, 0.4).
    pub sigmas: Vec<f64>,
    /// Honest stake shares mapped in the single-epoch map (default the original's eleven,
    /// 0.51 … 0.99).
    pub honest_stakes: Vec<f64>,
    /// Points per axis of the `W_H` × `W_C` grid (default 51: steps of 0.02).
    pub grid: usize,
    /// Independent draws per point, averaged (default 1, as the original).
    pub trials: u32,
    /// Seed of the draws.
    pub seed: u64,
    /// The multi-epoch map, if wanted.
    pub multi: Option<MultiEpoch>,
}

impl RetentionConfig {
    /// The original's settings on `variant`.
    pub fn new(variant: Variant) -> RetentionConfig {
        RetentionConfig {
            variant,
            numeric: Numeric::F64,
            neurons: 512,
            validators: 64,
            stake_sd: 0.3,
            sigmas: vec![0.0, 0.2, 0.4],
            honest_stakes: vec![0.51, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.99],
            grid: 51,
            trials: 1,
            seed: 0,
            multi: Some(MultiEpoch::default()),
        }
    }

    fn check(&self) -> Result<(), ExperimentError> {
        if self.validators < 2 || self.neurons < self.validators + 2 {
            return Err(ExperimentError::parameter(
                "neurons/validators",
                format!("{}/{}", self.neurons, self.validators),
                "expected at least 2 validators and 2 servers",
            ));
        }
        check_count("neurons", self.neurons as u64, 4, MAX_UIDS)?;
        check_count("trials", u64::from(self.trials), 1, MAX_TRIALS)?;
        if let Some(m) = &self.multi {
            check_count("epochs", u64::from(m.epochs), 0, MAX_EPOCHS)?;
        }
        check_range("stake-sd", self.stake_sd, 0.0, 10.0)?;
        for &s in &self.sigmas {
            check_range("sigma", s, 0.0, 10.0)?;
        }
        // Named as the command line's options (`--stakes`, `--multi-stakes`, `--multi-grid`).
        for &s in &self.honest_stakes {
            check_range("stakes", s, 0.0, 1.0)?;
        }
        check_count("grid", self.grid as u64, 2, MAX_GRID)?;
        if let Some(m) = &self.multi {
            for &s in &m.honest_stakes {
                check_range("multi-stakes", s, 0.0, 1.0)?;
            }
            check_count("multi-grid", m.grid as u64, 2, MAX_GRID)?;
        }
        if self.trials == 0 {
            return Err(ExperimentError::parameter(
                "trials",
                0,
                "expected at least 1",
            ));
        }
        if let Some(m) = &self.multi {
            check_range("inflation", m.inflation, 0.0, 10.0)?;
        }
        Ok(())
    }
}

/// One point of a map.
#[derive(Clone, Debug, PartialEq)]
pub struct RetentionPoint {
    /// Single or multi-epoch.
    pub mode: Mode,
    /// Weight deviation σ_W.
    pub sigma: f64,
    /// Honest stake share `S_H` at the start.
    pub honest_stake: f64,
    /// Honest utility `W_H`.
    pub honest_utility: f64,
    /// Cabal self-weight `W_C`.
    pub cabal_self_weight: f64,
    /// Honest share of the emission (single: the epoch's; multi: over all epochs), mean
    /// over trials.
    pub honest_emission: f64,
    /// The share retention is judged by, mean over trials: `honest_emission` (single) or
    /// the final honest stake share (multi).
    pub retained_share: f64,
    /// Sample standard deviation of `retained_share` over trials (0 with one trial).
    pub retained_sd: f64,
}

impl RetentionPoint {
    /// Whether the honest team keeps its stake share here.
    pub fn retained(&self) -> bool {
        self.retained_share >= self.honest_stake
    }
}

/// The honest utility needed to keep a stake share against every cabal self-weight.
#[derive(Clone, Debug, PartialEq)]
pub struct RequiredUtility {
    /// Single or multi-epoch.
    pub mode: Mode,
    /// Weight deviation σ_W.
    pub sigma: f64,
    /// Honest stake share `S_H`.
    pub honest_stake: f64,
    /// The least `W_H` from which the honest share is kept for every `W_C` on the grid
    /// (linear interpolation between grid points); `None` if some `W_C` defeats even
    /// `W_H = 1`.
    pub required_utility: Option<f64>,
    /// The cabal self-weight that needs the most honest utility (the binding one).
    pub worst_cabal_self_weight: f64,
}

/// The maps and their summary.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RetentionResult {
    /// Every grid point, by mode, σ, `S_H`, `W_H`, `W_C`.
    pub points: Vec<RetentionPoint>,
    /// Per mode, σ and `S_H`, the honest utility needed.
    pub required: Vec<RequiredUtility>,
}

impl RetentionResult {
    /// The maps, one per (mode, σ, `S_H`) in run order: `(mode, σ, S_H, points)` with the
    /// points ordered by `W_H`, then `W_C`, on a square grid.
    pub fn maps(&self) -> Vec<(Mode, f64, f64, &[RetentionPoint])> {
        let mut maps = Vec::new();
        let mut start = 0;
        let p = &self.points;
        for k in 1..=p.len() {
            let same = k < p.len()
                && p[k].mode == p[start].mode
                && p[k].sigma == p[start].sigma
                && p[k].honest_stake == p[start].honest_stake;
            if !same {
                maps.push((
                    p[start].mode,
                    p[start].sigma,
                    p[start].honest_stake,
                    &p[start..k],
                ));
                start = k;
            }
        }
        maps
    }

    /// The required utility for `(mode, σ, S_H)`, if mapped (`Some(None)`: no utility is
    /// enough).
    pub fn required_for(&self, mode: Mode, sigma: f64, honest_stake: f64) -> Option<Option<f64>> {
        self.required
            .iter()
            .find(|r| r.mode == mode && r.sigma == sigma && r.honest_stake == honest_stake)
            .map(|r| r.required_utility)
    }
}

/// The standard normal draws of one trial: one per validator (stake), one per (validator,
/// server) pair (weights), in that order from the trial's stream.
struct Draws {
    stake: Vec<f64>,
    weight: Vec<f64>,
}

impl Draws {
    fn new(seed: u64, trial: u32, validators: usize, servers: usize) -> Draws {
        let mut rng = stream(seed, u64::from(trial), Purpose::Experiment, 0);
        let mut normal = || -> f64 { StandardNormal.sample(&mut rng) };
        let stake = (0..validators).map(|_| normal()).collect();
        let weight = (0..validators * servers).map(|_| normal()).collect();
        Draws { stake, weight }
    }
}

/// `round down(ratio × total)`, kept within `1..total − 1` (upstream
/// `non_extreme_fixed_ratio`): each team keeps at least one member.
fn team_size(ratio: f64, total: usize) -> usize {
    ((ratio * total as f64).floor() as usize).clamp(1, total - 1)
}

/// The honest/cabal split of a network and its normalised weight shares for one σ.
struct Network {
    validators: usize,
    servers: usize,
    honest_validators: usize,
    honest_servers: usize,
    /// Stake per UID (servers 0).
    stake: Vec<f64>,
    /// Per validator, per server: the draw's share of its quadrant (sums to 1 over the honest
    /// servers and to 1 over the cabal servers).
    share: Vec<f64>,
}

impl Network {
    fn new(cfg: &RetentionConfig, draws: &Draws, honest_stake: f64, sigma: f64) -> Network {
        let (v, n) = (cfg.validators, cfg.neurons);
        let servers = n - v;
        let hv = team_size(honest_stake, v);
        let hs = team_size(honest_stake, servers);
        let mut stake = vec![0.0; n];
        for (range, ratio) in [(0..hv, honest_stake), (hv..v, 1.0 - honest_stake)] {
            let raw: Vec<f64> = draws.stake[range.clone()]
                .iter()
                .map(|z| (1.0 + cfg.stake_sd * z).max(0.0))
                .collect();
            let total: f64 = raw.iter().sum();
            for (i, r) in range.zip(raw) {
                stake[i] = if total > 0.0 {
                    ratio * r / total
                } else {
                    ratio / (v as f64)
                };
            }
        }
        let mut share = vec![0.0; v * servers];
        for i in 0..v {
            let row = &mut share[i * servers..(i + 1) * servers];
            let z = &draws.weight[i * servers..(i + 1) * servers];
            for (r, z) in row.iter_mut().zip(z) {
                *r = (1.0 + sigma * z).max(0.0);
            }
            for side in [0..hs, hs..servers] {
                let part = &mut row[side];
                let total: f64 = part.iter().sum();
                let k = part.len() as f64;
                for x in part.iter_mut() {
                    *x = if total > 0.0 { *x / total } else { 1.0 / k };
                }
            }
        }
        Network {
            validators: v,
            servers,
            honest_validators: hv,
            honest_servers: hs,
            stake,
            share,
        }
    }

    fn is_honest(&self, uid: usize) -> bool {
        if uid < self.validators {
            uid < self.honest_validators
        } else {
            uid - self.validators < self.honest_servers
        }
    }

    /// Stores every validator's weights for `(W_H, W_C)`.
    fn set_weights(&self, subnet: &mut Subnet, row: &mut Vec<(u16, f64)>, wh: f64, wc: f64) {
        for i in 0..self.validators {
            // Weight on the honest servers; the rest goes to the cabal's.
            let on_honest = if i < self.honest_validators {
                wh
            } else {
                1.0 - wc
            };
            let share = &self.share[i * self.servers..(i + 1) * self.servers];
            row.clear();
            row.extend(share.iter().enumerate().map(|(j, &s)| {
                let w = if j < self.honest_servers {
                    on_honest
                } else {
                    1.0 - on_honest
                };
                ((self.validators + j) as u16, w * s)
            }));
            subnet.set_weights(i, row);
        }
    }

    /// Honest share of the last epoch's emission.
    fn honest_emission(&self, subnet: &Subnet) -> f64 {
        let (mut honest, mut total) = (0u128, 0u128);
        for uid in 0..subnet.len() {
            let e = u128::from(subnet.emission(uid));
            total += e;
            if self.is_honest(uid) {
                honest += e;
            }
        }
        if total == 0 {
            0.0
        } else {
            honest as f64 / total as f64
        }
    }
}

/// One point: `(honest emission share, retained share)`.
fn run_point(
    net: &Network,
    template: &Subnet,
    mode: &Option<&MultiEpoch>,
    wh: f64,
    wc: f64,
) -> Result<(f64, f64), ExperimentError> {
    let mut subnet = template.clone();
    let mut row = Vec::with_capacity(net.servers);
    net.set_weights(&mut subnet, &mut row, wh, wc);
    match mode {
        None => {
            subnet.epoch()?;
            let e = net.honest_emission(&subnet);
            Ok((e, e))
        }
        Some(m) => {
            let (mut honest_minted, mut minted) = (0.0, 0.0);
            for _ in 0..m.epochs {
                subnet.epoch()?;
                let e_h = net.honest_emission(&subnet);
                let stake = subnet.stake_mut();
                let total: f64 = stake.iter().sum();
                let mint = m.inflation * total;
                honest_minted += mint * e_h;
                minted += mint;
                compound(stake, net.validators, net.honest_validators, mint, e_h);
            }
            let stake = subnet.stake();
            let total: f64 = stake.iter().sum();
            let honest: f64 = stake[..net.honest_validators].iter().sum();
            let e = if minted > 0.0 {
                honest_minted / minted
            } else {
                0.0
            };
            Ok((e, if total > 0.0 { honest / total } else { 0.0 }))
        }
    }
}

/// Stakes `mint` to the validators: `honest_share` of it to the honest ones (UIDs
/// `0..honest`), the rest to the cabal's (`honest..validators`), each team's part in
/// proportion to its members' stake (equally if the team has none).
pub fn compound(stake: &mut [f64], validators: usize, honest: usize, mint: f64, honest_share: f64) {
    for (range, part) in [
        (0..honest, honest_share),
        (honest..validators, 1.0 - honest_share),
    ] {
        let team = &mut stake[range];
        let total: f64 = team.iter().sum();
        let k = team.len() as f64;
        for s in team.iter_mut() {
            *s += mint * part * if total > 0.0 { *s / total } else { 1.0 / k };
        }
    }
}

/// Runs the maps. `progress` is called with the number of grid points finished (any order).
pub fn run(
    cfg: &RetentionConfig,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<RetentionResult, ExperimentError> {
    cfg.check()?;
    let mut params = cfg.variant.params.clone();
    params.max_allowed_validators = cfg.validators;
    let servers = cfg.neurons - cfg.validators;
    let draws: Vec<Draws> = (0..cfg.trials)
        .map(|t| Draws::new(cfg.seed, t, cfg.validators, servers))
        .collect();
    let mut result = RetentionResult::default();
    let single = (Mode::Single, cfg.grid, &cfg.honest_stakes, None);
    let multi = cfg
        .multi
        .as_ref()
        .map(|m| (Mode::Multi, m.grid, &m.honest_stakes, Some(m)));
    for (mode, grid, stakes, multi) in std::iter::once(single).chain(multi) {
        let axis = axis(grid);
        for &sigma in &cfg.sigmas {
            for &sh in stakes.iter() {
                // Per trial, per (W_H, W_C): (honest emission, retained share).
                let mut per_trial: Vec<Vec<(f64, f64)>> = Vec::new();
                for d in &draws {
                    let net = Network::new(cfg, d, sh, sigma);
                    let template = Subnet::new(net.stake.clone(), params.clone(), cfg.numeric)?;
                    let rows: Vec<Vec<(f64, f64)>> = axis
                        .par_iter()
                        .map(|&wh| {
                            let row = axis
                                .iter()
                                .map(|&wc| run_point(&net, &template, &multi, wh, wc))
                                .collect::<Result<Vec<_>, _>>();
                            progress(axis.len() as u64);
                            row
                        })
                        .collect::<Result<_, _>>()?;
                    per_trial.push(rows.into_iter().flatten().collect());
                }
                let start = result.points.len();
                for (a, &wh) in axis.iter().enumerate() {
                    for (b, &wc) in axis.iter().enumerate() {
                        let k = a * axis.len() + b;
                        let e: Vec<f64> = per_trial.iter().map(|t| t[k].0).collect();
                        let r: Vec<f64> = per_trial.iter().map(|t| t[k].1).collect();
                        let (e_mean, _) = mean_sd(&e);
                        let (r_mean, r_sd) = mean_sd(&r);
                        result.points.push(RetentionPoint {
                            mode,
                            sigma,
                            honest_stake: sh,
                            honest_utility: wh,
                            cabal_self_weight: wc,
                            honest_emission: e_mean,
                            retained_share: r_mean,
                            retained_sd: r_sd,
                        });
                    }
                }
                let map = &result.points[start..];
                let (required, worst) = required_utility(map, &axis, sh);
                result.required.push(RequiredUtility {
                    mode,
                    sigma,
                    honest_stake: sh,
                    required_utility: required,
                    worst_cabal_self_weight: worst,
                });
            }
        }
    }
    Ok(result)
}

/// Mean and sample standard deviation (0 for fewer than two values).
fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    if xs.len() < 2 {
        return (mean, 0.0);
    }
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

/// For one map (points ordered by `W_H`, then `W_C`, both over `axis`): per `W_C`, the least
/// `W_H` from which every larger grid `W_H` retains `S_H` — interpolated linearly between the
/// last failing and the first retaining grid point — or `None` if even `W_H = 1` fails. This
/// is the map's `E_H = S_H` retention line (the docs' contour), as `(W_C, W_H)` pairs.
pub fn retention_line(map: &[RetentionPoint], axis: &[f64], sh: f64) -> Vec<(f64, Option<f64>)> {
    let g = axis.len();
    let value = |a: usize, b: usize| map[a * g + b].retained_share;
    axis.iter()
        .enumerate()
        .map(|(b, &wc)| {
            let threshold = match (0..g).rev().find(|&a| value(a, b) < sh) {
                None => Some(axis[0]),
                Some(a) if a + 1 == g => None,
                Some(a) => {
                    let (lo, hi) = (value(a, b), value(a + 1, b));
                    let t = if hi > lo { (sh - lo) / (hi - lo) } else { 1.0 };
                    Some(axis[a] + t.clamp(0.0, 1.0) * (axis[a + 1] - axis[a]))
                }
            };
            (wc, threshold)
        })
        .collect()
}

/// The largest threshold of [`retention_line`] over `W_C`, with the `W_C` that needs it (the
/// first on ties); `None` if some `W_C` defeats `W_H = 1`.
pub fn required_utility(map: &[RetentionPoint], axis: &[f64], sh: f64) -> (Option<f64>, f64) {
    let mut worst: (Option<f64>, f64) = (Some(f64::NEG_INFINITY), 0.0);
    for (wc, threshold) in retention_line(map, axis, sh) {
        match (threshold, worst.0) {
            (None, Some(_)) => worst = (None, wc),
            (Some(t), Some(w)) if t > w => worst = (Some(t), wc),
            _ => {}
        }
    }
    worst
}

/// The `W_H`/`W_C` axis of a map with `grid` points: `k / (grid − 1)`.
pub fn axis(grid: usize) -> Vec<f64> {
    (0..grid).map(|k| k as f64 / (grid - 1) as f64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::{VariantKind, chain_defaults};

    /// Two validators and two servers, no stake or weight noise: the honest team has one
    /// validator with stake 0.75 and one server.
    fn tiny(kind: VariantKind) -> RetentionConfig {
        let mut cfg = RetentionConfig::new(Variant::new(kind, &chain_defaults()));
        cfg.neurons = 4;
        cfg.validators = 2;
        cfg.stake_sd = 0.0;
        cfg.sigmas = vec![0.0];
        cfg.honest_stakes = vec![0.75];
        cfg.grid = 3; // W ∈ {0, 0.5, 1}
        cfg.multi = None;
        cfg
    }

    fn point(r: &RetentionResult, mode: Mode, wh: f64, wc: f64) -> &RetentionPoint {
        r.points
            .iter()
            .find(|p| p.mode == mode && p.honest_utility == wh && p.cabal_self_weight == wc)
            .unwrap()
    }

    /// Hand-computed (classic Yuma, κ ≈ 0.5, β = 1, empty bonds), stakes H 0.75, C 0.25:
    ///
    /// - `W_H = 1, W_C = 1`: honest weights (1, 0), cabal (0, 1). Consensus: honest server 1
    ///   (0.75 of stake supports it), cabal server 0; the cabal's self-weight is clipped away,
    ///   so all incentive and all bonds are honest: `E_H = 1`.
    /// - `W_H = 0.5, W_C = 1`: honest (0.5, 0.5), cabal (0, 1). Consensus 0.5 on both
    ///   servers; clipped cabal row (0, 0.5). Ranks 0.375 and 0.5, so `I = (3/7, 4/7)`.
    ///   Bonds (β = 1: clipped weights × stake, column-normalised): honest server (1, 0),
    ///   cabal server (0.75, 0.25); dividends ∝ (1·0.375 + 0.75·0.5, 0.25·0.5) = (0.75,
    ///   0.125) → (6/7, 1/7). `E_H = ½·3/7 + ½·6/7 = 9/14`.
    #[test]
    fn single_epoch_matches_hand_computation() {
        let r = run(&tiny(VariantKind::Classic), &|_| {}).unwrap();
        assert_eq!(r.points.len(), 9);
        let e = point(&r, Mode::Single, 1.0, 1.0).honest_emission;
        assert!((e - 1.0).abs() < 1e-8, "{e}");
        let e = point(&r, Mode::Single, 0.5, 1.0).honest_emission;
        assert!((e - 9.0 / 14.0).abs() < 1e-8, "{e}");
    }

    /// With `E_H = 1` every epoch, the honest stake grows by the whole mint: at 10 % inflation,
    /// 0.75 → 0.85 of 1.1 → 0.85 + 0.11 = 0.96 of 1.21, a share of 0.96 / 1.21.
    #[test]
    fn multi_epoch_compounds_stake() {
        let mut cfg = tiny(VariantKind::Yuma3);
        cfg.honest_stakes = vec![];
        cfg.multi = Some(MultiEpoch {
            epochs: 2,
            inflation: 0.1,
            grid: 3,
            honest_stakes: vec![0.75],
        });
        let r = run(&cfg, &|_| {}).unwrap();
        let p = point(&r, Mode::Multi, 1.0, 1.0);
        assert!((p.retained_share - 0.96 / 1.21).abs() < 1e-8, "{p:?}");
        assert!((p.honest_emission - 1.0).abs() < 1e-8);
    }

    /// More honest utility never loses retention: on a small noisy network, the retained
    /// share grows with `W_H` at every `W_C` (up to f64 and rao rounding), in both modes.
    #[test]
    fn more_honest_utility_retains_more() {
        let mut cfg = RetentionConfig::new(Variant::new(VariantKind::Classic, &chain_defaults()));
        cfg.neurons = 40;
        cfg.validators = 8;
        cfg.sigmas = vec![0.2];
        cfg.honest_stakes = vec![0.6];
        cfg.grid = 6;
        cfg.multi = Some(MultiEpoch {
            epochs: 5,
            inflation: 0.05,
            grid: 4,
            honest_stakes: vec![0.6],
        });
        let r = run(&cfg, &|_| {}).unwrap();
        for mode in [Mode::Single, Mode::Multi] {
            let map: Vec<&RetentionPoint> = r.points.iter().filter(|p| p.mode == mode).collect();
            for a in &map {
                for b in &map {
                    if a.cabal_self_weight == b.cabal_self_weight
                        && a.honest_utility < b.honest_utility
                    {
                        assert!(
                            a.retained_share <= b.retained_share + 1e-9,
                            "{mode:?}: {a:?} vs {b:?}"
                        );
                    }
                }
            }
            let lo = map.iter().map(|p| p.retained_share).fold(1.0, f64::min);
            let hi = map.iter().map(|p| p.retained_share).fold(0.0, f64::max);
            assert!(hi - lo > 0.1, "{mode:?}: the map is flat ({lo}..{hi})");
        }
    }

    /// The threshold per `W_C` is interpolated between the last failing and first retaining
    /// `W_H`, and the worst `W_C` binds: column `W_C = 0` retains from 0.25 (shares 0.5 at
    /// `W_H = 0`, 0.7 at 0.5: 0.6 is crossed halfway), column `W_C = 1` from 0.75.
    #[test]
    fn required_utility_interpolates_and_takes_the_worst() {
        let axis = [0.0, 0.5, 1.0];
        let shares = [[0.5, 0.1], [0.7, 0.5], [0.9, 0.7]]; // [W_H][W_C]
        let map: Vec<RetentionPoint> = (0..3)
            .flat_map(|a| {
                (0..2).map(move |b| RetentionPoint {
                    mode: Mode::Single,
                    sigma: 0.0,
                    honest_stake: 0.6,
                    honest_utility: axis[a],
                    cabal_self_weight: [0.0, 1.0][b],
                    honest_emission: shares[a][b],
                    retained_share: shares[a][b],
                    retained_sd: 0.0,
                })
            })
            .collect();
        // Two W_C columns: reuse the helper with a 2-point W_C axis by building it square.
        let square: Vec<RetentionPoint> = (0..3)
            .flat_map(|a| (0..3).map(move |b| (a, b.min(1))))
            .map(|(a, b)| map[a * 2 + b].clone())
            .collect();
        let (req, worst) = required_utility(&square, &axis, 0.6);
        let req = req.unwrap();
        assert!((req - 0.75).abs() < 1e-12, "{req}");
        assert_eq!(worst, 0.5); // the first W_C column on the axis with the binding threshold
        let defeated: Vec<RetentionPoint> = square
            .iter()
            .map(|p| RetentionPoint {
                retained_share: p.retained_share - 0.2,
                ..p.clone()
            })
            .collect();
        assert_eq!(required_utility(&defeated, &axis, 0.6).0, None);
    }
}
