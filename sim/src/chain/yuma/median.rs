//! The selection kernel behind the dense consensus (step 5, spec §1.8): the stake-weighted
//! κ-quantile of each column of scores, one score per validator, with stakes shared by all
//! columns.
//!
//! Same answer as [`super::consensus::weighted_median_pairs`]: the smallest score `v` with
//! `Σ_{score <= v} stake > minority`, else the largest score. It narrows each column down
//! without moving data, then finishes on a handful of candidates:
//!
//! 1. **Band.** The answer of a unimodal column lies near its stake-weighted mean `μ`. One
//!    vectorised pass over the column measures the stake below `μ − h` and below `μ`, and
//!    marks the members of `[μ − h, μ + h]` in a bitmask (`h` = half the weighted standard
//!    deviation: about a third of a uniform column). If the minority falls within the
//!    band's stake, the members on the answer's side of `μ` are copied out; otherwise
//!    (skewed or multimodal columns) stage 3 takes the whole column.
//! 2. **Candidates.** At most [`SMALL`] candidates are resolved directly, by evaluating the
//!    cumulative stake at each of them. More (a tight cluster inside a wide band) go
//!    through a narrower band around the position interpolated from their own moments.
//! 3. **Quickselect** over `(score, stake)` pairs, when a band misses the answer.
//!
//! The passes work on whole lines of [`LANES`] values copied into locals, with plain
//! comparisons selecting values ([`keep_if`]): that shape is what the compiler turns into
//! SIMD compare-and-mask without branches (on random scores a branch would mispredict half
//! the time). The stages run over all columns in turn, so that the processor overlaps the
//! independent columns.

use super::panels::{LANES, Line, add, keep_if, lanes, min, sum_lanes};

/// Candidates resolved directly, without a further band.
const SMALL: usize = 16;

/// First band half-width in weighted standard deviations: about a third of a column of
/// uniform scores lies in the band, and the answer falls outside it only in a few percent of
/// such columns (which then cost one quickselect over the column).
const BAND: f64 = 0.5;

/// Members aimed at by the narrower bands.
const TARGET: f64 = 8.0;

/// `√3`: a uniform distribution with standard deviation `σ` spans `μ ± √3 σ`.
const SQRT_3: f64 = 1.732_050_807_568_877_2;

/// Score of the padding after the candidates (with no stake): finite, so that it adds 0 to
/// the weighted sums, and above every real score, so that it never joins a band.
const PAD: f64 = f64::MAX;

/// `2^i` for `i` in `0..32`, as 4 lines: summing the powers of the members among 32 scores
/// gives their bitmask, exactly (a sum of distinct powers of two below `2^32`).
const POWERS: [Line<f64>; 4] = {
    let mut p = [[0.0; LANES]; 4];
    let mut i = 0;
    while i < 32 {
        p[i / LANES][i % LANES] = (1u64 << i) as f64;
        i += 1;
    }
    p
};

/// A band `[lo, hi]` with the column's mean `mid` inside it.
#[derive(Clone, Copy, Debug, Default)]
struct Band {
    lo: f64,
    mid: f64,
    hi: f64,
}

/// Reusable buffers of the column selection.
#[derive(Clone, Debug, Default)]
pub(crate) struct Selector {
    /// Stake of each score's validator, the same for every column.
    stakes: Vec<Line<f64>>,
    /// `Σ stakes`.
    total: f64,
    /// Scores of the loaded columns, one column (`stakes.len()` lines) after the other.
    scores: Vec<Line<f64>>,
    /// Per column: the first band.
    bands: Vec<Band>,
    /// Per column: the stake below the band and below its mean.
    below: Vec<(f64, f64)>,
    /// Per column: the first band's members, 32 scores per word.
    members: Vec<u32>,
    /// Per column: the scores below the mean, 32 per word.
    lower: Vec<u32>,
    /// Candidates, padded to whole lines with `(PAD, 0)`.
    cand_scores: Vec<Line<f64>>,
    cand_stakes: Vec<Line<f64>>,
    /// Band membership among the candidates.
    cand_members: Vec<u32>,
    /// Quickselect buffers.
    pairs: Vec<(f64, f64)>,
    spare: Vec<(f64, f64)>,
}

