//! The Sluice prover: executes RV32IM guests and proves their execution.
#![forbid(unsafe_code)]

pub mod executor;
pub mod trace;
