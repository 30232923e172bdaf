//! Why an experiment could not run.

use crate::chain::yuma::EpochError;

/// An experiment's failure: a bad parameter (named, with what was expected) or an epoch that
/// rejected its input (a bug in the experiment, reported rather than panicking).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExperimentError {
    /// A parameter is out of range.
    #[error("{name} = {value}: {expected}")]
    Parameter {
        /// The parameter (as the CLI names it).
        name: &'static str,
        /// Its value, as given.
        value: String,
        /// What was expected.
        expected: String,
    },
    /// No case of that name.
    #[error("no case named `{name}`; known cases: {known}")]
    UnknownCase {
        /// The name asked for.
        name: String,
        /// The names there are.
        known: String,
    },
    /// The epoch rejected its input.
    #[error("epoch {epoch}: {source}")]
    Epoch {
        /// Which epoch of the run.
        epoch: u64,
        /// Why.
        source: EpochError,
    },
}

impl ExperimentError {
    /// A [`ExperimentError::Parameter`] error.
    pub fn parameter(name: &'static str, value: impl ToString, expected: impl ToString) -> Self {
        ExperimentError::Parameter {
            name,
            value: value.to_string(),
            expected: expected.to_string(),
        }
    }
}

/// Most trials (independent worlds) per point of an experiment.
pub const MAX_TRIALS: u64 = 10_000;
/// Most epochs per run of an experiment.
pub const MAX_EPOCHS: u64 = 100_000;
/// Most points per axis of a retention map's grid.
pub const MAX_GRID: u64 = 1_001;
/// Most UIDs of an experiment's metagraph: a scenario's bound
/// ([`crate::scenario::limits::MAX_UIDS_PER_SUBNET`]); beyond it the dense epoch needs GBs.
pub const MAX_UIDS: u64 = crate::scenario::limits::MAX_UIDS_PER_SUBNET as u64;

/// Checks that a count is in `[lo, hi]`: the upper bounds keep a typo (an extra digit) from
/// running for days or aborting out of memory.
pub(crate) fn check_count(
    name: &'static str,
    value: u64,
    lo: u64,
    hi: u64,
) -> Result<(), ExperimentError> {
    if (lo..=hi).contains(&value) {
        Ok(())
    } else {
        Err(ExperimentError::parameter(
            name,
            value,
            format!("expected {lo} to {hi}"),
        ))
    }
}

/// Checks that `value` is a finite number in `[lo, hi]`.
pub(crate) fn check_range(
    name: &'static str,
    value: f64,
    lo: f64,
    hi: f64,
) -> Result<(), ExperimentError> {
    if value.is_finite() && (lo..=hi).contains(&value) {
        Ok(())
    } else {
        // 1e300 as written, not as 301 digits.
        let shown = if value.abs() >= 1e9 {
            format!("{value:e}")
        } else {
            value.to_string()
        };
        Err(ExperimentError::parameter(
            name,
            shown,
            format!("expected a number in [{lo}, {hi}]"),
        ))
    }
}
