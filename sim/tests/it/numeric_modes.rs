//! Issue #3, part 6: `numeric: chain` and `numeric: f64` agree on the example scenarios: every
//! incentive and dividend share of every recorded epoch differs by less than 1e-6.

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
        for f in &c.fields {
            eprintln!("{name}: {} {:e} at {:?}", f.field, f.max_abs, f.at);
        }
        for f in c
            .fields
            .iter()
            .filter(|f| matches!(f.field, "incentive" | "dividends"))
        {
            if std::env::var("MODES_NOASSERT").is_err() {
                assert!(
                    f.max_abs < 1e-6,
                    "{name}: {} differs by {:e} at {:?}",
                    f.field,
                    f.max_abs,
                    f.at
                );
            }
        }
    }
}
