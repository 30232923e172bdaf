//! Scheduled scenario changes: at their block, the live scenario is replaced by the changed
//! one and every component derived from a changed field is updated in place.

use super::build::subnet_rules;
use super::components::{EpochClock, Neuron, SubnetRules};
use super::events::{Event, EventQueue};
use crate::agents::miner::HonestMiner;
use crate::agents::validator::HonestValidator;
use crate::scenario::{MinerStrategy, Scenario, ValidatorStrategy};
use bevy_ecs::prelude::*;

/// Update the world for `next` (the scenario after a change) at `block`. `subnets[k]` is the
/// entity of `next.subnets[k]`.
pub fn apply(world: &mut World, subnets: &[Entity], next: &Scenario, block: u64) {
    for (&entity, subnet) in subnets.iter().zip(&next.subnets) {
        let hp = &subnet.hyperparameters;
        let tempo = (hp.tempo as u64).max(1);
        let mut reschedule = None;
        if let Some(mut rules) = world.get_mut::<SubnetRules>(entity) {
            let old_tempo = rules.tempo;
            *rules = subnet_rules(hp, subnet.emission_share, next.network.stake_threshold);
            if old_tempo != tempo {
                // `set_tempo` restarts the epoch clock: the next epoch is a full tempo away.
                reschedule = Some(block + tempo);
            }
        }
        if let Some(next_epoch) = reschedule {
            if let Some(mut clock) = world.get_mut::<EpochClock>(entity) {
                clock.next_epoch_block = next_epoch;
            }
            world
                .resource_mut::<EventQueue>()
                .schedule(next_epoch, Event::Epoch(entity));
        }

        let mut validators = world.query::<(&Neuron, &mut HonestValidator)>();
        for (neuron, mut v) in validators.iter_mut(world) {
            if neuron.subnet != entity {
                continue;
            }
            match &subnet.validators.strategy {
                ValidatorStrategy::Honest {
                    noise,
                    weights,
                    interval,
                } => *v = HonestValidator::new(*noise, weights, *interval, tempo),
            }
        }
        let mut miners = world.query::<(&Neuron, &mut HonestMiner)>();
        for (neuron, mut m) in miners.iter_mut(world) {
            if neuron.subnet != entity {
                continue;
            }
            match &subnet.miners.strategy {
                MinerStrategy::Honest { drift } => m.drift = *drift,
            }
        }
    }
}
