//! Distributions a population draws its stake or quality from.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use statrs::distribution::{Beta, LogNormal, Normal, Pareto};

/// A distribution of one value per agent, chosen with `distribution:`. `total`, where present,
/// rescales the drawn values so that they sum to it (e.g. "64 validators, 1 M TAO in all,
/// Pareto-distributed").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "distribution", rename_all = "snake_case", deny_unknown_fields)]
pub enum Distribution {
    /// Explicit values, one per agent (the list length must equal the population count).
    Fixed {
        /// The values, in order of the agents.
        values: Vec<f64>,
    },
    /// Every agent gets the same value.
    Constant {
        /// The value.
        value: f64,
    },
    /// Uniform on `[min, max)`.
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound (greater than `min`).
        max: f64,
        /// Rescale so the values sum to this.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        total: Option<f64>,
    },
    /// Normal, clamped at 0: draws below 0 become 0 before `total` rescales them.
    Normal {
        /// Mean (> 0).
        mean: f64,
        /// Standard deviation (> 0).
        sd: f64,
        /// Rescale so the values sum to this.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        total: Option<f64>,
    },
    /// Log-normal: `exp(N(mu, sigma))`; heavy-tailed stake.
    Lognormal {
        /// Mean of the underlying normal (default 0).
        #[serde(default)]
        mu: f64,
        /// Standard deviation of the underlying normal (> 0).
        sigma: f64,
        /// Rescale so the values sum to this.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        total: Option<f64>,
    },
    /// Pareto with shape `alpha` and minimum `scale`; whale-dominated stake for small `alpha`.
    Pareto {
        /// Shape (> 0; 1.16 gives the 80/20 rule).
        alpha: f64,
        /// Minimum value (> 0, default 1).
        #[serde(default = "unit")]
        scale: f64,
        /// Rescale so the values sum to this.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        total: Option<f64>,
    },
    /// Beta(a, b) on [0, 1]; a natural choice for quality.
    Beta {
        /// First shape parameter (> 0).
        a: f64,
        /// Second shape parameter (> 0).
        b: f64,
        /// Rescale so the values sum to this.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        total: Option<f64>,
    },
}

fn unit() -> f64 {
    1.0
}

