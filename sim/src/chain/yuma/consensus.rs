//! Step 5 (spec §1.8): consensus as the stake-weighted κ-quantile of each column.
//!
//! `C_j` is the largest score such that validators holding at least κ of the active stake
//! scored miner `j` at least that high; weights above it are clipped in step 6, which is what
//! makes a minority of stake unable to inflate a miner.
//!
//! The sparse functions here ([`weighted_median_pairs`], [`ConsensusScratch`]) are the
//! reference definitions; the epoch copies the voters' dense scores into a column-major
//! buffer and selects with the kernel in `median` ([`DenseEpoch::consensus`]).

use super::dense::{DenseEpoch, RowLines};
use super::panels::{LANES, Panels, lanes};
use super::{EpochOutput, SparseRow};

/// Stake-weighted quantile of `(score, stake)` pairs; `pairs` and `spare` are scratch (their
/// contents are reordered / overwritten).
///
/// Returns the smallest score `v` with `Σ_{score <= v} stake > minority`, or the largest score
/// when no score qualifies (only possible when `minority >= Σ stake`), or 0 for no pairs. With
/// `minority = Σ stake − κ` this is the chain's `weighted_median`; the strict `>` is what
/// makes exact ties resolve upward like on chain.
///
/// Quickselect: each round splits the window into scores below / equal to / above a pivot
/// and keeps the side that holds the answer, so the expected work is linear in
/// `pairs.len()`. The pivot is the median of the first, middle and last scores (the chain
/// takes the middle one; any pivot gives the same answer, this one needs ~15% fewer visits).
/// The split writes into `spare` (grown to `pairs.len()`) and the buffers swap roles each
/// round.
pub fn weighted_median_pairs(
    pairs: &mut [(f64, f64)],
    spare: &mut Vec<(f64, f64)>,
    minority: f64,
) -> f64 {
    if spare.len() < pairs.len() {
        spare.resize(pairs.len(), (0.0, 0.0));
    }
    let (mut a, mut b) = (pairs, &mut spare[..]);
    // The window is `lo..hi` of `a`; `below` is the stake of everything left of it.
    let (mut lo, mut hi, mut below) = (0, a.len(), 0.0);
    loop {
        let window = &a[lo..hi];
        match window.len() {
            0 => return 0.0,
            1 => return window[0].0,
            len => {
                let (x, y, z) = (window[0].0, window[len / 2].0, window[len - 1].0);
                let pivot = x.max(y).min(x.min(y).max(z));
                let split = split3(window, &mut b[lo..hi], pivot);
                let stake_lt = stake_sum(&b[lo..lo + split.count_lt]);
                if minority < below + stake_lt && split.count_lt > 0 {
                    hi = lo + split.count_lt;
                } else if below + stake_lt + split.stake_eq <= minority {
                    if split.count_gt == 0 {
                        return pivot; // nothing above: the largest score is the fallback
                    }
                    below += stake_lt + split.stake_eq;
                    lo = hi - split.count_gt;
                } else {
                    return pivot;
                }
                std::mem::swap(&mut a, &mut b);
            }
        }
    }
}

/// Result of [`split3`].
struct Split {
    count_lt: usize,
    count_gt: usize,
    stake_eq: f64,
}

/// Writes the pairs of `src` scoring below `pivot` to the front of `dst` and those above it
/// to the back (equal ones are only counted by stake). Branch-free: every pair is written to
/// both candidate slots and only the right cursor advances, so random scores cost no
/// mispredicted branches; the slot written in vain is overwritten later or lies in the unused
/// middle. The only branch is the rare "equal to the pivot".
#[inline]
fn split3(src: &[(f64, f64)], dst: &mut [(f64, f64)], pivot: f64) -> Split {
    let last = src.len() - 1;
    let (mut lt, mut gt, mut stake_eq) = (0, 0, 0.0);
    for &pair in src {
        dst[lt] = pair;
        dst[last - gt] = pair;
        let (below, above) = (pair.0 < pivot, pair.0 > pivot);
        if !(below | above) {
            stake_eq += pair.1;
        }
        lt += usize::from(below);
        gt += usize::from(above);
    }
    Split {
        count_lt: lt,
        count_gt: gt,
        stake_eq,
    }
}

