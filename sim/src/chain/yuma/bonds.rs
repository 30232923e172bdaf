//! Step 9 (spec §1.12): bond masking and the bond EMA, for Yuma 3 and classic Yuma.
//!
//! Bonds are a validator's smoothed stake in each miner; dividends follow them. The EMA is
//! what rewards validators for finding good miners *early* (they bond while the price is low)
//! and liquid alpha speeds it up where a validator disagrees with consensus.
//!
//! The sparse row kernels ([`ema_row_fixed`], [`ema_row_liquid`], ...) state the chain's
//! semantics and serve the reference vectors; the epoch runs the dense line kernels
//! ([`ema_fixed_line`], [`ema_liquid_column`], [`ema_liquid_clipped_line`]) in column sweeps
//! over [`DenseEpoch`], checked against the sparse ones.

use super::dense::DenseEpoch;
use super::panels::{LANES, Line, add, keep_if, lanes, max, min, mul, sum_lanes};
use super::validate::RowCheck;
use super::weights::{BondWeight, bond_weight_clipped, bond_weight_mixed, bond_weight_raw};
use super::{EpochInput, EpochOutput, SparseRow, YumaParams};
use crate::chain::numeric::exp_f64_lanes;

/// First block of the current tempo as the bond mask sees it: the block after the previous
/// successful epoch, or `block − tempo` when no epoch has run (`LMSB = 0`, e.g. manual runs).
#[inline]
pub fn last_tempo(block: u64, tempo: u64, last_mechanism_step_block: u64) -> u64 {
    if last_mechanism_step_block == 0 {
        block.saturating_sub(tempo)
    } else {
        last_mechanism_step_block.saturating_add(1)
    }
}

/// Whether bonds *to* a uid registered at `registered` are wiped: a uid (re)registered since
/// the previous epoch must start without the bonds earned by the previous occupant.
#[inline]
pub fn bond_is_masked(registered: u64, last_tempo: u64) -> bool {
    registered >= last_tempo
}

/// Fixed EMA rate `1 − BondsMovingAverage` (`compute_disabled_liquid_alpha`).
#[inline]
pub fn fixed_alpha(bonds_moving_average: f64) -> f64 {
    1.0 - bonds_moving_average
}

/// Per-entry liquid alpha (`alpha_sigmoid`): rises towards `alpha_high` when the validator's
/// weight is far above consensus (buying in) or far below its bond (selling out), so bonds
/// follow a validator that moves away from consensus faster; falls towards `alpha_low` when it
/// agrees.
///
/// `z` is clamped to `[−20, 20]` like the chain's `exp_safe`; in `f64` we use [`exp_f64`]
/// (within 2 ulp of `e^z`) rather than the chain's fixed-point 31-term Taylor series (they
/// agree to about 1e-9 for `|z| <= 5`, the range of the default steepness 1000; beyond that
/// the chain's series under-estimates, e.g. `e^20`).
#[inline]
pub fn alpha_sigmoid(
    consensus: f64,
    weight: f64,
    bond: f64,
    alpha_low: f64,
    alpha_high: f64,
    steepness: f64,
) -> f64 {
    let diff = if weight >= bond {
        (weight - consensus).clamp(0.0, 1.0)
    } else {
        (bond - weight).clamp(0.0, 1.0)
    };
    sigmoid_alpha(diff, alpha_low, alpha_high, steepness)
}

/// The part of [`alpha_sigmoid`] after the difference `δ`: `α_lo + σ(δ)(α_hi − α_lo)` clamped
/// like the chain's `clamp_value` (min with the high bound first, then max with the low one).
#[inline]
pub fn sigmoid_alpha(diff: f64, alpha_low: f64, alpha_high: f64, steepness: f64) -> f64 {
    rate(diff, alpha_low, alpha_high, steepness / -100.0)
}

/// [`sigmoid_alpha`] with `scale = steepness / −100` given: `z = scale (δ − 0.5)` clamped to
/// `[−20, 20]`, `σ = 1 / (1 + e^z)`.
#[inline]
fn rate(diff: f64, low: f64, high: f64, scale: f64) -> f64 {
    rates([diff], low, high, scale)[0]
}

/// [`rate`] of every lane, bit for bit, as steps over all lanes (no branch, no call: the
/// compiler vectorises it, see [`exp_f64_lanes`]).
#[inline(always)]
fn rates<const N: usize>(diff: [f64; N], low: f64, high: f64, scale: f64) -> [f64; N] {
    let mut z = [0.0; N];
    for i in 0..N {
        z[i] = (scale * (diff[i] - 0.5)).clamp(-20.0, 20.0);
    }
    let e = exp_f64_lanes(z);
    let mut out = [0.0; N];
    for i in 0..N {
        let sigmoid = 1.0 / (1.0 + e[i]);
        out[i] = (low + sigmoid * (high - low)).min(high).max(low);
    }
    out
}

/// Lanes per call of [`rates`] in [`LiquidAlpha::rates_in_place`]: four lines, enough
/// independent work per polynomial step to hide its latency.
const RATE_BLOCK: usize = 4 * LANES;

/// [`alpha_sigmoid`] with the subnet's parameters bound, for the per-entry hot loop.
///
/// Two things are computed once instead of per entry, with bit-identical results: the
/// factor `steepness / −100` (a division), and the rate at `δ = 0` — agreeing with consensus
/// is the most common case and always gives the same rate. With the default bonds penalty 1
/// the weight for bonds never exceeds consensus, so `δ = 0` whenever a validator is not
/// selling: in the 64 × 256 benchmark with fixed weights the one-rate kernel
/// ([`ema_liquid_clipped_line`]) serves every column; with weights that move between epochs,
/// where about half the validators sell a little of each miner, the exact per-entry rates
/// take about 50 µs more.
#[derive(Clone, Copy, Debug)]
pub struct LiquidAlpha {
    low: f64,
    high: f64,
    /// `steepness / −100`.
    scale: f64,
    /// The rate at `δ = 0`.
    at_zero: f64,
}

