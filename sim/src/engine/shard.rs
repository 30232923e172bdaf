//! A shard: a few subnets in a world of their own — their subnet entities, neurons, agents and
//! operators, the shard's own event queue, clock and record rows, and copies of the run's
//! read-only resources. Shards share nothing, so the coordinator ([`super::Simulation`])
//! advances them through a window of blocks in parallel; whatever a shard does depends only on
//! its own state and on what the coordinator handed it at the window's start, never on thread
//! timing. Nothing a subnet does touches another subnet, so how subnets are grouped into shards
//! changes no result; only the order of rows with the same block follows the grouping, which is
//! fixed ([`SHARDS`]).
//!
//! Why a few subnets per world rather than one: every event touches its world's bookkeeping
//! (resource and component look-ups, system state), and cycling through 128 worlds in each
//! window kept none of it in cache (+15 % CPU on `network-4y` against one world); 16 worlds cost
//! nothing measurable and still give work stealing 16 pieces per window.

use super::coinbase::{self, Allotment, EPOCH_LAG};
use super::components::{
    AgentRng, Clock, EpochClock, NumericMode, RecordPolicy, Recorder, SubnetRules,
};
use super::events::{Event, EventQueue, Phase};
use super::{EngineError, build, commit_reveal, epoch, operators, registration};
use crate::agents::{economics, miner, validator};
use crate::chain::coinbase::ShareInput;
use crate::scenario::Scenario;
use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemId;

struct Systems {
    epoch: SystemId<In<Entity>, Result<(), EngineError>>,
    drift: SystemId<In<Entity>>,
    set_weights: SystemId<In<Entity>>,
}

/// What every shard reads during a window (shared between threads, read-only).
pub struct Window<'a> {
    /// The scenario as it stands after the timeline changes so far.
    pub live: &'a Scenario,
    /// The network's dTAO settings and root stake.
    pub economics: &'a coinbase::Economics,
    /// TAO price in USD (it moves only at daily records, which end windows).
    pub usd: f64,
    /// Run the events that come before this (block, phase).
    pub until: (u64, Phase),
    /// Release the coinbase through this block at the end (the last block minted).
    pub release_through: Option<u64>,
    /// Each subnet's scenario share (`emission_share`), for the share inputs.
    pub shares: &'a [f64],
}

/// Most shards (worlds) a run has: subnets are grouped into at most this many, in scenario
/// order. A constant, so the grouping never depends on the thread count.
pub const SHARDS: usize = 16;

/// Which subnets go to shard `shard` of `shards` when a scenario has `subnets`: a contiguous
/// range, the same size give or take one.
pub fn subnets_of(shard: usize, shards: usize, subnets: usize) -> std::ops::Range<usize> {
    let shards = shards.max(1);
    shard * subnets / shards..(shard + 1) * subnets / shards
}

/// One subnet in its shard.
pub struct Slot {
    /// The subnet entity in the shard's world.
    pub entity: Entity,
    /// Position of the subnet in the scenario.
    pub index: usize,
    /// Minted TAO handed to this subnet and not yet run through its coinbase.
    pub allotment: Allotment,
    /// The subnet's inputs to the share rules as of the end of its shard's last window (they
    /// move only in its own coinbase and epochs), so the coordinator reads no shard world to
    /// share a window.
    pub share_input: ShareInput,
}

/// A world with a few subnets.
pub struct Shard {
    /// The shard's world.
    pub world: World,
    /// Its subnets, in scenario order (contiguous positions).
    pub slots: Vec<Slot>,
    /// Block and phase of its next event (kept so that counting busy shards reads no world).
    next_at: Option<(u64, Phase)>,
    systems: Systems,
}

