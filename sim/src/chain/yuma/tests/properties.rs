//! Properties over random small metagraphs (n ≤ 24): zero and explicit-zero stakes and
//! weights, random permits, update and registration blocks, owners, out-of-range entries,
//! both Yuma variants and liquid alpha on and off.

use super::super::{EpochInput, EpochOutput, EpochWorkspace, SparseRow, YumaParams, epoch};
use super::reference::reference_epoch;
use proptest::prelude::*;

#[derive(Clone, Debug)]
struct Meta {
    block: u64,
    tempo: u64,
    lmsb: u64,
    owner: Option<u16>,
    stake: Vec<f64>,
    last_update: Vec<u64>,
    registered: Vec<u64>,
    permit: Vec<bool>,
    weights: Vec<SparseRow>,
    bonds: Vec<SparseRow>,
    emission: u64,
}

impl Meta {
    fn input(&self) -> EpochInput<'_> {
        EpochInput {
            block: self.block,
            tempo: self.tempo,
            last_mechanism_step_block: self.lmsb,
            owner_uid: self.owner,
            stake: &self.stake,
            last_update: &self.last_update,
            block_at_registration: &self.registered,
            validator_permit: &self.permit,
            weights: &self.weights,
            bonds: &self.bonds,
            emission: self.emission,
        }
    }
}

/// A sorted sparse row over `n` columns with values in `[0, max]` (zeros included) and,
/// sometimes, an out-of-range entry at the end.
fn row(n: usize, max: f64) -> impl Strategy<Value = SparseRow> {
    (
        prop::collection::vec(prop::option::of(prop_oneof![Just(0.0), 0.0..=max]), n),
        any::<bool>(),
    )
        .prop_map(move |(cells, overflow)| {
            let mut row: SparseRow = cells
                .into_iter()
                .enumerate()
                .filter_map(|(j, c)| c.map(|v| (j as u16, v)))
                .collect();
            if overflow {
                row.push((n as u16 + 3, max));
            }
            row
        })
}

fn meta() -> impl Strategy<Value = Meta> {
    meta_sized(1..=24)
}

