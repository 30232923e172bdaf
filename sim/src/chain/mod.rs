//! Chain mechanisms as pure functions: no ECS inside, flat vectors and sparse rows in and out.

pub mod coinbase;
pub mod dividends;
pub mod emission;
pub mod numeric;
pub mod pool;
pub mod registration;
pub mod schedule;
pub mod set_weights;
pub mod split;
pub mod yuma;
