//! The chain's stake-weighted median (`weighted_median`, `weighted_median_col_sparse` in
//! `st/epoch/math.rs`), written once over [`Num`].
//!
//! The chain searches with a mid-index pivot and keeps the running stake bounds of the
//! partition in saturating arithmetic; with fixed-point stakes the result at a tie depends on
//! exactly those sums, so this is the chain's algorithm step for step (the fast `f64` path
//! uses its own exact selection, see `yuma::median`).

use super::sparse::{Row, normalize};
use crate::chain::numeric::Num;

/// `weighted_median(stake, score, partition, minority, lo, hi)`: the smallest score at which
/// the stake below it exceeds `minority` (searching by mid pivots). `lower` and `upper` are
/// scratch.
fn weighted_median<T: Num>(
    stake: &[T],
    score: &[T],
    partition: &mut Vec<usize>,
    scratch: &mut (Vec<usize>, Vec<usize>),
    minority: T,
    mut lo: T,
    mut hi: T,
) -> T {
    let (lower, upper) = scratch;
    let limit = partition.len();
    let mut iterations = 0usize;
    loop {
        let n = partition.len();
        if n == 0 {
            return T::ZERO;
        }
        if n == 1 {
            return score[partition[0]];
        }
        let pivot = score[partition[n / 2]];
        let (mut lo_stake, mut hi_stake) = (T::ZERO, T::ZERO);
        lower.clear();
        upper.clear();
        for &idx in partition.iter() {
            let s = score[idx];
            if s == pivot {
                continue;
            }
            if s < pivot {
                lo_stake = lo_stake.sat_add(stake[idx]);
                lower.push(idx);
            } else {
                hi_stake = hi_stake.sat_add(stake[idx]);
                upper.push(idx);
            }
        }
        if minority < lo.sat_add(lo_stake) && !lower.is_empty() {
            std::mem::swap(partition, lower);
            hi = lo.sat_add(lo_stake);
        } else if hi.sat_sub(hi_stake) <= minority && !upper.is_empty() {
            std::mem::swap(partition, upper);
            lo = hi.sat_sub(hi_stake);
        } else {
            return pivot;
        }
        iterations += 1;
        if iterations > limit {
            return T::ZERO;
        }
    }
}

