//! Dividends of a drained epoch as amounts: the validators' pot `Pv` and the root pot `Pr`
//! shared by the epoch's dividends, split per hotkey into an alpha part and a root part
//! (spec §4.8 step 5, subtensor's `calculate_dividend_distribution`).
//!
//! The epoch's per-hotkey validator emission is used only as a weight `d_h`. A hotkey with own
//! alpha `a_h` and root stake `r_h` owes the part `rp_h = τ·r_h / (a_h + τ·r_h)` of its weight
//! to root: `root_h = d_h·rp_h`, `alpha_h = d_h − root_h`. Then `Pv` is shared by the `alpha_h`
//! and `Pr` by the `root_h`, each amount floored (the remainder is the caller's dust).
//! A validator with root stake therefore takes less of the alpha pot and a share of the root
//! pot; without root stake anywhere the split is `Pv` pro rata to `d_h` and no root part.

/// Per-hotkey dividend amounts, rao.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dividends {
    /// Share of the validators' pot `Pv`.
    pub alpha: Vec<u64>,
    /// Share of the root pot `Pr` (all zero when no hotkey owes anything to root).
    pub root: Vec<u64>,
    /// Whether `Pr` was shared out; if not, the caller keeps it for root stakers elsewhere.
    pub root_paid: bool,
}

/// What one hotkey brings to the split.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Holder {
    /// The epoch's validator emission of the hotkey, rao (a weight only).
    pub weight: u64,
    /// Own alpha stake, rao.
    pub alpha: u64,
    /// Own root stake, rao.
    pub root: u64,
}

/// Share `pv` and `pr` among `holders` with TAO weight `tao_weight` into `out`.
///
/// Without root stake (or with τ = 0) `Pv` is shared by exact integer pro rata of the
/// weights, as before root stake existed; otherwise in `f64`, floored per hotkey and never
/// more than the pot.
pub fn share(pv: u64, pr: u64, tao_weight: f64, holders: &[Holder], out: &mut Dividends) {
    let n = holders.len();
    out.alpha.clear();
    out.alpha.resize(n, 0);
    out.root.clear();
    out.root.resize(n, 0);
    out.root_paid = false;
    let owes_root = |h: &Holder| tao_weight > 0.0 && h.root > 0 && h.weight > 0;
    if !holders.iter().any(owes_root) {
        let total: u128 = holders.iter().map(|h| h.weight as u128).sum();
        for (a, h) in out.alpha.iter_mut().zip(holders) {
            *a = (pv as u128 * h.weight as u128)
                .checked_div(total)
                .map_or(0, |x| x as u64);
        }
        return;
    }
    // `(alpha_h, root_h)`, recomputed per pass rather than stored: no allocation per epoch.
    let part = |h: &Holder| {
        let d = h.weight as f64;
        let root_alpha = tao_weight * h.root as f64;
        let total = h.alpha as f64 + root_alpha;
        let root = if total > 0.0 {
            d * (root_alpha / total)
        } else {
            0.0
        };
        (d - root, root)
    };
    let (alpha_total, root_total) = holders
        .iter()
        .map(part)
        .fold((0.0, 0.0), |(a, r), (x, y)| (a + x, r + y));
    pay(
        pv,
        alpha_total,
        holders.iter().map(|h| part(h).0),
        &mut out.alpha,
    );
    if root_total > 0.0 {
        pay(
            pr,
            root_total,
            holders.iter().map(|h| part(h).1),
            &mut out.root,
        );
        out.root_paid = true;
    }
}

