//! The scenario language: what a user writes in YAML, with every default documented.
//!
//! Loading is in three steps, each in its own module: [`load`] parses the text (applying any
//! `--set` overrides first) into these types, collecting every structural problem;
//! [`validate`] checks ranges and consistency, again collecting every problem; and
//! [`Scenario::resolve`] fills the derived defaults so that `scenario.resolved.yaml` states
//! everything the run used. Every problem names file, line, column and field path
//! ([`Problem`]).
//!
//! Chain parameters use the chain's own units (u16 proportions, per-million, blocks), so values
//! can be copied from `btcli` or from chain state; amounts a user thinks about (stake, issuance)
//! are in TAO.

mod adversary;
mod builtin;
mod distribution;
mod economy;
pub mod limits;
mod load;
mod locate;
mod overrides;
mod price_file;
mod problem;
mod validate;

pub use crate::chain::coinbase::ShareRule;
pub use adversary::{Adapt, Cohort, Knob, Operator};
pub use builtin::{BUILTIN_SCENARIOS, BuiltinScenario, builtin};
pub use distribution::Distribution;
pub use economy::{Coinbase, Entrants, MinerEconomics, Outage, PoolStart, Removal, Stakers};
pub use load::{load_file, load_str};
pub use locate::duplicate_key;
pub(crate) use locate::value_at;
pub use overrides::Override;
pub use problem::{Problem, ScenarioError, compact, compact_numbers, explain};

use serde::{Deserialize, Serialize};

/// Blocks per day at 12 s blocks (the chain's own constant for "one day").
pub const BLOCKS_PER_DAY: u64 = 7_200;
/// Blocks per year, 365 days.
pub const BLOCKS_PER_YEAR: u64 = 365 * BLOCKS_PER_DAY;

/// A complete scenario: who is on which subnet, under which rules, for how long.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Name of the scenario; the default result folder is `out/<name>`.
    pub name: String,
    /// Free text shown by `subnetlab list` and in reports.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Master seed (default 0). Every random stream of the run derives from it and stable ids.
    #[serde(default)]
    pub seed: u64,
    /// How long to simulate.
    pub duration: Duration,
    /// The chain state the run starts from.
    #[serde(default)]
    pub start: Start,
    /// Network-wide parameters.
    #[serde(default)]
    pub network: Network,
    /// The subnets (at least one).
    pub subnets: Vec<Subnet>,
    /// Changes scheduled during the run, e.g. a hyperparameter vote at day 10.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timeline: Vec<Change>,
    /// Independent runs per sweep point (default 1). Run `r` of every arm uses the same seed,
    /// derived from (`seed`, `r`), so arms are compared on common random numbers.
    #[serde(default = "one_u32")]
    pub replicates: u32,
    /// Parameter sweep: each point is an arm with `replicates` runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<Sweep>,
    /// What to keep of each run (per-UID rows are the bulk of the output).
    #[serde(default)]
    pub record: Record,
    /// The epoch's arithmetic (default `f64`): `f64` runs the fast double-precision epoch;
    /// `chain` runs the chain's own fixed-point epoch bit for bit (stake and emission in rao,
    /// weights and bonds stored as u16 between epochs), several times slower. `--numeric`
    /// overrides it.
    #[serde(default, skip_serializing_if = "is_f64")]
    pub numeric: crate::chain::numeric::Numeric,
}

fn is_f64(numeric: &crate::chain::numeric::Numeric) -> bool {
    *numeric == crate::chain::numeric::Numeric::F64
}

fn one_u32() -> u32 {
    1
}

/// A parameter sweep. Paths are field paths as in `--set`. `grid` takes every combination;
/// `zip` walks its lists in step (all the same length) and is crossed with the grid; `random`
/// adds `n` points drawn uniformly from ranges (deterministically, from the seed).
///
/// ```yaml
/// sweep:
///   grid:
///     subnets[0].hyperparameters.kappa: [26214, 32767, 39321]
///     subnets[0].hyperparameters.yuma3: [true, false]
/// replicates: 10
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sweep {
    /// Path → values; the product of all lists.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub grid: std::collections::BTreeMap<String, Vec<yaml_serde::Value>>,
    /// Path → values, taken in step; crossed with the grid.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub zip: std::collections::BTreeMap<String, Vec<yaml_serde::Value>>,
    /// Random points, added after the grid × zip points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub random: Option<RandomSweep>,
}

impl Sweep {
    /// Every field path the sweep sets (grid, zip and random).
    pub fn paths(&self) -> impl Iterator<Item = &String> {
        self.keys().map(|(_, path)| path)
    }