/// `weighted_median_col_sparse`: per column, the median of the rows with positive stake
/// (their stakes re-normalised; absent entries score 0), with `minority = Σ − majority`.
pub fn weighted_median_col<T: Num>(
    stake: &[T],
    score: &[Row<T>],
    columns: usize,
    majority: T,
) -> Vec<T> {
    let mut use_stake: Vec<T> = stake.iter().copied().filter(|&s| s > T::ZERO).collect();
    normalize(&mut use_stake);
    let stake_sum = T::sum_of(use_stake.iter().copied());
    let minority = stake_sum.sat_sub(majority);
    let voters = use_stake.len();
    // Column-major scores of the voters.
    let mut use_score = vec![T::ZERO; columns * voters];
    let voting_rows = stake
        .iter()
        .zip(score)
        .filter(|(s, _)| **s > T::ZERO)
        .map(|(_, row)| row);
    for (k, row) in voting_rows.enumerate() {
        for &(c, v) in row {
            if let Some(cell) = use_score.get_mut(usize::from(c) * voters + k)
                && usize::from(c) < columns
            {
                *cell = v;
            }
        }
    }
    let mut partition = Vec::with_capacity(voters);
    let mut scratch = (Vec::with_capacity(voters), Vec::with_capacity(voters));
    (0..columns)
        .map(|c| {
            partition.clear();
            partition.extend(0..voters);
            let column = &use_score[c * voters..(c + 1) * voters];
            weighted_median(
                &use_stake,
                column,
                &mut partition,
                &mut scratch,
                minority,
                T::ZERO,
                stake_sum,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::sparse::fixed::{fx, fxs};
    use super::*;
    use crate::chain::numeric::I32F32;

    type F = I32F32;

    fn median(stake: &[f32], score: &[f32], majority: f32) -> F {
        let (stake, score) = (fxs(stake), fxs(score));
        let sum = F::sum_of(stake.iter().copied());
        weighted_median(
            &stake,
            &score,
            &mut (0..stake.len()).collect(),
            &mut Default::default(),
            F::ONE - fx(majority),
            F::ZERO,
            sum,
        )
    }

    /// `test_math_weighted_median` (st/tests/math.rs, ASSERTED exact; test-vectors.md V19),
    /// its fixed cases with majority 0.51.
    #[test]
    fn v19_weighted_median() {
        assert_eq!(median(&[], &[], 0.51), F::ZERO);
        let mut stake = fxs(&[0.51]);
        normalize(&mut stake);
        let sum = F::sum_of(stake.iter().copied());
        let got = weighted_median(
            &stake,
            &fxs(&[1.]),
            &mut vec![0],
            &mut Default::default(),
            F::ONE - fx(0.51),
            F::ZERO,
            sum,
        );
        assert_eq!(got, F::ONE);
        assert_eq!(median(&[0.49, 0.51], &[0.5, 1.], 0.51), F::ONE);
        assert_eq!(median(&[0.51, 0.49], &[0.5, 1.], 0.51), fx(0.5));
        assert_eq!(median(&[0.49, 0., 0.51], &[0.5, 0.7, 1.], 0.51), F::ONE);
        assert_eq!(median(&[0.49, 0.01, 0.5], &[0.5, 0.7, 1.], 0.51), fx(0.7));
        assert_eq!(median(&[0.49, 0.51, 0.], &[0.5, 0.7, 1.], 0.51), fx(0.7));
        assert_eq!(median(&[0., 0.49, 0.51], &[0.5, 0.7, 1.], 0.51), F::ONE);
        assert_eq!(
            median(&[0., 0.49, 0., 0.51], &[0.5, 0.5, 1., 1.], 0.51),
            F::ONE
        );
        assert_eq!(
            median(&[0., 0.49, 0., 0.51, 0.], &[0.5, 0.5, 1., 1., 0.5], 0.51),
            F::ONE
        );
        assert_eq!(median(&[0.2; 5], &[0.8, 0.2, 1., 0.6, 0.4], 0.51), fx(0.6));
        assert_eq!(
            median(
                &[0.1; 10],
                &[0.8, 0.8, 0.2, 0.2, 1., 1., 0.6, 0.6, 0.4, 0.4],
                0.51
            ),
            fx(0.6)
        );
    }

    fn sparse(v: &[f32], rows: usize) -> Vec<Row<F>> {
        let cols = v.len() / rows;
        (0..rows)
            .map(|r| {
                (0..cols)
                    .filter(|&c| v[r * cols + c] > 0.0)
                    .map(|c| (c as u16, fx(v[r * cols + c])))
                    .collect()
            })
            .collect()
    }

    /// `test_math_weighted_median_col_sparse` (st/tests/math.rs, ASSERTED exact).
    #[test]
    fn v19_weighted_median_col_sparse() {
        assert_eq!(
            weighted_median_col::<F>(&[], &[vec![]], 0, fx(0.5)),
            Vec::<F>::new()
        );
        let w = sparse(&[0., 0., 0., 0.], 2);
        assert_eq!(
            weighted_median_col(&fxs(&[0., 0.]), &w, 2, fx(0.5)),
            fxs(&[0., 0.])
        );
        let stake = fxs(&[0., 0.75, 0.25, 0.]);
        let w = sparse(&[0., 0.1, 0., 0., 0.2, 0.4, 0., 0.3, 0.1, 0., 0.4, 0.5], 4);
        for (kappa, want) in [
            (0.24, [0., 0.3, 0.4]),
            (0.26, [0., 0.2, 0.4]),
            (0.76, [0., 0.2, 0.1]),
        ] {
            assert_eq!(
                weighted_median_col(&stake, &w, 3, fx(kappa)),
                fxs(&want),
                "{kappa}"
            );
        }
        let stake = fxs(&[0., 0.3, 0.2, 0.5]);
        let w = sparse(&[0., 0.1, 0., 0., 0.2, 0.4, 0., 0.3, 0.1, 0., 0., 0.5], 4);
        assert_eq!(
            weighted_median_col(&stake, &w, 3, fx(0.51)),
            fxs(&[0., 0., 0.4])
        );
    }
}
