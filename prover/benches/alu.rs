//! Proving cost of each arithmetic table.
//!
//! For every table: 2^14 (or `ALU_BENCH_LOG_EVENTS`) pseudo-random operations
//! spread over the table's opcodes, proved in one batch with the Range table
//! and the test driver that sends the ALU messages (the CPU's stand-in).
//! The baseline row proves the same batch with the table emptied (8 padding
//! rows; its proof does not verify, only its proving time is used), so
//! `table` = total − baseline is the table's marginal cost.
//!
//! Run: `cargo bench -p prover --bench alu`.

use std::time::Instant;

use sluice_prover::trace::alu::harness::{reference, table_index, Batch};
use sluice_prover::trace::alu::{min_height, AluEvent, AluTable};
use sluice_prover::trace::range::ByteCounts;
use sluice_verifier::isa::Opcode;
use sluice_verifier::params::ProofParams;

fn ops(t: AluTable) -> &'static [Opcode] {
    use Opcode::*;
    match t {
        AluTable::AddSub => &[Add, Sub],
        AluTable::Logic => &[And, Or, Xor],
        AluTable::Compare => &[Slt, Sltu],
        AluTable::Shift => &[Sll, Srl, Sra],
        AluTable::Mul => &[Mul, Mulh, Mulhsu, Mulhu],
        AluTable::DivRem => &[Div, Divu, Rem, Remu],
    }
}

fn main() {
    let log_events: u32 = std::env::var("ALU_BENCH_LOG_EVENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(14);
    let n = 1usize << log_events;
    let params = ProofParams::DEFAULT;
    println!(
        "# {n} events per table, params {:?}, {} threads",
        params,
        rayon::current_num_threads()
    );
    println!("table    ops  width  height  tracegen_ms  prove_ms  baseline_prove_ms  table_prove_ms  verify_ms");
    let mut seed: u64 = 0x5eed;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 32) as u32
    };
    for t in AluTable::ALL {
        let ops = ops(t);
        let events: Vec<AluEvent> = (0..n)
            .map(|i| (ops[i % ops.len()], next(), next()))
            .collect();

        let tg = Instant::now();
        let batch = Batch::new(&events, reference);
        let tracegen = tg.elapsed();
        let idx = table_index(t);
        let width = batch.traces[idx].width;
        let height = batch.traces[idx].values.len() / width;
        let timing = batch
            .prove_and_verify_timed(&params)
            .expect("honest batch verifies");

        let mut baseline = Batch::new(&events, reference);
        baseline.traces[idx] = t.trace(&[], &mut ByteCounts::default(), min_height());
        // Unbalanced bus: proving succeeds (no debug checks in bench
        // builds); only the proving time is used.
        let base = baseline.prove_timed(&params).expect("baseline proves");

        println!(
            "{:<8} {:>4} {:>6} {:>7} {:>12} {:>9} {:>18} {:>15} {:>10}",
            format!("{t:?}"),
            ops.len(),
            width,
            height,
            tracegen.as_millis(),
            timing.prove.as_millis(),
            base.as_millis(),
            timing.prove.as_millis() as i128 - base.as_millis() as i128,
            timing.verify.as_millis(),
        );
    }
}
