//! `subnetlab experiment ...`: each experiment writes its tables and charts into a staged
//! result folder and refuses to overwrite it without `--force`. Small settings keep the
//! debug build fast; the numbers themselves are tested in `subnetlab_sim::experiment`.

use crate::{ok, subnetlab, tempdir};

#[test]
fn cases_write_the_table_and_refuse_to_overwrite() {
    let dir = tempdir("experiment-cases").join("cases");
    let out = ok(subnetlab()
        .args([
            "experiment",
            "cases",
            "--case",
            "kappa-moves-first",
            // Named twice (a second audit found its rows doubled), and variants repeated.
            "--case",
            "kappa-moves-first",
            "--variants",
            "classic,yuma3,yuma3-liquid,yuma3",
            "--out",
        ])
        .arg(&dir));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("kappa-moves-first"), "{stdout}");
    for f in [
        "cases.parquet",
        "cases.csv",
        "cases_epochs.parquet",
        "experiment.json",
        "charts/case_kappa-moves-first.svg",
    ] {
        assert!(dir.join(f).exists(), "{f} missing");
    }
    // 1 case × 3 variants × 3 validators, plus the header.
    let csv = std::fs::read_to_string(dir.join("cases.csv")).unwrap();
    assert_eq!(csv.lines().count(), 10, "{csv}");
    let again = subnetlab()
        .args(["experiment", "cases", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    let unknown = subnetlab()
        .args(["experiment", "cases", "--case", "nope", "--force", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("kappa-moves-first"));
}

#[test]
fn retention_and_frontier_run_small() {
    let base = tempdir("experiment-maps");
    let r = base.join("retention");
    let out = ok(subnetlab()
        .args([
            "experiment",
            "retention",
            "--neurons",
            "24",
            "--validators",
            "6",
            "--grid",
            "5",
        ])
        .args([
            "--stakes",
            "0.6",
            "--sigma",
            "0,0.4",
            "--epochs",
            "3",
            "--multi-grid",
            "3",
        ])
        .args(["--multi-stakes", "0.6", "--out"])
        .arg(&r));
    assert!(String::from_utf8_lossy(&out.stdout).contains("To keep 60 % honest stake"));
    for f in [
        "retention.parquet",
        "retention_required.csv",
        "charts/retention_required.png",
        "charts/retention_single_epoch_sigma_0.40.svg",
    ] {
        assert!(r.join(f).exists(), "{f} missing");
    }
    // A small frontier on the stakes given, into `base/out`; returns its break-even table.
    let frontier = |stakes: &str, out: &str| {
        let done = ok(subnetlab()
            .args([
                "experiment",
                "frontier",
                "--validators",
                "4",
                "--miners",
                "8",
            ])
            .args([
                "--epochs",
                "3",
                "--trials",
                "1",
                "--self-weights",
                "0,1",
                "--quiet",
            ])
            .args(["--cabal-stakes", stakes, "--out"])
            .arg(base.join(out)));
        // Audit: `--quiet` printed the tables; now only the folder, as `run --quiet`.
        assert_eq!(
            String::from_utf8_lossy(&done.stdout).trim(),
            base.join(out).display().to_string()
        );
        std::fs::read(base.join(out).join("frontier_break_even.csv")).unwrap()
    };
    frontier("0,0.5", "frontier");
    for file in [
        "frontier.parquet",
        "frontier_best.csv",
        "frontier_break_even.csv",
        "charts/frontier.png",
    ] {
        assert!(base.join("frontier").join(file).exists(), "{file} missing");
    }
    // Audit: the break-even read the stakes in the order given (0.4,0.3,0.2,0.1 put it at
    // 0.400). Any order, and repeats, give the same files as the ascending grid.
    assert_eq!(
        frontier("0.1,0.2,0.3,0.4", "ascending"),
        frontier("0.4,0.3,0.2,0.1,0.3", "shuffled")
    );
    let bad = subnetlab()
        .args([
            "experiment",
            "frontier",
            "--cabal-stakes",
            "1.5",
            "--quiet",
            "--out",
        ])
        .arg(base.join("bad"))
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("cabal-stakes = 1.5"));
    assert!(
        !base.join("bad").exists(),
        "a failed experiment leaves no folder"
    );
}

/// Reported by a user audit: out-of-range options ran to meaningless results with exit 0
/// (`--kappa 2` clamped, `--bonds-moving-average 2` zeroing every dividend, `--epochs 0`
/// printing NaN µs). clap now refuses them, naming the option, before anything runs.
#[test]
fn out_of_range_options_are_refused() {
    for args in [
        &["experiment", "retention", "--kappa", "2"][..],
        &["experiment", "retention", "--bonds-penalty=-5"],
        &["experiment", "frontier", "--kappa", "0.5,NaN"],
        &["experiment", "cases", "--bonds-moving-average", "2"],
        &["bench", "epoch", "--epochs", "0"],
        &["compare", "default", "default", "--replicates", "0"],
        &["run", "default", "--bootstrap", "0"],
    ] {
        let out = subnetlab().args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("invalid value"), "{args:?}: {stderr}");
    }
    // A second audit's inputs aborted out of memory or ran without end: counts have upper
    // bounds too.
    for args in [
        &["run", "default", "--bootstrap", "10000000000"][..],
        &["experiment", "retention", "--trials", "4000000000"],
        &[
            "experiment",
            "retention",
            "--neurons",
            "65535",
            "--validators",
            "65000",
        ],
        &["experiment", "retention", "--grid", "100000"],
        &["experiment", "frontier", "--epochs", "4000000000"],
    ] {
        let out = subnetlab().args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}: {stderr}");
        assert!(stderr.contains("expected"), "{args:?}: {stderr}");
    }
    // The audit's 4e9 replicates aborted out of memory; the study's run bound applies.
    let out = subnetlab()
        .args([
            "compare",
            "default",
            "default",
            "--replicates",
            "4000000000",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("expected at most 1000000"), "{stderr}");
}
