//! The coinbase in the engine: each stretch of blocks between two events shares its TAO among
//! the subnets by the scenario's share rule, then, with dTAO pools, turns each subnet's TAO into
//! pool injection and chain buys and splits the subnet's own alpha emission into pending
//! amounts (spec §4.2–§4.5, [`crate::chain::coinbase`]). Without pools, a subnet's TAO share is
//! its emission at a price of 1 (the foundation's model).
//!
//! A stretch holds shares, spot prices and the root-sell flag at their value at its first
//! block and updates moving prices and flow EMAs in closed form at its end; stretches are cut
//! at [`MAX_STRETCH`] blocks, so this differs from the chain's per-block coinbase only by
//! effects of a few blocks (README, "Differences from the chain").

use super::components::{Pending, Recorder};
use crate::chain::coinbase::{self, ShareInput};
use crate::chain::emission::{self, RAO_PER_TAO};
use crate::chain::pool::Pool;
use crate::chain::split;
use crate::record::SubnetRows;
use crate::scenario::{Coinbase, PoolStart};
use bevy_ecs::prelude::*;

/// Longest stretch of blocks the coinbase treats at once (shares, prices and the alpha halving
/// level are held for at most this many blocks).
pub const MAX_STRETCH: u64 = 100;

/// Blocks the coinbase may lag an epoch: the epoch drains what has been run through the
/// coinbase, at most this many blocks behind its own block (the rest goes to its next epoch).
pub const EPOCH_LAG: u64 = 10;

/// The network's dTAO settings and root stake.
#[derive(Resource, Clone, Debug)]
pub struct Economics {
    /// `network.coinbase` as it stands.
    pub settings: Coinbase,
    /// TAO on root, rao.
    pub root_stake: u64,
}

/// What happened in a subnet's economy since its last epoch (one `subnets` row).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Period {
    /// TAO of the subnet's share of emission (injected + chain buys), rao.
    pub tao_emission: u64,
    /// TAO injected as liquidity, rao.
    pub tao_in: u64,
    /// Alpha injected with it, rao.
    pub alpha_in: u64,
    /// TAO spent on chain buys, rao.
    pub excess_tao: u64,
    /// Alpha the chain buys bought (protocol-owned), rao.
    pub chain_alpha: u64,
    /// Alpha emitted to participants (`alpha_out`: owner, miners, validators, root), rao.
    pub alpha_out: u64,
    /// Root stakers' alpha: accrued (root-sell flag on) or recycled (off), rao.
    pub root_alpha: u64,
    /// Σ share × blocks, for the period's mean share.
    pub share_blocks: f64,
    /// Blocks in the period.
    pub blocks: u64,
    /// TAO the subnet's registrations swapped into the pool, rao.
    pub registration_tao: u64,
}

/// A subnet's dTAO state: its pool, outstanding alpha, moving price and flow.
#[derive(Component, Clone, Debug)]
pub struct Economy {
    /// Whether the subnet has a pool (`network.coinbase.pools`).
    pub active: bool,
    /// Reserves: `SubnetTAO`, `SubnetAlphaIn`.
    pub pool: Pool,
    /// `SubnetAlphaOut`: alpha minted to participants (stake, pending, protocol-owned).
    pub alpha_out: u64,
    /// Alpha bought by chain buys (`SubnetProtocolAlpha`).
    pub protocol_alpha: u64,
    /// `SubnetMovingPrice`.
    pub moving_price: f64,
    /// Blocks since the first emission at `start_block`.
    pub age_at_start: u64,
    /// First block of the run.
    pub start_block: u64,
    /// Net TAO staked in since the last stretch (stake and registrations in, unstake out), rao.
    pub flow: i64,
    /// EMA of the net flow, rao per block (`SubnetEmaTaoFlow`).
    pub flow_ema: f64,
    /// Fraction of the last epoch's miner incentive burned on owner hotkeys (`MinerBurned`).
    pub miner_burned: f64,
    /// Share of block emission in the last stretch.
    pub share: f64,
    /// Since the last epoch.
    pub period: Period,
}

impl Economy {
    /// A subnet's economy at the start: its pool (if `active`) and its staked alpha.
    pub fn new(active: bool, start: &PoolStart, fee_rate: u16, staked: u64, block: u64) -> Self {
        let rao = super::build::tao_to_rao;
        let mut pool = Pool::new(rao(start.tao), rao(start.alpha));
        pool.fee_rate = fee_rate;
        let moving_price = start.moving_price.unwrap_or(pool.price().min(1.0));
        Economy {
            active,
            pool,
            alpha_out: staked,
            protocol_alpha: 0,
            moving_price,
            age_at_start: (start.age_days.max(0.0) * crate::scenario::BLOCKS_PER_DAY as f64) as u64,
            start_block: block,
            flow: 0,
            flow_ema: 0.0,
            miner_burned: 0.0,
            share: 0.0,
            period: Period::default(),
        }
    }

