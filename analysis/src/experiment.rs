//! Tables of the built-in experiments (`subnetlab experiment ...`), written as Parquet with
//! CSV twins: the retention maps, the collusion frontier and the case library. One row per
//! point, in the experiment's order; the columns are documented in the README.

use crate::AnalysisError;
use crate::columns::frame;
use crate::tables::write_frame;
use polars::prelude::*;
use std::path::{Path, PathBuf};
use subnetlab_sim::chain::yuma::YumaParams;
use subnetlab_sim::experiment::cases::CaseRun;
use subnetlab_sim::experiment::frontier::FrontierResult;
use subnetlab_sim::experiment::retention::RetentionResult;

fn col<T>(name: &str, values: Vec<T>) -> Column
where
    Series: NamedFrom<Vec<T>, [T]>,
{
    Column::new(name.into(), values)
}

/// Writes `retention` (every grid point) and `retention_required` (the honest utility needed
/// per mode, σ and honest stake) into `dir`; `params` are the epoch's (κ and bonds penalty
/// are repeated as columns so tables of several runs can be stacked).
pub fn write_retention(
    result: &RetentionResult,
    variant: &str,
    params: &YumaParams,
    dir: &Path,
) -> Result<Vec<PathBuf>, AnalysisError> {
    let p = &result.points;
    let n = p.len();
    let mut points = frame(
        "the retention table",
        vec![
            col("mode", p.iter().map(|x| x.mode.name()).collect::<Vec<_>>()),
            col("variant", vec![variant; n]),
            col("kappa", vec![params.kappa; n]),
            col("bonds_penalty", vec![params.bonds_penalty; n]),
            col("sigma", p.iter().map(|x| x.sigma).collect::<Vec<_>>()),
            col(
                "honest_stake",
                p.iter().map(|x| x.honest_stake).collect::<Vec<_>>(),
            ),
            col(
                "honest_utility",
                p.iter().map(|x| x.honest_utility).collect::<Vec<_>>(),
            ),
            col(
                "cabal_self_weight",
                p.iter().map(|x| x.cabal_self_weight).collect::<Vec<_>>(),
            ),
            col(
                "honest_emission",
                p.iter().map(|x| x.honest_emission).collect::<Vec<_>>(),
            ),
            col(
                "retained_share",
                p.iter().map(|x| x.retained_share).collect::<Vec<_>>(),
            ),
            col(
                "retained_sd",
                p.iter().map(|x| x.retained_sd).collect::<Vec<_>>(),
            ),
            col(
                "retained",
                p.iter().map(|x| x.retained()).collect::<Vec<_>>(),
            ),
        ],
    )?;
    let r = &result.required;
    let m = r.len();
    let mut required = frame(
        "the retention_required table",
        vec![
            col("mode", r.iter().map(|x| x.mode.name()).collect::<Vec<_>>()),
            col("variant", vec![variant; m]),
            col("kappa", vec![params.kappa; m]),
            col("bonds_penalty", vec![params.bonds_penalty; m]),
            col("sigma", r.iter().map(|x| x.sigma).collect::<Vec<_>>()),
            col(
                "honest_stake",
                r.iter().map(|x| x.honest_stake).collect::<Vec<_>>(),
            ),
            col(
                "required_honest_utility",
                r.iter().map(|x| x.required_utility).collect::<Vec<_>>(),
            ),
            col(
                "worst_cabal_self_weight",
                r.iter()
                    .map(|x| x.worst_cabal_self_weight)
                    .collect::<Vec<_>>(),
            ),
        ],
    )?;
    let mut files = write_frame(dir, "retention", &mut points)?.to_vec();
    files.extend(write_frame(dir, "retention_required", &mut required)?);
    Ok(files)
}

