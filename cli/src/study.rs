//! Running a study (one run, replicates, a sweep or a comparison) and writing its folder.

use crate::output::Staging;
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use subnetlab_analysis::stats::{Interval, SummaryOptions};
use subnetlab_analysis::{ParamValue, RunInfo, Study};
use subnetlab_sim::chain::emission::RAO_PER_TAO;
use subnetlab_sim::record::{RunRecord, Totals};
use subnetlab_sim::scenario::Scenario;
use subnetlab_sim::study::{Arm, RunSpec, display, run_all};

/// What to run: the scenario as written, its arms and the ordered runs.
pub struct Plan {
    /// The scenario as loaded (with its sweep), written as `scenario.resolved.yaml`.
    pub base: Scenario,
    /// Arms (sweep points or compared scenarios).
    pub arms: Vec<Arm>,
    /// Runs in study order.
    pub runs: Vec<RunSpec>,
    /// More files for the result folder: (file name, contents).
    pub extra_files: Vec<(String, String)>,
    /// How replicate statistics are computed (Student t by default).
    pub stats: SummaryOptions,
}

/// The flags of every command that writes a result folder.
#[derive(clap::Args, Debug, Default)]
pub struct OutputArgs {
    /// Replace an existing result folder.
    #[arg(long)]
    pub force: bool,
    /// No progress bar and no summary, only the result folder path.
    #[arg(long, short)]
    pub quiet: bool,
    /// Skip the charts and the HTML/Markdown report.
    #[arg(long)]
    pub no_report: bool,
    /// Percentile-bootstrap confidence intervals with this many resamples (default: Student t).
    #[arg(long, value_name = "RESAMPLES", value_parser = crate::args::resamples)]
    pub bootstrap: Option<usize>,
}

/// Statistics options from the command line: Student t, or a percentile bootstrap with
/// `resamples` draws seeded from the scenario seed (deterministic).
pub fn stats_options(bootstrap: Option<usize>, seed: u64) -> SummaryOptions {
    let mut options = SummaryOptions::default();
    if let Some(resamples) = bootstrap {
        options.interval = Interval::Bootstrap { resamples, seed };
    }
    options
}

impl Plan {
    /// The study of one scenario: its sweep points × replicates.
    pub fn of(base: Scenario) -> anyhow::Result<Plan> {
        let arms = subnetlab_sim::study::arms(&base).map_err(anyhow::Error::msg)?;
        let runs = subnetlab_sim::study::runs(&arms, base.replicates);
        Ok(Plan {
            base,
            arms,
            runs,
            extra_files: Vec::new(),
            stats: SummaryOptions::default(),
        })
    }

    /// The `runs` table rows of `positions` (indices into `runs`).
    ///
    /// Each parameter is typed over every arm of the study, not only those of `positions`: a
    /// shard writes the same column types as every other shard, so `merge` can stack them.
    pub fn run_infos(&self, positions: impl IntoIterator<Item = usize>) -> Vec<RunInfo> {
        let mut kinds: Vec<(&str, ParamValue)> = Vec::new();
        for (path, v) in self.arms.iter().flat_map(|a| &a.params) {
            let value = param_value(v);
            match kinds.iter_mut().find(|(p, _)| p == path) {
                Some((_, widest)) => *widest = wider(widest, &value),
                None => kinds.push((path, value)),
            }
        }
        positions
            .into_iter()
            .map(|i| {
                let spec = &self.runs[i];
                let arm = &self.arms[spec.arm as usize];
                let params = arm
                    .params
                    .iter()
                    .map(|(path, v)| {
                        let mut value = param_value(v);
                        if let Some((_, widest)) = kinds.iter().find(|(p, _)| p == path) {
                            value = widen(value, widest);
                        }
                        (path.clone(), value)
                    })
                    .collect();
                RunInfo {
                    arm: spec.arm,
                    run: spec.run,
                    arm_name: arm.name.clone(),
                    seed: self.base.seed,
                    params,
                }
            })
            .collect()
    }

    fn blocks(&self) -> u64 {
        self.runs
            .iter()
            .map(|r| self.arms[r.arm as usize].scenario.duration_blocks())
            .sum()
    }
}

/// A sweep value as the scenario wrote it: an integer, a number, a boolean or (anything
/// else) its YAML text.
fn param_value(v: &yaml_serde::Value) -> ParamValue {
    if let Some(b) = v.as_bool() {
        ParamValue::Bool(b)
    } else if let Some(x) = v.as_i64() {
        ParamValue::Integer(x)
    } else if let Some(x) = v.as_f64() {
        ParamValue::Number(x)
    } else {
        ParamValue::Text(display(v))
    }
}

