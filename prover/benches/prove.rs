//! Proving throughput, proof size and verification time of one epoch.
//!
//! `cargo bench -p prover --bench prove` (heights from `SLUICE_BENCH_LOGS`,
//! default `12,14,16`). The guest is an endless loop of ADDI, MUL, SW, LW,
//! XOR and JAL, so every epoch is a full `Continue` epoch of `2^k` cycles.

use std::time::Instant;

use sluice_prover::executor::{Config, Executor, Program};
use sluice_prover::memory_image::MemoryImage;
use sluice_prover::prove::{prove_trace, statement_for};
use sluice_prover::trace::generate;
use sluice_verifier::air::epoch_airs;
use sluice_verifier::digest::Digest;
use sluice_verifier::isa::{Instruction as I, Opcode::*};
use sluice_verifier::params::ProofParams;
use sluice_verifier::stark::verify_epoch;

fn program() -> Vec<u32> {
    [
        I::i(Addi, 1, 0, 0),
        I::u(Lui, 2, 0x20000),
        I::i(Addi, 1, 1, 1),
        I::r(Mul, 3, 1, 1),
        I::s(Sw, 2, 3, 0),
        I::i(Lw, 4, 2, 0),
        I::r(Xor, 5, 4, 1),
        I::jal(0, -20),
    ]
    .iter()
    .map(|i| i.encode())
    .collect()
}

fn main() {
    let logs: Vec<u32> = std::env::var("SLUICE_BENCH_LOGS")
        .unwrap_or_else(|_| "12,14,16".into())
        .split(',')
        .map(|s| s.trim().parse().expect("log2 heights"))
        .collect();
    let airs = epoch_airs();
    println!(
        "tables: {}",
        airs.iter()
            .map(|a| format!(
                "{}={}",
                a.name(),
                <_ as p3_air::BaseAir<sluice_verifier::stark::config::Val>>::width(a)
            ))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let params = ProofParams::DEFAULT;
    let image = Digest([7; 8]);
    println!("| cycles | trace gen | prove | cycles/s (gen+prove) | proof bytes | verify |");
    println!("|---|---|---|---|---|---|");
    for k in logs {
        let p = Program::from_words(0x1_0000, &program()).unwrap();
        let cfg = Config {
            epoch_size_log2: k,
            max_cycles: 1 << 40,
        };
        let mut ex = Executor::new(&p, vec![], &cfg).unwrap();
        let record = ex.run_epoch().unwrap().unwrap();
        let t0 = Instant::now();
        let transition = MemoryImage::new(&p)
            .apply_epoch(&record, ex.memory())
            .unwrap();
        let st = statement_for(&record, &transition);
        let trace = generate(&record, &transition).unwrap();
        let t_gen = t0.elapsed();
        let t1 = Instant::now();
        let proof = prove_trace(&params, &image, k as u8, 0, &st, &trace).unwrap();
        let t_prove = t1.elapsed();
        let t2 = Instant::now();
        verify_epoch(&params, &image, k as u8, 0, &st, &proof).unwrap();
        let t_verify = t2.elapsed();
        let total = (t_gen + t_prove).as_secs_f64();
        println!(
            "| 2^{k} | {:.2} s | {:.2} s | {:.0} | {} | {:.0} ms |",
            t_gen.as_secs_f64(),
            t_prove.as_secs_f64(),
            record.cycles as f64 / total,
            proof.len(),
            t_verify.as_secs_f64() * 1e3
        );
    }
}
