//! The epoch pipeline (spec §1.4–§1.13, the on-chain sparse `epoch_mechanism`), in the
//! chain's order, on top of the per-concept modules.
//!
//! [`EpochWorkspace`] owns every intermediate buffer, so a simulator that keeps one workspace
//! and one [`EpochOutput`] per subnet runs epochs without allocating once the buffers have
//! grown to the subnet's size.
//!
//! The matrix steps run on dense [`Panels`] over the *dense rows*: every uid whose weights
//! count (a permit) or that holds stored bonds — the only rows that can carry a non-zero
//! entry of `W`, `B` or `B'`. The sparse semantics (which entries are present) survive in
//! a presence mask. With the rows in panels, the steps after the gather work column by
//! column on whole lines of [`LANES`] values.

use super::activity::fill_active;
use super::bonds::{LiquidAlpha, bond_is_masked, fixed_alpha, last_tempo};
use super::emission_split::split_emission;
use super::median::Selector;
use super::panels::{LANES, Line, Panels, keep_if, lanes, max, min, panels_for};
use super::stake::{active_stake, filter_and_normalize, normalize_in_place, top_k_nonzero};
use super::validate::{RowCheck, row_passes, validate, validate_shape};
use super::weights::{
    BondWeight, bond_weight_clipped, bond_weight_mixed, bond_weight_raw, dense_weight, keep_weight,
};
use super::{EpochError, EpochInput, EpochOutput, YumaParams};

/// Runs one epoch with a fresh workspace and output (convenient, but allocates; reuse an
/// [`EpochWorkspace`] in loops).
pub fn epoch(input: &EpochInput, params: &YumaParams) -> Result<EpochOutput, EpochError> {
    let mut out = EpochOutput::default();
    EpochWorkspace::default().run(input, params, &mut out)?;
    Ok(out)
}

/// Scratch buffers of the epoch, reused across calls so that running an epoch every tempo
/// allocates nothing once the buffers have grown to the subnet's size (`Default` starts empty).
#[derive(Clone, Debug, Default)]
pub struct EpochWorkspace {
    /// Permits of the previous epoch with the owner forced in: whose weights count now.
    permit: Vec<bool>,
    /// Top-k selection scratch.
    order: Vec<u32>,
    /// Uid of each dense row, ascending.
    uids: Vec<usize>,
    /// `W`: masked weights of the dense rows (explicit zeros as `-0.0`, see
    /// [`dense_weight`]), row-normalised in place after the gather.
    weights: Panels<f64>,
    /// Masked previous bonds `B`; the bond sweep overwrites them with the new bonds `B'`.
    bonds: Panels<f64>,
    /// Per dense row, one line per panel (padding rows hold zeros).
    rows: RowLines,
    /// Selection buffers of the consensus.
    selector: Selector,
}

/// Per-row vectors of the dense rows, laid out like one column of [`Panels`].
#[derive(Clone, Debug, Default)]
struct RowLines {
    /// Active stake `Sa`.
    stake: Vec<Line<f64>>,
    /// Voter share `Sa / Σ Sa` for rows with `Sa > 0`, else 0 (consensus weights).
    share: Vec<Line<f64>>,
    /// 1 for voters, 0 otherwise; with `abstain` it maps a non-voter's score to −1 in the
    /// consensus, where it can never be selected.
    ballot: Vec<Line<f64>>,
    /// 0 for voters, −1 otherwise.
    abstain: Vec<Line<f64>>,
    /// Validator trust `Tv`, accumulated column by column.
    trust: Vec<Line<f64>>,
    /// Dividend accumulators (un-normalised).
    dividend: Vec<Line<f64>>,
}

impl RowLines {
    /// Zeroes every vector for `panels` panels.
    fn reset(&mut self, panels: usize) {
        for v in [
            &mut self.stake,
            &mut self.share,
            &mut self.ballot,
            &mut self.abstain,
            &mut self.trust,
            &mut self.dividend,
        ] {
            v.clear();
            v.resize(panels, [0.0; LANES]);
        }
    }
}

/// Consensus inputs shared by all columns.
struct Vote {
    /// Panels that hold at least one voter.
    panels: usize,
    /// `Σ share − κ` (spec §1.8).
    minority: f64,
}

