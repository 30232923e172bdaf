//! Result folders: complete, never overwritten without --force, byte-identical for the same
//! scenario and seed at any thread count.

use crate::{ok, subnetlab, tempdir};

const FILES: [&str; 14] = [
    "metrics.csv",
    "summary.csv",
    "summary.parquet",
    "report.md",
    "charts/supply.png",
    "charts/role_shares.svg",
    "scenario.resolved.yaml",
    "neurons.parquet",
    "neurons.csv",
    "subnets.parquet",
    "subnets.csv",
    "network.parquet",
    "network.csv",
    "run.json",
];

fn run_into(dir: &std::path::Path, threads: &str) {
    run_scenario_into(
        dir,
        "scenarios/two-subnets.yaml",
        threads,
        "duration={days: 1}",
    );
}

fn run_scenario_into(dir: &std::path::Path, scenario: &str, threads: &str, duration: &str) {
    ok(subnetlab()
        .args(["run", scenario, "--quiet", "--set", duration, "--out"])
        .arg(dir)
        .env("RAYON_NUM_THREADS", threads)
        .env("POLARS_MAX_THREADS", threads));
}

#[test]
fn same_seed_gives_byte_identical_outputs_on_1_and_2_threads() {
    let tmp = tempdir("determinism");
    let (a, b) = (tmp.join("a"), tmp.join("b"));
    run_into(&a, "1");
    run_into(&b, "2");
    for f in FILES {
        assert!(a.join(f).is_file(), "{f} missing");
        if f == "run.json" {
            continue; // wall time and thread count differ by design
        }
        let (mut x, y) = (
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
        );
        if f == "report.md" {
            // The report names its own folder and the command that wrote it (`--out …/a`).
            let (pa, pb) = (a.display().to_string(), b.display().to_string());
            x = String::from_utf8(x).unwrap().replace(&pa, &pb).into_bytes();
        }
        assert!(x == y, "{f} differs between 1 and 2 threads");
    }
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(a.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["seed"], 7);
    assert_eq!(run["scenario"], "two-subnets");
    assert_eq!(run["scenario_sha256"].as_str().map(str::len), Some(64));
    let _ = std::fs::remove_dir_all(&tmp);
}

/// The same with subnets that run in parallel within the run: four subnets with pools and
/// stakers (each subnet is a shard; their rows are merged by block, ties in subnet order).
#[test]
fn pools_and_stakers_give_byte_identical_tables_on_1_and_2_threads() {
    let tmp = tempdir("determinism-shards");
    let (a, b) = (tmp.join("a"), tmp.join("b"));
    for (dir, threads) in [(&a, "1"), (&b, "2")] {
        run_scenario_into(
            dir,
            "scenarios/share-price-ema.yaml",
            threads,
            "duration={days: 3}",
        );
    }
    for f in [
        "neurons.parquet",
        "subnets.parquet",
        "network.parquet",
        "summary.parquet",
    ] {
        let (x, y) = (
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
        );
        assert!(x == y, "{f} differs between 1 and 2 threads");
    }
}

#[test]
fn existing_results_are_kept_unless_forced() {
    let tmp = tempdir("force");
    let out = tmp.join("r");
    let args = [
        "run",
        "noisy-validators",
        "--quiet",
        "--set",
        "duration={epochs: 2}",
        "--out",
    ];
    ok(subnetlab().args(args).arg(&out));
    let marker = out.join("mine.txt");
    std::fs::write(&marker, "keep").unwrap();
    let refused = subnetlab().args(args).arg(&out).output().unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("already exists; pass --force"));
    assert!(
        marker.exists(),
        "a refused run must not touch the old result"
    );
    ok(subnetlab().args(args).arg(&out).arg("--force"));
    assert!(!marker.exists() && out.join("neurons.parquet").exists());
    // No temporary folders left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&tmp)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    let _ = std::fs::remove_dir_all(&tmp);
}

