//! Miner entry and exit on a hand-built subnet: one validator that sees quality exactly, a good
//! miner and a poor one, a cost between their earnings, and candidates who enter when it pays.
//!
//! Hand computation (no pools: price 1; TAO at 100 USD; issuance 0: 1 TAO per block; default
//! owner cut 11,796/65,535 ≈ 18 %): the miners' half is 0.41 TAO per block, 2,952 TAO ≈ $295,200
//! per day. With weights proportional to quality, the good miner (quality 1) takes 1/1.01 of it
//! (≈ $292,300/day) and the poor one (0.01) 0.01/1.01 (≈ $2,920/day). A cost of $10,000/day
//! ($500 per 360-block epoch) ruins only the poor miner: after `patience_days` of losses it stops
//! serving. A candidate of quality 0.5 expects 0.5/1.51 of the income (≈ $97,800/day), which
//! repays the 1 TAO ($100) burn at once: it registers. With a cost of $1,000/day the poor miner
//! covers its cost and stays; a candidate of quality 0 expects nothing and stays out.

use subnetlab_sim::engine;
use subnetlab_sim::record::{Role, RunRecord};
use subnetlab_sim::scenario::load_str;

fn run(cost: f64, entrant_quality: f64) -> RunRecord {
    let yaml = format!(
        "name: entry-exit
seed: 5
duration: {{ days: 3 }}
start: {{ issuance: 0 }}
network: {{ tao_price: {{ path: constant, usd: 100 }} }}
record: {{ neurons: all, every: 1 }}
subnets:
  - hyperparameters: {{ tempo: 360, max_allowed_uids: 4, max_allowed_validators: 1, immunity_period: 720, burn: {{ initial: 1, min: 1, max: 1 }} }}
    validators:
      count: 1
      stake: {{ distribution: constant, value: 1000 }}
      strategy: {{ kind: honest, noise: 0, interval: 100 }}
    miners:
      count: 2
      quality: {{ distribution: fixed, values: [1.0, 0.01] }}
      strategy: {{ kind: honest, drift: 0 }}
    economics:
      cost_per_day: {cost}
      patience_days: 1
      entrants: {{ rate_per_day: 2, quality: {{ distribution: constant, value: {entrant_quality} }}, payback_days: 30 }}
"
    );
    let s = load_str("entry-exit", &yaml, &[]).unwrap();
    engine::run(&s, 0, &mut |_| {}).unwrap()
}

/// Blocks at which the miner with `hotkey` index served at `quality` in the neuron rows.
fn rows_of(r: &RunRecord, index: u64) -> Vec<(u64, f64)> {
    let n = &r.neurons;
    (0..n.uid.len())
        .filter(|&i| n.role[i] == Role::Miner && n.hotkey[i] & 0xFFFF_FFFF == index)
        .map(|i| (n.block[i], n.quality[i].unwrap_or(f64::NAN)))
        .collect()
}

#[test]
fn a_losing_miner_leaves_and_a_profitable_entrant_arrives() {
    let r = run(10_000.0, 0.5);
    let poor = rows_of(&r, 1);
    let left = poor.iter().find(|(_, q)| *q == 0.0).map(|(b, _)| *b);
    // It loses from its first epoch (≤ block 360) and leaves once a day (7,200 blocks) of
    // losses has passed: at an epoch between blocks 7,200 and 7,200 + 360 + 360.
    let left = left.expect("the poor miner stops serving");
    assert!((7_200..=7_920).contains(&left), "left at block {left}");
    assert!(
        poor.iter()
            .filter(|(b, _)| *b < 7_200)
            .all(|(_, q)| *q == 0.01)
    );
    // The good miner stays at quality 1 throughout (it may be pruned only if it were the
    // lowest-emission UID, which it never is).
    let good = rows_of(&r, 0);
    assert!(good.iter().all(|(_, q)| *q == 1.0) && good.last().is_some());
    // Entrants of quality 0.5 registered (index ≥ 2) and paid the 1 TAO burn each.
    let registered: u32 = r.subnets.registrations.iter().sum();
    assert!(registered >= 1, "no entrant registered");
    assert_eq!(
        r.totals.registration_burn_rao,
        registered as u64 * 1_000_000_000
    );
    assert!(r.neurons.quality.contains(&Some(0.5)));
}

#[test]
fn a_covered_cost_keeps_the_miner_and_a_hopeless_candidate_stays_out() {
    let r = run(1_000.0, 0.0);
    assert!(rows_of(&r, 1).iter().all(|(_, q)| *q == 0.01));
    assert_eq!(r.subnets.registrations.iter().sum::<u32>(), 0);
}

/// Audit: miners that had all stopped serving (quality 0) kept the whole miners' pot, because
/// honest validators scored them `max(0, 0 + noise)`. A miner of quality 0 now scores exactly
/// 0: once every miner has stopped (a cost no one covers, no patience), no miner earns
/// incentive. (Their stake, from what they earned before, still draws the chain's fallback
/// payout by stake once no validator's weights are active.)
#[test]
fn miners_that_stopped_serving_earn_nothing() {
    let yaml = "name: eco
duration: { days: 2 }
record: { neurons: all, every: 1 }
subnets:
  - validators: { count: 4, stake: { distribution: constant, value: 1000 } }
    miners: { count: 8 }
    economics: { cost_per_day: 1e12, patience_days: 0 }
";
    let s = load_str("eco.yaml", yaml, &[]).unwrap();
    let record = engine::run(&s, 0, &mut |_| {}).unwrap();
    let (sub, n) = (&record.subnets, &record.neurons);
    let last = *sub.epoch.iter().max().unwrap();
    let row = (0..sub.epoch.len())
        .find(|&i| sub.epoch[i] == last)
        .unwrap();
    assert_eq!(sub.mean_miner_quality[row], 0.0, "every miner has stopped");
    let miners_last: Vec<usize> = (0..n.uid.len())
        .filter(|&i| n.epoch[i] == last && n.role[i] == Role::Miner)
        .collect();
    assert_eq!(miners_last.len(), 8);
    for i in miners_last {
        assert_eq!(n.incentive[i], 0.0, "uid {}", n.uid[i]);
    }
    assert_eq!(sub.miner_emission_rao[row], 0);
}
