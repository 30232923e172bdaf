//! The three per-run tables: `neurons`, `subnets`, `network`. Column names and order are the
//! output contract a notebook relies on (DESIGN.md, "Output").

use crate::AnalysisError;
use polars::prelude::*;
use polars_io::prelude::*;
use std::fs::File;
use std::path::{Path, PathBuf};
use subnetlab_sim::record::{NetworkRows, NeuronRows, RunRecord, SubnetRows};

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
fn widen(v: &[u16]) -> Vec<u32> {
    v.iter().map(|&x| x as u32).collect()
}

fn frame(table: &'static str, columns: Vec<Column>) -> Result<DataFrame, AnalysisError> {
    DataFrame::new_infer_height(columns).map_err(|source| AnalysisError::Polars { table, source })
}

fn neurons(r: &NeuronRows) -> Result<DataFrame, AnalysisError> {
    let role: Vec<&str> = r.role.iter().map(|x| x.as_str()).collect();
    frame(
        "neurons",
        vec![
            Column::new("arm".into(), &r.arm),
            Column::new("run".into(), &r.run),
            Column::new("subnet".into(), widen(&r.subnet)),
            Column::new("epoch".into(), &r.epoch),
            Column::new("block".into(), &r.block),
            Column::new("uid".into(), widen(&r.uid)),
            Column::new("hotkey".into(), &r.hotkey),
            Column::new("role".into(), role),
            Column::new("strategy".into(), &r.strategy),
            Column::new("stake".into(), &r.stake),
            Column::new("consensus".into(), &r.consensus),
            Column::new("incentive".into(), &r.incentive),
            Column::new("dividends".into(), &r.dividends),
            Column::new("validator_trust".into(), &r.validator_trust),
            Column::new("quality".into(), &r.quality),
            Column::new("validator_permit".into(), &r.validator_permit),
            Column::new("emission".into(), &r.emission),
            Column::new("emission_rao".into(), &r.emission_rao),
        ],
    )
}

fn subnets(r: &SubnetRows) -> Result<DataFrame, AnalysisError> {
    frame(
        "subnets",
        vec![
            Column::new("arm".into(), &r.arm),
            Column::new("run".into(), &r.run),
            Column::new("subnet".into(), widen(&r.subnet)),
            Column::new("epoch".into(), &r.epoch),
            Column::new("block".into(), &r.block),
            Column::new("neurons".into(), &r.neurons),
            Column::new("permitted_validators".into(), &r.permitted_validators),
            Column::new("emission_rao".into(), &r.emission_rao),
            Column::new("miner_emission_rao".into(), &r.miner_emission_rao),
            Column::new("validator_emission_rao".into(), &r.validator_emission_rao),
            Column::new("owner_cut_rao".into(), &r.owner_cut_rao),
            Column::new("dust_rao".into(), &r.dust_rao),
            Column::new("total_stake".into(), &r.total_stake),
            Column::new("mean_miner_quality".into(), &r.mean_miner_quality),
            Column::new("registrations".into(), &r.registrations),
            Column::new("registrations_refused".into(), &r.registrations_refused),
            Column::new("registration_burn_rao".into(), &r.registration_burn_rao),
            Column::new("burn_rao".into(), &r.burn_rao),
            Column::new("weights_set".into(), &r.weights_set),
            Column::new("weights_rejected".into(), &r.weights_rejected),
        ],
    )
}

fn network(r: &NetworkRows) -> Result<DataFrame, AnalysisError> {
    frame(
        "network",
        vec![
            Column::new("arm".into(), &r.arm),
            Column::new("run".into(), &r.run),
            Column::new("block".into(), &r.block),
            Column::new("issuance".into(), &r.issuance),
            Column::new("issuance_rao".into(), &r.issuance_rao),
            Column::new("block_emission".into(), &r.block_emission),
            Column::new("halving_index".into(), &r.halving_index),
            Column::new("tao_price_usd".into(), &r.tao_price_usd),
        ],
    )
}

/// The run's tables as DataFrames.
pub fn frames(record: &RunRecord) -> Result<Frames, AnalysisError> {
    Ok(Frames {
        neurons: neurons(&record.neurons)?,
        subnets: subnets(&record.subnets)?,
        network: network(&record.network)?,
    })
}

/// Write `<table>.parquet` and `<table>.csv` for every table into `dir`; returns the files.
pub fn write_tables(record: &RunRecord, dir: &Path) -> Result<Vec<PathBuf>, AnalysisError> {
    let mut frames = frames(record)?;
    let mut written = Vec::new();
    for (table, df) in frames.named() {
        let create = |name: String| {
            let path = dir.join(name);
            File::create(&path)
                .map(|f| (f, path.clone()))
                .map_err(|source| AnalysisError::Io {
                    path: path.display().to_string(),
                    source,
                })
        };
        let polars_err = |source| AnalysisError::Polars { table, source };
        let (file, path) = create(format!("{table}.parquet"))?;
        ParquetWriter::new(file).finish(df).map_err(polars_err)?;
        written.push(path);
        let (file, path) = create(format!("{table}.csv"))?;
        CsvWriter::new(file).finish(df).map_err(polars_err)?;
        written.push(path);
    }
    Ok(written)
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
        n.stake = vec![100.0, 0.0];
        n.consensus = vec![0.0, 1.0];
        n.incentive = vec![0.0, 1.0];
        n.dividends = vec![1.0, 0.0];
        n.validator_trust = vec![1.0, 0.0];
        n.quality = vec![None, Some(0.5)];
        n.validator_permit = vec![true, false];
        n.emission = vec![0.5, 0.5];
        n.emission_rao = vec![500_000_000, 500_000_000];
        let dir = std::env::temp_dir().join(format!("subnetlab-analysis-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let files = write_tables(&record, &dir).unwrap();
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
}
