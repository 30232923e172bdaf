//! Numbers for the epoch in two modes: `f64` for exploration, and the chain's fixed point for the
//! bit-exact `chain` mode.
//!
//! The chain computes the Yuma epoch in `I32F32` (64-bit, 32 fraction bits) with a few steps in
//! wider types (spec `shared/reference/subtensor-mechanics.md` §0.2, §1): stake normalisation
//! and the bonds moving average in `I64F64`, emission amounts and block emission in `I96F32`,
//! the TAO weight and inherited stake in `U96F32`. Every rounding matters for reproducing stored
//! u16 bonds, so `chain` mode uses the chain's own crate (`substrate-fixed` 0.6.0) for the
//! types and their operators, and re-implements (bit-exactly, tested against the crate) the two
//! transcendental functions the chain calls: [`exp_fixed`] (inside [`exp_safe`], liquid alpha)
//! and [`log2_fixed`] (halving level).
//!
//! - [`Num`]: the trait an epoch formula is written against; implemented for `f64` and
//!   [`I32F32`].
//! - [`wide`]: the I64F64 / U96F32 / I96F32 steps (stake, inherited stake, TAO weight, EMA
//!   coefficient, emission amounts) that [`Num`]'s wide methods delegate to for I32F32.
//! - [`block_emission_for_issuance`]: the chain's block-emission formula in I96F32.

mod block_emission;
mod exp;
mod exp_f64;
mod fixed;
mod float;
mod log2;
mod num;
pub mod wide;

#[cfg(test)]
mod agreement;

pub use block_emission::{LogarithmFailed, block_emission_for_issuance};
pub use exp::{E_I9F23_BITS, EXP_ONE, exp_fixed, exp_fixed_lanes, exp_safe, exp_safe_lanes};
pub use exp_f64::{exp_f64, exp_f64_lanes};
pub use float::round_to_u16;
pub use log2::log2_fixed;
pub use num::Num;
/// The chain's fixed-point types, re-exported so that epoch code need not name the crate.
pub use substrate_fixed::types::{I32F32, I64F64, I96F32, U96F32};

/// Which arithmetic runs the epoch: the scenario's `numeric:` field, `--numeric`, and the
/// `"numeric"` key of `subnetlab epoch` files.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Numeric {
    /// Double precision on the fast dense epoch: within ~1e-9 of the chain per step, bonds
    /// carried unquantised between epochs.
    #[default]
    F64,
    /// The chain's fixed-point arithmetic (I32F32 and its wide companions), bit for bit, with
    /// bonds stored as u16 between epochs as the chain stores them.
    Chain,
}
