//! Properties over both [`Num`] implementations: on inputs where the chain's I32F32 does not
//! saturate, `f64` and I32F32 agree within 1e-8 for every operation (the fixed-point error is at
//! most a few 2^-32 ulps per operation); and no operation panics on any input.
//!
//! Inputs are drawn as I32F32 bit patterns small enough (`|bits| < 2^53`) to be exactly
//! representable in `f64`, so both modes start from the same number and any difference is the
//! operation's own rounding.

use super::{I32F32, I64F64, Num};
use proptest::prelude::*;

type F = I32F32;

/// Bits of 1.0.
const ONE: i64 = 1 << 32;
/// The agreement tolerance of the brief.
const TOL: f64 = 1e-8;

/// The same value in both modes.
fn pair(bits: i64) -> (F, f64) {
    let x = F::from_bits(bits);
    let f = bits as f64 / ONE as f64;
    assert_eq!(x.to_f64(), f, "inputs must be exact in f64");
    (x, f)
}

/// `|chain − float| <= tol`.
fn close(chain: F, float: f64, tol: f64) -> Result<(), TestCaseError> {
    let d = (chain.to_f64() - float).abs();
    prop_assert!(
        d <= tol,
        "chain {} vs f64 {} (diff {d:e})",
        chain.to_f64(),
        float
    );
    Ok(())
}

/// Values in `[−limit, limit]` as bits.
fn within(limit: i64) -> impl Strategy<Value = i64> {
    -(limit * ONE)..=(limit * ONE)
}

/// A composed formula written once against the trait: the liquid-alpha sigmoid of spec §1.12
/// (`δ` clamped, `z = (s / −100) × (δ − 0.5)`, `σ = 1 / (1 + exp_safe(z))`, `a` clamped to
/// `[lo, hi]`), as the epoch port will write it.
fn alpha_sigmoid<T: Num>(consensus: T, weight: T, bond: T, lo: T, hi: T, steepness: T) -> T {
    let half = T::ONE.sat_div(T::from_u64(2));
    let delta = if weight >= bond {
        weight.sat_sub(consensus).clamp_value(T::ZERO, T::ONE)
    } else {
        bond.sat_sub(weight).clamp_value(T::ZERO, T::ONE)
    };
    let z = steepness
        .sat_div(T::from_i64(-100))
        .sat_mul(delta.sat_sub(half));
    let sigmoid = T::ONE.sat_div(T::ONE.sat_add(z.exp_safe()));
    lo.sat_add(sigmoid.sat_mul(hi.sat_sub(lo)))
        .clamp_value(lo, hi)
}

