//! Registration waves follow the chain's rules: free UIDs first, then the lowest-emission
//! non-immune UIDs are replaced; each registration pays the decayed burn and bumps it ×1.26;
//! a new UID earns nothing until validators weight it after its registration.

use subnetlab_sim::chain::registration::BurnRules;
use subnetlab_sim::engine;
use subnetlab_sim::scenario::load_str;

/// 4 validators + 16 miners fill 20 UIDs; immunity 100 blocks; tempo 100 (epochs at blocks
/// 99, 199, …). At block 298, one block before the epoch at 299, 6 strong miners register:
/// no validator can weight them before that epoch.
const FULL: &str = "\
name: wave
seed: 5
duration: { blocks: 700 }
subnets:
  - netuid: 1
    hyperparameters:
      tempo: 100
      max_allowed_uids: 20
      max_allowed_validators: 4
      immunity_period: 100
      min_non_immune_uids: 2
    validators:
      count: 4
      stake: { distribution: constant, value: 1000 }
      strategy: { kind: honest, noise: 0.01, interval: 50 }
    miners:
      count: 16
      quality: { distribution: uniform, min: 0.0, max: 1.0 }
timeline:
  - at: { block: 298 }
    register:
      - subnet: 0
        miners: { count: 6, quality: { distribution: constant, value: 2.0 } }
";

#[test]
fn a_wave_replaces_the_lowest_emission_uids() {
    let s = load_str("wave.yaml", FULL, &[]).unwrap();
    let r = engine::run(&s, 0, &mut |_| {}).unwrap();
    let n = &r.neurons;
    let rows = |block: u64| (0..n.uid.len()).filter(move |&i| n.block[i] == block);
    // Who should go: at the epoch of block 199, rank miners by combined emission (incentive
    // and dividends are paid as emission), then registration block (all equal), then uid.
    let mut ranked: Vec<(u64, u16)> = rows(199).map(|i| (n.emission_rao[i], n.uid[i])).collect();
    ranked.sort();
    let expected: Vec<u16> = {
        let mut v: Vec<u16> = ranked.iter().take(6).map(|(_, uid)| *uid).collect();
        v.sort();
        v
    };
    // After the wave the replaced UIDs hold the new miners (quality 2.0).
    let mut replaced: Vec<u16> = rows(299)
        .filter(|&i| n.quality[i] == Some(2.0))
        .map(|i| n.uid[i])
        .collect();
    replaced.sort();
    assert_eq!(replaced, expected);
    assert_eq!(
        rows(299).count(),
        20,
        "a full subnet stays at max_allowed_uids"
    );
    // New UIDs earn nothing at the first epoch: every validator's weights predate them (the
    // outdated mask) and were zeroed when their UID was replaced.
    for i in rows(299).filter(|&i| n.quality[i] == Some(2.0)) {
        assert_eq!(n.incentive[i], 0.0, "uid {}", n.uid[i]);
    }
    // Two epochs later validators have re-weighted and the strong newcomers lead.
    let best = rows(499)
        .max_by(|&a, &b| n.incentive[a].total_cmp(&n.incentive[b]))
        .unwrap();
    assert_eq!(n.quality[best], Some(2.0));

    // Price: 1 TAO at block 0 decays to block 298, then each registration pays and bumps.
    let rules = BurnRules::new(500_000, 100_000_000_000, 360, 1.26);
    let mut burn = rules.decay(1_000_000_000, 298);
    let mut paid = 0;
    for _ in 0..6 {
        paid += burn;
        burn = rules.bump(burn);
    }
    let sub = &r.subnets;
    let at = sub.block.iter().position(|b| *b == 299).unwrap();
    assert_eq!(sub.registrations[at], 6);
    assert_eq!(sub.registration_burn_rao[at], paid);
    assert_eq!(sub.burn_rao[at], rules.decay(burn, 299 - 298));
    assert_eq!(r.totals.registration_burn_rao, paid);
}

#[test]
fn registrations_fill_free_uids_first() {
    let text = FULL.replace("max_allowed_uids: 20", "max_allowed_uids: 30");
    let s = load_str("wave.yaml", &text, &[]).unwrap();
    let r = engine::run(&s, 0, &mut |_| {}).unwrap();
    let n = &r.neurons;
    let new: Vec<u16> = (0..n.uid.len())
        .filter(|&i| n.block[i] == 299 && n.quality[i] == Some(2.0))
        .map(|i| n.uid[i])
        .collect();
    assert_eq!(new, (20..26).collect::<Vec<u16>>());
}
