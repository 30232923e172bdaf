//! `subnetlab experiment`: the built-in experiments on the Yuma epoch — consensus-guarantee
//! (retention) maps, the collusion frontier and the classic case library. Each writes its
//! tables (Parquet + CSV), charts and an `experiment.json` into a result folder, staged and
//! renamed into place like every result (never replaced without `--force`).

use crate::output::Staging;
use crate::study::command_line;
use anyhow::Context as _;
use std::path::{Path, PathBuf};
use std::time::Instant;
use subnetlab_analysis::charts::experiment::{case_charts, frontier_chart, retention_charts};
use subnetlab_analysis::experiment::{
    validator_letter, write_cases, write_frontier, write_retention,
};
use subnetlab_sim::chain::yuma::YumaParams;
use subnetlab_sim::experiment::cases::{self, CASES, Case, Pricing, case_defaults};
use subnetlab_sim::experiment::frontier::{self, FrontierConfig};
use subnetlab_sim::experiment::retention::{self, Mode, MultiEpoch, RetentionConfig};
use subnetlab_sim::experiment::{Numeric, Variant, VariantKind, chain_defaults};

/// The arithmetic the retention map uses unless `--numeric` says otherwise: the chain's, bit
/// for bit, as the consensus guarantees are claims about the chain.
const RETENTION_NUMERIC: NumericArg = NumericArg::Chain;

/// Arguments of `subnetlab experiment`.
#[derive(clap::Args, Debug)]
pub struct ExperimentArgs {
    #[command(subcommand)]
    which: Which,
}

#[derive(clap::Subcommand, Debug)]
enum Which {
    /// Consensus-guarantee maps (subtensor docs/consensus.md): the honest utility an honest
    /// stake majority needs to keep its share against a self-weighting cabal, in one epoch and
    /// over many epochs with bonds and stake compounding.
    Retention(RetentionArgs),
    /// The collusion frontier: a cabal's reward share against its stake share per mechanism
    /// variant, and the stake fraction from which colluding pays.
    Frontier(FrontierArgs),
    /// The classic 3-validator cases (kappa moves first, clipping demo, ...) under each Yuma
    /// variant, with dividends per 1000 TAO staked.
    Cases(CasesArgs),
}

/// Arithmetic of the epoch.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum NumericArg {
    /// Double precision.
    F64,
    /// The chain's fixed point (I32F32), bit for bit; slower.
    Chain,
}

impl From<NumericArg> for Numeric {
    fn from(n: NumericArg) -> Numeric {
        match n {
            NumericArg::F64 => Numeric::F64,
            NumericArg::Chain => Numeric::Chain,
        }
    }
}

/// What every experiment takes.
#[derive(clap::Args, Debug)]
struct Common {
    /// Result folder (default out/experiment-<name>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace an existing result folder.
    #[arg(long)]
    force: bool,
    /// No progress bar and no tables, only the result folder path (as `run --quiet`).
    #[arg(long, short)]
    quiet: bool,
    /// Seed of the random draws.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

#[derive(clap::Args, Debug)]
struct RetentionArgs {
    #[command(flatten)]
    common: Common,
    /// Arithmetic of the epoch.
    #[arg(long, value_enum, default_value_t = RETENTION_NUMERIC)]
    numeric: NumericArg,
    /// Yuma variant (the original map ran classic Yuma): classic | yuma3 | yuma3-liquid.
    #[arg(long, default_value = "classic")]
    variant: String,
    /// κ, the consensus majority (fraction; the chain's 32767/65535 by default).
    #[arg(long, default_value_t = 32767.0 / 65535.0, value_parser = crate::args::fraction)]
    kappa: f64,
    /// β, the bonds penalty (fraction).
    #[arg(long, default_value_t = 1.0, value_parser = crate::args::fraction)]
    bonds_penalty: f64,
    /// Weight deviations σ_W to map (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "0,0.2,0.4")]
    sigma: Vec<f64>,
    /// Honest stake shares of the single-epoch map.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "0.51,0.55,0.6,0.65,0.7,0.75,0.8,0.85,0.9,0.95,0.99"
    )]
    stakes: Vec<f64>,
    /// Points per axis of the single-epoch W_H × W_C grid (51: steps of 0.02).
    #[arg(long, default_value_t = 51)]
    grid: usize,
    /// Independent draws per point, averaged.
    #[arg(long, default_value_t = 1)]
    trials: u32,
    /// UIDs.
    #[arg(long, default_value_t = 512)]
    neurons: usize,
    /// Validators among them.
    #[arg(long, default_value_t = 64)]
    validators: usize,
    /// Epochs of the multi-epoch map (0: skip it).
    #[arg(long, default_value_t = 100)]
    epochs: u32,
    /// Emission per epoch as a fraction of total stake, in the multi-epoch map.
    #[arg(long, default_value_t = 0.01)]
    inflation: f64,
    /// Points per axis of the multi-epoch grid (11: steps of 0.1).
    #[arg(long, default_value_t = 11)]
    multi_grid: usize,
    /// Honest stake shares of the multi-epoch map.
    #[arg(long, value_delimiter = ',', default_value = "0.55,0.6,0.7")]
    multi_stakes: Vec<f64>,
}