    /// Spot price, TAO per alpha (1 without pools).
    pub fn price(&self) -> f64 {
        if self.active { self.pool.price() } else { 1.0 }
    }

    /// `SubnetAlphaIn + SubnetAlphaOut`.
    pub fn alpha_issuance(&self) -> u64 {
        self.pool.alpha.saturating_add(self.alpha_out)
    }

    fn since_first_emission(&self, block: u64) -> u64 {
        self.age_at_start + block.saturating_sub(self.start_block)
    }

    /// A registration's burn (`tao` rao) is swapped into the pool with the fee, and the alpha
    /// bought is destroyed (spec §6.1); it counts as TAO inflow. Returns the fee (it leaves, to
    /// the block author).
    pub fn registration_burn(&mut self, tao: u64) -> u64 {
        if !self.active || tao == 0 {
            return 0;
        }
        let swap = self.pool.buy(tao);
        self.flow = self.flow.saturating_add(tao.min(i64::MAX as u64) as i64);
        self.period.registration_tao += tao - swap.fee;
        swap.fee
    }
}

/// Reused buffers of the coinbase, and the minted blocks it has not yet shared out.
#[derive(Debug, Default)]
pub struct Scratch {
    inputs: Vec<ShareInput>,
    shares: Vec<f64>,
    parts: Vec<u64>,
    /// `(first block, blocks, TAO rao)` minted but not yet run through the coinbase.
    deferred: Option<(u64, u64, u64)>,
}

impl Scratch {
    /// Add minted blocks (contiguous with those deferred) to run later.
    pub fn defer(&mut self, first_block: u64, blocks: u64, total: u64) {
        self.deferred = Some(match self.deferred {
            Some((first, n, t)) => (first, n + blocks, t + total),
            None => (first_block, blocks, total),
        });
    }

    /// Blocks deferred so far.
    pub fn deferred_blocks(&self) -> u64 {
        self.deferred.map_or(0, |(_, n, _)| n)
    }
}

/// Run the deferred blocks through the coinbase (see [`run`]). The engine defers minting
/// across weight-setting events, which never read pools or pending amounts, and across epochs
/// while less than [`EPOCH_LAG`] blocks are deferred; it flushes before every other event and
/// every [`MAX_STRETCH`] blocks.
pub fn flush(
    world: &mut World,
    subnets: &[Entity],
    fixed: &[f64],
    owner_cut: u16,
    scratch: &mut Scratch,
) {
    if let Some((first, blocks, total)) = scratch.deferred.take() {
        run(
            world, subnets, fixed, owner_cut, first, blocks, total, scratch,
        );
    }
}

