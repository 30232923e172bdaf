//! More of upstream `pallets/subtensor/src/tests/epoch.rs` (subtensor @ 14bc6f9f), replayed in
//! the `chain` numeric mode. Every expected number is the upstream test's own assertion
//! (ASSERTED, exact); the setups are reduced to the storage the epoch reads (stake in rao,
//! registration and last-update blocks, stored u16 weights after `set_weights`'
//! max-upscaling). Epochs are called manually there, so `LastMechansimStepBlock = 0`.
//! `add_network_disable_commit_reveal` means classic Yuma (Yuma3Off) and no commit-reveal.

use super::{FixedChain, mock_chain_params};

/// Classic-Yuma mock parameters with `n` validator slots and the activity cutoff of `tempo`
/// (`max(1, 13,889 × tempo / 1000)`).
fn classic(max_validators: u16, tempo: u64) -> super::ChainParams {
    let mut p = mock_chain_params();
    p.yuma3 = false;
    p.max_allowed_validators = max_validators;
    p.activity_cutoff = (13_889 * tempo / 1000).max(1);
    p
}

/// `test_1_graph`: one uid with stake setting a self-weight: no permit yet and the diagonal is
/// masked, so rank, trust, consensus, incentive and dividends are 0.
#[test]
fn test_1_graph() {
    let mut chain = FixedChain::new(1, &[1_000_000_000], classic(64, 65_534));
    chain.tempo = 65_534;
    chain.set_weights(0, &[(0, u16::MAX)]);
    let out = chain.epoch();
    for v in [&out.consensus, &out.incentive, &out.dividends] {
        assert_eq!(FixedChain::u16s(v), [0]);
    }
}

/// `test_10_graph`: ten uids with 1 rao each, self-weights only: everything 0 and the
/// emission split by stake, `Emission = 99,999,999` each (0.1 truncated in I32F32).
#[test]
fn test_10_graph() {
    let mut chain = FixedChain::new(0, &[1; 10], classic(64, 65_534));
    chain.tempo = 65_534;
    chain.block = 1;
    for uid in 0..10 {
        chain.set_weights(uid, &[(uid as u16, u16::MAX)]);
    }
    chain.epoch();
    for uid in 0..10 {
        assert_eq!(chain.emission(uid), 99_999_999, "uid {uid}");
    }
    assert_eq!(FixedChain::u16s(&chain.out.dividends), [0; 10]);
    assert_eq!(FixedChain::u16s(&chain.out.incentive), [0; 10]);
}

/// `test_active_stake`: 4 uids with 1 rao, validators 0 and 1 weight servers 2 and 3 equally
/// (`u16::MAX / 2` each, stored max-upscaled as 65,535); then validator 1 goes inactive and
/// comes back. Dividends, emissions and stored (classic, column-max-upscaled) bonds as
/// asserted upstream, including the "discrepancies" its comments note (274,999,999 for
/// 275,000,000 etc.).
#[test]
fn test_active_stake() {
    let mut chain = FixedChain::new(0, &[1; 4], classic(4, 1));
    chain.epoch();
    chain.block = 1;
    for uid in 0..2 {
        chain.set_weights(uid, &[(2, 65_535), (3, 65_535)]);
    }
    chain.epoch();
    for uid in 0..4 {
        if uid < 2 {
            assert_eq!(FixedChain::u16s(&chain.out.dividends)[uid], 32_767);
        }
        assert_eq!(chain.emission(uid), 250_000_000, "uid {uid}");
    }
    for uid in 0..2 {
        assert_eq!(chain.bonds[uid], [(2, 65_535), (3, 65_535)]);
    }
    // The test runs to block `activity_cutoff + 2` with the legacy cutoff 5,000.
    chain.block = 5_002;
    chain.set_weights(0, &[(2, 65_535), (3, 65_535)]);
    chain.epoch();
    let d = FixedChain::u16s(&chain.out.dividends);
    assert_eq!((d[0], d[1]), (36_044, 29_490));
    assert_eq!(
        (chain.emission(0), chain.emission(1)),
        (274_999_999, 224_999_999)
    );
    assert_eq!(chain.bonds[0], [(2, 65_535), (3, 65_535)]);
    assert_eq!(chain.bonds[1], [(2, 53_619), (3, 53_619)]);
    chain.set_weights(1, &[(2, 65_535), (3, 65_535)]);
    chain.block = 5_003;
    chain.epoch();
    let d = FixedChain::u16s(&chain.out.dividends);
    assert_eq!((d[0], d[1]), (35_716, 29_818));
    assert_eq!(
        (chain.emission(0), chain.emission(1)),
        (272_501_132, 227_498_866)
    );
    assert_eq!(chain.bonds[0], [(2, 65_535), (3, 65_535)]);
    assert_eq!(chain.bonds[1], [(2, 54_712), (3, 54_712)]);
}

