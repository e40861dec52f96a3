//! What one epoch proof claims: its public statement.
//!
//! Epoch `i` proves that, starting from the state digest `start`, the machine
//! runs `cycles` cycles and reaches the state digest `end`, writing `output`
//! to the public output descriptor on the way. A `Halt` epoch also proves the
//! guest halted with `exit_code` at its last cycle. The verifier chains
//! statements: epoch 0 starts at the image ID, every later epoch starts where
//! the previous one ended, and only the last epoch halts.

use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::digest::Digest;

/// Whether an epoch ends the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EpochRole {
    /// Runs at most `2^epoch_size_log2` cycles (fewer when the executor cut
    /// it early so that its tables fit) and does not halt.
    Continue,
    /// Halts at its last cycle (an `exit` ecall) with this exit code; runs
    /// between 1 and `2^epoch_size_log2` cycles.
    Halt { exit_code: u32 },
}

/// The public statement of one epoch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpochStatement {
    /// State digest `H(pc, memory_root)` before the epoch's first cycle.
    pub start: Digest,
    /// State digest after its last cycle.
    pub end: Digest,
    /// Cycles executed in this epoch.
    pub cycles: u64,
    pub role: EpochRole,
    /// Bytes written to the public output descriptor during this epoch.
    pub output: Vec<u8>,
}