impl Selector {
    /// Sets the stakes for the coming columns, a line per [`LANES`] validators. Zero-stake
    /// entries never count towards the quantile, though their scores can come back when
    /// nothing qualifies (the largest score).
    pub(crate) fn set_stakes(&mut self, stakes: &[Line<f64>]) {
        self.stakes.clear();
        self.stakes.extend_from_slice(stakes);
        self.total = sum_lanes(stakes.iter().fold([0.0; LANES], |a, s| add(a, *s)));
        let len = stakes.len() * LANES;
        self.cand_scores.resize(stakes.len() + 1, [PAD; LANES]);
        self.cand_stakes.resize(stakes.len() + 1, [0.0; LANES]);
        self.cand_members.resize(len.div_ceil(32), 0);
        self.pairs.resize(len, (0.0, 0.0));
        self.spare.resize(len, (0.0, 0.0));
    }

    /// The score buffer for `columns` columns, one after the other, each as many lines as the
    /// stakes, to fill before [`Selector::select_all`]. Scores must be finite.
    pub(crate) fn load(&mut self, columns: usize) -> &mut [Line<f64>] {
        self.scores
            .resize(columns * self.stakes.len(), [0.0; LANES]);
        &mut self.scores
    }

    /// The weighted quantile of every loaded column (see the module docs), in order.
    pub(crate) fn select_all(&mut self, minority: f64, mut answer: impl FnMut(usize, f64)) {
        let lines = self.stakes.len();
        if lines == 0 {
            return;
        }
        let words = (lines * LANES).div_ceil(32);
        let columns = self.scores.len() / lines;
        // Stage 1 for all columns: moments, then the band pass.
        self.bands.clear();
        self.bands.extend(self.scores.chunks_exact(lines).map(|x| {
            let (mean, spread) = moments(x, &self.stakes, self.total);
            Band {
                lo: mean - BAND * spread,
                mid: mean,
                hi: mean + BAND * spread,
            }
        }));
        self.members.resize(columns * words, 0);
        self.lower.resize(columns * words, 0);
        self.below.clear();
        let columns_bands = self.scores.chunks_exact(lines).zip(&self.bands);
        let marks = self
            .members
            .chunks_exact_mut(words)
            .zip(self.lower.chunks_exact_mut(words));
        for ((x, b), (members, lower)) in columns_bands.zip(marks) {
            mark(x, members, |x| (x >= b.lo) & (x <= b.hi));
            mark(x, lower, |x| x < b.mid);
            let below = stake_below(x, &self.stakes, b.lo);
            self.below
                .push((below, stake_below(x, &self.stakes, b.mid)));
        }
        // Stages 2–3, column by column.
        for c in 0..columns {
            let value = match self.resolve(c, minority) {
                Some(value) => value,
                None => {
                    let x = &self.scores[c * lines..(c + 1) * lines];
                    let (mean, _) = moments(x, &self.stakes, self.total);
                    let scores = x.iter().flatten();
                    for (p, (&x, &s)) in self
                        .pairs
                        .iter_mut()
                        .zip(scores.zip(self.stakes.iter().flatten()))
                    {
                        *p = (x, s);
                    }
                    quickselect(&mut self.pairs, &mut self.spare, 0.0, minority, mean)
                        .unwrap_or_else(|| {
                            x.iter()
                                .flatten()
                                .copied()
                                .fold(f64::NEG_INFINITY, f64::max)
                        })
                }
            };
            answer(c, value);
        }
    }

