//! Scenario types of the network economy: the dTAO coinbase (`network.coinbase`) and each
//! subnet's pool (`subnets[N].pool`).

use crate::chain::coinbase::ShareRule;
use serde::{Deserialize, Serialize};

/// How block emission reaches subnets (`network.coinbase`).
///
/// ```yaml
/// network:
///   coinbase: { pools: true, share_rule: price_ema, root_stake: 3000000, tao_weight: 0.18 }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coinbase {
    /// Model dTAO pools (default `false`). Off: a subnet's emission is its share of the TAO block
    /// emission, paid at a price of 1 (the foundation's model, no pools). On: every subnet has a
    /// pool; its TAO share is injected into the pool or spent on chain buys, and the subnet emits
    /// its own alpha (1 alpha per block, halving on its own alpha issuance) to owner, miners,
    /// validators and root (spec §4).
    #[serde(default)]
    pub pools: bool,
    /// How each block's TAO is shared among subnets (default `fixed`: `emission_share`):
    /// `fixed`, `equal`, `price_ema` (the chain's current rule), `tao_flow` (Nov 2025 – Jun 2026).
    #[serde(default)]
    pub share_rule: ShareRule,
    /// TAO staked on the root network, all root stakers together (default 0). It sets each
    /// subnet's `root_prop = τ·R / (τ·R + alpha issuance)`: the injection cap and root's part
    /// of the validators' half.
    #[serde(default)]
    pub root_stake: f64,
    /// `TaoWeight` τ (default 0.18, mainnet since dTAO).
    #[serde(default = "default_tao_weight")]
    pub tao_weight: f64,
    /// `SubnetMovingAlpha`, per block (default 0.000003). Larger values make moving prices, and so
    /// `price_ema` shares, follow spot prices faster.
    #[serde(default = "default_moving_alpha")]
    pub moving_alpha: f64,
    /// `EMAPriceHalvingBlocks`: the warm-up of young subnets' moving price (default 201,600).
    #[serde(default = "default_price_halving")]
    pub price_halving_blocks: u64,
    /// Half-life of the `tao_flow` EMA in blocks (default 216,000 = 30 days, the chain's
    /// `FlowEmaSmoothingFactor`).
    #[serde(default = "default_flow_half_life")]
    pub flow_half_life: u64,
    /// Swap `FeeRate`, u16 proportion of the input (default 33 ≈ 0.05 %).
    #[serde(default = "default_fee_rate")]
    pub fee_rate: u16,
}

impl Default for Coinbase {
    fn default() -> Self {
        Coinbase {
            pools: false,
            share_rule: ShareRule::Fixed,
            root_stake: 0.0,
            tao_weight: default_tao_weight(),
            moving_alpha: default_moving_alpha(),
            price_halving_blocks: default_price_halving(),
            flow_half_life: default_flow_half_life(),
            fee_rate: default_fee_rate(),
        }
    }
}

impl Coinbase {
    /// The per-block `tao_flow` EMA factor for the half-life: `1 − 2^(−1/h)`
    /// (216,000 blocks give the chain's 3.209e-6).
    pub fn flow_alpha(&self) -> f64 {
        1.0 - 0.5f64.powf(1.0 / self.flow_half_life.max(1) as f64)
    }
}

fn default_tao_weight() -> f64 {
    0.18
}
fn default_moving_alpha() -> f64 {
    0.000_003
}
fn default_price_halving() -> u64 {
    201_600
}
fn default_flow_half_life() -> u64 {
    216_000
}
fn default_fee_rate() -> u16 {
    crate::chain::pool::DEFAULT_FEE_RATE
}

/// A subnet's dTAO pool at the start (`subnets[N].pool`; used when `network.coinbase.pools`).
/// Validators' and miners' stakes are alpha on their subnet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolStart {
    /// TAO reserve (default 10,000).
    #[serde(default = "default_reserve")]
    pub tao: f64,
    /// Alpha reserve (default 10,000: price 1).
    #[serde(default = "default_reserve")]
    pub alpha: f64,
    /// Moving price at the start (default: the spot price capped at 1, an established subnet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moving_price: Option<f64>,
    /// Days since the subnet's first emission at the start (default 365): the moving price's
    /// warm-up (spec §5.6).
    #[serde(default = "default_age")]
    pub age_days: f64,
}

impl Default for PoolStart {
    fn default() -> Self {
        PoolStart {
            tao: default_reserve(),
            alpha: default_reserve(),
            moving_price: None,
            age_days: default_age(),
        }
    }
}

fn default_reserve() -> f64 {
    10_000.0
}
fn default_age() -> f64 {
    365.0
}