/// `test_zero_weights`: a validator (1 rao) and a server; with no valid weights the validator
/// takes the whole emission (stake fallback), also when the server self-weights and when the
/// validator's weights are outdated by the server's re-registration; once it weights the new
/// server, emission splits half and half. Tempo 65,534 wipes bonds every epoch.
#[test]
fn test_zero_weights() {
    let mut chain = FixedChain::new(0, &[1, 0], classic(64, 65_534));
    chain.tempo = 65_534;
    let (validator, server) = (0, 1);
    chain.epoch();
    assert_eq!(
        (chain.emission(validator), chain.emission(server)),
        (1_000_000_000, 0)
    );
    chain.block = 1;
    chain.set_weights(server, &[(1, u16::MAX)]);
    chain.epoch();
    assert_eq!(
        (chain.emission(validator), chain.emission(server)),
        (1_000_000_000, 0)
    );
    chain.block = 2;
    chain.set_weights(validator, &[(1, u16::MAX)]);
    // A new hotkey registers at the full subnet and replaces the server's uid.
    chain.register(server);
    chain.epoch();
    assert_eq!(
        (chain.emission(validator), chain.emission(server)),
        (1_000_000_000, 0)
    );
    chain.block = 3;
    chain.set_weights(validator, &[(1, u16::MAX)]);
    chain.epoch();
    assert_eq!(
        (chain.emission(validator), chain.emission(server)),
        (500_000_000, 500_000_000)
    );
}

/// `distribute_nodes`: validators and servers, blockwise (0), regularly interleaved (1) or
/// shuffled (2; upstream shuffles with an unseeded RNG, here a fixed permutation).
fn distribute(validators: usize, n: usize, interleave: usize) -> (Vec<usize>, Vec<usize>) {
    match interleave {
        0 => ((0..validators).collect(), (validators..n).collect()),
        1 => (0..n).partition(|i| i % (n / validators) == 0),
        _ => {
            use rand::SeedableRng;
            use rand::seq::SliceRandom;
            let mut uids: Vec<usize> = (0..n).collect();
            uids.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(n as u64));
            (uids[..validators].to_vec(), uids[validators..].to_vec())
        }
    }
}

