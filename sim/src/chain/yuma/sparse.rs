//! A reusable compressed-sparse-row matrix (the epoch's masked weights) and the row sums the
//! kernels share.
//!
//! One flat entry buffer instead of a `Vec` per row: rebuilding it every epoch reuses its
//! capacity, so the hot loop does not allocate. Rows are exposed as `&[(u16, f64)]`, the same
//! slice type a [`super::SparseRow`] derefs to, so the row kernels serve both.

/// Rows of `(column, value)` pairs stored back to back.
#[derive(Clone, Debug, Default)]
pub(crate) struct SparseMatrix {
    entries: Vec<(u16, f64)>,
    /// `starts[i]..starts[i + 1]` are row `i`'s entries; `starts.len() == rows + 1`.
    starts: Vec<usize>,
}

impl SparseMatrix {
    /// Empties the matrix, keeping its capacity.
    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.starts.clear();
        self.starts.push(0);
    }

    /// Appends one entry to the row being built.
    #[inline]
    pub(crate) fn push(&mut self, col: u16, value: f64) {
        self.entries.push((col, value));
    }

    /// Closes the row being built (possibly empty).
    #[inline]
    pub(crate) fn end_row(&mut self) {
        self.starts.push(self.entries.len());
    }

    /// Entries of the row being built (after the last `end_row`).
    #[inline]
    pub(crate) fn open_row_mut(&mut self) -> &mut [(u16, f64)] {
        let start = self.starts.last().copied().unwrap_or(0);
        &mut self.entries[start..]
    }

    /// Row `i`; empty if `i` is out of range.
    #[inline]
    pub(crate) fn row(&self, i: usize) -> &[(u16, f64)] {
        match (self.starts.get(i), self.starts.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.entries[a..b],
            _ => &[],
        }
    }
}

/// Sum of a sparse row's values with four independent accumulators: a sequential `f64` sum
/// waits on the previous addition every entry (about 3 cycles), which made row sums one of
/// the epoch's largest costs. Only the rounding differs from a sequential sum.
#[inline]
pub(crate) fn row_sum(row: &[(u16, f64)]) -> f64 {
    let mut acc = [0.0; 4];
    let mut chunks = row.chunks_exact(4);
    for c in &mut chunks {
        acc[0] += c[0].1;
        acc[1] += c[1].1;
        acc[2] += c[2].1;
        acc[3] += c[3].1;
    }
    let tail: f64 = chunks.remainder().iter().map(|e| e.1).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// `Σ value × factor[column]` over a sparse row, with four independent accumulators (see
/// [`row_sum`]). Columns beyond `factor` count as 0.
#[inline]
pub(crate) fn row_dot(row: &[(u16, f64)], factor: &[f64]) -> f64 {
    let f = |&(j, v): &(u16, f64)| v * factor.get(usize::from(j)).copied().unwrap_or(0.0);
    let mut acc = [0.0; 4];
    let mut chunks = row.chunks_exact(4);
    for c in &mut chunks {
        acc[0] += f(&c[0]);
        acc[1] += f(&c[1]);
        acc[2] += f(&c[2]);
        acc[3] += f(&c[3]);
    }
    let tail: f64 = chunks.remainder().iter().map(f).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-computed: rows of 0, 3, 4 and 7 entries (every chunk/remainder shape).
    #[test]
    fn row_sums_and_dots() {
        let row: Vec<(u16, f64)> = (0..7).map(|j| (j, f64::from(j) + 1.0)).collect();
        assert_eq!(row_sum(&row), 28.0);
        assert_eq!(row_sum(&row[..3]), 6.0);
        assert_eq!(row_sum(&row[..4]), 10.0);
        assert_eq!(row_sum(&[]), 0.0);
        // Factors for columns 0..5 only: columns 5 and 6 count as 0.
        let factor = [1.0, 0.5, 0.0, 2.0, 1.0];
        assert_eq!(row_dot(&row, &factor), 1.0 + 1.0 + 0.0 + 8.0 + 5.0);
    }

    #[test]
    fn matrix_rows() {
        let mut m = SparseMatrix::default();
        m.clear();
        m.push(3, 1.0);
        m.push(5, 3.0);
        m.open_row_mut().iter_mut().for_each(|e| e.1 *= 2.0);
        m.end_row();
        m.end_row();
        assert_eq!(m.row(0), &[(3, 2.0), (5, 6.0)]);
        assert!(m.row(1).is_empty() && m.row(7).is_empty());
    }
}