proptest! {
    #[test]
    fn add_sub_agree(a in within(1 << 20), b in within(1 << 20)) {
        let ((xa, fa), (xb, fb)) = (pair(a), pair(b));
        close(xa.sat_add(xb), fa.sat_add(fb), TOL)?;
        close(xa.sat_sub(xb), fa.sat_sub(fb), TOL)?;
        prop_assert_eq!(xa < xb, fa < fb);
        prop_assert_eq!(xa == xb, fa == fb);
        close(xa.min_of(xb), fa.min_of(fb), 0.0)?;
        close(xa.max_of(xb), fa.max_of(fb), 0.0)?;
    }

    #[test]
    fn mul_agrees(a in within(1000), b in within(1000)) {
        let ((xa, fa), (xb, fb)) = (pair(a), pair(b));
        close(xa.sat_mul(xb), fa.sat_mul(fb), TOL)?;
        close(xa.mul_or_zero(xb), fa.mul_or_zero(fb), TOL)?;
    }

    #[test]
    fn div_agrees(a in within(1000), b in within(1000)) {
        prop_assume!(b.unsigned_abs() >= (ONE >> 10) as u64);
        let ((xa, fa), (xb, fb)) = (pair(a), pair(b));
        close(xa.safe_div(xb), fa.safe_div(fb), TOL)?;
        close(xa.sat_div(xb), fa.sat_div(fb), TOL)?;
        close(xa.safe_div_or(xb, F::ONE), fa.safe_div_or(fb, 1.0), TOL)?;
        close(xa.div_checked(xb).unwrap(), fa.div_checked(fb).unwrap(), TOL)?;
    }

    #[test]
    fn division_by_zero_agrees(a in within(1000)) {
        let (xa, fa) = pair(a);
        prop_assert_eq!(xa.div_checked(F::ZERO), None);
        prop_assert_eq!(fa.div_checked(0.0), None);
        close(xa.safe_div(F::ZERO), fa.safe_div(0.0), 0.0)?;
        close(xa.safe_div_or(F::ZERO, F::ONE), fa.safe_div_or(0.0, 1.0), 0.0)?;
    }

    #[test]
    fn clamp_agrees(a in within(4), lo in within(2), hi in within(2)) {
        let ((xa, fa), (xl, fl), (xh, fh)) = (pair(a), pair(lo), pair(hi));
        close(xa.clamp_value(xl, xh), fa.clamp_value(fl, fh), 0.0)?;
    }

    #[test]
    fn u16_proportions_agree(v in any::<u16>(), x in -(ONE / 10)..=(ONE + ONE / 10)) {
        close(F::from_u16_proportion(v), f64::from_u16_proportion(v), TOL)?;
        close(F::from_u16(v), f64::from_u16(v), 0.0)?;
        let (xx, fx) = pair(x);
        let (chain, float) = (xx.to_u16_proportion(), fx.to_u16_proportion());
        prop_assert!(chain.abs_diff(float) <= 1);
        // They can only differ when x × 65535 is within rounding of an integer.
        let scaled = fx * 65535.0;
        if (scaled - scaled.round()).abs() > 1e-6 {
            prop_assert_eq!(chain, float);
        }
    }

    #[test]
    fn integer_conversions_agree(v in 0..(1_u64 << 31), x in within(1 << 20), i in -(1_i64 << 31)..(1 << 31)) {
        close(F::from_u64(v), f64::from_u64(v), 0.0)?;
        close(F::from_i64(i), f64::from_i64(i), 0.0)?;
        let (xx, fx) = pair(x);
        prop_assert_eq!(xx.to_u64(), fx.to_u64());
        prop_assert_eq!(xx.to_u16(), fx.to_u16());
        close(xx.round_away(), fx.round_away(), 0.0)?;
        prop_assert_eq!(F::from_f64(fx), xx);
    }

    #[test]
    fn exp_safe_agrees(z in within(8)) {
        // exp(1) exactly is the chain's 23-bit constant (2.7182817459 vs e = 2.7182818285): a
        // known 8e-8 deviation, tested in `exp`.
        prop_assume!(z != ONE);
        let (xz, fz) = pair(z);
        let float = fz.exp_safe();
        close(xz.exp_safe(), float, TOL * float.max(1.0))?;
    }

    #[test]
    fn sums_agree(values in proptest::collection::vec(within(1000), 0..64)) {
        let pairs: Vec<(F, f64)> = values.iter().map(|&b| pair(b)).collect();
        let sum_chain = F::sum_of(pairs.iter().map(|p| p.0));
        let sum_float = f64::sum_of(pairs.iter().map(|p| p.1));
        close(sum_chain, sum_float, TOL)?;
        close(F::sat_sum(pairs.iter().map(|p| p.0)), f64::sat_sum(pairs.iter().map(|p| p.1)), TOL)?;
    }

    #[test]
    fn stake_normalisation_agrees(
        alpha in proptest::collection::vec(0..=21_000_000_000_000_000_u64, 1..64),
    ) {
        let wide_chain: Vec<I64F64> = alpha.iter().map(|&a| F::wide_stake(a, 0, 0)).collect();
        let wide_float: Vec<f64> = alpha.iter().map(|&a| f64::wide_stake(a, 0, 0)).collect();
        // Exact in I64F64; f64 holds integers exactly only up to 2^53 ≈ 9.0e15 rao, above that
        // it rounds to a multiple of 2 or 4 (a float-mode difference for the stake threshold).
        for (&c, &f) in wide_chain.iter().zip(&wide_float) {
            prop_assert!(F::wide_to_u64(c).abs_diff(f64::wide_to_u64(f)) <= 2);
        }
        let (mut chain, mut float) = (Vec::new(), Vec::new());
        F::normalize_wide(&wide_chain, &mut chain);
        f64::normalize_wide(&wide_float, &mut float);
        prop_assert_eq!(chain.len(), alpha.len());
        for (&c, &f) in chain.iter().zip(&float) {
            close(c, f, TOL)?;
        }
    }

    /// With a TAO weight the chain's τ carries 32 fraction bits (U96F32), so `α + τR` can be off
    /// by up to `R × 2^-32` rao from the exact value — a real difference between the modes,
    /// bounded here.
    #[test]
    fn tao_weighted_stake_within_tau_resolution(
        alpha in 0..=21_000_000_000_000_000_u64,
        root in 0..=21_000_000_000_000_000_u64,
        tao_weight in any::<u64>(),
    ) {
        let chain = F::wide_stake(alpha, root, tao_weight).to_num::<f64>();
        let float = f64::wide_stake(alpha, root, tao_weight);
        let bound = root as f64 * 2f64.powi(-32) + float * 1e-15 + 1e-9;
        prop_assert!((chain - float).abs() <= bound, "{chain} vs {float}");
    }

    #[test]
    fn bonds_alpha_and_emission_agree(bma in 0..=1_000_000_u64, share in 0..=ONE, rao in 0..(1_u64 << 50)) {
        close(F::bonds_ema_alpha(bma), f64::bonds_ema_alpha(bma), TOL)?;
        let (xs, fs) = pair(share);
        prop_assert!(F::emission_rao(xs, rao).abs_diff(f64::emission_rao(fs, rao)) <= 1);
    }

    /// The sigmoid of liquid alpha, written once, agrees in both modes with the default
    /// steepness range and alpha bounds in [0, 1].
    #[test]
    fn composed_alpha_sigmoid_agrees(
        c in 0..=ONE, w in 0..=ONE, b in 0..=ONE,
        lo in 0..=(ONE / 2), hi in (ONE / 2)..=ONE,
        s in -1000_i64..=1000,
    ) {
        let (c, w, b, lo, hi) = (pair(c), pair(w), pair(b), pair(lo), pair(hi));
        let chain = alpha_sigmoid(c.0, w.0, b.0, lo.0, hi.0, F::from_i64(s));
        let float = alpha_sigmoid(c.1, w.1, b.1, lo.1, hi.1, s as f64);
        close(chain, float, TOL)?;
    }

    /// No I32F32 operation panics, whatever the bits: overflow saturates (or gives the
    /// chain's 0 / `None`).
    #[test]
    fn fixed_is_total(a in any::<i64>(), b in any::<i64>(), c in any::<i64>(), u in any::<u64>()) {
        let (x, y, z) = (F::from_bits(a), F::from_bits(b), F::from_bits(c));
        let _ = (x.sat_add(y), x.sat_sub(y), x.sat_mul(y), x.mul_or_zero(y));
        let _ = (x.div_checked(y), x.safe_div(y), x.safe_div_or(y, z), x.sat_div(y));
        let _ = (x.clamp_value(y, z), x.exp_safe(), x.round_away());
        let _ = (x.to_u16_proportion(), x.to_u16(), x.to_u64(), x.to_f64());
        let _ = (F::sum_of([x, y, z]), F::sat_sum([x, y, z]), F::from_u64(u), F::from_i64(a));
        let _ = (F::bonds_ema_alpha(u), F::emission_rao(x, u), F::wide_stake(u, u, u));
        let mut out = Vec::new();
        F::normalize_wide(&[I64F64::from_bits(i128::from(a) << 40), I64F64::from_bits(i128::from(b))], &mut out);
        let _ = alpha_sigmoid(x, y, z, x, y, z);
    }

    /// Nor does any f64 operation, including on NaN and infinities.
    #[test]
    fn float_is_total(a in any::<u64>(), b in any::<u64>(), c in any::<u64>()) {
        let (x, y, z) = (f64::from_bits(a), f64::from_bits(b), f64::from_bits(c));
        let _ = (x.sat_add(y), x.sat_sub(y), x.sat_mul(y), x.mul_or_zero(y));
        let _ = (x.div_checked(y), x.safe_div(y), x.safe_div_or(y, z), x.sat_div(y));
        let _ = (x.clamp_value(y, z), x.exp_safe(), x.round_away());
        let _ = (x.to_u16_proportion(), x.to_u16(), x.to_u64(), f64::from_f64(x));
        let _ = (f64::sum_of([x, y, z]), f64::bonds_ema_alpha(a), f64::emission_rao(x, a));
        let mut out = Vec::new();
        f64::normalize_wide(&[x, y, z], &mut out);
        let _ = alpha_sigmoid(x, y, z, x, y, z);
    }
}
