//! The record of a run: append-only columns, one struct per output table. This is the schema
//! every output (Parquet, CSV, reports) is written from; `analysis` turns it into DataFrames.

/// A neuron's role in its subnet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Sets weights; earns dividends.
    Validator,
    /// Serves; earns incentive.
    Miner,
    /// The subnet owner's hotkey (UID 0): always a validator permit, keeps its self-weight,
    /// never pruned; incentive it receives is burned.
    Owner,
}

impl Role {
    /// Lower-case name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Validator => "validator",
            Role::Miner => "miner",
            Role::Owner => "owner",
        }
    }
}

/// One row per UID per epoch (`neurons.parquet`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NeuronRows {
    /// Arm index (0 unless the run belongs to a comparison or sweep).
    pub arm: Vec<u32>,
    /// Run index.
    pub run: Vec<u32>,
    /// Netuid.
    pub subnet: Vec<u16>,
    /// Epoch number of the subnet in this run (1 = first epoch simulated).
    pub epoch: Vec<u64>,
    /// Block of the epoch.
    pub block: Vec<u64>,
    /// UID.
    pub uid: Vec<u16>,
    /// Stable hotkey id.
    pub hotkey: Vec<u64>,
    /// Role.
    pub role: Vec<Role>,
    /// Strategy name.
    pub strategy: Vec<&'static str>,
    /// Coalition id (a cabal's, a sybil operator's), if any.
    pub coalition: Vec<Option<u32>>,
    /// Burn the hotkey paid to register, rao (0 for the neurons present at the start).
    pub registration_burn_rao: Vec<u64>,
    /// Stake the epoch used, in TAO (own alpha; the epoch's stake weight adds
    /// `tao_weight × root_stake`).
    pub stake: Vec<f64>,
    /// Root stake of the hotkey, in TAO (0 without).
    pub root_stake: Vec<f64>,
    /// Consensus weight of the UID as a miner.
    pub consensus: Vec<f64>,
    /// Incentive share.
    pub incentive: Vec<f64>,
    /// Dividend share.
    pub dividends: Vec<f64>,
    /// Validator trust.
    pub validator_trust: Vec<f64>,
    /// The miner's latent quality at the epoch (none for validators).
    pub quality: Vec<Option<f64>>,
    /// Whether the UID held a validator permit in this epoch.
    pub validator_permit: Vec<bool>,
    /// Emission paid to the UID at this epoch, in TAO.
    pub emission: Vec<f64>,
    /// The same, in rao (exact).
    pub emission_rao: Vec<u64>,
    /// Emission paid to the hotkey at this UID since it registered (this epoch included), in
    /// TAO: a hotkey's last row gives its exact total even when only some epochs are kept.
    pub emission_total: Vec<f64>,
    /// The same, in rao (exact).
    pub emission_total_rao: Vec<u64>,
}

