//! Epochs on an explicit metagraph, in the chain's own units: how a user checks a proposed
//! change against live data (`subnetlab epoch FILE`), and how fidelity is tested. The input
//! states the metagraph as chain storage holds it (stake in rao, weights and bonds as stored u16
//! rows, permits, registration blocks); each epoch first applies its `set_weights` calls through
//! the extrinsic's checks and storage rule, then runs.

use crate::chain::numeric::I32F32;
pub use crate::chain::numeric::Numeric;
use crate::chain::set_weights::{self, Caller, Rejected, Rules, max_upscale_u16};
use crate::chain::yuma::{
    ChainInput, ChainParams, EpochError, EpochInput, EpochOutput, EpochWorkspace, SparseRow,
    generic,
};
use serde::{Deserialize, Serialize};

/// The input file.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MetagraphFile {
    /// A note for readers (JSON has no comments); ignored.
    #[serde(rename = "_comment", default, skip_serializing)]
    pub comment: Option<serde::de::IgnoredAny>,
    /// Arithmetic (default f64).
    #[serde(default)]
    pub numeric: Numeric,
    /// Number of UIDs.
    pub n: u16,
    /// Hyperparameters in chain units.
    #[serde(default)]
    pub hyperparameters: ChainHyperparameters,
    /// Subnet owner's UID, if its hotkey is registered.
    #[serde(default)]
    pub owner_uid: Option<u16>,
    /// Stake weight per UID, rao.
    pub stake: Vec<u64>,
    /// `LastUpdate` per UID.
    pub last_update: Vec<u64>,
    /// `BlockAtRegistration` per UID.
    pub block_at_registration: Vec<u64>,
    /// `ValidatorPermit` per UID.
    pub validator_permit: Vec<bool>,
    /// `LastMechansimStepBlock` (0: never; the bond mask then uses `block − tempo`).
    #[serde(default)]
    pub last_mechanism_step_block: u64,
    /// Stored weight rows: `[[target_uid, u16], ...]` per UID (default: none).
    #[serde(default)]
    pub weights: Vec<Vec<(u16, u16)>>,
    /// Stored bond rows: `[[target_uid, u16], ...]` per UID (default: none).
    #[serde(default)]
    pub bonds: Vec<Vec<(u16, u16)>>,
    /// The epochs to run, in order.
    pub epochs: Vec<EpochCall>,
}

/// Hyperparameters as the chain stores them (defaults: a new subnet's, spec §8).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChainHyperparameters {
    /// `Tempo`.
    pub tempo: u16,
    /// `Kappa`.
    pub kappa: u16,
    /// `BondsPenalty`.
    pub bonds_penalty: u16,
    /// `BondsMovingAverage` (per million).
    pub bonds_moving_average: u64,
    /// `MaxAllowedValidators`.
    pub max_allowed_validators: u16,
    /// `StakeThreshold`, rao.
    pub stake_threshold: u64,
    /// `Yuma3On`.
    pub yuma3: bool,
    /// `LiquidAlphaOn`.
    pub liquid_alpha: bool,
    /// `AlphaValues.0`.
    pub alpha_low: u16,
    /// `AlphaValues.1`.
    pub alpha_high: u16,
    /// `AlphaSigmoidSteepness`.
    pub alpha_sigmoid_steepness: i16,
    /// `ActivityCutoffFactorMilli`: cutoff = max(1, factor × tempo / 1000) blocks.
    pub activity_cutoff_factor_milli: u64,
    /// `WeightsSetRateLimit` for the `set_weights` calls (default 0 here, as in the tests).
    pub weights_rate_limit: u64,
    /// `MinAllowedWeights` (default 1).
    pub min_allowed_weights: u16,
    /// `MaxWeightsLimit` (default 65,535 = off).
    pub max_weights_limit: u16,
}

impl Default for ChainHyperparameters {
    fn default() -> Self {
        ChainHyperparameters {
            tempo: 360,
            kappa: 32_767,
            bonds_penalty: 65_535,
            bonds_moving_average: 900_000,
            max_allowed_validators: 64,
            stake_threshold: 0,
            yuma3: true,
            liquid_alpha: false,
            alpha_low: 45_875,
            alpha_high: 58_982,
            alpha_sigmoid_steepness: 1_000,
            activity_cutoff_factor_milli: 13_889,
            weights_rate_limit: 0,
            min_allowed_weights: 1,
            max_weights_limit: 65_535,
        }
    }
}

