//! Commits the SHA-256 digest (32 bytes) of the whole private input,
//! hashed in software with the `sha2` crate: the baseline the `sha256`
//! example (the precompile) is measured against.
#![no_std]
#![no_main]

use sha2::{Digest, Sha256};

sluice_guest::entry!(main);

fn main() {
    // Hash in fixed chunks rather than reading everything first: constant
    // memory, whatever the input size.
    let mut hasher = Sha256::new();
    let mut buf = [0u8; 1024];
    loop {
        let n = sluice_guest::io::read_raw(&mut buf);
        hasher.update(&buf[..n]);
        if n < buf.len() {
            break;
        }
    }
    sluice_guest::io::commit_slice(&hasher.finalize());
}
