//! Typed access to DataFrame columns. The analysis does its arithmetic on plain vectors: that
//! keeps the polars feature set small (no eager group-by, joins or pivots needed), keeps the
//! order of every sum fixed (deterministic output), and works the same whether a column came
//! back from Parquet with its original type or from a CSV with an inferred one (every read
//! casts).

use crate::AnalysisError;
use polars::prelude::*;

/// The column `name` of `table`, or an error naming both.
pub(crate) fn column<'a>(
    df: &'a DataFrame,
    table: &str,
    name: &str,
) -> Result<&'a Column, AnalysisError> {
    df.column(name).map_err(|_| AnalysisError::MissingColumn {
        table: table.to_string(),
        column: name.to_string(),
    })
}

fn cast(df: &DataFrame, table: &str, name: &str, to: &DataType) -> Result<Column, AnalysisError> {
    column(df, table, name)?
        .cast(to)
        .map_err(AnalysisError::polars(format!(
            "reading {table}.{name} as {to}"
        )))
}

/// Column `name` as f64, nulls kept.
pub(crate) fn f64s(
    df: &DataFrame,
    table: &str,
    name: &str,
) -> Result<Vec<Option<f64>>, AnalysisError> {
    let c = cast(df, table, name, &DataType::Float64)?;
    let ca = c
        .f64()
        .map_err(AnalysisError::polars(format!("reading {table}.{name}")))?;
    Ok(ca.iter().collect())
}

/// Column `name` as f64, nulls as NaN.
pub(crate) fn f64s_nan(df: &DataFrame, table: &str, name: &str) -> Result<Vec<f64>, AnalysisError> {
    Ok(f64s(df, table, name)?
        .into_iter()
        .map(|v| v.unwrap_or(f64::NAN))
        .collect())
}

/// Column `name` as u64, nulls as 0.
pub(crate) fn u64s(df: &DataFrame, table: &str, name: &str) -> Result<Vec<u64>, AnalysisError> {
    let c = cast(df, table, name, &DataType::UInt64)?;
    let ca = c
        .u64()
        .map_err(AnalysisError::polars(format!("reading {table}.{name}")))?;
    Ok(ca.iter().map(|v| v.unwrap_or(0)).collect())
}

/// Column `name` as u32, nulls as 0.
pub(crate) fn u32s(df: &DataFrame, table: &str, name: &str) -> Result<Vec<u32>, AnalysisError> {
    let c = cast(df, table, name, &DataType::UInt32)?;
    let ca = c
        .u32()
        .map_err(AnalysisError::polars(format!("reading {table}.{name}")))?;
    Ok(ca.iter().map(|v| v.unwrap_or(0)).collect())
}

/// Column `name` as strings, nulls as "".
pub(crate) fn strs(df: &DataFrame, table: &str, name: &str) -> Result<Vec<String>, AnalysisError> {
    let c = cast(df, table, name, &DataType::String)?;
    let ca = c
        .str()
        .map_err(AnalysisError::polars(format!("reading {table}.{name}")))?;
    Ok(ca.iter().map(|v| v.unwrap_or("").to_string()).collect())
}

/// Whether column `name` holds numbers (integers or floats).
pub(crate) fn is_numeric(df: &DataFrame, name: &str) -> bool {
    df.column(name)
        .is_ok_and(|c| c.dtype().is_primitive_numeric())
}

/// A string column as small integer codes into its distinct values, so that million-row
/// tables of a handful of roles or strategies cost no per-row allocation.
pub(crate) struct Interned {
    /// Per row, the index of its value in `names` (nulls are "").
    pub codes: Vec<u32>,
    /// The distinct values, in order of first appearance.
    pub names: Vec<String>,
}

impl Interned {
    /// The code of `name`, if it occurs.
    pub fn code(&self, name: &str) -> Option<u32> {
        self.names.iter().position(|n| n == name).map(|i| i as u32)
    }

    /// The value behind `code`.
    pub fn name(&self, code: u32) -> &str {
        self.names.get(code as usize).map_or("", String::as_str)
    }
}

/// Column `name` as [`Interned`] strings.
pub(crate) fn interned(df: &DataFrame, table: &str, name: &str) -> Result<Interned, AnalysisError> {
    let c = cast(df, table, name, &DataType::String)?;
    let ca = c
        .str()
        .map_err(AnalysisError::polars(format!("reading {table}.{name}")))?;
    let mut names: Vec<String> = Vec::new();
    let mut codes = Vec::with_capacity(ca.len());
    let mut last: Option<(&str, u32)> = None;
    for v in ca.iter() {
        let v = v.unwrap_or("");
        let code = match last {
            Some((prev, code)) if prev == v => code,
            _ => {
                let code = match names.iter().position(|n| n == v) {
                    Some(i) => i as u32,
                    None => {
                        names.push(v.to_string());
                        (names.len() - 1) as u32
                    }
                };
                last = Some((v, code));
                code
            }
        };
        codes.push(code);
    }
    Ok(Interned { codes, names })
}

/// A frame from columns, with a context for the error.
pub(crate) fn frame(context: &str, columns: Vec<Column>) -> Result<DataFrame, AnalysisError> {
    DataFrame::new_infer_height(columns)
        .map_err(AnalysisError::polars(format!("building {context}")))
}
