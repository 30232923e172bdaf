//! Scheduled changes take effect at their block, and bad ones are refused up front.

use subnetlab_sim::engine;
use subnetlab_sim::scenario::load_str;

/// `two-subnets.yaml` changes subnet 2 at day 4 (block 28,800): tempo 99 → 180 and emission
/// share 1/3 → 1/2 of each block.
#[test]
fn tempo_and_share_change_at_day_four() {
    let s = crate::example("two-subnets.yaml", &[]);
    let record = engine::run(&s, 0, &mut |_| {}).unwrap();
    let sub = &record.subnets;
    let blocks: Vec<u64> = (0..sub.block.len())
        .filter(|&i| sub.subnet[i] == 2)
        .map(|i| sub.block[i])
        .collect();
    let gaps: Vec<u64> = blocks.windows(2).map(|w| w[1] - w[0]).collect();
    let change = 28_800;
    for (w, gap) in blocks.windows(2).zip(&gaps) {
        if w[1] <= change {
            assert_eq!(*gap, 99, "{w:?}");
        } else if w[0] > change {
            assert_eq!(*gap, 180, "{w:?}");
        }
    }
    // The first epoch after the change is a full new tempo after it (set_tempo semantics).
    let first_after = blocks.iter().find(|b| **b > change).copied().unwrap();
    assert_eq!(first_after, change + 180);
    // Emission per block for subnet 2: 1/3 of the block before, 1/2 after (both at 1 TAO/block
    // below the halving). Hand-computed from the per-block split: owner cut floor(x·11796/65535),
    // halves floor((x − cut)/2); the epoch drains server + validator halves.
    let per_block = |i: usize, span: u64| sub.emission_rao[i] as f64 / span as f64;
    let i_before = (0..sub.block.len())
        .find(|&i| sub.subnet[i] == 2 && sub.block[i] > 10_000)
        .unwrap();
    let i_after = (0..sub.block.len())
        .find(|&i| sub.subnet[i] == 2 && sub.block[i] > change + 400)
        .unwrap();
    let before = per_block(i_before, 99) / 1e9;
    let after = per_block(i_after, 180) / 1e9;
    let kept = 1.0 - 11_796.0 / 65_535.0; // miners + validators share of a subnet's emission
    assert!((before - kept / 3.0).abs() < 1e-6, "{before}");
    assert!((after - kept / 2.0).abs() < 1e-6, "{after}");
}

const BASE: &str = "name: t\nduration: {days: 2}\nsubnets:\n  - validators: {count: 2, stake: {distribution: constant, value: 1}}\n    miners: {count: 2}\n";

#[test]
fn bad_changes_are_refused_with_their_place() {
    let text = format!(
        "{BASE}timeline:\n  - at: {{day: 1}}\n    set:\n      subnets[0].validators.count: 5\n  - at: {{day: 1, block: 3}}\n    set:\n      network.owner_cut: 1\n  - at: {{block: 10}}\n    set:\n      subnets[0].hyperparameters.tempo: 0\n"
    );
    let err = load_str("t.yaml", &text, &[]).unwrap_err();
    let lines: Vec<String> = err.problems().iter().map(|p| p.to_string()).collect();
    // Lines hand-checked against the text: `set:` of change 0 starts on line 8, its key on 9 (value at column 36).
    assert!(
        lines.iter().any(|l| l.starts_with(
            "t.yaml:9:36: timeline[0].set.subnets[0].validators.count: `subnets[0].validators.count` cannot change during a run"
        )),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l
            == "t.yaml:10:9: timeline[1].at: expected exactly one of block, epoch, day; got 2"),
        "{lines:?}"
    );
    assert!(lines.iter().any(|l| l.contains("timeline[2].set.subnets[0].hyperparameters.tempo: after this change, subnets[0].hyperparameters.tempo: expected 1 or more")), "{lines:?}");
    assert_eq!(lines.len(), 3, "{lines:?}");
}

/// Audit: a problem of the scenario itself came back a second time as "after this change, …"
/// of every valid change. Each problem is reported once, on its own field.
#[test]
fn a_scenario_problem_is_not_blamed_on_a_change() {
    let text = format!(
        "{}timeline:\n  - at: {{epoch: 2}}\n    set:\n      subnets[0].hyperparameters.kappa: 40000\n",
        BASE.replace(
            "count: 2}\n",
            "count: 2, quality: {distribution: uniform, min: 0.9, max: 0.1}}\n"
        )
    );
    let err = load_str("t.yaml", &text, &[]).unwrap_err();
    let lines: Vec<String> = err.problems().iter().map(|p| p.to_string()).collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("subnets[0].miners.quality"), "{lines:?}");
}

