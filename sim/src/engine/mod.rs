//! The engine: a bevy_ecs world per run and a discrete-event loop over it.
//!
//! Subnets and neurons are entities ([`components`]); strategies are components with the
//! systems that act for them ([`crate::agents`]). The loop pops the next event
//! ([`EventQueue`]), first mints every block up to it in closed form ([`crate::chain::emission::accrue`]:
//! exact to the block where a halving threshold is crossed, no per-block loop), then runs the
//! event's system: a subnet epoch, a validator's weight update, or a network record. The
//! consensus math runs in pure functions ([`crate::chain::yuma`]); the ECS only orchestrates.

mod build;
mod coinbase;
mod commit_reveal;
mod components;
mod disruption;
mod epoch;
mod events;
mod operators;
mod registration;
mod timeline;

pub use build::{chain_params, hotkey_id, tao_to_rao, yuma_params};
pub use coinbase::{Economics, Economy, MAX_STRETCH, Period};
pub use components::*;
pub use events::{Event, EventQueue, Phase};

use crate::agents::market::TaoPrice;
use crate::agents::{economics, miner, validator};
use crate::chain::emission::{self, EmissionSegment, RAO_PER_TAO};
use crate::chain::schedule::{Schedule, TableKey};
use crate::chain::split;
use crate::chain::yuma::EpochError;
use crate::record::RunRecord;
use crate::scenario::{BLOCKS_PER_DAY, EmissionSchedule, Scenario, TableBy};
use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemId;

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The epoch function rejected its input.
    #[error("epoch of subnet {netuid} at block {block}: {source}")]
    Epoch {
        /// Netuid.
        netuid: u16,
        /// Block.
        block: u64,
        /// What the epoch said.
        source: EpochError,
    },
    /// A UID points at no neuron (an engine bug, reported instead of a panic).
    #[error("subnet {netuid}: UID {uid} has no neuron entity (internal error)")]
    MissingNeuron {
        /// Netuid.
        netuid: u16,
        /// UID.
        uid: usize,
    },
    /// A system could not run (an engine bug, reported instead of a panic).
    #[error("internal error running a system: {0}")]
    System(String),
}

/// How far a run has come, for progress bars.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    /// Blocks simulated so far.
    pub blocks_done: u64,
    /// Blocks in the run.
    pub blocks_total: u64,
    /// Epochs run so far (all subnets).
    pub epochs: u64,
}

/// The schedule a scenario asks for; a smooth schedule is anchored at `block` and `issuance`.
fn schedule(e: &EmissionSchedule, block: u64, issuance: u64) -> Schedule {
    let rao = build::tao_to_rao;
    match e {
        EmissionSchedule::Chain => Schedule::Chain,
        EmissionSchedule::HalvingEveryBlocks { interval, initial } => {
            Schedule::HalvingEveryBlocks {
                interval: *interval,
                initial: rao(*initial),
            }
        }
        EmissionSchedule::SmoothExponential { initial } => Schedule::SmoothExponential {
            initial: rao(*initial),
            origin_block: block,
            origin_issuance: issuance,
        },
        EmissionSchedule::Constant { per_block } => Schedule::Constant {
            per_block: rao(*per_block),
        },
        EmissionSchedule::Table { by, steps } => {
            let (key, from): (TableKey, fn(f64) -> u64) = match by {
                TableBy::Block => (TableKey::Block, |x| x as u64),
                TableBy::Issuance => (TableKey::Issuance, build::tao_to_rao),
            };
            Schedule::Table {
                key,
                steps: steps
                    .iter()
                    .map(|s| (from(s.from), rao(s.per_block)))
                    .collect(),
            }
        }
    }
}

/// Run `scenario` as run `run` in the `chain` numeric mode, also running the `f64` epoch on
/// every epoch's input, and return the record with the largest per-epoch differences.
pub fn run_with_shadow(
    scenario: &Scenario,
    run: u32,
) -> Result<(RunRecord, ShadowDifference), EngineError> {
    let mut chain = scenario.clone();
    chain.numeric = crate::chain::numeric::Numeric::Chain;
    let mut sim = Simulation::new(&chain, run);
    sim.world.init_resource::<ShadowDifference>();
    sim.run(&mut |_| {})?;
    let shadow = sim
        .world
        .remove_resource::<ShadowDifference>()
        .unwrap_or_default();
    Ok((sim.finish(), shadow))
}

