//! Sharded sweeps: `subnetlab sweep FILE --shard K/N` runs every N-th run of the study
//! (K-th slice, 1-based) and writes each run as a hive partition `arm=A/run=R/`, so a Slurm job
//! array or a Kubernetes Indexed Job can spread a sweep over machines; `subnetlab merge` unions
//! the partitions into one result folder, identical to an unsharded run.

use crate::output::Staging;
use crate::study::{Plan, execute};
use anyhow::{Context, bail};
use std::io::Write;
use std::path::PathBuf;
use std::str::FromStr;

/// `K/N`: this is slice K (1-based) of N.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which slice, 1..=N.
    pub index: usize,
    /// How many slices.
    pub count: usize,
}

impl FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| format!("expected K/N (e.g. 2/8), got `{s}`"))?;
        let (index, count): (usize, usize) = (
            k.trim()
                .parse()
                .map_err(|_| format!("`{k}` is not a number"))?,
            n.trim()
                .parse()
                .map_err(|_| format!("`{n}` is not a number"))?,
        );
        if count == 0 || index == 0 || index > count {
            return Err(format!("expected 1 <= K <= N, got {index}/{count}"));
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// Positions of the runs in this slice: round-robin, so slow and fast sweep points spread
    /// evenly over the shards.
    pub fn slice(&self, runs: usize) -> Vec<usize> {
        (self.index - 1..runs).step_by(self.count).collect()
    }
}

/// Arguments of `subnetlab sweep`.
#[derive(clap::Args, Debug)]
pub struct SweepArgs {
    /// The scenario (with a `sweep:` or `replicates:`) and what replaces its fields; the same
    /// on every shard.
    #[command(flatten)]
    pub input: crate::run::ScenarioArgs,
    /// The partition root, shared by the shards (default: `out/<scenario name>.parts`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// No progress bar and no summary, only the partition root.
    #[arg(long, short)]
    pub quiet: bool,
    /// Run only slice K of N (1-based), e.g. `--shard $((SLURM_ARRAY_TASK_ID + 1))/8`.
    #[arg(long, default_value = "1/1")]
    pub shard: Shard,
}

pub fn sweep(args: SweepArgs) -> anyhow::Result<()> {
    let scenario = args.input.load()?;
    let root = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("out").join(format!("{}.parts", scenario.name)));
    let plan = Plan::of(scenario)?;
    let slice = args.shard.slice(plan.runs.len());
    if slice.is_empty() {
        bail!(
            "shard {}/{} has no runs: the sweep has {} runs, so use at most {} shards",
            args.shard.index,
            args.shard.count,
            plan.runs.len(),
            plan.runs.len()
        );
    }
    check_partition_root(&root)?;
    std::fs::create_dir_all(&root).with_context(|| format!("creating {}", root.display()))?;
    // Every shard writes the same resolved scenario; a different one means a mixed-up folder.
    let resolved = plan.base.to_yaml();
    let resolved_path = root.join("scenario.resolved.yaml");
    match std::fs::read_to_string(&resolved_path) {
        Ok(existing) if existing != resolved => {
            bail!(
                "{} holds partitions of a different scenario; use another --out",
                root.display()
            )
        }
        Ok(_) => {}
        Err(_) => {
            std::fs::write(&resolved_path, &resolved).context("writing scenario.resolved.yaml")?
        }
    }
    let (records, wall) = execute(&plan, &slice, args.quiet)?;
    for (record, info) in records.iter().zip(plan.run_infos(slice.iter().copied())) {
        // The run's own accounting, which `merge` sums into the result's run.json.
        let totals = serde_json::json!({
            "first_block": record.blocks.0,
            "last_block": record.blocks.1,
            "epochs": record.epochs,
            "totals_rao": crate::study::totals_json(&record.totals),
        });
        let totals = serde_json::to_string_pretty(&totals)? + "\n";
        subnetlab_analysis::write_partition(record, &info, &root, &[(TOTALS, totals)])?;
    }
    if args.quiet {
        say!("{}", root.display());
    } else {
        say!(
            "Shard {}/{}: wrote {} of {} runs under {} in {wall:.1} s; `subnetlab merge {}` joins the shards",
            args.shard.index,
            args.shard.count,
            slice.len(),
            plan.runs.len(),
            root.display(),
            root.display()
        );
    }
    Ok(())
}

