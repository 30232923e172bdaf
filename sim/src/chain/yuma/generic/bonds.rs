//! Step 9 in the chain's arithmetic (spec §1.12, `epoch_mechanism`'s bonds branch): the Yuma 3
//! and classic bond EMAs, dividends, and the u16 form the chain stores bonds in.

use super::sparse::{
    Row, col_max_upscale, col_normalize, interpolate, mat_ema, matmul_transpose, normalize,
    row_hadamard, row_sums_of_products, scatter,
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
    sigmoid_rate(combined_diff(consensus, weight, bond), low, high, steepness)
}

/// The disagreement `alpha_sigmoid` feeds its sigmoid: how far the weight is above consensus
/// (buying in) or below the bond (selling out), clamped to `[0, 1]`.
fn combined_diff<T: Num>(consensus: T, weight: T, bond: T) -> T {
    let diff_buy = weight.sat_sub(consensus).clamp_value(T::ZERO, T::ONE);
    let diff_sell = bond.sat_sub(weight).clamp_value(T::ZERO, T::ONE);
    if weight >= bond { diff_buy } else { diff_sell }
}

/// `low + σ(diff) (high − low)`, clamped, with `σ = 1 / (1 + e^{−s (diff − 0.5) / 100})`.
fn sigmoid_rate<T: Num>(diff: T, low: T, high: T, steepness: T) -> T {
    sigmoid_rates(
        [diff],
        Liquid {
            low,
            high,
            steepness,
        },
    )[0]
}

/// [`sigmoid_rate`] of `N` differences, bit for bit, their `exp`s evaluated side by side
/// ([`Num::exp_safe_lanes`]).
fn sigmoid_rates<T: Num, const N: usize>(diff: [T; N], liquid: Liquid<T>) -> [T; N] {
    let Liquid {
        low,
        high,
        steepness,
    } = liquid;
    let slope = steepness.sat_div(T::from_i64(-100));
    let e = T::exp_safe_lanes(diff.map(|d| slope.sat_mul(d.sat_sub(T::from_f64(0.5)))));
    e.map(|e| {
        let sigmoid = T::ONE.sat_div(T::ONE.sat_add(e));
        low.sat_add(sigmoid.sat_mul(high.sat_sub(low)))
            .clamp_value(low, high)
    })
}

/// Rates evaluated side by side in [`ema_liquid_row`].
const RATE_LANES: usize = 8;

/// Liquid-alpha parameters in `T`.
#[derive(Clone, Copy)]
struct Liquid<T> {
    low: T,
    high: T,
    steepness: T,
}

/// One row of `mat_ema_alpha_sparse` with the rates of `compute_liquid_alpha_values_sparse`,
/// computing each rate only where it is used: the result has an entry only where the new row
/// has one, and there it reads the rate and the old bond of that column alone, so the rates of
/// all other columns (most of the chain's n × n sigmoid evaluations) cannot matter. Equal to
/// `ema_alpha_row` over the full rate row (tested). `old` is the old row scattered densely.
///
/// Agreeing with consensus (`diff = 0`) is the common case, and its rate is `at_zero`; the
/// other entries' rates are evaluated [`RATE_LANES`] at a time.
fn ema_liquid_row<T: Num>(
    new: &[(u16, T)],
    old: &[T],
    consensus: &[T],
    (liquid, at_zero): (Liquid<T>, T),
    scratch: &mut RateScratch<T>,
) -> Row<T> {
    let RateScratch { entries, pending } = scratch;
    // Each kept entry's index in `new` and its rate (its `diff` until the rate is in);
    // entries outside `consensus` or `old` are dropped as the chain's `get` drops them.
    entries.clear();
    entries.extend(new.iter().enumerate().filter_map(|(e, &(j, w))| {
        let col = usize::from(j);
        let (&c, &b) = (consensus.get(col)?, old.get(col)?);
        Some((e, combined_diff(c, w, b)))
    }));
    pending.clear();
    for (r, (_, diff)) in entries.iter_mut().enumerate() {
        if diff.is_zero() {
            *diff = at_zero;
        } else {
            pending.push(r);
        }
    }
    for block in pending.chunks(RATE_LANES) {
        let diffs = std::array::from_fn(|k| block.get(k).map_or(T::ZERO, |&r| entries[r].1));
        let rates: [T; RATE_LANES] = sigmoid_rates(diffs, liquid);
        for (&r, &a) in block.iter().zip(&rates) {
            entries[r].1 = a;
        }
    }
    entries
        .iter()
        .filter_map(|&(e, a)| {
            let (j, w) = new[e];
            let b = old[usize::from(j)];
            let decayed = T::ONE.sat_sub(a).sat_mul(b);
            let inc = a.sat_mul(w).max_of(T::ZERO);
            let v = decayed.sat_add(inc).min_of(T::ONE);
            (v > T::ZERO).then_some((j, v))
        })
        .collect()
}

