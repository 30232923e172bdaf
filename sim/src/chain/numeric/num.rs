//! The [`Num`] trait: the arithmetic an epoch formula needs, with the chain's rounding.
//!
//! Every method names the chain operation it stands for (`st/epoch/math.rs`, the `substrate-fixed`
//! operator it calls, or `safe_math::FixedExt`). Names are chosen so that they do not collide
//! with inherent methods of `f64` or `I32F32` (`min`, `round`, `saturating_div`, …): Rust
//! resolves an inherent method before a trait method on a concrete type, so a shared name could
//! make the same call site behave differently in generic and in concrete code.

use core::fmt::Debug;

/// A number an epoch formula can be written in once and run in both modes: `f64` (fast,
/// exploratory) and [`I32F32`](super::I32F32) (the chain's type, bit-exact).
///
/// The contract of each method is the chain's semantics; the `f64` implementation is the plain
/// float operation, so the two agree up to I32F32 resolution (2^-32 ≈ 2.3e-10 per operation)
/// wherever the fixed-point result does not saturate.
///
/// The few steps the chain does in a wider type go through [`Num::Wide`] (I64F64 stake
/// normalisation) and through associated functions that hide their internal type
/// ([`Num::bonds_ema_alpha`] uses I64F64, [`Num::emission_rao`] uses I96F32).
pub trait Num: Copy + PartialEq + PartialOrd + Default + Debug + Send + Sync + 'static {
    /// The wide type of the stake step: `I64F64` on chain (`get_stake_weights_for_network`,
    /// `inplace_normalize_64`), `f64` in float mode.
    type Wide: Copy + PartialEq + PartialOrd + Default + Debug + Send + Sync + 'static;

    /// 0.
    const ZERO: Self;
    /// 1.
    const ONE: Self;

    // ---------------------------------------------------------------- conversions

    /// A raw integer `v` (not divided by 65535): how the epoch loads stored weights and classic
    /// bonds (`I32F32::saturating_from_num(u16)`, `get_weights_sparse`).
    fn from_u16(v: u16) -> Self;
    /// The u16 proportion `v / 65535` (`u16_proportion_to_fixed`: a truncating division).
    fn from_u16_proportion(v: u16) -> Self;
    /// `trunc(x × 65535)` clamped to `[0, 65535]` (`fixed_proportion_to_u16`: a floored
    /// saturating product, then a saturating truncation; negative → 0). Note that on chain
    /// `from_u16_proportion(v).to_u16_proportion() == v − 1` for `0 < v < 65535`.
    fn to_u16_proportion(self) -> u16;
    /// `trunc(x)` clamped to `[0, 65535]` (`fixed_to_u16`).
    fn to_u16(self) -> u16;
    /// An integer amount (rao, blocks, per-million parameters), saturating at the type's range
    /// (`I32F32::saturating_from_num(u64)` saturates at 2^31).
    fn from_u64(v: u64) -> Self;
    /// A signed integer (e.g. `AlphaSigmoidSteepness`, the constant −100), saturating.
    fn from_i64(v: i64) -> Self;
    /// `trunc(x)` clamped to `[0, u64::MAX]` (`saturating_to_num::<u64>`; negative → 0).
    fn to_u64(self) -> u64;
    /// A float literal, rounded to nearest with ties to even (`from_num(0.5)`,
    /// `fixed(val: f32)` in the chain's tests), saturating; NaN gives 0. Parameters that the
    /// chain derives from integers should use the integer constructors instead.
    fn from_f64(v: f64) -> Self;
    /// The value as `f64` (rounded to nearest for fixed point), for output and comparison.
    fn to_f64(self) -> f64;

    // ---------------------------------------------------------------- arithmetic

    /// `saturating_add`: exact sum, clamped to the type's range.
    fn sat_add(self, rhs: Self) -> Self;
    /// `saturating_sub`: exact difference, clamped to the type's range.
    fn sat_sub(self, rhs: Self) -> Self;
    /// `saturating_mul`: for fixed point the full product rounded toward −∞ (floor, also for
    /// negative products), clamped to the type's range.
    fn sat_mul(self, rhs: Self) -> Self;
    /// `checked_mul(..).unwrap_or_default()`: the product, or 0 on overflow (`vec_mul`, the
    /// dividend step of Yuma 3).
    fn mul_or_zero(self, rhs: Self) -> Self;
    /// `checked_div`: the quotient truncated toward zero, `None` on division by zero *or* when
    /// the quotient overflows.
    fn div_checked(self, rhs: Self) -> Option<Self>;
    /// `safe_div` (`safe_math::FixedExt`): [`Num::div_checked`] or 0 — so dividing by a tiny
    /// number silently gives 0 on chain (spec §1.16).
    fn safe_div(self, rhs: Self) -> Self {
        self.div_checked(rhs).unwrap_or(Self::ZERO)
    }
    /// `safe_div_or`: [`Num::div_checked`] or `default`.
    fn safe_div_or(self, rhs: Self, default: Self) -> Self {
        self.div_checked(rhs).unwrap_or(default)
    }
    /// `saturating_div`: the truncated quotient, clamped on overflow. The chain panics on a
    /// zero divisor (it never divides by zero there: `alpha_sigmoid` divides by `1 + exp ≥ 1`
    /// and by −100); here a zero divisor gives the type's max / min by the sign of `self`, and
    /// 0 for 0/0, so that no input panics.
    fn sat_div(self, rhs: Self) -> Self;
    /// The smaller of the two (`Ord::min`).
    fn min_of(self, rhs: Self) -> Self;
    /// The larger of the two (`Ord::max`).
    fn max_of(self, rhs: Self) -> Self;
    /// `clamp_value(value, low, high)` = `value.min(high).max(low)`: unlike `Ord::clamp` it
    /// does not panic when `low > high` (it returns `low`).
    fn clamp_value(self, low: Self, high: Self) -> Self {
        self.min_of(high).max_of(low)
    }
    /// `exp_safe`: `exp` of the argument clamped to `[−20, 20]`. On chain this is the truncated
    /// Taylor series of `substrate_fixed::transcendental::exp` (see
    /// [`exp_safe`](super::exp_safe)); in float mode it is [`exp_f64`](super::exp_f64). They
    /// differ noticeably only far from 0 (e^20: 481,239,357.7 on chain vs 485,165,195.4) and at
    /// exactly 1 (the chain returns `e` rounded to 23 fraction bits).
    fn exp_safe(self) -> Self {
        Self::exp_safe_lanes([self])[0]
    }
    /// [`Num::exp_safe`] of `N` values, bit for bit; both modes evaluate the lanes side by side,
    /// which is much faster than one at a time (liquid alpha needs thousands per epoch).
    fn exp_safe_lanes<const N: usize>(x: [Self; N]) -> [Self; N];
    /// `round()`: to the nearest integer, ties away from zero. Saturates where the chain's
    /// release build would wrap (only within 0.5 of the type's range).
    fn round_away(self) -> Self;
    /// `iter().sum()` as the chain computes it: plain additions in order. For fixed point the
    /// chain's release build wraps on overflow, and so does this (unreachable for proportions;
    /// use [`Num::sat_sum`] where the chain folds with `saturating_add`).
    fn sum_of<I: IntoIterator<Item = Self>>(values: I) -> Self;
    /// A fold with [`Num::sat_add`] (e.g. the row sums of `matmul_sparse`).
    fn sat_sum<I: IntoIterator<Item = Self>>(values: I) -> Self {
        values.into_iter().fold(Self::ZERO, Self::sat_add)
    }
    /// `x == 0`.
    fn is_zero(self) -> bool {
        self == Self::ZERO
    }

    // ---------------------------------------------------------------- wide companions

    /// A UID's raw stake weight `α + τ × R` (`get_stake_weights_for_network`): inherited alpha
    /// `alpha` and inherited root TAO `root` in rao, and `τ = TaoWeight / (2^64 − 1)`. On chain
    /// τ is a U96F32 (so it carries only 32 fraction bits), the sum and product are I64F64
    /// (floored, saturating at 2^63).
    fn wide_stake(alpha: u64, root: u64, tao_weight: u64) -> Self::Wide;
    /// `floor(x)` of a wide value clamped to `[0, u64::MAX]` (`fixed64_to_u64`), which the stake
    /// threshold compares against.
    fn wide_to_u64(x: Self::Wide) -> u64;
    /// Stake normalisation: `x / Σx` in the wide type (`inplace_normalize_64`: truncating
    /// divisions, unchanged if the sum is 0), then narrowed to `Self` (`vec_fixed64_to_fixed32`:
    /// truncation). `out` is cleared and refilled (so a workspace can reuse it).
    fn normalize_wide(x: &[Self::Wide], out: &mut Vec<Self>);
    /// The fixed EMA coefficient `a = 1 − BondsMovingAverage / 10^6`
    /// (`compute_disabled_liquid_alpha`, `compute_ema_bonds_normal_sparse`: the quotient is
    /// I64F64, narrowed to I32F32 by truncation before the subtraction).
    fn bonds_ema_alpha(bonds_moving_average: u64) -> Self;
    /// An emission amount in rao: `floor(x × E)` with `E = rao_emission`, computed in I96F32
    /// on chain (`epoch_mechanism`, "Compute rao based emission scores"); negative → 0.
    fn emission_rao(share: Self, rao_emission: u64) -> u64;
}
