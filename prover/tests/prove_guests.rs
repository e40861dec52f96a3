//! Every example guest and the instruction test program prove and verify,
//! epoch by epoch, with real Merkle memory and their public output; a lie
//! about the output is rejected. Needs `scripts/build-guests.sh` first.

use std::path::PathBuf;

use p3_field::PrimeCharacteristicRing;
use sluice_prover::executor::{Config, Executor, Program};
use sluice_prover::memory_image::MemoryImage;
use sluice_prover::prove::{constraint_failures, prove_epoch, prove_trace, statement_for};
use sluice_prover::trace::generate;
use sluice_verifier::air::io::IoCols;
use sluice_verifier::air::IO_TABLE;
use sluice_verifier::digest::Digest;
use sluice_verifier::memory::image_id;
use sluice_verifier::params::ProofParams;
use sluice_verifier::stark::config::Val;
use sluice_verifier::stark::verify_epoch;
use sluice_verifier::statement::{EpochRole, EpochStatement};

fn elf(path: &str) -> Program {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path);
    let bytes = std::fs::read(&p)
        .unwrap_or_else(|e| panic!("{}: {e} (run scripts/build-guests.sh first)", p.display()));
    Program::from_elf(&bytes).unwrap()
}

/// Each epoch's statement and proof bytes.
type Proofs = Vec<(EpochStatement, Vec<u8>)>;

/// Proves and verifies every epoch; returns the output, the exit code and
/// the statements with their proofs.
fn prove_run(program: &Program, input: &[u8], k: u32) -> (Vec<u8>, u32, Proofs) {
    let params = ProofParams::DEFAULT;
    let id = image_id(program);
    let cfg = Config {
        epoch_size_log2: k,
        max_cycles: 1 << 24,
    };
    let mut image = MemoryImage::new(program);
    let mut ex = Executor::new(program, input.to_vec(), &cfg).unwrap();
    let mut output = Vec::new();
    let mut exit = None;
    let mut prev_end = id;
    let mut proofs = Vec::new();
    while let Some(record) = ex.run_epoch().unwrap() {
        let tr = image.apply_epoch(&record, ex.memory()).unwrap();
        let (st, proof) = prove_epoch(&params, &id, k as u8, &record, &tr)
            .unwrap_or_else(|e| panic!("epoch {}: {e:#}", record.index));
        verify_epoch(&params, &id, k as u8, record.index, &st, &proof)
            .unwrap_or_else(|e| panic!("epoch {}: {e}", record.index));
        assert_eq!(st.start, prev_end, "epochs chain");
        prev_end = st.end;
        output.extend_from_slice(&st.output);
        if let EpochRole::Halt { exit_code } = st.role {
            exit = Some(exit_code);
        }
        proofs.push((st, proof));
    }
    (output, exit.expect("the guest halts"), proofs)
}

#[test]
fn fibonacci_proves_its_output() {
    let (output, exit, _) = prove_run(&elf("build/guests/fibonacci.elf"), &40u32.to_le_bytes(), 8);
    assert_eq!(exit, 0);
    assert_eq!(output, 102_334_155u64.to_le_bytes());
}