/// `pot × w / total`, floored, for each weight, never paying more than `pot` in all.
fn pay(pot: u64, total: f64, weights: impl Iterator<Item = f64>, out: &mut [u64]) {
    if total <= 0.0 {
        return;
    }
    let mut left = pot;
    for (o, w) in out.iter_mut().zip(weights) {
        let amount = ((pot as f64 * (w / total)).floor() as u64).min(left);
        *o = amount;
        left -= amount;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder(weight: u64, alpha: u64, root: u64) -> Holder {
        Holder {
            weight,
            alpha,
            root,
        }
    }

    /// Without root stake: `Pv` pro rata to the weights, exactly as integers; `Pr` untouched.
    /// Hand-computed: 1,000 × 1/4 = 250, 1,000 × 3/4 = 750.
    #[test]
    fn without_root_stake_the_validators_pot_is_pro_rata() {
        let mut out = Dividends::default();
        let holders = [holder(1, 500, 0), holder(3, 100, 0), holder(0, 900, 0)];
        share(1_000, 400, 0.18, &holders, &mut out);
        assert_eq!(out.alpha, vec![250, 750, 0]);
        assert_eq!(out.root, vec![0, 0, 0]);
        assert!(!out.root_paid);
    }

    /// Spec §4.8 step 5 by hand, τ = 0.18:
    /// - A: weight 600, α = 1,000, R = 5,000: τR = 900, rp = 900/1,900 = 9/19,
    ///   root = 600·9/19 = 284.2105…, alpha = 315.7894…;
    /// - B: weight 400, α = 2,000, R = 0: rp = 0, root = 0, alpha = 400.
    ///
    /// Σ alpha = 715.7894…, so Pv = 10,000 gives A ⌊10,000·315.7894…/715.7894…⌋ = ⌊4,411.76…⌋
    /// = 4,411 and B ⌊10,000·400/715.7894…⌋ = ⌊5,588.23…⌋ = 5,588; Σ root = 284.21…, all
    /// A's: Pr = 3,000 goes to A whole.
    #[test]
    fn root_stake_moves_dividends_from_the_alpha_pot_to_the_root_pot() {
        let mut out = Dividends::default();
        let holders = [holder(600, 1_000, 5_000), holder(400, 2_000, 0)];
        share(10_000, 3_000, 0.18, &holders, &mut out);
        assert_eq!(out.alpha, vec![4_411, 5_588]);
        assert_eq!(out.root, vec![3_000, 0]);
        assert!(out.root_paid);
    }

    /// A hotkey with root stake but no alpha owes all its weight to root (rp = 1); with τ = 0
    /// root stake counts for nothing and the integer pro rata applies.
    #[test]
    fn edge_cases_of_the_root_proportion() {
        let mut out = Dividends::default();
        share(
            900,
            300,
            0.18,
            &[holder(1, 0, 10), holder(2, 5, 0)],
            &mut out,
        );
        assert_eq!(out.alpha, vec![0, 900]);
        assert_eq!(out.root, vec![300, 0]);
        share(
            900,
            300,
            0.0,
            &[holder(1, 0, 10), holder(2, 5, 0)],
            &mut out,
        );
        assert_eq!(out.alpha, vec![300, 600]);
        assert!(!out.root_paid);
        // No dividends at all: nothing is paid, root is not claimed.
        share(900, 300, 0.18, &[holder(0, 0, 10)], &mut out);
        assert_eq!((out.alpha[0], out.root[0], out.root_paid), (0, 0, false));
    }

    proptest::proptest! {
        /// Never more than either pot, no matter the stakes.
        #[test]
        fn never_pays_more_than_the_pots(
            pv in 0u64..1_000_000_000_000,
            pr in 0u64..1_000_000_000_000,
            tau in 0.0f64..1.0,
            holders in proptest::collection::vec(
                (0u64..1_000_000_000, 0u64..1_000_000_000_000_000, 0u64..1_000_000_000_000_000),
                0..40,
            ),
        ) {
            let holders: Vec<Holder> = holders.into_iter().map(|(w, a, r)| holder(w, a, r)).collect();
            let mut out = Dividends::default();
            share(pv, pr, tau, &holders, &mut out);
            proptest::prop_assert!(out.alpha.iter().sum::<u64>() <= pv);
            proptest::prop_assert!(out.root.iter().sum::<u64>() <= pr);
            if !out.root_paid {
                proptest::prop_assert!(out.root.iter().all(|&r| r == 0));
            }
        }
    }
}
