//! A result folder read back: the unit every metric, chart and report works on.
//!
//! A study is whatever one `subnetlab` command wrote into one folder: a single run, replicates
//! of a scenario, the points of a sweep, or the arms of a comparison. The tables hold all runs
//! concatenated, and the `arm` and `run` columns say which row belongs to which run;
//! `runs.parquet` names the arms and carries the sweep parameters. Reading the folder, not the
//! in-memory records, is deliberate: a report made later from the files is the same report as
//! one made right after the run, and the notebook reads the same files.

use crate::AnalysisError;
use crate::columns;
use crate::tables::{RunInfo, runs_frame};
use polars::prelude::*;
use polars_io::prelude::*;
use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};

/// The identifying columns of `runs.parquet`; every further column is a sweep parameter.
pub const RUN_ID_COLUMNS: [&str; 4] = ["arm", "run", "arm_name", "seed"];

/// A result folder in memory: its tables, the resolved scenario and `run.json`.
#[derive(Clone, Debug)]
pub struct Study {
    /// The folder it was read from.
    pub dir: PathBuf,
    /// `neurons.parquet`: one row per UID per epoch, all runs.
    pub neurons: DataFrame,
    /// `subnets.parquet`: one row per subnet per epoch, all runs.
    pub subnets: DataFrame,
    /// `network.parquet`: start, daily, halving and end rows, all runs.
    pub network: DataFrame,
    /// `runs.parquet`: one row per run (`arm`, `run`, `arm_name`, `seed`, sweep parameters).
    /// When the folder has no `runs.parquet` (written before it existed), one row per (arm, run)
    /// found in the tables, named after the scenario, with run.json's seed.
    pub runs: DataFrame,
    /// `scenario.resolved.yaml`, verbatim.
    pub scenario_yaml: String,
    /// `arm-N.resolved.yaml` of a comparison, verbatim, as (N, text) by N: each arm's own
    /// scenario (`scenario_yaml` is the baseline's). Empty for other studies.
    pub arm_yamls: Vec<(u32, String)>,
    /// `run.json`, parsed.
    pub run_json: serde_json::Value,
}

/// The `arm-N.resolved.yaml` files of `dir`, by N.
fn arm_yamls(dir: &Path) -> Result<Vec<(u32, String)>, AnalysisError> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(AnalysisError::io(dir))? {
        let path = entry.map_err(AnalysisError::io(dir))?.path();
        let arm = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix("arm-")?.strip_suffix(".resolved.yaml"))
            .and_then(|n| n.parse::<u32>().ok());
        if let Some(arm) = arm {
            found.push((
                arm,
                std::fs::read_to_string(&path).map_err(AnalysisError::io(&path))?,
            ));
        }
    }
    found.sort_by_key(|(arm, _)| *arm);
    Ok(found)
}

/// Read table `name` from `dir`: the Parquet file, else its CSV twin, else `None`.
fn read_table(dir: &Path, name: &str) -> Result<Option<DataFrame>, AnalysisError> {
    let parquet = dir.join(format!("{name}.parquet"));
    if parquet.is_file() {
        let file = File::open(&parquet).map_err(AnalysisError::io(&parquet))?;
        let df = ParquetReader::new(file)
            .finish()
            .map_err(AnalysisError::polars(format!(
                "reading {}",
                parquet.display()
            )))?;
        return Ok(Some(df));
    }
    let csv = dir.join(format!("{name}.csv"));
    if csv.is_file() {
        let df = CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(None)
            .try_into_reader_with_file_path(Some(csv.clone()))
            .and_then(|r| r.finish())
            .map_err(AnalysisError::polars(format!("reading {}", csv.display())))?;
        return Ok(Some(df));
    }
    Ok(None)
}

fn require(dir: &Path, file: &'static str) -> Result<PathBuf, AnalysisError> {
    let path = dir.join(file);
    if path.is_file() {
        Ok(path)
    } else {
        Err(AnalysisError::MissingFile {
            dir: dir.to_path_buf(),
            file,
        })
    }
}

