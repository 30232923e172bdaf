//! Adversary scenarios under `scenarios/adversary-*.yaml`: each runs next to its honest twin
//! (same seed, the adversary replaced by an honest agent of the same stake) and the test
//! asserts the direction of the effect the strategy's chain defence should have.

use subnetlab_sim::engine;
use subnetlab_sim::record::RunRecord;
use subnetlab_sim::scenario::Scenario;

/// TAO paid over the run to the neurons whose row passes `pick(strategy, coalition)`, by hotkey
/// so the twin's honest replacements are matched: returns (in the run, in the twin).
fn earned_vs_twin(
    s: &Scenario,
    pick: impl Fn(&str, Option<u32>) -> bool,
) -> (f64, f64, RunRecord, RunRecord) {
    let run = engine::run(s, 0, &mut |_| {}).unwrap();
    let twin = engine::run(&s.honest_twin(), 0, &mut |_| {}).unwrap();
    let n = &run.neurons;
    let hotkeys: std::collections::BTreeSet<u64> = (0..n.hotkey.len())
        .filter(|&i| pick(n.strategy[i], n.coalition[i]))
        .map(|i| n.hotkey[i])
        .collect();
    assert!(!hotkeys.is_empty(), "{}: no adversary rows", s.name);
    let sum = |r: &RunRecord| -> f64 {
        let n = &r.neurons;
        (0..n.hotkey.len())
            .filter(|&i| hotkeys.contains(&n.hotkey[i]))
            .map(|i| n.emission[i])
            .sum()
    };
    (sum(&run), sum(&twin), run, twin)
}

fn strategy(name: &'static str) -> impl Fn(&str, Option<u32>) -> bool {
    move |s, _| s == name
}

/// Share of the epoch's paid emission that went to rows passing `pick(uid)`, for each of
/// the given epochs.
fn epoch_share(r: &RunRecord, epoch: u64, pick: impl Fn(u16) -> bool) -> f64 {
    let n = &r.neurons;
    let rows = (0..n.uid.len()).filter(|&i| n.epoch[i] == epoch);
    let total: f64 = rows.clone().map(|i| n.emission[i]).sum();
    let mine: f64 = rows
        .filter(|&i| pick(n.uid[i]))
        .map(|i| n.emission[i])
        .sum();
    mine / total
}

/// Commit-reveal hides the weights a copier reads until they are revealed, a period later:
/// with it the copier earns clearly less than its honest twin, without it about as much.
/// Measured (seed 7, 2 days): 0.932 of the twin with commit-reveal, 1.002 without.
#[test]
fn a_copier_earns_less_under_commit_reveal() {
    let ratio = |cr: bool| {
        let s = crate::example(
            "adversary-weight-copier.yaml",
            &[&format!(
                "subnets[0].hyperparameters.commit_reveal.enabled={cr}"
            )],
        );
        let (adv, twin, _, _) = earned_vs_twin(&s, strategy("weight_copier"));
        adv / twin
    };
    let (with, without) = (ratio(true), ratio(false));
    assert!(with < 0.97 && without > 0.99, "{with} vs {without}");
    assert!(with < without);
}

/// A 16 %-stake cabal with self-weight 0.5 under Yuma 3: clipping holds its miners far below
/// the share its weight would buy unclipped (stake share × w_c × the miners' half ≈ 4 %), the
/// coalition earns less than its honest twin (0.59 measured), and its validators' share falls
/// over the run as bonds follow clipped weights (4.61 % at epoch 1 → 4.08 % at epoch 140).
#[test]
fn a_minority_cabal_is_clipped_and_loses_under_yuma3() {
    let s = crate::example("adversary-cabal.yaml", &[]);
    let (adv, twin, run, honest) = earned_vs_twin(&s, |_, c| c == Some(1));
    assert!(adv < 0.8 * twin, "{adv} vs {twin}");
    let last = *run.neurons.epoch.iter().max().unwrap();
    // UIDs: 16 honest validators, 32 honest miners, 3 cabal validators (48..51), 4 cabal miners.
    let (validators, miners) = (|u: u16| (48..51).contains(&u), |u: u16| u >= 51);
    let unclipped = 3.0 / 19.0 * 0.5 * 0.5;
    for e in [1, last / 2, last] {
        let m = epoch_share(&run, e, miners);
        assert!(m < unclipped / 4.0, "epoch {e}: cabal miners {m}");
        assert!(
            m >= epoch_share(&honest, e, miners),
            "self-weight buys a little"
        );
    }
    let (first, end) = (
        epoch_share(&run, 1, validators),
        epoch_share(&run, last, validators),
    );
    assert!(end < first, "validators' share falls: {first} -> {end}");
}

