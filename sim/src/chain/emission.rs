//! Block emission from issuance, with the chain's halving rule (spec §3), and the closed-form
//! accrual the engine uses to jump over quiet blocks.
//!
//! The chain computes the level `k = floor(log2(1 / (1 − I/21e15)))` and emits
//! `floor(10^9 / 2^k)` rao per block. Level `k` starts at the issuance threshold
//! `T_k = ceil(21e15 × (1 − 2^−k)) = 21e15 − floor(21e15 / 2^k)` (spec §3.3, verified bit-exactly
//! there), so the level of an issuance is found by comparing integers, and the number of blocks
//! a level still lasts is a ceiling division. That is what makes accrual exact to the block
//! without stepping block by block.

/// RAO per TAO.
pub const RAO_PER_TAO: u64 = 1_000_000_000;
/// Hard supply cap, 21 M TAO in rao (`TotalSupply`).
pub const MAX_SUPPLY_RAO: u64 = 21_000_000 * RAO_PER_TAO;
/// `DefaultBlockEmission`: 1 TAO per block before the first halving.
pub const DEFAULT_BLOCK_EMISSION: u64 = RAO_PER_TAO;
/// From level 30 on, `floor(10^9 / 2^k)` is 0: emission stops (spec §3.3).
pub const LAST_EMITTING_LEVEL: u32 = 29;

/// Issuance (rao) at which halving level `k` starts: `21e15 − floor(21e15 / 2^k)`.
///
/// Level 0 starts at 0, level 1 at 10.5 M TAO, level 2 at 15.75 M TAO, … (spec §3.3 table).
pub fn halving_threshold(level: u32) -> u64 {
    if level >= 64 {
        return MAX_SUPPLY_RAO;
    }
    MAX_SUPPLY_RAO - (MAX_SUPPLY_RAO >> level)
}

/// The halving level (0 before the first halving) for a total issuance in rao.
pub fn halving_level(issuance: u64) -> u32 {
    if issuance >= MAX_SUPPLY_RAO {
        return 64;
    }
    // Thresholds increase with k; at most 64 comparisons, no floating point.
    let mut level = 0;
    while level < 63 && halving_threshold(level + 1) <= issuance {
        level += 1;
    }
    level
}

/// TAO block emission in rao for the issuance before the block is minted
/// (`get_block_emission_for_issuance`): `floor(10^9 / 2^k)`, 0 at or above 21 M TAO.
pub fn block_emission(issuance: u64) -> u64 {
    let level = halving_level(issuance);
    if level > LAST_EMITTING_LEVEL {
        return 0;
    }
    // Minting never lets issuance pass the cap (`mint_tao` caps the amount).
    (DEFAULT_BLOCK_EMISSION >> level).min(MAX_SUPPLY_RAO - issuance)
}

/// A run of consecutive blocks that all emit the same amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EmissionSegment {
    /// First block of the run.
    pub first_block: u64,
    /// Number of blocks in the run.
    pub blocks: u64,
    /// Rao minted in each block of the run.
    pub per_block: u64,
    /// Halving level of the run.
    pub level: u32,
    /// Rao minted over the run (`blocks × per_block` when the rate is constant; smooth
    /// schedules vary the rate inside a run and state the total).
    pub total: u64,
}

/// Mint the blocks `first_block ..= last_block`, starting from `issuance`, and call
/// `on_segment` for each run of equal per-block emission, in block order. Returns the new
/// issuance.
///
/// A segment ends exactly at the block whose minting brings issuance to (or past) the next
/// threshold: that block still emits at the old rate, the next one at the new rate, as on chain,
/// where the rate is read from issuance before the block mints.
pub fn accrue(
    issuance: u64,
    first_block: u64,
    last_block: u64,
    mut on_segment: impl FnMut(EmissionSegment),
) -> u64 {
    runs(
        issuance,
        first_block,
        last_block,
        |_, issuance| {
            let level = halving_level(issuance);
            let per_block = if level > LAST_EMITTING_LEVEL {
                0
            } else {
                DEFAULT_BLOCK_EMISSION >> level
            };
            // Blocks until issuance reaches the next threshold: a ceiling division.
            let next = halving_threshold(level + 1).min(MAX_SUPPLY_RAO);
            let holds = if per_block == 0 {
                u64::MAX
            } else {
                (next - issuance).div_ceil(per_block)
            };
            (per_block, holds, level)
        },
        &mut on_segment,
    )
}