#[derive(clap::Args, Debug)]
struct FrontierArgs {
    #[command(flatten)]
    common: Common,
    /// Arithmetic of the epoch.
    #[arg(long, value_enum, default_value_t = NumericArg::F64)]
    numeric: NumericArg,
    /// Yuma variants (comma-separated): classic, yuma3, yuma3-liquid.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "classic,yuma3,yuma3-liquid"
    )]
    variants: Vec<String>,
    /// κ values, each crossed with every variant.
    #[arg(long, value_delimiter = ',', default_value = "0.5", value_parser = crate::args::fraction)]
    kappa: Vec<f64>,
    /// Commit-reveal periods in tempos, each crossed with every variant (0: off).
    #[arg(long, value_delimiter = ',', default_value = "0,1")]
    reveal_period: Vec<u32>,
    /// β, the bonds penalty.
    #[arg(long, default_value_t = 1.0, value_parser = crate::args::fraction)]
    bonds_penalty: f64,
    /// Cabal stake fractions.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "0,0.05,0.1,0.15,0.2,0.25,0.3,0.35,0.4,0.45,0.5"
    )]
    cabal_stakes: Vec<f64>,
    /// The cabal's self-weight grid (its best response is taken).
    #[arg(long, value_delimiter = ',', default_value = "0,0.25,0.5,0.75,1")]
    self_weights: Vec<f64>,
    /// Epochs per run.
    #[arg(long, default_value_t = 60)]
    epochs: u32,
    /// Independent worlds per point, averaged.
    #[arg(long, default_value_t = 2)]
    trials: u32,
    /// Validators.
    #[arg(long, default_value_t = 32)]
    validators: usize,
    /// Miners.
    #[arg(long, default_value_t = 96)]
    miners: usize,
    /// Honest validators' evaluation noise σ.
    #[arg(long, default_value_t = 0.2)]
    noise: f64,
    /// Drift of miners' log-utility per epoch.
    #[arg(long, default_value_t = 0.1)]
    drift: f64,
    /// Emission per epoch as a fraction of total stake.
    #[arg(long, default_value_t = 0.01)]
    inflation: f64,
    /// Reward-share advantage over the stake share that counts as paying.
    #[arg(long, default_value_t = 0.005)]
    margin: f64,
}

#[derive(clap::Args, Debug)]
struct CasesArgs {
    #[command(flatten)]
    common: Common,
    /// Arithmetic of the epoch.
    #[arg(long, value_enum, default_value_t = NumericArg::F64)]
    numeric: NumericArg,
    /// Cases to run (repeatable; default all). `--list` names them.
    #[arg(long = "case")]
    cases: Vec<String>,
    /// List the cases and exit.
    #[arg(long)]
    list: bool,
    /// Yuma variants (comma-separated).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "classic,yuma3,yuma3-liquid"
    )]
    variants: Vec<String>,
    /// β, the bonds penalty (default: subtensor's Yuma 3 tests' 0).
    #[arg(long, default_value_t = 0.0, value_parser = crate::args::fraction)]
    bonds_penalty: f64,
    /// Bonds moving average (default 0.975, as subtensor's Yuma 3 tests).
    #[arg(long, default_value_t = 0.975, value_parser = crate::args::fraction)]
    bonds_moving_average: f64,
    /// κ.
    #[arg(long, default_value_t = 32767.0 / 65535.0, value_parser = crate::args::fraction)]
    kappa: f64,
}

/// Runs `subnetlab experiment ...`.
pub fn experiment(args: ExperimentArgs) -> anyhow::Result<()> {
    match args.which {
        Which::Retention(a) => retention_cmd(a),
        Which::Frontier(a) => frontier_cmd(a),
        Which::Cases(a) => cases_cmd(a),
    }
}

