//! Step 9 in the chain's arithmetic (spec §1.12, `epoch_mechanism`'s bonds branch): the Yuma 3
//! and classic bond EMAs, dividends, and the u16 form the chain stores bonds in.

use super::sparse::{
    Row, col_max_upscale, col_normalize, ema_alpha_row, interpolate, mat_ema, matmul_transpose,
    normalize, row_hadamard, row_sums_of_products, scatter,
};
use super::{ChainParams, Ctx};
use crate::chain::numeric::Num;
use crate::chain::yuma::bonds::{bond_is_masked, last_tempo};

/// New bonds (before storage) and the normalised dividends.
pub(crate) struct BondStep<T> {
    /// Yuma 3: the EMA bonds; classic: the EMA bonds column-max-upscaled (what is stored).
    pub(crate) bonds: Vec<Row<T>>,
    /// `D`, normalised.
    pub(crate) dividends: Vec<T>,
}

/// `alpha_sigmoid`: the per-entry liquid-alpha rate, in the chain's operations.
pub fn alpha_sigmoid<T: Num>(consensus: T, weight: T, bond: T, low: T, high: T, steepness: T) -> T {
    let diff_buy = weight.sat_sub(consensus).clamp_value(T::ZERO, T::ONE);
    let diff_sell = bond.sat_sub(weight).clamp_value(T::ZERO, T::ONE);
    let diff = if weight >= bond { diff_buy } else { diff_sell };
    let z = steepness
        .sat_div(T::from_i64(-100))
        .sat_mul(diff.sat_sub(T::from_f64(0.5)));
    let sigmoid = T::ONE.sat_div(T::ONE.sat_add(z.exp_safe()));
    low.sat_add(sigmoid.sat_mul(high.sat_sub(low)))
        .clamp_value(low, high)
}

/// Reads stored bonds and drops those to uids registered since the last epoch
/// (`get_bonds_sparse` [`_fixed_proportion`], `scalar_vec_mask_sparse_matrix`). Yuma 3 reads
/// u16 proportions (`v / 65535`), classic the raw integers (column-normalised next anyway).
fn load_bonds<T: Num>(ctx: &Ctx<'_>, proportion: bool) -> Vec<Row<T>> {
    let input = ctx.input;
    let last = last_tempo(input.block, input.tempo, input.last_mechanism_step_block);
    input
        .bonds
        .iter()
        .map(|row| {
            row.iter()
                .filter(|&&(j, _)| {
                    let registered = input
                        .block_at_registration
                        .get(usize::from(j))
                        .copied()
                        .unwrap_or(0);
                    !bond_is_masked(registered, last)
                })
                .map(|&(j, v)| {
                    let v = if proportion {
                        T::from_u16_proportion(v)
                    } else {
                        T::from_u16(v)
                    };
                    (j, v)
                })
                .collect()
        })
        .collect()
}

/// Yuma 3: EMA of the weights for bonds into the u16-proportion bonds (liquid alpha per entry
/// when on and some consensus is non-zero, else the fixed rate), then
/// `D_i ∝ Sa_i · Σ_j B̂_ij I_j` with `B̂` the column-normalised EMA bonds.
pub(crate) fn yuma3<T: Num>(
    ctx: &Ctx<'_>,
    params: &ChainParams,
    weights_for_bonds: &[Row<T>],
    consensus: &[T],
    incentive: &[T],
    active_stake: &[T],
) -> BondStep<T> {
    let n = ctx.n;
    let old = load_bonds::<T>(ctx, true);
    let liquid = params.liquid_alpha && consensus.iter().any(|c| !c.is_zero());
    let bonds = if liquid {
        let low = T::from_u16_proportion(params.alpha_low);
        let high = T::from_u16_proportion(params.alpha_high);
        let steepness = T::from_i64(i64::from(params.alpha_sigmoid_steepness));
        let (mut w, mut b, mut alpha, mut decayed) = (
            vec![T::ZERO; n],
            vec![T::ZERO; n],
            vec![T::ZERO; n],
            Vec::new(),
        );
        weights_for_bonds
            .iter()
            .zip(&old)
            .map(|(w_row, b_row)| {
                scatter(w_row, &mut w);
                scatter(b_row, &mut b);
                for j in 0..n {
                    alpha[j] = alpha_sigmoid(consensus[j], w[j], b[j], low, high, steepness);
                }
                ema_alpha_row(w_row, b_row, &alpha, &mut decayed)
            })
            .collect()
    } else {
        let alpha = T::bonds_ema_alpha(params.bonds_moving_average);
        mat_ema(weights_for_bonds, &old, alpha, n)
    };
    let mut normalised = bonds.clone();
    col_normalize(&mut normalised, n);
    let per_validator = row_sums_of_products(&normalised, incentive);
    let mut dividends: Vec<T> = per_validator
        .iter()
        .zip(active_stake)
        .map(|(&b, &s)| b.mul_or_zero(s))
        .collect();
    normalize(&mut dividends);
    BondStep { bonds, dividends }
}

