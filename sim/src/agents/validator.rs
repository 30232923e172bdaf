//! Honest validators: observe each miner's quality with their own noise, set weights on what
//! they see, and come back every `interval` blocks.

use super::miner::ServedQuality;
use super::standard_normal;
use crate::chain::yuma::SparseRow;
use crate::engine::Event;
use crate::engine::{AgentRng, Clock, EventQueue, LastUpdate, Neuron, Weights};
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

/// Observe, set weights (as the `set_weights` extrinsic stores them: max-upscaled so the largest
/// is 65,535; zero weights are not sent, as the Bittensor SDK drops them), update `LastUpdate`,
/// and schedule the next update.
pub fn set_weights(
    In(neuron): In<Entity>,
    clock: Res<Clock>,
    mut queue: ResMut<EventQueue>,
    mut validators: Query<(
        &Neuron,
        &HonestValidator,
        &mut AgentRng,
        &mut Weights,
        &mut LastUpdate,
    )>,
    subnets: Query<&ServedQuality>,
    mut observed: Local<Vec<(u16, f64)>>,
) {
    let Ok((me, strategy, mut rng, mut weights, mut last_update)) = validators.get_mut(neuron)
    else {
        return;
    };
    let Ok(served) = subnets.get(me.subnet) else {
        return;
    };
    let rng = &mut rng.0;
    observed.clear();
    observed.extend(served.0.iter().map(|&(uid, quality)| {
        (
            uid,
            (quality + strategy.noise * standard_normal(rng)).max(0.0),
        )
    }));
    weights_from_observations(&mut observed, &strategy.rule, &mut weights.0);
    last_update.0 = clock.block;
    queue.schedule(clock.block + strategy.interval, Event::SetWeights(neuron));
}

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

    #[test]
    fn top_k_takes_the_best_and_breaks_ties_by_uid() {
        let mut obs = vec![(1, 0.3), (2, 0.9), (3, 0.3), (4, 0.1)];
        let mut row = Vec::new();
        weights_from_observations(&mut obs, &WeightRule::TopK { k: 2 }, &mut row);
        assert_eq!(row, vec![(1, 65_535.0), (2, 65_535.0)]);
    }
}
