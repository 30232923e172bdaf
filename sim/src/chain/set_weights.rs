//! The `set_weights` extrinsic (spec §7.1): which calls the chain accepts, and how it stores the
//! values (max-upscaled to u16). The I32F32 arithmetic is emulated exactly on integers, so
//! stored weights are the chain's in both numeric modes.

/// Why the chain refuses a `set_weights` call (the messages name the chain's error).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rejected {
    /// The caller holds no UID on the subnet.
    #[error("HotKeyNotRegisteredInSubNet: the caller holds no UID on the subnet")]
    NotRegistered,
    /// `uids` and `values` differ in length.
    #[error("WeightVecNotEqualSize: uids and values differ in length")]
    LengthMismatch,
    /// More weights than UIDs.
    #[error("UidsLengthExceedUidsInSubNet: more weights than UIDs")]
    TooManyWeights,
    /// Stake below `StakeThreshold`.
    #[error("NotEnoughStakeToSetWeights: stake below StakeThreshold")]
    StakeBelowThreshold,
    /// Fewer than `WeightsSetRateLimit` blocks since `LastUpdate`.
    #[error("SettingWeightsTooFast: rate limited until block {next_block}")]
    RateLimited {
        /// First block at which a new call is accepted.
        next_block: u64,
    },
    /// Non-self weights without a validator permit.
    #[error("NeuronNoValidatorPermit: weights on others without a validator permit")]
    NoPermit,
    /// A UID appears twice.
    #[error("DuplicateUids: a UID appears twice")]
    DuplicateUids,
    /// A UID does not exist.
    #[error("UidVecContainInvalidOne: a UID does not exist")]
    UidOutOfRange,
    /// Fewer weights than `min(MinAllowedWeights, n)`.
    #[error("WeightVecLengthIsLow: fewer weights than MinAllowedWeights")]
    TooFewWeights,
    /// The largest normalised weight exceeds `MaxWeightsLimit`.
    #[error("MaxWeightExceeded: the largest normalised weight exceeds MaxWeightsLimit")]
    MaxWeightExceeded,
}

/// The subnet settings `set_weights` checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rules {
    /// `WeightsSetRateLimit`, blocks (default 100).
    pub rate_limit: u64,
    /// `MinAllowedWeights` (new subnets: 1).
    pub min_allowed_weights: u16,
    /// `MaxWeightsLimit`, u16 (65,535 = no limit).
    pub max_weights_limit: u16,
    /// `StakeThreshold`, rao.
    pub stake_threshold: u64,
}

/// Who is calling and when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The caller's UID.
    pub uid: u16,
    /// UIDs on the subnet.
    pub n: u16,
    /// Holds a validator permit.
    pub permit: bool,
    /// Is the subnet owner's hotkey.
    pub owner: bool,
    /// Stake weight, rao.
    pub stake: u64,
    /// `LastUpdate`.
    pub last_update: u64,
    /// Current block.
    pub block: u64,
}

/// Check a call in the order `internal_set_weights` does.
pub fn check(rules: &Rules, caller: &Caller, uids: &[u16], values: &[u16]) -> Result<(), Rejected> {
    if uids.len() != values.len() {
        return Err(Rejected::LengthMismatch);
    }
    if uids.len() > caller.n as usize {
        return Err(Rejected::TooManyWeights);
    }
    if !caller.owner && caller.stake < rules.stake_threshold {
        return Err(Rejected::StakeBelowThreshold);
    }
    if caller.last_update != 0 && caller.block.saturating_sub(caller.last_update) < rules.rate_limit
    {
        return Err(Rejected::RateLimited {
            next_block: caller.last_update.saturating_add(rules.rate_limit),
        });
    }
    let self_weight_only = uids.len() == 1 && uids[0] == caller.uid;
    if !caller.permit && !caller.owner && !self_weight_only {
        return Err(Rejected::NoPermit);
    }
    // Agents send rows sorted by uid: then a duplicate is a neighbour; otherwise sort a copy.
    let duplicate = if uids.windows(2).all(|w| w[0] < w[1]) {
        false
    } else {
        let mut sorted = uids.to_vec();
        sorted.sort_unstable();
        sorted.windows(2).any(|w| w[0] == w[1])
    };
    if duplicate {
        return Err(Rejected::DuplicateUids);
    }
    if uids.iter().any(|&u| u >= caller.n) {
        return Err(Rejected::UidOutOfRange);
    }
    if !self_weight_only && uids.len() < rules.min_allowed_weights.min(caller.n) as usize {
        return Err(Rejected::TooFewWeights);
    }
    if !self_weight_only && !is_max_limited(values, rules.max_weights_limit) {
        return Err(Rejected::MaxWeightExceeded);
    }
    Ok(())
}

const FRAC: u32 = 32;
const HALF: u64 = 1 << (FRAC - 1);

/// I32F32 `round()` (half away from zero) of non-negative `bits`, then `saturating_to_num::<u16>`.
fn round_to_u16(bits: u64) -> u16 {
    ((bits + HALF) >> FRAC).min(u16::MAX as u64) as u16
}

