//! `subnetlab`: run, validate and list Bittensor subnet scenarios. Wiring only: the engine is
//! in `subnetlab-sim`, the tables in `subnetlab-analysis`.

#[macro_use]
mod stdout;

mod args;
mod bench;
mod compare;
mod epoch_cmd;
mod experiment;
mod modes_cmd;
mod output;
mod report;
mod run;
mod shard;
mod study;

use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use subnetlab_sim::scenario::{self, Override};

/// A simulator and mechanism-design lab for Bittensor subnets.
#[derive(Parser, Debug)]
#[command(name = "subnetlab", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a scenario and write its result folder (no scenario: the built-in default).
    /// Replicates and sweep points run in parallel.
    Run(run::RunArgs),
    /// Run arms side by side on common random numbers: each scenario is an arm.
    Compare(compare::CompareArgs),
    /// Run a sweep (or one slice of it with --shard K/N) as hive-partitioned Parquet.
    Sweep(shard::SweepArgs),
    /// Union sweep partitions into one result folder.
    Merge(shard::MergeArgs),
    /// Write an HTML report (and a Markdown twin) for result folders.
    Report(report::ReportArgs),
    /// Check scenario files and report every problem at once.
    Validate {
        /// Scenario files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Overrides applied before checking, as for `run`.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<Override>,
    },
    /// List the built-in scenarios and the agent strategies.
    List,
    /// Run epochs on an explicit metagraph (JSON or YAML, chain units); print JSON outputs.
    Epoch {
        /// The metagraph file (see examples/epoch-v1-classic-bonds.json, and the `"numeric":
        /// "chain"` examples epoch-v1-classic-bonds-chain.json and epoch-v8-yuma3-chain.json).
        file: PathBuf,
    },
    /// Run a scenario in both numeric modes (f64 and chain); print the largest difference per
    /// field.
    CompareModes(modes_cmd::CompareModesArgs),
    /// Built-in experiments on the Yuma epoch: retention maps, collusion frontier, case library.
    Experiment(experiment::ExperimentArgs),
    /// Time one Yuma epoch (64 validators × 256 UIDs by default) in f64, or with
    /// `--numeric chain` in both modes with their ratio.
    Bench(bench::BenchArgs),
}

/// Most threads a command starts, whatever `RAYON_NUM_THREADS` asks for.
const MAX_THREADS: usize = 1024;

/// rayon reads `RAYON_NUM_THREADS` itself; a value like 100000 spent minutes starting threads
/// (or failed to start them). Results do not depend on the thread count, so a larger value is
/// capped, with a warning.
fn cap_threads() {
    let asked = std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok());
    if let Some(n) = asked.filter(|&n| n > MAX_THREADS) {
        let _ = writeln!(
            std::io::stderr(),
            "warning: RAYON_NUM_THREADS={n} is more than {MAX_THREADS}; using {MAX_THREADS} threads"
        );
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(MAX_THREADS)
            .build_global();
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    output::clean_up_on_interrupt();
    cap_threads();
    let result = match cli.command {
        None => run::run(run::RunArgs::default()),
        Some(Command::Run(args)) => run::run(args),
        Some(Command::Compare(args)) => compare::compare(args),
        Some(Command::Sweep(args)) => shard::sweep(args),
        Some(Command::Merge(args)) => shard::merge(args),
        Some(Command::Report(args)) => report::report(args),
        Some(Command::Validate { files, set }) => validate(&files, &set),
        Some(Command::List) => {
            list();
            Ok(())
        }
        Some(Command::CompareModes(args)) => modes_cmd::compare_modes_cmd(&args),
        Some(Command::Bench(args)) => bench::bench(&args),
        Some(Command::Experiment(args)) => experiment::experiment(args),
        Some(Command::Epoch { file }) => epoch_cmd::epoch(&file),
    };
    // Output that could not be written (a full disk) fails the command, after its work.
    let result = result.and_then(|()| match stdout::failure() {
        Some(why) => Err(anyhow::anyhow!("writing to standard output: {why}")),
        None => Ok(()),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Not `eprintln!`, which panics when standard error is closed.
            let _ = writeln!(std::io::stderr(), "error: {}", describe(&e));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes, joined by `: ` like `{:#}`, but without a cause that the
/// messages before it already contain (errors that print their source and also return it
/// from `source()` would otherwise show it twice).
fn describe(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let message = cause.to_string();
        if text.contains(&message) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&message);
    }
    text
}

fn validate(files: &[PathBuf], overrides: &[Override]) -> anyhow::Result<()> {
    let mut failed = 0;
    for file in files {
        // A built-in scenario's name works as for `run` (a file of that name comes first).
        let loaded = match file.to_str().and_then(scenario::builtin) {
            Some(b) if !file.exists() => {
                scenario::load_str(&format!("builtin:{}", b.name), b.yaml, overrides)
            }
            _ => scenario::load_file(file, overrides),
        };
        match loaded {
            Ok(s) => say!(
                "{}: ok ({}, {} blocks)",
                file.display(),
                s.name,
                s.duration_blocks()
            ),
            Err(e) => {
                failed += 1;
                say!("{e}");
            }
        }
    }
    if failed > 0 {
        anyhow::bail!("{failed} of {} scenario files have problems", files.len());
    }
    Ok(())
}

fn list() {
    say!("Built-in scenarios (subnetlab run NAME):");
    for b in scenario::BUILTIN_SCENARIOS {
        let description = scenario::load_str(b.name, b.yaml, &[])
            .map(|s| s.description)
            .unwrap_or_default();
        say!("  {:<18} {}", b.name, description);
    }
    say!("\nAgent strategies (strategy: {{ kind: NAME, ... }}; operators: subnets[N].operators):");
    for (role, kind, what) in subnetlab_sim::agents::STRATEGIES {
        say!("  {role:<10} {kind:<20} {what}");
    }
}
