//! Mechanism variants an experiment compares: which Yuma, with which hyperparameters, and
//! whether weights go through commit-reveal.

use crate::chain::yuma::YumaParams;

/// The Yuma flavour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VariantKind {
    /// Classic Yuma: stake-weighted bonds, column-normalised EMA (`yuma3: false`).
    Classic,
    /// Yuma 3: per-validator bonds with a fixed EMA rate, no liquid alpha.
    Yuma3,
    /// Yuma 3 with liquid alpha (per-entry EMA rates from the consensus gap).
    Yuma3Liquid,
}

impl VariantKind {
    /// Every kind, in table order.
    pub const ALL: [VariantKind; 3] = [
        VariantKind::Classic,
        VariantKind::Yuma3,
        VariantKind::Yuma3Liquid,
    ];

    /// The name used in tables and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            VariantKind::Classic => "classic",
            VariantKind::Yuma3 => "yuma3",
            VariantKind::Yuma3Liquid => "yuma3-liquid",
        }
    }

    /// The kind named `name` ([`VariantKind::name`]).
    pub fn parse(name: &str) -> Option<VariantKind> {
        VariantKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// `base` with this kind's switches set.
    pub fn params(self, base: &YumaParams) -> YumaParams {
        let mut p = base.clone();
        p.yuma3 = self != VariantKind::Classic;
        p.liquid_alpha = self == VariantKind::Yuma3Liquid;
        p
    }
}

/// One mechanism an experiment runs: Yuma parameters plus commit-reveal.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    /// Label in tables and charts (e.g. `yuma3-liquid+cr`, `classic κ=0.4`).
    pub name: String,
    /// The Yuma flavour.
    pub kind: VariantKind,
    /// The epoch's parameters (flavour switches already set).
    pub params: YumaParams,
    /// Commit-reveal: weights used by an epoch are those committed this many tempos earlier
    /// (`None`: weights are used as soon as they are set).
    pub reveal_period: Option<u32>,
}

impl Variant {
    /// `kind` on `base`, named after the kind, without commit-reveal.
    pub fn new(kind: VariantKind, base: &YumaParams) -> Variant {
        Variant {
            name: kind.name().to_string(),
            kind,
            params: kind.params(base),
            reveal_period: None,
        }
    }
}

/// The parameters of a new mainnet subnet (spec §8) as fractions: κ = 32767/65535, bonds
/// penalty 1, bonds moving average 0.9, liquid alpha bounds 45875/65535 and 58982/65535,
/// steepness 1000, activity cutoff 5000 blocks, 64 validator permits. Yuma 3 is off; a
/// [`VariantKind`] sets it.
pub fn chain_defaults() -> YumaParams {
    YumaParams {
        kappa: 32767.0 / 65535.0,
        bonds_penalty: 1.0,
        bonds_moving_average: 0.9,
        yuma3: false,
        liquid_alpha: false,
        alpha_low: 45875.0 / 65535.0,
        alpha_high: 58982.0 / 65535.0,
        alpha_sigmoid_steepness: 1000.0,
        activity_cutoff: 5000,
        max_allowed_validators: 64,
        stake_threshold: 0.0,
    }
}
