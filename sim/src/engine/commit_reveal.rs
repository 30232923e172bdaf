//! Commit-reveal at the epoch slot (spec §7.2): just before a subnet's epoch runs, commits whose
//! reveal epoch has come are revealed as stored weights (time-locked commits are revealed
//! automatically in `block_step`), expired ones are dropped; the commits left pending feed the
//! epoch's column mask ([`mask_columns`]).

use super::components::*;
use crate::chain::yuma::SparseRow;
use bevy_ecs::prelude::*;

/// Reveal the due commits of every UID of `subnet` (no-op without commit-reveal).
pub fn reveal(world: &mut World, subnet: Entity) {
    let Some(period) = world
        .get::<SubnetRules>(subnet)
        .and_then(|r| r.reveal_period)
    else {
        return;
    };
    // The epoch fires in this block, so the look-ahead index is one past the counter.
    let current = world.get::<EpochClock>(subnet).map_or(0, |c| c.epochs) + 1;
    let uids = world
        .get::<Metagraph>(subnet)
        .map(|m| m.uids.clone())
        .unwrap_or_default();
    for entity in uids {
        let Some(mut commits) = world.get_mut::<Commits>(entity) else {
            continue;
        };
        if commits.0.is_empty() {
            continue;
        }
        let mut revealed = None;
        commits.0.retain_mut(|c| {
            let reveal_epoch = c.epoch + period;
            if reveal_epoch == current {
                revealed = Some(std::mem::take(&mut c.row));
            }
            // Revealed commits are taken; expired ones are dropped.
            reveal_epoch > current
        });
        if let (Some(row), Some(mut weights)) = (revealed, world.get_mut::<Weights>(entity)) {
            weights.0 = row;
        }
    }
}

/// The commit-reveal column mask: drop `(i, j)` when validator `i`'s earliest pending commit
/// predates `j`'s registration, so weights decided before `j` (re)registered do not credit the
/// UID's new occupant.
pub fn mask_columns(rows: &mut [SparseRow], earliest_commit: &[Option<u64>], registered: &[u64]) {
    for (row, commit) in rows.iter_mut().zip(earliest_commit) {
        if let Some(cb) = *commit {
            row.retain(|(j, _)| registered.get(*j as usize).is_none_or(|&reg| cb >= reg));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-built: validator 0's pending commit is at block 10; UID 2 registered at block 12,
    /// UID 1 at block 5. Only (0, 2) goes; validator 1 has no pending commit.
    #[test]
    fn masks_columns_registered_after_the_commit() {
        let mut rows = vec![vec![(1, 1.0), (2, 1.0)], vec![(1, 1.0), (2, 1.0)]];
        mask_columns(&mut rows, &[Some(10), None], &[0, 5, 12]);
        assert_eq!(rows, vec![vec![(1, 1.0)], vec![(1, 1.0), (2, 1.0)]]);
    }
}
