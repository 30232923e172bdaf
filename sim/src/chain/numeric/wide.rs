//! The epoch's steps outside I32F32, as the chain computes them: stake in I64F64
//! (`get_stake_weights_for_network`, `inplace_normalize_64`), inherited stake and the TAO
//! weight in U96F32 (`get_inherited_for_hotkey_on_subnet`, `get_tao_weight`), the bonds moving
//! average in I64F64, emission amounts in I96F32.
//!
//! These are the conversions between the chain's integer storage (rao, per-million and
//! `u64::MAX`-fraction parameters) and the epoch's I32F32 world. The [`Num`](super::Num)
//! implementation for I32F32 delegates its wide methods here.

use super::{I32F32, I64F64, I96F32, U96F32};

/// A `u64::MAX`-based fraction `p / (2^64 − 1)` in U96F32, truncated to 32 fraction bits
/// (`get_tao_weight`, and each child/parent proportion of the inherited-stake sums).
pub fn u64_fraction(p: u64) -> U96F32 {
    U96F32::saturating_from_num(p)
        .checked_div(U96F32::saturating_from_num(u64::MAX))
        .unwrap_or(U96F32::from_bits(0))
}

/// A hotkey's inherited stake on a subnet, in rao (`get_inherited_for_hotkey_on_subnet`, and
/// `get_tao_inherited_for_hotkey_on_subnet` on root stakes): `own − Σ own × p_child +
/// Σ parent_own × p_parent` in U96F32 with floored products and saturating sums (the
/// subtraction happens after all children are summed and saturates at 0), then floored to
/// u64. `children` are the proportions this hotkey gives away; `parents` are
/// `(parent's own stake, proportion)` pairs.
pub fn inherited_stake(own: u64, children: &[u64], parents: &[(u64, u64)]) -> u64 {
    let own_fixed = U96F32::saturating_from_num(own);
    let to_children = children.iter().fold(U96F32::from_bits(0), |sum, &p| {
        sum.saturating_add(own_fixed.saturating_mul(u64_fraction(p)))
    });
    let from_parents = parents
        .iter()
        .fold(U96F32::from_bits(0), |sum, &(parent_own, p)| {
            sum.saturating_add(
                U96F32::saturating_from_num(parent_own).saturating_mul(u64_fraction(p)),
            )
        });
    own_fixed
        .saturating_sub(to_children)
        .saturating_add(from_parents)
        .saturating_to_num::<u64>()
}

/// A UID's raw stake weight `α + τ × R` (`get_stake_weights_for_network`): α and R widened to
/// I64F64 (saturating at 2^63), τ = [`u64_fraction`]`(tao_weight)` widened exactly, the
/// product floored and the sum saturating.
pub fn stake_weight(alpha: u64, root: u64, tao_weight: u64) -> I64F64 {
    let tau = I64F64::saturating_from_num(u64_fraction(tao_weight));
    I64F64::saturating_from_num(alpha)
        .saturating_add(I64F64::saturating_from_num(root).saturating_mul(tau))
}

/// `fixed64_to_u64`: floor, negative → 0, saturating.
pub fn fixed64_to_u64(x: I64F64) -> u64 {
    x.saturating_to_num::<u64>()
}

/// `inplace_normalize_64`: each value divided by the sum (truncating; 0 where the quotient
/// overflows, as `safe_div`), nothing done when the sum is 0. The sum is the chain's
/// `iter().sum()`: plain additions, which wrap on overflow in the chain's release build (stakes
/// are far below 2^63 rao, so this never happens with real inputs).
pub fn inplace_normalize_64(x: &mut [I64F64]) {
    let sum = x
        .iter()
        .fold(I64F64::from_bits(0), |sum, &v| sum.wrapping_add(v));
    if sum == I64F64::from_bits(0) {
        return;
    }
    for v in x.iter_mut() {
        *v = v.checked_div(sum).unwrap_or(I64F64::from_bits(0));
    }
}

