//! Components and resources of the simulation world. Subnets and neurons are entities; the
//! chain's per-UID storage items are components on neuron entities.

use crate::chain::numeric::Numeric;
use crate::chain::yuma::{ChainParams, EpochOutput, EpochWorkspace, SparseRow, YumaParams};
use crate::record::{Role, RunRecord};
use bevy_ecs::prelude::*;
use rand_chacha::ChaCha8Rng;

/// Netuid of a subnet entity.
#[derive(Component, Clone, Copy, Debug)]
pub struct SubnetId(pub u16);

/// A subnet's fixed rules for this run.
#[derive(Component, Clone, Debug)]
pub struct SubnetRules {
    /// Consensus parameters as fractions (the `f64` epoch).
    pub yuma: YumaParams,
    /// The same parameters in chain units (the `chain` epoch).
    pub chain: ChainParams,
    /// Blocks between epochs.
    pub tempo: u64,
    /// Weight of the subnet in each block's emission.
    pub emission_share: f64,
    /// What `set_weights` checks.
    pub weights: crate::chain::set_weights::Rules,
    /// `RevealPeriodEpochs` when commit-reveal is on.
    pub reveal_period: Option<u64>,
}

/// A time-locked weight commit, hidden until its reveal epoch.
#[derive(Clone, Debug, PartialEq)]
pub struct Commit {
    /// `commit_epoch`: the subnet's epoch index (with look-ahead) at the commit.
    pub epoch: u64,
    /// Block of the commit.
    pub block: u64,
    /// The weights to store at the reveal (already max-upscaled).
    pub row: crate::chain::yuma::SparseRow,
}

/// A hotkey's unrevealed commits, oldest first (the chain keeps at most 10).
#[derive(Component, Clone, Debug, Default)]
pub struct Commits(pub Vec<Commit>);

/// `set_weights` calls on a subnet since its last epoch.
#[derive(Component, Clone, Copy, Debug, Default)]
pub struct WeightCalls {
    /// Accepted (stored, or committed under commit-reveal).
    pub accepted: u32,
    /// Refused by the chain's checks.
    pub rejected: u32,
}

/// When the subnet's epochs ran (`LastEpochBlock`, `LastMechansimStepBlock`).
#[derive(Component, Clone, Debug, Default)]
pub struct EpochClock {
    /// Block of the next epoch slot (`LastEpochBlock + tempo`).
    pub next_epoch_block: u64,
    /// Block of the last successful distribution (0 = none yet).
    pub last_mechanism_step_block: u64,
    /// Epochs run in this simulation.
    pub epochs: u64,
}

/// Emission accrued since the subnet's last epoch, in rao (`PendingServerEmission`,
/// `PendingValidatorEmission`, `PendingOwnerCut`), plus the rounding dust of the same period.
#[derive(Component, Clone, Debug, Default)]
pub struct Pending {
    /// Miners' half.
    pub server: u64,
    /// Validators' half.
    pub validator: u64,
    /// Owner cut.
    pub owner_cut: u64,
    /// Flooring dust.
    pub dust: u64,
    /// Root stakers' alpha (`PendingRootAlphaDivs`), with pools and the root-sell flag on.
    pub root: u64,
}

/// The subnet's UIDs: `uids[uid]` is the neuron entity.
#[derive(Component, Clone, Debug, Default)]
pub struct Metagraph {
    /// Neuron entity per UID.
    pub uids: Vec<Entity>,
    /// UID of the subnet owner's hotkey, if registered.
    pub owner: Option<u16>,
}

/// Reused buffers for the subnet's epoch, so the hot loop does not allocate.
#[derive(Component, Default)]
pub struct EpochBuffers {
    /// Yuma scratch space.
    pub workspace: EpochWorkspace,
    /// The `f64` output of a shadowed `chain` epoch ([`ShadowDifference`]).
    pub shadow: EpochOutput,
    /// Last epoch's outputs.
    pub output: EpochOutput,
    /// Gathered stake per UID.
    pub stake: Vec<f64>,
    /// Gathered `LastUpdate` per UID.
    pub last_update: Vec<u64>,
    /// Gathered `BlockAtRegistration` per UID.
    pub registered: Vec<u64>,
    /// Gathered permits per UID.
    pub permit: Vec<bool>,
    /// Gathered weight rows.
    pub weights: Vec<SparseRow>,
    /// Gathered bond rows.
    pub bonds: Vec<SparseRow>,
    /// Block of each UID's earliest pending commit (for the commit-reveal column mask).
    pub earliest_commit: Vec<Option<u64>>,
    /// Per UID: dividend weight, own alpha and root stake, for the pay-out.
    pub holders: Vec<crate::chain::dividends::Holder>,
    /// Per UID: the dividend amounts of the pay-out.
    pub dividends: crate::chain::dividends::Dividends,
}

