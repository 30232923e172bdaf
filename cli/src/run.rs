//! `subnetlab run`: load a scenario, run it (all its replicates and sweep points), write the
//! result folder, print a summary.

use crate::study::{Plan, run_and_print, stats_options};
use anyhow::bail;
use std::path::PathBuf;
use subnetlab_sim::scenario::{self, Override, Scenario};

/// Arguments of `subnetlab run`.
#[derive(clap::Args, Debug, Default)]
pub struct RunArgs {
    /// The scenario and what replaces its fields.
    #[command(flatten)]
    pub input: ScenarioArgs,
    /// Result folder (default: `out/<scenario name>`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also run the honest twin of every arm: the same scenario and seeds with each adversary
    /// replaced by an honest agent of the same stake, as arms named `... (honest twin)`; the
    /// metrics then include `vs_twin_*` (the adversaries' emission over their twins').
    #[arg(long)]
    pub twin: bool,
    /// How results are written.
    #[command(flatten)]
    pub output: crate::study::OutputArgs,
}

/// Which scenario a command runs, and the fields the command line replaces (`run`, `sweep`).
#[derive(clap::Args, Debug, Default)]
pub struct ScenarioArgs {
    /// A scenario file, or the name of a built-in scenario (see `subnetlab list`).
    /// Default: the built-in `default`.
    pub scenario: Option<String>,
    /// Seed, replacing the scenario's.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Change a field before validation, e.g. `--set subnets[0].hyperparameters.kappa=40000`
    /// or `--set 'duration={days: 2}'` (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<Override>,
    /// The epoch's arithmetic, replacing the scenario's `numeric:`: `f64` (fast) or `chain`
    /// (the chain's fixed point, bit for bit).
    #[arg(long, value_parser = ["f64", "chain"])]
    pub numeric: Option<String>,
}

impl ScenarioArgs {
    /// The overrides, with `--seed` and `--numeric` as more.
    pub fn overrides(&self) -> Vec<Override> {
        let mut overrides = self.set.clone();
        if let Some(seed) = self.seed {
            overrides.push(Override {
                path: "seed".into(),
                value: seed.to_string(),
            });
        }
        overrides.extend(numeric_override(self.numeric.as_deref()));
        overrides
    }

    /// The scenario, loaded and validated with the overrides.
    pub fn load(&self) -> anyhow::Result<Scenario> {
        load(self.scenario.as_deref(), &self.overrides())
    }
}

/// `--numeric MODE` as the override `numeric=MODE`.
pub fn numeric_override(numeric: Option<&str>) -> Option<Override> {
    numeric.map(|mode| Override {
        path: "numeric".into(),
        value: mode.into(),
    })
}

/// Load the scenario named on the command line: a file, else a built-in name. A folder never
/// hides a built-in of the same name (`run two-subnets` beside an `out` folder named
/// `two-subnets`).
pub fn load(name: Option<&str>, overrides: &[Override]) -> anyhow::Result<Scenario> {
    let name = name.unwrap_or("default");
    let path = std::path::Path::new(name);
    if path.exists() && !path.is_dir() {
        return Ok(scenario::load_file(path, overrides)?);
    }
    match scenario::builtin(name) {
        Some(b) => Ok(scenario::load_str(
            &format!("builtin:{}", b.name),
            b.yaml,
            overrides,
        )?),
        None if path.is_dir() => bail!(
            "`{name}` is a folder, not a scenario file (nor a built-in scenario: see `subnetlab list`)"
        ),
        None => bail!(
            "`{name}` is neither a scenario file nor a built-in scenario (see `subnetlab list`)"
        ),
    }
}

pub fn run(args: RunArgs) -> anyhow::Result<()> {
    let scenario = args.input.load()?;
    let target = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("out").join(&scenario.name));
    if args.twin && scenario.sweep.is_some() {
        bail!(
            "--twin takes a scenario without a sweep (sweep charts group arms by their parameters, which a twin shares); run a point with --set instead"
        );
    }
    if args.twin && !scenario.has_adversaries() {
        bail!(
            "--twin: `{}` has no adversary (every agent is honest), so its twin is itself",
            scenario.name
        );
    }
    let mut plan = Plan::of(scenario)?;
    if args.twin {
        plan.arms = subnetlab_sim::study::with_twins(std::mem::take(&mut plan.arms));
        plan.runs = subnetlab_sim::study::runs(&plan.arms, plan.base.replicates);
    }
    plan.stats = stats_options(args.output.bootstrap, plan.base.seed);
    run_and_print(&plan, &target, &args.output)
}
