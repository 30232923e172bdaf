//! The coinbase in the engine, in two halves. The network half runs on the coordinator at the
//! start of each window of blocks (at most [`MAX_STRETCH`]): it shares the window's TAO among
//! the subnets by the scenario's share rule, from every subnet's moving price, flow and burn
//! at that block, and sets the root-sell flag ([`window_shares`]). Each subnet's part is a
//! [`Piece`] of its [`Allotment`]; the subnet half runs in the subnet's own shard as its events
//! reach those blocks: with dTAO pools it turns the subnet's TAO into pool injection and chain
//! buys and splits the subnet's own alpha emission into pending amounts (spec §4.2–§4.5,
//! [`crate::chain::coinbase`]); without pools a subnet's TAO share is its emission at a price
//! of 1 (the foundation's model).
//!
//! Shares and the root-sell flag are held over a window; a stretch (a subnet's coinbase run
//! between two of its own events) holds its spot price and alpha halving level at its first
//! block and updates its moving price and flow EMA in closed form at its end. So this differs
//! from the chain's per-block coinbase only by effects of a few blocks (README, "Differences
//! from the chain").

use super::components::{Pending, Recorder};
use crate::chain::coinbase::{self, ShareInput};
use crate::chain::emission::{self, RAO_PER_TAO};
use crate::chain::pool::Pool;
use crate::chain::split;
use crate::record::SubnetRows;
use crate::scenario::{Coinbase, PoolStart};
use bevy_ecs::prelude::*;

/// Longest window of blocks (shares, the root-sell flag, prices and the alpha halving level are
/// held for at most this many blocks).
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

/// The network half of the coinbase at the start of a window: every subnet's share of block
/// emission (from its moving price, flow and burn, by `rule`) and the root-sell flag, both held
/// over the window. `inputs[k]` is subnet `k`'s; returns the flag.
pub fn window_shares(
    rule: coinbase::ShareRule,
    inputs: &[ShareInput],
    shares: &mut Vec<f64>,
) -> bool {
    coinbase::shares(rule, inputs, shares);
    inputs.iter().map(|i| i.moving_price).sum::<f64>() > 1.0
}

/// A subnet's inputs to the share rules (`fixed` is its scenario share).
pub fn share_input(econ: Option<&Economy>, fixed: f64) -> ShareInput {
    ShareInput {
        fixed,
        moving_price: econ.map_or(0.0, |e| e.moving_price),
        miner_burned: econ.map_or(0.0, |e| e.miner_burned),
        flow_ema: econ.map_or(0.0, |e| e.flow_ema),
    }
}

/// One subnet's part of the TAO minted over a run of blocks, handed out by the coordinator at
/// the start of a window and released to the subnet's coinbase as its own events reach those
/// blocks (so an epoch drains what was minted up to its block, give or take [`EPOCH_LAG`]).
#[derive(Clone, Copy, Debug)]
pub struct Piece {
    /// First block.
    pub first_block: u64,
    /// Blocks.
    pub blocks: u64,
    /// The subnet's TAO over the piece, rao.
    pub tao: u64,
    /// The subnet's share of block emission over the piece.
    pub share: f64,
    /// With pools: the root-sell flag held over the piece.
    pub root_sell: bool,
    /// Without pools and at a constant rate: the split of one block, repeated per block as the
    /// chain floors each block (else `tao` is released by cumulative floors).
    pub per_block: Option<split::BlockSplit>,
    /// Blocks released so far.
    pub done: u64,
    /// TAO released so far, rao.
    pub given: u64,
}

/// The pieces a subnet has been given and not yet released, in block order.
#[derive(Debug, Default)]
pub struct Allotment {
    pieces: std::collections::VecDeque<Piece>,
}

impl Allotment {
    /// Add a piece (after those held).
    pub fn give(&mut self, piece: Piece) {
        self.pieces.push_back(piece);
    }

    /// Blocks given but not yet released up to `block` (inclusive).
    pub fn deferred_through(&self, block: u64) -> u64 {
        self.pieces
            .iter()
            .map(|p| {
                let from = p.first_block + p.done;
                let last = p.first_block + p.blocks - 1;
                if block < from {
                    0
                } else {
                    block.min(last) - from + 1
                }
            })
            .sum()
    }

    /// Release every block up to `block` (inclusive) to `subnet`'s coinbase in `world`, under
    /// the network's settings and owner cut: with pools ([`subnet_stretch`]) or without
    /// (pending amounts at price 1).
    pub fn release(
        &mut self,
        world: &mut World,
        subnet: Entity,
        (economics, owner_cut): (&Economics, u16),
        block: u64,
    ) {
        while let Some(p) = self.pieces.front_mut() {
            let from = p.first_block + p.done;
            if block < from {
                return;
            }
            let last = p.first_block + p.blocks - 1;
            let n = block.min(last) - from + 1;
            // The piece's part of its TAO, exact over the whole: cumulative floors.
            let upto = (p.tao as u128 * (p.done + n) as u128 / p.blocks as u128) as u64;
            let tao = upto - p.given;
            let piece = *p;
            p.done += n;
            p.given = upto;
            if p.done == p.blocks {
                self.pieces.pop_front();
            }
            if economics.settings.pools {
                subnet_stretch(world, subnet, (economics, owner_cut), &piece, from, n, tao);
            } else {
                legacy_release(world, subnet, owner_cut, &piece, n, tao);
            }
        }
    }
}

