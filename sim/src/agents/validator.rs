//! Honest validators: observe each miner's quality with their own noise, set weights on what
//! they see, and come back every `interval` blocks.

use super::adversary::{Adversary, Tactic};
use super::miner::ServedQuality;
use super::standard_normal;
use crate::chain::numeric::round_to_u16;
use crate::chain::set_weights::{self, Caller, max_upscale_u16};
use crate::chain::yuma::SparseRow;
use crate::engine::Event;
use crate::engine::{
    AgentRng, Clock, Coalition, Commit, Commits, EpochClock, EventQueue, LastUpdate, Metagraph,
    Neuron, Permit, Stake, SubnetRules, WeightCalls, Weights,
};
use crate::record::Role;
use crate::scenario::WeightRule;
use bevy_ecs::prelude::*;

/// An honest validator's behaviour.
#[derive(Component, Clone, Debug)]
pub struct HonestValidator {
    /// Observation noise (standard deviation, quality units).
    pub noise: f64,
    /// How observations become weights.
    pub rule: WeightRule,
    /// Blocks between weight updates.
    pub interval: u64,
}

/// Observe, then call `set_weights` as the Bittensor SDK does: weights as u16 values
/// (max-upscaled so the largest is 65,535; zeros are not sent), through the chain's checks
/// ([`set_weights::check`]) and its storage rule. Under commit-reveal the row is committed,
/// hidden until its reveal epoch; either way `LastUpdate` becomes this block. Then schedule the
/// next update.
pub fn set_weights(
    In(neuron): In<Entity>,
    clock: Res<Clock>,
    mut queue: ResMut<EventQueue>,
    mut validators: Query<ValidatorData>,
    mut subnets: Query<SubnetView>,
    members: Query<(&Neuron, &Coalition)>,
    mut scratch: Local<Scratch>,
) {
    let Scratch {
        observed,
        row,
        visible,
    } = &mut *scratch;
    // What the agent can see of others, read before its own storage is borrowed: a copier's
    // target row (stored weights are what the chain shows; commits stay hidden) and a cabal's
    // miners.
    let Ok(me) = validators.get(neuron) else {
        return;
    };
    let subnet = me.0.subnet;
    let tactic = me.9.map(|a| &a.tactic);
    let Ok((_, _, _, metagraph, _)) = subnets.get(subnet) else {
        return;
    };
    visible.clear();
    let mut coalition_miners: Vec<u16> = Vec::new();
    match tactic {
        Some(Tactic::Copier(c)) => match c.target {
            Some(t) => {
                if let Some(row) = metagraph
                    .uids
                    .get(t as usize)
                    .and_then(|&e| validators.get(e).ok())
                {
                    // The target's stored `Weights`.
                    visible.extend_from_slice(&row.4.0);
                }
            }
            // The weights it can read in storage: under commit-reveal only revealed ones.
            None => stored_consensus(
                metagraph
                    .uids
                    .iter()
                    .filter(|&&e| e != neuron)
                    .filter_map(|&e| validators.get(e).ok())
                    // (permit, stake, stored weights) of each other UID.
                    .filter(|v| v.6.0)
                    .map(|v| (v.7.0 as f64, v.4.0.as_slice())),
                metagraph.uids.len(),
                visible,
            ),
        },
        Some(Tactic::Cabal(c)) => {
            coalition_miners.extend(metagraph.uids.iter().enumerate().filter_map(|(uid, &e)| {
                members
                    .get(e)
                    .ok()
                    .filter(|(n, k)| n.role == Role::Miner && k.0 == c.coalition)
                    .map(|_| uid as u16)
            }));
        }
        _ => {}
    }

    let Ok((
        me,
        honest,
        burn,
        mut rng,
        mut weights,
        mut last_update,
        permit,
        stake,
        mut commits,
        mut adversary,
    )) = validators.get_mut(neuron)
    else {
        return;
    };
    let Ok((served, rules, epochs, metagraph, mut calls)) = subnets.get_mut(me.subnet) else {
        return;
    };
    row.clear();
    let interval = honest
        .map(|h| h.interval)
        .or(burn.map(|b| b.interval))
        .or(adversary.as_ref().map(|a| a.interval()));
    let Some(interval) = interval else {
        return;
    };
    queue.schedule(clock.block + interval, Event::SetWeights(neuron));
    let epoch = epochs.epochs;
    if let Some(adv) = adversary.as_deref_mut() {
        if adv.tactic.silent(clock.block) {
            return;
        }
        if let Some(search) = &mut adv.adapt {
            let knob = search.rule.knob;
            if let Some(value) = adv.tactic.knob(knob)
                && let Some(next) = search.step(clock.block, stake.0, value, &mut rng.0)
            {
                adv.tactic.set_knob(knob, next);
            }
        }
    }
    if let Some(strategy) = honest {
        let rng = &mut rng.0;
        observed.clear();
        observed.extend(served.0.iter().map(|&(uid, quality)| {
            // A miner of quality 0 serves nothing (it stopped, or never started): it answers
            // no query, so noise cannot make it look useful. The draw is made all the same, so
            // the other miners' draws do not depend on who stopped.
            let noise = strategy.noise * standard_normal(rng);
            let seen = if quality > 0.0 {
                (quality + noise).max(0.0)
            } else {
                0.0
            };
            (uid, seen)
        }));
        weights_from_observations(observed, &strategy.rule, row);
    } else if burn.is_some() {
        // The owner's burn: all weight on its own UID, which the epoch keeps for the owner.
        row.push((me.uid, 65_535.0));
    } else if let Some(Tactic::Copier(copier)) = adversary.as_deref_mut().map(|a| &mut a.tactic) {
        copier.row(epoch, visible, me.uid, &mut rng.0, row);
    }
    if let Some(adv) = adversary.as_deref_mut() {
        adv.tactic.twist(row, clock.block, epoch, &coalition_miners);
    }
    if row.is_empty() {
        // Nothing to set (a copier before any weights are stored or revealed): no call.
        return;
    }
    let uids: Vec<u16> = row.iter().map(|(j, _)| *j).collect();
    let values: Vec<u16> = row.iter().map(|(_, w)| round_to_u16(*w)).collect();
    let caller = Caller {
        uid: me.uid,
        n: metagraph.uids.len() as u16,
        permit: permit.0,
        owner: me.role == Role::Owner,
        stake: stake.0,
        last_update: last_update.0,
        block: clock.block,
    };
    if set_weights::check(&rules.weights, &caller, &uids, &values).is_err()
        || (rules.reveal_period.is_some() && commits.0.len() >= MAX_UNREVEALED_COMMITS)
    {
        calls.rejected += 1;
        return;
    }
    calls.accepted += 1;
    let stored: SparseRow = uids
        .iter()
        .zip(max_upscale_u16(&values))
        .map(|(&j, v)| (j, v as f64))
        .collect();
    last_update.0 = clock.block;
    match rules.reveal_period {
        None => weights.0 = stored,
        Some(_) => {
            // `commit_epoch` is the epoch index with look-ahead: +1 if an epoch fires this block
            // (it already ran: on_initialize precedes extrinsics, so the index has moved).
            let due = epochs.next_epoch_block == clock.block;
            commits.0.push(Commit {
                epoch: epochs.epochs + due as u64,
                block: clock.block,
                row: stored,
            });
        }
    }
}

