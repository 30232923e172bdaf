//! Neuron registration rules (spec §6): the burn price with its per-block decay and its bump per
//! registration, immunity, and which UID a registration replaces when the subnet is full.
//! Integer arithmetic exactly as the chain does it (Q32 decay, U64F64 bump, floors).

/// `mul_by_q32`: `floor(value × factor / 2^32)`, saturating.
pub fn mul_by_q32(value: u64, factor_q32: u64) -> u64 {
    ((value as u128 * factor_q32 as u128) >> 32).min(u64::MAX as u128) as u64
}

/// `pow_q32`: `base^exp` in Q32 by squaring, each product floored as on chain.
pub fn pow_q32(base_q32: u64, exp: u16) -> u64 {
    let (mut result, mut factor, mut power) = (1u64 << 32, base_q32, exp as u32);
    while power > 0 {
        if power & 1 == 1 {
            result = mul_by_q32(result, factor);
        }
        power >>= 1;
        if power > 0 {
            factor = mul_by_q32(factor, factor);
        }
    }
    result
}

/// `decay_factor_q32`: the largest Q32 factor `f` with `f^half_life ≤ 0.5` (binary search), so
/// the burn halves every `half_life` blocks; 1.0 for a half-life of 0 (no decay).
pub fn decay_factor_q32(half_life: u16) -> u64 {
    if half_life == 0 {
        return 1 << 32;
    }
    let (mut lo, mut hi) = (0u64, 1u64 << 32);
    while lo + 1 < hi {
        let mid = lo + ((hi - lo) >> 1);
        if pow_q32(mid, half_life) > 1 << 31 {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    lo
}

/// A subnet's burn settings, in rao (and the bump as a U64F64 bit pattern).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BurnRules {
    /// `MinBurn`.
    pub min: u64,
    /// `MaxBurn`.
    pub max: u64,
    /// Per-block factor from `BurnHalfLife` (Q32).
    pub decay_q32: u64,
    /// `BurnIncreaseMult` as U64F64 bits (at least 1.0).
    pub increase_q64: u128,
}

impl BurnRules {
    /// Rules from human units: TAO bounds, half-life in blocks, the bump multiplier.
    pub fn new(min_rao: u64, max_rao: u64, half_life: u16, increase_mult: f64) -> BurnRules {
        // An f64 multiplier converts to U64F64 exactly (multiplying by 2^64 is exact).
        let increase_q64 = (increase_mult.max(1.0) * 18_446_744_073_709_551_616.0) as u128;
        BurnRules {
            min: min_rao,
            max: max_rao.max(min_rao),
            decay_q32: decay_factor_q32(half_life),
            increase_q64,
        }
    }

    fn clamp(&self, burn: u64) -> u64 {
        burn.clamp(self.min, self.max)
    }

    /// The burn after `blocks` more blocks of decay (each block: floor-multiply, then clamp, as
    /// `update_registration_prices_for_networks`). The floors compound, so this iterates, but
    /// only until the burn reaches its floor (a few thousand steps at most), never per
    /// simulated block.
    pub fn decay(&self, burn: u64, blocks: u64) -> u64 {
        let mut burn = self.clamp(burn);
        for _ in 0..blocks {
            let next = self.clamp(mul_by_q32(burn, self.decay_q32));
            if next == burn {
                break;
            }
            burn = next;
        }
        burn
    }

    /// The burn after one registration (`bump_registration_price_after_registration`).
    pub fn bump(&self, burn: u64) -> u64 {
        let bumped = (burn as u128 * self.increase_q64) >> 64;
        self.clamp(bumped.min(u64::MAX as u128) as u64)
    }
}

/// `get_neuron_is_immune`: registered less than `immunity_period` blocks ago.
pub fn is_immune(block: u64, registered: u64, immunity_period: u64) -> bool {
    block.saturating_sub(registered) < immunity_period
}

/// One UID as pruning sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PruneCandidate {
    /// Combined emission of the last epoch (`Emission`).
    pub emission: u64,
    /// `BlockAtRegistration`.
    pub registered: u64,
    /// Immune now.
    pub immune: bool,
    /// An owner hotkey, never pruned.
    pub immortal: bool,
}

