//! Build the world for one run: a subnet entity per subnet, a neuron entity per UID, their
//! strategy components, and the first events.

use super::components::*;
use super::events::{Event, EventQueue};
use crate::agents::miner::{HonestMiner, Quality, ServedQuality};
use crate::agents::validator::{Behaviour, BurnWeights, HonestValidator};
use crate::chain::emission::RAO_PER_TAO;
use crate::chain::registration::BurnRules;
use crate::chain::yuma::{ChainParams, YumaParams, stake::top_k_nonzero};
use crate::record::Role;
use crate::rng::{Purpose, stream};
use crate::scenario::{
    Hyperparameters, MinerStrategy, OwnerStrategy, Scenario, Subnet, ValidatorStrategy,
};
use bevy_ecs::prelude::*;
use rand::RngExt;

/// Stable hotkey id: netuid, role and position in the population. It keys the agent's random
/// stream, so adding a miner never changes what a validator draws.
pub fn hotkey_id(netuid: u16, role: Role, index: u32) -> u64 {
    let role_bits: u64 = match role {
        Role::Validator => 0,
        Role::Miner => 1,
        Role::Owner => 2,
    };
    ((netuid as u64) << 40) | (role_bits << 32) | index as u64
}

/// The chain's hyperparameters as the fractions the `f64` epoch uses; `stake_threshold` in
/// TAO.
pub fn yuma_params(hp: &Hyperparameters, stake_threshold: f64) -> YumaParams {
    YumaParams {
        // The engine passes stake in rao (unrounded here, as the f64 mode always did).
        stake_threshold: stake_threshold * RAO_PER_TAO as f64,
        ..chain_params(hp, stake_threshold).fractions()
    }
}

/// The chain's hyperparameters in its own units, for the `chain` epoch; `stake_threshold` in
/// TAO (rounded to rao, as the chain stores it).
pub fn chain_params(hp: &Hyperparameters, stake_threshold: f64) -> ChainParams {
    ChainParams {
        kappa: hp.kappa,
        bonds_penalty: hp.bonds_penalty,
        bonds_moving_average: hp.bonds_moving_average,
        yuma3: hp.yuma3,
        liquid_alpha: hp.liquid_alpha.enabled,
        alpha_low: hp.liquid_alpha.alpha_low,
        alpha_high: hp.liquid_alpha.alpha_high,
        alpha_sigmoid_steepness: hp.liquid_alpha.steepness,
        activity_cutoff: hp.activity_cutoff_blocks(),
        max_allowed_validators: hp.max_allowed_validators,
        stake_threshold: tao_to_rao(stake_threshold),
    }
}

/// A subnet's rules for the engine, from its hyperparameters.
pub fn subnet_rules(
    hp: &Hyperparameters,
    emission_share: f64,
    stake_threshold: f64,
) -> SubnetRules {
    SubnetRules {
        yuma: yuma_params(hp, stake_threshold),
        chain: chain_params(hp, stake_threshold),
        tempo: (hp.tempo as u64).max(1),
        emission_share,
        weights: crate::chain::set_weights::Rules {
            rate_limit: hp.weights_rate_limit,
            min_allowed_weights: hp.min_allowed_weights,
            max_weights_limit: hp.max_weights_limit,
            stake_threshold: tao_to_rao(stake_threshold),
        },
        reveal_period: hp
            .commit_reveal
            .enabled
            .then_some(hp.commit_reveal.reveal_period),
    }
}

/// TAO to rao, held to the supply so stake arithmetic never overflows (`as` maps NaN to 0).
pub fn tao_to_rao(tao: f64) -> u64 {
    ((tao * RAO_PER_TAO as f64).round() as u64).min(crate::chain::emission::MAX_SUPPLY_RAO)
}