    /// Stages 2–3 for column `c` after its first band; `None` if the band misses (the answer
    /// then needs the whole column).
    fn resolve(&mut self, c: usize, minority: f64) -> Option<f64> {
        let lines = self.stakes.len();
        let words = (lines * LANES).div_ceil(32);
        let Band {
            mut lo,
            mid,
            mut hi,
        } = self.bands[c];
        let (mut below, below_mid) = self.below[c];
        if minority < below {
            return None;
        }
        // The half of the band that holds the answer: below the mean, or from it on.
        let left = minority < below_mid;
        let (mut count, mut inside) = self.extract_from_column(c, words, left);
        if left {
            hi = mid;
        } else {
            (below, lo) = (below_mid, mid);
        }
        if minority >= below + inside {
            // The answer lies above the band (or, rarely, a rounding of the half's stake
            // sums put it just outside): the whole column decides.
            return None;
        }
        loop {
            // The answer is one of the `count` candidates, all within [lo, hi].
            if lo == hi {
                return Some(lo);
            }
            let len = count.div_ceil(LANES);
            let (x, s) = (&self.cand_scores[..len], &self.cand_stakes[..len]);
            if count <= SMALL {
                let small = resolve_small(x, s, count, below, minority);
                if small.is_some() {
                    return small;
                }
                break; // only rounding gets here: let the quickselect decide
            }
            let (mean, spread) = moments(x, s, inside);
            let quantile = (minority - below) / inside;
            let centre = mean + SQRT_3 * spread * (2.0 * quantile - 1.0);
            let half = TARGET * SQRT_3 * spread / count as f64;
            let (lo2, hi2) = (centre - half, centre + half);
            let members = &mut self.cand_members[..(len * LANES).div_ceil(32)];
            mark(x, members, |x| (x >= lo2) & (x <= hi2));
            let below2 = below + stake_below(x, s, lo2);
            if minority < below2 {
                break;
            }
            // Keep the previous candidates until the new band is known to hold the answer.
            let (count2, inside2) = self.count(len);
            if minority >= below2 + inside2 || count2 == count {
                break;
            }
            (count, inside) = self.extract_from_candidates(len);
            (lo, hi, below) = (lo2, hi2, below2);
        }
        // A narrower band missed: quickselect over the current candidates.
        let candidates = self.cand_scores.iter().flatten();
        let pairs = candidates
            .zip(self.cand_stakes.iter().flatten())
            .take(count);
        for (p, (&x, &s)) in self.pairs.iter_mut().zip(pairs) {
            *p = (x, s);
        }
        let guess = lo + (minority - below) / inside * (hi - lo);
        let (a, b) = (&mut self.pairs[..count], &mut self.spare[..count]);
        quickselect(a, b, below, minority, guess)
    }

    /// Number and stake of the candidates marked by the last band over the first `len`
    /// lines.
    fn count(&self, len: usize) -> (usize, f64) {
        let words = &self.cand_members[..(len * LANES).div_ceil(32)];
        let count = words.iter().map(|w| w.count_ones() as usize).sum();
        let mut inside = 0.0;
        for_each_member(words, |i| inside += self.cand_stakes[i / LANES][i % LANES]);
        (count, inside)
    }

    /// Copies the members of column `c`'s first band on one side of its mean (below it if
    /// `left`, else from it on) to the candidates; returns their number and stake.
    fn extract_from_column(&mut self, c: usize, words: usize, left: bool) -> (usize, f64) {
        let lines = self.stakes.len();
        let x = self.scores[c * lines..(c + 1) * lines].as_flattened();
        let stakes = self.stakes.as_flattened();
        let members = &self.members[c * words..(c + 1) * words];
        let lower = &self.lower[c * words..(c + 1) * words];
        let (scores_out, stakes_out) = (
            self.cand_scores.as_flattened_mut(),
            self.cand_stakes.as_flattened_mut(),
        );
        let (mut count, mut inside) = (0, 0.0);
        for (w, (&m, &l)) in members.iter().zip(lower).enumerate() {
            let side = if left { m & l } else { m & !l };
            for_each_member(&[side], |i| {
                let i = w * 32 + i;
                (scores_out[count], stakes_out[count]) = (x[i], stakes[i]);
                inside += stakes[i];
                count += 1;
            });
        }
        pad(&mut self.cand_scores, &mut self.cand_stakes, count);
        (count, inside)
    }

    /// Keeps the candidates marked by the last band over the first `len` lines, in place
    /// (members come in increasing order, so the write index never passes the read index).
    fn extract_from_candidates(&mut self, len: usize) -> (usize, f64) {
        let (mut count, mut inside) = (0, 0.0);
        let (scores, stakes) = (&mut self.cand_scores, &mut self.cand_stakes);
        for_each_member(&self.cand_members[..(len * LANES).div_ceil(32)], |i| {
            let (score, stake) = (scores[i / LANES][i % LANES], stakes[i / LANES][i % LANES]);
            scores[count / LANES][count % LANES] = score;
            stakes[count / LANES][count % LANES] = stake;
            inside += stake;
            count += 1;
        });
        pad(scores, stakes, count);
        (count, inside)
    }
}

