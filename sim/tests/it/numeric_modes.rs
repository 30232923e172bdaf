//! Issue #3, part 6: `numeric: chain` against `numeric: f64` on the example scenarios (one
//! simulated day each, every epoch recorded).
//!
//! - Per epoch, on identical input (the chain run's own), every consensus, incentive,
//!   dividend and validator-trust share differs by less than 1e-6 (measured ≤ 2.5e-7) and a
//!   stored bond by at most one u16 unit (a value within ~1e-5 units of an integer truncates
//!   to different sides).
//! - Over two whole runs, incentive shares still differ by less than 1e-6, but dividends
//!   drift further (measured up to 5.3e-5): each one-unit bond difference feeds back into the
//!   next epochs' bonds, dividends and stake. That is the spread between any two correct
//!   arithmetics with the chain's u16 bond storage, not an error of either mode.

use subnetlab_sim::modes::compare_modes;

#[test]
fn chain_and_f64_modes_agree_on_the_examples() {
    for name in [
        "default.yaml",
        "noisy-validators.yaml",
        "schedule-smooth.yaml",
        "two-subnets.yaml",
        "kappa-sweep.yaml",
    ] {
        let mut scenario = crate::example(
            name,
            &["duration={days: 1}", "record={neurons: all, every: 1}"],
        );
        scenario.sweep = None;
        let c = compare_modes(&scenario).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(c.matched_rows > 0 && c.unmatched_rows == 0, "{name}: {c:?}");
        let per_epoch = &c.per_epoch;
        assert!(
            per_epoch.max_share.iter().all(|&d| d < 1e-6),
            "{name}: {per_epoch:?}"
        );
        assert!(
            per_epoch.max_bond_u16 <= 1.0 + 1e-9,
            "{name}: {per_epoch:?}"
        );
        for f in &c.fields {
            let bound = match f.field {
                "incentive" | "consensus" | "validator_trust" => 1e-6,
                "dividends" => 1e-4,
                _ => continue,
            };
            assert!(
                f.max_abs < bound,
                "{name}: {} differs by {:e} at {:?}",
                f.field,
                f.max_abs,
                f.at
            );
        }
    }
}
