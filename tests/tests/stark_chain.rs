//! The real pipeline end to end: executor → Merkle memory image → STARK epoch
//! proofs → bundle → streaming verifier with the STARK verifier, and the
//! attacks on the chain that only real proofs can answer (a proof moved to
//! another index, run or statement; a forged memory root).

use sluice_prover::bundle_writer::BundleWriter;
use sluice_prover::driver::{prove_bundle, DriverOptions, EpochProver, EpochWork, NoProgress};
use sluice_prover::executor::{Config, Executor, Program};
use sluice_prover::memory_image::MemoryImage;
use sluice_prover::prove::{params_under_test, StarkEpochProver};
use sluice_verifier::digest::{Digest, KOALABEAR_MODULUS};
use sluice_verifier::isa::{Instruction as I, Opcode::*};
use sluice_verifier::layout::GUEST_MEMORY_START;
use sluice_verifier::memory::image_id;
use sluice_verifier::stark::config::{EpochStarkConfig, SluiceConfig, SluiceZkConfig};
use sluice_verifier::stark::{decode_proof, encode_proof, EpochProof, StarkEpochVerifier};
use sluice_verifier::statement::{EpochRole, EpochStatement};
use sluice_verifier::stream::{ChainContext, EpochProofVerifier, StreamVerifier};
use sluice_verifier::PROTOCOL_VERSION;

const K: u8 = 5;

/// Sums 1..=n in a loop of ALU ops and a taken branch, then exits with the
/// sum's low byte xor `salt` (so two salts are two different programs).
fn summing_program(n: i32, salt: i32) -> Program {
    let words = [
        I::i(Addi, 5, 0, n).encode(),     // t0 = n
        I::i(Addi, 6, 0, 0).encode(),     // t1 = 0
        I::r(Add, 6, 6, 5).encode(),      // loop: t1 += t0
        I::i(Addi, 5, 5, -1).encode(),    //       t0 -= 1
        I::b(Bne, 5, 0, -8).encode(),     //       while t0 != 0
        I::i(Andi, 10, 6, 0xff).encode(), // a0 = t1 & 0xff
        I::i(Xori, 10, 10, salt).encode(),
        I::i(Addi, 17, 0, 93).encode(), // exit
        I::bare(Ecall).encode(),
    ];
    Program::from_words(GUEST_MEMORY_START, &words).expect("valid program")
}

fn ctx_for(program: &Program) -> ChainContext {
    ChainContext {
        protocol_version: PROTOCOL_VERSION,
        params: params_under_test(),
        image_id: image_id(program),
        epoch_size_log2: K,
    }
}

/// Every epoch of `program` proven directly: `(index, statement, proof)`.
fn prove_epochs(program: &Program, ctx: &ChainContext) -> Vec<(u64, EpochStatement, Vec<u8>)> {
    let config = Config {
        epoch_size_log2: K.into(),
        ..Config::default()
    };
    let mut executor = Executor::new(program, Vec::new(), &config).unwrap();
    let mut image = MemoryImage::new(program);
    let mut out = Vec::new();
    while let Some(record) = executor.run_epoch().unwrap() {
        let transition = image.apply_epoch(&record, executor.memory()).unwrap();
        let work = EpochWork { record, transition };
        let (statement, proof) = StarkEpochProver.prove_epoch(ctx, &work, &[]).unwrap();
        out.push((work.record.index, statement, proof));
    }
    out
}

fn bundle(program: &Program, ctx: &ChainContext) -> Vec<u8> {
    let writer = BundleWriter::new(Vec::new(), ctx).unwrap();
    let (_, bytes) = prove_bundle(
        &StarkEpochProver,
        program,
        &[],
        ctx,
        &DriverOptions::with_jobs(2),
        writer,
        &mut NoProgress,
    )
    .unwrap();
    bytes
}

#[test]
fn a_multi_epoch_run_proves_and_verifies_as_a_stream() {
    let program = summing_program(30, 0);
    let ctx = ctx_for(&program);
    let bytes = bundle(&program, &ctx);
    let mut v = StreamVerifier::new(StarkEpochVerifier, Some(ctx.image_id));
    for chunk in bytes.chunks(1000) {
        v.push(chunk).unwrap();
    }
    let summary = v.finish().unwrap();
    let expected = Executor::new(&program, Vec::new(), &Config::default())
        .unwrap()
        .outcome_after_run();
    assert_eq!(summary.image_id, ctx.image_id);
    assert_eq!(summary.cycles, expected.0);
    assert_eq!(summary.exit_code, expected.1);
    assert_eq!(summary.exit_code, (465 & 0xff) as u32);
    assert!(summary.epochs >= 3, "{} epochs", summary.epochs);
}

/// Runs to the halt on the fast path: `(cycles, exit code)`.
trait RunToEnd {
    fn outcome_after_run(self) -> (u64, u32);
}
impl RunToEnd for Executor {
    fn outcome_after_run(mut self) -> (u64, u32) {
        self.run().unwrap();
        (self.cycles(), self.exit_code().unwrap())
    }
}

