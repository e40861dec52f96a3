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
pub mod security;
pub mod stark;
pub mod statement;
pub mod stream;

/// Version of the proving protocol (AIRs, hashing, transcript seeding). Every
/// Fiat–Shamir transcript is seeded with it, and a bundle made under another
/// version is rejected before any proof is checked.
pub const PROTOCOL_VERSION: u32 = 15;

/// Verifies a whole bundle from `reader` with the STARK verifier, one epoch
/// at a time as its bytes arrive, and returns what it proves. The bundle
/// must prove `expected_image_id` (`memory::image_id_from_elf` of the guest
/// ELF): a valid proof of another program is rejected. Decode a typed
/// output with [`stream::Summary::output`]. For events as they happen, or
/// proofs checked on several threads, see [`stream::verify_reader`] and
/// [`stream::verify_reader_parallel`].
#[cfg(feature = "std")]
pub fn verify_bundle<R: std::io::Read>(
    reader: R,
    expected_image_id: digest::Digest,
) -> Result<stream::Summary, stream::ReadError> {
    stream::verify_reader(
        reader,
        stark::StarkEpochVerifier,
        Some(expected_image_id),
        |_| {},
    )
}

/// What a verified bundle does and does not mean under this protocol
/// version. Every verifier front end (`prover verify`, `verify.js`, the
/// page) shows it next to a result, so no one mistakes "VERIFIED" for more
/// than it is (`docs/status.md`).
pub const SOUNDNESS_WARNING: &str =
    "NOTE: this protocol proves every epoch's memory reads and writes against the Merkle roots \
in its state digests (in-circuit page-in/page-out), every read and write syscall, and every \
Keccak-f permutation and SHA-256 compression a guest asks for. \
The proof system is new and unaudited; its security (104 bits at default parameters, 103 \
in zero-knowledge mode, by Plonky3's p3_security calculator on the real tables) is \
conjectured. See docs/status.md.";