/// One row per subnet per epoch (`subnets.parquet`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SubnetRows {
    /// Arm index (0 unless the run belongs to a comparison or sweep).
    pub arm: Vec<u32>,
    /// Run index.
    pub run: Vec<u32>,
    /// Netuid.
    pub subnet: Vec<u16>,
    /// Epoch number.
    pub epoch: Vec<u64>,
    /// Block of the epoch.
    pub block: Vec<u64>,
    /// UIDs in use.
    pub neurons: Vec<u32>,
    /// Validators with a permit used in this epoch.
    pub permitted_validators: Vec<u32>,
    /// Emission drained from pending and distributed by this epoch (miners + validators), rao.
    pub emission_rao: Vec<u64>,
    /// Paid to miners as incentive, rao.
    pub miner_emission_rao: Vec<u64>,
    /// Paid to validators as dividends, rao.
    pub validator_emission_rao: Vec<u64>,
    /// Owner cut accrued since the previous epoch, rao.
    pub owner_cut_rao: Vec<u64>,
    /// Rounding dust of the period (never paid), rao.
    pub dust_rao: Vec<u64>,
    /// Total stake on the subnet after the epoch's pay-out, TAO.
    pub total_stake: Vec<f64>,
    /// Mean quality of the subnet's miners.
    pub mean_miner_quality: Vec<f64>,
    /// Registrations since the previous epoch.
    pub registrations: Vec<u32>,
    /// Registrations refused since the previous epoch (no UID could be pruned).
    pub registrations_refused: Vec<u32>,
    /// Burn paid by those registrations, rao.
    pub registration_burn_rao: Vec<u64>,
    /// Registration price at the epoch, rao.
    pub burn_rao: Vec<u64>,
    /// `set_weights` calls (or commits) accepted since the previous epoch.
    pub weights_set: Vec<u32>,
    /// `set_weights` calls the chain refused since the previous epoch.
    pub weights_rejected: Vec<u32>,
    /// Miners registered at the epoch.
    pub miners: Vec<u32>,
    /// Pool TAO reserve after the epoch, TAO (0 without pools).
    pub pool_tao: Vec<f64>,
    /// Pool alpha reserve after the epoch, alpha (0 without pools).
    pub pool_alpha: Vec<f64>,
    /// Spot price, TAO per alpha (1 without pools).
    pub price: Vec<f64>,
    /// Moving (EMA) price.
    pub moving_price: Vec<f64>,
    /// Mean share of block emission over the period.
    pub share: Vec<f64>,
    /// TAO emission of the subnet over the period (its share), rao.
    pub tao_emission_rao: Vec<u64>,
    /// TAO injected into the pool, rao.
    pub tao_in_rao: Vec<u64>,
    /// Alpha injected into the pool, rao.
    pub alpha_in_rao: Vec<u64>,
    /// TAO spent on chain buys (the injection cap's excess), rao.
    pub excess_tao_rao: Vec<u64>,
    /// Alpha bought by chain buys (protocol-owned), rao.
    pub chain_bought_alpha_rao: Vec<u64>,
    /// Alpha emitted to participants (owner, miners, validators, root), rao.
    pub alpha_out_rao: Vec<u64>,
    /// Root stakers' part of the validators' half, rao.
    pub root_alpha_rao: Vec<u64>,
    /// Alpha issuance (pool + outstanding), alpha.
    pub alpha_issuance: Vec<f64>,
    /// EMA of net TAO flow into the subnet, TAO per block.
    pub flow_ema: Vec<f64>,
}

/// Network rows (`network.parquet`): at the start, every day, at every halving, at the end.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NetworkRows {
    /// Arm index (0 unless the run belongs to a comparison or sweep).
    pub arm: Vec<u32>,
    /// Run index.
    pub run: Vec<u32>,
    /// Block.
    pub block: Vec<u64>,
    /// Total TAO issuance after the block, in TAO.
    pub issuance: Vec<f64>,
    /// The same in rao.
    pub issuance_rao: Vec<u64>,
    /// TAO emitted by the next block, in TAO.
    pub block_emission: Vec<f64>,
    /// Halving level of the block (0 before the first halving).
    pub halving_index: Vec<u32>,
    /// TAO price in USD at the block.
    pub tao_price_usd: Vec<f64>,
    /// TAO staked: with pools, the pools' TAO plus root stake; without, the hotkeys' stake.
    pub total_staked: Vec<f64>,
}

/// A columnar table whose rows carry a block (the shards' rows are merged by block).
pub trait Rows {
    /// Rows in the table.
    fn len(&self) -> usize;
    /// Whether the table has no rows.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Block of row `i`.
    fn block(&self, i: usize) -> u64;
    /// Append rows `range` of `other`.
    fn extend_rows(&mut self, other: &Self, range: std::ops::Range<usize>);
    /// Drop every row, keeping the columns' capacity.
    fn clear(&mut self);
}

/// [`Rows`] for a table, from its field list (the destructuring makes a missing column a
/// compile error).
macro_rules! rows {
    ($table:ident { $($column:ident),* $(,)? }) => {
        impl Rows for $table {
            fn len(&self) -> usize {
                self.block.len()
            }

            fn block(&self, i: usize) -> u64 {
                self.block[i]
            }

            fn extend_rows(&mut self, other: &Self, range: std::ops::Range<usize>) {
                let $table { $($column),* } = self;
                $( $column.extend_from_slice(&other.$column[range.clone()]); )*
            }

            fn clear(&mut self) {
                let $table { $($column),* } = self;
                $( $column.clear(); )*
            }
        }
    };
}