#[cfg(test)]
mod tests {
    /// The chain's `FlowEmaSmoothingFactor` (29,597,889,189,277 / i64::MAX, commented as a
    /// 216,000-block half-life in `st/lib.rs`) is what the default half-life gives.
    #[test]
    fn default_flow_half_life_is_the_chain_factor() {
        let a = super::Coinbase::default().flow_alpha();
        assert!(
            (a - crate::chain::coinbase::FLOW_EMA_ALPHA).abs() < 1e-11,
            "{a}"
        );
    }
}

/// Nominators who stake TAO into subnets through their pools (`network.stakers`; needs
/// `network.coinbase.pools`). Every `interval` blocks each one looks at every subnet's dividend
/// yield (with its own noise), puts its idle TAO into the best subnet, moves the part
/// `1 − inertia` of its other positions there, and sells a position outright when the subnet's
/// price fell more than `exit_drop` below its entry price. Stake is delegated to the subnet's
/// largest validator, so it becomes that validator's stake in the epoch.
///
/// ```yaml
/// network:
///   stakers: { count: 50, wallet: { distribution: lognormal, sigma: 1, total: 200000 }, inertia: 0.9 }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stakers {
    /// How many.
    pub count: u32,
    /// TAO each starts with, unstaked (a distribution over the stakers).
    pub wallet: super::Distribution,
    /// Blocks between decisions (default 7,200: daily), at each staker's own random phase.
    #[serde(default = "default_staker_interval")]
    pub interval: u64,
    /// Fraction of a position kept at each decision even when another subnet yields more
    /// (default 0.9; 1 never moves, 0 chases the best yield at once).
    #[serde(default = "default_inertia")]
    pub inertia: f64,
    /// Sell a position when its subnet's price fell this fraction below the entry price
    /// (default 0.3).
    #[serde(default = "default_exit_drop")]
    pub exit_drop: f64,
    /// Standard deviation of the multiplicative noise on perceived yields (default 0.2).
    #[serde(default = "default_staker_noise")]
    pub noise: f64,
}

fn default_staker_interval() -> u64 {
    crate::scenario::BLOCKS_PER_DAY
}
fn default_inertia() -> f64 {
    0.9
}
fn default_exit_drop() -> f64 {
    0.3
}
fn default_staker_noise() -> f64 {
    0.2
}

/// Miner economics on a subnet (`subnets[N].economics`; default: none, miners never leave or
/// enter on their own). Miners pay `cost_per_day` USD; a miner whose epoch earnings (alpha at
/// the pool price, TAO at `network.tao_price`) have not covered its cost for `patience_days`
/// stops serving (quality 0, no cost) and waits to be pruned. Candidate entrants arrive as a
/// Poisson process; one registers (paying the burn) when its expected daily profit — its
/// quality's share of the served quality times the miners' daily emission, minus cost — repays
/// the burn within `payback_days`.
///
/// ```yaml
/// economics:
///   cost_per_day: 40
///   patience_days: 7
///   entrants: { rate_per_day: 1, quality: { distribution: uniform, min: 0.3, max: 1 } }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinerEconomics {
    /// USD per miner per day.
    pub cost_per_day: f64,
    /// Days of losses after which a miner stops serving (default 7).
    #[serde(default = "default_patience")]
    pub patience_days: f64,
    /// Arrivals of candidate miners (default: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrants: Option<Entrants>,
}

/// Candidate miners arriving as a Poisson process.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entrants {
    /// Expected arrivals per day.
    pub rate_per_day: f64,
    /// Quality of each candidate (one draw per arrival; `total` is ignored).
    pub quality: super::Distribution,
    /// Days within which expected profit must repay the burn (default 30).
    #[serde(default = "default_payback")]
    pub payback_days: f64,
}

fn default_patience() -> f64 {
    7.0
}
fn default_payback() -> f64 {
    30.0
}

/// Validators of a subnet that go offline for a window (`timeline[i].outage`): they set no
/// weights from the change's block for `blocks` blocks (their `LastUpdate` ages, and the
/// activity cutoff may drop them).
///
/// ```yaml
/// timeline:
///   - at: { day: 5 }
///     outage: [{ subnet: 0, uids: [0, 1, 2], blocks: 7200 }]
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outage {
    /// Index of the subnet in `subnets`.
    pub subnet: usize,
    /// UIDs of the validators that go offline (others are ignored).
    pub uids: Vec<u16>,
    /// Length of the outage in blocks.
    pub blocks: u64,
}

/// Agents that leave for good (`timeline[i].remove`): validators stop setting weights, miners
/// stop serving (quality 0); both keep their UID until pruning replaces them, as on chain,
/// where a hotkey cannot give its UID back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Removal {
    /// Index of the subnet in `subnets`.
    pub subnet: usize,
    /// UIDs of the agents that leave.
    pub uids: Vec<u16>,
}
