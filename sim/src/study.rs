//! Studies: a scenario with `sweep:` and `replicates:` expands to an ordered list of runs
//! ([`RunSpec`]), which run in parallel with rayon. Order, seeds and results never depend on the
//! thread count: each run is independent, keyed by (seed, run index), and results are collected
//! in list order.

use crate::engine::{self, EngineError, Progress};
use crate::record::RunRecord;
use crate::rng::{Purpose, stream};
use crate::scenario::{Override, Scenario};
use rand::RngExt;
use rayon::prelude::*;
use yaml_serde::Value;

/// One point of a sweep (or one scenario of a comparison).
#[derive(Clone, Debug, PartialEq)]
pub struct Arm {
    /// Position in the study.
    pub index: u32,
    /// Short display name, e.g. `kappa=39321, yuma3=false`.
    pub name: String,
    /// The sweep values of this arm (path, value), in path order.
    pub params: Vec<(String, Value)>,
    /// The scenario with the arm's values applied (no sweep of its own).
    pub scenario: Scenario,
}

/// One run: an arm and a replicate index.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSpec {
    /// Arm index.
    pub arm: u32,
    /// Replicate index; runs with the same index share their random streams across arms.
    pub run: u32,
}

/// The arms of `base`: the sweep's points, or `base` itself when there is no sweep.
pub fn arms(base: &Scenario) -> Result<Vec<Arm>, String> {
    arms_iter(base)?.collect()
}

