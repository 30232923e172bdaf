//! Result folders: written under a temporary name beside the target and renamed into place
//! only when complete, so a crash never leaves a half-written result under the real name, and
//! an existing result is replaced only with `--force`. Even `--force` replaces only what a
//! subnetlab command wrote (a folder with `run.json` or `experiment.json`) or an empty folder:
//! a mistyped `--out` must not delete someone's files.

use anyhow::{Context, bail};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Temporary folders being written now: an interrupted command (Ctrl-C, SIGTERM) removes
/// them instead of leaving hidden `.name.tmp-PID` folders behind.
static WRITING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Installs the interrupt handler that removes the folders being written, then exits with
/// status 130 (as a shell reports an interrupted command). Without a handler (it could not be
/// installed) an interrupt simply stops the process, as before.
pub fn clean_up_on_interrupt() {
    let _ = ctrlc::set_handler(|| {
        let folders = WRITING.lock().map(|w| w.clone()).unwrap_or_default();
        for folder in &folders {
            let _ = std::fs::remove_dir_all(folder);
        }
        let _ = writeln!(
            std::io::stderr(),
            "interrupted; removed {} unfinished result folder(s)",
            folders.len()
        );
        std::process::exit(130);
    });
}

/// Notes `tmp` as being written (`true`) or done with (`false`).
fn writing(tmp: &Path, active: bool) {
    if let Ok(mut w) = WRITING.lock() {
        w.retain(|p| p != tmp);
        if active {
            w.push(tmp.to_path_buf());
        }
    }
}

/// Removes the temporary folders `prefix<PID>` (and `prefix<PID>.old`) in `parent` left by a
/// process that no longer runs: one killed outright (out of memory, SIGKILL) gets no chance
/// to clean up after itself. Where processes cannot be looked up (no `/proc`), nothing is
/// removed.
fn remove_orphans(parent: &Path, prefix: &str) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let pid = name
            .strip_prefix(prefix)
            .map(|rest| rest.strip_suffix(".old").unwrap_or(rest))
            .and_then(|pid| pid.parse::<u32>().ok());
        if let Some(pid) = pid
            && pid != std::process::id()
            && !proc.join(pid.to_string()).exists()
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A result folder being written.
pub struct Staging {
    target: PathBuf,
    tmp: PathBuf,
    force: bool,
}

impl Staging {
    /// Check that `target` may be written and create the temporary folder beside it.
    pub fn begin(target: &Path, force: bool) -> anyhow::Result<Staging> {
        if target.exists() {
            if !force {
                bail!(
                    "{} already exists; pass --force to replace it, or --out to write elsewhere",
                    target.display()
                );
            }
            check_replaceable(target)?;
        }
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
        let name = target
            .file_name()
            .context("the output path has no folder name")?
            .to_string_lossy();
        remove_orphans(parent, &format!(".{name}.tmp-"));
        let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp)
                .with_context(|| format!("removing stale {}", tmp.display()))?;
        }
        std::fs::create_dir(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        writing(&tmp, true);
        Ok(Staging {
            target: target.to_path_buf(),
            tmp,
            force,
        })
    }

    /// The folder to write into.
    pub fn dir(&self) -> &Path {
        &self.tmp
    }

    /// Move the finished folder into place (replacing an old one only with `--force`).
    pub fn commit(self) -> anyhow::Result<PathBuf> {
        let mut old = None;
        if self.target.exists() {
            if !self.force {
                bail!(
                    "{} appeared while the run was writing; the result stays in {}",
                    self.target.display(),
                    self.tmp.display()
                );
            }
            check_replaceable(&self.target)?;
            let aside = self.tmp.with_extension("old");
            std::fs::rename(&self.target, &aside)
                .with_context(|| format!("moving the old {} aside", self.target.display()))?;
            old = Some(aside);
        }
        std::fs::rename(&self.tmp, &self.target)
            .with_context(|| format!("renaming {} into place", self.tmp.display()))?;
        writing(&self.tmp, false);
        if let Some(old) = old {
            std::fs::remove_dir_all(&old)
                .with_context(|| format!("removing the replaced result {}", old.display()))?;
        }
        Ok(self.target)
    }

    /// Commit if `outcome` is Ok (returning the final folder with the value), else remove the
    /// temporary folder and pass the error on.
    pub fn finish<T>(self, outcome: anyhow::Result<T>) -> anyhow::Result<(PathBuf, T)> {
        match outcome {
            Ok(value) => Ok((self.commit()?, value)),
            Err(e) => {
                self.abandon();
                Err(e)
            }
        }
    }

    /// Remove the temporary folder after a failure.
    pub fn abandon(self) {
        let _ = std::fs::remove_dir_all(&self.tmp);
        writing(&self.tmp, false);
    }
}

/// Files that mark a folder as a subnetlab result (every command that writes a folder writes
/// one of them).
const RESULT_MARKERS: [&str; 2] = ["run.json", "experiment.json"];

/// `dir` is a finished subnetlab result (it holds one of [`RESULT_MARKERS`]).
pub fn is_result(dir: &Path) -> bool {
    RESULT_MARKERS.iter().any(|m| dir.join(m).is_file())
}

/// `dir` holds nothing.
pub fn is_empty(dir: &Path) -> anyhow::Result<bool> {
    Ok(std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .next()
        .is_none())
}

/// Whether `--force` may replace `target`: an empty folder or a result folder, never a file
/// or a folder of other files.
fn check_replaceable(target: &Path) -> anyhow::Result<()> {
    if !target.is_dir() {
        bail!(
            "{} exists and is not a folder; --out must name a folder (--force replaces only result folders)",
            target.display()
        );
    }
    if !(is_result(target) || is_empty(target)?) {
        bail!(
            "{} is not a subnetlab result folder (it has no run.json or experiment.json); --force replaces only result folders, so choose another --out or remove it yourself",
            target.display()
        );
    }
    Ok(())
}