/// `get_neuron_to_prune`: the UID a registration replaces in a full subnet — the lowest
/// (emission, registration block, uid) among non-immune UIDs if more than `min_non_immune` of
/// them are left, else the lowest among immune ones; `None` if every UID is immortal.
pub fn neuron_to_prune(candidates: &[PruneCandidate], min_non_immune: u16) -> Option<u16> {
    let key = |uid: usize| (candidates[uid].emission, candidates[uid].registered, uid);
    let mortal = || (0..candidates.len()).filter(|&u| !candidates[u].immortal);
    let free = mortal().filter(|&u| !candidates[u].immune).count();
    let best_free = mortal()
        .filter(|&u| !candidates[u].immune)
        .min_by_key(|&u| key(u));
    let best_immune = mortal()
        .filter(|&u| candidates[u].immune)
        .min_by_key(|&u| key(u));
    match best_free {
        Some(uid) if free > min_non_immune as usize => Some(uid as u16),
        _ => best_immune.map(|u| u as u16),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `f(360) = 4,286,705,684 ≈ 0.99807644` (spec §6.1).
    #[test]
    fn decay_factor_matches_spec() {
        assert_eq!(decay_factor_q32(360), 4_286_705_684);
        assert_eq!(decay_factor_q32(0), 1 << 32);
        assert!(pow_q32(decay_factor_q32(360), 360) <= 1 << 31);
        assert!(pow_q32(decay_factor_q32(360) + 1, 360) > 1 << 31);
    }

    /// 1 TAO decays to about 0.5 TAO in 360 blocks (floors make it slightly less), and stops
    /// at MinBurn; bumps multiply by 1.26 and stop at MaxBurn. Hand-computed:
    /// floor(1e9 × 1.26) = 1,260,000,000.
    #[test]
    fn burn_decays_and_bumps() {
        let rules = BurnRules::new(500_000, 100_000_000_000, 360, 1.26);
        let half = rules.decay(1_000_000_000, 360);
        assert!((499_000_000..=500_000_000).contains(&half), "{half}");
        assert_eq!(rules.decay(1_000_000_000, 10_000_000), 500_000);
        assert_eq!(rules.bump(1_000_000_000), 1_260_000_000);
        assert_eq!(rules.bump(99_000_000_000), 100_000_000_000);
        // One block of decay is one floor-multiply: floor(1e9 × 4,286,705,684 / 2^32).
        assert_eq!(
            rules.decay(1_000_000_000, 1),
            ((1_000_000_000u128 * 4_286_705_684) >> 32) as u64
        );
    }

    fn c(emission: u64, registered: u64, immune: bool) -> PruneCandidate {
        PruneCandidate {
            emission,
            registered,
            immune,
            immortal: false,
        }
    }

    #[test]
    fn prunes_lowest_emission_then_oldest_then_lowest_uid() {
        let uids = [
            c(5, 1, false),
            c(3, 9, false),
            c(3, 2, false),
            c(0, 50, true),
            c(3, 2, false),
        ];
        // Non-immune: uids 0, 1, 2, 4 (4 free > 2): lowest emission 3, oldest registration 2,
        // lowest uid → 2.
        assert_eq!(neuron_to_prune(&uids, 2), Some(2));
        // Only 4 free UIDs, floor 4: fall back to the best immune one (uid 3).
        assert_eq!(neuron_to_prune(&uids, 4), Some(3));
        let mut all_immortal = uids;
        all_immortal.iter_mut().for_each(|u| u.immortal = true);
        assert_eq!(neuron_to_prune(&all_immortal, 0), None);
        // Too few free UIDs and none immune: the chain finds nothing and the registration fails.
        assert_eq!(neuron_to_prune(&[c(1, 0, false), c(0, 0, false)], 10), None);
    }
}
