//! Invariants over random small scenarios (proptest): emission is conserved to the rao, supply
//! never exceeds 21 M TAO, incentive and dividends sum to 1 or 0 in every epoch, no NaN.

use proptest::prelude::*;
use subnetlab_sim::chain::emission::{MAX_SUPPLY_RAO, RAO_PER_TAO, halving_threshold};
use subnetlab_sim::engine;
use subnetlab_sim::scenario::*;

fn subnet_strategy() -> impl Strategy<Value = Subnet> {
    (
        1u16..40,                                           // tempo
        1u32..6,                                            // validators
        0u32..10,                                           // miners
        any::<bool>(),                                      // yuma3
        any::<bool>(),                                      // liquid alpha
        0u16..=u16::MAX,                                    // bonds penalty
        0.0f64..0.5,                                        // noise
        prop_oneof![Just(None), (1u64..30).prop_map(Some)], // update interval
        0.0f64..3.0,                                        // emission share
        any::<bool>(),                                      // an owner hotkey that burns
    )
        .prop_map(
            |(tempo, v, m, yuma3, liquid, penalty, noise, interval, share, owner)| Subnet {
                cohorts: Vec::new(),
                operators: Vec::new(),
                owner: owner.then_some(SubnetOwner {
                    stake: 10.0,
                    strategy: OwnerStrategy::Burn { interval: Some(7) },
                }),
                netuid: None,
                name: None,
                emission_share: share,
                pool: PoolStart::default(),
                economics: None,
                hyperparameters: Hyperparameters {
                    tempo,
                    yuma3,
                    bonds_penalty: penalty,
                    liquid_alpha: LiquidAlpha {
                        enabled: liquid,
                        ..Default::default()
                    },
                    max_allowed_validators: 4,
                    max_allowed_uids: 16,
                    ..Default::default()
                },
                validators: Validators {
                    count: v,
                    stake: Distribution::Lognormal {
                        mu: 0.0,
                        sigma: 1.0,
                        total: Some(1000.0),
                    },
                    root_stake: None,
                    strategy: ValidatorStrategy::Honest {
                        noise,
                        weights: WeightRule::Proportional,
                        interval,
                    },
                },
                miners: Miners {
                    count: m,
                    quality: Distribution::Uniform {
                        min: 0.0,
                        max: 1.0,
                        total: None,
                    },
                    stake: None,
                    strategy: MinerStrategy::Honest { drift: 0.1 },
                },
            },
        )
}

