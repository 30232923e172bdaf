//! Nominators: TAO holders who stake into subnets through the pools (a swap with the fee),
//! follow dividend yield with inertia and leave a subnet whose price fell too far. Their alpha
//! is delegated to the subnet's largest validator, so it is that validator's stake in the
//! epoch; they own it as shares of the hotkey's stake, so dividends compound for them as the
//! chain's `increase_stake_for_hotkey_on_subnet` does for nominators.

use crate::chain::coinbase::root_proportion;
use crate::chain::emission;
use crate::engine::{
    AgentRng, Clock, Economics, Economy, Event, EventQueue, Metagraph, Neuron, Recorder, Shard,
    Stake, subnet_mut,
};
use crate::record::Role;
use crate::scenario::Stakers;
use bevy_ecs::prelude::*;

/// A staker's position on one subnet.
#[derive(Clone, Debug, PartialEq)]
pub struct Position {
    /// The subnet's position in the scenario.
    pub shard: usize,
    /// The subnet entity (in its shard's world).
    pub subnet: Entity,
    /// The validator hotkey it is delegated to.
    pub validator: Entity,
    /// Shares of the validator's stake.
    pub shares: f64,
    /// Spot price when it was (last) bought, TAO per alpha.
    pub entry_price: f64,
}

/// A nominator.
#[derive(Component, Clone, Debug)]
pub struct Staker {
    /// Unstaked TAO, rao.
    pub wallet: u64,
    /// Open positions.
    pub positions: Vec<Position>,
    /// Blocks between decisions.
    pub interval: u64,
    /// Fraction of an off-best position kept per decision.
    pub inertia: f64,
    /// Price drop that triggers a sale.
    pub exit_drop: f64,
    /// Noise on perceived yields.
    pub noise: f64,
}

/// Total shares issued on a validator hotkey's stake (its own stake counts one share per rao
/// when nominators first arrive).
#[derive(Component, Clone, Copy, Debug)]
pub struct HotkeyShares(pub f64);

/// The chain's minimum stake operation, 0.002 TAO (`DefaultMinStake`).
const MIN_STAKE_RAO: u64 = 2_000_000;

/// Random-stream ids of stakers: above every hotkey id (which use at most 58 bits).
const STAKER_ID_BASE: u64 = 1 << 60;

/// Spawn the stakers of `spec` with their wallets; each first acts at its own random phase.
/// An error if the wallets drawn cannot be used (see [`crate::engine::EngineError::Population`]).
pub fn spawn(
    world: &mut World,
    spec: &Stakers,
    seed: u64,
    run: u64,
    block: u64,
) -> Result<(), crate::engine::EngineError> {
    use rand::RngExt;
    let mut population =
        crate::rng::stream(seed, run, crate::rng::Purpose::Population, STAKER_ID_BASE);
    let wallets = crate::engine::stakes(
        &spec.wallet,
        spec.count,
        &mut population,
        "network.stakers.wallet",
    )?;
    for (i, tao) in wallets.into_iter().enumerate() {
        let mut rng = crate::rng::stream(
            seed,
            run,
            crate::rng::Purpose::Agent,
            STAKER_ID_BASE + 1 + i as u64,
        );
        let phase = rng.random_range(1..=spec.interval.max(1));
        let id = world
            .spawn((
                Staker {
                    wallet: crate::engine::tao_to_rao(tao),
                    positions: Vec::new(),
                    interval: spec.interval.max(1),
                    inertia: spec.inertia,
                    exit_drop: spec.exit_drop,
                    noise: spec.noise,
                },
                AgentRng(rng),
            ))
            .id();
        world
            .resource_mut::<EventQueue>()
            .schedule(block + phase, Event::Stake(id));
    }
    Ok(())
}

/// The alpha dividend yield per block of a subnet's staked alpha: the validators' part of one
/// block's alpha emission (after owner cut and root) over the alpha outstanding.
pub fn dividend_yield(econ: &Economy, owner_cut: u16, tao_weight: f64, root_stake: u64) -> f64 {
    let issuance = econ.alpha_issuance();
    let per_block = emission::block_emission(issuance) as f64;
    let rp = root_proportion(tao_weight, root_stake, issuance);
    let validators = per_block * (1.0 - owner_cut as f64 / 65_535.0) / 2.0 * (1.0 - rp);
    validators / econ.alpha_out.max(1) as f64
}

/// One decision of staker `me` (in the coordinator's `world`): sell falling positions, move
/// part of the others toward the best perceived yield, and stake idle TAO there. Schedules the
/// next decision.
pub(crate) fn act(world: &mut World, me: Entity, shards: &mut [Shard], owner_cut: u16) {
    let Some(mut staker) = world.get::<Staker>(me).cloned() else {
        return;
    };
    let block = world.resource::<Clock>().block;
    world
        .resource_mut::<EventQueue>()
        .schedule(block + staker.interval, Event::Stake(me));
    let (tao_weight, root_stake) = {
        let e = world.resource::<Economics>();
        (e.settings.tao_weight, e.root_stake)
    };
    // Perceived yields, one noise draw per subnet in subnet order (stable).
    let mut best: Option<(usize, f64)> = None;
    let slots = shards
        .iter()
        .flat_map(|s| s.slots.iter().map(move |k| (k.index, &s.world, k.entity)));
    for (i, shard_world, entity) in slots {
        let Some(econ) = shard_world.get::<Economy>(entity) else {
            continue;
        };
        if !econ.active {
            continue;
        }
        let y = dividend_yield(econ, owner_cut, tao_weight, root_stake);
        let noise = staker.noise;
        let factor = world.get_mut::<AgentRng>(me).map_or(1.0, |mut r| {
            (noise * super::standard_normal(&mut r.0)).exp()
        });
        let perceived = y * factor;
        if best.is_none_or(|(_, b)| perceived > b) {
            best = Some((i, perceived));
        }
    }
    let positions = std::mem::take(&mut staker.positions);
    for mut pos in positions {
        let Some((shard_world, _)) = subnet_mut(shards, pos.shard) else {
            continue;
        };
        let price = shard_world
            .get::<Economy>(pos.subnet)
            .map_or(0.0, |e| e.pool.price());
        let sell = if price < pos.entry_price * (1.0 - staker.exit_drop) {
            1.0
        } else if best.is_some_and(|(b, _)| b != pos.shard) {
            1.0 - staker.inertia
        } else {
            0.0
        };
        if sell > 0.0 {
            staker.wallet += unstake(shard_world, &mut pos, sell);
        }
        if pos.shares > 0.0 {
            staker.positions.push(pos);
        }
    }
    if let Some((i, _)) = best
        && staker.wallet >= MIN_STAKE_RAO
        && let Some((shard_world, entity)) = subnet_mut(shards, i)
    {
        let tao = std::mem::take(&mut staker.wallet);
        stake(shard_world, &mut staker, (i, entity), tao);
    }
    if let Some(mut s) = world.get_mut::<Staker>(me) {
        *s = staker;
    }
}

