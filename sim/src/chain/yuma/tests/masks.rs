//! Hand-computed small epochs, one per mask, plus input errors. Every expected number is
//! derived in the comment above its assertion (kappa 32767/65535 ≈ 0.499992, so the minority
//! is `1 − κ ≈ 0.500008`; Yuma 3 with the fixed EMA rate `1 − 0.9 = 0.1`; β = 1).

use super::super::{EpochError, EpochInput, EpochOutput, SparseRow, YumaParams, epoch};
use super::mock_params;

/// Plain inputs: everything registered at block 0, updated at `block`, all active.
struct Case {
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
    params: YumaParams,
}

impl Case {
    fn new(stake: &[f64], permit: &[bool], weights: Vec<SparseRow>) -> Self {
        let n = stake.len();
        Self {
            block: 10,
            tempo: 360,
            lmsb: 0,
            owner: None,
            stake: stake.to_vec(),
            last_update: vec![10; n],
            registered: vec![0; n],
            permit: permit.to_vec(),
            weights,
            bonds: vec![Vec::new(); n],
            params: mock_params(),
        }
    }

    fn run(&self) -> Result<EpochOutput, EpochError> {
        let input = EpochInput {
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
            emission: 1000,
        };
        epoch(&input, &self.params)
    }
}

fn close(got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() < 1e-12, "{got:?} vs {want:?}");
    }
}

fn close_row(got: &SparseRow, want: &[(u16, f64)]) {
    assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
    for (g, w) in got.iter().zip(want) {
        assert!(
            g.0 == w.0 && (g.1 - w.1).abs() < 1e-12,
            "{got:?} vs {want:?}"
        );
    }
}

/// uid 1 has stake but no previous permit: its weight on miner 3 is ignored.
/// S = [.5, .5, 0, 0]; Sa = S·P = [1, 0, 0, 0]; W = {0: [(2, 1)]}; C = [0, 0, 1, 0];
/// I = [0, 0, 1, 0]; Tv = [1, 0, 0, 0]; bonds B'(0,2) = 0.1·1 = 0.1; D = [1, 0, 0, 0];
/// E = 1000 → miners [0, 0, 500, 0], validators [500, 0, 0, 0]; new permits [T, T, F, F].
#[test]
fn non_permitted_row_is_masked() {
    let case = Case::new(
        &[1.0, 1.0, 0.0, 0.0],
        &[true, false, false, false],
        vec![vec![(2, 1.0)], vec![(3, 1.0)], vec![], vec![]],
    );
    let out = case.run().unwrap();
    close(&out.active_stake, &[1.0, 0.0, 0.0, 0.0]);
    close(&out.consensus, &[0.0, 0.0, 1.0, 0.0]);
    close(&out.incentive, &[0.0, 0.0, 1.0, 0.0]);
    close(&out.validator_trust, &[1.0, 0.0, 0.0, 0.0]);
    close(&out.dividends, &[1.0, 0.0, 0.0, 0.0]);
    assert_eq!(out.server_emission, [0, 0, 500, 0]);
    assert_eq!(out.validator_emission, [500, 0, 0, 0]);
    assert_eq!(out.new_validator_permit, [true, true, false, false]);
    close_row(&out.bonds[0], &[(2, 0.1)]);
    assert!(out.bonds[1..].iter().all(Vec::is_empty));
}

/// Both validators (stake .5 each) weight themselves and miner 2 equally.
/// No owner: self-weights go, both rows become [(2, 1)]: C = [0, 0, 1], I = [0, 0, 1].
/// Owner uid 1: its row keeps (1, 1) → [(1, .5), (2, .5)]; uid 0's row is [(2, 1)].
/// Column 1: scores 0 (uid 0, absent) and .5, stake .5 each: Σ_{≤0} = .5 ≯ .500008, so
/// C1 = .5. Column 2: scores .5 and 1: Σ_{≤.5} = .5 ≯ m, so C2 = 1. Nothing is clipped.
/// R1 = .5·.5 = .25, R2 = .5·1 + .5·.5 = .75: I = [0, .25, .75]; Tv = [1, 1, 0].
#[test]
fn self_weight_removed_except_owner() {
    let weights = vec![vec![(0, 1.0), (2, 1.0)], vec![(1, 1.0), (2, 1.0)], vec![]];
    let mut case = Case::new(&[1.0, 1.0, 0.0], &[true, true, false], weights);
    let out = case.run().unwrap();
    close(&out.consensus, &[0.0, 0.0, 1.0]);
    close(&out.incentive, &[0.0, 0.0, 1.0]);
    case.owner = Some(1);
    let out = case.run().unwrap();
    close(&out.consensus, &[0.0, 0.5, 1.0]);
    close(&out.incentive, &[0.0, 0.25, 0.75]);
    close(&out.validator_trust, &[1.0, 1.0, 0.0]);
}

