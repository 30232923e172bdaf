//! The epoch written once over [`Num`], in the chain's order of operations: run with
//! [`I32F32`](crate::chain::numeric::I32F32) it is the bit-exact `chain` numeric mode; run with
//! `f64` it is the reference the fast `f64` epoch ([`super::EpochWorkspace`]) is tested against.
//!
//! It follows subtensor's sparse `epoch_mechanism` (`st/epoch/run_epoch.rs`) step by step, on
//! the chain's own inputs: stake in rao (I64F64 normalisation, narrowed to I32F32), stored u16
//! weights (loaded as integers, row-normalised), stored u16 bonds (Yuma 3: read as `v / 65535`;
//! classic: as integers), hyperparameters in their stored units. Every product floors, every
//! quotient truncates, sums saturate or wrap as at each call site (see [`sparse`]), and the
//! bonds leave the epoch as the chain stores them: `trunc(x · 65535)` per entry
//! ([`Num::to_u16_proportion`]), so the next epoch reads them back with the chain's loss of up
//! to one unit.
//!
//! Not modelled here (the engine handles them before the call): commit-reveal's column mask
//! (pass the weights as the chain would see them) and the TAO weight of root stake (pass the
//! combined stake weight).

mod bonds;
mod median;
pub mod sparse;

use super::EpochError;
use super::stake::top_k_nonzero;
use super::weights::keep_weight;
use crate::chain::numeric::Num;
use serde::{Deserialize, Serialize};
use sparse::{Row, col_clip, matmul, normalize, normalize_using_sum, row_normalize, row_sums};

pub use bonds::alpha_sigmoid;
pub use median::weighted_median_col;

/// Consensus hyperparameters of one subnet in the chain's stored units (the fast `f64` epoch
/// takes them as fractions: [`ChainParams::fractions`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainParams {
    /// `Kappa` (u16; default 32,767 ≈ 0.5).
    pub kappa: u16,
    /// `BondsPenalty` (u16; default 65,535 = 1).
    pub bonds_penalty: u16,
    /// `BondsMovingAverage`, per million (default 900,000: EMA rate 0.1).
    pub bonds_moving_average: u64,
    /// `Yuma3On`.
    pub yuma3: bool,
    /// `LiquidAlphaOn` (acts only with `yuma3`).
    pub liquid_alpha: bool,
    /// `AlphaValues.0` (u16; default 45,875).
    pub alpha_low: u16,
    /// `AlphaValues.1` (u16; default 58,982).
    pub alpha_high: u16,
    /// `AlphaSigmoidSteepness` (default 1,000).
    pub alpha_sigmoid_steepness: i16,
    /// Activity cutoff in blocks.
    pub activity_cutoff: u64,
    /// `MaxAllowedValidators`.
    pub max_allowed_validators: u16,
    /// `StakeThreshold`, rao (the owner uid is exempt).
    pub stake_threshold: u64,
}

impl ChainParams {
    /// Fractions as the chain would store them: u16 proportions and the per-million average
    /// rounded to the nearest stored value, the rest rounded and clamped to their types. For
    /// callers that hold [`super::YumaParams`] and want the `chain` mode
    /// ([`super::EpochWorkspace::run_numeric`]); `fractions()` of the result gives them back
    /// up to that rounding.
    pub fn from_fractions(p: &super::YumaParams) -> ChainParams {
        let u16_of = |x: f64| (x * 65_535.0).round().clamp(0.0, 65_535.0) as u16;
        ChainParams {
            kappa: u16_of(p.kappa),
            bonds_penalty: u16_of(p.bonds_penalty),
            bonds_moving_average: (p.bonds_moving_average * 1e6).round().max(0.0) as u64,
            yuma3: p.yuma3,
            liquid_alpha: p.liquid_alpha,
            alpha_low: u16_of(p.alpha_low),
            alpha_high: u16_of(p.alpha_high),
            alpha_sigmoid_steepness: p
                .alpha_sigmoid_steepness
                .round()
                .clamp(f64::from(i16::MIN), f64::from(i16::MAX))
                as i16,
            activity_cutoff: p.activity_cutoff,
            max_allowed_validators: u16::try_from(p.max_allowed_validators).unwrap_or(u16::MAX),
            stake_threshold: p.stake_threshold.round().max(0.0) as u64,
        }
    }