/// A sweep writes its partitions into a new or empty folder, or into one that other shards of
/// the same sweep use (checked next by its resolved scenario), never among other files or into
/// a finished result.
fn check_partition_root(root: &std::path::Path) -> anyhow::Result<()> {
    if !root.exists() {
        return Ok(());
    }
    if !root.is_dir() {
        bail!(
            "{} is not a folder; --out names the partition folder",
            root.display()
        );
    }
    if crate::output::is_result(root) {
        bail!(
            "{} is a finished result folder; sweep shards write into a partition folder of their own (default out/<name>.parts)",
            root.display()
        );
    }
    if !crate::output::is_empty(root)? && !root.join("scenario.resolved.yaml").exists() {
        bail!(
            "{} holds other files; sweep shards write into a new or empty folder, or one their sweep already uses",
            root.display()
        );
    }
    Ok(())
}

/// Whether two paths name the same folder (as given, or after resolving both).
fn same_path(a: &std::path::Path, b: &std::path::Path) -> bool {
    a == b
        || matches!(
            (std::fs::canonicalize(a), std::fs::canonicalize(b)),
            (Ok(x), Ok(y)) if x == y
        )
}

/// A partition's accounting file (see [`merged_totals`]).
const TOTALS: &str = "totals.json";

/// The accounting of the merged runs: epochs and each `totals_rao` entry summed over the
/// partitions, and the block range of the first. None when a partition has no readable
/// `totals.json` (written by a version before it existed): run.json then leaves them out
/// rather than give partial sums.
fn merged_totals(
    parts: &[(u32, u32, PathBuf)],
) -> Option<serde_json::Map<String, serde_json::Value>> {
    let mut sums: Vec<(String, u64)> = Vec::new();
    let mut epochs = 0u64;
    let mut blocks = None;
    for (_, _, dir) in parts {
        let text = std::fs::read_to_string(dir.join(TOTALS)).ok()?;
        let json: serde_json::Value = serde_json::from_str(&text).ok()?;
        epochs += json.get("epochs")?.as_u64()?;
        let range = (
            json.get("first_block")?.as_u64()?,
            json.get("last_block")?.as_u64()?,
        );
        blocks.get_or_insert(range);
        for (name, value) in json.get("totals_rao")?.as_object()? {
            let value = value.as_u64()?;
            match sums.iter_mut().find(|(n, _)| n == name) {
                Some((_, sum)) => *sum = sum.checked_add(value)?,
                None => sums.push((name.clone(), value)),
            }
        }
    }
    let (first, last) = blocks?;
    let mut out = serde_json::Map::new();
    out.insert("first_block".into(), first.into());
    out.insert("last_block".into(), last.into());
    out.insert("epochs".into(), epochs.into());
    let totals: serde_json::Map<String, serde_json::Value> =
        sums.into_iter().map(|(n, v)| (n, v.into())).collect();
    out.insert("totals_rao".into(), totals.into());
    Some(out)
}

/// Arguments of `subnetlab merge`.
#[derive(clap::Args, Debug)]
pub struct MergeArgs {
    /// Partition roots written by `subnetlab sweep` (one shared folder, or one per machine).
    #[arg(required = true)]
    pub parts: Vec<PathBuf>,
    /// Result folder (default: the first root without `.parts`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an existing result folder.
    #[arg(long)]
    pub force: bool,
    /// Merge the runs there are even when some have no partition yet (a shard still running
    /// or lost); `run.json` then records `runs` below `expected_runs`. Without it, missing runs
    /// are an error and nothing is written.
    #[arg(long)]
    pub partial: bool,
}

