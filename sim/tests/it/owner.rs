//! The subnet owner's hotkey (UID 0): always permitted, keeps its self-weight, is never pruned,
//! and incentive landing on it is burned.

use subnetlab_sim::engine;
use subnetlab_sim::record::Role;
use subnetlab_sim::scenario::load_str;

fn scenario(owner_stake: f64) -> String {
    format!(
        "\
name: owner
duration: {{ blocks: 400 }}
subnets:
  - hyperparameters:
      tempo: 100
      max_allowed_uids: 12
      max_allowed_validators: 3
      immunity_period: 10
      min_non_immune_uids: 1
      commit_reveal: {{ enabled: false }}
    owner: {{ stake: {owner_stake}, strategy: {{ kind: burn, interval: 100 }} }}
    validators:
      count: 3
      stake: {{ distribution: constant, value: 100 }}
      strategy: {{ kind: honest, noise: 0.01, interval: 100 }}
    miners:
      count: 8
timeline:
  - at: {{ block: 350 }}
    register:
      - subnet: 0
        miners: {{ count: 5 }}
"
    )
}

#[test]
fn a_stakeless_owner_keeps_its_permit_and_is_never_pruned() {
    let r = engine::run(
        &load_str("o.yaml", &scenario(0.0), &[]).unwrap(),
        0,
        &mut |_| {},
    )
    .unwrap();
    let n = &r.neurons;
    for i in (0..n.uid.len()).filter(|&i| n.uid[i] == 0) {
        assert_eq!(n.role[i], Role::Owner);
        assert!(
            n.validator_permit[i],
            "block {}: the owner always holds a permit",
            n.block[i]
        );
    }
    // 5 registrations into a full subnet replaced 5 UIDs, never UID 0 (the owner has the lowest
    // emission of all: zero).
    let last = *n.block.iter().max().unwrap();
    let owner_rows = (0..n.uid.len())
        .filter(|&i| n.block[i] == last && n.uid[i] == 0 && n.role[i] == Role::Owner)
        .count();
    assert_eq!(owner_rows, 1);
    assert_eq!(r.subnets.registrations.iter().sum::<u32>(), 5);
    // Without stake its self-weight has no consensus behind it: nothing is burned.
    assert_eq!(r.totals.owner_burned_rao, 0);
}

#[test]
fn an_owner_with_the_stake_majority_burns_miner_emission() {
    // 400 TAO against 3 × 100: the owner's self-weight carries consensus on UID 0.
    let r = engine::run(
        &load_str("o.yaml", &scenario(400.0), &[]).unwrap(),
        0,
        &mut |_| {},
    )
    .unwrap();
    let t = &r.totals;
    assert!(t.owner_burned_rao > 0, "{t:?}");
    // Conservation, with the burn as its own line.
    assert_eq!(
        t.minted_rao,
        t.miners_rao
            + t.validators_rao
            + t.owner_cut_rao
            + t.owner_burned_rao
            + t.dust_rao
            + t.pending_rao
    );
    // The burn comes out of the miners' half: miners now get less than validators (without an
    // owner both halves are equal to the rao).
    assert!(t.miners_rao < t.validators_rao, "{t:?}");
}
