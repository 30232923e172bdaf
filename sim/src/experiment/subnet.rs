//! [`Subnet`]: the storage one subnet's epoch reads, advanced epoch by epoch.

use super::{ExperimentError, Numeric};
use crate::chain::set_weights::max_upscale_u16;
use crate::chain::yuma::{
    ChainParams, EpochInput, EpochOutput, EpochWorkspace, SparseRow, YumaParams, store_bonds_as_u16,
};

/// Blocks between two epochs of an experiment's subnet (the chain's default tempo).
const TEMPO: u64 = 360;

/// Emission per epoch in rao that the epoch splits (1 TAO: only shares matter here).
const EMISSION: u64 = 1_000_000_000;

/// Rao per unit of an experiment's stake: stakes are shares of 1,000,000 TAO, so the `chain`
/// epoch sees whole rao as the chain holds them.
const STAKE_RAO: f64 = 1e15;

/// `params` in the chain's units (u16 proportions and per-million, rounded), the form the
/// `chain` epoch reads; `f64` runs on [`ChainParams::fractions`] of it too, so both modes run
/// the same hyperparameters.
pub fn chain_params(params: &YumaParams) -> ChainParams {
    let u16_of = |x: f64| (x * 65_535.0).round().clamp(0.0, 65_535.0) as u16;
    ChainParams {
        kappa: u16_of(params.kappa),
        bonds_penalty: u16_of(params.bonds_penalty),
        bonds_moving_average: (params.bonds_moving_average * 1e6).round().clamp(0.0, 1e6) as u64,
        yuma3: params.yuma3,
        liquid_alpha: params.liquid_alpha,
        alpha_low: u16_of(params.alpha_low),
        alpha_high: u16_of(params.alpha_high),
        alpha_sigmoid_steepness: params
            .alpha_sigmoid_steepness
            .round()
            .clamp(f64::from(i16::MIN), f64::from(i16::MAX))
            as i16,
        activity_cutoff: params.activity_cutoff,
        max_allowed_validators: u16::try_from(params.max_allowed_validators).unwrap_or(u16::MAX),
        stake_threshold: (params.stake_threshold * STAKE_RAO).round().max(0.0) as u64,
    }
}

/// One subnet as its epoch sees it: stake, stored weight and bond rows, permits. Weights are
/// stored as `set_weights` stores them (u16, max-upscaled, explicit zeros kept); each epoch's
/// permits and bonds are fed to the next, as on chain.
///
/// Every UID counts as active and registered long ago: the experiments model validators that
/// set weights every tempo, so `LastUpdate` is stamped for everyone at each epoch.
///
/// The epoch runs in either numeric mode ([`EpochWorkspace::run_numeric`]) on the same
/// hyperparameters in chain units ([`chain_params`]); stakes are read as shares of 1,000,000
/// TAO in rao, and bonds are stored as the chain stores them (u16) in both modes.
#[derive(Clone, Debug)]
pub struct Subnet {
    stake: Vec<f64>,
    weights: Vec<SparseRow>,
    bonds: Vec<SparseRow>,
    permit: Vec<bool>,
    last_update: Vec<u64>,
    registered: Vec<u64>,
    block: u64,
    epochs: u64,
    numeric: Numeric,
    params: ChainParams,
    stake_rao: Vec<f64>,
    workspace: EpochWorkspace,
    out: EpochOutput,
    quantised: Vec<u16>,
}

impl Subnet {
    /// A subnet of `stake.len()` UIDs with this stake (any unit) and no weights, after the
    /// first epoch that hands out the validator permits (the top `max_allowed_validators` by
    /// stake), as the upstream consensus tests start.
    pub fn new(
        stake: Vec<f64>,
        params: YumaParams,
        numeric: Numeric,
    ) -> Result<Subnet, ExperimentError> {
        let n = stake.len();
        let mut subnet = Subnet {
            stake,
            weights: vec![Vec::new(); n],
            bonds: vec![Vec::new(); n],
            permit: vec![false; n],
            last_update: vec![0; n],
            registered: vec![0; n],
            block: 0,
            epochs: 0,
            numeric,
            params: chain_params(&params),
            stake_rao: Vec::with_capacity(n),
            workspace: EpochWorkspace::default(),
            out: EpochOutput::default(),
            quantised: Vec::new(),
        };
        subnet.epoch()?;
        Ok(subnet)
    }

    /// Number of UIDs.
    pub fn len(&self) -> usize {
        self.stake.len()
    }

    /// Whether the subnet has no UIDs.
    pub fn is_empty(&self) -> bool {
        self.stake.is_empty()
    }

    /// Stake per UID, as the next epoch will read it.
    pub fn stake(&self) -> &[f64] {
        &self.stake
    }

    /// Stake per UID, to change (compounding, moves).
    pub fn stake_mut(&mut self) -> &mut [f64] {
        &mut self.stake
    }