/// Mint runs of constant emission: `rate(block, issuance)` gives the rate, how many blocks it
/// holds (`u64::MAX`: no change ahead) and the level; issuance never passes the cap (the last
/// block before it mints only what is left).
pub(crate) fn runs(
    mut issuance: u64,
    first: u64,
    last: u64,
    rate: impl Fn(u64, u64) -> (u64, u64, u32),
    on_segment: &mut impl FnMut(EmissionSegment),
) -> u64 {
    let mut block = first;
    while block <= last && issuance < MAX_SUPPLY_RAO {
        let (per_block, holds, level) = rate(block, issuance);
        let blocks = holds.max(1).min(last - block + 1);
        if per_block == 0 {
            if holds == u64::MAX {
                break;
            }
            block = block.saturating_add(blocks);
            continue;
        }
        let full = blocks.min((MAX_SUPPLY_RAO - issuance) / per_block);
        if full > 0 {
            let total = full * per_block;
            on_segment(EmissionSegment {
                first_block: block,
                blocks: full,
                per_block,
                level,
                total,
            });
            issuance += total;
        }
        if full < blocks {
            let rest = MAX_SUPPLY_RAO - issuance;
            if rest > 0 {
                let segment = EmissionSegment {
                    first_block: block + full,
                    blocks: 1,
                    per_block: rest,
                    level,
                    total: rest,
                };
                on_segment(segment);
                issuance += rest;
            }
            break;
        }
        block += blocks;
    }
    issuance
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Thresholds and per-block emission from the table in
    /// `shared/reference/subtensor-mechanics.md` §3.3.
    #[test]
    fn thresholds_match_spec_table() {
        let table: [(u32, u64, u64); 9] = [
            (0, 0, 1_000_000_000),
            (1, 10_500_000_000_000_000, 500_000_000),
            (2, 15_750_000_000_000_000, 250_000_000),
            (3, 18_375_000_000_000_000, 125_000_000),
            (10, 20_979_492_187_500_000, 976_562),
            (16, 20_999_679_565_429_688, 15_258),
            (21, 20_999_989_986_419_678, 476),
            (29, 20_999_999_960_884_452, 1),
            (30, 20_999_999_980_442_226, 0),
        ];
        for (k, threshold, emission) in table {
            assert_eq!(halving_threshold(k), threshold, "T_{k}");
            assert_eq!(block_emission(threshold), emission, "e_{k}");
            if k > 0 {
                assert_eq!(halving_level(threshold - 1), k - 1);
                assert_eq!(block_emission(threshold - 1), 1_000_000_000 >> (k - 1));
            }
        }
        assert_eq!(block_emission(MAX_SUPPLY_RAO), 0);
    }

    /// Issue #2: the halving happens in the block where issuance reaches 10.5 M TAO; that block
    /// still mints 1 TAO, the next one 0.5 TAO. Hand-computed: start 5 TAO below the threshold.
    #[test]
    fn first_halving_block() {
        let start = halving_threshold(1) - 5 * RAO_PER_TAO;
        let mut segments = Vec::new();
        let end = accrue(start, 100, 109, |s| segments.push(s));
        assert_eq!(
            segments,
            vec![
                EmissionSegment {
                    first_block: 100,
                    blocks: 5,
                    per_block: 1_000_000_000,
                    level: 0,
                    total: 5_000_000_000
                },
                EmissionSegment {
                    first_block: 105,
                    blocks: 5,
                    per_block: 500_000_000,
                    level: 1,
                    total: 2_500_000_000
                },
            ]
        );
        assert_eq!(end, halving_threshold(1) + 5 * 500_000_000);
    }

    /// A threshold that is not a multiple of the emission: the crossing block mints the full
    /// old amount and overshoots (the chain reads the rate before minting).
    #[test]
    fn crossing_with_overshoot() {
        let start = halving_threshold(1) - 1_300_000_000; // 1.3 TAO below
        let mut segments = Vec::new();
        let end = accrue(start, 1, 3, |s| segments.push(s));
        assert_eq!(segments[0].blocks, 2); // 2 blocks at 1 TAO: 1.3 → −0.7 past the threshold
        assert_eq!(
            segments[1],
            EmissionSegment {
                first_block: 3,
                blocks: 1,
                per_block: 500_000_000,
                level: 1,
                total: 500_000_000
            }
        );
        assert_eq!(end, start + 2_500_000_000);
    }

    #[test]
    fn supply_never_exceeds_cap() {
        let end = accrue(MAX_SUPPLY_RAO - 10, 0, u64::MAX / 2, |_| {});
        assert!(end <= MAX_SUPPLY_RAO);
        let mut total = 0u64;
        let end = accrue(halving_threshold(28), 0, 1_000_000_000, |s| {
            total += s.blocks * s.per_block
        });
        assert_eq!(end, halving_threshold(28) + total);
        assert!(end < MAX_SUPPLY_RAO);
        assert_eq!(block_emission(end), 0);
    }

    proptest::proptest! {
        /// Accrual in one jump equals accrual split at any block (what the event engine does),
        /// and equals summing `block_emission` block by block.
        #[test]
        fn accrual_is_path_independent(
            issuance in 0u64..MAX_SUPPLY_RAO,
            blocks in 1u64..5_000,
            split in 0u64..5_000,
        ) {
            let split = split % blocks;
            let whole = accrue(issuance, 0, blocks - 1, |_| {});
            let part = accrue(issuance, 0, split.saturating_sub(1).min(blocks - 1), |_| {});
            let part = if split == 0 { issuance } else { part };
            let rest = accrue(part, split, blocks - 1, |_| {});
            proptest::prop_assert_eq!(whole, rest);
            let mut stepped = issuance;
            for _ in 0..blocks.min(300) {
                stepped += block_emission(stepped);
            }
            let short = accrue(issuance, 0, blocks.min(300) - 1, |_| {});
            proptest::prop_assert_eq!(stepped, short);
            proptest::prop_assert!(whole <= MAX_SUPPLY_RAO);
        }
    }
}