/// Run `scenario` (loaded and resolved) as run number `run`, calling `progress` after each epoch.
pub fn run(
    scenario: &Scenario,
    run: u32,
    progress: &mut dyn FnMut(Progress),
) -> Result<RunRecord, EngineError> {
    let mut sim = Simulation::new(scenario, run);
    sim.run(progress)?;
    Ok(sim.finish())
}

struct Systems {
    epoch: SystemId<In<Entity>, Result<(), EngineError>>,
    drift: SystemId<In<Entity>>,
    set_weights: SystemId<In<Entity>>,
}

/// One run's world and loop state.
struct Simulation {
    world: World,
    systems: Systems,
    subnets: Vec<Entity>,
    shares: Vec<f64>,
    owner_cut: u16,
    /// Subnets have dTAO pools (`network.coinbase.pools`).
    pools: bool,
    coinbase: coinbase::Scratch,
    /// First block not yet minted.
    next_block: u64,
    /// Last block of the run.
    last_block: u64,
    start_issuance: u64,
    /// The previous emission segment (for halving rows and the per-block amount).
    last_segment: Option<EmissionSegment>,
    /// Per-subnet split of one block at the current rate, cached until the rate changes.
    split_cache: Option<(u64, Vec<split::BlockSplit>)>,
    /// The scenario as it stands after the timeline changes applied so far.
    live: Scenario,
    /// The emission schedule in force.
    schedule: Schedule,
}

impl Simulation {
    fn new(scenario: &Scenario, run: u32) -> Self {
        let mut world = World::new();
        world.init_resource::<EventQueue>();
        world.insert_resource(Clock {
            block: scenario.start.block,
        });
        let start_issuance = ((scenario.start.issuance * RAO_PER_TAO as f64).round() as u64)
            .min(emission::MAX_SUPPLY_RAO);
        world.insert_resource(Issuance(start_issuance));
        let market = crate::rng::stream(scenario.seed, run as u64, crate::rng::Purpose::Market, 0);
        world.insert_resource(TaoPrice::new(scenario.network.tao_price.clone(), market));
        let blocks = scenario.duration_blocks().max(1);
        let first = scenario.start.block;
        let last_block = first.saturating_add(blocks - 1);
        world.insert_resource(NumericMode(scenario.numeric));
        world.insert_resource(RecordPolicy {
            neurons: scenario.record.neurons,
            every: scenario.record.every,
            last_block,
        });
        world.insert_resource(Recorder(RunRecord {
            run,
            seed: scenario.seed,
            blocks: (first, last_block),
            ..Default::default()
        }));
        let subnets = build::populate(&mut world, scenario, run);
        coinbase::attach(&mut world, &subnets, scenario);
        economics::attach(&mut world, &subnets, scenario, run as u64);
        if let Some(stakers) = &scenario.network.stakers {
            crate::agents::staker::spawn(&mut world, stakers, scenario.seed, run as u64, first);
        }
        for (i, change) in scenario.timeline.iter().enumerate() {
            let block = first.saturating_add(scenario.offset_blocks(&change.at));
            if !change.set.is_empty() {
                world
                    .resource_mut::<EventQueue>()
                    .schedule(block, Event::Change(i));
            }
            if !(change.outage.is_empty() && change.remove.is_empty()) {
                world
                    .resource_mut::<EventQueue>()
                    .schedule(block, Event::Disrupt(i));
            }
            for w in 0..change.register.len() {
                world
                    .resource_mut::<EventQueue>()
                    .schedule(block, Event::Register { change: i, wave: w });
            }
        }
        let shares = scenario.subnets.iter().map(|s| s.emission_share).collect();
        let pools = scenario.network.coinbase.pools;
        let systems = Systems {
            epoch: world.register_system(epoch::run_epoch),
            drift: world.register_system(miner::drift_quality),
            set_weights: world.register_system(validator::set_weights),
        };
        Simulation {
            world,
            systems,
            subnets,
            shares,
            owner_cut: scenario.network.owner_cut,
            pools,
            coinbase: coinbase::Scratch::default(),
            next_block: first,
            last_block,
            start_issuance,
            last_segment: None,
            split_cache: None,
            live: scenario.clone(),
            schedule: schedule(&scenario.network.emission, first, start_issuance),
        }
    }

