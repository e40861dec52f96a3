//! The Sluice VM's precompiles: operations the VM proves with tables of
//! their own instead of RV32IM steps, and the hashes built on them.
//!
//! - [`keccak_permute`] is Keccak-f[1600] as one syscall: one cycle instead
//!   of thousands, 24 rows of the Keccak table in the proof. [`KeccakSponge`]
//!   is the sponge on it (any rate and padding: Keccak, SHA-3, SHAKE), and
//!   [`Keccak256`] / [`keccak256`] the Ethereum hash.
//! - [`sha256_compress`] is one SHA-256 compression as one syscall: 65 rows
//!   of the SHA-256 table. [`Sha256`] and [`sha256`] build SHA-256 on it.
//!
//! Outside the VM (host unit tests of guest code, build scripts) both run
//! in software, so the same code gives the same digests everywhere.
//!
//! This crate has no dependencies, so that the `[patch.crates-io]`
//! replacements of `sha2` and `tiny-keccak` in `guest/patches/` can build on
//! it without a cycle. Guests normally reach it as
//! `sluice_guest::precompiles`.
#![no_std]

#[cfg(test)]
extern crate alloc;

/// Lower-case hex of a digest, for the tests' known answers.
#[cfg(test)]
fn hex(bytes: &[u8]) -> alloc::string::String {
    bytes.iter().map(|b| alloc::format!("{b:02x}")).collect()
}

mod keccak;
#[cfg(any(test, not(target_arch = "riscv32")))]
mod keccak_f;
mod sha256;
#[cfg(any(test, not(target_arch = "riscv32")))]
mod sha256_soft;

pub use keccak::{
    keccak256, keccak_permute, Keccak256, KeccakSponge, KECCAK256_RATE, KECCAK_PERMUTE,
};
pub use sha256::{sha256, sha256_compress, Sha256, Sha256Buffer, SHA256_COMPRESS, SHA256_IV};
