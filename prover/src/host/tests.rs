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
        hints: vec![],
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

/// Without given parameters, a run of one short epoch gets the short
/// preset (in its mode) and anything longer the default; given parameters
/// are kept whatever the run.
#[test]
fn the_plan_picks_short_parameters_for_short_runs_only() {
    let one_epoch = Prover::from_program(writes_ok(2));
    assert_eq!(
        one_epoch.plan().unwrap().ctx.params,
        ProofParams::short(false)
    );
    assert_eq!(
        one_epoch.clone().zk(true).plan().unwrap().ctx.params,
        ProofParams::short(true)
    );
    let many_epochs = Prover::from_program(writes_ok(2)).epoch_size_log2(3);
    assert!(many_epochs.plan().unwrap().outcome.epochs > 1);
    assert_eq!(many_epochs.plan().unwrap().ctx.params, ProofParams::DEFAULT);
    let given = one_epoch.params(ProofParams::DEFAULT);
    assert_eq!(given.plan().unwrap().ctx.params, ProofParams::DEFAULT);

    // The boundary: one epoch of 2^SHORT_RUN_LOG2 rows, not one more.
    assert_eq!(auto_params(false, 1, SHORT_RUN_LOG2), ProofParams::SHORT);
    assert_eq!(
        auto_params(false, 1, SHORT_RUN_LOG2 + 1),
        ProofParams::DEFAULT
    );
    assert_eq!(auto_params(true, 2, 4), ProofParams::DEFAULT_ZK);

    // Long epochs grind for fewer queries, in either mode; a run of one
    // long epoch too.
    assert_eq!(
        auto_params(false, 2, LONG_EPOCH_LOG2 - 1),
        ProofParams::DEFAULT
    );
    assert_eq!(auto_params(false, 2, LONG_EPOCH_LOG2), ProofParams::LONG);
    assert_eq!(auto_params(false, 1, 20), ProofParams::LONG);
    assert_eq!(
        auto_params(true, 3, 20),
        ProofParams {
            zk: true,
            ..ProofParams::LONG
        }
    );
}

/// A bundle under the short preset verifies, and its header says so.
#[test]
fn a_short_run_proves_and_verifies_with_the_short_preset() {
    let prover = Prover::from_program(writes_ok(2));
    let mut bundle = Vec::new();
    let report = prover.prove_to(&mut bundle, |_| {}).unwrap();
    assert_eq!(report.epochs, 1);
    let summary = sluice_verifier::verify_bundle(&bundle[..], prover.image_id()).unwrap();
    assert_eq!(summary.output, b"okok");
    // The header (after the preamble and its frame prefix) names them.
    use sluice_verifier::bundle::{decode_header_body, FRAME_PREFIX_LEN, PREAMBLE_LEN};
    let at = PREAMBLE_LEN + FRAME_PREFIX_LEN;
    let len = u32::from_le_bytes(bundle[at - 4..at].try_into().unwrap()) as usize;
    let header = decode_header_body(&bundle[at..at + len]).unwrap();
    assert_eq!(header.params, ProofParams::SHORT);
}