/// The registration state of a subnet built from its hyperparameters.
fn registrar(hp: &Hyperparameters, start: u64, validators: u32, miners: u32) -> Registrar {
    let b = &hp.burn;
    Registrar {
        burn: tao_to_rao(b.initial),
        burn_block: start,
        rules: BurnRules::new(
            tao_to_rao(b.min),
            tao_to_rao(b.max),
            b.half_life,
            b.increase_mult,
        ),
        next_index: [validators, miners],
        ..Default::default()
    }
}

/// Spawn everything for `scenario`; returns the subnet entities in scenario order.
pub fn populate(world: &mut World, scenario: &Scenario, run: u32) -> Vec<Entity> {
    let start = scenario.start.block;
    let mut subnets = Vec::new();
    for (i, subnet) in scenario.subnets.iter().enumerate() {
        let netuid = subnet.netuid.unwrap_or(i as u16 + 1);
        let at = Spawn {
            seed: scenario.seed,
            run: run as u64,
            netuid,
            subnet: Entity::PLACEHOLDER,
            block: start,
        };
        subnets.push(spawn_subnet(
            world,
            at,
            subnet,
            scenario.network.stake_threshold,
        ));
    }
    world
        .resource_mut::<EventQueue>()
        .schedule(start, Event::DailyRecord);
    subnets
}

/// A neuron's place: its UID, its index in its role's population (for the hotkey id), and its
/// initial stake.
#[derive(Clone, Copy, Debug)]
pub struct Seat {
    /// UID on the subnet.
    pub uid: usize,
    /// Index among the subnet's validators or miners, ever (stable hotkey ids).
    pub index: u32,
    /// Initial stake, rao.
    pub stake_rao: u64,
}

/// Where and when neurons are spawned.
#[derive(Clone, Copy, Debug)]
pub struct Spawn {
    /// Scenario seed.
    pub seed: u64,
    /// Run index.
    pub run: u64,
    /// Netuid.
    pub netuid: u16,
    /// The subnet entity.
    pub subnet: Entity,
    /// Registration block.
    pub block: u64,
}

impl Spawn {
    /// The random stream of a population draw (`draw` numbers the draws of one subnet/role).
    pub fn population(&self, role: Role, draw: u32) -> rand_chacha::ChaCha8Rng {
        stream(
            self.seed,
            self.run,
            Purpose::Population,
            hotkey_id(self.netuid, role, u32::MAX - draw),
        )
    }

    fn neuron(&self, world: &mut World, seat: Seat, role: Role, permit: bool) -> Entity {
        let Seat {
            uid,
            index,
            stake_rao,
        } = seat;
        let hotkey = hotkey_id(self.netuid, role, index);
        world
            .spawn((
                Neuron {
                    hotkey,
                    netuid: self.netuid,
                    uid: uid as u16,
                    subnet: self.subnet,
                    role,
                    strategy: "honest",
                },
                Stake(stake_rao),
                Registration(self.block),
                LastUpdate(self.block),
                Weights::default(),
                Bonds::default(),
                Permit(permit),
                EpochEmission(0),
                Commits::default(),
                AgentRng(stream(self.seed, self.run, Purpose::Agent, hotkey)),
            ))
            .id()
    }

    /// A validator at `uid`; its first weight update comes at its own random phase.
    pub fn validator(
        &self,
        world: &mut World,
        seat: Seat,
        permit: bool,
        strategy: &ValidatorStrategy,
        tempo: u64,
    ) -> Entity {
        let id = self.neuron(world, seat, Role::Validator, permit);
        match strategy {
            ValidatorStrategy::Honest {
                noise,
                weights,
                interval,
            } => {
                self.weigh(
                    world,
                    id,
                    HonestValidator::new(*noise, weights, *interval, tempo),
                );
            }
        }
        id
    }

    /// The subnet owner's hotkey: always permitted (the chain forces it), `strategy` decides
    /// what it does with weights.
    pub fn owner(
        &self,
        world: &mut World,
        seat: Seat,
        strategy: &OwnerStrategy,
        tempo: u64,
    ) -> Entity {
        let id = self.neuron(world, seat, Role::Owner, true);
        match strategy {
            OwnerStrategy::Idle => {}
            OwnerStrategy::Burn { interval } => {
                self.weigh(
                    world,
                    id,
                    BurnWeights {
                        interval: interval.unwrap_or(tempo).max(1),
                    },
                );
            }
            OwnerStrategy::Honest {
                noise,
                weights,
                interval,
            } => {
                self.weigh(
                    world,
                    id,
                    HonestValidator::new(*noise, weights, *interval, tempo),
                );
            }
        }
        id
    }