impl Study {
    /// Read the result folder `dir`.
    ///
    /// Needs `scenario.resolved.yaml`, `run.json` and the three tables (`.parquet`, or the `.csv`
    /// twin when the Parquet file is absent); `runs.parquet` is optional (see [`Study::runs`]).
    /// Every table must have the `arm` and `run` columns.
    pub fn load(dir: impl AsRef<Path>) -> Result<Study, AnalysisError> {
        let dir = dir.as_ref();
        if !dir.is_dir() {
            return Err(AnalysisError::NoFolder {
                dir: dir.to_path_buf(),
            });
        }
        let yaml_path = require(dir, "scenario.resolved.yaml")?;
        let scenario_yaml =
            std::fs::read_to_string(&yaml_path).map_err(AnalysisError::io(&yaml_path))?;
        let json_path = require(dir, "run.json")?;
        let json_text =
            std::fs::read_to_string(&json_path).map_err(AnalysisError::io(&json_path))?;
        let run_json: serde_json::Value =
            serde_json::from_str(&json_text).map_err(|source| AnalysisError::Json {
                path: json_path.clone(),
                source,
            })?;
        let table = |name: &'static str, file: &'static str| -> Result<DataFrame, AnalysisError> {
            let df = read_table(dir, name)?.ok_or(AnalysisError::MissingFile {
                dir: dir.to_path_buf(),
                file,
            })?;
            for c in ["arm", "run"] {
                columns::column(&df, name, c)?;
            }
            Ok(df)
        };
        let neurons = table("neurons", "neurons.parquet")?;
        let subnets = table("subnets", "subnets.parquet")?;
        let network = table("network", "network.parquet")?;
        let mut study = Study {
            dir: dir.to_path_buf(),
            neurons,
            subnets,
            network,
            runs: DataFrame::empty(),
            scenario_yaml,
            arm_yamls: arm_yamls(dir)?,
            run_json,
        };
        study.runs = match read_table(dir, "runs")? {
            Some(df) => {
                for c in RUN_ID_COLUMNS {
                    columns::column(&df, "runs", c)?;
                }
                df
            }
            None => study.runs_from_tables()?,
        };
        Ok(study)
    }

    /// One row per (arm, run) seen in any table, for folders without `runs.parquet`.
    fn runs_from_tables(&self) -> Result<DataFrame, AnalysisError> {
        let mut keys = BTreeSet::new();
        for (name, df) in [
            ("neurons", &self.neurons),
            ("subnets", &self.subnets),
            ("network", &self.network),
        ] {
            let arms = columns::u32s(df, name, "arm")?;
            let runs = columns::u32s(df, name, "run")?;
            keys.extend(arms.into_iter().zip(runs));
        }
        let name = self.name();
        let seed = self.seed().unwrap_or(0);
        let infos: Vec<RunInfo> = keys
            .into_iter()
            .map(|(arm, run)| RunInfo {
                arm,
                run,
                arm_name: name.clone(),
                seed,
                params: Vec::new(),
            })
            .collect();
        runs_frame(&infos)
    }

    /// The scenario name: run.json's `scenario`, else the `name:` line of the resolved YAML,
    /// else the folder name.
    pub fn name(&self) -> String {
        if let Some(name) = self.run_json.get("scenario").and_then(|v| v.as_str()) {
            return name.to_string();
        }
        for line in self.scenario_yaml.lines() {
            if let Some(rest) = line.strip_prefix("name:") {
                return rest.trim().trim_matches(['"', '\'']).to_string();
            }
        }
        self.dir
            .file_name()
            .map_or_else(|| "study".to_string(), |n| n.to_string_lossy().into_owned())
    }

    /// The seed in run.json (the scenario's seed; runs derive their streams from it and their
    /// run index).
    pub fn seed(&self) -> Option<u64> {
        self.run_json.get("seed").and_then(|v| v.as_u64())
    }

    /// The subnetlab version that wrote the folder (run.json's `version`).
    pub fn version(&self) -> Option<String> {
        self.run_json
            .get("version")
            .and_then(|v| v.as_str())
            .map(str::to_string)
    }

    /// The sweep parameters: the columns of [`Study::runs`] after the identifying ones, in
    /// table order.
    pub fn sweep_params(&self) -> Vec<String> {
        self.runs
            .get_column_names()
            .iter()
            .map(|c| c.as_str())
            .filter(|c| !RUN_ID_COLUMNS.contains(c))
            .map(str::to_string)
            .collect()
    }

    /// The arms as (index, name), sorted by index.
    pub fn arms(&self) -> Result<Vec<(u32, String)>, AnalysisError> {
        let arms = columns::u32s(&self.runs, "runs", "arm")?;
        let names = columns::strs(&self.runs, "runs", "arm_name")?;
        let mut out: Vec<(u32, String)> = Vec::new();
        for (arm, name) in arms.into_iter().zip(names) {
            if !out.iter().any(|(a, _)| *a == arm) {
                out.push((arm, name));
            }
        }
        out.sort_by_key(|(a, _)| *a);
        Ok(out)
    }

    /// Number of runs (rows of [`Study::runs`]).
    pub fn run_count(&self) -> usize {
        self.runs.height()
    }

    /// A one-line description for captions: scenario name, seed and subnetlab version.
    pub fn caption(&self) -> String {
        let seed = self
            .seed()
            .map_or_else(|| "seed ?".to_string(), |s| format!("seed {s}"));
        let version = self
            .version()
            .map_or_else(|| "subnetlab".to_string(), |v| format!("subnetlab {v}"));
        let runs = self.run_count();
        let runs = if runs == 1 {
            "1 run".to_string()
        } else {
            format!("{runs} runs")
        };
        format!("scenario {} · {seed} · {runs} · {version}", self.name())
    }
}
