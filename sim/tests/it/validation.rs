//! Bad scenarios get every problem reported, located; no input makes the loader panic.

use proptest::prelude::*;
use subnetlab_sim::scenario::{Override, load_str};

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
        "bad.yaml:4:41: subnets[0].hyperparameters.kappa: invalid value: integer `70000`, expected a whole number from 0 to 65535",
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
    // Hand-checked against the text above (line:column of the offending node). The text has
    // no `duration`: the read used to stop before reaching that (serde reports a map's missing
    // fields after its other fields).
    let expected = [
        "m.yaml:1:1: missing field `duration`",
        "m.yaml:2:10: numeric: unknown variant `chian`, expected `f64` or `chain`",
        "m.yaml:4:36: subnets[0].validators.stake: missing field `distribution`",
        // serde names the tagged strategy map; the loader finds the one field holding `-1`.
        "m.yaml:4:86: subnets[0].validators.strategy.refresh: invalid value: integer `-1`, expected a whole number from 0 to 18446744073709551615",
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
            .contains("--set subnets[3].hyperparameters.tempo=5: index [3] is out of range"),
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
    // A second audit: a 300-character name validated, then the run failed ("File name too long").
    let long = text.replace("name: x", &format!("name: {}", "a".repeat(300)));
    let err = load_str("x.yaml", &long, &[]).unwrap_err().to_string();
    assert!(
        err.contains("name: expected at most 200 characters"),
        "{err}"
    );
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
        err.contains("x.yaml:10:17: sweep.grid.replicates: `replicates` cannot be swept"),
        "{err}"
    );
    let text = text
        .replace("    replicates: [1, 2]\n", "")
        .replace("replicates: 0", "replicates: 2");
    let err = load_str("x.yaml", &text, &[]).unwrap_err().to_string();
    assert!(
        err.contains(
            // Placed on the key that set the value (its values: line 9, column 39).
            "x.yaml:9:39: sweep.grid.subnets[0].hyperparameters.tempo: at point tempo=0: subnets[0].hyperparameters.tempo: expected 1 or more blocks"
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

/// A minimal valid scenario with `extra` lines appended (top-level fields).
fn small(extra: &str) -> String {
    format!(
        "name: x\nduration: {{days: 1}}\nsubnets:\n  - validators: {{count: 2, stake: {{distribution: constant, value: 1}}}}\n    miners: {{count: 1}}\n{extra}"
    )
}

fn problem_lines(text: &str) -> Vec<String> {
    match load_str("x.yaml", text, &[]) {
        Ok(_) => Vec::new(),
        Err(e) => e.problems().iter().map(|p| p.to_string()).collect(),
    }
}

/// Audit `startblockbig.yaml`: `start: { block: 18446744073709551515 }` with one day passed, and
/// the run then never ended (its last block saturated at `u64::MAX`). The run must end by
/// block u32::MAX, the chain's block number type; one day (7,200 blocks) fits from
/// 4,294,967,295 − 7,200 = 4,294,960,095 and not one block later.
#[test]
fn a_start_block_past_the_chains_block_numbers_is_refused() {
    let lines = problem_lines(&small("start: {block: 18446744073709551515}\n"));
    assert_eq!(
        lines,
        [
            "x.yaml:6:16: start.block: expected the run to end by block 4294967295 (the chain's block numbers are u32): with 7200 blocks, a start block of at most 4294960095, got 18446744073709551515"
        ]
    );
    assert!(problem_lines(&small("start: {block: 4294960095}\n")).is_empty());
    assert_eq!(
        problem_lines(&small("start: {block: 4294960096}\n")).len(),
        1
    );
}

/// Audit `sweep_random_nbig.yaml` (`random: {n: 4000000000}`: validation itself expanded the
/// points and never returned), `sweep_random_n0.yaml` (`n: 0`: accepted, an empty result),
/// `repbig.yaml` / `rep1e8.yaml` (4e9 and 1e8 replicates: a 32 GB allocation at run time) and
/// `sweep_huge.yaml` (a 10^5-point grid × 1000 replicates). Sizes are checked from the lists'
/// lengths before any point is expanded.
#[test]
fn oversized_studies_are_refused_before_expanding() {
    let random = |n: &str| {
        small(&format!(
            "sweep:\n  random:\n    n: {n}\n    ranges:\n      subnets[0].validators.strategy.noise: {{min: 0, max: 1}}\n"
        ))
    };
    assert_eq!(
        problem_lines(&random("4000000000")),
        [
            "x.yaml:8:8: sweep.random.n: expected at most 100000 sweep points (grid × zip + random.n), got 4000000000"
        ]
    );
    assert_eq!(
        problem_lines(&random("0")),
        ["x.yaml:8:8: sweep.random.n: expected 1 or more points (0 would run nothing)"]
    );
    assert!(problem_lines(&random("3")).is_empty());
    for (replicates, runs) in [
        (
            "4000000000",
            "1 sweep point × 4000000000 replicates = 4000000000",
        ),
        (
            "100000000",
            "1 sweep point × 100000000 replicates = 100000000",
        ),
    ] {
        assert_eq!(
            problem_lines(&small(&format!("replicates: {replicates}\n"))),
            [format!(
                "x.yaml:6:13: replicates: expected at most 1000000 runs in all, got {runs}"
            )]
        );
    }
    assert!(problem_lines(&small("replicates: 1000000\n")).is_empty());
    let ten = "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]";
    let grid = small(&format!(
        "replicates: 1000\nsweep:\n  grid:\n    seed: {ten}\n    subnets[0].hyperparameters.kappa: {ten}\n    subnets[0].hyperparameters.tempo: {ten}\n    subnets[0].hyperparameters.bonds_penalty: {ten}\n    subnets[0].hyperparameters.immunity_period: {ten}\n"
    ));
    assert_eq!(
        problem_lines(&grid),
        [
            "x.yaml:6:13: replicates: expected at most 1000000 runs in all, got 100000 sweep points × 1000 replicates = 100000000"
        ]
    );
    let grid = grid
        .replace("replicates: 1000\n", "replicates: 1\n")
        .replace(
            "    seed: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n",
            "    seed: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\n",
        );
    assert_eq!(
        problem_lines(&grid),
        [
            "x.yaml:8:3: sweep: expected at most 100000 sweep points (grid × zip + random.n), got 110000"
        ]
    );
}

/// Audit `big2.yaml`: one subnet of 4,096 validators and 61,439 miners (`max_allowed_uids:
/// 65535`) passed, then the run aborted out of memory at 6 GB. A subnet holds at most 4,096
/// UIDs (16× the chain's `DefaultMaxAllowedUids`, 256); the network at most 262,144 (the sum
/// of `max_allowed_uids`), so 65 subnets of 4,096 are refused and 64 accepted.
#[test]
fn oversized_subnets_and_networks_are_refused() {
    let text = "name: x\nduration: {blocks: 800}\nsubnets:\n  - hyperparameters: { max_allowed_uids: 65535, max_allowed_validators: 4096 }\n    validators: { count: 4096, stake: { distribution: constant, value: 100 } }\n    miners: { count: 61439 }\n";
    assert_eq!(
        problem_lines(text),
        [
            "x.yaml:4:42: subnets[0].hyperparameters.max_allowed_uids: expected 1 to 4096 (16× the chain's bound of 256), got 65535"
        ]
    );
    let network = |subnets: usize| {
        let subnet = "  - hyperparameters: { max_allowed_uids: 4096 }\n    validators: { count: 1, stake: { distribution: constant, value: 1 } }\n    miners: { count: 1 }\n";
        format!(
            "name: x\nduration: {{blocks: 10}}\nsubnets:\n{}",
            subnet.repeat(subnets)
        )
    };
    assert!(problem_lines(&network(64)).is_empty());
    assert_eq!(
        problem_lines(&network(65)),
        [
            "x.yaml:4:3: subnets: expected at most 262144 UIDs in all (the sum of the subnets' max_allowed_uids, 256 each by default), got 266240"
        ]
    );
}

/// "Every problem at once", audit inputs: `m1.yaml` (only `miners.count: x` wrong; a spurious
/// `subnets[0]: missing field 'validators'` followed from cutting the subnet), `t_threesub.yaml`
/// (`subnets[2].validators.count: w` never reported: the search stopped once a subnet was cut)
/// and `unknown.yaml` (six problems, `duration.hours` dropped). Each problem once, nothing
/// that only follows from another.
#[test]
fn every_independent_problem_is_reported_once() {
    let subnet = |v: &str, m: &str| {
        format!(
            "  - validators: {{ count: {v}, stake: {{ distribution: constant, value: 1 }} }}\n    miners: {{ count: {m}, quality: {{ distribution: constant, value: 0.5 }} }}\n"
        )
    };
    let head = "name: a\nduration: { days: 1 }\nsubnets:\n";
    let m1 = format!("{head}{}", subnet("2", "x"));
    assert_eq!(
        problem_lines(&m1),
        [
            "x.yaml:5:22: subnets[0].miners.count: invalid type: string \"x\", expected a whole number from 0 to 4294967295"
        ]
    );
    let three = format!(
        "{head}{}{}{}",
        subnet("2", "2"),
        subnet("y", "z"),
        subnet("w", "2")
    );
    assert_eq!(
        problem_lines(&three),
        [
            "x.yaml:6:26: subnets[1].validators.count: invalid type: string \"y\", expected a whole number from 0 to 4294967295",
            "x.yaml:7:22: subnets[1].miners.count: invalid type: string \"z\", expected a whole number from 0 to 4294967295",
            "x.yaml:8:26: subnets[2].validators.count: invalid type: string \"w\", expected a whole number from 0 to 4294967295",
        ]
    );
    let unknown = "\
name: unk
seed: 1
durration: { days: 1 }
duration: { days: 1, hours: 3 }
subnets:
  - netuid: 1
    hyperparameter: {}
    validators:
      count: 4
      stake: { distribution: lognormal, sigma: 1.2, total: 1000, extra: 3 }
      strategy: { kind: honestt }
    miners:
      count: 4
      quality: { distribution: betta, a: 2, b: 5 }
";
    let lines = problem_lines(unknown);
    let paths: Vec<&str> = lines
        .iter()
        .map(|l| l.split(": ").next().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "x.yaml:3:12",
            "x.yaml:4:29",
            "x.yaml:7:21",
            "x.yaml:10:14",
            "x.yaml:11:25",
            "x.yaml:14:32",
        ],
        "{lines:#?}"
    );
    assert!(
        lines[1].contains("duration.hours: unknown field `hours`"),
        "{lines:#?}"
    );
    // Audit `t_durstr.yaml`: cutting `days` left `duration` empty, which was reported too.
    assert_eq!(
        problem_lines(&small("").replace("{days: 1}", "{days: \"ten\"}")),
        ["x.yaml:2:18: duration.days: invalid type: string \"ten\", expected a number"]
    );
}

/// Audit `bom.yaml` (a UTF-8 byte-order mark before `name:` read as a second document, no
/// location), `badutf8.yaml` (bytes FF FE 00 01: "stream did not contain valid UTF-8", no
/// place) and `dupkey.yaml` (`name:` twice, reported at 1:1 instead of the second `name`).
#[test]
fn encodings_and_duplicate_keys_are_located() {
    let text = small("");
    assert!(load_str("x.yaml", &format!("\u{feff}{text}"), &[]).is_ok());

    let dir = std::env::temp_dir().join(format!("subnetlab-utf8-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.yaml");
    // The invalid byte 0xFF is on line 2, after the 6 characters `seed: ` (the é on line 1 is
    // two bytes but one column).
    std::fs::write(&file, b"name: \xc3\xa9\nseed: \xff\n").unwrap();
    let err = subnetlab_sim::scenario::load_file(&file, &[]).unwrap_err();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        err.problems()
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>(),
        [format!(
            "{}:2:7: not valid UTF-8 (byte 0xFF): expected UTF-8 text",
            file.display()
        )]
    );

    assert_eq!(
        problem_lines(&format!("name: a\n{text}")),
        ["x.yaml:2:1: name: not valid YAML: duplicate entry with key \"name\""]
    );

    // Audit: a 21-digit seed read "not valid YAML: seed: invalid type: integer `…` as u128,
    // expected any YAML value". It now names the field and the range.
    assert_eq!(
        problem_lines("name: a\nseed: 123456789012345678901\n"),
        [
            "x.yaml:2:7: seed: 123456789012345678901 is out of range: expected a whole number from -9223372036854775808 to 18446744073709551615"
        ]
    );
}

/// Audit: `--set foo=1` was reported at `scenarios/default.yaml:4:1` and
/// `--set subnets[0].hyperparameters.kappa=x` at `default.yaml:18:14`, where the file's value
/// is valid. A problem with a value an override set names the override; the file's own
/// problems keep their places.
#[test]
fn override_problems_name_the_override() {
    let set = |s: &[&str]| -> Vec<subnetlab_sim::scenario::Override> {
        s.iter().map(|o| o.parse().unwrap()).collect()
    };
    let default = subnetlab_sim::scenario::builtin("default").unwrap().yaml;
    let lines = |text: &str, overrides: &[&str]| -> Vec<String> {
        load_str("default.yaml", text, &set(overrides))
            .unwrap_err()
            .problems()
            .iter()
            .map(|p| p.to_string())
            .collect()
    };
    assert_eq!(
        lines(default, &["foo=1", "subnets[0].hyperparameters.kappa=x"]),
        [
            "--set foo=1: unknown field `foo`, expected one of `name`, `description`, `seed`, `duration`, `start`, `network`, `subnets`, `timeline`, `replicates`, `sweep`, `record`, `numeric`",
            "--set subnets[0].hyperparameters.kappa=x: invalid type: string \"x\", expected a whole number from 0 to 65535",
        ]
    );
    // Under an override's path, the field is named (and the cut `days` leaves no follow-on
    // "expected exactly one of blocks, epochs, days, years"); a semantic problem too.
    assert_eq!(
        lines(default, &["duration={days: x}"]),
        ["--set duration={days: x}: duration.days: invalid type: string \"x\", expected a number",]
    );
    assert_eq!(
        lines(
            default,
            &["subnets[0].validators={count: 0, stake: {distribution: constant, value: 1}}"]
        ),
        [
            "--set subnets[0].validators={count: 0, stake: {distribution: constant, value: 1}}: subnets[0].validators.count: expected at least 1 validator",
        ]
    );
    // The file's own problem keeps its place, next to the override's.
    let text = small("seed: x\n");
    assert_eq!(
        lines(&text, &["replicates=0"]),
        [
            "default.yaml:6:7: seed: invalid type: string \"x\", expected a whole number from 0 to 18446744073709551615",
            "--set replicates=0: expected at least 1",
        ]
    );
}

/// A second audit: `--set` on a field the sweep varies was written into the resolved scenario
/// and silently never used (every point takes the sweep's value).
#[test]
fn overrides_of_swept_fields_are_refused() {
    let text = "name: x\nduration: {days: 1}\nsubnets:\n  - validators: {count: 2, stake: {distribution: constant, value: 1}}\n    miners: {count: 1}\nsweep:\n  grid:\n    subnets[0].hyperparameters.kappa: [26214, 32767]\n";
    let o: Override = "subnets[0].hyperparameters.kappa=1000".parse().unwrap();
    let err = load_str("x.yaml", text, &[o]).unwrap_err().to_string();
    assert!(
        err.contains("--set subnets[0].hyperparameters.kappa=1000: the sweep varies"),
        "{err}"
    );
    let other: Override = "subnets[0].hyperparameters.tempo=100".parse().unwrap();
    assert!(load_str("x.yaml", text, &[other]).is_ok());
}