/// The resolved scenario states everything the run used: running it again gives the same tables.
#[test]
fn resolved_scenario_reproduces_the_run() {
    let tmp = tempdir("resolved");
    ok(subnetlab()
        .args([
            "run",
            "noisy-validators",
            "-q",
            "--set",
            "duration={epochs: 3}",
            "--out",
        ])
        .arg(tmp.join("a")));
    let resolved = tmp.join("a/scenario.resolved.yaml");
    ok(subnetlab()
        .args(["run", "-q", "--out"])
        .arg(tmp.join("b"))
        .arg(&resolved));
    for f in ["neurons.parquet", "subnets.parquet", "network.parquet"] {
        assert_eq!(
            std::fs::read(tmp.join("a").join(f)).unwrap(),
            std::fs::read(tmp.join("b").join(f)).unwrap(),
            "{f}"
        );
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn summary_table_lists_roles() {
    let tmp = tempdir("summary");
    let out = ok(subnetlab()
        .args(["run", "default", "--set", "duration={days: 1}", "--out"])
        .arg(tmp.join("d")));
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "Wrote ",
        "validators",
        "miners",
        "owner cut",
        "emission (TAO)",
        "share",
    ] {
        assert!(text.contains(needle), "{needle} not in:\n{text}");
    }
    // Audit: the counts were the scenario's starting populations (12 validators and 40 miners
    // for adversary-mix, whose cohorts bring 20 validators and 49 miners). They are now the
    // UIDs registered at the end, and with pools the unit says alpha.
    let mix = ok(subnetlab()
        .args(["run", "scenarios/adversary-mix.yaml", "--no-report"])
        .args(["--set", "duration={days: 0.5}", "--out"])
        .arg(tmp.join("mix")));
    let text = String::from_utf8_lossy(&mix.stdout);
    let count = |role: &str| -> u64 {
        let line = text.lines().find(|l| l.starts_with(role)).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    };
    // By hand from neurons.csv: the rows of the last epoch, by role (column 7).
    let neurons = std::fs::read_to_string(tmp.join("mix/neurons.csv")).unwrap();
    let rows: Vec<Vec<&str>> = neurons
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let last = rows
        .iter()
        .map(|r| r[3].parse::<u64>().unwrap())
        .max()
        .unwrap();
    let at_end = |role: &str| {
        rows.iter()
            .filter(|r| r[3].parse::<u64>().unwrap() == last && r[7] == role)
            .count()
    };
    assert_eq!(count("miners") as usize, at_end("miner"), "{text}");
    assert_eq!(
        count("validators") as usize,
        at_end("validator") + at_end("owner"),
        "{text}"
    );
    assert!(count("validators") > 12, "cohorts count: {text}");
    let pools = ok(subnetlab()
        .args(["run", "scenarios/share-price-ema.yaml", "--no-report"])
        .args(["--set", "duration={days: 0.5}", "--out"])
        .arg(tmp.join("pools")));
    assert!(String::from_utf8_lossy(&pools.stdout).contains("emission (alpha)"));
    let _ = std::fs::remove_dir_all(&tmp);
}

/// Reported by a user audit: `--out <a folder of the user's files> --force` deleted them, and
/// `--out <a file> --force` failed half-way after hiding the file. `--force` now replaces only
/// result folders (and empty ones); anything else is refused before the run, untouched.
#[test]
fn force_never_replaces_what_is_not_a_result() {
    let tmp = tempdir("force-foreign");
    let args = [
        "run",
        "noisy-validators",
        "--quiet",
        "--force",
        "--set",
        "duration={epochs: 2}",
        "--out",
    ];
    let papers = tmp.join("papers");
    std::fs::create_dir_all(&papers).unwrap();
    std::fs::write(papers.join("thesis.txt"), "years of work").unwrap();
    let refused = subnetlab().args(args).arg(&papers).output().unwrap();
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("is not a subnetlab result folder"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(papers.join("thesis.txt")).unwrap(),
        "years of work"
    );

    let file = tmp.join("notes.txt");
    std::fs::write(&file, "notes").unwrap();
    let refused = subnetlab().args(args).arg(&file).output().unwrap();
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("is not a folder"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "notes");

    // An empty folder may be filled.
    let empty = tmp.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    ok(subnetlab().args(args).arg(&empty));
    assert!(empty.join("run.json").exists());
    let _ = std::fs::remove_dir_all(&tmp);
}

/// Reported by a user audit: a folder named like a built-in scenario (e.g. the result folder of
/// `run two-subnets --out two-subnets`) hid the built-in: the next run failed with
/// "Is a directory (os error 21): Is a directory (os error 21)".
#[test]
fn a_folder_does_not_hide_a_builtin() {
    let tmp = tempdir("shadow");
    std::fs::create_dir_all(tmp.join("two-subnets")).unwrap();
    let run = [
        "run",
        "two-subnets",
        "--quiet",
        "--set",
        "duration={epochs: 1}",
        "--out",
        "r",
    ];
    ok(subnetlab().current_dir(&tmp).args(run));
    assert!(tmp.join("r").join("run.json").exists());
    let other = subnetlab()
        .current_dir(&tmp)
        .args(["run", "r"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&other.stderr);
    assert!(
        stderr.contains("`r` is a folder, not a scenario file"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&tmp);
}

/// A second audit: an interrupted run (Ctrl-C, SIGTERM) left its hidden `.name.tmp-PID`
/// folder behind. The interrupt now removes it, and the exit status is 130.
#[cfg(unix)]
#[test]
fn an_interrupted_run_leaves_no_temporary_folder() {
    let tmp = tempdir("interrupt");
    let child = subnetlab()
        .args([
            "run",
            "default",
            "--quiet",
            "--set",
            "duration={days: 365}",
            "--out",
        ])
        .arg(tmp.join("r"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let staged = || {
        std::fs::read_dir(&tmp)
            .unwrap()
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().starts_with(".r.tmp-"))
    };
    let started = std::time::Instant::now();
    while !staged() && started.elapsed().as_secs() < 30 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(staged(), "the run never staged its folder");
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(!staged() && !tmp.join("r").exists());
    let _ = std::fs::remove_dir_all(&tmp);
}

/// An audit: a run killed outright (out of memory, SIGKILL) cannot clean up, and its
/// `.name.tmp-PID` folder stayed for good. The next write of the same result removes the
/// folders of processes that no longer run (PID 4194305 is above Linux's largest), and keeps
/// those of a process that still runs (this test's own PID stands in for one).
#[cfg(target_os = "linux")]
#[test]
fn a_killed_runs_temporary_folder_goes_with_the_next_run() {
    let tmp = tempdir("orphans");
    let dead = tmp.join(".r.tmp-4194305");
    let dead_aside = tmp.join(".r.tmp-4194305.old");
    let alive = tmp.join(format!(".r.tmp-{}", std::process::id()));
    let other = tmp.join(".s.tmp-4194305");
    for dir in [&dead, &dead_aside, &alive, &other] {
        std::fs::create_dir_all(dir).unwrap();
    }
    run_scenario_into(&tmp.join("r"), "default", "1", "duration={blocks: 400}");
    assert!(tmp.join("r/run.json").is_file());
    assert!(!dead.exists() && !dead_aside.exists());
    assert!(alive.exists(), "a running process's folder is kept");
    assert!(
        other.exists(),
        "another result's folder is not this run's to remove"
    );
    let _ = std::fs::remove_dir_all(&tmp);
}

/// An audit: `RAYON_NUM_THREADS=100000` spent minutes starting threads. The count is capped
/// at 1,024, with a warning; results do not depend on it.
#[test]
fn an_absurd_thread_count_is_capped() {
    let tmp = tempdir("threads");
    let out = ok(subnetlab()
        .args([
            "run",
            "default",
            "--quiet",
            "--set",
            "duration={blocks: 400}",
            "--out",
        ])
        .arg(tmp.join("r"))
        .env("RAYON_NUM_THREADS", "100000"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("RAYON_NUM_THREADS=100000 is more than 1024; using 1024 threads"),
        "{stderr}"
    );
    let json = std::fs::read_to_string(tmp.join("r/run.json")).unwrap();
    assert!(json.contains("\"threads\": 1024"), "{json}");
    let _ = std::fs::remove_dir_all(&tmp);
}
