//! Registration waves: each new neuron pays the current burn, takes a free UID or replaces the
//! one pruning picks (spec §6), and starts with no weights, no bonds, no permit and immunity.

use super::EngineError;
use super::build::{Seat, Spawn, tao_to_rao};
use super::components::*;
use crate::agents::miner::publish_served;
use crate::chain::registration::{PruneCandidate, is_immune, neuron_to_prune};
use crate::record::Role;
use crate::scenario::{Hyperparameters, Wave};
use bevy_ecs::prelude::*;

/// Register every neuron of `wave` (at field path `path`) on `subnet` at `block`, validators
/// first, in order.
pub fn register_wave(
    world: &mut World,
    mut at: Spawn,
    subnet: Entity,
    (hp, wave): (&Hyperparameters, &Wave),
    path: &str,
) -> Result<(), EngineError> {
    at.subnet = subnet;
    let tempo = (hp.tempo as u64).max(1);
    let draw = {
        let Some(mut r) = world.get_mut::<Registrar>(subnet) else {
            return Ok(());
        };
        r.waves += 1;
        r.waves
    };
    if let Some(v) = &wave.validators {
        let (stakes, roots) = super::build::validator_draws(
            v,
            &mut at.population(Role::Validator, draw),
            &format!("{path}.validators"),
        )?;
        for (stake, root) in stakes.into_iter().zip(roots) {
            register_one(world, &at, hp, Role::Validator, |world, uid, index| {
                at.validator(
                    world,
                    Seat {
                        uid,
                        index,
                        stake_rao: tao_to_rao(stake),
                        root_rao: tao_to_rao(root),
                    },
                    false,
                    &v.strategy,
                    (tempo, super::build::update_every(hp)),
                )
            });
        }
    }
    if let Some(m) = &wave.miners {
        let (quality, stakes) = super::build::miner_draws(
            m,
            &mut at.population(Role::Miner, draw),
            &format!("{path}.miners"),
        )?;
        for (q, stake) in quality.into_iter().zip(stakes) {
            register_one(world, &at, hp, Role::Miner, |world, uid, index| {
                at.miner(
                    world,
                    Seat {
                        uid,
                        index,
                        stake_rao: tao_to_rao(stake),
                        root_rao: 0,
                    },
                    q,
                    &m.strategy,
                )
            });
        }
    }
    publish_served(world, subnet);
    Ok(())
}

/// The UID a registration at `block` would replace on a full subnet of `uids`
/// (`get_neuron_to_prune`), if any may be.
pub fn to_prune(world: &World, uids: &[Entity], hp: &Hyperparameters, block: u64) -> Option<u16> {
    let candidates: Vec<PruneCandidate> = uids
        .iter()
        .map(|&e| PruneCandidate {
            emission: world.get::<EpochEmission>(e).map_or(0, |x| x.0),
            registered: world.get::<Registration>(e).map_or(0, |r| r.0),
            immune: world
                .get::<Registration>(e)
                .is_some_and(|r| is_immune(block, r.0, hp.immunity_period)),
            immortal: world
                .get::<Neuron>(e)
                .is_some_and(|n| n.role == Role::Owner),
        })
        .collect();
    neuron_to_prune(&candidates, hp.min_non_immune_uids)
}

/// The registration price at `block` (`Burn` after its per-block decay).
pub fn price(world: &World, subnet: Entity, block: u64) -> Option<u64> {
    let r = world.get::<Registrar>(subnet)?;
    Some(r.rules.decay(r.burn, block.saturating_sub(r.burn_block)))
}

/// One registration: price, UID, replacement, spawn, price bump.
pub fn register_one(
    world: &mut World,
    at: &Spawn,
    hp: &Hyperparameters,
    role: Role,
    spawn: impl FnOnce(&mut World, usize, u32) -> Entity,
) {
    let subnet = at.subnet;
    let block = at.block;
    let Some(uids) = world.get::<Metagraph>(subnet).map(|m| m.uids.clone()) else {
        return;
    };
    let uid = if uids.len() < hp.max_allowed_uids as usize {
        uids.len()
    } else {
        match to_prune(world, &uids, hp, block) {
            Some(uid) => {
                replace(world, &uids, uid as usize);
                uid as usize
            }
            None => {
                if let Some(mut r) = world.get_mut::<Registrar>(subnet) {
                    r.refused += 1;
                }
                return;
            }
        }
    };
    let Some(mut registrar) = world.get_mut::<Registrar>(subnet) else {
        return;
    };
    // The price decays every block (on_initialize), then this extrinsic pays it and bumps it.
    let elapsed = block.saturating_sub(registrar.burn_block);
    let price = registrar.rules.decay(registrar.burn, elapsed);
    registrar.burn = registrar.rules.bump(price);
    registrar.burn_block = block;
    registrar.registrations += 1;
    registrar.burned_rao = registrar.burned_rao.saturating_add(price);
    let slot = match role {
        Role::Validator | Role::Owner => 0,
        Role::Miner => 1,
    };
    let index = registrar.next_index[slot];
    registrar.next_index[slot] += 1;
    let entity = spawn(world, uid, index);
    world.entity_mut(entity).insert(RegistrationCost(price));
    if let Some(mut m) = world.get_mut::<Metagraph>(subnet) {
        if uid == m.uids.len() {
            m.uids.push(entity);
        } else {
            m.uids[uid] = entity;
        }
    }
}

/// `clear_neuron`: the old occupant of `uid` leaves (its entity and rows go), and every other
/// UID's stored weight on `uid` becomes 0. Bonds on the UID stay until the epoch masks them by
/// the new registration block.
fn replace(world: &mut World, uids: &[Entity], uid: usize) {
    world.despawn(uids[uid]);
    for (other, &e) in uids.iter().enumerate() {
        if other == uid {
            continue;
        }
        if let Some(mut w) = world.get_mut::<Weights>(e)
            && let Ok(i) = w.0.binary_search_by_key(&(uid as u16), |(j, _)| *j)
        {
            w.0[i].1 = 0.0;
        }
    }
}