impl EpochWorkspace {
    /// Runs one epoch, writing every field of `out` (its vectors, bond rows included, are
    /// reused). On error `out` is left unspecified.
    pub fn run(
        &mut self,
        input: &EpochInput,
        params: &YumaParams,
        out: &mut EpochOutput,
    ) -> Result<(), EpochError> {
        let n = validate_shape(input, params)?;
        // An owner uid outside the metagraph is ignored, as on chain (nothing to exempt).
        let owner = input.owner_uid.filter(|&o| usize::from(o) < n);

        // Step 1: activity.
        fill_active(
            input.last_update,
            params.activity_cutoff,
            input.block,
            &mut out.active,
        );

        // Step 2: stake.
        filter_and_normalize(input.stake, params.stake_threshold, owner, &mut out.stake);

        // Step 3: permits (previous ones apply now, new ones next epoch) and active stake.
        self.permit.clear();
        self.permit.extend_from_slice(input.validator_permit);
        top_k_nonzero(
            &out.stake,
            params.max_allowed_validators,
            &mut self.order,
            &mut out.new_validator_permit,
        );
        if let Some(o) = owner.map(usize::from) {
            self.permit[o] = true;
            out.new_validator_permit[o] = true;
        }
        active_stake(&out.stake, &out.active, &self.permit, &mut out.active_stake);

        // Step 4 (and the bond mask of step 9): gather the dense rows, checking the sparse
        // rows on the way; only a failed check pays for the precise validation.
        self.select_rows(input, n, &out.active_stake);
        let weights_ok = self.gather_weights(input, owner, n);
        let bonds_ok = self.gather_bonds(input, n);
        if !(weights_ok && bonds_ok) {
            validate(input, params)?;
        }
        self.normalise_rows();

        // Steps 5–7: consensus, clipping, validator trust, ranks, incentive.
        let vote = self.vote(params.kappa);
        self.consensus_and_ranks(&vote, n, out);
        normalize_in_place(&mut out.incentive);

        // Steps 8–9: weights for bonds, bonds, dividends.
        if params.yuma3 {
            self.bonds_yuma3(params, n, out);
        } else {
            self.bonds_classic(params, n, out);
        }
        self.write_rows(n, out);
        normalize_in_place(&mut out.dividends);

        // Step 10: emission split.
        split_emission(
            &out.incentive,
            &out.dividends,
            &out.active_stake,
            &out.stake,
            input.emission,
            &mut out.server_emission,
            &mut out.validator_emission,
        );
        Ok(())
    }

    /// Picks the dense rows (permitted or holding bonds) and sizes every dense buffer.
    #[inline(never)]
    fn select_rows(&mut self, input: &EpochInput, n: usize, active_stake: &[f64]) {
        self.uids.clear();
        self.uids
            .extend((0..n).filter(|&i| self.permit[i] || !input.bonds[i].is_empty()));
        let rows = self.uids.len();
        self.weights.reset(rows, n);
        self.bonds.reset(rows, n);
        self.rows.reset(panels_for(rows));
        for (r, &uid) in self.uids.iter().enumerate() {
            self.rows.stake[r / LANES][r % LANES] = active_stake[uid];
        }
    }

    /// Step 4: scatters the weight rows of permitted uids into `W`, dropping self-weights
    /// (except the owner's) and outdated weights. Returns whether every weight row passed
    /// the fused check.
    #[inline(never)]
    fn gather_weights(&mut self, input: &EpochInput, owner: Option<u16>, n: usize) -> bool {
        let registered = &input.block_at_registration[..n];
        let mut ok = true;
        let mut dense = self.uids.iter().enumerate().peekable();
        for (uid, row) in input.weights.iter().enumerate() {
            let Some((r, _)) = dense.next_if(|&(_, &u)| u == uid) else {
                ok &= row_passes(row); // not a dense row: checked, never used
                continue;
            };
            if !self.permit[uid] {
                ok &= row_passes(row); // holds bonds only: its weights are masked
                continue;
            }
            let (t, lane) = (r / LANES, r % LANES);
            let values = self.weights.panel_mut(t);
            let updated = input.last_update[uid];
            let mut check = RowCheck::new();
            for &(j, w) in row {
                check.entry(j, w);
                let col = usize::from(j);
                if col < n && keep_weight(uid, col, owner, updated, registered[col]) {
                    values[col][lane] = dense_weight(w);
                }
            }
            ok &= check.passed();
        }
        ok
    }

