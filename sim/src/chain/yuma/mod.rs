//! Yuma Consensus epoch: pure functions over flat vectors and sparse rows, in two numeric modes.
//!
//! Follows `shared/reference/subtensor-mechanics.md` §1 step by step (the on-chain sparse
//! `epoch_mechanism`). The epoch is written once over [`Num`](crate::chain::numeric::Num) in
//! [`generic`]: with I32F32 it is the bit-exact `chain` mode. The fast `f64` mode
//! ([`EpochWorkspace::run`]) is a dense specialisation of it, tested against it; no ECS, no
//! allocation in the hot path when an [`EpochWorkspace`] is reused. [`EpochWorkspace::run_numeric`]
//! runs either mode on the same `f64` interface.
//!
//! Each step's module states the chain's semantics with per-entry and sparse-row functions.
//! The epoch itself computes the matrix steps on dense panels of the few rows that can carry
//! weights or bonds (`dense`), with vectorisable line kernels derived from those functions
//! and tested against them; `tests::reference` keeps the sparse pipeline as a whole for the
//! same purpose.

/// A sparse matrix row: `(column uid, value)` pairs sorted by uid, no duplicate uids.
pub type SparseRow = Vec<(u16, f64)>;

/// Consensus hyperparameters of one subnet, as fractions (the chain's u16 / per-million
/// values already divided out).
#[derive(Clone, Debug, PartialEq)]
pub struct YumaParams {
    /// Kappa/65535: the stake majority whose weights define consensus (default 32767/65535).
    pub kappa: f64,
    /// BondsPenalty/65535: how much clipped weight is removed before bonding (default 1.0).
    pub bonds_penalty: f64,
    /// BondsMovingAverage/1e6: the EMA keeps this much of the old bond (default 0.9, so the
    /// fixed EMA alpha is 0.1).
    pub bonds_moving_average: f64,
    /// Yuma 3 bonds (u16 fractions, stake-free EMA) instead of classic Yuma.
    pub yuma3: bool,
    /// Liquid alpha (only acts with `yuma3`).
    pub liquid_alpha: bool,
    /// AlphaValues.0 / 65535 (default 45875/65535 ≈ 0.7).
    pub alpha_low: f64,
    /// AlphaValues.1 / 65535 (default 58982/65535 ≈ 0.9).
    pub alpha_high: f64,
    /// AlphaSigmoidSteepness (default 1000).
    pub alpha_sigmoid_steepness: f64,
    /// Activity cutoff in blocks: a UID whose `last_update + cutoff < block` is inactive.
    pub activity_cutoff: u64,
    /// MaxAllowedValidators: size of the top-k permit set.
    pub max_allowed_validators: usize,
    /// StakeThreshold, in the same unit as `EpochInput::stake`; below it a UID's stake is zeroed
    /// (the owner UID is exempt).
    pub stake_threshold: f64,
}

/// Everything the epoch reads, indexed by uid `0..n` (`n = stake.len()`).
#[derive(Clone, Debug)]
pub struct EpochInput<'a> {
    /// Current block.
    pub block: u64,
    /// Tempo (blocks), used only for the bond mask when `last_mechanism_step_block == 0`.
    pub tempo: u64,
    /// LastMechansimStepBlock: block of the previous successful epoch (0 = never).
    pub last_mechanism_step_block: u64,
    /// Subnet owner UID, if the owner hotkey is registered.
    pub owner_uid: Option<u16>,
    /// Raw stake weight per uid (any unit; alpha + tao_weight × root on chain).
    pub stake: &'a [f64],
    /// LastUpdate per uid (block of the last weight set / registration).
    pub last_update: &'a [u64],
    /// BlockAtRegistration per uid.
    pub block_at_registration: &'a [u64],
    /// ValidatorPermit per uid as stored by the previous epoch.
    pub validator_permit: &'a [bool],
    /// Stored weights per uid, any non-negative scale (the chain stores max-upscaled u16;
    /// pass them as f64). Explicit zero entries are kept: they matter for liquid alpha.
    pub weights: &'a [SparseRow],
    /// Stored bonds per uid as fractions of 1 (the chain's u16 / 65535). Yuma 3: the EMA bond;
    /// classic: the column-max-upscaled bond.
    pub bonds: &'a [SparseRow],
    /// Emission to distribute in this epoch, in rao (the chain's `rao_emission`).
    pub emission: u64,
}

/// Everything the epoch produces, indexed by uid.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EpochOutput {
    /// `last_update + cutoff >= block`.
    pub active: Vec<bool>,
    /// Normalised stake `S` (after the threshold).
    pub stake: Vec<f64>,
    /// Normalised active stake `Sa` (active and permitted by the previous permits).
    pub active_stake: Vec<f64>,
    /// Consensus `C` per column.
    pub consensus: Vec<f64>,
    /// Incentive `I` (sums to 1 or 0).
    pub incentive: Vec<f64>,
    /// Dividends `D` (sums to 1 or 0).
    pub dividends: Vec<f64>,
    /// Validator trust `Tv` (row sum of clipped weights).
    pub validator_trust: Vec<f64>,
    /// Miner share of `emission` in rao, floored per uid.
    pub server_emission: Vec<u64>,
    /// Validator share of `emission` in rao, floored per uid.
    pub validator_emission: Vec<u64>,
    /// Permits computed by this epoch (used by the next one).
    pub new_validator_permit: Vec<bool>,
    /// Bonds to store, as fractions of 1, in the same convention as `EpochInput::bonds`.
    pub bonds: Vec<SparseRow>,
}

pub mod activity;
pub mod bonds;
pub mod consensus;
mod dense;
pub mod emission_split;
mod epoch;
mod error;
pub mod generic;
mod median;
mod modes;
mod panels;
mod sparse;
pub mod stake;
mod validate;
pub mod weights;

pub use epoch::{EpochWorkspace, epoch};
pub use error::EpochError;
pub use generic::{ChainInput, ChainParams, GenericOutput};
pub use modes::store_bonds_as_u16;

#[cfg(test)]
mod tests;
