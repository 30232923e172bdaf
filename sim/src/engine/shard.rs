//! A shard: one subnet in a world of its own — its subnet entity, neurons, agents and
//! operators, its own event queue, clock and record rows, and copies of the run's read-only
//! resources. Shards share nothing, so the coordinator ([`super::Simulation`]) advances them
//! through a window of blocks in parallel; whatever a shard does depends only on its own state
//! and on what the coordinator handed it at the window's start, never on thread timing.

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
}

/// One subnet's world.
pub struct Shard {
    /// The subnet's world.
    pub world: World,
    /// The subnet entity in it.
    pub subnet: Entity,
    /// Position of the subnet in the scenario.
    pub index: usize,
    /// Minted TAO handed to this subnet and not yet run through its coinbase.
    pub allotment: Allotment,
    /// The subnet's inputs to the share rules as of the end of its last window (they move only
    /// in its own coinbase and epochs), so the coordinator reads no shard world to share a
    /// window.
    pub share_input: ShareInput,
    /// Block and phase of its next event (kept so that counting busy shards reads no world).
    next_at: Option<(u64, Phase)>,
    systems: Systems,
}

impl Shard {
    /// Subnet `index` of `scenario` in a world of its own, with the run's read-only resources
    /// (`policy`, the numeric mode, the network's coinbase settings) and an empty `record`.
    pub fn new(
        scenario: &Scenario,
        index: usize,
        policy: RecordPolicy,
        record: crate::record::RunRecord,
    ) -> Self {
        let run = record.run;
        let mut world = World::new();
        world.init_resource::<EventQueue>();
        world.insert_resource(Clock {
            block: scenario.start.block,
        });
        world.insert_resource(NumericMode(scenario.numeric));
        world.insert_resource(policy);
        world.insert_resource(Recorder(record));
        let subnet = build::populate_subnet(&mut world, scenario, run, index);
        coinbase::attach(&mut world, subnet, &scenario.subnets[index], scenario);
        economics::attach(&mut world, (index, subnet), scenario, run as u64);
        let systems = Systems {
            epoch: world.register_system(epoch::run_epoch),
            drift: world.register_system(miner::drift_quality),
            set_weights: world.register_system(validator::set_weights),
        };
        let mut shard = Shard {
            world,
            subnet,
            index,
            allotment: Allotment::default(),
            share_input: ShareInput::default(),
            next_at: None,
            systems,
        };
        shard.refresh(scenario.subnets[index].emission_share);
        shard
    }

    /// Whether the shard has an event before `until`.
    pub fn has_work(&self, until: (u64, Phase)) -> bool {
        self.next_at.is_some_and(|at| at < until)
    }

    /// Read the next event's time and the share inputs (`fixed` is the subnet's scenario
    /// share) from the world: after a window, and after a network event that touched the shard.
    pub fn refresh(&mut self, fixed: f64) {
        self.next_at = self.world.resource::<EventQueue>().peek_at();
        let econ = self.world.get::<coinbase::Economy>(self.subnet);
        self.share_input = coinbase::share_input(econ, fixed);
    }

    /// Run this subnet's events of the window in order, then release the window's minted
    /// blocks to its coinbase. Returns the number of epochs run.
    pub fn advance(&mut self, w: &Window) -> Result<u64, EngineError> {
        let system_error = |e: &dyn std::fmt::Display| EngineError::System(e.to_string());
        let owner_cut = w.live.network.owner_cut;
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
            let release = match event {
                Event::SetWeights(_) => false,
                Event::Epoch(_) => !pools || self.allotment.deferred_through(block) >= EPOCH_LAG,
                _ => true,
            };
            if release {
                self.allotment.release(
                    &mut self.world,
                    self.subnet,
                    (w.economics, owner_cut),
                    block,
                );
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
                Event::Entrant(_) => self.entrant(block, w),
                // Network events live in the coordinator's queue.
                Event::Stake(_)
                | Event::Register { .. }
                | Event::Disrupt(_)
                | Event::Change(_)
                | Event::DailyRecord => {}
            }
        }
        if let Some(last) = w.release_through {
            self.allotment
                .release(&mut self.world, self.subnet, (w.economics, owner_cut), last);
        }
        let fixed = w
            .live
            .subnets
            .get(self.index)
            .map_or(0.0, |s| s.emission_share);
        self.refresh(fixed);
        Ok(epochs)
    }

    /// Register the neurons of `wave` at `block` (a timeline wave or an entrant).
    pub fn register(&mut self, wave: &crate::scenario::Wave, block: u64, live: &Scenario) {
        let Some(spec) = live.subnets.get(self.index) else {
            return;
        };
        let record = &self.world.resource::<Recorder>().0;
        let at = build::Spawn {
            seed: live.seed,
            run: record.run as u64,
            netuid: spec.netuid.unwrap_or(self.index as u16 + 1),
            subnet: self.subnet,
            block,
            start: record.blocks.0,
            first_tempo: live.first_tempo(),
        };
        self.world.resource_mut::<Clock>().block = block;
        registration::register_wave(
            &mut self.world,
            at,
            self.subnet,
            &spec.hyperparameters,
            wave,
        );
    }

    /// A candidate miner arrives: it registers if it expects to profit
    /// ([`economics::enters`]); the next arrival is scheduled.
    fn entrant(&mut self, block: u64, w: &Window) {
        let subnet = self.subnet;
        let Some(spec) = w.live.subnets.get(self.index) else {
            return;
        };
        let Some(entrants) = spec.economics.as_ref().and_then(|e| e.entrants.as_ref()) else {
            return;
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
            return;
        };
        if let Some(gap) = gap {
            self.world
                .resource_mut::<EventQueue>()
                .schedule(block + gap, Event::Entrant(subnet));
        }
        if economics::enters(&self.world, subnet, quality, block, w.usd) {
            let wave = crate::scenario::Wave {
                subnet: self.index,
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
            self.register(&wave, block, w.live);
        }
    }
}
