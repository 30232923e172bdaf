//! Emission schedules a scenario can choose: the chain's issuance-based halving, time-based
//! halving, a smooth exponential with the same total supply, a constant rate, or a table. Every
//! one mints in closed form over any span of blocks (no per-block loop) and never lets issuance
//! pass the 21 M TAO cap.

use super::emission::{
    EmissionSegment, MAX_SUPPLY_RAO, accrue as accrue_chain, halving_level, runs,
};

/// Whether a table's steps are keyed by block number or by issuance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableKey {
    /// Step `from` values are block numbers.
    Block,
    /// Step `from` values are issuance in rao.
    Issuance,
}

/// A rule for each block's TAO emission (amounts in rao).
#[derive(Clone, Debug, PartialEq)]
pub enum Schedule {
    /// The chain's rule: `floor(10^9 / 2^k)` with `k` from issuance (spec §3).
    Chain,
    /// Halve every `interval` blocks, counted from block 0: `initial >> (block / interval)`.
    HalvingEveryBlocks {
        /// Blocks between halvings.
        interval: u64,
        /// Emission before the first halving.
        initial: u64,
    },
    /// Smooth decay with the chain's total supply and starting rate: issuance follows
    /// `S − (S − I₀)·q^(b − b₀)` with `q = 1 − initial / S`, so the rate is `initial × (S − I)/S`,
    /// the curve through the start of every chain halving level.
    SmoothExponential {
        /// Rate at zero issuance.
        initial: u64,
        /// Block of the reference point.
        origin_block: u64,
        /// Issuance at the reference point.
        origin_issuance: u64,
    },
    /// The same emission every block until the cap.
    Constant {
        /// Emission per block.
        per_block: u64,
    },
    /// Piecewise constant: each step applies from its `from` (block or issuance) on.
    Table {
        /// What `from` means.
        key: TableKey,
        /// `(from, per_block)`, sorted by `from`.
        steps: Vec<(u64, u64)>,
    },
}

impl Schedule {
    /// Mint blocks `first ..= last` from `issuance`, calling `on_segment` for each run (in
    /// block order); returns the issuance after `last`.
    pub fn accrue(
        &self,
        issuance: u64,
        first: u64,
        last: u64,
        mut on_segment: impl FnMut(EmissionSegment),
    ) -> u64 {
        match self {
            Schedule::Chain => accrue_chain(issuance, first, last, on_segment),
            Schedule::SmoothExponential {
                initial,
                origin_block,
                origin_issuance,
            } => {
                if first > last {
                    return issuance;
                }
                // Issuance is a function of the block, so minting up to `last` gives that value
                // however the span was cut into calls.
                let at = |b: u64| {
                    smooth_issuance(*initial, *origin_block, *origin_issuance, b).max(issuance)
                };
                let total = at(last) - issuance;
                if total > 0 {
                    on_segment(EmissionSegment {
                        first_block: first,
                        blocks: last - first + 1,
                        per_block: at(first) - issuance,
                        level: halving_level(issuance),
                        total,
                    });
                }
                issuance + total
            }
            _ => runs(
                issuance,
                first,
                last,
                |block, issuance| self.rate(block, issuance),
                &mut on_segment,
            ),
        }
    }

    /// For the piecewise-constant schedules: `(rate, blocks the rate still holds, level)` at
    /// `block` with `issuance` before it (`u64::MAX` blocks: no change ahead).
    fn rate(&self, block: u64, issuance: u64) -> (u64, u64, u32) {
        match self {
            Schedule::HalvingEveryBlocks { interval, initial } => {
                let interval = (*interval).max(1);
                let level = block / interval;
                let rate = if level >= 64 { 0 } else { initial >> level };
                (
                    rate,
                    interval - block % interval,
                    level.min(u32::MAX as u64) as u32,
                )
            }
            Schedule::Constant { per_block } => (*per_block, u64::MAX, 0),
            Schedule::Table { key, steps } => {
                let position = |x: u64| steps.partition_point(|(from, _)| *from <= x);
                let (x, idx) = match key {
                    TableKey::Block => (block, position(block)),
                    TableKey::Issuance => (issuance, position(issuance)),
                };
                let rate = if idx == 0 { 0 } else { steps[idx - 1].1 };
                let next = steps.get(idx).map(|(from, _)| from - x);
                let blocks = match (key, next) {
                    (_, None) => u64::MAX,
                    (TableKey::Block, Some(d)) => d,
                    // By issuance: the step changes in the block whose minting reaches `from`.
                    (TableKey::Issuance, Some(d)) if rate > 0 => d.div_ceil(rate),
                    (TableKey::Issuance, Some(_)) => u64::MAX,
                };
                (rate, blocks, idx.saturating_sub(1) as u32)
            }
            Schedule::Chain | Schedule::SmoothExponential { .. } => (0, u64::MAX, 0),
        }
    }
}

