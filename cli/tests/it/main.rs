//! Integration tests of the `subnetlab` binary, as a user runs it. One test binary.

mod epoch;
mod experiment;
mod outputs;
mod studies;
mod validate;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The binary under test.
pub fn subnetlab() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_subnetlab"));
    c.current_dir(repo());
    c
}

/// The repository root (scenario paths in tests are relative to it).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A fresh temporary folder for one test.
pub fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("subnetlab-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Run and return the output, with stdout and stderr in the panic message on failure.
pub fn ok(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("run subnetlab");
    assert!(
        out.status.success(),
        "{cmd:?} failed:\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}
