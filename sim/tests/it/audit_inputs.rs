//! Inputs a user audit of the scenario language found accepted silently, or refused with a
//! misleading message: each is now refused with its place, field path and what was expected.

use subnetlab_sim::scenario::load_str;

/// A minimal valid scenario: `subnet` lines are appended under the subnet (4-space indent),
/// `extra` lines at the top level.
fn scenario(subnet: &str, extra: &str) -> String {
    format!(
        "name: x\nduration: {{days: 1}}\nsubnets:\n  - validators: {{count: 2, stake: {{distribution: constant, value: 1}}}}\n    miners: {{count: 1}}\n{subnet}{extra}"
    )
}

/// Every problem of `text`, as printed (`file:line:column: path: message`).
fn problems(text: &str) -> Vec<String> {
    match load_str("x.yaml", text, &[]) {
        Ok(_) => Vec::new(),
        Err(e) => e.problems().iter().map(|p| p.to_string()).collect(),
    }
}

/// An audit found `name: "."` and `name: ".."` valid: the run then failed at its very end,
/// renaming its temporary folder to `out/.`, and left the hidden folder behind.
#[test]
fn dot_names_are_refused() {
    for name in [".", ".."] {
        let text = scenario("", "").replace("name: x", &format!("name: \"{name}\""));
        assert_eq!(
            problems(&text),
            [format!(
                "x.yaml:1:7: name: expected a name other than `.` or `..` (it names the result folder, and `{name}` is a folder already), got `{name}`"
            )]
        );
    }
    // A dot inside a name is still fine.
    let text = scenario("", "").replace("name: x", "name: a.b..c");
    assert!(problems(&text).is_empty());
}

/// An audit found `normal` populations whose mean is not positive accepted: validators
/// `normal {mean: -5, sd: 1}` and miners' quality `normal {mean: -1, sd: 0.5}` validated, their
/// draws were clamped to 0, and the run paid nobody. A `normal`'s mean must be > 0.
#[test]
fn normal_populations_need_a_positive_mean() {
    let text = "name: x\nduration: {days: 1}\nsubnets:\n  - validators: {count: 4, stake: {distribution: normal, mean: -5, sd: 1}}\n    miners: {count: 2, quality: {distribution: normal, mean: -1, sd: 0.5}}\n";
    let clamped = "(draws below 0 are clamped to 0, so a mean <= 0 leaves most values at 0)";
    assert_eq!(
        problems(text),
        [
            // Columns hand-counted: `-5` at line 4 column 64, `-1` at line 5 column 62.
            format!(
                "x.yaml:4:64: subnets[0].validators.stake.mean: expected a finite number > 0 {clamped}, got -5"
            ),
            format!(
                "x.yaml:5:62: subnets[0].miners.quality.mean: expected a finite number > 0 {clamped}, got -1"
            ),
        ]
    );
    // The audit's `normal {mean: 0, sd: 1, total: 1000}` is refused the same way.
    let zero = text.replace("mean: -5, sd: 1", "mean: 0, sd: 1, total: 1000");
    assert!(problems(&zero)[0].contains("stake.mean: expected a finite number > 0"));
}

/// An audit found `total` silently not honoured: validators `normal {mean: 0, sd: 1, total:
/// 1000}` with 4 validators had stakes [0, 0, 0, 0] (sum 0) with one seed, every draw having
/// been clamped to 0. When every draw is 0, the run now stops at its start, naming the
/// population; with the other seeds the stakes sum to the total.
#[test]
fn a_total_the_draws_cannot_reach_stops_the_run() {
    let mut failed = 0;
    for seed in 0..40 {
        let text = format!(
            "name: x\nseed: {seed}\nduration: {{blocks: 1}}\nsubnets:\n  - validators: {{count: 4, stake: {{distribution: normal, mean: 0.000001, sd: 1, total: 1000}}}}\n    miners: {{count: 1}}\n"
        );
        let scenario = load_str("x.yaml", &text, &[]).expect("valid");
        match subnetlab_sim::engine::run(&scenario, 0, &mut |_| {}) {
            Err(e) => {
                failed += 1;
                assert_eq!(
                    e.to_string(),
                    "subnets[0].validators.stake: all 4 values drawn are 0 (draws below 0 are clamped to 0), so they cannot be rescaled to total 1000: expected a distribution that draws values above 0 (e.g. a larger mean or a smaller sd)"
                );
            }
            // A draw above 0, which `total` rescaled (unit-tested in `distribution.rs`).
            Ok(record) => assert_eq!(record.seed, seed),
        }
    }
    // Each draw is below 0 with probability ½: all four in 1 seed of 16 on average.
    assert!(failed > 0 && failed < 40, "{failed} of 40 seeds failed");
}

