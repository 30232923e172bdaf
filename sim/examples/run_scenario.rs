//! Run a scenario file with the engine alone (no tables written) and print what it did: the
//! smallest program over `subnetlab_sim`, and a handle for profilers.
//!
//! ```sh
//! cargo run --release -p subnetlab-sim --example run_scenario -- scenarios/network-4y.yaml 'duration={days: 30}'
//! ```
#![expect(clippy::print_stdout, reason = "An example prints its result.")]

use subnetlab_sim::scenario::{Override, load_file};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: run_scenario FILE [PATH=VALUE ...]")?;
    let overrides: Vec<Override> = args.map(|a| a.parse()).collect::<Result<_, _>>()?;
    let scenario = load_file(std::path::Path::new(&path), &overrides)?;
    let t = std::time::Instant::now();
    let record = subnetlab_sim::engine::run(&scenario, 0, &mut |_| {})?;
    let totals = &record.totals;
    println!(
        "{}: {} blocks, {} epochs in {:.2} s; minted {} rao, alpha emitted {} rao; {} neuron rows, {} subnet rows",
        scenario.name,
        record.blocks.1 - record.blocks.0 + 1,
        record.epochs,
        t.elapsed().as_secs_f64(),
        totals.minted_rao,
        totals.alpha_emitted_rao,
        record.neurons.uid.len(),
        record.subnets.subnet.len(),
    );
    Ok(())
}