/// Total stake of a run of pairs, with four independent accumulators (a sequential `f64`
/// sum waits on the previous addition every pair).
#[inline]
fn stake_sum(pairs: &[(f64, f64)]) -> f64 {
    let mut acc = [0.0; 4];
    let mut chunks = pairs.chunks_exact(4);
    for c in &mut chunks {
        acc[0] += c[0].1;
        acc[1] += c[1].1;
        acc[2] += c[2].1;
        acc[3] += c[3].1;
    }
    let tail: f64 = chunks.remainder().iter().map(|p| p.1).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// [`weighted_median_pairs`] on separate stake and score slices (the chain's
/// `weighted_median` signature, for the reference vectors). Mismatched lengths give 0.
pub fn weighted_median(stake: &[f64], score: &[f64], minority: f64) -> f64 {
    if stake.len() != score.len() {
        return 0.0;
    }
    let mut pairs: Vec<(f64, f64)> = score.iter().copied().zip(stake.iter().copied()).collect();
    weighted_median_pairs(&mut pairs, &mut Vec::new(), minority)
}

/// Reusable buffers for [`ConsensusScratch::column_medians`].
#[derive(Clone, Debug, Default)]
pub struct ConsensusScratch {
    /// Column `j`'s pairs live at `pairs[starts[j]..starts[j + 1]]`.
    starts: Vec<usize>,
    /// Per-column write cursor while scattering; also the per-column entry count.
    cursor: Vec<usize>,
    /// `(score, normalised stake)` per (column, validator with an entry), plus one pseudo pair
    /// `(0, absent stake)` for columns some validators left out.
    pairs: Vec<(f64, f64)>,
    /// Second buffer of the quickselect.
    spare: Vec<(f64, f64)>,
}

impl ConsensusScratch {
    /// Consensus of every column (`weighted_median_col_sparse`) into `out`.
    ///
    /// `validators` yields `(stake, weight row)`; only validators with stake > 0 take part and
    /// their stakes are renormalised among themselves. An absent entry scores 0, so all
    /// absent validators of a column are merged into one `(0, their stake)` pair — same
    /// result, and the work scales with the non-zero entries rather than `columns × rows`.
    /// Entries with column `>= columns` are ignored.
    pub fn column_medians<'r, I>(
        &mut self,
        columns: usize,
        validators: I,
        kappa: f64,
        out: &mut Vec<f64>,
    ) where
        I: Iterator<Item = (f64, &'r [(u16, f64)])> + Clone,
    {
        out.clear();
        out.resize(columns, 0.0);
        let voters = validators.filter(|&(s, _)| s > 0.0);

        // Pass 1: total stake, voter count, entries per column.
        self.cursor.clear();
        self.cursor.resize(columns, 0);
        let (mut total, mut voter_count) = (0.0, 0usize);
        for (s, row) in voters.clone() {
            total += s;
            voter_count += 1;
            for &(j, _) in row {
                if let Some(c) = self.cursor.get_mut(usize::from(j)) {
                    *c += 1;
                }
            }
        }
        if voter_count == 0 || total <= 0.0 {
            return;
        }
        let voter_stake: f64 = voters.clone().map(|(s, _)| s / total).sum();
        let minority = voter_stake - kappa;

        // Column layout: its entries, plus a slot for the absent-stake pair if needed.
        self.starts.clear();
        self.starts.push(0);
        let mut end = 0;
        for c in self.cursor.iter_mut() {
            let slots = *c + usize::from(*c < voter_count);
            *c = end; // becomes the write cursor
            end += slots;
            self.starts.push(end);
        }
        self.pairs.clear();
        self.pairs.resize(end, (0.0, 0.0));

        // Pass 2: scatter (score, normalised stake) into the columns.
        for (s, row) in voters {
            let share = s / total;
            for &(j, w) in row {
                let j = usize::from(j);
                if let Some(c) = self.cursor.get_mut(j) {
                    self.pairs[*c] = (w, share);
                    *c += 1;
                }
            }
        }

        for (j, median) in out.iter_mut().enumerate() {
            let (start, stop) = (self.starts[j], self.starts[j + 1]);
            if self.cursor[j] < stop {
                // Absent validators score 0 with their combined stake.
                let present = stake_sum(&self.pairs[start..stop - 1]);
                self.pairs[stop - 1] = (0.0, (voter_stake - present).max(0.0));
            }
            *median =
                weighted_median_pairs(&mut self.pairs[start..stop], &mut self.spare, minority);
        }
    }
}

/// Consensus inputs shared by all columns.
pub(crate) struct Vote {
    /// Panels that hold at least one voter.
    panels: usize,
    /// `Σ share − κ`.
    minority: f64,
}

impl DenseEpoch {
    /// Voter shares and the minority of the consensus: voters are the dense rows with
    /// active stake, their stakes renormalised among themselves (as in
    /// [`ConsensusScratch::column_medians`]).
    pub(crate) fn vote(&mut self, kappa: f64) -> Vote {
        let rows = &mut self.rows;
        let total: f64 = rows.stake.iter().flatten().filter(|&&s| s > 0.0).sum();
        let mut panels = 0;
        let mut voter_stake = 0.0;
        let lines = rows
            .share
            .iter_mut()
            .zip(rows.ballot.iter_mut().zip(&mut rows.abstain));
        for (t, (stake, (share, (ballot, abstain)))) in rows.stake.iter().zip(lines).enumerate() {
            for k in 0..LANES {
                let voter = stake[k] > 0.0 && total > 0.0;
                share[k] = if voter { stake[k] / total } else { 0.0 };
                ballot[k] = if voter { 1.0 } else { 0.0 };
                abstain[k] = if voter { 0.0 } else { -1.0 };
                voter_stake += share[k];
                if voter {
                    panels = t + 1;
                }
            }
        }
        self.selector.set_stakes(&rows.share[..panels]);
        Vote {
            panels,
            minority: voter_stake - kappa,
        }
    }

    /// Step 5: the consensus `C_j` of every column into `out.consensus`. Columns without any
    /// weight keep 0, which is also their weighted median.
    pub(crate) fn consensus(&mut self, vote: &Vote, out: &mut EpochOutput) {
        out.consensus.clear();
        out.consensus.resize(self.touched.len(), 0.0);
        if vote.panels > 0 {
            let (weights, rows) = (&self.weights, &self.rows);
            select_columns(&mut self.selector, weights, &self.live, rows, vote, out);
        }
    }
}

/// The consensus of the `live` columns, from their lines over the voter panels.
///
/// Non-voters in those panels (and padding rows) enter with score −1 and no stake: with a
/// minority `>= 0` such an entry can never be the answer, and −1 is below every real score
/// for the "largest score" fallback. A negative minority (κ above the voters' total) makes
/// every voter's score qualify, so the answer is the smallest of them.
fn select_columns(
    selector: &mut super::median::Selector,
    weights: &Panels<f64>,
    live: &[usize],
    rows: &RowLines,
    vote: &Vote,
    out: &mut EpochOutput,
) {
    if vote.minority < 0.0 {
        for &j in live {
            out.consensus[j] = (0..vote.panels)
                .flat_map(|t| (0..LANES).map(move |k| (t, k)))
                .filter(|&(t, k)| rows.ballot[t][k] > 0.0)
                .map(|(t, k)| weights.line(t, j)[k])
                .fold(f64::INFINITY, f64::min)
                + 0.0; // `+ 0.0` turns an explicit zero's `-0.0` into `0.0`
        }
        return;
    }
    // The voters' scores, column after column (the column-major copy the selection works on).
    let scores = selector.load(live.len());
    for (&j, column) in live.iter().zip(scores.chunks_exact_mut(vote.panels)) {
        for (t, line) in column.iter_mut().enumerate() {
            let (x, ballot, abstain) = (weights.line(t, j), rows.ballot[t], rows.abstain[t]);
            *line = lanes(|k| x[k] * ballot[k] + abstain[k]);
        }
    }
    selector.select_all(vote.minority, |c, value| out.consensus[live[c]] = value);
}

/// Consensus of a whole weight matrix (the chain's `weighted_median_col_sparse`), allocating
/// its own scratch; the epoch reuses a [`ConsensusScratch`] instead.
pub fn weighted_median_col_sparse(
    stake: &[f64],
    weights: &[SparseRow],
    columns: usize,
    kappa: f64,
) -> Vec<f64> {
    let mut out = Vec::new();
    let rows = stake
        .iter()
        .zip(weights)
        .map(|(&s, row)| (s, row.as_slice()));
    ConsensusScratch::default().column_medians(columns, rows, kappa, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::weighted_median_by_definition as by_definition;
    use super::*;
    use proptest::prelude::*;

    /// V19 `test_math_weighted_median` (asserted exact upstream), majority 0.51, minority
    /// `1 − 0.51`.
    #[test]
    fn weighted_median_vectors() {
        let m = 1.0 - 0.51;
        let cases: &[(&[f64], &[f64], f64)] = &[
            (&[], &[], 0.0),
            (&[1.0], &[1.0], 1.0), // normalize([0.51])
            (&[0.49, 0.51], &[0.5, 1.0], 1.0),
            (&[0.51, 0.49], &[0.5, 1.0], 0.5),
            (&[0.49, 0.0, 0.51], &[0.5, 0.7, 1.0], 1.0),
            (&[0.49, 0.01, 0.5], &[0.5, 0.7, 1.0], 0.7),
            (&[0.49, 0.51, 0.0], &[0.5, 0.7, 1.0], 0.7),
            (&[0.0, 0.49, 0.51], &[0.5, 0.7, 1.0], 1.0),
            (&[0.0, 0.49, 0.0, 0.51], &[0.5, 0.5, 1.0, 1.0], 1.0),
            (
                &[0.0, 0.49, 0.0, 0.51, 0.0],
                &[0.5, 0.5, 1.0, 1.0, 0.5],
                1.0,
            ),
            (&[0.2; 5], &[0.8, 0.2, 1.0, 0.6, 0.4], 0.6),
            (
                &[0.1; 10],
                &[0.8, 0.8, 0.2, 0.2, 1.0, 1.0, 0.6, 0.6, 0.4, 0.4],
                0.6,
            ),
        ];
        for &(stake, score, want) in cases {
            assert_eq!(
                weighted_median(stake, score, m),
                want,
                "{stake:?} {score:?}"
            );
        }
    }

    /// V19 `test_math_weighted_median_col` / `_col_sparse` (asserted exact upstream).
    #[test]
    fn weighted_median_col_vectors() {
        let w = super::super::tests::sparse(
            &[0., 0.1, 0., 0., 0.2, 0.4, 0., 0.3, 0.1, 0., 0.4, 0.5],
            4,
        );
        let s = [0., 0.75, 0.25, 0.];
        assert_eq!(weighted_median_col_sparse(&s, &w, 3, 0.24), [0., 0.3, 0.4]);
        assert_eq!(weighted_median_col_sparse(&s, &w, 3, 0.26), [0., 0.2, 0.4]);
        assert_eq!(weighted_median_col_sparse(&s, &w, 3, 0.76), [0., 0.2, 0.1]);
        let w =
            super::super::tests::sparse(&[0., 0.1, 0., 0., 0.2, 0.4, 0., 0.3, 0.1, 0., 0., 0.5], 4);
        let s = [0., 0.3, 0.2, 0.5];
        assert_eq!(weighted_median_col_sparse(&s, &w, 3, 0.51), [0., 0., 0.4]);
        assert_eq!(weighted_median_col_sparse(&[0.0; 4], &w, 3, 0.51), [0.; 3]);
        assert!(weighted_median_col_sparse(&[], &[], 0, 0.5).is_empty());
    }

    proptest! {
        /// The quickselect agrees with the definition, incl. many ties (scores from a small
        /// set) and zero stakes — the upstream randomized property in spirit.
        #[test]
        fn quickselect_matches_definition(
            entries in prop::collection::vec((0u8..6, 0u8..4), 0..40),
            minority in -0.2f64..1.2,
        ) {
            let score: Vec<f64> = entries.iter().map(|&(x, _)| f64::from(x) / 5.0).collect();
            let stake: Vec<f64> = entries.iter().map(|&(_, s)| f64::from(s) / 8.0).collect();
            prop_assert_eq!(
                weighted_median(&stake, &score, minority),
                by_definition(&stake, &score, minority)
            );
        }

        /// Column medians equal a dense per-column evaluation of the definition.
        #[test]
        fn column_medians_match_dense(
            rows in prop::collection::vec(
                (0u8..5, prop::collection::vec(prop::option::of(0u8..6), 6)), 0..10),
            kappa in 0.0f64..1.0,
        ) {
            let stake: Vec<f64> = rows.iter().map(|(s, _)| f64::from(*s)).collect();
            let weights: Vec<SparseRow> = rows.iter().map(|(_, r)| {
                r.iter().enumerate()
                    .filter_map(|(j, x)| x.map(|x| (j as u16, f64::from(x) / 5.0)))
                    .collect()
            }).collect();
            let got = weighted_median_col_sparse(&stake, &weights, 6, kappa);
            let total: f64 = stake.iter().filter(|&&s| s > 0.0).sum();
            for (j, &median) in got.iter().enumerate() {
                let (mut st, mut sc) = (Vec::new(), Vec::new());
                for (i, row) in weights.iter().enumerate() {
                    if stake[i] > 0.0 {
                        st.push(stake[i] / total);
                        sc.push(row.iter().find(|e| e.0 == j as u16).map_or(0.0, |e| e.1));
                    }
                }
                let minority = st.iter().sum::<f64>() - kappa;
                let want = if st.is_empty() { 0.0 } else { by_definition(&st, &sc, minority) };
                prop_assert_eq!(median, want, "column {}", j);
            }
        }
    }
}
