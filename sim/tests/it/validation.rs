//! Bad scenarios get every problem reported, located; no input makes the loader panic.

use proptest::prelude::*;
use subnetlab_sim::scenario::load_str;

const BAD: &str = "\
name: ok
duration: { days: 1 }
subnets:
  - hyperparameters: { tempo: 0, kappa: 70000 }
    validators:
      count: 2
      stake: { distribution: pareto, alpha: 0 }
      strategy: { kind: honest, noise: 0.1, interval: 0 }
    miners:
      count: 3
      quality: { distribution: fixed, values: [1, 2] }
";

#[test]
fn all_problems_are_reported_with_places() {
    let err = load_str("bad.yaml", BAD, &[]).unwrap_err();
    let lines: Vec<String> = err.problems().iter().map(|p| p.to_string()).collect();
    let expected = [
        // Hand-checked against the text above (line:column of the offending value).
        "bad.yaml:4:41: subnets[0].hyperparameters.kappa: invalid value: integer `70000`, expected u16",
        "bad.yaml:7:45: subnets[0].validators.stake.alpha: expected a finite number > 0, got 0",
        "bad.yaml:8:55: subnets[0].validators.strategy.interval: expected 1 or more blocks",
        "bad.yaml:11:47: subnets[0].miners.quality.values: expected 3 values (one per agent), got 2",
    ];
    // kappa is a type error: the typed read cuts it and goes on, so the range problems after it
    // are reported too; tempo 0 is found once kappa is cut.
    for e in expected {
        assert!(
            lines.iter().any(|l| l == e),
            "missing `{e}` in:\n{}",
            lines.join("\n")
        );
    }
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("bad.yaml:4:") && l.contains("tempo")),
        "{lines:?}"
    );
    assert_eq!(lines.len(), 5, "{lines:?}");
}

/// A map missing a required field is cut, and the read goes on: the problems after it are
/// reported, and the cut's own consequences (the parent now missing the map) are not.
#[test]
fn problems_after_a_missing_field_are_reported() {
    let text = "\
name: x
numeric: chian
subnets:
  - validators: { count: 4, stake: { values: [1] }, strategy: { kind: lazy, refresh: -1 } }
    miners: { count: 8, quality: { min: 0, max: 1 } }
";
    let err = load_str("m.yaml", text, &[]).unwrap_err();
    let lines: Vec<String> = err.problems().iter().map(|p| p.to_string()).collect();
    // Hand-checked against the text above (line:column of the offending node).
    let expected = [
        "m.yaml:2:10: numeric: unknown variant `chian`, expected `f64` or `chain`",
        "m.yaml:4:36: subnets[0].validators.stake: missing field `distribution`",
        // serde names the tagged strategy map, not the value inside it.
        "m.yaml:4:63: subnets[0].validators.strategy: invalid value: integer `-1`, expected u64",
        "m.yaml:5:34: subnets[0].miners.quality: missing field `distribution`",
    ];
    assert_eq!(lines, expected);
}

#[test]
fn syntax_errors_and_unknown_fields_are_located() {
    let err = load_str("x.yaml", "name: [\n", &[]).unwrap_err();
    let p = &err.problems()[0];
    assert!(p.message.starts_with("not valid YAML"), "{p}");
    assert!(p.line.is_some());
    let err = load_str("x.yaml", "name: a\nduration: {days: 1}\nsubnet: []\n", &[]).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("x.yaml:3:9: subnet: unknown field `subnet`"),
        "{text}"
    );
    assert!(text.contains("missing field `subnets`"), "{text}");
}

#[test]
fn overrides_are_checked_like_the_file() {
    let bad = ["subnets[3].hyperparameters.tempo=5".parse().unwrap()];
    let err = load_str(
        "builtin",
        subnetlab_sim::scenario::builtin("default").unwrap().yaml,
        &bad,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("--set: subnets[3].hyperparameters.tempo: index [3] is out of range"),
        "{err}"
    );
    assert!(
        "no_equals_sign"
            .parse::<subnetlab_sim::scenario::Override>()
            .is_err()
    );
}

