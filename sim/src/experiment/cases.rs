//! The classic 3-validator case library: the scenarios the Yuma simulation notebooks
//! (`yuma_simulation` `cases.py`) and subtensor's `test_yuma_3_*` tests use to show how each
//! Yuma variant treats validators that move early, late or against consensus.
//!
//! A case is data ([`Case`]): the validators' stakes and a weight schedule — the rows each
//! validator sets from a given epoch on, or (for the winner-takes-all cases) noisy
//! evaluations of fixed server performances. [`run_case`] runs it through the epoch under a
//! [`Variant`] and reports each validator's dividends per 1000 TAO staked, as the notebooks'
//! dividends table does: per epoch `D_i × validator emission / (S_i × total stake / 1000)`,
//! summed over the case's epochs (defaults: 100 TAO emitted per epoch of which 41 % to
//! validators — half after the 18 % owner cut — on 1,000,000 TAO of stake).
//!
//! "Server-side" winner-takes-all is not a chain mechanism: the notebooks switch Yuma's
//! incentive to all-or-nothing for the top-ranked server. Here the epoch runs as on chain
//! (bonds evolve the same: they do not depend on incentive) and that case's incentive is
//! replaced by the winner-takes-all vector (ties share), with the dividends recomputed from
//! the stored bonds by the chain's dividend rule (classic: `D ∝ colnorm(B) · I`; Yuma 3:
//! `D_i ∝ Sa_i · (colnorm(B) · I)_i`).

use super::{ExperimentError, Numeric, Subnet, Variant, VariantKind};
use crate::chain::yuma::YumaParams;
use crate::rng::{Purpose, stream};
use rand_distr::{Distribution, StandardNormal};

/// How a case's validators set weights.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Weights {
    /// From each step's epoch until the next step, validator `v` sets row `rows[v]` (one
    /// weight per server).
    Steps(&'static [Step]),
    /// Each epoch, validator `v` evaluates server `j` as `performance[j] + N(0, noise[v]²)`,
    /// clamped to `[0, 1]` (the notebooks' winner-takes-all cases); with `client_wta` it puts
    /// all its weight on its best-scored server.
    Noisy {
        /// True performance per server.
        performance: &'static [f64],
        /// Evaluation noise per validator.
        noise: [f64; 3],
        /// Validators weight only their best server.
        client_wta: bool,
    },
}