/// The variants named, each once, in the order first named (a repeated name would repeat its
/// rows in every table).
fn kinds(names: &[String]) -> anyhow::Result<Vec<VariantKind>> {
    let mut kinds = Vec::new();
    for n in names {
        let kind = VariantKind::parse(n).with_context(|| {
            format!("unknown variant `{n}`; expected classic, yuma3 or yuma3-liquid")
        })?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    Ok(kinds)
}

/// Prints the experiment's tables (`print`) and where its folder is, or with `--quiet` only
/// the folder.
fn report_done(common: &Common, dir: &Path, wall: f64, print: impl FnOnce()) {
    if common.quiet {
        say!("{}", dir.display());
    } else {
        print();
        say!("\nwrote {} ({wall:.2} s)", dir.display());
    }
}

/// Stages `out`, lets `write` fill it, writes `experiment.json` and moves it into place.
fn write_result(
    common: &Common,
    default_name: &str,
    parameters: serde_json::Value,
    wall: f64,
    write: impl FnOnce(&Path) -> anyhow::Result<()>,
) -> anyhow::Result<PathBuf> {
    let out = common
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("out").join(default_name));
    let staging = Staging::begin(&out, common.force)?;
    let dir = staging.dir().to_path_buf();
    let outcome = write(&dir).and_then(|()| {
        let json = serde_json::json!({
            "version": env!("CARGO_PKG_VERSION"),
            "experiment": default_name.trim_start_matches("experiment-"),
            "command": command_line(),
            "seed": common.seed,
            "wall_seconds": wall,
            "threads": rayon::current_num_threads(),
            "parameters": parameters,
        });
        let text = serde_json::to_string_pretty(&json)?;
        std::fs::write(dir.join("experiment.json"), text + "\n").context("writing experiment.json")
    });
    Ok(staging.finish(outcome)?.0)
}

fn caption(name: &str, seed: u64, numeric: NumericArg) -> String {
    format!(
        "subnetlab {} experiment {name} · seed {seed} · {}",
        env!("CARGO_PKG_VERSION"),
        if numeric == NumericArg::F64 {
            "f64"
        } else {
            "chain"
        }
    )
}

fn retention_cmd(a: RetentionArgs) -> anyhow::Result<()> {
    let kind = kinds(std::slice::from_ref(&a.variant))?[0];
    let mut base = chain_defaults();
    base.kappa = a.kappa;
    base.bonds_penalty = a.bonds_penalty;
    let mut cfg = RetentionConfig::new(Variant::new(kind, &base));
    cfg.numeric = a.numeric.into();
    cfg.neurons = a.neurons;
    cfg.validators = a.validators;
    cfg.sigmas = a.sigma.clone();
    cfg.honest_stakes = a.stakes.clone();
    cfg.grid = a.grid;
    cfg.trials = a.trials;
    cfg.seed = a.common.seed;
    cfg.multi = (a.epochs > 0).then(|| MultiEpoch {
        epochs: a.epochs,
        inflation: a.inflation,
        grid: a.multi_grid,
        honest_stakes: a.multi_stakes.clone(),
    });
    let points = |grid: usize, stakes: usize| (grid * grid * stakes) as u64;
    let total = cfg.sigmas.len() as u64
        * u64::from(cfg.trials)
        * (points(cfg.grid, cfg.honest_stakes.len())
            + cfg
                .multi
                .as_ref()
                .map_or(0, |m| points(m.grid, m.honest_stakes.len())));
    let progress = crate::study::progress_bar(total, a.common.quiet, "points");
    let start = Instant::now();
    let result = retention::run(&cfg, &|k| progress.inc(k))?;
    progress.finish_and_clear();
    let wall = start.elapsed().as_secs_f64();
    let params = cfg.variant.params.clone();
    let parameters = serde_json::json!({
        "numeric": format!("{:?}", a.numeric).to_lowercase(),
        "variant": kind.name(), "kappa": a.kappa, "bonds_penalty": a.bonds_penalty,
        "sigma": a.sigma, "honest_stakes": a.stakes, "grid": a.grid, "trials": a.trials,
        "neurons": a.neurons, "validators": a.validators, "stake_sd": cfg.stake_sd,
        "multi_epoch": cfg.multi.as_ref().map(|m| serde_json::json!({
            "epochs": m.epochs, "inflation": m.inflation, "grid": m.grid,
            "honest_stakes": m.honest_stakes,
        })),
    });
    let cap = caption("retention", a.common.seed, a.numeric);
    let dir = write_result(&a.common, "experiment-retention", parameters, wall, |dir| {
        write_retention(&result, kind.name(), &params, dir)?;
        retention_charts(&result, &dir.join("charts"), &cap)?;
        Ok(())
    })?;
    report_done(&a.common, &dir, wall, || {
        print_retention(&result, &params, kind, a.numeric)
    });
    Ok(())
}

