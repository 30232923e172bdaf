//! Epoch-level tests: reference vectors (V1, V8), hand-computed masks and properties.
//!
//! [`Chain`] replays an upstream test: it keeps the storage an epoch reads (weights, bonds,
//! permits, last update) and feeds each epoch's permits and bonds back, like the chain does.

mod masks;
mod properties;
mod reference;
mod upstream_epoch;
mod v1_classic;
mod v8_yuma3;

use super::{
    ChainInput, ChainParams, EpochInput, EpochOutput, EpochWorkspace, GenericOutput, SparseRow,
    YumaParams,
};
use crate::chain::numeric::I32F32;

/// Reshape a dense row-major vector into sparse rows, dropping zeros (the upstream test
/// helper `vec_to_sparse_mat_fixed`).
pub(crate) fn sparse(v: &[f64], rows: usize) -> Vec<SparseRow> {
    let cols = v.len() / rows;
    (0..rows)
        .map(|r| {
            (0..cols)
                .filter(|&c| v[r * cols + c] > 0.0)
                .map(|c| (c as u16, v[r * cols + c]))
                .collect()
        })
        .collect()
}

/// The stake-weighted median straight from the definition (spec §1.8): sort by score, the
/// smallest score whose cumulative stake exceeds the minority, else the largest score.
pub(crate) fn weighted_median_by_definition(stake: &[f64], score: &[f64], minority: f64) -> f64 {
    let mut idx: Vec<usize> = (0..score.len()).collect();
    idx.sort_by(|&a, &b| score[a].total_cmp(&score[b]));
    let mut cum = 0.0;
    for (k, &i) in idx.iter().enumerate() {
        cum += stake[i];
        let last_of_value = idx.get(k + 1).is_none_or(|&n| score[n] != score[i]);
        if last_of_value && cum > minority {
            return score[i];
        }
    }
    idx.last().map_or(0.0, |&i| score[i])
}

/// The mock runtime's defaults (`tests/mock.rs`, `init_new_network`), tempo 1.
pub(crate) fn mock_params() -> YumaParams {
    YumaParams {
        kappa: 32767.0 / 65535.0,
        bonds_penalty: 1.0,
        bonds_moving_average: 0.9,
        yuma3: true,
        liquid_alpha: false,
        alpha_low: 45875.0 / 65535.0,
        alpha_high: 58982.0 / 65535.0,
        alpha_sigmoid_steepness: 1000.0,
        activity_cutoff: 13, // max(1, 13889 × tempo 1 / 1000)
        max_allowed_validators: 64,
        stake_threshold: 0.0,
    }
}

/// Storage of one subnet as the epoch reads it, advanced block by block.
pub(crate) struct Chain {
    pub block: u64,
    pub tempo: u64,
    pub stake: Vec<f64>,
    pub last_update: Vec<u64>,
    pub registered: Vec<u64>,
    pub permit: Vec<bool>,
    pub weights: Vec<SparseRow>,
    pub bonds: Vec<SparseRow>,
    pub owner: Option<u16>,
    pub params: YumaParams,
    pub emission: u64,
    workspace: EpochWorkspace,
    pub out: EpochOutput,
}

impl Chain {
    /// All uids registered at `block` (`LastUpdate = BlockAtRegistration = block`), no
    /// permits, weights or bonds yet.
    pub fn new(block: u64, stake: &[f64], params: YumaParams) -> Self {
        let n = stake.len();
        Self {
            block,
            tempo: 1,
            stake: stake.to_vec(),
            last_update: vec![block; n],
            registered: vec![block; n],
            permit: vec![false; n],
            weights: vec![Vec::new(); n],
            bonds: vec![Vec::new(); n],
            owner: None,
            params,
            emission: 1_000_000_000,
            workspace: EpochWorkspace::default(),
            out: EpochOutput::default(),
        }
    }

    /// Stores a weight row as given (already max-upscaled u16 values, zeros included) and
    /// stamps `LastUpdate` with the current block, like `set_weights`.
    pub fn set_weights(&mut self, uid: usize, row: &[(u16, u16)]) {
        self.weights[uid] = row.iter().map(|&(j, w)| (j, f64::from(w))).collect();
        self.last_update[uid] = self.block;
    }

    /// Runs the epoch at the current block (manually, so `LastMechansimStepBlock = 0`) and
    /// stores its permits and bonds without quantising them.
    pub fn epoch(&mut self) -> &EpochOutput {
        let input = EpochInput {
            block: self.block,
            tempo: self.tempo,
            last_mechanism_step_block: 0,
            owner_uid: self.owner,
            stake: &self.stake,
            last_update: &self.last_update,
            block_at_registration: &self.registered,
            validator_permit: &self.permit,
            weights: &self.weights,
            bonds: &self.bonds,
            emission: self.emission,
        };
        self.workspace
            .run(&input, &self.params, &mut self.out)
            .expect("valid test input");
        self.permit.clone_from(&self.out.new_validator_permit);
        self.bonds.clone_from(&self.out.bonds);
        &self.out
    }