    /// [`Sweep::paths`] with the section that sets each (`grid`, `zip`, `random.ranges`), as
    /// problems name them (`sweep.grid.<path>`).
    pub fn keys(&self) -> impl Iterator<Item = (&'static str, &String)> {
        let random = self.random.iter().flat_map(|r| r.ranges.keys());
        self.grid
            .keys()
            .map(|k| ("grid", k))
            .chain(self.zip.keys().map(|k| ("zip", k)))
            .chain(random.map(|k| ("random.ranges", k)))
    }

    /// Whether the sweep sets `field` or anything under it (e.g. `duration` for
    /// `duration.days`).
    pub fn varies(&self, field: &str) -> bool {
        self.paths().any(|p| is_under(p, field))
    }
}

/// Whether field path `path` is `field` or lies under it (`duration.days` under `duration`,
/// `subnets[0].tempo` under `subnets`; everything under the root `""`).
pub(crate) fn is_under(path: &str, field: &str) -> bool {
    field.is_empty()
        || path
            .strip_prefix(field)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
}

/// `n` points drawn uniformly from `ranges`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RandomSweep {
    /// Number of points.
    pub n: u32,
    /// Path → range.
    pub ranges: std::collections::BTreeMap<String, Range>,
}

/// A closed range; `integer: true` draws whole numbers (for u16/u64 fields such as kappa).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Range {
    /// Lower bound.
    pub min: f64,
    /// Upper bound.
    pub max: f64,
    /// Draw integers (default false).
    #[serde(default)]
    pub integer: bool,
}

/// What a run keeps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// Per-UID rows: `all` epochs (default), only each subnet's `last` epoch, or `none`.
    #[serde(default)]
    pub neurons: NeuronRecord,
    /// With `neurons: all`, keep every `every`-th epoch of each subnet (default 1); the last
    /// epoch is always kept.
    #[serde(default = "one_u64")]
    pub every: u64,
}

impl Default for Record {
    fn default() -> Self {
        Record {
            neurons: NeuronRecord::All,
            every: 1,
        }
    }
}

fn one_u64() -> u64 {
    1
}

/// Which per-UID rows a run keeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NeuronRecord {
    /// Every epoch (decimated by `every`).
    #[default]
    All,
    /// Each subnet's last epoch of the run.
    Last,
    /// None (subnet and network rows are still kept).
    None,
}

/// A change scheduled during the run: at a moment, set fields of the scenario.
///
/// ```yaml
/// timeline:
///   - at: { day: 10 }
///     set:
///       subnets[0].hyperparameters.kappa: 40000
///       subnets[0].validators.strategy.noise: 0.2
/// ```
/// Paths are field paths as in `--set`. What can change mid-run: a subnet's `hyperparameters`
/// and `emission_share`, its validators' and miners' `strategy` parameters, and `network`.
/// A changed tempo restarts the subnet's epoch clock at the change, as the chain's `set_tempo`
/// does. Changes apply after the block's epochs and weight sets. A change at or after the end
/// of the run never applies: the file may not hold one, but after `--set duration=...` (or a
/// sweep of the duration) shortened the run, the late changes are skipped.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// When, relative to the first simulated block.
    pub at: At,
    /// Field path → new value.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub set: std::collections::BTreeMap<String, yaml_serde::Value>,
    /// Neurons that register at this moment, in order, each paying the current burn and
    /// taking a free UID or replacing the one pruning picks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub register: Vec<Wave>,
    /// Validators that go offline for a window (an outage).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outage: Vec<Outage>,
    /// Agents that leave for good.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remove: Vec<Removal>,
}

/// A registration wave on one subnet: new validators and/or miners.
///
/// ```yaml
/// timeline:
///   - at: { day: 3 }
///     register:
///       - subnet: 0
///         miners: { count: 30, quality: { distribution: uniform, min: 0.6, max: 1 } }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wave {
    /// Index of the subnet in `subnets` (0 = the first).
    pub subnet: usize,
    /// New validators (registered first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validators: Option<Validators>,
    /// New miners.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub miners: Option<Miners>,
}

/// A moment in the run: give exactly one of the three.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct At {
    /// Blocks after the first simulated block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block: Option<u64>,
    /// Epochs of the first subnet after the start (`epoch × tempo` blocks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<u64>,
    /// Days after the start (7,200 blocks each; fractions allowed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<f64>,
}

/// Simulated time span: give exactly one of the four.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Duration {
    /// Blocks (12 s each).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocks: Option<u64>,
    /// Epochs of the first subnet (its tempo in blocks each).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epochs: Option<u64>,
    /// Days of 7,200 blocks (fractions allowed; rounded down to whole blocks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<f64>,
    /// Years of 365 days (fractions allowed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub years: Option<f64>,
}

/// The chain state at the first simulated block.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Start {
    /// Block number of the first simulated block (default 0). Only offsets matter to the
    /// mechanism; it labels the output.
    #[serde(default)]
    pub block: u64,
    /// Total TAO issuance before the first simulated block, in TAO (default 0). It sets the
    /// halving level: 10,500,000 is the first halving.
    #[serde(default)]
    pub issuance: f64,
}

