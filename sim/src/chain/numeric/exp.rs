//! The chain's exponential: `exp_safe` (`st/epoch/math.rs`) over the fixed-point series of
//! `substrate_fixed::transcendental::exp`, re-implemented on the raw I32F32 bits.
//!
//! Liquid alpha (spec §1.12) puts it inside a sigmoid, so its exact rounding decides stored
//! bonds. The series is not a correctly rounded `exp`: it is cut after the `x^31/31!` term
//! (the loop runs to the number of fraction bits), every term is the previous one times `x`
//! floored and then divided by `k` truncated, negative arguments are evaluated on `|x|` and
//! inverted with a truncating division, and an argument of exactly 1 short-circuits to `e`
//! rounded down to 23 fraction bits. At the clamp bound 20 the cut series reads
//! 481,239,357.7 instead of e^20 = 485,165,195.4.
//!
//! Cost: 30 rounds of a 128-bit multiply and a 64-bit divide, plus a 128-bit divide for
//! negative arguments — roughly two orders of magnitude slower than `f64::exp`. Liquid alpha
//! evaluates it once per (validator, miner) entry.

use super::I32F32;

/// Number of fraction bits of I32F32.
const FRAC: u32 = 32;
/// Bits of 1.0 in I32F32.
const ONE_BITS: i64 = 1 << FRAC;
/// `e` as the `I9F23` constant `substrate_fixed::transcendental::E`: `floor(e × 2^23)`
/// (e × 2^23 = 22,802,600.69…).
pub const E_I9F23_BITS: i32 = 22_802_600;
/// The chain's `exp(1)`: [`E_I9F23_BITS`] widened to 32 fraction bits (2.71828174591064453125).
pub const EXP_ONE: I32F32 = I32F32::from_bits((E_I9F23_BITS as i64) << (FRAC - 23));
/// The last power in the series: terms `x^k/k!` for `k = 2 ..= 31` follow `1 + x`.
const LAST_TERM: i64 = FRAC as i64 - 1;

/// `substrate_fixed::transcendental::exp` for I32F32 in and out; `None` where that function
/// returns `Err`: the series sum overflowing I32F32 (arguments beyond ±20.8885…, just past
/// `exp_safe`'s clamp), or `I32F32::min_value()`, whose negation overflows.
pub fn exp_fixed(x: I32F32) -> Option<I32F32> {
    exp_fixed_lanes([x])[0]
}

/// [`exp_fixed`] of `N` arguments, bit for bit: the series advance side by side, so the
/// processor overlaps their multiply–divide chains, where one series alone waits on each
/// step (liquid alpha evaluates thousands per epoch).
pub fn exp_fixed_lanes<const N: usize>(x: [I32F32; N]) -> [Option<I32F32>; N] {
    // Per lane: the argument's magnitude, the partial sum, the last term (0 once the series
    // has ended: later steps then add 0, the same as stopping), and the answer so far.
    let (mut z, mut sum, mut term) = ([0i64; N], [0i64; N], [0i64; N]);
    let mut answer = [None; N];
    let mut series = [false; N];
    for i in 0..N {
        let bits = x[i].to_bits();
        if bits == 0 {
            answer[i] = Some(I32F32::from_bits(ONE_BITS));
        } else if bits == ONE_BITS {
            answer[i] = Some(EXP_ONE);
        } else if let Some(m) = bits.checked_abs()
            && let Some(s) = m.checked_add(ONE_BITS)
        {
            (z[i], sum[i], term[i], series[i]) = (m, s, m, true);
        }
    }
    for k in 2..=LAST_TERM {
        let mut running = false;
        for i in 0..N {
            // term × z, floored (both are non-negative, so floor = truncation); an overflow
            // of the product or of the sum ends the lane without an answer.
            let product = (i128::from(term[i]) * i128::from(z[i])) >> FRAC;
            // ÷ k, truncated: dividing two I32F32 values with 32 fraction bits each cancels
            // the scale, so this is the integer division of the bits.
            let next = i64::try_from(product).ok().map(|p| div_small(p, k));
            match next.and_then(|t| sum[i].checked_add(t).map(|s| (t, s))) {
                Some((t, s)) => (term[i], sum[i]) = (t, s),
                None => (term[i], series[i]) = (0, false),
            }
            running |= term[i] != 0;
        }
        if !running {
            // Every later term is 0 too (0 × z floors to 0): the sums are final. Exact, and
            // it ends the series early for small arguments.
            break;
        }
    }
    for i in 0..N {
        if !series[i] {
            continue;
        }
        answer[i] = if x[i].to_bits() < 0 {
            // 1 / sum, truncated: (1 << 32 << 32) / sum, which fits because sum >= 1.
            let quotient = (i128::from(ONE_BITS) << FRAC) / i128::from(sum[i]);
            i64::try_from(quotient).ok().map(I32F32::from_bits)
        } else {
            Some(I32F32::from_bits(sum[i]))
        };
    }
    answer
}

