//! The chain's sparse-matrix operations (`st/epoch/math.rs`), written once over [`Num`].
//!
//! Each function is the chain function of the same name, with the same order of operations,
//! the same saturating / wrapping choice per sum, and the same treatment of entries outside
//! `columns` (ignored where the chain's `get(j)` misses). Rows are sorted by column.

use crate::chain::numeric::Num;

/// A sparse row in the number type `T`: `(column, value)` sorted by column.
pub type Row<T> = Vec<(u16, T)>;

/// `inplace_normalize`: `x / Σx` with the chain's plain (wrapping) sum, unchanged when the sum
/// is 0. Returns the sum.
pub fn normalize<T: Num>(x: &mut [T]) -> T {
    let sum = T::sum_of(x.iter().copied());
    if !sum.is_zero() {
        x.iter_mut().for_each(|v| *v = v.safe_div(sum));
    }
    sum
}

/// `inplace_normalize_using_sum`: `x / sum`, unchanged when `sum` is 0.
pub fn normalize_using_sum<T: Num>(x: &mut [T], sum: T) {
    if !sum.is_zero() {
        x.iter_mut().for_each(|v| *v = v.safe_div(sum));
    }
}

/// `inplace_row_normalize_sparse`: each row divided by its (wrapping) sum when the sum is
/// positive.
pub fn row_normalize<T: Num>(matrix: &mut [Row<T>]) {
    for row in matrix {
        let sum = T::sum_of(row.iter().map(|e| e.1));
        if sum > T::ZERO {
            row.iter_mut().for_each(|(_, v)| *v = v.safe_div(sum));
        }
    }
}

/// `row_sum_sparse`: the (wrapping) sum of each row.
pub fn row_sums<T: Num>(matrix: &[Row<T>]) -> Vec<T> {
    matrix
        .iter()
        .map(|row| T::sum_of(row.iter().map(|e| e.1)))
        .collect()
}

/// `inplace_col_normalize_sparse`: each entry divided by its column's saturating sum, where
/// that sum is non-zero.
pub fn col_normalize<T: Num>(matrix: &mut [Row<T>], columns: usize) {
    let mut sums = vec![T::ZERO; columns];
    for &(j, v) in matrix.iter().flatten() {
        if let Some(s) = sums.get_mut(usize::from(j)) {
            *s = s.sat_add(v);
        }
    }
    for (j, v) in matrix.iter_mut().flatten() {
        let s = sums.get(usize::from(*j)).copied().unwrap_or(T::ZERO);
        if !s.is_zero() {
            *v = v.safe_div(s);
        }
    }
}

/// `inplace_col_max_upscale_sparse`: each entry divided by its column's maximum (over the
/// column's entries and 0), where that maximum is non-zero.
pub fn col_max_upscale<T: Num>(matrix: &mut [Row<T>], columns: usize) {
    let mut maxima = vec![T::ZERO; columns];
    for &(j, v) in matrix.iter().flatten() {
        if let Some(m) = maxima.get_mut(usize::from(j))
            && *m < v
        {
            *m = v;
        }
    }
    for (j, v) in matrix.iter_mut().flatten() {
        let m = maxima.get(usize::from(*j)).copied().unwrap_or(T::ZERO);
        if !m.is_zero() {
            *v = v.safe_div(m);
        }
    }
}

/// `col_clip_sparse`: `min(w, c_j)`, except that an entry above a non-positive threshold is
/// dropped.
pub fn col_clip<T: Num>(matrix: &[Row<T>], threshold: &[T]) -> Vec<Row<T>> {
    matrix
        .iter()
        .map(|row| {
            row.iter()
                .filter_map(|&(j, v)| {
                    let th = threshold.get(usize::from(j)).copied().unwrap_or(T::ZERO);
                    if th < v {
                        (th > T::ZERO).then_some((j, th))
                    } else {
                        Some((j, v))
                    }
                })
                .collect()
        })
        .collect()
}

