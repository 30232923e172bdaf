//! Input validation: the precise check that names the first fault ([`validate`]), and the
//! cheap per-entry check the epoch folds into its gather passes ([`RowCheck`]).
//!
//! Reading every weight and bond entry once only to validate it cost as much as several
//! epoch steps, so the epoch checks the (cheap) lengths, stakes and parameters up front,
//! checks the rows while it scatters them anyway, and calls [`validate`] only when something
//! looks wrong. The fused check may be stricter than [`validate`] (it also flags `-0.0`),
//! never looser: a false alarm just costs the precise pass, which then finds nothing.

use super::{EpochError, EpochInput, YumaParams};

/// Largest bit pattern of a finite non-negative `f64` (`f64::MAX`). Non-negative doubles
/// order like their bit patterns, so `bits <= MAX_BITS` is "finite and >= +0" in one integer
/// comparison (negative values, including `-0.0`, have the sign bit set; NaN and infinity
/// lie above).
const MAX_BITS: u64 = 0x7FEF_FFFF_FFFF_FFFF;

/// Running check of one sparse row: strictly increasing columns, finite non-negative values.
///
/// Branch-free, and cheap enough to ride along the gather loops: two instructions per entry
/// for the order (the sign bit of `previous − col` must be set for every entry, so it
/// survives an AND of them all) and three for the value (a value is finite and `>= +0`
/// exactly when its top 12 bits — sign and exponent — are below `0x7FF`, so `top + 1` stays
/// below `0x800`, which an OR of them all preserves). Tested once at the end of the row.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RowCheck {
    previous: i32,
    order: i32,
    values: u64,
}

impl RowCheck {
    /// A check at the start of a row.
    #[inline]
    pub(crate) fn new() -> Self {
        Self {
            previous: -1,
            order: -1,
            values: 0,
        }
    }

    /// Checks the next entry. Values of out-of-range columns are checked too (a false
    /// alarm: [`validate`] ignores them, like the chain).
    #[inline(always)]
    pub(crate) fn entry(&mut self, col: u16, value: f64) {
        let col = i32::from(col);
        self.order &= self.previous - col;
        self.previous = col;
        self.values |= (value.to_bits() >> 52) + 1;
    }

    /// Whether every entry so far passed.
    #[inline]
    pub(crate) fn passed(self) -> bool {
        self.order < 0 && self.values < 0x800
    }
}

/// [`RowCheck`] over a whole row.
#[inline]
pub(crate) fn row_passes(row: &[(u16, f64)]) -> bool {
    let mut check = RowCheck::new();
    for &(j, v) in row {
        check.entry(j, v);
    }
    check.passed()
}

/// Checks lengths, uid count, stakes and parameters — everything but the rows — and returns
/// `n`. When the stakes or parameters are invalid the precise [`validate`] decides which
/// error to report (a faulty row would come first).
pub(crate) fn validate_shape(input: &EpochInput, params: &YumaParams) -> Result<usize, EpochError> {
    let n = check_lengths(input)?;
    let stake_ok = input.stake.iter().all(|s| s.to_bits() <= MAX_BITS);
    if !stake_ok || check_params(params).is_err() {
        validate(input, params)?;
    }
    Ok(n)
}

/// Uid count and per-uid lengths.
fn check_lengths(input: &EpochInput) -> Result<usize, EpochError> {
    let n = input.stake.len();
    if n > usize::from(u16::MAX) + 1 {
        return Err(EpochError::TooManyUids { n });
    }
    let lengths = [
        ("last_update", input.last_update.len()),
        ("block_at_registration", input.block_at_registration.len()),
        ("validator_permit", input.validator_permit.len()),
        ("weights", input.weights.len()),
        ("bonds", input.bonds.len()),
    ];
    for (field, found) in lengths {
        if found != n {
            return Err(EpochError::LengthMismatch {
                field,
                expected: n,
                found,
            });
        }
    }
    Ok(n)
}

/// Fractions in `[0, 1]`, everything finite.
fn check_params(params: &YumaParams) -> Result<(), EpochError> {
    let fractions = [
        ("kappa", params.kappa),
        ("bonds_penalty", params.bonds_penalty),
        ("bonds_moving_average", params.bonds_moving_average),
        ("alpha_low", params.alpha_low),
        ("alpha_high", params.alpha_high),
    ];
    for (name, value) in fractions {
        if !(0.0..=1.0).contains(&value) {
            return Err(EpochError::InvalidParam { name, value });
        }
    }
    for (name, value) in [
        ("alpha_sigmoid_steepness", params.alpha_sigmoid_steepness),
        ("stake_threshold", params.stake_threshold),
    ] {
        if !value.is_finite() {
            return Err(EpochError::InvalidParam { name, value });
        }
    }
    Ok(())
}

/// The precise check, in a fixed order: uid count, lengths, stakes, weight rows, bond rows
/// (each row: order before values), parameters. Returns `n`.
pub(crate) fn validate(input: &EpochInput, params: &YumaParams) -> Result<usize, EpochError> {
    let n = check_lengths(input)?;
    let valid = |v: f64| v.is_finite() && v >= 0.0;
    if let Some((uid, &value)) = input.stake.iter().enumerate().find(|(_, s)| !valid(**s)) {
        return Err(EpochError::InvalidStake { uid, value });
    }
    for (matrix, rows) in [("weights", input.weights), ("bonds", input.bonds)] {
        for (row, entries) in rows.iter().enumerate() {
            if entries.windows(2).any(|p| p[0].0 >= p[1].0) {
                return Err(EpochError::UnsortedRow { matrix, row });
            }
            let bad = entries
                .iter()
                .find(|&&(j, v)| usize::from(j) < n && !valid(v));
            if let Some(&(col, value)) = bad {
                return Err(EpochError::InvalidEntry {
                    matrix,
                    row,
                    col,
                    value,
                });
            }
        }
    }
    check_params(params)?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fused check flags exactly what the precise one rejects, plus `-0.0` and faulty
    /// values beyond `n` (false alarms by design).
    #[test]
    fn row_check_cases() {
        assert!(row_passes(&[]));
        assert!(row_passes(&[(0, 0.0), (3, 1.5), (7, f64::MAX)]));
        assert!(!row_passes(&[(3, 1.0), (3, 1.0)]));
        assert!(!row_passes(&[(3, 1.0), (2, 1.0)]));
        for bad in [-1.0, f64::NAN, f64::INFINITY, -f64::INFINITY, -0.0] {
            assert!(!row_passes(&[(1, 1.0), (2, bad)]), "{bad}");
        }
    }
}
