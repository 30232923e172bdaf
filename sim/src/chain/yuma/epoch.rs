//! The epoch pipeline (spec §1.4–§1.13, the on-chain sparse `epoch_mechanism`), in the
//! chain's order, on top of the per-concept modules.
//!
//! [`EpochWorkspace`] owns every intermediate buffer, so a simulator that keeps one workspace
//! and one [`EpochOutput`] per subnet runs epochs without allocating once the buffers have
//! grown to the subnet's size.

use super::activity::fill_active;
use super::bonds::{LiquidAlpha, bond_is_masked, ema_row_fixed, ema_row_liquid, last_tempo};
use super::consensus::ConsensusScratch;
use super::emission_split::split_emission;
use super::sparse::{SparseMatrix, row_dot};
use super::stake::{active_stake, filter_and_normalize, normalize_in_place, top_k_nonzero};
use super::weights::{keep_weight, row_normalize, weight_for_bonds};
use super::{EpochError, EpochInput, EpochOutput, SparseRow, YumaParams};

/// Runs one epoch with a fresh workspace and output (convenient, but allocates; reuse an
/// [`EpochWorkspace`] in loops).
pub static T: [std::sync::atomic::AtomicU64; 8] =
    [const { std::sync::atomic::AtomicU64::new(0) }; 8];
fn tick(k: usize, t: &mut std::time::Instant) {
    let now = std::time::Instant::now();
    T[k].fetch_add(
        (now - *t).as_nanos() as u64,
        std::sync::atomic::Ordering::Relaxed,
    );
    *t = now;
}
pub fn epoch(input: &EpochInput, params: &YumaParams) -> Result<EpochOutput, EpochError> {
    let mut out = EpochOutput::default();
    EpochWorkspace::default().run(input, params, &mut out)?;
    Ok(out)
}

/// Scratch buffers of the epoch, reused across calls.
#[derive(Clone, Debug, Default)]
pub struct EpochWorkspace {
    /// Permits of the previous epoch with the owner forced in: whose weights count now.
    permit: Vec<bool>,
    /// Top-k selection scratch.
    order: Vec<u32>,
    /// Masked, row-normalised weights `W` (rows of permitted validators only).
    weights: SparseMatrix,
    /// Column buffers of the weighted median.
    consensus: ConsensusScratch,
    /// New bonds `B'` for every uid (Yuma 3: the EMA; classic: column-normalised EMA).
    ema: SparseMatrix,
    /// Per-column accumulators (column sums / maxima), `n` each.
    col_a: Vec<f64>,
    col_b: Vec<f64>,
    col_c: Vec<f64>,
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
        let mut t = std::time::Instant::now();
        let n = validate(input, params)?;
        tick(0, &mut t);
        // An owner uid outside the metagraph is ignored, as on chain (nothing to exempt).
        let owner = input.owner_uid.filter(|&o| usize::from(o) < n);
        let owner_idx = owner.map(usize::from);

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
        if let Some(o) = owner_idx {
            self.permit[o] = true;
            out.new_validator_permit[o] = true;
        }
        active_stake(&out.stake, &out.active, &self.permit, &mut out.active_stake);

        tick(1, &mut t);
        self.build_weights(input, owner, n);
        tick(2, &mut t);

        // Step 5: consensus over validators with active stake.
        let sa = &out.active_stake;
        let voters = (0..n).map(|i| (sa[i], self.weights.row(i)));
        self.consensus
            .column_medians(n, voters, params.kappa, &mut out.consensus);

        tick(3, &mut t);
        self.clip_and_rank(n, out);
        tick(4, &mut t);

        // Steps 8–9: weights for bonds, bonds, dividends.
        if params.yuma3 {
            self.bonds_yuma3(input, params, n, out);
        } else {
            self.bonds_classic(input, params, n, out);
        }

