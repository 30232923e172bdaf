//! The `runs` table (one row per run of a study, with its sweep values), hive-partitioned
//! shard output (`arm=A/run=R/`), and the merge that unions shards back into one study.

use crate::{AnalysisError, TABLES, frames};
use polars::prelude::*;
use polars_io::prelude::*;
use std::fs::File;
use std::path::{Path, PathBuf};
use subnetlab_sim::record::RunRecord;
use subnetlab_sim::study::{Arm, RunSpec, display};

fn polars(table: &'static str) -> impl Fn(PolarsError) -> AnalysisError {
    move |source| AnalysisError::Polars { table, source }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> AnalysisError + '_ {
    move |source| AnalysisError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// One row per run: `arm`, `run`, `arm_name`, `seed`, then one column per sweep path (f64 when
/// every value is a number, text otherwise), in path order.
pub fn runs_frame(arms: &[Arm], specs: &[RunSpec], seed: u64) -> Result<DataFrame, AnalysisError> {
    let arm_of = |s: &RunSpec| &arms[s.arm as usize];
    let mut columns = vec![
        Column::new(
            "arm".into(),
            specs.iter().map(|s| s.arm).collect::<Vec<_>>(),
        ),
        Column::new(
            "run".into(),
            specs.iter().map(|s| s.run).collect::<Vec<_>>(),
        ),
        Column::new(
            "arm_name".into(),
            specs
                .iter()
                .map(|s| arm_of(s).name.clone())
                .collect::<Vec<_>>(),
        ),
        Column::new("seed".into(), vec![seed; specs.len()]),
    ];
    let paths: Vec<&String> = arms
        .first()
        .map(|a| a.params.iter().map(|(p, _)| p).collect())
        .unwrap_or_default();
    for (i, path) in paths.into_iter().enumerate() {
        let values: Vec<&yaml_serde::Value> =
            specs.iter().map(|s| &arm_of(s).params[i].1).collect();
        let column = if values.iter().all(|v| v.as_f64().is_some()) {
            Column::new(
                path.as_str().into(),
                values
                    .iter()
                    .map(|v| v.as_f64().unwrap_or(f64::NAN))
                    .collect::<Vec<_>>(),
            )
        } else {
            Column::new(
                path.as_str().into(),
                values.iter().map(|v| display(v)).collect::<Vec<_>>(),
            )
        };
        columns.push(column);
    }
    DataFrame::new_infer_height(columns).map_err(polars("runs"))
}

fn write_frame(
    df: &mut DataFrame,
    dir: &Path,
    table: &'static str,
    csv: bool,
) -> Result<(), AnalysisError> {
    let path = dir.join(format!("{table}.parquet"));
    ParquetWriter::new(File::create(&path).map_err(io(&path))?)
        .finish(df)
        .map_err(polars(table))?;
    if csv {
        let path = dir.join(format!("{table}.csv"));
        CsvWriter::new(File::create(&path).map_err(io(&path))?)
            .finish(df)
            .map_err(polars(table))?;
    }
    Ok(())
}

/// Write `runs.parquet` and `runs.csv` into `dir`.
pub fn write_runs(runs: &mut DataFrame, dir: &Path) -> Result<(), AnalysisError> {
    write_frame(runs, dir, "runs", true)
}

/// Write one run of a sharded sweep under `root/arm=A/run=R/` (its tables and its `runs` row),
/// via a temporary folder renamed into place, so a crashed shard leaves no partial partition.
pub fn write_partition(
    record: &RunRecord,
    runs_row: &mut DataFrame,
    root: &Path,
) -> Result<PathBuf, AnalysisError> {
    let dir = root
        .join(format!("arm={}", record.arm))
        .join(format!("run={}", record.run));
    let parent = dir.parent().unwrap_or(root);
    std::fs::create_dir_all(parent).map_err(io(parent))?;
    let tmp = parent.join(format!(".run={}.tmp-{}", record.run, std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir(&tmp).map_err(io(&tmp))?;
    let mut f = frames(record)?;
    for (table, df) in f.named() {
        write_frame(df, &tmp, table, false)?;
    }
    write_frame(runs_row, &tmp, "runs", false)?;
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(io(&dir))?;
    }
    std::fs::rename(&tmp, &dir).map_err(io(&dir))?;
    Ok(dir)
}

/// Union the `arm=*/run=*` partitions under `roots` into flat tables (`runs`, `neurons`,
/// `subnets`, `network`, Parquet and CSV) in `out`, sorted by (arm, run) like an unsharded
/// study. Returns the number of runs merged.
pub fn merge_partitions(roots: &[PathBuf], out: &Path) -> Result<usize, AnalysisError> {
    let mut parts: Vec<(u32, u32, PathBuf)> = Vec::new();
    for root in roots {
        for arm_dir in std::fs::read_dir(root)
            .map_err(io(root))?
            .filter_map(Result::ok)
        {
            let Some(arm) = partition_index(&arm_dir.path(), "arm=") else {
                continue;
            };
            for run_dir in std::fs::read_dir(arm_dir.path())
                .map_err(io(&arm_dir.path()))?
                .filter_map(Result::ok)
            {
                if let Some(run) = partition_index(&run_dir.path(), "run=") {
                    parts.push((arm, run, run_dir.path()));
                }
            }
        }
    }
    parts.sort();
    parts.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    for table in std::iter::once("runs").chain(TABLES) {
        let mut merged: Option<DataFrame> = None;
        for (_, _, dir) in &parts {
            let path = dir.join(format!("{table}.parquet"));
            let df = ParquetReader::new(File::open(&path).map_err(io(&path))?)
                .finish()
                .map_err(polars("merge"))?;
            merged = Some(match merged {
                None => df,
                Some(mut m) => {
                    m.vstack_mut(&df).map_err(polars("merge"))?;
                    m
                }
            });
        }
        if let Some(mut df) = merged {
            df.rechunk_mut();
            write_frame(&mut df, out, table, true)?;
        }
    }
    Ok(parts.len())
}

fn partition_index(path: &Path, prefix: &str) -> Option<u32> {
    path.is_dir().then_some(())?;
    path.file_name()?
        .to_str()?
        .strip_prefix(prefix)?
        .parse()
        .ok()
}