impl LiquidAlpha {
    /// Binds `AlphaValues` (as fractions) and `AlphaSigmoidSteepness`.
    pub fn new(alpha_low: f64, alpha_high: f64, steepness: f64) -> Self {
        let scale = steepness / -100.0;
        Self {
            low: alpha_low,
            high: alpha_high,
            scale,
            at_zero: rate(0.0, alpha_low, alpha_high, scale),
        }
    }

    /// The rate for one entry, as [`alpha_sigmoid`].
    #[inline]
    pub fn alpha(&self, consensus: f64, weight: f64, bond: f64) -> f64 {
        rate(
            liquid_diff(consensus, weight, bond),
            self.low,
            self.high,
            self.scale,
        )
    }

    /// Replaces each `δ` ([`liquid_diff`]) by its rate, as [`LiquidAlpha::alpha`] bit for
    /// bit, in blocks of [`RATE_BLOCK`] lanes.
    #[inline(always)]
    pub(crate) fn rates_in_place(&self, diffs: &mut [f64]) {
        for block in diffs.chunks_mut(RATE_BLOCK) {
            let mut x = [0.0; RATE_BLOCK];
            x[..block.len()].copy_from_slice(block);
            let r = rates(x, self.low, self.high, self.scale);
            block.copy_from_slice(&r[..block.len()]);
        }
    }

    /// The rate at `δ = 0`.
    #[inline]
    pub(crate) fn at_zero(&self) -> f64 {
        self.at_zero
    }
}

/// The difference `δ` that drives the liquid-alpha rate: how far the weight is above
/// consensus when buying (`w >= b`), or below the bond when selling.
#[inline(always)]
pub(crate) fn liquid_diff(consensus: f64, weight: f64, bond: f64) -> f64 {
    if weight >= bond {
        (weight - consensus).clamp(0.0, 1.0)
    } else {
        (bond - weight).clamp(0.0, 1.0)
    }
}

/// Liquid-alpha EMA of one entry (`mat_ema_alpha_sparse`): `min(1, (1−a)·b + max(0, a·w))`.
#[inline]
pub fn ema_liquid(weight: f64, bond: f64, alpha: f64) -> f64 {
    ((1.0 - alpha) * bond + (alpha * weight).max(0.0)).min(1.0)
}

/// Fixed-alpha EMA of one row pair (`mat_ema_sparse`): `a·new + (1−a)·old` over the union of
/// both rows' columns (both sorted), absent = 0, appending only results > 0 to `out` in column
/// order. Results are capped at 1 like the chain's u16 storage (they exceed it only by
/// rounding when both inputs are fractions).
///
/// `new` is mapped entry by entry through `for_bonds` (the weights-for-bonds transform, so
/// the epoch needs no intermediate row); an entry it drops counts as 0, which for this EMA is
/// the same as absent.
pub fn ema_row_fixed(
    new: &[(u16, f64)],
    for_bonds: impl Fn(u16, f64) -> Option<f64>,
    old: &[(u16, f64)],
    alpha: f64,
    out: &mut Vec<(u16, f64)>,
) {
    let keep = 1.0 - alpha;
    out.reserve(new.len() + old.len());
    let (mut a, mut b) = (0, 0);
    loop {
        let (j, v) = match (new.get(a), old.get(b)) {
            (Some(&(jn, w)), Some(&(jo, x))) if jn == jo => {
                a += 1;
                b += 1;
                (jn, alpha * for_bonds(jn, w).unwrap_or(0.0) + keep * x)
            }
            (Some(&(jn, w)), Some(&(jo, _))) if jn < jo => {
                a += 1;
                (jn, alpha * for_bonds(jn, w).unwrap_or(0.0))
            }
            (Some(&(jn, w)), None) => {
                a += 1;
                (jn, alpha * for_bonds(jn, w).unwrap_or(0.0))
            }
            (_, Some(&(jo, x))) => {
                b += 1;
                (jo, keep * x)
            }
            (None, None) => return,
        };
        if v > 0.0 {
            out.push((j, v.min(1.0)));
        }
    }
}

/// Liquid-alpha EMA of one row pair (`mat_ema_alpha_sparse`): only entries of `new` that
/// `for_bonds` keeps produce a bond; a previous bond whose column is absent is dropped, not
/// decayed (the sparse chain behaviour). `alpha(j, w, b)` gives each entry's rate from its
/// column, weight for bonds and previous bond (0 if absent). Both rows sorted; appends only
/// results > 0 to `out`.
pub fn ema_row_liquid(
    new: &[(u16, f64)],
    for_bonds: impl Fn(u16, f64) -> Option<f64>,
    old: &[(u16, f64)],
    alpha: impl Fn(u16, f64, f64) -> f64,
    out: &mut Vec<(u16, f64)>,
) {
    out.reserve(new.len());
    let mut b = 0;
    for &(j, w) in new {
        let Some(w) = for_bonds(j, w) else { continue };
        while b < old.len() && old[b].0 < j {
            b += 1;
        }
        let bond = match old.get(b) {
            Some(&(jo, x)) if jo == j => x,
            _ => 0.0,
        };
        let v = ema_liquid(w, bond, alpha(j, w, bond));
        if v > 0.0 {
            out.push((j, v));
        }
    }
}

