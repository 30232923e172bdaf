//! The scenario side of adversaries: extra populations on a subnet ([`Cohort`]), the
//! adaptation knob ([`Adapt`]), and what every strategy means for outputs (its name, its
//! coalition) and for the honest twin run ([`Scenario::honest_twin`]).

use super::{
    At, MinerStrategy, Miners, OwnerStrategy, Scenario, ValidatorStrategy, Validators, WeightRule,
    default_noise,
};
use serde::{Deserialize, Serialize};

/// A further population on a subnet, registered at the start after the subnet's own
/// validators and miners (UIDs in that order, cohort by cohort): e.g. a cabal's validators and
/// its low-quality miners next to an honest majority.
///
/// ```yaml
/// cohorts:
///   - validators: { count: 2, stake: { distribution: constant, value: 10000 },
///                   strategy: { kind: cabal, coalition: 1, w_c: 0.5 } }
///     miners: { count: 4, quality: { distribution: constant, value: 0.1 },
///               strategy: { kind: cabal, coalition: 1 } }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cohort {
    /// Validators of the cohort.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validators: Option<Validators>,
    /// Miners of the cohort.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub miners: Option<Miners>,
}

/// An actor on a subnet that acts through registrations or staking rather than weights. It
/// acts once per epoch of its subnet, one block after the epoch (when the epoch's emission,
/// which pruning ranks by, is known).
///
/// ```yaml
/// operators:
///   - { kind: dereg_griefer, id: 5, targets: [40, 41], budget: 5 }
///   - { kind: stake_whale, id: 6, validators: [0, 1], stake: 20000, every: 3 }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Operator {
    /// Registers junk miners, paying the burn, whenever the UID that pruning would replace is
    /// one of its `targets`, until every target is gone or its budget is spent. Probes the
    /// immunity period and the emission-ranked pruning rule: a miner whose immunity has ended
    /// and whose emission is the lowest can be pushed out for the price of a registration.
    DeregGriefer {
        /// Operator id: the coalition of its junk miners in the outputs.
        id: u32,
        /// UIDs (at the start) it wants pushed out.
        targets: Vec<u16>,
        /// Quality its junk miners serve (default 0).
        #[serde(default)]
        quality: f64,
        /// Most TAO it burns on registrations (default 10).
        #[serde(default = "ten")]
        budget: f64,
    },
    /// Holds `stake` TAO delegated to the first of its `validators` and moves it, every
    /// `every` epochs, to the next (round robin), taking its pro-rata part of the hotkey's
    /// grown stake along. Probes permits by stake rank and bonds that build slowly (EMA): a
    /// validator that gains stake wins a permit at once but its bonds, hence dividends, lag.
    StakeWhale {
        /// Operator id: the coalition of its validators in the outputs.
        id: u32,
        /// UIDs (validators, at the start) it stakes on, in rotation order.
        validators: Vec<u16>,
        /// TAO it holds, added to the first validator's stake at the start.
        stake: f64,
        /// Epochs between moves, 1 or more (a whale that never moves lists one validator; its
        /// honest twin holds 0 here, set by [`Scenario::honest_twin`], not by a scenario).
        every: u64,
    },
    /// Buys `tao` TAO of the subnet's alpha through its pool at `buy_at` (delegated to the
    /// subnet's largest validator, as a staker's) and sells it all at `sell_at`. Needs
    /// `network.coinbase.pools`. Probes the share rule: under `tao_flow` the buy is a burst of
    /// net inflow, under `price_ema` a higher price the moving average follows, and either
    /// raises the subnet's emission share while the pumper pays fees and slippage both ways.
    PricePumper {
        /// Operator id.
        id: u32,
        /// TAO it spends.
        tao: f64,
        /// When it buys, relative to the first simulated block.
        buy_at: At,
        /// When it sells (after `buy_at`).
        sell_at: At,
    },
}

fn ten() -> f64 {
    10.0
}

impl Operator {
    /// The operator's id (its coalition).
    pub fn id(&self) -> u32 {
        match self {
            Operator::DeregGriefer { id, .. }
            | Operator::StakeWhale { id, .. }
            | Operator::PricePumper { id, .. } => *id,
        }
    }

    /// The `kind:` name.
    pub fn name(&self) -> &'static str {
        match self {
            Operator::DeregGriefer { .. } => "dereg_griefer",
            Operator::StakeWhale { .. } => "stake_whale",
            Operator::PricePumper { .. } => "price_pumper",
        }
    }
}

