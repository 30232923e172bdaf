//! `subnetlab validate` and `subnetlab list`.

use crate::{ok, subnetlab, tempdir};

#[test]
fn validate_reports_every_problem_with_its_place() {
    let tmp = tempdir("validate");
    let bad = tmp.join("bad.yaml");
    std::fs::write(
        &bad,
        "name: x\nduration: {days: 1}\nsubnets:\n  - validators: {count: 0, stake: {distribution: constant, value: 1}}\n    miners: {count: 1, quality: {distribution: beta, a: -1, b: 1}}\n",
    )
    .unwrap();
    let out = subnetlab()
        .arg("validate")
        .arg(&bad)
        .arg("scenarios/default.yaml")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("2 problems in scenario"), "{text}");
    assert!(
        text.contains(":4:")
            && text.contains("subnets[0].validators.count: expected at least 1 validator"),
        "{text}"
    );
    assert!(
        text.contains("subnets[0].miners.quality.a: expected a finite number > 0, got -1"),
        "{text}"
    );
    assert!(text.contains("scenarios/default.yaml: ok"), "{text}");
    let _ = std::fs::remove_dir_all(&tmp);
}

/// Audit: `validate default` said "cannot read scenario default"; built-in names work as for
/// `run`.
#[test]
fn validate_takes_builtin_names() {
    let out = ok(subnetlab().args(["validate", "default", "two-subnets"]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("default: ok (default,"), "{text}");
    assert!(text.contains("two-subnets: ok (two-subnets,"), "{text}");
}

#[test]
fn list_shows_builtins_and_strategies() {
    let out = ok(subnetlab().arg("list"));
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in ["default", "two-subnets", "noisy-validators", "honest"] {
        assert!(text.contains(needle), "{needle}:\n{text}");
    }
}

#[test]
fn unknown_scenario_is_a_clear_error() {
    let out = subnetlab().args(["run", "no-such-thing"]).output().unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("neither a scenario file nor a built-in scenario")
    );
}

/// Reported by a user audit: `validate ... | head -1`, `list | head -1` and the like panicked
/// ("failed printing to stdout: Broken pipe", exit 101) once the reader had gone. Here the
/// reading end is closed before the command starts, so every write fails.
#[test]
fn a_closed_standard_output_is_not_a_crash() {
    for args in [
        &["list"][..],
        &[
            "validate",
            "scenarios/default.yaml",
            "scenarios/two-subnets.yaml",
        ],
        &["experiment", "cases", "--list"],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = subnetlab()
            .args(args)
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {:?} {stderr}", out.status);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    // Any other failure to write (a full disk) is not silent: the command fails, saying why.
    if let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") {
        let out = subnetlab().arg("list").stdout(full).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{stderr}");
        assert!(stderr.contains("writing to standard output"), "{stderr}");
    }
}
