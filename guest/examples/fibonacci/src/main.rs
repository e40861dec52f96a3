//! Reads `n` (little-endian u32) from the private input and commits fib(n)
//! as a little-endian u64, with wrapping addition (fib(0) = 0, fib(1) = 1).
#![no_std]
#![no_main]

sluice_guest::entry!(main);

fn fib(n: u32) -> u64 {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        let next = a.wrapping_add(b);
        a = b;
        b = next;
    }
    a
}

fn main() {
    let mut n = [0u8; 4];
    let got = sluice_guest::io::read_raw(&mut n);
    assert!(
        got == 4,
        "input must be n as a 4-byte little-endian u32, got {got} bytes"
    );
    let n = u32::from_le_bytes(n);
    sluice_guest::io::commit_slice(&fib(n).to_le_bytes());
}
