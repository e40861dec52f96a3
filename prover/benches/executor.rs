//! Executor throughput benchmark: a long arithmetic/memory loop built from
//! instruction words, run on the fast path and on the epoch-recording path.
//!
//! `cargo bench -p prover --bench executor [-- ITERATIONS]`
//! (default 100,000,000 iterations of an 8-instruction loop body).

use std::time::Instant;

use sluice_prover::executor::{execute, Config, Executor, Program};
use sluice_verifier::isa::{Instruction as I, Opcode::*};
use sluice_verifier::layout::GUEST_MEMORY_START;

const A0: u8 = 10;
const A7: u8 = 17;

/// The loop: per iteration, ALU ops, a store, a load, a multiply, a counter
/// update and a taken branch (8 instructions).
fn program(iterations: u32) -> Program {
    let buffer = 0x0010_0000u32;
    let words = [
        // x10 = iterations (lui+addi), x11 = 0 (acc), x12 = buffer
        I::u(Lui, 10, iterations.wrapping_add(0x800) & 0xffff_f000).encode(),
        I::i(Addi, 10, 10, ((iterations & 0xfff) as i32) << 20 >> 20).encode(),
        I::u(Lui, 12, buffer).encode(),
        // loop:
        I::r(Add, 11, 11, 10).encode(),
        I::r(Xor, 13, 11, 10).encode(),
        I::i(Slli, 14, 13, 3).encode(),
        I::s(Sw, 12, 14, 0).encode(),
        I::i(Lw, 15, 12, 0).encode(),
        I::r(Mul, 11, 15, 10).encode(),
        I::i(Addi, 10, 10, -1).encode(),
        I::b(Bne, 10, 0, -28).encode(),
        // exit(0)
        I::i(Addi, A0, 0, 0).encode(),
        I::i(Addi, A7, 0, 93).encode(),
        I::bare(Ecall).encode(),
    ];
    Program::from_words(GUEST_MEMORY_START, &words).expect("valid program")
}

fn main() {
    let iterations: u32 = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000_000);
    let program = program(iterations);
    let config = Config {
        epoch_size_log2: 20,
        max_cycles: u64::MAX,
    };
    let expected = 8 * iterations as u64 + 6;

    let t = Instant::now();
    let outcome = execute(&program, &[], &config).expect("runs");
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(outcome.cycles, expected);
    println!(
        "fast path:      {} cycles, {} epochs in {:.3} s = {:.1} MIPS",
        outcome.cycles,
        outcome.epochs,
        secs,
        outcome.cycles as f64 / secs / 1e6
    );

    let t = Instant::now();
    let mut ex = Executor::new(&program, Vec::new(), &config).expect("config");
    let (mut epochs, mut pages) = (0u64, 0usize);
    while let Some(epoch) = ex.run_epoch().expect("runs") {
        epochs += 1;
        pages += epoch.pages.len();
    }
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(ex.cycles(), expected);
    println!(
        "recording path: {} cycles, {} epochs ({} page-ins) in {:.3} s = {:.1} MIPS",
        ex.cycles(),
        epochs,
        pages,
        secs,
        ex.cycles() as f64 / secs / 1e6
    );
}