/// `matmul_sparse`: `r_j = Σ_i v_i · m_ij` with saturating sums (rows beyond `vector` use 0).
pub fn matmul<T: Num>(matrix: &[Row<T>], vector: &[T], columns: usize) -> Vec<T> {
    let mut out = vec![T::ZERO; columns];
    for (i, row) in matrix.iter().enumerate() {
        let scale = vector.get(i).copied().unwrap_or(T::ZERO);
        for &(j, v) in row {
            if let Some(r) = out.get_mut(usize::from(j)) {
                *r = r.sat_add(scale.sat_mul(v));
            }
        }
    }
    out
}

/// `matmul_transpose_sparse`: `r_i = Σ_j v_j · m_ij` with saturating sums.
pub fn matmul_transpose<T: Num>(matrix: &[Row<T>], vector: &[T]) -> Vec<T> {
    matrix
        .iter()
        .map(|row| {
            row.iter().fold(T::ZERO, |acc, &(j, m)| {
                let v = vector.get(usize::from(j)).copied().unwrap_or(T::ZERO);
                acc.sat_add(v.sat_mul(m))
            })
        })
        .collect()
}

/// `row_hadamard_sparse`: row `i` scaled by `v_i`.
pub fn row_hadamard<T: Num>(matrix: &[Row<T>], vector: &[T]) -> Vec<Row<T>> {
    matrix
        .iter()
        .zip(vector)
        .map(|(row, &scale)| row.iter().map(|&(j, v)| (j, v.sat_mul(scale))).collect())
        .collect()
}

/// `mat_vec_mul_sparse` then `row_sum_sparse`: `Σ_j m_ij · v_j` per row, products that are 0
/// dropped (which does not change the wrapping sum).
pub fn row_sums_of_products<T: Num>(matrix: &[Row<T>], vector: &[T]) -> Vec<T> {
    matrix
        .iter()
        .map(|row| {
            T::sum_of(
                row.iter()
                    .filter_map(|&(j, m)| vector.get(usize::from(j)).map(|&v| m.sat_mul(v))),
            )
        })
        .collect()
}

/// `interpolate_sparse`: `A + ratio (B − A)` element-wise over `columns` columns. `ratio` 0
/// and 1 return copies of `A` and `B`; otherwise rows are densified and only strictly positive
/// results are kept.
pub fn interpolate<T: Num>(a: &[Row<T>], b: &[Row<T>], columns: usize, ratio: T) -> Vec<Row<T>> {
    if ratio.is_zero() {
        return a.to_vec();
    }
    if ratio == T::ONE || a.len() != b.len() {
        return b.to_vec();
    }
    let (mut dense_a, mut dense_b) = (vec![T::ZERO; columns], vec![T::ZERO; columns]);
    a.iter()
        .zip(b)
        .map(|(row_a, row_b)| {
            scatter(row_a, &mut dense_a);
            scatter(row_b, &mut dense_b);
            (0..columns)
                .filter_map(|j| {
                    let (va, vb) = (dense_a[j], dense_b[j]);
                    let v = va.sat_add(ratio.sat_mul(vb.sat_sub(va)));
                    (T::ZERO < v).then_some((j as u16, v))
                })
                .collect()
        })
        .collect()
}

/// Zeroes `dense` and writes the in-range entries of `row` into it.
pub(crate) fn scatter<T: Num>(row: &[(u16, T)], dense: &mut [T]) {
    dense.iter_mut().for_each(|v| *v = T::ZERO);
    for &(j, v) in row {
        if let Some(cell) = dense.get_mut(usize::from(j)) {
            *cell = v;
        }
    }
}

