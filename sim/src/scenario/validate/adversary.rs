//! Checks on adversaries: cohorts, strategies that name coalitions, UIDs or windows, operators,
//! adaptation settings. Each problem is `(field path, what was expected)`.

use super::{MAX_LAG, fraction, miners, non_negative, observer, validators};
use crate::scenario::{MinerStrategy, Scenario, ValidatorStrategy};

/// The adversaries of a subnet must fit it: cohorts non-empty, a copier's target a UID of the
/// subnet, every cabal validator (or self-dealing owner) with miners of its coalition, an
/// outage that starts before it ends.
pub(super) fn adversaries(s: &Scenario, i: usize, bad: &mut impl FnMut(String, String)) {
    let subnet = &s.subnets[i];
    let at = |field: &str| format!("subnets[{i}].{field}");
    // Each validator population with its place in the start's layout (0: the subnet's own,
    // 1 + k: cohort k's), to find its UIDs below.
    let mut populations: Vec<(String, &crate::scenario::Validators, usize)> =
        vec![(at("validators"), &subnet.validators, 0)];
    let mut miners: Vec<&crate::scenario::Miners> = vec![&subnet.miners];
    for (k, c) in subnet.cohorts.iter().enumerate() {
        let path = at(&format!("cohorts[{k}]"));
        if c.validators.is_none() && c.miners.is_none() {
            bad(path.clone(), "expected `validators` and/or `miners`".into());
        }
        if let Some(v) = &c.validators {
            validators(bad, &format!("{path}.validators"), v);
            populations.push((format!("{path}.validators"), v, 1 + k));
        }
        if let Some(m) = &c.miners {
            self::miners(bad, &format!("{path}.miners"), m);
            miners.push(m);
        }
    }
    for change in &s.timeline {
        for wave in change.register.iter().filter(|w| w.subnet == i) {
            miners.extend(wave.miners.as_ref());
        }
    }
    let coalition_miners = |c: u32| {
        miners.iter().any(|m| {
            m.count > 0
                && matches!(m.strategy, MinerStrategy::Cabal { coalition, .. } if coalition == c)
        })
    };
    let uids = subnet.owner.is_some() as u64
        + populations
            .iter()
            .map(|(_, v, _)| v.count as u64)
            .sum::<u64>()
        + miners
            .iter()
            .take(1 + subnet.cohorts.len())
            .map(|m| m.count as u64)
            .sum::<u64>();
    let validator_uids = validator_uids(subnet);
    for (path, v, place) in &populations {
        let own = validator_uids.get(*place).cloned().unwrap_or_default();
        match &v.strategy {
            ValidatorStrategy::WeightCopier {
                target: Some(t), ..
            } if *t as u64 >= uids => bad(
                format!("{path}.strategy.target"),
                format!("expected a UID below {uids} (the subnet's neurons at the start), got {t}"),
            ),
            // The copier at UID `t` would copy its own weights, and the others a copy of them.
            ValidatorStrategy::WeightCopier {
                target: Some(t), ..
            } if own.contains(&(*t as u64)) => bad(
                format!("{path}.strategy.target"),
                format!(
                    "expected the UID of a validator outside this population (UIDs {} to {} are these weight copiers themselves), got {t}",
                    own.start,
                    own.end - 1
                ),
            ),
            ValidatorStrategy::Cabal { coalition, .. } if !coalition_miners(*coalition) => bad(
                format!("{path}.strategy.coalition"),
                format!(
                    "coalition {coalition} has no miners on this subnet; give some miners `strategy: {{ kind: cabal, coalition: {coalition} }}`"
                ),
            ),
            ValidatorStrategy::Offline { from, until, .. } => {
                if s.offset_blocks(from) >= s.offset_blocks(until) {
                    bad(
                        format!("{path}.strategy.until"),
                        "expected the outage to end after it starts".into(),
                    );
                }
                moment(bad, &format!("{path}.strategy.from"), from);
                moment(bad, &format!("{path}.strategy.until"), until);
            }
            _ => {}
        }
    }
    if let Some(o) = &subnet.owner
        && let crate::scenario::OwnerStrategy::SelfDealingOwner {
            coalition,
            w_c,
            noise,
            weights,
            interval,
        } = &o.strategy
    {
        let at = at("owner.strategy");
        fraction(bad, &format!("{at}.w_c"), *w_c);
        observer(bad, &at, *noise, weights);
        if *interval == Some(0) {
            bad(format!("{at}.interval"), "expected 1 or more blocks".into());
        }
        if !coalition_miners(*coalition) {
            bad(
                format!("{at}.coalition"),
                format!(
                    "coalition {coalition} has no miners on this subnet; give some miners `strategy: {{ kind: cabal, coalition: {coalition} }}`"
                ),
            );
        }
    }
    for (k, o) in subnet.operators.iter().enumerate() {
        let path = at(&format!("operators[{k}]"));
        match o {
            crate::scenario::Operator::DeregGriefer {
                targets,
                quality,
                budget,
                ..
            } => {
                if targets.is_empty() {
                    bad(
                        format!("{path}.targets"),
                        "expected at least one UID".into(),
                    );
                }
                for (j, t) in targets.iter().enumerate() {
                    if *t as u64 >= uids {
                        bad(
                            format!("{path}.targets[{j}]"),
                            format!(
                                "expected a UID below {uids} (the subnet's neurons at the start), got {t}"
                            ),
                        );
                    }
                }
                non_negative(bad, &format!("{path}.quality"), *quality);
                non_negative(bad, &format!("{path}.budget"), *budget);
            }
            crate::scenario::Operator::PricePumper {
                tao,
                buy_at,
                sell_at,
                ..
            } => {
                if !(tao.is_finite() && *tao > 0.0 && *tao <= 21_000_000.0) {
                    bad(
                        format!("{path}.tao"),
                        format!("expected TAO above 0 and at most 21,000,000, got {tao}"),
                    );
                }
                moment(bad, &format!("{path}.buy_at"), buy_at);
                moment(bad, &format!("{path}.sell_at"), sell_at);
                if s.offset_blocks(buy_at) >= s.offset_blocks(sell_at) {
                    bad(
                        format!("{path}.sell_at"),
                        "expected the sale after the purchase".into(),
                    );
                }
                if !s.network.coinbase.pools {
                    bad(
                        format!("{path}.kind"),
                        "a price pumper trades through the subnet's pool: set network.coinbase.pools: true".into(),
                    );
                }
            }
            crate::scenario::Operator::StakeWhale {
                validators,
                stake,
                every,
                ..
            } => {
                if *every == 0 {
                    bad(
                        format!("{path}.every"),
                        "expected 1 or more epochs (a whale that never moves lists one validator)"
                            .into(),
                    );
                }
                if validators.is_empty() {
                    bad(
                        format!("{path}.validators"),
                        "expected at least one UID".into(),
                    );
                }
                for (j, v) in validators.iter().enumerate() {
                    if !validator_uids.iter().any(|r| r.contains(&(*v as u64))) {
                        bad(
                            format!("{path}.validators[{j}]"),
                            format!("expected the UID of a validator at the start, got {v}"),
                        );
                    }
                }
                if !(stake.is_finite() && (0.0..=21_000_000.0).contains(stake)) {
                    bad(
                        format!("{path}.stake"),
                        format!("expected TAO between 0 and 21,000,000, got {stake}"),
                    );
                }
            }
        }
    }
    if uids > subnet.hyperparameters.max_allowed_uids as u64 && !subnet.cohorts.is_empty() {
        bad(
            at("cohorts"),
            format!(
                "{uids} neurons with the cohorts, but max_allowed_uids is {}",
                subnet.hyperparameters.max_allowed_uids
            ),
        );
    }
}

