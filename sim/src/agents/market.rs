//! The TAO/USD price: a path chosen by the scenario, moved once a day from the market's own
//! random stream (so it never depends on what agents draw).

use crate::scenario::PricePath;
use bevy_ecs::prelude::*;
use rand_chacha::ChaCha8Rng;

/// The current TAO price and the path it follows.
#[derive(Resource, Clone, Debug)]
pub struct TaoPrice {
    /// USD per TAO now.
    pub usd: f64,
    path: PricePath,
    rng: ChaCha8Rng,
}

impl TaoPrice {
    /// The price at day 0 of `path`, drawing from `rng` afterwards.
    pub fn new(path: PricePath, rng: ChaCha8Rng) -> TaoPrice {
        let usd = match &path {
            PricePath::Constant { usd } => *usd,
            PricePath::Gbm { start, .. } => *start,
            PricePath::Table { points, .. } => points.first().map_or(0.0, |p| p.usd),
        };
        TaoPrice { usd, path, rng }
    }

    /// Move to `day` (days since the start), one daily step at a time.
    pub fn advance_to(&mut self, day: f64) {
        match &self.path {
            PricePath::Constant { usd } => self.usd = *usd,
            PricePath::Gbm {
                drift, volatility, ..
            } => {
                let dt = 1.0 / 365.0;
                let step = (drift - volatility * volatility / 2.0) * dt
                    + volatility * dt.sqrt() * super::standard_normal(&mut self.rng);
                self.usd *= step.exp();
            }
            PricePath::Table { points, .. } => {
                let at = points.partition_point(|p| p.day <= day);
                self.usd = points[at.saturating_sub(1).min(points.len().saturating_sub(1))].usd;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::PricePoint;
    use rand::SeedableRng;

    #[test]
    fn table_steps_by_day() {
        let path = PricePath::Table {
            points: vec![
                PricePoint {
                    day: 0.0,
                    usd: 100.0,
                },
                PricePoint {
                    day: 2.0,
                    usd: 50.0,
                },
            ],
            file: None,
        };
        let mut p = TaoPrice::new(path, ChaCha8Rng::seed_from_u64(0));
        p.advance_to(1.0);
        assert_eq!(p.usd, 100.0);
        p.advance_to(2.0);
        assert_eq!(p.usd, 50.0);
    }

    /// With zero volatility GBM grows at exactly the drift: after 365 daily steps,
    /// `start × e^drift` (hand-computed: 100 × e^0.1 = 110.517…).
    #[test]
    fn gbm_without_volatility_is_the_drift() {
        let path = PricePath::Gbm {
            start: 100.0,
            drift: 0.1,
            volatility: 0.0,
        };
        let mut p = TaoPrice::new(path, ChaCha8Rng::seed_from_u64(0));
        for day in 1..=365 {
            p.advance_to(day as f64);
        }
        assert!((p.usd - 100.0 * 0.1f64.exp()).abs() < 1e-9, "{}", p.usd);
    }
}