impl DenseEpoch {
    /// Scatters the stored bond rows of the dense rows into `B`, without the columns the bond
    /// mask wipes and out-of-range ones (see [`scatter_bond_row`]). Returns whether every bond
    /// row passed the fused check (rows of other uids are empty by the choice of dense rows).
    pub(crate) fn gather_bonds(&mut self, input: &EpochInput) -> bool {
        let n = self.touched.len();
        let registered = &input.block_at_registration[..n];
        let last_tempo = last_tempo(input.block, input.tempo, input.last_mechanism_step_block);
        let any_masked = registered.iter().any(|&r| bond_is_masked(r, last_tempo));
        let mut ok = true;
        for (r, &uid) in self.uids.iter().enumerate() {
            let (t, lane) = (r / LANES, r % LANES);
            let (row, panel) = (&input.bonds[uid], self.bonds.panel_mut(t));
            let touched = &mut self.touched;
            let check = if any_masked {
                scatter_bond_row(row, panel, touched, lane, |col| {
                    bond_is_masked(registered[col], last_tempo)
                })
            } else {
                scatter_bond_row(row, panel, touched, lane, |_| false)
            };
            ok &= check.passed();
        }
        ok
    }

    /// Steps 6–9 for Yuma 3 (variant A), one column at a time: clip and rank the column
    /// ([`DenseEpoch::clip_and_rank`], ranks into `out.incentive`), then the stake-free EMA of
    /// each validator's weights for bonds, and dividends `d_i = Sa_i · Σ_j colnorm(B')_ij R_j`
    /// (weighed by rank rather than incentive: the factor `Σ R` cancels when the dividends
    /// are normalised). `B'` is left in the bond panels, un-normalised as stored.
    pub(crate) fn bonds_yuma3(&mut self, params: &YumaParams, out: &mut EpochOutput) {
        let liquid = params.liquid_alpha && out.consensus.iter().any(|&c| c != 0.0);
        let rates = LiquidAlpha::new(
            params.alpha_low,
            params.alpha_high,
            params.alpha_sigmoid_steepness,
        );
        let alpha = fixed_alpha(params.bonds_moving_average);
        let mode = BondWeight::new(params.bonds_penalty);
        let panels = self.panels();
        for l in 0..self.live.len() {
            let j = self.live[l];
            let c = out.consensus[j];
            let rank = self.clip_and_rank(j, c);
            out.incentive[j] = rank;
            let (w, b) = (&self.weights, &self.bonds);
            let new = &mut self.column[..panels];
            let (w, b) = (|t| w.line(t, j), |t| b.line(t, j));
            if liquid {
                // The common case first, all at one rate; any flagged lane in the column (a
                // bond above its weight for bonds: a validator selling, or a bond without a
                // weight entry) sends the column through the exact per-entry rates.
                let fast = mode == BondWeight::Clipped && c > 0.0;
                let mut flagged = [0.0; LANES];
                if fast {
                    for (t, line) in new.iter_mut().enumerate() {
                        let flags;
                        (*line, flags) = ema_liquid_clipped_line(w(t), b(t), c, rates.at_zero());
                        flagged = lanes(|k| max(flagged[k], flags[k]));
                    }
                }
                if !fast || flagged.iter().any(|&f| f > 0.0) {
                    let lines = (w, b);
                    match mode {
                        BondWeight::Raw => {
                            ema_liquid_column(new, lines, c, &rates, bond_weight_raw);
                        }
                        BondWeight::Clipped => {
                            ema_liquid_column(new, lines, c, &rates, bond_weight_clipped);
                        }
                        BondWeight::Mixed(beta) => {
                            ema_liquid_column(new, lines, c, &rates, |w, c| {
                                bond_weight_mixed(w, c, beta)
                            });
                        }
                    }
                }
            } else {
                match mode {
                    BondWeight::Raw => {
                        fill(new, |t| {
                            ema_fixed_line(w(t), b(t), c, alpha, bond_weight_raw)
                        });
                    }
                    BondWeight::Clipped => {
                        fill(new, |t| {
                            ema_fixed_line(w(t), b(t), c, alpha, bond_weight_clipped)
                        });
                    }
                    BondWeight::Mixed(beta) => fill(new, |t| {
                        ema_fixed_line(w(t), b(t), c, alpha, |w, c| bond_weight_mixed(w, c, beta))
                    }),
                }
            }
            // Column-normalise and weigh by rank in one factor: R_j / Σ_i B'_ij.
            let sum = sum_lanes(new.iter().fold([0.0; LANES], |acc, l| add(acc, *l)));
            let factor = if sum > 0.0 { rank / sum } else { 0.0 };
            for (t, (line, d)) in new.iter().zip(&mut self.rows.dividend).enumerate() {
                *self.bonds.line_mut(t, j) = *line;
                *d = add(*d, mul(*line, [factor; LANES]));
            }
        }
        for (d, s) in self.rows.dividend.iter_mut().zip(&self.rows.stake) {
            *d = mul(*d, *s);
        }
    }

    /// Steps 6–9 for classic Yuma (variant B), one column at a time: clip and rank the column,
    /// then the EMA of the column-normalised stake-weighted weights for bonds against the
    /// column-normalised bonds, dividends `d = colnorm(B') · R` (see
    /// [`DenseEpoch::bonds_yuma3`] on `R`), and `B'` column-max upscaled as stored.
    pub(crate) fn bonds_classic(&mut self, params: &YumaParams, out: &mut EpochOutput) {
        let alpha = fixed_alpha(params.bonds_moving_average);
        match BondWeight::new(params.bonds_penalty) {
            BondWeight::Raw => self.classic_sweep(out, alpha, bond_weight_raw),
            BondWeight::Clipped => self.classic_sweep(out, alpha, bond_weight_clipped),
            BondWeight::Mixed(beta) => {
                self.classic_sweep(out, alpha, move |w, c| bond_weight_mixed(w, c, beta));
            }
        }
    }

