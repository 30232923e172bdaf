//! Checks on the timeline: each change well-timed, touching only fields that can change
//! mid-run, with the scenario after it valid; outages and removals within the subnet.

use super::{CHANGEABLE, miners, problems, validators};
use crate::scenario::Scenario;
use crate::scenario::limits::MAX_DURATION_BLOCKS;

/// Each change must be well-timed and touch only fields that can change mid-run, and the
/// scenario after each change (in time order) must itself be valid.
pub(super) fn timeline(s: &Scenario, bad: &mut impl FnMut(String, String)) {
    if s.timeline.is_empty() {
        return; // (and the checks of a state below, which clear its timeline, end here)
    }
    let mut order: Vec<usize> = (0..s.timeline.len()).collect();
    order.sort_by_key(|&i| (s.offset_blocks(&s.timeline[i].at), i));
    // Resolve first, so derived defaults (update intervals) are those of the start, as in a run.
    let mut current = s.clone();
    current.resolve();
    // Problems the state already has are reported on their own fields, not again as the
    // doing of each change.
    let mut known = {
        let mut start = current.clone();
        start.timeline.clear();
        problems(&start)
    };
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
                    format!("timeline[{i}].set.{path}"),
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
                    format!("timeline[{i}].set.{path}"),
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
                let broken: Vec<_> = found.iter().filter(|p| !known.contains(p)).collect();
                // Report what this change broke; a broken state is not carried to later changes.
                // Each with the key that set it, to place it on that key's line.
                let own: Vec<_> = broken
                    .iter()
                    .filter_map(|(p, m)| {
                        let key = change.set.keys().find(|k| p.starts_with(k.as_str()))?;
                        Some((format!("timeline[{i}].set.{key}"), p, m))
                    })
                    .collect();
                let reported = if own.is_empty() {
                    broken
                        .iter()
                        .take(1)
                        .map(|(p, m)| (format!("timeline[{i}].set"), p, m))
                        .collect()
                } else {
                    own
                };
                for (at, path, message) in reported {
                    bad(at, format!("after this change, {path}: {message}"));
                }
                if broken.is_empty() {
                    current = next;
                    known = found;
                }
            }
        }
    }
}

/// A change's outages and removals: each names a subnet that exists and at least one UID, each
/// once and below its `max_allowed_uids` at that moment (`current`: the scenario after the
/// earlier changes); an outage lasts at least one block.
pub(super) fn disruptions(
    i: usize,
    change: &crate::scenario::Change,
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
    for (k, o) in change.outage.iter().enumerate() {
        if o.blocks == 0 {
            bad(
                format!("timeline[{i}].outage[{k}].blocks"),
                "expected 1 or more blocks (an outage of 0 blocks does nothing)".into(),
            );
        }
    }
    for (field, k, subnet, uids) in outages.chain(removals) {
        let at = format!("timeline[{i}].{field}[{k}]");
        if uids.is_empty() {
            bad(
                format!("{at}.uids"),
                format!("expected at least one UID (a {field} of no UIDs does nothing)"),
            );
        }
        for (u, uid) in uids.iter().enumerate() {
            if let Some(first) = uids[..u].iter().position(|x| x == uid) {
                bad(
                    format!("{at}.uids[{u}]"),
                    format!("UID {uid} is already listed at uids[{first}]: expected each UID once"),
                );
            }
        }
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
pub(in crate::scenario) fn late_changes(s: &Scenario) -> Vec<(String, String)> {
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