/// Run the coinbase over `blocks` blocks from `first_block` that mint `total` rao of TAO,
/// with pools: cut into stretches of at most [`MAX_STRETCH`] blocks.
#[expect(
    clippy::too_many_arguments,
    reason = "the coinbase reads the world, the subnets and the block range it mints"
)]
pub fn run(
    world: &mut World,
    subnets: &[Entity],
    fixed: &[f64],
    owner_cut: u16,
    first_block: u64,
    blocks: u64,
    total: u64,
    scratch: &mut Scratch,
) {
    let mut done = 0u64;
    let mut minted = 0u64;
    while done < blocks {
        let n = (blocks - done).min(MAX_STRETCH);
        // The stretch's part of the total, exact over the whole: cumulative floors.
        let upto = (total as u128 * (done + n) as u128 / blocks as u128) as u64;
        stretch(
            world,
            subnets,
            fixed,
            owner_cut,
            first_block + done,
            n,
            upto - minted,
            scratch,
        );
        minted = upto;
        done += n;
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "the coinbase reads the world, the subnets and the block range it mints"
)]
fn stretch(
    world: &mut World,
    subnets: &[Entity],
    fixed: &[f64],
    owner_cut: u16,
    first_block: u64,
    blocks: u64,
    tao: u64,
    scratch: &mut Scratch,
) {
    let (settings, root_stake) = {
        let e = world.resource::<Economics>();
        (e.settings.clone(), e.root_stake)
    };
    scratch.inputs.clear();
    for (i, &s) in subnets.iter().enumerate() {
        let e = world.get::<Economy>(s);
        scratch.inputs.push(ShareInput {
            fixed: fixed.get(i).copied().unwrap_or(0.0),
            moving_price: e.map_or(0.0, |e| e.moving_price),
            miner_burned: e.map_or(0.0, |e| e.miner_burned),
            flow_ema: e.map_or(0.0, |e| e.flow_ema),
        });
    }
    coinbase::shares(settings.share_rule, &scratch.inputs, &mut scratch.shares);
    split::proportional(tao, &scratch.shares, &mut scratch.parts);
    let root_sell = scratch.inputs.iter().map(|i| i.moving_price).sum::<f64>() > 1.0;
    let flow_alpha = settings.flow_alpha();
    let mut spent = 0u64;
    let (mut tao_in, mut excess, mut alpha_emitted, mut root_recycled) = (0u64, 0u64, 0u64, 0u64);
    for (i, &s) in subnets.iter().enumerate() {
        let part = scratch.parts[i];
        spent += part;
        let Some(mut econ) = world.get_mut::<Economy>(s) else {
            continue;
        };
        let issuance = econ.alpha_issuance();
        // The subnet's own alpha emission: the chain's halving rule on its alpha issuance.
        let alpha = emission::block_emission(issuance)
            .saturating_mul(blocks)
            .min(emission::MAX_SUPPLY_RAO.saturating_sub(issuance));
        let rp = coinbase::root_proportion(settings.tao_weight, root_stake, issuance);
        let terms = coinbase::subnet_terms(part, econ.pool.price(), alpha, rp);
        let bought = if terms.excess_tao > 0 {
            econ.pool.buy_without_fee(terms.excess_tao)
        } else {
            0
        };
        econ.pool.inject(terms.tao_in, terms.alpha_in);
        let rp_after = coinbase::root_proportion(
            settings.tao_weight,
            root_stake,
            econ.alpha_issuance() + bought + alpha,
        );
        let a = coinbase::split_alpha(alpha, owner_cut, rp_after);
        let (root_kept, recycled) = if root_sell { (a.root, 0) } else { (0, a.root) };
        let out = a.owner_cut + a.server + a.validator + root_kept;
        econ.protocol_alpha += bought;
        econ.alpha_out = econ.alpha_out.saturating_add(bought + out);
        let since = econ.since_first_emission(first_block);
        econ.moving_price = coinbase::moving_price_after(
            econ.moving_price,
            econ.pool.price(),
            since,
            blocks,
            settings.moving_alpha,
            settings.price_halving_blocks,
        );
        let flow = std::mem::take(&mut econ.flow) as f64;
        econ.flow_ema = coinbase::flow_ema_after(econ.flow_ema, flow, blocks, flow_alpha);
        econ.share = scratch.shares[i];
        let p = &mut econ.period;
        p.tao_emission += part;
        p.tao_in += terms.tao_in;
        p.alpha_in += terms.alpha_in;
        p.excess_tao += terms.excess_tao;
        p.chain_alpha += bought;
        p.alpha_out += out;
        p.root_alpha += a.root;
        p.share_blocks += scratch.shares[i] * blocks as f64;
        p.blocks += blocks;
        tao_in += terms.tao_in;
        excess += terms.excess_tao;
        alpha_emitted += alpha;
        root_recycled += recycled;
        if let Some(mut pending) = world.get_mut::<Pending>(s) {
            pending.server += a.server;
            pending.validator += a.validator;
            pending.owner_cut += a.owner_cut;
            pending.root += root_kept;
            pending.dust += a.dust;
        }
    }
    let totals = &mut world.resource_mut::<Recorder>().0.totals;
    totals.tao_in_rao += tao_in;
    totals.excess_tao_rao += excess;
    totals.recycled_rao += tao - spent;
    totals.alpha_emitted_rao += alpha_emitted;
    totals.root_recycled_rao += root_recycled;
}