impl Default for Start {
    fn default() -> Self {
        Start {
            block: 0,
            issuance: 0.0,
        }
    }
}

/// Network-wide parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// `SubnetOwnerCut`, u16 proportion of each subnet's emission paid to its owner
    /// (default 11,796 ≈ 18 %).
    #[serde(default = "default_owner_cut")]
    pub owner_cut: u16,
    /// The TAO/USD price over the run, for USD figures such as the daily security budget
    /// (default: constant 300).
    #[serde(default)]
    pub tao_price: PricePath,
    /// `StakeThreshold` in TAO (default 0): UIDs with less stake weight get none in consensus
    /// and may not set weights (the owner is exempt).
    #[serde(default)]
    pub stake_threshold: f64,
    /// How much TAO each block mints (default: the chain's issuance-based halving).
    #[serde(default)]
    pub emission: EmissionSchedule,
    /// dTAO pools and the subnet share rule (default: no pools, `fixed` shares).
    #[serde(default)]
    pub coinbase: Coinbase,
    /// Nominators staking through the pools (default: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stakers: Option<Stakers>,
}

/// The TAO emission schedule, chosen with `schedule:`. Every schedule stops at 21 M TAO.
///
/// ```yaml
/// network:
///   emission: { schedule: smooth_exponential }       # same supply, no steps
///   # emission: { schedule: halving_every_blocks, interval: 10512000 }
///   # emission: { schedule: table, by: issuance, steps: [{ from: 0, per_block: 1 }, { from: 15000000, per_block: 0.1 }] }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "schedule", rename_all = "snake_case", deny_unknown_fields)]
pub enum EmissionSchedule {
    /// The chain's rule: 1 TAO per block halving each time issuance crosses 10.5 M, 15.75 M, …
    #[default]
    Chain,
    /// Bitcoin-style: halve every `interval` blocks counted from block 0.
    HalvingEveryBlocks {
        /// Blocks between halvings (10,500,000 ≈ the chain's ~4 years).
        interval: u64,
        /// TAO per block before the first halving (default 1).
        #[serde(default = "one")]
        initial: f64,
    },
    /// The smooth curve through the start of each chain level: the rate is
    /// `initial × (21 M − issuance) / 21 M`; same total supply, no steps.
    SmoothExponential {
        /// TAO per block at zero issuance (default 1).
        #[serde(default = "one")]
        initial: f64,
    },
    /// A fixed amount every block.
    Constant {
        /// TAO per block.
        per_block: f64,
    },
    /// Piecewise constant by block number or by issuance.
    Table {
        /// `block` or `issuance` (TAO).
        by: TableBy,
        /// Steps, ascending by `from`; before the first step nothing is minted.
        steps: Vec<TableStep>,
    },
}

/// What a table schedule's `from` values are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TableBy {
    /// Block numbers.
    Block,
    /// Issuance in TAO.
    Issuance,
}

/// One step of a table schedule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableStep {
    /// Block number or issuance (TAO) from which the step applies.
    pub from: f64,
    /// TAO per block.
    pub per_block: f64,
}

impl Default for Network {
    fn default() -> Self {
        Network {
            owner_cut: default_owner_cut(),
            tao_price: PricePath::default(),
            stake_threshold: 0.0,
            emission: EmissionSchedule::Chain,
            coinbase: Coinbase::default(),
            stakers: None,
        }
    }
}

/// The TAO/USD price path, chosen with `path:`. It moves once a day (the network rows record
/// it), from its own random stream.
///
/// ```yaml
/// network:
///   tao_price: { path: gbm, start: 300, drift: 0.2, volatility: 0.8 }   # annualised
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "path", rename_all = "snake_case", deny_unknown_fields)]
pub enum PricePath {
    /// A fixed price.
    Constant {
        /// USD per TAO.
        usd: f64,
    },
    /// Geometric Brownian motion with daily steps: `log price` moves by
    /// `(drift − volatility²/2)·dt + volatility·√dt·N(0,1)`, `dt` = 1/365 year.
    Gbm {
        /// USD per TAO at the start.
        start: f64,
        /// Annualised drift (0.2 = +20 %/year in expectation).
        drift: f64,
        /// Annualised volatility (0.8 = 80 %).
        volatility: f64,
    },
    /// Piecewise constant by day of the run: `[{ day, usd }, ...]`, ascending; the first
    /// point's price applies before it. The points are given inline or read from a CSV file.
    ///
    /// ```yaml
    /// tao_price: { path: table, file: prices.csv }   # header `day,usd`, then one row per point
    /// ```
    Table {
        /// The points (default: none; then `file` gives them).
        #[serde(default)]
        points: Vec<PricePoint>,
        /// A CSV file with a header row naming the columns `day` and `usd` (other columns are
        /// ignored) and one point per row, ascending by day; a relative path is taken from
        /// the scenario file's folder. It is read when the scenario is loaded: the resolved
        /// scenario holds its points inline, so a result folder needs no outside file.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file: Option<String>,
    },
}