/// Classic Yuma: `ΔB = col_norm(Wb ∘ Sa)`, `B' = col_norm(EMA(ΔB, col_norm(B)))`,
/// `D = B' I` normalised; `B'` is then column-max-upscaled for storage.
pub(crate) fn classic<T: Num>(
    ctx: &Ctx<'_>,
    params: &ChainParams,
    weights_for_bonds: &[Row<T>],
    incentive: &[T],
    active_stake: &[T],
) -> BondStep<T> {
    let n = ctx.n;
    let mut old = load_bonds::<T>(ctx, false);
    col_normalize(&mut old, n);
    let mut delta = row_hadamard(weights_for_bonds, active_stake);
    col_normalize(&mut delta, n);
    let alpha = T::bonds_ema_alpha(params.bonds_moving_average);
    let mut bonds = mat_ema(&delta, &old, alpha, n);
    col_normalize(&mut bonds, n);
    let mut dividends = matmul_transpose(&bonds, incentive);
    normalize(&mut dividends);
    col_max_upscale(&mut bonds, n);
    BondStep { bonds, dividends }
}

/// Weights for bonds `Wb = W + β (Wc − W)` (`interpolate_sparse`).
pub(crate) fn weights_for_bonds<T: Num>(
    weights: &[Row<T>],
    clipped: &[Row<T>],
    n: usize,
    bonds_penalty: u16,
) -> Vec<Row<T>> {
    interpolate(weights, clipped, n, T::from_u16_proportion(bonds_penalty))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::numeric::I32F32;

    /// The sigmoid at its centre and its tails, in I32F32: at `diff = 0.5` the rate is the
    /// midpoint of `[low, high]` (exp(0) = 1, σ = 1/2 exactly); far from it the clamp holds.
    /// Hand-computed.
    #[test]
    fn alpha_sigmoid_centre_and_tails() {
        type F = I32F32;
        let (low, high, k) = (F::from_num(0.1), F::from_num(0.3), F::from_num(1000));
        // weight − consensus = 0.5 (weight >= bond): σ(0) = 0.5 → 0.1 + 0.5 × 0.2.
        let mid = alpha_sigmoid(F::ZERO, F::from_num(0.5), F::ZERO, low, high, k);
        assert_eq!(mid, low + F::from_num(0.5).saturating_mul(high - low));
        // diff 0 → z = +5 → small σ; diff 1 → z = −5 → σ near 1.
        let agree = alpha_sigmoid(F::from_num(0.5), F::from_num(0.5), F::ZERO, low, high, k);
        assert!(agree > low && agree < F::from_num(0.102));
        let sell = alpha_sigmoid(F::ZERO, F::ZERO, F::ONE, low, high, k);
        assert!(sell < high && sell > F::from_num(0.298));
        // Same in f64, within I32F32 resolution of the exp series.
        let f = alpha_sigmoid(0.5, 0.5, 0.0, 0.1, 0.3, 1000.0);
        assert!((f - agree.to_num::<f64>()).abs() < 1e-8, "{f} vs {agree}");
    }
}
