//! The one place that decides which epoch proof verifier the WebAssembly
//! module runs. Everything else in this crate is generic over
//! [`EpochProofVerifier`](sluice_verifier::stream::EpochProofVerifier)
//! through [`ActiveProofVerifier`].
//!
//! * Shipped build (no features): the STARK verifier,
//!   [`sluice_verifier::stark::StarkEpochVerifier`] — the same code
//!   `prover verify` runs natively.
//! * `test-double` feature (tests only): the hash-based test double from
//!   [`crate::test_double`], so the stream and the bindings can be tested
//!   with bundles of any shape cheaply. A module built this way says so
//!   through `proofVerifier()`, and `verify.js` and the page warn.

/// The verifier the module runs; see the module docs.
#[cfg(not(feature = "test-double"))]
pub type ActiveProofVerifier = sluice_verifier::stark::StarkEpochVerifier;
/// The verifier the module runs; see the module docs.
#[cfg(feature = "test-double")]
pub type ActiveProofVerifier = crate::test_double::HashProofVerifier;

/// What `proofVerifier()` reports to JavaScript.
#[cfg(not(feature = "test-double"))]
pub const ACTIVE_PROOF_VERIFIER_NAME: &str = "stark";
/// What `proofVerifier()` reports to JavaScript.
#[cfg(feature = "test-double")]
pub const ACTIVE_PROOF_VERIFIER_NAME: &str = "test-double";

/// Builds the verifier the module runs.
pub fn active_proof_verifier() -> ActiveProofVerifier {
    #[cfg(not(feature = "test-double"))]
    {
        sluice_verifier::stark::StarkEpochVerifier
    }
    #[cfg(feature = "test-double")]
    {
        crate::test_double::HashProofVerifier
    }
}