rows!(NeuronRows {
    arm,
    run,
    subnet,
    epoch,
    block,
    uid,
    hotkey,
    role,
    strategy,
    coalition,
    registration_burn_rao,
    stake,
    root_stake,
    consensus,
    incentive,
    dividends,
    validator_trust,
    quality,
    validator_permit,
    emission,
    emission_rao,
    emission_total,
    emission_total_rao
});
rows!(SubnetRows {
    arm,
    run,
    subnet,
    epoch,
    block,
    neurons,
    permitted_validators,
    emission_rao,
    miner_emission_rao,
    validator_emission_rao,
    owner_cut_rao,
    dust_rao,
    total_stake,
    mean_miner_quality,
    registrations,
    registrations_refused,
    registration_burn_rao,
    burn_rao,
    weights_set,
    weights_rejected,
    miners,
    pool_tao,
    pool_alpha,
    price,
    moving_price,
    share,
    tao_emission_rao,
    tao_in_rao,
    alpha_in_rao,
    excess_tao_rao,
    chain_bought_alpha_rao,
    alpha_out_rao,
    root_alpha_rao,
    alpha_issuance,
    flow_ema
});

/// Append the rows of `parts` to `out` in block order, ties in `parts` order: a stable k-way
/// merge (each part is in block order), so the result does not depend on which thread filled
/// which part.
pub fn merge_by_block<T: Rows>(out: &mut T, parts: &[&T]) {
    use std::cmp::Reverse;
    let mut heads: std::collections::BinaryHeap<Reverse<(u64, usize)>> = parts
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.is_empty())
        .map(|(i, p)| Reverse((p.block(0), i)))
        .collect();
    let mut at = vec![0usize; parts.len()];
    while let Some(Reverse((block, i))) = heads.pop() {
        let part = parts[i];
        let start = at[i];
        let mut end = start;
        while end < part.len() && part.block(end) == block {
            end += 1;
        }
        out.extend_rows(part, start..end);
        at[i] = end;
        if end < part.len() {
            heads.push(Reverse((part.block(end), i)));
        }
    }
}

/// Emission accounting for the whole run, in rao. `minted_rao` equals the sum of the others.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// TAO minted over the run.
    pub minted_rao: u64,
    /// Paid to miners.
    pub miners_rao: u64,
    /// Paid to validators.
    pub validators_rao: u64,
    /// Owner cuts.
    pub owner_cut_rao: u64,
    /// Rounding dust (never paid out).
    pub dust_rao: u64,
    /// Accrued but not yet distributed at the end (pending until each subnet's next epoch).
    pub pending_rao: u64,
    /// TAO paid for registrations (not emission: it comes from the registrants).
    pub registration_burn_rao: u64,
    /// Incentive that landed on owner hotkeys and was burned.
    pub owner_burned_rao: u64,
    /// TAO of the subnets' shares injected into pools as liquidity (without pools: all of it).
    pub tao_in_rao: u64,
    /// TAO of the subnets' shares spent on chain buys.
    pub excess_tao_rao: u64,
    /// TAO minted but given to no subnet (every share 0).
    pub recycled_rao: u64,
    /// Alpha emitted by all subnets (without pools: the TAO minted, alpha = TAO). Equals miners +
    /// validators + owner cut + owner burned + dust + pending + root alpha + root recycled.
    pub alpha_emitted_rao: u64,
    /// Alpha paid to root stakers.
    pub root_alpha_rao: u64,
    /// Root alpha recycled because the root-sell flag was off.
    pub root_recycled_rao: u64,
    /// TAO that registrations and stakers put into pools, net of fees.
    pub pool_in_rao: u64,
    /// TAO that unstaking took out of pools.
    pub pool_out_rao: u64,
    /// Swap fees (to block authors), TAO and alpha rao.
    pub fees_rao: u64,
    /// Σ pools' TAO at the start.
    pub pool_tao_start_rao: u64,
    /// Σ pools' TAO at the end.
    pub pool_tao_end_rao: u64,
    /// TAO price pumpers spent buying alpha (part of `pool_in_rao`, with the fees).
    pub pumper_spent_rao: u64,
    /// TAO price pumpers got back selling it (part of `pool_out_rao`).
    pub pumper_received_rao: u64,
}

