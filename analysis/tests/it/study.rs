//! Reading result folders back and computing metrics from them.

use subnetlab_analysis::{AnalysisError, Study, metrics, stats};

#[test]
fn a_replicate_study_round_trips_and_has_sane_metrics() {
    let dir = crate::temp_dir("replicates");
    crate::replicates(&dir, 1.0);
    let study = Study::load(&dir).unwrap();
    assert_eq!(study.run_count(), 3);
    assert_eq!(study.name(), "default");
    assert_eq!(study.seed(), Some(42));
    assert!(study.sweep_params().is_empty());

    let per_run = metrics::per_run(&study).unwrap();
    assert_eq!(per_run.height(), 3);
    let col = |name: &str| -> Vec<f64> {
        per_run
            .column(name)
            .unwrap()
            .f64()
            .unwrap()
            .into_no_null_iter()
            .collect()
    };
    // Role shares add up to one; the owner cut is 11,796 / 65,535 of emission (README).
    for i in 0..3 {
        let total = col("share_validator")[i] + col("share_miner")[i] + col("share_owner")[i];
        assert!((total - 1.0).abs() < 1e-9, "{total}");
        assert!((col("share_owner")[i] - 11_796.0 / 65_535.0).abs() < 1e-3);
        // The strategy shares of a role add up to the role's share.
        assert!((col("share_validator_honest")[i] - col("share_validator")[i]).abs() < 1e-6);
        // 16 validators + 48 miners: Nakamoto between 1 and 64, Gini and HHI in range.
        let n = col("stake_nakamoto")[i];
        assert!((1.0..=64.0).contains(&n));
        assert!((0.0..1.0).contains(&col("stake_gini")[i]));
        assert!(col("stake_hhi")[i] >= 1.0 / 64.0 - 1e-12);
        assert_eq!(col("final_miner_count")[i], 48.0);
        // One day at 1 TAO per block (before the first halving): 7,200 TAO.
        assert!((col("emission_tao_per_day")[i] - 7_200.0).abs() < 1e-6);
        // Default price 300 USD.
        assert!((col("security_budget_usd_per_day")[i] - 7_200.0 * 300.0).abs() < 1e-3);
        // Exactly one day of 7,200 blocks minted: network rows are after their block, so the
        // first row already holds the first block's TAO (an audit found 7,199 and 0.99986 days
        // when the metrics missed it).
        assert_eq!(col("days")[i], 1.0);
        assert_eq!(col("minted_tao")[i], 7_200.0);
    }
    let summary = stats::summarize(&per_run, &stats::SummaryOptions::default()).unwrap();
    assert_eq!(summary.height(), metrics::metric_columns(&per_run).len());
}

#[test]
fn a_folder_without_runs_parquet_is_one_run_per_arm_and_run() {
    let dir = crate::temp_dir("no-runs");
    let s = crate::small_default(0.2, &[]);
    crate::write_study(
        &dir,
        &s,
        &[(crate::run(&s, 0, 0), s.name.clone(), Vec::new())],
    );
    std::fs::remove_file(dir.join("runs.parquet")).unwrap();
    std::fs::remove_file(dir.join("runs.csv")).unwrap();
    let study = Study::load(&dir).unwrap();
    assert_eq!(study.run_count(), 1);
    assert_eq!(study.arms().unwrap(), vec![(0, "default".to_string())]);
    assert_eq!(metrics::per_run(&study).unwrap().height(), 1);
}

#[test]
fn csv_twins_stand_in_for_missing_parquet() {
    let dir = crate::temp_dir("csv");
    let s = crate::small_default(0.2, &[]);
    crate::write_study(
        &dir,
        &s,
        &[(crate::run(&s, 0, 0), s.name.clone(), Vec::new())],
    );
    let from_parquet = metrics::per_run(&Study::load(&dir).unwrap()).unwrap();
    for t in ["neurons", "subnets", "network", "runs"] {
        std::fs::remove_file(dir.join(format!("{t}.parquet"))).unwrap();
    }
    let from_csv = metrics::per_run(&Study::load(&dir).unwrap()).unwrap();
    let a: Vec<f64> = from_parquet
        .column("stake_gini")
        .unwrap()
        .f64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    let b: Vec<f64> = from_csv
        .column("stake_gini")
        .unwrap()
        .f64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert!((a[0] - b[0]).abs() < 1e-9);
}

