//! The two numeric modes side by side: run one scenario in `f64` and in `chain` and report,
//! per recorded field, the largest difference between them (`subnetlab compare-modes`).
//!
//! Both runs use the same seed, so agents draw the same numbers; the rows are matched by
//! (subnet, epoch, uid, hotkey). If the runs' metagraphs diverge (a registration or pruning
//! decided differently by a one-rao difference), the unmatched rows are counted, not compared.
//!
//! Two runs drift apart through feedback: a bond whose exact value lies within ~1e-5 u16 units
//! of an integer is stored one unit apart by the two arithmetics, and rao differences compound
//! in stake. So the chain run also runs the `f64` epoch on each epoch's own input
//! ([`engine::run_with_shadow`]), which measures the arithmetic alone.

use crate::chain::numeric::Numeric;
use crate::engine::{self, EngineError, ShadowDifference};
use crate::record::NeuronRows;
use crate::scenario::Scenario;
use std::collections::HashMap;

/// Reads one `f64` column of the per-UID rows.
type Column = fn(&NeuronRows) -> &[f64];

/// The largest difference of one field between the modes.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldDifference {
    /// Field name, as in `neurons.parquet`.
    pub field: &'static str,
    /// Largest `|chain − f64|` over the matched rows.
    pub max_abs: f64,
    /// Where it occurs: (subnet, epoch, uid); `None` when there are no rows.
    pub at: Option<(u16, u64, u16)>,
}

/// The comparison of one run of a scenario in both modes.
#[derive(Clone, Debug, PartialEq)]
pub struct ModeComparison {
    /// Per field, in `neurons.parquet` order.
    pub fields: Vec<FieldDifference>,
    /// Rows present in both runs.
    pub matched_rows: usize,
    /// Rows present in only one run.
    pub unmatched_rows: usize,
    /// Total emission paid (miners + validators), rao: f64 run, chain run.
    pub paid_rao: (u64, u64),
    /// Per epoch on identical input (the chain run's), the largest difference of the `f64`
    /// epoch: the arithmetic alone, without the feedback of two diverging runs.
    pub per_epoch: ShadowDifference,
}

/// Runs `scenario` (run 0) in both modes and compares every recorded per-UID field.
pub fn compare_modes(scenario: &Scenario) -> Result<ModeComparison, EngineError> {
    let mut f64_scenario = scenario.clone();
    f64_scenario.numeric = Numeric::F64;
    let float = engine::run(&f64_scenario, 0, &mut |_| {})?;
    let (chain, per_epoch) = engine::run_with_shadow(scenario, 0)?;
    let (a, b) = (&float.neurons, &chain.neurons);
    let key = |n: &NeuronRows, i: usize| (n.subnet[i], n.epoch[i], n.uid[i], n.hotkey[i]);
    let index: HashMap<_, usize> = (0..b.uid.len()).map(|i| (key(b, i), i)).collect();
    let pairs: Vec<(usize, usize)> = (0..a.uid.len())
        .filter_map(|i| index.get(&key(a, i)).map(|&j| (i, j)))
        .collect();
    let columns: [(&'static str, Column); 6] = [
        ("stake", |n| &n.stake),
        ("consensus", |n| &n.consensus),
        ("incentive", |n| &n.incentive),
        ("dividends", |n| &n.dividends),
        ("validator_trust", |n| &n.validator_trust),
        ("emission", |n| &n.emission),
    ];
    let fields = columns
        .iter()
        .map(|&(field, column)| {
            let (x, y) = (column(a), column(b));
            let mut best = FieldDifference {
                field,
                max_abs: 0.0,
                at: None,
            };
            for &(i, j) in &pairs {
                let d = (x[i] - y[j]).abs();
                if best.at.is_none() || d > best.max_abs {
                    best.max_abs = d;
                    best.at = Some((a.subnet[i], a.epoch[i], a.uid[i]));
                }
            }
            best
        })
        .collect();
    let paid = |t: &crate::record::Totals| t.miners_rao + t.validators_rao;
    Ok(ModeComparison {
        fields,
        matched_rows: pairs.len(),
        unmatched_rows: a.uid.len() + b.uid.len() - 2 * pairs.len(),
        paid_rao: (paid(&float.totals), paid(&chain.totals)),
        per_epoch,
    })
}