    /// The same parameters as the fractions [`super::YumaParams`] holds.
    pub fn fractions(&self) -> super::YumaParams {
        super::YumaParams {
            kappa: f64::from(self.kappa) / 65_535.0,
            bonds_penalty: f64::from(self.bonds_penalty) / 65_535.0,
            bonds_moving_average: self.bonds_moving_average as f64 / 1_000_000.0,
            yuma3: self.yuma3,
            liquid_alpha: self.liquid_alpha,
            alpha_low: f64::from(self.alpha_low) / 65_535.0,
            alpha_high: f64::from(self.alpha_high) / 65_535.0,
            alpha_sigmoid_steepness: f64::from(self.alpha_sigmoid_steepness),
            activity_cutoff: self.activity_cutoff,
            max_allowed_validators: usize::from(self.max_allowed_validators),
            stake_threshold: self.stake_threshold as f64,
        }
    }
}

/// What the epoch reads, as chain storage holds it, indexed by uid `0..n` (`n = stake.len()`).
#[derive(Clone, Debug)]
pub struct ChainInput<'a> {
    /// Current block.
    pub block: u64,
    /// Tempo (blocks): the bond mask's `block − tempo` when `last_mechanism_step_block == 0`.
    pub tempo: u64,
    /// `LastMechansimStepBlock` (0 = never).
    pub last_mechanism_step_block: u64,
    /// Subnet owner uid, if its hotkey is registered.
    pub owner_uid: Option<u16>,
    /// Stake weight per uid in rao (alpha plus TAO-weighted root stake).
    pub stake: &'a [u64],
    /// `LastUpdate` per uid.
    pub last_update: &'a [u64],
    /// `BlockAtRegistration` per uid.
    pub block_at_registration: &'a [u64],
    /// `ValidatorPermit` per uid, as stored by the previous epoch.
    pub validator_permit: &'a [bool],
    /// Stored weights (max-upscaled u16), rows sorted by target uid.
    pub weights: &'a [Vec<(u16, u16)>],
    /// Stored bonds (u16), rows sorted by target uid.
    pub bonds: &'a [Vec<(u16, u16)>],
    /// Emission to distribute, rao.
    pub emission: u64,
}

/// What the epoch produces, indexed by uid, in the number type `T`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GenericOutput<T> {
    /// `last_update + cutoff >= block`.
    pub active: Vec<bool>,
    /// Normalised stake `S`.
    pub stake: Vec<T>,
    /// Normalised active stake `Sa`.
    pub active_stake: Vec<T>,
    /// Consensus `C`.
    pub consensus: Vec<T>,
    /// Incentive `I`.
    pub incentive: Vec<T>,
    /// Dividends `D`.
    pub dividends: Vec<T>,
    /// Validator trust `Tv`.
    pub validator_trust: Vec<T>,
    /// Miner emission, rao.
    pub server_emission: Vec<u64>,
    /// Validator emission, rao.
    pub validator_emission: Vec<u64>,
    /// Permits for the next epoch.
    pub new_validator_permit: Vec<bool>,
    /// The new bonds before storage, for uids with a new permit (others empty): Yuma 3's EMA
    /// bonds, or classic's column-max-upscaled ones.
    pub bonds: Vec<Row<T>>,
}

impl<T: Num> GenericOutput<T> {
    /// The bond rows as the chain stores them: `trunc(b · 65535)` per entry (entries that
    /// round to 0 are stored too, as on chain).
    pub fn stored_bonds(&self) -> Vec<Vec<(u16, u16)>> {
        self.bonds
            .iter()
            .map(|row| {
                row.iter()
                    .map(|&(j, v)| (j, v.to_u16_proportion()))
                    .collect()
            })
            .collect()
    }

    /// A per-uid vector as the chain stores it (`fixed_proportion_to_u16`).
    pub fn to_u16(values: &[T]) -> Vec<u16> {
        values.iter().map(|v| v.to_u16_proportion()).collect()
    }
}

/// The input and its size, shared by the steps.
pub(crate) struct Ctx<'a> {
    pub(crate) input: &'a ChainInput<'a>,
    pub(crate) n: usize,
}

