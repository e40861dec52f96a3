//! Commits SHA-256 and then Keccak-256 (64 bytes) of the whole private
//! input, computed with the `sha2` and `tiny-keccak` APIs. This workspace
//! patches both crates (`guest/patches/Cargo.toml`), so the hashing runs on
//! the VM's precompiles: any dependency that uses them gets the same.
#![no_std]
#![no_main]

use sha2::{Digest, Sha256};
use tiny_keccak::{Hasher, Keccak};

sluice_guest::entry!(main);

#[repr(align(8))]
struct Aligned([u8; 1024]);

fn main() {
    let mut sha256 = Sha256::new();
    let mut keccak = Keccak::v256();
    let mut buf = Aligned([0u8; 1024]);
    loop {
        let n = sluice_guest::io::read_raw(&mut buf.0);
        sha256.update(&buf.0[..n]);
        keccak.update(&buf.0[..n]);
        if n < buf.0.len() {
            break;
        }
    }
    let mut keccak256 = [0u8; 32];
    keccak.finalize(&mut keccak256);
    sluice_guest::io::commit_slice(&sha256.finalize());
    sluice_guest::io::commit_slice(&keccak256);
}