/// Identity of a neuron: which subnet, which UID, which role and strategy.
#[derive(Component, Clone, Debug)]
pub struct Neuron {
    /// Stable hotkey id (also the key of the agent's random stream).
    pub hotkey: u64,
    /// Netuid.
    pub netuid: u16,
    /// UID on the subnet.
    pub uid: u16,
    /// The subnet entity.
    pub subnet: Entity,
    /// Role.
    pub role: Role,
    /// Strategy name, for outputs.
    pub strategy: &'static str,
}

/// The coalition an agent belongs to (a cabal's id, a sybil's operator): who colludes with
/// whom, for self-dealing weights and for the outputs.
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Coalition(pub u32);

/// The burn a neuron paid to register, rao (none for the populations present at the start).
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegistrationCost(pub u64);

/// Stake on the hotkey, in rao.
#[derive(Component, Clone, Copy, Debug, Default)]
pub struct Stake(pub u64);

/// The hotkey's own TAO on the root network, in rao (`R_i`, spec §1.5): it adds
/// `tao_weight × R_i` to the hotkey's stake weight and earns root dividends (spec §4.8).
/// Only validators given `root_stake` carry it.
#[derive(Component, Clone, Copy, Debug, Default)]
pub struct RootStake(pub u64);

/// `BlockAtRegistration`.
#[derive(Component, Clone, Copy, Debug)]
pub struct Registration(pub u64);

/// `LastUpdate`: block of the last weight set (or registration).
#[derive(Component, Clone, Copy, Debug)]
pub struct LastUpdate(pub u64);

/// Stored weights row.
#[derive(Component, Clone, Debug, Default)]
pub struct Weights(pub SparseRow);

/// Stored bonds row.
#[derive(Component, Clone, Debug, Default)]
pub struct Bonds(pub SparseRow);

/// `ValidatorPermit` as stored by the last epoch.
#[derive(Component, Clone, Copy, Debug, Default)]
pub struct Permit(pub bool);

/// The UID's combined emission in its subnet's last epoch (`Emission`): what pruning ranks by.
#[derive(Component, Clone, Copy, Debug, Default)]
pub struct EpochEmission(pub u64);

/// Everything paid to the neuron since it registered, rao: recorded with each neuron row, so
/// that totals stay exact when only some epochs' rows are kept (`record.every`, `last`).
#[derive(Component, Clone, Copy, Debug, Default)]
pub struct Earned(pub u64);

/// A subnet's registration state: the burn price (as of `burn_block`), its rules, and counters
/// for the current epoch period and for new hotkey ids.
#[derive(Component, Clone, Debug, Default)]
pub struct Registrar {
    /// `Burn` in rao, valid at `burn_block`.
    pub burn: u64,
    /// Block at which `burn` was last brought up to date.
    pub burn_block: u64,
    /// Price rules.
    pub rules: crate::chain::registration::BurnRules,
    /// Next population index per role (validators, miners), for stable hotkey ids.
    pub next_index: [u32; 2],
    /// Registrations since the last epoch.
    pub registrations: u32,
    /// Registrations refused since the last epoch (every UID immune or immortal).
    pub refused: u32,
    /// Burn paid since the last epoch, rao.
    pub burned_rao: u64,
    /// Wave draws made so far (keys the population stream of the next wave).
    pub waves: u32,
}

/// The agent's own random stream.
#[derive(Component, Clone, Debug)]
pub struct AgentRng(pub ChaCha8Rng);

/// The current block.
#[derive(Resource, Clone, Copy, Debug, Default)]
pub struct Clock {
    /// Block being processed.
    pub block: u64,
}

/// TAO issuance, in rao.
#[derive(Resource, Clone, Copy, Debug, Default)]
pub struct Issuance(pub u64);

