//! Step 10 (spec §1.13): split the epoch's emission between miners and validators.
//!
//! Miners get `I/Σ(I+D)`, validators `D/Σ(I+D)` — normally half each. When nothing earns
//! (no valid weights, consensus 0 everywhere) validators take everything by stake, so a subnet
//! whose validators have not weighted yet still pays its stakers.

/// Fills the per-uid emission amounts in rao.
///
/// Each amount is `floor(share × emission)` (the chain floors `I96F32(x) × E` the same way).
/// In `f64` the shares may sum to `1 + ε` and `x × E` may round up, so as a final guard any
/// excess of the total over `emission` is taken from the single largest amount; the totals are
/// therefore always `<= emission`, and short of it only by the floors (< 1 rao per non-zero
/// amount) plus `f64` rounding (about `emission × 2⁻⁵²`).
pub fn split_emission(
    incentive: &[f64],
    dividends: &[f64],
    active_stake: &[f64],
    stake: &[f64],
    emission: u64,
    server: &mut Vec<u64>,
    validator: &mut Vec<u64>,
) {
    let total: f64 = incentive.iter().zip(dividends).map(|(i, d)| i + d).sum();
    let e = emission as f64;
    let amount = |share: f64| (share * e).floor() as u64; // saturating cast, NaN → 0
    server.clear();
    validator.clear();
    if total > 0.0 {
        server.extend(incentive.iter().map(|&i| amount(i / total)));
        validator.extend(dividends.iter().map(|&d| amount(d / total)));
    } else {
        server.resize(incentive.len(), 0);
        let fallback = if active_stake.iter().any(|&s| s != 0.0) {
            active_stake
        } else {
            stake
        };
        validator.extend(fallback.iter().map(|&s| amount(s)));
    }
    cap_total(server, validator, emission);
}

/// Removes any excess of `Σ server + Σ validator` over `emission` from the largest amount.
fn cap_total(server: &mut [u64], validator: &mut [u64], emission: u64) {
    let sum: u128 = server
        .iter()
        .chain(validator.iter())
        .map(|&a| u128::from(a))
        .sum();
    let Some(excess) = sum.checked_sub(u128::from(emission)).filter(|&x| x > 0) else {
        return;
    };
    // The largest of the (at most 2n) amounts is >= sum / 2n, far above any rounding excess;
    // saturate anyway so a pathological input cannot underflow.
    if let Some(largest) = server
        .iter_mut()
        .chain(validator.iter_mut())
        .max_by_key(|a| **a)
    {
        *largest = largest.saturating_sub(u64::try_from(excess).unwrap_or(u64::MAX));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-computed: ΣI = ΣD = 1 → halves; E = 1000: I [0.25, 0.75] → 125, 375.
    #[test]
    fn halves_when_both_sum_to_one() {
        let (mut s, mut v) = (Vec::new(), Vec::new());
        split_emission(
            &[0.25, 0.75, 0.0],
            &[0.0, 0.0, 1.0],
            &[],
            &[],
            1000,
            &mut s,
            &mut v,
        );
        assert_eq!(s, vec![125, 375, 0]);
        assert_eq!(v, vec![0, 0, 500]);
    }

    /// Σ(I+D) = 0: validators take everything by active stake, else by stake.
    #[test]
    fn zero_sum_falls_back_to_stake() {
        let (mut s, mut v) = (Vec::new(), Vec::new());
        split_emission(
            &[0.0; 2],
            &[0.0; 2],
            &[0.0, 1.0],
            &[0.5, 0.5],
            1000,
            &mut s,
            &mut v,
        );
        assert_eq!((s.clone(), v.clone()), (vec![0, 0], vec![0, 1000]));
        split_emission(
            &[0.0; 2],
            &[0.0; 2],
            &[0.0, 0.0],
            &[0.5, 0.5],
            1000,
            &mut s,
            &mut v,
        );
        assert_eq!((s, v), (vec![0, 0], vec![500, 500]));
    }

    /// Incentive without dividends: miners take all of E (§1.13's rare case).
    #[test]
    fn incentive_without_dividends_goes_to_miners() {
        let (mut s, mut v) = (Vec::new(), Vec::new());
        split_emission(
            &[0.5, 0.5],
            &[0.0, 0.0],
            &[1.0, 0.0],
            &[1.0, 0.0],
            999,
            &mut s,
            &mut v,
        );
        assert_eq!((s, v), (vec![499, 499], vec![0, 0]));
    }

    /// Hand-computed: 600 + 10 + 500 = 1110 > 1000, the excess 110 comes off the largest.
    #[test]
    fn excess_is_capped() {
        let (mut s, mut v) = (vec![600, 10], vec![500]);
        cap_total(&mut s, &mut v, 1000);
        assert_eq!((s, v), (vec![490, 10], vec![500]));
    }
}