#[test]
fn a_valid_change_round_trips_through_the_resolved_scenario() {
    let text = format!(
        "{BASE}timeline:\n  - at: {{epoch: 2}}\n    set:\n      subnets[0].hyperparameters.kappa: 40000\n"
    );
    let s = load_str("t.yaml", &text, &[]).unwrap();
    let again = load_str("resolved.yaml", &s.to_yaml(), &[]).unwrap();
    assert_eq!(s, again);
    assert_eq!(s.offset_blocks(&s.timeline[0].at), 720);
}

/// Audit `tl_outage_oob.yaml` / `tl_remove_oob.yaml` (outage and removal of UIDs 999 and
/// 65535 on a subnet of `max_allowed_uids` 256) and `tl_beyond.yaml` / `tl_day_huge.yaml` (a
/// change at day 100 or 1e300 of a one-day run) were accepted and did nothing. UIDs must be
/// below the subnet's `max_allowed_uids` at that moment (99 is, though no neuron holds it
/// yet); a change must come before the end of the run (7,200 blocks here: block 7,199 is the
/// last that applies), unless `--set` shortened the run.
#[test]
fn disruptions_beyond_the_subnet_and_changes_after_the_end_are_refused() {
    let base = "name: t\nduration: { days: 1 }\nsubnets:\n  - validators: { count: 4, stake: { distribution: constant, value: 100 } }\n    miners: { count: 4 }\ntimeline:\n";
    let lines = |timeline: &str, overrides: &[&str]| -> Vec<String> {
        let overrides: Vec<subnetlab_sim::scenario::Override> =
            overrides.iter().map(|o| o.parse().unwrap()).collect();
        match load_str("t.yaml", &format!("{base}{timeline}"), &overrides) {
            Ok(_) => Vec::new(),
            Err(e) => e.problems().iter().map(|p| p.to_string()).collect(),
        }
    };
    assert_eq!(
        lines(
            "  - at: { day: 0.5 }\n    outage: [{ subnet: 0, uids: [0, 999], blocks: 100 }]\n    remove: [{ subnet: 0, uids: [99, 65535] }]\n",
            &[]
        ),
        [
            "t.yaml:8:37: timeline[0].outage[0].uids[1]: expected a UID below subnets[0]'s max_allowed_uids (256), got 999",
            "t.yaml:9:38: timeline[0].remove[0].uids[1]: expected a UID below subnets[0]'s max_allowed_uids (256), got 65535",
        ]
    );
    let set = |at: &str| {
        format!("  - at: {{ {at} }}\n    set:\n      subnets[0].hyperparameters.kappa: 40000\n")
    };
    assert_eq!(
        lines(&set("day: 100"), &[]),
        [
            "t.yaml:7:16: timeline[0].at.day: expected a moment before the end of the run (7200 blocks), got day 100 (block 720000): a change at or after the end never applies"
        ]
    );
    assert_eq!(lines(&set("day: 1e300"), &[]).len(), 1);
    assert_eq!(lines(&set("block: 7200"), &[]).len(), 1);
    assert!(lines(&set("block: 7199"), &[]).is_empty());
    assert!(lines(&set("day: 100"), &["duration={days: 0.5}"]).is_empty());
}

/// A run shortened by `--set duration=...` skips its late changes, and its resolved scenario
/// (`scenario.resolved.yaml`, which `merge`, `report` and a re-run load without overrides)
/// drops them, so that it loads again: `two-subnets.yaml` changes subnet 2 at day 4.
#[test]
fn a_shortened_run_resolves_without_its_late_changes() {
    let s = crate::example("two-subnets.yaml", &["duration={days: 1}"]);
    assert!(s.timeline.is_empty(), "{:?}", s.timeline);
    let again = load_str("scenario.resolved.yaml", &s.to_yaml(), &[]).unwrap();
    assert_eq!(again, s);
    let full = crate::example("two-subnets.yaml", &[]);
    assert_eq!(full.timeline.len(), 1);
}