/// The subnet's validator with the most stake (ties: lowest UID).
fn largest_validator(world: &World, subnet: Entity) -> Option<Entity> {
    let metagraph = world.get::<Metagraph>(subnet)?;
    let mut best: Option<(Entity, u64)> = None;
    for &n in &metagraph.uids {
        if world
            .get::<Neuron>(n)
            .is_some_and(|x| x.role == Role::Validator)
        {
            let s = world.get::<Stake>(n).map_or(0, |s| s.0);
            if best.is_none_or(|(_, b)| s > b) {
                best = Some((n, s));
            }
        }
    }
    best.map(|(e, _)| e)
}

/// Buy alpha on subnet `shard` (entity `subnet` in `world`, its shard's) with `tao` rao and
/// delegate it; an undelegatable stake stays in the wallet.
pub(crate) fn stake(
    world: &mut World,
    staker: &mut Staker,
    (shard, subnet): (usize, Entity),
    tao: u64,
) {
    let Some(validator) = largest_validator(world, subnet) else {
        staker.wallet += tao;
        return;
    };
    let Some(mut econ) = world.get_mut::<Economy>(subnet) else {
        staker.wallet += tao;
        return;
    };
    let swap = econ.pool.buy(tao);
    econ.alpha_out = econ.alpha_out.saturating_add(swap.out);
    econ.flow = econ.flow.saturating_add(tao.min(i64::MAX as u64) as i64);
    let price = econ.pool.price();
    let totals = &mut world.resource_mut::<Recorder>().0.totals;
    totals.pool_in_rao += tao - swap.fee;
    totals.fees_rao += swap.fee;
    let before = world.get::<Stake>(validator).map_or(0, |s| s.0);
    let issued = world
        .get::<HotkeyShares>(validator)
        .map_or(before as f64, |h| h.0);
    let shares = if before == 0 || issued <= 0.0 {
        swap.out as f64
    } else {
        swap.out as f64 * issued / before as f64
    };
    if let Some(mut s) = world.get_mut::<Stake>(validator) {
        s.0 = s.0.saturating_add(swap.out);
    }
    world
        .entity_mut(validator)
        .insert(HotkeyShares(issued + shares));
    match staker
        .positions
        .iter_mut()
        .find(|p| p.subnet == subnet && p.validator == validator)
    {
        Some(p) => {
            let total = p.shares + shares;
            p.entry_price = (p.entry_price * p.shares + price * shares) / total;
            p.shares = total;
        }
        None => staker.positions.push(Position {
            shard,
            subnet,
            validator,
            shares,
            entry_price: price,
        }),
    }
}

/// Sell `fraction` of a position into the pool (with the fee); returns the TAO received. A
/// position on a hotkey that no longer exists is worth nothing.
pub(crate) fn unstake(world: &mut World, pos: &mut Position, fraction: f64) -> u64 {
    let sold_shares = pos.shares * fraction.clamp(0.0, 1.0);
    pos.shares -= sold_shares;
    let Some(stake) = world.get::<Stake>(pos.validator).map(|s| s.0) else {
        pos.shares = 0.0;
        return 0;
    };
    let issued = world
        .get::<HotkeyShares>(pos.validator)
        .map_or(stake as f64, |h| h.0);
    if issued <= 0.0 {
        return 0;
    }
    let alpha = ((sold_shares / issued * stake as f64).floor() as u64).min(stake);
    if let Some(mut s) = world.get_mut::<Stake>(pos.validator) {
        s.0 -= alpha;
    }
    world
        .entity_mut(pos.validator)
        .insert(HotkeyShares((issued - sold_shares).max(0.0)));
    let Some(mut econ) = world.get_mut::<Economy>(pos.subnet) else {
        return 0;
    };
    let swap = econ.pool.sell(alpha);
    econ.alpha_out = econ.alpha_out.saturating_sub(alpha);
    econ.flow = econ
        .flow
        .saturating_sub(swap.out.min(i64::MAX as u64) as i64);
    let totals = &mut world.resource_mut::<Recorder>().0.totals;
    totals.pool_out_rao += swap.out;
    totals.fees_rao += swap.fee;
    swap.out
}

/// TAO the stakers hold unstaked, rao.
pub fn wallets(world: &mut World) -> u64 {
    let mut q = world.query::<&Staker>();
    q.iter(world).map(|s| s.wallet).fold(0, u64::saturating_add)
}