/// `fixed64_to_fixed32`: drops 32 fraction bits (floor) and saturates at ±2^31.
pub fn fixed64_to_fixed32(x: I64F64) -> I32F32 {
    I32F32::saturating_from_num(x)
}

/// The fixed bonds EMA coefficient `1 − I32F32(I64F64(bma) / 10^6)`
/// (`compute_disabled_liquid_alpha`, `compute_ema_bonds_normal_sparse`), saturating.
///
/// The two chain functions differ only outside realistic inputs: the Yuma 3 one uses
/// `from_num` (which panics when `bma > i64::MAX` or `bma / 10^6 >= 2^31`) where the classic one
/// saturates; this is the saturating form. `bma = 900_000` gives exactly
/// `I32F32::from_num(0.1)` (`test_math_fixed_overflow`).
pub fn bonds_ema_alpha(bonds_moving_average: u64) -> I32F32 {
    let bma = I64F64::saturating_from_num(bonds_moving_average)
        .saturating_div(I64F64::saturating_from_num(1_000_000));
    I32F32::saturating_from_num(1).saturating_sub(I32F32::saturating_from_num(bma))
}

/// An emission amount in rao: `floor(I96F32(share) × I96F32(rao_emission))`, negative → 0
/// (`epoch_mechanism`: server, validator and combined emission).
pub fn emission_rao(share: I32F32, rao_emission: u64) -> u64 {
    I96F32::saturating_from_num(share)
        .saturating_mul(I96F32::saturating_from_num(rao_emission))
        .saturating_to_num::<u64>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `test_math_fixed_overflow` (st/tests/math.rs, ASSERTED):
    /// `1 − I32F32(I64F64(900000) / I64F64(1e6)) == I32F32::from_num(0.1)`, and
    /// `1 − I32F32(max/max) == 0`.
    #[test]
    fn v19_fixed_overflow() {
        assert_eq!(bonds_ema_alpha(900_000), I32F32::from_num(0.1));
        let max_32 = I64F64::from_num(I32F32::max_value());
        let ratio = max_32 / max_32;
        assert_eq!(
            I32F32::from_num(1) - fixed64_to_fixed32(ratio),
            I32F32::from_num(0)
        );
        assert_eq!(bonds_ema_alpha(1_000_000), I32F32::from_num(0));
        // V8 (test_yuma_3_*): BondsMovingAverage 975_000 is the fixed α = 0.025.
        assert!((bonds_ema_alpha(975_000).to_num::<f64>() - 0.025).abs() < 1e-9);
        // Saturation instead of the chain's panic for absurd parameters.
        // (I64F64 saturates at 2^63, the quotient ≈ 9.2e12 saturates I32F32 at its max).
        assert_eq!(
            bonds_ema_alpha(u64::MAX),
            I32F32::from_num(1) - I32F32::max_value()
        );
    }

    /// `test_math_u64_normalization` (st/tests/math.rs, ASSERTED): rao over the supply in
    /// I64F64, then narrowed to I32F32.
    #[test]
    fn v19_u64_normalization() {
        let supply = I64F64::from_num(21_000_000_000_000_000_u64);
        let min_frac = I64F64::from_num(1) / supply;
        assert_eq!(min_frac, I64F64::from_num(0.000_000_000_000_000_047_6));
        assert_eq!(fixed64_to_fixed32(min_frac), I32F32::from_num(0));
        let min32_frac = I64F64::from_num(4_889_444) / supply;
        assert_eq!(min32_frac, I64F64::from_num(0.000_000_000_232_830_666_64));
        assert_eq!(
            fixed64_to_fixed32(min32_frac),
            I32F32::from_num(0.000_000_000_2)
        );
        let half = I64F64::from_num(10_500_000_000_000_000_u64) / supply;
        assert_eq!(half, I64F64::from_num(0.5));
        assert_eq!(fixed64_to_fixed32(half), I32F32::from_num(0.5));
        assert_eq!(fixed64_to_fixed32(supply / supply), I32F32::from_num(1));
        // The same through the normalisation the epoch uses.
        let mut stakes = [
            I64F64::from_num(1),
            I64F64::from_num(21_000_000_000_000_000_u64 - 1),
        ];
        inplace_normalize_64(&mut stakes);
        assert_eq!(stakes[0], min_frac);
        assert_eq!(fixed64_to_fixed32(stakes[0]), I32F32::from_num(0));
    }

    /// `test_vec_fixed64_to_fixed32` (ASSERTED): the I32F32 extremes survive narrowing.
    #[test]
    fn narrowing_extremes_and_floor() {
        for v in [i32::MIN, i32::MAX] {
            assert_eq!(fixed64_to_fixed32(I64F64::from_num(v)), I32F32::from_num(v));
        }
        // Narrowing floors: −2^-64 becomes −2^-32, +2^-64 becomes 0.
        assert_eq!(
            fixed64_to_fixed32(I64F64::from_bits(-1)),
            I32F32::from_bits(-1)
        );
        assert_eq!(
            fixed64_to_fixed32(I64F64::from_bits(1)),
            I32F32::from_bits(0)
        );
        // And saturates beyond ±2^31.
        assert_eq!(
            fixed64_to_fixed32(I64F64::from_num(1_u64 << 40)),
            I32F32::max_value()
        );
        assert_eq!(
            fixed64_to_fixed32(I64F64::from_num(-(1_i64 << 40))),
            I32F32::min_value()
        );
    }

    /// Stake normalisation of V1 (`test_bonds`: alpha stake [1, 2, 3, 4, 0, 0, 0, 0]); the
    /// emission amounts of its first epoch (DERIVED, test-vectors.md V1 block 1: the stake
    /// fallback gives [99999999, 199999999, 299999999, 399999999, 0, …] of 1e9 rao).
    #[test]
    fn v1_stake_and_fallback_emission() {
        let mut raw: Vec<I64F64> = [1_u64, 2, 3, 4, 0, 0, 0, 0]
            .iter()
            .map(|&a| stake_weight(a, 0, 0))
            .collect();
        inplace_normalize_64(&mut raw);
        let stake: Vec<I32F32> = raw.iter().map(|&s| fixed64_to_fixed32(s)).collect();
        let rao: Vec<u64> = stake
            .iter()
            .map(|&s| emission_rao(s, 1_000_000_000))
            .collect();
        assert_eq!(
            rao,
            [
                99_999_999,
                199_999_999,
                299_999_999,
                399_999_999,
                0,
                0,
                0,
                0
            ]
        );
        // All-zero stake stays all zero (the sum is 0: nothing is divided).
        let mut zeros = [I64F64::from_bits(0); 3];
        inplace_normalize_64(&mut zeros);
        assert_eq!(zeros, [I64F64::from_bits(0); 3]);
    }

    /// τ keeps 32 fraction bits: TaoWeight = u64::MAX is exactly 1, 0 is 0, and half of it is
    /// 0.5 truncated to 2^-32.
    #[test]
    fn tao_weight_fraction() {
        assert_eq!(u64_fraction(u64::MAX), U96F32::from_num(1));
        assert_eq!(u64_fraction(0), U96F32::from_num(0));
        assert_eq!(u64_fraction(u64::MAX / 2), U96F32::from_bits((1 << 31) - 1));
        assert_eq!(stake_weight(5, 7, u64::MAX), I64F64::from_num(12));
        assert_eq!(stake_weight(5, 7, 0), I64F64::from_num(5));
        // Saturation at 2^63 instead of wrapping.
        assert_eq!(
            stake_weight(u64::MAX, u64::MAX, u64::MAX),
            I64F64::max_value()
        );
        assert_eq!(fixed64_to_u64(I64F64::from_num(-3)), 0);
        assert_eq!(fixed64_to_u64(I64F64::from_num(2.75)), 2);
    }

    /// Inherited stake: a child taking half of 1000 and a parent giving a quarter of 400.
    #[test]
    fn inherited_stake_sums() {
        // 2^63 / (2^64 − 1) is 0.5 plus ~2^-65, truncated to exactly 0.5; likewise 0.25.
        let half = 1_u64 << 63;
        let quarter = 1_u64 << 62;
        assert_eq!(u64_fraction(half), U96F32::from_num(0.5));
        assert_eq!(inherited_stake(1000, &[], &[]), 1000);
        assert_eq!(inherited_stake(1000, &[half], &[]), 500);
        assert_eq!(inherited_stake(1000, &[half], &[(400, quarter)]), 600);
        // One below: the fractions truncate to 0.5 − 2^-32 and 0.25 − 2^-32. The child's cut is
        // 499.99999977, leaving 500.00000023; the parent's share alone is 99.99999991 → 99.
        assert_eq!(inherited_stake(1000, &[half - 1], &[]), 500);
        assert_eq!(inherited_stake(0, &[], &[(400, quarter - 1)]), 99);
        assert_eq!(
            inherited_stake(1000, &[half - 1], &[(400, quarter - 1)]),
            600
        );
        // Giving away more than everything saturates at 0.
        assert_eq!(inherited_stake(1000, &[u64::MAX, u64::MAX], &[]), 0);
        assert_eq!(
            inherited_stake(u64::MAX, &[], &[(u64::MAX, u64::MAX)]),
            u64::MAX
        );
    }

    /// Emission amounts floor and clamp.
    #[test]
    fn emission_amounts() {
        assert_eq!(
            emission_rao(I32F32::from_num(0.5), 1_000_000_001),
            500_000_000
        );
        assert_eq!(emission_rao(I32F32::from_num(1), u64::MAX), u64::MAX);
        assert_eq!(emission_rao(I32F32::from_num(-0.5), 1_000), 0);
        assert_eq!(emission_rao(I32F32::max_value(), u64::MAX), u64::MAX);
    }

    proptest! {
        /// No input panics; normalised realistic stakes (each part at most the 21e15 rao
        /// supply) are in [0, 1] and sum to at most 1.
        #[test]
        fn total_and_bounded(
            stakes in proptest::collection::vec(
                (0..=21_000_000_000_000_000_u64, 0..=21_000_000_000_000_000_u64, any::<u64>()),
                0..40,
            ),
            any_bits in proptest::collection::vec(any::<i128>(), 0..10),
            bma in any::<u64>(),
            share in any::<i64>(),
            rao in any::<u64>(),
        ) {
            let mut raw: Vec<I64F64> =
                stakes.iter().map(|&(a, r, t)| stake_weight(a, r, t)).collect();
            inplace_normalize_64(&mut raw);
            let narrowed: Vec<I32F32> = raw.iter().map(|&s| fixed64_to_fixed32(s)).collect();
            let total = narrowed.iter().fold(I32F32::from_bits(0), |s, &v| s.saturating_add(v));
            prop_assert!(total <= I32F32::from_num(1));
            prop_assert!(narrowed.iter().all(|&v| v >= I32F32::from_bits(0)));
            let mut arbitrary: Vec<I64F64> = any_bits.iter().map(|&b| I64F64::from_bits(b)).collect();
            inplace_normalize_64(&mut arbitrary);
            let _ = bonds_ema_alpha(bma);
            let _ = emission_rao(I32F32::from_bits(share), rao);
            let _ = inherited_stake(rao, &[bma, rao], &[(bma, rao)]);
            let mut huge: Vec<I64F64> =
                [bma, rao, u64::MAX].iter().map(|&v| stake_weight(v, v, v)).collect();
            inplace_normalize_64(&mut huge);
        }
    }
}