/// The run's numeric mode (the scenario's `numeric:`): which epoch runs.
#[derive(Resource, Clone, Copy, Debug, Default)]
pub struct NumericMode(pub Numeric);

/// Present only in a `chain`-mode run started by [`super::run_with_shadow`]: every epoch also
/// runs the `f64` epoch on the same input, and this keeps the largest difference per output,
/// which isolates the arithmetic from the feedback of two diverging runs.
#[derive(Resource, Clone, Debug, Default, PartialEq)]
pub struct ShadowDifference {
    /// Largest `|chain − f64|` of consensus, incentive, dividends and validator trust shares.
    pub max_share: [f64; 4],
    /// Largest difference of a stored bond, in u16 units.
    pub max_bond_u16: f64,
    /// Largest difference of a server or validator emission amount, rao.
    pub max_emission_rao: u64,
}

/// Which per-UID rows the run keeps (the scenario's `record:`), and the last block.
#[derive(Resource, Clone, Copy, Debug)]
pub struct RecordPolicy {
    /// Which epochs get per-UID rows.
    pub neurons: crate::scenario::NeuronRecord,
    /// Keep every n-th epoch.
    pub every: u64,
    /// Last block of the run (an epoch is a subnet's last if the next would fall after it).
    pub last_block: u64,
}

impl RecordPolicy {
    /// Whether epoch number `epoch` at `block` of a subnet with `tempo` gets per-UID rows.
    pub fn keeps(&self, epoch: u64, block: u64, tempo: u64) -> bool {
        use crate::scenario::NeuronRecord;
        let last = block.saturating_add(tempo) > self.last_block;
        match self.neurons {
            NeuronRecord::All => last || epoch.is_multiple_of(self.every.max(1)),
            NeuronRecord::Last => last,
            NeuronRecord::None => false,
        }
    }
}

/// The run's record, filled as the run goes.
#[derive(Resource, Debug, Default)]
pub struct Recorder(pub RunRecord);

impl ShadowDifference {
    /// Take the larger of each difference (another subnet's shard).
    pub fn merge(&mut self, o: &ShadowDifference) {
        for (a, b) in self.max_share.iter_mut().zip(o.max_share) {
            *a = a.max(b);
        }
        self.max_bond_u16 = self.max_bond_u16.max(o.max_bond_u16);
        self.max_emission_rao = self.max_emission_rao.max(o.max_emission_rao);
    }

    /// Folds one epoch's `chain` output against its `f64` output `f`.
    pub(crate) fn record(&mut self, chain: &EpochOutput, f: &EpochOutput) {
        let pairs = [
            (&chain.consensus, &f.consensus),
            (&chain.incentive, &f.incentive),
            (&chain.dividends, &f.dividends),
            (&chain.validator_trust, &f.validator_trust),
        ];
        for (max, (a, b)) in self.max_share.iter_mut().zip(pairs) {
            for (x, y) in a.iter().zip(b) {
                *max = max.max((x - y).abs());
            }
        }
        for (a, b) in chain.bonds.iter().zip(&f.bonds) {
            let (mut i, mut j) = (0, 0);
            // Merge the two rows; an entry missing on one side counts as 0.
            while i < a.len() || j < b.len() {
                let (ka, kb) = (a.get(i).map(|e| e.0), b.get(j).map(|e| e.0));
                let (x, y) = match (ka, kb) {
                    (Some(p), Some(q)) if p == q => {
                        i += 1;
                        j += 1;
                        (a[i - 1].1, b[j - 1].1)
                    }
                    (Some(p), Some(q)) if p < q => {
                        i += 1;
                        (a[i - 1].1, 0.0)
                    }
                    (Some(_), None) => {
                        i += 1;
                        (a[i - 1].1, 0.0)
                    }
                    _ => {
                        j += 1;
                        (0.0, b[j - 1].1)
                    }
                };
                self.max_bond_u16 = self.max_bond_u16.max((x - y).abs() * 65_535.0);
            }
        }
        let amounts = [
            (&chain.server_emission, &f.server_emission),
            (&chain.validator_emission, &f.validator_emission),
        ];
        for (a, b) in amounts {
            for (x, y) in a.iter().zip(b) {
                self.max_emission_rao = self.max_emission_rao.max(x.abs_diff(*y));
            }
        }
    }
}