/// The arms of `base` one at a time, each built when it is read (validation walks a large
/// sweep this way without holding every point's scenario).
pub fn arms_iter(
    base: &Scenario,
) -> Result<impl Iterator<Item = Result<Arm, String>> + '_, String> {
    let points = sweep_points(base)?;
    Ok(points.into_iter().enumerate().map(move |(index, params)| {
        let scenario = apply(base, &params)?;
        let name = if params.is_empty() {
            base.name.clone()
        } else {
            params
                .iter()
                .map(|(p, v)| format!("{}={}", short(p), display(v)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        Ok(Arm {
            index: index as u32,
            name,
            params,
            scenario,
        })
    }))
}

/// Number of points of `sweep` (grid × zip + random), from the lists' lengths alone, without
/// expanding them; saturates rather than overflows.
pub fn point_count(sweep: &crate::scenario::Sweep) -> u64 {
    let grid = sweep
        .grid
        .values()
        .fold(1u64, |n, values| n.saturating_mul(values.len() as u64));
    let zip = sweep.zip.values().map(Vec::len).max().unwrap_or(0).max(1) as u64;
    let random = sweep.random.as_ref().map_or(0, |r| r.n as u64);
    let crossed = if sweep.random.is_some() && sweep.grid.is_empty() && sweep.zip.is_empty() {
        0
    } else {
        grid.saturating_mul(zip)
    };
    crossed.saturating_add(random)
}

/// What an honest twin arm's name adds to the name of the arm it mirrors.
pub const TWIN_SUFFIX: &str = " (honest twin)";

/// `arms` followed by each one's honest twin ([`Scenario::honest_twin`], named with
/// [`TWIN_SUFFIX`]), so every adversarial arm runs next to its twin on the same seeds.
pub fn with_twins(arms: Vec<Arm>) -> Vec<Arm> {
    let n = arms.len() as u32;
    let twins: Vec<Arm> = arms
        .iter()
        .map(|a| Arm {
            index: n + a.index,
            name: format!("{}{TWIN_SUFFIX}", a.name),
            params: a.params.clone(),
            scenario: a.scenario.honest_twin(),
        })
        .collect();
    arms.into_iter().chain(twins).collect()
}

/// Every (arm, replicate) pair in study order: arm-major.
pub fn runs(arms: &[Arm], replicates: u32) -> Vec<RunSpec> {
    arms.iter()
        .flat_map(|a| (0..replicates.max(1)).map(move |run| RunSpec { arm: a.index, run }))
        .collect()
}

/// Run `specs` in parallel on rayon's pool; records come back in `specs` order. `progress` is
/// called from worker threads with the position of the run in `specs` and its progress; it
/// must be cheap.
pub fn run_all(
    arms: &[Arm],
    specs: &[RunSpec],
    progress: &(dyn Fn(usize, Progress) + Sync),
) -> Result<Vec<RunRecord>, EngineError> {
    specs
        .par_iter()
        .enumerate()
        .map(|(i, spec)| {
            let arm = &arms[spec.arm as usize];
            let mut record = engine::run(&arm.scenario, spec.run, &mut |p| progress(i, p))?;
            record.relabel_arm(spec.arm);
            Ok(record)
        })
        .collect()
}

/// Points of the sweep as lists of (path, value); one empty point without a sweep.
fn sweep_points(base: &Scenario) -> Result<Vec<Vec<(String, Value)>>, String> {
    let Some(sweep) = &base.sweep else {
        return Ok(vec![Vec::new()]);
    };
    let mut grid: Vec<Vec<(String, Value)>> = vec![Vec::new()];
    for (path, values) in &sweep.grid {
        if values.is_empty() {
            return Err(format!("sweep.grid.{path}: expected at least one value"));
        }
        grid = grid
            .iter()
            .flat_map(|point| {
                values
                    .iter()
                    .map(move |v| [point.clone(), vec![(path.clone(), v.clone())]].concat())
            })
            .collect();
    }
    let zip_len = sweep.zip.values().map(Vec::len).max().unwrap_or(0);
    if let Some((path, values)) = sweep.zip.iter().find(|(_, v)| v.len() != zip_len) {
        return Err(format!(
            "sweep.zip.{path}: expected {zip_len} values like the other zip lists, got {}",
            values.len()
        ));
    }
    let mut points = Vec::new();
    if zip_len == 0 {
        points = grid;
    } else {
        for g in &grid {
            for i in 0..zip_len {
                let mut point = g.clone();
                point.extend(sweep.zip.iter().map(|(p, v)| (p.clone(), v[i].clone())));
                points.push(point);
            }
        }
    }
    if let Some(random) = &sweep.random {
        if sweep.grid.is_empty() && sweep.zip.is_empty() {
            points.clear();
        }
        // A range on a whole-number field (tempo, kappa: the base scenario holds an integer
        // there) draws whole numbers, as `integer: true` asks for any field; a float field's
        // range draws floats even if its bounds are written as integers (`{min: 0, max: 1}`).
        let doc = yaml_serde::to_value(base).map_err(|e| e.to_string())?;
        let whole: Vec<bool> = random
            .ranges
            .iter()
            .map(|(path, r)| {
                r.integer
                    || crate::scenario::value_at(&doc, path)
                        .is_some_and(|v| v.is_i64() || v.is_u64())
            })
            .collect();
        for i in 0..random.n {
            let mut rng = stream(base.seed, 0, Purpose::Sweep, i as u64);
            let point = random
                .ranges
                .iter()
                .zip(&whole)
                .map(|((path, r), &whole)| {
                    let v = if whole {
                        let (lo, hi) = (r.min.ceil() as i64, r.max.floor() as i64);
                        if lo > hi {
                            return Err(format!(
                                "sweep.random.ranges.{path}: the field takes whole numbers: expected a range holding one, got {} to {}",
                                r.min, r.max
                            ));
                        }
                        Value::from(if lo < hi {
                            rng.random_range(lo..=hi)
                        } else {
                            lo
                        })
                    } else if r.min < r.max {
                        Value::from(rng.random_range(r.min..=r.max))
                    } else {
                        Value::from(r.min)
                    };
                    Ok((path.clone(), v))
                })
                .collect::<Result<_, String>>()?;
            points.push(point);
        }
    }
    Ok(points)
}

/// `base` with `params` set and its sweep removed.
fn apply(base: &Scenario, params: &[(String, Value)]) -> Result<Scenario, String> {
    let mut doc = yaml_serde::to_value(base).map_err(|e| e.to_string())?;
    for (path, value) in params {
        Override {
            path: path.clone(),
            value: String::new(),
        }
        .apply_value(&mut doc, value.clone())
        .map_err(|e| format!("sweep path `{path}`: {e}"))?;
    }
    let mut scenario: Scenario = yaml_serde::from_value(doc).map_err(|e| {
        let e = crate::scenario::explain(&e.to_string());
        format!("sweep point {}: {e}", describe(params))
    })?;
    scenario.sweep = None;
    scenario.resolve();
    Ok(scenario)
}

fn describe(params: &[(String, Value)]) -> String {
    params
        .iter()
        .map(|(p, v)| format!("{p}={}", display(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The last segment of a path: `subnets[0].hyperparameters.kappa` → `kappa`.
fn short(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// A YAML scalar as text (`40000`, `true`, `0.25`); other values as flow YAML.
pub fn display(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        other => yaml_serde::to_string(other)
            .map(|s| s.trim().replace('\n', " "))
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_str;

    const BASE: &str = "name: s\nduration: {blocks: 50}\nsubnets:\n  - validators: {count: 2, stake: {distribution: constant, value: 1}}\n    miners: {count: 2}\n";

    #[test]
    fn grid_times_zip_in_path_order() {
        let text = format!(
            "{BASE}sweep:\n  grid:\n    subnets[0].hyperparameters.yuma3: [true, false]\n    subnets[0].hyperparameters.kappa: [30000, 40000]\n  zip:\n    subnets[0].hyperparameters.tempo: [10, 20, 30]\n    subnets[0].validators.strategy.noise: [0.1, 0.2, 0.3]\nreplicates: 2\n"
        );
        let s = load_str("s.yaml", &text, &[]).unwrap();
        let arms = arms(&s).unwrap();
        assert_eq!(arms.len(), 2 * 2 * 3);
        // BTreeMap order: kappa before yuma3; zip lists in step.
        assert_eq!(arms[0].name, "kappa=30000, yuma3=true, tempo=10, noise=0.1");
        assert_eq!(
            arms[5].name,
            "kappa=30000, yuma3=false, tempo=30, noise=0.3"
        );
        assert_eq!(arms[11].scenario.subnets[0].hyperparameters.kappa, 40000);
        assert!(!arms[11].scenario.subnets[0].hyperparameters.yuma3);
        assert!(arms[11].scenario.sweep.is_none());
        let specs = runs(&arms, s.replicates);
        assert_eq!(specs.len(), 24);
        assert_eq!(specs[3], RunSpec { arm: 1, run: 1 });
    }

    #[test]
    fn random_points_are_deterministic_and_in_range() {
        let text = format!(
            "{BASE}sweep:\n  random:\n    n: 5\n    ranges:\n      subnets[0].hyperparameters.kappa: {{min: 20000, max: 45000, integer: true}}\n"
        );
        let s = load_str("s.yaml", &text, &[]).unwrap();
        let a = arms(&s).unwrap();
        assert_eq!(a.len(), 5);
        assert_eq!(a, arms(&s).unwrap());
        for arm in &a {
            let k = arm.scenario.subnets[0].hyperparameters.kappa;
            assert!((20_000..=45_000).contains(&k), "{k}");
        }
    }
}
