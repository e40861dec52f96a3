//! The Sluice prover: executes RV32IM guests and proves their execution.
#![deny(unsafe_code)]

pub mod bundle_writer;
pub mod distributed;
pub mod driver;
pub mod executor;
pub mod heap;
pub mod host;
pub mod memory_image;
pub mod pcs;
pub mod prove;
pub mod resume;
pub mod sizing;
pub mod trace;
