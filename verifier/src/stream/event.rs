//! What the stream verifier reports as it goes, and at the end.

use alloc::vec::Vec;

use crate::digest::Digest;
use crate::params::ProofParams;

/// First bytes of the public output kept for the [`Summary`] (64 KiB). The
/// whole output is covered by [`Summary::output_sha256`] and
/// [`Summary::output_len`]; keeping only a prefix keeps the verifier's
/// memory independent of the output's size.
pub const OUTPUT_CAP: usize = 1 << 16;

/// Progress of a [`super::StreamVerifier`], in stream order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// The header was read and accepted.
    Header {
        image_id: Digest,
        epoch_size_log2: u8,
        params: ProofParams,
        security_bits: u32,
    },
    /// Epoch `index` passed every check, its proof included; its proof has
    /// been dropped.
    EpochVerified {
        index: u64,
        cycles: u64,
        /// Public output bytes this epoch committed.
        output_len: u64,
        halted: bool,
    },
    /// The end record was read and matched; the bundle is complete.
    Done,
}

/// The verified claims of a complete bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub image_id: Digest,
    pub epochs: u64,
    pub cycles: u64,
    pub exit_code: u32,
    /// The first [`OUTPUT_CAP`] bytes of the public output.
    pub output: Vec<u8>,
    /// Length of the whole public output.
    pub output_len: u64,
    /// SHA-256 of the whole public output.
    pub output_sha256: [u8; 32],
    /// Whether the proofs were checked as zero-knowledge proofs (the
    /// header's `zk` parameter, bound into every transcript).
    pub zero_knowledge: bool,
}

impl Summary {
    /// Whether [`Summary::output`] is the whole public output.
    pub fn output_complete(&self) -> bool {
        self.output.len() as u64 == self.output_len
    }
}
