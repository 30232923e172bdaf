//! Range and consistency checks on a typed scenario. Every check runs; each problem is
//! `(field path, what was expected)`.

mod adversary;

use super::limits::{
    MAX_DURATION_BLOCKS, MAX_END_BLOCK, MAX_NETWORK_UIDS, MAX_RUNS, MAX_SWEEP_POINTS,
    MAX_UIDS_PER_SUBNET,
};
use super::{Distribution, Scenario, ValidatorStrategy, WeightRule};
use crate::chain::emission::{MAX_SUPPLY_RAO, RAO_PER_TAO};
use adversary::{adapt, adversaries};

/// All range and consistency problems of `s`.
pub fn problems(s: &Scenario) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut bad = |path: String, msg: String| out.push((path, msg));

    if s.name.is_empty()
        || !s
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        bad(
            "name".into(),
            format!(
                "expected a non-empty name of letters, digits, '-', '_' or '.' (it names the result folder), got `{}`",
                s.name
            ),
        );
    }

    let d = &s.duration;
    let given = [
        d.blocks.is_some(),
        d.epochs.is_some(),
        d.days.is_some(),
        d.years.is_some(),
    ];
    match given.iter().filter(|g| **g).count() {
        1 => {
            for (field, v) in [("days", d.days), ("years", d.years)] {
                if let Some(v) = v
                    && !(v.is_finite() && v > 0.0)
                {
                    bad(
                        format!("duration.{field}"),
                        format!("expected a finite number > 0, got {v}"),
                    );
                }
            }
            let blocks = s.duration_blocks();
            if blocks == 0 {
                bad("duration".into(), "expected at least one block".into());
            } else if blocks > MAX_DURATION_BLOCKS {
                bad(
                    "duration".into(),
                    format!(
                        "expected at most 1,000 years ({MAX_DURATION_BLOCKS} blocks), got {blocks} blocks"
                    ),
                );
            } else if s.start.block > MAX_END_BLOCK - blocks {
                bad(
                    "start.block".into(),
                    format!(
                        "expected the run to end by block {MAX_END_BLOCK} (the chain's block numbers are u32): with {blocks} blocks, a start block of at most {}, got {}",
                        MAX_END_BLOCK - blocks,
                        s.start.block
                    ),
                );
            }
        }
        n => bad(
            "duration".into(),
            format!("expected exactly one of blocks, epochs, days, years; got {n}"),
        ),
    }

    let max_tao = (MAX_SUPPLY_RAO / RAO_PER_TAO) as f64;
    if !(s.start.issuance.is_finite() && (0.0..=max_tao).contains(&s.start.issuance)) {
        bad(
            "start.issuance".into(),
            format!(
                "expected TAO between 0 and 21,000,000, got {}",
                s.start.issuance
            ),
        );
    }

    price(&s.network.tao_price, &mut bad);
    if !(s.network.stake_threshold.is_finite()
        && (0.0..=max_tao).contains(&s.network.stake_threshold))
    {
        bad(
            "network.stake_threshold".into(),
            format!(
                "expected TAO between 0 and 21,000,000, got {}",
                s.network.stake_threshold
            ),
        );
    }
    schedule(&s.network.emission, &mut bad);
    coinbase(&s.network.coinbase, &mut bad);
    if let Some(st) = &s.network.stakers {
        let at = "network.stakers";
        if !s.network.coinbase.pools {
            bad(
                at.into(),
                "expected `network.coinbase.pools: true` (stakers stake through the pools)".into(),
            );
        }
        distribution(&mut bad, &format!("{at}.wallet"), &st.wallet, st.count);
        if st.interval == 0 {
            bad(format!("{at}.interval"), "expected at least 1 block".into());
        }
        for (field, v) in [("inertia", st.inertia), ("exit_drop", st.exit_drop)] {
            if !(v.is_finite() && (0.0..=1.0).contains(&v)) {
                bad(
                    format!("{at}.{field}"),
                    format!("expected a fraction between 0 and 1, got {v}"),
                );
            }
        }
        if !(st.noise.is_finite() && st.noise >= 0.0) {
            bad(
                format!("{at}.noise"),
                format!("expected a finite number >= 0, got {}", st.noise),
            );
        }
    }
    if s.subnets.is_empty() {
        bad("subnets".into(), "expected at least one subnet".into());
    }
    let mut seen = std::collections::BTreeMap::new();
    for (i, subnet) in s.subnets.iter().enumerate() {
        let at = |field: &str| format!("subnets[{i}].{field}");
        let netuid = subnet.netuid.unwrap_or(i as u16 + 1);
        if netuid == 0 {
            bad(
                at("netuid"),
                "expected 1 or more (netuid 0 is the root network, which has no epoch)".into(),
            );
        }
        if let Some(first) = seen.insert(netuid, i) {
            bad(
                at("netuid"),
                format!("netuid {netuid} is already used by subnets[{first}]"),
            );
        }
        if !(subnet.emission_share.is_finite() && subnet.emission_share >= 0.0) {
            bad(
                at("emission_share"),
                format!(
                    "expected a finite number >= 0, got {}",
                    subnet.emission_share
                ),
            );
        }

        pool(&subnet.pool, &at("pool"), &mut bad);
        if let Some(e) = &subnet.economics {
            economics(e, &at("economics"), &mut bad);
        }

        let hp = &subnet.hyperparameters;
        if hp.tempo == 0 {
            bad(
                at("hyperparameters.tempo"),
                "expected 1 or more blocks (tempo 0 never runs an epoch)".into(),
            );
        }
        if hp.bonds_moving_average > 1_000_000 {
            bad(
                at("hyperparameters.bonds_moving_average"),
                format!(
                    "expected at most 1,000,000 (per million), got {}",
                    hp.bonds_moving_average
                ),
            );
        }
        if hp.activity_cutoff == Some(0) {
            bad(
                at("hyperparameters.activity_cutoff"),
                "expected 1 or more blocks".into(),
            );
        }
        let la = &hp.liquid_alpha;
        if la.alpha_low > la.alpha_high {
            bad(
                at("hyperparameters.liquid_alpha.alpha_low"),
                format!(
                    "expected at most alpha_high ({}), got {}",
                    la.alpha_high, la.alpha_low
                ),
            );
        }
        if la.enabled && la.alpha_low < 1_638 {
            bad(
                at("hyperparameters.liquid_alpha.alpha_low"),
                format!(
                    "expected at least 1,638 (the chain's lower bound, 65535/40), got {}",
                    la.alpha_low
                ),
            );
        }
        if !(1..=MAX_UIDS_PER_SUBNET).contains(&hp.max_allowed_uids) {
            bad(
                at("hyperparameters.max_allowed_uids"),
                format!(
                    "expected 1 to {MAX_UIDS_PER_SUBNET} (16× the chain's bound of 256), got {}",
                    hp.max_allowed_uids
                ),
            );
        }
        if hp.max_allowed_validators == 0 || hp.max_allowed_validators > hp.max_allowed_uids {
            bad(
                at("hyperparameters.max_allowed_validators"),
                format!(
                    "expected between 1 and max_allowed_uids ({}), got {}",
                    hp.max_allowed_uids, hp.max_allowed_validators
                ),
            );
        }

        let v = &subnet.validators;
        if v.count == 0 {
            bad(
                at("validators.count"),
                "expected at least 1 validator".into(),
            );
        }
        let owner = subnet.owner.is_some() as u64;
        let total = owner + v.count as u64 + subnet.miners.count as u64;
        if total > hp.max_allowed_uids as u64 {
            bad(
                at("miners.count"),
                format!(
                    "{owner} owner + {} validators + {} miners = {total} neurons, but max_allowed_uids is {}",
                    v.count, subnet.miners.count, hp.max_allowed_uids
                ),
            );
        }
        if let Some(o) = &subnet.owner {
            if !(o.stake.is_finite() && (0.0..=21_000_000.0).contains(&o.stake)) {
                bad(
                    at("owner.stake"),
                    format!("expected TAO between 0 and 21,000,000, got {}", o.stake),
                );
            }
            match &o.strategy {
                super::OwnerStrategy::Burn { interval }
                | super::OwnerStrategy::Honest { interval, .. }
                    if *interval == Some(0) =>
                {
                    bad(
                        at("owner.strategy.interval"),
                        "expected 1 or more blocks".into(),
                    );
                }
                super::OwnerStrategy::Honest { noise, .. }
                    if !(noise.is_finite() && *noise >= 0.0) =>
                {
                    bad(
                        at("owner.strategy.noise"),
                        format!("expected a finite number >= 0, got {noise}"),
                    );
                }
                _ => {}
            }
        }
        validators(&mut bad, &at("validators"), v);
        root_stakes(s, i, &mut bad);
        miners(&mut bad, &at("miners"), &subnet.miners);
        adversaries(s, i, &mut bad);
        if !(1..=100).contains(&hp.commit_reveal.reveal_period) {
            bad(
                at("hyperparameters.commit_reveal.reveal_period"),
                format!(
                    "expected 1 to 100 epochs, got {}",
                    hp.commit_reveal.reveal_period
                ),
            );
        }
        let burn = &hp.burn;
        for (field, value) in [
            ("initial", burn.initial),
            ("min", burn.min),
            ("max", burn.max),
        ] {
            if !(value.is_finite() && (0.0..=21_000_000.0).contains(&value)) {
                bad(
                    at(&format!("hyperparameters.burn.{field}")),
                    format!("expected TAO between 0 and 21,000,000, got {value}"),
                );
            }
        }
        if burn.min > burn.max {
            bad(
                at("hyperparameters.burn.min"),
                format!("expected at most burn.max ({}), got {}", burn.max, burn.min),
            );
        }
        if !(burn.increase_mult.is_finite() && (1.0..=3.0).contains(&burn.increase_mult)) {
            bad(
                at("hyperparameters.burn.increase_mult"),
                format!(
                    "expected between 1 and 3 (the chain's bounds), got {}",
                    burn.increase_mult
                ),
            );
        }
    }
    let network_uids: u64 = s
        .subnets
        .iter()
        .map(|n| n.hyperparameters.max_allowed_uids as u64)
        .sum();
    if network_uids > MAX_NETWORK_UIDS {
        bad(
            "subnets".into(),
            format!(
                "expected at most {MAX_NETWORK_UIDS} UIDs in all (the sum of the subnets' max_allowed_uids, 256 each by default), got {network_uids}"
            ),
        );
    }
    if s.network.coinbase.share_rule == super::ShareRule::Fixed
        && !s.subnets.is_empty()
        && s.subnets.iter().all(|n| n.emission_share == 0.0)
    {
        bad(
            "subnets".into(),
            "expected at least one subnet with emission_share > 0".into(),
        );
    }
    timeline(s, &mut bad);
    study(s, &mut bad);
    out
}

