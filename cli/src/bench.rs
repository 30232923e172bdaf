//! `subnetlab bench`: time the f64 Yuma epoch on a synthetic metagraph, per bond variant.
//! A benchmark, not a test: it reports, it never fails on a slow machine.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Instant;
use subnetlab_sim::chain::yuma::{EpochInput, EpochOutput, EpochWorkspace, SparseRow, YumaParams};
use subnetlab_sim::engine::yuma_params;
use subnetlab_sim::scenario::Hyperparameters;

/// Arguments of `subnetlab bench`.
#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// Validators (all with permits, each weighting every miner).
    #[arg(long, default_value_t = 64)]
    validators: usize,
    /// UIDs in all (validators + miners).
    #[arg(long, default_value_t = 256)]
    uids: usize,
    /// Epochs timed per variant.
    #[arg(long, default_value_t = 20_000)]
    epochs: usize,
}

/// A metagraph like a busy mainnet subnet: validators with log-normal-ish stake, each setting a
/// dense random weight row over all miners.
struct Metagraph {
    stake: Vec<f64>,
    last_update: Vec<u64>,
    registered: Vec<u64>,
    permit: Vec<bool>,
    weights: Vec<SparseRow>,
}

impl Metagraph {
    fn input<'a>(&'a self, bonds: &'a [SparseRow]) -> EpochInput<'a> {
        EpochInput {
            block: 1_360,
            tempo: 360,
            last_mechanism_step_block: 1_000,
            owner_uid: None,
            stake: &self.stake,
            last_update: &self.last_update,
            block_at_registration: &self.registered,
            validator_permit: &self.permit,
            weights: &self.weights,
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
        .collect();
    Metagraph {
        stake,
        last_update: vec![1_000; uids],
        registered: vec![0; uids],
        permit: (0..uids).map(|i| i < validators).collect(),
        weights,
    }
}

pub fn bench(args: &BenchArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.validators <= args.uids && args.uids <= u16::MAX as usize,
        "need validators <= uids <= 65535"
    );
    let m = metagraph(args.validators, args.uids);
    let variants = [
        ("yuma3 + liquid alpha", true, true),
        ("yuma3", true, false),
        ("classic", false, false),
    ];
    println!(
        "f64 epoch, {} validators × {} UIDs, {} epochs per variant ({} build)",
        args.validators,
        args.uids,
        args.epochs,
        if cfg!(debug_assertions) {
            "debug: numbers are not meaningful"
        } else {
            "release"
        }
    );
    for (name, yuma3, liquid) in variants {
        let mut hp = Hyperparameters {
            yuma3,
            max_allowed_validators: args.validators as u16,
            ..Default::default()
        };
        hp.liquid_alpha.enabled = liquid;
        let params: YumaParams = yuma_params(&hp);
        let mut workspace = EpochWorkspace::default();
        let mut out = EpochOutput::default();
        let mut bonds: Vec<SparseRow> = vec![Vec::new(); args.uids];
        // Warm up: two epochs fill the bonds, as on a running subnet.
        for _ in 0..2 {
            workspace.run(&m.input(&bonds), &params, &mut out)?;
            bonds.clone_from(&out.bonds);
        }
        // Time batches of 100 epochs and keep the median batch: robust to a noisy neighbour.
        let input = m.input(&bonds);
        let mut per_epoch: Vec<f64> = (0..args.epochs.div_ceil(100))
            .map(|_| {
                let t = Instant::now();
                for _ in 0..100 {
                    let _ = workspace.run(&input, &params, &mut out);
                }
                t.elapsed().as_secs_f64() * 1e6 / 100.0
            })
            .collect();
        per_epoch.sort_by(f64::total_cmp);
        let median = per_epoch
            .get(per_epoch.len() / 2)
            .copied()
            .unwrap_or(f64::NAN);
        println!(
            "  {name:<22} {median:>9.2} µs/epoch  ({:.0} epochs/s)",
            1e6 / median
        );
    }
    Ok(())
}
