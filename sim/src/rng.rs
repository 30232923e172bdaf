//! Random streams. All randomness of a run comes from ChaCha8 streams keyed by
//! (scenario seed, run index, purpose) and selected by a stable id (a hotkey, a population), so
//! what an agent draws never depends on iteration order, thread count or on other agents.
//! (ChaCha8 output is value-stable across versions; `StdRng` is documented as not portable.)

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// What a stream is for; part of the key, so two purposes never share a stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// Initial draws of a population (stakes, qualities), id = population id.
    Population = 1,
    /// An agent's own behaviour (observation noise, drift, timing), id = hotkey.
    Agent = 2,
    /// Random sweep points, id = point index.
    Sweep = 3,
    /// The TAO price path, id = 0.
    Market = 4,
    /// A built-in experiment's draws (`sim::experiment`), id = trial.
    Experiment = 5,
}

/// The stream for `(seed, run, purpose, id)`.
pub fn stream(seed: u64, run: u64, purpose: Purpose, id: u64) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    key[0..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&run.to_le_bytes());
    key[16..24].copy_from_slice(&(purpose as u64).to_le_bytes());
    let mut rng = ChaCha8Rng::from_seed(key);
    rng.set_stream(id);
    rng
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_are_distinct_and_reproducible() {
        let a = stream(1, 0, Purpose::Agent, 5).next_u64();
        assert_eq!(a, stream(1, 0, Purpose::Agent, 5).next_u64());
        assert_ne!(a, stream(1, 0, Purpose::Agent, 6).next_u64());
        assert_ne!(a, stream(1, 1, Purpose::Agent, 5).next_u64());
        assert_ne!(a, stream(2, 0, Purpose::Agent, 5).next_u64());
        assert_ne!(a, stream(1, 0, Purpose::Population, 5).next_u64());
    }
}