/// Issuance after block `b` of the smooth schedule: the remaining supply decays by `q` per
/// block. Computed on the remaining supply (at least 1 rao) as an integer, because f64 cannot
/// tell 21e15 − 1 from 21e15.
fn smooth_issuance(initial: u64, origin_block: u64, origin_issuance: u64, b: u64) -> u64 {
    let s = MAX_SUPPLY_RAO as f64;
    let remaining = MAX_SUPPLY_RAO.saturating_sub(origin_issuance);
    let t = b.saturating_sub(origin_block) as f64 + if b >= origin_block { 1.0 } else { 0.0 };
    let left = (remaining as f64 * (t * (-(initial as f64) / s).ln_1p()).exp()).ceil() as u64;
    (MAX_SUPPLY_RAO - left.clamp(1, remaining.max(1))).max(origin_issuance)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::emission::{RAO_PER_TAO, halving_threshold};

    fn total(s: &Schedule, issuance: u64, first: u64, last: u64) -> (u64, Vec<EmissionSegment>) {
        let mut segs = Vec::new();
        let end = s.accrue(issuance, first, last, |x| segs.push(x));
        assert_eq!(end - issuance, segs.iter().map(|x| x.total).sum::<u64>());
        (end, segs)
    }

    #[test]
    fn time_based_halving_steps_at_multiples_of_the_interval() {
        let s = Schedule::HalvingEveryBlocks {
            interval: 100,
            initial: RAO_PER_TAO,
        };
        let (end, segs) = total(&s, 0, 50, 249);
        // Hand-computed: 50 blocks at 1 TAO, 100 at 0.5, 50 at 0.25.
        assert_eq!(
            segs.iter()
                .map(|x| (x.blocks, x.per_block))
                .collect::<Vec<_>>(),
            vec![(50, 1_000_000_000), (100, 500_000_000), (50, 250_000_000)]
        );
        assert_eq!(
            end,
            50 * RAO_PER_TAO + 50 * RAO_PER_TAO + 50 * RAO_PER_TAO / 4
        );
    }

    #[test]
    fn constant_and_tables_stop_exactly_at_the_cap() {
        let near = MAX_SUPPLY_RAO - 2_500_000_000;
        let (end, _) = total(
            &Schedule::Constant {
                per_block: RAO_PER_TAO,
            },
            near,
            0,
            10,
        );
        assert_eq!(end, MAX_SUPPLY_RAO);
        let table = Schedule::Table {
            key: TableKey::Issuance,
            steps: vec![(0, 3 * RAO_PER_TAO)],
        };
        assert_eq!(total(&table, near, 0, 10).0, MAX_SUPPLY_RAO);
    }

    #[test]
    fn tables_by_block_and_by_issuance() {
        let by_block = Schedule::Table {
            key: TableKey::Block,
            steps: vec![(0, 10), (5, 4)],
        };
        let (end, _) = total(&by_block, 0, 0, 9);
        assert_eq!(end, 5 * 10 + 5 * 4);
        // By issuance: 10/block until issuance reaches 25 (3 blocks: 10, 20, 30), then 1/block.
        let by_issuance = Schedule::Table {
            key: TableKey::Issuance,
            steps: vec![(0, 10), (25, 1)],
        };
        let (end, segs) = total(&by_issuance, 0, 0, 9);
        assert_eq!(segs[0].blocks, 3);
        assert_eq!(end, 30 + 7);
    }

    /// The smooth curve passes through the start of each chain level: at 10.5 M TAO its rate
    /// is half the initial one, and it never reaches the cap.
    #[test]
    fn smooth_exponential_halves_where_the_chain_halves() {
        let half = halving_threshold(1);
        let s = Schedule::SmoothExponential {
            initial: RAO_PER_TAO,
            origin_block: 0,
            origin_issuance: half,
        };
        let (_, segs) = total(&s, half, 0, 0);
        assert!(
            (segs[0].per_block as f64 / 5e8 - 1.0).abs() < 1e-6,
            "{}",
            segs[0].per_block
        );
        let (end, _) = total(&s, half, 0, 4_000_000_000);
        assert!(end < MAX_SUPPLY_RAO);
    }

    proptest::proptest! {
        /// Minting in one jump equals minting in two (what the event engine does), for every
        /// schedule, and issuance never passes the cap.
        #[test]
        fn accrual_is_path_independent(issuance in 0u64..MAX_SUPPLY_RAO, blocks in 1u64..50_000, split in 0u64..50_000, which in 0usize..5) {
            let schedules = [
                Schedule::Chain,
                Schedule::HalvingEveryBlocks { interval: 7_000, initial: RAO_PER_TAO },
                Schedule::SmoothExponential { initial: RAO_PER_TAO, origin_block: 0, origin_issuance: issuance },
                Schedule::Constant { per_block: 3 * RAO_PER_TAO },
                Schedule::Table { key: TableKey::Issuance, steps: vec![(0, RAO_PER_TAO), (issuance + 5 * RAO_PER_TAO, 7)] },
            ];
            let s = &schedules[which];
            let split = split % blocks;
            let whole = s.accrue(issuance, 0, blocks - 1, |_| {});
            let mid = if split == 0 { issuance } else { s.accrue(issuance, 0, split - 1, |_| {}) };
            let parts = s.accrue(mid, split, blocks - 1, |_| {});
            proptest::prop_assert_eq!(whole, parts);
            proptest::prop_assert!(whole <= MAX_SUPPLY_RAO);
        }
    }
}
