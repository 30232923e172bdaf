//! Operators: actors that register miners or move stake instead of setting weights (see
//! [`crate::scenario::Operator`]). Each is an entity of its own, acting one block after each
//! epoch of its subnet through the same registration and stake storage as everyone else.

use super::build::{Seat, Spawn};
use super::coinbase::Economy;
use super::components::*;
use super::events::{Event, EventQueue};
use super::registration::{price, register_one, to_prune};
use crate::agents::staker::{Staker, stake, unstake};
use crate::record::Role;
use crate::scenario::{Hyperparameters, MinerStrategy};
use bevy_ecs::prelude::*;

/// A deregistration griefer's state.
#[derive(Component, Clone, Debug)]
pub struct Griefer {
    /// Operator id (coalition of its miners).
    pub id: u32,
    /// The neurons it wants gone.
    pub targets: Vec<Entity>,
    /// Quality of its junk miners.
    pub quality: f64,
    /// Most rao it burns.
    pub budget: u64,
    /// Rao burned so far.
    pub spent: u64,
}

/// A stake whale's state.
#[derive(Component, Clone, Debug)]
pub struct Whale {
    /// Its validators, in rotation order.
    pub validators: Vec<Entity>,
    /// Index of the validator holding its stake.
    pub at: usize,
    /// Its pro-rata part of that validator's stake.
    pub fraction: f64,
    /// Epochs between moves (0: never).
    pub every: u64,
    /// Epochs seen.
    pub epochs: u64,
}

/// A price pumper's state: its TAO and alpha position (kept as a staker's, so buying and
/// selling go through the same pool code), and when it buys and sells (absolute blocks).
#[derive(Component, Clone, Debug)]
pub struct Pumper {
    /// Its wallet and position.
    pub holdings: Staker,
    /// First block at which it buys.
    pub buy_at: u64,
    /// First block at which it sells.
    pub sell_at: u64,
    /// Whether it has bought.
    pub bought: bool,
}

/// Where an operator acts: its subnet (entity and position in the scenario) and what a
/// registration needs to spawn a neuron. It acts once per tempo of the subnet.
#[derive(Component, Clone, Copy, Debug)]
pub struct Acting {
    /// Index of the subnet in the scenario.
    pub subnet_index: usize,
    /// Spawn context (its `block` is set at each act).
    pub spawn: Spawn,
}

/// Let operator `entity` act at `block` under the subnet's current hyperparameters `hp`, then
/// schedule its next turn (a griefer with nothing left to do stops).
pub fn act(world: &mut World, entity: Entity, hp: &Hyperparameters, block: u64) {
    let Some(acting) = world.get::<Acting>(entity).copied() else {
        return;
    };
    let again = if world.get::<Griefer>(entity).is_some() {
        grief(world, entity, acting, hp, block)
    } else if world.get::<Pumper>(entity).is_some() {
        pump(world, entity, acting.spawn.subnet, block)
    } else {
        move_stake(world, entity);
        true
    };
    if again {
        let next = block + (hp.tempo as u64).max(1);
        world
            .resource_mut::<EventQueue>()
            .schedule(next, Event::Operate(entity));
    }
}

/// Register junk miners while the UID pruning would replace is a target; false once every
/// target is gone or the budget cannot pay the next registration.
fn grief(
    world: &mut World,
    entity: Entity,
    acting: Acting,
    hp: &Hyperparameters,
    block: u64,
) -> bool {
    let subnet = acting.spawn.subnet;
    let mut at = acting.spawn;
    at.block = block;
    loop {
        let Some(uids) = world.get::<Metagraph>(subnet).map(|m| m.uids.clone()) else {
            return false;
        };
        let Some(g) = world.get::<Griefer>(entity).cloned() else {
            return false;
        };
        let remaining: Vec<Entity> = g
            .targets
            .iter()
            .copied()
            .filter(|t| uids.contains(t))
            .collect();
        if remaining.is_empty() {
            return false;
        }
        // A subnet with free UIDs prunes no one: wait until it is full.
        if uids.len() < hp.max_allowed_uids as usize {
            return true;
        }
        let Some(victim) = to_prune(world, &uids, hp, block) else {
            return true;
        };
        if !remaining.contains(&uids[victim as usize]) {
            return true;
        }
        let Some(cost) = price(world, subnet, block) else {
            return false;
        };
        if g.spent.saturating_add(cost) > g.budget {
            return false;
        }
        register_one(world, &at, hp, Role::Miner, |world, uid, index| {
            let id = at.miner(
                world,
                Seat {
                    uid,
                    index,
                    stake_rao: 0,
                    root_rao: 0,
                },
                g.quality,
                &MinerStrategy::Honest { drift: 0.0 },
            );
            if let Some(mut n) = world.get_mut::<Neuron>(id) {
                n.strategy = "dereg_griefer";
            }
            world.entity_mut(id).insert(Coalition(g.id));
            id
        });
        if let Some(mut g) = world.get_mut::<Griefer>(entity) {
            g.spent = g.spent.saturating_add(cost);
        }
        crate::agents::miner::publish_served(world, subnet);
    }
}

/// Buy at `buy_at`, sell everything at `sell_at`; false once it has sold (or cannot trade:
/// no pool).
fn pump(world: &mut World, entity: Entity, subnet: Entity, block: u64) -> bool {
    let Some(mut p) = world.get::<Pumper>(entity).cloned() else {
        return false;
    };
    if world.get::<Economy>(subnet).is_none_or(|e| !e.active) {
        return false;
    }
    let mut again = true;
    if !p.bought && block >= p.buy_at {
        let tao = std::mem::take(&mut p.holdings.wallet);
        stake(world, &mut p.holdings, subnet, tao);
        let spent = tao - p.holdings.wallet;
        world.resource_mut::<Recorder>().0.totals.pumper_spent_rao += spent;
        p.bought = true;
    } else if p.bought && block >= p.sell_at {
        let mut received = 0;
        for mut pos in std::mem::take(&mut p.holdings.positions) {
            received += unstake(world, &mut pos, 1.0);
        }
        p.holdings.wallet += received;
        world
            .resource_mut::<Recorder>()
            .0
            .totals
            .pumper_received_rao += received;
        again = false;
    }
    if let Some(mut mine) = world.get_mut::<Pumper>(entity) {
        *mine = p;
    }
    again
}

/// Every `every` epochs, move the whale's part of its validator's stake to the next one.
fn move_stake(world: &mut World, entity: Entity) {
    let Some(mut whale) = world.get::<Whale>(entity).cloned() else {
        return;
    };
    whale.epochs += 1;
    let n = whale.validators.len();
    if whale.every > 0 && n > 1 && whale.epochs.is_multiple_of(whale.every) {
        let (from, to) = (
            whale.validators[whale.at],
            whale.validators[(whale.at + 1) % n],
        );
        let held = world.get::<Stake>(from).map_or(0, |s| s.0);
        let amount = ((held as f64 * whale.fraction) as u64).min(held);
        if world.get::<Stake>(to).is_some() && amount > 0 {
            if let Some(mut s) = world.get_mut::<Stake>(from) {
                s.0 -= amount;
            }
            let after = world.get_mut::<Stake>(to).map_or(0, |mut s| {
                s.0 = s.0.saturating_add(amount);
                s.0
            });
            whale.fraction = amount as f64 / after.max(1) as f64;
            whale.at = (whale.at + 1) % n;
        }
    }
    if let Some(mut w) = world.get_mut::<Whale>(entity) {
        *w = whale;
    }
}