impl Default for PricePath {
    fn default() -> Self {
        PricePath::Constant { usd: 300.0 }
    }
}

/// One point of a price table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PricePoint {
    /// Day of the run (0 = the start).
    pub day: f64,
    /// USD per TAO from that day on.
    pub usd: f64,
}

fn default_owner_cut() -> u16 {
    crate::chain::split::DEFAULT_OWNER_CUT
}

/// One subnet: its rules and its population.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subnet {
    /// Netuid (default: position in the list + 1; 0 is the root network and not allowed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub netuid: Option<u16>,
    /// Display name (default `subnet-<netuid>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Relative weight of this subnet in each block's emission (default 1: equal shares), used
    /// by the `fixed` share rule (`network.coinbase.share_rule`).
    #[serde(default = "one")]
    pub emission_share: f64,
    /// The subnet's dTAO pool at the start (used when `network.coinbase.pools` is on).
    #[serde(default)]
    pub pool: PoolStart,
    /// Miners' costs, exits and entrants (default: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub economics: Option<MinerEconomics>,
    /// Consensus and registration hyperparameters.
    #[serde(default)]
    pub hyperparameters: Hyperparameters,
    /// The validators: stake and strategy.
    pub validators: Validators,
    /// The miners: quality and strategy.
    pub miners: Miners,
    /// The subnet owner's hotkey, registered at UID 0 (default: not registered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<SubnetOwner>,
    /// Further populations registered at the start, after `validators` and `miners`, each with
    /// its own stake, quality and strategy: how adversaries join an honest subnet (default:
    /// none). See [`Cohort`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cohorts: Vec<Cohort>,
    /// Actors that register or move stake rather than set weights: a deregistration griefer,
    /// a stake whale (default: none). See [`Operator`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operators: Vec<Operator>,
}

/// The subnet owner's hotkey on its own subnet (UID 0). The chain always gives it a validator
/// permit, keeps its self-weight, exempts it from the stake threshold and never prunes it;
/// incentive that lands on it is burned.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubnetOwner {
    /// Stake on the owner hotkey, TAO (default 0).
    #[serde(default)]
    pub stake: f64,
    /// What it does with weights (default: `idle`).
    #[serde(default)]
    pub strategy: OwnerStrategy,
}

/// What the owner hotkey does with its weights, chosen with `kind:`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum OwnerStrategy {
    /// Sets no weights.
    #[default]
    Idle,
    /// Puts all its weight on itself every `interval` blocks (default: tempo), so the miners'
    /// share that consensus gives it is burned — a common way owners reduce miner emission.
    Burn {
        /// Blocks between weight sets.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        interval: Option<u64>,
    },
    /// Validates like an honest validator (same parameters).
    Honest {
        /// Observation noise.
        #[serde(default = "default_noise")]
        noise: f64,
        /// How observations become weights.
        #[serde(default)]
        weights: WeightRule,
        /// Blocks between weight updates (default: tempo).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        interval: Option<u64>,
    },
    /// Self-dealing: observes like an honest validator but puts the fraction `w_c` of its
    /// weight on the miners of its own `coalition` (miners with `kind: cabal` and that
    /// coalition), backed by the owner hotkey's permit, which the chain always grants. Probes
    /// whether consensus clipping contains an owner that weights its own miners.
    SelfDealingOwner {
        /// Coalition id of the owner's miners.
        coalition: u32,
        /// Fraction of its weight on its own miners, 0 to 1.
        w_c: f64,
        /// Observation noise for the rest.
        #[serde(default = "default_noise")]
        noise: f64,
        /// How observations of the other miners become weights.
        #[serde(default)]
        weights: WeightRule,
        /// Blocks between weight updates (default: tempo).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        interval: Option<u64>,
    },
}

fn one() -> f64 {
    1.0
}