/// A subnet's validators hold part of the network's root stake, never more than all of it:
/// their largest possible root stake (where the distributions bound it) is checked against
/// `network.coinbase.root_stake`.
fn root_stakes(s: &Scenario, i: usize, bad: &mut impl FnMut(String, String)) {
    let subnet = &s.subnets[i];
    let populations = std::iter::once((format!("subnets[{i}].validators"), &subnet.validators))
        .chain(subnet.cohorts.iter().enumerate().filter_map(|(k, c)| {
            c.validators
                .as_ref()
                .map(|v| (format!("subnets[{i}].cohorts[{k}].validators"), v))
        }));
    let mut held = 0.0;
    let mut last = None;
    for (at, v) in populations {
        if let Some(root) = &v.root_stake {
            held += root.largest_possible_sum(v.count).unwrap_or(0.0);
            last = Some(at);
        }
    }
    let network = s.network.coinbase.root_stake;
    if let Some(at) = last
        && held > network
    {
        bad(
            format!("{at}.root_stake"),
            format!(
                "expected the subnet's validators to hold at most network.coinbase.root_stake \
                 ({network} TAO) on root, got up to {held} TAO"
            ),
        );
    }
}

/// A validator population (`at` is its path, e.g. `subnets[0].validators`).
fn validators(bad: &mut impl FnMut(String, String), at: &str, v: &super::Validators) {
    distribution(bad, &format!("{at}.stake"), &v.stake, v.count);
    if let Some(root) = &v.root_stake {
        distribution(bad, &format!("{at}.root_stake"), root, v.count);
    }
    let s = &v.strategy;
    let at = format!("{at}.strategy");
    if let Some((noise, weights)) = s.observer() {
        observer(bad, &at, noise, weights);
    }
    if s.interval() == Some(0) {
        bad(format!("{at}.interval"), "expected 1 or more blocks".into());
    }
    match s {
        ValidatorStrategy::WeightCopier { noise, lag, .. } => {
            non_negative(bad, &format!("{at}.noise"), *noise);
            if *lag > MAX_LAG {
                bad(
                    format!("{at}.lag"),
                    format!("expected at most {MAX_LAG} epochs, got {lag}"),
                );
            }
        }
        ValidatorStrategy::Cabal { w_c, .. } => fraction(bad, &format!("{at}.w_c"), *w_c),
        ValidatorStrategy::Lazy { refresh, .. } if *refresh == Some(0) => {
            bad(format!("{at}.refresh"), "expected 1 or more blocks".into());
        }
        ValidatorStrategy::LateFollower { lag, .. } if !(1..=MAX_LAG).contains(lag) => {
            bad(
                format!("{at}.lag"),
                format!("expected 1 to {MAX_LAG} epochs, got {lag}"),
            );
        }
        _ => {}
    }
    if let Some(a) = s.adapt() {
        adapt(bad, &format!("{at}.adapt"), a, s.name());
    }
}

