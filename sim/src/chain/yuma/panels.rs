//! Dense storage for the epoch's matrices: rows grouped into panels of [`LANES`] rows, each
//! panel stored column after column.
//!
//! The chain's epoch is sparse, but after masking only the rows of permitted validators
//! carry weights (at most `MaxAllowedValidators`, 64 by default), and those rows are nearly
//! full. Stored densely, every per-entry step becomes a straight loop that the compiler turns
//! into SIMD without any target flag. The panel layout serves both access patterns the epoch
//! needs:
//!
//! - *by column* (consensus, clipping, bonds, column normalisation): column `j` of a panel is
//!   one "line" of `LANES` values (64 bytes of `f64`, one cache line), so a column is a
//!   handful of lines and the kernels work on whole lines;
//! - *by row* (scattering the sparse input rows, writing the bond rows back): a panel holds
//!   `LANES` complete rows in `LANES × columns` contiguous values, small enough to stay in
//!   L1 while its rows are filled one after the other. A plain column-major matrix would
//!   touch a new cache line for every entry of a row instead.

/// Rows per panel (and values per line).
pub(crate) const LANES: usize = 8;

/// One column of one panel: the values of `LANES` consecutive rows.
pub(crate) type Line<T> = [T; LANES];

/// A dense `rows × columns` matrix in panels of [`LANES`] rows. Rows are padded up to a whole
/// panel; the padding rows hold `T::default()` and the epoch treats them as inert rows
/// (no stake, no weights, no bonds).
#[derive(Clone, Debug, Default)]
pub(crate) struct Panels<T> {
    columns: usize,
    /// Panel `t` is `lines[t * columns..(t + 1) * columns]`, one line per column.
    lines: Vec<Line<T>>,
}

/// Panels needed for `rows` rows.
#[inline]
pub(crate) fn panels_for(rows: usize) -> usize {
    rows.div_ceil(LANES)
}

impl<T: Copy + Default> Panels<T> {
    /// Resizes to `rows × columns` and fills every value with `T::default()`, reusing the
    /// allocation.
    pub(crate) fn reset(&mut self, rows: usize, columns: usize) {
        self.columns = columns;
        self.lines.clear();
        self.lines
            .resize(panels_for(rows) * columns, [T::default(); LANES]);
    }

    /// Line `j` of panel `t`, by value (kernels load whole lines into registers and store
    /// them back whole, which lets the compiler vectorise them).
    #[inline(always)]
    pub(crate) fn line(&self, t: usize, j: usize) -> Line<T> {
        self.lines[t * self.columns + j]
    }

    /// Mutable line `j` of panel `t`.
    #[inline(always)]
    pub(crate) fn line_mut(&mut self, t: usize, j: usize) -> &mut Line<T> {
        &mut self.lines[t * self.columns + j]
    }

    /// Panel `t` (rows `t·LANES..(t+1)·LANES`), one line per column.
    #[inline]
    pub(crate) fn panel(&self, t: usize) -> &[Line<T>] {
        &self.lines[t * self.columns..(t + 1) * self.columns]
    }

    /// Mutable [`Panels::panel`].
    #[inline]
    pub(crate) fn panel_mut(&mut self, t: usize) -> &mut [Line<T>] {
        &mut self.lines[t * self.columns..(t + 1) * self.columns]
    }

    /// All panels, mutable, in row order.
    #[inline]
    pub(crate) fn iter_panels_mut(&mut self) -> impl Iterator<Item = &mut [Line<T>]> {
        self.lines.chunks_exact_mut(self.columns.max(1))
    }
}

/// `min(a, b)` for values that are never NaN, written as the comparison that maps onto one
/// SIMD `minpd` (`f64::min` also handles NaN, which costs four more instructions per pair of
/// lanes and keeps some loops from vectorising). Equal to `f64::min` except that for `±0`
/// operands either zero may come back.
#[inline(always)]
pub(crate) fn min(a: f64, b: f64) -> f64 {
    if a < b { a } else { b }
}

/// `max(a, b)` for values that are never NaN; see [`min`].
#[inline(always)]
pub(crate) fn max(a: f64, b: f64) -> f64 {
    if a > b { a } else { b }
}

/// `v` where `keep`, else 0 — written so that a vectorised loop turns it into a mask.
#[inline(always)]
pub(crate) fn keep_if(keep: bool, v: f64) -> f64 {
    if keep { v } else { 0.0 }
}

/// A line from its lanes (`std::array::from_fn`, named for the kernels).
///
/// Kernels copy lines into locals, compute whole lines lane by lane with such closures and
/// store them back whole: that shape is what the compiler vectorises reliably (into four
/// SSE2 instructions per step for `f64`). One accumulation per loop, though: two
/// accumulators in one loop tend to be paired per lane instead of vectorised across lanes.
#[inline(always)]
pub(crate) fn lanes<T>(f: impl FnMut(usize) -> T) -> Line<T> {
    std::array::from_fn(f)
}

/// `a + b`, lane by lane.
#[inline(always)]
pub(crate) fn add(a: Line<f64>, b: Line<f64>) -> Line<f64> {
    lanes(|k| a[k] + b[k])
}

/// `a · b`, lane by lane.
#[inline(always)]
pub(crate) fn mul(a: Line<f64>, b: Line<f64>) -> Line<f64> {
    lanes(|k| a[k] * b[k])
}

/// Sum of a line's lanes, as a balanced tree.
#[inline(always)]
pub(crate) fn sum_lanes(l: Line<f64>) -> f64 {
    ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows 0..10 × 3 columns: row r, column j holds `10 r + j`; padding rows stay 0.
    #[test]
    fn layout_round_trip() {
        let mut m = Panels::<f64>::default();
        m.reset(10, 3);
        for r in 0..10 {
            for j in 0..3 {
                m.panel_mut(r / LANES)[j][r % LANES] = (10 * r + j) as f64;
            }
        }
        assert_eq!(m.iter_panels_mut().count(), 2);
        let col1: Vec<f64> = (0..2).flat_map(|t| m.line(t, 1)).collect();
        let want: Vec<f64> = (0..16)
            .map(|r| if r < 10 { (10 * r + 1) as f64 } else { 0.0 })
            .collect();
        assert_eq!(col1, want);
        m.line_mut(1, 0)[0] = -1.0;
        assert_eq!(m.panel(1)[0][0], -1.0);
        // Reset reuses the buffer and clears it.
        m.reset(3, 2);
        assert!(m.iter_panels_mut().flatten().flatten().all(|v| *v == 0.0));
        m.reset(0, 0);
        assert_eq!(m.iter_panels_mut().count(), 0);
    }
}
