//! Range and consistency checks on a typed scenario. Every check runs; each problem is
//! `(field path, what was expected)`.

mod adversary;
mod network;
mod study;
mod timeline;

use super::limits::{
    MAX_DURATION_BLOCKS, MAX_END_BLOCK, MAX_NETWORK_UIDS, MAX_QUALITY_SUM, MAX_UIDS_PER_SUBNET,
};
use super::{Distribution, Scenario, ValidatorStrategy, WeightRule};
use crate::chain::emission::{MAX_SUPPLY_RAO, RAO_PER_TAO};
use adversary::{adapt, adversaries};
use network::{coinbase, economics, pool, price, schedule};
use study::study;
pub(super) use timeline::late_changes;
use timeline::timeline;

/// Longest scenario name: it names the result folder, whose temporary twin adds a suffix, and
/// file names stop at 255 bytes.
const MAX_NAME_LEN: usize = 200;

/// All range and consistency problems of `s`.
pub fn problems(s: &Scenario) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut bad = |path: String, msg: String| out.push((path, msg));
    run(s, &mut bad);
    network(s, &mut bad);
    subnets(s, &mut bad);
    timeline(s, &mut bad);
    study(s, &mut bad);
    out
}

/// The run: its name, duration and start.
fn run(s: &Scenario, bad: &mut impl FnMut(String, String)) {
    if s.name.len() > MAX_NAME_LEN {
        bad(
            "name".into(),
            format!(
                "expected at most {MAX_NAME_LEN} characters (it names the result folder, and file names stop at 255 bytes), got {}",
                s.name.len()
            ),
        );
    } else if s.name.is_empty()
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
    } else if s.name == "." || s.name == ".." {
        // `out/.` is the output folder itself and `out/..` its parent: neither can be the
        // result folder the run renames its temporary folder to.
        bad(
            "name".into(),
            format!(
                "expected a name other than `.` or `..` (it names the result folder, and `{}` is a folder already), got `{}`",
                s.name, s.name
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
}

/// The network: the TAO price, the stake threshold, the emission schedule, the coinbase and
/// the stakers.
fn network(s: &Scenario, bad: &mut impl FnMut(String, String)) {
    let max_tao = (MAX_SUPPLY_RAO / RAO_PER_TAO) as f64;
    price(&s.network.tao_price, bad);
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
    schedule(&s.network.emission, bad);
    coinbase(&s.network.coinbase, bad);
    // The swap fee applies to pool trades only: a fee set without pools would do nothing. (Its
    // default fills a resolved scenario, so only a value other than the default is refused.)
    let c = &s.network.coinbase;
    if !c.pools && c.fee_rate != super::Coinbase::default().fee_rate {
        bad(
            "network.coinbase.fee_rate".into(),
            format!(
                "a swap fee applies to pool trades only: expected `network.coinbase.pools: true`, or no fee_rate, got {}",
                c.fee_rate
            ),
        );
    }
    if let Some(st) = &s.network.stakers {
        let at = "network.stakers";
        if !s.network.coinbase.pools {
            bad(
                at.into(),
                "expected `network.coinbase.pools: true` (stakers stake through the pools)".into(),
            );
        }
        distribution(
            bad,
            &format!("{at}.wallet"),
            (&st.wallet, Drawn::Tao),
            st.count,
        );
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
}

/// Every subnet: netuids, shares, pools, hyperparameters, populations, adversaries; and the
/// subnets together (UIDs in all, emission shares).
fn subnets(s: &Scenario, bad: &mut impl FnMut(String, String)) {
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

        pool(&subnet.pool, &at("pool"), bad);
        // Without pools a subnet has no pool; its default fills every resolved scenario, so
        // only a pool other than the default is refused.
        if !s.network.coinbase.pools && subnet.pool != super::PoolStart::default() {
            bad(
                at("pool"),
                "a subnet's pool exists only with pools: expected `network.coinbase.pools: true`, or no `pool:`".into(),
            );
        }
        if let Some(e) = &subnet.economics {
            economics(e, &at("economics"), bad);
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
        validators(bad, &at("validators"), v);
        root_stakes(s, i, bad);
        miners(bad, &at("miners"), &subnet.miners);
        adversaries(s, i, bad);
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
    distribution(bad, &format!("{at}.stake"), (&v.stake, Drawn::Tao), v.count);
    if let Some(root) = &v.root_stake {
        distribution(
            bad,
            &format!("{at}.root_stake"),
            (root, Drawn::Tao),
            v.count,
        );
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
    distribution(
        bad,
        &format!("{at}.quality"),
        (&m.quality, Drawn::Quality),
        m.count,
    );
    if let Some(stake) = &m.stake {
        distribution(bad, &format!("{at}.stake"), (stake, Drawn::Tao), m.count);
    }
    non_negative(bad, &format!("{at}.strategy.drift"), m.strategy.drift());
}

/// What a distribution draws, for its bound: TAO amounts are bounded by the supply, qualities
/// by [`MAX_QUALITY_SUM`].
#[derive(Clone, Copy)]
enum Drawn {
    Tao,
    Quality,
}

fn distribution(
    bad: &mut impl FnMut(String, String),
    at: &str,
    (d, drawn): (&Distribution, Drawn),
    count: u32,
) {
    for (field, message) in d.problems(count) {
        bad(format!("{at}.{field}"), message);
    }
    let Some(largest) = d.largest_possible_sum(count) else {
        return;
    };
    match drawn {
        // No amount on chain exceeds the supply, 21 M TAO.
        Drawn::Tao if largest > (MAX_SUPPLY_RAO / RAO_PER_TAO) as f64 => bad(
            at.to_string(),
            format!(
                "expected values summing to at most 21,000,000, got up to {}",
                super::compact(largest)
            ),
        ),
        Drawn::Quality if largest > MAX_QUALITY_SUM => bad(
            at.to_string(),
            format!(
                "expected qualities summing to at most {} (quality is a relative score: only ratios matter), got up to {}",
                super::compact(MAX_QUALITY_SUM),
                super::compact(largest)
            ),
        ),
        _ => {}
    }
}

/// Fields a timeline change may set: the network, or these parts of a subnet.
const CHANGEABLE: [&str; 4] = [
    ".hyperparameters.",
    ".emission_share",
    ".validators.strategy.",
    ".miners.strategy.",
];