/// Pads `count` candidates to a whole line with `(PAD, 0)`.
#[inline(always)]
fn pad(scores: &mut [Line<f64>], stakes: &mut [Line<f64>], count: usize) {
    for k in count % LANES..LANES {
        scores[count / LANES][k] = PAD;
        stakes[count / LANES][k] = 0.0;
    }
}

/// Calls `f` with the index of every set bit, in increasing order.
#[inline(always)]
fn for_each_member(words: &[u32], mut f: impl FnMut(usize)) {
    for (w, &word) in words.iter().enumerate() {
        let mut word = word;
        while word != 0 {
            f(w * 32 + word.trailing_zeros() as usize);
            word &= word - 1;
        }
    }
}

/// Stake-weighted mean and standard deviation of the scores given their total stake (0 and
/// 0 without stake).
#[inline(always)]
fn moments(scores: &[Line<f64>], stakes: &[Line<f64>], total: f64) -> (f64, f64) {
    // `s·x·x` as `(s·x)·x`: the padding's `0·PAD·PAD` stays 0 (`PAD²` would overflow).
    let first = weighted_sum(scores, stakes, |s, x| s * x);
    let second = weighted_sum(scores, stakes, |s, x| s * x * x);
    if total <= 0.0 {
        return (0.0, 0.0);
    }
    let mean = first / total;
    let variance = second / total - mean * mean;
    (mean, variance.max(0.0).sqrt())
}

/// `Σ f(stake, score)` over lines.
///
/// One accumulation per loop: with two in one loop the compiler pairs the two sums of a lane
/// in a register instead of pairing lanes, and the loop no longer vectorises across lanes.
#[inline(always)]
fn weighted_sum(scores: &[Line<f64>], stakes: &[Line<f64>], f: impl Fn(f64, f64) -> f64) -> f64 {
    let mut acc = [0.0; LANES];
    for (x, s) in scores.iter().zip(stakes) {
        let (x, s) = (*x, *s);
        acc = lanes(|k| acc[k] + f(s[k], x[k]));
    }
    sum_lanes(acc)
}

/// Stake of the scores below `t`, over lines.
#[inline(always)]
fn stake_below(scores: &[Line<f64>], stakes: &[Line<f64>], t: f64) -> f64 {
    let mut acc = [0.0; LANES];
    for (x, s) in scores.iter().zip(stakes) {
        let (x, s) = (*x, *s);
        acc = lanes(|k| acc[k] + keep_if(x[k] < t, s[k]));
    }
    sum_lanes(acc)
}

/// Marks the scores for which `test` holds in bitmask words, 32 scores per word.
#[inline(always)]
fn mark(scores: &[Line<f64>], words: &mut [u32], test: impl Fn(f64) -> bool) {
    for (x, word) in scores.chunks(4).zip(words.iter_mut()) {
        let mut bits = [0.0; LANES];
        for (x, powers) in x.iter().zip(&POWERS) {
            let (x, p) = (*x, *powers);
            bits = lanes(|k| bits[k] + keep_if(test(x[k]), p[k]));
        }
        *word = sum_lanes(bits) as u32;
    }
}

/// The answer among the first `count` candidates, padded to whole lines with `(PAD, 0)`:
/// the smallest score whose cumulative stake, plus `below`, exceeds `minority`, if any.
#[inline(always)]
fn resolve_small(
    scores: &[Line<f64>],
    stakes: &[Line<f64>],
    count: usize,
    below: f64,
    minority: f64,
) -> Option<f64> {
    let mut best = f64::INFINITY;
    for &candidate in scores.iter().flatten().take(count) {
        let at_most = scores.iter().zip(stakes).fold([0.0; LANES], |acc, (x, s)| {
            let (x, s) = (*x, *s);
            lanes(|k| acc[k] + keep_if(x[k] <= candidate, s[k]))
        });
        // Branch-free: which candidates qualify is a coin flip.
        let qualifies = below + sum_lanes(at_most) > minority;
        best = min(best, if qualifies { candidate } else { f64::INFINITY });
    }
    (best < PAD).then_some(best)
}

