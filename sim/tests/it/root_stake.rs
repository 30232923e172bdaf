//! Validators' own root stake (spec §1.5, §4.8) on two hand-built subnets with pools: subnet 1's
//! first validator holds 100,000 TAO on root, subnet 2 is the same without root stake.
//!
//! Hand computation, τ = 0.18: the root validator's stake weight is 1,000 + 0.18 × 100,000 =
//! 19,000 against the other's 1,000, so with identical weights (noise 0) and Yuma 3 bonds (the
//! same for both) its dividend share is 19/20 and the other's 1/20. Its root proportion is
//! 18,000/19,000, so its alpha-dividend weight is 19 × 1,000/19,000 = 1, the same as the other's
//! (1 × 1): the validators' pot `Pv` is split in halves, and the whole root pot `Pr` goes to the
//! root validator. Nothing is left for root stakers elsewhere (the aggregate), because the
//! root-sell flag is on (Σ moving prices = 1.6 > 1).

use subnetlab_sim::engine;
use subnetlab_sim::record::{Role, RunRecord};
use subnetlab_sim::scenario::load_str;

fn run() -> RunRecord {
    let subnet = |root: &str| {
        format!(
            "  - pool: {{ tao: 10000, alpha: 10000, moving_price: 0.8 }}
    hyperparameters: {{ tempo: 360, yuma3: true, max_allowed_uids: 8, max_allowed_validators: 4 }}
    validators:
      count: 2
      stake: {{ distribution: fixed, values: [1000, 1000] }}
      {root}
      strategy: {{ kind: honest, noise: 0, interval: 100 }}
    miners:
      count: 2
      quality: {{ distribution: fixed, values: [1.0, 0.5] }}
      strategy: {{ kind: honest, drift: 0 }}
"
        )
    };
    let yaml = format!(
        "name: root-stake
seed: 3
duration: {{ days: 1 }}
start: {{ issuance: 0 }}
record: {{ neurons: all, every: 1 }}
network:
  coinbase: {{ pools: true, share_rule: equal, root_stake: 1000000, tao_weight: 0.18 }}
subnets:
{}{}",
        subnet("root_stake: { distribution: fixed, values: [100000, 0] }"),
        subnet("")
    );
    let s = load_str("root-stake", &yaml, &[]).unwrap();
    engine::run(&s, 0, &mut |_| {}).unwrap()
}

/// The epoch and `(dividends, emission_rao)` of the two validators of `subnet` at each epoch
/// where both earned dividends.
fn validator_epochs(r: &RunRecord, subnet: u16) -> Vec<(u64, [(f64, u64); 2])> {
    let n = &r.neurons;
    let mut out = Vec::new();
    let mut epoch = 0;
    while let Some(e) = (0..n.uid.len())
        .filter(|&i| n.subnet[i] == subnet && n.epoch[i] > epoch)
        .map(|i| n.epoch[i])
        .min()
    {
        epoch = e;
        let rows: Vec<usize> = (0..n.uid.len())
            .filter(|&i| n.subnet[i] == subnet && n.epoch[i] == e && n.role[i] == Role::Validator)
            .collect();
        assert_eq!(rows.len(), 2);
        let pair = [rows[0], rows[1]].map(|i| (n.dividends[i], n.emission_rao[i]));
        if pair.iter().all(|(d, _)| *d > 0.0) {
            out.push((e, pair));
        }
    }
    out
}

#[test]
fn root_stake_weighs_in_consensus_and_earns_the_root_pot() {
    let r = run();
    let with_root = validator_epochs(&r, 1);
    let control = validator_epochs(&r, 2);
    assert!(
        with_root.len() >= 3,
        "epochs with dividends: {}",
        with_root.len()
    );
    // First epoch with dividends: stake weights 19,000 : 1,000 (stakes have not compounded yet).
    let [(d0, _), (d1, _)] = with_root[0].1;
    assert!((d0 / d1 - 19.0).abs() < 1e-6, "dividend ratio {}", d0 / d1);
    let [(c0, _), (c1, _)] = control[0].1;
    assert!((c0 / c1 - 1.0).abs() < 1e-9, "control ratio {}", c0 / c1);
    // All root alpha of subnet 1 was paid to its validators, subnet 2's (no root validator)
    // went to root stakers elsewhere (the aggregate); nothing was recycled. A subnet row's
    // root alpha is what the coinbase set aside since the previous epoch: the drained `Pr`.
    let t = &r.totals;
    assert_eq!(t.root_recycled_rao, 0);
    let sub = &r.subnets;
    let root_alpha = |netuid: u16, epoch: Option<u64>| -> u64 {
        (0..sub.subnet.len())
            .filter(|&i| sub.subnet[i] == netuid && epoch.is_none_or(|e| sub.epoch[i] == e))
            .map(|i| sub.root_alpha_rao[i])
            .sum()
    };
    assert_eq!(t.root_alpha_rao, root_alpha(2, None));
    // Pay-out at the first epoch: `Pv` in halves (up to flooring), `Pr` on top for the root
    // validator. Later the root validator's alpha has compounded faster, its root proportion
    // falls below 18/19 and it takes more than half of `Pv`, and still all of `Pr`.
    let (epoch, [(_, e0), (_, e1)]) = with_root[0];
    let pr = root_alpha(1, Some(epoch));
    assert!(pr > 0);
    assert!((e0 - e1).abs_diff(pr) <= 2, "e0 {e0} - e1 {e1} vs Pr {pr}");
    for &(epoch, [(_, e0), (_, e1)]) in &with_root[1..] {
        assert!(
            e0 >= e1 + root_alpha(1, Some(epoch)),
            "epoch {epoch}: {e0} vs {e1}"
        );
    }
    // The control's validators split their pot evenly.
    let [(_, f0), (_, f1)] = control[0].1;
    assert!(f0.abs_diff(f1) <= 1, "control {f0} vs {f1}");
    // Root stake is reported on the rows.
    let n = &r.neurons;
    let roots: Vec<f64> = (0..n.uid.len())
        .filter(|&i| n.subnet[i] == 1 && n.epoch[i] == 1 && n.role[i] == Role::Validator)
        .map(|i| n.root_stake[i])
        .collect();
    assert_eq!(roots, vec![100_000.0, 0.0]);
}

#[test]
fn validators_cannot_hold_more_root_stake_than_the_network() {
    let yaml = "name: too-much-root
duration: { days: 1 }
network:
  coinbase: { pools: true, root_stake: 1000 }
subnets:
  - validators:
      count: 2
      stake: { distribution: constant, value: 10 }
      root_stake: { distribution: constant, value: 600 }
    miners: { count: 2 }
";
    let e = load_str("too-much-root.yaml", yaml, &[])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("subnets[0].validators.root_stake")
            && e.contains("at most network.coinbase.root_stake"),
        "{e}"
    );
}
