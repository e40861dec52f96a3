//! Streaming verification: a bundle is checked epoch by epoch as its bytes
//! arrive, in memory independent of the number of epochs.
//!
//! - [`seam`]: the trait the proof system implements
//!   ([`EpochProofVerifier`]) and what it is given ([`ChainContext`]).
//! - [`verifier`]: the push-based state machine ([`StreamVerifier`]).
//! - [`event`]: what it reports ([`Event`], [`Summary`]).
//! - [`error`]: why it rejects ([`VerifyError`]).
//! - `read` (with `std`): driving it from an `io::Read` in fixed chunks.

pub mod error;
pub mod event;
#[cfg(feature = "std")]
pub mod read;
pub mod seam;
pub mod verifier;

pub use error::{VerifyError, VerifyErrorKind};
pub use event::{Event, Summary, OUTPUT_CAP};
#[cfg(feature = "std")]
pub use read::{verify_reader, ReadError, READ_CHUNK};
pub use seam::{ChainContext, EpochProofVerifier, ProofRejected};
pub use verifier::StreamVerifier;
