//! Adversary metrics of a run, per agent class (a non-honest `(role, strategy)` pair) and per
//! coalition: what it earned against what it staked, against its honest twin, and how long its
//! emission share stayed above its stake share.
//!
//! For a group `g` of neuron rows (every epoch recorded — with `record.every` > 1 the rows
//! kept stand for the epochs between):
//! - `stake_share_<g>`: Σ stake of g's rows / Σ stake of all rows (a time-average share);
//! - `return_<g>`: g's emission over the run / g's mean stake (Σ over its hotkeys of their mean
//!   stake per epoch): the return on stake over the run, a fraction; null without stake;
//! - `vs_twin_<g>`: g's emission / the emission of the same (subnet, hotkey) pairs in the same
//!   run of the honest twin arm (`<arm> (honest twin)`, from `subnetlab run --twin`); null
//!   without a twin;
//! - `below_stake_day_<g>`: days from the run's first block to the first epoch (of a subnet
//!   where g validates) in which g's validators (and owner) took a smaller share of the
//!   validators' dividends than their share of the validators' stake — the point where
//!   its play stops paying as well as honest validation would; null if that never happens or
//!   g has no validators. (Miners earn half the emission with no stake, so shares of all
//!   emission against shares of all stake would put every validator below from the start.)
//! - `burn_<g>`: TAO g's hotkeys burned to register (sybils, a griefer's junk miners; 0 for
//!   neurons present at the start);
//! - `net_<g>`: g's emission minus that burn, TAO;
//! - `share_coalition_<id>`: a coalition's share of paid emission, like the `share_<role>_*`
//!   columns (role × strategy shares already cover the classes).

use super::{Neurons, RunKey, sanitize};
use std::collections::{BTreeMap, BTreeSet};
use subnetlab_sim::scenario::BLOCKS_PER_DAY;

/// Strategy kinds that are not adversaries.
const HONEST: [&str; 3] = ["honest", "idle", "burn"];

/// A group of neuron rows the metrics are computed for.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Group {
    /// Codes of a role and a strategy.
    Class(u32, u32),
    /// A coalition id.
    Coalition(u32),
}

impl Group {
    fn contains(&self, n: &Neurons, i: usize) -> bool {
        match self {
            Group::Class(r, s) => n.role.codes[i] == *r && n.strategy.codes[i] == *s,
            Group::Coalition(c) => n.coalition[i] == Some(*c),
        }
    }

    /// Column suffix: `<role>_<strategy>` or `coalition_<id>`.
    pub(super) fn suffix(&self, n: &Neurons) -> String {
        match self {
            Group::Class(r, s) => format!("{}_{}", n.role.name(*r), sanitize(n.strategy.name(*s))),
            Group::Coalition(c) => format!("coalition_{c}"),
        }
    }
}

/// The adversary groups of the study: non-honest classes, then coalitions, sorted by name.
pub(super) fn groups(n: &Neurons) -> Vec<Group> {
    let classes: BTreeSet<(u32, u32)> = n
        .role
        .codes
        .iter()
        .zip(&n.strategy.codes)
        .filter(|(_, s)| !HONEST.contains(&n.strategy.name(**s)))
        .map(|(r, s)| (*r, *s))
        .collect();
    let mut named: Vec<(String, Group)> = classes
        .into_iter()
        .map(|(r, s)| Group::Class(r, s))
        .chain(
            n.coalition
                .iter()
                .flatten()
                .copied()
                .collect::<BTreeSet<u32>>()
                .into_iter()
                .map(Group::Coalition),
        )
        .map(|g| (g.suffix(n), g))
        .collect();
    named.sort();
    named.into_iter().map(|(_, g)| g).collect()
}

/// The metric column prefixes this module writes.
pub(super) const PREFIXES: [&str; 6] = [
    "stake_share_",
    "return_",
    "vs_twin_",
    "below_stake_day_",
    "burn_",
    "net_",
];

/// One line per prefix, for [`super::describe`].
pub(super) fn describe(metric: &str) -> Option<String> {
    let (what, group) = PREFIXES
        .iter()
        .find_map(|p| metric.strip_prefix(p).map(|g| (*p, g)))
        .or_else(|| {
            metric
                .strip_prefix("share_coalition_")
                .map(|id| ("share_", id))
        })?;
    let group = match group.strip_prefix("coalition_") {
        Some(id) => format!("coalition {id}"),
        None if what == "share_" => format!("coalition {group}"),
        None => match group.split_once('_') {
            Some((role, strategy)) => format!("{strategy} {role}s"),
            None => group.to_string(),
        },
    };
    Some(match what {
        "stake_share_" => format!("{group}: time-averaged share of stake"),
        "return_" => format!("{group}: emission over the run ÷ mean stake (return on stake)"),
        "vs_twin_" => format!("{group}: emission ÷ the same hotkeys' emission in the honest twin"),
        "below_stake_day_" => {
            format!(
                "{group}: days until its share of dividends first fell below its share of validator stake"
            )
        }
        "burn_" => format!("{group}: TAO burned to register its hotkeys"),
        "net_" => format!("{group}: emission minus registration burn (TAO)"),
        _ => format!("{group}: share of paid emission"),
    })
}