impl ChainHyperparameters {
    /// The epoch's parameters in chain units.
    pub fn chain_params(&self) -> ChainParams {
        ChainParams {
            kappa: self.kappa,
            bonds_penalty: self.bonds_penalty,
            bonds_moving_average: self.bonds_moving_average,
            yuma3: self.yuma3,
            liquid_alpha: self.liquid_alpha,
            alpha_low: self.alpha_low,
            alpha_high: self.alpha_high,
            alpha_sigmoid_steepness: self.alpha_sigmoid_steepness,
            activity_cutoff: (self
                .activity_cutoff_factor_milli
                .saturating_mul(u64::from(self.tempo))
                / 1000)
                .max(1),
            max_allowed_validators: self.max_allowed_validators,
            stake_threshold: self.stake_threshold,
        }
    }
}

/// One epoch: weight calls to apply first, then the epoch at `block`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EpochCall {
    /// Block of the epoch.
    pub block: u64,
    /// Emission to distribute, rao (default 1 TAO).
    #[serde(default = "one_tao")]
    pub rao_emission: u64,
    /// Override `LastMechansimStepBlock` for this epoch.
    #[serde(default)]
    pub last_mechanism_step_block: Option<u64>,
    /// `set_weights` calls, in order.
    #[serde(default)]
    pub set_weights: Vec<SetWeightsCall>,
}

fn one_tao() -> u64 {
    crate::chain::emission::RAO_PER_TAO
}

/// A `set_weights` extrinsic as received (values are max-upscaled before storing).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SetWeightsCall {
    /// Caller UID.
    pub uid: u16,
    /// Block of the call (becomes `LastUpdate`).
    pub block: u64,
    /// Target UIDs.
    pub uids: Vec<u16>,
    /// Values.
    pub values: Vec<u16>,
}

/// What one epoch produced. `T` is `f64` in `f64` mode (shares as fractions, bonds as
/// fractions of 1) and `u16` in `chain` mode (every share and bond as the chain stores it).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct EpochReport<T> {
    /// Block.
    pub block: u64,
    /// Consensus per UID.
    pub consensus: Vec<T>,
    /// Incentive per UID.
    pub incentive: Vec<T>,
    /// Dividends per UID.
    pub dividends: Vec<T>,
    /// Validator trust per UID.
    pub validator_trust: Vec<T>,
    /// Miner emission per UID, rao.
    pub server_emission: Vec<u64>,
    /// Validator emission per UID, rao.
    pub validator_emission: Vec<u64>,
    /// Permits computed by this epoch.
    pub validator_permit: Vec<bool>,
    /// Bond rows stored after the epoch.
    pub bonds: Vec<Vec<(u16, T)>>,
    /// `set_weights` calls the chain refused, with why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rejected_set_weights: Vec<String>,
}

/// The reports of a replay, in the file's numeric mode (serialised as the bare array).
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Replay {
    /// `numeric: f64`.
    F64(Vec<EpochReport<f64>>),
    /// `numeric: chain`.
    Chain(Vec<EpochReport<u16>>),
}

/// Why a file could not be replayed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// A per-UID list has the wrong length.
    #[error("`{field}` has {got} entries; expected n = {n}")]
    Length {
        /// The field.
        field: &'static str,
        /// Its length.
        got: usize,
        /// `n`.
        n: usize,
    },
    /// A stored row names a UID outside the metagraph.
    #[error("`{field}` row {row} names uid {uid}; expected uids below n = {n}")]
    UidOutOfRange {
        /// `weights` or `bonds`.
        field: &'static str,
        /// The row (the UID that holds it).
        row: usize,
        /// The target UID named.
        uid: u16,
        /// `n`.
        n: usize,
    },
    /// The owner UID is outside the metagraph.
    #[error("`owner_uid` is {uid}; expected a uid below n = {n}")]
    OwnerOutOfRange {
        /// The UID given.
        uid: u16,
        /// `n`.
        n: usize,
    },
    /// A `set_weights` call of an epoch is dated after that epoch.
    #[error(
        "`epochs[{index}]` has a set_weights call at block {call}, after the epoch's block {block}; calls apply before their epoch"
    )]
    CallAfterEpoch {
        /// Position in `epochs`.
        index: usize,
        /// The call's block.
        call: u64,
        /// The epoch's block.
        block: u64,
    },
    /// Epochs must run forward in time.
    #[error("`epochs[{index}].block` is {block}, not after the previous epoch's block {previous}")]
    EpochsOutOfOrder {
        /// Position in `epochs`.
        index: usize,
        /// Its block.
        block: u64,
        /// The previous epoch's block.
        previous: u64,
    },
    /// The epoch rejected its input.
    #[error("epoch at block {block}: {source}")]
    Epoch {
        /// Block.
        block: u64,
        /// Why.
        source: EpochError,
    },
}

