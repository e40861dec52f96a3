//! The seam between the proof system and the stream: what the stream
//! verifier asks of an epoch-proof verifier, and what it tells it.

use alloc::string::String;
use core::fmt;

use crate::digest::Digest;
use crate::params::ProofParams;
use crate::statement::EpochStatement;

/// Checks one epoch proof against its statement. Implemented by the STARK
/// verifier; test doubles only inside tests.
///
/// The stream verifier has already checked, before calling this, everything
/// that does not need the proof: the index is the next one, the statement
/// starts where the previous epoch ended (epoch 0: at the image ID), the
/// role and cycle count fit the epoch size, the output is within bounds. The
/// implementation must bind the proof to `ctx`, `index` and the whole
/// `statement` (Fiat–Shamir seeding) so that it fails anywhere else.
pub trait EpochProofVerifier {
    fn verify_epoch(
        &self,
        ctx: &ChainContext,
        index: u64,
        statement: &EpochStatement,
        proof: &[u8],
    ) -> Result<(), ProofRejected>;
}

impl<T: EpochProofVerifier + ?Sized> EpochProofVerifier for &T {
    fn verify_epoch(
        &self,
        ctx: &ChainContext,
        index: u64,
        statement: &EpochStatement,
        proof: &[u8],
    ) -> Result<(), ProofRejected> {
        (**self).verify_epoch(ctx, index, statement, proof)
    }
}

impl<T: EpochProofVerifier + ?Sized> EpochProofVerifier for alloc::boxed::Box<T> {
    fn verify_epoch(
        &self,
        ctx: &ChainContext,
        index: u64,
        statement: &EpochStatement,
        proof: &[u8],
    ) -> Result<(), ProofRejected> {
        (**self).verify_epoch(ctx, index, statement, proof)
    }
}

/// What every epoch of one bundle shares (from the bundle header).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainContext {
    pub protocol_version: u32,
    pub params: ProofParams,
    pub image_id: Digest,
    pub epoch_size_log2: u8,
}

impl ChainContext {
    /// The most cycles an epoch may run: `2^epoch_size_log2`.
    pub fn epoch_cycles(&self) -> u64 {
        1u64 << self.epoch_size_log2
    }
}

/// Why a proof was rejected: a short static reason plus detail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProofRejected {
    /// Which check failed, e.g. `"fri"`, `"constraints"`, `"deserialize"`.
    pub check: &'static str,
    /// Human-readable detail.
    pub detail: String,
}

impl ProofRejected {
    pub fn new(check: &'static str, detail: impl Into<String>) -> Self {
        ProofRejected {
            check,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for ProofRejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.detail.is_empty() {
            write!(f, "{}", self.check)
        } else {
            write!(f, "{}: {}", self.check, self.detail)
        }
    }
}
