//! Reads `n` (little-endian u32) from the private input, counts the primes
//! below `n` with a sieve of Eratosthenes on the heap, and commits the count
//! as a little-endian u32. Long-running on purpose: n = 200 000 takes
//! millions of cycles, i.e. many epochs.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec;

sluice_guest::entry!(main);

fn count_primes_below(n: usize) -> u32 {
    if n < 3 {
        return 0;
    }
    // composite[i] for every i < n; 0 and 1 are neither, so start at 2.
    let mut composite = vec![false; n];
    let mut count = 0;
    for i in 2..n {
        if composite[i] {
            continue;
        }
        count += 1;
        // Multiples below i*i were crossed off by smaller primes.
        let mut j = match i.checked_mul(i) {
            Some(sq) if sq < n => sq,
            _ => continue,
        };
        while j < n {
            composite[j] = true;
            j += i;
        }
    }
    count
}

fn main() {
    let mut n = [0u8; 4];
    let got = sluice_guest::io::read_raw(&mut n);
    assert!(
        got == 4,
        "input must be n as a 4-byte little-endian u32, got {got} bytes"
    );
    let n = u32::from_le_bytes(n) as usize;
    sluice_guest::io::commit_slice(&count_primes_below(n).to_le_bytes());
}