/// The knob an adaptive adversary tunes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Knob {
    /// A cabal's self-weight fraction.
    WC,
    /// A copier's or late follower's delay, epochs.
    Lag,
    /// A copier's hiding noise.
    Noise,
}

impl Knob {
    /// Name in YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            Knob::WC => "w_c",
            Knob::Lag => "lag",
            Knob::Noise => "noise",
        }
    }
}

/// Adaptation: every `every` epochs the adversary compares the TAO return on its stake over
/// the last window with the window before and moves `knob` by `step` — on in the same
/// direction if the return did not fall, else back — within `[min, max]`. The first direction
/// is drawn from the agent's own stream. A deterministic hill climb on what it observes.
///
/// ```yaml
/// strategy: { kind: cabal, coalition: 1, w_c: 0.5, adapt: { every: 5, knob: w_c, step: 0.1 } }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adapt {
    /// Epochs per window (at least 1).
    pub every: u64,
    /// What it tunes: `w_c` (cabal), `lag` (copier, late follower) or `noise` (copier).
    pub knob: Knob,
    /// Change per step (for `lag`, rounded to whole epochs, at least 1).
    pub step: f64,
    /// Lowest value (default 0).
    #[serde(default)]
    pub min: f64,
    /// Highest value (default: 1 for `w_c`, 10 for `lag`, 1 for `noise`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}

impl Adapt {
    /// The upper bound, explicit or the knob's default.
    pub fn max_value(&self) -> f64 {
        self.max.unwrap_or(match self.knob {
            Knob::WC | Knob::Noise => 1.0,
            Knob::Lag => 10.0,
        })
    }
}

impl ValidatorStrategy {
    /// The `kind:` name, which is also the `strategy` column of the outputs.
    pub fn name(&self) -> &'static str {
        match self {
            ValidatorStrategy::Honest { .. } => "honest",
            ValidatorStrategy::WeightCopier { .. } => "weight_copier",
            ValidatorStrategy::Cabal { .. } => "cabal",
            ValidatorStrategy::Lazy { .. } => "lazy",
            ValidatorStrategy::Offline { .. } => "offline",
            ValidatorStrategy::LateFollower { .. } => "late_follower",
        }
    }

    /// Coalition of the agent, if it belongs to one.
    pub fn coalition(&self) -> Option<u32> {
        match self {
            ValidatorStrategy::Cabal { coalition, .. } => Some(*coalition),
            _ => None,
        }
    }

    /// The update interval, mutable (every strategy has one).
    pub fn interval_mut(&mut self) -> &mut Option<u64> {
        match self {
            ValidatorStrategy::Honest { interval, .. }
            | ValidatorStrategy::WeightCopier { interval, .. }
            | ValidatorStrategy::Cabal { interval, .. }
            | ValidatorStrategy::Lazy { interval, .. }
            | ValidatorStrategy::Offline { interval, .. }
            | ValidatorStrategy::LateFollower { interval, .. } => interval,
        }
    }

    /// The update interval, blocks (None: the subnet's tempo, or its weights rate limit when
    /// that is longer).
    pub fn interval(&self) -> Option<u64> {
        match self {
            ValidatorStrategy::Honest { interval, .. }
            | ValidatorStrategy::WeightCopier { interval, .. }
            | ValidatorStrategy::Cabal { interval, .. }
            | ValidatorStrategy::Lazy { interval, .. }
            | ValidatorStrategy::Offline { interval, .. }
            | ValidatorStrategy::LateFollower { interval, .. } => *interval,
        }
    }

    /// How it observes miners, if it does: (noise, rule). A copier observes nothing.
    pub fn observer(&self) -> Option<(f64, &WeightRule)> {
        match self {
            ValidatorStrategy::Honest { noise, weights, .. }
            | ValidatorStrategy::Cabal { noise, weights, .. }
            | ValidatorStrategy::Lazy { noise, weights, .. }
            | ValidatorStrategy::Offline { noise, weights, .. }
            | ValidatorStrategy::LateFollower { noise, weights, .. } => Some((*noise, weights)),
            ValidatorStrategy::WeightCopier { .. } => None,
        }
    }

    /// The adaptation settings, if any.
    pub fn adapt(&self) -> Option<&Adapt> {
        match self {
            ValidatorStrategy::WeightCopier { adapt, .. }
            | ValidatorStrategy::Cabal { adapt, .. }
            | ValidatorStrategy::LateFollower { adapt, .. } => adapt.as_ref(),
            _ => None,
        }
    }

    /// Fill the derived defaults: the interval (`every`: the tempo, or the weights rate limit
    /// when that is longer, so that the chain accepts every update) and a lazy validator's
    /// refresh (10 × tempo).
    pub fn resolve(&mut self, tempo: u64, every: u64) {
        self.interval_mut().get_or_insert(every);
        if let ValidatorStrategy::Lazy { refresh, .. } = self {
            refresh.get_or_insert(10 * tempo);
        }
    }

    /// The honest validator that takes this one's place in the twin run: same observation
    /// parameters and interval (a copier gets the default noise).
    pub fn honest(&self) -> ValidatorStrategy {
        let (noise, weights) = self
            .observer()
            .map_or((default_noise(), WeightRule::default()), |(n, w)| {
                (n, w.clone())
            });
        ValidatorStrategy::Honest {
            noise,
            weights,
            interval: self.interval(),
        }
    }
}