        tick(5, &mut t);
        split_emission(
            &out.incentive,
            &out.dividends,
            &out.active_stake,
            &out.stake,
            input.emission,
            &mut out.server_emission,
            &mut out.validator_emission,
        );
        tick(6, &mut t);
        Ok(())
    }

    /// Step 4: drop non-permitted rows, self-weights (except the owner's) and outdated
    /// weights, then row-normalise.
    fn build_weights(&mut self, input: &EpochInput, owner: Option<u16>, n: usize) {
        self.weights.clear();
        for (i, row) in input.weights.iter().enumerate() {
            if self.permit[i] {
                let updated = input.last_update[i];
                for &(j, w) in row {
                    let col = usize::from(j);
                    if col >= n {
                        break; // sorted row: the rest is out of range too
                    }
                    if keep_weight(i, col, owner, updated, input.block_at_registration[col]) {
                        self.weights.push(j, w);
                    }
                }
                row_normalize(self.weights.open_row_mut());
            }
            self.weights.end_row();
        }
    }

    /// Steps 6–7: `Wc = clip(W, C)`, `Tv = rowsum(Wc)`, `R = Saᵀ Wc`, `I = R / ΣR`.
    fn clip_and_rank(&self, n: usize, out: &mut EpochOutput) {
        let consensus = &out.consensus;
        let ranks = &mut out.incentive;
        ranks.clear();
        ranks.resize(n, 0.0);
        out.validator_trust.clear();
        out.validator_trust.extend((0..n).map(|i| {
            let s = out.active_stake[i];
            // `clip` drops an entry above a zero consensus; in these sums a dropped entry and
            // `min(w, 0) = 0` are the same, so the branch-free `min` serves (random weights
            // make `c < w` a coin flip for the branch predictor).
            let mut trust = [0.0; 2];
            for (k, &(j, w)) in self.weights.row(i).iter().enumerate() {
                let j = usize::from(j);
                let wc = w.min(consensus[j]);
                trust[k & 1] += wc;
                ranks[j] += s * wc;
            }
            trust[0] + trust[1]
        }));
        normalize_in_place(ranks);
    }

    /// Yuma 3 bonds (§1.12 variant A): a stake-free EMA of each validator's weights for bonds,
    /// dividends `d_i = Sa_i · Σ_j colnorm(B')_ij I_j`, stored un-normalised.
    fn bonds_yuma3(
        &mut self,
        input: &EpochInput,
        params: &YumaParams,
        n: usize,
        out: &mut EpochOutput,
    ) {
        let last_tempo = last_tempo(input.block, input.tempo, input.last_mechanism_step_block);
        let registered = input.block_at_registration;
        let consensus = &out.consensus;
        let liquid = params.liquid_alpha && consensus.iter().any(|&c| c != 0.0);
        let rates = LiquidAlpha::new(
            params.alpha_low,
            params.alpha_high,
            params.alpha_sigmoid_steepness,
        );
        let fixed = super::bonds::fixed_alpha(params.bonds_moving_average);

        let col_sum = reset(&mut self.col_a, n);
        self.ema.clear();
        for i in 0..n {
            let weights_for_bonds = self.weights.row(i).iter().filter_map(|&(j, w)| {
                weight_for_bonds(w, consensus[usize::from(j)], params.bonds_penalty).map(|v| (j, v))
            });
            let old = unmasked_bonds(&input.bonds[i], registered, last_tempo, n);
            let ema = &mut self.ema;
            let emit = |j: u16, v: f64| {
                ema.push(j, v);
                col_sum[usize::from(j)] += v;
            };
            if liquid {
                let alpha = |j: u16, w: f64, b: f64| rates.alpha(consensus[usize::from(j)], w, b);
                ema_row_liquid(weights_for_bonds, old, alpha, emit);
            } else {
                ema_row_fixed(weights_for_bonds, old, fixed, emit);
            }
            self.ema.end_row();
        }

        // Column-normalise and weigh by incentive in one factor per column.
        let per_bond = &mut self.col_b;
        per_bond.clear();
        per_bond.extend(
            out.incentive
                .iter()
                .zip(col_sum.iter())
                .map(|(&inc, &sum)| if sum > 0.0 { inc / sum } else { 0.0 }),
        );
        out.dividends.clear();
        out.dividends
            .extend((0..n).map(|i| out.active_stake[i] * row_dot(self.ema.row(i), per_bond)));
        normalize_in_place(&mut out.dividends);

        // The chain stores u16, which saturates at 1.
        store_bonds(
            &self.ema,
            &out.new_validator_permit,
            n,
            &mut out.bonds,
            |_, b| b.min(1.0),
        );
    }

    /// Classic Yuma bonds (§1.12 variant B): EMA of column-normalised stake-weighted weights
    /// against column-normalised bonds, dividends `d = colnorm(B') · I`, stored column-max
    /// upscaled.
    fn bonds_classic(
        &mut self,
        input: &EpochInput,
        params: &YumaParams,
        n: usize,
        out: &mut EpochOutput,
    ) {
        let last_tempo = last_tempo(input.block, input.tempo, input.last_mechanism_step_block);
        let registered = input.block_at_registration;
        let consensus = &out.consensus;
        let sa = &out.active_stake;
        let beta = params.bonds_penalty;
        let for_bonds = |&(j, w): &(u16, f64)| {
            weight_for_bonds(w, consensus[usize::from(j)], beta).map(|v| (j, v))
        };

        // Column sums of the masked bonds and of ΔB = Wb ⊙ Sa.
        let bond_sum = reset(&mut self.col_a, n);
        let delta_sum = reset(&mut self.col_b, n);
        for (i, (bonds, &s)) in input.bonds.iter().zip(sa).enumerate() {
            for (j, b) in unmasked_bonds(bonds, registered, last_tempo, n) {
                bond_sum[usize::from(j)] += b;
            }
            for (j, wb) in self.weights.row(i).iter().filter_map(for_bonds) {
                delta_sum[usize::from(j)] += wb * s;
            }
        }

        // Column normalisation multiplies by per-column reciprocals (one division per column
        // instead of one per entry); a zero-sum column stays as it is.
        let invert = |sums: &mut Vec<f64>| {
            sums.iter_mut()
                .for_each(|s| *s = if *s != 0.0 { 1.0 / *s } else { 1.0 });
        };
        invert(bond_sum);
        invert(delta_sum);

        // B' = a·colnorm(ΔB) + (1−a)·colnorm(B), union of both rows, entries > 0.
        let alpha = super::bonds::fixed_alpha(params.bonds_moving_average);
        let new_sum = reset(&mut self.col_c, n);
        self.ema.clear();
        for (i, (bonds, &s)) in input.bonds.iter().zip(sa).enumerate() {
            let delta = self
                .weights
                .row(i)
                .iter()
                .filter_map(for_bonds)
                .map(|(j, wb)| (j, wb * s * delta_sum[usize::from(j)]));
            let old = unmasked_bonds(bonds, registered, last_tempo, n)
                .map(|(j, b)| (j, b * bond_sum[usize::from(j)]));
            let ema = &mut self.ema;
            ema_row_fixed(delta, old, alpha, |j, v| {
                ema.push(j, v);
                new_sum[usize::from(j)] += v;
            });
            self.ema.end_row();
        }

        // Column-normalise B', dividends d_i = Σ_j B'_ij I_j, column maxima for storage.
        invert(new_sum);
        let col_max = reset(&mut self.col_a, n);
        out.dividends.clear();
        for i in 0..n {
            for (j, b) in self.ema.row_mut(i) {
                let j = usize::from(*j);
                *b *= new_sum[j];
                col_max[j] = col_max[j].max(*b);
            }
            out.dividends.push(row_dot(self.ema.row(i), &out.incentive));
        }
        normalize_in_place(&mut out.dividends);

        invert(col_max);
        let col_max = &self.col_a;
        store_bonds(
            &self.ema,
            &out.new_validator_permit,
            n,
            &mut out.bonds,
            |j, b| b * col_max[usize::from(j)],
        );
    }
}