    /// Scatters the stored bond rows of the dense rows into `B`, without the columns the bond
    /// mask wipes (spec §1.12) and out-of-range ones. Returns whether every bond row passed
    /// the fused check (rows of other uids are empty by the choice of dense rows).
    #[inline(never)]
    fn gather_bonds(&mut self, input: &EpochInput, n: usize) -> bool {
        let registered = &input.block_at_registration[..n];
        let last_tempo = last_tempo(input.block, input.tempo, input.last_mechanism_step_block);
        let any_masked = registered.iter().any(|&r| bond_is_masked(r, last_tempo));
        let mut ok = true;
        for (r, &uid) in self.uids.iter().enumerate() {
            let (t, lane) = (r / LANES, r % LANES);
            let values = self.bonds.panel_mut(t);
            let mut check = RowCheck::new();
            for &(j, b) in &input.bonds[uid] {
                check.entry(j, b);
                let col = usize::from(j);
                if col < n && !(any_masked && bond_is_masked(registered[col], last_tempo)) {
                    values[col][lane] = b;
                }
            }
            ok &= check.passed();
        }
        ok
    }

    /// Row-normalises `W` in place (spec §1.7: rows with a positive sum are divided by it;
    /// multiplying by the reciprocal differs by at most one rounding). One panel at a time,
    /// so the panel is still in L1 when it is scaled.
    #[inline(never)]
    fn normalise_rows(&mut self) {
        for panel in self.weights.iter_panels_mut() {
            // Two sets of accumulators halve the dependency chain of the additions.
            let (mut even, mut odd) = ([0.0; LANES], [0.0; LANES]);
            let mut pairs = panel.chunks_exact(2);
            for pair in &mut pairs {
                even = add(even, pair[0]);
                odd = add(odd, pair[1]);
            }
            if let [line] = pairs.remainder() {
                even = add(even, *line);
            }
            let sum = add(even, odd);
            let scale = lanes(|k| if sum[k] > 0.0 { 1.0 / sum[k] } else { 1.0 });
            for line in panel.iter_mut() {
                *line = mul(*line, scale);
            }
        }
    }

    /// Voter shares and the minority of the consensus (spec §1.8): voters are the dense rows
    /// with active stake, their stakes renormalised among themselves.
    #[inline(never)]
    fn vote(&mut self, kappa: f64) -> Vote {
        let rows = &mut self.rows;
        let total: f64 = rows.stake.iter().flatten().filter(|&&s| s > 0.0).sum();
        let mut panels = 0;
        let mut voter_stake = 0.0;
        for (t, (stake, (share, (ballot, abstain)))) in rows
            .stake
            .iter()
            .zip(
                rows.share
                    .iter_mut()
                    .zip(rows.ballot.iter_mut().zip(&mut rows.abstain)),
            )
            .enumerate()
        {
            for k in 0..LANES {
                let voter = stake[k] > 0.0 && total > 0.0;
                share[k] = if voter { stake[k] / total } else { 0.0 };
                ballot[k] = if voter { 1.0 } else { 0.0 };
                abstain[k] = if voter { 0.0 } else { -1.0 };
                voter_stake += share[k];
                if voter {
                    panels = t + 1;
                }
            }
        }
        self.selector
            .set_stakes(rows.share[..panels].iter().flatten().copied());
        Vote {
            panels,
            minority: voter_stake - kappa,
        }
    }

    /// Steps 5–7, one column at a time: the weighted median `C_j` of the column, then the
    /// clip at it for `Tv` and `R_j = Σ_i Sa_i min(W_ij, C_j)`.
    #[inline(never)]
    fn consensus_and_ranks(&mut self, vote: &Vote, n: usize, out: &mut EpochOutput) {
        out.consensus.clear();
        out.consensus.resize(n, 0.0);
        out.incentive.clear();
        out.incentive.resize(n, 0.0);
        let panels = self.weights.panels();
        let rows = &mut self.rows;
        for j in 0..n {
            let c = if vote.panels == 0 {
                0.0
            } else {
                column_median(&mut self.selector, &self.weights, j, rows, vote)
            };
            out.consensus[j] = c;
            // `clip` drops an entry above a zero consensus; in these sums a dropped entry and
            // `min(w, 0) = 0` are the same, so `min` serves.
            let mut rank = [0.0; LANES];
            for t in 0..panels {
                let w = self.weights.line(t, j);
                let clipped = lanes(|k| min(w[k], c));
                rows.trust[t] = add(rows.trust[t], clipped);
                rank = add(rank, mul(rows.stake[t], clipped));
            }
            out.incentive[j] = rank.iter().sum();
        }
    }

