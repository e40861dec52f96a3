//! `keccak`'s output computed in software (the `tiny-keccak` crate, no
//! precompile): the baseline the precompile is measured against.
#![no_std]
#![no_main]

use tiny_keccak::{Hasher, Keccak};

sluice_guest::entry!(main);

fn main() {
    let mut hasher = Keccak::v256();
    let mut buf = [0u8; 1024];
    loop {
        let n = sluice_guest::io::read_raw(&mut buf);
        hasher.update(&buf[..n]);
        if n < buf.len() {
            break;
        }
    }
    let mut digest = [0u8; 32];
    hasher.finalize(&mut digest);
    sluice_guest::io::commit_slice(&digest);
}
