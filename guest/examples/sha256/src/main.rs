//! Commits the SHA-256 digest (32 bytes) of the whole private input,
//! hashed with the SHA-256 precompile.
#![no_std]
#![no_main]

use sluice_guest::precompiles::Sha256;

sluice_guest::entry!(main);

#[repr(align(4))]
struct Aligned([u8; 1024]);

fn main() {
    // Hash in fixed chunks rather than reading everything first: constant
    // memory, whatever the input size.
    let mut hasher = Sha256::new();
    // Word aligned, so copying into the hasher's block moves whole words.
    let mut buf = Aligned([0u8; 1024]);
    loop {
        let n = sluice_guest::io::read_raw(&mut buf.0);
        hasher.update(&buf.0[..n]);
        if n < buf.0.len() {
            break;
        }
    }
    sluice_guest::io::commit_slice(&hasher.finalize());
}