/// `mat_ema_sparse`: `α · new + (1 − α) · old` per entry (summed in that order into a zeroed
/// dense row of `columns`), keeping strictly positive results.
pub fn mat_ema<T: Num>(new: &[Row<T>], old: &[Row<T>], alpha: T, columns: usize) -> Vec<Row<T>> {
    let one_minus_alpha = T::ONE.sat_sub(alpha);
    let mut acc = vec![T::ZERO; columns];
    new.iter()
        .enumerate()
        .map(|(i, new_row)| {
            let old_row = old.get(i).map_or(&[][..], Vec::as_slice);
            if new_row.is_empty() && old_row.is_empty() {
                return Vec::new(); // nothing to add: the chain's scan finds no positive entry
            }
            acc.iter_mut().for_each(|v| *v = T::ZERO);
            for &(j, v) in new_row {
                if let Some(cell) = acc.get_mut(usize::from(j)) {
                    *cell = cell.sat_add(alpha.sat_mul(v));
                }
            }
            for &(j, v) in old_row {
                if let Some(cell) = acc.get_mut(usize::from(j)) {
                    *cell = cell.sat_add(one_minus_alpha.sat_mul(v));
                }
            }
            (0..columns)
                .filter(|&j| acc[j] > T::ZERO)
                .map(|j| (j as u16, acc[j]))
                .collect()
        })
        .collect()
}

/// `mat_ema_alpha_sparse` for one row: with a per-column rate `alpha_j`, each entry of the
/// new row becomes `min(1, (1 − α_j) · old_ij + max(0, α_j · new_ij))`, kept when positive.
/// Old bonds without a new entry are dropped (not decayed), as on chain. `decayed` is scratch
/// of `alpha.len()` values.
pub fn ema_alpha_row<T: Num>(
    new: &[(u16, T)],
    old: &[(u16, T)],
    alpha: &[T],
    decayed: &mut Vec<T>,
) -> Row<T> {
    decayed.clear();
    decayed.resize(alpha.len(), T::ZERO);
    for &(j, b) in old {
        let j = usize::from(j);
        if let (Some(&a), Some(cell)) = (alpha.get(j), decayed.get_mut(j)) {
            *cell = T::ONE.sat_sub(a).sat_mul(b);
        }
    }
    new.iter()
        .filter_map(|&(j, w)| {
            let col = usize::from(j);
            let (&a, &d) = (alpha.get(col)?, decayed.get(col)?);
            let inc = a.sat_mul(w).max_of(T::ZERO);
            let v = d.sat_add(inc).min_of(T::ONE);
            (v > T::ZERO).then_some((j, v))
        })
        .collect()
}

/// The chain tests' `fixed(val: f32)` (round to nearest), for the generic steps' tests.
#[cfg(test)]
pub(super) mod fixed {
    use crate::chain::numeric::{I32F32, Num};

    /// One value.
    pub fn fx(v: f32) -> I32F32 {
        I32F32::from_f64(f64::from(v))
    }

