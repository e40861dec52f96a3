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

pub mod air;
pub mod bundle;
pub mod digest;
pub mod elf;
pub mod isa;
pub mod layout;
pub mod memory;
pub mod params;
pub mod stark;
pub mod statement;
pub mod stream;

/// Version of the proving protocol (AIRs, hashing, transcript seeding). Every
/// Fiat–Shamir transcript is seeded with it, and a bundle made under another
/// version is rejected before any proof is checked.
pub const PROTOCOL_VERSION: u32 = 1;
