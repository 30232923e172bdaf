//! `subnetlab epoch FILE` on the upstream `test_bonds` metagraph (test-vectors.md V1).

use crate::{ok, subnetlab, tempdir};

fn u16s(v: &serde_json::Value) -> Vec<i64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| (x.as_f64().unwrap() * 65_535.0) as i64)
        .collect()
}

fn close(got: &[i64], want: &[i64], tolerance: i64) -> bool {
    got.len() == want.len()
        && got
            .iter()
            .zip(want)
            .all(|(g, w)| (g - w).abs() <= tolerance)
}

#[test]
fn reproduces_v1_classic_bonds() {
    let out = ok(subnetlab().args(["epoch", "examples/epoch-v1-classic-bonds.json"]));
    let epochs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let e = epochs.as_array().unwrap();
    assert_eq!(e.len(), 9);
    // DERIVED dividends (u16) from test-vectors.md V1, blocks 2..9; f64 differs from the
    // chain's truncating fixed point by at most 2 units here.
    let dividends: [[i64; 4]; 8] = [
        [6553, 13106, 19660, 26214],
        [5897, 13252, 19879, 26505],
        [5307, 11927, 20699, 27599],
        [0, 0, 0, 0],
        [4776, 10734, 21438, 28585],
        [4299, 9660, 22103, 29471],
        [3868, 8694, 22701, 30269],
        [3481, 7825, 23240, 30987],
    ];
    for (i, want) in dividends.iter().enumerate() {
        let got = u16s(&e[i + 1]["dividends"]);
        assert!(
            close(&got[..4], want, 2),
            "block {}: {got:?} vs {want:?}",
            i + 2
        );
    }
    // Incentive at block 6 goes all to UID 7 (consensus on the others collapsed).
    assert_eq!(u16s(&e[5]["incentive"])[4..], [0, 0, 0, 65_535]);
    // ASSERTED stored bonds, column 7, after block 8: [8376, 18824, 49150, 65535] (±5: the chain's
    // u16 round trip drifts, f64 does not).
    let bonds = e[7]["bonds"].as_array().unwrap();
    let col7: Vec<i64> = bonds[..4]
        .iter()
        .map(|row| {
            let entry = row.as_array().unwrap().iter().find(|p| p[0] == 7).unwrap();
            (entry[1].as_f64().unwrap() * 65_535.0) as i64
        })
        .collect();
    assert!(close(&col7, &[8376, 18824, 49150, 65535], 5), "{col7:?}");
    // The first epoch computed the permits the weight setters at block 2 needed.
    assert_eq!(
        e[0]["validator_permit"],
        serde_json::json!([true, true, true, true, false, false, false, false])
    );
}

