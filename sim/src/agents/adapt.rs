//! Adaptation: an adversary tunes one knob by a hill climb on the return it observes.

use crate::scenario::{Adapt, Knob};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// The state of an adversary's search.
#[derive(Clone, Debug)]
pub struct Adaptation {
    /// Knob, step and range.
    pub rule: Adapt,
    /// Blocks per window (`every` × tempo).
    pub window: u64,
    /// Block at which the current window ends (0 = not started).
    pub next: u64,
    /// Own stake at the start of the window, rao.
    pub stake_at: u64,
    /// Return of the previous window.
    pub last_return: Option<f64>,
    /// +1 or −1.
    pub direction: f64,
}

impl Adaptation {
    /// A search with windows of `rule.every` epochs of `tempo` blocks.
    pub fn new(rule: Adapt, tempo: u64) -> Self {
        Adaptation {
            window: rule.every.max(1) * tempo.max(1),
            rule,
            next: 0,
            stake_at: 0,
            last_return: None,
            direction: 0.0,
        }
    }

    /// Called before each weight update at `block` with the agent's stake (emission is staked
    /// to the hotkey, so stake growth is its TAO return) and the knob's current value; returns
    /// the knob's new value when a window closed. The first call starts the first window and
    /// draws the first direction.
    pub fn step(
        &mut self,
        block: u64,
        stake: u64,
        value: f64,
        rng: &mut ChaCha8Rng,
    ) -> Option<f64> {
        if self.next == 0 {
            self.next = block + self.window;
            self.stake_at = stake;
            self.direction = if rng.random_bool(0.5) { 1.0 } else { -1.0 };
            return None;
        }
        if block < self.next {
            return None;
        }
        let r = if self.stake_at > 0 {
            (stake as f64 - self.stake_at as f64) / self.stake_at as f64
        } else {
            0.0
        };
        if self.last_return.is_some_and(|prev| r < prev) {
            self.direction = -self.direction;
        }
        self.last_return = Some(r);
        self.stake_at = stake;
        self.next = block + self.window;
        let step = match self.rule.knob {
            Knob::Lag => self.rule.step.round().max(1.0),
            Knob::WC | Knob::Noise => self.rule.step,
        };
        let mut next = value + self.direction * step;
        let (lo, hi) = (self.rule.min, self.rule.max_value());
        if next < lo || next > hi {
            // At a bound: turn round rather than stand still.
            self.direction = -self.direction;
            next = next.clamp(lo, hi);
        }
        Some(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn rule() -> Adapt {
        Adapt {
            every: 2,
            knob: Knob::WC,
            step: 0.1,
            min: 0.0,
            max: None,
        }
    }

    /// Hand-traced: windows of 2 epochs × 10 blocks. Returns 10 %, then 5 % (worse: turn),
    /// then 8 % (better: keep going).
    #[test]
    fn climbs_and_turns_on_a_worse_return() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut a = Adaptation::new(rule(), 10);
        assert_eq!(a.step(5, 1000, 0.5, &mut rng), None);
        let d = a.direction;
        assert_eq!(a.step(24, 1050, 0.5, &mut rng), None, "window not over");
        let v1 = a.step(25, 1100, 0.5, &mut rng).unwrap();
        assert!((v1 - (0.5 + d * 0.1)).abs() < 1e-12);
        // 1100 → 1155 is +5 %: worse, so the direction flips.
        let v2 = a.step(45, 1155, v1, &mut rng).unwrap();
        assert!((v2 - 0.5).abs() < 1e-12);
        // 1155 → 1247.4 is +8 %: better than 5 %, keep the direction.
        let v3 = a.step(65, 1247, v2, &mut rng).unwrap();
        assert!((v3 - (0.5 - d * 0.1)).abs() < 1e-12);
    }

    #[test]
    fn stays_in_range_and_rounds_lag() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let mut r = rule();
        r.knob = Knob::Lag;
        r.step = 0.4;
        let mut a = Adaptation::new(r, 1);
        a.step(1, 100, 0.0, &mut rng);
        let mut v = 0.0;
        for k in 1..50 {
            v = a.step(1 + 2 * k, 100 + k, v, &mut rng).unwrap();
            assert!((0.0..=10.0).contains(&v) && v.fract() == 0.0, "{v}");
        }
    }
}
