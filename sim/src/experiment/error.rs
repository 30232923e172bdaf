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
        Err(ExperimentError::parameter(
            name,
            value,
            format!("expected a number in [{lo}, {hi}]"),
        ))
    }
}
