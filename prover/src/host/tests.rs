use sluice_verifier::isa::{Instruction as I, Opcode::*};
use sluice_verifier::stream::ReadError;

use super::*;
use crate::driver::EpochWork;
use sluice_verifier::statement::EpochStatement;

/// An epoch prover that must never be reached.
struct Unreachable;

impl EpochProver for Unreachable {
    fn prove_epoch(
        &self,
        _: &ChainContext,
        _: &EpochWork,
        _: &[u8],
    ) -> anyhow::Result<(EpochStatement, Vec<u8>)> {
        panic!("proving started although the run should have been refused");
    }
}

/// Writes "ok" to the public output `n` times, then exits with code 0.
fn writes_ok(n: i32) -> Program {
    Program::from_words(
        0x1_0000,
        &[
            I::i(Addi, 5, 0, n).encode(),
            I::u(Lui, 11, 0x1_0000).encode(),
            I::i(Addi, 11, 11, 48).encode(),
            I::i(Addi, 12, 0, 2).encode(),
            I::i(Addi, 10, 0, 3).encode(),
            I::i(Addi, 17, 0, 64).encode(),
            I::bare(Ecall).encode(),
            I::i(Addi, 5, 5, -1).encode(),
            I::b(Bne, 5, 0, -20).encode(),
            I::i(Addi, 10, 0, 0).encode(),
            I::i(Addi, 17, 0, 93).encode(),
            I::bare(Ecall).encode(),
            u32::from_le_bytes(*b"ok\0\0"),
        ],
    )
    .unwrap()
}

#[test]
fn inputs_are_the_frames_the_guest_sdk_reads() {
    let p = Prover::from_program(writes_ok(1))
        .input(&(300u32, "ab"))
        .unwrap()
        .input_bytes(b"xyz")
        .unwrap()
        .input_raw(b"r");
    // postcard: 300 as the varint ac 02, the string as length 2 then bytes.
    assert_eq!(
        p.input_stream(),
        &[5, 0, 0, 0, 0xac, 0x02, 2, b'a', b'b', 3, 0, 0, 0, b'x', b'y', b'z', b'r']
    );
}

#[test]
fn refusals_come_before_any_proving() {
    let base = || Prover::from_program(writes_ok(1)).with_epoch_prover(Unreachable);
    let weak = ProofParams {
        num_queries: 2,
        ..ProofParams::DEFAULT
    };
    let mut sink = Vec::new();
    assert!(matches!(
        base().params(weak).prove_to(&mut sink, |_| {}),
        Err(HostError::TooWeak { .. })
    ));
    for k in [0, MAX_EPOCH_SIZE_LOG2 + 1] {
        assert!(matches!(
            base().epoch_size_log2(k).prove_to(&mut sink, |_| {}),
            Err(HostError::EpochSize(got)) if got == k
        ));
    }
    let illegal = Prover::from_program(Program::from_words(0x1_0000, &[0]).unwrap())
        .with_epoch_prover(Unreachable);
    let err = illegal.prove_to(&mut sink, |_| {}).unwrap_err();
    assert!(matches!(err, HostError::Fault(_)), "{err}");
    assert!(err.to_string().contains("nothing was proven"), "{err}");
    assert!(matches!(
        base().max_cycles(3).prove_to(&mut sink, |_| {}),
        Err(HostError::Fault(_))
    ));
    assert!(sink.is_empty(), "a refused run writes nothing");
}

#[test]
fn a_proven_guest_verifies_and_is_bound_to_its_image() {
    let prover = Prover::from_program(writes_ok(3))
        .epoch_size_log2(4)
        .jobs(2);
    let mut events = Vec::new();
    let mut bundle = Vec::new();
    let report = prover
        .prove_to(&mut bundle, |e| {
            events.push(match e {
                ProveEvent::Started(plan) => (u64::MAX, plan.outcome.cycles),
                ProveEvent::EpochWritten { index, cycles, .. } => (index, cycles),
            })
        })
        .unwrap();
    assert_eq!(report.exit_code, 0);
    assert_eq!(events[0], (u64::MAX, report.cycles));
    let written: Vec<u64> = events[1..].iter().map(|e| e.0).collect();
    assert_eq!(written, (0..report.epochs).collect::<Vec<_>>());

    let summary = sluice_verifier::verify_bundle(&bundle[..], prover.image_id()).unwrap();
    assert_eq!(summary.output, b"okokok");
    assert_eq!(summary.cycles, report.cycles);

    let other = Prover::from_program(writes_ok(2)).image_id();
    assert!(matches!(
        sluice_verifier::verify_bundle(&bundle[..], other),
        Err(ReadError::Rejected(_))
    ));
}

#[test]
fn an_unprovable_run_is_refused_before_proving() {
    let mut outcome = Outcome {
        cycles: 10,
        epochs: 1,
        exit_code: 0,
        public_output: vec![],
        stdout: vec![],
        stderr: vec![],
        unprovable: None,
    };
    assert!(check_provable(&outcome).is_ok());
    outcome.unprovable = Some(crate::executor::Unprovable {
        pc: 0x1_0000,
        what: "syscall shape".into(),
    });
    let err = check_provable(&outcome).unwrap_err();
    assert!(matches!(err, HostError::Unprovable { pc: 0x1_0000, .. }));
    assert!(err.to_string().contains("nothing was proven"), "{err}");
}

/// Zero knowledge set with `zk` survives a later `params` (a preset with
/// `zk: false`), whichever comes first; without `zk`, the parameters'
/// own mode counts.
#[test]
fn zk_and_params_compose_in_any_order() {
    let p = || Prover::from_program(writes_ok(1));
    let first = p().zk(true).params(ProofParams::SPEED);
    let last = p().params(ProofParams::SPEED).zk(true);
    for prover in [first, last] {
        assert_eq!(
            prover.params,
            ProofParams {
                zk: true,
                ..ProofParams::SPEED
            }
        );
    }
    assert!(p().params(ProofParams::DEFAULT_ZK).params.zk);
    assert!(!p().zk(false).params(ProofParams::DEFAULT_ZK).params.zk);
}
