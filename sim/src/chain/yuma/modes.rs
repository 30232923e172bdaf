//! One entry point for both numeric modes on the `f64` interface: [`EpochWorkspace::run_numeric`].
//!
//! The engine, the experiments and anything else that holds its metagraph as an
//! [`EpochInput`] can switch to the bit-exact `chain` mode with one argument: the input is
//! converted to the chain's units, the [`generic`](super::generic) epoch runs in I32F32, and
//! the outputs come back as `f64` in the usual [`EpochOutput`], bonds as the u16 values the
//! chain stores (divided by 65535), so feeding them back next epoch reproduces the chain's
//! u16 round trip exactly.

use super::generic::{self, ChainInput, ChainParams};
use super::{EpochError, EpochInput, EpochOutput, EpochWorkspace};
use crate::chain::numeric::{I32F32, Num, Numeric};

/// Buffers of the chain-unit copy of an [`EpochInput`].
#[derive(Clone, Debug, Default)]
pub(crate) struct ChainBuffers {
    stake: Vec<u64>,
    weights: Vec<Vec<(u16, u16)>>,
    bonds: Vec<Vec<(u16, u16)>>,
}

/// A value that stands for a u16, rounded and clamped (NaN → 0).
fn u16_of(v: f64) -> u16 {
    crate::chain::numeric::round_to_u16(v)
}

impl EpochWorkspace {
    /// Runs one epoch in `numeric` mode with the parameters in chain units.
    ///
    /// `f64` is [`EpochWorkspace::run`] with [`ChainParams::fractions`]. `chain` expects the
    /// input as the chain holds it: `stake` in rao (rounded to integers), `weights` as the
    /// stored max-upscaled u16 values, `bonds` as fractions of stored u16 values (`v / 65535`,
    /// what this function returns); it validates lengths and row order like the `f64` epoch.
    pub fn run_numeric(
        &mut self,
        numeric: Numeric,
        input: &EpochInput,
        params: &ChainParams,
        out: &mut EpochOutput,
    ) -> Result<(), EpochError> {
        match numeric {
            Numeric::F64 => self.run(input, &params.fractions(), out),
            Numeric::Chain => self.run_chain(input, params, out),
        }
    }

    fn run_chain(
        &mut self,
        input: &EpochInput,
        params: &ChainParams,
        out: &mut EpochOutput,
    ) -> Result<(), EpochError> {
        let buffers = &mut self.chain;
        buffers.stake.clear();
        buffers.stake.extend(input.stake.iter().map(|&s| {
            if s.is_finite() && s > 0.0 {
                s.round() as u64
            } else {
                0
            }
        }));
        for (rows, source, scale) in [
            (&mut buffers.weights, input.weights, 1.0),
            (&mut buffers.bonds, input.bonds, 65_535.0),
        ] {
            rows.resize_with(source.len(), Vec::new);
            for (row, src) in rows.iter_mut().zip(source) {
                row.clear();
                row.extend(src.iter().map(|&(j, v)| (j, u16_of(v * scale))));
            }
        }
        let chain_input = ChainInput {
            block: input.block,
            tempo: input.tempo,
            last_mechanism_step_block: input.last_mechanism_step_block,
            owner_uid: input.owner_uid,
            stake: &buffers.stake,
            last_update: input.last_update,
            block_at_registration: input.block_at_registration,
            validator_permit: input.validator_permit,
            weights: &buffers.weights,
            bonds: &buffers.bonds,
            emission: input.emission,
        };
        let exact = generic::epoch::<I32F32>(&chain_input, params)?;
        let f64s = |v: &[I32F32]| v.iter().map(|x| x.to_f64()).collect::<Vec<f64>>();
        out.active.clone_from(&exact.active);
        out.stake = f64s(&exact.stake);
        out.active_stake = f64s(&exact.active_stake);
        out.consensus = f64s(&exact.consensus);
        out.incentive = f64s(&exact.incentive);
        out.dividends = f64s(&exact.dividends);
        out.validator_trust = f64s(&exact.validator_trust);
        out.server_emission.clone_from(&exact.server_emission);
        out.validator_emission.clone_from(&exact.validator_emission);
        out.new_validator_permit
            .clone_from(&exact.new_validator_permit);
        out.bonds = exact
            .bonds
            .iter()
            .map(|row| {
                row.iter()
                    .map(|&(j, b)| (j, f64::from(b.to_u16_proportion()) / 65_535.0))
                    .collect()
            })
            .collect();
        Ok(())
    }
}

/// Stores `f64` bond rows as the chain stores bonds: `trunc(b · 65535)` per entry (entries
/// that truncate to 0 stay, as on chain), kept as the fraction `v / 65535` that the `f64`
/// epoch reads back. Without it the `f64` mode's bonds sit where exact arithmetic puts them
/// and drift from the chain's by up to one unit per epoch, which shifts small validators'
/// dividends by ~1e-5 over a few hundred epochs; with it the two modes differ only by the
/// rounding of each epoch's arithmetic.
pub fn store_bonds_as_u16(rows: &mut [super::SparseRow]) {
    for (_, b) in rows.iter_mut().flatten() {
        *b = f64::from(b.to_u16_proportion()) / 65_535.0;
    }
}