#[test]
fn sha256_proves_its_digest_across_epochs() {
    let (output, exit, proofs) = prove_run(&elf("build/guests/sha256.elf"), b"abc", 12);
    assert_eq!(exit, 0);
    assert_eq!(
        hex::encode(output),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert!(proofs.len() > 1, "{} epochs", proofs.len());
}

#[test]
fn primes_proves_its_output() {
    let (output, exit, _) = prove_run(&elf("build/guests/primes.elf"), &100u32.to_le_bytes(), 12);
    assert_eq!(exit, 0);
    assert!(!output.is_empty());
}

/// 563,834 cycles: 138 epochs of 2^12, a long continuation run.
#[test]
fn sdk_check_proves() {
    let (output, exit, proofs) = prove_run(&elf("build/guests/sdk-check.elf"), b"sluice", 12);
    assert_eq!(exit, 0);
    assert!(!output.is_empty());
    assert!(proofs.len() >= 100, "{} epochs", proofs.len());
}

/// No input, no output: the answer is the exit code (97).
#[test]
fn collatz_proves_its_exit_code() {
    let (output, exit, proofs) = prove_run(&elf("build/guests/collatz.elf"), b"", 12);
    assert_eq!(exit, 97);
    assert!(output.is_empty());
    assert_eq!(proofs.len(), 10);
}

#[test]
fn the_rv32im_self_check_proves() {
    let (_, exit, _) = prove_run(&elf("build/programs/rv32im_selfcheck.elf"), b"", 12);
    assert_eq!(exit, 0);
}

#[test]
fn a_lie_about_the_output_is_rejected() {
    let program = elf("build/guests/fibonacci.elf");
    let (_, _, proofs) = prove_run(&program, &10u32.to_le_bytes(), 8);
    let id = image_id(&program);
    let (st, proof) = proofs.last().unwrap();
    assert_eq!(st.output, 55u64.to_le_bytes());
    for lie in [
        56u64.to_le_bytes().to_vec(),
        55u32.to_le_bytes().to_vec(),
        [55u64.to_le_bytes().as_slice(), &[0]].concat(),
        vec![],
    ] {
        let forged = EpochStatement {
            output: lie,
            ..st.clone()
        };
        let index = proofs.len() as u64 - 1;
        let e = verify_epoch(&ProofParams::DEFAULT, &id, 8, index, &forged, proof).unwrap_err();
        assert_eq!(e.check, "stark");
    }
}

/// The first epoch of fibonacci(10) (it reads its input and commits 8
/// output bytes in one epoch), its statement and trace.
fn fib_epoch() -> (EpochStatement, sluice_prover::trace::EpochTrace) {
    let program = elf("build/guests/fibonacci.elf");
    let cfg = Config {
        epoch_size_log2: 10,
        max_cycles: 1 << 20,
    };
    let mut image = MemoryImage::new(&program);
    let mut ex = Executor::new(&program, 10u32.to_le_bytes().to_vec(), &cfg).unwrap();
    let record = ex.run_epoch().unwrap().unwrap();
    assert!(record.halted());
    let tr = image.apply_epoch(&record, ex.memory()).unwrap();
    let st = statement_for(&record, &tr);
    assert_eq!(st.output, 55u64.to_le_bytes());
    let trace = generate(&record, &tr).unwrap();
    assert_eq!(constraint_failures(&st, &trace), vec![]);
    (st, trace)
}

/// Proves `trace` for `st` (the test profile's prover does not stop a bad
/// witness) and checks the verifier rejects it at the STARK.
fn stark_rejects(st: &EpochStatement, trace: &sluice_prover::trace::EpochTrace) {
    let params = ProofParams::DEFAULT;
    let id = Digest([3; 8]);
    let proof = prove_trace(&params, &id, 10, 0, st, trace).expect("a proof, even of a lie");
    let e = verify_epoch(&params, &id, 10, 0, st, &proof).unwrap_err();
    assert_eq!(e.check, "stark", "{e}");
}

fn io_rows(trace: &mut sluice_prover::trace::EpochTrace) -> Vec<&mut [Val]> {
    let w = IoCols::new().width;
    trace.traces[IO_TABLE].values.chunks_exact_mut(w).collect()
}

#[test]
fn a_proof_of_other_output_bytes_is_rejected() {
    let (st, trace) = fib_epoch();
    // The honest trace with a statement claiming another output: the
    // output digest (the I/O table's public value) differs.
    for lie in [56u64.to_le_bytes().to_vec(), vec![55], vec![]] {
        let forged = EpochStatement {
            output: lie,
            ..st.clone()
        };
        assert!(!constraint_failures(&forged, &trace).is_empty());
        stark_rejects(&forged, &trace);
    }
}

#[test]
fn an_output_write_passed_off_as_a_host_write_is_rejected() {
    let (st, mut trace) = fib_epoch();
    let c = IoCols::new();
    // Drop the last output byte: its row becomes a stdout write (no sponge
    // step), and the statement omits the byte. The CPU's message still
    // says fd 3.
    let rows = io_rows(&mut trace);
    let last = rows
        .into_iter()
        .filter(|r| r[c.is_out] == Val::ONE)
        .last()
        .unwrap();
    last[c.is_out] = Val::ZERO;
    last[c.is_host] = Val::ONE;
    let forged = EpochStatement {
        output: st.output[..7].to_vec(),
        ..st.clone()
    };
    stark_rejects(&forged, &trace);
}

#[test]
fn a_read_that_writes_more_bytes_than_it_returns_is_rejected() {
    let (st, mut trace) = fib_epoch();
    let c = IoCols::new();
    let mut rows = io_rows(&mut trace);
    let read = rows.iter_mut().find(|r| r[c.is_read] == Val::ONE).unwrap();
    // The read returned 4 bytes (10u32: only byte 0 differs from the
    // zeroed word). Claiming it returned 0 leaves byte 0 changed: a local
    // violation.
    assert_eq!(read[c.n[4]], Val::ONE);
    read[c.n[4]] = Val::ZERO;
    read[c.n[0]] = Val::ONE;
    assert!(!constraint_failures(&st, &trace).is_empty());
    stark_rejects(&st, &trace);
}

#[test]
fn a_read_result_other_than_the_cpu_writes_is_rejected() {
    let (st, mut trace) = fib_epoch();
    let c = IoCols::new();
    let mut rows = io_rows(&mut trace);
    let read = rows.iter_mut().find(|r| r[c.is_read] == Val::ONE).unwrap();
    // Claim 3 bytes: the bytes are consistent (byte 3 is unchanged), but
    // the CPU wrote a0 = 4: the I/O bus does not balance.
    read[c.n[4]] = Val::ZERO;
    read[c.n[3]] = Val::ONE;
    stark_rejects(&st, &trace);
}

#[test]
fn dropping_a_syscall_row_is_rejected() {
    let (st, mut trace) = fib_epoch();
    let c = IoCols::new();
    let mut rows = io_rows(&mut trace);
    let read = rows.iter_mut().find(|r| r[c.is_read] == Val::ONE).unwrap();
    // Turn the read's row into padding-like zeros would break the row
    // order; instead claim it is a different cycle's syscall.
    read[c.clk] += Val::ONE;
    stark_rejects(&st, &trace);
}