/// A subnet's hyperparameters, in the chain's units; defaults are those of a new mainnet subnet
/// (`init_new_network`, spec §8), except where noted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hyperparameters {
    /// `Tempo`: blocks between epochs (default 360 = 72 minutes).
    #[serde(default = "default_tempo")]
    pub tempo: u16,
    /// `Kappa`, u16: the stake majority whose weights form consensus (default 32,767 ≈ 0.5).
    #[serde(default = "default_kappa")]
    pub kappa: u16,
    /// `BondsMovingAverage`, per million: the share of the old bond kept by the EMA
    /// (default 900,000, an EMA alpha of 0.1).
    #[serde(default = "default_bma")]
    pub bonds_moving_average: u64,
    /// `BondsPenalty`, u16: how much of the clipped-away weight is also removed from bonds
    /// (default 65,535 = all of it).
    #[serde(default = "u16_max")]
    pub bonds_penalty: u16,
    /// `Yuma3On` (default true, as for every new subnet); false runs classic Yuma bonds.
    #[serde(default = "yes")]
    pub yuma3: bool,
    /// Liquid alpha (per-bond EMA rate; acts only with `yuma3`).
    #[serde(default)]
    pub liquid_alpha: LiquidAlpha,
    /// Activity cutoff in blocks: a validator that has not set weights for longer loses its
    /// active stake (default `max(1, 13,889 × tempo / 1000)` = 5,000 at tempo 360).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity_cutoff: Option<u64>,
    /// `MaxAllowedValidators`: how many of the highest-stake UIDs hold a validator permit
    /// (default 64).
    #[serde(default = "default_max_validators")]
    pub max_allowed_validators: u16,
    /// `MaxAllowedUids`: UID slots on the subnet (default 256).
    #[serde(default = "default_max_uids")]
    pub max_allowed_uids: u16,
    /// `ImmunityPeriod` in blocks after registration during which a UID is protected from
    /// pruning (default 5,000).
    #[serde(default = "default_immunity")]
    pub immunity_period: u64,
    /// `MinNonImmuneUids`: a full subnet prunes a non-immune UID only while more than this many
    /// are left, otherwise the lowest immune one (default 10).
    #[serde(default = "default_min_non_immune")]
    pub min_non_immune_uids: u16,
    /// The registration price.
    #[serde(default)]
    pub burn: Burn,
    /// Commit-reveal of weights (on by default, as for every new subnet).
    #[serde(default)]
    pub commit_reveal: CommitReveal,
    /// `WeightsSetRateLimit`: blocks between two weight sets (or commits) of a hotkey
    /// (default 100).
    #[serde(default = "default_rate_limit")]
    pub weights_rate_limit: u64,
    /// `MinAllowedWeights`: fewest weights a call may set, self-weight aside (default 1).
    #[serde(default = "default_min_weights")]
    pub min_allowed_weights: u16,
    /// `MaxWeightsLimit`, u16: the largest normalised weight a call may give one UID
    /// (default 65,535 = no limit).
    #[serde(default = "u16_max")]
    pub max_weights_limit: u16,
}

fn default_rate_limit() -> u64 {
    100
}
fn default_min_weights() -> u16 {
    1
}

/// Commit-reveal (spec §7.2, time-locked commits): weights are committed, hidden, and revealed
/// `reveal_period` epochs later, just before that epoch runs; `LastUpdate` is the commit block.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitReveal {
    /// `CommitRevealWeightsEnabled` (default true).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// `RevealPeriodEpochs` (default 1; 1 to 100).
    #[serde(default = "one_u64_cr")]
    pub reveal_period: u64,
}

impl Default for CommitReveal {
    fn default() -> Self {
        CommitReveal {
            enabled: true,
            reveal_period: 1,
        }
    }
}

fn one_u64_cr() -> u64 {
    1
}

fn default_min_non_immune() -> u16 {
    10
}

/// The registration price (`Burn`) and its dynamics (spec §6.1), in TAO.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Burn {
    /// Price at the start (default 1 TAO, a new subnet's).
    #[serde(default = "one")]
    pub initial: f64,
    /// `MinBurn` (default 0.0005 TAO).
    #[serde(default = "default_min_burn")]
    pub min: f64,
    /// `MaxBurn` (default 100 TAO).
    #[serde(default = "default_max_burn")]
    pub max: f64,
    /// `BurnHalfLife`: blocks for the price to halve with no registration (default 360).
    #[serde(default = "default_burn_half_life")]
    pub half_life: u16,
    /// `BurnIncreaseMult`: price multiplier per registration (default 1.26; 1 to 3).
    #[serde(default = "default_burn_mult")]
    pub increase_mult: f64,
}

impl Default for Burn {
    fn default() -> Self {
        Burn {
            initial: 1.0,
            min: default_min_burn(),
            max: default_max_burn(),
            half_life: default_burn_half_life(),
            increase_mult: default_burn_mult(),
        }
    }
}

fn default_min_burn() -> f64 {
    0.0005
}
fn default_max_burn() -> f64 {
    100.0
}
fn default_burn_half_life() -> u16 {
    360
}
fn default_burn_mult() -> f64 {
    1.26
}

