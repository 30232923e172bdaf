//! The coinbase of dTAO (spec §4): each block's TAO emission shared among subnets by a share
//! rule, turned into pool injections and chain buys, and each subnet's own alpha emission split
//! into the owner cut, the miners' half, and the validators' half (of which root stakers take
//! `root_prop`). Pure functions over plain numbers; the engine applies them to its pools.

use serde::{Deserialize, Serialize};

/// How each block's TAO emission is shared among subnets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShareRule {
    /// The scenario's `emission_share` weights (default; the foundation's model).
    #[default]
    Fixed,
    /// Every subnet the same.
    Equal,
    /// The chain's rule since June 2026 (`get_shares_price_ema`): moving price (the EMA of the
    /// spot price capped at 1), normalised, times `1 − MinerBurned`, normalised again.
    PriceEma,
    /// The rule of Nov 2025 – Jun 2026 (`get_shares_flow`): the EMA of net TAO staked in
    /// (stake, registration) minus out (unstake), clipped below at `max(0, min flow)` and
    /// normalised with exponent 1.
    TaoFlow,
}

/// What a share rule reads of one subnet.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ShareInput {
    /// The scenario weight (`fixed`).
    pub fixed: f64,
    /// `SubnetMovingPrice` (`price_ema`).
    pub moving_price: f64,
    /// Fraction of the last epoch's miner incentive that was burned on owner hotkeys.
    pub miner_burned: f64,
    /// EMA of the net TAO flow, rao per block (`tao_flow`).
    pub flow_ema: f64,
}

/// Each subnet's share of the block emission under `rule`; the shares sum to 1, or are all 0
/// when no subnet qualifies (the chain then recycles the block's TAO).
pub fn shares(rule: ShareRule, subnets: &[ShareInput], out: &mut Vec<f64>) {
    out.clear();
    match rule {
        ShareRule::Fixed => out.extend(subnets.iter().map(|s| s.fixed.max(0.0))),
        ShareRule::Equal => out.extend(subnets.iter().map(|_| 1.0)),
        ShareRule::PriceEma => {
            let total: f64 = subnets.iter().map(|s| s.moving_price.max(0.0)).sum();
            if total > 0.0 {
                out.extend(subnets.iter().map(|s| s.moving_price.max(0.0) / total));
                let weighted: f64 = out
                    .iter()
                    .zip(subnets)
                    .map(|(p, s)| p * (1.0 - s.miner_burned.clamp(0.0, 1.0)))
                    .sum();
                // All burned: the chain falls back to the plain price shares.
                if weighted > 0.0 {
                    for (p, s) in out.iter_mut().zip(subnets) {
                        *p = *p * (1.0 - s.miner_burned.clamp(0.0, 1.0)) / weighted;
                    }
                }
            } else {
                out.resize(subnets.len(), 0.0);
            }
        }
        ShareRule::TaoFlow => {
            // L = max(TaoFlowCutoff = 0, min_i min(S_i, 0)) = 0, so z_i = max(S_i, 0).
            out.extend(subnets.iter().map(|s| s.flow_ema.max(0.0)));
        }
    }
    let total: f64 = out.iter().sum();
    if total > 0.0 && total.is_finite() {
        out.iter_mut().for_each(|s| *s /= total);
    } else {
        out.iter_mut().for_each(|s| *s = 0.0);
    }
}

/// `FlowEmaSmoothingFactor` default as a fraction: 29,597,889,189,277 / i64::MAX ≈ 3.209e-6 per
/// block, a half-life of 216,000 blocks (30 days).
pub const FLOW_EMA_ALPHA: f64 = 29_597_889_189_277.0 / i64::MAX as f64;

/// The flow EMA after `blocks` blocks in which `flow` rao flowed in the first block and nothing
/// after (`get_ema_flow` applied once per block: `ema ← (1 − a)·ema + a·flow`).
pub fn flow_ema_after(ema: f64, flow: f64, blocks: u64, alpha: f64) -> f64 {
    if blocks == 0 {
        return ema;
    }
    let keep = (1.0 - alpha).powi(blocks.min(i32::MAX as u64) as i32);
    keep * ema + alpha * flow * keep / (1.0 - alpha)
}

/// The moving price after `blocks` blocks at a constant spot price (spec §5.6), in closed form:
/// `ema_n = s + (ema − s)·(1 − a)^n` with `s = min(spot, 1)` and the warm-up factor `a` taken at
/// the middle of the stretch (`b` = blocks since first emission at its first block).
pub fn moving_price_after(
    ema: f64,
    spot: f64,
    since_first_emission: u64,
    blocks: u64,
    moving_alpha: f64,
    halving_blocks: u64,
) -> f64 {
    if blocks == 0 {
        return ema;
    }
    let mid = since_first_emission as f64 + (blocks as f64 - 1.0) / 2.0;
    let a = moving_alpha * mid / (mid + halving_blocks as f64);
    let s = spot.min(1.0);
    s + (ema - s) * (1.0 - a).powi(blocks.min(i32::MAX as u64) as i32)
}

