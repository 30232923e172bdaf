//! Steps 4, 6–8 (spec §1.7, §1.9–§1.11): weight masks, row normalisation, clipping at
//! consensus, validator trust and ranks, and the weights used for bonds.
//!
//! The per-entry definitions (`keep_weight`, `clip`, `weight_for_bonds`, ...) state the
//! chain's semantics; the dense forms the epoch runs (the gather into [`DenseEpoch`], the
//! row normalisation, the clip-and-rank line kernel, [`BondWeight`]) are derived from them
//! and checked against them. The matrix-level functions exist for the reference vectors.

use super::dense::DenseEpoch;
use super::panels::{LANES, Line, add, lanes, max, min, mul, sum_lanes};
use super::sparse::row_sum;
use super::validate::{RowCheck, row_passes};
use super::{EpochInput, SparseRow};

/// Whether weight `(row, col)` survives the diagonal and outdated masks (§1.7 items 2–3).
///
/// - Self-weights are removed, except the subnet owner's (the owner may point emission at
///   itself; it is burned at distribution).
/// - A weight set before `col` (re)registered (`last_update_row <= registered_col`) was meant
///   for the previous occupant of the uid and must not credit the new one.
#[inline]
pub fn keep_weight(
    row: usize,
    col: usize,
    owner: Option<u16>,
    last_update_row: u64,
    registered_col: u64,
) -> bool {
    let self_weight = row == col && owner.map(usize::from) != Some(row);
    !self_weight && last_update_row > registered_col
}

impl DenseEpoch {
    /// Step 4: scatters the weight rows of permitted uids into `W`, dropping self-weights
    /// (except the owner's) and outdated weights. Returns whether every weight row passed
    /// the fused check (rows of other uids are checked without being stored).
    pub(crate) fn gather_weights(
        &mut self,
        input: &EpochInput,
        permit: &[bool],
        owner: Option<u16>,
    ) -> bool {
        let n = permit.len();
        let registered = &input.block_at_registration[..n];
        // The outdated mask (`last_update <= registered`) can only bite rows that last updated
        // at or before the latest registration.
        let latest_registration = registered.iter().copied().max().unwrap_or(0);
        let mut ok = true;
        let mut dense = self.uids.iter().enumerate().peekable();
        for (uid, row) in input.weights.iter().enumerate() {
            let Some((r, _)) = dense.next_if(|&(_, &u)| u == uid) else {
                ok &= row_passes(row); // not a dense row: checked, never used
                continue;
            };
            if !permit[uid] {
                ok &= row_passes(row); // holds bonds only: its weights are masked
                continue;
            }
            let panel = self.weights.panel_mut(r / LANES);
            let lane = r % LANES;
            let self_col = if owner.map(usize::from) == Some(uid) {
                usize::MAX // the owner keeps its self-weight
            } else {
                uid
            };
            let updated = input.last_update[uid];
            let touched = &mut self.touched;
            let check = if updated > latest_registration {
                scatter_weight_row(row, panel, touched, lane, self_col, |_| false)
            } else {
                // `keep_weight`'s outdated test: set at or before `col` (re)registered.
                scatter_weight_row(row, panel, touched, lane, self_col, |col| {
                    updated <= registered[col]
                })
            };
            ok &= check.passed();
        }
        ok
    }

    /// Row-normalises `W` in place ([`row_normalize`]: rows with a positive sum are divided
    /// by it, multiplying by the reciprocal). One panel at a time, so the panel is still in
    /// L1 when it is scaled.
    pub(crate) fn normalise_rows(&mut self) {
        for panel in self.weights.iter_panels_mut() {
            // Two sets of accumulators halve the dependency chain of the additions.
            let (mut even, mut odd) = ([0.0; LANES], [0.0; LANES]);
            let mut pairs = panel.chunks_exact(2);
            for pair in &mut pairs {
                even = add(even, pair[0]);
                odd = add(odd, pair[1]);
            }
            if let [line] = pairs.remainder() {
                even = add(even, *line);
            }
            let sum = add(even, odd);
            let scale = lanes(|k| if sum[k] > 0.0 { 1.0 / sum[k] } else { 1.0 });
            for line in panel.iter_mut() {
                *line = mul(*line, scale);
            }
        }
    }