/// The metric values of `group` for run `rows` (and the twin run's `twin` rows, if any), the
/// run starting at block `start`: (stake share, return, vs twin, days below stake share, burn,
/// net); None when the run has no row of the group (its metrics are then null, not 0).
pub(super) fn values(
    n: &Neurons,
    group: &Group,
    rows: &[usize],
    twin: Option<&[usize]>,
    start: u64,
) -> Option<[f64; 6]> {
    let (mut stake, mut all_stake, mut emission, mut burn) = (0.0, 0.0, 0.0, 0.0);
    // Per (subnet, hotkey) of the group: stake sum and epochs, for the mean stake.
    let mut members: BTreeMap<(u32, u64), (f64, u64)> = BTreeMap::new();
    // Per (block, subnet) epoch, over validating rows: (group dividends, all dividends, group
    // stake, all stake).
    let mut epochs: BTreeMap<(u64, u32), [f64; 4]> = BTreeMap::new();
    let validating = [n.role.code("validator"), n.role.code("owner")];
    for &i in rows {
        let s = finite(n.stake[i]);
        let e = finite(n.emission[i]);
        all_stake += s;
        let validates = validating.contains(&Some(n.role.codes[i]));
        let cell = epochs.entry((n.block[i], n.subnet[i])).or_default();
        if validates {
            cell[1] += e;
            cell[3] += s;
        }
        if group.contains(n, i) {
            stake += s;
            emission += e;
            if validates {
                cell[0] += e;
                cell[2] += s;
            }
            let m = members.entry((n.subnet[i], n.hotkey[i])).or_default();
            if m.1 == 0 {
                burn += finite(n.registration_burn[i]);
            }
            m.0 += s;
            m.1 += 1;
        }
    }
    if members.is_empty() {
        return None;
    }
    let share = ratio(stake, all_stake);
    let mean_stake: f64 = members.values().map(|(s, k)| s / *k as f64).sum();
    let on_stake = ratio(emission, mean_stake);
    let vs_twin = twin.map_or(f64::NAN, |twin| {
        let theirs: f64 = twin
            .iter()
            .filter(|&&i| members.contains_key(&(n.subnet[i], n.hotkey[i])))
            .map(|&i| finite(n.emission[i]))
            .sum();
        ratio(emission, theirs)
    });
    let below = epochs
        .iter()
        .find(|(_, [ge, e, gs, s])| *gs > 0.0 && *e > 0.0 && ge / e < gs / s)
        .map_or(f64::NAN, |((block, _), _)| {
            block.saturating_sub(start) as f64 / BLOCKS_PER_DAY as f64
        });
    Some([share, on_stake, vs_twin, below, burn, emission - burn])
}

/// A coalition's emission in `rows`.
pub(super) fn emission(n: &Neurons, group: &Group, rows: &[usize]) -> f64 {
    rows.iter()
        .filter(|&&i| group.contains(n, i))
        .fold(0.0, |acc, &i| acc + finite(n.emission[i]))
}