/// Longest delay a copier or late follower may have (it keeps that many epochs of rows).
const MAX_LAG: u64 = 100;

/// An observer's noise and weight rule.
fn observer(bad: &mut impl FnMut(String, String), at: &str, noise: f64, weights: &WeightRule) {
    non_negative(bad, &format!("{at}.noise"), noise);
    if let WeightRule::TopK { k } = weights
        && *k == 0
    {
        bad(format!("{at}.weights.k"), "expected at least 1".into());
    }
}

fn non_negative(bad: &mut impl FnMut(String, String), at: &str, x: f64) {
    if !(x.is_finite() && x >= 0.0) {
        bad(at.into(), format!("expected a finite number >= 0, got {x}"));
    }
}

fn fraction(bad: &mut impl FnMut(String, String), at: &str, x: f64) {
    if !(x.is_finite() && (0.0..=1.0).contains(&x)) {
        bad(
            at.into(),
            format!("expected a fraction from 0 to 1, got {x}"),
        );
    }
}

/// A miner population (`at` is its path, e.g. `subnets[0].miners`).
fn miners(bad: &mut impl FnMut(String, String), at: &str, m: &super::Miners) {
    distribution(bad, &format!("{at}.quality"), &m.quality, m.count);
    if let Some(stake) = &m.stake {
        distribution(bad, &format!("{at}.stake"), stake, m.count);
    }
    non_negative(bad, &format!("{at}.strategy.drift"), m.strategy.drift());
}