    /// Steps 6–7 for column `j`: `Wc = clip(W, C_j)`, adds it to the validator trust
    /// `Tv_i = Σ_j Wc_ij` and returns the rank `R_j = Σ_i Sa_i Wc_ij`.
    ///
    /// [`clip`] drops an entry above a zero consensus; in these sums a dropped entry and
    /// `min(w, 0) = 0` are the same, so `min` serves.
    #[inline(always)]
    pub(crate) fn clip_and_rank(&mut self, j: usize, c: f64) -> f64 {
        let mut rank = [0.0; LANES];
        let rows = &mut self.rows;
        for (t, (trust, stake)) in rows.trust.iter_mut().zip(&rows.stake).enumerate() {
            let w = self.weights.line(t, j);
            let clipped = lanes(|k| min(w[k], c));
            *trust = add(*trust, clipped);
            rank = add(rank, mul(*stake, clipped));
        }
        sum_lanes(rank)
    }
}

/// Step 4 for one permitted validator: scatters its weight row into lane `lane` of a dense
/// panel (`panel[col]` is column `col`, one line per column of the metagraph), keeping the
/// entries that [`keep_weight`] keeps and marking their columns in `touched` (as long as the
/// panel), and checks the row on the way.
///
/// The masks come hoisted out of the loop: `self_col` is the validator's own column (or
/// `usize::MAX` for the owner, who keeps its self-weight), and `outdated(col)` says whether
/// the validator's last update is not after `col`'s registration — pass `|_| false` when no
/// column registered since, the common case, which saves a load per entry. Explicit zero
/// weights are stored as `-0.0` ([`dense_weight`]) in a second pass over the row, only when
/// it has any.
#[inline(always)]
pub(crate) fn scatter_weight_row(
    row: &[(u16, f64)],
    panel: &mut [Line<f64>],
    touched: &mut [bool],
    lane: usize,
    self_col: usize,
    outdated: impl Fn(usize) -> bool,
) -> RowCheck {
    let n = panel.len();
    let touched = &mut touched[..n];
    let mut check = RowCheck::new();
    // Smallest `bits << 1` seen: 0 exactly when some weight is ±0.
    let mut zero = u64::MAX;
    for &(j, w) in row {
        check.entry(j, w);
        zero = zero.min(w.to_bits() << 1);
        let col = usize::from(j);
        if col < n && col != self_col && !outdated(col) {
            panel[col][lane] = w;
            touched[col] = true;
        }
    }
    if zero == 0 {
        for &(j, w) in row {
            let col = usize::from(j);
            if col < n && col != self_col && !outdated(col) {
                panel[col][lane] = dense_weight(w);
            }
        }
    }
    check
}

/// Divides a row by its sum when the sum is positive. Entries with value 0 stay present: the
/// sparse liquid-alpha EMA decays a bond only where the weight row has an entry (§1.12).
///
/// Multiplies by the reciprocal (one division per row instead of one per entry, which would
/// dominate the step); the results differ from a division by at most one rounding.
pub fn row_normalize(row: &mut [(u16, f64)]) {
    let sum = row_sum(row);
    if sum > 0.0 {
        let inverse = 1.0 / sum;
        row.iter_mut().for_each(|(_, v)| *v *= inverse);
    }
}

/// [`row_normalize`] on every row (the chain's `inplace_row_normalize_sparse`).
pub fn row_normalize_all(matrix: &mut [SparseRow]) {
    matrix.iter_mut().for_each(|row| row_normalize(row));
}

/// Clips weight `w` at consensus `c` (`col_clip_sparse`): `min(w, c)`, except that an entry
/// above a zero consensus disappears rather than becoming an explicit 0. `None` = absent.
///
/// Written as `min` plus a test of the rare zero consensus first: with real weights `c < w`
/// is a coin flip, and a branch on it cost the bond step about a third of its time.
#[inline]
pub fn clip(w: f64, c: f64) -> Option<f64> {
    if c <= 0.0 && c < w {
        None
    } else {
        Some(w.min(c))
    }
}

/// Weight used for bonds, `Wb = W + β (Wc − W)`, for one present entry `w` of `W` with
/// consensus `c` (`interpolate_sparse` with `W` and the clipped `Wc`). `None` = absent.
///
/// Which entries stay present matters for the sparse liquid-alpha EMA, so the chain's special
/// cases are kept: `β = 0` returns `W` as is (zeros included), `β = 1` returns `Wc` as is;
/// otherwise the chain densifies and keeps only strictly positive results.
#[inline]
pub fn weight_for_bonds(w: f64, c: f64, beta: f64) -> Option<f64> {
    if beta == 0.0 {
        Some(w)
    } else if beta == 1.0 {
        clip(w, c)
    } else {
        let wc = clip(w, c).unwrap_or(0.0);
        let v = w + beta * (wc - w);
        (v > 0.0).then_some(v)
    }
}