/// Stored rows sorted by target uid, duplicates dropped, one per uid.
fn sorted_rows(stored: &[Vec<(u16, u16)>], n: usize) -> Vec<Vec<(u16, u16)>> {
    let mut out: Vec<Vec<(u16, u16)>> = stored
        .iter()
        .map(|row| {
            let mut r = row.clone();
            r.sort_by_key(|(j, _)| *j);
            r.dedup_by_key(|(j, _)| *j);
            r
        })
        .collect();
    out.resize(n, Vec::new());
    out
}

/// u16 rows as `f64` rows divided by `scale`.
fn f64_rows(rows: &[Vec<(u16, u16)>], scale: f64) -> Vec<SparseRow> {
    rows.iter()
        .map(|row| {
            row.iter()
                .map(|&(j, v)| (j, f64::from(v) / scale))
                .collect()
        })
        .collect()
}

/// The storage a replay carries from epoch to epoch (weights as stored u16 in both modes).
struct Storage {
    last_update: Vec<u64>,
    permit: Vec<bool>,
    weights: Vec<Vec<(u16, u16)>>,
}

impl Storage {
    /// Applies the epoch's `set_weights` calls through the extrinsic's checks and storage rule;
    /// returns the refusals.
    fn set_weights(
        &mut self,
        file: &MetagraphFile,
        rules: &Rules,
        call: &EpochCall,
    ) -> Vec<String> {
        let mut rejected = Vec::new();
        for sw in &call.set_weights {
            let uid = usize::from(sw.uid);
            if uid >= usize::from(file.n) {
                // No hotkey holds that UID: the chain refuses before any other check.
                rejected.push(describe(sw, &Rejected::NotRegistered));
                continue;
            }
            let caller = Caller {
                uid: sw.uid,
                n: file.n,
                permit: self.permit.get(uid).copied().unwrap_or(false)
                    || file.owner_uid == Some(sw.uid),
                owner: file.owner_uid == Some(sw.uid),
                stake: file.stake.get(uid).copied().unwrap_or(0),
                last_update: self.last_update.get(uid).copied().unwrap_or(0),
                block: sw.block,
            };
            match set_weights::check(rules, &caller, &sw.uids, &sw.values) {
                Ok(()) => {
                    let stored = max_upscale_u16(&sw.values);
                    let mut row: Vec<(u16, u16)> = sw.uids.iter().copied().zip(stored).collect();
                    row.sort_by_key(|(j, _)| *j);
                    self.weights[uid] = row;
                    self.last_update[uid] = sw.block;
                }
                Err(why) => rejected.push(describe(sw, &why)),
            }
        }
        rejected
    }
}

/// Run every epoch of `file` in order, in its numeric mode, carrying weights, bonds, permits
/// and `LastUpdate`.
pub fn replay(file: &MetagraphFile) -> Result<Replay, ReplayError> {
    let n = usize::from(file.n);
    for (field, got) in [
        ("stake", file.stake.len()),
        ("last_update", file.last_update.len()),
        ("block_at_registration", file.block_at_registration.len()),
        ("validator_permit", file.validator_permit.len()),
    ] {
        if got != n {
            return Err(ReplayError::Length { field, got, n });
        }
    }
    for (field, rows) in [("weights", &file.weights), ("bonds", &file.bonds)] {
        if rows.len() > n {
            return Err(ReplayError::Length {
                field,
                got: rows.len(),
                n,
            });
        }
        for (row, entries) in rows.iter().enumerate() {
            if let Some(&(uid, _)) = entries.iter().find(|(j, _)| usize::from(*j) >= n) {
                return Err(ReplayError::UidOutOfRange { field, row, uid, n });
            }
        }
    }
    if let Some(uid) = file.owner_uid.filter(|&o| usize::from(o) >= n) {
        return Err(ReplayError::OwnerOutOfRange { uid, n });
    }
    for (index, epoch) in file.epochs.iter().enumerate() {
        if let Some(late) = epoch.set_weights.iter().find(|c| c.block > epoch.block) {
            return Err(ReplayError::CallAfterEpoch {
                index,
                call: late.block,
                block: epoch.block,
            });
        }
    }
    for (index, pair) in file.epochs.windows(2).enumerate() {
        if pair[1].block <= pair[0].block {
            return Err(ReplayError::EpochsOutOfOrder {
                index: index + 1,
                block: pair[1].block,
                previous: pair[0].block,
            });
        }
    }
    let hp = &file.hyperparameters;
    let rules = Rules {
        rate_limit: hp.weights_rate_limit,
        min_allowed_weights: hp.min_allowed_weights,
        max_weights_limit: hp.max_weights_limit,
        stake_threshold: hp.stake_threshold,
    };
    let mut storage = Storage {
        last_update: file.last_update.clone(),
        permit: file.validator_permit.clone(),
        weights: sorted_rows(&file.weights, n),
    };
    let bonds = sorted_rows(&file.bonds, n);
    match file.numeric {
        Numeric::F64 => {
            replay_f64(file, &rules, &mut storage, f64_rows(&bonds, 65_535.0)).map(Replay::F64)
        }
        Numeric::Chain => replay_chain(file, &rules, &mut storage, bonds).map(Replay::Chain),
    }
}

