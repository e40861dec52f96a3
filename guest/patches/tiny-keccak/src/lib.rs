//! `tiny-keccak` 2.0 for Sluice guests: the same public API for the FIPS 202
//! functions (`Keccak`, `Sha3`, `Shake`, `keccakf` and the `Hasher`, `Xof`
//! and `IntoXof` traits), so that a `[patch.crates-io]` entry routes every
//! dependency's Keccak through the VM's `keccak_permute` precompile: about
//! 2 guest cycles per hashed byte instead of 128.
//!
//! cSHAKE, KMAC, TupleHash, ParallelHash and KangarooTwelve (the `cshake`,
//! `kmac`, `tuple_hash`, `parallel_hash`, `sp800` and `k12` features) are
//! not provided; a build that enables one stops with a message.
#![no_std]

#[cfg(any(feature = "cshake", feature = "k12"))]
compile_error!(
    "the Sluice replacement of tiny-keccak provides only Keccak, SHA-3 and SHAKE \
     (features keccak, sha3, shake, fips202); a dependency enabled cSHAKE, KMAC, \
     TupleHash, ParallelHash or KangarooTwelve: remove the [patch.crates-io] entry \
     for tiny-keccak to use the software crate"
);

use sluice_precompiles::{keccak_permute, KeccakSponge};

/// A hash function: absorb with `update`, then write the digest.
pub trait Hasher {
    /// Absorbs `input`.
    fn update(&mut self, input: &[u8]);
    /// Pads and writes `output.len()` bytes of output.
    fn finalize(self, output: &mut [u8]);
}

/// A hash function with output of any length.
pub trait Xof {
    /// Writes the next `output.len()` bytes of output.
    fn squeeze(&mut self, output: &mut [u8]);
}

/// A hasher that can turn into an [`Xof`].
pub trait IntoXof {
    type Xof: Xof;
    fn into_xof(self) -> Self::Xof;
}

/// Keccak-f[1600] on 25 lanes, as one precompile call inside the VM.
pub fn keccakf(a: &mut [u64; 25]) {
    keccak_permute(a);
}

/// The rate in bytes of a sponge with `bits` of security output.
const fn rate(bits: usize) -> usize {
    200 - bits / 4
}

macro_rules! sponge_hasher {
    ($(#[$doc:meta])* $name:ident, $feature:literal, $delim:expr, [$($ctor:ident = $bits:expr),+]) => {
        $(#[$doc])*
        #[cfg(feature = $feature)]
        #[derive(Clone)]
        pub struct $name(KeccakSponge);

        #[cfg(feature = $feature)]
        impl $name {
            $(
                #[doc = concat!("The ", stringify!($bits), "-bit variant.")]
                pub const fn $ctor() -> Self {
                    $name(KeccakSponge::new(rate($bits), $delim))
                }
            )+
        }

        #[cfg(feature = $feature)]
        impl Hasher for $name {
            fn update(&mut self, input: &[u8]) {
                self.0.absorb(input);
            }

            fn finalize(mut self, output: &mut [u8]) {
                self.0.squeeze(output);
            }
        }
    };
}

sponge_hasher!(
    /// Keccak with the original padding (Ethereum's Keccak-256 is `v256`).
    Keccak, "keccak", 0x01, [v224 = 224, v256 = 256, v384 = 384, v512 = 512]
);
sponge_hasher!(
    /// SHA-3 (FIPS 202).
    Sha3, "sha3", 0x06, [v224 = 224, v256 = 256, v384 = 384, v512 = 512]
);
sponge_hasher!(
    /// SHAKE128 and SHAKE256 (FIPS 202), extendable output.
    Shake, "shake", 0x1f, [v128 = 128, v256 = 256]
);

#[cfg(feature = "shake")]
impl Xof for Shake {
    fn squeeze(&mut self, output: &mut [u8]) {
        self.0.squeeze(output);
    }
}

#[cfg(all(test, feature = "keccak", feature = "sha3", feature = "shake"))]
mod tests;
