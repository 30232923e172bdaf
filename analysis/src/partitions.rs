//! Sharded studies: each run of a sharded sweep is written as a hive partition
//! (`arm=A/run=R/`), and the merge unions partitions back into the flat tables an unsharded
//! study writes.

use crate::AnalysisError;
use crate::tables::{RunInfo, TABLES, frames, runs_frame, write_frame};
use polars::prelude::*;
use polars_io::prelude::*;
use std::fs::File;
use std::path::{Path, PathBuf};
use subnetlab_sim::record::RunRecord;

/// Write one run under `root/arm=A/run=R/` (its tables, its `runs` row and the `files` given
/// as (name, contents)), via a temporary folder renamed into place, so a crashed shard leaves
/// no partial partition.
pub fn write_partition(
    record: &RunRecord,
    info: &RunInfo,
    root: &Path,
    files: &[(&str, String)],
) -> Result<PathBuf, AnalysisError> {
    let dir = root
        .join(format!("arm={}", info.arm))
        .join(format!("run={}", info.run));
    let parent = dir.parent().unwrap_or(root);
    std::fs::create_dir_all(parent).map_err(AnalysisError::io(parent))?;
    // An interrupted or killed shard leaves its temporary folder behind; the next write of
    // the same run clears any of them (no two shards of a sweep write the same run).
    let prefix = format!(".run={}.tmp-", info.run);
    for entry in std::fs::read_dir(parent)
        .map_err(AnalysisError::io(parent))?
        .flatten()
    {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    let tmp = parent.join(format!("{prefix}{}", std::process::id()));
    std::fs::create_dir(&tmp).map_err(AnalysisError::io(&tmp))?;
    let mut f = frames(&[record])?;
    for (table, df) in f.named() {
        write_frame(&tmp, table, df)?;
    }
    write_frame(&tmp, "runs", &mut runs_frame(std::slice::from_ref(info))?)?;
    for (name, contents) in files {
        let path = tmp.join(name);
        std::fs::write(&path, contents).map_err(AnalysisError::io(&path))?;
    }
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(AnalysisError::io(&dir))?;
    }
    std::fs::rename(&tmp, &dir).map_err(AnalysisError::io(&dir))?;
    Ok(dir)
}

/// The `(arm, run)` partitions under `roots`, sorted, each once (the first root holding it
/// wins), with their folders.
///
/// `expected` lists the sweep's `(arm, run)` pairs: a partition outside it, or no partition at
/// all, is an error, since the merged study would silently count a run that is not the
/// sweep's, or hold nothing. Runs of `expected` without a partition are the caller's to judge
/// (see [`missing_runs`]).
pub fn find_partitions(
    roots: &[PathBuf],
    expected: &[(u32, u32)],
) -> Result<Vec<(u32, u32, PathBuf)>, AnalysisError> {
    let mut parts: Vec<(u32, u32, PathBuf)> = Vec::new();
    for root in roots {
        for arm_dir in std::fs::read_dir(root)
            .map_err(AnalysisError::io(root))?
            .filter_map(Result::ok)
        {
            let Some(arm) = partition_index(&arm_dir.path(), "arm=") else {
                continue;
            };
            let runs =
                std::fs::read_dir(arm_dir.path()).map_err(AnalysisError::io(arm_dir.path()))?;
            for run_dir in runs.filter_map(Result::ok) {
                if let Some(run) = partition_index(&run_dir.path(), "run=") {
                    parts.push((arm, run, run_dir.path()));
                }
            }
        }
    }
    parts.sort();
    parts.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    if parts.is_empty() {
        return Err(AnalysisError::Partition {
            dir: roots.first().cloned().unwrap_or_default(),
            message: "no sweep partitions (arm=A/run=R folders) found; merge takes the folders `subnetlab sweep --shard` writes".into(),
        });
    }
    if let Some((arm, run, dir)) = parts.iter().find(|(a, r, _)| !expected.contains(&(*a, *r))) {
        return Err(AnalysisError::Partition {
            dir: dir.clone(),
            message: format!(
                "arm {arm} run {run} is not a run of this sweep ({} runs in all)",
                expected.len()
            ),
        });
    }
    Ok(parts)
}