fn finite(x: f64) -> f64 {
    if x.is_finite() { x } else { 0.0 }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

/// The twin run of each run: `(arm, run)` → `(twin arm, run)` for arms whose
/// `<name> (honest twin)` arm exists.
pub(super) fn twins(arms: &[(u32, String)]) -> BTreeMap<u32, u32> {
    let suffix = subnetlab_sim::study::TWIN_SUFFIX;
    arms.iter()
        .filter_map(|(a, name)| {
            let twin = format!("{name}{suffix}");
            arms.iter().find(|(_, n)| *n == twin).map(|(t, _)| (*a, *t))
        })
        .collect()
}

/// The run key of `key`'s twin, if any.
pub(super) fn twin_of(twins: &BTreeMap<u32, u32>, key: RunKey) -> Option<RunKey> {
    twins.get(&key.0).map(|&t| (t, key.1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::Interned;

    /// Two epochs (blocks 100, 200) of hotkeys A (cabal validator, coalition 1), B (honest
    /// validator), C (cabal miner, coalition 1); rows 0–2 are the run, 3–5 A/B/C in the twin.
    /// Stake A 100, 110; B 300, 330; C 0. Emission A 20, 5; B 30, 40; C 20, 15; twin A 30, 20.
    /// A paid 0.5 TAO to register.
    fn neurons() -> Neurons {
        let interned = |codes: Vec<u32>, names: &[&str]| Interned {
            codes,
            names: names.iter().map(|s| s.to_string()).collect(),
        };
        let strategy = [0, 1, 0, 0, 1, 0];
        Neurons {
            subnet: vec![1; 12],
            epoch: vec![1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2],
            block: vec![100, 100, 100, 200, 200, 200, 100, 100, 100, 200, 200, 200],
            hotkey: vec![1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3],
            role: interned(
                vec![0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1],
                &["validator", "miner"],
            ),
            strategy: interned(
                strategy
                    .iter()
                    .chain(&[1, 1, 1, 1, 1, 1])
                    .copied()
                    .collect(),
                &["cabal", "honest"],
            ),
            coalition: [Some(1), None, Some(1)]
                .repeat(2)
                .into_iter()
                .chain([None; 6])
                .collect(),
            stake: [100.0, 300.0, 0.0, 110.0, 330.0, 0.0].repeat(2),
            quality: vec![None; 12],
            registration_burn: [0.5, 0.0, 0.0].repeat(4),
            emission: vec![
                20.0, 30.0, 20.0, 5.0, 40.0, 15.0, 30.0, 30.0, 20.0, 20.0, 40.0, 15.0,
            ],
            // As in a folder written before running totals were recorded: rows are summed.
            emission_total: None,
            by_run: BTreeMap::new(),
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    /// Cabal validators {A}: stake share 210/840 = 0.25; return 25 / mean stake 105; twin
    /// emission 50, so 0.5; dividend shares (A over A + B): epoch 1 20/50 > 100/400, epoch 2
    /// 5/45 < 110/440: below at block 200, (200 − 56)/7200 = 0.02 days after a start at 56.
    /// Coalition 1 {A, C}: emission 60, return 60/105; its validating part is A alone.
    #[test]
    fn values_by_hand() {
        let n = neurons();
        let run: Vec<usize> = (0..6).collect();
        let twin: Vec<usize> = (6..12).collect();
        let class = Group::Class(0, 0);
        let [share, ret, vs, below, burn, net] = values(&n, &class, &run, Some(&twin), 56).unwrap();
        assert!(close(share, 0.25) && close(ret, 25.0 / 105.0) && close(vs, 0.5));
        assert!(close(below, 0.02), "{below}");
        // A paid 0.5 TAO to register (counted once, not per epoch): net 25 − 0.5.
        assert!(close(burn, 0.5) && close(net, 24.5));
        assert_eq!(class.suffix(&n), "validator_cabal");
        let coalition = Group::Coalition(1);
        let [share, ret, vs, below, _, _] = values(&n, &coalition, &run, None, 56).unwrap();
        assert!(close(share, 0.25) && close(ret, 60.0 / 105.0));
        // Its validating part is A: below at block 200 as for the class.
        assert!(vs.is_nan() && close(below, 0.02));
        // The miners alone never validate: never below.
        let [.., below, _, _] = values(&n, &Group::Class(1, 0), &run, None, 56).unwrap();
        assert!(below.is_nan());
        // The twin's rows have no cabal: no values at all.
        assert!(values(&n, &class, &twin, None, 56).is_none());
        assert!(close(emission(&n, &coalition, &run), 60.0));
        // Groups: the cabal classes (validator and miner) and coalition 1, by name.
        let names: Vec<String> = groups(&n).iter().map(|g| g.suffix(&n)).collect();
        assert_eq!(names, ["coalition_1", "miner_cabal", "validator_cabal"]);
    }

    #[test]
    fn twins_pair_arms_by_name() {
        let arms = vec![
            (0, "x".to_string()),
            (1, "y".to_string()),
            (2, format!("x{}", subnetlab_sim::study::TWIN_SUFFIX)),
        ];
        let t = twins(&arms);
        assert_eq!(twin_of(&t, (0, 3)), Some((2, 3)));
        assert_eq!(twin_of(&t, (1, 0)), None);
        assert!(
            describe("vs_twin_validator_cabal")
                .unwrap()
                .contains("twin")
        );
        assert!(
            describe("share_coalition_3")
                .unwrap()
                .contains("coalition 3")
        );
        assert!(describe("stake_gini").is_none());
        assert!(
            describe("return_validator_weight_copier")
                .unwrap()
                .starts_with("weight_copier validators:")
        );
    }
}
