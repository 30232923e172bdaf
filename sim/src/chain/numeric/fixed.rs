//! [`Num`] for the chain's I32F32: each method is the `substrate-fixed` operation the chain calls,
//! so results are bit-exact by construction (the crate is the chain's own dependency, v0.6.0).
//!
//! Rounding, as the chain does it (spec §0.2): products floor (toward −∞, also for negative
//! products), quotients truncate (toward 0), narrowing conversions floor, float literals round
//! to nearest, integer conversions truncate. The only deviations are where the chain would
//! panic or wrap on overflow; those are documented on the trait and saturate here instead.

use super::{I32F32, I64F64, Num, exp_safe_lanes, wide};

/// `u16::MAX` as I32F32, the divisor and factor of the u16-proportion conversions.
const U16_MAX: I32F32 = I32F32::from_bits(65_535 << 32);

impl Num for I32F32 {
    type Wide = I64F64;

    const ZERO: I32F32 = I32F32::from_bits(0);
    const ONE: I32F32 = I32F32::from_bits(1 << 32);

    fn from_u16(v: u16) -> I32F32 {
        I32F32::from_num(v)
    }

    fn from_u16_proportion(v: u16) -> I32F32 {
        I32F32::from_num(v).safe_div(U16_MAX)
    }

    fn to_u16_proportion(self) -> u16 {
        self.saturating_mul(U16_MAX).saturating_to_num::<u16>()
    }

    fn to_u16(self) -> u16 {
        self.saturating_to_num::<u16>()
    }

    fn from_u64(v: u64) -> I32F32 {
        I32F32::saturating_from_num(v)
    }

    fn from_i64(v: i64) -> I32F32 {
        I32F32::saturating_from_num(v)
    }

    fn to_u64(self) -> u64 {
        self.saturating_to_num::<u64>()
    }

    fn from_f64(v: f64) -> I32F32 {
        if v.is_nan() {
            I32F32::ZERO
        } else {
            I32F32::saturating_from_num(v)
        }
    }

    fn to_f64(self) -> f64 {
        self.to_num::<f64>()
    }

    fn sat_add(self, rhs: I32F32) -> I32F32 {
        self.saturating_add(rhs)
    }

    fn sat_sub(self, rhs: I32F32) -> I32F32 {
        self.saturating_sub(rhs)
    }

    fn sat_mul(self, rhs: I32F32) -> I32F32 {
        self.saturating_mul(rhs)
    }

    fn mul_or_zero(self, rhs: I32F32) -> I32F32 {
        self.checked_mul(rhs).unwrap_or(I32F32::ZERO)
    }

    fn div_checked(self, rhs: I32F32) -> Option<I32F32> {
        // The epoch divides proportions by sums: both non-negative and the dividend below
        // 2^31 bits (0.5), so `dividend << 32` fits a u64 and one hardware division gives the
        // truncated quotient the crate computes in 128 bits (a software division several
        // times slower). Equal to `checked_div` (tested); every other case goes to the crate.
        let (a, b) = (self.to_bits(), rhs.to_bits());
        if (0..1 << 31).contains(&a) && b > 0 {
            let quotient = ((a as u64) << 32) / b as u64;
            return i64::try_from(quotient).ok().map(I32F32::from_bits);
        }
        self.checked_div(rhs)
    }

    fn sat_div(self, rhs: I32F32) -> I32F32 {
        if rhs == I32F32::ZERO {
            return if self > I32F32::ZERO {
                I32F32::max_value()
            } else if self < I32F32::ZERO {
                I32F32::min_value()
            } else {
                I32F32::ZERO
            };
        }
        self.saturating_div(rhs)
    }

    fn min_of(self, rhs: I32F32) -> I32F32 {
        Ord::min(self, rhs)
    }

    fn max_of(self, rhs: I32F32) -> I32F32 {
        Ord::max(self, rhs)
    }

    fn exp_safe_lanes<const N: usize>(x: [I32F32; N]) -> [I32F32; N] {
        exp_safe_lanes(x)
    }

    fn round_away(self) -> I32F32 {
        self.saturating_round()
    }

