//! The engine: per run, a bevy_ecs world per subnet (a shard) and a coordinator world for the
//! network, with discrete-event loops over them.
//!
//! Subnets and neurons are entities ([`components`]); strategies are components with the
//! systems that act for them ([`crate::agents`]). The coordinator mints the blocks of a window
//! in closed form ([`crate::chain::emission::accrue`]: exact to the block where a halving
//! threshold is crossed, no per-block loop) and shares them among the subnets; each shard then
//! pops its own events of the window ([`EventQueue`]) and runs their systems — an epoch, a
//! validator's weight update, an operator's turn — in parallel with the other shards; network
//! events (stakers, the timeline, daily records) run between windows. The consensus math runs
//! in pure functions ([`crate::chain::yuma`]); the ECS only orchestrates.

mod build;
mod coinbase;
mod commit_reveal;
mod components;
mod disruption;
mod epoch;
mod events;
mod operators;
mod registration;
mod shard;
mod timeline;

pub use build::{chain_params, hotkey_id, stakes, tao_to_rao, yuma_params};
pub use coinbase::{Economics, Economy, MAX_STRETCH, Period};
pub use components::*;
pub use events::{Event, EventQueue, Phase};
pub(crate) use shard::{Shard, subnet_mut};

use crate::agents::market::TaoPrice;
use crate::chain::coinbase::ShareInput;
use crate::chain::emission::{self, EmissionSegment, RAO_PER_TAO};
use crate::chain::schedule::{Schedule, TableKey};
use crate::chain::split;
use crate::chain::yuma::EpochError;
use crate::record::{Rows, RunRecord, merge_by_block};
use crate::scenario::{BLOCKS_PER_DAY, EmissionSchedule, Scenario, TableBy};
use bevy_ecs::prelude::*;
use rayon::prelude::*;
use shard::Window;

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
    /// A population's draws cannot be used: a `total` its draws (all 0) cannot reach, or stakes
    /// summing past the supply. Checked where the draws happen: at the run's start, or at a
    /// registration wave.
    #[error("{path}: {message}")]
    Population {
        /// Field path of the distribution, e.g. `subnets[0].validators.stake`.
        path: String,
        /// What was drawn and what was expected.
        message: String,
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
    let mut sim = Simulation::new(&chain, run)?;
    for shard in &mut sim.shards {
        shard.world.init_resource::<ShadowDifference>();
    }
    sim.run(&mut |_| {})?;
    let mut shadow = ShadowDifference::default();
    for shard in &mut sim.shards {
        if let Some(s) = shard.world.remove_resource::<ShadowDifference>() {
            shadow.merge(&s);
        }
    }
    Ok((sim.finish(), shadow))
}

/// Run `scenario` (loaded and resolved) as run number `run`, calling `progress` after each
/// window of blocks.
pub fn run(
    scenario: &Scenario,
    run: u32,
    progress: &mut dyn FnMut(Progress),
) -> Result<RunRecord, EngineError> {
    let mut sim = Simulation::new(scenario, run)?;
    sim.run(progress)?;
    Ok(sim.finish())
}

/// One run: a coordinator world for what is network-wide (issuance and the emission schedule,
/// the network's dTAO settings and root stake, the TAO price, stakers, the timeline, network
/// rows) and a [`Shard`] per subnet.
///
/// The loop advances in windows: the coordinator mints the window's blocks, shares them among
/// the subnets by the state at the window's start, then every shard runs its own events of the
/// window (in parallel when more than one has any), and their rows are merged by block. A
/// window ends before the next network event (a staker's decision, a timeline change, an outage,
/// a registration wave, the daily record), at a halving, and after at most [`MAX_STRETCH`]
/// blocks; network events then run one by one with access to the shards they touch. Windows
/// depend only on the scenario, never on the thread count.
struct Simulation {
    world: World,
    shards: Vec<Shard>,
    shares: Vec<f64>,
    owner_cut: u16,
    /// Subnets have dTAO pools (`network.coinbase.pools`).
    pools: bool,
    /// Reused buffers of the window's share computation.
    inputs: Vec<ShareInput>,
    window_shares: Vec<f64>,
    parts: Vec<u64>,
    /// First block not yet minted.
    next_block: u64,
    /// Last block of the run.
    last_block: u64,
    start_issuance: u64,
    /// The previous emission segment (for halving rows and the per-block amount).
    last_segment: Option<EmissionSegment>,
    /// Without pools: the per-subnet split of one block at the current rate, cached until the
    /// rate changes.
    split_cache: Option<(u64, Vec<split::BlockSplit>)>,
    /// The scenario as it stands after the timeline changes applied so far.
    live: Scenario,
    /// The emission schedule in force.
    schedule: Schedule,
    /// Epochs run so far (all subnets).
    epochs: u64,
}