/// Validator UIDs at the start, per population: the subnet's own validators first, then each
/// cohort's (empty for a cohort without validators). UIDs follow the owner's 0, then each
/// population in order, validators before miners.
fn validator_uids(subnet: &crate::scenario::Subnet) -> Vec<std::ops::Range<u64>> {
    let mut validator_uids = Vec::new();
    let mut next = subnet.owner.is_some() as u64;
    let mut layout = vec![
        (subnet.validators.count, true),
        (subnet.miners.count, false),
    ];
    for c in &subnet.cohorts {
        layout.push((c.validators.as_ref().map_or(0, |v| v.count), true));
        layout.push((c.miners.as_ref().map_or(0, |m| m.count), false));
    }
    for (count, validator) in layout {
        if validator {
            validator_uids.push(next..next + count as u64);
        }
        next += count as u64;
    }
    validator_uids
}

/// An adaptation block: a knob the strategy has, a positive step, a sane range.
pub(super) fn adapt(
    bad: &mut impl FnMut(String, String),
    at: &str,
    a: &crate::scenario::Adapt,
    kind: &str,
) {
    use crate::scenario::Knob;
    let fits = matches!(
        (kind, a.knob),
        ("cabal", Knob::WC)
            | ("weight_copier", Knob::Lag | Knob::Noise)
            | ("late_follower", Knob::Lag)
    );
    if !fits {
        bad(
            format!("{at}.knob"),
            format!(
                "`{}` is not a knob of {kind}; expected w_c (cabal), lag (weight_copier, late_follower) or noise (weight_copier)",
                a.knob.as_str()
            ),
        );
    }
    if a.every == 0 {
        bad(format!("{at}.every"), "expected 1 or more epochs".into());
    }
    if !(a.step.is_finite() && a.step > 0.0) {
        bad(
            format!("{at}.step"),
            format!("expected a finite number > 0, got {}", a.step),
        );
    }
    let max = a.max_value();
    let ceiling = match a.knob {
        Knob::WC => 1.0,
        Knob::Lag => MAX_LAG as f64,
        Knob::Noise => f64::MAX,
    };
    if !(a.min.is_finite() && a.min >= 0.0 && max.is_finite() && a.min <= max && max <= ceiling) {
        bad(
            format!("{at}.max"),
            format!(
                "expected 0 <= min <= max <= {ceiling} for {}, got min {} and max {max}",
                a.knob.as_str(),
                a.min
            ),
        );
    }
}

/// A moment names exactly one of block, epoch, day.
fn moment(bad: &mut impl FnMut(String, String), at: &str, m: &crate::scenario::At) {
    let given = [m.block.is_some(), m.epoch.is_some(), m.day.is_some()]
        .iter()
        .filter(|g| **g)
        .count();
    if given != 1 {
        bad(
            at.into(),
            format!("expected exactly one of block, epoch, day; got {given}"),
        );
    }
}
