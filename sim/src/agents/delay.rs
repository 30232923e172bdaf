//! A row seen (or observed) at each epoch, kept so an agent can act on an older one: the
//! memory of copiers and late followers.

use crate::chain::yuma::SparseRow;
use std::collections::VecDeque;

/// Rows by the subnet epoch (epochs run so far) at which they were taken, oldest first.
#[derive(Clone, Debug, Default)]
pub struct Delay {
    rows: VecDeque<(u64, SparseRow)>,
}

impl Delay {
    /// Remember `row` as taken at `epoch` (a later row of the same epoch replaces it), and
    /// return the newest row taken at or before `epoch − lag`, or the oldest kept when none is
    /// that old yet (at the start an agent acts on the oldest thing it has). Rows older than
    /// the one returned are dropped.
    pub fn delayed(&mut self, epoch: u64, row: SparseRow, lag: u64) -> &SparseRow {
        if self.rows.back().is_some_and(|(e, _)| *e == epoch) {
            self.rows.pop_back();
        }
        self.rows.push_back((epoch, row));
        let due = epoch.saturating_sub(lag);
        let at = self.rows.partition_point(|(e, _)| *e <= due).max(1) - 1;
        self.rows.drain(..at);
        &self.rows[0].1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows taken at epochs 1, 2, 3 with lag 1: the agent sets the row of epoch 1 at
    /// epoch 1 (nothing older), of epoch 1 at epoch 2, of epoch 2 at epoch 3.
    #[test]
    fn lag_one_sets_last_epochs_row() {
        let mut d = Delay::default();
        let row = |x: f64| vec![(0u16, x)];
        assert_eq!(d.delayed(1, row(1.0), 1), &row(1.0));
        assert_eq!(d.delayed(2, row(2.0), 1), &row(1.0));
        assert_eq!(d.delayed(3, row(3.0), 1), &row(2.0));
        // A second call in epoch 3 replaces that epoch's row; the delayed row is unchanged.
        assert_eq!(d.delayed(3, row(3.5), 1), &row(2.0));
        assert_eq!(d.delayed(4, row(4.0), 1), &row(3.5));
        // Lag 0 is the row just taken.
        assert_eq!(d.delayed(5, row(5.0), 0), &row(5.0));
    }
}
