//! The dense view of one epoch: the rows that can carry an entry of `W`, `B` or `B'`,
//! gathered into [`Panels`], with their per-row vectors.
//!
//! After masking, only permitted validators have weights, and bonds are only stored for
//! uids that had a permit; those *dense rows* (every uid with a permit or stored bonds, in
//! uid order) are few — at most `MaxAllowedValidators` plus stragglers — and nearly full.
//! The steps after the gather work column by column on whole lines of [`LANES`] rows; each
//! step's dense code sits with its concept (`weights`, `consensus`, `bonds`), as methods of
//! [`DenseEpoch`].
//!
//! The sparse semantics survive in the values: explicit zero weights are stored as `-0.0`
//! (present) and absent entries as `+0.0` (see [`super::weights::dense_weight`]), which is
//! what the liquid-alpha EMA needs to tell them apart.

use super::SparseRow;
use super::median::Selector;
use super::panels::{LANES, Line, Panels, panels_for};

/// Dense buffers of one epoch, reused across epochs.
#[derive(Clone, Debug, Default)]
pub(crate) struct DenseEpoch {
    /// Uid of each dense row, ascending.
    pub(crate) uids: Vec<usize>,
    /// `W`: masked weights of the dense rows, row-normalised in place after the gather.
    pub(crate) weights: Panels<f64>,
    /// Masked previous bonds `B`; the bond sweep overwrites them with the new bonds `B'`.
    pub(crate) bonds: Panels<f64>,
    /// Columns where any dense row has a weight entry or a bond, ascending: the others have
    /// no consensus, incentive or bonds, and every column loop skips them.
    pub(crate) live: Vec<usize>,
    /// Per column, whether a gather stored anything in it.
    pub(crate) touched: Vec<bool>,
    /// Per dense row, one line per panel (padding rows hold zeros).
    pub(crate) rows: RowLines,
    /// One column of new bonds.
    pub(crate) column: Vec<Line<f64>>,
    /// Selection buffers of the consensus.
    pub(crate) selector: Selector,
}

/// Per-row vectors of the dense rows, laid out like one column of [`Panels`].
#[derive(Clone, Debug, Default)]
pub(crate) struct RowLines {
    /// Active stake `Sa`.
    pub(crate) stake: Vec<Line<f64>>,
    /// Voter share `Sa / Σ Sa` for rows with `Sa > 0`, else 0 (consensus weights).
    pub(crate) share: Vec<Line<f64>>,
    /// 1 for voters, 0 otherwise; with `abstain` it maps a non-voter's score to −1 in the
    /// consensus, where it can never be selected.
    pub(crate) ballot: Vec<Line<f64>>,
    /// 0 for voters, −1 otherwise.
    pub(crate) abstain: Vec<Line<f64>>,
    /// Validator trust `Tv`, accumulated column by column.
    pub(crate) trust: Vec<Line<f64>>,
    /// Dividend accumulators (un-normalised).
    pub(crate) dividend: Vec<Line<f64>>,
}

impl RowLines {
    /// Zeroes every vector for `panels` panels.
    fn reset(&mut self, panels: usize) {
        for v in [
            &mut self.stake,
            &mut self.share,
            &mut self.ballot,
            &mut self.abstain,
            &mut self.trust,
            &mut self.dividend,
        ] {
            v.clear();
            v.resize(panels, [0.0; LANES]);
        }
    }
}

impl DenseEpoch {
    /// Picks the dense rows — uids with a permit (this epoch's, owner included) or stored
    /// bonds — and sizes and zeroes every dense buffer for `n` columns.
    pub(crate) fn select_rows(
        &mut self,
        permit: &[bool],
        bonds: &[SparseRow],
        active_stake: &[f64],
    ) {
        let n = active_stake.len();
        self.uids.clear();
        self.uids
            .extend((0..n).filter(|&i| permit[i] || !bonds[i].is_empty()));
        let rows = self.uids.len();
        self.weights.reset(rows, n);
        self.bonds.reset(rows, n);
        self.rows.reset(panels_for(rows));
        self.column.resize(panels_for(rows), [0.0; LANES]);
        self.touched.clear();
        self.touched.resize(n, false);
        for (r, &uid) in self.uids.iter().enumerate() {
            self.rows.stake[r / LANES][r % LANES] = active_stake[uid];
        }
    }

    /// Lists the columns the gathers stored anything in.
    pub(crate) fn collect_live_columns(&mut self) {
        self.live.clear();
        let touched = &self.touched;
        self.live.extend((0..touched.len()).filter(|&j| touched[j]));
    }

    /// Number of panels.
    pub(crate) fn panels(&self) -> usize {
        self.rows.stake.len()
    }
}