impl Default for Hyperparameters {
    fn default() -> Self {
        Hyperparameters {
            tempo: default_tempo(),
            kappa: default_kappa(),
            bonds_moving_average: default_bma(),
            bonds_penalty: u16::MAX,
            yuma3: true,
            liquid_alpha: LiquidAlpha::default(),
            activity_cutoff: None,
            max_allowed_validators: default_max_validators(),
            max_allowed_uids: default_max_uids(),
            immunity_period: default_immunity(),
            min_non_immune_uids: default_min_non_immune(),
            burn: Burn::default(),
            commit_reveal: CommitReveal::default(),
            weights_rate_limit: default_rate_limit(),
            min_allowed_weights: default_min_weights(),
            max_weights_limit: u16::MAX,
        }
    }
}

impl Hyperparameters {
    /// The activity cutoff in blocks, explicit or derived from tempo as the chain does
    /// (`ActivityCutoffFactorMilli` 13,889).
    pub fn activity_cutoff_blocks(&self) -> u64 {
        self.activity_cutoff
            .unwrap_or_else(|| (13_889 * self.tempo as u64 / 1000).max(1))
    }
}

fn default_tempo() -> u16 {
    360
}
fn default_kappa() -> u16 {
    32_767
}
fn default_bma() -> u64 {
    900_000
}
fn u16_max() -> u16 {
    u16::MAX
}
fn yes() -> bool {
    true
}
fn default_max_validators() -> u16 {
    64
}
fn default_max_uids() -> u16 {
    256
}
fn default_immunity() -> u64 {
    5_000
}

/// Liquid alpha: the bond EMA rate moves between `alpha_low` and `alpha_high` with a sigmoid of
/// how far a validator's weight is from consensus (spec §1.12).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiquidAlpha {
    /// `LiquidAlphaOn` (default false).
    #[serde(default)]
    pub enabled: bool,
    /// `AlphaValues.0`, u16 (default 45,875 ≈ 0.7; at least 1,638 on chain).
    #[serde(default = "default_alpha_low")]
    pub alpha_low: u16,
    /// `AlphaValues.1`, u16 (default 58,982 ≈ 0.9).
    #[serde(default = "default_alpha_high")]
    pub alpha_high: u16,
    /// `AlphaSigmoidSteepness` (default 1,000).
    #[serde(default = "default_steepness")]
    pub steepness: i16,
}

impl Default for LiquidAlpha {
    fn default() -> Self {
        LiquidAlpha {
            enabled: false,
            alpha_low: default_alpha_low(),
            alpha_high: default_alpha_high(),
            steepness: default_steepness(),
        }
    }
}

fn default_alpha_low() -> u16 {
    45_875
}
fn default_alpha_high() -> u16 {
    58_982
}
fn default_steepness() -> i16 {
    1_000
}

/// The validator population of a subnet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Validators {
    /// Number of validators.
    pub count: u32,
    /// Initial stake per validator, in TAO.
    pub stake: Distribution,
    /// Root stake per validator, in TAO (default: none). A validator's TAO on the root network
    /// counts `tao_weight × root` toward its stake weight in this subnet's epoch (spec §1.5),
    /// and turns the part `τ·R / (α + τ·R)` of its dividends into root dividends, paid from
    /// the subnet's root alpha (spec §4.8). It is part of `network.coinbase.root_stake`, so a
    /// subnet's validators hold at most that much. Drawn after `stake`, from the same stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_stake: Option<Distribution>,
    /// What they do (default: honest).
    #[serde(default)]
    pub strategy: ValidatorStrategy,
}

/// The miner population of a subnet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Miners {
    /// Number of miners.
    pub count: u32,
    /// Latent quality per miner (what an ideal validator would weight; only relative values
    /// matter). Default: uniform on [0, 1].
    #[serde(default = "default_quality")]
    pub quality: Distribution,
    /// Initial stake per miner, in TAO (default: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stake: Option<Distribution>,
    /// What they do (default: honest).
    #[serde(default)]
    pub strategy: MinerStrategy,
}

fn default_quality() -> Distribution {
    Distribution::Uniform {
        min: 0.0,
        max: 1.0,
        total: None,
    }
}

