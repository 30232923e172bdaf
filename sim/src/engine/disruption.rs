//! Scenario disruptions on the timeline: validators taken offline for a window (an outage) and
//! agents that leave for good. An outage reuses the `offline` validator strategy's tactic
//! ([`Tactic::Offline`]), so the silence is the same mechanism whether scheduled or chosen.

use super::components::{Metagraph, Neuron};
use crate::agents::adversary::{Adversary, Tactic};
use crate::agents::economics::Departed;
use crate::agents::miner::{HonestMiner, Quality, publish_served};
use crate::record::Role;
use crate::scenario::Change;
use bevy_ecs::prelude::*;

/// Silence `validator` during `[from, until)`. An honest or offline validator takes the
/// window; a validator with another adversarial tactic keeps it (and is not silenced).
fn silence(world: &mut World, validator: Entity, from: u64, until: u64) {
    match world.get_mut::<Adversary>(validator) {
        Some(mut adv) => {
            if let Tactic::Offline { from: f, until: u } = &mut adv.tactic {
                (*f, *u) = (from, until);
            }
        }
        None => {
            world.entity_mut(validator).insert(Adversary {
                tactic: Tactic::Offline { from, until },
                adapt: None,
            });
        }
    }
}

/// Apply `change`'s outages and removals of subnet `index` (entity `entity` in its shard's
/// `world`) at `block`.
pub fn apply(world: &mut World, (index, entity): (usize, Entity), change: &Change, block: u64) {
    let targets = change
        .outage
        .iter()
        .map(|o| (o.subnet, &o.uids, Some(block.saturating_add(o.blocks))))
        .chain(change.remove.iter().map(|r| (r.subnet, &r.uids, None)));
    for (subnet, uids, until) in targets {
        if subnet != index {
            continue;
        }
        let members = world
            .get::<Metagraph>(entity)
            .map(|m| m.uids.clone())
            .unwrap_or_default();
        for &uid in uids {
            let Some(&neuron) = members.get(uid as usize) else {
                continue;
            };
            match (world.get::<Neuron>(neuron).map(|n| n.role), until) {
                (Some(Role::Validator), Some(until)) => silence(world, neuron, block, until),
                (Some(Role::Validator), None) => silence(world, neuron, block, u64::MAX),
                (Some(Role::Miner), None) => {
                    let mut miner = world.entity_mut(neuron);
                    miner.remove::<HonestMiner>();
                    miner.insert(Departed);
                    if let Some(mut q) = miner.get_mut::<Quality>() {
                        q.value = 0.0;
                    }
                }
                // Miners have no weights to withhold; owners never leave.
                _ => {}
            }
        }
        publish_served(world, entity);
    }
}