    /// The column sweep of [`DenseEpoch::bonds_classic`], with the weight for bonds as a
    /// monomorphic function.
    fn classic_sweep(
        &mut self,
        out: &mut EpochOutput,
        alpha: f64,
        wb: impl Fn(f64, f64) -> (f64, bool) + Copy,
    ) {
        let keep = 1.0 - alpha;
        let panels = self.panels();
        for l in 0..self.live.len() {
            let j = self.live[l];
            let c = out.consensus[j];
            let rank = self.clip_and_rank(j, c);
            out.incentive[j] = rank;
            let rows = &mut self.rows;
            // ΔB = Wb ⊙ Sa for one line.
            let delta = |t: usize| {
                let w = self.weights.line(t, j);
                lanes(|k| wb(w[k], c).0 * rows.stake[t][k])
            };
            // Column sums of the masked bonds and of ΔB.
            let (mut bond_sum, mut delta_sum) = ([0.0; LANES], [0.0; LANES]);
            for t in 0..panels {
                bond_sum = add(bond_sum, self.bonds.line(t, j));
                delta_sum = add(delta_sum, delta(t));
            }
            let bond_scale = reciprocal_or_one(sum_lanes(bond_sum));
            let delta_scale = reciprocal_or_one(sum_lanes(delta_sum));
            // B' = a·colnorm(ΔB) + (1−a)·colnorm(B), kept where positive, capped at 1.
            let mut new_sum = [0.0; LANES];
            for t in 0..panels {
                let (d, b) = (delta(t), self.bonds.line(t, j));
                let new = lanes(|k| {
                    let v = alpha * (d[k] * delta_scale) + keep * (b[k] * bond_scale);
                    max(min(v, 1.0), 0.0)
                });
                *self.bonds.line_mut(t, j) = new;
                new_sum = add(new_sum, new);
            }
            // Column-normalise B'; dividends d_i = Σ_j B'_ij R_j; stored: B' / column max.
            let new_scale = reciprocal_or_one(sum_lanes(new_sum));
            let mut col_max = [0.0_f64; LANES];
            for t in 0..panels {
                let b = mul(self.bonds.line(t, j), [new_scale; LANES]);
                *self.bonds.line_mut(t, j) = b;
                rows.dividend[t] = add(rows.dividend[t], mul(b, [rank; LANES]));
                col_max = lanes(|k| max(col_max[k], b[k]));
            }
            let max_scale = reciprocal_or_one(col_max.iter().fold(0.0, |a, &b| max(a, b)));
            for t in 0..panels {
                let b = mul(self.bonds.line(t, j), [max_scale; LANES]);
                *self.bonds.line_mut(t, j) = b;
            }
        }
    }
}

/// Fills a column of lines from their panel index.
#[inline(always)]
fn fill(column: &mut [Line<f64>], mut line: impl FnMut(usize) -> Line<f64>) {
    for (t, l) in column.iter_mut().enumerate() {
        *l = line(t);
    }
}

/// The factor that normalises by a column sum or maximum: `1 / x`, or 1 for a zero column,
/// which the chain leaves unchanged.
#[inline]
fn reciprocal_or_one(x: f64) -> f64 {
    if x != 0.0 { 1.0 / x } else { 1.0 }
}

/// Step 9's gather for one dense row: scatters its stored bond row into lane `lane` of a
/// dense bond panel (`panel[col]` is column `col`), without out-of-range columns and those
/// the bond mask wipes (`masked(col)`), marks the columns it stores in `touched` (as long
/// as the panel), and checks the row on the way.
#[inline(always)]
pub(crate) fn scatter_bond_row(
    row: &[(u16, f64)],
    panel: &mut [Line<f64>],
    touched: &mut [bool],
    lane: usize,
    masked: impl Fn(usize) -> bool,
) -> RowCheck {
    let n = panel.len();
    let touched = &mut touched[..n];
    let mut check = RowCheck::new();
    for &(j, b) in row {
        check.entry(j, b);
        let col = usize::from(j);
        if col < n && !masked(col) {
            panel[col][lane] = b;
            touched[col] = true;
        }
    }
    check
}

/// Yuma 3 fixed-rate EMA of one line (`mat_ema_sparse`): `B' = a·Wb + (1−a)·B` over the
/// union of both rows (absent = 0), kept where positive and capped at 1 like the chain's
/// u16 storage — clamping to `[0, 1]` does both. `wb` is the dense weight for bonds
/// ([`super::weights::BondWeight`]).
#[inline(always)]
pub(crate) fn ema_fixed_line(
    w: Line<f64>,
    b: Line<f64>,
    c: f64,
    alpha: f64,
    wb: impl Fn(f64, f64) -> (f64, bool),
) -> Line<f64> {
    let keep = 1.0 - alpha;
    lanes(|k| max(min(alpha * wb(w[k], c).0 + keep * b[k], 1.0), 0.0))
}

/// Yuma 3 liquid-alpha EMA of one column of lines (`mat_ema_alpha_sparse`), exactly per
/// entry, into `new`: only entries present in the weight row bond, each at its own rate
/// ([`LiquidAlpha::alpha`]).
///
/// Three passes over the column: each entry's `δ`, then the rates of the whole column at
/// once ([`LiquidAlpha::rates_in_place`]: long loops of independent lanes keep the
/// vector units busy, where one line's 13-step polynomial would mostly wait on itself), then
/// the EMA.
#[inline(always)]
pub(crate) fn ema_liquid_column(
    new: &mut [Line<f64>],
    (w, b): (impl Fn(usize) -> Line<f64>, impl Fn(usize) -> Line<f64>),
    c: f64,
    rates: &LiquidAlpha,
    wb: impl Fn(f64, f64) -> (f64, bool),
) {
    for (t, line) in new.iter_mut().enumerate() {
        let (w, b) = (w(t), b(t));
        *line = lanes(|k| liquid_diff(c, wb(w[k], c).0, b[k]));
    }
    rates.rates_in_place(new.as_flattened_mut());
    for (t, line) in new.iter_mut().enumerate() {
        let (w, b, alpha) = (w(t), b(t), *line);
        *line = lanes(|k| {
            let (value, present) = wb(w[k], c);
            let v = ema_liquid(value, b[k], alpha[k]);
            keep_if(present & (v > 0.0), v)
        });
    }
}