/// The epochs in `f64` (the fast epoch); bonds carried as fractions, unquantised.
fn replay_f64(
    file: &MetagraphFile,
    rules: &Rules,
    storage: &mut Storage,
    mut bonds: Vec<SparseRow>,
) -> Result<Vec<EpochReport<f64>>, ReplayError> {
    let hp = &file.hyperparameters;
    let params = hp.chain_params().fractions();
    let stake: Vec<f64> = file.stake.iter().map(|&s| s as f64).collect();
    let mut workspace = EpochWorkspace::default();
    let mut out = EpochOutput::default();
    let mut reports = Vec::with_capacity(file.epochs.len());
    for call in &file.epochs {
        let rejected = storage.set_weights(file, rules, call);
        // Weights as the chain stores them (u16); the epoch normalises rows itself.
        let weights = f64_rows(&storage.weights, 1.0);
        let input = EpochInput {
            block: call.block,
            tempo: u64::from(hp.tempo),
            last_mechanism_step_block: call
                .last_mechanism_step_block
                .unwrap_or(file.last_mechanism_step_block),
            owner_uid: file.owner_uid,
            stake: &stake,
            last_update: &storage.last_update,
            block_at_registration: &file.block_at_registration,
            validator_permit: &storage.permit,
            weights: &weights,
            bonds: &bonds,
            emission: call.rao_emission,
        };
        workspace
            .run(&input, &params, &mut out)
            .map_err(|source| ReplayError::Epoch {
                block: call.block,
                source,
            })?;
        storage.permit.clone_from(&out.new_validator_permit);
        bonds.clone_from(&out.bonds);
        reports.push(EpochReport {
            block: call.block,
            consensus: out.consensus.clone(),
            incentive: out.incentive.clone(),
            dividends: out.dividends.clone(),
            validator_trust: out.validator_trust.clone(),
            server_emission: out.server_emission.clone(),
            validator_emission: out.validator_emission.clone(),
            validator_permit: out.new_validator_permit.clone(),
            bonds: out.bonds.clone(),
            rejected_set_weights: rejected,
        });
    }
    Ok(reports)
}

/// The epochs in the chain's fixed point; bonds stored as u16 between epochs.
fn replay_chain(
    file: &MetagraphFile,
    rules: &Rules,
    storage: &mut Storage,
    mut bonds: Vec<Vec<(u16, u16)>>,
) -> Result<Vec<EpochReport<u16>>, ReplayError> {
    let hp = &file.hyperparameters;
    let params = hp.chain_params();
    let mut reports = Vec::with_capacity(file.epochs.len());
    for call in &file.epochs {
        let rejected = storage.set_weights(file, rules, call);
        let input = ChainInput {
            block: call.block,
            tempo: u64::from(hp.tempo),
            last_mechanism_step_block: call
                .last_mechanism_step_block
                .unwrap_or(file.last_mechanism_step_block),
            owner_uid: file.owner_uid,
            stake: &file.stake,
            last_update: &storage.last_update,
            block_at_registration: &file.block_at_registration,
            validator_permit: &storage.permit,
            weights: &storage.weights,
            bonds: &bonds,
            emission: call.rao_emission,
        };
        let out =
            generic::epoch::<I32F32>(&input, &params).map_err(|source| ReplayError::Epoch {
                block: call.block,
                source,
            })?;
        storage.permit.clone_from(&out.new_validator_permit);
        bonds = out.stored_bonds();
        let u16s = |v: &[I32F32]| generic::GenericOutput::to_u16(v);
        reports.push(EpochReport {
            block: call.block,
            consensus: u16s(&out.consensus),
            incentive: u16s(&out.incentive),
            dividends: u16s(&out.dividends),
            validator_trust: u16s(&out.validator_trust),
            server_emission: out.server_emission,
            validator_emission: out.validator_emission,
            validator_permit: out.new_validator_permit,
            bonds: bonds.clone(),
            rejected_set_weights: rejected,
        });
    }
    Ok(reports)
}

fn describe(call: &SetWeightsCall, why: &Rejected) -> String {
    format!("uid {} at block {}: {why}", call.uid, call.block)
}
