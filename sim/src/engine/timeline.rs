//! Scheduled scenario changes: at their block, the live scenario is replaced by the changed
//! one and every component derived from a changed field is updated in place.

use super::build::subnet_rules;
use super::components::{EpochClock, Neuron, SubnetRules};
use super::events::{Event, EventQueue};
use crate::agents::adversary::{Adversary, Tactic};
use crate::agents::miner::HonestMiner;
use crate::agents::validator::HonestValidator;
use crate::scenario::{Knob, Subnet, ValidatorStrategy};
use bevy_ecs::prelude::*;

/// Update subnet `entity`'s shard `world` for `subnet`, its spec after a change (with the
/// network's `stake_threshold`), at `block`.
pub fn apply(world: &mut World, entity: Entity, subnet: &Subnet, stake_threshold: f64, block: u64) {
    let hp = &subnet.hyperparameters;
    let tempo = (hp.tempo as u64).max(1);
    let mut reschedule = None;
    if let Some(mut rules) = world.get_mut::<SubnetRules>(entity) {
        let old_tempo = rules.tempo;
        *rules = subnet_rules(hp, subnet.emission_share, stake_threshold);
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

    // Agents of the subnet's strategy kind take its new parameters (cohorts of the same kind
    // too: a change is to the kind's parameters on the subnet).
    let strategy = &subnet.validators.strategy;
    let mut validators = world.query::<(&Neuron, &mut HonestValidator)>();
    for (neuron, mut v) in validators.iter_mut(world) {
        if neuron.subnet != entity || neuron.strategy != strategy.name() {
            continue;
        }
        if let Some((noise, rule)) = strategy.observer() {
            *v = HonestValidator::new(noise, rule, strategy.interval(), tempo);
        }
    }
    let mut copiers = world.query::<(&Neuron, &mut Adversary)>();
    for (neuron, mut adversary) in copiers.iter_mut(world) {
        if neuron.subnet == entity && neuron.strategy == strategy.name() {
            retune(&mut adversary.tactic, strategy);
        }
    }
    let drift = subnet.miners.strategy.drift();
    let kind = subnet.miners.strategy.name();
    let mut miners = world.query::<(&Neuron, &mut HonestMiner)>();
    for (neuron, mut m) in miners.iter_mut(world) {
        if neuron.subnet == entity && neuron.strategy == kind {
            m.drift = drift;
        }
    }
}

/// Take a changed strategy's parameters into a running tactic, keeping its memory.
fn retune(tactic: &mut Tactic, strategy: &ValidatorStrategy) {
    match (tactic, strategy) {
        (t @ Tactic::Cabal(_), ValidatorStrategy::Cabal { w_c, .. }) => t.set_knob(Knob::WC, *w_c),
        (
            Tactic::Copier(c),
            ValidatorStrategy::WeightCopier {
                target, noise, lag, ..
            },
        ) => {
            c.target = *target;
            c.noise = *noise;
            c.lag = *lag;
        }
        (
            Tactic::Lazy(l),
            ValidatorStrategy::Lazy {
                refresh: Some(r), ..
            },
        ) => l.refresh = (*r).max(1),
        (t @ Tactic::LateFollower { .. }, ValidatorStrategy::LateFollower { lag, .. }) => {
            t.set_knob(Knob::Lag, *lag as f64)
        }
        _ => {}
    }
}
