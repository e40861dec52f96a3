//! The verifier (not only the prover's debug checks) rejects forged ALU
//! witnesses.
//!
//! With debug assertions Plonky3's `prove_batch` checks constraints and bus
//! balance itself and panics before a proof exists; the workspace's test
//! profile builds `p3-batch-stark` without them (root `Cargo.toml`), so a
//! proof of the forged witness is produced and must fail `verify_batch`.

use p3_field::PrimeCharacteristicRing;
use sluice_prover::trace::alu::harness::{forged, reference, table_index, Batch, DRIVER, RANGE};
use sluice_prover::trace::alu::{div_rem, AluTable};
use sluice_verifier::air::alu::add_sub;
use sluice_verifier::isa::Opcode;
use sluice_verifier::params::ProofParams;
use sluice_verifier::stark::config::Val;

/// A constraint failure shows up as an out-of-domain evaluation mismatch.
const CONSTRAINT: &str = "OodEvaluationMismatch";
/// A bus imbalance shows up as a non-zero LogUp terminal sum.
const BUS: &str = "TerminalSumNonZero";

fn rejected(batch: &Batch, reason: &str) {
    match batch.prove_and_verify_timed(&ProofParams::DEFAULT) {
        Ok(_) => panic!("forged witness verified"),
        Err(e) => assert!(e.contains(reason), "rejected for another reason: {e}"),
    }
}

#[test]
fn honest_batch_verifies() {
    let events = [(Opcode::Div, (-7i32) as u32, 2), (Opcode::Add, 1, 2)];
    Batch::new(&events, reference)
        .prove_and_verify_timed(&ProofParams::DEFAULT)
        .unwrap();
}

#[test]
fn wrong_result_fails_verification() {
    // Bus imbalance: the driver claims a result no table row produces.
    rejected(&Batch::new(&[(Opcode::Add, 1, 2)], |_, _, _| 4), BUS);
}

#[test]
fn floor_division_witness_fails_verification() {
    // Constraint violation (remainder sign rule), buses balanced.
    let (a, b) = ((-7i32) as u32, 2);
    let q = (-4i32) as u32;
    rejected(
        &forged(AluTable::DivRem, Opcode::Div, a, b, q, |r, by| {
            div_rem::fill_witness(Opcode::Div, a, b, q, 1, None, r, by)
        }),
        CONSTRAINT,
    );
}

#[test]
fn forged_overflow_flag_fails_verification() {
    let a = u32::MAX;
    rejected(
        &forged(AluTable::DivRem, Opcode::Div, a, 3, 0x5555_5555, |r, by| {
            div_rem::fill_witness(Opcode::Div, a, 3, 0x5555_5555, 0, Some(1), r, by)
        }),
        CONSTRAINT,
    );
}

#[test]
fn out_of_range_limb_fails_verification() {
    // ADD 0xff + 1 with c0 = 256, carry0 = 0, c1 = 0: constraints hold, the
    // message matches, only the byte bus can reject.
    let mut batch = Batch::new(&[(Opcode::Add, 0xff, 0x01)], reference);
    let t = table_index(AluTable::AddSub);
    batch.set(t, 0, add_sub::C, Val::from_u32(256));
    batch.set(t, 0, add_sub::CARRY, Val::ZERO);
    batch.set(t, 0, add_sub::C + 1, Val::ZERO);
    batch.set(DRIVER, 0, 9, Val::from_u32(256));
    batch.set(DRIVER, 0, 10, Val::ZERO);
    batch.move_byte(1, 0);
    batch.traces[RANGE].values[0] -= Val::ONE;
    rejected(&batch, BUS);
}
