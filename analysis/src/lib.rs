//! # subnetlab-analysis
//!
//! Turns run records ([`subnetlab_sim::record::RunRecord`]) into polars DataFrames
//! ([`frames`]) and writes them as Parquet with CSV twins ([`write_tables`]), all runs of a
//! study concatenated, plus the one-row-per-run table `runs.parquet` ([`write_runs`]). The
//! engine never sees polars; this crate never changes a run.
//!
//! A result folder is read back as a [`Study`] ([`Study::load`]), and [`metrics::per_run`]
//! computes the headline metrics of each of its runs; [`stats::summarize`] puts confidence
//! intervals on them across replicates and [`stats::compare`] pairs arms run by run.
//! [`charts::render_all`] draws the study's charts as PNG and SVG.

pub mod charts;
mod columns;
mod error;
pub mod metrics;
pub mod stats;
pub mod study;
mod tables;

pub use error::AnalysisError;
pub use study::Study;
pub use tables::{
    Frames, ParamValue, RunInfo, TABLES, frames, runs_frame, write_runs, write_tables,
};