fn print_retention(
    result: &retention::RetentionResult,
    params: &YumaParams,
    kind: VariantKind,
    numeric: NumericArg,
) {
    let show = |x: Option<f64>| x.map_or_else(|| "none".to_string(), |v| format!("{v:.3}"));
    say!(
        "Honest utility W_H needed to keep the honest stake share ({}, κ = {:.3}, β = {}, numeric {}):",
        kind.name(),
        params.kappa,
        params.bonds_penalty,
        if numeric == NumericArg::F64 {
            "f64"
        } else {
            "chain"
        }
    );
    for mode in [Mode::Single, Mode::Multi] {
        let rows: Vec<_> = result.required.iter().filter(|r| r.mode == mode).collect();
        if rows.is_empty() {
            continue;
        }
        say!("\n  {}", mode.name().replace('_', " "));
        say!(
            "  {:>6} {:>6} {:>10} {:>10}",
            "σ_W",
            "S_H",
            "needs W_H",
            "worst W_C"
        );
        for r in rows {
            say!(
                "  {:>6.2} {:>6.2} {:>10} {:>10.2}",
                r.sigma,
                r.honest_stake,
                show(r.required_utility),
                r.worst_cabal_self_weight
            );
        }
    }
    let headline: Vec<String> = result
        .required
        .iter()
        .filter(|r| r.mode == Mode::Single && (r.honest_stake - 0.6).abs() < 1e-12)
        .map(|r| format!("σ_W = {}: {}", r.sigma, show(r.required_utility)))
        .collect();
    if !headline.is_empty() {
        say!(
            "\nTo keep 60 % honest stake (one epoch): {}",
            headline.join(", ")
        );
    }
}

/// `values` in ascending order, each once: the frontier's grids are read in order (its
/// break-even interpolates between neighbouring stakes), whatever order they were given in.
fn ascending<T: PartialOrd + Copy>(values: &[T]) -> Vec<T> {
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    v.dedup_by(|a, b| a == b);
    v
}

fn frontier_cmd(mut a: FrontierArgs) -> anyhow::Result<()> {
    a.kappa = ascending(&a.kappa);
    a.reveal_period = ascending(&a.reveal_period);
    a.cabal_stakes = ascending(&a.cabal_stakes);
    a.self_weights = ascending(&a.self_weights);
    let mut base = chain_defaults();
    base.bonds_penalty = a.bonds_penalty;
    let mut variants = Vec::new();
    for kind in kinds(&a.variants)? {
        for &kappa in &a.kappa {
            for &rp in &a.reveal_period {
                let mut p = base.clone();
                p.kappa = kappa;
                let mut v = Variant::new(kind, &p);
                if a.kappa.len() > 1 {
                    v.name = format!("{} κ={kappa}", v.name);
                }
                if rp > 0 {
                    v.reveal_period = Some(rp);
                    v.name = if a.reveal_period.iter().filter(|&&r| r > 0).count() > 1 {
                        format!("{}+cr{rp}", v.name)
                    } else {
                        format!("{}+cr", v.name)
                    };
                }
                variants.push(v);
            }
        }
    }
    let mut cfg = FrontierConfig::new(variants);
    cfg.numeric = a.numeric.into();
    cfg.validators = a.validators;
    cfg.miners = a.miners;
    cfg.cabal_stakes = a.cabal_stakes.clone();
    cfg.self_weights = a.self_weights.clone();
    cfg.epochs = a.epochs;
    cfg.trials = a.trials;
    cfg.noise = a.noise;
    cfg.drift = a.drift;
    cfg.inflation = a.inflation;
    cfg.margin = a.margin;
    cfg.seed = a.common.seed;
    let total = (cfg.variants.len() * cfg.cabal_stakes.len() * cfg.self_weights.len()) as u64;
    let progress = crate::study::progress_bar(total, a.common.quiet, "points");
    let start = Instant::now();
    let result = frontier::run(&cfg, &|k| progress.inc(k))?;
    progress.finish_and_clear();
    let wall = start.elapsed().as_secs_f64();
    let parameters = serde_json::json!({
        "numeric": format!("{:?}", a.numeric).to_lowercase(),
        "variants": cfg.variants.iter().map(|v| serde_json::json!({
            "name": v.name, "kind": v.kind.name(), "kappa": v.params.kappa,
            "bonds_penalty": v.params.bonds_penalty, "reveal_period": v.reveal_period,
        })).collect::<Vec<_>>(),
        "cabal_stakes": a.cabal_stakes, "self_weights": a.self_weights, "epochs": a.epochs,
        "trials": a.trials, "validators": a.validators, "miners": a.miners, "noise": a.noise,
        "drift": a.drift, "inflation": a.inflation, "margin": a.margin,
    });
    let cap = caption("frontier", a.common.seed, a.numeric);
    let dir = write_result(&a.common, "experiment-frontier", parameters, wall, |dir| {
        write_frontier(&result, dir)?;
        frontier_chart(&result, &dir.join("charts"), &cap)?;
        Ok(())
    })?;
    report_done(&a.common, &dir, wall, || {
        print_frontier(&result, &cfg.cabal_stakes)
    });
    Ok(())
}