/// Validator strategies. Chosen with `kind:`; the other fields are its parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ValidatorStrategy {
    /// Observes each miner's quality with its own Gaussian noise and weights what it sees.
    Honest {
        /// Standard deviation of the observation noise, in quality units (default 0.05).
        #[serde(default = "default_noise")]
        noise: f64,
        /// How observations become weights (default proportional).
        #[serde(default)]
        weights: WeightRule,
        /// Blocks between weight updates (default: the subnet's tempo). Each validator starts
        /// at its own random phase.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        interval: Option<u64>,
    },
    /// Weight copying: observes nothing and sets the weights it can read on chain — the
    /// stake-weighted mean of the permitted validators' stored rows (or the stored row of
    /// validator UID `target`). Under commit-reveal stored rows are only the revealed ones,
    /// committed `reveal_period` epochs earlier, so it copies stale weights: the defence this
    /// probes.
    WeightCopier {
        /// UID of a validator whose stored (revealed) weights it copies instead of the mean.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        target: Option<u16>,
        /// Multiplicative noise on each copied weight (`w·max(0, 1 + noise·N(0,1))`) to hide
        /// the copy (default 0).
        #[serde(default)]
        noise: f64,
        /// Epochs of extra delay: it sets what it saw `lag` epochs ago (default 0).
        #[serde(default)]
        lag: u64,
        /// Blocks between weight updates (default: tempo).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        interval: Option<u64>,
        /// Search `lag` or `noise` for a better return (default: fixed).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        adapt: Option<Adapt>,
    },
    /// A cabal validator: observes honestly, then puts the fraction `w_c` of its weight on its
    /// `coalition`'s miners (miners with `kind: cabal`, any quality) and the rest on the
    /// others as observed. Probes Yuma's clipping at the κ-majority and the bond penalty:
    /// a minority cabal's self-weight should be clipped away.
    Cabal {
        /// Coalition id shared with its miners.
        coalition: u32,
        /// Fraction of its weight on the coalition's miners, 0 to 1.
        w_c: f64,
        /// Observation noise for the other miners (default 0.05).
        #[serde(default = "default_noise")]
        noise: f64,
        /// How observations of the other miners become weights.
        #[serde(default)]
        weights: WeightRule,
        /// Blocks between weight updates (default: tempo).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        interval: Option<u64>,
        /// Search `w_c` for a better return (default: fixed).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        adapt: Option<Adapt>,
    },
    /// A lazy validator: keeps setting weights (staying active) but observes afresh only every
    /// `refresh` blocks, resending its stale row in between. Probes how bonds and validator
    /// trust reward freshness when miners drift.
    Lazy {
        /// Observation noise (default 0.05).
        #[serde(default = "default_noise")]
        noise: f64,
        /// How observations become weights.
        #[serde(default)]
        weights: WeightRule,
        /// Blocks between weight updates (default: tempo).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        interval: Option<u64>,
        /// Blocks between fresh observations (default: 10 × tempo).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        refresh: Option<u64>,
    },
    /// An honest validator that goes offline: no weight sets from `from` until `until`
    /// (an outage). Probes the activity cutoff: once `LastUpdate` is older than it, the
    /// validator's stake stops counting and it earns no dividends until it is back.
    Offline {
        /// Observation noise (default 0.05).
        #[serde(default = "default_noise")]
        noise: f64,
        /// How observations become weights.
        #[serde(default)]
        weights: WeightRule,
        /// Blocks between weight updates (default: tempo).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        interval: Option<u64>,
        /// Start of the outage, relative to the first simulated block.
        from: At,
        /// End of the outage (exclusive).
        until: At,
    },
    /// Follows the majority late: observes honestly but sets what it observed `lag` epochs
    /// earlier (the "kappa moves first" family). Probes how much bonds reward moving with or
    /// before consensus.
    LateFollower {
        /// Epochs of delay (default 1).
        #[serde(default = "one_u64")]
        lag: u64,
        /// Observation noise (default 0.05).
        #[serde(default = "default_noise")]
        noise: f64,
        /// How observations become weights.
        #[serde(default)]
        weights: WeightRule,
        /// Blocks between weight updates (default: tempo).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        interval: Option<u64>,
        /// Search `lag` for a better return (default: fixed).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        adapt: Option<Adapt>,
    },
}

impl Default for ValidatorStrategy {
    fn default() -> Self {
        ValidatorStrategy::Honest {
            noise: default_noise(),
            weights: WeightRule::default(),
            interval: None,
        }
    }
}

fn default_noise() -> f64 {
    0.05
}

/// How a validator turns what it observes into weights.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
pub enum WeightRule {
    /// Weight proportional to the observed quality (negative observations count as 0).
    #[default]
    Proportional,
    /// Equal weight on the `k` best observed miners, none on the rest.
    TopK {
        /// How many miners get weight.
        k: u32,
    },
}

/// Miner strategies. Chosen with `kind:`; the other fields are its parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum MinerStrategy {
    /// Serves at its latent quality, which may drift as a random walk.
    Honest {
        /// Standard deviation of the quality random walk per √day (default 0: constant quality).
        /// Quality is kept ≥ 0.
        #[serde(default)]
        drift: f64,
    },
    /// A cabal's miner: serves at its quality (often low) and is weighted by the validators
    /// (and a self-dealing owner) of its `coalition`.
    Cabal {
        /// Coalition id.
        coalition: u32,
        /// Quality random walk per √day (default 0).
        #[serde(default)]
        drift: f64,
    },
    /// One operator's many cheap miners: every miner of the population serves the same
    /// output, so they share one constant quality (the population's first draw). Registered
    /// in a timeline wave, each pays the rising burn. Probes whether registration cost and
    /// incentive per UID make splitting one model over many UIDs pay.
    Sybil {
        /// Operator id (its coalition in the outputs).
        operator: u32,
    },
}

