//! # subnetlab-analysis
//!
//! Everything after a run: from run records to the charts and tables a governance proposal
//! ends with. The engine never sees polars; this crate never changes a run.
//!
//! The pieces, in the order data flows through them:
//!
//! - Tables: run records ([`subnetlab_sim::record::RunRecord`]) as polars DataFrames
//!   ([`frames`]), written as Parquet with CSV twins ([`write_tables`]), plus the
//!   one-row-per-run table `runs.parquet` ([`runs_frame`], [`write_runs`]).
//! - [`study`]: a result folder read back ([`Study::load`]): one run or many (replicates,
//!   sweep points, comparison arms), told apart by the `arm` and `run` columns.
//! - [`metrics`]: one row per run of headline metrics ([`metrics::per_run`]: concentration,
//!   emission shares, validator yield, supply and inflation, security budget) and the time
//!   series the charts draw.
//! - [`stats`]: replicate statistics with confidence intervals ([`stats::summarize`]) and
//!   paired comparisons against a baseline arm ([`stats::compare`]).
//! - [`charts`]: PNG and SVG charts ([`charts::render_all`]).
//! - [`experiment`]: tables of the built-in experiments (retention maps, collusion frontier,
//!   case library); their charts are in [`charts::experiment`].
//! - [`report`]: one self-contained HTML report and its Markdown twin
//!   ([`report::write_report`]).
//!
//! ```no_run
//! use subnetlab_analysis::{Study, metrics, report, stats};
//! # fn main() -> Result<(), subnetlab_analysis::AnalysisError> {
//! let study = Study::load("out/default")?;
//! let per_run = metrics::per_run(&study)?;
//! let summary = stats::summarize(&per_run, &stats::SummaryOptions::default())?;
//! println!("{summary}");
//! report::write_report(
//!     &[study],
//!     "out/default/report.html".as_ref(),
//!     "out/default/report.md".as_ref(),
//! )?;
//! # Ok(())
//! # }
//! ```

pub mod charts;
mod columns;
pub mod console;
mod error;
pub mod experiment;
pub mod metrics;
mod partitions;
pub mod report;
pub mod stats;
pub mod study;
mod tables;

pub use error::AnalysisError;
pub use partitions::{find_partitions, merge_partitions, missing_runs, write_partition};
pub use study::Study;
pub use tables::{
    Frames, ParamValue, RunInfo, TABLES, frames, runs_frame, write_runs, write_tables,
};