/// An audit found drawn stakes far past the TAO supply accepted: 64 validators with
/// `pareto {alpha: 0.1, scale: 1}` and no total had 8 stakes clamped to 21,000,000 and the
/// subnet's stake summed to 257,762,360 TAO, while a `constant` with the same excess is refused
/// at validation. Drawn stakes past the supply now stop the run at its start.
#[test]
fn drawn_stakes_past_the_supply_stop_the_run() {
    let text = "name: x\nduration: {blocks: 1}\nsubnets:\n  - validators: {count: 64, stake: {distribution: pareto, alpha: 0.1, scale: 1}}\n    miners: {count: 1}\n";
    let scenario = load_str("x.yaml", text, &[]).expect("valid: the bound is on the draws");
    let e = subnetlab_sim::engine::run(&scenario, 0, &mut |_| {}).unwrap_err();
    let e = e.to_string();
    assert!(
        e.starts_with("subnets[0].validators.stake: the 64 stakes drawn sum to ")
            && e.ends_with(" TAO: expected at most the supply, 21,000,000 TAO (give the distribution a `total`, or a lighter tail)"),
        "{e}"
    );
    // With a total, the same distribution runs.
    let total = text.replace("scale: 1}", "scale: 1, total: 1000000}");
    let scenario = load_str("x.yaml", &total, &[]).expect("valid");
    assert!(subnetlab_sim::engine::run(&scenario, 0, &mut |_| {}).is_ok());
}

/// An audit found `random:` sweep ranges working on float fields only: `{min: 100, max: 200}`
/// on `subnets[0].hyperparameters.tempo` failed with `sweep point ...tempo=146.53...: invalid
/// type: floating point, expected u16`. A range on a whole-number field now draws whole
/// numbers, uniform over min..=max from the same seeded stream; a float field's range still
/// draws floats, even with bounds written as integers.
#[test]
fn random_ranges_on_whole_number_fields_draw_whole_numbers() {
    let text = scenario(
        "",
        "sweep:\n  random:\n    n: 40\n    ranges:\n      subnets[0].hyperparameters.tempo: {min: 100, max: 200}\n      subnets[0].validators.strategy.noise: {min: 0, max: 1}\n",
    );
    let s = load_str("x.yaml", &text, &[]).expect("valid");
    let arms = subnetlab_sim::study::arms(&s).expect("points");
    let tempos: Vec<u16> = arms
        .iter()
        .map(|a| a.scenario.subnets[0].hyperparameters.tempo)
        .collect();
    assert_eq!(tempos.len(), 40);
    assert!(tempos.iter().all(|t| (100..=200).contains(t)), "{tempos:?}");
    // 40 draws of 101 values: not all the same, and deterministic.
    assert!(tempos.iter().any(|t| *t != tempos[0]));
    let again: Vec<u16> = subnetlab_sim::study::arms(&load_str("x.yaml", &text, &[]).unwrap())
        .unwrap()
        .iter()
        .map(|a| a.scenario.subnets[0].hyperparameters.tempo)
        .collect();
    assert_eq!(tempos, again);
    let noise: Vec<f64> = arms
        .iter()
        .filter_map(|a| {
            a.scenario.subnets[0]
                .validators
                .strategy
                .observer()
                .map(|o| o.0)
        })
        .collect();
    assert_eq!(noise.len(), 40);
    assert!(noise.iter().any(|x| x.fract() != 0.0), "{noise:?}");
    // A range holding no whole number cannot be drawn on a whole-number field.
    let empty = text.replace("{min: 100, max: 200}", "{min: 100.2, max: 100.8}");
    let lines = problems(&empty);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].ends_with("sweep: sweep.random.ranges.subnets[0].hyperparameters.tempo: the field takes whole numbers: expected a range holding one, got 100.2 to 100.8"),
        "{lines:?}"
    );
}

