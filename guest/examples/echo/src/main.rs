//! Commits its whole private input as its public output: the example that
//! measures what the SDK's input and output cost per byte
//! (`docs/benchmarks.md`).
#![no_std]
#![no_main]

sluice_guest::entry!(main);

fn main() {
    let input = sluice_guest::io::read_to_end();
    sluice_guest::io::commit_slice(&input);
}
