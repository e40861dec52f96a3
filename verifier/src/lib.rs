//! The Sluice verifier core: `no_std` + `alloc`.
//!
//! Everything the verifier needs lives here, and so does everything the prover
//! shares with it (instruction decoding, the memory layout), so that the two
//! can never disagree about what a program means.
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod isa;
pub mod layout;
