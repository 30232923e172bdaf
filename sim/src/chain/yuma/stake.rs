//! Steps 2–3 (spec §1.5–§1.6): stake threshold, normalisation, validator permits, active stake.
//!
//! Consensus and dividends are stake-weighted, but only stake that is *active* and held by a
//! validator that already had a permit counts; new permits computed here take effect one
//! epoch later, which is why `EpochOutput` returns them separately.

use crate::chain::numeric::Num;
use std::cmp::Ordering;

/// Divides `x` by its sum in place and returns the sum; leaves `x` untouched when the sum is 0
/// (the chain's `inplace_normalize`: an all-zero vector stays all-zero instead of NaN).
pub fn normalize_in_place(x: &mut [f64]) -> f64 {
    let sum: f64 = x.iter().sum();
    if sum != 0.0 {
        x.iter_mut().for_each(|v| *v /= sum);
    }
    sum
}

/// Zeroes stakes below `threshold` (except the owner's, which is exempt so an owner can always
/// validate its own subnet) and normalises the rest into `out`.
///
/// The chain compares `floor(raw) < StakeThreshold`; the threshold is an integer there, so this
/// is the same as `raw < threshold`.
pub fn filter_and_normalize(raw: &[f64], threshold: f64, owner: Option<u16>, out: &mut Vec<f64>) {
    out.clear();
    out.extend(raw.iter().enumerate().map(|(uid, &s)| {
        if owner != Some(uid as u16) && s < threshold {
            0.0
        } else {
            s
        }
    }));
    normalize_in_place(out);
}

/// New validator permits: the top `k` uids by stake that have non-zero stake.
///
/// Mirrors `is_topk_nonzero`: when `n >= k`, the `n - k` smallest stakes lose their permit,
/// ordered by a stable ascending sort, so among equal stakes at the boundary the lower uid
/// loses. Equivalently we select by the key `(stake, uid)`, which needs no stable sort and runs
/// in linear time. `order` is scratch. Generic so that the `chain` mode ranks its I32F32 stakes.
pub fn top_k_nonzero<T: Num>(stake: &[T], k: usize, order: &mut Vec<u32>, out: &mut Vec<bool>) {
    let n = stake.len();
    out.clear();
    out.extend(stake.iter().map(|&s| !s.is_zero()));
    if n < k {
        return;
    }
    let losers = n - k;
    if losers == 0 {
        return;
    }
    order.clear();
    order.extend(0..n as u32);
    let key = |&a: &u32, &b: &u32| {
        let (sa, sb) = (stake[a as usize], stake[b as usize]);
        sa.partial_cmp(&sb)
            .unwrap_or(Ordering::Equal)
            .then(a.cmp(&b))
    };
    if losers < n {
        order.select_nth_unstable_by(losers, key);
    }
    for &uid in &order[..losers] {
        out[uid as usize] = false;
    }
}

/// Active stake `Sa = S · active · permit`, normalised (all zero if nothing remains).
pub fn active_stake(stake: &[f64], active: &[bool], permit: &[bool], out: &mut Vec<f64>) {
    out.clear();
    out.extend(
        stake
            .iter()
            .zip(active.iter().zip(permit))
            .map(|(&s, (&a, &p))| if a && p { s } else { 0.0 }),
    );
    normalize_in_place(out);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-computed: raw [1, 2, 3, 4] with threshold 2.5 keeps 3 and 4 (sum 7); with owner
    /// uid 0 exempt it keeps 1, 3, 4 (sum 8).
    #[test]
    fn threshold_with_owner_exemption() {
        let mut out = Vec::new();
        filter_and_normalize(&[1.0, 2.0, 3.0, 4.0], 2.5, None, &mut out);
        assert_eq!(out, vec![0.0, 0.0, 3.0 / 7.0, 4.0 / 7.0]);
        filter_and_normalize(&[1.0, 2.0, 3.0, 4.0], 2.5, Some(0), &mut out);
        assert_eq!(out, vec![1.0 / 8.0, 0.0, 3.0 / 8.0, 4.0 / 8.0]);
        filter_and_normalize(&[1.0, 2.0], 10.0, None, &mut out);
        assert_eq!(out, vec![0.0, 0.0]);
    }

    /// Cases from upstream `test_math_is_topk` (with non-zero filtering added by hand).
    #[test]
    fn top_k_matches_stable_sort_tie_break() {
        let (mut order, mut out) = (Vec::new(), Vec::new());
        let v: Vec<f64> = (0..10).map(f64::from).collect();
        top_k_nonzero(&v, 5, &mut order, &mut out);
        assert_eq!(
            out,
            [
                false, false, false, false, false, true, true, true, true, true
            ]
        );
        top_k_nonzero(&v, 0, &mut order, &mut out);
        assert!(out.iter().all(|&p| !p));
        top_k_nonzero(&v, 100, &mut order, &mut out);
        // n < k: every non-zero stake keeps its permit, uid 0 (stake 0) does not.
        assert!(!out[0]);
        assert!(out[1..].iter().all(|&p| p));
        let v = [9.0, 0.0, 8.0, 1.0, 7.0, 2.0, 6.0, 3.0, 5.0, 4.0];
        top_k_nonzero(&v, 5, &mut order, &mut out);
        assert_eq!(
            out,
            [
                true, false, true, false, true, false, true, false, true, false
            ]
        );
        // Ties at the boundary: stakes 5 at uids 5..=8; k = 5 keeps 5..=9 (uid 9 has 6).
        let v = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 5.0, 5.0, 5.0, 6.0];
        top_k_nonzero(&v, 5, &mut order, &mut out);
        assert_eq!(
            out,
            [
                false, false, false, false, false, true, true, true, true, true
            ]
        );
        // Hand-computed tie-break: four equal stakes, k = 2: the two lower uids lose.
        top_k_nonzero(&[1.0, 1.0, 1.0, 1.0], 2, &mut order, &mut out);
        assert_eq!(out, [false, false, true, true]);
    }

    #[test]
    fn active_stake_masks_and_renormalises() {
        let mut out = Vec::new();
        active_stake(
            &[0.1, 0.2, 0.3, 0.4],
            &[true, false, true, true],
            &[true, true, false, true],
            &mut out,
        );
        // Only uids 0 (0.1) and 3 (0.4) remain: 0.2 and 0.8.
        assert!((out[0] - 0.2).abs() < 1e-15 && (out[3] - 0.8).abs() < 1e-15);
        assert_eq!((out[1], out[2]), (0.0, 0.0));
    }
}
