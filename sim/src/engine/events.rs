//! The discrete-event queue: events ordered by (block, phase, sequence). The clock jumps from
//! one event to the next; emission for the blocks in between is accrued in closed form.

use bevy_ecs::prelude::*;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// What happens at an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// A subnet's epoch slot (entity = subnet).
    Epoch(Entity),
    /// A validator observes and sets weights (entity = neuron).
    SetWeights(Entity),
    /// Scenario timeline change (index into `Scenario::timeline`).
    Change(usize),
    /// A registration wave (`Scenario::timeline[change].register[wave]`).
    Register {
        /// Index of the timeline entry.
        change: usize,
        /// Index of the wave in it.
        wave: usize,
    },
    /// An operator (griefer, whale) acts (entity = the operator).
    Operate(Entity),
    /// End-of-day network row.
    DailyRecord,
    /// A staker decides (entity = staker).
    Stake(Entity),
    /// A candidate miner arrives (entity = subnet).
    Entrant(Entity),
    /// A timeline entry's outages and removals (index into `Scenario::timeline`).
    Disrupt(usize),
}

/// Order of events inside one block, as on chain: the coinbase and epochs run in
/// `on_initialize`, before the block's extrinsics (weight sets); our bookkeeping comes last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// `on_initialize`: epochs.
    Initialize = 0,
    /// Extrinsics: weight sets.
    Extrinsics = 1,
    /// Scheduled scenario changes (governance, owner settings), after the block's extrinsics.
    Governance = 2,
    /// After the block: recording.
    Finalize = 3,
}

impl Event {
    /// The phase of the block the event runs in.
    pub fn phase(self) -> Phase {
        match self {
            Event::Epoch(_) => Phase::Initialize,
            Event::SetWeights(_) => Phase::Extrinsics,
            Event::Change(_) => Phase::Governance,
            Event::Register { .. } | Event::Operate(_) => Phase::Extrinsics,
            Event::DailyRecord => Phase::Finalize,
            Event::Stake(_) | Event::Entrant(_) => Phase::Extrinsics,
            Event::Disrupt(_) => Phase::Governance,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    block: u64,
    phase: Phase,
    seq: u64,
}

/// The queue. `seq` numbers events in the order they were scheduled, which is deterministic,
/// so equal (block, phase) pairs always pop in the same order.
#[derive(Resource, Debug, Default)]
pub struct EventQueue {
    heap: BinaryHeap<Reverse<(Key, usize)>>,
    events: Vec<Event>,
    free: Vec<usize>,
    seq: u64,
}

impl EventQueue {
    /// Schedule `event` at `block`.
    pub fn schedule(&mut self, block: u64, event: Event) {
        let key = Key {
            block,
            phase: event.phase(),
            seq: self.seq,
        };
        self.seq += 1;
        let slot = match self.free.pop() {
            Some(i) => {
                self.events[i] = event;
                i
            }
            None => {
                self.events.push(event);
                self.events.len() - 1
            }
        };
        self.heap.push(Reverse((key, slot)));
    }

    /// Block of the next event, if any.
    pub fn peek_block(&self) -> Option<u64> {
        self.heap.peek().map(|Reverse((k, _))| k.block)
    }

    /// Block and phase of the next event, if any.
    pub fn peek_at(&self) -> Option<(u64, Phase)> {
        self.heap.peek().map(|Reverse((k, _))| (k.block, k.phase))
    }

    /// Remove and return the next event if it comes before `(block, phase)`.
    pub fn pop_before(&mut self, limit: (u64, Phase)) -> Option<(u64, Event)> {
        if self.peek_at().is_some_and(|at| at < limit) {
            self.pop()
        } else {
            None
        }
    }

    /// Remove and return the next event.
    pub fn pop(&mut self) -> Option<(u64, Event)> {
        let Reverse((key, slot)) = self.heap.pop()?;
        self.free.push(slot);
        Some((key.block, self.events[slot]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_block_then_phase_then_schedule_order() {
        let mut world = World::new();
        let a = world.spawn_empty().id();
        let b = world.spawn_empty().id();
        let mut q = EventQueue::default();
        q.schedule(10, Event::SetWeights(a));
        q.schedule(10, Event::DailyRecord);
        q.schedule(10, Event::Epoch(b));
        q.schedule(5, Event::SetWeights(b));
        q.schedule(10, Event::SetWeights(b));
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(
            order,
            vec![
                (5, Event::SetWeights(b)),
                (10, Event::Epoch(b)),
                (10, Event::SetWeights(a)),
                (10, Event::SetWeights(b)),
                (10, Event::DailyRecord),
            ]
        );
    }
}