fn distribution(bad: &mut impl FnMut(String, String), at: &str, d: &Distribution, count: u32) {
    for (field, message) in d.problems(count) {
        bad(format!("{at}.{field}"), message);
    }
    // Stake and quality are bounded by the supply: no amount on chain exceeds 21 M TAO.
    let supply = (MAX_SUPPLY_RAO / RAO_PER_TAO) as f64;
    if let Some(largest) = d.largest_possible_sum(count)
        && largest > supply
    {
        bad(
            at.to_string(),
            format!("expected values summing to at most 21,000,000, got up to {largest}"),
        );
    }
}

/// Fields a timeline change may set: the network, or these parts of a subnet.
const CHANGEABLE: [&str; 4] = [
    ".hyperparameters.",
    ".emission_share",
    ".validators.strategy.",
    ".miners.strategy.",
];

/// Each change must be well-timed and touch only fields that can change mid-run, and the
/// scenario after each change (in time order) must itself be valid.
fn timeline(s: &Scenario, bad: &mut impl FnMut(String, String)) {
    let mut order: Vec<usize> = (0..s.timeline.len()).collect();
    order.sort_by_key(|&i| (s.offset_blocks(&s.timeline[i].at), i));
    // Resolve first, so derived defaults (update intervals) are those of the start, as in a run.
    let mut current = s.clone();
    current.resolve();
    for i in order {
        let change = &s.timeline[i];
        let at = &change.at;
        let given = [at.block.is_some(), at.epoch.is_some(), at.day.is_some()]
            .iter()
            .filter(|g| **g)
            .count();
        if given != 1 {
            bad(
                format!("timeline[{i}].at"),
                format!("expected exactly one of block, epoch, day; got {given}"),
            );
        }
        if let Some(d) = at.day
            && !(d.is_finite() && d >= 0.0)
        {
            bad(
                format!("timeline[{i}].at.day"),
                format!("expected a finite number >= 0, got {d}"),
            );
        }
        if change.set.is_empty()
            && change.register.is_empty()
            && change.outage.is_empty()
            && change.remove.is_empty()
        {
            bad(
                format!("timeline[{i}]"),
                "expected `set`, `register`, `outage` and/or `remove`".into(),
            );
        }
        disruptions(i, change, &current, bad);
        for (w, wave) in change.register.iter().enumerate() {
            let at = format!("timeline[{i}].register[{w}]");
            if wave.subnet >= s.subnets.len() {
                bad(
                    format!("{at}.subnet"),
                    format!(
                        "expected a subnet index below {}, got {}",
                        s.subnets.len(),
                        wave.subnet
                    ),
                );
            }
            if wave.validators.is_none() && wave.miners.is_none() {
                bad(at.clone(), "expected `validators` and/or `miners`".into());
            }
            if let Some(v) = &wave.validators {
                validators(bad, &format!("{at}.validators"), v);
            }
            if let Some(m) = &wave.miners {
                miners(bad, &format!("{at}.miners"), m);
            }
        }
        let mut allowed = true;
        for path in change.set.keys() {
            if path == "network.coinbase.pools" || path.starts_with("network.coinbase.pools.") {
                allowed = false;
                bad(
                    format!("timeline[{i}].set"),
                    "`network.coinbase.pools` cannot change during a run (pools exist from the start or not at all)".into(),
                );
                continue;
            }
            // Cohorts and operators are set at the start: a change to them could not reach the
            // running agents.
            let fixed = path.contains(".cohorts") || path.contains(".operators");
            let on_subnet = path.starts_with("subnets[")
                && !fixed
                && CHANGEABLE.iter().any(|c| path.contains(c));
            if !(on_subnet || path.starts_with("network.")) {
                allowed = false;
                bad(
                    format!("timeline[{i}].set"),
                    format!(
                        "`{path}` cannot change during a run; expected a path under network., subnets[N].hyperparameters., subnets[N].emission_share, subnets[N].validators.strategy. or subnets[N].miners.strategy. (cohorts and operators are fixed at the start)"
                    ),
                );
            }
        }
        if !allowed {
            continue;
        }
        match current.with_change(i) {
            Err(e) => bad(format!("timeline[{i}].set"), format!("cannot apply: {e}")),
            Ok(next) => {
                let mut after = next.clone();
                after.timeline.clear();
                let found = problems(&after);
                // Report what this change broke; a broken state is not carried to later changes.
                let own: Vec<_> = found
                    .iter()
                    .filter(|(p, _)| change.set.keys().any(|k| p.starts_with(k.as_str())))
                    .collect();
                for (path, message) in if own.is_empty() {
                    found.iter().take(1).collect()
                } else {
                    own
                } {
                    bad(
                        format!("timeline[{i}].set"),
                        format!("after this change, {path}: {message}"),
                    );
                }
                if found.is_empty() {
                    current = next;
                }
            }
        }
    }
}