/// [`meta`] with `n` uids drawn from `sizes`.
fn meta_sized(sizes: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = Meta> {
    sizes.prop_flat_map(|n| {
        (
            prop::collection::vec(prop_oneof![Just(0.0), 0.0..1e6f64], n),
            prop::collection::vec(0u64..100, n),
            prop::collection::vec(0u64..100, n),
            prop::collection::vec(any::<bool>(), n),
            prop::collection::vec(row(n, 65535.0), n),
            prop::collection::vec(row(n, 1.0), n),
            (50u64..150, 1u64..400, prop_oneof![Just(0u64), 1u64..150]),
            prop::option::of(0..n as u16),
            0u64..1_000_000_000_000,
        )
            .prop_map(
                |(stake, last_update, registered, permit, weights, bonds, blocks, owner, e)| Meta {
                    block: blocks.0,
                    tempo: blocks.1,
                    lmsb: blocks.2,
                    owner,
                    stake,
                    last_update,
                    registered,
                    permit,
                    weights,
                    bonds,
                    emission: e,
                },
            )
    })
}

fn params() -> impl Strategy<Value = YumaParams> {
    (
        (any::<bool>(), any::<bool>()),
        0.0..=1.0f64,
        prop_oneof![Just(0.0), Just(1.0), 0.0..=1.0f64],
        0.0..=1.0f64,
        (0.0..=1.0f64, 0.0..=1.0f64),
        0.0..3000.0f64,
        0u64..60,
        0usize..30,
        prop_oneof![Just(0.0), 0.0..1e5f64],
    )
        .prop_map(
            |((yuma3, liquid), kappa, beta, bma, (a, b), steep, cutoff, k, threshold)| YumaParams {
                kappa,
                bonds_penalty: beta,
                bonds_moving_average: bma,
                yuma3,
                liquid_alpha: liquid,
                alpha_low: a.min(b),
                alpha_high: a.max(b),
                alpha_sigmoid_steepness: steep,
                activity_cutoff: cutoff,
                max_allowed_validators: k,
                stake_threshold: threshold,
            },
        )
}

fn sums_to_one_or_zero(v: &[f64]) -> bool {
    let s: f64 = v.iter().sum();
    s == 0.0 || (s - 1.0).abs() <= 1e-9
}

fn check(meta: &Meta, out: &EpochOutput) -> Result<(), TestCaseError> {
    let n = meta.stake.len();
    let floats = [
        &out.stake,
        &out.active_stake,
        &out.consensus,
        &out.incentive,
        &out.dividends,
        &out.validator_trust,
    ];
    for v in floats {
        prop_assert_eq!(v.len(), n);
        prop_assert!(v.iter().all(|x| x.is_finite() && *x >= 0.0), "{:?}", v);
    }
    prop_assert!(out.consensus.iter().all(|&c| c <= 1.0));
    prop_assert!(sums_to_one_or_zero(&out.incentive), "I {:?}", out.incentive);
    prop_assert!(sums_to_one_or_zero(&out.dividends), "D {:?}", out.dividends);
    prop_assert_eq!(out.bonds.len(), n);
    for (i, row) in out.bonds.iter().enumerate() {
        prop_assert!(row.is_empty() || out.new_validator_permit[i]);
        prop_assert!(
            row.windows(2).all(|p| p[0].0 < p[1].0),
            "unsorted {:?}",
            row
        );
        prop_assert!(
            row.iter()
                .all(|&(j, b)| usize::from(j) < n && (0.0..=1.0).contains(&b))
        );
    }
    let total: u128 = out
        .server_emission
        .iter()
        .chain(&out.validator_emission)
        .map(|&a| u128::from(a))
        .sum();
    let e = u128::from(meta.emission);
    prop_assert!(total <= e, "total {} > emission {}", total, e);
    // Everything is paid unless nobody earns and nobody has stake (then nothing is paid).
    let unpaid = out
        .incentive
        .iter()
        .chain(&out.dividends)
        .all(|&x| x == 0.0)
        && out.stake.iter().all(|&s| s == 0.0);
    if !unpaid {
        prop_assert!(
            total + 2 * n as u128 >= e,
            "total {} < emission {} − 2n",
            total,
            e
        );
    }
    Ok(())
}

/// `got` equals the reference `want` up to rounding: exact for the boolean and permit
/// outputs, `tol` for the fractions and bond values (with the same bond entries), one rao per
/// emission amount (a floor may land on either side of an integer).
fn matches_reference(got: &EpochOutput, want: &EpochOutput, tol: f64) -> Result<(), TestCaseError> {
    prop_assert_eq!(&got.active, &want.active);
    prop_assert_eq!(&got.new_validator_permit, &want.new_validator_permit);
    let floats = [
        ("stake", &got.stake, &want.stake),
        ("active_stake", &got.active_stake, &want.active_stake),
        ("consensus", &got.consensus, &want.consensus),
        ("incentive", &got.incentive, &want.incentive),
        ("dividends", &got.dividends, &want.dividends),
        (
            "validator_trust",
            &got.validator_trust,
            &want.validator_trust,
        ),
    ];
    for (name, g, w) in floats {
        prop_assert_eq!(g.len(), w.len());
        for (k, (a, b)) in g.iter().zip(w.iter()).enumerate() {
            prop_assert!((a - b).abs() <= tol, "{}[{}]: {} vs {}", name, k, a, b);
        }
    }
    prop_assert_eq!(got.bonds.len(), want.bonds.len());
    for (i, (g, w)) in got.bonds.iter().zip(&want.bonds).enumerate() {
        let cols = |r: &SparseRow| r.iter().map(|e| e.0).collect::<Vec<_>>();
        prop_assert_eq!(cols(g), cols(w), "bond row {}", i);
        for (a, b) in g.iter().zip(w) {
            prop_assert!(
                (a.1 - b.1).abs() <= tol,
                "bond ({}, {}): {} vs {}",
                i,
                a.0,
                a.1,
                b.1
            );
        }
    }
    let amounts = [
        (&got.server_emission, &want.server_emission),
        (&got.validator_emission, &want.validator_emission),
    ];
    for (g, w) in amounts {
        prop_assert_eq!(g.len(), w.len());
        for (a, b) in g.iter().zip(w) {
            prop_assert!(a.abs_diff(*b) <= 1, "emission {} vs {}", a, b);
        }
    }
    Ok(())
}

/// The benchmark's metagraph (64 validators with log-normal-ish stakes, each weighting all
/// 192 miners at random) for a few epochs with the bonds fed back, every variant: the dense
/// pipeline's fast paths (bands, the one-rate liquid kernel) against the reference.
#[test]
fn benchmark_metagraph_matches_sparse_reference() {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2718);
    let (validators, n) = (64, 256);
    let stake: Vec<f64> = (0..n)
        .map(|i| {
            if i < validators {
                rng.random_range(1.0..1000.0f64).powi(2)
            } else {
                0.0
            }
        })
        .collect();
    let weights: Vec<SparseRow> = (0..n)
        .map(|i| {
            if i < validators {
                (validators..n)
                    .map(|j| (j as u16, rng.random_range(1.0..65_535.0f64).round()))
                    .collect()
            } else {
                Vec::new()
            }
        })
        .collect();
    for (yuma3, liquid) in [(true, true), (true, false), (false, false)] {
        let params = YumaParams {
            yuma3,
            liquid_alpha: liquid,
            max_allowed_validators: validators,
            activity_cutoff: 5000,
            ..super::mock_params()
        };
        let mut meta = Meta {
            block: 1_360,
            tempo: 360,
            lmsb: 1_000,
            owner: None,
            stake: stake.clone(),
            last_update: vec![1_000; n],
            registered: vec![0; n],
            permit: (0..n).map(|i| i < validators).collect(),
            weights: weights.clone(),
            bonds: vec![Vec::new(); n],
            emission: 360_000_000_000,
        };
        let mut workspace = EpochWorkspace::default();
        let mut out = EpochOutput::default();
        for _ in 0..3 {
            workspace
                .run(&meta.input(), &params, &mut out)
                .expect("valid");
            let want = reference_epoch(&meta.input(), &params);
            matches_reference(&out, &want, 1e-12).expect("matches the reference");
            meta.bonds.clone_from(&out.bonds);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// The dense pipeline computes what the sparse reference computes, up to rounding.
    #[test]
    fn epoch_matches_sparse_reference(meta in meta(), params in params()) {
        let got = epoch(&meta.input(), &params).expect("generated input is valid");
        matches_reference(&got, &reference_epoch(&meta.input(), &params), 1e-9)?;
    }

    #[test]
    fn epoch_outputs_are_well_formed(meta in meta(), params in params()) {
        let out = epoch(&meta.input(), &params).expect("generated input is valid");
        check(&meta, &out)?;
    }

    /// A reused workspace and output give exactly what a fresh run gives, whatever ran before.
    #[test]
    fn workspace_reuse_is_transparent(
        first in meta(), second in meta(), p1 in params(), p2 in params()
    ) {
        let mut ws = EpochWorkspace::default();
        let mut out = EpochOutput::default();
        ws.run(&first.input(), &p1, &mut out).expect("valid");
        ws.run(&second.input(), &p2, &mut out).expect("valid");
        let fresh = epoch(&second.input(), &p2).expect("valid");
        prop_assert_eq!(out, fresh);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Also with more dense rows than one bitmask word of the consensus holds (several voter
    /// words, more than 8 panels).
    #[test]
    fn large_epochs_match_sparse_reference(meta in meta_sized(100..=200), params in params()) {
        let got = epoch(&meta.input(), &params).expect("generated input is valid");
        matches_reference(&got, &reference_epoch(&meta.input(), &params), 1e-9)?;
    }
}

/// A random metagraph in chain units (stake rao, u16 weights and bonds) with random
/// parameters, and the same metagraph on the `f64` interface.
fn chain_case() -> impl Strategy<Value = (Meta, super::super::ChainParams)> {
    (
        meta_sized(1..=24),
        (any::<bool>(), any::<bool>()),
        (
            any::<u16>(),
            prop_oneof![Just(0u16), Just(65_535u16), any::<u16>()],
        ),
        (0u64..=1_000_000, any::<u16>(), any::<u16>(), 0i16..3000),
        (0u64..60, 0u16..30, prop_oneof![Just(0u64), 0u64..100_000]),
    )
        .prop_map(
            |(
                mut meta,
                (yuma3, liquid),
                (kappa, beta),
                (bma, a, b, steep),
                (cutoff, k, threshold),
            )| {
                meta.stake.iter_mut().for_each(|s| *s = s.round());
                for row in &mut meta.weights {
                    row.iter_mut().for_each(|e| e.1 = e.1.round());
                }
                for row in &mut meta.bonds {
                    row.iter_mut()
                        .for_each(|e| e.1 = (e.1 * 65_535.0).round() / 65_535.0);
                }
                let params = super::super::ChainParams {
                    kappa,
                    bonds_penalty: beta,
                    bonds_moving_average: bma,
                    yuma3,
                    liquid_alpha: liquid,
                    alpha_low: a.min(b),
                    alpha_high: a.max(b),
                    alpha_sigmoid_steepness: steep,
                    activity_cutoff: cutoff,
                    max_allowed_validators: k,
                    stake_threshold: threshold,
                };
                (meta, params)
            },
        )
}

/// The generic epoch's output in `T`, on the `f64` interface (bonds before storage).
fn generic_on(meta: &Meta, params: &super::super::ChainParams) -> EpochOutput {
    generic_as::<f64>(meta, params)
}

fn generic_as<T: crate::chain::numeric::Num>(
    meta: &Meta,
    params: &super::super::ChainParams,
) -> EpochOutput {
    let u16_rows = |rows: &[SparseRow], scale: f64| -> Vec<Vec<(u16, u16)>> {
        rows.iter()
            .map(|r| {
                r.iter()
                    .map(|&(j, v)| (j, (v * scale).round() as u16))
                    .collect()
            })
            .collect()
    };
    let stake: Vec<u64> = meta.stake.iter().map(|&s| s as u64).collect();
    let (weights, bonds) = (
        u16_rows(&meta.weights, 1.0),
        u16_rows(&meta.bonds, 65_535.0),
    );
    let input = super::super::ChainInput {
        block: meta.block,
        tempo: meta.tempo,
        last_mechanism_step_block: meta.lmsb,
        owner_uid: meta.owner,
        stake: &stake,
        last_update: &meta.last_update,
        block_at_registration: &meta.registered,
        validator_permit: &meta.permit,
        weights: &weights,
        bonds: &bonds,
        emission: meta.emission,
    };
    let out = super::super::generic::epoch::<T>(&input, params).expect("valid input");
    let f = |v: &[T]| v.iter().map(|x| x.to_f64()).collect::<Vec<f64>>();
    EpochOutput {
        active: out.active.clone(),
        stake: f(&out.stake),
        active_stake: f(&out.active_stake),
        consensus: f(&out.consensus),
        incentive: f(&out.incentive),
        dividends: f(&out.dividends),
        validator_trust: f(&out.validator_trust),
        server_emission: out.server_emission.clone(),
        validator_emission: out.validator_emission.clone(),
        new_validator_permit: out.new_validator_permit.clone(),
        bonds: out
            .bonds
            .iter()
            .map(|r| r.iter().map(|&(j, v)| (j, v.to_f64())).collect())
            .collect(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The fast dense `f64` epoch equals the generic epoch (the chain's sparse
    /// `epoch_mechanism` written over `Num`) run in `f64`, on any metagraph and parameters, up
    /// to rounding: the fast path is a specialisation of the one definition.
    #[test]
    fn fast_f64_epoch_matches_generic_f64((meta, params) in chain_case()) {
        let mut out = EpochOutput::default();
        EpochWorkspace::default().run(&meta.input(), &params.fractions(), &mut out).expect("valid");
        let want = generic_on(&meta, &params);
        matches_reference(&out, &want, 1e-9)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// One epoch in the chain's I32F32 against the same epoch in `f64`: every share within
    /// 1e-6 (the fixed point truncates ~2.3e-10 per operation), emissions within 1e-6 of the
    /// emission plus a rao.
    #[test]
    fn chain_epoch_is_close_to_f64((meta, params) in chain_case()) {
        let exact = generic_as::<crate::chain::numeric::I32F32>(&meta, &params);
        let float = generic_on(&meta, &params);
        prop_assert_eq!(&exact.new_validator_permit, &float.new_validator_permit);
        for (name, a, b) in [
            ("consensus", &exact.consensus, &float.consensus),
            ("incentive", &exact.incentive, &float.incentive),
            ("dividends", &exact.dividends, &float.dividends),
            ("validator_trust", &exact.validator_trust, &float.validator_trust),
        ] {
            for (k, (x, y)) in a.iter().zip(b.iter()).enumerate() {
                prop_assert!((x - y).abs() < 1e-6, "{}[{}]: {} vs {}", name, k, x, y);
            }
        }
    }
}