/// Push the economy columns of a subnet's epoch row and start a new period.
pub fn record_epoch(econ: Option<&mut Economy>, rows: &mut SubnetRows) {
    let mut fallback = Economy::new(false, &PoolStart::default(), 0, 0, 0);
    let econ = econ.unwrap_or(&mut fallback);
    let p = std::mem::take(&mut econ.period);
    let tao = |rao: u64| rao as f64 / RAO_PER_TAO as f64;
    let (pool_tao, pool_alpha) = if econ.active {
        (tao(econ.pool.tao), tao(econ.pool.alpha))
    } else {
        (0.0, 0.0)
    };
    rows.pool_tao.push(pool_tao);
    rows.pool_alpha.push(pool_alpha);
    rows.price.push(econ.price());
    rows.moving_price.push(econ.moving_price);
    rows.share.push(if p.blocks > 0 {
        p.share_blocks / p.blocks as f64
    } else {
        econ.share
    });
    rows.tao_emission_rao.push(p.tao_emission);
    rows.tao_in_rao.push(p.tao_in);
    rows.alpha_in_rao.push(p.alpha_in);
    rows.excess_tao_rao.push(p.excess_tao);
    rows.chain_bought_alpha_rao.push(p.chain_alpha);
    rows.alpha_out_rao.push(p.alpha_out);
    rows.root_alpha_rao.push(p.root_alpha);
    rows.alpha_issuance.push(tao(econ.alpha_issuance()));
    rows.flow_ema.push(econ.flow_ema / RAO_PER_TAO as f64);
}

/// Without pools: a subnet's TAO share of `amount` rao over `blocks` blocks is its emission at
/// price 1; keep the period's figures for the subnet rows.
pub fn legacy_period(econ: &mut Economy, amount: u64, share: f64, blocks: u64) {
    econ.share = share;
    let p = &mut econ.period;
    p.tao_emission += amount;
    p.tao_in += amount;
    p.alpha_out += amount;
    p.share_blocks += share * blocks as f64;
    p.blocks += blocks;
}

/// Give every subnet its economy (its pool, if the scenario has pools, and its staked alpha)
/// and the world the network's settings.
pub fn attach(world: &mut World, subnets: &[Entity], scenario: &crate::scenario::Scenario) {
    let settings = scenario.network.coinbase.clone();
    let start = scenario.start.block;
    let mut pool_tao = 0u64;
    for (&entity, spec) in subnets.iter().zip(&scenario.subnets) {
        let uids = world
            .get::<super::Metagraph>(entity)
            .map(|m| m.uids.clone())
            .unwrap_or_default();
        let staked: u64 = uids
            .iter()
            .filter_map(|&u| world.get::<super::Stake>(u))
            .map(|s| s.0)
            .fold(0u64, u64::saturating_add);
        let econ = Economy::new(settings.pools, &spec.pool, settings.fee_rate, staked, start);
        if econ.active {
            pool_tao += econ.pool.tao;
        }
        world.entity_mut(entity).insert(econ);
    }
    world.resource_mut::<Recorder>().0.totals.pool_tao_start_rao = pool_tao;
    world.insert_resource(Economics {
        root_stake: super::build::tao_to_rao(settings.root_stake),
        settings,
    });
}

/// A timeline change of `network.coinbase` (share rule, root stake, EMA speeds, fee).
pub fn change(world: &mut World, next: &Coinbase) {
    let mut e = world.resource_mut::<Economics>();
    if e.settings.root_stake != next.root_stake {
        e.root_stake = super::build::tao_to_rao(next.root_stake);
    }
    e.settings = next.clone();
    let fee = next.fee_rate;
    let mut pools = world.query::<&mut Economy>();
    for mut econ in pools.iter_mut(world) {
        econ.pool.fee_rate = fee;
    }
}

/// The weights of the share rules that need no pool (`fixed`, `equal`) for `fixed` weights.
pub fn legacy_weights(rule: coinbase::ShareRule, fixed: &[f64]) -> Vec<f64> {
    let inputs: Vec<ShareInput> = fixed
        .iter()
        .map(|&f| ShareInput {
            fixed: f,
            ..Default::default()
        })
        .collect();
    let mut out = Vec::new();
    coinbase::shares(rule, &inputs, &mut out);
    out
}

/// Σ of the pools' TAO reserves, rao.
pub fn pool_tao(world: &World, subnets: &[Entity]) -> u64 {
    subnets
        .iter()
        .filter_map(|&s| world.get::<Economy>(s))
        .filter(|e| e.active)
        .map(|e| e.pool.tao)
        .fold(0, u64::saturating_add)
}

/// TAO staked: with pools, the pools' TAO plus root stake; without, every hotkey's stake.
pub fn total_staked(world: &mut World, subnets: &[Entity]) -> u64 {
    let pools = world.resource::<Economics>().settings.pools;
    if pools {
        pool_tao(world, subnets).saturating_add(world.resource::<Economics>().root_stake)
    } else {
        let mut stakes = world.query::<&super::Stake>();
        stakes.iter(world).map(|s| s.0).fold(0, u64::saturating_add)
    }
}
