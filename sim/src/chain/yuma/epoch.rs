//! The epoch pipeline (spec §1.4–§1.13, the on-chain sparse `epoch_mechanism`), in the
//! chain's order, on top of the per-concept modules.
//!
//! [`EpochWorkspace`] owns every intermediate buffer, so a simulator that keeps one workspace
//! and one [`EpochOutput`] per subnet runs epochs without allocating once the buffers have
//! grown to the subnet's size.

use super::activity::fill_active;
use super::bonds::{
    LiquidAlpha, bond_is_masked, ema_row_fixed, ema_row_liquid, fixed_alpha, last_tempo,
};
use super::consensus::ConsensusScratch;
use super::emission_split::split_emission;
use super::sparse::{SparseMatrix, row_dot};
use super::stake::{active_stake, filter_and_normalize, normalize_in_place, top_k_nonzero};
use super::weights::{keep_weight, row_normalize, weight_for_bonds};
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
    /// Masked, row-normalised weights `W` (rows of permitted validators only).
    weights: SparseMatrix,
    /// Column buffers of the weighted median.
    consensus: ConsensusScratch,
    /// One row of masked previous bonds, when the stored row cannot be used as it is.
    old_bonds: Vec<(u16, f64)>,
    /// Per-column accumulators (sums, reciprocals, maxima), `n` each.
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
        let n = validate(input, params)?;
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

        // Step 4: masked, row-normalised weights.
        self.build_weights(input, owner, n);

        // Step 5: consensus over validators with active stake.
        let sa = &out.active_stake;
        let voters = (0..n).map(|i| (sa[i], self.weights.row(i)));
        self.consensus
            .column_medians(n, voters, params.kappa, &mut out.consensus);

        // Steps 6–7: clip at consensus, validator trust, ranks, incentive.
        self.clip_and_rank(n, out);

        // Steps 8–9: weights for bonds, bonds, dividends; rows stored for new permits only
        // (the `persist_mechanism_epoch_terms` path).
        out.bonds.truncate(n);
        out.bonds.resize_with(n, Vec::new);
        if params.yuma3 {
            self.bonds_yuma3(input, params, n, out);
        } else {
            self.bonds_classic(input, params, n, out);
        }
        for (row, &permit) in out.bonds.iter_mut().zip(&out.new_validator_permit) {
            if !permit {
                row.clear();
            }
        }

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
            // make `c < w` a coin flip for the branch predictor). Two accumulators halve the
            // chain of dependent additions.
            let mut clipped = |&(j, w): &(u16, f64)| {
                let j = usize::from(j);
                let wc = w.min(consensus[j]);
                ranks[j] += s * wc;
                wc
            };
            let row = self.weights.row(i);
            let mut pairs = row.chunks_exact(2);
            let (mut even, mut odd) = (0.0, 0.0);
            for pair in &mut pairs {
                even += clipped(&pair[0]);
                odd += clipped(&pair[1]);
            }
            even + odd + pairs.remainder().iter().map(clipped).sum::<f64>()
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
        let mask = BondMask::new(input, n);
        let consensus = &out.consensus;
        let for_bonds =
            |j: u16, w: f64| weight_for_bonds(w, consensus[usize::from(j)], params.bonds_penalty);
        let liquid = params.liquid_alpha && consensus.iter().any(|&c| c != 0.0);
        let rates = LiquidAlpha::new(
            params.alpha_low,
            params.alpha_high,
            params.alpha_sigmoid_steepness,
        );
        let alpha = |j: u16, w: f64, b: f64| rates.alpha(consensus[usize::from(j)], w, b);
        let fixed = fixed_alpha(params.bonds_moving_average);

        // B' for every uid (rows without a new permit still count in the column sums).
        let col_sum = reset(&mut self.col_a, n);
        for (i, row) in out.bonds.iter_mut().enumerate() {
            let old = mask.apply(&input.bonds[i], &mut self.old_bonds);
            let weights = self.weights.row(i);
            row.clear();
            if liquid {
                ema_row_liquid(weights, for_bonds, old, alpha, row);
            } else {
                ema_row_fixed(weights, for_bonds, old, fixed, row);
            }
            add_to_columns(row, col_sum);
        }

        // Column-normalise and weigh by incentive in one factor per column: I_j / Σ_i B'_ij.
        let per_bond = col_sum;
        per_bond
            .iter_mut()
            .zip(&out.incentive)
            .for_each(|(sum, &inc)| *sum = if *sum > 0.0 { inc / *sum } else { 0.0 });
        out.dividends.clear();
        out.dividends.extend(
            out.bonds
                .iter()
                .zip(&out.active_stake)
                .map(|(row, &s)| s * row_dot(row, per_bond)),
        );
        normalize_in_place(&mut out.dividends);
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
        let mask = BondMask::new(input, n);
        let consensus = &out.consensus;
        let sa = &out.active_stake;
        let beta = params.bonds_penalty;
        let for_bonds = |j: u16, w: f64| weight_for_bonds(w, consensus[usize::from(j)], beta);

        // Column normalisation multiplies by per-column reciprocals (one division per column,
        // not per entry): of the masked bonds' sums and of ΔB = Wb ⊙ Sa's sums.
        let bond_scale = reset(&mut self.col_a, n);
        let delta_scale = reset(&mut self.col_b, n);
        for (i, (row, &s)) in input.bonds.iter().zip(sa).enumerate() {
            add_to_columns(mask.apply(row, &mut self.old_bonds), bond_scale);
            for &(j, w) in self.weights.row(i) {
                if let Some(wb) = for_bonds(j, w) {
                    delta_scale[usize::from(j)] += wb * s;
                }
            }
        }
        invert_sums(bond_scale);
        invert_sums(delta_scale);

        // B' = a·colnorm(ΔB) + (1−a)·colnorm(B), union of both rows, entries > 0.
        let alpha = fixed_alpha(params.bonds_moving_average);
        let new_scale = reset(&mut self.col_c, n);
        for (i, row) in out.bonds.iter_mut().enumerate() {
            let s = sa[i];
            let delta =
                |j: u16, w: f64| for_bonds(j, w).map(|wb| wb * s * delta_scale[usize::from(j)]);
            let old = mask.apply_scaled(&input.bonds[i], bond_scale, &mut self.old_bonds);
            row.clear();
            ema_row_fixed(self.weights.row(i), delta, old, alpha, row);
            add_to_columns(row, new_scale);
        }

        // Column-normalise B'; dividends d_i = Σ_j B'_ij I_j; column maxima for storage.
        invert_sums(new_scale);
        let col_max = reset(&mut self.col_a, n);
        out.dividends.clear();
        for row in out.bonds.iter_mut() {
            for (j, b) in row.iter_mut() {
                let j = usize::from(*j);
                *b *= new_scale[j];
                col_max[j] = col_max[j].max(*b);
            }
            out.dividends.push(row_dot(row, &out.incentive));
        }
        normalize_in_place(&mut out.dividends);

        // Stored: column-max upscaled (B'_ij / max_k B'_kj).
        invert_sums(col_max);
        for (j, b) in out.bonds.iter_mut().flatten() {
            *b *= col_max[usize::from(*j)];
        }
    }
}

