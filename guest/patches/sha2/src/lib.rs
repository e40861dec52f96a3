//! `sha2` 0.10 for Sluice guests: the same public API (`Sha224`, `Sha256`,
//! `Sha384`, `Sha512`, `Sha512_224`, `Sha512_256`, `Digest`, `compress256`,
//! `compress512`, the `VarCore`s), so that a `[patch.crates-io]` entry routes
//! every dependency's SHA-256 through the VM's `sha256_compress` precompile:
//! about 2 guest cycles per hashed byte instead of 63.
//!
//! SHA-384 and the SHA-512 family have no precompile; they run in software
//! here, as they would with the original crate.
#![no_std]

#[cfg(feature = "std")]
extern crate std;

pub use digest::{self, Digest};

#[cfg(feature = "oid")]
use digest::const_oid::{AssociatedOid, ObjectIdentifier};
use digest::consts::{U28, U32, U48, U64};
use digest::core_api::{CoreWrapper, CtVariableCoreWrapper};
use digest::impl_oid_carrier;

mod sha256;
mod sha512;

pub use sha256::{compress256, Sha256VarCore};
pub use sha512::{compress512, Sha512VarCore};

impl_oid_carrier!(OidSha224, "2.16.840.1.101.3.4.2.4");
impl_oid_carrier!(OidSha256, "2.16.840.1.101.3.4.2.1");
impl_oid_carrier!(OidSha384, "2.16.840.1.101.3.4.2.2");
impl_oid_carrier!(OidSha512, "2.16.840.1.101.3.4.2.3");
impl_oid_carrier!(OidSha512_224, "2.16.840.1.101.3.4.2.5");
impl_oid_carrier!(OidSha512_256, "2.16.840.1.101.3.4.2.6");

/// SHA-224, on the SHA-256 precompile.
pub type Sha224 = CoreWrapper<CtVariableCoreWrapper<Sha256VarCore, U28, OidSha224>>;
/// SHA-256, on the SHA-256 precompile.
pub type Sha256 = CoreWrapper<CtVariableCoreWrapper<Sha256VarCore, U32, OidSha256>>;
/// SHA-384, in software.
pub type Sha384 = CoreWrapper<CtVariableCoreWrapper<Sha512VarCore, U48, OidSha384>>;
/// SHA-512, in software.
pub type Sha512 = CoreWrapper<CtVariableCoreWrapper<Sha512VarCore, U64, OidSha512>>;
/// SHA-512/224, in software.
pub type Sha512_224 = CoreWrapper<CtVariableCoreWrapper<Sha512VarCore, U28, OidSha512_224>>;
/// SHA-512/256, in software.
pub type Sha512_256 = CoreWrapper<CtVariableCoreWrapper<Sha512VarCore, U32, OidSha512_256>>;

#[cfg(test)]
mod tests;
