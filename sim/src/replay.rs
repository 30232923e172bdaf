//! Epochs on an explicit metagraph, in the chain's own units: how a user checks a proposed
//! change against live data (`subnetlab epoch FILE`), and how fidelity is tested. The input
//! states the metagraph as chain storage holds it (stake in rao, weights and bonds as stored u16
//! rows, permits, registration blocks); each epoch first applies its `set_weights` calls through
//! the extrinsic's checks and storage rule, then runs.

use crate::chain::set_weights::{self, Caller, Rejected, Rules, max_upscale_u16};
use crate::chain::yuma::{
    EpochError, EpochInput, EpochOutput, EpochWorkspace, SparseRow, YumaParams,
};
use serde::{Deserialize, Serialize};

/// Which arithmetic runs the epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Numeric {
    /// Double precision: fast, within ~1e-9 of the chain per step (no u16 round trip of bonds).
    #[default]
    F64,
    /// The chain's fixed-point arithmetic, bit for bit (not available yet).
    Chain,
}

/// The input file.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MetagraphFile {
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
    fn yuma(&self) -> YumaParams {
        YumaParams {
            kappa: self.kappa as f64 / 65_535.0,
            bonds_penalty: self.bonds_penalty as f64 / 65_535.0,
            bonds_moving_average: self.bonds_moving_average as f64 / 1_000_000.0,
            yuma3: self.yuma3,
            liquid_alpha: self.liquid_alpha,
            alpha_low: self.alpha_low as f64 / 65_535.0,
            alpha_high: self.alpha_high as f64 / 65_535.0,
            alpha_sigmoid_steepness: self.alpha_sigmoid_steepness as f64,
            activity_cutoff: (self.activity_cutoff_factor_milli * self.tempo as u64 / 1000).max(1),
            max_allowed_validators: self.max_allowed_validators as usize,
            stake_threshold: self.stake_threshold as f64,
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

/// What one epoch produced (f64 mode: shares as fractions, bonds as fractions of 1).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct EpochReport {
    /// Block.
    pub block: u64,
    /// Consensus per UID.
    pub consensus: Vec<f64>,
    /// Incentive per UID.
    pub incentive: Vec<f64>,
    /// Dividends per UID.
    pub dividends: Vec<f64>,
    /// Validator trust per UID.
    pub validator_trust: Vec<f64>,
    /// Miner emission per UID, rao.
    pub server_emission: Vec<u64>,
    /// Validator emission per UID, rao.
    pub validator_emission: Vec<u64>,
    /// Permits computed by this epoch.
    pub validator_permit: Vec<bool>,
    /// Bond rows stored after the epoch.
    pub bonds: Vec<Vec<(u16, f64)>>,
    /// `set_weights` calls the chain refused, with why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rejected_set_weights: Vec<String>,
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
    /// The mode is not available.
    #[error(
        "numeric: chain is not available yet; use numeric: f64 (within ~1e-9 of the chain per step)"
    )]
    ChainModeUnavailable,
    /// The epoch rejected its input.
    #[error("epoch at block {block}: {source}")]
    Epoch {
        /// Block.
        block: u64,
        /// Why.
        source: EpochError,
    },
}

fn rows(stored: &[Vec<(u16, u16)>], n: usize, scale: f64) -> Vec<SparseRow> {
    let mut out: Vec<SparseRow> = stored
        .iter()
        .map(|row| {
            let mut r: SparseRow = row.iter().map(|&(j, v)| (j, v as f64 / scale)).collect();
            r.sort_by_key(|(j, _)| *j);
            r.dedup_by_key(|(j, _)| *j);
            r
        })
        .collect();
    out.resize(n, Vec::new());
    out
}

/// Run every epoch of `file` in order, carrying weights, bonds, permits and `LastUpdate`.
pub fn replay(file: &MetagraphFile) -> Result<Vec<EpochReport>, ReplayError> {
    if file.numeric == Numeric::Chain {
        return Err(ReplayError::ChainModeUnavailable);
    }
    let n = file.n as usize;
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
    for (field, got) in [("weights", file.weights.len()), ("bonds", file.bonds.len())] {
        if got > n {
            return Err(ReplayError::Length { field, got, n });
        }
    }
    let hp = &file.hyperparameters;
    let params = hp.yuma();
    let rules = Rules {
        rate_limit: hp.weights_rate_limit,
        min_allowed_weights: hp.min_allowed_weights,
        max_weights_limit: hp.max_weights_limit,
        stake_threshold: hp.stake_threshold,
    };
    let stake: Vec<f64> = file.stake.iter().map(|&s| s as f64).collect();
    let mut last_update = file.last_update.clone();
    let mut permit = file.validator_permit.clone();
    // Weights are kept as the chain stores them (u16); the epoch normalises rows itself.
    let mut weights = rows(&file.weights, n, 1.0);
    let mut bonds = rows(&file.bonds, n, 65_535.0);
    let mut workspace = EpochWorkspace::default();
    let mut out = EpochOutput::default();
    let mut reports = Vec::with_capacity(file.epochs.len());
    for call in &file.epochs {
        let mut rejected = Vec::new();
        for sw in &call.set_weights {
            let uid = sw.uid as usize;
            let caller = Caller {
                uid: sw.uid,
                n: file.n,
                permit: permit.get(uid).copied().unwrap_or(false) || file.owner_uid == Some(sw.uid),
                owner: file.owner_uid == Some(sw.uid),
                stake: file.stake.get(uid).copied().unwrap_or(0),
                last_update: last_update.get(uid).copied().unwrap_or(0),
                block: sw.block,
            };
            match set_weights::check(&rules, &caller, &sw.uids, &sw.values) {
                Ok(()) => {
                    let stored = max_upscale_u16(&sw.values);
                    let mut row: SparseRow = sw
                        .uids
                        .iter()
                        .zip(&stored)
                        .map(|(&j, &v)| (j, v as f64))
                        .collect();
                    row.sort_by_key(|(j, _)| *j);
                    weights[uid] = row;
                    last_update[uid] = sw.block;
                }
                Err(why) => rejected.push(describe(sw, &why)),
            }
        }
        let input = EpochInput {
            block: call.block,
            tempo: hp.tempo as u64,
            last_mechanism_step_block: call
                .last_mechanism_step_block
                .unwrap_or(file.last_mechanism_step_block),
            owner_uid: file.owner_uid,
            stake: &stake,
            last_update: &last_update,
            block_at_registration: &file.block_at_registration,
            validator_permit: &permit,
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
        permit.clone_from(&out.new_validator_permit);
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

fn describe(call: &SetWeightsCall, why: &Rejected) -> String {
    format!("uid {} at block {}: {why:?}", call.uid, call.block)
}