impl Simulation {
    fn new(scenario: &Scenario, run: u32) -> Result<Self, EngineError> {
        Self::with_shards(scenario, run, shard::SHARDS)
    }

    /// The run with its subnets grouped into at most `shards` worlds; an error if a population's
    /// draws cannot be used ([`EngineError::Population`]).
    fn with_shards(scenario: &Scenario, run: u32, shards: usize) -> Result<Self, EngineError> {
        let mut world = World::new();
        world.init_resource::<EventQueue>();
        let first = scenario.start.block;
        world.insert_resource(Clock { block: first });
        let start_issuance = ((scenario.start.issuance * RAO_PER_TAO as f64).round() as u64)
            .min(emission::MAX_SUPPLY_RAO);
        world.insert_resource(Issuance(start_issuance));
        let market = crate::rng::stream(scenario.seed, run as u64, crate::rng::Purpose::Market, 0);
        world.insert_resource(TaoPrice::new(scenario.network.tao_price.clone(), market));
        let blocks = scenario.duration_blocks().max(1);
        let last_block = first.saturating_add(blocks - 1);
        let policy = RecordPolicy {
            neurons: scenario.record.neurons,
            every: scenario.record.every,
            last_block,
        };
        let record = RunRecord {
            run,
            seed: scenario.seed,
            blocks: (first, last_block),
            ..Default::default()
        };
        world.insert_resource(Recorder(record.clone()));
        coinbase::insert_settings(&mut world, &scenario.network.coinbase);
        let n = scenario.subnets.len();
        let groups = n.min(shards.max(1));
        let shards = (0..groups)
            .map(|k| {
                let indices = shard::subnets_of(k, groups, n);
                Shard::new(scenario, indices, policy, record.clone())
            })
            .collect::<Result<_, _>>()?;
        if let Some(stakers) = &scenario.network.stakers {
            crate::agents::staker::spawn(&mut world, stakers, scenario.seed, run as u64, first)?;
        }
        let mut queue = world.resource_mut::<EventQueue>();
        queue.schedule(first, Event::DailyRecord);
        for (i, change) in scenario.timeline.iter().enumerate() {
            let block = first.saturating_add(scenario.offset_blocks(&change.at));
            if !change.set.is_empty() {
                queue.schedule(block, Event::Change(i));
            }
            if !(change.outage.is_empty() && change.remove.is_empty()) {
                queue.schedule(block, Event::Disrupt(i));
            }
            for w in 0..change.register.len() {
                queue.schedule(block, Event::Register { change: i, wave: w });
            }
        }
        Ok(Simulation {
            world,
            shards,
            shares: scenario.subnets.iter().map(|s| s.emission_share).collect(),
            owner_cut: scenario.network.owner_cut,
            pools: scenario.network.coinbase.pools,
            inputs: Vec::new(),
            window_shares: Vec::new(),
            parts: Vec::new(),
            next_block: first,
            last_block,
            start_issuance,
            last_segment: None,
            split_cache: None,
            live: scenario.clone(),
            schedule: schedule(&scenario.network.emission, first, start_issuance),
            epochs: 0,
        })
    }

    fn run(&mut self, progress: &mut dyn FnMut(Progress)) -> Result<(), EngineError> {
        let first = self.world.resource::<Recorder>().0.blocks.0;
        loop {
            let cap = if self.next_block > self.last_block {
                self.last_block
            } else {
                (self.next_block + MAX_STRETCH - 1).min(self.last_block)
            };
            let network = self
                .world
                .resource::<EventQueue>()
                .peek_at()
                .filter(|&(block, _)| block <= cap);
            let (through, mut until) = match network {
                Some((block, phase)) => (block, (block, phase)),
                None => (cap, (cap + 1, Phase::Initialize)),
            };
            let minted = self.mint_through(through);
            if minted < through {
                // A halving: the window ends before it, so its rows see the state at that block.
                until = (minted + 1, Phase::Initialize);
            }
            let network_window = network == Some(until);
            self.advance_shards(until)?;
            progress(Progress {
                blocks_done: until.0.min(self.last_block + 1) - first,
                blocks_total: self.last_block - first + 1,
                epochs: self.epochs,
            });
            if network_window {
                while self.world.resource::<EventQueue>().peek_at() == Some(until) {
                    self.network_event()?;
                }
            } else if until.0 > self.last_block {
                break;
            }
        }
        // The last block's row (skipped if a daily or halving row already holds it).
        self.record_network(self.last_block);
        Ok(())
    }

