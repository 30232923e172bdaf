//! The sparse epoch, step by step on `Vec<SparseRow>` (the chain's `epoch_mechanism` as the
//! pre-dense implementation ran it), as a reference for the dense pipeline: every random
//! metagraph must give the same outputs up to rounding.

use super::super::bonds::{
    LiquidAlpha, bond_is_masked, ema_row_fixed, ema_row_liquid, fixed_alpha, last_tempo,
};
use super::super::consensus::weighted_median_col_sparse;
use super::super::emission_split::split_emission;
use super::super::stake::{active_stake, filter_and_normalize, normalize_in_place, top_k_nonzero};
use super::super::weights::{keep_weight, row_normalize, weight_for_bonds};
use super::super::{EpochInput, EpochOutput, SparseRow, YumaParams};

/// The reference epoch; the input must be valid.
pub(crate) fn reference_epoch(input: &EpochInput, params: &YumaParams) -> EpochOutput {
    let n = input.stake.len();
    let owner = input.owner_uid.filter(|&o| usize::from(o) < n);
    let mut out = EpochOutput {
        active: input
            .last_update
            .iter()
            .map(|&lu| lu.saturating_add(params.activity_cutoff) >= input.block)
            .collect(),
        ..EpochOutput::default()
    };
    filter_and_normalize(input.stake, params.stake_threshold, owner, &mut out.stake);
    let mut permit = input.validator_permit.to_vec();
    top_k_nonzero(
        &out.stake,
        params.max_allowed_validators,
        &mut Vec::new(),
        &mut out.new_validator_permit,
    );
    if let Some(o) = owner.map(usize::from) {
        permit[o] = true;
        out.new_validator_permit[o] = true;
    }
    active_stake(&out.stake, &out.active, &permit, &mut out.active_stake);

    // Step 4: masked, row-normalised weights.
    let weights: Vec<SparseRow> = (0..n)
        .map(|i| {
            if !permit[i] {
                return Vec::new();
            }
            let mut row: SparseRow = input.weights[i]
                .iter()
                .copied()
                .filter(|&(j, _)| {
                    let j = usize::from(j);
                    j < n
                        && keep_weight(
                            i,
                            j,
                            owner,
                            input.last_update[i],
                            input.block_at_registration[j],
                        )
                })
                .collect();
            row_normalize(&mut row);
            row
        })
        .collect();

    // Steps 5–7.
    out.consensus = weighted_median_col_sparse(&out.active_stake, &weights, n, params.kappa);
    let c = &out.consensus;
    let mut ranks = vec![0.0; n];
    out.validator_trust = weights
        .iter()
        .zip(&out.active_stake)
        .map(|(row, &s)| {
            row.iter()
                .map(|&(j, w)| {
                    let wc = w.min(c[usize::from(j)]);
                    ranks[usize::from(j)] += s * wc;
                    wc
                })
                .sum()
        })
        .collect();
    normalize_in_place(&mut ranks);
    out.incentive = ranks;

    // Steps 8–9: the bond mask, then the variant's EMA.
    let tempo_start = last_tempo(input.block, input.tempo, input.last_mechanism_step_block);
    let old: Vec<SparseRow> = input
        .bonds
        .iter()
        .map(|row| {
            row.iter()
                .copied()
                .filter(|&(j, _)| {
                    let j = usize::from(j);
                    j < n && !bond_is_masked(input.block_at_registration[j], tempo_start)
                })
                .collect()
        })
        .collect();
    let beta = params.bonds_penalty;
    let for_bonds = |j: u16, w: f64| weight_for_bonds(w, c[usize::from(j)], beta);
    let alpha = fixed_alpha(params.bonds_moving_average);
    let column_sums = |rows: &[SparseRow]| {
        let mut sums = vec![0.0; n];
        rows.iter()
            .flatten()
            .for_each(|&(j, v)| sums[usize::from(j)] += v);
        sums
    };
    let mut bonds: Vec<SparseRow> = vec![Vec::new(); n];
    if params.yuma3 {
        let liquid = params.liquid_alpha && c.iter().any(|&x| x != 0.0);
        let rates = LiquidAlpha::new(
            params.alpha_low,
            params.alpha_high,
            params.alpha_sigmoid_steepness,
        );
        let rate = |j: u16, w: f64, b: f64| rates.alpha(c[usize::from(j)], w, b);
        for (i, row) in bonds.iter_mut().enumerate() {
            if liquid {
                ema_row_liquid(&weights[i], for_bonds, &old[i], rate, row);
            } else {
                ema_row_fixed(&weights[i], for_bonds, &old[i], alpha, row);
            }
        }
        let sums = column_sums(&bonds);
        out.dividends = bonds
            .iter()
            .zip(&out.active_stake)
            .map(|(row, &s)| {
                s * row
                    .iter()
                    .map(|&(j, b)| {
                        let j = usize::from(j);
                        if sums[j] > 0.0 {
                            b * out.incentive[j] / sums[j]
                        } else {
                            0.0
                        }
                    })
                    .sum::<f64>()
            })
            .collect();
    } else {
        let inverse = |x: f64| if x != 0.0 { 1.0 / x } else { 1.0 };
        let bond_sums = column_sums(&old);
        let mut delta_sums = vec![0.0; n];
        for (row, &s) in weights.iter().zip(&out.active_stake) {
            for &(j, w) in row {
                if let Some(wb) = for_bonds(j, w) {
                    delta_sums[usize::from(j)] += wb * s;
                }
            }
        }
        for (i, row) in bonds.iter_mut().enumerate() {
            let s = out.active_stake[i];
            let delta = |j: u16, w: f64| {
                for_bonds(j, w).map(|wb| wb * s * inverse(delta_sums[usize::from(j)]))
            };
            let old_scaled: SparseRow = old[i]
                .iter()
                .map(|&(j, b)| (j, b * inverse(bond_sums[usize::from(j)])))
                .collect();
            ema_row_fixed(&weights[i], delta, &old_scaled, alpha, row);
        }
        let new_sums = column_sums(&bonds);
        bonds
            .iter_mut()
            .flatten()
            .for_each(|(j, b)| *b *= inverse(new_sums[usize::from(*j)]));
        out.dividends = bonds
            .iter()
            .map(|row| {
                row.iter()
                    .map(|&(j, b)| b * out.incentive[usize::from(j)])
                    .sum()
            })
            .collect();
        let mut maxima = vec![0.0_f64; n];
        bonds
            .iter()
            .flatten()
            .for_each(|&(j, b)| maxima[usize::from(j)] = maxima[usize::from(j)].max(b));
        bonds
            .iter_mut()
            .flatten()
            .for_each(|(j, b)| *b *= inverse(maxima[usize::from(*j)]));
    }
    normalize_in_place(&mut out.dividends);
    for (row, &p) in bonds.iter_mut().zip(&out.new_validator_permit) {
        if !p {
            row.clear();
        }
    }
    out.bonds = bonds;

    split_emission(
        &out.incentive,
        &out.dividends,
        &out.active_stake,
        &out.stake,
        input.emission,
        &mut out.server_emission,
        &mut out.validator_emission,
    );
    out
}