/// An owner with 10 % of stake putting 80 % of its weight on its own miners: its hotkey keeps
/// its permit, but its weights are clipped and its validator trust falls, so it earns far less
/// than as an honest owner (0.21 measured), and its coalition with its miners loses too.
#[test]
fn a_minority_self_dealing_owner_loses() {
    let s = crate::example("adversary-self-dealing-owner.yaml", &[]);
    let (owner, twin, _, _) = earned_vs_twin(&s, strategy("self_dealing_owner"));
    assert!(owner < 0.5 * twin, "{owner} vs {twin}");
    let (coalition, twin, _, _) = earned_vs_twin(&s, |_, c| c == Some(9));
    assert!(coalition < twin, "{coalition} vs {twin}");
}

/// Stale weights cost validator trust and bonds when miners drift: the lazy validator earns
/// less than its honest twin (0.85 measured).
#[test]
fn a_lazy_validator_earns_less() {
    let s = crate::example("adversary-lazy.yaml", &[]);
    let (adv, twin, _, _) = earned_vs_twin(&s, strategy("lazy"));
    assert!(adv < 0.95 * twin, "{adv} vs {twin}");
}

/// An outage longer than the activity cutoff: the validator earns no dividends once its last
/// update is older than the cutoff, and less than its honest twin over the run (0.56).
#[test]
fn an_offline_validator_loses_dividends() {
    let s = crate::example("adversary-offline.yaml", &[]);
    let (adv, twin, run, _) = earned_vs_twin(&s, strategy("offline"));
    assert!(adv < 0.7 * twin, "{adv} vs {twin}");
    // Day 1 is inside the outage and well past the cutoff: nothing earned at its epoch.
    let n = &run.neurons;
    let at_day_one = (0..n.uid.len())
        .filter(|&i| n.strategy[i] == "offline" && (7_100..=7_300).contains(&n.block[i]))
        .map(|i| n.emission[i])
        .collect::<Vec<_>>();
    assert!(!at_day_one.is_empty() && at_day_one.iter().all(|e| *e == 0.0));
}

/// Following two epochs late costs validator trust when miners drift: the late follower earns
/// less than its honest twin (0.92 measured).
#[test]
fn a_late_follower_earns_less_than_its_twin() {
    let s = crate::example("adversary-late-follower.yaml", &[]);
    let (adv, twin, _, _) = earned_vs_twin(&s, strategy("late_follower"));
    assert!(adv < 0.97 * twin, "{adv} vs {twin}");
}

/// Validators cannot tell copies of one model apart: 8 sybil UIDs serving one quality earn
/// about 6 times what one UID of that quality earns (not 8: the copies' weight also dilutes the
/// pot among them), while the burn they pay rises ×1.26 per registration. Measured (seed 8):
/// 1 UID 209.8 TAO for 0.0005 TAO burn; 8 UIDs 1,261.9 TAO for 0.0103 TAO.
#[test]
fn sybil_copies_multiply_the_take_and_the_burn() {
    let outcome = |count: u32| {
        let s = crate::example(
            "adversary-sybil.yaml",
            &[&format!("timeline[0].register[0].miners.count={count}")],
        );
        let run = engine::run(&s, 0, &mut |_| {}).unwrap();
        let n = &run.neurons;
        let earned: f64 = (0..n.uid.len())
            .filter(|&i| n.coalition[i] == Some(1))
            .map(|i| n.emission[i])
            .sum();
        (earned, run.totals.registration_burn_rao as f64 / 1e9)
    };
    let (one, one_burn) = outcome(1);
    let (eight, eight_burn) = outcome(8);
    let message = format!("1 UID: {one} TAO for {one_burn} burn; 8 UIDs: {eight} for {eight_burn}");
    eprintln!("{message}");
    assert!(eight > 5.0 * one, "{message}");
    // Burn: p + 1.26 p + … + 1.26⁷ p = p (1.26⁸ − 1)/0.26 ≈ 20.59 p for 8 registrations in one
    // block (hand-computed geometric sum), against p for one.
    let ratio = eight_burn / one_burn;
    assert!(
        (ratio - (1.26f64.powi(8) - 1.0) / 0.26).abs() < 0.01,
        "{message}"
    );
}

/// An adaptive cabal searches its self-weight: starting from w_c = 0.5 with steps of 0.1
/// every 5 epochs, it earns more than the same cabal held at 0.5 (self-weight is clipped and
/// costs trust, so the climb goes down). Measured (seed 11): 822.5 TAO against 574.2.
#[test]
fn an_adaptive_cabal_finds_a_better_self_weight() {
    let earned = |adapt: bool| {
        let mut overrides = vec![];
        if adapt {
            overrides.push(
                "subnets[0].cohorts[0].validators.strategy.adapt={every: 5, knob: w_c, step: 0.1}",
            );
        }
        let s = crate::example("adversary-cabal.yaml", &overrides);
        let run = engine::run(&s, 0, &mut |_| {}).unwrap();
        let n = &run.neurons;
        (0..n.uid.len())
            .filter(|&i| n.coalition[i] == Some(1))
            .map(|i| n.emission[i])
            .sum::<f64>()
    };
    let (fixed, adaptive) = (earned(false), earned(true));
    eprintln!("adaptive {adaptive} vs fixed {fixed}");
    assert!(adaptive > fixed, "adaptive {adaptive} vs fixed {fixed}");
}
