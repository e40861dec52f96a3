//! Precompiles: operations the VM proves with tables of their own instead
//! of RV32IM steps.
//!
//! - [`keccak_permute`] is Keccak-f[1600] as one syscall: one cycle instead
//!   of thousands, 24 rows of the Keccak table in the proof. [`Keccak256`]
//!   and [`keccak256`] build Keccak-256 (the Ethereum hash: Keccak padding,
//!   not SHA-3's) on it.
//! - [`sha256_compress`] is one SHA-256 compression as one syscall: 65 rows
//!   of the SHA-256 table. [`Sha256`] and [`sha256`] build SHA-256 on it.
//!
//! Outside the VM (host unit tests of guest code) both run in software, so
//! the same code gives the same digests everywhere.

mod keccak;
mod sha256;

pub use keccak::{keccak256, keccak_permute, Keccak256, KECCAK256_RATE, KECCAK_PERMUTE};
pub use sha256::{sha256, sha256_compress, Sha256, Sha256Buffer, SHA256_COMPRESS};
