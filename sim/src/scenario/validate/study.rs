//! Checks on the study: replicates, record settings, the sweep's size and every point of it.

use super::problems;
use crate::scenario::Scenario;
use crate::scenario::limits::{MAX_RUNS, MAX_SWEEP_POINTS};

/// Most sweep points whose problems are listed; the rest would repeat them.
const MAX_POINTS_REPORTED: usize = 3;

/// Replicates, record settings and the sweep: every sweep point must be a valid scenario.
pub(super) fn study(s: &Scenario, bad: &mut impl FnMut(String, String)) {
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
    let mut paths_ok = true;
    for (section, path) in sweep.keys() {
        let forbidden = ["sweep", "replicates", "record", "name", "timeline"];
        let first = path.split(['.', '[']).next().unwrap_or("");
        if crate::scenario::locate::parse_path(path).is_none_or(|p| p.is_empty())
            || forbidden.contains(&first)
        {
            paths_ok = false;
            bad(
                format!("sweep.{section}.{path}"),
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
                    format!("sweep.random.ranges.{path}"),
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
                            swept_key(sweep, &path),
                            format!("at point {}: {path}: {message}", arm.name),
                        );
                    }
                }
            }
        }
    }
}

/// Where a sweep point's problem at `path` is reported: the sweep key that set it (the key
/// lies under `path`, or `path` under the key: `duration.days` for a problem of `duration`),
/// else the sweep as a whole.
fn swept_key(sweep: &crate::scenario::Sweep, path: &str) -> String {
    use crate::scenario::is_under;
    for (section, key) in sweep.keys() {
        if is_under(path, key) || is_under(key, path) {
            return format!("sweep.{section}.{key}");
        }
    }
    "sweep".into()
}