/// `test_512_graph`: 512 uids, 64 validators with 328,125,000,000,000 rao each weighting all
/// 448 servers equally (`u16::MAX / 512` each, stored max-upscaled), servers with and without
/// self-weights, three epochs, every node layout. ASSERTED: validators C = I = 0, D = 1,023,
/// `Emission` 7,812,500, bonds 65,535 to a server and 0 to a validator; servers C = I = 146,
/// D = 0, `Emission` 1,116,071, no bonds.
#[test]
fn test_512_graph() {
    let (n, validators_n) = (512, 64);
    for interleave in 0..3 {
        for server_self in [false, true] {
            let (validators, servers) = distribute(validators_n, n, interleave);
            let stake: Vec<u64> = (0..n)
                .map(|i| {
                    if validators.contains(&i) {
                        328_125_000_000_000
                    } else {
                        0
                    }
                })
                .collect();
            let mut chain = FixedChain::new(0, &stake, classic(validators_n as u16, 65_534));
            chain.tempo = 65_534;
            chain.epoch();
            chain.block = 1;
            let mut row: Vec<(u16, u16)> = servers.iter().map(|&s| (s as u16, u16::MAX)).collect();
            row.sort_unstable();
            for &v in &validators {
                chain.set_weights(v, &row);
            }
            if server_self {
                for &s in &servers {
                    chain.set_weights(s, &[(s as u16, u16::MAX)]);
                }
            }
            for _ in 0..3 {
                chain.epoch();
            }
            let out = &chain.out;
            let (c, i, d) = (
                FixedChain::u16s(&out.consensus),
                FixedChain::u16s(&out.incentive),
                FixedChain::u16s(&out.dividends),
            );
            let (server, validator) = (servers[0] as u16, validators[0] as u16);
            let bond = |row: usize, col: u16| {
                chain.bonds[row]
                    .iter()
                    .find(|e| e.0 == col)
                    .map_or(0, |e| e.1)
            };
            for &v in &validators {
                assert_eq!((c[v], i[v], d[v]), (0, 0, 1_023), "validator {v}");
                assert_eq!(chain.emission(v), 7_812_500, "validator {v}");
                assert_eq!((bond(v, validator), bond(v, server)), (0, 65_535));
            }
            for &s in &servers {
                assert_eq!((c[s], i[s], d[s]), (146, 146, 0), "server {s}");
                assert_eq!(chain.emission(s), 1_116_071, "server {s}");
                assert!(chain.bonds[s].is_empty());
            }
        }
    }
}

/// `test_validator_permits`: with `StakeThreshold = validators_n`, the first epoch gives
/// permits to exactly the validators whose stake reaches the threshold (never to servers);
/// after the servers gain `2n` rao the next epoch moves every permit to them.
#[test]
fn test_validator_permits() {
    for interleave in 0..3 {
        for (n, validators_n) in [(2usize, 1usize), (4, 2), (8, 4)] {
            for assignment in 0..=1 {
                let (validators, servers) = distribute(validators_n, n, interleave);
                let mut stake = vec![0u64; n];
                for &v in &validators {
                    stake[v] = if assignment == 1 { (v + n) as u64 } else { 1 };
                }
                for &s in &servers {
                    stake[s] = if assignment == 1 { s as u64 } else { 0 };
                }
                let mut params = mock_chain_params(); // add_network: Yuma 3
                params.max_allowed_validators = validators_n as u16;
                params.stake_threshold = validators_n as u64;
                params.activity_cutoff = 910_201;
                let mut chain = FixedChain::new(0, &stake, params);
                chain.tempo = 65_534;
                chain.epoch();
                let case = format!("{interleave} {n} {assignment}");
                for &v in &validators {
                    assert_eq!(chain.permit[v], stake[v] >= validators_n as u64, "{case}");
                }
                for &s in &servers {
                    assert!(!chain.permit[s], "{case}");
                }
                for &s in &servers {
                    chain.stake[s] += 2 * n as u64;
                }
                chain.block = 1;
                chain.epoch();
                for &v in &validators {
                    assert!(!chain.permit[v], "{case}");
                }
                for &s in &servers {
                    assert!(chain.permit[s], "{case}");
                }
            }
        }
    }
}

/// `test_can_set_self_weight_as_subnet_owner`: the owner (uid 0, 5,000 TAO, permit) weights
/// itself and uid 1 at `u16::MAX / 2` each (written to storage directly); its self-weight is
/// kept, so both uids get the same, non-zero server emission.
#[test]
fn test_can_set_self_weight_as_subnet_owner() {
    let mut params = mock_chain_params();
    params.activity_cutoff = 5_000;
    let mut chain = FixedChain::new(1, &[5_000_000_000_000, 0], params);
    chain.tempo = 360;
    chain.owner = Some(0);
    chain.permit = vec![true, false];
    chain.weights[0] = vec![(0, u16::MAX / 2), (1, u16::MAX / 2)];
    chain.block = 2;
    chain.last_update = vec![2, 0];
    chain.epoch();
    let server = &chain.out.server_emission;
    assert!(server[0] > 0 && server[0] == server[1], "{server:?}");
}