/// Quickselect over the pairs in `a` (`b` is scratch of the same length), with `below` the
/// stake of scores known to lie below all of them: the smallest score `v` with
/// `below + Σ_{score <= v} stake > minority`, or `None` if no score qualifies. The first
/// split is at `guess`, which need not be one of the scores; later pivots are medians of
/// three, and windows of at most [`SMALL`] pairs are resolved directly.
fn quickselect<'a>(
    mut a: &'a mut [(f64, f64)],
    mut b: &'a mut [(f64, f64)],
    mut below: f64,
    minority: f64,
    guess: f64,
) -> Option<f64> {
    let len = a.len();
    if len == 0 {
        return None;
    }
    // Round 1: two-way split at the guess.
    let le = split_le(a, b, guess);
    let stake_le = stake_sum(&b[..le]);
    // The window is `lo..hi`.
    let (mut lo, mut hi) = if minority < below + stake_le && le > 0 {
        (0, le)
    } else if le < len {
        below += stake_le;
        (le, len)
    } else {
        return None;
    };
    std::mem::swap(&mut a, &mut b);

    loop {
        let window = &a[lo..hi];
        let len = window.len();
        if len <= SMALL {
            let mut x = [[PAD; LANES]; SMALL / LANES];
            let mut s = [[0.0; LANES]; SMALL / LANES];
            for (k, &(score, stake)) in window.iter().enumerate() {
                (x[k / LANES][k % LANES], s[k / LANES][k % LANES]) = (score, stake);
            }
            return resolve_small(&x, &s, len, below, minority);
        }
        let (x, y, z) = (window[0].0, window[len / 2].0, window[len - 1].0);
        let pivot = x.max(y).min(x.min(y).max(z));
        let (lt, gt) = split3(window, &mut b[lo..hi], pivot);
        let stake_lt = stake_sum(&b[lo..lo + lt]);
        if minority < below + stake_lt && lt > 0 {
            hi = lo + lt;
        } else {
            let stake_eq: f64 = window.iter().map(|&(x, s)| keep_if(x == pivot, s)).sum();
            if below + stake_lt + stake_eq > minority {
                return Some(pivot);
            }
            if gt == 0 {
                return None;
            }
            below += stake_lt + stake_eq;
            lo = hi - gt;
        }
        std::mem::swap(&mut a, &mut b);
    }
}

/// Writes the pairs of `src` scoring `<= pivot` to the front of `dst` and the others to the
/// back (branch-free: every pair goes to both candidate slots and only a cursor moves);
/// returns how many went to the front.
#[inline(always)]
fn split_le(src: &[(f64, f64)], dst: &mut [(f64, f64)], pivot: f64) -> usize {
    let last = src.len() - 1;
    let dst = &mut dst[..=last];
    let (mut le, mut gt) = (0, 0);
    for &pair in src {
        let below = pair.0 <= pivot;
        dst[le] = pair;
        dst[last - gt] = pair;
        le += usize::from(below);
        gt += usize::from(!below);
    }
    le
}

/// Writes the pairs of `src` scoring below `pivot` to the front of `dst` and those above it
/// to the back (equal ones end up in neither part); returns both counts.
#[inline(always)]
fn split3(src: &[(f64, f64)], dst: &mut [(f64, f64)], pivot: f64) -> (usize, usize) {
    let last = src.len() - 1;
    let dst = &mut dst[..=last];
    let (mut lt, mut gt) = (0, 0);
    for &pair in src {
        dst[lt] = pair;
        dst[last - gt] = pair;
        lt += usize::from(pair.0 < pivot);
        gt += usize::from(pair.0 > pivot);
    }
    (lt, gt)
}