/// [`weight_for_bonds`] of one dense entry, in the form the dense kernels use.
///
/// `w` is an entry of the dense `W`: `+0.0` where `W` has no entry, explicit zeros as
/// `-0.0` (see [`dense_weight`]). The result is `(value, present)`: `value` is the weight
/// for bonds, or 0 where it is absent — all the fixed-rate and classic EMAs need, since for
/// them an absent weight and a zero one are the same; `present` says whether it exists, which
/// the sparse liquid-alpha EMA needs.
///
/// The epoch picks the variant for its `β` once ([`BondWeight::new`]) and runs a loop per
/// variant, so the per-entry work has no branch on `β`. With `C_j >= 0` the clip is
/// `min(w, C_j)`; it is absent only for a present `w > 0` above a zero consensus.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum BondWeight {
    /// `β = 0`: `W` itself.
    Raw,
    /// `β = 1`: the clipped `Wc`.
    Clipped,
    /// `0 < β < 1`: `W + β (Wc − W)`, kept where positive.
    Mixed(f64),
}

impl BondWeight {
    /// The variant for a bonds penalty `β`.
    pub(crate) fn new(beta: f64) -> Self {
        if beta == 0.0 {
            Self::Raw
        } else if beta == 1.0 {
            Self::Clipped
        } else {
            Self::Mixed(beta)
        }
    }
}

/// [`BondWeight::Raw`] of a dense entry.
#[inline(always)]
pub(crate) fn bond_weight_raw(w: f64, _c: f64) -> (f64, bool) {
    (w, is_present(w))
}

/// [`BondWeight::Clipped`] of a dense entry.
#[inline(always)]
pub(crate) fn bond_weight_clipped(w: f64, c: f64) -> (f64, bool) {
    (min(w, c), is_present(w) & ((c > 0.0) | (w <= 0.0)))
}

/// [`BondWeight::Mixed`] of a dense entry.
#[inline(always)]
pub(crate) fn bond_weight_mixed(w: f64, c: f64, beta: f64) -> (f64, bool) {
    let v = w + beta * (min(w, c) - w);
    (max(v, 0.0), is_present(w) & (v > 0.0))
}

/// Whether a dense entry of `W` is an entry of the sparse `W` (see [`dense_weight`]).
#[inline(always)]
pub(crate) fn is_present(w: f64) -> bool {
    (w != 0.0) | w.is_sign_negative()
}

/// A weight as the dense `W` stores it: explicit zero weights become `-0.0`, so that they
/// stay distinguishable from absent entries (`+0.0`) for the sparse liquid-alpha EMA, while
/// every sum, product, minimum and comparison treats them as the 0 they are.
#[inline(always)]
pub(crate) fn dense_weight(w: f64) -> f64 {
    if w == 0.0 { -0.0 } else { w }
}

