//! Finds the start below 100 whose Collatz sequence takes the most steps
//! to reach 1, and exits with that start as its exit code (97, 118 steps).
//!
//! It reads no input and writes no output: its whole result is the exit
//! code, which every epoch proof chain ends with. That makes it the example
//! the current proof system can prove end to end — the STARK does not yet
//! constrain `read`/`write` syscalls or sub-word loads and stores
//! (`docs/status.md`), and this guest needs neither.
#![no_std]
#![no_main]

sluice_guest::entry!(main);

const LIMIT: u32 = 100;

fn steps(mut n: u64) -> u32 {
    let mut count = 0;
    while n != 1 {
        n = if n % 2 == 0 { n / 2 } else { 3 * n + 1 };
        count += 1;
    }
    count
}

fn main() {
    let (mut best, mut best_steps) = (1, 0);
    for start in 1..LIMIT {
        let s = steps(start as u64);
        if s > best_steps {
            best = start;
            best_steps = s;
        }
    }
    sluice_guest::exit(best);
}
