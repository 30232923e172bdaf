//! Miner economics: miners pay a daily cost in USD, stop serving after losing money for too
//! long, and candidates of new quality arrive and register when the expected return beats the
//! cost and repays the burn. What drives it is what a miner is paid: alpha at the pool price,
//! TAO at the market price.

use super::miner::{HonestMiner, Quality, ServedQuality};
use crate::chain::emission::RAO_PER_TAO;
use crate::engine::{Economy, EpochEmission, Metagraph, Registrar};
use crate::record::Role;
use crate::scenario::{BLOCKS_PER_DAY, MinerEconomics};
use bevy_ecs::prelude::*;

/// A subnet's miner economics and what its miners earned per day at the last epoch.
#[derive(Component, Clone, Debug)]
pub struct SubnetEconomics {
    /// The scenario's rules.
    pub rules: MinerEconomics,
    /// All miners' income at the last epoch, USD per day.
    pub miner_income_usd_per_day: f64,
}

/// A miner's losing streak: the block from which its earnings have not covered its cost.
#[derive(Component, Clone, Copy, Debug, Default)]
pub struct LosingSince(pub Option<u64>);

/// A miner that stopped serving: no cost, quality 0, waiting to be pruned.
#[derive(Component, Clone, Copy, Debug)]
pub struct Departed;

/// USD value of `alpha` rao on a subnet at `price` TAO per alpha and `usd` per TAO.
fn usd(alpha: u64, price: f64, usd: f64) -> f64 {
    alpha as f64 / RAO_PER_TAO as f64 * price * usd
}

/// After `subnet`'s epoch at `block` (`tempo` blocks since the previous one): book each
/// serving miner's earnings against its cost; a miner losing money for `patience_days` stops
/// serving. Returns how many stopped.
pub fn settle(world: &mut World, subnet: Entity, block: u64, tempo: u64, tao_usd: f64) -> u32 {
    let Some(rules) = world
        .get::<SubnetEconomics>(subnet)
        .map(|e| e.rules.clone())
    else {
        return 0;
    };
    let price = world.get::<Economy>(subnet).map_or(1.0, |e| e.price());
    let uids = world
        .get::<Metagraph>(subnet)
        .map(|m| m.uids.clone())
        .unwrap_or_default();
    let cost = rules.cost_per_day * tempo as f64 / BLOCKS_PER_DAY as f64;
    let patience = (rules.patience_days * BLOCKS_PER_DAY as f64) as u64;
    let (mut income, mut left) = (0.0, 0);
    for e in uids {
        if world.get::<Quality>(e).is_none() || world.get::<Departed>(e).is_some() {
            continue;
        }
        let earned = usd(
            world.get::<EpochEmission>(e).map_or(0, |x| x.0),
            price,
            tao_usd,
        );
        income += earned;
        let since = world.get::<LosingSince>(e).and_then(|l| l.0);
        let since = if earned >= cost {
            None
        } else {
            Some(since.unwrap_or(block))
        };
        if since.is_some_and(|s| block - s >= patience) {
            let mut miner = world.entity_mut(e);
            miner.remove::<HonestMiner>();
            miner.insert(Departed);
            if let Some(mut q) = miner.get_mut::<Quality>() {
                q.value = 0.0;
            }
            left += 1;
        } else {
            world.entity_mut(e).insert(LosingSince(since));
        }
    }
    if let Some(mut s) = world.get_mut::<SubnetEconomics>(subnet) {
        s.miner_income_usd_per_day = income * BLOCKS_PER_DAY as f64 / tempo.max(1) as f64;
    }
    left
}

/// Whether a candidate of `quality` registers on `subnet` now: its expected share of the
/// miners' income (its quality over the served quality with it) minus its cost, over
/// `payback_days`, must beat the burn.
pub fn enters(world: &World, subnet: Entity, quality: f64, block: u64, tao_usd: f64) -> bool {
    let Some(econ) = world.get::<SubnetEconomics>(subnet) else {
        return false;
    };
    let Some(entrants) = &econ.rules.entrants else {
        return false;
    };
    let served: f64 = world
        .get::<ServedQuality>(subnet)
        .map_or(0.0, |s| s.0.iter().map(|(_, q)| q.max(0.0)).sum());
    let share = if served + quality > 0.0 {
        quality / (served + quality)
    } else {
        0.0
    };
    let profit_per_day = econ.miner_income_usd_per_day * share - econ.rules.cost_per_day;
    let burn = world.get::<Registrar>(subnet).map_or(0, |r| {
        r.rules.decay(r.burn, block.saturating_sub(r.burn_block))
    });
    // The burn is TAO: it is paid, not converted.
    let burn_usd = burn as f64 / RAO_PER_TAO as f64 * tao_usd;
    profit_per_day > 0.0 && profit_per_day * entrants.payback_days > burn_usd
}

/// Miners serving on `subnet` (registered, not departed).
pub fn serving(world: &World, subnet: Entity) -> u32 {
    world.get::<Metagraph>(subnet).map_or(0, |m| {
        m.uids
            .iter()
            .filter(|&&e| {
                world.get::<Quality>(e).is_some()
                    && world.get::<Departed>(e).is_none()
                    && world
                        .get::<crate::engine::Neuron>(e)
                        .is_some_and(|n| n.role == Role::Miner)
            })
            .count() as u32
    })
}

/// Random-stream ids of subnets' entrant processes: above every hotkey id.
const ENTRANTS_ID_BASE: u64 = 1 << 59;

/// Give subnet `index` (entity `entity`), if it has `economics:`, its rules and an entrant
/// process with its random stream and first arrival.
pub fn attach(
    world: &mut World,
    (index, entity): (usize, Entity),
    scenario: &crate::scenario::Scenario,
    run: u64,
) {
    let start = scenario.start.block;
    let Some(spec) = scenario.subnets.get(index) else {
        return;
    };
    let Some(rules) = &spec.economics else {
        return;
    };
    let netuid = spec.netuid.unwrap_or(index as u16 + 1);
    let mut rng = crate::rng::stream(
        scenario.seed,
        run,
        crate::rng::Purpose::Agent,
        ENTRANTS_ID_BASE + netuid as u64,
    );
    let first = rules
        .entrants
        .as_ref()
        .and_then(|e| arrival_gap(e.rate_per_day, &mut rng));
    world.entity_mut(entity).insert((
        SubnetEconomics {
            rules: rules.clone(),
            miner_income_usd_per_day: 0.0,
        },
        crate::engine::AgentRng(rng),
    ));
    if let Some(gap) = first {
        world
            .resource_mut::<crate::engine::EventQueue>()
            .schedule(start + gap, crate::engine::Event::Entrant(entity));
    }
}

/// Blocks to the next arrival of a Poisson process with `rate_per_day` (at least 1; none for a
/// zero rate).
pub fn arrival_gap(rate_per_day: f64, rng: &mut rand_chacha::ChaCha8Rng) -> Option<u64> {
    use rand::RngExt;
    if rate_per_day.is_nan() || rate_per_day <= 0.0 {
        return None;
    }
    let u: f64 = rng.random_range(f64::MIN_POSITIVE..1.0);
    let days = -u.ln() / rate_per_day;
    Some(((days * BLOCKS_PER_DAY as f64).ceil() as u64).clamp(1, 1 << 40))
}
