//! The result tables: `neurons`, `subnets`, `network` (all runs of a study concatenated; the
//! `arm` and `run` columns tell them apart) and `runs` (one row per run with its sweep
//! parameters). Column names and order are the output contract a notebook relies on
//! (DESIGN.md, "Output").

use crate::AnalysisError;
use polars::prelude::*;
use polars_io::prelude::*;
use std::borrow::Borrow;
use std::fs::File;
use std::path::{Path, PathBuf};
use subnetlab_sim::record::RunRecord;

/// Table names, in the order they are written.
pub const TABLES: [&str; 3] = ["neurons", "subnets", "network"];

/// A run's tables as DataFrames.
#[derive(Clone, Debug)]
pub struct Frames {
    /// One row per UID per epoch.
    pub neurons: DataFrame,
    /// One row per subnet per epoch.
    pub subnets: DataFrame,
    /// Network rows (start, daily, halvings, end).
    pub network: DataFrame,
}

impl Frames {
    /// The frames with their table names, in [`TABLES`] order.
    pub fn named(&mut self) -> [(&'static str, &mut DataFrame); 3] {
        [
            ("neurons", &mut self.neurons),
            ("subnets", &mut self.subnets),
            ("network", &mut self.network),
        ]
    }
}

/// u16 ids are widened: polars' u16 type is behind a feature we do not otherwise need.
fn widen(v: impl Iterator<Item = u16>) -> Vec<u32> {
    v.map(u32::from).collect()
}

/// One column concatenated over every record, in record order.
fn cat<'a, T: Clone + 'a>(
    records: &[&'a RunRecord],
    field: impl Fn(&'a RunRecord) -> &'a Vec<T>,
) -> Vec<T> {
    let mut out = Vec::with_capacity(records.iter().map(|r| field(r).len()).sum());
    for r in records {
        out.extend_from_slice(field(r));
    }
    out
}

fn frame(table: &'static str, columns: Vec<Column>) -> Result<DataFrame, AnalysisError> {
    crate::columns::frame(&format!("the {table} table"), columns)
}

fn neurons(records: &[&RunRecord]) -> Result<DataFrame, AnalysisError> {
    let c = |name: &str, values: Vec<_>| Column::new(name.into(), values);
    let role: Vec<&str> = records
        .iter()
        .flat_map(|r| r.neurons.role.iter().map(|x| x.as_str()))
        .collect();
    frame(
        "neurons",
        vec![
            Column::new("arm".into(), cat(records, |r| &r.neurons.arm)),
            Column::new("run".into(), cat(records, |r| &r.neurons.run)),
            Column::new(
                "subnet".into(),
                widen(
                    records
                        .iter()
                        .flat_map(|r| r.neurons.subnet.iter().copied()),
                ),
            ),
            c("epoch", cat(records, |r| &r.neurons.epoch)),
            c("block", cat(records, |r| &r.neurons.block)),
            Column::new(
                "uid".into(),
                widen(records.iter().flat_map(|r| r.neurons.uid.iter().copied())),
            ),
            c("hotkey", cat(records, |r| &r.neurons.hotkey)),
            Column::new("role".into(), role),
            Column::new("strategy".into(), cat(records, |r| &r.neurons.strategy)),
            Column::new("coalition".into(), cat(records, |r| &r.neurons.coalition)),
            c(
                "registration_burn_rao",
                cat(records, |r| &r.neurons.registration_burn_rao),
            ),
            Column::new("stake".into(), cat(records, |r| &r.neurons.stake)),
            Column::new("root_stake".into(), cat(records, |r| &r.neurons.root_stake)),
            Column::new("consensus".into(), cat(records, |r| &r.neurons.consensus)),
            Column::new("incentive".into(), cat(records, |r| &r.neurons.incentive)),
            Column::new("dividends".into(), cat(records, |r| &r.neurons.dividends)),
            Column::new(
                "validator_trust".into(),
                cat(records, |r| &r.neurons.validator_trust),
            ),
            Column::new("quality".into(), cat(records, |r| &r.neurons.quality)),
            Column::new(
                "validator_permit".into(),
                cat(records, |r| &r.neurons.validator_permit),
            ),
            Column::new("emission".into(), cat(records, |r| &r.neurons.emission)),
            c("emission_rao", cat(records, |r| &r.neurons.emission_rao)),
            Column::new(
                "emission_total".into(),
                cat(records, |r| &r.neurons.emission_total),
            ),
            c(
                "emission_total_rao",
                cat(records, |r| &r.neurons.emission_total_rao),
            ),
        ],
    )
}

fn subnets(records: &[&RunRecord]) -> Result<DataFrame, AnalysisError> {
    let c = |name: &str, values: Vec<u64>| Column::new(name.into(), values);
    let c32 = |name: &str, values: Vec<u32>| Column::new(name.into(), values);
    frame(
        "subnets",
        vec![
            c32("arm", cat(records, |r| &r.subnets.arm)),
            c32("run", cat(records, |r| &r.subnets.run)),
            Column::new(
                "subnet".into(),
                widen(
                    records
                        .iter()
                        .flat_map(|r| r.subnets.subnet.iter().copied()),
                ),
            ),
            c("epoch", cat(records, |r| &r.subnets.epoch)),
            c("block", cat(records, |r| &r.subnets.block)),
            c32("neurons", cat(records, |r| &r.subnets.neurons)),
            c32(
                "permitted_validators",
                cat(records, |r| &r.subnets.permitted_validators),
            ),
            c("emission_rao", cat(records, |r| &r.subnets.emission_rao)),
            c(
                "miner_emission_rao",
                cat(records, |r| &r.subnets.miner_emission_rao),
            ),
            c(
                "validator_emission_rao",
                cat(records, |r| &r.subnets.validator_emission_rao),
            ),
            c("owner_cut_rao", cat(records, |r| &r.subnets.owner_cut_rao)),
            c("dust_rao", cat(records, |r| &r.subnets.dust_rao)),
            Column::new(
                "total_stake".into(),
                cat(records, |r| &r.subnets.total_stake),
            ),
            Column::new(
                "mean_miner_quality".into(),
                cat(records, |r| &r.subnets.mean_miner_quality),
            ),
            Column::new(
                "registrations".into(),
                cat(records, |r| &r.subnets.registrations),
            ),
            Column::new(
                "registrations_refused".into(),
                cat(records, |r| &r.subnets.registrations_refused),
            ),
            c(
                "registration_burn_rao",
                cat(records, |r| &r.subnets.registration_burn_rao),
            ),
            c("burn_rao", cat(records, |r| &r.subnets.burn_rao)),
            Column::new(
                "weights_set".into(),
                cat(records, |r| &r.subnets.weights_set),
            ),
            Column::new(
                "weights_rejected".into(),
                cat(records, |r| &r.subnets.weights_rejected),
            ),
            c32("miners", cat(records, |r| &r.subnets.miners)),
            Column::new("pool_tao".into(), cat(records, |r| &r.subnets.pool_tao)),
            Column::new("pool_alpha".into(), cat(records, |r| &r.subnets.pool_alpha)),
            Column::new("price".into(), cat(records, |r| &r.subnets.price)),
            Column::new(
                "moving_price".into(),
                cat(records, |r| &r.subnets.moving_price),
            ),
            Column::new("share".into(), cat(records, |r| &r.subnets.share)),
            c(
                "tao_emission_rao",
                cat(records, |r| &r.subnets.tao_emission_rao),
            ),
            c("tao_in_rao", cat(records, |r| &r.subnets.tao_in_rao)),
            c("alpha_in_rao", cat(records, |r| &r.subnets.alpha_in_rao)),
            c(
                "excess_tao_rao",
                cat(records, |r| &r.subnets.excess_tao_rao),
            ),
            c(
                "chain_bought_alpha_rao",
                cat(records, |r| &r.subnets.chain_bought_alpha_rao),
            ),
            c("alpha_out_rao", cat(records, |r| &r.subnets.alpha_out_rao)),
            c(
                "root_alpha_rao",
                cat(records, |r| &r.subnets.root_alpha_rao),
            ),
            Column::new(
                "alpha_issuance".into(),
                cat(records, |r| &r.subnets.alpha_issuance),
            ),
            Column::new("flow_ema".into(), cat(records, |r| &r.subnets.flow_ema)),
        ],
    )
}

fn network(records: &[&RunRecord]) -> Result<DataFrame, AnalysisError> {
    frame(
        "network",
        vec![
            Column::new("arm".into(), cat(records, |r| &r.network.arm)),
            Column::new("run".into(), cat(records, |r| &r.network.run)),
            Column::new("block".into(), cat(records, |r| &r.network.block)),
            Column::new("issuance".into(), cat(records, |r| &r.network.issuance)),
            Column::new(
                "issuance_rao".into(),
                cat(records, |r| &r.network.issuance_rao),
            ),
            Column::new(
                "block_emission".into(),
                cat(records, |r| &r.network.block_emission),
            ),
            Column::new(
                "halving_index".into(),
                cat(records, |r| &r.network.halving_index),
            ),
            Column::new(
                "tao_price_usd".into(),
                cat(records, |r| &r.network.tao_price_usd),
            ),
            Column::new(
                "total_staked".into(),
                cat(records, |r| &r.network.total_staked),
            ),
        ],
    )
}

/// The tables of all `records` as DataFrames, each table the runs' rows concatenated in the
/// order given. The `arm` and `run` columns tell the runs apart, so give each record its own
/// (arm, run) pair. An empty slice gives empty tables with the full schema.
///
/// Takes owned records or references (`&[record]` with `record: &RunRecord` works).
pub fn frames<R: Borrow<RunRecord>>(records: &[R]) -> Result<Frames, AnalysisError> {
    let records: Vec<&RunRecord> = records.iter().map(Borrow::borrow).collect();
    Ok(Frames {
        neurons: neurons(&records)?,
        subnets: subnets(&records)?,
        network: network(&records)?,
    })
}

/// Write `df` as `<name>.parquet` and `<name>.csv` in `dir`; returns the two paths.
pub(crate) fn write_frame(
    dir: &Path,
    name: &str,
    df: &mut DataFrame,
) -> Result<[PathBuf; 2], AnalysisError> {
    let create = |file: String| {
        let path = dir.join(file);
        File::create(&path)
            .map(|f| (f, path.clone()))
            .map_err(AnalysisError::io(&path))
    };
    let (file, parquet) = create(format!("{name}.parquet"))?;
    ParquetWriter::new(file)
        .finish(df)
        .map_err(AnalysisError::polars(format!(
            "writing {}",
            parquet.display()
        )))?;
    let (file, csv) = create(format!("{name}.csv"))?;
    CsvWriter::new(file)
        .finish(df)
        .map_err(AnalysisError::polars(format!("writing {}", csv.display())))?;
    Ok([parquet, csv])
}

/// Write `<table>.parquet` and `<table>.csv` for every table into `dir`, all `records`
/// concatenated in order (see [`frames`]); returns the files.
pub fn write_tables<R: Borrow<RunRecord>>(
    records: &[R],
    dir: &Path,
) -> Result<Vec<PathBuf>, AnalysisError> {
    let mut frames = frames(records)?;
    let mut written = Vec::new();
    for (table, df) in frames.named() {
        written.extend(write_frame(dir, table, df)?);
    }
    Ok(written)
}

/// A sweep parameter's value for one run, typed as the scenario wrote it.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamValue {
    /// A whole number, e.g. `kappa: 32767` (an i64 column when every run's value is one).
    Integer(i64),
    /// Any other number (an f64 column, integers of the same parameter included).
    Number(f64),
    /// `true` or `false` (a boolean column).
    Bool(bool),
    /// Any other value, e.g. a YAML mapping written as `{days: 5}`.
    Text(String),
}

impl std::fmt::Display for ParamValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParamValue::Integer(x) => write!(f, "{x}"),
            ParamValue::Number(x) => write!(f, "{x}"),
            ParamValue::Bool(x) => write!(f, "{x}"),
            ParamValue::Text(t) => f.write_str(t),
        }
    }
}