    /// Stores `uid`'s weights `row` (`(target uid, weight)`, sorted by uid, weights of any
    /// non-negative scale) as the chain stores a `set_weights` call whose values are the
    /// row's proportions in u16 (`floor(w / Σw × 65535)`): max-upscaled to u16, zeros kept.
    pub fn set_weights(&mut self, uid: usize, row: &[(u16, f64)]) {
        let total: f64 = row.iter().map(|e| e.1).sum();
        self.quantised.clear();
        self.quantised.extend(row.iter().map(|&(_, w)| {
            if total > 0.0 {
                (w / total * 65535.0).floor().clamp(0.0, 65535.0) as u16
            } else {
                0
            }
        }));
        let stored = max_upscale_u16(&self.quantised);
        let dst = &mut self.weights[uid];
        dst.clear();
        dst.extend(row.iter().zip(stored).map(|(&(j, _), v)| (j, f64::from(v))));
    }

    /// Runs the next epoch (one tempo later) and stores its permits and bonds.
    pub fn epoch(&mut self) -> Result<&EpochOutput, ExperimentError> {
        self.block += TEMPO;
        self.last_update.fill(self.block - 1);
        self.stake_rao.clear();
        self.stake_rao
            .extend(self.stake.iter().map(|s| (s * STAKE_RAO).round()));
        let input = EpochInput {
            block: self.block,
            tempo: TEMPO,
            last_mechanism_step_block: self.block - TEMPO,
            owner_uid: None,
            stake: &self.stake_rao,
            last_update: &self.last_update,
            block_at_registration: &self.registered,
            validator_permit: &self.permit,
            weights: &self.weights,
            bonds: &self.bonds,
            emission: EMISSION,
        };
        self.workspace
            .run_numeric(self.numeric, &input, &self.params, &mut self.out)
            .map_err(|source| ExperimentError::Epoch {
                epoch: self.epochs,
                source,
            })?;
        self.epochs += 1;
        self.permit.clone_from(&self.out.new_validator_permit);
        store_bonds_as_u16(&mut self.out.bonds);
        std::mem::swap(&mut self.bonds, &mut self.out.bonds);
        Ok(&self.out)
    }

    /// The last epoch's outputs (its bond rows are held by the subnet: see
    /// [`Subnet::bonds`]).
    pub fn output(&self) -> &EpochOutput {
        &self.out
    }

    /// The stored bond rows, as the last epoch left them.
    pub fn bonds(&self) -> &[SparseRow] {
        &self.bonds
    }

    /// The last epoch's emission to `uid` in rao (miner and validator parts).
    pub fn emission(&self, uid: usize) -> u64 {
        self.out.server_emission[uid] + self.out.validator_emission[uid]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::chain_defaults;

    /// Two validators (stake 3 and 1) both weighting miner 2 only: the miner gets all
    /// incentive, the validators' dividends follow stake (3/4, 1/4), and emission splits in
    /// halves (spec §1.13): 0.5 TAO to the miner, 0.375 and 0.125 TAO to the validators.
    #[test]
    fn an_agreed_weight_pays_by_stake() {
        let mut params = chain_defaults();
        params.yuma3 = true;
        let mut s = Subnet::new(vec![3.0, 1.0, 0.0], params, Numeric::F64).unwrap();
        assert_eq!(s.output().new_validator_permit, vec![true, true, false]);
        s.set_weights(0, &[(2, 1.0)]);
        s.set_weights(1, &[(2, 5.0)]);
        s.epoch().unwrap();
        assert_eq!(s.output().incentive, vec![0.0, 0.0, 1.0]);
        let d = &s.output().dividends;
        assert!(
            (d[0] - 0.75).abs() < 1e-12 && (d[1] - 0.25).abs() < 1e-12,
            "{d:?}"
        );
        // Within a rao of 0.5 TAO, 0.375 TAO and 0.125 TAO (the epoch floors each share).
        for (uid, want) in [(2, 500_000_000), (0, 375_000_000), (1, 125_000_000)] {
            assert!(
                s.emission(uid).abs_diff(want) <= 1,
                "{uid}: {}",
                s.emission(uid)
            );
        }
    }

    /// Weights are stored as `set_weights` stores them: proportions floored to u16, then
    /// max-upscaled: (1, 3) → (16383, 49151) → round(16383 × trunc_I32F32(65535 / 49151))
    /// = round(21844.11) = 21844 and 65535.
    #[test]
    fn weights_are_stored_as_the_chain_stores_them() {
        let mut s = Subnet::new(vec![1.0, 0.0, 0.0], chain_defaults(), Numeric::F64).unwrap();
        s.set_weights(0, &[(1, 1.0), (2, 3.0)]);
        assert_eq!(s.weights[0], vec![(1, 21844.0), (2, 65535.0)]);
    }

    /// Both numeric modes give the same agreed-weight outcome (the chain's within a few rao,
    /// its fixed point truncating where f64 rounds).
    #[test]
    fn chain_mode_agrees() {
        let mut params = chain_defaults();
        params.yuma3 = true;
        let mut s = Subnet::new(vec![3.0, 1.0, 0.0], params, Numeric::Chain).unwrap();
        s.set_weights(0, &[(2, 1.0)]);
        s.set_weights(1, &[(2, 1.0)]);
        s.epoch().unwrap();
        for (uid, want) in [(2, 500_000_000u64), (0, 375_000_000), (1, 125_000_000)] {
            assert!(
                s.emission(uid).abs_diff(want) <= 10,
                "{uid}: {}",
                s.emission(uid)
            );
        }
    }
}
