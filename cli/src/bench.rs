//! `subnetlab bench`: time the Yuma epoch on a synthetic metagraph, per bond variant, in `f64`
//! and (with `--numeric chain`) in the chain's fixed point, with the ratio of the two.
//! A benchmark, not a test: it reports, it never fails on a slow machine.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Instant;
use subnetlab_sim::chain::numeric::Numeric;
use subnetlab_sim::chain::yuma::{EpochInput, EpochOutput, EpochWorkspace, SparseRow};
use subnetlab_sim::engine::chain_params;
use subnetlab_sim::scenario::Hyperparameters;

/// Arguments of `subnetlab bench`.
#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// What to time: one `epoch`, or a study of `replicates` (the built-in default scenario
    /// with `--days` days per run, run on 1 and then 2 threads).
    #[arg(value_enum, default_value = "epoch")]
    what: Bench,
    /// Replicates for `replicates`.
    #[arg(long, default_value_t = 1_000, value_parser = clap::value_parser!(u32).range(1..))]
    replicates: u32,
    /// Days per replicate for `replicates`.
    #[arg(long, default_value_t = 90)]
    days: u32,
    /// Validators (all with permits, each weighting every miner).
    #[arg(long, default_value_t = 64)]
    validators: usize,
    /// UIDs in all (validators + miners).
    #[arg(long, default_value_t = 256)]
    uids: usize,
    /// Epochs timed per variant (the chain mode times a tenth as many).
    #[arg(long, default_value_t = 20_000, value_parser = crate::args::at_least_one)]
    epochs: usize,
    /// Scenario file for `network`.
    #[arg(long, default_value = "scenarios/network-4y.yaml")]
    scenario: std::path::PathBuf,
    /// Overrides for `network` (`PATH=VALUE`, e.g. `duration={days: 30}`).
    #[arg(long = "set")]
    set: Vec<subnetlab_sim::scenario::Override>,
    /// `f64` times the fast epoch; `chain` also times the bit-exact fixed-point epoch in the
    /// same run and prints the ratio (the target is ≤ 10×).
    #[arg(long, value_parser = ["f64", "chain"], default_value = "f64")]
    numeric: String,
}

/// A metagraph like a busy mainnet subnet: validators with log-normal-ish stake, each setting a
/// dense random weight row over all miners.
struct Metagraph {
    stake: Vec<f64>,
    last_update: Vec<u64>,
    registered: Vec<u64>,
    permit: Vec<bool>,
    /// The weights of even epochs, and of every epoch in the fixed-weight variants.
    weights: Vec<SparseRow>,
    /// The weights of odd epochs in the moving-weight variant: each weight times a factor
    /// drawn from U(0.7, 1.3), as noisy validators re-observing their miners would set.
    moved: Vec<SparseRow>,
}

impl Metagraph {
    /// The input of an epoch with the given bonds, on the moved weights if `moved`.
    fn input<'a>(&'a self, bonds: &'a [SparseRow], moved: bool) -> EpochInput<'a> {
        EpochInput {
            block: 1_360,
            tempo: 360,
            last_mechanism_step_block: 1_000,
            owner_uid: None,
            stake: &self.stake,
            last_update: &self.last_update,
            block_at_registration: &self.registered,
            validator_permit: &self.permit,
            weights: if moved { &self.moved } else { &self.weights },
            bonds,
            emission: 360_000_000_000,
        }
    }
}

fn metagraph(validators: usize, uids: usize) -> Metagraph {
    let mut rng = ChaCha8Rng::seed_from_u64(2718);
    let stake = (0..uids)
        .map(|i| {
            if i < validators {
                rng.random_range(1.0..1000.0f64).powi(2)
            } else {
                0.0
            }
        })
        .collect();
    let weights = (0..uids)
        .map(|i| {
            if i < validators {
                (validators..uids)
                    .map(|j| (j as u16, rng.random_range(1.0..65_535.0f64).round()))
                    .collect()
            } else {
                Vec::new()
            }
        })
        .collect::<Vec<SparseRow>>();
    let moved = weights
        .iter()
        .map(|row| {
            row.iter()
                .map(|&(j, w)| (j, (w * rng.random_range(0.7..1.3f64)).round().min(65_535.0)))
                .collect()
        })
        .collect();
    Metagraph {
        stake,
        last_update: vec![1_000; uids],
        registered: vec![0; uids],
        permit: (0..uids).map(|i| i < validators).collect(),
        weights,
        moved,
    }
}