    /// Yuma 3 bonds (§1.12 variant A): a stake-free EMA of each validator's weights for
    /// bonds; dividends `d_i = Sa_i · Σ_j colnorm(B')_ij I_j`; stored un-normalised.
    fn bonds_yuma3(&mut self, params: &YumaParams, n: usize, out: &EpochOutput) {
        let liquid = params.liquid_alpha && out.consensus.iter().any(|&c| c != 0.0);
        let rates = LiquidAlpha::new(
            params.alpha_low,
            params.alpha_high,
            params.alpha_sigmoid_steepness,
        );
        let alpha = fixed_alpha(params.bonds_moving_average);
        match BondWeight::new(params.bonds_penalty) {
            BondWeight::Raw => self.yuma3_ema(n, out, liquid, alpha, &rates, bond_weight_raw),
            BondWeight::Clipped => {
                self.yuma3_ema(n, out, liquid, alpha, &rates, bond_weight_clipped);
            }
            BondWeight::Mixed(beta) => {
                self.yuma3_ema(n, out, liquid, alpha, &rates, move |w, c| {
                    bond_weight_mixed(w, c, beta)
                })
            }
        }
        for (d, s) in self.rows.dividend.iter_mut().zip(&self.rows.stake) {
            *d = mul(*d, *s);
        }
    }

    /// [`EpochWorkspace::yuma3_sweep`] with the fixed-rate or the liquid-alpha EMA.
    fn yuma3_ema(
        &mut self,
        n: usize,
        out: &EpochOutput,
        liquid: bool,
        alpha: f64,
        rates: &LiquidAlpha,
        wb: impl Fn(f64, f64) -> (f64, bool) + Copy,
    ) {
        if liquid {
            self.yuma3_sweep(n, out, LiquidEma { wb, rates });
        } else {
            self.yuma3_sweep(n, out, FixedEma { wb, alpha });
        }
    }

    /// The column sweep of [`EpochWorkspace::bonds_yuma3`] with a given EMA.
    #[inline(never)]
    fn yuma3_sweep(&mut self, n: usize, out: &EpochOutput, ema: impl Yuma3Ema) {
        let panels = self.weights.panels();
        for j in 0..n {
            let c = out.consensus[j];
            // Whether any entry of the column needs the sigmoid (one reduction per column).
            let mut sigmoid = [0.0; LANES];
            for t in 0..panels {
                let flags = ema.sigmoid(self.weights.line(t, j), self.bonds.line(t, j), c);
                sigmoid = lanes(|k| max(sigmoid[k], flags[k]));
            }
            let sigmoid = sigmoid.iter().fold(0.0, |a, &s| max(a, s)) > 0.0;
            let mut col_sum = [0.0; LANES];
            for t in 0..panels {
                let new = ema.line(self.weights.line(t, j), self.bonds.line(t, j), c, sigmoid);
                *self.bonds.line_mut(t, j) = new;
                col_sum = add(col_sum, new);
            }
            // Column-normalise and weigh by incentive in one factor: I_j / Σ_i B'_ij.
            let sum: f64 = col_sum.iter().sum();
            let factor = if sum > 0.0 {
                out.incentive[j] / sum
            } else {
                0.0
            };
            for t in 0..panels {
                let weighted = mul(self.bonds.line(t, j), [factor; LANES]);
                self.rows.dividend[t] = add(self.rows.dividend[t], weighted);
            }
        }
    }

    /// Classic Yuma bonds (§1.12 variant B): EMA of column-normalised stake-weighted weights
    /// against column-normalised bonds, dividends `d = colnorm(B') · I`, stored column-max
    /// upscaled.
    fn bonds_classic(&mut self, params: &YumaParams, n: usize, out: &EpochOutput) {
        let alpha = fixed_alpha(params.bonds_moving_average);
        match BondWeight::new(params.bonds_penalty) {
            BondWeight::Raw => self.classic_sweep(n, out, alpha, bond_weight_raw),
            BondWeight::Clipped => self.classic_sweep(n, out, alpha, bond_weight_clipped),
            BondWeight::Mixed(beta) => {
                self.classic_sweep(n, out, alpha, move |w, c| bond_weight_mixed(w, c, beta));
            }
        }
    }