/// One row of `runs.parquet`: which run this is and the sweep parameters it used.
#[derive(Clone, Debug, PartialEq)]
pub struct RunInfo {
    /// Arm index (a comparison arm or sweep point); matches the tables' `arm`.
    pub arm: u32,
    /// Run index within the study; matches the tables' `run`. Runs of different arms with the
    /// same index share their random streams (common random numbers), which is what
    /// [`crate::stats::compare`] pairs on.
    pub run: u32,
    /// Display name of the arm (the scenario name for a single run).
    pub arm_name: String,
    /// The scenario seed the run used.
    pub seed: u64,
    /// Sweep parameters as (field path, value), e.g.
    /// `("subnets[0].hyperparameters.kappa", ParamValue::Number(40000.0))`.
    pub params: Vec<(String, ParamValue)>,
}

impl RunInfo {
    /// The row for a single run with no sweep parameters: arm 0, run 0, named after the
    /// scenario.
    pub fn single(scenario_name: &str, seed: u64) -> RunInfo {
        RunInfo {
            arm: 0,
            run: 0,
            arm_name: scenario_name.to_string(),
            seed,
            params: Vec::new(),
        }
    }
}

/// `runs.parquet` as a DataFrame: one row per run, columns `arm` (u32), `run` (u32),
/// `arm_name` (str), `seed` (u64), then one column per sweep parameter named by its path, in
/// order of first appearance. A parameter column is i64 when every run that has it gives an
/// integer, f64 when every run gives a number, bool when every run gives a boolean, else str
/// (every value then written as text); runs without the parameter get null.
pub fn runs_frame(runs: &[RunInfo]) -> Result<DataFrame, AnalysisError> {
    let mut names: Vec<&str> = Vec::new();
    for r in runs {
        for (name, _) in &r.params {
            if !names.contains(&name.as_str()) {
                names.push(name);
            }
        }
    }
    let mut columns = vec![
        Column::new(
            "arm".into(),
            runs.iter().map(|r| r.arm).collect::<Vec<u32>>(),
        ),
        Column::new(
            "run".into(),
            runs.iter().map(|r| r.run).collect::<Vec<u32>>(),
        ),
        Column::new(
            "arm_name".into(),
            runs.iter()
                .map(|r| r.arm_name.as_str())
                .collect::<Vec<&str>>(),
        ),
        Column::new(
            "seed".into(),
            runs.iter().map(|r| r.seed).collect::<Vec<u64>>(),
        ),
    ];
    for name in names {
        let values: Vec<Option<&ParamValue>> = runs
            .iter()
            .map(|r| r.params.iter().find(|(n, _)| n == name).map(|(_, v)| v))
            .collect();
        // The first of i64, f64, bool that holds every run's value, else text (f64 when no
        // run has the parameter, as before integers had a type of their own).
        let as_integer = |v: &ParamValue| match v {
            ParamValue::Integer(x) => Some(*x),
            _ => None,
        };
        let as_number = |v: &ParamValue| match v {
            ParamValue::Integer(x) => Some(*x as f64),
            ParamValue::Number(x) => Some(*x),
            _ => None,
        };
        let as_bool = |v: &ParamValue| match v {
            ParamValue::Bool(x) => Some(*x),
            _ => None,
        };
        let some = values.iter().any(Option::is_some);
        let column = if let Some(xs) = typed(&values, as_integer).filter(|_| some) {
            Column::new(name.into(), xs)
        } else if let Some(xs) = typed(&values, as_number) {
            Column::new(name.into(), xs)
        } else if let Some(xs) = typed(&values, as_bool) {
            Column::new(name.into(), xs)
        } else {
            let xs: Vec<Option<String>> = values.iter().map(|v| v.map(|v| v.to_string())).collect();
            Column::new(name.into(), xs)
        };
        columns.push(column);
    }
    crate::columns::frame("the runs table", columns)
}