/// An audit found timeline outages and removals accepted that do nothing or name a UID twice:
/// `uids: [1, 1]`, `blocks: 0`, `uids: []`.
#[test]
fn empty_or_repeated_disruptions_are_refused() {
    let text = scenario(
        "",
        "timeline:\n  - at: {block: 10}\n    outage: [{subnet: 0, uids: [1, 1], blocks: 0}]\n    remove: [{subnet: 0, uids: []}]\n",
    );
    assert_eq!(
        problems(&text),
        [
            // Columns hand-counted on line 8 `    outage: [{subnet: 0, uids: [1, 1], blocks: 0}]`:
            // the second `1` at 36, `blocks:`'s 0 at 48; line 9's `[]` at 32.
            "x.yaml:8:36: timeline[0].outage[0].uids[1]: UID 1 is already listed at uids[0]: expected each UID once",
            "x.yaml:8:48: timeline[0].outage[0].blocks: expected 1 or more blocks (an outage of 0 blocks does nothing)",
            "x.yaml:9:32: timeline[0].remove[0].uids: expected at least one UID (a remove of no UIDs does nothing)",
        ]
    );
}

/// An audit found a `stake_whale` with `every: 0` accepted (other interval fields refuse 0).
#[test]
fn a_whale_moving_every_0_epochs_is_refused() {
    let text = scenario(
        "    operators: [{kind: stake_whale, id: 4, validators: [0, 1], stake: 100, every: 0}]\n",
        "",
    );
    assert_eq!(
        problems(&text),
        [
            "x.yaml:6:83: subnets[0].operators[0].every: expected 1 or more epochs (a whale that never moves lists one validator)"
        ]
    );
}

/// An audit found a `weight_copier` whose `target` is its own UID accepted: the target is a
/// UID at the start, and a copier population's own UIDs would copy themselves.
#[test]
fn a_copier_copying_itself_is_refused() {
    let text = "name: x\nduration: {days: 1}\nsubnets:\n  - validators: {count: 2, stake: {distribution: constant, value: 1}}\n    miners: {count: 1}\n    cohorts:\n      - validators: {count: 2, stake: {distribution: constant, value: 1}, strategy: {kind: weight_copier, target: 4}}\n";
    // UIDs: validators 0-1, miner 2, the copiers 3-4.
    assert_eq!(
        problems(text),
        [
            "x.yaml:7:115: subnets[0].cohorts[0].validators.strategy.target: expected the UID of a validator outside this population (UIDs 3 to 4 are these weight copiers themselves), got 4"
        ]
    );
    assert!(problems(&text.replace("target: 4", "target: 1")).is_empty());
}

/// An audit found `pool:` and `fee_rate` accepted while pools are off, where they do nothing.
/// Their defaults fill every resolved scenario, so only values other than the defaults are
/// refused (a resolved scenario without pools loads again).
#[test]
fn pool_settings_without_pools_are_refused() {
    let text = scenario(
        "    pool: {tao: 500}\n",
        "network: {coinbase: {fee_rate: 100}}\n",
    );
    assert_eq!(
        problems(&text),
        [
            "x.yaml:6:11: subnets[0].pool: a subnet's pool exists only with pools: expected `network.coinbase.pools: true`, or no `pool:`",
            "x.yaml:7:32: network.coinbase.fee_rate: a swap fee applies to pool trades only: expected `network.coinbase.pools: true`, or no fee_rate, got 100",
        ]
    );
    let pools = text.replace("{fee_rate: 100}", "{pools: true, fee_rate: 100}");
    assert!(problems(&pools).is_empty(), "{:?}", problems(&pools));
    let resolved = load_str("x.yaml", &scenario("", ""), &[])
        .unwrap()
        .to_yaml();
    assert!(problems(&resolved).is_empty());
}