proptest! {
    #[test]
    fn loader_never_panics(text in ".{0,200}") {
        let _ = load_str("fuzz.yaml", &text, &[]);
    }

    #[test]
    fn loader_never_panics_on_mutated_scenarios(cut in 0usize..2000, junk in "[ -~\\n]{0,12}") {
        let base = subnetlab_sim::scenario::builtin("default").unwrap().yaml;
        let cut = cut.min(base.len());
        let cut = (0..=cut).rev().find(|&c| base.is_char_boundary(c)).unwrap_or(0);
        let text = format!("{}{}{}", &base[..cut], junk, &base[cut..]);
        let _ = load_str("fuzz.yaml", &text, &[]);
    }
}

#[test]
fn absurd_sizes_are_refused_not_run() {
    let text = "name: x\nduration: {years: 1e12}\nsubnets:\n  - validators: {count: 2, stake: {distribution: fixed, values: [2e7, 2e7]}}\n    miners: {count: 1}\n";
    let err = load_str("x.yaml", text, &[]).unwrap_err().to_string();
    assert!(
        err.contains("duration: expected at most 1,000 years"),
        "{err}"
    );
    assert!(err.contains("subnets[0].validators.stake: expected values summing to at most 21,000,000, got up to 40000000"), "{err}");
}

#[test]
fn bad_sweeps_are_reported() {
    let text = "name: x\nduration: {days: 1}\nreplicates: 0\nsubnets:\n  - validators: {count: 2, stake: {distribution: constant, value: 1}}\n    miners: {count: 1}\nsweep:\n  grid:\n    subnets[0].hyperparameters.tempo: [360, 0]\n    replicates: [1, 2]\n";
    let err = load_str("x.yaml", text, &[]).unwrap_err().to_string();
    assert!(
        err.contains("x.yaml:3:13: replicates: expected at least 1"),
        "{err}"
    );
    assert!(
        err.contains("sweep.grid: `replicates` cannot be swept"),
        "{err}"
    );
    let text = text
        .replace("    replicates: [1, 2]\n", "")
        .replace("replicates: 0", "replicates: 2");
    let err = load_str("x.yaml", &text, &[]).unwrap_err().to_string();
    assert!(
        err.contains(
            "sweep: at point tempo=0: subnets[0].hyperparameters.tempo: expected 1 or more blocks"
        ),
        "{err}"
    );
}

/// Fields and values to throw at the default scenario: extremes, zeros, wrong types.
const PATHS: [&str; 12] = [
    "subnets[0].hyperparameters.tempo",
    "subnets[0].hyperparameters.kappa",
    "subnets[0].hyperparameters.max_allowed_validators",
    "subnets[0].hyperparameters.max_allowed_uids",
    "subnets[0].hyperparameters.bonds_moving_average",
    "subnets[0].hyperparameters.liquid_alpha.alpha_low",
    "subnets[0].validators.count",
    "subnets[0].miners.count",
    "subnets[0].validators.strategy.noise",
    "subnets[0].hyperparameters.activity_cutoff",
    "network.stake_threshold",
    "start.issuance",
];
const VALUES: [&str; 10] = [
    "0",
    "1",
    "2",
    "65535",
    "4294967295",
    "-1",
    "0.5",
    "1e300",
    "abc",
    "[1, 2]",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    /// Whatever validation accepts runs to the end without a panic, and conserves emission.
    #[test]
    fn accepted_scenarios_run_without_panic(picks in proptest::collection::vec((0usize..12, 0usize..10), 1..4)) {
        let mut overrides: Vec<subnetlab_sim::scenario::Override> =
            picks.iter().map(|&(p, v)| format!("{}={}", PATHS[p], VALUES[v]).parse().unwrap()).collect();
        overrides.push("duration={blocks: 1500}".parse().unwrap());
        let yaml = subnetlab_sim::scenario::builtin("default").unwrap().yaml;
        if let Ok(s) = load_str("fuzz.yaml", yaml, &overrides) {
            let r = subnetlab_sim::engine::run(&s, 0, &mut |_| {}).unwrap();
            let t = &r.totals;
            prop_assert_eq!(t.minted_rao, t.miners_rao + t.validators_rao + t.owner_cut_rao + t.owner_burned_rao + t.dust_rao + t.pending_rao);
        }
    }
}