/// A change's outages and removals: each names a subnet that exists and UIDs below its
/// `max_allowed_uids` at that moment (`current`: the scenario after the earlier changes).
fn disruptions(
    i: usize,
    change: &super::Change,
    current: &Scenario,
    bad: &mut impl FnMut(String, String),
) {
    let outages = change
        .outage
        .iter()
        .enumerate()
        .map(|(k, o)| ("outage", k, o.subnet, &o.uids));
    let removals = change
        .remove
        .iter()
        .enumerate()
        .map(|(k, r)| ("remove", k, r.subnet, &r.uids));
    for (field, k, subnet, uids) in outages.chain(removals) {
        let at = format!("timeline[{i}].{field}[{k}]");
        let Some(target) = current.subnets.get(subnet) else {
            bad(
                format!("{at}.subnet"),
                format!(
                    "expected a subnet index below {}, got {subnet}",
                    current.subnets.len()
                ),
            );
            continue;
        };
        let max = target.hyperparameters.max_allowed_uids;
        for (u, uid) in uids.iter().enumerate() {
            if *uid >= max {
                bad(
                    format!("{at}.uids[{u}]"),
                    format!(
                        "expected a UID below subnets[{subnet}]'s max_allowed_uids ({max}), got {uid}"
                    ),
                );
            }
        }
    }
}

