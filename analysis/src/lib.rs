//! # subnetlab-analysis
//!
//! Turns a run's record ([`subnetlab_sim::record::RunRecord`]) into polars DataFrames
//! ([`frames`]) and writes them as Parquet with CSV twins ([`write_tables`]). The engine never
//! sees polars; this crate never changes a run.

mod runs;
mod tables;

pub use runs::{merge_partitions, runs_frame, write_partition, write_runs};
pub use tables::{Frames, TABLES, frames, write_tables};

/// Why writing results failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AnalysisError {
    /// polars rejected a frame or a write.
    #[error("building or writing {table}: {source}")]
    Polars {
        /// The table.
        table: &'static str,
        /// What polars said.
        source: polars::prelude::PolarsError,
    },
    /// A file could not be created.
    #[error("writing {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
}