/// The type that holds both `a` and `b` (as a value of it): integers widen to numbers, and
/// any other mix to text.
fn wider(a: &ParamValue, b: &ParamValue) -> ParamValue {
    use ParamValue::{Bool, Integer, Number, Text};
    match (a, b) {
        (Integer(_), Integer(_)) | (Number(_), Number(_)) | (Bool(_), Bool(_)) => a.clone(),
        (Integer(_) | Number(_), Integer(_) | Number(_)) => Number(0.0),
        _ => Text(String::new()),
    }
}

/// `value` as a value of `widest`'s type (see [`wider`]).
fn widen(value: ParamValue, widest: &ParamValue) -> ParamValue {
    match (value, widest) {
        (ParamValue::Integer(x), ParamValue::Number(_)) => ParamValue::Number(x as f64),
        (value, ParamValue::Text(_)) => ParamValue::Text(value.to_string()),
        (value, _) => value,
    }
}

/// A progress bar counting `unit` (hidden when quiet; indicatif hides it when stderr is not a
/// terminal). `unit` may carry indicatif keys such as `{msg}`.
pub fn progress_bar(total: u64, quiet: bool, unit: &str) -> ProgressBar {
    let bar = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(total)
    };
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{spinner}} {{elapsed_precise}} [{{bar:32}}] {{pos}}/{{len}} {unit} · ETA {{eta}}"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar
}

/// Run `plan.runs[i]` for every `i` in `slice` (all of them for an unsharded study), in
/// parallel, with one progress bar. Returns the records in `slice` order and the wall time.
pub fn execute(plan: &Plan, slice: &[usize], quiet: bool) -> anyhow::Result<(Vec<RunRecord>, f64)> {
    let specs: Vec<RunSpec> = slice.iter().map(|&i| plan.runs[i].clone()).collect();
    let total: u64 = specs
        .iter()
        .map(|r| plan.arms[r.arm as usize].scenario.duration_blocks())
        .sum();
    let bar = progress_bar(
        if slice.len() == plan.runs.len() {
            plan.blocks()
        } else {
            total
        },
        quiet,
        "blocks · {msg}",
    );
    let done: Vec<AtomicU64> = specs.iter().map(|_| AtomicU64::new(0)).collect();
    let epochs_seen: Vec<AtomicU64> = specs.iter().map(|_| AtomicU64::new(0)).collect();
    let (epochs, runs_finished) = (AtomicU64::new(0), AtomicU64::new(0));
    let started = Instant::now();
    let result = run_all(&plan.arms, &specs, &|i, p| {
        let before = done[i].swap(p.blocks_done, Ordering::Relaxed);
        bar.inc(p.blocks_done.saturating_sub(before));
        let new_epochs = p
            .epochs
            .saturating_sub(epochs_seen[i].swap(p.epochs, Ordering::Relaxed));
        let total = epochs.fetch_add(new_epochs, Ordering::Relaxed) + new_epochs;
        let finished = u64::from(p.blocks_done == p.blocks_total);
        let runs = runs_finished.fetch_add(finished, Ordering::Relaxed) + finished;
        // The message is only formatted for a bar someone sees.
        if (new_epochs > 0 || finished > 0) && !bar.is_hidden() {
            bar.set_message(if specs.len() > 1 {
                format!("{total} epochs · {runs}/{} runs", specs.len())
            } else {
                format!("{total} epochs")
            });
        }
    });
    bar.finish_and_clear();
    Ok((
        result.context("the run stopped")?,
        started.elapsed().as_secs_f64(),
    ))
}

/// Run the whole plan into `target` (staged, renamed into place when complete), with charts
/// and the HTML/Markdown report unless `report` is false. Also returns, for a study of more than
/// one run and unless `quiet`, its headline metrics with intervals for the terminal.
pub fn run_into(
    plan: &Plan,
    target: &Path,
    force: bool,
    quiet: bool,
    report: bool,
) -> anyhow::Result<(Vec<RunRecord>, Option<String>)> {
    let staging = Staging::begin(target, force)?;
    let all: Vec<usize> = (0..plan.runs.len()).collect();
    let outcome = execute(plan, &all, quiet).and_then(|(records, wall)| {
        // The tables are read back once; statistics, headline and report all use that copy.
        let study = write_study(staging.dir(), plan, &records, wall)?;
        let headline = (!quiet && records.len() > 1)
            .then(|| subnetlab_analysis::console::headline(&study, &plan.stats))
            .transpose()?;
        if report {
            write_report(study, staging.dir(), target, &plan.stats)?;
        }
        Ok((records, headline))
    });
    let (dir, result) = staging.finish(outcome)?;
    if quiet {
        say!("{}", dir.display());
    } else {
        say!("Wrote {}", dir.display());
    }
    Ok(result)
}