/// `test_outdated_weights`: tempo 0 (activity cutoff 1 block), 4 uids with 1 rao; validators 0
/// and 1 weight servers 2 and 3 at 2:1, servers self-weight. A new hotkey then replaces uid 3
/// (the least incentive) and only validator 0 weights again: its weight to the new uid 3
/// counts, validator 1's is outdated. ASSERTED: D₀ = 32,767, `Emission₀` = 250,000,000,
/// stored bonds of uid 0 to servers 2 and 3 both 65,535.
#[test]
fn test_outdated_weights() {
    let mut chain = FixedChain::new(1, &[1; 4], classic(4, 0));
    chain.tempo = 0;
    chain.epoch();
    chain.block = 2;
    let row = crate::chain::set_weights::max_upscale_u16(&[2 * (u16::MAX / 3), u16::MAX / 3]);
    let validators_row = [(2, row[0]), (3, row[1])];
    for uid in 0..2 {
        chain.set_weights(uid, &validators_row);
    }
    for uid in 2..4 {
        chain.set_weights(uid, &[(uid as u16, u16::MAX)]);
    }
    chain.epoch();
    chain.register(3);
    chain.block = 3;
    chain.set_weights(0, &validators_row);
    chain.epoch();
    assert_eq!(FixedChain::u16s(&chain.out.dividends)[0], 32_767);
    assert_eq!(chain.emission(0), 250_000_000);
    assert_eq!(chain.bond(0, 2), 65_535);
    assert_eq!(chain.bond(0, 3), 65_535);
}

/// `test_deregistered_miner_bonds`: validators 0 and 1 bond to servers 2 and 3 (epoch at
/// block 4, tempo 2); a new hotkey replaces uid 3 at block 5 and the validators weight again
/// at block 5. In the epoch at block 6 the bonds to the new uid 3 are masked (registered after
/// the last tempo) and its weights are outdated: ASSERTED `B₀₂` does not fall, `B₀₃` does not
/// rise (here: stays 65,535, drops to 0).
#[test]
fn test_deregistered_miner_bonds() {
    let mut chain = FixedChain::new(1, &[1; 4], classic(4, 65_534));
    chain.tempo = 65_534;
    chain.epoch();
    chain.block = 2;
    let row = crate::chain::set_weights::max_upscale_u16(&[2 * (u16::MAX / 3), u16::MAX / 3]);
    let validators_row = [(2, row[0]), (3, row[1])];
    for uid in 0..2 {
        chain.set_weights(uid, &validators_row);
    }
    chain.block = 4;
    chain.tempo = 2;
    chain.params.activity_cutoff = 27;
    chain.epoch();
    let (b02, b03) = (chain.bond(0, 2), chain.bond(0, 3));
    assert!(b02 > 0 && b03 > 0, "{:?}", chain.bonds);
    chain.block = 5;
    chain.register(3);
    for uid in 0..2 {
        chain.set_weights(uid, &validators_row);
    }
    chain.block = 6;
    chain.epoch();
    assert!(chain.bond(0, 2) >= b02);
    assert!(chain.bond(0, 3) <= b03);
    assert_eq!((chain.bond(0, 2), chain.bond(0, 3)), (65_535, 0));
}

/// `test_epoch_outputs_single_staker_registered_no_weights`: one uid with 1 rao and no
/// weights: incentive plus dividend emission add up to the 1 TAO emitted (ASSERTED ±1,000
/// rao; exact here: the stake fallback gives it all).
#[test]
fn test_epoch_outputs_single_staker_registered_no_weights() {
    let mut chain = FixedChain::new(1, &[1], mock_chain_params());
    chain.tempo = 65_534;
    chain.epoch();
    assert_eq!(chain.emission(0), 1_000_000_000);
}

/// `ChainParams::from_fractions` inverts `fractions` for parameters the chain can store.
#[test]
fn chain_params_round_trip_through_fractions() {
    let mut p = mock_chain_params();
    p.alpha_sigmoid_steepness = -750;
    p.stake_threshold = 12_345;
    assert_eq!(super::ChainParams::from_fractions(&p.fractions()), p);
}