#[test]
fn bad_metagraphs_get_clear_errors() {
    let tmp = tempdir("epoch");
    let short = tmp.join("short.json");
    std::fs::write(&short, r#"{"n": 3, "stake": [1, 2], "last_update": [0,0,0], "block_at_registration": [0,0,0], "validator_permit": [true,true,true], "epochs": [{"block": 1}]}"#).unwrap();
    let out = subnetlab().arg("epoch").arg(&short).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("`stake` has 2 entries; expected n = 3"));
    let typo = tmp.join("typo.json");
    std::fs::write(&typo, "{\"n\": 1,\n \"stakes\": [1]}").unwrap();
    let err =
        String::from_utf8_lossy(&subnetlab().arg("epoch").arg(&typo).output().unwrap().stderr)
            .to_string();
    assert!(
        err.contains("unknown field `stakes`") && err.contains("line 2"),
        "{err}"
    );
    // Found by a user audit: with a `_comment` the file was re-serialised before parsing, so
    // errors pointed at lines of that copy (line 135 for a value on line 4); stored rows
    // naming uids beyond n, an owner beyond n and epochs going back in time were accepted;
    // a rate limit of u64::MAX overflowed.
    let base = |extra: &str| {
        format!(
            "{{\"_comment\": [\"a note\",\n  \"spanning lines\"],\n \"n\": 3,\n \"stake\": [1, 2, 3], \"last_update\": [0,0,0], \"block_at_registration\": [0,0,0], \"validator_permit\": [true,true,true]{extra}}}"
        )
    };
    let cases = [
        (
            base(",\n \"last_mechanism_step_block\": \"x\", \"epochs\": []"),
            "at line 5 column 31",
        ),
        (
            base(", \"weights\": [[[1, 5], [99, 5]]], \"epochs\": [{\"block\": 1}]"),
            "`weights` row 0 names uid 99; expected uids below n = 3",
        ),
        (
            base(", \"n\": 3, \"epochs\": []"),
            "case2.json:4:118: `n` is given twice; expected each field once",
        ),
        (
            base(", \"owner_uid\": 7, \"epochs\": [{\"block\": 1}]"),
            "`owner_uid` is 7; expected a uid below n = 3",
        ),
        (
            base(", \"epochs\": [{\"block\": 5}, {\"block\": 4}]"),
            "`epochs[1].block` is 4, not after the previous epoch's block 5",
        ),
        (
            base(
                ", \"epochs\": [{\"block\": 3, \"set_weights\": [{\"uid\": 0, \"block\": 9, \"uids\": [1], \"values\": [1]}]}]",
            ),
            "has a set_weights call at block 9, after the epoch's block 3",
        ),
    ];
    for (i, (text, want)) in cases.iter().enumerate() {
        let file = tmp.join(format!("case{i}.json"));
        std::fs::write(&file, text).unwrap();
        let out = subnetlab().arg("epoch").arg(&file).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains(want), "{text}\n{err}");
    }
    // A call from a UID nobody holds is refused as the chain refuses it.
    let stranger = tmp.join("stranger.json");
    let text = base(
        ", \"epochs\": [{\"block\": 3, \"set_weights\": [{\"uid\": 99, \"block\": 3, \"uids\": [1], \"values\": [1]}]}]",
    );
    std::fs::write(&stranger, text).unwrap();
    let out = ok(subnetlab().arg("epoch").arg(&stranger));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("uid 99 at block 3: HotKeyNotRegisteredInSubNet")
    );
    let limited = tmp.join("limited.json");
    let text = base(
        ", \"hyperparameters\": {\"weights_rate_limit\": 18446744073709551615}, \"last_update\": [1,1,1], \"epochs\": [{\"block\": 2, \"set_weights\": [{\"uid\": 0, \"block\": 2, \"uids\": [1], \"values\": [1]}]}]",
    );
    std::fs::write(&limited, text.replace("\"last_update\": [0,0,0], ", "")).unwrap();
    let out = ok(subnetlab().arg("epoch").arg(&limited));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("SettingWeightsTooFast: rate limited until block 18446744073709551615")
    );
    let _ = std::fs::remove_dir_all(&tmp);
}

fn ints(v: &serde_json::Value) -> Vec<i64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap())
        .collect()
}

/// Chain mode prints the chain's own values: u16 shares and bonds, rao emission. V1
/// (upstream `epoch::test_bonds`, test-vectors.md): the DERIVED dividends and combined
/// emission and the ASSERTED stored bonds, exactly.
#[test]
fn chain_mode_reproduces_v1_exactly() {
    let out = ok(subnetlab().args(["epoch", "examples/epoch-v1-classic-bonds-chain.json"]));
    let epochs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let e = epochs.as_array().unwrap();
    assert_eq!(e.len(), 9);
    assert_eq!(
        ints(&e[1]["dividends"]),
        [6553, 13106, 19660, 26214, 0, 0, 0, 0]
    );
    assert_eq!(
        ints(&e[8]["dividends"]),
        [3481, 7825, 23240, 30987, 0, 0, 0, 0]
    );
    assert_eq!(ints(&e[5]["incentive"]), [0, 0, 0, 0, 0, 0, 0, 65_535]);
    let combined: Vec<i64> = ints(&e[6]["server_emission"])
        .iter()
        .zip(ints(&e[6]["validator_emission"]))
        .map(|(s, v)| s + v)
        .collect();
    assert_eq!(
        combined,
        [32799427, 73706612, 168638129, 224855830, 0, 0, 0, 500000000]
    );
    // ASSERTED stored bonds, column 7, after block 8.
    let col7: Vec<i64> = e[7]["bonds"].as_array().unwrap()[..4]
        .iter()
        .map(|row| {
            let entry = row.as_array().unwrap().iter().find(|p| p[0] == 7).unwrap();
            entry[1].as_i64().unwrap()
        })
        .collect();
    assert_eq!(col7, [8376, 18824, 49150, 65535]);
}

