//! The chain's block emission formula in I96F32 (`st/coinbase/block_emission.rs:
//! get_block_emission_for_issuance`, spec §3.1), step by step as the chain evaluates it.
//!
//! The engine's integer version ([`crate::chain::emission::block_emission`]) jumps straight to
//! `floor(10^9 / 2^k)` with integer thresholds; the tests here prove that this fixed-point
//! formula, with the chain's own log2, gives exactly those numbers at every halving threshold.

use super::{I96F32, log2_fixed};
use crate::chain::emission::{DEFAULT_BLOCK_EMISSION, MAX_SUPPLY_RAO};

/// Why [`block_emission_for_issuance`] failed (the chain's `Err("Logarithm calculation
/// failed")`). Unreachable for issuances below the cap, kept so the port stays total.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogarithmFailed;

/// TAO (or alpha) block emission in rao for an issuance in rao, as the chain computes it:
///
/// `q = I / (2 × 10.5e15)` (truncating division), `k = floor(log2(1 / (1 − q)))`,
/// `2^k` by repeated saturating doubling, and `floor((1 / 2^k) × 10^9)`; 0 from 21e15 on.
pub fn block_emission_for_issuance(issuance: u64) -> Result<u64, LogarithmFailed> {
    let total_issuance = I96F32::saturating_from_num(issuance);
    if total_issuance >= I96F32::saturating_from_num(MAX_SUPPLY_RAO) {
        return Ok(0);
    }
    let one = I96F32::saturating_from_num(1);
    // The chain spells the supply as 2.0 × 10_500_000_000_000_000.0 (float literals, both exact
    // in f64 and in I96F32).
    let supply = I96F32::saturating_from_num(2.0_f64)
        .saturating_mul(I96F32::saturating_from_num(10_500_000_000_000_000.0_f64));
    let fraction = total_issuance.checked_div(supply).ok_or(LogarithmFailed)?;
    let remaining = one.checked_sub(fraction).ok_or(LogarithmFailed)?;
    let inverse = one.checked_div(remaining).ok_or(LogarithmFailed)?;
    let residual = log2_fixed(inverse).ok_or(LogarithmFailed)?;
    let level: u64 = residual.floor().saturating_to_num::<u64>();
    let two = I96F32::saturating_from_num(2);
    let mut multiplier = one;
    // At most 96 doublings reach the saturation bound; later ones change nothing, so the loop
    // is capped there (the chain loops `level` times, which is at most 32 below the cap).
    for _ in 0..level.min(128) {
        multiplier = multiplier.saturating_mul(two);
    }
    let percentage = one.checked_div(multiplier).unwrap_or(I96F32::from_bits(0));
    let emission = percentage.saturating_mul(I96F32::saturating_from_num(DEFAULT_BLOCK_EMISSION));
    Ok(emission.saturating_to_num::<u64>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::emission::{block_emission, halving_threshold};
    use proptest::prelude::*;
    use substrate_fixed::transcendental;

    /// The table of `shared/reference/subtensor-mechanics.md` §3.3: `(k, T_k, e_k)`.
    const SPEC_TABLE: [(u32, u64, u64); 31] = [
        (0, 0, 1_000_000_000),
        (1, 10_500_000_000_000_000, 500_000_000),
        (2, 15_750_000_000_000_000, 250_000_000),
        (3, 18_375_000_000_000_000, 125_000_000),
        (4, 19_687_500_000_000_000, 62_500_000),
        (5, 20_343_750_000_000_000, 31_250_000),
        (6, 20_671_875_000_000_000, 15_625_000),
        (7, 20_835_937_500_000_000, 7_812_500),
        (8, 20_917_968_750_000_000, 3_906_250),
        (9, 20_958_984_375_000_000, 1_953_125),
        (10, 20_979_492_187_500_000, 976_562),
        (11, 20_989_746_093_750_000, 488_281),
        (12, 20_994_873_046_875_000, 244_140),
        (13, 20_997_436_523_437_500, 122_070),
        (14, 20_998_718_261_718_750, 61_035),
        (15, 20_999_359_130_859_375, 30_517),
        (16, 20_999_679_565_429_688, 15_258),
        (17, 20_999_839_782_714_844, 7_629),
        (18, 20_999_919_891_357_422, 3_814),
        (19, 20_999_959_945_678_711, 1_907),
        (20, 20_999_979_972_839_356, 953),
        (21, 20_999_989_986_419_678, 476),
        (22, 20_999_994_993_209_839, 238),
        (23, 20_999_997_496_604_920, 119),
        (24, 20_999_998_748_302_460, 59),
        (25, 20_999_999_374_151_230, 29),
        (26, 20_999_999_687_075_615, 14),
        (27, 20_999_999_843_537_808, 7),
        (28, 20_999_999_921_768_904, 3),
        (29, 20_999_999_960_884_452, 1),
        (30, 20_999_999_980_442_226, 0),
    ];

    /// The same formula evaluated with the crate's own `log2` (what the chain links), to show
    /// that our log2 is not what makes the thresholds come out right.
    fn with_crate_log2(issuance: u64) -> u64 {
        let total = I96F32::saturating_from_num(issuance);
        if total >= I96F32::saturating_from_num(MAX_SUPPLY_RAO) {
            return 0;
        }
        let one = I96F32::from_num(1);
        let supply = I96F32::from_num(21_000_000_000_000_000_u64);
        let inverse = one / (one - total / supply);
        let residual: I96F32 = transcendental::log2(inverse).unwrap();
        let level = residual.floor().to_num::<u32>();
        let emission = (one / I96F32::from_num(1_u128 << level)) * I96F32::from_num(1_000_000_000);
        emission.to_num::<u64>()
    }

    /// The check: at every halving threshold `T_k` (k = 0..=31) the chain's
    /// fixed-point formula emits `e_k`, and one rao below it `e_{k−1}` — the numbers of the
    /// spec §3.3 table and of the engine's integer `block_emission`.
    #[test]
    fn emission_at_every_halving_threshold_matches_spec_table() {
        for (k, threshold, emission) in SPEC_TABLE {
            assert_eq!(halving_threshold(k), threshold, "T_{k} of the table");
            assert_eq!(
                block_emission_for_issuance(threshold),
                Ok(emission),
                "e_{k} at T_{k}"
            );
        }
        for k in 0..=31_u32 {
            let threshold = halving_threshold(k);
            let at = block_emission_for_issuance(threshold).unwrap();
            assert_eq!(at, block_emission(threshold), "level {k} at T_k");
            assert_eq!(
                at,
                (DEFAULT_BLOCK_EMISSION >> k),
                "level {k}: floor(1e9 / 2^k)"
            );
            assert_eq!(at, with_crate_log2(threshold), "level {k}, crate log2");
            if k > 0 {
                let below = block_emission_for_issuance(threshold - 1).unwrap();
                assert_eq!(below, block_emission(threshold - 1), "level {k} at T_k − 1");
                assert_eq!(
                    below,
                    DEFAULT_BLOCK_EMISSION >> (k - 1),
                    "level {k} at T_k − 1"
                );
                assert_eq!(
                    below,
                    with_crate_log2(threshold - 1),
                    "level {k} − 1, crate log2"
                );
            }
        }
    }

    /// At and above the supply cap the emission is 0; just below it too (level >= 30).
    #[test]
    fn cap() {
        assert_eq!(block_emission_for_issuance(MAX_SUPPLY_RAO), Ok(0));
        assert_eq!(block_emission_for_issuance(u64::MAX), Ok(0));
        assert_eq!(block_emission_for_issuance(MAX_SUPPLY_RAO - 1), Ok(0));
    }

    proptest! {
        /// For any issuance the fixed-point formula equals the engine's integer rule.
        #[test]
        fn equals_integer_rule(issuance in any::<u64>()) {
            prop_assert_eq!(block_emission_for_issuance(issuance), Ok(block_emission(issuance)));
        }

        /// Same, concentrated on the late levels where thresholds are ceilings.
        #[test]
        fn equals_integer_rule_near_cap(below in 0..20_000_000_000_u64) {
            let issuance = MAX_SUPPLY_RAO - 1 - below;
            prop_assert_eq!(block_emission_for_issuance(issuance), Ok(block_emission(issuance)));
            prop_assert_eq!(block_emission_for_issuance(issuance).unwrap(), with_crate_log2(issuance));
        }
    }
}
