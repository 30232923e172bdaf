//! The chain's base-2 logarithm on I96F32: `substrate_fixed::transcendental::log2`,
//! re-implemented on the raw bits.
//!
//! Block emission (spec §3.1) takes `floor(log2(1 / (1 − I/21e15)))` as the halving level, so
//! a one-ulp error near an integer would move a halving. The algorithm is the classic
//! bit-by-bit one: halve `x` (with a rounding shift) until it is below 2, counting the halvings
//! as the integer part; then 32 times square `x` (floored) and, if the square reached 2, emit
//! a 1 bit and halve again (rounding). Arguments below 1 are inverted with a truncating
//! division and the result negated.

use super::I96F32;

/// Number of fraction bits of I96F32.
const FRAC: u32 = 32;
/// Bits of 1.0 in I96F32.
const ONE_BITS: i128 = 1 << FRAC;
/// Bits of 2.0 in I96F32.
const TWO_BITS: i128 = 2 << FRAC;

/// The right shift with rounding of the crate (`rs`): `(x >> 1) + (x & 1)` on the bits.
fn shift_round(bits: i128) -> i128 {
    (bits >> 1) + (bits & 1)
}

/// log2 of a value `>= 1` (bits), as bits.
fn log2_at_least_one(mut x: i128) -> i128 {
    let mut result: i128 = 0;
    while x >= TWO_BITS {
        result += 1;
        x = shift_round(x);
    }
    if x == ONE_BITS {
        // An exact power of two: the integer count is the answer.
        return result << FRAC;
    }
    for _ in 0..FRAC {
        // x < 2, so x² < 4 fits easily; the fixed-point product floors.
        x = (x * x) >> FRAC;
        result <<= 1;
        if x >= TWO_BITS {
            result |= 1;
            x = shift_round(x);
        }
    }
    result
}

/// `log2::<I96F32, I96F32>` of the chain; `None` where the crate returns `Err` (a non-positive
/// argument).
pub fn log2_fixed(x: I96F32) -> Option<I96F32> {
    let bits = x.to_bits();
    if bits <= 0 {
        return None;
    }
    if bits < ONE_BITS {
        // 1 / x, truncated: (1 << 32 << 32) / bits, at most 2^64, so it cannot overflow.
        let inverse = (ONE_BITS << FRAC) / bits;
        return Some(I96F32::from_bits(-log2_at_least_one(inverse)));
    }
    Some(I96F32::from_bits(log2_at_least_one(bits)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use substrate_fixed::transcendental;

    fn crate_log2(x: I96F32) -> Option<I96F32> {
        transcendental::log2::<I96F32, I96F32>(x).ok()
    }

    /// Powers of two are exact; non-positive arguments fail, as in the crate.
    #[test]
    fn exact_powers_and_domain() {
        for k in 0..90 {
            let x = I96F32::from_bits(ONE_BITS << k);
            assert_eq!(log2_fixed(x), Some(I96F32::from_num(k)));
        }
        for k in 1..=32 {
            let x = I96F32::from_bits(ONE_BITS >> k);
            assert_eq!(log2_fixed(x), Some(I96F32::from_num(-k)));
        }
        assert_eq!(log2_fixed(I96F32::from_num(0)), None);
        assert_eq!(log2_fixed(I96F32::from_num(-3)), None);
        assert_eq!(crate_log2(I96F32::from_num(0)), None);
    }

    /// Against `f64::log2`: the bit-by-bit result is within a few ulps.
    #[test]
    fn close_to_float() {
        for v in [1.5, 3.0, 10.0, 1e6, 0.3, 1.000_001] {
            let got = log2_fixed(I96F32::from_num(v)).unwrap().to_num::<f64>();
            assert!((got - f64::log2(v)).abs() < 1e-8, "{v}: {got}");
        }
    }

    proptest! {
        /// Bit for bit the crate's log2, over the whole positive range of I96F32 …
        #[test]
        fn matches_crate_everywhere(bits in 1..=i128::MAX) {
            let x = I96F32::from_bits(bits);
            prop_assert_eq!(log2_fixed(x), crate_log2(x));
        }

        /// … over `[1, 2^33)`, where block emission evaluates it (1/(1 − q) <= 2^32) …
        #[test]
        fn matches_crate_emission_range(bits in ONE_BITS..(ONE_BITS << 33)) {
            let x = I96F32::from_bits(bits);
            prop_assert_eq!(log2_fixed(x), crate_log2(x));
        }

        /// … and below 1, through the inversion.
        #[test]
        fn matches_crate_below_one(bits in 1..ONE_BITS) {
            let x = I96F32::from_bits(bits);
            prop_assert_eq!(log2_fixed(x), crate_log2(x));
        }
    }
}