impl Default for MinerStrategy {
    fn default() -> Self {
        MinerStrategy::Honest { drift: 0.0 }
    }
}

/// Blocks in a span given in blocks, epochs of `tempo` blocks, days or years; the first one
/// given counts.
fn span(
    tempo: u64,
    blocks: Option<u64>,
    epochs: Option<u64>,
    days: Option<f64>,
    years: Option<f64>,
) -> u64 {
    let per = |x: f64, unit: u64| (x * unit as f64) as u64;
    blocks
        .or(epochs.map(|e| e.saturating_mul(tempo)))
        .or(days.map(|d| per(d, BLOCKS_PER_DAY)))
        .or(years.map(|y| per(y, BLOCKS_PER_YEAR)))
        .unwrap_or(0)
}

impl At {
    /// Blocks after the first simulated block, epochs counted in `first_tempo` blocks (the
    /// first subnet's tempo, see [`Scenario::first_tempo`]).
    pub fn blocks(&self, first_tempo: u64) -> u64 {
        span(first_tempo, self.block, self.epoch, self.day, None)
    }
}

impl Scenario {
    /// The block offset (from the first simulated block) of a timeline moment.
    pub fn offset_blocks(&self, at: &At) -> u64 {
        self.span_blocks(at.block, at.epoch, at.day, None)
    }

    /// Tempo of the first subnet: the unit of `epochs` in durations and moments.
    pub fn first_tempo(&self) -> u64 {
        self.subnets
            .first()
            .map_or(360, |s| s.hyperparameters.tempo as u64)
    }

    /// The scenario after applying timeline change `index` (and only it) to `self`.
    pub fn with_change(&self, index: usize) -> Result<Scenario, String> {
        let change = self.timeline.get(index).ok_or("no such change")?;
        let mut doc = yaml_serde::to_value(self).map_err(|e| e.to_string())?;
        for (path, value) in &change.set {
            let o = Override {
                path: path.clone(),
                value: String::new(),
            };
            o.apply_value(&mut doc, value.clone())?;
        }
        let mut next: Scenario = yaml_serde::from_value(doc).map_err(|e| e.to_string())?;
        next.resolve();
        Ok(next)
    }

    /// Number of blocks the scenario covers.
    pub fn duration_blocks(&self) -> u64 {
        let d = &self.duration;
        self.span_blocks(d.blocks, d.epochs, d.days, d.years)
    }

    /// Blocks in a span given in blocks, epochs (of the first subnet), days or years; the first
    /// one given counts (validation requires exactly one).
    fn span_blocks(
        &self,
        blocks: Option<u64>,
        epochs: Option<u64>,
        days: Option<f64>,
        years: Option<f64>,
    ) -> u64 {
        span(self.first_tempo(), blocks, epochs, days, years)
    }

    /// Drop the timeline changes at or after the end of the run (left by a `--set
    /// duration=...` that shortened it): they never apply, and without them the resolved
    /// scenario states what the run used and loads again. Not when a sweep varies the
    /// duration, where a longer point may reach them.
    pub fn drop_late_changes(&mut self) {
        if !self.sweep.as_ref().is_some_and(|w| w.varies("duration")) {
            let (end, tempo) = (self.duration_blocks(), self.first_tempo());
            self.timeline.retain(|c| c.at.blocks(tempo) < end);
        }
    }

    /// Fill every derived default in place (netuids, names, activity cutoffs, update intervals),
    /// so that the serialised scenario states everything the run used.
    pub fn resolve(&mut self) {
        for (i, subnet) in self.subnets.iter_mut().enumerate() {
            let netuid = *subnet.netuid.get_or_insert(i as u16 + 1);
            subnet
                .name
                .get_or_insert_with(|| format!("subnet-{netuid}"));
            let hp = &mut subnet.hyperparameters;
            hp.activity_cutoff = Some(hp.activity_cutoff_blocks());
            let tempo = hp.tempo as u64;
            // An update sooner than the rate limit allows is refused (with tempo 99 and the
            // default limit of 100, every second one was).
            let every = tempo.max(hp.weights_rate_limit);
            subnet.validators.strategy.resolve(tempo, every);
            for cohort in &mut subnet.cohorts {
                if let Some(v) = &mut cohort.validators {
                    v.strategy.resolve(tempo, every);
                }
            }
        }
    }

    /// The scenario as YAML (after [`Scenario::resolve`], this is `scenario.resolved.yaml`).
    pub fn to_yaml(&self) -> String {
        // Serialising plain structs of numbers, strings and lists cannot fail.
        yaml_serde::to_string(self).unwrap_or_else(|e| format!("# could not serialise: {e}\n"))
    }
}
