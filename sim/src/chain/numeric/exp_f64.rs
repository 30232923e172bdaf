//! `e^x` in `f64` written as straight-line arithmetic, for the liquid-alpha rate of the fast
//! epoch.
//!
//! Why not `f64::exp`: it is a call into the platform's libm, so a loop that needs one per
//! entry (the liquid-alpha EMA of every validator that sells out of a miner, about half the
//! entries of a live subnet) runs one call at a time, about a third of a busy epoch; and its
//! last bit depends on the platform's libm. This version has no call and no branch, so the
//! compiler vectorises the loops around it, and it gives the same bits on every platform
//! (plain IEEE operations in a fixed order). No crate offers that on stable Rust without
//! its own SIMD types (`libm` is scalar and branches).
//!
//! The method is the textbook one: `x = k·ln 2 + r` with `k` an integer and `|r| <= ln 2 / 2`
//! (Cody–Waite: `ln 2` in two parts, so `k·ln 2` loses nothing), `e^r` by its Taylor series to
//! degree 13 (the first term left out, `r^14/14!`, is below `4.3e-18`), then `2^k` put
//! into the exponent bits. Tested against `f64::exp`: within 2 ulp on `[−20, 20]`.

/// `ln 2` in two parts: `LN2_HI` has its 11 lowest mantissa bits zero, so `k · LN2_HI` is
/// exact for `|k| < 2^11`; `LN2_LO` is the rest (fdlibm's split).
const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000);
const LN2_LO: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76);

/// Adding `1.5 · 2^52` rounds a float of magnitude below `2^51` to an integer (ties to even),
/// which then sits in the low mantissa bits: rounding without `round()`, which baseline
/// x86-64 can only do through a call.
const SHIFTER: f64 = 6_755_399_441_055_744.0;

/// The largest input magnitude handled; inputs are clamped to it (`e^700` is below
/// `f64::MAX`, `e^−700` above the subnormals).
const LIMIT: f64 = 700.0;

/// `1/i!` for `i` in `0..=13`, highest degree last.
const TAYLOR: [f64; 14] = {
    let mut c = [1.0; 14];
    let mut i = 1;
    while i < 14 {
        c[i] = c[i - 1] / i as f64;
        i += 1;
    }
    c
};

/// `e^x` for `|x| <= 700` (larger magnitudes are clamped; NaN gives NaN), within 2 ulp of
/// the exact value.
#[inline]
pub fn exp_f64(x: f64) -> f64 {
    exp_f64_lanes([x])[0]
}

/// [`exp_f64`] of every lane, bit for bit: each step runs over all lanes before the next, the
/// loop shape the compiler turns into SIMD, with the lanes' independent Horner chains
/// overlapping (one lane alone waits on 13 dependent multiply-adds).
#[inline(always)]
pub fn exp_f64_lanes<const N: usize>(x: [f64; N]) -> [f64; N] {
    let mut shifted = [0.0; N];
    let mut r = [0.0; N];
    for i in 0..N {
        let x = x[i].clamp(-LIMIT, LIMIT);
        shifted[i] = x * std::f64::consts::LOG2_E + SHIFTER;
        let k = shifted[i] - SHIFTER;
        r[i] = (x - k * LN2_HI) - k * LN2_LO;
    }
    let mut p = [TAYLOR[13]; N];
    for &c in TAYLOR[..13].iter().rev() {
        for i in 0..N {
            p[i] = p[i] * r[i] + c;
        }
    }
    for i in 0..N {
        // `k` is in the low bits of `shifted`; `2^k` has the biased exponent `k + 1023`.
        let k_bits = shifted[i].to_bits().wrapping_sub(SHIFTER.to_bits());
        p[i] *= f64::from_bits(k_bits.wrapping_add(1023) << 52);
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units in the last place between two positive finite floats.
    fn ulps(a: f64, b: f64) -> u64 {
        a.to_bits().abs_diff(b.to_bits())
    }

    /// Against the platform's `f64::exp` (correctly rounded or within 1 ulp on the usual
    /// libms) on a fine grid of the liquid-alpha range `[−20, 20]` plus its ends.
    #[test]
    fn within_two_ulp_of_std_on_the_rate_range() {
        let mut worst = 0;
        for i in 0..=400_000 {
            let x = -20.0 + f64::from(i) * 1e-4;
            worst = worst.max(ulps(exp_f64(x), x.exp()));
        }
        assert!(worst <= 2, "worst {worst} ulp");
    }

    /// fdlibm's split of `ln 2` (`ln2_hi` = 6.93147180369123816490e-01, `ln2_lo` =
    /// 1.90821492927058770002e-10): the high part ends in 11 zero bits and the parts sum to
    /// the float nearest `ln 2`.
    #[test]
    fn ln2_split() {
        assert_eq!(LN2_HI.to_bits() & 0x7FF, 0);
        assert_eq!(LN2_HI + LN2_LO, std::f64::consts::LN_2);
        assert!((LN2_HI - 0.693_147_180_369_123_8).abs() < 1e-16);
    }

    /// Hand-checked values: `e^0 = 1` and `e^1 = e` as the nearest floats; inputs near
    /// `n ln 2`, where the reduction turns on `k = n` alone and `r` is nearly 0 (against
    /// `f64::exp`: the float nearest `n ln 2` is not `n ln 2` itself); and the clamp.
    #[test]
    fn exact_points_and_limits() {
        assert_eq!(exp_f64(0.0), 1.0);
        assert!(ulps(exp_f64(1.0), std::f64::consts::E) <= 1);
        for n in [-30, -1, 1, 10, 29] {
            let x = f64::from(n) * std::f64::consts::LN_2;
            assert!(ulps(exp_f64(x), x.exp()) <= 2, "n = {n}");
            assert!((exp_f64(x) / 2f64.powi(n) - 1.0).abs() < 1e-14, "n = {n}");
        }
        assert_eq!(exp_f64(1e9), exp_f64(LIMIT));
        assert!(exp_f64(-1e9) > 0.0 && exp_f64(LIMIT).is_finite());
        assert!(ulps(exp_f64(-LIMIT), (-LIMIT).exp()) <= 2);
        assert!(exp_f64(f64::NAN).is_nan());
    }
}
