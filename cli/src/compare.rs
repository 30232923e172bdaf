//! `subnetlab compare A.yaml B.yaml ...`: each scenario is an arm; every arm runs the same
//! replicate indices with the same seed, so differences come from the mechanism, not from luck
//! (common random numbers).

use crate::run::load;
use crate::study::{Plan, run_and_print, stats_options};
use anyhow::bail;
use std::path::PathBuf;
use subnetlab_sim::scenario::Override;
use subnetlab_sim::study::{Arm, runs};

/// Arguments of `subnetlab compare`.
#[derive(clap::Args, Debug)]
pub struct CompareArgs {
    /// Two or more scenario files or built-in names; the first is the baseline.
    #[arg(required = true, num_args = 2..)]
    pub scenarios: Vec<String>,
    /// Replicates per arm (default: the largest `replicates` among the scenarios).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub replicates: Option<u32>,
    /// Seed for every arm (default: the baseline's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Overrides applied to every scenario.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<Override>,
    /// The epoch's arithmetic for every arm, as for `run`.
    #[arg(long, value_parser = ["f64", "chain"])]
    pub numeric: Option<String>,
    /// Result folder (default `out/compare-<A>-vs-<B>...`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// How results are written.
    #[command(flatten)]
    pub output: crate::study::OutputArgs,
}

pub fn compare(args: CompareArgs) -> anyhow::Result<()> {
    let mut scenarios = Vec::new();
    let mut overrides = args.set.clone();
    overrides.extend(crate::run::numeric_override(args.numeric.as_deref()));
    for name in &args.scenarios {
        let s = load(Some(name), &overrides)?;
        if s.sweep.is_some() {
            bail!(
                "{name} has a sweep; compare takes plain scenarios (run a sweep with `subnetlab run`)"
            );
        }
        scenarios.push(s);
    }
    let seed = args.seed.unwrap_or(scenarios[0].seed);
    let replicates = args
        .replicates
        .unwrap_or_else(|| scenarios.iter().map(|s| s.replicates).max().unwrap_or(1));
    let total = u64::from(replicates) * scenarios.len() as u64;
    if total > subnetlab_sim::scenario::limits::MAX_RUNS {
        bail!(
            "--replicates {replicates} × {} arms is {total} runs; expected at most {} (scenario::limits::MAX_RUNS)",
            scenarios.len(),
            subnetlab_sim::scenario::limits::MAX_RUNS
        );
    }
    let mut base = scenarios[0].clone();
    base.seed = seed;
    base.replicates = replicates;
    let names: Vec<String> = scenarios.iter().map(|s| s.name.clone()).collect();
    let arms: Vec<Arm> = scenarios
        .into_iter()
        .enumerate()
        .map(|(i, mut scenario)| {
            scenario.seed = seed;
            scenario.replicates = replicates;
            Arm {
                index: i as u32,
                name: arm_name(&names, i),
                params: Vec::new(),
                scenario,
            }
        })
        .collect();
    let target = args.out.clone().unwrap_or_else(|| {
        PathBuf::from("out").join(format!(
            "compare-{}",
            arms.iter()
                .map(|a| a.name.as_str())
                .collect::<Vec<_>>()
                .join("-vs-")
        ))
    });
    let extra_files = arms
        .iter()
        .map(|a| {
            (
                format!("arm-{}.resolved.yaml", a.index),
                a.scenario.to_yaml(),
            )
        })
        .collect();
    let stats = stats_options(args.output.bootstrap, seed);
    let plan = Plan {
        runs: runs(&arms, replicates),
        arms,
        base,
        extra_files,
        stats,
    };
    run_and_print(&plan, &target, &args.output)
}

/// Arm `i`'s name: its scenario's, with ` #k` when an earlier arm has the same name (as in
/// `compare default default`), so that every arm's rows, charts and table lines can be told
/// apart.
fn arm_name(names: &[String], i: usize) -> String {
    let before = names[..i].iter().filter(|n| **n == names[i]).count();
    if before == 0 {
        names[i].clone()
    } else {
        format!("{} #{}", names[i], before + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::arm_name;

    /// `compare default default` (a second audit) gave two arms both named `default`.
    #[test]
    fn repeated_scenarios_get_numbered_arm_names() {
        let names: Vec<String> = ["default", "x", "default", "default"]
            .map(String::from)
            .to_vec();
        let got: Vec<String> = (0..4).map(|i| arm_name(&names, i)).collect();
        assert_eq!(got, ["default", "x", "default #2", "default #3"]);
    }
}
