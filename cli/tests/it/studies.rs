//! Studies from the command line: sweeps with replicates, thread-count independence, sharded
//! sweeps merged back, comparisons.

use crate::{ok, subnetlab, tempdir};

const SHORT: [&str; 4] = ["--set", "duration={blocks: 800}", "--set", "replicates=2"];
const TABLES: [&str; 6] = [
    "runs.csv",
    "neurons.csv",
    "subnets.csv",
    "network.csv",
    "metrics.csv",
    "summary.csv",
];

#[test]
fn sweep_results_do_not_depend_on_threads() {
    let tmp = tempdir("sweep-threads");
    for threads in ["1", "2"] {
        ok(subnetlab()
            .args(["run", "scenarios/kappa-sweep.yaml", "-q"])
            .args(SHORT)
            .arg("--out")
            .arg(tmp.join(threads))
            .env("RAYON_NUM_THREADS", threads));
    }
    for f in [
        "runs.parquet",
        "neurons.parquet",
        "subnets.parquet",
        "network.parquet",
    ] {
        assert!(
            std::fs::read(tmp.join("1").join(f)).unwrap()
                == std::fs::read(tmp.join("2").join(f)).unwrap(),
            "{f}"
        );
    }
    // 6 arms × 2 replicates, arm-major.
    let runs = std::fs::read_to_string(tmp.join("1/runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 1 + 12, "{runs}");
    assert!(
        runs.lines()
            .nth(4)
            .unwrap()
            .starts_with("1,1,\"kappa=26214, yuma3=false\",11,26214,false"),
        "{runs}"
    );
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn three_shards_merge_into_the_unsharded_sweep() {
    let tmp = tempdir("shards");
    ok(subnetlab()
        .args(["run", "scenarios/kappa-sweep.yaml", "-q"])
        .args(SHORT)
        .arg("--out")
        .arg(tmp.join("whole")));
    let parts = tmp.join("parts");
    // A killed shard's leftover temporary partition (found by an audit): the next write of
    // that run (shard 2 writes arm 0 run 1) clears it.
    let leftover = parts.join("arm=0/.run=1.tmp-4194305");
    for k in 1..=3 {
        if k == 2 {
            std::fs::create_dir_all(&leftover).unwrap();
        }
        ok(subnetlab()
            .args([
                "sweep",
                "scenarios/kappa-sweep.yaml",
                "-q",
                "--shard",
                &format!("{k}/3"),
            ])
            .args(SHORT)
            .arg("--out")
            .arg(&parts));
    }
    assert!(parts.join("arm=5/run=1/neurons.parquet").is_file());
    assert!(!leftover.exists());
    ok(subnetlab()
        .arg("merge")
        .arg(&parts)
        .arg("--out")
        .arg(tmp.join("merged")));
    for f in TABLES {
        let whole = std::fs::read_to_string(tmp.join("whole").join(f)).unwrap();
        let merged = std::fs::read_to_string(tmp.join("merged").join(f)).unwrap();
        assert!(
            whole == merged,
            "{f} differs between the unsharded sweep and the merged shards"
        );
    }
    // The merged run.json names the same scenario hash as the unsharded run's (a second audit
    // found it missing), and the same emission accounting, epochs and blocks (a third: merge
    // left them out).
    let field = |dir: &str, name: &str| -> serde_json::Value {
        let text = std::fs::read_to_string(tmp.join(dir).join("run.json")).unwrap();
        serde_json::from_str::<serde_json::Value>(&text).unwrap()[name].clone()
    };
    assert!(field("whole", "scenario_sha256").is_string());
    assert!(field("whole", "totals_rao")["minted"].as_u64().unwrap() > 0);
    for name in [
        "scenario_sha256",
        "totals_rao",
        "epochs",
        "first_block",
        "last_block",
    ] {
        assert_eq!(field("whole", name), field("merged", name), "{name}");
    }
    // A shard of another scenario cannot write into the same folder.
    let wrong = subnetlab()
        .args(["sweep", "default", "-q", "--shard", "1/3", "--out"])
        .arg(&parts)
        .output()
        .unwrap();
    assert!(!wrong.status.success());
    // Found by a user audit: merge trusted folder names. A partition copied over another
    // merged "24 of 24 runs" with one run twice and one missing; an extra `arm=99` merged
    // "25 of 24"; a folder without partitions failed naming the temporary folder.
    let merge_fails = |out: &str, want: &str| {
        let res = subnetlab()
            .arg("merge")
            .arg(&parts)
            .arg("--out")
            .arg(tmp.join(out))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&res.stderr);
        assert!(!res.status.success() && stderr.contains(want), "{stderr}");
        assert!(!tmp.join(out).exists());
    };
    let stray = parts.join("arm=99/run=0");
    copy_dir(&parts.join("arm=0/run=0"), &stray);
    merge_fails("stray", "arm 99 run 0 is not a run of this sweep");
    std::fs::remove_dir_all(parts.join("arm=99")).unwrap();
    // Found by a later audit: a merge with a shard unfinished exited 0. Missing runs are an
    // error naming them; `--partial` merges what there is and says so in run.json.
    let aside = tmp.join("aside");
    std::fs::rename(parts.join("arm=2/run=1"), &aside).unwrap();
    merge_fails(
        "missing",
        "1 of 12 runs have no partition yet (arm 2 run 1)",
    );
    ok(subnetlab()
        .arg("merge")
        .arg(&parts)
        .args(["--partial", "--out"])
        .arg(tmp.join("partial")));
    let json = std::fs::read_to_string(tmp.join("partial/run.json")).unwrap();
    assert!(
        json.contains("\"runs\": 11") && json.contains("\"expected_runs\": 12"),
        "{json}"
    );
    std::fs::rename(&aside, parts.join("arm=2/run=1")).unwrap();
    copy_dir(&parts.join("arm=1/run=1"), &parts.join("arm=0/run=0"));
    merge_fails("copied", "rows are arm 1 run 1, not arm 0 run 0");
    let empty = tmp.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::copy(
        parts.join("scenario.resolved.yaml"),
        empty.join("scenario.resolved.yaml"),
    )
    .unwrap();
    let res = subnetlab()
        .arg("merge")
        .arg(&empty)
        .arg("--out")
        .arg(tmp.join("none"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert!(
        stderr.contains("no sweep partitions") && !stderr.contains(".tmp-"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&tmp);
}

/// Found by a second audit: `sweep --out` wrote partitions among unrelated files or into a
/// finished result, `merge --force` of a root without `.parts` replaced its own partitions,
/// `report --out` overwrote a table or run.json with HTML, and `sweep --twin` silently ran
/// no twins.
#[test]
fn sweeps_merges_and_reports_keep_to_their_own_folders() {
    let tmp = tempdir("own-folders");
    let other = tmp.join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "mine").unwrap();
    let sweep = |out: &std::path::Path, extra: &[&str]| {
        subnetlab()
            .args(["sweep", "scenarios/kappa-sweep.yaml", "-q"])
            .args(SHORT)
            .args(extra)
            .arg("--out")
            .arg(out)
            .output()
            .unwrap()
    };
    let fails = |out: std::process::Output, want: &str| {
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(!out.status.success() && stderr.contains(want), "{stderr}");
    };
    fails(sweep(&other, &[]), "holds other files");
    assert_eq!(std::fs::read_dir(&other).unwrap().count(), 1);
    let result = tmp.join("result");
    ok(subnetlab()
        .args([
            "run",
            "default",
            "-q",
            "--no-report",
            "--set",
            "duration={epochs: 1}",
            "--out",
        ])
        .arg(&result));
    fails(sweep(&result, &[]), "is a finished result folder");
    fails(
        sweep(&tmp.join("t"), &["--twin"]),
        "unexpected argument '--twin'",
    );
    // `--shard 30/30` of a 24-run sweep wrote an empty folder and exited 0.
    fails(
        sweep(&tmp.join("s30"), &["--shard", "30/30"]),
        "has no runs",
    );
    assert!(!tmp.join("s30").exists());
    let parts = tmp.join("p");
    assert!(sweep(&parts, &[]).status.success());
    fails(
        subnetlab()
            .arg("merge")
            .arg(&parts)
            .arg("--force")
            .output()
            .unwrap(),
        "would replace its own partitions",
    );
    fails(
        subnetlab()
            .arg("report")
            .arg(&result)
            .arg("--out")
            .arg(result.join("run.json"))
            .output()
            .unwrap(),
        "must name an .html file",
    );
    assert!(
        std::fs::read_to_string(result.join("run.json"))
            .unwrap()
            .starts_with('{')
    );
    // Audit: `report other --out RESULT/other.html` replaced RESULT's own charts, and a report
    // was overwritten without --force. Another report's charts go to `<stem>-charts/`; an
    // existing report is replaced only with --force.
    ok(subnetlab().arg("report").arg(&result));
    let chart = result.join("charts/supply.png");
    let before = std::fs::read(&chart).unwrap();
    let other = result.join("other.html");
    ok(subnetlab()
        .arg("report")
        .arg(&result)
        .arg("--out")
        .arg(&other));
    assert!(result.join("other-charts/supply.png").is_file());
    assert_eq!(std::fs::read(&chart).unwrap(), before);
    assert!(
        std::fs::read_to_string(result.join("other.md"))
            .unwrap()
            .contains("(other-charts/")
    );
    fails(
        subnetlab().arg("report").arg(&result).output().unwrap(),
        "report.html already exists; pass --force",
    );
    ok(subnetlab().arg("report").arg(&result).arg("--force"));
    let _ = std::fs::remove_dir_all(&tmp);
}

/// Copies the files of folder `from` into `to` (created), replacing what is there.
fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[test]
fn compare_runs_arms_on_common_random_numbers() {
    let tmp = tempdir("compare");
    let out = ok(subnetlab()
        .args([
            "compare",
            "default",
            "noisy-validators",
            "--replicates",
            "2",
            "--set",
            "duration={blocks: 800}",
            "--out",
        ])
        .arg(tmp.join("c")));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("arm 1: noisy-validators"), "{text}");
    let runs = std::fs::read_to_string(tmp.join("c/runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 5, "{runs}");
    // Every arm runs with the baseline's seed (42), so run r of each arm shares its streams.
    assert!(runs.lines().skip(1).all(|l| l.ends_with(",42")), "{runs}");
    assert!(tmp.join("c/arm-1.resolved.yaml").is_file());
    // The paired differences with their intervals are in the folder and on screen.
    let comparison = std::fs::read_to_string(tmp.join("c/comparison.csv")).unwrap();
    assert!(comparison.starts_with("arm,arm_name,baseline_arm,metric,n,baseline_mean,arm_mean,mean_diff,sd_diff,ci_low,ci_high"), "{comparison}");
    assert!(
        text.contains("difference from default (paired on run), mean [95 % t CI]:"),
        "{text}"
    );
    // The report is named after both arms and shows each arm's resolved scenario.
    let report = std::fs::read_to_string(tmp.join("c/report.html")).unwrap();
    assert!(report.contains("<svg"));
    assert!(
        report.contains("<title>subnetlab report: default vs noisy-validators</title>"),
        "{}",
        &report[..report.len().min(600)]
    );
    for heading in [
        "Resolved scenario of arm 0: default",
        "Resolved scenario of arm 1: noisy-validators",
    ] {
        assert!(report.contains(heading), "{heading}");
    }
    assert!(report.contains("name: noisy-validators"));
    let _ = std::fs::remove_dir_all(&tmp);
}

/// `run --twin` runs the scenario and its honest twin as two arms and writes the adversary
/// metrics; the copier's `vs_twin_*` is its emission over its honest twin's, so it must equal
/// the ratio of the two arms' rows for its hotkey in neurons.csv.
#[test]
fn run_twin_writes_the_adversary_metrics() {
    let root = tempdir("twin");
    let tmp = root.join("out");
    ok(subnetlab()
        .args([
            "run",
            "scenarios/adversary-weight-copier.yaml",
            "-q",
            "--twin",
        ])
        .args(["--set", "duration={days: 0.5}", "--no-report", "--out"])
        .arg(&tmp));
    let runs = std::fs::read_to_string(tmp.join("runs.csv")).unwrap();
    assert!(
        runs.contains("adversary-weight-copier (honest twin)"),
        "{runs}"
    );
    let metrics = std::fs::read_to_string(tmp.join("metrics.csv")).unwrap();
    let mut lines = metrics.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let first: Vec<&str> = lines.next().unwrap().split(',').collect();
    let vs_twin: f64 = first[column("vs_twin_validator_weight_copier")]
        .parse()
        .unwrap();
    // By hand from neurons.csv: the copier is UID 48 in both arms (same hotkey).
    let neurons = std::fs::read_to_string(tmp.join("neurons.csv")).unwrap();
    let mut rows = neurons.lines();
    let head: Vec<&str> = rows.next().unwrap().split(',').collect();
    let at = |name: &str| head.iter().position(|h| *h == name).expect(name);
    let (mut run, mut twin) = (0.0, 0.0);
    for line in rows {
        let f: Vec<&str> = line.split(',').collect();
        if f[at("uid")] == "48" {
            let e: f64 = f[at("emission")].parse().unwrap();
            if f[at("arm")] == "0" {
                run += e
            } else {
                twin += e
            }
        }
    }
    assert!(
        (vs_twin - run / twin).abs() < 1e-9,
        "{vs_twin} vs {run}/{twin}"
    );
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn twin_of_an_honest_scenario_is_refused() {
    let out = subnetlab()
        .args(["run", "scenarios/noisy-validators.yaml", "--twin", "-q"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no adversary"));
}

/// Audit: `merge` failed ("unable to vstack, column names don't match") on a sweep whose
/// `random:` points vary other parameters than its grid, so runs' rows have different
/// columns. Merged shards now equal the unsharded run, nulls and column order included.
#[test]
fn shards_of_a_grid_and_random_sweep_merge() {
    let tmp = tempdir("mixed-sweep");
    let file = tmp.join("swm.yaml");
    std::fs::write(
        &file,
        "name: swm
duration: { blocks: 720 }
subnets:
  - validators: { count: 2, stake: { distribution: constant, value: 1000 } }
    miners: { count: 4 }
sweep:
  grid:
    subnets[0].hyperparameters.kappa: [26214, 39321]
  random:
    n: 1
    ranges: { \"subnets[0].validators.strategy.noise\": { min: 0.1, max: 0.5 } }
",
    )
    .unwrap();
    ok(subnetlab()
        .args(["run", "-q", "--no-report", "--out"])
        .arg(tmp.join("whole"))
        .arg(&file));
    for k in ["1/2", "2/2"] {
        ok(subnetlab()
            .args(["sweep", "-q", "--shard", k, "--out"])
            .arg(tmp.join("parts"))
            .arg(&file));
    }
    ok(subnetlab()
        .arg("merge")
        .arg(tmp.join("parts"))
        .arg("--out")
        .arg(tmp.join("merged")));
    for f in ["runs.csv", "runs.parquet", "neurons.parquet", "subnets.csv"] {
        assert!(
            std::fs::read(tmp.join("whole").join(f)).unwrap()
                == std::fs::read(tmp.join("merged").join(f)).unwrap(),
            "{f}"
        );
    }
    let _ = std::fs::remove_dir_all(&tmp);
}