/// `root_proportion` (spec §4.3): `τ·R / (τ·R + alpha issuance)`, 0 when both are 0.
pub fn root_proportion(tao_weight: f64, root_tao: u64, alpha_issuance: u64) -> f64 {
    let weighted = tao_weight * root_tao as f64;
    let total = weighted + alpha_issuance as f64;
    if total > 0.0 { weighted / total } else { 0.0 }
}

/// One subnet's terms for a stretch of blocks (`get_subnet_terms`), rao.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Terms {
    /// TAO injected into the pool as liquidity.
    pub tao_in: u64,
    /// Alpha injected into the pool with it (at the spot price).
    pub alpha_in: u64,
    /// TAO that the injection cap turned into a chain buy.
    pub excess_tao: u64,
}

/// Split a subnet's TAO emission `tao` into injection and chain buy: `alpha_in = tao / price`,
/// capped at `root_prop × alpha_emission`; then `tao_in = alpha_in × price` and the rest is
/// excess. A zero price injects the TAO alone (the chain's `safe_div_or(0)`). Floors as the
/// chain's conversions to rao do; `tao_in + excess_tao = tao` exactly.
pub fn subnet_terms(tao: u64, price: f64, alpha_emission: u64, root_prop: f64) -> Terms {
    if price <= 0.0 || !price.is_finite() {
        return Terms {
            tao_in: tao,
            alpha_in: 0,
            excess_tao: 0,
        };
    }
    let wanted = (tao as f64 / price).floor();
    let cap = (root_prop * alpha_emission as f64).floor();
    let (alpha_in, tao_in) = if wanted > cap {
        (cap as u64, ((cap * price).floor() as u64).min(tao))
    } else {
        (wanted as u64, tao)
    };
    Terms {
        tao_in,
        alpha_in,
        excess_tao: tao - tao_in,
    }
}

/// A subnet's alpha emission for a stretch, divided (spec §4.5), rao. The parts sum to the
/// emission exactly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AlphaSplit {
    /// Owner cut.
    pub owner_cut: u64,
    /// Miners' half.
    pub server: u64,
    /// Validators' half after root's part.
    pub validator: u64,
    /// Root stakers' part of the validators' half, `root_prop × half`.
    pub root: u64,
    /// Flooring dust, never minted.
    pub dust: u64,
}