/// [`ema_liquid_column`]'s line for `β = 1` and `C_j > 0` (the default), with every lane at
/// the rate for `δ = 0`, `at_zero`, and without branches or `exp`. Returns the new line and a line
/// that is non-zero in the lanes where the result could differ from the exact one; the
/// caller redoes such a column with [`ema_liquid_column`].
///
/// A lane is flagged when its weight for bonds `min(w, C_j)` is below its bond. Unflagged
/// lanes are exact: with `β = 1` and `C_j > 0` a present weight's weight for bonds is
/// `min(w, C_j) <= C_j`, so `δ = 0` unless it is below the bond (a validator selling); and
/// presence does not matter there, since a lane without a weight entry has `w = 0`, so it is
/// flagged if it holds a bond and gives 0 either way if not.
#[inline(always)]
pub(crate) fn ema_liquid_clipped_line(
    w: Line<f64>,
    b: Line<f64>,
    c: f64,
    at_zero: f64,
) -> (Line<f64>, Line<f64>) {
    let keep = 1.0 - at_zero;
    let value = lanes(|k| min(w[k], c));
    // `ema_liquid` without `max(0, ·)`: `a·w >= 0` here.
    let new = lanes(|k| min(keep * b[k] + at_zero * value[k], 1.0));
    let flagged = lanes(|k| keep_if(value[k] < b[k], 1.0));
    (new, flagged)
}

/// [`ema_row_fixed`] over whole matrices (reference vectors).
pub fn mat_ema_sparse(new: &[SparseRow], old: &[SparseRow], alpha: f64) -> Vec<SparseRow> {
    new.iter()
        .enumerate()
        .map(|(i, row)| {
            let mut out = Vec::new();
            let old_row = old.get(i).map_or(&[][..], |r| r.as_slice());
            ema_row_fixed(row, |_, w| Some(w), old_row, alpha, &mut out);
            out
        })
        .collect()
}

/// [`ema_row_liquid`] over whole matrices with a dense matrix of rates (the chain's
/// `mat_ema_alpha_sparse`; reference vectors). Mismatched row counts return `new` unchanged,
/// like the chain; columns beyond a rate row are dropped.
pub fn mat_ema_alpha_sparse(
    new: &[SparseRow],
    old: &[SparseRow],
    alpha: &[Vec<f64>],
) -> Vec<SparseRow> {
    if new.len() != old.len() || new.len() != alpha.len() {
        return new.to_vec();
    }
    new.iter()
        .zip(old)
        .zip(alpha)
        .map(|((new_row, old_row), rates)| {
            let in_range = |e: &&(u16, f64)| usize::from(e.0) < rates.len();
            let new_row: Vec<_> = new_row.iter().filter(in_range).copied().collect();
            let old_row: Vec<_> = old_row.iter().filter(in_range).copied().collect();
            let mut out = Vec::new();
            let rate = |j: u16, _, _| rates[usize::from(j)];
            ema_row_liquid(&new_row, |_, w| Some(w), &old_row, rate, &mut out);
            out
        })
        .collect()
}

/// Divides each column by its sum where the sum is non-zero (`inplace_col_normalize_sparse`).
pub fn col_normalize(matrix: &mut [SparseRow], columns: usize) {
    let mut sums = vec![0.0; columns];
    matrix.iter().flatten().for_each(|&(j, v)| {
        if let Some(s) = sums.get_mut(usize::from(j)) {
            *s += v;
        }
    });
    matrix.iter_mut().flatten().for_each(|(j, v)| {
        if let Some(&s) = sums.get(usize::from(*j))
            && s != 0.0
        {
            *v /= s;
        }
    });
}

