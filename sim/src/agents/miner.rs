//! Honest miners: a latent quality that validators observe, drifting as a random walk.

use super::standard_normal;
use crate::engine::{AgentRng, Clock, Metagraph};
use bevy_ecs::prelude::*;

/// An honest miner's behaviour.
#[derive(Component, Clone, Debug)]
pub struct HonestMiner {
    /// Standard deviation of the quality random walk per √day.
    pub drift: f64,
}

/// The miner's latent quality and when it was last moved.
#[derive(Component, Clone, Copy, Debug)]
pub struct Quality {
    /// Current quality (≥ 0).
    pub value: f64,
    /// Block of the last drift step.
    pub updated: u64,
}

/// What a subnet's miners served as of its last epoch, `(uid, quality)` in UID order: what
/// validators observe (each with its own noise) until the next epoch. A flat copy, so that a
/// validator's 200 observations do not cost 200 entity look-ups.
#[derive(Component, Clone, Debug, Default)]
pub struct ServedQuality(pub Vec<(u16, f64)>);

/// Move every drifting miner of `subnet` to the current block: a Gaussian step with variance
/// `drift² × days elapsed`, reflected at 0. Runs at each epoch, before [`publish_served`].
pub fn drift_quality(
    In(subnet): In<Entity>,
    clock: Res<Clock>,
    subnets: Query<&Metagraph>,
    mut miners: Query<(&HonestMiner, &mut Quality, &mut AgentRng)>,
) {
    let Ok(metagraph) = subnets.get(subnet) else {
        return;
    };
    for &entity in &metagraph.uids {
        let Ok((miner, mut quality, mut rng)) = miners.get_mut(entity) else {
            continue;
        };
        let days = clock.block.saturating_sub(quality.updated) as f64
            / crate::scenario::BLOCKS_PER_DAY as f64;
        quality.updated = clock.block;
        if miner.drift > 0.0 && days > 0.0 {
            let step = miner.drift * days.sqrt() * standard_normal(&mut rng.0);
            quality.value = (quality.value + step).abs();
        }
    }
}

/// Publish the subnet's [`ServedQuality`] from its miners' current quality: at each epoch and
/// whenever the metagraph changes (registrations).
pub fn publish_served(world: &mut World, subnet: Entity) {
    let uids = world
        .get::<Metagraph>(subnet)
        .map(|m| m.uids.clone())
        .unwrap_or_default();
    let served: Vec<(u16, f64)> = uids
        .iter()
        .enumerate()
        .filter_map(|(uid, &e)| world.get::<Quality>(e).map(|q| (uid as u16, q.value)))
        .collect();
    if let Some(mut s) = world.get_mut::<ServedQuality>(subnet) {
        s.0 = served;
    }
}
