//! The one place that decides which epoch proof verifier the WebAssembly
//! module runs. Everything else in this crate is generic over
//! [`EpochProofVerifier`] through [`ActiveProofVerifier`].
//!
//! * Shipped build (no features): the STARK verifier. Until
//!   `sluice_verifier::stark::StarkEpochVerifier` is merged, this is
//!   [`StarkNotWired`], which rejects every epoch — a module that cannot
//!   check proofs must never accept one.
//! * `test-double` feature (tests only): the hash-based test double from
//!   [`crate::test_double`], so the stream and the bindings can be tested end
//!   to end in Node and Chromium before the STARK exists. A module built this
//!   way says so through `proofVerifier()`, and `verify.js` and the page warn.

use alloc::string::ToString;

use sluice_verifier::statement::EpochStatement;
use sluice_verifier::stream::{ChainContext, EpochProofVerifier, ProofRejected};

/// The verifier the module runs; see the module docs.
#[cfg(not(feature = "test-double"))]
pub type ActiveProofVerifier = StarkNotWired;
/// The verifier the module runs; see the module docs.
#[cfg(feature = "test-double")]
pub type ActiveProofVerifier = crate::test_double::HashProofVerifier;

/// What `proofVerifier()` reports to JavaScript.
#[cfg(not(feature = "test-double"))]
pub const ACTIVE_PROOF_VERIFIER_NAME: &str = "stark-not-wired";
/// What `proofVerifier()` reports to JavaScript.
#[cfg(feature = "test-double")]
pub const ACTIVE_PROOF_VERIFIER_NAME: &str = "test-double";

/// Builds the verifier the module runs.
pub fn active_proof_verifier() -> ActiveProofVerifier {
    #[cfg(not(feature = "test-double"))]
    {
        StarkNotWired
    }
    #[cfg(feature = "test-double")]
    {
        crate::test_double::HashProofVerifier
    }
}

/// Stand-in for the STARK epoch verifier until it is merged: rejects every
/// epoch, naming why. Replace with `sluice_verifier::stark::StarkEpochVerifier`
/// in [`ActiveProofVerifier`] / [`active_proof_verifier`].
#[derive(Clone, Copy, Debug, Default)]
pub struct StarkNotWired;

impl EpochProofVerifier for StarkNotWired {
    fn verify_epoch(
        &self,
        _ctx: &ChainContext,
        _index: u64,
        _statement: &EpochStatement,
        _proof: &[u8],
    ) -> Result<(), ProofRejected> {
        Err(ProofRejected {
            check: "stark-verifier-not-wired",
            detail: "this build of the WebAssembly verifier has no STARK epoch verifier yet"
                .to_string(),
        })
    }
}