/// Which benchmark.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum Bench {
    /// One f64 epoch on a synthetic metagraph, per bond variant.
    Epoch,
    /// Many replicates of a 1-subnet scenario, on 1 and 2 threads.
    Replicates,
    /// One run of the whole network (`scenarios/network-4y.yaml`: 128 subnets × 256 UIDs × 4
    /// years), its subnets in parallel; peak memory with `/usr/bin/time -v`.
    Network,
}

pub fn bench(args: &BenchArgs) -> anyhow::Result<()> {
    match args.what {
        Bench::Epoch => bench_epoch(args),
        Bench::Replicates => bench_replicates(args),
        Bench::Network => bench_network(args),
    }
}

/// 1-subnet scenario (the built-in default's population) × `replicates`, no per-UID rows kept:
/// wall time of the runs on 1 and on 2 threads, and the speed-up.
fn bench_replicates(args: &BenchArgs) -> anyhow::Result<()> {
    let overrides: Vec<subnetlab_sim::scenario::Override> = [
        format!("duration={{days: {}}}", args.days),
        format!("replicates={}", args.replicates),
        "record={neurons: none}".to_string(),
    ]
    .iter()
    .map(|s| s.parse().map_err(anyhow::Error::msg))
    .collect::<anyhow::Result<_>>()?;
    let scenario = crate::run::load(Some("default"), &overrides)?;
    let arms = subnetlab_sim::study::arms(&scenario).map_err(anyhow::Error::msg)?;
    let specs = subnetlab_sim::study::runs(&arms, scenario.replicates);
    say!(
        "{} replicates × {} days of `default` (1 subnet, 64 validators, 192 miners), no per-UID rows ({})",
        args.replicates,
        args.days,
        build_kind()
    );
    let mut times = Vec::new();
    let mut outputs = Vec::new();
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()?;
        let t = Instant::now();
        let records = pool.install(|| subnetlab_sim::study::run_all(&arms, &specs, &|_, _| {}))?;
        let secs = t.elapsed().as_secs_f64();
        say!(
            "  {threads} thread{}: {secs:>8.2} s  ({:.1} ms per replicate)",
            if threads == 1 { " " } else { "s" },
            1e3 * secs / args.replicates as f64
        );
        times.push(secs);
        outputs.push(records);
    }
    anyhow::ensure!(
        outputs[0] == outputs[1],
        "results differ between 1 and 2 threads"
    );
    say!(
        "  speed-up 1 → 2 threads: {:.2}×; results identical",
        times[0] / times[1]
    );
    Ok(())
}

fn bench_epoch(args: &BenchArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.validators <= args.uids && args.uids <= u16::MAX as usize,
        "need validators <= uids <= 65535"
    );
    let m = metagraph(args.validators, args.uids);
    // (name, Yuma 3, liquid alpha, weights move between epochs)
    let variants = [
        ("yuma3 + liquid alpha", true, true, false),
        ("  weights moving", true, true, true),
        ("yuma3", true, false, false),
        ("classic", false, false, false),
    ];
    let chain = args.numeric == "chain";
    say!(
        "epoch, {} validators × {} UIDs, {} f64 epochs{} per variant ({})",
        args.validators,
        args.uids,
        args.epochs,
        if chain {
            format!(" and {} chain epochs", (args.epochs / 10).max(10))
        } else {
            String::new()
        },
        build_kind()
    );
    for (name, yuma3, liquid, moving) in variants {
        let mut hp = Hyperparameters {
            yuma3,
            max_allowed_validators: args.validators as u16,
            ..Default::default()
        };
        hp.liquid_alpha.enabled = liquid;
        let mut f64_mode = Timed::new(&m, &hp, Numeric::F64, args.uids, moving)?;
        if chain {
            // Interleaved batches of about the same length (10 f64 epochs, 1 chain epoch), so
            // that both modes see the same load on a shared machine.
            let mut chain_mode = Timed::new(&m, &hp, Numeric::Chain, args.uids, moving)?;
            let (mut f, mut c) = (Vec::new(), Vec::new());
            for _ in 0..(args.epochs / 10).max(10) {
                f.push(f64_mode.batch(10));
                c.push(chain_mode.batch(1));
            }
            let (f64_us, chain_us) = (median(&mut f), median(&mut c));
            say!(
                "  {name:<22} f64 {f64_us:>8.2} µs/epoch   chain {chain_us:>9.2} µs/epoch   chain/f64 {:>5.1}×",
                chain_us / f64_us
            );
        } else {
            let mut f: Vec<f64> = (0..args.epochs.div_ceil(100))
                .map(|_| f64_mode.batch(100))
                .collect();
            let f64_us = median(&mut f);
            say!(
                "  {name:<22} {f64_us:>9.2} µs/epoch  ({:.0} epochs/s)",
                1e6 / f64_us
            );
        }
    }
    Ok(())
}