fn print_frontier(result: &frontier::FrontierResult, stakes: &[f64]) {
    let width = result
        .break_even
        .iter()
        .map(|b| b.variant.chars().count())
        .max()
        .unwrap_or(8)
        .max(8);
    say!("Cabal reward share at its best self-weight, by cabal stake share:");
    say_part!(
        "  {:<width$} {:>10} {:>12}",
        "variant",
        "break-even",
        "self-dealing"
    );
    for f in stakes {
        say_part!(" {f:>5.2}");
    }
    say!();
    for b in &result.break_even {
        let show = |x: Option<f64>| x.map_or_else(|| "none".to_string(), |s| format!("{s:.3}"));
        say_part!(
            "  {:<width$} {:>10} {:>12}",
            b.variant,
            show(b.stake),
            show(b.self_dealing_stake)
        );
        for f in stakes {
            let share = result
                .best
                .iter()
                .find(|r| r.variant == b.variant && r.cabal_stake == *f)
                .map_or(f64::NAN, |r| r.reward_share);
            say_part!(" {share:>5.3}");
        }
        say!();
    }
}

fn cases_cmd(a: CasesArgs) -> anyhow::Result<()> {
    if a.list {
        for c in CASES {
            say!("  {:<32} {}", c.name, c.title);
        }
        return Ok(());
    }
    let selected: Vec<&'static Case> = if a.cases.is_empty() {
        CASES.iter().collect()
    } else {
        let mut selected: Vec<&'static Case> = Vec::new();
        for n in &a.cases {
            let case = cases::find(n)?;
            // Each case once, in the order first named.
            if !selected.iter().any(|c| c.name == case.name) {
                selected.push(case);
            }
        }
        selected
    };
    let kinds = kinds(&a.variants)?;
    let mut base = case_defaults();
    base.bonds_penalty = a.bonds_penalty;
    base.bonds_moving_average = a.bonds_moving_average;
    base.kappa = a.kappa;
    let start = Instant::now();
    let runs = cases::run_library(
        &selected,
        &kinds,
        &base,
        &Pricing::default(),
        a.numeric.into(),
        a.common.seed,
    )?;
    let wall = start.elapsed().as_secs_f64();
    let parameters = serde_json::json!({
        "numeric": format!("{:?}", a.numeric).to_lowercase(),
        "cases": selected.iter().map(|c| c.name).collect::<Vec<_>>(),
        "variants": kinds.iter().map(|k| k.name()).collect::<Vec<_>>(),
        "kappa": base.kappa, "bonds_penalty": base.bonds_penalty,
        "bonds_moving_average": base.bonds_moving_average,
        "alpha_low": base.alpha_low, "alpha_high": base.alpha_high,
        "alpha_sigmoid_steepness": base.alpha_sigmoid_steepness,
        "pricing": { "epoch_emission_tao": 100.0, "validator_share": 0.41, "total_stake_tao": 1_000_000.0 },
    });
    let cap = caption("cases", a.common.seed, a.numeric);
    let dir = write_result(&a.common, "experiment-cases", parameters, wall, |dir| {
        write_cases(&runs, dir)?;
        case_charts(&runs, &dir.join("charts"), &cap)?;
        Ok(())
    })?;
    report_done(&a.common, &dir, wall, || print_cases(&runs, &kinds));
    Ok(())
}

fn print_cases(runs: &[cases::CaseRun], kinds: &[VariantKind]) {
    say!("Total dividends per 1000 TAO staked (validators A, B, C) per Yuma variant:");
    say_part!("  {:<32}", "case");
    for k in kinds {
        say_part!(" | {:^23}", k.name());
    }
    say!();
    say_part!("  {:<32}", "");
    for _ in kinds {
        say_part!(" | ");
        for v in 0..3 {
            say_part!("{:>7} ", validator_letter(v));
        }
    }
    say!();
    for chunk in runs.chunks(kinds.len().max(1)) {
        say_part!("  {:<32}", chunk[0].case.name);
        for r in chunk {
            say_part!(" | ");
            for t in r.total_per_1000_tao {
                say_part!("{t:>7.3} ");
            }
        }
        say!();
    }
}
