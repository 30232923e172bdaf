//! Adversarial validators: what they do to the row an honest observer would set, or instead
//! of observing at all. Each tactic is plain data plus a pure transformation, so it is tested
//! on hand-made rows; [`super::validator::set_weights`] applies it, and the row still goes
//! through the chain's `set_weights` checks and commit-reveal like anyone's.

use super::adapt::Adaptation;
use super::delay::Delay;
use super::validator::max_upscale;
use crate::chain::yuma::SparseRow;
use crate::scenario::Knob;
use bevy_ecs::prelude::*;
use rand_chacha::ChaCha8Rng;

/// A validator's adversarial tactic and, optionally, its search over its own knob.
#[derive(Component, Clone, Debug)]
pub struct Adversary {
    /// What it does.
    pub tactic: Tactic,
    /// How it tunes itself, if it does.
    pub adapt: Option<Adaptation>,
}

/// The tactics (see the strategies of the same names in the scenario language).
#[derive(Clone, Debug)]
pub enum Tactic {
    /// Copies the published consensus or a target's stored weights.
    Copier(Copier),
    /// Puts `w_c` of its weight on its coalition's miners.
    Cabal(Cabal),
    /// Re-sends a stale row between rare observations.
    Lazy(Lazy),
    /// Sets no weights during `[from, until)` (absolute blocks).
    Offline {
        /// First silent block.
        from: u64,
        /// First block back.
        until: u64,
    },
    /// Sets what it observed `lag` epochs earlier.
    LateFollower {
        /// Epochs of delay.
        lag: u64,
        /// Its past observations.
        memory: Delay,
    },
}

/// A weight copier.
#[derive(Clone, Debug)]
pub struct Copier {
    /// UID whose stored weights it copies; None: the published consensus.
    pub target: Option<u16>,
    /// Multiplicative hiding noise.
    pub noise: f64,
    /// Extra epochs of delay.
    pub lag: u64,
    /// Blocks between updates.
    pub interval: u64,
    /// What it has seen.
    pub memory: Delay,
}

/// A cabal validator's self-dealing.
#[derive(Clone, Debug)]
pub struct Cabal {
    /// Coalition id.
    pub coalition: u32,
    /// Fraction of weight on the coalition's miners.
    pub w_c: f64,
}

/// A lazy validator's kept row.
#[derive(Clone, Debug)]
pub struct Lazy {
    /// Blocks between fresh observations.
    pub refresh: u64,
    /// Block of the last fresh observation and the row made from it.
    pub kept: Option<(u64, SparseRow)>,
}

impl super::validator::Behaviour for Adversary {
    fn interval(&self) -> u64 {
        match &self.tactic {
            Tactic::Copier(c) => c.interval,
            // The others observe through an honest validator component that sets the pace.
            _ => u64::MAX,
        }
    }
}

impl Tactic {
    /// Whether the agent sets no weights at `block` (an outage).
    pub fn silent(&self, block: u64) -> bool {
        matches!(self, Tactic::Offline { from, until } if (*from..*until).contains(&block))
    }

    /// The value of `knob`, if the tactic has it.
    pub fn knob(&self, knob: Knob) -> Option<f64> {
        match (self, knob) {
            (Tactic::Cabal(c), Knob::WC) => Some(c.w_c),
            (Tactic::Copier(c), Knob::Lag) => Some(c.lag as f64),
            (Tactic::Copier(c), Knob::Noise) => Some(c.noise),
            (Tactic::LateFollower { lag, .. }, Knob::Lag) => Some(*lag as f64),
            _ => None,
        }
    }

    /// Set `knob` to `value`.
    pub fn set_knob(&mut self, knob: Knob, value: f64) {
        match (self, knob) {
            (Tactic::Cabal(c), Knob::WC) => c.w_c = value.clamp(0.0, 1.0),
            (Tactic::Copier(c), Knob::Lag) => c.lag = value.round().max(0.0) as u64,
            (Tactic::Copier(c), Knob::Noise) => c.noise = value.max(0.0),
            (Tactic::LateFollower { lag, .. }, Knob::Lag) => *lag = value.round().max(0.0) as u64,
            _ => {}
        }
    }

    /// Turn the honest row (`row`, max-upscaled) into the one the adversary sets. `epoch` is
    /// the subnet's epoch count, `coalition_miners` the UIDs of this subnet's miners per
    /// coalition (only a cabal reads it).
    pub fn twist(&mut self, row: &mut SparseRow, block: u64, epoch: u64, coalition_miners: &[u16]) {
        match self {
            Tactic::Cabal(c) => c.twist(row, coalition_miners),
            Tactic::Lazy(lazy) => match &lazy.kept {
                Some((at, kept)) if block.saturating_sub(*at) < lazy.refresh => {
                    row.clone_from(kept);
                }
                _ => lazy.kept = Some((block, row.clone())),
            },
            Tactic::LateFollower { lag, memory } => {
                let delayed = memory.delayed(epoch, std::mem::take(row), *lag);
                row.clone_from(delayed);
            }
            Tactic::Copier(_) | Tactic::Offline { .. } => {}
        }
    }
}

