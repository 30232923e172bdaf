//! Every example under `scenarios/` loads, runs to the end, and produces sane tables.

use subnetlab_sim::engine;
use subnetlab_sim::record::Role;

#[test]
fn every_example_scenario_runs() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    names.sort();
    assert!(
        names.len() >= 3,
        "at least three example scenarios: {names:?}"
    );
    for name in names {
        // Full length for the short ones; the 30-day default is covered by `halving`.
        // Full per-UID records, so rows can be checked against the totals.
        // The 4-year network (128 subnets × 256 UIDs) is a benchmark: two epochs per subnet here.
        let duration = if name == "network-4y.yaml" {
            "duration={blocks: 720}"
        } else {
            "duration={days: 2}"
        };
        let scenario = crate::example(&name, &[duration, "record={neurons: all, every: 1}"]);
        let record =
            engine::run(&scenario, 0, &mut |_| {}).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(record.epochs > 0, "{name}: no epoch ran");
        let t = &record.totals;
        assert!(
            t.miners_rao > 0 && t.validators_rao > 0,
            "{name}: both roles earn: {t:?}"
        );
        // Validators observe quality with noise; miners with more quality earn more on average.
        let n = &record.neurons;
        let miner_emission: u64 = n
            .role
            .iter()
            .zip(&n.emission_rao)
            .filter(|(r, _)| **r == Role::Miner)
            .map(|(_, e)| e)
            .sum();
        assert_eq!(
            miner_emission, t.miners_rao,
            "{name}: rows add up to totals"
        );
    }
}

#[test]
fn builtin_scenarios_equal_the_files() {
    for b in subnetlab_sim::scenario::BUILTIN_SCENARIOS {
        let file = crate::example(&format!("{}.yaml", b.name), &[]);
        let builtin = subnetlab_sim::scenario::load_str(b.name, b.yaml, &[]).unwrap();
        assert_eq!(file, builtin, "{}", b.name);
    }
}

/// A validator that sees quality well rewards the best miners: over a day, the best-quality
/// miner earns more than the worst one (the qualities are fixed to make the order certain).
#[test]
fn better_miners_earn_more() {
    let s = crate::example(
        "two-subnets.yaml",
        &[
            "duration={days: 1}",
            "subnets[1].miners.quality={distribution: fixed, values: [0.1, 0.2, 0.9]}",
            "subnets[1].miners.count=3",
        ],
    );
    let record = engine::run(&s, 0, &mut |_| {}).unwrap();
    let n = &record.neurons;
    let earned = |uid: u16| -> u64 {
        (0..n.uid.len())
            .filter(|&i| n.subnet[i] == 2 && n.uid[i] == uid)
            .map(|i| n.emission_rao[i])
            .sum()
    };
    // Subnet 2 has 8 validators (UIDs 0..8) then the miners.
    assert!(
        earned(10) > earned(9) && earned(9) >= earned(8),
        "{} {} {}",
        earned(8),
        earned(9),
        earned(10)
    );
}

/// Audit: in `two-subnets` the tempo-99 subnet's honest validators updated every 99 blocks,
/// one block sooner than the default weights rate limit (100) allows, so every second update
/// was refused (288 set, 288 refused in a day). The default interval is now the longer of the
/// tempo and the rate limit: nothing is refused, and the resolved scenario says 100.
#[test]
fn default_update_intervals_respect_the_rate_limit() {
    let s = crate::example("two-subnets.yaml", &["duration={days: 1}"]);
    assert_eq!(s.subnets[1].hyperparameters.tempo, 99);
    assert_eq!(s.subnets[1].validators.strategy.interval(), Some(100));
    let record = engine::run(&s, 0, &mut |_| {}).unwrap();
    let sub = &record.subnets;
    for netuid in [1, 2] {
        let rows = (0..sub.subnet.len()).filter(|&i| sub.subnet[i] == netuid);
        let (set, refused) = rows.fold((0, 0), |(a, b), i| {
            (a + sub.weights_set[i], b + sub.weights_rejected[i])
        });
        assert!(set > 0, "subnet {netuid}");
        assert_eq!(refused, 0, "subnet {netuid}: {set} set");
    }
}
