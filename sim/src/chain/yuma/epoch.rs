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
use super::bonds::{
    LiquidAlpha, bond_is_masked, ema_fixed_line, ema_liquid_clipped_line, ema_liquid_line,
    fixed_alpha, last_tempo, scatter_bond_row,
};
use super::emission_split::split_emission;
use super::median::Selector;
use super::panels::{LANES, Line, Panels, lanes, max, min, panels_for};
use super::stake::{active_stake, filter_and_normalize, normalize_in_place, top_k_nonzero};
use super::validate::{row_passes, validate, validate_shape};
use super::weights::{
    BondWeight, bond_weight_clipped, bond_weight_mixed, bond_weight_raw, scatter_weight_row,
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
    /// Columns where any dense row has a weight or a bond, ascending: the others have no
    /// consensus, incentive or bonds, and every column loop skips them.
    live: Vec<usize>,
    /// Per dense row, one line per panel (padding rows hold zeros).
    rows: RowLines,
    /// One column of new bonds.
    column: Vec<Line<f64>>,
    /// One bond row being written.
    row: Vec<(u16, f64)>,
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
        let bonds_ok = self.gather_bonds(input, n, params.yuma3 && params.liquid_alpha);
        self.collect_live_columns(n);
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
            self.bonds_yuma3(params, out);
        } else {
            self.bonds_classic(params, out);
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
        self.column.resize(panels_for(rows), [0.0; LANES]);
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
        // The outdated mask (`last_update <= registered`) can only bite rows that last updated
        // at or before the latest registration.
        let latest_registration = registered.iter().copied().max().unwrap_or(0);
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
            let panel = self.weights.panel_mut(r / LANES);
            let lane = r % LANES;
            let self_col = if owner.map(usize::from) == Some(uid) {
                usize::MAX // the owner keeps its self-weight
            } else {
                uid
            };
            let updated = input.last_update[uid];
            let check = if updated > latest_registration {
                scatter_weight_row(row, panel, lane, self_col, |_| false)
            } else {
                // `keep_weight`'s outdated test: set at or before `col` (re)registered.
                scatter_weight_row(row, panel, lane, self_col, |col| updated <= registered[col])
            };
            ok &= check.passed();
        }
        ok
    }

    /// Scatters the stored bond rows of the dense rows into `B`, without the columns the bond
    /// mask wipes (spec §1.12) and out-of-range ones. Returns whether every bond row passed
    /// the fused check (rows of other uids are empty by the choice of dense rows).
    #[inline(never)]
    fn gather_bonds(&mut self, input: &EpochInput, n: usize, mark_missing_weights: bool) -> bool {
        let registered = &input.block_at_registration[..n];
        let last_tempo = last_tempo(input.block, input.tempo, input.last_mechanism_step_block);
        let any_masked = registered.iter().any(|&r| bond_is_masked(r, last_tempo));
        let mut ok = true;
        for (r, &uid) in self.uids.iter().enumerate() {
            let (t, lane) = (r / LANES, r % LANES);
            let weights = mark_missing_weights.then(|| self.weights.panel(t));
            let (row, panel) = (&input.bonds[uid], self.bonds.panel_mut(t));
            let check = if any_masked {
                scatter_bond_row(row, panel, lane, weights, |col| {
                    bond_is_masked(registered[col], last_tempo)
                })
            } else {
                scatter_bond_row(row, panel, lane, weights, |_| false)
            };
            ok &= check.passed();
        }
        ok
    }

    /// Lists the columns where any dense row has a weight entry or a bond (any non-zero bit
    /// pattern: explicit zero weights are `-0.0`).
    #[inline(never)]
    fn collect_live_columns(&mut self, n: usize) {
        self.live.clear();
        let panels = self.weights.panels();
        let (w, b) = (&self.weights, &self.bonds);
        self.live.extend((0..n).filter(|&j| {
            let bits = (0..panels).fold([0u64; LANES], |acc, t| {
                let (w, b) = (w.line(t, j), b.line(t, j));
                lanes(|k| acc[k] | w[k].to_bits() | b[k].to_bits())
            });
            bits.iter().any(|&x| x != 0)
        }));
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
        self.selector.set_stakes(&rows.share[..panels]);
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
        if vote.panels > 0 {
            consensus(
                &mut self.selector,
                &self.weights,
                &self.live,
                &self.rows,
                vote,
                out,
            );
        }
        let panels = self.weights.panels();
        let rows = &mut self.rows;
        for &j in &self.live {
            let c = out.consensus[j];
            // `clip` drops an entry above a zero consensus; in these sums a dropped entry and
            // `min(w, 0) = 0` are the same, so `min` serves.
            let mut rank = [0.0; LANES];
            for t in 0..panels {
                let w = self.weights.line(t, j);
                let clipped = lanes(|k| min(w[k], c));
                rows.trust[t] = add(rows.trust[t], clipped);
                rank = add(rank, mul(rows.stake[t], clipped));
            }
            out.incentive[j] = sum_lanes(rank);
        }
    }

    /// Yuma 3 bonds (§1.12 variant A): a stake-free EMA of each validator's weights for
    /// bonds; dividends `d_i = Sa_i · Σ_j colnorm(B')_ij I_j`; stored un-normalised.
    #[inline(never)]
    fn bonds_yuma3(&mut self, params: &YumaParams, out: &EpochOutput) {
        let liquid = params.liquid_alpha && out.consensus.iter().any(|&c| c != 0.0);
        let rates = LiquidAlpha::new(
            params.alpha_low,
            params.alpha_high,
            params.alpha_sigmoid_steepness,
        );
        let alpha = fixed_alpha(params.bonds_moving_average);
        let mode = BondWeight::new(params.bonds_penalty);
        let panels = self.weights.panels();
        for &j in &self.live {
            let c = out.consensus[j];
            let (w, b) = (&self.weights, &self.bonds);
            let new = &mut self.column[..panels];
            if liquid {
                // The common case first, all at one rate; any selling validator in the
                // column sends it through the exact per-entry rates.
                let fast = mode == BondWeight::Clipped && c > 0.0;
                let mut sigmoid = [0.0; LANES];
                if fast {
                    for (t, line) in new.iter_mut().enumerate() {
                        let flags;
                        (*line, flags) =
                            ema_liquid_clipped_line(w.line(t, j), b.line(t, j), c, rates.at_zero());
                        sigmoid = lanes(|k| max(sigmoid[k], flags[k]));
                    }
                }
                if !fast || sigmoid.iter().any(|&s| s > 0.0) {
                    let (w, b) = (|t| w.line(t, j), |t| b.line(t, j));
                    match mode {
                        BondWeight::Raw => fill(new, |t| {
                            ema_liquid_line(w(t), b(t), c, &rates, bond_weight_raw)
                        }),
                        BondWeight::Clipped => fill(new, |t| {
                            ema_liquid_line(w(t), b(t), c, &rates, bond_weight_clipped)
                        }),
                        BondWeight::Mixed(beta) => fill(new, |t| {
                            ema_liquid_line(w(t), b(t), c, &rates, |w, c| {
                                bond_weight_mixed(w, c, beta)
                            })
                        }),
                    }
                }
            } else {
                let (w, b) = (|t| w.line(t, j), |t| b.line(t, j));
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
            // Column-normalise and weigh by incentive in one factor: I_j / Σ_i B'_ij.
            let sum = sum_lanes(new.iter().fold([0.0; LANES], |acc, l| add(acc, *l)));
            let factor = if sum > 0.0 {
                out.incentive[j] / sum
            } else {
                0.0
            };
            for (t, (line, d)) in new.iter().zip(&mut self.rows.dividend).enumerate() {
                *self.bonds.line_mut(t, j) = *line;
                *d = add(*d, mul(*line, [factor; LANES]));
            }
        }
        for (d, s) in self.rows.dividend.iter_mut().zip(&self.rows.stake) {
            *d = mul(*d, *s);
        }
    }

    /// Classic Yuma bonds (§1.12 variant B): EMA of column-normalised stake-weighted weights
    /// against column-normalised bonds, dividends `d = colnorm(B') · I`, stored column-max
    /// upscaled.
    fn bonds_classic(&mut self, params: &YumaParams, out: &EpochOutput) {
        let alpha = fixed_alpha(params.bonds_moving_average);
        match BondWeight::new(params.bonds_penalty) {
            BondWeight::Raw => self.classic_sweep(out, alpha, bond_weight_raw),
            BondWeight::Clipped => self.classic_sweep(out, alpha, bond_weight_clipped),
            BondWeight::Mixed(beta) => {
                self.classic_sweep(out, alpha, move |w, c| bond_weight_mixed(w, c, beta));
            }
        }
    }

    /// The column sweep of [`EpochWorkspace::bonds_classic`], with the weight for bonds as a
    /// monomorphic function.
    #[inline(never)]
    fn classic_sweep(
        &mut self,
        out: &EpochOutput,
        alpha: f64,
        wb: impl Fn(f64, f64) -> (f64, bool) + Copy,
    ) {
        let keep = 1.0 - alpha;
        let panels = self.weights.panels();
        let rows = &mut self.rows;
        for &j in &self.live {
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
    fn write_rows(&mut self, n: usize, out: &mut EpochOutput) {
        out.validator_trust.clear();
        out.validator_trust.resize(n, 0.0);
        out.dividends.clear();
        out.dividends.resize(n, 0.0);
        out.bonds.truncate(n);
        out.bonds.resize_with(n, Vec::new);
        out.bonds.iter_mut().for_each(Vec::clear);
        self.row.resize(self.live.len(), (0, 0.0));
        for (r, &uid) in self.uids.iter().enumerate() {
            let (t, lane) = (r / LANES, r % LANES);
            out.validator_trust[uid] = self.rows.trust[t][lane];
            out.dividends[uid] = self.rows.dividend[t][lane];
            if out.new_validator_permit[uid] {
                // Branch-free: every live column is written, the cursor keeps the positive
                // bonds; then one copy into the output row.
                let panel = self.bonds.panel(t);
                let mut kept = 0;
                for &j in &self.live {
                    let b = panel[j][lane];
                    self.row[kept] = (j as u16, b);
                    kept += usize::from(b > 0.0);
                }
                out.bonds[uid].extend_from_slice(&self.row[..kept]);
            }
        }
    }
}

/// Consensus `C_j` of the live columns (spec §1.8), from their lines over the voter panels;
/// the other columns (no weights at all) keep 0, which is also their weighted median.
///
/// Non-voters in those panels (and padding rows) enter with score −1 and no stake: with a
/// minority `>= 0` such an entry can never be the answer, and −1 is below every real score
/// for the "largest score" fallback. A negative minority (κ above the voters' total) makes
/// every voter's score qualify, so the answer is the smallest of them.
#[inline(never)]
fn consensus(
    selector: &mut Selector,
    weights: &Panels<f64>,
    live: &[usize],
    rows: &RowLines,
    vote: &Vote,
    out: &mut EpochOutput,
) {
    if vote.minority < 0.0 {
        for &j in live {
            out.consensus[j] = (0..vote.panels)
                .flat_map(|t| (0..LANES).map(move |k| (t, k)))
                .filter(|&(t, k)| rows.ballot[t][k] > 0.0)
                .map(|(t, k)| weights.line(t, j)[k])
                .fold(f64::INFINITY, f64::min)
                + 0.0; // `+ 0.0` turns an explicit zero's `-0.0` into `0.0`
        }
        return;
    }
    // The voters' scores, column after column (the column-major copy the selection works on).
    let scores = selector.load(live.len());
    for (&j, column) in live.iter().zip(scores.chunks_exact_mut(vote.panels)) {
        for (t, line) in column.iter_mut().enumerate() {
            let (x, ballot, abstain) = (weights.line(t, j), rows.ballot[t], rows.abstain[t]);
            *line = lanes(|k| x[k] * ballot[k] + abstain[k]);
        }
    }
    selector.select_all(vote.minority, |c, value| out.consensus[live[c]] = value);
}

/// Fills a column of lines from their panel index.
#[inline(always)]
fn fill(column: &mut [Line<f64>], mut line: impl FnMut(usize) -> Line<f64>) {
    for (t, l) in column.iter_mut().enumerate() {
        *l = line(t);
    }
}

/// Sum of a line's lanes.
#[inline(always)]
fn sum_lanes(line: Line<f64>) -> f64 {
    ((line[0] + line[1]) + (line[2] + line[3])) + ((line[4] + line[5]) + (line[6] + line[7]))
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
