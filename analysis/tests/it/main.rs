//! Integration tests of subnetlab-analysis: one test binary (STYLE.md: one link on 2 cores).
//!
//! Each test builds a small result folder the way the CLI does (the engine runs a built-in
//! scenario for a short time, the tables are written with this crate's writers), then reads it
//! back and analyses it.

mod charts;
mod report;
mod study;

use std::path::{Path, PathBuf};
use subnetlab_analysis::{ParamValue, RunInfo, write_runs, write_tables};
use subnetlab_sim::record::RunRecord;
use subnetlab_sim::scenario::{self, Override, Scenario};

/// The built-in `default` scenario made small: 16 validators, 48 miners, `days` days.
pub fn small_default(days: f64, extra: &[&str]) -> Scenario {
    let b = scenario::builtin("default").expect("built-in default");
    let mut overrides: Vec<Override> = vec![
        format!("duration={{days: {days}}}").parse().unwrap(),
        "subnets[0].validators.count=16".parse().unwrap(),
        "subnets[0].miners.count=48".parse().unwrap(),
    ];
    overrides.extend(extra.iter().map(|o| o.parse::<Override>().unwrap()));
    scenario::load_str("builtin:default", b.yaml, &overrides).unwrap()
}

/// Run `scenario` as (arm, run) and label every row with the arm.
pub fn run(scenario: &Scenario, arm: u32, run: u32) -> RunRecord {
    let mut r = subnetlab_sim::engine::run(scenario, run, &mut |_| {}).unwrap();
    r.arm = arm;
    r.neurons.arm.iter_mut().for_each(|a| *a = arm);
    r.subnets.arm.iter_mut().for_each(|a| *a = arm);
    r.network.arm.iter_mut().for_each(|a| *a = arm);
    r
}

/// A fresh, empty folder for one test, removed when the test passes. It is kept when the test
/// fails, or always with `SUBNETLAB_KEEP_TEST_OUTPUT=1` (to look at the charts and report).
pub struct TempDir(PathBuf);

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::thread::panicking() || std::env::var_os("SUBNETLAB_KEEP_TEST_OUTPUT").is_some() {
            eprintln!("test output kept in {}", self.0.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// A fresh, empty folder for one test (see [`TempDir`]).
pub fn temp_dir(name: &str) -> TempDir {
    let dir = std::env::temp_dir().join(format!(
        "subnetlab-analysis-it-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    TempDir(dir)
}

/// A run to write: its record, the arm's name and the sweep parameters.
pub type StudyRun = (RunRecord, String, Vec<(String, ParamValue)>);

/// Write a result folder as the CLI does: tables, runs, resolved scenario, run.json.
pub fn write_study(dir: &Path, scenario: &Scenario, runs: &[StudyRun]) {
    std::fs::create_dir_all(dir).unwrap();
    let records: Vec<&RunRecord> = runs.iter().map(|r| &r.0).collect();
    write_tables(&records, dir).unwrap();
    let infos: Vec<RunInfo> = runs
        .iter()
        .map(|(r, name, params)| RunInfo {
            arm: r.arm,
            run: r.run,
            arm_name: name.clone(),
            seed: scenario.seed,
            params: params.clone(),
        })
        .collect();
    write_runs(&infos, dir).unwrap();
    std::fs::write(dir.join("scenario.resolved.yaml"), scenario.to_yaml()).unwrap();
    let json = serde_json::json!({
        "version": "0.1.0",
        "scenario": scenario.name,
        "seed": scenario.seed,
        "scenario_sha256": "test",
        "wall_seconds": 0.0,
        "threads": 1,
    });
    std::fs::write(
        dir.join("run.json"),
        serde_json::to_string_pretty(&json).unwrap(),
    )
    .unwrap();
}

/// A 3-replicate study of the small default scenario over `days` days.
pub fn replicates(dir: &Path, days: f64) {
    let s = small_default(days, &[]);
    let runs: Vec<_> = (0..3)
        .map(|k| (run(&s, 0, k), s.name.clone(), Vec::new()))
        .collect();
    write_study(dir, &s, &runs);
}