/// Timeline changes at or after the end of the run: such a change never applies, so it is a
/// mistake in the scenario (the loader skips this check when `--set` or a sweep changes the
/// duration: shortening a run is how a quick look is taken, and then late changes are moot).
pub fn late_changes(s: &Scenario) -> Vec<(String, String)> {
    let end = s.duration_blocks();
    if end == 0 || end > MAX_DURATION_BLOCKS {
        return Vec::new(); // the duration's own problem is reported
    }
    let mut out = Vec::new();
    for (i, change) in s.timeline.iter().enumerate() {
        let at = &change.at;
        let (field, given) = match (at.block, at.epoch, at.day) {
            (Some(b), None, None) => ("block", b.to_string()),
            (None, Some(e), None) => ("epoch", e.to_string()),
            // 1e300 as written, not as 301 digits.
            (None, None, Some(d)) if d.abs() >= 1e9 => ("day", format!("{d:e}")),
            (None, None, Some(d)) => ("day", d.to_string()),
            _ => continue, // not exactly one: reported by `timeline`
        };
        let offset = s.offset_blocks(at);
        if offset >= end {
            out.push((
                format!("timeline[{i}].at.{field}"),
                format!(
                    "expected a moment before the end of the run ({end} blocks), got {field} {given} (block {offset}): a change at or after the end never applies"
                ),
            ));
        }
    }
    out
}

/// Most sweep points whose problems are listed; the rest would repeat them.
const MAX_POINTS_REPORTED: usize = 3;

/// Replicates, record settings and the sweep: every sweep point must be a valid scenario.
fn study(s: &Scenario, bad: &mut impl FnMut(String, String)) {
    if s.replicates == 0 {
        bad("replicates".into(), "expected at least 1".into());
    }
    if s.record.every == 0 {
        bad("record.every".into(), "expected 1 or more epochs".into());
    }
    // Sizes first, from the lists' lengths: a sweep too large to hold is never expanded.
    let points = s.sweep.as_ref().map_or(1, crate::study::point_count);
    if points > MAX_SWEEP_POINTS {
        let random_n = s
            .sweep
            .as_ref()
            .and_then(|w| w.random.as_ref())
            .map(|r| r.n);
        let at = if random_n.is_some_and(|n| n as u64 > MAX_SWEEP_POINTS) {
            "sweep.random.n"
        } else {
            "sweep"
        };
        bad(
            at.into(),
            format!(
                "expected at most {MAX_SWEEP_POINTS} sweep points (grid × zip + random.n), got {points}"
            ),
        );
        return;
    }
    let runs = points.max(1).saturating_mul(s.replicates as u64);
    if runs > MAX_RUNS {
        bad(
            "replicates".into(),
            format!(
                "expected at most {MAX_RUNS} runs in all, got {points} sweep point{} × {} replicates = {runs}",
                if points == 1 { "" } else { "s" },
                s.replicates
            ),
        );
        return;
    }
    let Some(sweep) = &s.sweep else { return };
    let keys = sweep
        .grid
        .keys()
        .map(|k| ("grid", k))
        .chain(sweep.zip.keys().map(|k| ("zip", k)))
        .chain(
            sweep
                .random
                .iter()
                .flat_map(|r| r.ranges.keys().map(|k| ("random.ranges", k))),
        );
    let mut paths_ok = true;
    for (section, path) in keys {
        let forbidden = ["sweep", "replicates", "record", "name", "timeline"];
        let first = path.split(['.', '[']).next().unwrap_or("");
        if super::locate::parse_path(path).is_none_or(|p| p.is_empty())
            || forbidden.contains(&first)
        {
            paths_ok = false;
            bad(
                format!("sweep.{section}"),
                format!(
                    "`{path}` cannot be swept; expected a field path such as subnets[0].hyperparameters.kappa (not {})",
                    forbidden.join(", ")
                ),
            );
        }
    }
    if let Some(random) = &sweep.random {
        if random.n == 0 {
            bad(
                "sweep.random.n".into(),
                "expected 1 or more points (0 would run nothing)".into(),
            );
        }
        for (path, r) in &random.ranges {
            if !(r.min.is_finite() && r.max.is_finite() && r.min <= r.max) {
                bad(
                    "sweep.random.ranges".into(),
                    format!(
                        "`{path}`: expected finite min <= max, got {} and {}",
                        r.min, r.max
                    ),
                );
                paths_ok = false;
            }
        }
    }
    if !paths_ok {
        return;
    }
    // One point at a time: a large sweep is checked without holding all its scenarios.
    match crate::study::arms_iter(s) {
        Err(e) => bad("sweep".into(), e),
        Ok(arms) => {
            let mut reported = 0;
            for arm in arms {
                let arm = match arm {
                    Ok(arm) => arm,
                    Err(e) => {
                        bad("sweep".into(), e);
                        break;
                    }
                };
                let found = problems(&arm.scenario);
                if !found.is_empty() && reported < MAX_POINTS_REPORTED {
                    reported += 1;
                    for (path, message) in found {
                        bad(
                            "sweep".into(),
                            format!("at point {}: {path}: {message}", arm.name),
                        );
                    }
                }
            }
        }
    }
}

