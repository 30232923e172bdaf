//! Step 1 (spec §1.4): which uids count as active.
//!
//! An inactive validator keeps its weights, but loses its stake in consensus and dividends
//! (its active stake is zeroed in step 3), so a validator that stops setting weights
//! gradually stops earning.

/// `last_update + cutoff >= block`, with a saturating add so a huge cutoff means "always active"
/// instead of overflowing (the chain writes the negation, `last_update + cutoff < block`).
#[inline]
pub fn is_active(last_update: u64, activity_cutoff: u64, block: u64) -> bool {
    last_update.saturating_add(activity_cutoff) >= block
}

/// Fills `out` with [`is_active`] for every uid, reusing `out`'s capacity.
pub fn fill_active(last_update: &[u64], activity_cutoff: u64, block: u64, out: &mut Vec<bool>) {
    out.clear();
    out.extend(
        last_update
            .iter()
            .map(|&lu| is_active(lu, activity_cutoff, block)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-computed: cutoff 13 (tempo 1 on the chain), last update at block 1.
    #[test]
    fn cutoff_boundary_is_inclusive() {
        assert!(is_active(1, 13, 14)); // 1 + 13 = 14 >= 14
        assert!(!is_active(1, 13, 15)); // 14 < 15
        assert!(is_active(u64::MAX - 1, u64::MAX, u64::MAX)); // saturates instead of wrapping
    }

    #[test]
    fn fill_active_reuses_the_buffer() {
        let mut out = vec![true; 8];
        fill_active(&[0, 10, 20], 5, 15, &mut out); // 10 + 5 >= 15, 0 + 5 < 15
        assert_eq!(out, vec![false, true, true]);
    }
}