/// What a copier reads as consensus: the stake-weighted mean of the `(stake, stored row)` pairs
/// of the permitted validators it can see, each row normalised to sum 1, over `n` UIDs.
pub fn stored_consensus<'a>(
    rows: impl Iterator<Item = (f64, &'a [(u16, f64)])>,
    n: usize,
    out: &mut Vec<(u16, f64)>,
) {
    let mut mean = vec![0.0; n];
    for (stake, row) in rows {
        let total: f64 = row.iter().map(|(_, w)| *w).sum();
        if total <= 0.0 || stake <= 0.0 {
            continue;
        }
        for &(uid, w) in row {
            if let Some(m) = mean.get_mut(uid as usize) {
                *m += stake * w / total;
            }
        }
    }
    out.clear();
    out.extend(
        mean.into_iter()
            .enumerate()
            .filter(|(_, m)| *m > 0.0)
            .map(|(uid, m)| (uid as u16, m)),
    );
}

/// Buffers `set_weights` reuses from call to call.
#[derive(Default)]
pub struct Scratch {
    observed: Vec<(u16, f64)>,
    row: SparseRow,
    visible: Vec<(u16, f64)>,
}

/// The chain keeps at most 10 unrevealed commits per hotkey.
const MAX_UNREVEALED_COMMITS: usize = 10;

