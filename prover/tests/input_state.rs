//! End of input is sticky and the chain carries it: once a `read` comes up
//! short, no later read (in this epoch or any later one) returns data. The
//! review of protocol 2 proved a run that exits 42 only when a read after
//! the end of input returned data; here each such run is forged (the
//! executor told to return what a cheating prover would claim) and its
//! proof is rejected by the verifier itself. Needs `scripts/build-guests.sh`.

mod common;
use common::built_elf;

use p3_field::PrimeCharacteristicRing;
use sluice_prover::executor::{Config, EpochRecord, Executor, Program};
use sluice_prover::memory_image::MemoryImage;
use sluice_prover::prove::{
    constraint_failures, params_under_test, prove_epoch, prove_trace, statement_for,
};
use sluice_prover::trace::page::Checks;
use sluice_prover::trace::{generate, generate_with, EpochTrace};
use sluice_verifier::air::io::IoCols;
use sluice_verifier::air::IO_TABLE;
use sluice_verifier::digest::Digest;
use sluice_verifier::memory::image_id;
use sluice_verifier::params::ProofParams;
use sluice_verifier::stark::config::Val;
use sluice_verifier::stark::verify_epoch;
use sluice_verifier::statement::{EpochRole, EpochStatement};

fn config(k: u32) -> Config {
    Config {
        epoch_size_log2: k,
        max_cycles: 1 << 12,
    }
}

/// Proves and verifies every epoch of the run; returns the exit code and
/// each epoch's statement.
fn prove_all(input: &[u8], k: u32) -> (u32, Vec<EpochStatement>) {
    let program = program();
    let id = image_id(&program);
    let params = params_under_test();
    let mut image = MemoryImage::new(&program);
    let mut ex = Executor::new(&program, input.to_vec(), &config(k)).unwrap();
    let mut statements: Vec<EpochStatement> = Vec::new();
    while let Some(record) = ex.run_epoch().unwrap() {
        let tr = image.apply_epoch(&record, ex.memory()).unwrap();
        let (st, proof) = prove_epoch(&params, &id, k as u8, &record, &tr).unwrap();
        verify_epoch(&params, &id, k as u8, record.index, &st, &proof)
            .unwrap_or_else(|e| panic!("epoch {}: {e}", record.index));
        if let Some(prev) = statements.last() {
            assert_eq!(st.start, prev.end, "epochs chain");
        }
        statements.push(st);
    }
    match statements.last().unwrap().role {
        EpochRole::Halt { exit_code } => (exit_code, statements),
        EpochRole::Continue => panic!("no halting epoch"),
    }
}

#[test]
fn honest_runs_prove_and_never_show_data_after_the_end() {
    for input in [&b""[..], b"ab", b"abcd", b"abcdefgh"] {
        let (exit, _) = prove_all(input, 6);
        assert_eq!(exit, 0, "input {input:?}");
    }
}

#[test]
fn the_end_of_input_is_carried_from_one_epoch_to_the_next() {
    // Epochs of 4 cycles: the first read (short: "ab") and the second read
    // fall in different epochs, so the second epoch starts with the input
    // state word set and must read nothing.
    let (exit, statements) = prove_all(b"ab", 2);
    assert_eq!(exit, 0);
    assert!(statements.len() >= 3);

    // A prover that restarts the epoch after the end of input with the
    // input state word cleared, and input that goes on ("ab" + "cd"), reads
    // data again. The memory image refuses that page-in; built anyway
    // against the honest epoch's memory transition, its register page-in
    // disagrees with the start root (the previous epoch's end), and the
    // verifier rejects it.
    let program = program();
    let id = image_id(&program);
    let mut ex = Executor::new(&program, b"ab".to_vec(), &config(2)).unwrap();
    let mut image = MemoryImage::new(&program);
    let mut records: Vec<EpochRecord> = Vec::new();
    let after = loop {
        let r = ex.run_epoch().unwrap().unwrap();
        if r.start_input_eof && !r.read_results.is_empty() {
            break r;
        }
        image.apply_epoch(&r, ex.memory()).unwrap();
        records.push(r);
    };
    let mut restart = after.clone();
    restart.start_input_eof = false;
    let mut fx = Executor::from_epoch_start(&restart, b"abcd".to_vec(), &config(2)).unwrap();
    let lie = fx.run_epoch().unwrap().unwrap();
    assert!(!lie.start_input_eof && lie.read_results.iter().any(|&n| n > 0));
    let mut refused = image.clone();
    assert!(refused.apply_epoch(&lie, fx.memory()).is_err());
    let tr = image.apply_epoch(&after, ex.memory()).unwrap();
    let st = statement_for(&lie, &tr);
    assert_eq!(
        st.start,
        statements[records.len()].start,
        "claims the honest start"
    );
    let trace = generate_with(&lie, &tr, Checks::Off, &params_under_test()).unwrap();
    let params = params_under_test();
    let index = records.len() as u64;
    let proof = prove_trace(&params, &id, 2, index, &st, &trace).expect("a proof, even of a lie");
    let e = verify_epoch(&params, &id, 2, index, &st, &proof).unwrap_err();
    assert_eq!(e.check, "stark", "{e}");
}

