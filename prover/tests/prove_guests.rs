//! Every example guest and the instruction test program prove and verify,
//! epoch by epoch, with real Merkle memory and their public output; a lie
//! about the output is rejected. Needs `scripts/build-guests.sh` first.

mod common;
use common::{built_elf, prove_run};

use sluice_prover::executor::{Config, Program};
use sluice_verifier::memory::image_id;
use sluice_verifier::params::ProofParams;
use sluice_verifier::stark::verify_epoch;
use sluice_verifier::statement::EpochStatement;

#[test]
fn fibonacci_proves_its_output() {
    let (output, exit, _) = prove_run(
        &built_elf("build/guests/fibonacci.elf"),
        &40u32.to_le_bytes(),
        8,
    );
    assert_eq!(exit, 0);
    assert_eq!(output, 102_334_155u64.to_le_bytes());
}

#[test]
fn software_sha256_proves_its_digest_across_epochs() {
    let (output, exit, proofs) = prove_run(&built_elf("build/guests/sha256-soft.elf"), b"abc", 12);
    assert_eq!(exit, 0);
    assert_eq!(
        hex::encode(output),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert!(proofs.len() > 1, "{} epochs", proofs.len());
}

#[test]
fn primes_proves_its_output() {
    let (output, exit, _) = prove_run(
        &built_elf("build/guests/primes.elf"),
        &100u32.to_le_bytes(),
        12,
    );
    assert_eq!(exit, 0);
    assert!(!output.is_empty());
}

/// 563,834 cycles: 138 epochs of 2^12, a long continuation run.
#[test]
fn sdk_check_proves() {
    let (output, exit, proofs) = prove_run(&built_elf("build/guests/sdk-check.elf"), b"sluice", 12);
    assert_eq!(exit, 0);
    assert!(!output.is_empty());
    assert!(proofs.len() >= 100, "{} epochs", proofs.len());
}

/// No input, no output: the answer is the exit code (97).
#[test]
fn collatz_proves_its_exit_code() {
    let (output, exit, proofs) = prove_run(&built_elf("build/guests/collatz.elf"), b"", 12);
    assert_eq!(exit, 97);
    assert!(output.is_empty());
    assert_eq!(proofs.len(), 10);
}

#[test]
fn the_rv32im_self_check_proves() {
    let (_, exit, _) = prove_run(&built_elf("build/programs/rv32im_selfcheck.elf"), b"", 12);
    assert_eq!(exit, 0);
}

#[test]
fn a_lie_about_the_output_is_rejected() {
    let program = built_elf("build/guests/fibonacci.elf");
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
        // No output: the proof's output table must not be there.
        let check = if lie.is_empty() { "table set" } else { "stark" };
        let forged = EpochStatement {
            output: lie,
            ..st.clone()
        };
        let index = proofs.len() as u64 - 1;
        let e = verify_epoch(&ProofParams::DEFAULT, &id, 8, index, &forged, proof).unwrap_err();
        assert_eq!(e.check, check);
    }
}

/// The executor's own run of `program` on `input`: output and exit code.
fn executed(program: &Program, input: &[u8]) -> (Vec<u8>, u32) {
    let out = sluice_prover::executor::execute(program, input, &Config::default()).unwrap();
    assert!(out.unprovable.is_none(), "{:?}", out.unprovable);
    (out.public_output, out.exit_code)
}

/// C programs with raw syscalls: reads of odd sizes into unaligned
/// buffers, writes of many bytes at odd offsets, zero-length and 64 KiB
/// calls, the POSIX names. Each proves, epoch by epoch, exactly what the
/// executor computes.
#[test]
fn c_programs_with_raw_syscalls_prove() {
    let text: Vec<u8> = (0..1000u32).map(|i| (i * 7 + 3) as u8).collect();
    let big: Vec<u8> = (0..70_003u32).map(|i| (i * 13 + 1) as u8).collect();
    let cases: [(&str, &[u8]); 8] = [
        ("c_io_odd", b""),
        ("c_io_odd", b"hello, world"),
        ("c_io_odd", &text),
        ("c_write17", b"abc"),
        ("c_io_edge", &big),
        ("c_zero_len", b"xyz"),
        ("c_sdk", &text),
        ("io", b"hello world"),
    ];
    for (name, input) in cases {
        let program = built_elf(&format!("build/programs/{name}.elf"));
        let expected = executed(&program, input);
        let (output, exit, _) = prove_run(&program, input, 12);
        assert_eq!((output, exit), expected, "{name} on {} bytes", input.len());
        assert_eq!(exit, 0, "{name}'s own checks pass");
    }
}