    /// Bond `(i, j)` as stored, 0 if absent.
    pub fn bond(&self, i: usize, j: usize) -> f64 {
        self.bonds[i]
            .iter()
            .find(|e| usize::from(e.0) == j)
            .map_or(0.0, |e| e.1)
    }
}

/// `|got × 65535 − want| <= tol` for every element, with context on failure.
pub(crate) fn assert_u16_close(what: &str, got: &[f64], want: &[u16], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (k, (&g, &w)) in got.iter().zip(want).enumerate() {
        let g16 = g * 65535.0;
        assert!(
            (g16 - f64::from(w)).abs() <= tol,
            "{what}[{k}]: got {g16:.3} (×65535), want {w} ± {tol}; all: {:?}",
            got.iter().map(|v| v * 65535.0).collect::<Vec<_>>()
        );
    }
}

/// The mock runtime's defaults in the chain's units (`tests/mock.rs`, `init_new_network`),
/// tempo 1.
pub(crate) fn mock_chain_params() -> ChainParams {
    ChainParams {
        kappa: 32_767,
        bonds_penalty: 65_535,
        bonds_moving_average: 900_000,
        yuma3: true,
        liquid_alpha: false,
        alpha_low: 45_875,
        alpha_high: 58_982,
        alpha_sigmoid_steepness: 1_000,
        activity_cutoff: 13,
        max_allowed_validators: 64,
        stake_threshold: 0,
    }
}

/// [`Chain`] in the `chain` numeric mode: storage as the chain holds it (stake in rao, u16
/// weights and bonds), epochs in I32F32, bonds stored back as u16.
pub(crate) struct FixedChain {
    pub block: u64,
    pub tempo: u64,
    pub stake: Vec<u64>,
    pub last_update: Vec<u64>,
    pub registered: Vec<u64>,
    pub permit: Vec<bool>,
    pub weights: Vec<Vec<(u16, u16)>>,
    pub bonds: Vec<Vec<(u16, u16)>>,
    pub owner: Option<u16>,
    pub params: ChainParams,
    pub out: GenericOutput<I32F32>,
}

impl FixedChain {
    /// All uids registered at `block`, no permits, weights or bonds yet.
    pub fn new(block: u64, stake: &[u64], params: ChainParams) -> Self {
        let n = stake.len();
        Self {
            block,
            tempo: 1,
            stake: stake.to_vec(),
            last_update: vec![block; n],
            registered: vec![block; n],
            permit: vec![false; n],
            weights: vec![Vec::new(); n],
            bonds: vec![Vec::new(); n],
            owner: None,
            params,
            out: GenericOutput::default(),
        }
    }

    /// Stores a (max-upscaled) weight row and stamps `LastUpdate`.
    pub fn set_weights(&mut self, uid: usize, row: &[(u16, u16)]) {
        self.weights[uid] = row.to_vec();
        self.last_update[uid] = self.block;
    }

    /// Runs the epoch manually (`LastMechansimStepBlock = 0`, 1 TAO) and stores its permits
    /// and u16 bonds.
    pub fn epoch(&mut self) -> &GenericOutput<I32F32> {
        let input = ChainInput {
            block: self.block,
            tempo: self.tempo,
            last_mechanism_step_block: 0,
            owner_uid: self.owner,
            stake: &self.stake,
            last_update: &self.last_update,
            block_at_registration: &self.registered,
            validator_permit: &self.permit,
            weights: &self.weights,
            bonds: &self.bonds,
            emission: 1_000_000_000,
        };
        self.out = super::generic::epoch::<I32F32>(&input, &self.params).expect("valid input");
        self.permit.clone_from(&self.out.new_validator_permit);
        self.bonds = self.out.stored_bonds();
        &self.out
    }

    /// Stored bond `(i, j)`, 0 if absent.
    pub fn bond(&self, i: usize, j: usize) -> u16 {
        self.bonds[i]
            .iter()
            .find(|e| usize::from(e.0) == j)
            .map_or(0, |e| e.1)
    }

    /// A new hotkey takes `uid` at the current block (`replace_neuron`, `clear_neuron`):
    /// registration and last-update blocks reset, its weights, bonds and permit cleared, and
    /// weights *to* it set to 0 (kept as entries).
    pub fn register(&mut self, uid: usize) {
        self.registered[uid] = self.block;
        self.last_update[uid] = self.block;
        self.weights[uid].clear();
        self.bonds[uid].clear();
        self.permit[uid] = false;
        for row in &mut self.weights {
            for e in row.iter_mut().filter(|e| usize::from(e.0) == uid) {
                e.1 = 0;
            }
        }
    }

    /// `Emission` of a uid: server plus validator emission of the last epoch.
    pub fn emission(&self, uid: usize) -> u64 {
        self.out.server_emission[uid] + self.out.validator_emission[uid]
    }

    /// A per-uid output as the chain stores it (u16).
    pub fn u16s(values: &[I32F32]) -> Vec<u16> {
        GenericOutput::to_u16(values)
    }
}