/// Runs the program with the reads forced to return `lengths`, builds the
/// (dishonest) witness, proves it and checks the verifier rejects it.
fn forged_run_is_rejected(input: &[u8], lengths: &[usize]) {
    let program = program();
    let id = image_id(&program);
    let params = params_under_test();
    let mut image = MemoryImage::new(&program);
    let mut ex = Executor::new(&program, input.to_vec(), &config(6)).unwrap();
    ex.forge_read_lengths(lengths);
    let record = ex.run_epoch().unwrap().unwrap();
    assert_eq!(record.exit_code, Some(42), "the forged run is the attack");
    let tr = image.apply_epoch(&record, ex.memory()).unwrap();
    let st = statement_for(&record, &tr);
    let trace = generate(&record, &tr, &params_under_test()).unwrap();
    let failures = constraint_failures(&params_under_test(), &st, &trace);
    assert!(
        !failures.is_empty() && failures.iter().all(|f| f.0 == "io"),
        "the I/O table's input state constraints catch it: {failures:?}"
    );
    reject(&params, &id, &st, &trace);
}

fn reject(params: &ProofParams, id: &Digest, st: &EpochStatement, trace: &EpochTrace) {
    let proof = prove_trace(params, id, 6, 0, st, trace).expect("a proof, even of a lie");
    let e = verify_epoch(params, id, 6, 0, st, &proof).unwrap_err();
    assert_eq!(e.check, "stark", "{e}");
}

#[test]
fn end_of_input_then_data_is_rejected() {
    // First read claims end of input with 4 bytes left; the second reads them.
    forged_run_is_rejected(b"abcd", &[0, 4]);
}

#[test]
fn a_short_read_then_data_is_rejected() {
    // First read returns 2 of the 8 bytes; the second returns 4 more.
    forged_run_is_rejected(b"abcdefgh", &[2, 4]);
}

#[test]
fn a_read_returning_more_than_it_asked_is_rejected() {
    // An honest run whose second read's row claims 5 bytes of a 4-byte read:
    // `len - n - left = 0` has no solution with `left` three bytes.
    let program = program();
    let id = image_id(&program);
    let mut image = MemoryImage::new(&program);
    let mut ex = Executor::new(&program, b"abcdefgh".to_vec(), &config(6)).unwrap();
    let record = ex.run_epoch().unwrap().unwrap();
    let tr = image.apply_epoch(&record, ex.memory()).unwrap();
    let st = statement_for(&record, &tr);
    let mut trace = generate(&record, &tr, &params_under_test()).unwrap();
    let c = IoCols::new();
    let w = c.width;
    let read = trace.traces[IO_TABLE]
        .values
        .chunks_exact_mut(w)
        .filter(|r| r[c.is_read] == Val::ONE)
        .nth(1)
        .unwrap();
    assert_eq!(read[c.n[0]], Val::from_u32(4));
    read[c.n[0]] = Val::from_u32(5);
    assert!(!constraint_failures(&params_under_test(), &st, &trace).is_empty());
    reject(&params_under_test(), &id, &st, &trace);
}

fn program() -> Program {
    built_elf("build/programs/read_after_end.elf")
}