/// Divide `alpha` rao with the owner cut (u16 proportion) and `root_prop` (recomputed after the
/// stretch's minting, as the chain does).
pub fn split_alpha(alpha: u64, owner_cut: u16, root_prop: f64) -> AlphaSplit {
    let s = super::split::subnet_block(alpha, owner_cut);
    let root = ((root_prop.clamp(0.0, 1.0) * s.validator as f64).floor() as u64).min(s.validator);
    AlphaSplit {
        owner_cut: s.owner_cut,
        server: s.server,
        validator: s.validator - root,
        root,
        dust: s.dust,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(moving_price: f64, miner_burned: f64, flow_ema: f64) -> ShareInput {
        ShareInput {
            fixed: 1.0,
            moving_price,
            miner_burned,
            flow_ema,
        }
    }

    /// Hand-computed from spec §4.2: prices 0.2, 0.6, 0.2 → price shares 0.2, 0.6, 0.2; the
    /// second subnet burned half its miner incentive → weights 0.2, 0.3, 0.2 (sum 0.7) →
    /// shares 2/7, 3/7, 2/7.
    #[test]
    fn price_ema_discounts_burned_incentive() {
        let mut out = Vec::new();
        let subnets = [
            input(0.2, 0.0, 0.0),
            input(0.6, 0.5, 0.0),
            input(0.2, 0.0, 0.0),
        ];
        shares(ShareRule::PriceEma, &subnets, &mut out);
        for (got, want) in out.iter().zip([2.0 / 7.0, 3.0 / 7.0, 2.0 / 7.0]) {
            assert!((got - want).abs() < 1e-12, "{out:?}");
        }
        // Everything burned: fallback to the price shares (spec §4.2 step 3).
        let all = [input(0.25, 1.0, 0.0), input(0.75, 1.0, 0.0)];
        shares(ShareRule::PriceEma, &all, &mut out);
        assert_eq!(out, vec![0.25, 0.75]);
    }

    /// Hand-computed from `get_shares_flow` with cutoff 0 and p = 1: flows 300, −100, 100 →
    /// L = max(0, −100) = 0 → z = 300, 0, 100 → shares 0.75, 0, 0.25.
    #[test]
    fn tao_flow_clips_outflows_and_normalises() {
        let mut out = Vec::new();
        let subnets = [
            input(0.0, 0.0, 300.0),
            input(0.0, 0.0, -100.0),
            input(0.0, 0.0, 100.0),
        ];
        shares(ShareRule::TaoFlow, &subnets, &mut out);
        assert_eq!(out, vec![0.75, 0.0, 0.25]);
        shares(ShareRule::TaoFlow, &[input(0.0, 0.0, -5.0)], &mut out);
        assert_eq!(out, vec![0.0]);
    }

    #[test]
    fn equal_and_fixed() {
        let mut out = Vec::new();
        let mut subnets = [input(0.0, 0.0, 0.0); 4];
        shares(ShareRule::Equal, &subnets, &mut out);
        assert_eq!(out, vec![0.25; 4]);
        subnets[0].fixed = 3.0;
        shares(ShareRule::Fixed, &subnets, &mut out);
        assert_eq!(out, vec![0.5, 1.0 / 6.0, 1.0 / 6.0, 1.0 / 6.0]);
    }

    /// Hand-computed: 1 TAO at price 0.5 wants 2 alpha; root_prop 0.25 of 1 alpha caps it at
    /// 0.25 alpha, worth 0.125 TAO; the other 0.875 TAO is a chain buy (spec §4.3).
    #[test]
    fn injection_cap_turns_tao_into_chain_buys() {
        let t = subnet_terms(1_000_000_000, 0.5, 1_000_000_000, 0.25);
        assert_eq!(
            t,
            Terms {
                tao_in: 125_000_000,
                alpha_in: 250_000_000,
                excess_tao: 875_000_000
            }
        );
        // Below the cap: all injected at the price.
        let t = subnet_terms(100_000_000, 0.5, 1_000_000_000, 0.25);
        assert_eq!(
            (t.tao_in, t.alpha_in, t.excess_tao),
            (100_000_000, 200_000_000, 0)
        );
        // No root stake: everything is bought.
        let t = subnet_terms(100, 2.0, 1_000, 0.0);
        assert_eq!((t.tao_in, t.alpha_in, t.excess_tao), (0, 0, 100));
    }

    /// Hand-computed: τ = 0.18, root 1,000 TAO, alpha issuance 1,620 → 180 / 1,800 = 0.1.
    #[test]
    fn root_proportion_by_hand() {
        let rp = root_proportion(0.18, 1_000_000_000_000, 1_620_000_000_000);
        assert!((rp - 0.1).abs() < 1e-12);
        assert_eq!(root_proportion(0.18, 0, 0), 0.0);
    }

    /// One alpha with the default cut (split.rs: cut 179,995,422, halves 410,002,288, dust 2)
    /// and root_prop 0.1: root = floor(41,000,228.8) = 41,000,228.
    #[test]
    fn alpha_split_by_hand() {
        let s = split_alpha(1_000_000_000, 11_796, 0.1);
        assert_eq!(s.owner_cut, 179_995_422);
        assert_eq!(s.server, 410_002_288);
        assert_eq!(s.root, 41_000_228);
        assert_eq!(s.validator, 410_002_288 - 41_000_228);
        assert_eq!(s.dust, 2);
    }

    /// One block of the moving price equals the per-block update in `pool.rs`; many blocks
    /// approach the capped spot price.
    #[test]
    fn moving_price_closed_form() {
        let one = moving_price_after(0.5, 2.0, 100, 1, 3e-6, 201_600);
        let step = super::super::pool::update_moving_price(0.5, 2.0, 100, 3e-6, 201_600);
        assert!((one - step).abs() < 1e-15);
        let far = moving_price_after(0.5, 0.8, 10_000_000, 100_000_000, 3e-6, 201_600);
        assert!((far - 0.8).abs() < 1e-9);
    }

    /// Hand-computed: a flow of 1,000 rao, then nothing: after one block a·1000; after two,
    /// (1 − a)·a·1000.
    #[test]
    fn flow_ema_by_hand() {
        let a = FLOW_EMA_ALPHA;
        assert!((flow_ema_after(0.0, 1000.0, 1, a) - a * 1000.0).abs() < 1e-12);
        assert!((flow_ema_after(0.0, 1000.0, 2, a) - (1.0 - a) * a * 1000.0).abs() < 1e-12);
        assert!((FLOW_EMA_ALPHA - 3.209_009_576e-6).abs() < 1e-14);
    }

    proptest::proptest! {
        #[test]
        fn terms_and_splits_conserve(tao in 0u64..10_000_000_000_000, price in 0.0f64..100.0, emission in 0u64..2_000_000_000, rp in 0.0f64..1.0, cut in proptest::num::u16::ANY) {
            let t = subnet_terms(tao, price, emission, rp);
            proptest::prop_assert_eq!(t.tao_in + t.excess_tao, tao);
            let s = split_alpha(emission, cut, rp);
            proptest::prop_assert_eq!(s.owner_cut + s.server + s.validator + s.root + s.dust, emission);
        }
    }
}