    fn run(&mut self, progress: &mut dyn FnMut(Progress)) -> Result<(), EngineError> {
        let system_error = |e: &dyn std::fmt::Display| EngineError::System(e.to_string());
        loop {
            let next = self.world.resource::<EventQueue>().peek_block();
            if next.is_none_or(|b| b > self.last_block) {
                break;
            }
            let Some((block, event)) = self.world.resource_mut::<EventQueue>().pop() else {
                break;
            };
            self.mint_through(block);
            // Weight sets read no pool or pending amount; an epoch tolerates a coinbase that lags
            // its block by less than `EPOCH_LAG` blocks (the rest is drained at its next epoch),
            // so the 128 epoch slots of a tempo, 1 block apart, share a few coinbase runs.
            let flush = match event {
                Event::SetWeights(_) => false,
                Event::Epoch(_) => self.coinbase.deferred_blocks() >= coinbase::EPOCH_LAG,
                _ => true,
            };
            if flush {
                self.flush_coinbase();
            }
            self.world.resource_mut::<Clock>().block = block;
            match event {
                Event::Epoch(subnet) => {
                    // A tempo change reschedules the epoch; the old slot is then stale.
                    if self
                        .world
                        .get::<EpochClock>(subnet)
                        .is_none_or(|c| c.next_epoch_block != block)
                    {
                        continue;
                    }
                    self.world
                        .run_system_with(self.systems.drift, subnet)
                        .map_err(|e| system_error(&e))?;
                    miner::publish_served(&mut self.world, subnet);
                    commit_reveal::reveal(&mut self.world, subnet);
                    self.world
                        .run_system_with(self.systems.epoch, subnet)
                        .map_err(|e| system_error(&e))??;
                    let tempo = self.world.get::<SubnetRules>(subnet).map_or(1, |r| r.tempo);
                    let usd = self.world.resource::<TaoPrice>().usd;
                    economics::settle(&mut self.world, subnet, block, tempo, usd);
                    let epochs = self.world.resource::<Recorder>().0.epochs;
                    progress(Progress {
                        blocks_done: block - self.world.resource::<Recorder>().0.blocks.0 + 1,
                        blocks_total: self.last_block
                            - self.world.resource::<Recorder>().0.blocks.0
                            + 1,
                        epochs,
                    });
                }
                Event::Operate(operator) => {
                    let index = self
                        .world
                        .get::<operators::Acting>(operator)
                        .map(|a| a.subnet_index);
                    if let Some(hp) = index
                        .and_then(|i| self.live.subnets.get(i))
                        .map(|s| s.hyperparameters.clone())
                    {
                        operators::act(&mut self.world, operator, &hp, block);
                    }
                }
                Event::Stake(staker) => {
                    crate::agents::staker::act(
                        &mut self.world,
                        staker,
                        &self.subnets,
                        self.owner_cut,
                    );
                }
                Event::SetWeights(neuron) => {
                    self.world
                        .run_system_with(self.systems.set_weights, neuron)
                        .map_err(|e| system_error(&e))?;
                }
                Event::Register { change, wave } => {
                    let Some(w) = self
                        .live
                        .timeline
                        .get(change)
                        .and_then(|c| c.register.get(wave))
                        .cloned()
                    else {
                        continue;
                    };
                    self.register(&w, block);
                }
                Event::Entrant(subnet) => self.entrant(subnet, block),
                Event::Disrupt(index) => {
                    if let Some(change) = self.live.timeline.get(index).cloned() {
                        disruption::apply(&mut self.world, &self.subnets, &change, block);
                    }
                }
                Event::Change(index) => {
                    let next = self
                        .live
                        .with_change(index)
                        .map_err(|e| EngineError::System(format!("timeline[{index}]: {e}")))?;
                    timeline::apply(&mut self.world, &self.subnets, &next, block);
                    self.shares = next.subnets.iter().map(|s| s.emission_share).collect();
                    self.owner_cut = next.network.owner_cut;
                    coinbase::change(&mut self.world, &next.network.coinbase);
                    if next.network.tao_price != self.live.network.tao_price {
                        // A new path starts from its own start price (a price shock).
                        let run = self.world.resource::<Recorder>().0.run as u64;
                        let rng = crate::rng::stream(
                            next.seed,
                            run,
                            crate::rng::Purpose::Market,
                            1 + index as u64,
                        );
                        self.world
                            .insert_resource(TaoPrice::new(next.network.tao_price.clone(), rng));
                    }
                    if next.network.emission != self.live.network.emission {
                        let issuance = self.world.resource::<Issuance>().0;
                        self.schedule = schedule(&next.network.emission, block + 1, issuance);
                    }
                    self.split_cache = None;
                    self.live = next;
                }
                Event::DailyRecord => {
                    let day = (block - self.world.resource::<Recorder>().0.blocks.0) as f64
                        / BLOCKS_PER_DAY as f64;
                    if day > 0.0 {
                        self.world.resource_mut::<TaoPrice>().advance_to(day);
                    }
                    self.record_network(block);
                    let next = block + BLOCKS_PER_DAY;
                    self.world
                        .resource_mut::<EventQueue>()
                        .schedule(next, Event::DailyRecord);
                }
            }
        }
        self.mint_through(self.last_block);
        self.flush_coinbase();
        let last = self.last_block;
        if self.world.resource::<Recorder>().0.network.block.last() != Some(&last) {
            self.record_network(last);
        }
        Ok(())
    }