    /// A vector.
    pub fn fxs(v: &[f32]) -> Vec<I32F32> {
        v.iter().map(|&x| fx(x)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::fixed::{fx, fxs};
    use super::*;
    use crate::chain::numeric::I32F32;

    type F = I32F32;

    fn rows(v: &[f32], n_rows: usize) -> Vec<Row<F>> {
        let cols = v.len() / n_rows;
        (0..n_rows)
            .map(|r| {
                (0..cols)
                    .filter(|&c| v[r * cols + c] > 0.0)
                    .map(|c| (c as u16, fx(v[r * cols + c])))
                    .collect()
            })
            .collect()
    }

    /// `vec_to_sparse_mat_fixed(v, rows, true)`: the transposed layout (row `c` of the result
    /// holds column `c` of `v`).
    fn rows_t(v: &[f32], n_rows: usize) -> Vec<Row<F>> {
        let cols = v.len() / n_rows;
        (0..cols)
            .map(|c| {
                (0..n_rows)
                    .filter(|&r| v[r * cols + c] > 0.0)
                    .map(|r| (r as u16, fx(v[r * cols + c])))
                    .collect()
            })
            .collect()
    }

    fn close(got: &[Row<F>], want: &[Row<F>], eps: f64) {
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            assert_eq!(g.len(), w.len(), "{g:?} vs {w:?}");
            for (&(gj, gv), &(wj, wv)) in g.iter().zip(w) {
                assert_eq!(gj, wj);
                assert!((gv.to_f64() - wv.to_f64()).abs() <= eps, "{gv} vs {wv}");
            }
        }
    }

    /// Hand-computed `α · new + (1 − α) · old` with α = 0.1 (upstream has no test of
    /// `mat_ema_sparse` itself), to I32F32 resolution.
    #[test]
    fn sparse_mat_ema_hand_computed() {
        let old = rows(&[1., 2., 3., 4., 5., 6., 7., 8., 9., 10., 11., 12.], 4);
        let new = rows(
            &[
                10., 20., 30., 40., 50., 60., 70., 80., 90., 100., 110., 120.,
            ],
            4,
        );
        let want = rows(
            &[
                1.9, 3.8, 5.7, 7.6, 9.5, 11.4, 13.3, 15.2, 17.1, 19., 20.9, 22.8,
            ],
            4,
        );
        close(&mat_ema(&new, &old, fx(0.1), 4), &want, 1e-4);
        // Old zero → 0.1 × new; an old bond without a new entry decays, a new one grows.
        let old = rows(&[0., 2., 3., 0.], 2);
        let new = rows(&[10., 0., 30., 40.], 2);
        let want = rows(&[1., 1.8, 5.7, 4.], 2);
        close(&mat_ema(&new, &old, fx(0.1), 2), &want, 1e-4);
    }

    /// `test_math_sparse_mat_ema_alpha`-style row: `{(1,1): 2}` new, `{(0,0): 1}` old,
    /// α 0.1 → only the new entry, clamped into [0, 1] (test-vectors.md V19).
    #[test]
    fn v19_ema_alpha_drops_unweighted_bonds() {
        let alpha = vec![fx(0.1); 2];
        let mut scratch = Vec::new();
        assert_eq!(
            ema_alpha_row(&[], &[(0, F::ONE)], &alpha, &mut scratch),
            vec![]
        );
        let row = ema_alpha_row(&[(1, F::from_num(2))], &[], &alpha, &mut scratch);
        assert_eq!(row, vec![(1, fx(0.1) * F::from_num(2))]);
        // new 1, old 2, α 0.5 → 0.5 × 2 + 0.5 × 1 = 1.5 → clamped to 1.
        let half = vec![fx(0.5)];
        let row = ema_alpha_row(&[(0, F::ONE)], &[(0, F::from_num(2))], &half, &mut scratch);
        assert_eq!(row, vec![(0, F::ONE)]);
    }

    /// `test_math_interpolate_sparse` (st/tests/math.rs, ASSERTED: ±1e-4 for ratio 0.9, exact
    /// otherwise). Ratios are f64 literals (`I32F32::from_num(0.9)`), targets f32 literals.
    #[test]
    fn v19_interpolate_sparse() {
        let a = rows(&[1., 0., 100., 1000., 10000., 100000.], 3);
        let b = rows(&[10., 100., 1000., 10000., 100000., 0.], 3);
        assert_eq!(interpolate(&a, &b, 2, F::ZERO), a);
        assert_eq!(interpolate(&a, &b, 2, F::ONE), b);
        let want = rows(&[9.1, 90., 910., 9100., 91000., 10000.], 3);
        close(&interpolate(&a, &b, 2, F::from_f64(0.9)), &want, 1e-4);
        let zeros = vec![Vec::new(); 4];
        let ones = rows(&[1.0; 12], 4);
        for (ratio, target) in [
            (0.000_000_001, 0.000_000_001_f32),
            (0.5, 0.5),
            (0.999_999_880_8, 0.999_999_9),
            (1.0, 1.0),
        ] {
            let want = rows(&[target; 12], 4);
            assert_eq!(
                interpolate(&zeros, &ones, 3, F::from_f64(ratio)),
                want,
                "{ratio}"
            );
        }
        let (z, o) = (rows(&[0.], 1), rows(&[1.], 1));
        assert_eq!(interpolate(&z, &o, 1, F::from_f64(0.5)), rows(&[0.5], 1));
    }

    /// Hand-computed column ops: sums saturate, an all-zero column is left alone, clipping
    /// drops entries above a zero threshold.
    #[test]
    fn column_ops() {
        let mut m = vec![
            vec![(0, F::from_num(1)), (1, F::from_num(3))],
            vec![(0, F::from_num(3))],
        ];
        col_normalize(&mut m, 2);
        assert_eq!(m[0], vec![(0, F::from_num(0.25)), (1, F::ONE)]);
        assert_eq!(m[1], vec![(0, F::from_num(0.75))]);
        col_max_upscale(&mut m, 2);
        assert_eq!(m[0][0].1, F::from_num(0.25).safe_div(F::from_num(0.75)));
        assert_eq!(m[1][0].1, F::ONE);
        let clipped = col_clip(&m, &[F::from_num(0.5), F::ZERO]);
        assert_eq!(clipped[0], vec![(0, m[0][0].1)]);
        assert_eq!(clipped[1], vec![(0, F::from_num(0.5))]);
        assert_eq!(
            matmul(&m, &[F::ONE, F::from_num(2)], 2),
            vec![m[0][0].1 + F::from_num(2), F::ONE]
        );
        assert_eq!(
            matmul_transpose(&m, &[F::ONE, F::from_num(2)]),
            vec![m[0][0].1 + F::from_num(2), F::ONE]
        );
    }

    const M: [f32; 42] = [
        0., 1., 0., 2., 0., 3., 4., 0., 1., 0., 2., 0., 3., 0., 1., 0., 0., 2., 0., 3., 4., 0.,
        10., 0., 100., 1000., 0., 10000., 0., 0., 0., 0., 0., 0., 0., 1., 1., 1., 1., 1., 1., 1.,
    ];

    /// `test_math_inplace_row_normalize_sparse` and `_col_normalize_sparse` (st/tests/math.rs,
    /// ASSERTED ±1e-4; the all-zero cases exact).
    #[test]
    fn v19_row_and_col_normalize_sparse() {
        let t = [
            0., 0.1, 0., 0.2, 0., 0.3, 0.4, 0., 0.166666, 0., 0.333333, 0., 0.5, 0., 0.1, 0., 0.,
            0.2, 0., 0.3, 0.4, 0., 0.0009, 0., 0.009, 0.09, 0., 0.9, 0., 0., 0., 0., 0., 0., 0.,
            0.142857, 0.142857, 0.142857, 0.142857, 0.142857, 0.142857, 0.142857,
        ];
        let mut m = rows(&M, 6);
        row_normalize(&mut m);
        close(&m, &rows(&t, 6), 1e-4);
        let mut m = rows_t(&M, 6);
        col_normalize(&mut m, 6);
        close(&m, &rows_t(&t, 6), 1e-4);
        let mut z = rows(&[0.; 12], 3);
        row_normalize(&mut z);
        col_normalize(&mut z, 6);
        assert_eq!(z, rows(&[0.; 12], 3));
    }

    /// `test_math_inplace_col_max_upscale_sparse` (ASSERTED ±1e-4; edge cases exact).
    #[test]
    fn v19_col_max_upscale_sparse() {
        let mut m: Vec<Row<F>> = vec![vec![(0, F::ZERO)]];
        col_max_upscale(&mut m, 1);
        assert_eq!(m, vec![vec![(0, F::ZERO)]]);
        let t = [
            0., 0.25, 0., 0.5, 0., 0.75, 1., 0., 0.333333, 0., 0.666666, 0., 1., 0., 0.25, 0., 0.,
            0.5, 0., 0.75, 1., 0., 0.001, 0., 0.01, 0.1, 0., 1., 0., 0., 0., 0., 0., 0., 0., 1.,
            1., 1., 1., 1., 1., 1.,
        ];
        let mut m = rows_t(&M, 6);
        col_max_upscale(&mut m, 6);
        close(&m, &rows_t(&t, 6), 1e-4);
    }

    /// `test_math_row_hadamard_sparse`, `test_math_sparse_matmul`,
    /// `test_math_sparse_matmul_transpose`, `test_math_col_clip_sparse` (ASSERTED exact).
    #[test]
    fn v19_products_and_clip_sparse() {
        let full = [1., 2., 3., 4., 5., 6., 7., 8., 9., 10., 11., 12.];
        let holes = [0., 2., 3., 4., 0., 6., 7., 8., 0., 10., 11., 12.];
        let v4 = fxs(&[1., 2., 3., 4.]);
        assert_eq!(
            row_hadamard(&rows(&full, 4), &v4),
            rows(&[1., 2., 3., 8., 10., 12., 21., 24., 27., 40., 44., 48.], 4)
        );
        assert_eq!(
            row_hadamard(&rows(&holes, 4), &v4),
            rows(&[0., 2., 3., 8., 0., 12., 21., 24., 0., 40., 44., 48.], 4)
        );
        assert_eq!(matmul(&rows(&full, 4), &v4, 3), fxs(&[70., 80., 90.]));
        assert_eq!(matmul(&rows(&holes, 4), &v4, 3), fxs(&[69., 70., 63.]));
        assert_eq!(matmul(&rows(&[0.; 12], 4), &v4, 3), fxs(&[0., 0., 0.]));
        let v3 = fxs(&[1., 2., 3.]);
        assert_eq!(
            matmul_transpose(&rows(&full, 4), &v3),
            fxs(&[14., 32., 50., 68.])
        );
        assert_eq!(
            matmul_transpose(&rows(&holes, 4), &v3),
            fxs(&[13., 22., 23., 68.])
        );
        let th = fxs(&[0., 5., 12.]);
        let m = rows(&[0., 2., 3., 4., 5., 6., 7., 8., 9., 10., 11., 12.], 4);
        let t = rows(&[0., 2., 3., 0., 5., 6., 0., 5., 9., 0., 5., 12.], 4);
        assert_eq!(col_clip(&m, &th), t);
        let m = rows(&[0., 2., 3., 4., 5., 6., 0., 0., 0., 10., 11., 12.], 4);
        let t = rows(&[0., 2., 3., 0., 5., 6., 0., 0., 0., 0., 5., 12.], 4);
        assert_eq!(col_clip(&m, &th), t);
    }

    /// `test_mat_ema_alpha_sparse_*` (st/tests/math.rs): single element (new 1, old 2,
    /// α 0.5 → 1, ASSERTED exact), multiple elements and mixed rates, all clamped to 1.
    #[test]
    fn v19_mat_ema_alpha_sparse() {
        let mut scratch = Vec::new();
        let half = fxs(&[0.5, 0.5]);
        let got = ema_alpha_row(
            &[(0, F::ONE)],
            &[(0, F::from_num(2))],
            &half[..1],
            &mut scratch,
        );
        assert_eq!(got, vec![(0, F::ONE)]);
        // new [[1, 2], [3, 4]], old [[5, 6], [7, 8]]: every entry clamps to 1 for any rate.
        for rate in [0.0_f32, 0.5, 1.0] {
            let alpha = vec![fx(rate); 2];
            for (new, old) in [([1., 2.], [5., 6.]), ([3., 4.], [7., 8.])] {
                let new: Row<F> = vec![(0, fx(new[0])), (1, fx(new[1]))];
                let old: Row<F> = vec![(0, fx(old[0])), (1, fx(old[1]))];
                let got = ema_alpha_row(&new, &old, &alpha, &mut scratch);
                assert_eq!(got, vec![(0, F::ONE), (1, F::ONE)], "{rate}");
            }
        }
    }
}
