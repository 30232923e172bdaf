//! [`Num`] for `f64`: the plain float operations, for the fast exploratory mode.
//!
//! Where the chain's contract has a case that float arithmetic has no notion of (overflow of a
//! 32-bit integer part, a quotient that does not fit), the float version keeps the same *shape*
//! of answer where that is cheap (`safe_div` by 0 is 0, `mul_or_zero` of a non-finite product is
//! 0), and otherwise simply computes in floating point.

use super::Num;

impl Num for f64 {
    type Wide = f64;

    const ZERO: f64 = 0.0;
    const ONE: f64 = 1.0;

    fn from_u16(v: u16) -> f64 {
        f64::from(v)
    }

    fn from_u16_proportion(v: u16) -> f64 {
        f64::from(v) / 65535.0
    }

    fn to_u16_proportion(self) -> u16 {
        // `as` truncates toward zero and saturates (NaN → 0), the same clamp as the chain.
        (self * 65535.0) as u16
    }

    fn to_u16(self) -> u16 {
        self as u16
    }

    fn from_u64(v: u64) -> f64 {
        v as f64
    }

    fn from_i64(v: i64) -> f64 {
        v as f64
    }

    fn to_u64(self) -> u64 {
        self as u64
    }

    fn from_f64(v: f64) -> f64 {
        if v.is_nan() { 0.0 } else { v }
    }

    fn to_f64(self) -> f64 {
        self
    }

    fn sat_add(self, rhs: f64) -> f64 {
        self + rhs
    }

    fn sat_sub(self, rhs: f64) -> f64 {
        self - rhs
    }

    fn sat_mul(self, rhs: f64) -> f64 {
        self * rhs
    }

    fn mul_or_zero(self, rhs: f64) -> f64 {
        let product = self * rhs;
        if product.is_finite() { product } else { 0.0 }
    }

    fn div_checked(self, rhs: f64) -> Option<f64> {
        let quotient = self / rhs;
        (rhs != 0.0 && quotient.is_finite()).then_some(quotient)
    }

    fn sat_div(self, rhs: f64) -> f64 {
        if rhs == 0.0 {
            return zero_divisor(self);
        }
        (self / rhs).clamp(f64::MIN, f64::MAX)
    }

    fn min_of(self, rhs: f64) -> f64 {
        self.min(rhs)
    }

    fn max_of(self, rhs: f64) -> f64 {
        self.max(rhs)
    }

    fn exp_safe_lanes<const N: usize>(x: [f64; N]) -> [f64; N] {
        super::exp_f64_lanes(x.map(|x| x.clamp(-20.0, 20.0)))
    }

    fn round_away(self) -> f64 {
        // `f64::round` rounds half away from zero, like the fixed-point `round`.
        self.round()
    }

    fn sum_of<I: IntoIterator<Item = f64>>(values: I) -> f64 {
        values.into_iter().sum()
    }

    fn wide_stake(alpha: u64, root: u64, tao_weight: u64) -> f64 {
        alpha as f64 + tao_weight as f64 / u64::MAX as f64 * root as f64
    }

    fn wide_to_u64(x: f64) -> u64 {
        x as u64
    }

    fn normalize_wide(x: &[f64], out: &mut Vec<f64>) {
        out.clear();
        let sum: f64 = x.iter().sum();
        if sum == 0.0 {
            out.extend_from_slice(x);
        } else {
            out.extend(x.iter().map(|&v| v.safe_div(sum)));
        }
    }

    fn bonds_ema_alpha(bonds_moving_average: u64) -> f64 {
        1.0 - bonds_moving_average as f64 / 1_000_000.0
    }

    fn emission_rao(share: f64, rao_emission: u64) -> u64 {
        (share * rao_emission as f64) as u64
    }
}

/// The answer of `sat_div` for a zero divisor: the extreme of the numerator's sign, 0 for 0/0.
fn zero_divisor(numerator: f64) -> f64 {
    if numerator > 0.0 {
        f64::MAX
    } else if numerator < 0.0 {
        f64::MIN
    } else {
        0.0
    }
}

/// `v.round().clamp(0.0, 65_535.0) as u16` (NaN → 0), bit for bit, without calling libm:
/// on baseline x86-64 `f64::round` is a call (its instruction needs SSE4.1), and validators
/// round every weight they send. The fraction `v − ⌊v⌋` of a float is exact, so comparing it
/// with one half rounds halves away from zero exactly as `round` does.
#[inline]
pub fn round_to_u16(v: f64) -> u16 {
    let v = v.clamp(0.0, 65_535.0);
    let whole = v as u16; // truncation; NaN → 0
    let up = v - f64::from(whole) >= 0.5;
    whole + u16::from(up)
}

#[cfg(test)]
mod tests {
    use super::round_to_u16;
    use proptest::prelude::*;

    fn reference(v: f64) -> u16 {
        v.round().clamp(0.0, 65_535.0) as u16
    }

    #[test]
    fn rounds_halves_away_from_zero_and_clamps() {
        let cases = [
            (0.0, 0),
            (0.5, 1),
            (0.499_999_999_999_999_94, 0),
            (2.5, 3),
            (65_534.5, 65_535),
            (65_535.4, 65_535),
            (1e300, 65_535),
            (-0.4, 0),
            (-7.0, 0),
            (f64::NAN, 0),
            (f64::INFINITY, 65_535),
            (f64::NEG_INFINITY, 0),
        ];
        for (v, want) in cases {
            assert_eq!(round_to_u16(v), want, "{v}");
            assert_eq!(reference(v), want, "{v}");
        }
    }

    proptest! {
        #[test]
        fn equals_round_then_clamp(bits in any::<u64>(), v in -10.0f64..70_000.0) {
            let x = f64::from_bits(bits);
            prop_assert_eq!(round_to_u16(x), reference(x));
            prop_assert_eq!(round_to_u16(v), reference(v));
        }
    }
}
