//! Build the world for one run: a subnet entity per subnet, a neuron entity per UID, their
//! strategy components, and the first events.

use super::EngineError;
use super::components::*;
use super::events::{Event, EventQueue};
use super::operators::{Acting, Griefer, Pumper, Whale};
use crate::agents::adapt::Adaptation;
use crate::agents::adversary::{Adversary, Cabal, Copier, Lazy, Tactic};
use crate::agents::miner::{HonestMiner, Quality, ServedQuality};
use crate::agents::validator::{Behaviour, BurnWeights, HonestValidator};
use crate::chain::emission::{MAX_SUPPLY_RAO, RAO_PER_TAO};
use crate::chain::registration::BurnRules;
use crate::chain::yuma::{ChainParams, YumaParams, stake::top_k_nonzero};
use crate::record::Role;
use crate::rng::{Purpose, stream};
use crate::scenario::{
    Distribution, Hyperparameters, MinerStrategy, Miners, Operator, OwnerStrategy, Scenario,
    Subnet, ValidatorStrategy, Validators,
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

/// Spawn subnet `index` of `scenario` (its entity, neurons, operators and first events) into
/// `world`, the subnet's own shard; returns the subnet entity.
pub fn populate_subnet(
    world: &mut World,
    scenario: &Scenario,
    run: u32,
    index: usize,
) -> Result<Entity, EngineError> {
    let start = scenario.start.block;
    let subnet = &scenario.subnets[index];
    let netuid = subnet.netuid.unwrap_or(index as u16 + 1);
    let at = Spawn {
        seed: scenario.seed,
        run: run as u64,
        netuid,
        subnet: Entity::PLACEHOLDER,
        block: start,
        start,
        first_tempo: scenario.first_tempo(),
    };
    spawn_subnet(
        world,
        at,
        (index, subnet),
        scenario.network.stake_threshold,
        scenario.network.coinbase.tao_weight,
    )
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
    /// Root stake, rao (validators only; 0 for none).
    pub root_rao: u64,
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
    /// First simulated block.
    pub start: u64,
    /// Tempo of the first subnet (the unit of `epoch:` moments).
    pub first_tempo: u64,
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

    fn neuron(
        &self,
        world: &mut World,
        seat: Seat,
        role: Role,
        permit: bool,
        strategy: &'static str,
        coalition: Option<u32>,
    ) -> Entity {
        let Seat {
            uid,
            index,
            stake_rao,
            root_rao,
        } = seat;
        let hotkey = hotkey_id(self.netuid, role, index);
        let id = world
            .spawn((
                Neuron {
                    hotkey,
                    netuid: self.netuid,
                    uid: uid as u16,
                    subnet: self.subnet,
                    role,
                    strategy,
                },
                Stake(stake_rao),
                Registration(self.block),
                LastUpdate(self.block),
                Weights::default(),
                Bonds::default(),
                Permit(permit),
                (EpochEmission(0), Earned(0)),
                Commits::default(),
                AgentRng(stream(self.seed, self.run, Purpose::Agent, hotkey)),
            ))
            .id();
        if root_rao > 0 {
            world.entity_mut(id).insert(RootStake(root_rao));
        }
        if let Some(c) = coalition {
            world.entity_mut(id).insert(Coalition(c));
        }
        id
    }

    /// A validator at `uid`; its first weight update comes at its own random phase.
    pub fn validator(
        &self,
        world: &mut World,
        seat: Seat,
        permit: bool,
        strategy: &ValidatorStrategy,
        (tempo, every): (u64, u64),
    ) -> Entity {
        let id = self.neuron(
            world,
            seat,
            Role::Validator,
            permit,
            strategy.name(),
            strategy.coalition(),
        );
        let interval = strategy.interval().unwrap_or(every).max(1);
        if let Some((noise, rule)) = strategy.observer() {
            self.weigh(
                world,
                id,
                HonestValidator::new(noise, rule, Some(interval), tempo),
            );
        }
        let tactic = match strategy {
            ValidatorStrategy::Honest { .. } => None,
            ValidatorStrategy::WeightCopier {
                target, noise, lag, ..
            } => Some(Tactic::Copier(Copier {
                target: *target,
                noise: *noise,
                lag: *lag,
                interval,
                memory: Default::default(),
            })),
            ValidatorStrategy::Cabal { coalition, w_c, .. } => Some(Tactic::Cabal(Cabal {
                coalition: *coalition,
                w_c: *w_c,
            })),
            ValidatorStrategy::Lazy { refresh, .. } => Some(Tactic::Lazy(Lazy {
                refresh: refresh.unwrap_or(10 * tempo).max(1),
                kept: None,
            })),
            ValidatorStrategy::Offline { from, until, .. } => Some(Tactic::Offline {
                from: self.start + from.blocks(self.first_tempo),
                until: self.start + until.blocks(self.first_tempo),
            }),
            ValidatorStrategy::LateFollower { lag, .. } => Some(Tactic::LateFollower {
                lag: *lag,
                memory: Default::default(),
            }),
        };
        if let Some(tactic) = tactic {
            let adversary = Adversary {
                tactic,
                adapt: strategy.adapt().map(|a| Adaptation::new(a.clone(), tempo)),
            };
            if strategy.observer().is_some() {
                world.entity_mut(id).insert(adversary);
            } else {
                self.weigh(world, id, adversary);
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
        every: u64,
    ) -> Entity {
        let id = self.neuron(
            world,
            seat,
            Role::Owner,
            true,
            strategy.name(),
            strategy.coalition(),
        );
        match strategy {
            OwnerStrategy::Idle => {}
            OwnerStrategy::Burn { interval } => {
                self.weigh(
                    world,
                    id,
                    BurnWeights {
                        interval: interval.unwrap_or(every).max(1),
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
                    HonestValidator::new(*noise, weights, *interval, every),
                );
            }
            OwnerStrategy::SelfDealingOwner {
                coalition,
                w_c,
                noise,
                weights,
                interval,
            } => {
                self.weigh(
                    world,
                    id,
                    HonestValidator::new(*noise, weights, *interval, every),
                );
                world.entity_mut(id).insert(Adversary {
                    tactic: Tactic::Cabal(Cabal {
                        coalition: *coalition,
                        w_c: *w_c,
                    }),
                    adapt: None,
                });
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
        let id = self.neuron(
            world,
            seat,
            Role::Miner,
            false,
            strategy.name(),
            strategy.coalition(),
        );
        let quality = Quality {
            value: quality.max(0.0),
            updated: self.block,
        };
        world.entity_mut(id).insert((
            quality,
            HonestMiner {
                drift: strategy.drift(),
            },
        ));
        id
    }
}

/// The default update interval of a validator: the tempo, or the weights rate limit when that
/// is longer (an update sooner than the limit allows is refused).
pub(super) fn update_every(hp: &Hyperparameters) -> u64 {
    (hp.tempo as u64).max(hp.weights_rate_limit).max(1)
}

fn spawn_subnet(
    world: &mut World,
    mut at: Spawn,
    (subnet_index, subnet): (usize, &Subnet),
    stake_threshold: f64,
    tao_weight: f64,
) -> Result<Entity, EngineError> {
    let hp = &subnet.hyperparameters;
    let tempo = (hp.tempo as u64).max(1);
    // The chain staggers subnets: LastEpochBlock starts at `creation − netuid mod tempo`.
    let first_epoch = at.block + tempo - (at.netuid as u64 % tempo);
    let rules = subnet_rules(hp, subnet.emission_share, stake_threshold);
    let groups = populations(subnet);
    let (validators, miners) = groups.iter().fold((0, 0), |(v, m), g| match g {
        Group::Validators(p) => (v + p.count, m),
        Group::Miners(p) => (v, m + p.count),
    });
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
            registrar(hp, at.block, validators, miners),
            WeightCalls::default(),
        ))
        .id();
    at.subnet = entity;
    world
        .resource_mut::<EventQueue>()
        .schedule(first_epoch, Event::Epoch(entity));

    // Draws per population: the subnet's own validators and miners use draw 0 (as before
    // cohorts existed), cohort k uses draw COHORT_DRAWS + k, apart from the waves' 1, 2, ….
    let mut drawn = Vec::with_capacity(groups.len());
    for (g, group) in groups.iter().enumerate() {
        let draw = if g < 2 {
            0
        } else {
            COHORT_DRAWS + (g as u32 - 2) / 2
        };
        let role = match group {
            Group::Validators(_) => "validators",
            Group::Miners(_) => "miners",
        };
        let path = if g < 2 {
            format!("subnets[{subnet_index}].{role}")
        } else {
            format!("subnets[{subnet_index}].cohorts[{}].{role}", (g - 2) / 2)
        };
        drawn.push(match group {
            Group::Validators(v) => {
                validator_draws(v, &mut at.population(Role::Validator, draw), &path)?
            }
            Group::Miners(m) => {
                let (quality, stake) =
                    miner_draws(m, &mut at.population(Role::Miner, draw), &path)?;
                (stake, quality)
            }
        });
    }

    // The run starts on an established subnet: permits are those the previous epoch would have
    // given (top-k by stake weight, α + τ·R), not the empty set of a brand-new subnet.
    let mut stake: Vec<f64> = drawn.iter().flat_map(|(s, _)| s.iter().copied()).collect();
    let root: Vec<f64> = groups
        .iter()
        .zip(&drawn)
        .flat_map(|(g, (s, r))| match g {
            Group::Validators(_) => r.clone(),
            Group::Miners(_) => vec![0.0; s.len()],
        })
        .collect();
    let first = subnet.owner.is_some() as usize;
    // A whale's stake sits on its first validator from the start.
    for o in &subnet.operators {
        if let Operator::StakeWhale {
            validators,
            stake: s,
            ..
        } = o
            && let Some(v) = validators
                .first()
                .and_then(|&u| (u as usize).checked_sub(first))
                .and_then(|i| stake.get_mut(i))
        {
            *v += s;
        }
    }
    let weight: Vec<f64> = stake
        .iter()
        .zip(&root)
        .map(|(a, r)| a + tao_weight * r)
        .collect();
    let mut permits = Vec::new();
    top_k_nonzero(
        &weight,
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
            root_rao: 0,
        };
        uids.push(at.owner(world, seat, &owner.strategy, update_every(hp)));
    }
    let mut index = [0u32; 2];
    for (group, (_, quality)) in groups.iter().zip(&drawn) {
        match group {
            Group::Validators(v) => {
                for _ in 0..v.count {
                    let uid = uids.len();
                    let seat = Seat {
                        uid,
                        index: index[0],
                        stake_rao: tao_to_rao(stake[uid - first]),
                        root_rao: tao_to_rao(root[uid - first]),
                    };
                    index[0] += 1;
                    let cadence = (tempo, update_every(hp));
                    uids.push(at.validator(
                        world,
                        seat,
                        permits[uid - first],
                        &v.strategy,
                        cadence,
                    ));
                }
            }
            Group::Miners(m) => {
                for q in quality {
                    let uid = uids.len();
                    let seat = Seat {
                        uid,
                        index: index[1],
                        stake_rao: tao_to_rao(stake[uid - first]),
                        root_rao: 0,
                    };
                    index[1] += 1;
                    uids.push(at.miner(world, seat, *q, &m.strategy));
                }
            }
        }
    }
    world.entity_mut(entity).insert((
        Metagraph {
            uids,
            owner: subnet.owner.as_ref().map(|_| 0),
        },
        ServedQuality::default(),
    ));
    crate::agents::miner::publish_served(world, entity);
    for o in &subnet.operators {
        spawn_operator(world, at, subnet_index, o, first_epoch + 1);
    }
    Ok(entity)
}

/// An operator's entity, tagging the neurons it acts for with its coalition; its first turn
/// comes one block after the subnet's first epoch.
fn spawn_operator(
    world: &mut World,
    at: Spawn,
    subnet_index: usize,
    operator: &Operator,
    first: u64,
) {
    let uids = world
        .get::<Metagraph>(at.subnet)
        .map(|m| m.uids.clone())
        .unwrap_or_default();
    let pick = |list: &[u16]| -> Vec<Entity> {
        list.iter()
            .filter_map(|&u| uids.get(u as usize).copied())
            .collect()
    };
    let acting = Acting {
        subnet_index,
        spawn: at,
    };
    let id = match operator {
        Operator::DeregGriefer {
            id,
            targets,
            quality,
            budget,
        } => world
            .spawn((
                acting,
                Griefer {
                    id: *id,
                    targets: pick(targets),
                    quality: quality.max(0.0),
                    budget: tao_to_rao(*budget),
                    spent: 0,
                },
            ))
            .id(),
        Operator::StakeWhale {
            id,
            validators,
            stake,
            every,
        } => {
            let validators = pick(validators);
            for &v in &validators {
                if world.get::<Coalition>(v).is_none() {
                    world.entity_mut(v).insert(Coalition(*id));
                }
            }
            let held = validators
                .first()
                .and_then(|&v| world.get::<Stake>(v))
                .map_or(0, |s| s.0);
            world
                .spawn((
                    acting,
                    Whale {
                        validators,
                        at: 0,
                        fraction: tao_to_rao(*stake) as f64 / held.max(1) as f64,
                        every: *every,
                        epochs: 0,
                    },
                ))
                .id()
        }
        Operator::PricePumper {
            tao,
            buy_at,
            sell_at,
            ..
        } => world
            .spawn((
                acting,
                Pumper {
                    holdings: crate::agents::staker::Staker {
                        wallet: tao_to_rao(*tao),
                        positions: Vec::new(),
                        interval: 1,
                        inertia: 1.0,
                        exit_drop: 1.0,
                        noise: 0.0,
                    },
                    buy_at: at.start + buy_at.blocks(at.first_tempo),
                    sell_at: at.start + sell_at.blocks(at.first_tempo),
                    bought: false,
                },
            ))
            .id(),
    };
    world
        .resource_mut::<EventQueue>()
        .schedule(first, Event::Operate(id));
}

/// First population draw number of the cohorts (waves count up from 1).
const COHORT_DRAWS: u32 = 1 << 20;

/// A population of a subnet at the start.
enum Group<'a> {
    Validators(&'a Validators),
    Miners(&'a Miners),
}

/// The subnet's populations in UID order: its validators, its miners, then each cohort's
/// validators and miners (an absent part counts as an empty population, so draw numbers stay
/// tied to the cohort's position).
fn populations(subnet: &Subnet) -> Vec<Group<'_>> {
    let mut out = vec![
        Group::Validators(&subnet.validators),
        Group::Miners(&subnet.miners),
    ];
    for cohort in &subnet.cohorts {
        out.push(Group::Validators(
            cohort.validators.as_ref().unwrap_or(&NO_VALIDATORS),
        ));
        out.push(Group::Miners(cohort.miners.as_ref().unwrap_or(&NO_MINERS)));
    }
    out
}

static NO_VALIDATORS: std::sync::LazyLock<Validators> = std::sync::LazyLock::new(|| Validators {
    count: 0,
    stake: crate::scenario::Distribution::Constant { value: 0.0 },
    root_stake: None,
    strategy: ValidatorStrategy::default(),
});
static NO_MINERS: std::sync::LazyLock<Miners> = std::sync::LazyLock::new(|| Miners {
    count: 0,
    quality: crate::scenario::Distribution::Constant { value: 0.0 },
    stake: None,
    strategy: MinerStrategy::default(),
});

/// A validator population's stakes and root stakes, drawn from `rng` (stakes first, so a
/// population without root stake draws what it always drew); `at` is its path (e.g.
/// `subnets[0].validators`), named in errors.
pub fn validator_draws(
    v: &Validators,
    rng: &mut rand_chacha::ChaCha8Rng,
    at: &str,
) -> Result<(Vec<f64>, Vec<f64>), EngineError> {
    let stake = stakes(&v.stake, v.count, rng, &format!("{at}.stake"))?;
    let root = match &v.root_stake {
        Some(d) => stakes(d, v.count, rng, &format!("{at}.root_stake"))?,
        None => vec![0.0; v.count as usize],
    };
    Ok((stake, root))
}

/// A miner population's qualities and stakes, drawn from `rng` (qualities first); `at` is its
/// path. Sybils share the first quality: one operator serving one model from many UIDs.
pub fn miner_draws(
    m: &Miners,
    rng: &mut rand_chacha::ChaCha8Rng,
    at: &str,
) -> Result<(Vec<f64>, Vec<f64>), EngineError> {
    let path = format!("{at}.quality");
    let mut quality = m
        .quality
        .draw(m.count, rng)
        .map_err(|message| EngineError::Population { path, message })?;
    let stake = match &m.stake {
        Some(d) => stakes(d, m.count, rng, &format!("{at}.stake"))?,
        None => vec![0.0; m.count as usize],
    };
    if matches!(m.strategy, MinerStrategy::Sybil { .. })
        && let Some(&q) = quality.first()
    {
        quality.iter_mut().for_each(|x| *x = q);
    }
    Ok((quality, stake))
}

/// `count` stakes in TAO drawn from `d` (the distribution at `path`). Like a `constant` or
/// `fixed` population at validation, drawn stakes must sum to at most the supply: a
/// heavy-tailed draw without `total` (a `pareto` of small `alpha`) has no upper bound, and
/// each stake past it would otherwise be clamped silently to 21 M TAO.
pub fn stakes(
    d: &Distribution,
    count: u32,
    rng: &mut rand_chacha::ChaCha8Rng,
    path: &str,
) -> Result<Vec<f64>, EngineError> {
    let error = |message| EngineError::Population {
        path: path.to_string(),
        message,
    };
    let values = d.draw(count, rng).map_err(error)?;
    let sum: f64 = values.iter().sum();
    let supply = (MAX_SUPPLY_RAO / RAO_PER_TAO) as f64;
    if sum > supply {
        return Err(error(format!(
            "the {count} stakes drawn sum to {} TAO: expected at most the supply, 21,000,000 TAO (give the distribution a `total`, or a lighter tail)",
            crate::scenario::compact(sum.round())
        )));
    }
    Ok(values)
}