/// Writes `frontier` (every variant × cabal stake × self-weight point), `frontier_best` (the
/// cabal's best response per variant and stake) and `frontier_break_even` into `dir`.
pub fn write_frontier(result: &FrontierResult, dir: &Path) -> Result<Vec<PathBuf>, AnalysisError> {
    let p = &result.points;
    let mut points = frame(
        "the frontier table",
        vec![
            col(
                "variant",
                p.iter().map(|x| x.variant.as_str()).collect::<Vec<_>>(),
            ),
            col(
                "cabal_stake",
                p.iter().map(|x| x.cabal_stake).collect::<Vec<_>>(),
            ),
            col(
                "self_weight",
                p.iter().map(|x| x.self_weight).collect::<Vec<_>>(),
            ),
            col(
                "reward_share",
                p.iter().map(|x| x.reward_share).collect::<Vec<_>>(),
            ),
            col(
                "reward_sd",
                p.iter().map(|x| x.reward_sd).collect::<Vec<_>>(),
            ),
            col(
                "final_stake_share",
                p.iter().map(|x| x.final_stake_share).collect::<Vec<_>>(),
            ),
        ],
    )?;
    let b = &result.best;
    let mut best = frame(
        "the frontier_best table",
        vec![
            col(
                "variant",
                b.iter().map(|x| x.variant.as_str()).collect::<Vec<_>>(),
            ),
            col(
                "cabal_stake",
                b.iter().map(|x| x.cabal_stake).collect::<Vec<_>>(),
            ),
            col(
                "best_self_weight",
                b.iter().map(|x| x.self_weight).collect::<Vec<_>>(),
            ),
            col(
                "reward_share",
                b.iter().map(|x| x.reward_share).collect::<Vec<_>>(),
            ),
            col(
                "advantage",
                b.iter().map(|x| x.advantage).collect::<Vec<_>>(),
            ),
            col(
                "collusion_pays",
                b.iter().map(|x| x.pays).collect::<Vec<_>>(),
            ),
            col(
                "copy_reward_share",
                // Undefined (null, not NaN) when λ = 0 is not on the self-weight grid.
                b.iter()
                    .map(|x| Some(x.copy_share).filter(|v| v.is_finite()))
                    .collect::<Vec<_>>(),
            ),
        ],
    )?;
    let e = &result.break_even;
    let mut even = frame(
        "the frontier_break_even table",
        vec![
            col(
                "variant",
                e.iter().map(|x| x.variant.as_str()).collect::<Vec<_>>(),
            ),
            col(
                "break_even_stake",
                e.iter().map(|x| x.stake).collect::<Vec<_>>(),
            ),
            col(
                "self_dealing_break_even_stake",
                e.iter().map(|x| x.self_dealing_stake).collect::<Vec<_>>(),
            ),
        ],
    )?;
    let mut files = write_frame(dir, "frontier", &mut points)?.to_vec();
    files.extend(write_frame(dir, "frontier_best", &mut best)?);
    files.extend(write_frame(dir, "frontier_break_even", &mut even)?);
    Ok(files)
}

/// Writes `cases` (total dividends per 1000 TAO per case, variant and validator) and
/// `cases_epochs` (per epoch) into `dir`.
pub fn write_cases(runs: &[CaseRun], dir: &Path) -> Result<Vec<PathBuf>, AnalysisError> {
    let totals: Vec<(&CaseRun, usize)> = runs
        .iter()
        .flat_map(|r| (0..3).map(move |v| (r, v)))
        .collect();
    let mut table = frame(
        "the cases table",
        vec![
            col(
                "case",
                totals.iter().map(|(r, _)| r.case.name).collect::<Vec<_>>(),
            ),
            col(
                "title",
                totals.iter().map(|(r, _)| r.case.title).collect::<Vec<_>>(),
            ),
            col(
                "variant",
                totals
                    .iter()
                    .map(|(r, _)| r.variant.as_str())
                    .collect::<Vec<_>>(),
            ),
            col(
                "validator",
                totals
                    .iter()
                    .map(|(_, v)| validator_letter(*v))
                    .collect::<Vec<_>>(),
            ),
            col(
                "validator_name",
                totals
                    .iter()
                    .map(|(r, v)| r.case.validators[*v])
                    .collect::<Vec<_>>(),
            ),
            col(
                "dividends_per_1000_tao",
                totals
                    .iter()
                    .map(|(r, v)| r.total_per_1000_tao[*v])
                    .collect::<Vec<_>>(),
            ),
        ],
    )?;
    let rows: Vec<_> = runs.iter().flat_map(|r| r.epochs.iter()).collect();
    let mut epochs = frame(
        "the cases_epochs table",
        vec![
            col("case", rows.iter().map(|x| x.case).collect::<Vec<_>>()),
            col(
                "variant",
                rows.iter().map(|x| x.variant.as_str()).collect::<Vec<_>>(),
            ),
            col("epoch", rows.iter().map(|x| x.epoch).collect::<Vec<_>>()),
            col(
                "validator",
                rows.iter()
                    .map(|x| validator_letter(x.validator))
                    .collect::<Vec<_>>(),
            ),
            col("stake", rows.iter().map(|x| x.stake).collect::<Vec<_>>()),
            col(
                "dividend",
                rows.iter().map(|x| x.dividend).collect::<Vec<_>>(),
            ),
            col(
                "dividends_per_1000_tao",
                rows.iter().map(|x| x.per_1000_tao).collect::<Vec<_>>(),
            ),
        ],
    )?;
    let mut files = write_frame(dir, "cases", &mut table)?.to_vec();
    files.extend(write_frame(dir, "cases_epochs", &mut epochs)?);
    Ok(files)
}

/// `A`, `B`, `C`, ... for validator index 0, 1, 2, ...
pub fn validator_letter(v: usize) -> &'static str {
    ["A", "B", "C", "D", "E", "F"]
        .get(v)
        .copied()
        .unwrap_or("?")
}