/// Runs one epoch in the number type `T` (see the module docs).
pub fn epoch<T: Num>(
    input: &ChainInput,
    params: &ChainParams,
) -> Result<GenericOutput<T>, EpochError> {
    let n = validate(input)?;
    let ctx = Ctx { input, n };
    let owner = input.owner_uid.filter(|&o| usize::from(o) < n);
    let mut out = GenericOutput::<T> {
        active: input
            .last_update
            .iter()
            .map(|&lu| lu.saturating_add(params.activity_cutoff) >= input.block)
            .collect(),
        ..GenericOutput::default()
    };

    // Stake: I64F64 weights, threshold on their integer part, normalised, narrowed.
    let wide: Vec<T::Wide> = input
        .stake
        .iter()
        .enumerate()
        .map(|(uid, &rao)| {
            let s = T::wide_stake(rao, 0, 0);
            if owner != Some(uid as u16) && T::wide_to_u64(s) < params.stake_threshold {
                T::Wide::default()
            } else {
                s
            }
        })
        .collect();
    T::normalize_wide(&wide, &mut out.stake);

    // Permits: the previous ones (owner forced) apply now; the new ones next epoch.
    let mut permit = input.validator_permit.to_vec();
    top_k_nonzero(
        &out.stake,
        usize::from(params.max_allowed_validators),
        &mut Vec::new(),
        &mut out.new_validator_permit,
    );
    if let Some(o) = owner.map(usize::from) {
        permit[o] = true;
        out.new_validator_permit[o] = true;
    }
    out.active_stake = out
        .stake
        .iter()
        .zip(out.active.iter().zip(&permit))
        .map(|(&s, (&a, &p))| if a && p { s } else { T::ZERO })
        .collect();
    normalize(&mut out.active_stake);

    // Weights: permitted rows, no self-weight (but the owner's), no outdated entries.
    let mut weights: Vec<Row<T>> = (0..n)
        .map(|i| {
            if !permit[i] {
                return Vec::new();
            }
            input.weights[i]
                .iter()
                .filter(|&&(j, _)| {
                    let j = usize::from(j);
                    j < n
                        && keep_weight(
                            i,
                            j,
                            owner,
                            input.last_update[i],
                            input.block_at_registration[j],
                        )
                })
                .map(|&(j, w)| (j, T::from_u16(w)))
                .collect()
        })
        .collect();
    row_normalize(&mut weights);

    // Consensus, clipping, validator trust, incentive.
    let kappa = T::from_u16_proportion(params.kappa);
    out.consensus = weighted_median_col(&out.active_stake, &weights, n, kappa);
    let clipped = col_clip(&weights, &out.consensus);
    out.validator_trust = row_sums(&clipped);
    out.incentive = matmul(&clipped, &out.active_stake, n);
    normalize(&mut out.incentive);

    // Bonds and dividends.
    let wb = bonds::weights_for_bonds(&weights, &clipped, n, params.bonds_penalty);
    let step = if params.yuma3 {
        bonds::yuma3(
            &ctx,
            params,
            &wb,
            &out.consensus,
            &out.incentive,
            &out.active_stake,
        )
    } else {
        bonds::classic(&ctx, params, &wb, &out.incentive, &out.active_stake)
    };
    out.dividends = step.dividends;
    out.bonds = step.bonds;
    for (uid, row) in out.bonds.iter_mut().enumerate() {
        if !out.new_validator_permit[uid] {
            row.clear();
        }
    }

    split_emission(&mut out, input.emission);
    Ok(out)
}

/// Step 10 (`epoch_mechanism`, "Emission and Pruning scores"): `I` and `D` over `Σ(I + D)`
/// (a wrapping sum of saturating pairs), or, when that is 0, everything to validators by
/// active stake (by stake if no stake is active); then rao amounts in I96F32.
fn split_emission<T: Num>(out: &mut GenericOutput<T>, emission: u64) {
    let sum = T::sum_of(
        out.incentive
            .iter()
            .zip(&out.dividends)
            .map(|(&i, &d)| i.sat_add(d)),
    );
    let mut server = out.incentive.clone();
    let mut validator = out.dividends.clone();
    normalize_using_sum(&mut server, sum);
    normalize_using_sum(&mut validator, sum);
    if sum.is_zero() {
        let active_is_zero = T::sum_of(out.active_stake.iter().copied()).is_zero();
        validator.clone_from(if active_is_zero {
            &out.stake
        } else {
            &out.active_stake
        });
    }
    out.server_emission = server
        .iter()
        .map(|&s| T::emission_rao(s, emission))
        .collect();
    out.validator_emission = validator
        .iter()
        .map(|&v| T::emission_rao(v, emission))
        .collect();
}

/// Lengths, uid count and row order; returns `n`.
fn validate(input: &ChainInput) -> Result<usize, EpochError> {
    let n = input.stake.len();
    if n > usize::from(u16::MAX) + 1 {
        return Err(EpochError::TooManyUids { n });
    }
    for (field, found) in [
        ("last_update", input.last_update.len()),
        ("block_at_registration", input.block_at_registration.len()),
        ("validator_permit", input.validator_permit.len()),
        ("weights", input.weights.len()),
        ("bonds", input.bonds.len()),
    ] {
        if found != n {
            return Err(EpochError::LengthMismatch {
                field,
                expected: n,
                found,
            });
        }
    }
    for (matrix, rows) in [("weights", input.weights), ("bonds", input.bonds)] {
        if let Some(row) = rows
            .iter()
            .position(|r| r.windows(2).any(|p| p[0].0 >= p[1].0))
        {
            return Err(EpochError::UnsortedRow { matrix, row });
        }
    }
    Ok(n)
}