/// Validator 0 last updated at block 10; miner 1 (re)registered at block 10 (outdated:
/// `10 <= 10`), miner 2 at block 9. W = [(2, 1)] → C = I = [0, 0, 1].
#[test]
fn outdated_weight_removed() {
    let mut case = Case::new(
        &[1.0, 0.0, 0.0],
        &[true, false, false],
        vec![vec![(1, 1.0), (2, 1.0)], vec![], vec![]],
    );
    case.block = 11;
    case.registered = vec![0, 10, 9];
    let out = case.run().unwrap();
    close(&out.consensus, &[0.0, 0.0, 1.0]);
    close(&out.incentive, &[0.0, 0.0, 1.0]);
    // Registered at block 9 instead: not outdated, both columns count (.5 each).
    case.registered = vec![0, 9, 9];
    close(&case.run().unwrap().incentive, &[0.0, 0.5, 0.5]);
}

/// Cutoff 5 at block 20: uid 1 last updated at 14 (14 + 5 < 20) is inactive.
/// S = [.75, .25, 0, 0] but Sa = [1, 0, 0, 0]. uid 1's weight row stays but it does not vote:
/// C = [0, 0, 1, 0]; its entry on miner 3 is above a zero consensus and is dropped, so
/// Tv = [1, 0, 0, 0], I = [0, 0, 1, 0]; its Wb row is empty, so it bonds nothing: D = [1, 0, 0, 0].
#[test]
fn activity_cutoff_removes_stake() {
    let mut case = Case::new(
        &[3.0, 1.0, 0.0, 0.0],
        &[true, true, false, false],
        vec![vec![(2, 1.0)], vec![(3, 1.0)], vec![], vec![]],
    );
    case.block = 20;
    case.params.activity_cutoff = 5;
    case.last_update = vec![20, 14, 20, 20];
    let out = case.run().unwrap();
    assert_eq!(out.active, [true, false, true, true]);
    close(&out.stake, &[0.75, 0.25, 0.0, 0.0]);
    close(&out.active_stake, &[1.0, 0.0, 0.0, 0.0]);
    close(&out.consensus, &[0.0, 0.0, 1.0, 0.0]);
    close(&out.validator_trust, &[1.0, 0.0, 0.0, 0.0]);
    close(&out.incentive, &[0.0, 0.0, 1.0, 0.0]);
    close(&out.dividends, &[1.0, 0.0, 0.0, 0.0]);
    assert!(out.bonds[1].is_empty());
}

/// Block 100, LMSB 90 → last_tempo 91. Miner 1 re-registered at 95 (≥ 91: its old bond is
/// wiped), miner 2 at 50. Old bonds of validator 0: {1: .5, 2: .5}; W = [(1, .5), (2, .5)],
/// C = [0, .5, .5] (sole voter).
/// Yuma 3, α 0.1: B'(0,1) = .1·.5 = .05 (fresh), B'(0,2) = .1·.5 + .9·.5 = .5.
/// Miner 1 registered at 90 instead (< 91): kept, B'(0,1) = .5 too.
/// With LMSB 0 and tempo 10: last_tempo = 100 − 10 = 90, so registration 90 is masked again.
#[test]
fn bond_mask_for_reregistered_column() {
    let mut case = Case::new(
        &[1.0, 0.0, 0.0],
        &[true, false, false],
        vec![vec![(1, 1.0), (2, 1.0)], vec![], vec![]],
    );
    case.block = 100;
    case.tempo = 10;
    case.lmsb = 90;
    case.last_update = vec![99, 99, 99];
    case.registered = vec![0, 95, 50];
    case.bonds = vec![vec![(1, 0.5), (2, 0.5)], vec![], vec![]];
    close_row(&case.run().unwrap().bonds[0], &[(1, 0.05), (2, 0.5)]);
    case.registered = vec![0, 90, 50];
    close_row(&case.run().unwrap().bonds[0], &[(1, 0.5), (2, 0.5)]);
    case.lmsb = 0;
    close_row(&case.run().unwrap().bonds[0], &[(1, 0.05), (2, 0.5)]);

    // Classic: the masked column starts from ΔB alone. Column 1: B = {} → B' = .1·1 = .1,
    // column-normalised 1; column 2: B = {.5} → normalised 1 → B' = .1·1 + .9·1 = 1.
    // Stored column-max upscaled: both 1.
    case.params.yuma3 = false;
    case.lmsb = 90;
    case.registered = vec![0, 95, 50];
    close_row(&case.run().unwrap().bonds[0], &[(1, 1.0), (2, 1.0)]);
}