/// A step of a weight schedule: the rows set from `from` on.
pub type Step = (u32, [&'static [f64]; 3]);

/// One case.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Case {
    /// Name on the command line (`--case NAME`).
    pub name: &'static str,
    /// The notebooks' title.
    pub title: &'static str,
    /// Validator labels, A, B, C.
    pub validators: [&'static str; 3],
    /// Number of servers.
    pub servers: usize,
    /// Epochs run.
    pub epochs: u32,
    /// Stakes (fractions) from each step's epoch on.
    pub stakes: &'static [(u32, [f64; 3])],
    /// The weight schedule.
    pub weights: Weights,
    /// Incentive all-or-nothing to the top-ranked server (the notebooks' server-side WTA).
    pub server_wta: bool,
}

const S1: &[f64] = &[1.0, 0.0];
const S2: &[f64] = &[0.0, 1.0];
const BIG_SMALL: &[(u32, [f64; 3])] = &[(0, [0.8, 0.1, 0.1])];
const EVEN: &[(u32, [f64; 3])] = &[(0, [0.33, 0.33, 0.34])];
const CLIP: &[(u32, [f64; 3])] = &[(0, [0.49, 0.49, 0.02])];
const BIG_SMALL_NAMES: [&str; 3] = [
    "Big vali. (0.8)",
    "Small eager vali. (0.1)",
    "Small lazy vali. (0.1)",
];

/// A two-server case with the 0.8/0.1/0.1 stakes over 40 epochs.
const fn two(name: &'static str, title: &'static str, steps: &'static [Step]) -> Case {
    Case {
        name,
        title,
        validators: BIG_SMALL_NAMES,
        servers: 2,
        epochs: 40,
        stakes: BIG_SMALL,
        weights: Weights::Steps(steps),
        server_wta: false,
    }
}

/// A stable-third-miner case: everyone gives `x` to server 3 throughout and moves the rest
/// from server 1 to server 2, the small eager validator first, the big one second.
const fn stable(name: &'static str, title: &'static str, steps: &'static [Step]) -> Case {
    Case {
        servers: 3,
        ..two(name, title, steps)
    }
}

/// The library, in the notebooks' order.
pub const CASES: &[Case] = &[
    two(
        "kappa-moves-first",
        "Case 1 - kappa moves first",
        &[
            (0, [S1, S1, S1]),
            (1, [S2, S1, S1]),
            (2, [S2, S2, S1]),
            (3, [S2, S2, S2]),
        ],
    ),
    two(
        "kappa-moves-second",
        "Case 2 - kappa moves second",
        &[
            (0, [S1, S1, S1]),
            (1, [S1, S2, S1]),
            (2, [S2, S2, S1]),
            (3, [S2, S2, S2]),
        ],
    ),
    two(
        "kappa-moves-third",
        "Case 3 - kappa moves third",
        &[
            (0, [S1, S1, S1]),
            (1, [S1, S2, S1]),
            (2, [S1, S2, S2]),
            (3, [S2, S2, S2]),
        ],
    ),
    two(
        "all-switch",
        "Case 4 - all validators switch",
        &[(0, [S1, S1, S1]), (1, [S2, S2, S2])],
    ),
    two(
        "kappa-second-then-third",
        "Case 5 - kappa moves second, then third",
        &[
            (0, [S1, S1, S1]),
            (1, [S1, S2, S2]),
            (2, [S2, S2, S2]),
            (21, [S2, S1, S2]),
            (22, [S2, S1, S1]),
            (23, [S1, S1, S1]),
        ],
    ),
    two(
        "kappa-second-then-all-switch",
        "Case 6 - kappa moves second, then all validators switch",
        &[
            (0, [S1, S1, S1]),
            (1, [S1, S2, S1]),
            (2, [S2, S2, S1]),
            (3, [S2, S2, S2]),
            (21, [S1, S1, S1]),
        ],
    ),
    two(
        "big-late-then-all-but-one-late",
        "Case 7 - big vali moves late, then all but one small vali moves late",
        &[
            (0, [S1, S1, S1]),
            (1, [S1, S2, S2]),
            (2, [S2, S2, S2]),
            (21, [S2, S2, S1]),
            (22, [S1, S1, S1]),
        ],
    ),
    two(
        "big-late-then-late",
        "Case 8 - big vali moves late, then late",
        &[
            (0, [S1, S1, S1]),
            (1, [S1, S2, S2]),
            (2, [S2, S2, S2]),
            (21, [S2, S1, S1]),
            (22, [S1, S1, S1]),
        ],
    ),
    Case {
        stakes: &[(0, [0.8, 0.1, 0.1]), (6, [0.8, 0.2, 0.0])],
        ..two(
            "small-validators-merged",
            "Case 9 - small validators merged in e5",
            &[(0, [S2, S2, S2])],
        )
    },
    two(
        "kappa-delayed",
        "Case 10 - kappa delayed",
        &[
            (0, [S1, S1, S1]),
            (1, [S1, S2, S1]),
            (10, [S2, S2, S1]),
            (11, [S2, S2, S2]),
        ],
    ),
    Case {
        validators: [
            "Big vali. 1 (0.49)",
            "Big vali. 2 (0.49)",
            "Small vali. (0.02)",
        ],
        stakes: CLIP,
        ..two(
            "clipping-demo",
            "Case 11 - clipping demo",
            &[
                (0, [&[0.3, 0.7], &[0.6, 0.4], &[0.61, 0.39]]),
                (20, [&[0.3, 0.7], &[0.6, 0.4], &[0.3, 0.61]]),
            ],
        )
    },
    two(
        "all-switch-small-alt",
        "Case 12 - all validators switch, but small validator/s support alt miner with minimal weight",
        &[
            (0, [S1, &[0.999, 0.001], S1]),
            (1, [S2, &[0.001, 0.999], S2]),
            (21, [S1, &[0.999, 0.001], S1]),
        ],
    ),
    two(
        "big-s2-small-s1",
        "Case 13 - Big vali supports server 2, small validator/s support server 1",
        &[
            (0, [S2, &[0.5, 0.5], S2]),
            (21, [S2, &[0.5, 0.5], &[0.5, 0.5]]),
        ],
    ),
    Case {
        validators: ["Vali. 1 (0.33)", "Vali. 2 (0.33)", "Vali. 3 (0.34)"],
        stakes: EVEN,
        ..two(
            "one-epoch-deviation",
            "Case 14 - All validators support Server 1, one of them switches to Server 2 for one epoch",
            &[(0, [S1, S1, S1]), (20, [S1, S1, S2]), (21, [S1, S1, S1])],
        )
    },
    stable(
        "stable-third-miner",
        "Case 15 - big vali moves second, stable miner gets 0.25",
        &[
            (0, [&[0.75, 0.0, 0.25]; 3]),
            (
                1,
                [&[0.75, 0.0, 0.25], &[0.0, 0.75, 0.25], &[0.75, 0.0, 0.25]],
            ),
            (
                2,
                [&[0.0, 0.75, 0.25], &[0.0, 0.75, 0.25], &[0.75, 0.0, 0.25]],
            ),
            (3, [&[0.0, 0.75, 0.25]; 3]),
        ],
    ),
    stable(
        "stable-third-miner-0.5",
        "Case 16 - big vali moves second, stable miner gets 0.5",
        &[
            (0, [&[0.5, 0.0, 0.5]; 3]),
            (1, [&[0.5, 0.0, 0.5], &[0.0, 0.5, 0.5], &[0.5, 0.0, 0.5]]),
            (2, [&[0.0, 0.5, 0.5], &[0.0, 0.5, 0.5], &[0.5, 0.0, 0.5]]),
            (3, [&[0.0, 0.5, 0.5]; 3]),
        ],
    ),
    stable(
        "stable-third-miner-0.75",
        "Case 17 - big vali moves second, stable miner gets 0.75",
        &[
            (0, [&[0.25, 0.0, 0.75]; 3]),
            (
                1,
                [&[0.25, 0.0, 0.75], &[0.0, 0.25, 0.75], &[0.25, 0.0, 0.75]],
            ),
            (
                2,
                [&[0.0, 0.25, 0.75], &[0.0, 0.25, 0.75], &[0.25, 0.0, 0.75]],
            ),
            (3, [&[0.0, 0.25, 0.75]; 3]),
        ],
    ),
    stable(
        "stable-third-miner-0.9",
        "Case 18 - big vali moves second, stable miner gets 0.9",
        &[
            (0, [&[0.1, 0.0, 0.9]; 3]),
            (1, [&[0.1, 0.0, 0.9], &[0.0, 0.1, 0.9], &[0.1, 0.0, 0.9]]),
            (2, [&[0.0, 0.1, 0.9], &[0.0, 0.1, 0.9], &[0.1, 0.0, 0.9]]),
            (3, [&[0.0, 0.1, 0.9]; 3]),
        ],
    ),
    Case {
        name: "wta-client",
        title: "Case 19 - Client-side WTA",
        validators: [
            "Big vali. 1 (low noise)",
            "Big vali. 2 (high noise)",
            "Small vali. (high noise)",
        ],
        servers: 2,
        epochs: 40,
        stakes: CLIP,
        weights: Weights::Noisy {
            performance: &[0.6, 0.55],
            noise: [0.05, 0.15, 0.15],
            client_wta: true,
        },
        server_wta: false,
    },
    Case {
        name: "wta-server",
        title: "Case 20 - Server-side WTA",
        validators: [
            "Big vali. 1 (low noise)",
            "Big vali. 2 (high noise)",
            "Small vali. (high noise)",
        ],
        servers: 2,
        epochs: 40,
        stakes: CLIP,
        weights: Weights::Noisy {
            performance: &[0.6, 0.55],
            noise: [0.05, 0.15, 0.15],
            client_wta: false,
        },
        server_wta: true,
    },
];

/// The case named `name`.
pub fn find(name: &str) -> Result<&'static Case, ExperimentError> {
    CASES
        .iter()
        .find(|c| c.name == name)
        .ok_or_else(|| ExperimentError::UnknownCase {
            name: name.to_string(),
            known: CASES.iter().map(|c| c.name).collect::<Vec<_>>().join(", "),
        })
}

/// The notebooks' and subtensor's Yuma 3 test setup the cases are read against: κ = 0.5,
/// bonds penalty 0, bonds moving average 0.975, liquid alpha bounds 0.1 and 0.3 (u16 6553
/// and 19660), steepness 1000, 3 permits. [`VariantKind`] sets the flavour.
pub fn case_defaults() -> YumaParams {
    YumaParams {
        kappa: 32767.0 / 65535.0,
        bonds_penalty: 0.0,
        bonds_moving_average: 0.975,
        yuma3: true,
        liquid_alpha: true,
        alpha_low: 6553.0 / 65535.0,
        alpha_high: 19660.0 / 65535.0,
        alpha_sigmoid_steepness: 1000.0,
        activity_cutoff: 5000,
        max_allowed_validators: 3,
        stake_threshold: 0.0,
    }
}

/// How dividends are priced (the notebooks' defaults).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pricing {
    /// TAO emitted per epoch (default 100).
    pub epoch_emission: f64,
    /// Share of it paid as dividends (default 0.41).
    pub validator_share: f64,
    /// Total stake in TAO (default 1,000,000).
    pub total_stake: f64,
}

