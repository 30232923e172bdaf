//! What agents do. Each strategy is a component on a neuron entity plus the system that acts
//! for it when its event fires. Randomness comes only from the agent's own stream
//! ([`crate::engine::AgentRng`]).

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
        "miner",
        "honest",
        "serves at its latent quality, which may drift as a random walk",
    ),
];

/// One N(0, 1) draw from an agent's stream: rand_distr's ziggurat, the hot path of every
/// validator's observation (a few instructions per draw).
pub fn standard_normal(rng: &mut rand_chacha::ChaCha8Rng) -> f64 {
    use rand::distr::Distribution;
    rand_distr::StandardNormal.sample(rng)
}
