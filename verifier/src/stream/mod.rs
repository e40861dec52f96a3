//! Streaming verification: a bundle is checked epoch by epoch as its bytes
//! arrive, in memory independent of the number of epochs.
//!
//! - [`seam`]: the trait the proof system implements
//!   ([`EpochProofVerifier`]) and what it is given ([`ChainContext`]).
//! - [`checker`]: the push-based state machine for everything but the
//!   proofs ([`StreamChecker`]), which it hands out as [`EpochJob`]s.
//! - [`job`]: one epoch's proof check, runnable on any thread.
//! - [`verifier`]: the sequential verifier ([`StreamVerifier`]): the checker
//!   plus each job run in place.
//! - [`event`]: what it reports ([`Event`], [`Summary`]).
//! - [`error`]: why it rejects ([`VerifyError`]).
//! - [`output`]: the guest's committed values, decoded ([`Summary::output`]).
//! - `read` (with `std`): driving it from an `io::Read` in fixed chunks.
//! - `parallel` (with `std`): the same, with proofs checked on N threads.

pub mod checker;
pub mod error;
pub mod event;
pub mod job;
pub mod output;
#[cfg(feature = "std")]
pub mod parallel;
#[cfg(feature = "std")]
pub mod read;
pub mod seam;
pub mod verifier;

pub use checker::{Step, StreamChecker};
pub use error::{VerifyError, VerifyErrorKind};
pub use event::{Event, Summary, OUTPUT_CAP};
pub use job::EpochJob;
pub use output::{OutputError, OutputReader};
#[cfg(feature = "std")]
pub use parallel::verify_reader_parallel;
#[cfg(feature = "std")]
pub use read::{read_some, verify_reader, ReadError, READ_CHUNK};
pub use seam::{ChainContext, EpochProofVerifier, ProofRejected};
pub use verifier::StreamVerifier;
