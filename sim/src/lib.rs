//! # subnetlab-sim
//!
//! The engine of subnetlab: what happens on a Bittensor subnet, block by block, without
//! stepping through the quiet blocks.
//!
//! - [`scenario`]: the YAML scenario language ([`scenario::Scenario`]), loaded with every
//!   problem reported at once ([`scenario::load_file`]).
//! - [`chain`]: the chain's mechanisms as pure functions — the Yuma Consensus epoch
//!   ([`chain::yuma`]), block emission and halvings ([`chain::emission`]), the per-block split
//!   ([`chain::split`]).
//! - [`agents`]: what miners and validators do.
//! - [`engine`]: the bevy_ecs world and the discrete-event loop that runs a scenario
//!   ([`engine::run`]).
//! - [`experiment`]: built-in experiments on the epoch: consensus-guarantee (retention)
//!   maps, the collusion frontier, the classic 3-validator case library.
//! - [`record`]: the columnar record of a run ([`record::RunRecord`]), the schema every output
//!   is written from.
//!
//! ```
//! use subnetlab_sim::{engine, scenario};
//! let yaml = scenario::builtin("default").unwrap().yaml;
//! let overrides = ["duration={blocks: 800}".parse().unwrap()];
//! let scenario = scenario::load_str("default.yaml", yaml, &overrides)?;
//! let record = engine::run(&scenario, 0, &mut |_| {})?;
//! assert!(record.totals.minted_rao > 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod agents;
pub mod chain;
pub mod engine;
pub mod experiment;
pub mod modes;
pub mod record;
pub mod replay;
pub mod rng;
pub mod scenario;
pub mod study;