#[test]
fn missing_files_say_what_to_do() {
    let dir = crate::temp_dir("empty");
    let e = Study::load(&dir).unwrap_err();
    assert!(matches!(
        e,
        AnalysisError::MissingFile {
            file: "scenario.resolved.yaml",
            ..
        }
    ));
    assert!(e.to_string().contains("subnetlab run"), "{e}");
    // A path that does not exist says so (an audit found it suggested writing a result there).
    let e = Study::load(dir.join("nonexistent")).unwrap_err();
    assert!(matches!(e, AnalysisError::NoFolder { .. }), "{e}");
    assert!(e.to_string().contains("is not a folder"), "{e}");
}

#[test]
fn empty_tables_give_empty_results_not_panics() {
    let dir = crate::temp_dir("empty-tables");
    let s = crate::small_default(0.2, &[]);
    crate::write_study(&dir, &s, &[]);
    let study = Study::load(&dir).unwrap();
    assert_eq!(study.run_count(), 0);
    let per_run = metrics::per_run(&study).unwrap();
    assert_eq!(per_run.height(), 0);
    stats::summarize(&per_run, &stats::SummaryOptions::default()).unwrap();
    for f in [
        metrics::network_series,
        metrics::daily,
        metrics::role_shares_over_time,
        metrics::quality_over_time,
        metrics::concentration_over_time,
        metrics::hotkeys,
    ] {
        assert_eq!(f(&study).unwrap().height(), 0);
    }
    let charts = subnetlab_analysis::charts::render_all(&study, &dir.join("charts")).unwrap();
    assert!(charts.is_empty(), "{charts:?}");
}

/// Found by a user audit: with neuron rows kept every 4th epoch (`record.every: 4`), the
/// strategy shares and emission concentration summed the kept rows only, so an all-honest
/// `share_miner_honest` read 0.10 beside `share_miner` 0.41. Totals now come from each hotkey's
/// running `emission_total`, so they do not depend on how often rows are kept; the mean stake
/// is sampled, so validator dividends per 1,000 TAO move slightly. A run without neuron rows
/// has no strategy shares (null), not shares of 0.
#[test]
fn metrics_do_not_depend_on_how_often_rows_are_kept() {
    let metrics_of = |record: &str| {
        let dir = crate::temp_dir(&format!("every-{}", record.len()));
        let s = crate::small_default(1.0, &[record]);
        crate::write_study(
            &dir,
            &s,
            &[(crate::run(&s, 0, 0), s.name.clone(), Vec::new())],
        );
        let per_run = metrics::per_run(&Study::load(&dir).unwrap()).unwrap();
        move |name: &str| per_run.column(name).unwrap().f64().unwrap().get(0)
    };
    let every = metrics_of("record={neurons: all, every: 1}");
    let sampled = metrics_of("record={neurons: all, every: 4}");
    for name in [
        "share_miner",
        "share_miner_honest",
        "share_validator_honest",
        "emission_gini",
    ] {
        assert_eq!(every(name), sampled(name), "{name}");
    }
    // All miners are honest: the same share, up to the order of float sums.
    let (honest, all) = (
        every("share_miner_honest").unwrap(),
        every("share_miner").unwrap(),
    );
    assert!((honest - all).abs() < 1e-12, "{honest} vs {all}");
    let (a, b) = (
        every("validator_dividends_per_1000_tao_day").unwrap(),
        sampled("validator_dividends_per_1000_tao_day").unwrap(),
    );
    assert!((a / b - 1.0).abs() < 0.01, "{a} vs {b}");
    let none = metrics_of("record={neurons: none}");
    assert_eq!(none("share_miner"), every("share_miner"));
}
