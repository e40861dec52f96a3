//! Trace generation: turning an execution into the tables of one epoch proof.

pub mod alu;
pub mod range;