impl Shard {
    /// Subnets `indices` of `scenario` in a world of their own, with the run's read-only
    /// resources (`policy`, the numeric mode, the network's coinbase settings) and an empty
    /// `record`.
    pub fn new(
        scenario: &Scenario,
        indices: std::ops::Range<usize>,
        policy: RecordPolicy,
        record: crate::record::RunRecord,
    ) -> Result<Self, EngineError> {
        let run = record.run;
        let mut world = World::new();
        world.init_resource::<EventQueue>();
        world.insert_resource(Clock {
            block: scenario.start.block,
        });
        world.insert_resource(NumericMode(scenario.numeric));
        world.insert_resource(policy);
        world.insert_resource(Recorder(record));
        coinbase::insert_settings(&mut world, &scenario.network.coinbase);
        let mut slots = Vec::with_capacity(indices.len());
        let specs = scenario.subnets.get(indices.clone()).unwrap_or(&[]);
        for (index, spec) in indices.zip(specs) {
            let entity = build::populate_subnet(&mut world, scenario, run, index)?;
            coinbase::attach(&mut world, entity, spec, scenario);
            economics::attach(&mut world, (index, entity), scenario, run as u64);
            slots.push(Slot {
                entity,
                index,
                allotment: Allotment::default(),
                share_input: ShareInput::default(),
            });
        }
        let systems = Systems {
            epoch: world.register_system(epoch::run_epoch),
            drift: world.register_system(miner::drift_quality),
            set_weights: world.register_system(validator::set_weights),
        };
        let mut shard = Shard {
            world,
            slots,
            next_at: None,
            systems,
        };
        let shares: Vec<f64> = scenario.subnets.iter().map(|s| s.emission_share).collect();
        shard.refresh(&shares);
        Ok(shard)
    }

    /// Whether the shard has an event before `until`.
    pub fn has_work(&self, until: (u64, Phase)) -> bool {
        self.next_at.is_some_and(|at| at < until)
    }

    /// Read the next event's time and each subnet's share inputs (`fixed[k]` is subnet `k`'s
    /// scenario share) from the world: after a window, and after a network event that touched
    /// the shard.
    pub fn refresh(&mut self, fixed: &[f64]) {
        self.next_at = self.world.resource::<EventQueue>().peek_at();
        for slot in &mut self.slots {
            let econ = self.world.get::<coinbase::Economy>(slot.entity);
            let share = fixed.get(slot.index).copied().unwrap_or(0.0);
            slot.share_input = coinbase::share_input(econ, share);
        }
    }

    /// The slot of the subnet at scenario position `index`, if it is in this shard.
    pub fn slot_of(&self, index: usize) -> Option<usize> {
        let first = self.slots.first()?.index;
        index.checked_sub(first).filter(|&k| k < self.slots.len())
    }

    /// Release the minted blocks up to `block` to the coinbase of the subnet in `slot`.
    fn release(&mut self, slot: usize, w: &Window, block: u64) {
        if let Some(s) = self.slots.get_mut(slot) {
            s.allotment.release(
                &mut self.world,
                s.entity,
                (w.economics, w.live.network.owner_cut),
                block,
            );
        }
    }

