//! Upper bounds on the size of a scenario and of a study, checked at validation so that a typo
//! (an extra digit, a block number near `u64::MAX`) is refused with a located error instead of
//! starting a run that never ends or aborts out of memory. Each bound is generous: the chain's
//! own limit where it has one, with room for mechanism-design studies beyond it.

use super::BLOCKS_PER_YEAR;

/// Longest run: 1,000 years. Emission is zero long before (level 30 is reached in ~120 years).
pub const MAX_DURATION_BLOCKS: u64 = 1_000 * BLOCKS_PER_YEAR;

/// Last block a run may reach (`start.block` + duration): the chain's block numbers are u32
/// (subtensor `common/src/lib.rs: BlockNumber`), 1,634 years of 12 s blocks. It keeps every
/// `start + offset` of a run far from overflow.
pub const MAX_END_BLOCK: u64 = u32::MAX as u64;

/// Most UIDs a subnet may hold (`max_allowed_uids`): 16× the chain's bound, 256
/// (`DefaultMaxAllowedUids`, which `sudo_set_max_allowed_uids` may not exceed). A subnet of 4,096
/// UIDs, all validators, runs in ~280 MB; 65,535 needs tens of GB.
pub const MAX_UIDS_PER_SUBNET: u16 = 4_096;

/// Most UIDs in the whole network (the sum of `max_allowed_uids` over subnets, the most neurons
/// a run can hold): 8× mainnet's 128 subnets × 256 UIDs.
pub const MAX_NETWORK_UIDS: u64 = 262_144;

/// Most points in a sweep (grid × zip + random). Every point is a scenario held in memory and
/// validated before the study starts.
pub const MAX_SWEEP_POINTS: u64 = 100_000;

/// Most runs in a study (sweep points × replicates). Each run's record is held until the study
/// is written.
pub const MAX_RUNS: u64 = 1_000_000;

/// Most total quality of a miner population (or one entrant). Quality is a relative score —
/// weights are normalised and an entrant compares its quality's share — so only ratios matter;
/// the bound only keeps sums of qualities, their noise and drift far from overflow, and catches
/// a typo (1e300). Example scenarios use qualities from 0 to 1.
pub const MAX_QUALITY_SUM: f64 = 1e15;