/// Run the plan into `target` as `output` says, then print the summary and, for studies of
/// more than one run, the headline metrics with intervals (what `run` and `compare` show).
pub fn run_and_print(plan: &Plan, target: &Path, output: &OutputArgs) -> anyhow::Result<()> {
    let (records, headline) =
        run_into(plan, target, output.force, output.quiet, !output.no_report)?;
    if !output.quiet {
        print_summary(plan, &records);
        if let Some(text) = headline {
            say!("\n{text}");
        }
    }
    Ok(())
}

/// Write the study folder: resolved scenario, tables of all runs, runs table, run.json and the
/// statistics; returns the study as read back from the folder.
pub fn write_study(
    dir: &Path,
    plan: &Plan,
    records: &[RunRecord],
    wall: f64,
) -> anyhow::Result<Study> {
    let resolved = plan.base.to_yaml();
    std::fs::write(dir.join("scenario.resolved.yaml"), &resolved)
        .context("writing scenario.resolved.yaml")?;
    for (name, contents) in &plan.extra_files {
        std::fs::write(dir.join(name), contents).with_context(|| format!("writing {name}"))?;
    }
    subnetlab_analysis::write_tables(records, dir)?;
    subnetlab_analysis::write_runs(&plan.run_infos(0..plan.runs.len()), dir)?;
    write_run_json(dir, plan, records, wall)?;
    let study = Study::load(dir)?;
    subnetlab_analysis::console::write_statistics(&study, dir, &plan.stats)
        .context("writing the statistics")?;
    Ok(study)
}

/// Charts and `report.html` / `report.md` in `dir` for `study`, whose folder will live at
/// `target` (the report names that folder).
pub fn write_report(
    mut study: Study,
    dir: &Path,
    target: &Path,
    options: &SummaryOptions,
) -> anyhow::Result<()> {
    study.dir = target.to_path_buf();
    let (html, md) = (dir.join("report.html"), dir.join("report.md"));
    subnetlab_analysis::report::write_report_with(&[study], &html, &md, options)
        .context("writing the report")?;
    Ok(())
}

/// The SHA-256 of `text`, in hex (`run.json`'s `scenario_sha256`).
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `run.json`: what produced the folder, and the emission accounting summed over its runs.
pub fn write_run_json(
    dir: &Path,
    plan: &Plan,
    records: &[RunRecord],
    wall: f64,
) -> anyhow::Result<()> {
    let resolved = plan.base.to_yaml();
    let mut t = Totals::default();
    records.iter().for_each(|r| t.add(&r.totals));
    let blocks = records.first().map_or((0, 0), |r| r.blocks);
    let epochs: u64 = records.iter().map(|r| r.epochs).sum();
    let run_json = serde_json::json!({
        "version": env!("CARGO_PKG_VERSION"),
        "scenario": plan.base.name,
        "seed": plan.base.seed,
        "arms": plan.arms.len(),
        "runs": records.len(),
        "command": command_line(),
        "scenario_sha256": sha256_hex(&resolved),
        "wall_seconds": wall,
        "threads": rayon::current_num_threads(),
        "first_block": blocks.0,
        "last_block": blocks.1,
        "epochs": epochs,
        "totals_rao": totals_json(&t),
    });
    let text = serde_json::to_string_pretty(&run_json).context("serialising run.json")?;
    std::fs::write(dir.join("run.json"), text + "\n").context("writing run.json")
}

/// `run.json`'s `totals_rao`: the emission accounting of [`Totals`], by name.
pub fn totals_json(t: &Totals) -> serde_json::Value {
    serde_json::json!({
        "minted": t.minted_rao, "miners": t.miners_rao, "validators": t.validators_rao,
        "owner_cut": t.owner_cut_rao, "owner_burned": t.owner_burned_rao, "dust": t.dust_rao, "pending": t.pending_rao,
        "registration_burn": t.registration_burn_rao,
        "tao_in": t.tao_in_rao, "excess_tao": t.excess_tao_rao, "recycled": t.recycled_rao,
        "alpha_emitted": t.alpha_emitted_rao, "root_alpha": t.root_alpha_rao,
        "root_recycled": t.root_recycled_rao, "pool_in": t.pool_in_rao, "pool_out": t.pool_out_rao,
        "fees": t.fees_rao, "pool_tao_start": t.pool_tao_start_rao, "pool_tao_end": t.pool_tao_end_rao,
        "pumper_spent": t.pumper_spent_rao, "pumper_received": t.pumper_received_rao,
    })
}