/// Total stake of a run of pairs, with four independent accumulators.
#[inline(always)]
fn stake_sum(pairs: &[(f64, f64)]) -> f64 {
    let mut acc = [0.0; 4];
    let mut chunks = pairs.chunks_exact(4);
    for c in &mut chunks {
        for (a, p) in acc.iter_mut().zip(c) {
            *a += p.1;
        }
    }
    let tail: f64 = chunks.remainder().iter().map(|p| p.1).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

#[cfg(test)]
mod tests {
    use super::super::tests::weighted_median_by_definition as by_definition;
    use super::*;
    use proptest::prelude::*;

    /// The selector's answer for one column, run as the first and third of three columns
    /// (the second all padding) to exercise the batching.
    fn select(score: &[f64], stake: &[f64], minority: f64) -> f64 {
        let lines = stake.len().div_ceil(LANES);
        let mut stakes = vec![[0.0; LANES]; lines];
        for (i, &s) in stake.iter().enumerate() {
            stakes[i / LANES][i % LANES] = s;
        }
        let mut s = Selector::default();
        s.set_stakes(&stakes);
        // Padding: score −1 with no stake, as the epoch pads a column.
        let scores = s.load(3);
        scores.fill([-1.0; LANES]);
        for (i, &x) in score.iter().enumerate() {
            scores[i / LANES][i % LANES] = x;
            scores[2 * lines + i / LANES][i % LANES] = x;
        }
        let mut got = Vec::new();
        s.select_all(minority, |c, v| got.push((c, v)));
        assert_eq!((got[0].0, got[2].0), (0, 2));
        assert_eq!(got[0].1.to_bits(), got[2].1.to_bits());
        got[0].1
    }

    /// Hand-computed: scores 1..=4 with stake .25 each; minority .5 → Σ_{<=2} = .5 is not
    /// > .5, Σ_{<=3} = .75 is: 3. Minority 1 → nothing qualifies: the largest, 4.
    #[test]
    fn small_cases() {
        let (score, stake) = ([4.0, 1.0, 3.0, 2.0], [0.25; 4]);
        assert_eq!(select(&score, &stake, 0.5), 3.0);
        assert_eq!(select(&score, &stake, 0.49), 2.0);
        assert_eq!(select(&score, &stake, 1.0), 4.0);
        assert_eq!(select(&[0.0; 3], &[1.0; 3], 0.5), 0.0);
    }

    /// Columns wider than one bitmask word, answers inside and outside the bands. Stakes
    /// are 1/128 each, so every cumulative sum is exact and ties (`Σ = minority`) are real.
    #[test]
    fn wide_columns() {
        let score: Vec<f64> = (0..100)
            .map(|i| f64::from((i * 37) % 100) / 100.0)
            .collect();
        let stake = vec![1.0 / 128.0; 100];
        for k in [0.0, 1.0, 5.5, 33.0, 50.0, 64.5, 77.0, 95.0, 99.5] {
            let minority = k / 128.0;
            assert_eq!(
                select(&score, &stake, minority),
                by_definition(&stake, &score, minority),
                "{minority}"
            );
        }
    }

    proptest! {
        /// Bit for bit the definition's answer (all sums exact: stakes are multiples of
        /// 1/16), with many ties and zero stakes, sizes spanning every window and word
        /// shape, and skewed columns whose answer lies outside the band.
        #[test]
        fn matches_reference_kernel(
            entries in prop::collection::vec((0u8..12, 0u8..4), 1..80),
            skew in 0u8..3,
            minority in 0.0f64..1.0,
        ) {
            let score: Vec<f64> = entries
                .iter()
                .map(|&(x, _)| f64::from(x).powi(i32::from(skew) + 1) / 5.0)
                .collect();
            let stake: Vec<f64> = entries.iter().map(|&(_, s)| f64::from(s) / 16.0).collect();
            let total: f64 = stake.iter().sum();
            prop_assume!(total > 0.0);
            let minority = minority * total;
            prop_assert_eq!(
                select(&score, &stake, minority).to_bits(),
                by_definition(&stake, &score, minority).to_bits()
            );
        }

        /// Continuous scores and stakes (distinct values, rounding in every sum): the answer
        /// is the definition's up to a cumulative-stake tie within rounding.
        #[test]
        fn continuous_columns(
            entries in prop::collection::vec((0.0f64..1.0, 0.0f64..1.0), 1..70),
            minority in 0.0f64..1.0,
        ) {
            let score: Vec<f64> = entries.iter().map(|e| e.0).collect();
            let stake: Vec<f64> = entries.iter().map(|e| e.1).collect();
            let total: f64 = stake.iter().sum();
            let minority = minority * total;
            let got = select(&score, &stake, minority);
            let want = by_definition(&stake, &score, minority);
            if got != want {
                // Both must sit where the cumulative stake crosses the minority.
                let cum = |v: f64| -> f64 {
                    score.iter().zip(&stake).filter(|e| *e.0 <= v).map(|e| e.1).sum()
                };
                prop_assert!(
                    (cum(got) - minority).abs() < 1e-9 || (cum(want) - minority).abs() < 1e-9,
                    "got {} want {}", got, want
                );
            }
        }
    }
}
