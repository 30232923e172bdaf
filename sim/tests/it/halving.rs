//! The default scenario crosses the first halving in its middle; the network table shows it
//! at the exact block.

use subnetlab_sim::chain::emission::{RAO_PER_TAO, halving_threshold};
use subnetlab_sim::engine;

#[test]
fn default_scenario_shows_the_halving_at_the_right_block() {
    let s = crate::example("default.yaml", &[]);
    // 10,392,000 TAO at the start: 108,000 blocks of 1 TAO reach 10.5 M exactly, so block
    // 107,999 (the 108,000th, counting from 0) is the last 1-TAO block (spec §3.3).
    assert_eq!(s.start.issuance, 10_392_000.0);
    let record = engine::run(&s, 0, &mut |_| {}).unwrap();
    let net = &record.network;
    let at = |block: u64| {
        net.block
            .iter()
            .position(|b| *b == block)
            .unwrap_or_else(|| panic!("no row at {block}"))
    };
    let last_old = at(107_999);
    assert_eq!(net.issuance_rao[last_old], halving_threshold(1));
    assert_eq!(net.block_emission[last_old], 1.0);
    assert_eq!(net.halving_index[last_old], 0);
    let first_new = at(108_000);
    // Block 108,000 ends day 15 as well as starting the new rate: one row, not two (an audit
    // found the row written twice).
    assert!(
        net.block.windows(2).all(|w| w[0] < w[1]),
        "network rows must have distinct, increasing blocks"
    );
    assert_eq!(net.block_emission[first_new], 0.5);
    assert_eq!(net.halving_index[first_new], 1);
    assert_eq!(
        net.issuance_rao[first_new],
        halving_threshold(1) + RAO_PER_TAO / 2
    );
    // 216,000 blocks: 108,000 × 1 TAO + 108,000 × 0.5 TAO.
    assert_eq!(
        record.totals.minted_rao,
        108_000 * RAO_PER_TAO + 108_000 * RAO_PER_TAO / 2
    );
    // Epoch emission halves too: compare an epoch before and after (same tempo, same split).
    let sub = &record.subnets;
    let before = sub.emission_rao[10];
    let after = sub.emission_rao[sub.emission_rao.len() - 10];
    assert!(
        (before as f64 / after as f64 - 2.0).abs() < 1e-6,
        "{before} vs {after}"
    );
}
