//! Scratch epoch timing probe (not committed).
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Instant;
use subnetlab_sim::chain::yuma::{EpochInput, EpochOutput, EpochWorkspace, SparseRow};
use subnetlab_sim::engine::chain_params;
use subnetlab_sim::scenario::Hyperparameters;

fn main() {
    let (validators, uids) = (64usize, 256usize);
    let mut rng = ChaCha8Rng::seed_from_u64(2718);
    let stake: Vec<f64> = (0..uids)
        .map(|i| {
            if i < validators {
                rng.random_range(1.0..1000.0f64).powi(2)
            } else {
                0.0
            }
        })
        .collect();
    let weights: Vec<SparseRow> = (0..uids)
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
    let noisy = std::env::var("NOISY").is_ok();
    let alt: Vec<SparseRow> = weights
        .iter()
        .map(|r| {
            r.iter()
                .map(|&(j, w)| (j, (w * rng.random_range(0.7..1.3f64)).round().min(65535.0)))
                .collect()
        })
        .collect();
    let last_update = vec![1_000u64; uids];
    let registered = vec![0u64; uids];
    let permit: Vec<bool> = (0..uids).map(|i| i < validators).collect();
    let epochs: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().unwrap())
        .unwrap_or(20000);
    let only = std::env::args().nth(2);
    for (name, yuma3, liquid) in [
        ("yuma3+la", true, true),
        ("yuma3", true, false),
        ("classic", false, false),
    ] {
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        let mut hp = Hyperparameters {
            yuma3,
            max_allowed_validators: validators as u16,
            ..Default::default()
        };
        hp.liquid_alpha.enabled = liquid;
        let cparams = chain_params(&hp, 0.0);
        let params = cparams.fractions();
        let chain = std::env::var("CHAIN").is_ok();
        let mut ws = EpochWorkspace::default();
        let mut out = EpochOutput::default();
        let mut bonds: Vec<SparseRow> = vec![Vec::new(); uids];
        fn mk<'a>(
            stake: &'a [f64],
            last_update: &'a [u64],
            registered: &'a [u64],
            permit: &'a [bool],
            weights: &'a [SparseRow],
            b: &'a [SparseRow],
        ) -> EpochInput<'a> {
            EpochInput {
                block: 1_360,
                tempo: 360,
                last_mechanism_step_block: 1_000,
                owner_uid: None,
                stake,
                last_update,
                block_at_registration: registered,
                validator_permit: permit,
                weights,
                bonds: b,
                emission: 360_000_000_000,
            }
        }
        for _ in 0..2 {
            ws.run(
                &mk(&stake, &last_update, &registered, &permit, &weights, &bonds),
                &params,
                &mut out,
            )
            .unwrap();
            bonds.clone_from(&out.bonds);
        }
        let mut f = Vec::new();
        for _ in 0..epochs / 100 {
            let t = Instant::now();
            for e in 0..100 {
                if noisy {
                    let w = if e % 2 == 0 { &alt } else { &weights };
                    if chain {
                        ws.run_numeric(
                            subnetlab_sim::chain::numeric::Numeric::Chain,
                            &mk(&stake, &last_update, &registered, &permit, w, &bonds),
                            &cparams,
                            &mut out,
                        )
                        .unwrap();
                    } else {
                        ws.run(
                            &mk(&stake, &last_update, &registered, &permit, w, &bonds),
                            &params,
                            &mut out,
                        )
                        .unwrap();
                    }
                    std::mem::swap(&mut bonds, &mut out.bonds);
                } else {
                    ws.run(
                        &mk(&stake, &last_update, &registered, &permit, &weights, &bonds),
                        &params,
                        &mut out,
                    )
                    .unwrap();
                }
            }
            f.push(t.elapsed().as_secs_f64() * 1e4);
        }
        f.sort_by(f64::total_cmp);
        let h: f64 = out
            .dividends
            .iter()
            .chain(&out.incentive)
            .chain(&out.consensus)
            .sum();
        println!("{name:<10} {:>8.2} µs  check {h:.12}", f[f.len() / 2]);
    }
}