impl OwnerStrategy {
    /// The `kind:` name.
    pub fn name(&self) -> &'static str {
        match self {
            OwnerStrategy::Idle => "idle",
            OwnerStrategy::Burn { .. } => "burn",
            OwnerStrategy::Honest { .. } => "honest",
            OwnerStrategy::SelfDealingOwner { .. } => "self_dealing_owner",
        }
    }

    /// Coalition of the owner, if it deals with its own miners.
    pub fn coalition(&self) -> Option<u32> {
        match self {
            OwnerStrategy::SelfDealingOwner { coalition, .. } => Some(*coalition),
            _ => None,
        }
    }
}

impl MinerStrategy {
    /// The `kind:` name.
    pub fn name(&self) -> &'static str {
        match self {
            MinerStrategy::Honest { .. } => "honest",
            MinerStrategy::Cabal { .. } => "cabal",
            MinerStrategy::Sybil { .. } => "sybil",
        }
    }

    /// Coalition (a cabal's id, a sybil's operator).
    pub fn coalition(&self) -> Option<u32> {
        match self {
            MinerStrategy::Honest { .. } => None,
            MinerStrategy::Cabal { coalition, .. } => Some(*coalition),
            MinerStrategy::Sybil { operator, .. } => Some(*operator),
        }
    }

    /// The quality random walk.
    pub fn drift(&self) -> f64 {
        match self {
            MinerStrategy::Honest { drift } | MinerStrategy::Cabal { drift, .. } => *drift,
            MinerStrategy::Sybil { .. } => 0.0,
        }
    }
}

fn honest_validators(v: &mut Validators) {
    v.strategy = v.strategy.honest();
}

fn honest_miners(m: &mut Miners) {
    m.strategy = MinerStrategy::Honest {
        drift: m.strategy.drift(),
    };
}

impl Scenario {
    /// The honest twin: the same scenario (same seed, stakes, qualities, hotkeys, timeline)
    /// with every adversary replaced by an honest agent of the same stake — validators by
    /// honest validators with their observation parameters, a self-dealing owner by an honest
    /// owner, cabal and sybil miners by honest miners (sybils then draw their own qualities).
    /// Agents keep their hotkeys and random streams, so a run and its twin differ only by the
    /// adversaries' choices.
    pub fn honest_twin(&self) -> Scenario {
        let mut twin = self.clone();
        for subnet in &mut twin.subnets {
            honest_validators(&mut subnet.validators);
            honest_miners(&mut subnet.miners);
            for cohort in &mut subnet.cohorts {
                cohort.validators.iter_mut().for_each(honest_validators);
                cohort.miners.iter_mut().for_each(honest_miners);
            }
            // A griefer and a pumper are gone; a whale keeps its stake where it starts and never
            // moves it.
            subnet.operators.retain(|o| {
                !matches!(
                    o,
                    Operator::DeregGriefer { .. } | Operator::PricePumper { .. }
                )
            });
            for o in &mut subnet.operators {
                if let Operator::StakeWhale { every, .. } = o {
                    *every = 0;
                }
            }
            if let Some(owner) = &mut subnet.owner
                && let OwnerStrategy::SelfDealingOwner {
                    noise,
                    weights,
                    interval,
                    ..
                } = &owner.strategy
            {
                owner.strategy = OwnerStrategy::Honest {
                    noise: *noise,
                    weights: weights.clone(),
                    interval: *interval,
                };
            }
        }
        for change in &mut twin.timeline {
            for wave in &mut change.register {
                wave.validators.iter_mut().for_each(honest_validators);
                wave.miners.iter_mut().for_each(honest_miners);
            }
        }
        twin
    }

    /// Whether any agent of the scenario follows a strategy other than honest (or the owner's
    /// idle / burn).
    pub fn has_adversaries(&self) -> bool {
        self.honest_twin() != *self
    }
}
