//! Timeline disruptions: an outage silences validators for a window (their weights age past
//! the activity cutoff, so their dividends stop, then resume), and removed miners stop serving.

use subnetlab_sim::engine;
use subnetlab_sim::scenario::load_str;

/// Two equal validators (UIDs 0, 1), four miners; tempo 100, activity cutoff 300 blocks.
/// Validator 0 is offline for blocks [1,000, 3,000) of the run; miner UID 5 leaves at 2,000.
/// Hand reasoning: validator 0 last sets weights before block 1,000 (every 50 blocks), so from
/// block ~1,300 its `LastUpdate` is older than the cutoff and its dividends are 0; it sets
/// weights again from 3,000, and earns from the next epoch.
#[test]
fn an_outage_stops_dividends_for_its_window_and_removed_miners_stop_serving() {
    let yaml = "name: outage
seed: 3
duration: { blocks: 4000 }
record: { neurons: all, every: 1 }
subnets:
  - hyperparameters: { tempo: 100, activity_cutoff: 300, max_allowed_validators: 2, max_allowed_uids: 8, weights_rate_limit: 0 }
    validators:
      count: 2
      stake: { distribution: constant, value: 1000 }
      strategy: { kind: honest, noise: 0, interval: 50 }
    miners:
      count: 4
      quality: { distribution: fixed, values: [0.4, 0.3, 0.2, 0.1] }
      strategy: { kind: honest, drift: 0 }
timeline:
  - at: { block: 1000 }
    outage: [{ subnet: 0, uids: [0], blocks: 2000 }]
  - at: { block: 2000 }
    remove: [{ subnet: 0, uids: [5] }]
";
    let s = load_str("outage", yaml, &[]).unwrap();
    let r = engine::run(&s, 0, &mut |_| {}).unwrap();
    let n = &r.neurons;
    let dividends = |uid: u16, range: std::ops::Range<u64>| -> Vec<f64> {
        (0..n.uid.len())
            .filter(|&i| n.uid[i] == uid && range.contains(&n.block[i]))
            .map(|i| n.dividends[i])
            .collect()
    };
    assert!(dividends(0, 300..1_000).iter().all(|d| *d > 0.4));
    let out = dividends(0, 1_400..3_000);
    assert!(!out.is_empty() && out.iter().all(|d| *d == 0.0), "{out:?}");
    assert!(dividends(1, 1_400..3_000).iter().all(|d| *d == 1.0));
    // Back from 3,000: it earns again, its bonds (and so dividends) rebuilding epoch by epoch.
    let back = dividends(0, 3_100..4_000);
    assert!(
        back.iter().all(|d| *d > 0.0) && back.windows(2).all(|w| w[1] >= w[0]),
        "{back:?}"
    );
    // Miner UID 5 (quality 0.1) serves until 2,000, then at quality 0 with no incentive.
    for i in 0..n.uid.len() {
        if n.uid[i] == 5 {
            let expect = if n.block[i] < 2_000 { 0.1 } else { 0.0 };
            assert_eq!(n.quality[i], Some(expect), "block {}", n.block[i]);
            if n.block[i] >= 2_100 {
                assert_eq!(n.incentive[i], 0.0);
            }
        }
    }
}