    /// Give an agent its weight-setting behaviour and schedule its first update at its own
    /// random phase in `1..=interval`.
    fn weigh(&self, world: &mut World, id: Entity, behaviour: impl Behaviour) {
        let interval = behaviour.interval();
        world.entity_mut(id).insert(behaviour);
        let phase = world
            .get_mut::<AgentRng>(id)
            .map_or(1, |mut r| r.0.random_range(1..=interval));
        world
            .resource_mut::<EventQueue>()
            .schedule(self.block + phase, Event::SetWeights(id));
    }

    /// A miner at `uid` serving at `quality`.
    pub fn miner(
        &self,
        world: &mut World,
        seat: Seat,
        quality: f64,
        strategy: &MinerStrategy,
    ) -> Entity {
        let id = self.neuron(world, seat, Role::Miner, false);
        let quality = Quality {
            value: quality.max(0.0),
            updated: self.block,
        };
        match strategy {
            MinerStrategy::Honest { drift } => {
                world
                    .entity_mut(id)
                    .insert((quality, HonestMiner { drift: *drift }));
            }
        }
        id
    }
}

fn spawn_subnet(world: &mut World, mut at: Spawn, subnet: &Subnet, stake_threshold: f64) -> Entity {
    let hp = &subnet.hyperparameters;
    let tempo = (hp.tempo as u64).max(1);
    // The chain staggers subnets: LastEpochBlock starts at `creation − netuid mod tempo`.
    let first_epoch = at.block + tempo - (at.netuid as u64 % tempo);
    let rules = subnet_rules(hp, subnet.emission_share, stake_threshold);
    let (validators, miners) = (&subnet.validators, &subnet.miners);
    let entity = world
        .spawn((
            SubnetId(at.netuid),
            rules,
            EpochClock {
                next_epoch_block: first_epoch,
                ..Default::default()
            },
            Pending::default(),
            EpochBuffers::default(),
            registrar(hp, at.block, validators.count, miners.count),
            WeightCalls::default(),
        ))
        .id();
    at.subnet = entity;
    world
        .resource_mut::<EventQueue>()
        .schedule(first_epoch, Event::Epoch(entity));

    let v_stake = validators
        .stake
        .sample(validators.count, &mut at.population(Role::Validator, 0));
    let mut miner_rng = at.population(Role::Miner, 0);
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

    let mut uids = Vec::with_capacity(stake.len() + 1);
    // The owner's hotkey takes UID 0 when it is registered (it registers the subnet).
    if let Some(owner) = &subnet.owner {
        let seat = Seat {
            uid: 0,
            index: 0,
            stake_rao: tao_to_rao(owner.stake),
        };
        uids.push(at.owner(world, seat, &owner.strategy, tempo));
    }
    let first = uids.len();
    for index in 0..validators.count {
        let uid = uids.len();
        uids.push(at.validator(
            world,
            Seat {
                uid,
                index,
                stake_rao: tao_to_rao(stake[uid - first]),
            },
            permits[uid - first],
            &validators.strategy,
            tempo,
        ));
    }
    for index in 0..miners.count {
        let uid = uids.len();
        uids.push(at.miner(
            world,
            Seat {
                uid,
                index,
                stake_rao: tao_to_rao(stake[uid - first]),
            },
            quality[index as usize],
            &miners.strategy,
        ));
    }
    world.entity_mut(entity).insert((
        Metagraph {
            uids,
            owner: subnet.owner.as_ref().map(|_| 0),
        },
        ServedQuality::default(),
    ));
    crate::agents::miner::publish_served(world, entity);
    entity
}
