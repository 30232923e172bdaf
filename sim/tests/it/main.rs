//! Integration tests of the engine: one test binary (see STYLE.md: one link on 2 cores).

mod adversaries;
mod audit_inputs;
mod conservation;
mod determinism;
mod disruption;
mod economics;
mod halving;
mod numeric_modes;
mod owner;
mod readme;
mod registration;
mod root_stake;
mod scenarios;
mod timeline;
mod validation;
mod weights_rules;

use subnetlab_sim::scenario::{self, Override, Scenario};

/// Load a file under `scenarios/` with overrides.
pub fn example(name: &str, overrides: &[&str]) -> Scenario {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios")
        .join(name);
    let overrides: Vec<Override> = overrides
        .iter()
        .map(|o| o.parse().expect("override"))
        .collect();
    scenario::load_file(&path, &overrides).unwrap_or_else(|e| panic!("{name}: {e}"))
}