    fn sum_of<I: IntoIterator<Item = I32F32>>(values: I) -> I32F32 {
        values
            .into_iter()
            .fold(I32F32::ZERO, |sum, v| sum.wrapping_add(v))
    }

    fn wide_stake(alpha: u64, root: u64, tao_weight: u64) -> I64F64 {
        wide::stake_weight(alpha, root, tao_weight)
    }

    fn wide_to_u64(x: I64F64) -> u64 {
        wide::fixed64_to_u64(x)
    }

    fn normalize_wide(x: &[I64F64], out: &mut Vec<I32F32>) {
        let mut normalized = x.to_vec();
        wide::inplace_normalize_64(&mut normalized);
        out.clear();
        out.extend(normalized.into_iter().map(wide::fixed64_to_fixed32));
    }

    fn bonds_ema_alpha(bonds_moving_average: u64) -> I32F32 {
        wide::bonds_ema_alpha(bonds_moving_average)
    }

    fn emission_rao(share: I32F32, rao_emission: u64) -> u64 {
        wide::emission_rao(share, rao_emission)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type F = I32F32;

    fn bits(b: i64) -> F {
        F::from_bits(b)
    }

    /// `f32` literal → I32F32 as the chain's tests do (`fixed(val: f32)`, `vec_to_fixed`):
    /// round to nearest. f32 → f64 is exact, so `from_f64` gives the same bits.
    fn fixed(v: f32) -> F {
        F::from_f64(f64::from(v))
    }

    /// Products floor, also when negative; quotients truncate toward zero (spec §0.2).
    #[test]
    fn floor_multiplication_truncating_division() {
        let ulp = bits(1);
        let half = F::from_num(0.5);
        // +ulp × 0.5 = 2^-33 → floor 0; −ulp × 0.5 = −2^-33 → floor −ulp (not 0).
        assert_eq!(ulp.sat_mul(half), F::ZERO);
        assert_eq!((-ulp).sat_mul(half), -ulp);
        assert_eq!(half.sat_mul(-ulp), -ulp);
        // Quotients truncate: ±ulp / 2 → 0 either way.
        assert_eq!(ulp.safe_div(F::from_num(2)), F::ZERO);
        assert_eq!((-ulp).safe_div(F::from_num(2)), F::ZERO);
        // −1/3: truncation gives −0x55555555 bits, floor would give one more ulp.
        assert_eq!(
            F::from_num(-1).safe_div(F::from_num(3)).to_bits(),
            -0x5555_5555
        );
        assert_eq!(
            F::from_num(1).safe_div(F::from_num(-3)).to_bits(),
            -0x5555_5555
        );
        // −(1/3) × 3 floors to −1 exactly? −0x55555555 × 3 = −0xFFFFFFFF: exact, −1 + ulp.
        assert_eq!(
            bits(-0x5555_5555).sat_mul(F::from_num(3)),
            F::from_num(-1) + ulp
        );
        // The liquid-alpha argument (s / −100) × (δ − 0.5) has negative factors: floor.
        let z = F::from_num(1000)
            .sat_div(F::from_num(-100))
            .sat_mul(bits(3).sat_sub(half));
        // −10 × (3 ulp − 0.5) = 5 − 30 ulp exactly (no rounding needed).
        assert_eq!(z, F::from_num(5) - bits(30));
        let z = bits(-7).sat_mul(bits(3).sat_sub(half));
        // −7 ulp × (−0.5 + 3 ulp) = 3.5 ulp − tiny → floor 3 ulp.
        assert_eq!(z, bits(3));
    }

    /// Conversions to integers truncate (floor for non-negative), negative → 0 for unsigned
    /// targets, and saturate; `round` is half away from zero.
    #[test]
    fn integer_conversions_and_round() {
        assert_eq!(F::from_num(2.999_999).to_u64(), 2);
        assert_eq!(F::from_num(-0.5).to_u64(), 0);
        assert_eq!(F::max_value().to_u64(), (1 << 31) - 1);
        assert_eq!(F::from_num(70_000).to_u16(), u16::MAX);
        assert_eq!(F::from_num(-1).to_u16(), 0);
        assert_eq!(F::from_num(2.5).round_away(), F::from_num(3));
        assert_eq!(F::from_num(-2.5).round_away(), F::from_num(-3));
        assert_eq!(F::from_num(-0.5).round_away(), F::from_num(-1));
        assert_eq!(F::from_num(0.499_999).round_away(), F::ZERO);
        // Where the chain's release build would wrap, this saturates.
        assert_eq!(F::max_value().round_away(), F::max_value());
        assert_eq!(F::min_value().round_away(), F::min_value());
        // Integer constructors saturate at ±2^31.
        assert_eq!(F::from_u64(u64::MAX), F::max_value());
        assert_eq!(F::from_u64(1 << 31), F::max_value());
        assert_eq!(F::from_u64((1 << 31) - 1), F::from_num((1_i64 << 31) - 1));
        assert_eq!(F::from_i64(i64::MIN), F::min_value());
        assert_eq!(F::from_i64(-(1 << 31)), F::min_value());
        assert_eq!(F::from_f64(f64::NAN), F::ZERO);
        assert_eq!(F::from_f64(f64::INFINITY), F::max_value());
        assert_eq!(F::from_f64(f64::NEG_INFINITY), F::min_value());
    }

    /// Saturation at the bounds, and the two "return 0" rules of the chain: `safe_div` on a zero
    /// divisor *or* an overflowing quotient, `checked_mul(..).unwrap_or_default()` on overflow.
    #[test]
    fn saturation_at_bounds() {
        let ulp = bits(1);
        assert_eq!(F::max_value().sat_add(ulp), F::max_value());
        assert_eq!(F::min_value().sat_sub(ulp), F::min_value());
        assert_eq!(F::max_value().sat_mul(F::from_num(2)), F::max_value());
        assert_eq!(F::max_value().sat_mul(F::from_num(-2)), F::min_value());
        assert_eq!(F::min_value().sat_mul(F::from_num(-1)), F::max_value());
        assert_eq!(F::max_value().mul_or_zero(F::from_num(2)), F::ZERO);
        assert_eq!(F::from_num(3).mul_or_zero(F::from_num(2)), F::from_num(6));
        // 1 / ulp = 2^32 does not fit: checked_div is None, safe_div 0, sat_div MAX.
        assert_eq!(F::ONE.div_checked(ulp), None);
        assert_eq!(F::ONE.safe_div(ulp), F::ZERO);
        assert_eq!(F::ONE.safe_div_or(ulp, F::from_num(7)), F::from_num(7));
        assert_eq!(F::ONE.sat_div(ulp), F::max_value());
        assert_eq!(F::ONE.sat_div(-ulp), F::min_value());
        // Zero divisors.
        assert_eq!(F::ONE.safe_div(F::ZERO), F::ZERO);
        assert_eq!(F::ONE.safe_div_or(F::ZERO, F::ONE), F::ONE);
        assert_eq!(F::ONE.sat_div(F::ZERO), F::max_value());
        assert_eq!((-F::ONE).sat_div(F::ZERO), F::min_value());
        assert_eq!(F::ZERO.sat_div(F::ZERO), F::ZERO);
        // u16 proportions saturate at both ends.
        assert_eq!(F::max_value().to_u16_proportion(), u16::MAX);
        assert_eq!(F::from_num(1.5).to_u16_proportion(), u16::MAX);
        assert_eq!(F::from_num(-0.5).to_u16_proportion(), 0);
        assert_eq!(F::min_value().to_u16_proportion(), 0);
        // The chain's sum wraps (release build); the saturating fold does not.
        assert_eq!(F::sum_of([F::max_value(), ulp]), F::min_value());
        assert_eq!(F::sat_sum([F::max_value(), ulp]), F::max_value());
        // clamp_value = min(high) then max(low): an inverted range yields `low`, no panic.
        assert_eq!(
            F::from_num(5).clamp_value(F::from_num(2), F::from_num(1)),
            F::from_num(2)
        );
        assert_eq!(
            F::from_num(0.5).clamp_value(F::ZERO, F::ONE),
            F::from_num(0.5)
        );
        assert_eq!(F::from_num(-0.5).clamp_value(F::ZERO, F::ONE), F::ZERO);
    }

    /// u16 proportions: `v / 65535` truncates, and `trunc(x × 65535)` of it gives `v − 1` for
    /// every `0 < v < 65535` (the product floors below the integer). This is the one-unit
    /// drift of stored bonds per epoch of spec §9.1 / test-vectors.md V1 (12603 → 12602 → …).
    #[test]
    fn u16_proportion_round_trip_drops_one_unit() {
        assert_eq!(F::from_u16_proportion(0), F::ZERO);
        assert_eq!(F::from_u16_proportion(u16::MAX), F::ONE);
        assert_eq!(F::ZERO.to_u16_proportion(), 0);
        assert_eq!(F::ONE.to_u16_proportion(), u16::MAX);
        for v in 1..u16::MAX {
            let x = F::from_u16_proportion(v);
            // The truncated quotient: floor(v × 2^32 / 65535).
            assert_eq!(x.to_bits(), ((i64::from(v)) << 32) / 65_535, "{v}");
            assert_eq!(x.to_u16_proportion(), v - 1, "{v}");
        }
        // V1: a stored bond of 12603 reads back as 12602 if nothing else changes.
        assert_eq!(F::from_u16_proportion(12_603).to_u16_proportion(), 12_602);
        // Raw u16 loads are exact integers.
        assert_eq!(F::from_u16(65_535), U16_MAX);
        assert_eq!(F::from_u16(65_535).to_u16(), 65_535);
    }

    /// The float round trip `trunc(v / 65535 × 65535)` in f64 mode, for reference: exactly
    /// `v` for every v (f64 rounding lands on the integer), so f64 mode has no one-unit drift.
    #[test]
    fn f64_u16_proportion_round_trip_is_exact() {
        for v in 0..=u16::MAX {
            assert_eq!(f64::from_u16_proportion(v).to_u16_proportion(), v, "{v}");
        }
    }

    /// Conversions the weighted median depends on (spec §1.8; test-vectors.md V19
    /// `test_math_weighted_median`, inputs as f32 literals rounded to nearest).
    #[test]
    fn weighted_median_conversions() {
        // κ = I32F32(32767) / I32F32(65535), truncated: bits floor(32767 × 2^32 / 65535).
        let kappa = F::from_u16_proportion(32_767);
        assert_eq!(kappa.to_bits(), (32_767_i64 << 32) / 65_535);
        assert_eq!(kappa.to_bits(), 2_147_450_879);
        // 32767 / 65535 = 0.4999923704890516…, less than one ulp (2.3e-10) above κ.
        let exact = 32_767.0 / 65_535.0;
        assert!(exact - kappa.to_f64() > 0.0 && exact - kappa.to_f64() < 2.4e-10);
        // An f32 of at least 2^-9 has a 24-bit mantissa with ulp >= 2^-32, so it converts
        // exactly: the f32 literals 0.49 and 0.51 are 0.49000000954 and 0.50999999046, which
        // sum to exactly 1. So the minority `1 − fixed(0.51)` equals `fixed(0.49)` and the
        // strict test `Σ > minority` fails at the lower score: stake [0.49, 0.51], scores
        // [0.5, 1] → median 1 (ASSERTED).
        assert_eq!(fixed(0.49).to_bits(), 2_104_534_016);
        assert_eq!(fixed(0.51).to_bits(), 2_190_433_280);
        assert_eq!(fixed(0.49) + fixed(0.51), F::ONE);
        let minority = F::ONE - fixed(0.51);
        assert_eq!(minority, fixed(0.49));
        assert!(fixed(0.49) <= minority);
        // The same in f64 mode: 1 − 0.51f32 is exactly 0.49f32 there too.
        assert_eq!(1.0 - f64::from(0.51_f32), f64::from(0.49_f32));
        // The V19 column cases use κ as an f32 literal: 0.24, 0.26, 0.76, 0.51.
        for (k, b) in [
            (0.24_f32, 1_030_792_128_i64),
            (0.26, 1_116_691_456),
            (0.76, 3_264_175_104),
            (0.51, 2_190_433_280),
        ] {
            assert_eq!(fixed(k).to_bits(), b, "{k}");
        }
        // Normalised stakes lose at most one ulp each: [0.49, 0.51] / Σ.
        let sum = F::sum_of([fixed(0.75), fixed(0.25)]);
        assert_eq!(sum, F::ONE);
        assert_eq!(fixed(0.75).safe_div(sum), fixed(0.75));
        // Only tiny literals round: 1e-9 (V19 `test_vec_max_upscale_to_u16`) is 4.29 ulps → 4.
        assert_eq!(fixed(1e-9).to_bits(), 4);
    }

    /// `vec_max_upscale_to_u16` written once against the trait (the chain's three branches: all
    /// zero, max above 32768 → scale factor first, otherwise product first), to show that the
    /// trait's rounding reproduces chain results exactly, `round` included.
    fn max_upscale<T: Num>(values: &[T]) -> Vec<u16> {
        let u16_max = T::from_u16(u16::MAX);
        let Some(max) = values.iter().copied().reduce(T::max_of) else {
            return Vec::new();
        };
        if max.is_zero() {
            return values.iter().map(|e| e.sat_mul(u16_max).to_u16()).collect();
        }
        if max > T::from_u16(32_768) {
            let factor = u16_max.safe_div(max);
            return values
                .iter()
                .map(|e| e.sat_mul(factor).round_away().to_u16())
                .collect();
        }
        values
            .iter()
            .map(|e| e.sat_mul(u16_max).safe_div(max).round_away().to_u16())
            .collect()
    }

    /// `test_vec_max_upscale_to_u16` (st/tests/math.rs, ASSERTED exact; test-vectors.md V19),
    /// inputs as f32 literals.
    #[test]
    fn v19_max_upscale_through_the_trait() {
        let up = |v: &[f32]| max_upscale(&v.iter().map(|&x| fixed(x)).collect::<Vec<F>>());
        assert_eq!(up(&[]), Vec::<u16>::new());
        assert_eq!(up(&[0.]), [0]);
        assert_eq!(up(&[0., 0.]), [0, 0]);
        assert_eq!(up(&[0., 1.]), [0, 65_535]);
        assert_eq!(up(&[0., 1e-9]), [0, 65_535]);
        assert_eq!(up(&[0., 0.000_016, 1.]), [0, 1, 65_535]);
        assert_eq!(up(&[1e-9, 1e-9]), [65_535, 65_535]);
        assert_eq!(
            up(&[1e-6, 6e-6, 7e-6, 1e-4, 1e-3, 0.01, 0.1, 0.2, 0.3, 0.4]),
            [0, 1, 1, 16, 164, 1638, 16_384, 32_768, 49_151, 65_535]
        );
        for v in [16_384., 32_768., 32_769., 65_535.] {
            assert_eq!(up(&[v]), [65_535]);
        }
        assert_eq!(max_upscale(&[F::max_value()]), [65_535]);
        assert_eq!(up(&[0., 1., 65_535.]), [0, 1, 65_535]);
        assert_eq!(
            up(&[0., 0.5, 1., 1.5, 2., 32_768.]),
            [0, 1, 2, 3, 4, 65_535]
        );
        assert_eq!(
            up(&[0., 0.5, 1., 1.5, 2., 32_768., 32_769.]),
            [0, 1, 2, 3, 4, 65_533, 65_535]
        );
        let with_max = [0., 1., 32_768., 32_769.].map(fixed);
        let mut with_max = with_max.to_vec();
        with_max.push(F::max_value());
        assert_eq!(max_upscale(&with_max), [0, 0, 1, 1, 65_535]);
    }

    use proptest::prelude::*;

    proptest! {
        /// The fast non-negative path of `div_checked` equals the crate's `checked_div` bit for
        /// bit, at the path's edges and on random operands of every sign and size.
        #[test]
        fn div_checked_equals_the_crate(
            a in prop_oneof![0i64..1 << 31, any::<i64>(), Just(0), Just((1 << 31) - 1), Just(1 << 31)],
            b in prop_oneof![1i64..1 << 40, any::<i64>(), Just(1), Just(0), Just(-1)],
        ) {
            let (x, y) = (bits(a), bits(b));
            prop_assert_eq!(x.div_checked(y), x.checked_div(y));
        }
    }
}
