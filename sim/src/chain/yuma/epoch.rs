//! The epoch pipeline (spec §1.4–§1.13, the on-chain sparse `epoch_mechanism`), in the
//! chain's order, on top of the per-concept modules.
//!
//! [`EpochWorkspace`] owns every intermediate buffer, so a simulator that keeps one workspace
//! and one [`EpochOutput`] per subnet runs epochs without allocating once the buffers have
//! grown to the subnet's size. The matrix steps run on the dense rows of [`DenseEpoch`].

use super::activity::fill_active;
use super::dense::DenseEpoch;
use super::emission_split::split_emission;
use super::panels::LANES;
use super::stake::{active_stake, filter_and_normalize, normalize_in_place, top_k_nonzero};
use super::validate::{validate, validate_shape};
use super::{EpochError, EpochInput, EpochOutput, YumaParams};

/// Runs one epoch with a fresh workspace and output (convenient, but allocates; reuse an
/// [`EpochWorkspace`] in loops).
pub fn epoch(input: &EpochInput, params: &YumaParams) -> Result<EpochOutput, EpochError> {
    let mut out = EpochOutput::default();
    EpochWorkspace::default().run(input, params, &mut out)?;
    Ok(out)
}

/// Scratch buffers of the epoch, reused across calls so that running an epoch every tempo
/// allocates nothing once the buffers have grown to the subnet's size (`Default` starts empty).
///
/// The dense matrices take about `16 · rows · n` bytes, where `rows` counts the uids with a
/// permit or stored bonds (normally at most `MaxAllowedValidators`, plus the owner): 256 KiB
/// for 64 validators on 256 uids.
#[derive(Clone, Debug, Default)]
pub struct EpochWorkspace {
    /// Permits of the previous epoch with the owner forced in: whose weights count now.
    permit: Vec<bool>,
    /// Top-k selection scratch.
    order: Vec<u32>,
    /// The dense rows and their buffers.
    dense: DenseEpoch,
    /// The chain-unit copy of the input in `chain` mode ([`EpochWorkspace::run_numeric`]).
    pub(crate) chain: super::modes::ChainBuffers,
}

impl EpochWorkspace {
    /// Runs one epoch, writing every field of `out` (its vectors, bond rows included, are
    /// reused). On error `out` is left unspecified.
    pub fn run(
        &mut self,
        input: &EpochInput,
        params: &YumaParams,
        out: &mut EpochOutput,
    ) -> Result<(), EpochError> {
        let n = validate_shape(input, params)?;
        // An owner uid outside the metagraph is ignored, as on chain (nothing to exempt).
        let owner = input.owner_uid.filter(|&o| usize::from(o) < n);

        // Step 1: activity.
        fill_active(
            input.last_update,
            params.activity_cutoff,
            input.block,
            &mut out.active,
        );

        // Step 2: stake.
        filter_and_normalize(input.stake, params.stake_threshold, owner, &mut out.stake);

        // Step 3: permits (previous ones apply now, new ones next epoch) and active stake.
        self.permit.clear();
        self.permit.extend_from_slice(input.validator_permit);
        top_k_nonzero(
            &out.stake,
            params.max_allowed_validators,
            &mut self.order,
            &mut out.new_validator_permit,
        );
        if let Some(o) = owner.map(usize::from) {
            self.permit[o] = true;
            out.new_validator_permit[o] = true;
        }
        active_stake(&out.stake, &out.active, &self.permit, &mut out.active_stake);

        // Step 4 (and the bond mask of step 9): gather the dense rows, checking the sparse
        // rows on the way; only a failed check pays for the precise validation.
        let dense = &mut self.dense;
        dense.select_rows(&self.permit, input.bonds, &out.active_stake);
        let weights_ok = dense.gather_weights(input, &self.permit, owner);
        let bonds_ok = dense.gather_bonds(input);
        if !(weights_ok && bonds_ok) {
            validate(input, params)?;
        }
        dense.collect_live_columns();
        dense.normalise_rows();

        // Step 5: consensus.
        let vote = dense.vote(params.kappa);
        dense.consensus(&vote, out);

        // Steps 6–9 in one sweep over the columns, which reads each column once: clipping,
        // validator trust and ranks, then the weights for bonds, bonds and dividends.
        out.incentive.clear();
        out.incentive.resize(n, 0.0);
        if params.yuma3 {
            dense.bonds_yuma3(params, out);
        } else {
            dense.bonds_classic(params, out);
        }
        normalize_in_place(&mut out.incentive);
        self.write_rows(n, out);
        normalize_in_place(&mut out.dividends);

        // Step 10: emission split.
        split_emission(
            &out.incentive,
            &out.dividends,
            &out.active_stake,
            &out.stake,
            input.emission,
            &mut out.server_emission,
            &mut out.validator_emission,
        );
        Ok(())
    }

    /// Writes `Tv`, the un-normalised dividends and the bond rows (new permits only: the
    /// `persist_mechanism_epoch_terms` path) from the dense rows; other uids get zeros and
    /// empty rows.
    fn write_rows(&mut self, n: usize, out: &mut EpochOutput) {
        let dense = &self.dense;
        out.validator_trust.clear();
        out.validator_trust.resize(n, 0.0);
        out.dividends.clear();
        out.dividends.resize(n, 0.0);
        out.bonds.truncate(n);
        out.bonds.resize_with(n, Vec::new);
        let mut dense_rows = dense.uids.iter().enumerate().peekable();
        for (uid, row) in out.bonds.iter_mut().enumerate() {
            let Some((r, _)) = dense_rows.next_if(|&(_, &u)| u == uid) else {
                row.clear();
                continue;
            };
            let (t, lane) = (r / LANES, r % LANES);
            out.validator_trust[uid] = dense.rows.trust[t][lane];
            out.dividends[uid] = dense.rows.dividend[t][lane];
            if !out.new_validator_permit[uid] {
                row.clear();
                continue;
            }
            // Every live column is written in one straight pass that also notes whether any
            // bond is not positive; only then are the zeros dropped (even a `retain` that
            // finds nothing to drop scans the row again: about 5 % of the epoch). Rows
            // keep their length across epochs, so the resize is usually free.
            let panel = &dense.bonds.panel(t)[..n];
            row.resize(dense.live.len(), (0, 0.0));
            let mut all_positive = true;
            for (entry, &j) in row.iter_mut().zip(&dense.live) {
                let bond = panel[j][lane];
                *entry = (j as u16, bond);
                all_positive &= bond > 0.0;
            }
            if !all_positive {
                row.retain(|&(_, b)| b > 0.0);
            }
        }
    }
}
