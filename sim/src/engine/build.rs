//! Build the world for one run: a subnet entity per subnet, a neuron entity per UID, their
//! strategy components, and the first events.

use super::components::*;
use super::events::{Event, EventQueue};
use crate::agents::miner::{HonestMiner, Quality, ServedQuality};
use crate::agents::validator::HonestValidator;
use crate::chain::emission::RAO_PER_TAO;
use crate::chain::yuma::{YumaParams, stake::top_k_nonzero};
use crate::record::Role;
use crate::rng::{Purpose, stream};
use crate::scenario::{Hyperparameters, MinerStrategy, Scenario, Subnet, ValidatorStrategy};
use bevy_ecs::prelude::*;
use rand::RngExt;

/// Stable hotkey id: netuid, role and position in the population. It keys the agent's random
/// stream, so adding a miner never changes what a validator draws.
pub fn hotkey_id(netuid: u16, role: Role, index: u32) -> u64 {
    let role_bits: u64 = match role {
        Role::Validator => 0,
        Role::Miner => 1,
    };
    ((netuid as u64) << 40) | (role_bits << 32) | index as u64
}

/// The chain's hyperparameters as the fractions the epoch uses.
pub fn yuma_params(hp: &Hyperparameters) -> YumaParams {
    YumaParams {
        kappa: hp.kappa as f64 / 65_535.0,
        bonds_penalty: hp.bonds_penalty as f64 / 65_535.0,
        bonds_moving_average: hp.bonds_moving_average as f64 / 1_000_000.0,
        yuma3: hp.yuma3,
        liquid_alpha: hp.liquid_alpha.enabled,
        alpha_low: hp.liquid_alpha.alpha_low as f64 / 65_535.0,
        alpha_high: hp.liquid_alpha.alpha_high as f64 / 65_535.0,
        alpha_sigmoid_steepness: hp.liquid_alpha.steepness as f64,
        activity_cutoff: hp.activity_cutoff_blocks(),
        max_allowed_validators: hp.max_allowed_validators as usize,
        stake_threshold: 0.0,
    }
}

fn tao_to_rao(tao: f64) -> u64 {
    // Validation bounds what it can; an unbounded tail (a Pareto draw without `total`) is held to
    // the supply, so stake arithmetic never overflows. `as` maps NaN to 0.
    ((tao * RAO_PER_TAO as f64).round() as u64).min(crate::chain::emission::MAX_SUPPLY_RAO)
}

/// Spawn everything for `scenario`; returns the subnet entities in scenario order.
pub fn populate(world: &mut World, scenario: &Scenario, run: u32) -> Vec<Entity> {
    let start = scenario.start.block;
    let mut subnets = Vec::new();
    for (i, subnet) in scenario.subnets.iter().enumerate() {
        let netuid = subnet.netuid.unwrap_or(i as u16 + 1);
        subnets.push(spawn_subnet(
            world,
            scenario.seed,
            run as u64,
            start,
            netuid,
            subnet,
        ));
    }
    world
        .resource_mut::<EventQueue>()
        .schedule(start, Event::DailyRecord);
    subnets
}

fn spawn_subnet(
    world: &mut World,
    seed: u64,
    run: u64,
    start: u64,
    netuid: u16,
    subnet: &Subnet,
) -> Entity {
    let hp = &subnet.hyperparameters;
    let tempo = (hp.tempo as u64).max(1);
    // The chain staggers subnets: LastEpochBlock starts at `creation − netuid mod tempo`.
    let first_epoch = start + tempo - (netuid as u64 % tempo);
    let rules = SubnetRules {
        yuma: yuma_params(hp),
        tempo,
        emission_share: subnet.emission_share,
    };
    let entity = world
        .spawn((
            SubnetId(netuid),
            rules,
            EpochClock {
                next_epoch_block: first_epoch,
                ..Default::default()
            },
            Pending::default(),
            EpochBuffers::default(),
        ))
        .id();
    world
        .resource_mut::<EventQueue>()
        .schedule(first_epoch, Event::Epoch(entity));

    let population = |role: Role| {
        stream(
            seed,
            run,
            Purpose::Population,
            hotkey_id(netuid, role, u32::MAX),
        )
    };
    let validators = &subnet.validators;
    let miners = &subnet.miners;
    let v_stake = validators
        .stake
        .sample(validators.count, &mut population(Role::Validator));
    let mut miner_rng = population(Role::Miner);
    let quality = miners.quality.sample(miners.count, &mut miner_rng);
    let m_stake = match &miners.stake {
        Some(d) => d.sample(miners.count, &mut miner_rng),
        None => vec![0.0; miners.count as usize],
    };

    // The run starts on an established subnet: permits are those the previous epoch would have
    // given (top-k by stake), not the empty set of a brand-new subnet.
    let stake: Vec<f64> = v_stake.iter().chain(&m_stake).copied().collect();
    let mut permits = Vec::new();
    top_k_nonzero(
        &stake,
        hp.max_allowed_validators as usize,
        &mut Vec::new(),
        &mut permits,
    );

    let mut uids = Vec::with_capacity(stake.len());
    let base = |world: &mut World, uid: usize, role: Role, index: u32, strategy: &'static str| {
        let hotkey = hotkey_id(netuid, role, index);
        world
            .spawn((
                Neuron {
                    hotkey,
                    netuid,
                    uid: uid as u16,
                    subnet: entity,
                    role,
                    strategy,
                },
                Stake(tao_to_rao(stake[uid])),
                Registration(start),
                LastUpdate(start),
                Weights::default(),
                Bonds::default(),
                Permit(permits[uid]),
                AgentRng(stream(seed, run, Purpose::Agent, hotkey)),
            ))
            .id()
    };
    for index in 0..validators.count {
        let uid = uids.len();
        let id = base(world, uid, Role::Validator, index, "honest");
        match &validators.strategy {
            ValidatorStrategy::Honest {
                noise,
                weights,
                interval,
            } => {
                let interval = interval.unwrap_or(tempo).max(1);
                let mut agent = world.entity_mut(id);
                agent.insert(HonestValidator {
                    noise: *noise,
                    rule: weights.clone(),
                    interval,
                });
                // Each validator comes at its own phase inside the interval, after registration.
                let phase = agent
                    .get_mut::<AgentRng>()
                    .map_or(1, |mut r| r.0.random_range(1..=interval));
                world
                    .resource_mut::<EventQueue>()
                    .schedule(start + phase, Event::SetWeights(id));
            }
        }
        uids.push(id);
    }
    for index in 0..miners.count {
        let uid = uids.len();
        let id = base(world, uid, Role::Miner, index, "honest");
        let quality = Quality {
            value: quality[index as usize].max(0.0),
            updated: start,
        };
        match &miners.strategy {
            MinerStrategy::Honest { drift } => {
                world
                    .entity_mut(id)
                    .insert((quality, HonestMiner { drift: *drift }));
            }
        }
        uids.push(id);
    }
    let first_miner = validators.count as usize;
    let served = quality
        .iter()
        .enumerate()
        .map(|(i, q)| ((first_miner + i) as u16, q.max(0.0)))
        .collect();
    world
        .entity_mut(entity)
        .insert((Metagraph { uids }, ServedQuality(served)));
    entity
}