    /// The column sweep of [`EpochWorkspace::bonds_classic`], with the weight for bonds as a
    /// monomorphic function.
    #[inline(never)]
    fn classic_sweep(
        &mut self,
        n: usize,
        out: &EpochOutput,
        alpha: f64,
        wb: impl Fn(f64, f64) -> (f64, bool) + Copy,
    ) {
        let keep = 1.0 - alpha;
        let panels = self.weights.panels();
        let rows = &mut self.rows;
        for j in 0..n {
            let c = out.consensus[j];
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
            let bond_scale = reciprocal_or_one(bond_sum.iter().sum());
            let delta_scale = reciprocal_or_one(delta_sum.iter().sum());
            // B' = a·colnorm(ΔB) + (1−a)·colnorm(B), entries > 0.
            let mut new_sum = [0.0; LANES];
            for t in 0..panels {
                let (d, b) = (delta(t), self.bonds.line(t, j));
                let new = lanes(|k| {
                    let v = alpha * (d[k] * delta_scale) + keep * (b[k] * bond_scale);
                    if v > 0.0 { v.min(1.0) } else { 0.0 }
                });
                *self.bonds.line_mut(t, j) = new;
                new_sum = add(new_sum, new);
            }
            // Column-normalise B'; dividends d_i = Σ_j B'_ij I_j; stored: B' / column max.
            let new_scale = reciprocal_or_one(new_sum.iter().sum());
            let inc = out.incentive[j];
            let mut col_max = [0.0_f64; LANES];
            for t in 0..panels {
                let b = mul(self.bonds.line(t, j), [new_scale; LANES]);
                *self.bonds.line_mut(t, j) = b;
                rows.dividend[t] = add(rows.dividend[t], mul(b, [inc; LANES]));
                col_max = lanes(|k| col_max[k].max(b[k]));
            }
            let max_scale = reciprocal_or_one(col_max.iter().fold(0.0, |a, &b| a.max(b)));
            for t in 0..panels {
                let b = mul(self.bonds.line(t, j), [max_scale; LANES]);
                *self.bonds.line_mut(t, j) = b;
            }
        }
    }

    /// Writes `Tv`, the un-normalised dividends and the bond rows (new permits only: the
    /// `persist_mechanism_epoch_terms` path) from the dense rows; other uids get zeros and
    /// empty rows.
    #[inline(never)]
    fn write_rows(&self, n: usize, out: &mut EpochOutput) {
        out.validator_trust.clear();
        out.validator_trust.resize(n, 0.0);
        out.dividends.clear();
        out.dividends.resize(n, 0.0);
        out.bonds.truncate(n);
        out.bonds.resize_with(n, Vec::new);
        out.bonds.iter_mut().for_each(Vec::clear);
        for (r, &uid) in self.uids.iter().enumerate() {
            let (t, lane) = (r / LANES, r % LANES);
            out.validator_trust[uid] = self.rows.trust[t][lane];
            out.dividends[uid] = self.rows.dividend[t][lane];
            if out.new_validator_permit[uid] {
                let row = &mut out.bonds[uid];
                row.extend(
                    self.bonds
                        .panel(t)
                        .iter()
                        .enumerate()
                        .filter(|(_, b)| b[lane] > 0.0)
                        .map(|(j, b)| (j as u16, b[lane])),
                );
            }
        }
    }
}

/// Consensus `C_j` of column `j` (spec §1.8), from its lines over the voter panels.
///
/// Non-voters in those panels (and padding rows) enter with score −1 and no stake: with a
/// minority `>= 0` such an entry can never be the answer, and −1 is below every real score
/// for the "largest score" fallback. A negative minority (κ above the voters' total) makes
/// every voter's score qualify, so the answer is the smallest of them.
#[inline(never)]
fn column_median(
    selector: &mut Selector,
    weights: &Panels<f64>,
    j: usize,
    rows: &RowLines,
    vote: &Vote,
) -> f64 {
    if vote.minority < 0.0 {
        return (0..vote.panels)
            .flat_map(|t| (0..LANES).map(move |k| (t, k)))
            .filter(|&(t, k)| rows.ballot[t][k] > 0.0)
            .map(|(t, k)| weights.line(t, j)[k])
            .fold(f64::INFINITY, f64::min)
            + 0.0; // `+ 0.0` turns an explicit zero's `-0.0` into `0.0`
    }
    let scores = selector.scores_mut();
    for (t, chunk) in scores.chunks_exact_mut(LANES).enumerate() {
        let (x, ballot, abstain) = (weights.line(t, j), rows.ballot[t], rows.abstain[t]);
        for k in 0..LANES {
            chunk[k] = x[k] * ballot[k] + abstain[k];
        }
    }
    selector.select(vote.minority)
}