    /// Run every shard's events before `until` and release the minted blocks to their
    /// coinbases; merge their rows by block.
    fn advance_shards(&mut self, until: (u64, Phase)) -> Result<(), EngineError> {
        let window = Window {
            live: &self.live,
            economics: self.world.resource::<Economics>(),
            usd: self.world.resource::<TaoPrice>().usd,
            until,
            release_through: self.next_block.checked_sub(1),
            shares: &self.shares,
        };
        // Threads only pay when two shards or more have events; one thread never needs them.
        let busy = self.shards.iter().filter(|s| s.has_work(until)).count();
        let epochs: Vec<Result<u64, EngineError>> = if busy > 1 && rayon::current_num_threads() > 1
        {
            self.shards
                .par_iter_mut()
                .map(|s| s.advance(&window))
                .collect()
        } else {
            self.shards.iter_mut().map(|s| s.advance(&window)).collect()
        };
        // The first error in subnet order, whichever thread met it first. Rows come only from
        // epochs, so only shards that ran one have rows to merge.
        let mut recorded = Vec::new();
        for (i, e) in epochs.into_iter().enumerate() {
            let n = e?;
            self.epochs += n;
            if n > 0 {
                recorded.push(i);
            }
        }
        if recorded.is_empty() {
            return Ok(());
        }
        let mut recorder = self.world.resource_mut::<Recorder>();
        let record = &mut recorder.0;
        let rows: Vec<&RunRecord> = recorded
            .iter()
            .map(|&i| &self.shards[i].world.resource::<Recorder>().0)
            .collect();
        let parts: Vec<_> = rows.iter().map(|r| &r.neurons).collect();
        merge_by_block(&mut record.neurons, &parts);
        let parts: Vec<_> = rows.iter().map(|r| &r.subnets).collect();
        merge_by_block(&mut record.subnets, &parts);
        for &i in &recorded {
            let mut r = self.shards[i].world.resource_mut::<Recorder>();
            r.0.neurons.clear();
            r.0.subnets.clear();
        }
        Ok(())
    }

    /// Pop and run the coordinator's next event.
    fn network_event(&mut self) -> Result<(), EngineError> {
        let Some((block, event)) = self.world.resource_mut::<EventQueue>().pop() else {
            return Ok(());
        };
        self.world.resource_mut::<Clock>().block = block;
        match event {
            Event::Stake(staker) => {
                crate::agents::staker::act(
                    &mut self.world,
                    staker,
                    &mut self.shards,
                    self.owner_cut,
                );
            }
            Event::Register { change, wave } => {
                let w = self
                    .live
                    .timeline
                    .get(change)
                    .and_then(|c| c.register.get(wave));
                if let Some(w) = w {
                    let path = format!("timeline[{change}].register[{wave}]");
                    for shard in &mut self.shards {
                        shard.register(w, block, &self.live, &path)?;
                    }
                }
                self.refresh_shards();
            }
            Event::Disrupt(index) => {
                if let Some(change) = self.live.timeline.get(index) {
                    for shard in &mut self.shards {
                        for slot in &shard.slots {
                            disruption::apply(
                                &mut shard.world,
                                (slot.index, slot.entity),
                                change,
                                block,
                            );
                        }
                    }
                }
                self.refresh_shards();
            }
            Event::Change(index) => {
                self.change(index, block)?;
                self.refresh_shards();
            }
            Event::DailyRecord => {
                let day = (block - self.world.resource::<Recorder>().0.blocks.0) as f64
                    / BLOCKS_PER_DAY as f64;
                if day > 0.0 {
                    self.world.resource_mut::<TaoPrice>().advance_to(day);
                }
                self.record_network(block);
                self.world
                    .resource_mut::<EventQueue>()
                    .schedule(block + BLOCKS_PER_DAY, Event::DailyRecord);
            }
            // Subnet events live in the shards' queues.
            Event::Epoch(_) | Event::SetWeights(_) | Event::Operate(_) | Event::Entrant(_) => {}
        }
        Ok(())
    }