/// The emission schedule's parameters.
fn schedule(e: &super::EmissionSchedule, bad: &mut impl FnMut(String, String)) {
    use super::EmissionSchedule as E;
    let tao = |bad: &mut dyn FnMut(String, String), field: &str, v: f64| {
        if !(v.is_finite() && (0.0..=21_000_000.0).contains(&v)) {
            bad(
                format!("network.emission.{field}"),
                format!("expected TAO between 0 and 21,000,000, got {v}"),
            );
        }
    };
    match e {
        E::Chain => {}
        E::HalvingEveryBlocks { interval, initial } => {
            if *interval == 0 {
                bad(
                    "network.emission.interval".into(),
                    "expected 1 or more blocks".into(),
                );
            }
            tao(bad, "initial", *initial);
        }
        E::SmoothExponential { initial } => tao(bad, "initial", *initial),
        E::Constant { per_block } => tao(bad, "per_block", *per_block),
        E::Table { steps, .. } => {
            if steps.is_empty() {
                bad(
                    "network.emission.steps".into(),
                    "expected at least one step".into(),
                );
            }
            for (i, step) in steps.iter().enumerate() {
                tao(bad, &format!("steps[{i}].per_block"), step.per_block);
                if !(step.from.is_finite() && step.from >= 0.0) {
                    bad(
                        format!("network.emission.steps[{i}].from"),
                        format!("expected a number >= 0, got {}", step.from),
                    );
                }
                if i > 0 && step.from <= steps[i - 1].from {
                    bad(
                        format!("network.emission.steps[{i}].from"),
                        format!(
                            "expected steps in increasing `from` order, got {} after {}",
                            step.from,
                            steps[i - 1].from
                        ),
                    );
                }
            }
        }
    }
}

/// The TAO price path's parameters.
fn price(p: &super::PricePath, bad: &mut impl FnMut(String, String)) {
    use super::PricePath as P;
    let positive = |bad: &mut dyn FnMut(String, String), field: &str, v: f64| {
        if !(v.is_finite() && v > 0.0) {
            bad(
                format!("network.tao_price.{field}"),
                format!("expected a finite price > 0, got {v}"),
            );
        }
    };
    match p {
        P::Constant { usd } => positive(bad, "usd", *usd),
        P::Gbm {
            start,
            drift,
            volatility,
        } => {
            positive(bad, "start", *start);
            if !drift.is_finite() {
                bad(
                    "network.tao_price.drift".into(),
                    format!("expected a finite number, got {drift}"),
                );
            }
            if !(volatility.is_finite() && *volatility >= 0.0) {
                bad(
                    "network.tao_price.volatility".into(),
                    format!("expected a finite number >= 0, got {volatility}"),
                );
            }
        }
        // A file left in place could not be read; the loader reported why.
        P::Table { file: Some(_), .. } => {}
        P::Table { points, .. } => {
            if points.is_empty() {
                bad(
                    "network.tao_price.points".into(),
                    "expected at least one point".into(),
                );
            }
            for (i, point) in points.iter().enumerate() {
                positive(bad, &format!("points[{i}].usd"), point.usd);
                if i > 0
                    && point.day.partial_cmp(&points[i - 1].day)
                        != Some(std::cmp::Ordering::Greater)
                {
                    bad(
                        format!("network.tao_price.points[{i}].day"),
                        format!(
                            "expected days in increasing order, got {} after {}",
                            point.day,
                            points[i - 1].day
                        ),
                    );
                }
            }
        }
    }
}

