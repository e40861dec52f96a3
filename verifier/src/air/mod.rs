//! AIR tables of the per-epoch proof and the buses that link them.

pub mod alu;
pub mod bus;
pub mod range;