fn bench_network(args: &BenchArgs) -> anyhow::Result<()> {
    // The default is the repository's file: from elsewhere, name it (or a built-in scenario).
    let name = args.scenario.to_string_lossy();
    let scenario = crate::run::load(Some(&name), &args.set).map_err(|e| {
        e.context("bench network runs --scenario (default: scenarios/network-4y.yaml, relative to the repository)")
    })?;
    say!(
        "{}: {} subnets, {} blocks ({})",
        scenario.name,
        scenario.subnets.len(),
        scenario.duration_blocks(),
        build_kind()
    );
    let t = Instant::now();
    let record = subnetlab_sim::engine::run(&scenario, 0, &mut |_| {})?;
    let wall = t.elapsed().as_secs_f64();
    say!(
        "  {wall:.1} s wall on {} threads (subnets run in parallel; RAYON_NUM_THREADS sets them), {} epochs ({:.1} µs per epoch incl. agents and coinbase), {} neuron rows, {} subnet rows",
        rayon::current_num_threads(),
        record.epochs,
        wall * 1e6 / record.epochs.max(1) as f64,
        record.neurons.uid.len(),
        record.subnets.subnet.len()
    );
    Ok(())
}

/// One mode's epoch on the benchmark metagraph, warmed up: two epochs fill the bonds, as on
/// a running subnet. With fixed weights every timed epoch runs on the same input; with moving
/// weights the weights alternate and each epoch's bonds feed the next, as on a live subnet.
struct Timed<'m> {
    m: &'m Metagraph,
    numeric: Numeric,
    params: subnetlab_sim::chain::yuma::ChainParams,
    workspace: EpochWorkspace,
    out: EpochOutput,
    bonds: Vec<SparseRow>,
    moving: bool,
    /// Epochs run so far (odd ones take the moved weights when `moving`).
    epochs: usize,
}

impl<'m> Timed<'m> {
    fn new(
        m: &'m Metagraph,
        hp: &Hyperparameters,
        numeric: Numeric,
        uids: usize,
        moving: bool,
    ) -> anyhow::Result<Self> {
        let mut t = Timed {
            m,
            numeric,
            params: chain_params(hp, 0.0),
            workspace: EpochWorkspace::default(),
            out: EpochOutput::default(),
            bonds: vec![Vec::new(); uids],
            moving,
            epochs: 0,
        };
        for _ in 0..2 {
            let input = m.input(&t.bonds, t.moving && t.epochs % 2 == 1);
            t.workspace
                .run_numeric(numeric, &input, &t.params, &mut t.out)?;
            t.bonds.clone_from(&t.out.bonds);
            t.epochs += 1;
        }
        Ok(t)
    }

    /// Mean µs per epoch over `epochs` epochs.
    fn batch(&mut self, epochs: usize) -> f64 {
        let t = Instant::now();
        if self.moving {
            for _ in 0..epochs {
                let input = self.m.input(&self.bonds, self.epochs % 2 == 1);
                let _ =
                    self.workspace
                        .run_numeric(self.numeric, &input, &self.params, &mut self.out);
                // The new bonds become the next input; the old rows are reused as output.
                std::mem::swap(&mut self.bonds, &mut self.out.bonds);
                self.epochs += 1;
            }
        } else {
            let input = self.m.input(&self.bonds, false);
            for _ in 0..epochs {
                let _ =
                    self.workspace
                        .run_numeric(self.numeric, &input, &self.params, &mut self.out);
            }
        }
        t.elapsed().as_secs_f64() * 1e6 / epochs as f64
    }
}

/// What the figures were measured with: the profile, and the widest vector instructions the
/// build may use (the target CPU of `.cargo/config.toml`, or a `RUSTFLAGS` override).
fn build_kind() -> &'static str {
    if cfg!(debug_assertions) {
        "debug build: numbers are not meaningful"
    } else if cfg!(target_feature = "avx512f") {
        "release build, AVX-512"
    } else if cfg!(target_feature = "avx2") {
        "release build, AVX2"
    } else {
        "release build, without AVX2"
    }
}

/// The median (robust to a noisy neighbour).
fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}