    /// Re-read every shard's next event and share inputs after a network event that may have
    /// scheduled events in them (a timeline event or a registration wave; stakers schedule
    /// none and move no share input).
    fn refresh_shards(&mut self) {
        for shard in &mut self.shards {
            shard.refresh(&self.shares);
        }
    }

    /// Timeline entry `index`'s `set:` changes, at `block`.
    fn change(&mut self, index: usize, block: u64) -> Result<(), EngineError> {
        let next = self
            .live
            .with_change(index)
            .map_err(|e| EngineError::System(format!("timeline[{index}]: {e}")))?;
        for shard in &mut self.shards {
            for slot in &shard.slots {
                if let Some(spec) = next.subnets.get(slot.index) {
                    timeline::apply(
                        &mut shard.world,
                        slot.entity,
                        spec,
                        next.network.stake_threshold,
                        block,
                    );
                }
            }
            coinbase::change(&mut shard.world, &next.network.coinbase);
        }
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
        Ok(())
    }

    /// Mint blocks `next_block ..= block` in closed form (stopping before a halving that falls
    /// after the first block) and hand each shard its part; record a network row on each side
    /// of a halving. Returns the last block minted.
    fn mint_through(&mut self, block: u64) -> u64 {
        if block < self.next_block {
            return block;
        }
        let issuance = self.world.resource::<Issuance>().0;
        let mut segments = Vec::new();
        self.schedule
            .accrue(issuance, self.next_block, block, |s| segments.push(s));
        let mut last = block;
        if let Some(cut) = segments
            .windows(2)
            .find(|w| w[0].level != w[1].level)
            .map(|w| w[1].first_block)
        {
            last = cut - 1;
            segments.clear();
            self.schedule
                .accrue(issuance, self.next_block, last, |s| segments.push(s));
        }
        let after = segments.iter().fold(issuance, |i, s| i + s.total);
        let first = self.next_block;
        self.next_block = last + 1;
        if let Some(s) = segments.first().copied()
            && let Some(prev) = self.last_segment
            && prev.level != s.level
        {
            // The halving: the last block at the old rate, then the first at the new one.
            self.push_network_row(s.first_block - 1, issuance, prev);
            self.push_network_row(s.first_block, issuance + s.per_block, s);
        }
        if self.pools {
            let total = segments.iter().map(|s| s.total).sum();
            self.allot_window(first, last - first + 1, total);
        } else {
            for &s in &segments {
                self.allot_segment(s);
            }
        }
        self.last_segment = segments.last().copied().or(self.last_segment);
        self.world.resource_mut::<Issuance>().0 = after;
        self.world.resource_mut::<Recorder>().0.totals.minted_rao += after - issuance;
        last
    }

    /// With pools: share `tao` rao minted over `blocks` blocks from `first` by the shares and
    /// root-sell flag at the window's start (the network half of the coinbase).
    fn allot_window(&mut self, first: u64, blocks: u64, tao: u64) {
        self.inputs.clear();
        let slots = self.shards.iter().flat_map(|s| &s.slots);
        self.inputs.extend(slots.map(|s| s.share_input));
        let rule = self.world.resource::<Economics>().settings.share_rule;
        let root_sell = coinbase::window_shares(rule, &self.inputs, &mut self.window_shares);
        split::proportional(tao, &self.window_shares, &mut self.parts);
        for slot in self.shards.iter_mut().flat_map(|s| &mut s.slots) {
            let i = slot.index;
            slot.allotment.give(coinbase::Piece {
                first_block: first,
                blocks,
                tao: self.parts[i],
                share: self.window_shares[i],
                root_sell,
                per_block: None,
                done: 0,
                given: 0,
            });
        }
        let given: u64 = self.parts.iter().sum();
        self.world.resource_mut::<Recorder>().0.totals.recycled_rao += tao - given;
    }

