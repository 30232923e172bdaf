//! Built-in experiments on the Yuma epoch: the questions a mechanism designer asks of
//! consensus itself, answered by many epochs on synthetic subnets rather than by one scenario.
//!
//! - [`retention`]: the consensus-guarantee map of subtensor's `docs/consensus.md` — how much
//!   honest utility an honest stake majority needs to keep its share against a cabal that
//!   weights itself — in one epoch as the original, and over many epochs with bonds and stake
//!   compounding.
//! - [`frontier`]: the collusion frontier — a cabal's reward share against its stake share,
//!   per mechanism variant, and the stake fraction from which colluding pays.
//! - [`cases`]: the classic 3-validator case library (kappa moves first, clipping demo, ...)
//!   as data, run under each Yuma variant, with dividends per 1000 TAO staked.
//!
//! Everything here is pure: plain inputs, plain result rows, no polars (the analysis crate
//! writes the tables and charts). Each experiment drives the epoch through [`Subnet`], which
//! keeps the storage an epoch reads (weights as `set_weights` stores them, bonds, permits) and
//! feeds each epoch's outputs back as the chain does. Randomness comes from
//! [`crate::rng::stream`] with [`crate::rng::Purpose::Experiment`], keyed by trial, so results
//! do not depend on the thread count.

pub mod cases;
mod error;
pub mod frontier;
pub mod retention;
mod subnet;
mod variant;

pub use error::ExperimentError;
pub use subnet::{Subnet, chain_params};
pub use variant::{Variant, VariantKind, chain_defaults};

pub use crate::chain::numeric::Numeric;
