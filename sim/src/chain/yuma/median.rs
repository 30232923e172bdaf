//! The selection kernel behind the dense consensus (step 5, spec §1.8): the stake-weighted
//! κ-quantile of one column of scores, one score per validator, with stakes shared by all
//! columns.
//!
//! Same answer as [`super::consensus::weighted_median_pairs`]: the smallest score `v` with
//! `Σ_{score <= v} stake > minority`, else the largest score. It narrows the column down
//! without moving data, then finishes on a handful of candidates:
//!
//! 1. **Band.** The answer of a unimodal column lies near its stake-weighted mean `μ`. One
//!    vectorised pass over the column measures the stake below `μ − h` and marks the members
//!    of `[μ − h, μ + h]` in a bitmask (`h` = half the weighted standard deviation, about a
//!    third of a uniform column). If the minority falls within the band's stake, the
//!    members are copied out; otherwise (skewed or multimodal columns) stage 3 takes the
//!    whole column.
//! 2. **Narrower bands.** Within the band the answer's position is interpolated from the
//!    stake below and inside it, and a band around that position, sized for a few members,
//!    is cut the same way — until at most [`SMALL`] candidates remain, which are resolved
//!    by evaluating the cumulative stake at each of them.
//! 3. **Quickselect** over `(score, stake)` pairs, when a band misses the answer.
//!
//! Comparisons that decide where a value goes must not become branches: on random scores
//! they mispredict half the time. Written as `if`, the compiler turns even "add the stake or
//! 0" into a branch, and keeps such loops from vectorising, hence the sign-bit masks
//! ([`below_mask`]) in the hot loops.

/// Candidates resolved directly, without a further band.
const SMALL: usize = 8;

/// First band half-width in weighted standard deviations: about a third of a column of
/// uniform scores lies in the band, and the answer falls outside it only in a few percent of
/// such columns (which then cost one quickselect over the column).
const BAND: f64 = 0.5;

/// Members aimed at by the narrower bands.
const TARGET: f64 = 8.0;

/// `√3`: a uniform distribution with standard deviation `σ` spans `μ ± √3 σ`.
const SQRT_3: f64 = 1.732_050_807_568_877_2;

/// `2^i` for `i` in `0..32`: summing the masked powers of a block of 32 scores gives the
/// block's membership bitmask, exactly (a sum of distinct powers of two below `2^32`).
const POWERS: [f64; 32] = {
    let mut p = [0.0; 32];
    let mut i = 0;
    while i < 32 {
        p[i] = (1u64 << i) as f64;
        i += 1;
    }
    p
};

/// Score of the padding after the candidates (with no stake): finite, so that it adds 0 to
/// the weighted sums, and above every real score, so that it never joins a band.
const PAD: f64 = f64::MAX;

/// Reusable buffers of the column selection.
#[derive(Clone, Debug, Default)]
pub(crate) struct Selector {
    /// Scores of the current column.
    scores: Vec<f64>,
    /// Stake of each score's validator (the same for every column).
    stakes: Vec<f64>,
    /// `Σ stakes`.
    total: f64,
    /// Band membership, 32 scores per word.
    members: Vec<u32>,
    /// Candidates (scores and stakes), padded to whole lines with `(PAD, 0)`.
    cand_scores: Vec<f64>,
    cand_stakes: Vec<f64>,
    /// Quickselect buffers.
    pairs: Vec<(f64, f64)>,
    spare: Vec<(f64, f64)>,
}

impl Selector {
    /// Sets the stakes for the coming columns and sizes the buffers. The length is rounded up
    /// to whole lines of 8 with zero stakes. Zero-stake entries never count towards the
    /// quantile, though their scores can come back when nothing qualifies (the largest score)
    /// or the minority is negative (the smallest).
    pub(crate) fn set_stakes(&mut self, stakes: impl IntoIterator<Item = f64>) {
        self.stakes.clear();
        self.stakes.extend(stakes);
        self.stakes
            .resize(self.stakes.len().next_multiple_of(8), 0.0);
        self.total = sum8(self.stakes.chunks_exact(8).map(|s| lanes8(|k| s[k])));
        let len = self.stakes.len();
        self.scores.resize(len, 0.0);
        self.members.resize(len.div_ceil(32), 0);
        self.cand_scores.resize(len + 8, 0.0);
        self.cand_stakes.resize(len + 8, 0.0);
        self.pairs.resize(len, (0.0, 0.0));
        self.spare.resize(len, (0.0, 0.0));
    }

