//! `subnetlab compare-modes SCENARIO`: run the scenario once in `f64` and once in `chain`
//! (run 0, every epoch recorded) and print the largest difference per field, over the two
//! runs and per epoch on identical input.

use crate::run::load;
use subnetlab_sim::modes::compare_modes;
use subnetlab_sim::scenario::{NeuronRecord, Override};

/// Arguments of `subnetlab compare-modes`.
#[derive(clap::Args, Debug)]
pub struct CompareModesArgs {
    /// A scenario file or built-in name (a sweep is ignored: its base scenario runs).
    pub scenario: Option<String>,
    /// Overrides, as for `run` (e.g. `--set 'duration={days: 2}'`).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<Override>,
}

pub fn compare_modes_cmd(args: &CompareModesArgs) -> anyhow::Result<()> {
    let mut scenario = load(args.scenario.as_deref(), &args.set)?;
    scenario.sweep = None;
    scenario.record.neurons = NeuronRecord::All;
    scenario.record.every = 1;
    let c = compare_modes(&scenario)?;
    if c.matched_rows == 0 {
        // A run too short for an epoch has nothing to compare; zeros would read as agreement.
        anyhow::bail!(
            "{}: no epoch ran in {} blocks, so the modes have nothing to compare; give a longer duration",
            scenario.name,
            scenario.duration_blocks()
        );
    }
    say!(
        "{}: f64 vs chain, run 0, {} matched rows{}",
        scenario.name,
        c.matched_rows,
        if c.unmatched_rows > 0 {
            format!(" ({} rows in one run only)", c.unmatched_rows)
        } else {
            String::new()
        }
    );
    say!("  over the two runs (largest |chain − f64|, at subnet/epoch/uid):");
    for f in &c.fields {
        let at =
            f.at.map_or("-".to_string(), |(s, e, u)| format!("{s}/{e}/{u}"));
        // With pools, stake and emission are each subnet's alpha.
        let unit = match f.field {
            "stake" | "emission" if scenario.network.coinbase.pools => " α",
            "stake" | "emission" => " TAO",
            _ => "",
        };
        say!("    {:<16} {:>12.3e}{unit:<4}  at {at}", f.field, f.max_abs);
    }
    let p = &c.per_epoch;
    say!("  per epoch, on the chain run's own input:");
    for (field, d) in ["consensus", "incentive", "dividends", "validator_trust"]
        .iter()
        .zip(p.max_share)
    {
        say!("    {field:<16} {d:>12.3e}");
    }
    say!("    {:<16} {:>12.0} u16", "stored bond", p.max_bond_u16);
    say!(
        "    {:<16} {:>12} rao",
        "emission amount",
        p.max_emission_rao
    );
    say!(
        "  emission paid: f64 {} rao, chain {} rao",
        c.paid_rao.0,
        c.paid_rao.1
    );
    Ok(())
}