/// The summary table: per arm (one line for a single run), emission per role and share.
pub fn print_summary(plan: &Plan, records: &[RunRecord]) {
    let tao = |rao: u64| rao as f64 / RAO_PER_TAO as f64;
    let base = &plan.base;
    let blocks = records.first().map_or((0, 0), |r| r.blocks);
    let epochs: u64 = records.iter().map(|r| r.epochs).sum();
    say!(
        "{} · seed {} · {} arm(s) × {} run(s) · blocks {}..={} · {} epochs",
        base.name,
        base.seed,
        plan.arms.len(),
        base.replicates,
        blocks.0,
        blocks.1,
        epochs
    );
    for arm in plan.arms.iter().take(3) {
        let mine: Vec<&RunRecord> = records.iter().filter(|r| r.arm == arm.index).collect();
        if mine.is_empty() {
            continue;
        }
        let n = mine.len() as f64;
        let sum = |f: fn(&RunRecord) -> u64| mine.iter().map(|r| f(r)).sum::<u64>();
        let (v, m, o) = (
            sum(|r| r.totals.validators_rao),
            sum(|r| r.totals.miners_rao),
            sum(|r| r.totals.owner_cut_rao),
        );
        let paid = (v + m + o).max(1) as f64;
        if plan.arms.len() > 1 {
            say!("\narm {}: {}", arm.index, arm.name);
        }
        let (validators, miners) = final_counts(&arm.scenario, mine[0]);
        // With pools, each subnet pays in its own alpha (README, "What a run writes").
        let unit = if arm.scenario.network.coinbase.pools {
            "emission (alpha)"
        } else {
            "emission (TAO)"
        };
        say!("{:<12} {:>7} {:>18} {:>8}", "role", "at end", unit, "share");
        for (name, c, rao) in [
            ("validators", validators, v),
            ("miners", miners, m),
            ("owner cut", arm.scenario.subnets.len() as u64, o),
        ] {
            say!(
                "{name:<12} {c:>7} {:>18.6} {:>7.2}%",
                tao(rao) / n,
                100.0 * rao as f64 / paid
            );
        }
        if mine.len() > 1 {
            say!("(emission is the mean over {} runs)", mine.len());
        }
    }
    if plan.arms.len() > 3 {
        say!("\n({} more arms: see report.html)", plan.arms.len() - 3);
    }
    let minted: u64 = records.iter().map(|r| r.totals.minted_rao).sum();
    let pending: u64 = records.iter().map(|r| r.totals.pending_rao).sum();
    let dust: u64 = records.iter().map(|r| r.totals.dust_rao).sum();
    say!(
        "minted {:.6} TAO in all runs; pending at the end {:.6}; unpaid (rounding dust, or a pot with no one to pay) {:.9}",
        tao(minted),
        tao(pending),
        tao(dust)
    );
}

/// Validators (owner hotkeys included, as their dividends are) and miners registered at the
/// last epoch of each subnet of `record`, summed: cohorts, registration waves, entrants and
/// pruning make these differ from the scenario's starting populations.
fn final_counts(scenario: &Scenario, record: &RunRecord) -> (u64, u64) {
    let rows = &record.subnets;
    let (mut validators, mut miners) = (0, 0);
    for netuid in scenario.subnets.iter().filter_map(|s| s.netuid) {
        if let Some(i) = (0..rows.subnet.len())
            .rev()
            .find(|&i| rows.subnet[i] == netuid)
        {
            validators += u64::from(rows.neurons[i].saturating_sub(rows.miners[i]));
            miners += u64::from(rows.miners[i]);
        }
    }
    (validators, miners)
}

/// The command that produced a result, as a user would type it (`subnetlab`, not the path of
/// the binary), quoting the arguments that need it.
pub(crate) fn command_line() -> String {
    let quote = |a: String| {
        if a.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,[]".contains(c))
        {
            a
        } else {
            format!("'{}'", a.replace('\'', r"'\''"))
        }
    };
    let args = std::env::args().skip(1).map(quote);
    std::iter::once("subnetlab".to_string())
        .chain(args)
        .collect::<Vec<_>>()
        .join(" ")
}
