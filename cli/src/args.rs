//! Value parsers for numeric options, so that an out-of-range value is refused by clap
//! before anything runs, with the option named ("invalid value '2' for '--kappa <KAPPA>': …"),
//! instead of being clamped or running into meaningless results.

/// A fraction: a finite number in `[0, 1]` (κ, the bonds penalty, the bonds moving average).
pub fn fraction(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|e| format!("{e}"))?;
    if v.is_finite() && (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err("expected a number in [0, 1]".into())
    }
}

/// A count of at least 1 (replicates, epochs to time, bootstrap resamples).
pub fn at_least_one(s: &str) -> Result<usize, String> {
    let v: usize = s.parse().map_err(|e| format!("{e}"))?;
    if v >= 1 {
        Ok(v)
    } else {
        Err("expected at least 1".into())
    }
}

/// Bootstrap resamples: 100 to 1,000,000. A 95 % percentile interval reads the 2.5 % and
/// 97.5 % quantiles of the resampled means, which fewer resamples cannot place (with one, the
/// "interval" was a single point beside the mean); each resample of each metric is kept in
/// memory, and a million already gives intervals far finer than any study's noise.
pub fn resamples(s: &str) -> Result<usize, String> {
    let v = at_least_one(s)?;
    if (100..=1_000_000).contains(&v) {
        Ok(v)
    } else {
        Err("expected 100 to 1000000 resamples".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_and_counts() {
        assert_eq!(fraction("0.5"), Ok(0.5));
        assert_eq!(fraction("1"), Ok(1.0));
        for bad in ["2", "-0.1", "NaN", "inf", "x"] {
            assert!(fraction(bad).is_err(), "{bad}");
        }
        assert_eq!(at_least_one("3"), Ok(3));
        assert!(at_least_one("0").is_err() && at_least_one("-1").is_err());
        assert_eq!(resamples("1000"), Ok(1000));
        assert!(resamples("0").is_err() && resamples("10000000000").is_err());
        // Audit: `--bootstrap 1` gave a one-point interval that excluded the mean.
        assert!(resamples("1").is_err() && resamples("99").is_err());
        assert_eq!(resamples("100"), Ok(100));
    }
}