#[test]
fn the_expected_image_id_of_another_program_is_refused() {
    let program = summing_program(10, 0);
    let ctx = ctx_for(&program);
    let bytes = bundle(&program, &ctx);
    let other = image_id(&summing_program(10, 1));
    assert_ne!(other, ctx.image_id);
    let mut v = StreamVerifier::new(StarkEpochVerifier, Some(other));
    let err = v
        .push(&bytes)
        .map(|_| ())
        .and_then(|_| v.finish().map(|_| ()));
    assert!(err.is_err());
}

#[test]
fn every_epoch_proof_is_bound_to_its_index_run_and_statement() {
    let program = summing_program(12, 0);
    let ctx = ctx_for(&program);
    let epochs = prove_epochs(&program, &ctx);
    assert!(epochs.len() >= 2);
    let v = StarkEpochVerifier;
    for (index, statement, proof) in &epochs {
        v.verify_epoch(&ctx, *index, statement, proof)
            .unwrap_or_else(|e| panic!("honest epoch {index}: {e}"));
    }
    let (index, statement, proof) = &epochs[0];

    // Moved to another index.
    assert!(v.verify_epoch(&ctx, index + 1, statement, proof).is_err());

    // Another run: same shape, different program, so a different image ID.
    let other_ctx = ctx_for(&summing_program(12, 1));
    assert!(v
        .verify_epoch(&other_ctx, *index, statement, proof)
        .is_err());

    // Another epoch size or parameters.
    let resized = ChainContext {
        epoch_size_log2: K + 1,
        ..ctx
    };
    assert!(v.verify_epoch(&resized, *index, statement, proof).is_err());

    // A statement that lies about where the epoch ends, its role, or output.
    let mut lie = statement.clone();
    lie.end = epochs[1].1.end;
    assert!(v.verify_epoch(&ctx, *index, &lie, proof).is_err());
    let mut lie = statement.clone();
    lie.output = b"x".to_vec();
    assert!(v.verify_epoch(&ctx, *index, &lie, proof).is_err());
    let (last_index, last, last_proof) = epochs.last().unwrap();
    let mut lie = last.clone();
    if let EpochRole::Halt { exit_code } = lie.role {
        lie.role = EpochRole::Halt {
            exit_code: exit_code ^ 1,
        };
    }
    assert!(v.verify_epoch(&ctx, *last_index, &lie, last_proof).is_err());

    // A proof of one epoch offered for another epoch's statement.
    assert!(v
        .verify_epoch(&ctx, epochs[1].0, &epochs[1].1, proof)
        .is_err());
}

#[test]
fn a_forged_memory_root_or_pc_in_the_proof_is_refused() {
    if params_under_test().zk {
        forged_roots_are_refused::<SluiceZkConfig>();
    } else {
        forged_roots_are_refused::<SluiceConfig>();
    }
}

fn forged_roots_are_refused<SC: EpochStarkConfig>() {
    let program = summing_program(8, 0);
    let ctx = ctx_for(&program);
    let epochs = prove_epochs(&program, &ctx);
    let (index, statement, proof) = &epochs[0];
    let forge = |edit: &dyn Fn(&mut EpochProof<SC>)| {
        let mut p = decode_proof(proof).unwrap();
        edit(&mut p);
        StarkEpochVerifier
            .verify_epoch(&ctx, *index, statement, &encode_proof(&p))
            .expect_err("a forged proof must not verify")
    };
    for err in [
        forge(&|p| p.start_root.0[0] ^= 1),
        forge(&|p| p.end_root.0[7] ^= 1),
        forge(&|p| p.start_pc += 4),
        forge(&|p| p.end_pc += 4),
    ] {
        assert_eq!(err.check, "state digest", "{err}");
    }
    // A non-canonical root is refused while decoding, before any hashing.
    let mut p = decode_proof::<SC>(proof).unwrap();
    p.start_root.0[3] = KOALABEAR_MODULUS;
    assert!(StarkEpochVerifier
        .verify_epoch(&ctx, *index, statement, &encode_proof(&p))
        .is_err());
    // A statement naming another start state.
    let mut lie = statement.clone();
    lie.start = Digest([1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(
        StarkEpochVerifier
            .verify_epoch(&ctx, *index, &lie, proof)
            .unwrap_err()
            .check,
        "state digest"
    );
}

#[test]
fn flipped_proof_bytes_are_refused_without_panicking() {
    let program = summing_program(4, 0);
    let ctx = ctx_for(&program);
    let epochs = prove_epochs(&program, &ctx);
    let (index, statement, proof) = &epochs[0];
    let step = (proof.len() / 97).max(1);
    for pos in (0..proof.len()).step_by(step) {
        let mut bad = proof.clone();
        bad[pos] ^= 0x10;
        assert!(
            StarkEpochVerifier
                .verify_epoch(&ctx, *index, statement, &bad)
                .is_err(),
            "flip at byte {pos} verified"
        );
    }
    assert!(StarkEpochVerifier
        .verify_epoch(&ctx, *index, statement, &proof[..proof.len() - 1])
        .is_err());
}