/// Without pools: `tao` rao of `piece` over `blocks` blocks go to the subnet's pending amounts
/// (alpha = TAO at price 1), split per block at a constant rate.
fn legacy_release(
    world: &mut World,
    subnet: Entity,
    owner_cut: u16,
    piece: &Piece,
    blocks: u64,
    tao: u64,
) {
    let s = match piece.per_block {
        Some(s) => split::BlockSplit {
            owner_cut: s.owner_cut * blocks,
            server: s.server * blocks,
            validator: s.validator * blocks,
            dust: s.dust * blocks,
        },
        None => split::subnet_block(tao, owner_cut),
    };
    let given = s.owner_cut + s.server + s.validator + s.dust;
    if let Some(mut pending) = world.get_mut::<Pending>(subnet) {
        pending.server += s.server;
        pending.validator += s.validator;
        pending.owner_cut += s.owner_cut;
        pending.dust += s.dust;
    }
    if let Some(mut econ) = world.get_mut::<Economy>(subnet) {
        legacy_period(&mut econ, given, piece.share, blocks);
    }
    let totals = &mut world.resource_mut::<Recorder>().0.totals;
    totals.tao_in_rao += given;
    totals.alpha_emitted_rao += given;
}

/// With pools: one subnet's coinbase over `blocks` blocks from `first_block` that bring it
/// `tao` rao (spec §4.2–§4.5): injection against chain buys, its own alpha emission split into
/// pending amounts, its moving price and flow EMA moved in closed form. The share and the
/// root-sell flag are the piece's, held from the window's start.
fn subnet_stretch(
    world: &mut World,
    subnet: Entity,
    (economics, owner_cut): (&Economics, u16),
    piece: &Piece,
    first_block: u64,
    blocks: u64,
    tao: u64,
) {
    let (settings, root_stake) = (&economics.settings, economics.root_stake);
    let Some(mut econ) = world.get_mut::<Economy>(subnet) else {
        return;
    };
    let issuance = econ.alpha_issuance();
    // The subnet's own alpha emission: the chain's halving rule on its alpha issuance.
    let alpha = emission::block_emission(issuance)
        .saturating_mul(blocks)
        .min(emission::MAX_SUPPLY_RAO.saturating_sub(issuance));
    let rp = coinbase::root_proportion(settings.tao_weight, root_stake, issuance);
    let terms = coinbase::subnet_terms(tao, econ.pool.price(), alpha, rp);
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
    let (root_kept, recycled) = if piece.root_sell {
        (a.root, 0)
    } else {
        (0, a.root)
    };
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
    econ.flow_ema = coinbase::flow_ema_after(econ.flow_ema, flow, blocks, settings.flow_alpha());
    econ.share = piece.share;
    let p = &mut econ.period;
    p.tao_emission += tao;
    p.tao_in += terms.tao_in;
    p.alpha_in += terms.alpha_in;
    p.excess_tao += terms.excess_tao;
    p.chain_alpha += bought;
    p.alpha_out += out;
    p.root_alpha += a.root;
    p.share_blocks += piece.share * blocks as f64;
    p.blocks += blocks;
    if let Some(mut pending) = world.get_mut::<Pending>(subnet) {
        pending.server += a.server;
        pending.validator += a.validator;
        pending.owner_cut += a.owner_cut;
        pending.root += root_kept;
        pending.dust += a.dust;
    }
    let totals = &mut world.resource_mut::<Recorder>().0.totals;
    totals.tao_in_rao += terms.tao_in;
    totals.excess_tao_rao += terms.excess_tao;
    totals.alpha_emitted_rao += alpha;
    totals.root_recycled_rao += recycled;
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

/// Give a subnet its economy (its pool, if the scenario has pools, and its staked alpha) and
/// its world the network's settings.
pub fn attach(
    world: &mut World,
    entity: Entity,
    spec: &crate::scenario::Subnet,
    scenario: &crate::scenario::Scenario,
) {
    let settings = scenario.network.coinbase.clone();
    let uids = world
        .get::<super::Metagraph>(entity)
        .map(|m| m.uids.clone())
        .unwrap_or_default();
    let staked: u64 = uids
        .iter()
        .filter_map(|&u| world.get::<super::Stake>(u))
        .map(|s| s.0)
        .fold(0u64, u64::saturating_add);
    let econ = Economy::new(
        settings.pools,
        &spec.pool,
        settings.fee_rate,
        staked,
        scenario.start.block,
    );
    world.entity_mut(entity).insert(econ);
    world.resource_mut::<Recorder>().0.totals.pool_tao_start_rao += pool_tao(world, entity);
    insert_settings(world, &settings);
}

/// The network's dTAO settings as a resource of `world`.
pub fn insert_settings(world: &mut World, settings: &Coinbase) {
    world.insert_resource(Economics {
        root_stake: super::build::tao_to_rao(settings.root_stake),
        settings: settings.clone(),
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

/// The subnet's pool TAO reserve, rao (0 without a pool).
pub fn pool_tao(world: &World, subnet: Entity) -> u64 {
    world
        .get::<Economy>(subnet)
        .filter(|e| e.active)
        .map_or(0, |e| e.pool.tao)
}

/// Every hotkey's stake in `world`, rao.
pub fn hotkey_stake(world: &mut World) -> u64 {
    let mut stakes = world.query::<&super::Stake>();
    stakes.iter(world).map(|s| s.0).fold(0, u64::saturating_add)
}