/// The runs of `expected` that no partition of `parts` holds, in order.
pub fn missing_runs(parts: &[(u32, u32, PathBuf)], expected: &[(u32, u32)]) -> Vec<(u32, u32)> {
    expected
        .iter()
        .filter(|&&(arm, run)| !parts.iter().any(|p| (p.0, p.1) == (arm, run)))
        .copied()
        .collect()
}

/// Union the partitions found by [`find_partitions`] into flat tables (`runs`, `neurons`,
/// `subnets`, `network`; Parquet and CSV) in `out`, in (arm, run) order like an unsharded
/// study. A partition whose rows belong to another `(arm, run)` than its folder names (a
/// copied or renamed folder) is an error.
pub fn merge_partitions(parts: &[(u32, u32, PathBuf)], out: &Path) -> Result<(), AnalysisError> {
    for table in std::iter::once("runs").chain(TABLES) {
        let mut frames = Vec::with_capacity(parts.len());
        for (arm, run, dir) in parts {
            let path = dir.join(format!("{table}.parquet"));
            let file = File::open(&path).map_err(AnalysisError::io(&path))?;
            let df = ParquetReader::new(file)
                .finish()
                .map_err(AnalysisError::polars(format!("reading {}", path.display())))?;
            check_keys(&df, table, (*arm, *run), dir)?;
            frames.push(df);
        }
        let mut merged: Option<DataFrame> = None;
        for df in align(frames, table)? {
            merged = Some(match merged {
                None => df,
                Some(mut m) => {
                    m.vstack_mut(&df)
                        .map_err(AnalysisError::polars(format!("merging {table}")))?;
                    m
                }
            });
        }
        if let Some(mut df) = merged {
            df.rechunk_mut();
            write_frame(out, table, &mut df)?;
        }
    }
    Ok(())
}

/// Gives every frame the same columns, in order of first appearance, as the unsharded study
/// writes them: sweep points of a `random:` stage and of a grid vary different parameters, so
/// a run's `runs` row lacks the other stage's columns (null there). A column a frame lacks, or
/// holds only nulls in, takes the type it has elsewhere.
fn align(frames: Vec<DataFrame>, table: &str) -> Result<Vec<DataFrame>, AnalysisError> {
    // (name, type, whether the type comes from a frame with values in the column)
    let mut schema: Vec<(PlSmallStr, DataType, bool)> = Vec::new();
    for df in &frames {
        for c in df.columns() {
            let valued = c.null_count() < c.len();
            match schema.iter_mut().find(|(n, _, _)| n == c.name()) {
                None => schema.push((c.name().clone(), c.dtype().clone(), valued)),
                Some(entry) if valued && !entry.2 => {
                    (entry.1, entry.2) = (c.dtype().clone(), true);
                }
                Some(_) => {}
            }
        }
    }
    let error = || AnalysisError::polars(format!("merging {table}"));
    frames
        .into_iter()
        .map(|df| {
            let height = df.height();
            let columns = schema
                .iter()
                .map(|(name, dtype, _)| match df.column(name) {
                    Ok(c) if c.dtype() == dtype => Ok(c.clone()),
                    Ok(c) => c.cast(dtype),
                    Err(_) => Ok(Column::full_null(name.clone(), height, dtype)),
                })
                .collect::<PolarsResult<Vec<Column>>>()
                .map_err(error())?;
            DataFrame::new(height, columns).map_err(error())
        })
        .collect()
}

/// Every row of a partition's table belongs to the `(arm, run)` its folder names.
fn check_keys(
    df: &DataFrame,
    table: &str,
    (arm, run): (u32, u32),
    dir: &Path,
) -> Result<(), AnalysisError> {
    let arms = crate::columns::u32s(df, table, "arm")?;
    let runs = crate::columns::u32s(df, table, "run")?;
    match arms
        .iter()
        .zip(&runs)
        .find(|&(&a, &r)| (a, r) != (arm, run))
    {
        None => Ok(()),
        Some((a, r)) => Err(AnalysisError::Partition {
            dir: dir.to_path_buf(),
            message: format!(
                "its {table} rows are arm {a} run {r}, not arm {arm} run {run} as the folder says (a copied or renamed partition?)"
            ),
        }),
    }
}

fn partition_index(path: &Path, prefix: &str) -> Option<u32> {
    path.is_dir().then_some(())?;
    path.file_name()?
        .to_str()?
        .strip_prefix(prefix)?
        .parse()
        .ok()
}
