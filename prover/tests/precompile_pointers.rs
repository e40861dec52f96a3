//! A precompile's buffer pointer is checked in the proof as the executor
//! checks it (`verifier/src/air/precompile_call.rs`): a cheating prover
//! whose `keccak_permute` or `sha256_compress` works on memory outside
//! guest memory gets no proof past the verifier. The forged runs here are
//! consistent in every other way (the memory argument included: the
//! reserved region below `0x1_0000` is committed memory like any other), so
//! the pointer check is what stands between them and a proof.

mod common;
use common::*;

use sluice_prover::executor::{Executor, Program};
use sluice_prover::memory_image::MemoryImage;
use sluice_prover::prove::{constraint_failures, params_under_test, prove_trace, statement_for};
use sluice_prover::trace::{generate, EpochTrace};
use sluice_verifier::digest::Digest;
use sluice_verifier::layout::syscall::{
    KECCAK_PERMUTE, KECCAK_STATE_BYTES, SHA256_BUFFER_BYTES, SHA256_COMPRESS,
};
use sluice_verifier::layout::GUEST_MEMORY_START;
use sluice_verifier::stark::verify_epoch;
use sluice_verifier::statement::{EpochRole, EpochStatement};

const K: u8 = 8;

/// A buffer in guest memory (the test programs' data address).
const GOOD: u32 = 0x0002_0000;

/// `a0 = ptr; a7 = number; ecall; exit(7)`.
fn call_at(number: u32, ptr: u32) -> Program {
    let code = prog(&[&li(10, ptr), &li(17, number), &[ECALL], &exit(7)]);
    program(&code, &[])
}

/// The one epoch of `program`, run by an executor that lets precompile
/// buffers lie outside guest memory when `forge` is set.
fn epoch(program: &Program, forge: bool) -> Result<(EpochStatement, EpochTrace), String> {
    let cfg = sluice_prover::executor::Config {
        epoch_size_log2: K.into(),
        max_cycles: 1 << 10,
    };
    let mut image = MemoryImage::new(program);
    let mut ex = Executor::new(program, Vec::new(), &cfg).unwrap();
    if forge {
        ex.forge_unchecked_precompile_buffers();
    }
    let record = ex
        .run_epoch()
        .map_err(|e| e.to_string())?
        .expect("one epoch");
    assert!(record.halted());
    let tr = image.apply_epoch(&record, ex.memory()).unwrap();
    let st = statement_for(&record, &tr);
    let trace = generate(&record, &tr, &params_under_test()).unwrap();
    Ok((st, trace))
}

fn verify(st: &EpochStatement, trace: &EpochTrace) -> Result<(), String> {
    let params = params_under_test();
    let id = Digest([9; 8]);
    let proof = prove_trace(&params, &id, K, 0, st, trace).expect("a proof, even of a lie");
    verify_epoch(&params, &id, K, 0, st, &proof).map_err(|e| e.to_string())
}

/// Each precompile with its memory table's name and buffer length.
const CALLS: [(u32, &str, u32); 2] = [
    (KECCAK_PERMUTE, "keccak_mem", KECCAK_STATE_BYTES),
    (SHA256_COMPRESS, "sha256_mem", SHA256_BUFFER_BYTES),
];

/// The same call on a buffer in guest memory proves and verifies: the
/// forged runs below differ from it in the pointer alone.
#[test]
fn a_call_on_guest_memory_proves() {
    for (number, _, _) in CALLS {
        let (st, trace) = epoch(&call_at(number, GOOD), false).unwrap();
        assert_eq!(st.role, EpochRole::Halt { exit_code: 7 });
        assert_eq!(
            constraint_failures(&params_under_test(), &st, &trace),
            vec![]
        );
        verify(&st, &trace).unwrap();
    }
}

/// Buffers in the reserved region below `0x1_0000` (pages 1 and 8, and
/// one ending exactly where guest memory starts): the executor faults on
/// each; a run that goes on anyway is caught by the memory table's own
/// pointer check (its constraints alone fail) and rejected by the
/// verifier. (Page 0, the registers' page, is built from the registers by
/// the prover's memory image, so a forged call there does not even reach
/// a trace; the same check covers it.)
#[test]
fn a_call_on_reserved_memory_is_rejected_by_the_verifier() {
    for (number, table, len) in CALLS {
        for ptr in [0x1000, 0x8000, GUEST_MEMORY_START - len] {
            let program = call_at(number, ptr);
            let Err(honest) = epoch(&program, false) else {
                panic!("the executor ran a {table} call at {ptr:#x}");
            };
            assert!(honest.contains("unmapped"), "{honest}");
            let (st, trace) = epoch(&program, true).unwrap();
            assert_eq!(st.role, EpochRole::Halt { exit_code: 7 });
            let failures = constraint_failures(&params_under_test(), &st, &trace);
            assert!(
                !failures.is_empty(),
                "{table} at {ptr:#x}: no local failure"
            );
            assert!(
                failures.iter().all(|f| f.0 == table),
                "{table} at {ptr:#x}: {failures:?}"
            );
            let err = verify(&st, &trace).unwrap_err();
            assert!(err.contains("stark"), "{table} at {ptr:#x}: {err}");
        }
    }
}