/// An audit found a price table (CSV or inline) with negative days accepted: the first point's
/// price holds from the start, so a point before day 0 was misapplied.
#[test]
fn price_points_before_day_0_are_refused() {
    let dir = std::env::temp_dir().join(format!("subnetlab-audit-prices-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("prices.csv"), "day,usd\n-2,300\n0,310\n").unwrap();
    let text = scenario(
        "",
        "network: {tao_price: {path: table, file: prices.csv}}\n",
    );
    let file = dir.join("s.yaml");
    std::fs::write(&file, &text).unwrap();
    let e = subnetlab_sim::scenario::load_file(&file, &[]).unwrap_err();
    let lines: Vec<String> = e.problems().iter().map(|p| p.message.clone()).collect();
    assert_eq!(
        lines,
        [format!(
            "{} line 2: expected a day >= 0 (days count from the run's start), got -2",
            dir.join("prices.csv").display()
        )]
    );
    std::fs::remove_dir_all(&dir).unwrap();
    let inline = scenario(
        "",
        "network: {tao_price: {path: table, points: [{day: -1, usd: 300}, {day: 0, usd: 310}]}}\n",
    );
    assert_eq!(
        problems(&inline),
        [
            "x.yaml:6:51: network.tao_price.points[0].day: expected a day >= 0 (days count from the run's start), got -1"
        ]
    );
}

/// An audit found misleading messages: `offline` with `from: 5000` (a bare number where a
/// moment is expected) said "expected struct At"; a whole number out of its type's range said
/// only "expected u16"; a constant entrant quality of 1e300 was refused with the TAO supply's
/// message ("expected values summing to at most 21,000,000") and its 301 digits in full.
#[test]
fn messages_say_what_is_expected_in_the_scenarios_terms() {
    let offline = scenario("", "").replace(
        "value: 1}}",
        "value: 1}, strategy: {kind: offline, from: 5000, until: {day: 1}}}",
    );
    assert_eq!(
        problems(&offline),
        // `5000` at line 4, column 103 (counted by position in the line).
        [
            "x.yaml:4:103: subnets[0].validators.strategy.from: invalid type: integer `5000`, expected a mapping with one of block, epoch, day, e.g. {day: 3}"
        ]
    );
    let tempo = scenario("    hyperparameters: {tempo: 70000}\n", "");
    assert_eq!(
        problems(&tempo),
        [
            "x.yaml:6:30: subnets[0].hyperparameters.tempo: invalid value: integer `70000`, expected a whole number from 0 to 65535"
        ]
    );
    let quality = scenario(
        "    economics: {cost_per_day: 1, entrants: {rate_per_day: 1, quality: {distribution: constant, value: 1e300}}}\n",
        "",
    );
    assert_eq!(
        problems(&quality),
        [
            "x.yaml:6:71: subnets[0].economics.entrants.quality: expected qualities summing to at most 1e15 (quality is a relative score: only ratios matter), got up to 1e300"
        ]
    );
}

/// An audit found every `timeline[0].set` problem placed on the `set:` line even for keys on
/// later lines, and every sweep problem on the `sweep:` line. Each is now placed on the value
/// of the key that caused it.
#[test]
fn set_and_sweep_problems_are_placed_on_their_key() {
    let text = scenario(
        "",
        "timeline:\n  - at: {block: 10}\n    set:\n      subnets[0].emission_share: 1\n      subnets[0].hyperparameters.tempo: 0\nsweep:\n  random:\n    n: 2\n    ranges:\n      subnets[0].validators.strategy.noise: {min: 0, max: 1}\n      subnets[0].hyperparameters.kappa: {min: 5, max: 1}\n",
    );
    assert_eq!(
        problems(&text),
        [
            // Line 10 holds the tempo key, its value `0` at column 41; line 16 the kappa range,
            // its value at column 41.
            "x.yaml:10:41: timeline[0].set.subnets[0].hyperparameters.tempo: after this change, subnets[0].hyperparameters.tempo: expected 1 or more blocks (tempo 0 never runs an epoch)",
            "x.yaml:16:41: sweep.random.ranges.subnets[0].hyperparameters.kappa: `subnets[0].hyperparameters.kappa`: expected finite min <= max, got 5 and 1",
        ]
    );
}

/// An audit found `validate` reporting only the first stage: `miners.count: -2` together with
/// `duration.days: -1` and `tempo: 0` reported only the count (the count needed a made-up value
/// to read the rest, and a scenario holding one was not checked further). Problems that do
/// not follow from the made-up value are now reported too.
#[test]
fn a_type_error_does_not_hide_range_problems_elsewhere() {
    let text = "name: x\nduration: {days: -1}\nsubnets:\n  - hyperparameters: {tempo: 0}\n    validators: {count: 2, stake: {distribution: constant, value: 1}}\n    miners: {count: -2}\n";
    assert_eq!(
        problems(text),
        [
            // As without the count's problem: the duration is both negative and empty.
            "x.yaml:2:11: duration: expected at least one block",
            "x.yaml:2:18: duration.days: expected a finite number > 0, got -1",
            "x.yaml:4:30: subnets[0].hyperparameters.tempo: expected 1 or more blocks (tempo 0 never runs an epoch)",
            "x.yaml:6:21: subnets[0].miners.count: invalid value: integer `-2`, expected a whole number from 0 to 4294967295",
        ]
    );
}

/// The audit's 1e300 printed as 301 digits: every validation message now prints such a number
/// compactly.
#[test]
fn huge_numbers_print_compactly() {
    let text = scenario("", "start: {issuance: 1e300}\n");
    assert_eq!(
        problems(&text),
        ["x.yaml:6:19: start.issuance: expected TAO between 0 and 21,000,000, got 1e300"]
    );
}