impl Distribution {
    /// Check the parameters; each problem is `(field, message)` relative to this distribution.
    pub fn problems(&self, count: u32) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let mut positive = |field: &'static str, v: f64| {
            if !(v.is_finite() && v > 0.0) {
                out.push((field, format!("expected a finite number > 0, got {v}")));
            }
        };
        match self {
            Distribution::Fixed { .. } | Distribution::Constant { .. } => {}
            Distribution::Uniform { .. } => {}
            Distribution::Normal { sd, .. } => positive("sd", *sd),
            Distribution::Lognormal { sigma, .. } => positive("sigma", *sigma),
            Distribution::Pareto { alpha, scale, .. } => {
                positive("alpha", *alpha);
                positive("scale", *scale);
            }
            Distribution::Beta { a, b, .. } => {
                positive("a", *a);
                positive("b", *b);
            }
        }
        match self {
            Distribution::Fixed { values } => {
                if values.len() != count as usize {
                    out.push((
                        "values",
                        format!(
                            "expected {count} values (one per agent), got {}",
                            values.len()
                        ),
                    ));
                }
                if let Some(v) = values.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
                    out.push(("values", format!("expected finite values >= 0, got {v}")));
                }
            }
            Distribution::Constant { value } if !(value.is_finite() && *value >= 0.0) => {
                out.push((
                    "value",
                    format!("expected a finite number >= 0, got {value}"),
                ));
            }
            // Draws below 0 become 0: a mean of 0 or less would leave most agents at 0.
            Distribution::Normal { mean, .. } if !(mean.is_finite() && *mean > 0.0) => {
                out.push((
                    "mean",
                    format!(
                        "expected a finite number > 0 (draws below 0 are clamped to 0, so a mean <= 0 leaves most values at 0), got {mean}"
                    ),
                ));
            }
            Distribution::Uniform { min, max, .. } => {
                if !(min.is_finite() && *min >= 0.0) {
                    out.push(("min", format!("expected a finite number >= 0, got {min}")));
                }
                if !(max.is_finite() && max > min) {
                    out.push((
                        "max",
                        format!("expected a finite number > min ({min}), got {max}"),
                    ));
                }
            }
            _ => {}
        }
        if let Some(total) = self.total()
            && !(total.is_finite() && total > 0.0)
        {
            out.push((
                "total",
                format!("expected a finite number > 0, got {total}"),
            ));
        }
        out
    }

    /// An upper bound of the sum of `count` draws, where one is known (fixed values, a
    /// constant, a uniform maximum, or a `total`); `None` for unbounded tails without `total`.
    pub fn largest_possible_sum(&self, count: u32) -> Option<f64> {
        match self {
            Distribution::Fixed { values } => Some(values.iter().sum()),
            Distribution::Constant { value } => Some(value * count as f64),
            Distribution::Uniform {
                max, total: None, ..
            } => Some(max * count as f64),
            Distribution::Beta { total: None, .. } => Some(count as f64),
            _ => self.total(),
        }
    }

    fn total(&self) -> Option<f64> {
        match self {
            Distribution::Uniform { total, .. }
            | Distribution::Normal { total, .. }
            | Distribution::Lognormal { total, .. }
            | Distribution::Pareto { total, .. }
            | Distribution::Beta { total, .. } => *total,
            Distribution::Fixed { .. } | Distribution::Constant { .. } => None,
        }
    }

    /// [`Self::sample`], refusing draws that cannot honour `total`: a `normal` draw below 0 is
    /// clamped to 0, and when every draw is 0 no rescaling makes them sum to `total` (the
    /// values would silently stay 0). The error says what went wrong and what to change.
    pub fn draw(&self, count: u32, rng: &mut ChaCha8Rng) -> Result<Vec<f64>, String> {
        let values = self.sample(count, rng);
        if let Some(total) = self.total()
            && count > 0
            && values.iter().all(|v| *v <= 0.0)
        {
            return Err(format!(
                "all {count} values drawn are 0 (draws below 0 are clamped to 0), so they cannot be rescaled to total {total}: expected a distribution that draws values above 0 (e.g. a larger mean or a smaller sd)"
            ));
        }
        Ok(values)
    }

    /// Draw `count` values from `rng`, in agent order, then apply `total`. Call only on a
    /// validated distribution; invalid parameters yield zeros rather than a panic. Draws below
    /// 0 (a `normal`'s tail) are clamped to 0 before `total` rescales them.
    pub fn sample(&self, count: u32, rng: &mut ChaCha8Rng) -> Vec<f64> {
        use rand::distr::Distribution as _;
        let n = count as usize;
        let mut values: Vec<f64> = match self {
            Distribution::Fixed { values } => values
                .iter()
                .copied()
                .chain(std::iter::repeat(0.0))
                .take(n)
                .collect(),
            Distribution::Constant { value } => vec![*value; n],
            Distribution::Uniform { min, max, .. } => (0..n)
                .map(|_| {
                    if max > min {
                        rng.random_range(*min..*max)
                    } else {
                        *min
                    }
                })
                .collect(),
            Distribution::Normal { mean, sd, .. } => match Normal::new(*mean, *sd) {
                Ok(d) => (0..n).map(|_| d.sample(rng).max(0.0)).collect(),
                Err(_) => vec![0.0; n],
            },
            Distribution::Lognormal { mu, sigma, .. } => match LogNormal::new(*mu, *sigma) {
                Ok(d) => (0..n).map(|_| d.sample(rng)).collect(),
                Err(_) => vec![0.0; n],
            },
            Distribution::Pareto { alpha, scale, .. } => match Pareto::new(*scale, *alpha) {
                Ok(d) => (0..n).map(|_| d.sample(rng)).collect(),
                Err(_) => vec![0.0; n],
            },
            Distribution::Beta { a, b, .. } => match Beta::new(*a, *b) {
                Ok(d) => (0..n).map(|_| d.sample(rng)).collect(),
                Err(_) => vec![0.0; n],
            },
        };
        for v in &mut values {
            if !v.is_finite() {
                *v = 0.0;
            }
        }
        if let Some(total) = self.total() {
            let sum: f64 = values.iter().sum();
            if sum > 0.0 {
                values.iter_mut().for_each(|v| *v *= total / sum);
            }
        }
        values
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn total_rescales_and_is_deterministic() {
        let d = Distribution::Pareto {
            alpha: 1.16,
            scale: 1.0,
            total: Some(1000.0),
        };
        let a = d.sample(50, &mut ChaCha8Rng::seed_from_u64(7));
        let b = d.sample(50, &mut ChaCha8Rng::seed_from_u64(7));
        assert_eq!(a, b);
        assert!((a.iter().sum::<f64>() - 1000.0).abs() < 1e-9);
        assert!(a.iter().all(|v| *v > 0.0));
    }

    /// An audit: `normal {mean: 0, sd: 1, total: 1000}` gave 4 stakes of 0 for some seeds,
    /// `total` silently not honoured. Every draw of a mean far below 0 is clamped to 0, and
    /// `draw` refuses them; `sample` still clamps (what the engine drew before).
    #[test]
    fn a_total_the_clamped_draws_cannot_reach_is_an_error() {
        let d = Distribution::Normal {
            mean: -100.0,
            sd: 1.0,
            total: Some(1000.0),
        };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        assert_eq!(d.sample(4, &mut rng), vec![0.0; 4]);
        let e = d.draw(4, &mut rng).unwrap_err();
        assert!(e.starts_with("all 4 values drawn are 0"), "{e}");
        let positive = Distribution::Normal {
            mean: 100.0,
            sd: 1.0,
            total: Some(1000.0),
        };
        let values = positive.draw(4, &mut rng).unwrap();
        assert!((values.iter().sum::<f64>() - 1000.0).abs() < 1e-9);
        // Without a total, zeros are what was asked for.
        let untotalled = Distribution::Normal {
            mean: -100.0,
            sd: 1.0,
            total: None,
        };
        assert_eq!(untotalled.draw(2, &mut rng).unwrap(), vec![0.0; 2]);
    }

    #[test]
    fn fixed_length_must_match() {
        let d = Distribution::Fixed {
            values: vec![1.0, 2.0],
        };
        assert_eq!(d.problems(3).len(), 1);
        assert!(d.problems(2).is_empty());
        let bad = Distribution::Lognormal {
            mu: 0.0,
            sigma: -1.0,
            total: Some(0.0),
        };
        let fields: Vec<_> = bad.problems(1).into_iter().map(|p| p.0).collect();
        assert_eq!(fields, vec!["sigma", "total"]);
    }
}