    /// Run the minted blocks the coinbase has deferred (with pools; nothing otherwise).
    fn flush_coinbase(&mut self) {
        coinbase::flush(
            &mut self.world,
            &self.subnets,
            &self.shares,
            self.owner_cut,
            &mut self.coinbase,
        );
    }

    /// Register the neurons of `w` at `block` (a timeline wave or an entrant).
    fn register(&mut self, w: &crate::scenario::Wave, block: u64) {
        let (Some(&subnet), Some(spec)) =
            (self.subnets.get(w.subnet), self.live.subnets.get(w.subnet))
        else {
            return;
        };
        let netuid = spec.netuid.unwrap_or(w.subnet as u16 + 1);
        let at = build::Spawn {
            seed: self.live.seed,
            run: self.world.resource::<Recorder>().0.run as u64,
            netuid,
            subnet,
            block,
            start: self.world.resource::<Recorder>().0.blocks.0,
            first_tempo: self.live.first_tempo(),
        };
        registration::register_wave(&mut self.world, at, subnet, &spec.hyperparameters, w);
    }

    /// A candidate miner arrives at `subnet`: it registers if it expects to profit
    /// ([`economics::enters`]); the next arrival is scheduled.
    fn entrant(&mut self, subnet: Entity, block: u64) {
        let Some(index) = self.subnets.iter().position(|&s| s == subnet) else {
            return;
        };
        let Some(spec) = self.live.subnets.get(index) else {
            return;
        };
        let Some(entrants) = spec.economics.as_ref().and_then(|e| e.entrants.clone()) else {
            return;
        };
        let strategy = spec.miners.strategy.clone();
        let Some((quality, gap)) = self.world.get_mut::<AgentRng>(subnet).map(|mut r| {
            let q = entrants
                .quality
                .sample(1, &mut r.0)
                .first()
                .copied()
                .unwrap_or(0.0);
            (q, economics::arrival_gap(entrants.rate_per_day, &mut r.0))
        }) else {
            return;
        };
        if let Some(gap) = gap {
            self.world
                .resource_mut::<EventQueue>()
                .schedule(block + gap, Event::Entrant(subnet));
        }
        let usd = self.world.resource::<TaoPrice>().usd;
        if economics::enters(&self.world, subnet, quality, block, usd) {
            let wave = crate::scenario::Wave {
                subnet: index,
                validators: None,
                miners: Some(crate::scenario::Miners {
                    count: 1,
                    quality: crate::scenario::Distribution::Fixed {
                        values: vec![quality],
                    },
                    stake: None,
                    strategy,
                }),
            };
            self.register(&wave, block);
        }
    }

    /// Mint blocks `next_block ..= block` in closed form and accrue each subnet's pending
    /// emission; record a network row on each side of every halving.
    fn mint_through(&mut self, block: u64) {
        if block < self.next_block {
            return;
        }
        let issuance = self.world.resource::<Issuance>().0;
        let mut segments = Vec::new();
        let after = self
            .schedule
            .accrue(issuance, self.next_block, block, |s| segments.push(s));
        self.next_block = block + 1;
        let mut issuance_at = issuance;
        for segment in segments {
            if let Some(prev) = self.last_segment
                && prev.level != segment.level
            {
                // The halving: the last block at the old rate, then the first at the new one.
                self.push_network_row(segment.first_block - 1, issuance_at, prev);
                self.push_network_row(
                    segment.first_block,
                    issuance_at + segment.per_block,
                    segment,
                );
            }
            self.accrue_segment(segment);
            issuance_at += segment.blocks * segment.per_block;
            self.last_segment = Some(segment);
        }
        self.world.resource_mut::<Issuance>().0 = after;
        self.world.resource_mut::<Recorder>().0.totals.minted_rao += after - issuance;
    }