prop_compose! {
    fn scenario_strategy()(
        subnets in prop::collection::vec(subnet_strategy(), 1..4),
        blocks in 1u64..600,
        level in 0u32..31,
        below in 0u64..300,
        seed in any::<u64>(),
        owner_cut in any::<u16>(),
        change_at in 0u64..600,
        new_tempo in 1u16..40,
        new_share in 0.0f64..3.0,
        wave in 1u32..20,
        schedule in 0usize..5,
    ) -> Scenario {
        // Start just below a halving threshold so crossings are common.
        let issuance = halving_threshold(level).saturating_sub(below * RAO_PER_TAO / 7);
        let mut subnets = subnets;
        subnets[0].emission_share += 0.1;
        let mut s = Scenario {
            name: "prop".into(),
            description: String::new(),
            seed,
            duration: Duration { blocks: Some(blocks), ..Default::default() },
            start: Start { block: 1_000, issuance: issuance as f64 / RAO_PER_TAO as f64 },
            network: Network {
                owner_cut,
                emission: [
                    EmissionSchedule::Chain,
                    EmissionSchedule::HalvingEveryBlocks { interval: 300, initial: 1.0 },
                    EmissionSchedule::SmoothExponential { initial: 1.0 },
                    EmissionSchedule::Constant { per_block: 2.5 },
                    EmissionSchedule::Table { by: TableBy::Block, steps: vec![TableStep { from: 0.0, per_block: 1.0 }, TableStep { from: 1_200.0, per_block: 0.3 }] },
                ][schedule]
                .clone(),
                ..Default::default()
            },
            subnets,
            timeline: Vec::new(),
            replicates: 1,
            sweep: None,
            record: Record::default(),
            // Every third case runs the chain's fixed-point epoch: conservation holds there too.
            numeric: if seed % 3 == 0 {
                subnetlab_sim::chain::numeric::Numeric::Chain
            } else {
                subnetlab_sim::chain::numeric::Numeric::F64
            },
        };
        // A mid-run change of the last subnet's tempo and share (never the only share > 0).
        if change_at < blocks {
            let k = s.subnets.len() - 1;
            let share = if k == 0 { new_share + 0.1 } else { new_share };
            let set = [
                (format!("subnets[{k}].hyperparameters.tempo"), yaml_serde::Value::from(new_tempo)),
                (format!("subnets[{k}].emission_share"), yaml_serde::Value::from(share)),
            ];
            // …and a wave of new miners on the first subnet (it may be full: then pruning replaces).
            let register = vec![Wave {
                subnet: 0,
                validators: None,
                miners: Some(Miners {
                    count: wave,
                    quality: Distribution::Uniform { min: 0.0, max: 2.0, total: None },
                    stake: None,
                    strategy: MinerStrategy::Honest { drift: 0.0 },
                }),
            }];
            s.timeline.push(Change { at: At { block: Some(change_at), ..Default::default() }, set: set.into_iter().collect(), register, outage: Vec::new(), remove: Vec::new() });
        }
        s.resolve();
        s
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    #[test]
    fn emission_is_conserved_and_shares_are_sane(s in scenario_strategy()) {
        let record = engine::run(&s, 0, &mut |_| {}).unwrap();
        let t = &record.totals;
        prop_assert_eq!(
            t.minted_rao,
            t.miners_rao + t.validators_rao + t.owner_cut_rao + t.owner_burned_rao + t.dust_rao + t.pending_rao,
            "totals {:?}", t
        );
        let last = record.network.issuance_rao.last().copied().unwrap_or(0);
        prop_assert!(last <= MAX_SUPPLY_RAO);
        // Per epoch: rows of one (subnet, epoch) have incentive and dividends summing to 1 or 0.
        let n = &record.neurons;
        // f64 sums to 1 within rounding; the chain's I32F32 shares are each truncated to 2^-32,
        // so a subnet's sum may fall short of 1 by up to one such step per UID.
        let step = match s.numeric {
            subnetlab_sim::chain::numeric::Numeric::F64 => 0.0,
            subnetlab_sim::chain::numeric::Numeric::Chain => 2f64.powi(-32),
        };
        let mut i = 0;
        while i < n.uid.len() {
            let (subnet, epoch) = (n.subnet[i], n.epoch[i]);
            let mut j = i;
            let (mut inc, mut div) = (0.0, 0.0);
            while j < n.uid.len() && n.subnet[j] == subnet && n.epoch[j] == epoch {
                for v in [n.incentive[j], n.dividends[j], n.consensus[j], n.validator_trust[j], n.stake[j]] {
                    prop_assert!(v.is_finite() && v >= 0.0);
                }
                inc += n.incentive[j];
                div += n.dividends[j];
                j += 1;
            }
            let tolerance = 1e-9 + (j - i) as f64 * step;
            prop_assert!(inc.abs() < tolerance || (inc - 1.0).abs() < tolerance, "incentive sum {}", inc);
            prop_assert!(div.abs() < tolerance || (div - 1.0).abs() < tolerance, "dividend sum {}", div);
            i = j;
        }
        // Subnet rows add up to the neuron rows.
        let paid: u64 = n.emission_rao.iter().sum();
        prop_assert_eq!(paid, t.miners_rao + t.validators_rao);
    }
}

prop_compose! {
    /// The same small scenarios with dTAO pools: any share rule, root stake or none, stakers or
    /// none, random starting pools.
    fn pooled_scenario()(
        mut s in scenario_strategy(),
        rule in 0usize..4,
        root in prop_oneof![Just(0.0), 1.0f64..5_000_000.0],
        validator_root in 0.0f64..1.0,
        stakers in any::<bool>(),
        inertia in 0.0f64..1.0,
        pools in prop::collection::vec((0.001f64..50_000.0, 0.001f64..50_000.0, 0.0f64..1.0), 4),
        fast in any::<bool>(),
        cost in prop_oneof![Just(None), (0.0f64..2_000_000.0).prop_map(Some)],
    ) -> Scenario {
        // Miners that leave when unprofitable and candidates that enter when it pays.
        for subnet in &mut s.subnets {
            subnet.economics = cost.map(|cost_per_day| MinerEconomics {
                cost_per_day,
                patience_days: 0.02,
                entrants: Some(Entrants {
                    rate_per_day: 100.0,
                    quality: Distribution::Uniform { min: 0.0, max: 2.0, total: None },
                    payback_days: 30.0,
                }),
            });
        }
        s.network.coinbase = Coinbase {
            pools: true,
            share_rule: [ShareRule::Fixed, ShareRule::Equal, ShareRule::PriceEma, ShareRule::TaoFlow][rule],
            root_stake: root,
            // Fast EMAs so a few hundred blocks move prices and flows visibly.
            moving_alpha: if fast { 0.01 } else { 0.000_003 },
            flow_half_life: if fast { 50 } else { 216_000 },
            ..Default::default()
        };
        // Validators hold up to all of the root stake (spec §1.5, §4.8), split among subnets.
        let per_subnet = root * validator_root / s.subnets.len().max(1) as f64;
        for subnet in &mut s.subnets {
            subnet.validators.root_stake = (per_subnet > 0.0).then_some(Distribution::Uniform {
                min: 0.0,
                max: 1.0,
                total: Some(per_subnet),
            });
        }
        for (subnet, (tao, alpha, mp)) in s.subnets.iter_mut().zip(pools) {
            subnet.pool = PoolStart { tao, alpha, moving_price: Some(mp), age_days: 0.5 };
        }
        s.network.stakers = stakers.then_some(Stakers {
            count: 5,
            wallet: Distribution::Uniform { min: 0.0, max: 5_000.0, total: None },
            interval: 37,
            inertia,
            exit_drop: 0.05,
            noise: 0.3,
        });
        s
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    /// With pools, both ledgers close to the rao: every minted TAO went into a pool (injection
    /// or chain buy) or was recycled; every emitted alpha was paid, cut, burned, lost to
    /// flooring, is pending, or went to root; and each pool's TAO is its start plus emission
    /// plus what registrations and stakers put in minus what unstaking took out.
    #[test]
    fn pooled_emission_is_conserved(s in pooled_scenario()) {
        let record = engine::run(&s, 0, &mut |_| {}).unwrap();
        let t = &record.totals;
        prop_assert_eq!(t.minted_rao, t.tao_in_rao + t.excess_tao_rao + t.recycled_rao, "TAO {:?}", t);
        prop_assert_eq!(
            t.alpha_emitted_rao,
            t.miners_rao + t.validators_rao + t.owner_cut_rao + t.owner_burned_rao + t.dust_rao
                + t.pending_rao + t.root_alpha_rao + t.root_recycled_rao,
            "alpha {:?}", t
        );
        prop_assert_eq!(
            t.pool_tao_end_rao + t.pool_out_rao,
            t.pool_tao_start_rao + t.tao_in_rao + t.excess_tao_rao + t.pool_in_rao,
            "pools {:?}", t
        );
        let sub = &record.subnets;
        for i in 0..sub.price.len() {
            prop_assert!(sub.price[i].is_finite() && sub.price[i] >= 0.0);
            prop_assert!((0.0..=1.0).contains(&sub.moving_price[i]), "moving price {}", sub.moving_price[i]);
            prop_assert!((0.0..=1.0 + 1e-12).contains(&sub.share[i]));
        }
    }
}