    /// The score buffer of the next column (as long as the stakes, padding included), to
    /// fill before [`Selector::select`]. Scores must be finite and not `-0.0`.
    pub(crate) fn scores_mut(&mut self) -> &mut [f64] {
        &mut self.scores
    }

    /// The weighted quantile of the loaded column (see the module docs).
    pub(crate) fn select(&mut self, minority: f64) -> f64 {
        if let Some(answer) = self.select_in_bands(minority) {
            return answer;
        }
        for (p, (&x, &s)) in self
            .pairs
            .iter_mut()
            .zip(self.scores.iter().zip(&self.stakes))
        {
            *p = (x, s);
        }
        let (mean, _) = moments(&self.scores, &self.stakes, self.total);
        quickselect(&mut self.pairs, &mut self.spare, 0.0, minority, mean).unwrap_or_else(|| {
            self.scores
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max)
        })
    }

    /// Stages 1–2, then stage 3 on the candidates of a band that missed; `None` if the first
    /// band misses (the answer then needs the whole column).
    fn select_in_bands(&mut self, minority: f64) -> Option<f64> {
        let (mean, spread) = moments(&self.scores, &self.stakes, self.total);
        let (mut lo, mut hi) = (mean - BAND * spread, mean + BAND * spread);
        let mut below = band(&self.scores, &self.stakes, lo, hi, &mut self.members);
        if minority < below {
            return None;
        }
        let (mut count, mut inside) = self.extract(None);
        if minority >= below + inside {
            return None;
        }
        loop {
            // The answer is one of the `count` candidates, all within [lo, hi].
            if lo == hi {
                return Some(lo);
            }
            if count <= SMALL {
                let small = resolve_small(&self.cand_scores, &self.cand_stakes, below, minority);
                if small.is_some() {
                    return small;
                }
                break; // only rounding gets here: let the quickselect decide
            }
            let len = count.next_multiple_of(8);
            let (x, s) = (&self.cand_scores[..len], &self.cand_stakes[..len]);
            let (mean, spread) = moments(x, s, inside);
            let quantile = (minority - below) / inside;
            let centre = mean + SQRT_3 * spread * (2.0 * quantile - 1.0);
            let half = TARGET * SQRT_3 * spread / count as f64;
            let (lo2, hi2) = (centre - half, centre + half);
            let below2 = below + band(x, s, lo2, hi2, &mut self.members);
            if minority < below2 {
                break;
            }
            // Keep the previous candidates until the new band is known to hold the answer.
            let (count2, inside2) = self.count(len);
            if minority >= below2 + inside2 || count2 == count {
                break;
            }
            (count, inside) = self.extract(Some(len));
            (lo, hi, below) = (lo2, hi2, below2);
            debug_assert_eq!((count, inside), (count2, inside2));
        }
        // A narrower band missed: quickselect over the current candidates.
        for (p, (&x, &s)) in self
            .pairs
            .iter_mut()
            .zip(self.cand_scores.iter().zip(&self.cand_stakes))
            .take(count)
        {
            *p = (x, s);
        }
        let guess = lo + (minority - below) / inside * (hi - lo);
        let (a, b) = (&mut self.pairs[..count], &mut self.spare[..count]);
        quickselect(a, b, below, minority, guess)
    }

    /// Number and stake of the members marked by the last band over the first `len`
    /// candidates.
    fn count(&self, len: usize) -> (usize, f64) {
        let words = &self.members[..len.div_ceil(32)];
        let count = words.iter().map(|w| w.count_ones() as usize).sum();
        let mut inside = 0.0;
        for_each_member(words, |i| inside += self.cand_stakes[i]);
        (count, inside)
    }

    /// Copies the members marked by the last band to the candidate buffers — from the column
    /// (`None`) or from the first `len` candidates themselves — pads them to a whole line and
    /// returns their number and stake.
    fn extract(&mut self, from_candidates: Option<usize>) -> (usize, f64) {
        let mut count = 0;
        let mut inside = 0.0;
        let (scores, stakes) = (&mut self.cand_scores, &mut self.cand_stakes);
        match from_candidates {
            None => {
                for_each_member(&self.members, |i| {
                    scores[count] = self.scores[i];
                    stakes[count] = self.stakes[i];
                    inside += self.stakes[i];
                    count += 1;
                });
            }
            Some(len) => {
                // In place: members are visited in increasing order, so `count <= i`.
                for_each_member(&self.members[..len.div_ceil(32)], |i| {
                    scores[count] = scores[i];
                    stakes[count] = stakes[i];
                    inside += stakes[i];
                    count += 1;
                });
            }
        }
        let padded = count.next_multiple_of(8).max(8);
        scores[count..padded].fill(PAD);
        stakes[count..padded].fill(0.0);
        (count, inside)
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

/// A line of 8 from its lanes.
#[inline(always)]
fn lanes8<T>(f: impl FnMut(usize) -> T) -> [T; 8] {
    std::array::from_fn(f)
}

/// Sum of lines of 8, lane-wise first (independent accumulators), then across lanes.
#[inline(always)]
fn sum8(lines: impl Iterator<Item = [f64; 8]>) -> f64 {
    let acc = lines.fold([0.0; 8], |a, l| lanes8(|k| a[k] + l[k]));
    acc.iter().sum()
}

/// Stake-weighted mean and standard deviation of the scores given their total stake (0 and
/// 0 without stake).
#[inline(always)]
fn moments(scores: &[f64], stakes: &[f64], total: f64) -> (f64, f64) {
    // Two loops, so that the compiler vectorises each across lanes (in one loop it pairs
    // the two sums of a lane instead, with scalar products).
    let lines = || scores.chunks_exact(8).zip(stakes.chunks_exact(8));
    let (mut first, mut second) = ([0.0; 8], [0.0; 8]);
    for (x, s) in lines() {
        first = lanes8(|k| first[k] + s[k] * x[k]);
    }
    for (x, s) in lines() {
        second = lanes8(|k| second[k] + s[k] * x[k] * x[k]);
    }
    if total <= 0.0 {
        return (0.0, 0.0);
    }
    let mean = first.iter().sum::<f64>() / total;
    let variance = second.iter().sum::<f64>() / total - mean * mean;
    (mean, variance.max(0.0).sqrt())
}

/// One pass over scores and stakes (whole lines of 8): returns the stake below `lo` and marks
/// the members of `[lo, hi]` in `members` (32 scores per word).
#[inline(always)]
fn band(scores: &[f64], stakes: &[f64], lo: f64, hi: f64, members: &mut [u32]) -> f64 {
    let mut below = [0.0; 8];
    let blocks = scores.chunks(32).zip(stakes.chunks(32));
    for ((x, s), word) in blocks.zip(members.iter_mut()) {
        let mut bits = [0.0; 8];
        let lines = x.chunks_exact(8).zip(s.chunks_exact(8));
        for ((x, s), powers) in lines.zip(POWERS.chunks_exact(8)) {
            let under = lanes8(|k| (x[k] - lo).to_bits());
            let over = lanes8(|k| (hi - x[k]).to_bits());
            let below_stake = lanes8(|k| masked(s[k], sign_mask(under[k])));
            let member = lanes8(|k| masked(powers[k], !sign_mask(under[k] | over[k])));
            below = lanes8(|k| below[k] + below_stake[k]);
            bits = lanes8(|k| bits[k] + member[k]);
        }
        *word = bits.iter().sum::<f64>() as u32;
    }
    below.iter().sum()
}

/// All-ones if the double with these bits is negative (sign bit set), else 0.
#[inline(always)]
fn sign_mask(bits: u64) -> u64 {
    (bits as i64 >> 63) as u64
}

/// All-ones if `x < y`, else 0, from the sign of `x − y`: exact for finite values that are
/// not `-0.0` (a difference of distinct finite doubles is never zero, and `x − x = +0`).
#[inline(always)]
fn below_mask(x: f64, y: f64) -> u64 {
    sign_mask((x - y).to_bits())
}

/// `v` where `mask` is all-ones, else `+0`.
#[inline(always)]
fn masked(v: f64, mask: u64) -> f64 {
    f64::from_bits(v.to_bits() & mask)
}

/// The answer among at most 8 candidates (padded to 8 with `(PAD, 0)`): the smallest score
/// whose cumulative stake, plus `below`, exceeds `minority`, if any.
#[inline(always)]
fn resolve_small(scores: &[f64], stakes: &[f64], below: f64, minority: f64) -> Option<f64> {
    let (x, s): (&[f64; 8], &[f64; 8]) =
        (scores[..8].try_into().ok()?, stakes[..8].try_into().ok()?);
    let mut best = f64::INFINITY;
    for &candidate in x {
        let at_most = lanes8(|d| masked(s[d], !below_mask(candidate, x[d])));
        let cumulative = below
            + ((at_most[0] + at_most[1]) + (at_most[2] + at_most[3]))
            + ((at_most[4] + at_most[5]) + (at_most[6] + at_most[7]));
        if cumulative > minority && candidate < best {
            best = candidate;
        }
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
            let mut x = [PAD; 8];
            let mut s = [0.0; 8];
            for (k, &(score, stake)) in window.iter().enumerate() {
                (x[k], s[k]) = (score, stake);
            }
            return resolve_small(&x, &s, below, minority);
        }
        let (x, y, z) = (window[0].0, window[len / 2].0, window[len - 1].0);
        let pivot = x.max(y).min(x.min(y).max(z));
        let (lt, gt) = split3(window, &mut b[lo..hi], pivot);
        let stake_lt = stake_sum(&b[lo..lo + lt]);
        if minority < below + stake_lt && lt > 0 {
            hi = lo + lt;
        } else {
            let stake_eq = stake_equal(window, pivot);
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
/// back; returns how many went to the front.
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

/// Stake of the pairs scoring exactly `pivot`.
#[inline(always)]
fn stake_equal(pairs: &[(f64, f64)], pivot: f64) -> f64 {
    pairs
        .iter()
        .map(|&(x, s)| masked(s, !(below_mask(x, pivot) | below_mask(pivot, x))))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::super::consensus::weighted_median;
    use super::*;
    use proptest::prelude::*;

    fn select(score: &[f64], stake: &[f64], minority: f64) -> f64 {
        let mut s = Selector::default();
        s.set_stakes(stake.iter().copied());
        // Padding: score −1 with no stake, as the epoch pads a column.
        let scores = s.scores_mut();
        scores.fill(-1.0);
        scores[..score.len()].copy_from_slice(score);
        s.select(minority)
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
                weighted_median(&stake, &score, minority),
                "{minority}"
            );
        }
    }

    proptest! {
        /// Same answer as the sparse kernel (itself checked against the definition), with
        /// many ties and zero stakes, sizes spanning every window and word shape, and
        /// skewed columns whose answer lies outside the band.
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
                weighted_median(&stake, &score, minority).to_bits()
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
            let want = weighted_median(&stake, &score, minority);
            if got != want {
                // Both must sit where the cumulative stake crosses the minority.
                let cum = |v: f64| -> f64 {
                    score.iter().zip(&stake).filter(|e| *e.0 <= v).map(|e| e.1).sum()
                };
                prop_assert!((cum(got) - minority).abs() < 1e-9 || (cum(want) - minority).abs() < 1e-9,
                    "got {} want {}", got, want);
            }
        }
    }
}