impl HonestValidator {
    /// An honest validator updating every `interval` blocks (default: the subnet's tempo).
    pub fn new(noise: f64, rule: &WeightRule, interval: Option<u64>, tempo: u64) -> Self {
        HonestValidator {
            noise,
            rule: rule.clone(),
            interval: interval.unwrap_or(tempo).max(1),
        }
    }
}

/// A weight-setting behaviour: a component that knows how often it acts.
pub trait Behaviour: Component {
    /// Blocks between weight updates (at least 1).
    fn interval(&self) -> u64;
}

impl Behaviour for HonestValidator {
    fn interval(&self) -> u64 {
        self.interval
    }
}

impl Behaviour for BurnWeights {
    fn interval(&self) -> u64 {
        self.interval
    }
}

/// The owner's burn: it sets all its weight on itself every `interval` blocks.
#[derive(Component, Clone, Debug)]
pub struct BurnWeights {
    /// Blocks between weight sets.
    pub interval: u64,
}

/// The storage and behaviour that `set_weights` reads and writes.
type ValidatorData<'a> = (
    &'a Neuron,
    Option<&'a HonestValidator>,
    Option<&'a BurnWeights>,
    &'a mut AgentRng,
    &'a mut Weights,
    &'a mut LastUpdate,
    &'a Permit,
    &'a Stake,
    &'a mut Commits,
    Option<&'a mut Adversary>,
);

/// What `set_weights` reads (and counts) of the subnet.
type SubnetView<'a> = (
    &'a ServedQuality,
    &'a SubnetRules,
    &'a EpochClock,
    &'a Metagraph,
    &'a mut WeightCalls,
);

/// Turn `(uid, observed quality)` pairs into a stored weight row. `observed` may be reordered.
pub fn weights_from_observations(
    observed: &mut [(u16, f64)],
    rule: &WeightRule,
    row: &mut SparseRow,
) {
    row.clear();
    match rule {
        WeightRule::Proportional => row.extend(observed.iter().filter(|(_, w)| *w > 0.0).copied()),
        WeightRule::TopK { k } => {
            let k = (*k as usize).min(observed.len());
            if k == 0 {
                return;
            }
            // Highest observation first; ties to the lower uid, so the choice is deterministic.
            observed.select_nth_unstable_by(k - 1, |a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            row.extend(
                observed[..k]
                    .iter()
                    .filter(|(_, w)| *w > 0.0)
                    .map(|(uid, _)| (*uid, 1.0)),
            );
            row.sort_unstable_by_key(|(uid, _)| *uid);
        }
    }
    max_upscale(row);
}

/// Scale a row so its largest weight is 65,535, as the SDK sends weights (the chain max-upscales
/// again on `set_weights`; doing it here keeps stored rows comparable between agents).
pub(crate) fn max_upscale(row: &mut SparseRow) {
    let max = row.iter().map(|(_, w)| *w).fold(0.0, f64::max);
    if max > 0.0 {
        row.iter_mut().for_each(|(_, w)| *w *= 65_535.0 / max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proportional_is_max_upscaled_and_drops_zeros() {
        let mut obs = vec![(3, 0.5), (4, 0.0), (5, 0.25)];
        let mut row = Vec::new();
        weights_from_observations(&mut obs, &WeightRule::Proportional, &mut row);
        assert_eq!(row, vec![(3, 65_535.0), (5, 32_767.5)]);
    }

    /// Stakes 3 and 1; rows {1: 1, 2: 1} and {2: 4}: normalised {1: .5, 2: .5} and {2: 1},
    /// so the mean is {1: 1.5, 2: 1.5 + 1} = {1: 1.5, 2: 2.5} (unnormalised stake units).
    #[test]
    fn stored_consensus_by_hand() {
        let a = [(1, 1.0), (2, 1.0)];
        let b = [(2, 4.0)];
        let mut out = Vec::new();
        stored_consensus([(3.0, &a[..]), (1.0, &b[..])].into_iter(), 4, &mut out);
        assert_eq!(out, vec![(1, 1.5), (2, 2.5)]);
    }

    #[test]
    fn top_k_takes_the_best_and_breaks_ties_by_uid() {
        let mut obs = vec![(1, 0.3), (2, 0.9), (3, 0.3), (4, 0.1)];
        let mut row = Vec::new();
        weights_from_observations(&mut obs, &WeightRule::TopK { k: 2 }, &mut row);
        assert_eq!(row, vec![(1, 65_535.0), (2, 65_535.0)]);
    }
}