/// Buffers of [`ema_liquid_row`], kept across rows.
#[derive(Default)]
struct RateScratch<T> {
    /// `(index in the row, rate)` of each entry that bonds.
    entries: Vec<(usize, T)>,
    /// Positions in `entries` whose rate needs the sigmoid.
    pending: Vec<usize>,
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
        let liquid = Liquid {
            low: T::from_u16_proportion(params.alpha_low),
            high: T::from_u16_proportion(params.alpha_high),
            steepness: T::from_i64(i64::from(params.alpha_sigmoid_steepness)),
        };
        let at_zero = sigmoid_rate(T::ZERO, liquid.low, liquid.high, liquid.steepness);
        let mut b = vec![T::ZERO; n];
        let mut scratch = RateScratch::default();
        weights_for_bonds
            .iter()
            .zip(&old)
            .map(|(w_row, b_row)| {
                if w_row.is_empty() {
                    return Vec::new();
                }
                scatter(b_row, &mut b);
                ema_liquid_row(w_row, &b, consensus, (liquid, at_zero), &mut scratch)
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

    /// The lazy liquid-alpha row equals the chain's definition (rates for every column, then
    /// `mat_ema_alpha_sparse`) on random rows, explicit zeros, absent entries and the
    /// parameters' extremes included, in I32F32.
    #[test]
    fn lazy_liquid_row_matches_the_chains_definition() {
        use super::super::sparse::ema_alpha_row;
        use proptest::prelude::*;
        type F = I32F32;
        let cell = || prop::option::of(prop_oneof![Just(0u16), any::<u16>()]);
        let strategy = (
            // Rows beyond `RATE_LANES` entries take several blocks of rates.
            prop::collection::vec((cell(), cell(), any::<u16>()), 1..30),
            (any::<u16>(), any::<u16>(), -3000i64..3000),
        );
        proptest!(|((cells, (a, b, s)) in strategy)| {
            let n = cells.len();
            let new: Row<F> = cells.iter().enumerate()
                .filter_map(|(j, c)| c.0.map(|w| (j as u16, F::from_u16_proportion(w)))).collect();
            let old: Row<F> = cells.iter().enumerate()
                .filter_map(|(j, c)| c.1.map(|w| (j as u16, F::from_u16_proportion(w)))).collect();
            let consensus: Vec<F> = cells.iter().map(|c| F::from_u16_proportion(c.2)).collect();
            let (low, high) = (F::from_u16_proportion(a.min(b)), F::from_u16_proportion(a.max(b)));
            let steepness = F::from_i64(s);
            let (mut w, mut bd) = (vec![F::ZERO; n], vec![F::ZERO; n]);
            scatter(&new, &mut w);
            scatter(&old, &mut bd);
            let alpha: Vec<F> = (0..n)
                .map(|j| alpha_sigmoid(consensus[j], w[j], bd[j], low, high, steepness))
                .collect();
            let eager = ema_alpha_row(&new, &old, &alpha, &mut Vec::new());
            let liquid = Liquid { low, high, steepness };
            let at_zero = sigmoid_rate(F::ZERO, low, high, steepness);
            let mut scratch = RateScratch::default();
            let lazy = ema_liquid_row(&new, &bd, &consensus, (liquid, at_zero), &mut scratch);
            prop_assert_eq!(lazy, eager);
        });
    }
}
