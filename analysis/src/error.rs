//! The one error type of the crate. Each variant names the file, table or column involved and
//! says what to do about it, because the person reading it is usually at a terminal with a
//! result folder, not in this code.

use std::path::PathBuf;

/// Why reading, analysing or writing results failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AnalysisError {
    /// polars rejected a frame, a read or a write.
    #[error("{context}: {source}")]
    Polars {
        /// What was being done (table or file).
        context: String,
        /// What polars said.
        source: polars::prelude::PolarsError,
    },
    /// A file could not be read or written.
    #[error("{}: {source} (check the path and its permissions)", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The result folder named does not exist (or is a file).
    #[error("{} is not a folder: name a result folder written by `subnetlab run`", dir.display())]
    NoFolder {
        /// The path given.
        dir: PathBuf,
    },
    /// A result folder lacks a file the study contract requires.
    #[error(
        "{} has no {file}: is it a subnetlab result folder? Write one with `subnetlab run <scenario> --out {}`",
        dir.display(),
        dir.display()
    )]
    MissingFile {
        /// The result folder.
        dir: PathBuf,
        /// The file name that is missing.
        file: &'static str,
    },
    /// A table lacks a column the analysis needs.
    #[error(
        "table `{table}` has no column `{column}`: the result folder was written by a different \
         subnetlab version; run the scenario again with this version"
    )]
    MissingColumn {
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// `run.json` is not valid JSON.
    #[error("{}: not valid JSON ({source}); run the scenario again to rewrite it", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// What serde_json said.
        source: serde_json::Error,
    },
    /// Sweep partitions that cannot be merged as they are.
    #[error("{}: {message}", dir.display())]
    Partition {
        /// The partition folder (or the root searched).
        dir: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// An argument is out of range (a confidence level, a resample count, ...).
    #[error("{0}")]
    InvalidArgument(String),
    /// A comparison names an arm the study does not have.
    #[error(
        "there is no arm {arm} in the study (arms: {available:?}); pick one of those as the baseline"
    )]
    UnknownArm {
        /// The arm asked for.
        arm: u32,
        /// The arms the study has.
        available: Vec<u32>,
    },
    /// The embedded font could not be registered with plotters.
    #[error("registering the embedded DejaVu font failed (a corrupt build?); rebuild subnetlab")]
    Font,
    /// plotters failed to draw or write a chart.
    #[error("drawing chart `{chart}`: {message}")]
    Chart {
        /// The chart name.
        chart: String,
        /// What plotters said.
        message: String,
    },
}

impl AnalysisError {
    /// A polars error with what was being done.
    pub(crate) fn polars(
        context: impl Into<String>,
    ) -> impl FnOnce(polars::prelude::PolarsError) -> Self {
        let context = context.into();
        move |source| AnalysisError::Polars { context, source }
    }

    /// An I/O error on `path`.
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| AnalysisError::Io { path, source }
    }
}