    /// Without pools: each subnet's part of a segment, block by block (each block split and
    /// floored as on chain) when its rate is constant, else its total at once.
    fn allot_segment(&mut self, segment: EmissionSegment) {
        let constant = segment.per_block.checked_mul(segment.blocks) == Some(segment.total);
        let amount = if constant {
            segment.per_block
        } else {
            segment.total
        };
        let rule = self.world.resource::<Economics>().settings.share_rule;
        let weights = coinbase::legacy_weights(rule, &self.shares);
        split::proportional(amount, &weights, &mut self.parts);
        if constant
            && self
                .split_cache
                .as_ref()
                .is_none_or(|(per_block, _)| *per_block != amount)
        {
            let splits = self
                .parts
                .iter()
                .map(|&part| split::subnet_block(part, self.owner_cut))
                .collect();
            self.split_cache = Some((amount, splits));
        }
        let repeats = if constant { segment.blocks } else { 1 };
        for slot in self.shards.iter_mut().flat_map(|s| &mut s.slots) {
            let i = slot.index;
            let part = self.parts[i];
            slot.allotment.give(coinbase::Piece {
                first_block: segment.first_block,
                blocks: segment.blocks,
                tao: part * repeats,
                share: part as f64 / amount.max(1) as f64,
                root_sell: false,
                per_block: if constant {
                    self.split_cache
                        .as_ref()
                        .and_then(|(_, s)| s.get(i).copied())
                } else {
                    None
                },
                done: 0,
                given: 0,
            });
        }
        let given: u64 = self.parts.iter().sum::<u64>() * repeats;
        self.world.resource_mut::<Recorder>().0.totals.recycled_rao += segment.total - given;
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

    /// TAO staked: with pools, the pools' TAO plus root stake; without, every hotkey's stake.
    fn total_staked(&mut self) -> u64 {
        if self.pools {
            let root = self.world.resource::<Economics>().root_stake;
            self.shards
                .iter()
                .flat_map(|s| {
                    s.slots
                        .iter()
                        .map(|k| coinbase::pool_tao(&s.world, k.entity))
                })
                .fold(root, u64::saturating_add)
        } else {
            self.shards
                .iter_mut()
                .map(|s| coinbase::hotkey_stake(&mut s.world))
                .fold(0, u64::saturating_add)
        }
    }

    /// Appends the network row of `block`, unless that block already has one (a day that ends
    /// exactly at a halving would otherwise be written twice).
    fn push_network_row(&mut self, block: u64, issuance: u64, segment: EmissionSegment) {
        if self.world.resource::<Recorder>().0.network.block.last() == Some(&block) {
            return;
        }
        let price = self.world.resource::<TaoPrice>().usd;
        let staked = self.total_staked();
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
        let issuance = self.world.resource::<Issuance>().0;
        let mut record = std::mem::take(&mut self.world.resource_mut::<Recorder>().0);
        for shard in &mut self.shards {
            for slot in &shard.slots {
                if let Some(p) = shard.world.get::<Pending>(slot.entity) {
                    record.totals.pending_rao +=
                        p.server + p.validator + p.owner_cut + p.dust + p.root;
                }
                record.totals.pool_tao_end_rao += coinbase::pool_tao(&shard.world, slot.entity);
            }
            let part = &shard.world.resource::<Recorder>().0;
            record.totals.add(&part.totals);
            record.epochs += part.epochs;
        }
        debug_assert_eq!(record.totals.minted_rao, issuance - self.start_issuance);
        record
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(scenario: &Scenario, shards: usize) -> RunRecord {
        let mut sim = Simulation::with_shards(scenario, 0, shards).unwrap();
        sim.run(&mut |_| {}).unwrap();
        sim.finish()
    }

    /// Subnets never touch each other inside a window, so grouping them into 1, 2 or 4 worlds
    /// gives the same run: the same totals and network rows, and each subnet the same rows
    /// (only rows of different subnets at the same block may come in another order).
    #[test]
    fn grouping_subnets_into_shards_changes_no_result() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scenarios/share-price-ema.yaml"
        );
        let days: crate::scenario::Override = "duration={days: 3}".parse().unwrap();
        let scenario = crate::scenario::load_file(std::path::Path::new(path), &[days]).unwrap();
        let per_subnet = |r: &RunRecord, netuid: u16| -> Vec<(u64, f64, f64, u64)> {
            let s = &r.subnets;
            (0..s.subnet.len())
                .filter(|&i| s.subnet[i] == netuid)
                .map(|i| (s.block[i], s.price[i], s.share[i], s.emission_rao[i]))
                .collect()
        };
        let one = record(&scenario, 1);
        for shards in [2, 4] {
            let other = record(&scenario, shards);
            assert_eq!(other.totals, one.totals);
            assert_eq!(other.network, one.network);
            for netuid in 1..=4 {
                assert!(!per_subnet(&one, netuid).is_empty());
                assert_eq!(per_subnet(&other, netuid), per_subnet(&one, netuid));
            }
        }
    }
}