impl Default for Pricing {
    fn default() -> Self {
        Pricing {
            epoch_emission: 100.0,
            validator_share: 0.41,
            total_stake: 1_000_000.0,
        }
    }
}

/// One validator in one epoch.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseEpoch {
    /// Case name.
    pub case: &'static str,
    /// Variant name.
    pub variant: String,
    /// Epoch (0-based).
    pub epoch: u32,
    /// Validator index (0 = A).
    pub validator: usize,
    /// Stake fraction this epoch.
    pub stake: f64,
    /// Dividend share `D_i`.
    pub dividend: f64,
    /// Dividends per 1000 TAO staked this epoch.
    pub per_1000_tao: f64,
}

/// A case run: per epoch and validator, and the totals per validator.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseRun {
    /// The case.
    pub case: &'static Case,
    /// Variant name.
    pub variant: String,
    /// Rows per epoch and validator.
    pub epochs: Vec<CaseEpoch>,
    /// Total dividends per 1000 TAO staked, per validator (A, B, C).
    pub total_per_1000_tao: [f64; 3],
}

/// A stable stream id for a case: FNV-1a of its name.
fn case_id(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The rows every validator sets at `epoch`.
fn rows_at(case: &Case, epoch: u32, rng: &mut impl rand::Rng) -> [Vec<f64>; 3] {
    match case.weights {
        Weights::Steps(steps) => {
            let step = steps
                .iter()
                .rev()
                .find(|s| s.0 <= epoch)
                .unwrap_or(&steps[0]);
            step.1.map(<[f64]>::to_vec)
        }
        Weights::Noisy {
            performance,
            noise,
            client_wta,
        } => noise.map(|sd| {
            let scores: Vec<f64> = performance
                .iter()
                .map(|&p| {
                    let z: f64 = StandardNormal.sample(rng);
                    (p + sd * z).clamp(0.0, 1.0)
                })
                .collect();
            if !client_wta {
                return scores;
            }
            let best = scores
                .iter()
                .enumerate()
                .fold(0, |b, (j, &s)| if s > scores[b] { j } else { b });
            (0..scores.len())
                .map(|j| if j == best { 1.0 } else { 0.0 })
                .collect()
        }),
    }
}

/// Runs `case` under `variant` (its parameters are used with 3 permits).
pub fn run_case(
    case: &'static Case,
    variant: &Variant,
    pricing: &Pricing,
    numeric: Numeric,
    seed: u64,
) -> Result<CaseRun, ExperimentError> {
    let stakes_at = |epoch: u32| {
        case.stakes
            .iter()
            .rev()
            .find(|s| s.0 <= epoch)
            .unwrap_or(&case.stakes[0])
            .1
    };
    let n = 3 + case.servers;
    let mut stake = vec![0.0; n];
    stake[..3].copy_from_slice(&stakes_at(0));
    let mut params = variant.params.clone();
    params.max_allowed_validators = 3;
    let mut subnet = Subnet::new(stake, params, numeric)?;
    let mut rng = stream(seed, 0, Purpose::Experiment, case_id(case.name));
    let mut epochs = Vec::with_capacity(3 * case.epochs as usize);
    let mut totals = [0.0; 3];
    let mut row = Vec::with_capacity(case.servers);
    for e in 0..case.epochs {
        let s = stakes_at(e);
        subnet.stake_mut()[..3].copy_from_slice(&s);
        for (v, r) in rows_at(case, e, &mut rng).iter().enumerate() {
            row.clear();
            row.extend(r.iter().enumerate().map(|(j, &w)| ((3 + j) as u16, w)));
            subnet.set_weights(v, &row);
        }
        subnet.epoch()?;
        let dividends = if case.server_wta {
            wta_dividends(&subnet, variant.kind)
        } else {
            subnet.output().dividends[..3].to_vec()
        };
        let stake_total: f64 = s.iter().sum();
        for v in 0..3 {
            let share = s[v] / stake_total;
            let per_1000 = if share > 1e-9 {
                dividends[v] * pricing.validator_share * pricing.epoch_emission
                    / (share * pricing.total_stake / 1000.0)
            } else {
                0.0
            };
            totals[v] += per_1000;
            epochs.push(CaseEpoch {
                case: case.name,
                variant: variant.name.clone(),
                epoch: e,
                validator: v,
                stake: share,
                dividend: dividends[v],
                per_1000_tao: per_1000,
            });
        }
    }
    Ok(CaseRun {
        case,
        variant: variant.name.clone(),
        epochs,
        total_per_1000_tao: totals,
    })
}

/// Validators' dividends (A, B, C) with the epoch's incentive replaced by winner-takes-all
/// (ties share), from the stored bonds by the chain's dividend rule (see the module docs).
fn wta_dividends(subnet: &Subnet, kind: VariantKind) -> Vec<f64> {
    let out = subnet.output();
    let top = out.incentive.iter().copied().fold(0.0, f64::max);
    let winners = out
        .incentive
        .iter()
        .filter(|&&i| i == top && top > 0.0)
        .count();
    let wta: Vec<f64> = out
        .incentive
        .iter()
        .map(|&i| {
            if top > 0.0 && i == top {
                1.0 / winners as f64
            } else {
                0.0
            }
        })
        .collect();
    let n = out.incentive.len();
    let mut column_sum = vec![0.0; n];
    for row in subnet.bonds() {
        for &(j, b) in row {
            column_sum[usize::from(j)] += b;
        }
    }
    let mut d: Vec<f64> = subnet.bonds()[..3]
        .iter()
        .map(|row| {
            row.iter()
                .map(|&(j, b)| {
                    let j = usize::from(j);
                    if column_sum[j] > 0.0 {
                        b / column_sum[j] * wta[j]
                    } else {
                        0.0
                    }
                })
                .sum::<f64>()
        })
        .collect();
    if kind != VariantKind::Classic {
        for (di, s) in d.iter_mut().zip(&out.active_stake) {
            *di *= s;
        }
    }
    let total: f64 = d.iter().sum();
    if total > 0.0 {
        d.iter_mut().for_each(|x| *x /= total);
    }
    d
}

/// Runs `cases` under each of `kinds` on `base`, in order (case-major).
pub fn run_library(
    cases: &[&'static Case],
    kinds: &[VariantKind],
    base: &YumaParams,
    pricing: &Pricing,
    numeric: Numeric,
    seed: u64,
) -> Result<Vec<CaseRun>, ExperimentError> {
    let mut runs = Vec::with_capacity(cases.len() * kinds.len());
    for case in cases {
        for &kind in kinds {
            runs.push(run_case(
                case,
                &Variant::new(kind, base),
                pricing,
                numeric,
                seed,
            )?);
        }
    }
    Ok(runs)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// subtensor `test_yuma_3_kappa_moves_first` asserts these dividends for its first six
    /// epochs (Yuma 3, liquid alpha 0.1–0.3, bonds moving average 0.975, bonds penalty 0:
    /// [`case_defaults`]); the case library's data must reproduce them within the test's
    /// ±0.001.
    #[test]
    fn kappa_moves_first_matches_the_upstream_test() {
        let want = [
            [0.8000, 0.1000, 0.1000],
            [1.0000, 0.0000, 0.0000],
            [0.9382, 0.0618, 0.0000],
            [0.8819, 0.0773, 0.0407],
            [0.8564, 0.0844, 0.0592],
            [0.8418, 0.0884, 0.0697],
        ];
        let variant = Variant::new(VariantKind::Yuma3Liquid, &case_defaults());
        let run = run_case(
            find("kappa-moves-first").unwrap(),
            &variant,
            &Pricing::default(),
            Numeric::F64,
            0,
        )
        .unwrap();
        for (e, w) in want.iter().enumerate() {
            for (v, want) in w.iter().enumerate().take(3) {
                let got = run.epochs[3 * e + v].dividend;
                assert!(
                    (got - want).abs() <= 1e-3,
                    "epoch {e} validator {v}: {got} vs {want}"
                );
            }
        }
    }

    /// Per 1000 TAO: a validator with 0.8 of 1,000,000 TAO and all the dividends earns
    /// 41 TAO per epoch on 800 units of 1000 TAO: 0.05125 per epoch. In `all-switch` under
    /// classic Yuma everyone agrees every epoch, so dividends follow stake: each validator
    /// earns 41 / 1000 = 0.041 per 1000 TAO per epoch, 1.64 over 40 epochs (within 1e-3:
    /// bonds are stored as u16, which truncates each validator's column share by < 1/65535).
    #[test]
    fn dividends_are_priced_per_1000_tao() {
        let variant = Variant::new(VariantKind::Classic, &case_defaults());
        let run = run_case(
            find("all-switch").unwrap(),
            &variant,
            &Pricing::default(),
            Numeric::F64,
            0,
        )
        .unwrap();
        for t in run.total_per_1000_tao {
            assert!((t - 1.64).abs() < 1e-3, "{:?}", run.total_per_1000_tao);
        }
    }

    /// Every case runs under every variant, with finite totals, and the stake merge of case 9
    /// gives the emptied validator nothing.
    #[test]
    fn the_library_runs() {
        let cases: Vec<&'static Case> = CASES.iter().collect();
        let runs = run_library(
            &cases,
            &VariantKind::ALL,
            &case_defaults(),
            &Pricing::default(),
            Numeric::F64,
            7,
        )
        .unwrap();
        assert_eq!(runs.len(), CASES.len() * 3);
        for r in &runs {
            assert_eq!(r.epochs.len(), 3 * r.case.epochs as usize);
            assert!(
                r.total_per_1000_tao
                    .iter()
                    .all(|t| t.is_finite() && *t >= 0.0),
                "{}: {:?}",
                r.case.name,
                r.total_per_1000_tao
            );
        }
        let merged = runs
            .iter()
            .find(|r| r.case.name == "small-validators-merged")
            .unwrap();
        assert!(
            merged
                .epochs
                .iter()
                .filter(|e| e.epoch >= 6 && e.validator == 2)
                .all(|e| e.per_1000_tao == 0.0)
        );
        assert!(find("nope").is_err());
        // Names are unique.
        for (i, a) in CASES.iter().enumerate() {
            assert!(
                CASES[i + 1..].iter().all(|b| b.name != a.name),
                "{}",
                a.name
            );
        }
    }

    /// Server-side WTA recomputes dividends as shares (they sum to 1 every epoch).
    #[test]
    fn server_wta_dividends_are_shares() {
        let variant = Variant::new(VariantKind::Yuma3, &case_defaults());
        let run = run_case(
            find("wta-server").unwrap(),
            &variant,
            &Pricing::default(),
            Numeric::F64,
            0,
        )
        .unwrap();
        for e in run.epochs.chunks(3) {
            let sum: f64 = e.iter().map(|r| r.dividend).sum();
            assert!((sum - 1.0).abs() < 1e-9 || sum == 0.0, "{e:?}");
        }
    }
}
