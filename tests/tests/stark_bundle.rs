//! The real STARK behind both seams: the driver proves every epoch with
//! `StarkEpochProver` into a bundle, and the streaming verifier checks it
//! with `StarkEpochVerifier`; a tampered bundle is rejected.

use sluice_prover::bundle_writer::BundleWriter;
use sluice_prover::driver::{prove_bundle, DriverOptions, NoProgress};
use sluice_prover::executor::{Config, Executor, Program};
use sluice_prover::prove::StarkEpochProver;
use sluice_verifier::isa::{Instruction as I, Opcode::*};
use sluice_verifier::memory::image_id;
use sluice_verifier::params::ProofParams;
use sluice_verifier::stark::StarkEpochVerifier;
use sluice_verifier::stream::{ChainContext, StreamVerifier};

/// Sums 1..=20 with loads/stores and halves in memory, exits with the sum.
fn program() -> Program {
    let words: Vec<u32> = [
        I::i(Addi, 1, 0, 20),
        I::u(Lui, 2, 0x20000),
        I::i(Addi, 10, 0, 0),
        I::r(Add, 10, 10, 1), // loop
        I::s(Sh, 2, 10, 2),
        I::i(Lhu, 3, 2, 2),
        I::r(Sub, 4, 3, 10),
        I::b(Bne, 4, 0, 16), // never taken
        I::i(Addi, 1, 1, -1),
        I::b(Bne, 1, 0, -24), // -> loop
        I::i(Addi, 17, 0, 93),
        I::bare(Ecall),
    ]
    .iter()
    .map(|i| i.encode())
    .collect();
    Program::from_words(0x1_0000, &words).unwrap()
}

#[test]
fn a_bundle_of_stark_proofs_streams_through_the_verifier() {
    let program = program();
    let k = 5;
    let cfg = Config {
        epoch_size_log2: k,
        max_cycles: 1 << 20,
    };
    let mut ex = Executor::new(&program, vec![], &cfg).unwrap();
    ex.run().unwrap();
    let epochs = ex.epochs();
    assert!(epochs >= 3);
    let ctx = ChainContext {
        protocol_version: sluice_verifier::PROTOCOL_VERSION,
        params: ProofParams::DEFAULT,
        image_id: image_id(&program),
        epoch_size_log2: k as u8,
    };
    let prover = StarkEpochProver;
    let writer = BundleWriter::new(Vec::new(), &ctx).unwrap();
    let (_, bundle) = prove_bundle(
        &prover,
        &program,
        &[],
        &ctx,
        &DriverOptions::with_jobs(2),
        writer,
        &mut NoProgress,
    )
    .unwrap();

    let mut v = StreamVerifier::new(StarkEpochVerifier, Some(ctx.image_id));
    for chunk in bundle.chunks(1000) {
        v.push(chunk).unwrap();
    }
    let summary = v.finish().unwrap();
    assert_eq!(summary.epochs, epochs);
    assert_eq!(summary.exit_code, 210);

    // Flip one byte in the middle of the bundle (inside some proof).
    let mut bad = bundle.clone();
    let i = bad.len() / 2;
    bad[i] ^= 0x40;
    let mut v = StreamVerifier::new(StarkEpochVerifier, Some(ctx.image_id));
    let pushed = v.push(&bad);
    assert!(pushed.is_err() || v.finish().is_err());
}
