//! `subnetlab run`: load, simulate, write the result folder, print a summary.

use crate::output::Staging;
use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::time::Instant;
use subnetlab_sim::chain::emission::RAO_PER_TAO;
use subnetlab_sim::record::{Role, RunRecord};
use subnetlab_sim::scenario::{self, Override, Scenario};

/// Arguments of `subnetlab run`.
#[derive(clap::Args, Debug, Default)]
pub struct RunArgs {
    /// A scenario file, or the name of a built-in scenario (see `subnetlab list`).
    /// Default: the built-in `default`.
    pub scenario: Option<String>,
    /// Result folder (default: `out/<scenario name>`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Seed, replacing the scenario's.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Change a field before validation, e.g. `--set subnets[0].hyperparameters.kappa=40000`
    /// or `--set 'duration={days: 2}'` (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<Override>,
    /// Replace an existing result folder.
    #[arg(long)]
    pub force: bool,
    /// No progress bar and no summary, only the result folder path.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Load the scenario named on the command line: a file, else a built-in name.
pub fn load(name: Option<&str>, overrides: &[Override]) -> anyhow::Result<Scenario> {
    let name = name.unwrap_or("default");
    let path = std::path::Path::new(name);
    if path.exists() {
        return Ok(scenario::load_file(path, overrides)?);
    }
    match scenario::builtin(name) {
        Some(b) => Ok(scenario::load_str(
            &format!("builtin:{}", b.name),
            b.yaml,
            overrides,
        )?),
        None => bail!(
            "`{name}` is neither a scenario file nor a built-in scenario (see `subnetlab list`)"
        ),
    }
}

pub fn run(args: RunArgs) -> anyhow::Result<()> {
    let mut overrides = args.set.clone();
    if let Some(seed) = args.seed {
        overrides.push(Override {
            path: "seed".into(),
            value: seed.to_string(),
        });
    }
    let scenario = load(args.scenario.as_deref(), &overrides)?;
    let target = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("out").join(&scenario.name));
    let staging = Staging::begin(&target, args.force)?;

    let started = Instant::now();
    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(scenario.duration_blocks())
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {elapsed_precise} [{bar:32}] {pos}/{len} blocks · {msg} · ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let result = subnetlab_sim::engine::run(&scenario, 0, &mut |p| {
        bar.set_position(p.blocks_done);
        bar.set_message(format!("{} epochs", p.epochs));
    });
    bar.finish_and_clear();
    let record = match result {
        Ok(r) => r,
        Err(e) => {
            staging.abandon();
            return Err(e).context("the run stopped");
        }
    };
    let wall = started.elapsed().as_secs_f64();

    if let Err(e) = write(&staging, &scenario, &record, wall) {
        staging.abandon();
        return Err(e);
    }
    let dir = staging.commit()?;
    if args.quiet {
        println!("{}", dir.display());
    } else {
        println!("Wrote {}", dir.display());
        print_summary(&scenario, &record, wall);
    }
    Ok(())
}

fn write(
    staging: &Staging,
    scenario: &Scenario,
    record: &RunRecord,
    wall: f64,
) -> anyhow::Result<()> {
    let dir = staging.dir();
    let resolved = scenario.to_yaml();
    std::fs::write(dir.join("scenario.resolved.yaml"), &resolved)
        .context("writing scenario.resolved.yaml")?;
    subnetlab_analysis::write_tables(&[record], dir)?;
    let t = &record.totals;
    let run_json = serde_json::json!({
        "version": env!("CARGO_PKG_VERSION"),
        "scenario": scenario.name,
        "seed": scenario.seed,
        "run": record.run,
        "scenario_sha256": Sha256::digest(resolved.as_bytes()).iter().map(|b| format!("{b:02x}")).collect::<String>(),
        "wall_seconds": wall,
        "threads": rayon::current_num_threads(),
        "first_block": record.blocks.0,
        "last_block": record.blocks.1,
        "epochs": record.epochs,
        "totals_rao": {
            "minted": t.minted_rao, "miners": t.miners_rao, "validators": t.validators_rao,
            "owner_cut": t.owner_cut_rao, "dust": t.dust_rao, "pending": t.pending_rao,
        },
    });
    let text = serde_json::to_string_pretty(&run_json).context("serialising run.json")?;
    std::fs::write(dir.join("run.json"), text + "\n").context("writing run.json")?;
    Ok(())
}

fn print_summary(scenario: &Scenario, record: &RunRecord, wall: f64) {
    let tao = |rao: u64| rao as f64 / RAO_PER_TAO as f64;
    let t = &record.totals;
    let count = |role: Role| -> u64 {
        scenario
            .subnets
            .iter()
            .map(|s| match role {
                Role::Validator => s.validators.count as u64,
                Role::Miner => s.miners.count as u64,
            })
            .sum()
    };
    let paid = t.miners_rao + t.validators_rao + t.owner_cut_rao;
    let share = |rao: u64| {
        if paid > 0 {
            100.0 * rao as f64 / paid as f64
        } else {
            0.0
        }
    };
    println!(
        "{} · seed {} · blocks {}..={} · {} epochs · {:.2} s",
        scenario.name, scenario.seed, record.blocks.0, record.blocks.1, record.epochs, wall
    );
    println!(
        "{:<12} {:>7} {:>18} {:>8}",
        "role", "count", "emission (TAO)", "share"
    );
    for (name, n, rao) in [
        ("validators", count(Role::Validator), t.validators_rao),
        ("miners", count(Role::Miner), t.miners_rao),
        ("owners", scenario.subnets.len() as u64, t.owner_cut_rao),
    ] {
        println!("{name:<12} {n:>7} {:>18.6} {:>7.2}%", tao(rao), share(rao));
    }
    println!(
        "minted {:.6} TAO; distributed {:.6}; pending at the end {:.6}; rounding dust {:.9}",
        tao(t.minted_rao),
        tao(paid),
        tao(t.pending_rao),
        tao(t.dust_rao)
    );
}