/// Stakes [5, 2, 0], threshold 3: uid 1 is cut (S = [1, 0, 0], no new permit) unless it is
/// the owner (S = [5/7, 2/7, 0]). An owner without stake still gets a permit.
#[test]
fn stake_threshold_owner_exempt() {
    let mut case = Case::new(&[5.0, 2.0, 0.0], &[false; 3], vec![vec![]; 3]);
    case.params.stake_threshold = 3.0;
    let out = case.run().unwrap();
    close(&out.stake, &[1.0, 0.0, 0.0]);
    assert_eq!(out.new_validator_permit, [true, false, false]);
    case.owner = Some(1);
    close(&case.run().unwrap().stake, &[5.0 / 7.0, 2.0 / 7.0, 0.0]);
    case.owner = Some(2);
    let out = case.run().unwrap();
    close(&out.stake, &[1.0, 0.0, 0.0]);
    assert_eq!(out.new_validator_permit, [true, false, true]);
}

/// Four equal stakes, two validator slots: the stable ascending sort puts uids 0, 1 first
/// and they lose. The owner keeps a permit on top of the top-k.
#[test]
fn permit_top_k_tie_break() {
    let mut case = Case::new(&[1.0; 4], &[false; 4], vec![vec![]; 4]);
    case.params.max_allowed_validators = 2;
    assert_eq!(
        case.run().unwrap().new_validator_permit,
        [false, false, true, true]
    );
    case.owner = Some(0);
    assert_eq!(
        case.run().unwrap().new_validator_permit,
        [true, false, true, true]
    );
    // Nobody had a permit and there are no weights: validators take E by stake (fallback to
    // S because Sa is all zero, except the owner's forced permit gives it Sa = 1).
    let out = case.run().unwrap();
    assert_eq!(out.validator_emission, [1000, 0, 0, 0]);
}

/// Entries at uids >= n are ignored like on chain; malformed input is an error, not a panic.
#[test]
fn input_errors() {
    let base = || {
        Case::new(
            &[1.0, 0.0],
            &[true, false],
            vec![vec![(1, 1.0), (7, 5.0)], vec![]],
        )
    };
    let out = base().run().unwrap();
    close(&out.incentive, &[0.0, 1.0]);

    let mut case = base();
    case.stake.push(1.0);
    assert!(matches!(
        case.run(),
        Err(EpochError::LengthMismatch {
            field: "last_update",
            ..
        })
    ));
    let mut case = base();
    case.stake[1] = f64::NAN;
    assert!(matches!(
        case.run(),
        Err(EpochError::InvalidStake { uid: 1, .. })
    ));
    let mut case = base();
    case.weights[0][0].1 = -1.0;
    assert!(matches!(
        case.run(),
        Err(EpochError::InvalidEntry {
            matrix: "weights",
            ..
        })
    ));
    let mut case = base();
    case.bonds[1] = vec![(0, f64::INFINITY)];
    assert!(matches!(
        case.run(),
        Err(EpochError::InvalidEntry {
            matrix: "bonds",
            row: 1,
            ..
        })
    ));
    let mut case = base();
    case.weights[0] = vec![(1, 1.0), (0, 1.0)];
    assert!(matches!(
        case.run(),
        Err(EpochError::UnsortedRow { row: 0, .. })
    ));
    let mut case = base();
    case.params.kappa = 1.5;
    let err = case.run().unwrap_err();
    assert_eq!(
        err.to_string(),
        "parameter `kappa` = 1.5 is out of its domain"
    );

    let n = usize::from(u16::MAX) + 2;
    let mut case = Case::new(&vec![0.0; n], &vec![false; n], vec![vec![]; n]);
    case.bonds = vec![vec![]; n];
    assert_eq!(case.run().unwrap_err(), EpochError::TooManyUids { n });
    let empty = Case::new(&[], &[], vec![]).run().unwrap();
    assert!(empty.incentive.is_empty() && empty.bonds.is_empty());
}