/// V8 (upstream `epoch::test_yuma_3_kappa_moves_first`): the DERIVED u16 dividends and bonds
/// of test-vectors.md, exactly, through `set_weights` calls in the file.
#[test]
fn chain_mode_reproduces_v8_exactly() {
    let out = ok(subnetlab().args(["epoch", "examples/epoch-v8-yuma3-chain.json"]));
    let epochs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let e = epochs.as_array().unwrap();
    assert_eq!(e.len(), 7);
    let dividends = [
        [52428, 6553, 6553, 0, 0],
        [65535, 0, 0, 0, 0],
        [61486, 4048, 0, 0, 0],
        [57796, 5068, 2669, 0, 0],
        [56122, 5531, 3881, 0, 0],
        [55170, 5795, 4569, 0, 0],
    ];
    for (k, want) in dividends.iter().enumerate() {
        assert!(e[k + 1].get("rejected_set_weights").is_none());
        assert_eq!(ints(&e[k + 1]["dividends"]), want, "epoch {k}");
    }
    assert_eq!(e[6]["bonds"][0], serde_json::json!([[3, 3853], [4, 27120]]));
    assert_eq!(
        e[6]["bonds"][2],
        serde_json::json!([[3, 20244], [4, 17970]])
    );
}

/// `run --numeric chain` runs the chain's epoch and says so in the resolved scenario (which
/// reproduces the run); `compare-modes` prints the largest difference per field, the shares
/// per epoch below 1e-6.
#[test]
fn numeric_chain_runs_and_compare_modes_reports() {
    let tmp = tempdir("numeric");
    ok(subnetlab()
        .args([
            "run",
            "noisy-validators",
            "-q",
            "--no-report",
            "--numeric",
            "chain",
        ])
        .args(["--set", "duration={epochs: 3}", "--out"])
        .arg(tmp.join("a")));
    let resolved = tmp.join("a/scenario.resolved.yaml");
    let text = std::fs::read_to_string(&resolved).unwrap();
    assert!(text.contains("numeric: chain"), "{text}");
    ok(subnetlab()
        .args(["run", "-q", "--no-report", "--out"])
        .arg(tmp.join("b"))
        .arg(&resolved));
    assert_eq!(
        std::fs::read(tmp.join("a/neurons.parquet")).unwrap(),
        std::fs::read(tmp.join("b/neurons.parquet")).unwrap()
    );
    let out = ok(subnetlab().args([
        "compare-modes",
        "noisy-validators",
        "--set",
        "duration={epochs: 3}",
    ]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("f64 vs chain") && text.contains("per epoch"),
        "{text}"
    );
    let per_epoch = &text[text.find("per epoch").unwrap()..];
    for field in ["consensus", "incentive", "dividends", "validator_trust"] {
        let line = per_epoch
            .lines()
            .find(|l| l.trim_start().starts_with(field))
            .unwrap();
        let value: f64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
        assert!(value < 1e-6, "{line}");
    }
    // A second audit: a run too short for an epoch printed zeros, as if the modes agreed.
    let short = subnetlab()
        .args(["compare-modes", "default", "--set", "duration={blocks: 1}"])
        .output()
        .unwrap();
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("no epoch ran"));
    let bad = subnetlab()
        .args(["run", "--numeric", "fixed"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("possible values: f64, chain"));
    let _ = std::fs::remove_dir_all(&tmp);
}
