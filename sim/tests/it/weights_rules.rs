//! Agents go through the chain's weight rules: commit-reveal delays when weights count, the rate
//! limit refuses calls that come too fast.

use subnetlab_sim::engine;
use subnetlab_sim::scenario::load_str;

/// Tempo 100: epochs at blocks 99, 199, 299, …; validators update every 100 blocks at their own
/// phase, so each tempo holds exactly one commit per validator.
const BASE: &str = "\
name: cr
duration: { blocks: 500 }
subnets:
  - netuid: 1
    hyperparameters:
      tempo: 100
      max_allowed_uids: 20
      max_allowed_validators: 4
      commit_reveal: { enabled: true, reveal_period: 2 }
    validators:
      count: 4
      stake: { distribution: constant, value: 1000 }
      strategy: { kind: honest, noise: 0.01, interval: 100 }
    miners:
      count: 8
";

fn incentive_sums(text: &str) -> Vec<f64> {
    let r = engine::run(&load_str("cr.yaml", text, &[]).unwrap(), 0, &mut |_| {}).unwrap();
    let n = &r.neurons;
    let mut blocks: Vec<u64> = n.block.clone();
    blocks.dedup();
    blocks
        .iter()
        .map(|b| {
            (0..n.uid.len())
                .filter(|&i| n.block[i] == *b)
                .map(|i| n.incentive[i])
                .sum()
        })
        .collect()
}

#[test]
fn reveal_period_delays_weights_by_whole_epochs() {
    // Commits of tempo 0 (before block 99) are revealed at the epoch of index 0 + r.
    let off = incentive_sums(&BASE.replace("enabled: true", "enabled: false"));
    let r1 = incentive_sums(&BASE.replace("reveal_period: 2", "reveal_period: 1"));
    let r2 = incentive_sums(BASE);
    // Without commit-reveal, and with r = 1, weights set during a tempo count at its epoch.
    assert!(off[0] > 0.99 && r1[0] > 0.99, "{off:?} {r1:?}");
    // With r = 2 nothing is revealed at the first epoch: no incentive, stake fallback.
    assert_eq!(r2[0], 0.0, "{r2:?}");
    assert!(r2[1] > 0.99, "{r2:?}");
}

#[test]
fn the_rate_limit_refuses_calls_that_come_too_fast() {
    let fast = BASE
        .replace("interval: 100", "interval: 40")
        .replace("enabled: true", "enabled: false");
    let r = engine::run(&load_str("cr.yaml", &fast, &[]).unwrap(), 0, &mut |_| {}).unwrap();
    let s = &r.subnets;
    let (set, rejected): (u32, u32) = (s.weights_set.iter().sum(), s.weights_rejected.iter().sum());
    // Calls every 40 blocks under a 100-block limit: the chain accepts at most one in every
    // three (40, 80 refused; 120 accepted), so about two thirds are refused.
    assert!(set > 0 && rejected > set, "set {set}, rejected {rejected}");
    let ok = fast.replace("interval: 40", "interval: 100");
    let r = engine::run(&load_str("cr.yaml", &ok, &[]).unwrap(), 0, &mut |_| {}).unwrap();
    assert_eq!(r.subnets.weights_rejected.iter().sum::<u32>(), 0);
}