/// `term / k` for the series' `k` in `2..=31`, truncated: the same as the `/` it replaces,
/// but with each divisor a constant, so the compiler turns it into a multiplication (an integer
/// division is a large share of the series' cost).
#[inline(always)]
fn div_small(term: i64, k: i64) -> i64 {
    macro_rules! by_constant {
        ($($d:literal)*) => {
            match k {
                $($d => term / $d,)*
                _ => term / k,
            }
        };
    }
    by_constant!(2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31)
}

/// `exp_safe`: clamp the argument to `[−20, 20]`, then [`exp_fixed`]; if that failed (it cannot
/// inside the clamp), 0 for a non-positive argument and `I32F32::max_value()` otherwise.
pub fn exp_safe(x: I32F32) -> I32F32 {
    exp_safe_lanes([x])[0]
}

/// [`exp_safe`] of `N` arguments, bit for bit (see [`exp_fixed_lanes`]).
pub fn exp_safe_lanes<const N: usize>(x: [I32F32; N]) -> [I32F32; N] {
    let bound = I32F32::from_bits(20 * ONE_BITS);
    let clamped = x.map(|x| {
        if x < -bound {
            -bound
        } else if bound < x {
            bound
        } else {
            x
        }
    });
    let values = exp_fixed_lanes(clamped);
    std::array::from_fn(|i| match values[i] {
        Some(value) => value,
        None if clamped[i] <= I32F32::from_bits(0) => I32F32::from_bits(0),
        None => I32F32::max_value(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use substrate_fixed::transcendental;

    fn fx(bits: i64) -> I32F32 {
        I32F32::from_bits(bits)
    }

    /// The crate's `exp` (what the chain links), as an `Option`.
    fn crate_exp(x: I32F32) -> Option<I32F32> {
        transcendental::exp::<I32F32, I32F32>(x).ok()
    }

    /// `E_I9F23_BITS` is the crate's constant; `EXP_ONE` matches test-vectors.md V19
    /// ("exp(1) = E constant (I9F23) = 2.71828174591…").
    #[test]
    fn e_constant_is_the_crates() {
        assert_eq!(transcendental::E.to_bits(), E_I9F23_BITS);
        assert_eq!(EXP_ONE.to_num::<f64>(), 22_802_600.0 / 8_388_608.0);
        assert_eq!(exp_fixed(I32F32::from_num(1)), Some(EXP_ONE));
    }

    /// `test_math_exp_safe` (st/tests/math.rs, ASSERTED): exp_safe equals exp at 0, 1, ±20 and
    /// clamps beyond; the DERIVED bit values of test-vectors.md V19 for ±20 and the DERIVED
    /// decimals for ±5.
    #[test]
    fn v19_exp_safe() {
        let one = I32F32::from_num(1);
        let twenty = I32F32::from_num(20);
        assert_eq!(exp_safe(I32F32::from_num(0)), I32F32::from_num(1));
        assert_eq!(exp_safe(one), EXP_ONE);
        // DERIVED: exp(20) bits = 2,066,907,302,758,576,256; exp(−20) bits = 8.
        assert_eq!(exp_safe(twenty).to_bits(), 2_066_907_302_758_576_256);
        assert_eq!(exp_safe(-twenty).to_bits(), 8);
        // Clamping: anything beyond ±20 is ±20, up to the type's extremes.
        assert_eq!(exp_safe(twenty + one), exp_safe(twenty));
        assert_eq!(exp_safe(I32F32::max_value()), exp_safe(twenty));
        assert_eq!(exp_safe(-twenty - one), exp_safe(-twenty));
        assert_eq!(exp_safe(I32F32::min_value()), exp_safe(-twenty));
        // The upstream test compares with the crate's exp; so do we.
        for x in [0, 1, -20, 20] {
            let x = I32F32::from_num(x);
            assert_eq!(Some(exp_safe(x)), crate_exp(x));
        }
        // DERIVED decimals: exp(−5) ≈ 0.006737946998, exp(5) ≈ 148.4131591.
        let e5 = exp_safe(I32F32::from_num(5)).to_num::<f64>();
        let em5 = exp_safe(I32F32::from_num(-5)).to_num::<f64>();
        assert!((e5 - 148.413_159_1).abs() < 1e-6, "{e5}");
        assert!((em5 - 0.006_737_946_998).abs() < 1e-11, "{em5}");
        // e^20 ≈ 481,239,357.67 on chain (the bits above / 2^32; test-vectors.md rounds it to
        // "≈ 481,242,014", a slip in its decimal): the cut series under-estimates
        // e^20 = 485,165,195.4.
        assert_eq!(exp_safe(twenty).to_num::<u64>(), 481_239_357);
    }

    /// Around the special case: exp(1) is the 23-bit constant, but exp(−1) and exp(1 ± ulp)
    /// run the series (the comparison is on exact bits), which is closer to e than the
    /// constant: the chain's exp is not monotone at 1.
    #[test]
    fn special_case_at_one() {
        let series_one_minus = exp_fixed(fx(ONE_BITS - 1)).unwrap();
        let series_one_plus = exp_fixed(fx(ONE_BITS + 1)).unwrap();
        assert!(series_one_minus > EXP_ONE);
        assert!(series_one_plus > series_one_minus);
        assert!((series_one_plus.to_num::<f64>() - core::f64::consts::E).abs() < 1e-8);
        assert_eq!(exp_fixed(fx(-ONE_BITS)), crate_exp(fx(-ONE_BITS)));
        assert!((exp_fixed(fx(-ONE_BITS)).unwrap().to_num::<f64>() - (-1f64).exp()).abs() < 1e-9);
    }

    /// Where the series overflows I32F32 (the crate returns `Err`), `exp_fixed` is `None` and
    /// `exp_safe` never gets there.
    #[test]
    fn overflow_is_none() {
        // The series first overflows between 20.888504897 and 20.888504898.
        assert!(exp_fixed(I32F32::from_num(20.888_504_897)).is_some());
        assert_eq!(exp_fixed(I32F32::from_num(20.888_504_898)), None);
        assert_eq!(exp_fixed(I32F32::from_num(22)), None);
        assert_eq!(crate_exp(I32F32::from_num(22)), None);
        assert_eq!(exp_fixed(I32F32::min_value()), None);
        assert_eq!(crate_exp(I32F32::min_value()), None);
        // Large negative arguments overflow in the series on |x| too.
        assert_eq!(exp_fixed(I32F32::from_num(-22)), None);
    }

    proptest! {
        /// Our series equals the crate's `exp` bit for bit on any I32F32.
        #[test]
        fn matches_crate_everywhere(bits in any::<i64>()) {
            prop_assert_eq!(exp_fixed(fx(bits)), crate_exp(fx(bits)));
        }

        /// … and especially in and around the clamp range, where the epoch uses it.
        #[test]
        fn matches_crate_in_range(bits in -(22 * ONE_BITS)..=(22 * ONE_BITS)) {
            prop_assert_eq!(exp_fixed(fx(bits)), crate_exp(fx(bits)));
        }

        /// Side by side, each lane equals the crate's `exp` on its own: lanes that end early,
        /// overflow or take a special case do not disturb the others.
        #[test]
        fn lanes_match_crate(
            near in proptest::array::uniform8(-(22 * ONE_BITS)..=(22 * ONE_BITS)),
            far in proptest::array::uniform4(any::<i64>()),
            special in proptest::array::uniform4(prop_oneof![
                Just(0), Just(ONE_BITS), Just(-ONE_BITS), Just(i64::MIN), Just(1), Just(-1)
            ]),
        ) {
            let mixed: [i64; 16] = std::array::from_fn(|i| match i {
                0..8 => near[i],
                8..12 => far[i - 8],
                _ => special[i - 12],
            });
            let got = exp_fixed_lanes(mixed.map(fx));
            for (&bits, got) in mixed.iter().zip(got) {
                prop_assert_eq!(got, crate_exp(fx(bits)));
            }
            let safe = exp_safe_lanes(near.map(fx));
            for (&bits, safe) in near.iter().zip(safe) {
                prop_assert_eq!(safe, exp_safe(fx(bits)));
            }
        }

        /// exp_safe never panics and is never negative.
        #[test]
        fn exp_safe_total(bits in any::<i64>()) {
            prop_assert!(exp_safe(fx(bits)) >= fx(0));
        }
    }
}