impl Totals {
    /// Add another run's totals (a study's `run.json` sums its runs).
    pub fn add(&mut self, o: &Totals) {
        self.minted_rao += o.minted_rao;
        self.miners_rao += o.miners_rao;
        self.validators_rao += o.validators_rao;
        self.owner_cut_rao += o.owner_cut_rao;
        self.dust_rao += o.dust_rao;
        self.pending_rao += o.pending_rao;
        self.registration_burn_rao += o.registration_burn_rao;
        self.owner_burned_rao += o.owner_burned_rao;
        self.tao_in_rao += o.tao_in_rao;
        self.excess_tao_rao += o.excess_tao_rao;
        self.recycled_rao += o.recycled_rao;
        self.alpha_emitted_rao += o.alpha_emitted_rao;
        self.root_alpha_rao += o.root_alpha_rao;
        self.root_recycled_rao += o.root_recycled_rao;
        self.pool_in_rao += o.pool_in_rao;
        self.pool_out_rao += o.pool_out_rao;
        self.fees_rao += o.fees_rao;
        self.pool_tao_start_rao += o.pool_tao_start_rao;
        self.pool_tao_end_rao += o.pool_tao_end_rao;
        self.pumper_spent_rao += o.pumper_spent_rao;
        self.pumper_received_rao += o.pumper_received_rao;
    }
}

impl RunRecord {
    /// Set the arm of the run and of every row.
    pub fn relabel_arm(&mut self, arm: u32) {
        self.arm = arm;
        self.neurons.arm.iter_mut().for_each(|a| *a = arm);
        self.subnets.arm.iter_mut().for_each(|a| *a = arm);
        self.network.arm.iter_mut().for_each(|a| *a = arm);
    }
}

/// Everything a run produced.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunRecord {
    /// Arm index (0 unless part of a comparison or sweep).
    pub arm: u32,
    /// Run index (0 for a single run).
    pub run: u32,
    /// Seed of the scenario.
    pub seed: u64,
    /// First and last simulated block.
    pub blocks: (u64, u64),
    /// Number of epochs run over all subnets.
    pub epochs: u64,
    /// Per-UID rows.
    pub neurons: NeuronRows,
    /// Per-subnet rows.
    pub subnets: SubnetRows,
    /// Network rows.
    pub network: NetworkRows,
    /// Emission accounting.
    pub totals: Totals,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A two-column table: block and which part the row came from.
    #[derive(Default)]
    struct Tagged(Vec<u64>, Vec<u16>);

    impl Rows for Tagged {
        fn len(&self) -> usize {
            self.0.len()
        }
        fn block(&self, i: usize) -> u64 {
            self.0[i]
        }
        fn extend_rows(&mut self, other: &Self, range: std::ops::Range<usize>) {
            self.0.extend_from_slice(&other.0[range.clone()]);
            self.1.extend_from_slice(&other.1[range]);
        }
        fn clear(&mut self) {
            self.0.clear();
            self.1.clear();
        }
    }

    fn part(blocks: &[u64], tag: u16) -> Tagged {
        Tagged(blocks.to_vec(), vec![tag; blocks.len()])
    }

    #[test]
    fn merge_by_block_is_stable_across_parts() {
        // Hand-made parts: the ties at block 5 keep part order (0, then 1, then 2).
        let parts = [part(&[5, 9], 0), part(&[3, 5, 5], 1), part(&[5], 2)];
        let mut out = Tagged::default();
        merge_by_block(&mut out, &parts.iter().collect::<Vec<_>>());
        assert_eq!(out.0, vec![3, 5, 5, 5, 5, 9]);
        assert_eq!(out.1, vec![1, 0, 1, 1, 2, 0]);
    }

    #[test]
    fn subnet_rows_clear_every_column() {
        let mut a = SubnetRows::default();
        a.block.push(7);
        a.subnet.push(2);
        a.share.push(0.5);
        a.clear();
        assert!(a.is_empty() && a.subnet.is_empty() && a.share.is_empty());
    }
}