/// `network.coinbase`: fractions in range, a positive half-life, the chain's fee bound, and
/// pools for the rules that read them.
fn coinbase(c: &super::Coinbase, bad: &mut impl FnMut(String, String)) {
    use super::ShareRule;
    if matches!(c.share_rule, ShareRule::PriceEma | ShareRule::TaoFlow) && !c.pools {
        bad(
            "network.coinbase.share_rule".into(),
            "expected `pools: true` for price_ema and tao_flow (they read pool prices and TAO flows); without pools use fixed or equal".into(),
        );
    }
    let max_tao = (MAX_SUPPLY_RAO / RAO_PER_TAO) as f64;
    if !(c.root_stake.is_finite() && (0.0..=max_tao).contains(&c.root_stake)) {
        bad(
            "network.coinbase.root_stake".into(),
            format!(
                "expected TAO between 0 and 21,000,000, got {}",
                c.root_stake
            ),
        );
    }
    for (field, v) in [
        ("tao_weight", c.tao_weight),
        ("moving_alpha", c.moving_alpha),
    ] {
        if !(v.is_finite() && (0.0..=1.0).contains(&v)) {
            bad(
                format!("network.coinbase.{field}"),
                format!("expected a fraction between 0 and 1, got {v}"),
            );
        }
    }
    if c.flow_half_life == 0 {
        bad(
            "network.coinbase.flow_half_life".into(),
            "expected at least 1 block".into(),
        );
    }
    if c.fee_rate > 10_000 {
        bad(
            "network.coinbase.fee_rate".into(),
            format!(
                "expected at most 10,000 (the chain's bound, ≈ 15 %), got {}",
                c.fee_rate
            ),
        );
    }
}

/// A subnet's starting pool: positive reserves within the supply, a moving price in [0, 1].
fn pool(p: &super::PoolStart, at: &str, bad: &mut impl FnMut(String, String)) {
    let max_tao = (MAX_SUPPLY_RAO / RAO_PER_TAO) as f64;
    for (field, v) in [("tao", p.tao), ("alpha", p.alpha)] {
        // The chain's MinimumReserve is 1,000,000 rao = 0.001.
        if !(v.is_finite() && (0.001..=max_tao).contains(&v)) {
            bad(
                format!("{at}.{field}"),
                format!("expected an amount between 0.001 and 21,000,000, got {v}"),
            );
        }
    }
    if let Some(m) = p.moving_price
        && !(m.is_finite() && (0.0..=1.0).contains(&m))
    {
        bad(
            format!("{at}.moving_price"),
            format!(
                "expected between 0 and 1 (the chain caps the price at 1 before averaging), got {m}"
            ),
        );
    }
    if !(p.age_days.is_finite() && (0.0..=36_500.0).contains(&p.age_days)) {
        bad(
            format!("{at}.age_days"),
            format!("expected days between 0 and 36,500, got {}", p.age_days),
        );
    }
}

/// A subnet's miner economics: finite non-negative cost and times, a sane arrival rate.
fn economics(e: &super::MinerEconomics, at: &str, bad: &mut impl FnMut(String, String)) {
    for (field, v) in [
        ("cost_per_day", e.cost_per_day),
        ("patience_days", e.patience_days),
    ] {
        if !(v.is_finite() && v >= 0.0) {
            bad(
                format!("{at}.{field}"),
                format!("expected a finite number >= 0, got {v}"),
            );
        }
    }
    if let Some(n) = &e.entrants {
        if !(n.rate_per_day.is_finite() && (0.0..=7_200.0).contains(&n.rate_per_day)) {
            bad(
                format!("{at}.entrants.rate_per_day"),
                format!(
                    "expected arrivals per day between 0 and 7,200 (one per block), got {}",
                    n.rate_per_day
                ),
            );
        }
        if !(n.payback_days.is_finite() && n.payback_days > 0.0) {
            bad(
                format!("{at}.entrants.payback_days"),
                format!("expected a finite number > 0, got {}", n.payback_days),
            );
        }
        distribution(bad, &format!("{at}.entrants.quality"), &n.quality, 1);
    }
}