/// Divides each column by its maximum where the maximum is non-zero
/// (`inplace_col_max_upscale_sparse`): how classic bonds are stored.
pub fn col_max_upscale(matrix: &mut [SparseRow], columns: usize) {
    let mut maxes = vec![0.0_f64; columns];
    matrix.iter().flatten().for_each(|&(j, v)| {
        if let Some(m) = maxes.get_mut(usize::from(j)) {
            *m = m.max(v);
        }
    });
    matrix.iter_mut().flatten().for_each(|(j, v)| {
        if let Some(&m) = maxes.get(usize::from(*j))
            && m != 0.0
        {
            *v /= m;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::super::tests::sparse;
    use super::*;

    fn assert_rows_close(got: &[SparseRow], want: &[SparseRow], eps: f64) {
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            assert_eq!(g.len(), w.len(), "{got:?} vs {want:?}");
            for (&(gj, gv), &(wj, wv)) in g.iter().zip(w) {
                assert_eq!(gj, wj, "{got:?} vs {want:?}");
                assert!((gv - wv).abs() <= eps, "{gv} vs {wv}: {got:?}");
            }
        }
    }

    fn rates(a: f64, rows: usize, cols: usize) -> Vec<Vec<f64>> {
        vec![vec![a; cols]; rows]
    }

    /// Hand-computed: LMSB 0 → `block − tempo` (saturating); otherwise LMSB + 1.
    #[test]
    fn last_tempo_and_mask() {
        assert_eq!(last_tempo(10, 3, 0), 7);
        assert_eq!(last_tempo(2, 360, 0), 0);
        assert_eq!(last_tempo(10, 3, 5), 6);
        assert!(bond_is_masked(6, 6) && bond_is_masked(7, 6) && !bond_is_masked(5, 6));
    }

    /// V19 `test_math_sparse_mat_ema_alpha` (±1e-4; the last case ±0.1 upstream, exact here).
    #[test]
    fn sparse_mat_ema_alpha_vectors() {
        let old = sparse(
            &[
                0.1, 0.2, 3., 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.10, 0.11, 0.12,
            ],
            4,
        );
        let new = sparse(&[1., 2., 3., 4., 5., 6., 7., 8., 9., 10., 11., 12.], 4);
        let t = sparse(
            &[
                0.19, 0.38, 1., 0.43599, 0.545, 0.65399, 0.763, 0.87199, 0.981, 1., 1., 1.,
            ],
            4,
        );
        assert_rows_close(
            &mat_ema_alpha_sparse(&new, &old, &rates(0.1, 4, 3)),
            &t,
            1e-4,
        );

        let old = sparse(
            &[
                0.001, 0.002, 0.003, 0.004, 0.05, 0.006, 0.007, 0.008, 0.009, 0.010, 0.011, 0.012,
            ],
            4,
        );
        let new = sparse(
            &[
                0.1, 0.2, 3., 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.10, 0.11, 0.12,
            ],
            4,
        );
        let t = sparse(
            &[
                0.0109, 0.0218, 0.30270, 0.007599, 0.05, 0.01139, 0.0133, 0.01519, 0.017, 0.01899,
                0.02089, 0.0227,
            ],
            4,
        );
        assert_rows_close(
            &mat_ema_alpha_sparse(&new, &old, &rates(0.1, 4, 3)),
            &t,
            1e-4,
        );

        let zero = sparse(&[0.0; 12], 4);
        let t = sparse(
            &[
                0.01, 0.02, 0.3, 0.00399, 0.005, 0.00599, 0.007, 0.00799, 0.009, 0.01, 0.011,
                0.01199,
            ],
            4,
        );
        assert_rows_close(
            &mat_ema_alpha_sparse(&new, &zero, &rates(0.1, 4, 3)),
            &t,
            1e-4,
        );
        assert_rows_close(
            &mat_ema_alpha_sparse(&zero, &zero, &rates(0.1, 4, 3)),
            &zero,
            0.0,
        );

        // The drop case: old {(0,0): 1}, new {(1,1): 2} → {(1,1): 0.2}, row 0 empty.
        let mut o = [0.0; 12];
        o[0] = 1.0;
        let mut n = [0.0; 12];
        n[4] = 2.0;
        let got = mat_ema_alpha_sparse(&sparse(&n, 4), &sparse(&o, 4), &rates(0.1, 4, 3));
        assert_eq!(got[0], vec![]);
        assert_rows_close(
            &got,
            &sparse(&[0., 0., 0., 0., 0.2, 0., 0., 0., 0., 0., 0., 0.], 4),
            1e-15,
        );
    }

    /// V19 `test_mat_ema_alpha_sparse_*` and `test_mat_ema_alpha_basic` clamp cases.
    #[test]
    fn mat_ema_alpha_clamp_vectors() {
        let one = |v: f64| vec![vec![(0u16, v)]];
        assert_eq!(
            mat_ema_alpha_sparse(&one(1.0), &one(2.0), &[vec![0.5]]),
            one(1.0)
        );
        assert_eq!(
            mat_ema_alpha_sparse(&one(1.0), &one(2.0), &[vec![0.1, 0.0]]),
            one(1.0)
        );
        assert_eq!(
            mat_ema_alpha_sparse(&one(1.0), &one(2.0), &[vec![1.0, 0.0]]),
            one(1.0)
        );
        let new = vec![vec![(0u16, 1.0), (1, 2.0)], vec![(0, 3.0), (1, 4.0)]];
        let old = vec![vec![(0u16, 5.0), (1, 6.0)], vec![(0, 7.0), (1, 8.0)]];
        let ones = vec![vec![(0u16, 1.0), (1, 1.0)]; 2];
        for a in [[0.1, 0.2], [0.3, 0.7]] {
            let got = mat_ema_alpha_sparse(&new, &old, &[a.to_vec(), a.to_vec()]);
            assert_rows_close(&got, &ones, 1e-6);
        }
        let new = vec![vec![(0u16, 1.0)], vec![(1, 4.0)]];
        let old = vec![vec![(0u16, 5.0)], vec![(1, 8.0)]];
        let got = mat_ema_alpha_sparse(&new, &old, &rates(0.5, 2, 2));
        assert_eq!(got, vec![vec![(0, 1.0)], vec![(1, 1.0)]]);
        // Varying alpha: [[.9,.8],[.5,.7]] → [[.14,.28],[.5,.52]] (±1e-6).
        let w = vec![vec![(0u16, 0.1), (1, 0.2)], vec![(0, 0.3), (1, 0.4)]];
        let b = vec![vec![(0u16, 0.5), (1, 0.6)], vec![(0, 0.7), (1, 0.8)]];
        let got = mat_ema_alpha_sparse(&w, &b, &[vec![0.9, 0.8], vec![0.5, 0.7]]);
        let want = vec![vec![(0u16, 0.14), (1, 0.28)], vec![(0, 0.5), (1, 0.52)]];
        assert_rows_close(&got, &want, 1e-6);
        // Dense `test_mat_ema_alpha_basic` through full rows: α .5 → [[.75,1,1],[1,1,1]].
        let new = vec![
            vec![(0u16, 1.0), (1, 2.0), (2, 3.0)],
            vec![(0, 4.0), (1, 5.0), (2, 6.0)],
        ];
        let old = vec![
            vec![(0u16, 0.5), (1, 1.5), (2, 2.5)],
            vec![(0, 3.5), (1, 4.5), (2, 5.5)],
        ];
        let want = vec![
            vec![(0u16, 0.75), (1, 1.0), (2, 1.0)],
            vec![(0, 1.0), (1, 1.0), (2, 1.0)],
        ];
        assert_eq!(mat_ema_alpha_sparse(&new, &old, &rates(0.5, 2, 3)), want);
        let got = mat_ema_alpha_sparse(&new, &old, &[vec![0.2, 0.5, 0.8], vec![0.2, 0.5, 0.8]]);
        let want = vec![
            vec![(0u16, 0.6), (1, 1.0), (2, 1.0)],
            vec![(0, 1.0), (1, 1.0), (2, 1.0)],
        ];
        assert_rows_close(&got, &want, 1e-6);
        assert!(mat_ema_alpha_sparse(&[], &[], &[]).is_empty());
    }

    /// Hand-computed fixed EMA with α 0.1 over the union: new {0: 1, 2: 0}, old {1: 0.5,
    /// 2: 0.2} → {0: 0.1, 1: 0.45, 2: 0.18}; all-zero results are dropped.
    #[test]
    fn fixed_ema_union() {
        let got = mat_ema_sparse(
            &[vec![(0, 1.0), (2, 0.0)]],
            &[vec![(1, 0.5), (2, 0.2)]],
            0.1,
        );
        assert_rows_close(&got, &[vec![(0, 0.1), (1, 0.45), (2, 0.18)]], 1e-15);
        let got = mat_ema_sparse(&[vec![(0, 0.0)]], &[vec![]], 0.1);
        assert_eq!(got, vec![vec![]]);
    }

    /// Hand-computed sigmoid: steepness 1000, α ∈ [0.1, 0.3].
    /// δ = 0 → z = 5 → σ = 1/(1+e^5) = 0.0066929 → α = 0.1 + 0.2σ = 0.1013386.
    /// δ = 0.5 → z = 0 → σ = 0.5 → α = 0.2. δ = 1 → z = −5 → α = 0.3 − 0.0013386.
    #[test]
    fn alpha_sigmoid_cases() {
        let a = |c, w, b| alpha_sigmoid(c, w, b, 0.1, 0.3, 1000.0);
        assert!((a(1.0, 1.0, 0.0) - 0.101_338_6).abs() < 1e-7); // buying at consensus: δ 0
        assert!((a(0.0, 0.5, 0.0) - 0.2).abs() < 1e-12); // buying 0.5 above consensus
        assert!((a(0.0, 0.0, 1.0) - 0.298_661_4).abs() < 1e-7); // selling a full bond
        // Extreme steepness: z clamps at ±20, α stays within the bounds.
        assert!(alpha_sigmoid(0.0, 1.0, 0.0, 0.1, 0.3, 1e9) <= 0.3);
        assert!(alpha_sigmoid(0.0, 0.0, 0.0, 0.1, 0.3, 1e9) >= 0.1);
    }

    proptest::proptest! {
        /// The cached hot-loop rates are bit-identical to the reference formula.
        #[test]
        fn liquid_alpha_matches_reference(
            c in 0.0f64..=1.0,
            w in proptest::prop_oneof![proptest::strategy::Just(0.0), 0.0f64..=1.0],
            b in proptest::prop_oneof![proptest::strategy::Just(0.0), 0.0f64..=1.0],
            lo in 0.0f64..=0.5,
            hi in 0.5f64..=1.0,
            steepness in -3000.0f64..3000.0,
        ) {
            let cached = LiquidAlpha::new(lo, hi, steepness).alpha(c, w, b);
            let reference = alpha_sigmoid(c, w, b, lo, hi, steepness);
            proptest::prop_assert_eq!(cached.to_bits(), reference.to_bits());
        }
    }

    /// V19 `test_math_inplace_col_normalize_sparse` and `_col_max_upscale_sparse` (±1e-4).
    #[test]
    fn column_normalisation_vectors() {
        let v = [
            0., 1., 0., 2., 0., 3., 4., 0., 1., 0., 2., 0., 3., 0., 1., 0., 0., 2., 0., 3., 4., 0.,
            10., 0., 100., 1000., 0., 10000., 0., 0., 0., 0., 0., 0., 0., 1., 1., 1., 1., 1., 1.,
            1.,
        ];
        // Upstream builds these transposed: column c of the 6×7 layout is row c here.
        let transpose = |v: &[f64]| -> Vec<SparseRow> {
            (0..7)
                .map(|c| {
                    (0..6)
                        .filter(|&r| v[r * 7 + c] > 0.0)
                        .map(|r| (r as u16, v[r * 7 + c]))
                        .collect()
                })
                .collect()
        };
        let mut m = transpose(&v);
        col_normalize(&mut m, 6);
        let t = [
            0., 0.1, 0., 0.2, 0., 0.3, 0.4, 0., 0.166666, 0., 0.333333, 0., 0.5, 0., 0.1, 0., 0.,
            0.2, 0., 0.3, 0.4, 0., 0.0009, 0., 0.009, 0.09, 0., 0.9, 0., 0., 0., 0., 0., 0., 0.,
            0.142857, 0.142857, 0.142857, 0.142857, 0.142857, 0.142857, 0.142857,
        ];
        assert_rows_close(&m, &transpose(&t), 1e-4);

        let mut m = transpose(&v);
        col_max_upscale(&mut m, 6);
        let t = [
            0., 0.25, 0., 0.5, 0., 0.75, 1., 0., 0.333333, 0., 0.666666, 0., 1., 0., 0.25, 0., 0.,
            0.5, 0., 0.75, 1., 0., 0.001, 0., 0.01, 0.1, 0., 1., 0., 0., 0., 0., 0., 0., 0., 1.,
            1., 1., 1., 1., 1., 1.,
        ];
        assert_rows_close(&m, &transpose(&t), 1e-4);
        let mut z = vec![vec![(0u16, 0.0)]];
        col_max_upscale(&mut z, 1);
        col_normalize(&mut z, 1);
        assert_eq!(z, vec![vec![(0, 0.0)]]);
    }

    /// One dense line as the epoch stores it: `w[k]` a weight entry (`None` = absent, zero
    /// weights as `-0.0`), `b[k]` a previous bond. Also the same line as sparse rows
    /// (column = lane).
    fn dense_line(
        w: &[Option<f64>; LANES],
        b: &[f64; LANES],
    ) -> (Line<f64>, Line<f64>, SparseRow, SparseRow) {
        let wl = lanes(|k| w[k].map_or(0.0, super::super::weights::dense_weight));
        let bl = *b;
        let wr = (0..LANES)
            .filter_map(|k| w[k].map(|v| (k as u16, v)))
            .collect();
        let br = (0..LANES)
            .filter(|&k| b[k] > 0.0)
            .map(|k| (k as u16, b[k]))
            .collect();
        (wl, bl, wr, br)
    }

    /// The non-zero lanes of a line as a sparse row.
    fn as_row(line: Line<f64>) -> SparseRow {
        (0..LANES)
            .filter(|&k| line[k] != 0.0)
            .map(|k| (k as u16, line[k]))
            .collect()
    }

    fn entry() -> impl proptest::strategy::Strategy<Value = Option<f64>> {
        use proptest::prelude::*;
        prop_oneof![Just(None), Just(Some(0.0)), (0.0f64..0.3).prop_map(Some)]
    }

    fn bond() -> impl proptest::strategy::Strategy<Value = f64> {
        use proptest::prelude::*;
        prop_oneof![Just(0.0), 0.0f64..0.3]
    }

    proptest::proptest! {
        /// The dense liquid-alpha kernels equal the sparse row kernel: the exact one always,
        /// the one-rate one (β = 1, C > 0) wherever it flags no lane.
        #[test]
        fn liquid_lines_match_sparse_rows(
            w in proptest::array::uniform8(entry()),
            b in proptest::array::uniform8(bond()),
            c in 0.01f64..0.3,
            (lo, hi, steepness) in (0.0f64..0.5, 0.5f64..1.0, 0.0f64..3000.0),
        ) {
            let rates = LiquidAlpha::new(lo, hi, steepness);
            let (wl, bl, wr, br) = dense_line(&w, &b);
            let mut want = Vec::new();
            let for_bonds = |_, w| super::super::weights::weight_for_bonds(w, c, 1.0);
            ema_row_liquid(&wr, for_bonds, &br, |_, w, b| rates.alpha(c, w, b), &mut want);
            let mut exact = [[0.0; LANES]];
            ema_liquid_column(&mut exact, (|_| wl, |_| bl), c, &rates, bond_weight_clipped);
            proptest::prop_assert_eq!(as_row(exact[0]), want.clone());
            let (fast, flags) = ema_liquid_clipped_line(wl, bl, c, rates.at_zero());
            if flags.iter().all(|&f| f == 0.0) {
                proptest::prop_assert_eq!(as_row(fast), want);
            }
        }

        /// The dense fixed-rate kernel equals the sparse row kernel for every β variant.
        #[test]
        fn fixed_line_matches_sparse_rows(
            w in proptest::array::uniform8(entry()),
            b in proptest::array::uniform8(bond()),
            c in proptest::prop_oneof![proptest::strategy::Just(0.0), 0.01f64..0.3],
            beta in proptest::prop_oneof![
                proptest::strategy::Just(0.0), proptest::strategy::Just(1.0), 0.0f64..1.0
            ],
            alpha in 0.0f64..1.0,
        ) {
            let (wl, bl, wr, br) = dense_line(&w, &b);
            let mut want = Vec::new();
            let for_bonds = |_, w| super::super::weights::weight_for_bonds(w, c, beta);
            ema_row_fixed(&wr, for_bonds, &br, alpha, &mut want);
            let got = match BondWeight::new(beta) {
                BondWeight::Raw => ema_fixed_line(wl, bl, c, alpha, bond_weight_raw),
                BondWeight::Clipped => ema_fixed_line(wl, bl, c, alpha, bond_weight_clipped),
                BondWeight::Mixed(beta) => {
                    ema_fixed_line(wl, bl, c, alpha, |w, c| bond_weight_mixed(w, c, beta))
                }
            };
            proptest::prop_assert_eq!(as_row(got), want);
        }
    }

    /// Hand-checked gather: out-of-range and masked columns are skipped, stored columns are
    /// marked, unsorted rows fail the check.
    #[test]
    fn bond_gather_masks_and_marks() {
        let mut panel = vec![[0.0; LANES]; 4];
        let mut touched = vec![false; 4];
        let row = [(0u16, 0.5), (2, 0.25), (3, 0.125), (9, 1.0)];
        let check = scatter_bond_row(&row, &mut panel, &mut touched, 1, |col| col == 3);
        assert!(check.passed());
        let lane: Vec<f64> = panel.iter().map(|l| l[1]).collect();
        assert_eq!(lane, [0.5, 0.0, 0.25, 0.0]);
        assert_eq!(touched, [true, false, true, false]);
        let unsorted = [(2u16, 0.5), (1, 0.5)];
        assert!(!scatter_bond_row(&unsorted, &mut panel, &mut touched, 0, |_| false).passed());
    }
}