/// Zero-filled accumulator of length `n`, reusing `buf`.
fn reset(buf: &mut Vec<f64>, n: usize) -> &mut Vec<f64> {
    buf.clear();
    buf.resize(n, 0.0);
    buf
}

/// A stored bond row without out-of-range columns and without bonds to uids registered since
/// the previous epoch (§1.12 bond mask).
fn unmasked_bonds<'a>(
    row: &'a SparseRow,
    registered: &'a [u64],
    last_tempo: u64,
    n: usize,
) -> impl Iterator<Item = (u16, f64)> + 'a {
    row.iter()
        .copied()
        .take_while(move |&(j, _)| usize::from(j) < n)
        .filter(move |&(j, _)| !bond_is_masked(registered[usize::from(j)], last_tempo))
}

/// Writes the bond rows to store: rows of uids with a new permit from `ema` through `value`,
/// every other row empty (the `persist_mechanism_epoch_terms` path).
fn store_bonds(
    ema: &SparseMatrix,
    new_permit: &[bool],
    n: usize,
    rows: &mut Vec<SparseRow>,
    value: impl Fn(u16, f64) -> f64,
) {
    rows.truncate(n);
    rows.resize_with(n, Vec::new);
    for (i, row) in rows.iter_mut().enumerate() {
        row.clear();
        if new_permit[i] {
            row.extend(ema.row(i).iter().map(|&(j, b)| (j, value(j, b))));
        }
    }
}

