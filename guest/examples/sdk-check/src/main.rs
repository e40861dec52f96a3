//! Exercises the SDK itself, for the end-to-end tests: reading all input
//! into a `Vec` (growing past its 4 KiB chunks), heap collections, zeroed
//! allocations, formatted host output, and `exit` with a chosen code.
//!
//! Public output: input length (u32 LE), the input reversed, the number of
//! distinct byte values (u32 LE), the sum of 0..10000 pushed into a Vec
//! (u64 LE), and the number of non-zero bytes in a fresh 64 KiB zeroed vector
//! (u32 LE, always 0). Stdout: "<len> bytes\n". Stderr: "sdk-check\n".
//! If the input starts with `exit:`, exits with the code in the next byte.
//!
//! Three other modes, chosen by the input's prefix:
//! - `frames:` then typed frames (`sluice_guest::io`): a `u32` count, then
//!   that many byte frames, read alternately with `io::read_vec` and (after
//!   a `u32` length frame) `io::read_slice`; commits `(len, byte sum)` as a
//!   `(u32, u64)` per frame.
//! - `oom:` allocates 768 MiB twice; the second allocation cannot fit in the
//!   heap, so the guest panics (exit code 101) with alloc's
//!   "memory allocation of … bytes failed".
//! - `stack:` sums 0..=50 000 by plain (non-tail) recursion, about 1.6 MiB of
//!   stack, and commits the sum as u64 LE.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt::Write;

sluice_guest::entry!(main);

/// Sum of 0..=n by recursion that the compiler cannot turn into a loop.
#[inline(never)]
fn recursive_sum(n: u64) -> u64 {
    if n == 0 {
        return 0;
    }
    let rest = recursive_sum(core::hint::black_box(n - 1));
    core::hint::black_box(n + rest)
}

/// The `frames:` mode.
fn frames() {
    use sluice_guest::io;
    let count: u32 = io::read();
    for i in 0..count {
        let bytes = if i % 2 == 0 {
            io::read_vec()
        } else {
            let len: u32 = io::read();
            let mut buf = vec![0u8; len as usize];
            io::read_slice(&mut buf);
            buf
        };
        let sum: u64 = bytes.iter().map(|&b| u64::from(b)).sum();
        io::commit(&(bytes.len() as u32, sum));
    }
}

fn main() {
    let mut tag = [0u8; 7];
    let got = sluice_guest::io::read_raw(&mut tag);
    if &tag[..got] == b"frames:" {
        return frames();
    }
    let mut data = tag[..got].to_vec();
    data.extend(sluice_guest::io::read_to_end());
    if data.starts_with(b"oom:") {
        // black_box: otherwise the unused allocations are optimised away.
        let first: Vec<u8> = core::hint::black_box(Vec::with_capacity(768 << 20));
        let second: Vec<u8> = core::hint::black_box(Vec::with_capacity(768 << 20));
        // Unreachable: the second allocation does not fit.
        sluice_guest::io::commit_slice(&(first.capacity() + second.capacity()).to_le_bytes());
        return;
    }
    if data.starts_with(b"stack:") {
        sluice_guest::io::commit_slice(&recursive_sum(50_000).to_le_bytes());
        return;
    }
    assert!(
        sluice_guest::io::read_raw(&mut [0u8; 8]) == 0,
        "input exhausted"
    );
    sluice_guest::io::commit_slice(&(data.len() as u32).to_le_bytes());
    let reversed: Vec<u8> = data.iter().rev().copied().collect();
    sluice_guest::io::commit_slice(&reversed);

    let mut counts = BTreeMap::new();
    for &b in &data {
        *counts.entry(b).or_insert(0u32) += 1;
    }
    sluice_guest::io::commit_slice(&(counts.len() as u32).to_le_bytes());

    let mut numbers = Vec::new();
    for i in 0..10_000u64 {
        numbers.push(i);
    }
    sluice_guest::io::commit_slice(&numbers.iter().sum::<u64>().to_le_bytes());

    // black_box: keep the compiler from proving the vector zero by itself.
    let zeroed = core::hint::black_box(vec![0u8; 1 << 16]);
    let nonzero = zeroed.iter().filter(|&&b| b != 0).count() as u32;
    sluice_guest::io::commit_slice(&nonzero.to_le_bytes());
    assert!(sluice_guest::heap_used() >= data.len() + (1 << 16));

    let mut line = String::new();
    let _ = write!(line, "{} bytes", data.len());
    sluice_guest::println!("{line}");
    sluice_guest::eprint("sdk-check\n");

    if let Some(rest) = data.strip_prefix(b"exit:") {
        sluice_guest::exit(rest.first().copied().unwrap_or(0).into());
    }
}
