//! Commits its whole private input as its public output: the example that
//! measures what the SDK's input and output cost per byte
//! (`docs/benchmarks.md`).
#![no_std]
#![no_main]

sluice_guest::entry!(main);

fn main() {
    let input = sluice_guest::read_input_to_vec();
    sluice_guest::commit(&input);
}
