//! Checks on the network economy: the emission schedule, the TAO price path, the coinbase,
//! pools and miner economics.

use super::{Drawn, distribution};
use crate::chain::emission::{MAX_SUPPLY_RAO, RAO_PER_TAO};

/// The emission schedule's parameters.
pub(super) fn schedule(
    e: &crate::scenario::EmissionSchedule,
    bad: &mut impl FnMut(String, String),
) {
    use crate::scenario::EmissionSchedule as E;
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
pub(super) fn price(p: &crate::scenario::PricePath, bad: &mut impl FnMut(String, String)) {
    use crate::scenario::PricePath as P;
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
                // The first point's price holds from the start: a point before day 0 would
                // be misapplied, so days count from the start.
                if point.day < 0.0 {
                    bad(
                        format!("network.tao_price.points[{i}].day"),
                        format!(
                            "expected a day >= 0 (days count from the run's start), got {}",
                            point.day
                        ),
                    );
                }
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
pub(super) fn coinbase(c: &crate::scenario::Coinbase, bad: &mut impl FnMut(String, String)) {
    use crate::scenario::ShareRule;
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
pub(super) fn pool(p: &crate::scenario::PoolStart, at: &str, bad: &mut impl FnMut(String, String)) {
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
pub(super) fn economics(
    e: &crate::scenario::MinerEconomics,
    at: &str,
    bad: &mut impl FnMut(String, String),
) {
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
        distribution(
            bad,
            &format!("{at}.entrants.quality"),
            (&n.quality, Drawn::Quality),
            1,
        );
    }
}