/// Element-wise `mat1 + ratio (mat2 − mat1)` of two sparse matrices with `columns` columns
/// (the chain's `interpolate_sparse`, used here only to check the reference vectors; the epoch
/// uses the per-entry [`weight_for_bonds`]). `ratio` 0 and 1 return copies of `mat1` / `mat2`;
/// otherwise rows are densified and only strictly positive results are kept.
pub fn interpolate_sparse(
    mat1: &[SparseRow],
    mat2: &[SparseRow],
    columns: usize,
    ratio: f64,
) -> Vec<SparseRow> {
    if ratio == 0.0 {
        return mat1.to_vec();
    }
    if ratio == 1.0 || mat1.len() != mat2.len() {
        return mat2.to_vec();
    }
    let mut dense1 = vec![0.0; columns];
    let mut dense2 = vec![0.0; columns];
    mat1.iter()
        .zip(mat2)
        .map(|(row1, row2)| {
            dense1.iter_mut().for_each(|v| *v = 0.0);
            dense2.iter_mut().for_each(|v| *v = 0.0);
            for &(j, v) in row1 {
                if let Some(cell) = dense1.get_mut(usize::from(j)) {
                    *cell = v;
                }
            }
            for &(j, v) in row2 {
                if let Some(cell) = dense2.get_mut(usize::from(j)) {
                    *cell = v;
                }
            }
            dense1
                .iter()
                .zip(&dense2)
                .enumerate()
                .filter_map(|(j, (&v1, &v2))| {
                    let v = v1 + ratio * (v2 - v1);
                    (v > 0.0).then_some((j as u16, v))
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::sparse;
    use super::*;

    fn assert_rows_close(got: &[SparseRow], want: &[SparseRow], eps: f64) {
        assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
        for (g, w) in got.iter().zip(want) {
            assert_eq!(g.len(), w.len(), "{got:?} vs {want:?}");
            for (&(gj, gv), &(wj, wv)) in g.iter().zip(w) {
                assert_eq!(gj, wj);
                assert!((gv - wv).abs() <= eps, "{gv} vs {wv}");
            }
        }
    }

    /// Hand-computed masks: uid 1 is the owner.
    #[test]
    fn self_weight_removed_except_owner() {
        assert!(!keep_weight(0, 0, Some(1), 5, 0));
        assert!(keep_weight(1, 1, Some(1), 5, 0));
        assert!(!keep_weight(2, 2, None, 5, 0));
        assert!(keep_weight(0, 2, None, 5, 0));
    }

    /// Hand-computed: a weight set at block 5 is outdated for a uid registered at block 5 or
    /// later (`last_update <= registered`), current for one registered at block 4.
    #[test]
    fn outdated_weight_removed() {
        assert!(!keep_weight(0, 1, None, 5, 5));
        assert!(!keep_weight(0, 1, None, 5, 6));
        assert!(keep_weight(0, 1, None, 5, 4));
    }

    /// V19 `test_math_inplace_row_normalize_sparse` (±1e-4 upstream; exact fractions here).
    #[test]
    fn row_normalisation_vector() {
        let v = [
            0., 1., 0., 2., 0., 3., 4., 0., 1., 0., 2., 0., 3., 0., 1., 0., 0., 2., 0., 3., 4., 0.,
            10., 0., 100., 1000., 0., 10000., 0., 0., 0., 0., 0., 0., 0., 1., 1., 1., 1., 1., 1.,
            1.,
        ];
        let mut m = sparse(&v, 6);
        row_normalize_all(&mut m);
        let t = [
            0., 0.1, 0., 0.2, 0., 0.3, 0.4, 0., 0.166666, 0., 0.333333, 0., 0.5, 0., 0.1, 0., 0.,
            0.2, 0., 0.3, 0.4, 0., 0.0009, 0., 0.009, 0.09, 0., 0.9, 0., 0., 0., 0., 0., 0., 0.,
            0.142857, 0.142857, 0.142857, 0.142857, 0.142857, 0.142857, 0.142857,
        ];
        assert_rows_close(&m, &sparse(&t, 6), 1e-4);
        // An all-zero row with explicit zero entries keeps its entries (sum 0: untouched).
        let mut row = vec![(0u16, 0.0), (3, 0.0)];
        row_normalize(&mut row);
        assert_eq!(row, vec![(0, 0.0), (3, 0.0)]);
    }

    /// Hand-computed clip cases, incl. the sparse "drop above a zero consensus".
    #[test]
    fn clip_cases() {
        assert_eq!(clip(0.3, 0.2), Some(0.2));
        assert_eq!(clip(0.1, 0.2), Some(0.1));
        assert_eq!(clip(0.3, 0.0), None);
        assert_eq!(clip(0.0, 0.0), Some(0.0)); // explicit zero stays
    }

    /// The dense forms agree with `weight_for_bonds` on every case below, zeros included,
    /// and an absent entry (`+0.0`) is absent.
    #[test]
    fn dense_bond_weights_match() {
        for beta in [0.0, 0.3, 1.0] {
            let dense = |w: f64, c: f64| match BondWeight::new(beta) {
                BondWeight::Raw => bond_weight_raw(w, c),
                BondWeight::Clipped => bond_weight_clipped(w, c),
                BondWeight::Mixed(beta) => bond_weight_mixed(w, c, beta),
            };
            for c in [0.0, 0.1, 0.5] {
                for w in [0.0, 0.05, 0.1, 0.4] {
                    let sparse = weight_for_bonds(w, c, beta);
                    let (value, present) = dense(dense_weight(w), c);
                    assert_eq!(value, sparse.unwrap_or(0.0), "{w} {c} {beta}");
                    assert_eq!(present, sparse.is_some(), "{w} {c} {beta}");
                    assert!(!dense(0.0, c).1);
                }
            }
        }
    }

    /// Hand-computed `weight_for_bonds`: w 0.4, c 0.1 → Wc 0.1; β 0.5 → 0.25. Above a zero
    /// consensus Wc is absent (0): β 0.5 → 0.2, β 1 → absent. A zero weight with 0 < β < 1 is
    /// dropped, with β = 0 it stays.
    #[test]
    fn weight_for_bonds_cases() {
        assert_eq!(weight_for_bonds(0.4, 0.1, 0.0), Some(0.4));
        assert_eq!(weight_for_bonds(0.4, 0.1, 1.0), Some(0.1));
        assert!((weight_for_bonds(0.4, 0.1, 0.5).unwrap() - 0.25).abs() < 1e-15);
        assert!((weight_for_bonds(0.4, 0.0, 0.5).unwrap() - 0.2).abs() < 1e-15);
        assert_eq!(weight_for_bonds(0.4, 0.0, 1.0), None);
        assert_eq!(weight_for_bonds(0.0, 0.3, 0.5), None);
        assert_eq!(weight_for_bonds(0.0, 0.3, 0.0), Some(0.0));
    }

    /// V19 `test_math_interpolate_sparse` (upstream ±1e-4 for the 0.9 case, exact otherwise;
    /// f64 results are within 1e-12 of the decimal targets).
    #[test]
    fn interpolate_sparse_vectors() {
        let m1 = sparse(&[1., 0., 100., 1000., 10000., 100000.], 3);
        let m2 = sparse(&[10., 100., 1000., 10000., 100000., 0.], 3);
        assert_rows_close(&interpolate_sparse(&m1, &m2, 2, 0.0), &m1, 0.0);
        let t = sparse(&[9.1, 90., 910., 9100., 91000., 10000.], 3);
        assert_rows_close(&interpolate_sparse(&m1, &m2, 2, 0.9), &t, 1e-4);
        // The dense `test_math_interpolate` case through full rows: ×10, ratio 0.9.
        let m1 = sparse(&[1., 10., 100., 1000., 10000., 100000.], 3);
        let m2 = sparse(&[10., 100., 1000., 10000., 100000., 1000000.], 3);
        let t = sparse(&[9.1, 91., 910., 9100., 91000., 910000.], 3);
        assert_rows_close(&interpolate_sparse(&m1, &m2, 2, 0.9), &t, 1e-4);
        let zeros = sparse(&[0.0; 12], 4);
        let ones = sparse(&[1.0; 12], 4);
        assert_rows_close(&interpolate_sparse(&zeros, &ones, 3, 0.0), &zeros, 0.0);
        for ratio in [0.000000001, 0.5, 0.9999998808, 1.0] {
            let t = sparse(&[ratio; 12], 4);
            assert_rows_close(&interpolate_sparse(&zeros, &ones, 3, ratio), &t, 1e-12);
        }
        let (a, b) = (sparse(&[0.0], 1), sparse(&[1.0], 1));
        assert_rows_close(&interpolate_sparse(&a, &b, 1, 0.5), &sparse(&[0.5], 1), 0.0);
    }

    /// Hand-checked gather of one row into lane 2: the self-weight (column 1) and the
    /// outdated column 3 are dropped, the out-of-range entry ignored, the explicit zero kept
    /// as `-0.0`, the stored columns marked. As the owner (`usize::MAX`) the self-weight
    /// stays.
    #[test]
    fn weight_gather_masks_and_encodes_zeros() {
        let row = [(0u16, 4.0), (1, 2.0), (2, 0.0), (3, 1.0), (7, 9.0)];
        let mut panel = vec![[0.0; LANES]; 5];
        let mut touched = vec![false; 5];
        let check = scatter_weight_row(&row, &mut panel, &mut touched, 2, 1, |col| col == 3);
        assert!(check.passed());
        let lane: Vec<f64> = panel.iter().map(|l| l[2]).collect();
        assert_eq!(lane, [4.0, 0.0, 0.0, 0.0, 0.0]);
        assert!(lane[2].is_sign_negative() && !lane[1].is_sign_negative());
        assert!(is_present(lane[2]) && !is_present(lane[1]) && is_present(lane[0]));
        assert_eq!(touched, [true, false, true, false, false]);
        let mut panel = vec![[0.0; LANES]; 5];
        scatter_weight_row(&row, &mut panel, &mut touched, 2, usize::MAX, |_| false);
        assert_eq!(
            panel.iter().map(|l| l[2]).collect::<Vec<_>>(),
            [4.0, 2.0, 0.0, 1.0, 0.0]
        );
    }
}