pub fn merge(args: MergeArgs) -> anyhow::Result<()> {
    let first = &args.parts[0];
    let resolved =
        std::fs::read_to_string(first.join("scenario.resolved.yaml")).with_context(|| {
            format!(
                "{} has no scenario.resolved.yaml: is it a `subnetlab sweep` folder?",
                first.display()
            )
        })?;
    for other in &args.parts[1..] {
        if std::fs::read_to_string(other.join("scenario.resolved.yaml"))
            .ok()
            .as_deref()
            != Some(resolved.as_str())
        {
            bail!(
                "{} holds partitions of a different scenario than {}",
                other.display(),
                first.display()
            );
        }
    }
    let target = args.out.clone().unwrap_or_else(|| {
        let name = first
            .file_name()
            .map(|n| n.to_string_lossy().trim_end_matches(".parts").to_string())
            .unwrap_or_default();
        first.with_file_name(name)
    });
    if args.parts.iter().any(|p| same_path(p, &target)) {
        bail!(
            "the merged result would replace its own partitions in {}; name the result with --out",
            target.display()
        );
    }
    let base = subnetlab_sim::scenario::load_str("scenario.resolved.yaml", &resolved, &[])?;
    let plan = Plan::of(base)?;
    let expected: Vec<(u32, u32)> = plan.runs.iter().map(|r| (r.arm, r.run)).collect();
    let parts = subnetlab_analysis::find_partitions(&args.parts, &expected)?;
    let missing = subnetlab_analysis::missing_runs(&parts, &expected);
    if !missing.is_empty() && !args.partial {
        bail!(
            "{} of {} runs have no partition yet ({}): finish their shards, or merge the runs there are with --partial",
            missing.len(),
            expected.len(),
            list_runs(&missing)
        );
    }
    let staging = Staging::begin(&target, args.force)?;
    let outcome = (|| -> anyhow::Result<usize> {
        subnetlab_analysis::merge_partitions(&parts, staging.dir())?;
        let merged = parts.len();
        std::fs::write(staging.dir().join("scenario.resolved.yaml"), &resolved)?;
        let mut json = serde_json::json!({
            "version": env!("CARGO_PKG_VERSION"),
            "scenario": plan.base.name,
            "seed": plan.base.seed,
            "arms": plan.arms.len(),
            "runs": merged,
            "expected_runs": plan.runs.len(),
            "command": crate::study::command_line(),
            "scenario_sha256": crate::study::sha256_hex(&resolved),
            "merged_from": args.parts.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        });
        if let (Some(totals), Some(object)) = (merged_totals(&parts), json.as_object_mut()) {
            object.extend(totals);
        }
        std::fs::write(
            staging.dir().join("run.json"),
            serde_json::to_string_pretty(&json)? + "\n",
        )?;
        // The same statistics and report an unsharded run writes.
        let study = subnetlab_analysis::Study::load(staging.dir())?;
        subnetlab_analysis::console::write_statistics(&study, staging.dir(), &plan.stats)?;
        crate::study::write_report(study, staging.dir(), &target, &plan.stats)?;
        Ok(merged)
    })();
    let (dir, merged) = staging.finish(outcome)?;
    say!(
        "Merged {merged} of {} runs into {}",
        plan.runs.len(),
        dir.display()
    );
    if !missing.is_empty() {
        let _ = writeln!(
            std::io::stderr(),
            "warning: {} runs are missing ({}); merge again when their shards finish",
            missing.len(),
            list_runs(&missing)
        );
    }
    Ok(())
}

/// `arm A run R, …` for the first few runs, with the count of the rest.
fn list_runs(runs: &[(u32, u32)]) -> String {
    const SHOWN: usize = 4;
    let mut text = runs
        .iter()
        .take(SHOWN)
        .map(|(arm, run)| format!("arm {arm} run {run}"))
        .collect::<Vec<_>>()
        .join(", ");
    if runs.len() > SHOWN {
        text += &format!(" and {} more", runs.len() - SHOWN);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_runs() {
        let shards: Vec<Shard> = ["1/3", "2/3", "3/3"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let mut all: Vec<usize> = shards.iter().flat_map(|s| s.slice(10)).collect();
        all.sort();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
        assert_eq!(shards[1].slice(10), vec![1, 4, 7]);
        assert!("0/3".parse::<Shard>().is_err());
        assert!("4/3".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
    }
}