/// `vec_u16_max_upscale_to_u16`: scale so the largest value is 65,535, as the chain stores
/// weights. With `M = max`: if `M ≤ 32768`, `round(v × 65535 / M)`; else
/// `round(v × (65535 / M))` with the ratio truncated to I32F32 first; zeros stay zeros. The
/// I32F32 bits fit in u64 here (`v × 65535 < 2^31` on the first branch, the ratio `< 2^33` on
/// the second).
pub fn max_upscale_u16(values: &[u16]) -> Vec<u16> {
    let max = values.iter().copied().max().unwrap_or(0) as u64;
    if max == 0 {
        return values.to_vec();
    }
    if max > 32_768 {
        // ratio bits = (65535 << 32) / M, truncated; v × ratio needs no further shift.
        let ratio = (65_535u64 << FRAC) / max;
        values
            .iter()
            .map(|&v| round_to_u16(v as u64 * ratio))
            .collect()
    } else {
        // (v × 65535) / M in I32F32: ((v × 65535) << 32) / M, truncated.
        values
            .iter()
            .map(|&v| round_to_u16(((v as u64 * 65_535) << FRAC) / max))
            .collect()
    }
}

/// `check_vec_max_limited`: after normalising in I32F32 (truncating divisions), the largest
/// weight is at most `max_limit / 65535`. Normalisation keeps the order, so only the largest
/// value needs dividing; the default limit 65,535 (= 1) can never be exceeded.
pub fn is_max_limited(values: &[u16], max_limit: u16) -> bool {
    if max_limit == u16::MAX {
        return true;
    }
    let sum: u64 = values.iter().map(|&v| v as u64).sum();
    let Some(&max) = values.iter().max() else {
        return true;
    };
    if sum == 0 {
        return true;
    }
    let limit_bits = ((max_limit as u64) << FRAC) / 65_535;
    ((max as u64) << FRAC) / sum <= limit_bits
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `test_vec_u16_max_upscale_to_u16` (test-vectors.md V19, asserted upstream).
    #[test]
    fn max_upscale_matches_upstream_vectors() {
        assert_eq!(max_upscale_u16(&[1]), vec![65_535]);
        assert_eq!(max_upscale_u16(&[0, 1]), vec![0, 65_535]);
        assert_eq!(max_upscale_u16(&[65_534]), vec![65_535]);
        assert_eq!(max_upscale_u16(&[0, 1, 65_534]), vec![0, 1, 65_535]);
        assert_eq!(
            max_upscale_u16(&[0, 1, 2, 3, 4, 65_533, 65_535]),
            vec![0, 1, 2, 3, 4, 65_533, 65_535]
        );
        assert_eq!(max_upscale_u16(&[]), Vec::<u16>::new());
        assert_eq!(max_upscale_u16(&[0, 0]), vec![0, 0]);
        // spec §7.1: [43690, 21845] → [65535, 32768].
        assert_eq!(max_upscale_u16(&[43_690, 21_845]), vec![65_535, 32_768]);
        // V8: [32767, 0, 32767] → [65535, 0, 65535].
        assert_eq!(
            max_upscale_u16(&[32_767, 0, 32_767]),
            vec![65_535, 0, 65_535]
        );
    }

    /// `test_check_vec_max_limited` (V19, asserted upstream).
    #[test]
    fn max_limited_matches_upstream_vectors() {
        assert!(is_max_limited(&[], 0));
        assert!(is_max_limited(&[65_535], 65_535));
        assert!(!is_max_limited(&[65_535], 65_534));
        assert!(!is_max_limited(&[65_535], 0));
        assert!(!is_max_limited(&[0, 65_535, 65_535], 32_767));
        assert!(is_max_limited(&[0, 65_535, 65_535], 32_768));
        assert!(!is_max_limited(&[0, 65_535, 65_535, 65_535], 21_844));
        assert!(is_max_limited(&[0, 65_535, 65_535, 65_535], 21_845));
    }

    #[test]
    fn checks_in_chain_order() {
        let rules = Rules {
            rate_limit: 100,
            min_allowed_weights: 2,
            max_weights_limit: u16::MAX,
            stake_threshold: 10,
        };
        let caller = Caller {
            uid: 0,
            n: 5,
            permit: true,
            owner: false,
            stake: 100,
            last_update: 50,
            block: 120,
        };
        assert_eq!(
            check(&rules, &caller, &[1, 2], &[1, 1]),
            Err(Rejected::RateLimited { next_block: 150 })
        );
        // A rate limit of u64::MAX (an audit's input) refuses without overflowing.
        let forever = Rules {
            rate_limit: u64::MAX,
            ..rules
        };
        assert_eq!(
            check(&forever, &caller, &[1, 2], &[1, 1]),
            Err(Rejected::RateLimited {
                next_block: u64::MAX
            })
        );
        let caller = Caller {
            block: 150,
            ..caller
        };
        assert_eq!(check(&rules, &caller, &[1, 2], &[1, 1]), Ok(()));
        assert_eq!(
            check(&rules, &caller, &[1], &[1]),
            Err(Rejected::TooFewWeights)
        );
        assert_eq!(
            check(&rules, &caller, &[1, 1], &[1, 1]),
            Err(Rejected::DuplicateUids)
        );
        assert_eq!(
            check(&rules, &caller, &[1, 9], &[1, 1]),
            Err(Rejected::UidOutOfRange)
        );
        let no_permit = Caller {
            permit: false,
            ..caller
        };
        assert_eq!(
            check(&rules, &no_permit, &[1, 2], &[1, 1]),
            Err(Rejected::NoPermit)
        );
        assert_eq!(
            check(&rules, &no_permit, &[0], &[1]),
            Ok(()),
            "a single self-weight is allowed"
        );
        let poor = Caller { stake: 9, ..caller };
        assert_eq!(
            check(&rules, &poor, &[1, 2], &[1, 1]),
            Err(Rejected::StakeBelowThreshold)
        );
        assert_eq!(
            check(
                &rules,
                &Caller {
                    owner: true,
                    ..poor
                },
                &[1, 2],
                &[1, 1]
            ),
            Ok(())
        );
    }
}
