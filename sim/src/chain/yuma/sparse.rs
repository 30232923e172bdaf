//! Row sums of sparse rows (the chain's `row_sum_sparse`), shared by the reference kernels.

/// Sum of a sparse row's values with four independent accumulators: a sequential `f64` sum
/// waits on the previous addition every entry (about 3 cycles). Only the rounding differs
/// from a sequential sum.
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-computed: rows of 0, 3, 4 and 7 entries (every chunk/remainder shape).
    #[test]
    fn row_sums() {
        let row: Vec<(u16, f64)> = (0..7).map(|j| (j, f64::from(j) + 1.0)).collect();
        assert_eq!(row_sum(&row), 28.0);
        assert_eq!(row_sum(&row[..3]), 6.0);
        assert_eq!(row_sum(&row[..4]), 10.0);
        assert_eq!(row_sum(&[]), 0.0);
    }
}