    /// Run the shard's events of the window in order, then release the window's minted blocks
    /// to its subnets' coinbases. Returns the number of epochs run.
    pub fn advance(&mut self, w: &Window) -> Result<u64, EngineError> {
        let system_error = |e: &dyn std::fmt::Display| EngineError::System(e.to_string());
        let pools = w.economics.settings.pools;
        let mut epochs = 0;
        loop {
            let next = self.world.resource_mut::<EventQueue>().pop_before(w.until);
            let Some((block, event)) = next else {
                break;
            };
            // Weight sets read no pool or pending amount; with pools an epoch tolerates a
            // coinbase that lags its block by less than `EPOCH_LAG` blocks (the rest is drained
            // at its next epoch), so the epoch slots of a tempo share a few coinbase runs.
            // Only the event's own subnet needs its coinbase run up to the event.
            let slot = match event {
                Event::Epoch(subnet) | Event::Entrant(subnet) => {
                    self.slots.iter().position(|s| s.entity == subnet)
                }
                Event::Operate(operator) => self
                    .world
                    .get::<operators::Acting>(operator)
                    .and_then(|a| self.slot_of(a.subnet_index)),
                _ => None,
            };
            if let Some(slot) = slot {
                let release = match event {
                    Event::Epoch(_) => {
                        !pools || self.slots[slot].allotment.deferred_through(block) >= EPOCH_LAG
                    }
                    _ => true,
                };
                if release {
                    self.release(slot, w, block);
                }
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
                    economics::settle(&mut self.world, subnet, block, tempo, w.usd);
                    epochs += 1;
                }
                Event::SetWeights(neuron) => {
                    self.world
                        .run_system_with(self.systems.set_weights, neuron)
                        .map_err(|e| system_error(&e))?;
                }
                Event::Operate(operator) => {
                    let index = self
                        .world
                        .get::<operators::Acting>(operator)
                        .map(|a| a.subnet_index);
                    if let Some(hp) = index
                        .and_then(|i| w.live.subnets.get(i))
                        .map(|s| &s.hyperparameters)
                    {
                        operators::act(&mut self.world, operator, hp, block);
                    }
                }
                Event::Entrant(subnet) => {
                    if let Some(slot) = slot {
                        self.entrant(slot, subnet, block, w)?;
                    }
                }
                // Network events live in the coordinator's queue.
                Event::Stake(_)
                | Event::Register { .. }
                | Event::Disrupt(_)
                | Event::Change(_)
                | Event::DailyRecord => {}
            }
        }
        if let Some(last) = w.release_through {
            for slot in 0..self.slots.len() {
                self.release(slot, w, last);
            }
        }
        self.refresh(w.shares);
        Ok(epochs)
    }

    /// Register the neurons of `wave` at `block` (a timeline wave or an entrant, at field path
    /// `path`) on its subnet, if it is in this shard.
    pub fn register(
        &mut self,
        wave: &crate::scenario::Wave,
        block: u64,
        live: &Scenario,
        path: &str,
    ) -> Result<(), EngineError> {
        let index = wave.subnet;
        let (Some(slot), Some(spec)) = (self.slot_of(index), live.subnets.get(index)) else {
            return Ok(());
        };
        let subnet = self.slots[slot].entity;
        let record = &self.world.resource::<Recorder>().0;
        let at = build::Spawn {
            seed: live.seed,
            run: record.run as u64,
            netuid: spec.netuid.unwrap_or(index as u16 + 1),
            subnet,
            block,
            start: record.blocks.0,
            first_tempo: live.first_tempo(),
        };
        self.world.resource_mut::<Clock>().block = block;
        registration::register_wave(
            &mut self.world,
            at,
            subnet,
            (&spec.hyperparameters, wave),
            path,
        )
    }

    /// A candidate miner arrives at the subnet in `slot` (entity `subnet`): it registers if it
    /// expects to profit ([`economics::enters`]); the next arrival is scheduled.
    fn entrant(
        &mut self,
        slot: usize,
        subnet: Entity,
        block: u64,
        w: &Window,
    ) -> Result<(), EngineError> {
        let index = self.slots[slot].index;
        let Some(spec) = w.live.subnets.get(index) else {
            return Ok(());
        };
        let Some(entrants) = spec.economics.as_ref().and_then(|e| e.entrants.as_ref()) else {
            return Ok(());
        };
        let Some((quality, gap)) = self.world.get_mut::<AgentRng>(subnet).map(|mut r| {
            let q = entrants
                .quality
                .sample(1, &mut r.0)
                .first()
                .copied()
                .unwrap_or(0.0);
            (q, economics::arrival_gap(entrants.rate_per_day, &mut r.0))
        }) else {
            return Ok(());
        };
        if let Some(gap) = gap {
            self.world
                .resource_mut::<EventQueue>()
                .schedule(block + gap, Event::Entrant(subnet));
        }
        if economics::enters(&self.world, subnet, quality, block, w.usd) {
            let wave = crate::scenario::Wave {
                subnet: index,
                validators: None,
                miners: Some(crate::scenario::Miners {
                    count: 1,
                    quality: crate::scenario::Distribution::Fixed {
                        values: vec![quality],
                    },
                    stake: None,
                    strategy: spec.miners.strategy.clone(),
                }),
            };
            self.register(
                &wave,
                block,
                w.live,
                &format!("subnets[{index}].economics.entrants"),
            )?;
        }
        Ok(())
    }
}

/// The world and entity of the subnet at scenario position `index` among `shards`.
pub fn subnet_mut(shards: &mut [Shard], index: usize) -> Option<(&mut World, Entity)> {
    let shard = shards.iter_mut().find(|s| s.slot_of(index).is_some())?;
    let slot = shard.slot_of(index)?;
    Some((&mut shard.world, shard.slots[slot].entity))
}
