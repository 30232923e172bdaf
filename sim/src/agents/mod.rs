//! What agents do. Each strategy is a component on a neuron entity plus the system that acts
//! for it when its event fires. Randomness comes only from the agent's own stream
//! ([`crate::engine::AgentRng`]).

pub mod adapt;
pub mod adversary;
pub mod delay;
pub mod economics;
pub mod market;
pub mod miner;
pub mod staker;
pub mod validator;

/// Every strategy a scenario can name, for `subnetlab list`: (role, kind, what it models).
pub const STRATEGIES: &[(&str, &str, &str)] = &[
    (
        "validator",
        "honest",
        "observes each miner's quality with its own Gaussian noise and sets weights proportional to what it sees (or equal weights on its top k)",
    ),
    (
        "validator",
        "weight_copier",
        "observes nothing; sets the stake-weighted mean of the stored weights it can read (or a target's row), only revealed ones under commit-reveal; optional noise and lag (probes commit-reveal)",
    ),
    (
        "validator",
        "cabal",
        "puts w_c of its weight on its coalition's miners, the rest honestly (probes clipping and bond penalties)",
    ),
    (
        "validator",
        "lazy",
        "keeps setting weights but observes only every `refresh` blocks (probes how bonds reward fresh weights)",
    ),
    (
        "validator",
        "offline",
        "honest, but sets no weights from `from` until `until` (probes the activity cutoff)",
    ),
    (
        "validator",
        "late_follower",
        "sets what it observed `lag` epochs earlier, the kappa-moves-first family (probes bonds)",
    ),
    (
        "owner",
        "idle | burn | honest",
        "sets no weights | all weight on itself, burning miners' incentive | validates honestly",
    ),
    (
        "owner",
        "self_dealing_owner",
        "puts w_c of its weight on its own coalition's miners through the owner's permit (probes the owner UID rule)",
    ),
    (
        "miner",
        "honest",
        "serves at its latent quality, which may drift as a random walk",
    ),
    (
        "miner",
        "cabal",
        "an honest server that its coalition's validators (or owner) favour",
    ),
    (
        "miner",
        "sybil",
        "one operator's copies of one model: the population shares one quality; registered in a wave, each pays the burn",
    ),
    (
        "operator",
        "dereg_griefer",
        "registers junk miners whenever pruning would replace one of its targets, within a budget (probes immunity and pruning)",
    ),
    (
        "operator",
        "stake_whale",
        "moves its stake between its validators every few epochs (probes permits by stake rank and slow bonds)",
    ),
    (
        "operator",
        "price_pumper",
        "buys a subnet's alpha through its pool, sells it later (probes the coinbase share rule; needs pools)",
    ),
];

/// One N(0, 1) draw from an agent's stream: rand_distr's ziggurat, the hot path of every
/// validator's observation (a few instructions per draw).
pub fn standard_normal(rng: &mut rand_chacha::ChaCha8Rng) -> f64 {
    use rand::distr::Distribution;
    rand_distr::StandardNormal.sample(rng)
}