/// Whether a row is sorted by strictly increasing uid with finite non-negative in-range
/// values. Written without short-circuits so the scan has no data-dependent branches; the
/// caller finds the precise fault only when this says no.
#[inline]
fn row_is_valid(row: &[(u16, f64)], n: usize) -> bool {
    let (mut ok, mut previous) = (true, -1_i32);
    for &(j, v) in row {
        let value_ok = (usize::from(j) >= n) | ((v >= 0.0) & (v <= f64::MAX));
        ok &= (i32::from(j) > previous) & value_ok;
        previous = i32::from(j);
    }
    ok
}

/// Checks lengths, values and parameters; returns `n`.
fn validate(input: &EpochInput, params: &YumaParams) -> Result<usize, EpochError> {
    let n = input.stake.len();
    if n > usize::from(u16::MAX) + 1 {
        return Err(EpochError::TooManyUids { n });
    }
    let lengths = [
        ("last_update", input.last_update.len()),
        ("block_at_registration", input.block_at_registration.len()),
        ("validator_permit", input.validator_permit.len()),
        ("weights", input.weights.len()),
        ("bonds", input.bonds.len()),
    ];
    for (field, found) in lengths {
        if found != n {
            return Err(EpochError::LengthMismatch {
                field,
                expected: n,
                found,
            });
        }
    }
    let valid = |v: f64| v.is_finite() && v >= 0.0;
    if let Some((uid, &value)) = input.stake.iter().enumerate().find(|(_, s)| !valid(**s)) {
        return Err(EpochError::InvalidStake { uid, value });
    }
    for (matrix, rows) in [("weights", input.weights), ("bonds", input.bonds)] {
        for (row, entries) in rows.iter().enumerate() {
            if row_is_valid(entries, n) {
                continue;
            }
            if entries.windows(2).any(|p| p[0].0 >= p[1].0) {
                return Err(EpochError::UnsortedRow { matrix, row });
            }
            let bad = entries
                .iter()
                .find(|&&(j, v)| usize::from(j) < n && !valid(v));
            if let Some(&(col, value)) = bad {
                return Err(EpochError::InvalidEntry {
                    matrix,
                    row,
                    col,
                    value,
                });
            }
        }
    }
    let fractions = [
        ("kappa", params.kappa),
        ("bonds_penalty", params.bonds_penalty),
        ("bonds_moving_average", params.bonds_moving_average),
        ("alpha_low", params.alpha_low),
        ("alpha_high", params.alpha_high),
    ];
    for (name, value) in fractions {
        if !(0.0..=1.0).contains(&value) {
            return Err(EpochError::InvalidParam { name, value });
        }
    }
    for (name, value) in [
        ("alpha_sigmoid_steepness", params.alpha_sigmoid_steepness),
        ("stake_threshold", params.stake_threshold),
    ] {
        if value.is_nan() || value.is_infinite() {
            return Err(EpochError::InvalidParam { name, value });
        }
    }
    Ok(n)
}