/// A Yuma 3 bond EMA over one line `(W, B, C_j) -> B'` (spec §1.12 variant A).
trait Yuma3Ema {
    /// 1 in the lanes whose rate needs the sigmoid, else 0.
    fn sigmoid(&self, w: Line<f64>, b: Line<f64>, c: f64) -> Line<f64>;
    /// The new bonds; `sigmoid` says whether any lane of the column needs the sigmoid.
    fn line(&self, w: Line<f64>, b: Line<f64>, c: f64, sigmoid: bool) -> Line<f64>;
}

/// Fixed-rate EMA (`mat_ema_sparse`): `B' = a·Wb + (1−a)·B` over the union of both rows,
/// kept where positive, capped at 1 like the chain's u16 storage.
struct FixedEma<F> {
    wb: F,
    alpha: f64,
}

impl<F: Fn(f64, f64) -> (f64, bool)> Yuma3Ema for FixedEma<F> {
    #[inline(always)]
    fn sigmoid(&self, _: Line<f64>, _: Line<f64>, _: f64) -> Line<f64> {
        [0.0; LANES]
    }

    #[inline(always)]
    fn line(&self, w: Line<f64>, b: Line<f64>, c: f64, _: bool) -> Line<f64> {
        let (alpha, keep) = (self.alpha, 1.0 - self.alpha);
        // Clamping to [0, 1] keeps positive results (capped) and zeroes the rest.
        lanes(|k| max(min(alpha * (self.wb)(w[k], c).0 + keep * b[k], 1.0), 0.0))
    }
}

/// Liquid-alpha EMA (`mat_ema_alpha_sparse`): only entries present in the weight row bond,
/// each at its own rate. Where no entry of a column needs the sigmoid (`δ = 0`, the usual
/// case: with `β = 1` the weight never exceeds consensus) the whole column shares the cached
/// rate and runs without branches or `exp`.
struct LiquidEma<'a, F> {
    wb: F,
    rates: &'a LiquidAlpha,
}

impl<F: Fn(f64, f64) -> (f64, bool)> Yuma3Ema for LiquidEma<'_, F> {
    #[inline(always)]
    fn sigmoid(&self, w: Line<f64>, b: Line<f64>, c: f64) -> Line<f64> {
        // δ = clamp(w − c) if w >= b, else clamp(b − w): non-zero exactly when w > c or w < b.
        lanes(|k| {
            let (value, present) = (self.wb)(w[k], c);
            keep_if(present & ((value > c) | (value < b[k])), 1.0)
        })
    }

    #[inline(always)]
    fn line(&self, w: Line<f64>, b: Line<f64>, c: f64, sigmoid: bool) -> Line<f64> {
        // `ema_liquid`: min(1, (1−a)·b + max(0, a·w)), kept where present and positive.
        let ema = |k: usize, alpha: f64| {
            let (value, present) = (self.wb)(w[k], c);
            let v = min((1.0 - alpha) * b[k] + max(alpha * value, 0.0), 1.0);
            keep_if(present & (v > 0.0), v)
        };
        if sigmoid {
            lanes(|k| ema(k, self.rates.alpha(c, (self.wb)(w[k], c).0, b[k])))
        } else {
            let at_zero = self.rates.at_zero();
            lanes(|k| ema(k, at_zero))
        }
    }
}

/// `a + b`, lane by lane.
#[inline(always)]
fn add(a: Line<f64>, b: Line<f64>) -> Line<f64> {
    lanes(|k| a[k] + b[k])
}

/// `a · b`, lane by lane.
#[inline(always)]
fn mul(a: Line<f64>, b: Line<f64>) -> Line<f64> {
    lanes(|k| a[k] * b[k])
}

/// The factor that normalises by a column sum or maximum: `1 / x`, or 1 for a zero column,
/// which the chain leaves unchanged.
#[inline]
fn reciprocal_or_one(x: f64) -> f64 {
    if x != 0.0 { 1.0 / x } else { 1.0 }
}
