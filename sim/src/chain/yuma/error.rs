//! Why an epoch refused its input.
//!
//! The epoch never panics on data: malformed input is reported here instead, so that a
//! simulator can surface the bad state (a bug upstream) rather than silently emit garbage.

use std::fmt;

/// Invalid input to [`super::epoch`] / [`super::EpochWorkspace::run`].
///
/// Out-of-range uids inside weight or bond rows are *not* errors: the chain ignores entries
/// with `i, j >= n`, and so do we.
#[derive(Clone, Debug, PartialEq)]
pub enum EpochError {
    /// A per-uid slice does not have `n = stake.len()` entries.
    LengthMismatch {
        /// Which `EpochInput` field.
        field: &'static str,
        /// `stake.len()`.
        expected: usize,
        /// The field's length.
        found: usize,
    },
    /// More uids than a `u16` column index can address.
    TooManyUids {
        /// `stake.len()`.
        n: usize,
    },
    /// A stake that is negative, NaN or infinite.
    InvalidStake {
        /// The uid.
        uid: usize,
        /// The offending value.
        value: f64,
    },
    /// A weight or bond entry that is negative, NaN or infinite.
    InvalidEntry {
        /// `"weights"` or `"bonds"`.
        matrix: &'static str,
        /// Row uid.
        row: usize,
        /// Column uid.
        col: u16,
        /// The offending value.
        value: f64,
    },
    /// A weight or bond row whose column uids are not strictly increasing (the documented
    /// invariant of [`super::SparseRow`], which the merge joins rely on).
    UnsortedRow {
        /// `"weights"` or `"bonds"`.
        matrix: &'static str,
        /// Row uid.
        row: usize,
    },
    /// A hyperparameter outside its domain (fractions must lie in `[0, 1]`, all must be finite).
    InvalidParam {
        /// The `YumaParams` field.
        name: &'static str,
        /// The offending value.
        value: f64,
    },
}

impl fmt::Display for EpochError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::LengthMismatch {
                field,
                expected,
                found,
            } => write!(
                f,
                "epoch input `{field}` has {found} entries, expected {expected} (one per uid)"
            ),
            Self::TooManyUids { n } => {
                write!(
                    f,
                    "epoch input has {n} uids, more than u16 uids can address"
                )
            }
            Self::InvalidStake { uid, value } => {
                write!(
                    f,
                    "stake of uid {uid} is {value}, expected a finite value >= 0"
                )
            }
            Self::InvalidEntry {
                matrix,
                row,
                col,
                value,
            } => write!(
                f,
                "{matrix}[{row}][{col}] is {value}, expected a finite value >= 0"
            ),
            Self::UnsortedRow { matrix, row } => write!(
                f,
                "{matrix} row {row} is not sorted by strictly increasing uid"
            ),
            Self::InvalidParam { name, value } => {
                write!(f, "parameter `{name}` = {value} is out of its domain")
            }
        }
    }
}

impl std::error::Error for EpochError {}