/// The bond mask of §1.12: bonds to uids (re)registered since the previous epoch are wiped,
/// so a new occupant of a uid does not inherit its predecessor's bonds.
struct BondMask<'a> {
    registered: &'a [u64],
    last_tempo: u64,
    /// Whether any uid is masked at all this epoch (usually not).
    any: bool,
}

impl<'a> BondMask<'a> {
    fn new(input: &'a EpochInput, n: usize) -> Self {
        let last_tempo = last_tempo(input.block, input.tempo, input.last_mechanism_step_block);
        let registered = &input.block_at_registration[..n];
        let any = registered.iter().any(|&r| bond_is_masked(r, last_tempo));
        Self {
            registered,
            last_tempo,
            any,
        }
    }

    /// A stored bond row without masked and out-of-range columns: the row itself when nothing
    /// in it is removed (the common case, no copy), else a filtered copy in `scratch`.
    fn apply<'r>(
        &self,
        row: &'r [(u16, f64)],
        scratch: &'r mut Vec<(u16, f64)>,
    ) -> &'r [(u16, f64)] {
        let n = self.registered.len();
        let in_range = row.last().is_none_or(|&(j, _)| usize::from(j) < n);
        if !self.any && in_range {
            return row;
        }
        scratch.clear();
        scratch.extend(
            row.iter()
                .take_while(|e| usize::from(e.0) < n)
                .filter(|e| !bond_is_masked(self.registered[usize::from(e.0)], self.last_tempo)),
        );
        scratch
    }

    /// [`BondMask::apply`], always copied, each bond multiplied by `scale[column]`.
    fn apply_scaled<'r>(
        &self,
        row: &[(u16, f64)],
        scale: &[f64],
        scratch: &'r mut Vec<(u16, f64)>,
    ) -> &'r [(u16, f64)] {
        let n = self.registered.len();
        scratch.clear();
        scratch.extend(
            row.iter()
                .take_while(|e| usize::from(e.0) < n)
                .filter(|e| !bond_is_masked(self.registered[usize::from(e.0)], self.last_tempo))
                .map(|&(j, b)| (j, b * scale[usize::from(j)])),
        );
        scratch
    }
}

/// Adds a sparse row into per-column accumulators.
#[inline]
fn add_to_columns(row: &[(u16, f64)], sums: &mut [f64]) {
    for &(j, v) in row {
        sums[usize::from(j)] += v;
    }
}

/// Zero-filled accumulator of length `n`, reusing `buf`.
fn reset(buf: &mut Vec<f64>, n: usize) -> &mut Vec<f64> {
    buf.clear();
    buf.resize(n, 0.0);
    buf
}

/// Turns column sums (or maxima) into the factors that normalise by them: `1 / x`, or 1 for a
/// zero column, which the chain leaves unchanged.
fn invert_sums(sums: &mut [f64]) {
    sums.iter_mut()
        .for_each(|s| *s = if *s != 0.0 { 1.0 / *s } else { 1.0 });
}

/// Whether a row is sorted by strictly increasing uid with finite non-negative in-range
/// values. Written without short-circuits so the scan has no data-dependent branches; the
/// caller finds the precise fault only when this says no.
#[inline]
fn row_is_valid(row: &[(u16, f64)], n: usize) -> bool {
    let (mut ok, mut previous) = (true, -1_i32);
    for &(j, v) in row {
        let value_ok = (usize::from(j) >= n) | (0.0..=f64::MAX).contains(&v);
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
        if !value.is_finite() {
            return Err(EpochError::InvalidParam { name, value });
        }
    }
    Ok(n)
}