impl Cabal {
    /// `w_c` of the total weight spread equally over `members` (the coalition's miners), the
    /// rest over the other UIDs in proportion to `row`; max-upscaled again. With no member the
    /// row is left as is; with nothing else weighted, all of it goes to the members.
    pub fn twist(&self, row: &mut SparseRow, members: &[u16]) {
        if members.is_empty() {
            return;
        }
        row.retain(|(uid, _)| members.binary_search(uid).is_err());
        let others: f64 = row.iter().map(|(_, w)| *w).sum();
        let w_c = if others > 0.0 { self.w_c } else { 1.0 };
        let scale = if others > 0.0 {
            (1.0 - w_c) / others
        } else {
            0.0
        };
        row.iter_mut().for_each(|(_, w)| *w *= scale);
        let each = w_c / members.len() as f64;
        row.extend(members.iter().map(|&uid| (uid, each)));
        row.retain(|(_, w)| *w > 0.0);
        row.sort_unstable_by_key(|(uid, _)| *uid);
        max_upscale(row);
    }
}

impl Copier {
    /// The row the copier sets at subnet epoch `epoch` from what it can `see` now (the
    /// published consensus or the target's stored row, its own UID `me` left out): what it saw
    /// `lag` epochs ago, each weight times `max(0, 1 + noise·N(0,1))`, max-upscaled.
    pub fn row(
        &mut self,
        epoch: u64,
        see: &[(u16, f64)],
        me: u16,
        rng: &mut ChaCha8Rng,
        out: &mut SparseRow,
    ) {
        let seen: SparseRow = see
            .iter()
            .filter(|(uid, w)| *uid != me && *w > 0.0)
            .copied()
            .collect();
        out.clone_from(self.memory.delayed(epoch, seen, self.lag));
        if self.noise > 0.0 {
            for (_, w) in out.iter_mut() {
                *w *= (1.0 + self.noise * super::standard_normal(rng)).max(0.0);
            }
            out.retain(|(_, w)| *w > 0.0);
        }
        max_upscale(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// w_c = 0.5, members {3, 4}, honest row {1: 65535, 2: 65535, 3: 65535}: the honest part
    /// {1, 2} gets 0.25 each, members 0.25 each — all equal, so all 65,535 after upscaling.
    /// With w_c = 0.8: others 0.1 each, members 0.4 each → 16,383.75 and 65,535.
    #[test]
    fn cabal_splits_weight_by_hand() {
        let honest = vec![(1, 65_535.0), (2, 65_535.0), (3, 65_535.0)];
        let mut row = honest.clone();
        Cabal {
            coalition: 1,
            w_c: 0.5,
        }
        .twist(&mut row, &[3, 4]);
        assert_eq!(
            row,
            vec![(1, 65_535.0), (2, 65_535.0), (3, 65_535.0), (4, 65_535.0)]
        );
        let mut row = honest;
        Cabal {
            coalition: 1,
            w_c: 0.8,
        }
        .twist(&mut row, &[3, 4]);
        let expect = [(1, 16_383.75), (2, 16_383.75), (3, 65_535.0), (4, 65_535.0)];
        for ((u, w), (eu, ew)) in row.iter().zip(expect) {
            assert_eq!(*u, eu);
            assert!((w - ew).abs() < 1e-9, "{w} vs {ew}");
        }
        // w_c = 0 leaves the coalition unweighted.
        let mut row = vec![(1, 65_535.0), (3, 30_000.0)];
        Cabal {
            coalition: 1,
            w_c: 0.0,
        }
        .twist(&mut row, &[3]);
        assert_eq!(row, vec![(1, 65_535.0)]);
    }

    /// Consensus {0: 0.2 (itself), 5: 0.5, 6: 0.25}, no lag, no noise: it sets {5: 65535,
    /// 6: 32767.5}; with lag 1 it keeps setting the previous epoch's view.
    #[test]
    fn copier_copies_what_it_saw() {
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let mut c = Copier {
            target: None,
            noise: 0.0,
            lag: 0,
            interval: 10,
            memory: Delay::default(),
        };
        let mut out = Vec::new();
        c.row(1, &[(0, 0.2), (5, 0.5), (6, 0.25)], 0, &mut rng, &mut out);
        assert_eq!(out, vec![(5, 65_535.0), (6, 32_767.5)]);
        c.lag = 1;
        c.row(2, &[(5, 0.1), (6, 0.4)], 0, &mut rng, &mut out);
        assert_eq!(out, vec![(5, 65_535.0), (6, 32_767.5)]);
        c.row(3, &[(5, 0.1), (6, 0.4)], 0, &mut rng, &mut out);
        assert_eq!(out, vec![(5, 16_383.75), (6, 65_535.0)]);
    }

    #[test]
    fn lazy_resends_until_refresh() {
        let mut t = Tactic::Lazy(Lazy {
            refresh: 100,
            kept: None,
        });
        let mut row = vec![(1, 1.0)];
        t.twist(&mut row, 10, 0, &[]);
        let mut fresh = vec![(2, 1.0)];
        t.twist(&mut fresh, 109, 0, &[]);
        assert_eq!(fresh, vec![(1, 1.0)], "stale before the refresh");
        let mut fresh = vec![(2, 1.0)];
        t.twist(&mut fresh, 110, 0, &[]);
        assert_eq!(fresh, vec![(2, 1.0)], "fresh at the refresh");
    }

    #[test]
    fn knobs_round_trip() {
        let mut t = Tactic::LateFollower {
            lag: 1,
            memory: Delay::default(),
        };
        t.set_knob(Knob::Lag, 2.6);
        assert_eq!(t.knob(Knob::Lag), Some(3.0));
        assert_eq!(t.knob(Knob::WC), None);
        assert!(Tactic::Offline { from: 5, until: 9 }.silent(5));
        assert!(!Tactic::Offline { from: 5, until: 9 }.silent(9));
    }
}