    /// Add a segment's emission to each subnet's pending amounts: block by block (each block
    /// split and floored as on chain) when its rate is constant, else its total at once.
    fn accrue_segment(&mut self, segment: EmissionSegment) {
        if self.pools {
            self.coinbase
                .defer(segment.first_block, segment.blocks, segment.total);
            if self.coinbase.deferred_blocks() >= coinbase::MAX_STRETCH {
                self.flush_coinbase();
            }
            return;
        }
        let constant = segment.per_block.checked_mul(segment.blocks) == Some(segment.total);
        let (per_block, repeats) = if constant {
            (segment.per_block, segment.blocks)
        } else {
            (segment.total, 1)
        };
        if self
            .split_cache
            .as_ref()
            .is_none_or(|(amount, _)| *amount != per_block)
        {
            let mut parts = Vec::new();
            let rule = self.world.resource::<Economics>().settings.share_rule;
            let weights = coinbase::legacy_weights(rule, &self.shares);
            split::proportional(per_block, &weights, &mut parts);
            let splits = parts
                .iter()
                .map(|&part| split::subnet_block(part, self.owner_cut))
                .collect();
            self.split_cache = Some((per_block, splits));
        }
        let Some((_, splits)) = &self.split_cache else {
            return;
        };
        let total_rao = per_block * repeats;
        let mut given = 0;
        for (&subnet, s) in self.subnets.iter().zip(splits) {
            if let Some(mut pending) = self.world.get_mut::<Pending>(subnet) {
                pending.server += s.server * repeats;
                pending.validator += s.validator * repeats;
                pending.owner_cut += s.owner_cut * repeats;
                pending.dust += s.dust * repeats;
            }
            let part = (s.owner_cut + s.server + s.validator + s.dust) * repeats;
            given += part;
            if let Some(mut econ) = self.world.get_mut::<Economy>(subnet) {
                let share = part as f64 / total_rao.max(1) as f64;
                coinbase::legacy_period(&mut econ, part, share, segment.blocks);
            }
        }
        let totals = &mut self.world.resource_mut::<Recorder>().0.totals;
        totals.tao_in_rao += given;
        totals.alpha_emitted_rao += given;
        totals.recycled_rao += total_rao - given;
    }

    fn record_network(&mut self, block: u64) {
        let issuance = self.world.resource::<Issuance>().0;
        let segment = self.last_segment.unwrap_or(EmissionSegment {
            first_block: block,
            blocks: 0,
            per_block: emission::block_emission(issuance),
            level: emission::halving_level(issuance),
            total: 0,
        });
        self.push_network_row(block, issuance, segment);
    }

    fn push_network_row(&mut self, block: u64, issuance: u64, segment: EmissionSegment) {
        let price = self.world.resource::<TaoPrice>().usd;
        let staked = coinbase::total_staked(&mut self.world, &self.subnets);
        let record = &mut self.world.resource_mut::<Recorder>().0;
        let rows = &mut record.network;
        rows.arm.push(record.arm);
        rows.run.push(record.run);
        rows.block.push(block);
        rows.issuance.push(issuance as f64 / RAO_PER_TAO as f64);
        rows.issuance_rao.push(issuance);
        rows.block_emission
            .push(segment.per_block as f64 / RAO_PER_TAO as f64);
        rows.halving_index.push(segment.level);
        rows.tao_price_usd.push(price);
        rows.total_staked.push(staked as f64 / RAO_PER_TAO as f64);
    }

    fn finish(mut self) -> RunRecord {
        let mut pending_rao = 0;
        for &subnet in &self.subnets {
            if let Some(p) = self.world.get::<Pending>(subnet) {
                pending_rao += p.server + p.validator + p.owner_cut + p.dust + p.root;
            }
        }
        let pool_tao_end = coinbase::pool_tao(&self.world, &self.subnets);
        let issuance = self.world.resource::<Issuance>().0;
        let mut record = std::mem::take(&mut self.world.resource_mut::<Recorder>().0);
        record.totals.pending_rao = pending_rao;
        record.totals.pool_tao_end_rao = pool_tao_end;
        debug_assert_eq!(record.totals.minted_rao, issuance - self.start_issuance);
        record
    }
}
