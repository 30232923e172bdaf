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
