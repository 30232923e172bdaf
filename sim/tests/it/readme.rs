//! The README's scenario examples are valid scenarios (a user audit found two that were not:
//! a sweep key with brackets in a flow mapping, and an owner coalition without miners).
//!
//! The README's ```yaml blocks, in order: 0 the full scenario language, 1 its continuation
//! (timeline, replicates, sweep, record), 2 the network economy and 3 miner economics (both
//! fragments of a subnet), 4 timeline disruptions, 5 adversaries, 6 a Kubernetes job.

use subnetlab_sim::scenario;

/// The README's ```yaml blocks.
fn yaml_blocks() -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let text = std::fs::read_to_string(path).expect("README.md");
    text.split("```yaml\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap_or("").to_string())
        .collect()
}

#[test]
fn readme_scenarios_validate() {
    let blocks = yaml_blocks();
    assert!(blocks.len() >= 6, "{} yaml blocks", blocks.len());
    assert!(blocks[0].starts_with("name:") && blocks[5].contains("self_dealing_owner"));
    let examples = [
        ("scenario language", blocks[0].clone() + &blocks[1]),
        ("disruptions", blocks[0].clone() + &blocks[4]),
        (
            "adversaries",
            "name: readme-adversaries\nduration: { days: 1 }\n".to_string() + &blocks[5],
        ),
    ];
    for (name, text) in examples {
        if let Err(e) = scenario::load_str(&format!("README ({name})"), &text, &[]) {
            panic!("{e}\n--- the example:\n{text}");
        }
    }
}