/// Every present value of `values` through `convert` (absent ones stay null); None if
/// `convert` refuses any of them.
fn typed<T>(
    values: &[Option<&ParamValue>],
    convert: impl Fn(&ParamValue) -> Option<T>,
) -> Option<Vec<Option<T>>> {
    values
        .iter()
        .map(|v| match v {
            Some(v) => convert(v).map(Some),
            None => Some(None),
        })
        .collect()
}

/// Write `runs.parquet` and `runs.csv` into `dir` (see [`runs_frame`]); returns the files.
pub fn write_runs(runs: &[RunInfo], dir: &Path) -> Result<Vec<PathBuf>, AnalysisError> {
    let mut df = runs_frame(runs)?;
    Ok(write_frame(dir, "runs", &mut df)?.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use subnetlab_sim::record::Role;

    #[test]
    fn tables_round_trip_through_parquet() {
        let mut record = RunRecord::default();
        let n = &mut record.neurons;
        n.arm = vec![0, 0];
        n.run = vec![0, 0];
        n.subnet = vec![1, 1];
        n.epoch = vec![1, 1];
        n.block = vec![359, 359];
        n.uid = vec![0, 1];
        n.hotkey = vec![10, 11];
        n.role = vec![Role::Validator, Role::Miner];
        n.strategy = vec!["honest", "honest"];
        n.coalition = vec![None, Some(3)];
        n.registration_burn_rao = vec![0, 1_000];
        n.stake = vec![100.0, 0.0];
        n.root_stake = vec![10.0, 0.0];
        n.consensus = vec![0.0, 1.0];
        n.incentive = vec![0.0, 1.0];
        n.dividends = vec![1.0, 0.0];
        n.validator_trust = vec![1.0, 0.0];
        n.quality = vec![None, Some(0.5)];
        n.validator_permit = vec![true, false];
        n.emission = vec![0.5, 0.5];
        n.emission_rao = vec![500_000_000, 500_000_000];
        n.emission_total = vec![0.5, 0.5];
        n.emission_total_rao = vec![500_000_000, 500_000_000];
        let dir = std::env::temp_dir().join(format!("subnetlab-analysis-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let files = write_tables(std::slice::from_ref(&record), &dir).unwrap();
        assert_eq!(files.len(), 6);
        let back = ParquetReader::new(File::open(dir.join("neurons.parquet")).unwrap())
            .finish()
            .unwrap();
        assert_eq!(back.height(), 2);
        assert_eq!(back.get_column_names()[7].as_str(), "role");
        let roles: Vec<Option<&str>> = back.column("role").unwrap().str().unwrap().iter().collect();
        assert_eq!(roles, vec![Some("validator"), Some("miner")]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn records_are_concatenated_in_order() {
        let record = |arm: u32, run: u32, blocks: &[u64]| {
            let mut r = RunRecord::default();
            r.network.arm = vec![arm; blocks.len()];
            r.network.run = vec![run; blocks.len()];
            r.network.block = blocks.to_vec();
            r.network.issuance = vec![1.0; blocks.len()];
            r.network.issuance_rao = vec![1; blocks.len()];
            r.network.block_emission = vec![1.0; blocks.len()];
            r.network.halving_index = vec![0; blocks.len()];
            r.network.tao_price_usd = vec![300.0; blocks.len()];
            r.network.total_staked = vec![0.0; blocks.len()];
            r
        };
        let (a, b) = (record(0, 0, &[0, 7200]), record(1, 3, &[0]));
        // Owned records and references both work.
        let f = frames(&[&a, &b]).unwrap();
        assert_eq!(f.network.height(), 3);
        let runs: Vec<Option<u32>> = f
            .network
            .column("run")
            .unwrap()
            .u32()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(runs, [Some(0), Some(0), Some(3)]);
        assert_eq!(frames(&[a, b]).unwrap().network.height(), 3);
        let empty = frames::<RunRecord>(&[]).unwrap();
        assert_eq!(empty.neurons.height(), 0);
        assert_eq!(
            empty.neurons.width(),
            23,
            "an empty study keeps the full schema"
        );
    }

    #[test]
    fn runs_frame_types_parameters() {
        let runs = [
            RunInfo {
                params: vec![
                    ("kappa".to_string(), ParamValue::Number(32767.0)),
                    (
                        "duration".to_string(),
                        ParamValue::Text("{days: 5}".to_string()),
                    ),
                ],
                ..RunInfo::single("a", 7)
            },
            RunInfo {
                arm: 1,
                params: vec![
                    ("duration".to_string(), ParamValue::Number(3.0)),
                    ("tempo".to_string(), ParamValue::Integer(99)),
                    ("yuma3".to_string(), ParamValue::Bool(true)),
                    ("penalty".to_string(), ParamValue::Integer(1)),
                ],
                ..RunInfo::single("b", 7)
            },
            RunInfo {
                arm: 2,
                params: vec![
                    ("tempo".to_string(), ParamValue::Integer(360)),
                    ("yuma3".to_string(), ParamValue::Bool(false)),
                    ("penalty".to_string(), ParamValue::Number(0.5)),
                ],
                ..RunInfo::single("c", 7)
            },
        ];
        let df = runs_frame(&runs).unwrap();
        let names: Vec<&str> = df.get_column_names().iter().map(|c| c.as_str()).collect();
        assert_eq!(
            names,
            [
                "arm", "run", "arm_name", "seed", "kappa", "duration", "tempo", "yuma3", "penalty"
            ]
        );
        // Integers stay integers, booleans booleans; integers beside decimals are f64.
        let column = |name: &str| df.column(name).unwrap().as_materialized_series().clone();
        assert_eq!(column("tempo").dtype(), &DataType::Int64);
        let tempo: Vec<Option<i64>> = column("tempo").i64().unwrap().iter().collect();
        assert_eq!(tempo, [None, Some(99), Some(360)]);
        let yuma3: Vec<Option<bool>> = column("yuma3").bool().unwrap().iter().collect();
        assert_eq!(yuma3, [None, Some(true), Some(false)]);
        let penalty: Vec<Option<f64>> = column("penalty").f64().unwrap().iter().collect();
        assert_eq!(penalty, [None, Some(1.0), Some(0.5)]);
        // All numbers: f64 with a null where a run lacks it; any text: strings.
        assert_eq!(df.column("kappa").unwrap().dtype(), &DataType::Float64);
        assert_eq!(df.column("kappa").unwrap().null_count(), 2);
        let duration: Vec<Option<&str>> = df
            .column("duration")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(duration, [Some("{days: 5}"), Some("3"), None]);
        assert_eq!(runs_frame(&[]).unwrap().height(), 0);
    }
}
