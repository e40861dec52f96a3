//! Tests of the arithmetic tables: honest traces prove and verify in one
//! batch with the `Range` table and a test-only driver that sends the ALU
//! messages (with results from an independent reference model), and every
//! constraint family rejects a forged witness.

use p3_field::{Field, PrimeCharacteristicRing, PrimeField32};
use sluice_verifier::air::alu::{add_sub, compare, div_rem, logic, mul, shift};
use sluice_verifier::air::bus::ALU_MESSAGE_LEN;
use sluice_verifier::isa::Opcode;
use sluice_verifier::stark::config::Val;

use super::harness::*;
use super::*;
use crate::trace::range::range_trace;

#[test]
fn reference_model_spot_checks() {
    assert_eq!(reference(Opcode::Div, 0x8000_0000, u32::MAX), 0x8000_0000);
    assert_eq!(reference(Opcode::Rem, 0x8000_0000, u32::MAX), 0);
    assert_eq!(reference(Opcode::Div, (-7i32) as u32, 2), (-3i32) as u32);
    assert_eq!(reference(Opcode::Rem, (-7i32) as u32, 2), (-1i32) as u32);
    assert_eq!(reference(Opcode::Mulh, (-1i32) as u32, (-1i32) as u32), 0);
    assert_eq!(
        reference(Opcode::Mulhsu, (-1i32) as u32, u32::MAX),
        u32::MAX
    );
    assert_eq!(reference(Opcode::Sra, 0x8000_0000, 33), 0xc000_0000);
    assert_eq!(reference(Opcode::Sub, 0, 1), u32::MAX);
}

const EDGE: [u32; 12] = [
    0,
    1,
    2,
    7,
    0x7f,
    0x80,
    0xff,
    0x7fff_ffff,
    0x8000_0000,
    0x8000_0001,
    0xffff_fffe,
    0xffff_ffff,
];

fn lcg(seed: &mut u64) -> u32 {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (*seed >> 32) as u32
}

/// Every op on every pair of edge values, plus pseudo-random operands.
fn events_for(ops: &[Opcode], random: usize) -> Vec<AluEvent> {
    let mut ev = Vec::new();
    let mut seed = 42;
    for &op in ops {
        for &a in &EDGE {
            for &b in &EDGE {
                ev.push((op, a, b));
            }
        }
        for _ in 0..random {
            let (a, b) = (lcg(&mut seed), lcg(&mut seed));
            ev.push((op, a, b));
        }
    }
    ev
}

// The test profile builds `p3-batch-stark` without its debug checker, so a
// forged witness is proven and then rejected by `verify_batch`: a constraint
// violation as an out-of-domain evaluation mismatch, a bus imbalance as a
// non-zero LogUp terminal sum.
const NO_RANGE_NEEDLE: &str = "OodEvaluationMismatch";
const LOOKUP_NEEDLE: &str = "TerminalSumNonZero";

#[test]
fn reference_agrees_with_generators_on_edges() {
    // The generators compute results their own way; the ALU bus would
    // reject any disagreement, but compare directly for a readable failure.
    for &(op, a, b) in &events_for(&crate::trace::alu::tests::ALL_OPS, 8) {
        let mut bytes = ByteCounts::default();
        let t = AluTable::of(op)
            .unwrap()
            .trace(&[(op, a, b)], &mut bytes, min_height());
        let c_col = match AluTable::of(op).unwrap() {
            AluTable::AddSub => add_sub::C,
            AluTable::Logic => logic::C,
            AluTable::Compare => compare::LT,
            AluTable::Shift => shift::C,
            AluTable::Mul => mul::C,
            AluTable::DivRem => div_rem::C,
        };
        let limbs: Vec<u32> = if AluTable::of(op) == Some(AluTable::Compare) {
            vec![t.values[c_col].as_canonical_u32(), 0, 0, 0]
        } else {
            (0..4)
                .map(|i| t.values[c_col + i].as_canonical_u32())
                .collect()
        };
        let c = limbs[0] | limbs[1] << 8 | limbs[2] << 16 | limbs[3] << 24;
        assert_eq!(c, reference(op, a, b), "{op:?}({a:#x}, {b:#x})");
    }
}

const ALL_OPS: [Opcode; 18] = sluice_verifier::air::bus::ALU_OPCODES;

#[test]
fn all_ops_edge_values_prove_and_verify() {
    // 18 ops × (144 edge pairs + 16 random) rows, all tables in one batch.
    let events = events_for(&ALL_OPS, 16);
    Batch::new(&events, reference).prove_and_verify().unwrap();
}

#[test]
fn empty_tables_prove_and_verify() {
    Batch::new(&[], reference).prove_and_verify().unwrap();
}

#[test]
fn wrong_result_is_rejected_for_every_op() {
    // The driver claims c + 1 (or c ^ 1): the table's row cannot produce
    // that message, so the ALU bus does not balance.
    for op in ALL_OPS {
        let events = [(op, 0x1234_5678, 0x0000_0013), (op, 5, 3)];
        let batch = Batch::new(&events, |o, a, b| reference(o, a, b) ^ 1);
        batch.assert_rejected(LOOKUP_NEEDLE);
    }
}

#[test]
fn message_sent_but_not_received_is_rejected() {
    let events = [(Opcode::Add, 1, 2)];
    let mut batch = Batch::new(&events, reference);
    // Replace the ADD/SUB table by an all-padding one (and the Range counts
    // by those of no event): the driver's send then has no receiver, and
    // every constraint still holds.
    let mut bytes = ByteCounts::default();
    let t = table_index(AluTable::AddSub);
    batch.traces[t] = AluTable::AddSub.trace(&[], &mut bytes, min_height());
    batch.traces[RANGE] = range_trace(&bytes);
    batch.assert_rejected(LOOKUP_NEEDLE);
}

#[test]
fn duplicated_receive_is_rejected() {
    // Two identical table rows, one driver send: multiplicity mismatch.
    let events = [(Opcode::Xor, 6, 3), (Opcode::Xor, 6, 3)];
    let mut batch = Batch::new(&events, reference);
    batch.set(DRIVER, 1, ALU_MESSAGE_LEN, Val::ZERO);
    batch.assert_rejected(LOOKUP_NEEDLE);
}

/// Replaces a result limb in both the table and the driver (so the ALU bus
/// balances) and keeps the byte bus balanced: only the arithmetic
/// constraints can catch it.
fn forge_result_limb(
    table: AluTable,
    op: Opcode,
    a: u32,
    b: u32,
    c_col: usize,
    driver_limb: usize,
) {
    let mut batch = Batch::new(&[(op, a, b)], reference);
    let t = table_index(table);
    let old = batch.get(t, 0, c_col).as_canonical_u32();
    let new = (old + 1) % 256;
    batch.set(t, 0, c_col, Val::from_u32(new));
    batch.set(DRIVER, 0, 9 + driver_limb, Val::from_u32(new));
    if matches!(table, AluTable::AddSub | AluTable::Compare) && c_col != compare::LT {
        batch.move_byte(old, new);
    }
    batch.assert_rejected(NO_RANGE_NEEDLE);
}

#[test]
fn wrong_result_limb_with_consistent_message_is_rejected() {
    forge_result_limb(
        AluTable::AddSub,
        Opcode::Add,
        0x00ff_00ff,
        0x0001_0001,
        add_sub::C + 1,
        1,
    );
    forge_result_limb(AluTable::AddSub, Opcode::Sub, 3, 5, add_sub::C + 3, 3);
    forge_result_limb(
        AluTable::Logic,
        Opcode::And,
        0xf0f0,
        0xff00,
        logic::C + 1,
        1,
    );
    forge_result_limb(AluTable::Logic, Opcode::Or, 0xf0f0, 0xff00, logic::C, 0);
    forge_result_limb(
        AluTable::Logic,
        Opcode::Xor,
        0xf0f0,
        0xff00,
        logic::C + 2,
        2,
    );
    forge_result_limb(
        AluTable::Compare,
        Opcode::Slt,
        (-1i32) as u32,
        1,
        compare::LT,
        0,
    );
    forge_result_limb(
        AluTable::Compare,
        Opcode::Sltu,
        (-1i32) as u32,
        1,
        compare::LT,
        0,
    );
    forge_result_limb(
        AluTable::Shift,
        Opcode::Sll,
        0x8123_4567,
        12,
        shift::C + 2,
        2,
    );
    forge_result_limb(
        AluTable::Shift,
        Opcode::Srl,
        0x8123_4567,
        12,
        shift::C + 1,
        1,
    );
    forge_result_limb(
        AluTable::Shift,
        Opcode::Sra,
        0x8123_4567,
        44,
        shift::C + 3,
        3,
    );
    forge_result_limb(
        AluTable::Mul,
        Opcode::Mul,
        0x8123_4567,
        0xdead_beef,
        mul::C,
        0,
    );
    forge_result_limb(
        AluTable::Mul,
        Opcode::Mulhu,
        0x8123_4567,
        0xdead_beef,
        mul::C + 3,
        3,
    );
    forge_result_limb(AluTable::DivRem, Opcode::Divu, 1000, 7, div_rem::C, 0);
    forge_result_limb(
        AluTable::DivRem,
        Opcode::Rem,
        (-1000i32) as u32,
        7,
        div_rem::C,
        0,
    );
}

#[test]
fn non_boolean_carry_is_rejected() {
    // ADD 0x1ff + 0x1ff = 0x3fe: honest limbs c = (0xfe, 0x03), carry0 = 1.
    // Forge carry0 = 2, c0 = 0xfe − 256, c1 = 1 + 1 + 2 = 4: both limb
    // equations still hold, only the carry's booleanity fails (constraints
    // are checked before the buses).
    let mut batch = Batch::new(&[(Opcode::Add, 0x1ff, 0x1ff)], reference);
    let t = table_index(AluTable::AddSub);
    batch.set(t, 0, add_sub::CARRY, Val::from_u32(2));
    batch.set(t, 0, add_sub::C, Val::from_u32(0xfe) - Val::from_u32(256));
    batch.set(t, 0, add_sub::C + 1, Val::from_u32(4));
    batch.assert_rejected(NO_RANGE_NEEDLE);
}

#[test]
fn out_of_range_limb_with_compensating_carry_is_rejected() {
    // ADD 0xff + 0x01 = 0x100: honest c0 = 0, carry0 = 1, c1 = 1. Forge
    // c0 = 256, carry0 = 0, c1 = 0: every arithmetic constraint holds and the
    // driver claims the same (bogus) limbs, so only the byte range check on
    // c0 can reject it.
    let events = [(Opcode::Add, 0xff, 0x01)];
    let mut batch = Batch::new(&events, reference);
    let t = table_index(AluTable::AddSub);
    batch.set(t, 0, add_sub::C, Val::from_u32(256));
    batch.set(t, 0, add_sub::CARRY, Val::ZERO);
    batch.set(t, 0, add_sub::C + 1, Val::ZERO);
    batch.set(DRIVER, 0, 9, Val::from_u32(256));
    batch.set(DRIVER, 0, 10, Val::ZERO);
    // The byte bus: c1 = 1 became c1 = 0 (a byte, count it), c0 = 0 became
    // 256 (not a byte: the Range table cannot provide it).
    batch.move_byte(1, 0);
    *batch.byte_count(0) -= Val::ONE;
    // Constraints must hold (the failure must come from the bus).
    batch.assert_rejected(LOOKUP_NEEDLE);
}

fn one(row: &mut [Val], col: usize, v: u32) {
    row[col] = Val::from_u32(v);
}

#[test]
fn forgery_harness_accepts_honest_rows() {
    // Control for the tests below: with an honest row, `forged` proves.
    let (a, b) = ((-7i32) as u32, 2);
    forged(
        AluTable::DivRem,
        Opcode::Div,
        a,
        b,
        reference(Opcode::Div, a, b),
        |r, by| super::div_rem::fill(Opcode::Div, a, b, r, by),
    )
    .prove_and_verify()
    .unwrap();
    forged(
        AluTable::Mul,
        Opcode::Mulh,
        a,
        b,
        reference(Opcode::Mulh, a, b),
        |r, by| super::mul::fill(Opcode::Mulh, a, b, r, by),
    )
    .prove_and_verify()
    .unwrap();
}

#[test]
fn mulh_with_unsigned_witness_is_rejected() {
    let (a, b) = (0x8000_0001, 3);
    let claimed = reference(Opcode::Mulhu, a, b);
    assert_ne!(claimed, reference(Opcode::Mulh, a, b));
    // Sign column left at 0: the sign-gating constraint fails.
    forged(AluTable::Mul, Opcode::Mulh, a, b, claimed, |r, by| {
        super::mul::fill(Opcode::Mulhu, a, b, r, by);
        one(r, mul::IS_MULHU, 0);
        one(r, mul::IS_MULH, 1);
    })
    .assert_rejected(NO_RANGE_NEEDLE);
    // Sign column set consistently: the product convolution fails.
    forged(AluTable::Mul, Opcode::Mulh, a, b, claimed, |r, by| {
        super::mul::fill(Opcode::Mulhu, a, b, r, by);
        one(r, mul::IS_MULHU, 0);
        one(r, mul::IS_MULH, 1);
        one(r, mul::SA, 1);
    })
    .assert_rejected(NO_RANGE_NEEDLE);
}

#[test]
fn mulhsu_with_signed_b_is_rejected() {
    let (a, b) = (5, 0xffff_fff0);
    let claimed = reference(Opcode::Mulh, a, b);
    assert_ne!(claimed, reference(Opcode::Mulhsu, a, b));
    forged(AluTable::Mul, Opcode::Mulhsu, a, b, claimed, |r, by| {
        super::mul::fill(Opcode::Mulh, a, b, r, by);
        one(r, mul::IS_MULH, 0);
        one(r, mul::IS_MULHSU, 1);
    })
    .assert_rejected(NO_RANGE_NEEDLE);
}

#[test]
fn div_with_unsigned_witness_is_rejected() {
    let (a, b) = ((-7i32) as u32, 2);
    let claimed = reference(Opcode::Divu, a, b);
    forged(AluTable::DivRem, Opcode::Div, a, b, claimed, |r, by| {
        super::div_rem::fill(Opcode::Divu, a, b, r, by);
        one(r, div_rem::IS_DIVU, 0);
        one(r, div_rem::IS_DIV, 1);
        for (s, m) in [
            (div_rem::SA, div_rem::A_MSB),
            (div_rem::SB, div_rem::B_MSB),
            (div_rem::SQ, div_rem::Q_MSB),
            (div_rem::SR, div_rem::R_MSB),
        ] {
            r[s] = r[m];
        }
    })
    .assert_rejected(NO_RANGE_NEEDLE);
}

#[test]
fn floor_division_remainder_sign_is_rejected() {
    // −7 / 2: truncation gives q = −3, r = −1. Floor division's q = −4,
    // r = 1 also satisfies b·q + r = a and |r| < |b|; only the rule "r is 0
    // or has a's sign" excludes it.
    let (a, b) = ((-7i32) as u32, 2);
    for (op, claimed) in [(Opcode::Div, (-4i32) as u32), (Opcode::Rem, 1)] {
        forged(AluTable::DivRem, op, a, b, claimed, |r, by| {
            super::div_rem::fill_witness(op, a, b, (-4i32) as u32, 1, None, r, by)
        })
        .assert_rejected(NO_RANGE_NEEDLE);
    }
}

#[test]
fn remainder_not_below_divisor_is_rejected() {
    // 7 = 2·2 + 3: the relation holds, the bound |r| < |b| does not.
    forged(AluTable::DivRem, Opcode::Divu, 7, 2, 2, |r, by| {
        super::div_rem::fill_witness(Opcode::Divu, 7, 2, 2, 3, None, r, by)
    })
    .assert_rejected(NO_RANGE_NEEDLE);
    // Signed: −7 = 2·(−2) − 3, |−3| ≥ 2.
    let a = (-7i32) as u32;
    forged(
        AluTable::DivRem,
        Opcode::Rem,
        a,
        2,
        (-3i32) as u32,
        |r, by| {
            super::div_rem::fill_witness(
                Opcode::Rem,
                a,
                2,
                (-2i32) as u32,
                (-3i32) as u32,
                None,
                r,
                by,
            )
        },
    )
    .assert_rejected(NO_RANGE_NEEDLE);
}

#[test]
fn forged_division_by_zero_is_rejected() {
    // b = 0: the relation 0·q + r = a holds for any q; only the is-zero
    // gadget pins q to all ones.
    for op in [Opcode::Divu, Opcode::Div] {
        forged(AluTable::DivRem, op, 7, 0, 0, |r, by| {
            super::div_rem::fill_witness(op, 7, 0, 0, 7, None, r, by)
        })
        .assert_rejected(NO_RANGE_NEEDLE);
    }
    // Claiming b = 0 (bz = 1) for a non-zero b.
    forged(AluTable::DivRem, Opcode::Divu, 7, 1, u32::MAX, |r, by| {
        super::div_rem::fill(Opcode::Divu, 7, 1, r, by);
        one(r, div_rem::BZ, 1);
        for i in 0..4 {
            one(r, div_rem::Q + i, 255);
            one(r, div_rem::C + i, 255);
        }
    })
    .assert_rejected(NO_RANGE_NEEDLE);
}

#[test]
fn forged_overflow_flag_is_rejected() {
    // −1 / 3 = 0, but with the overflow relaxation (high half 0)
    // 3·0x5555_5555 + 0 = 0x0000_0000_ffff_ffff "equals" a.
    let a = u32::MAX;
    forged(AluTable::DivRem, Opcode::Div, a, 3, 0x5555_5555, |r, by| {
        super::div_rem::fill_witness(Opcode::Div, a, 3, 0x5555_5555, 0, Some(1), r, by)
    })
    .assert_rejected(NO_RANGE_NEEDLE);
    // And the flag cannot be withheld for INT_MIN / −1.
    let (a, b) = (0x8000_0000, u32::MAX);
    forged(AluTable::DivRem, Opcode::Div, a, b, a, |r, by| {
        super::div_rem::fill_witness(Opcode::Div, a, b, a, 0, Some(0), r, by)
    })
    .assert_rejected(NO_RANGE_NEEDLE);
}

#[test]
fn sra_without_sign_fill_is_rejected() {
    let (a, b) = (0x8000_0000, 4);
    let claimed = reference(Opcode::Srl, a, b);
    forged(AluTable::Shift, Opcode::Sra, a, b, claimed, |r, by| {
        super::shift::fill(Opcode::Srl, a, b, r, by);
        one(r, shift::IS_SRL, 0);
        one(r, shift::IS_SRA, 1);
    })
    .assert_rejected(NO_RANGE_NEEDLE);
    // Fill columns set consistently, result still unfilled: result fails.
    forged(AluTable::Shift, Opcode::Sra, a, b, claimed, |r, by| {
        super::shift::fill(Opcode::Srl, a, b, r, by);
        one(r, shift::IS_SRL, 0);
        one(r, shift::IS_SRA, 1);
        one(r, shift::FILL, 1);
        one(r, shift::FILL_BITS, 256 - 16);
    })
    .assert_rejected(NO_RANGE_NEEDLE);
}

#[test]
fn shift_amount_decomposition_is_enforced() {
    // SLL by 8: claim the byte shift is both 0 and 1 bytes (e not one-hot).
    let (a, b) = (0x0000_0101, 8);
    forged(
        AluTable::Shift,
        Opcode::Sll,
        a,
        b,
        reference(Opcode::Sll, a, b),
        |r, by| {
            super::shift::fill(Opcode::Sll, a, b, r, by);
            one(r, shift::E, 1);
        },
    )
    .assert_rejected(NO_RANGE_NEEDLE);
    // SLL by 33 (masked to 1) computed as a shift by 0: the bits of b0 must
    // recompose b0, so s cannot be claimed 0.
    let b = 33;
    forged(AluTable::Shift, Opcode::Sll, a, b, a, |r, by| {
        super::shift::fill(Opcode::Sll, a, 32, r, by);
        // b0 recomposes to 32 from the bits, but the message says 33.
    })
    .assert_rejected(LOOKUP_NEEDLE);
}

#[test]
fn slt_with_unsigned_witness_is_rejected() {
    let (a, b) = (u32::MAX, 1);
    forged(AluTable::Compare, Opcode::Slt, a, b, 0, |r, by| {
        super::compare::fill(Opcode::Sltu, a, b, r, by);
        one(r, compare::IS_SLTU, 0);
        one(r, compare::IS_SLT, 1);
    })
    .assert_rejected(NO_RANGE_NEEDLE);
}

#[test]
fn non_boolean_logic_bit_is_rejected() {
    // a = 1 written as bits (3, −1, 0, …) still recomposes to 1, but makes
    // AND(1, 1) come out as 3.
    forged(AluTable::Logic, Opcode::And, 1, 1, 3, |r, by| {
        super::logic::fill(Opcode::And, 1, 1, r, by);
        one(r, logic::A_BITS, 3);
        r[logic::A_BITS + 1] = -Val::ONE;
        one(r, logic::C, 3);
    })
    .assert_rejected(NO_RANGE_NEEDLE);
}

#[test]
fn non_boolean_selector_is_rejected() {
    // One table row with IS_ADD = 2 would receive two identical sends: the
    // buses balance, only selector booleanity rejects it.
    let events = [(Opcode::Add, 1, 2), (Opcode::Add, 1, 2)];
    let mut batch = Batch::new(&events, reference);
    let t = table_index(AluTable::AddSub);
    let w = batch.traces[t].width;
    batch.set(t, 0, add_sub::IS_ADD, Val::from_u32(2));
    let pad: Vec<Val> = batch.traces[t].values[2 * w..3 * w].to_vec();
    batch.traces[t].values[w..2 * w].copy_from_slice(&pad);
    batch.assert_rejected(NO_RANGE_NEEDLE);
}

#[test]
fn exhaustive_small_operands_prove_and_verify() {
    // Every shift amount 0..64 (incl. ones that need masking) on edge values,
    // and every signed pair in −9..=9 for multiply, divide and compare.
    let mut events = Vec::new();
    for op in [Opcode::Sll, Opcode::Srl, Opcode::Sra] {
        for &a in &[0x8000_0001u32, 0x7fff_ffff, 0xdead_beef, 1] {
            for b in 0..64u32 {
                events.push((op, a, b | (b << 9)));
            }
        }
    }
    let small: Vec<u32> = (-9i32..=9).map(|x| x as u32).collect();
    for op in [
        Opcode::Mul,
        Opcode::Mulh,
        Opcode::Mulhsu,
        Opcode::Mulhu,
        Opcode::Div,
        Opcode::Divu,
        Opcode::Rem,
        Opcode::Remu,
        Opcode::Slt,
        Opcode::Sltu,
        Opcode::Sub,
    ] {
        for &a in &small {
            for &b in &small {
                events.push((op, a, b));
            }
        }
    }
    Batch::new(&events, reference).prove_and_verify().unwrap();
}

/// MULHU with its top product limb raised by one: the last limb equation
/// still holds in the field if the last carry becomes `carry_7 − 256⁻¹`,
/// which no other constraint touches (it is the product's part above
/// 2⁶⁴). Only that carry's 12-bit range check can reject the wrong high
/// word. The TsRange counts are what the row's other carries need; the
/// forged carry has no row to match.
#[test]
fn a_wrong_top_product_limb_needs_a_carry_out_of_range() {
    let (a, b) = (0x1234_5678, 0x9abc_def0);
    let honest = reference(Opcode::Mulhu, a, b);
    let forged = honest + (1 << 24);
    let mut batch = Batch::new(&[(Opcode::Mulhu, a, b)], |_, _, _| forged);
    let t = table_index(AluTable::Mul);
    let top = batch.get(t, 0, mul::P + 7).as_canonical_u32();
    assert!(top < 255, "the top limb can be raised");
    batch.set(t, 0, mul::P + 7, Val::from_u32(top + 1));
    batch.set(t, 0, mul::C + 3, Val::from_u32(top + 1));
    batch.move_byte(top, top + 1);
    let carry = batch.get(t, 0, mul::CARRY + 7);
    let forged_carry = carry - Val::from_u32(256).inverse();
    batch.set(t, 0, mul::CARRY + 7, forged_carry);
    // The honest carry is no longer sent; the forged one has no row.
    *batch.limb_count(carry.as_canonical_u32()) -= Val::ONE;
    assert!(forged_carry.as_canonical_u32() >= 1 << 12);
    let msg = batch.prove_and_verify().unwrap_err();
    assert!(msg.contains(LOOKUP_NEEDLE), "{msg}");
}

/// The largest honest carries prove and verify (MULH(−1, −1) has carries
/// 254, 509, …, 2,039, the most a row can make), and moving any one
/// carry's count in the TsRange table to another value is rejected by the
/// verifier: the carries are on the limb bus. (Which columns are sent is
/// pinned symbolically by the verifier's
/// `convolution_tables_range_check_each_carry_column_once`.)
#[test]
fn the_largest_carries_prove_and_each_is_on_the_limb_bus() {
    let min_plus_one = (i32::MIN + 1) as u32;
    // (op, a, b, table, its carry columns, the top carry if pinned)
    for (op, a, b, table, carry, top) in [
        (
            Opcode::Mulh,
            u32::MAX,
            u32::MAX,
            AluTable::Mul,
            mul::CARRY,
            Some(2039),
        ),
        (
            Opcode::Div,
            min_plus_one,
            u32::MAX,
            AluTable::DivRem,
            div_rem::CARRY,
            None,
        ),
    ] {
        let batch = Batch::new(&[(op, a, b)], reference);
        batch.prove_and_verify().unwrap();
        let t = table_index(table);
        let carries: Vec<u32> = (0..8)
            .map(|k| batch.get(t, 0, carry + k).as_canonical_u32())
            .collect();
        assert!(carries.iter().all(|&c| c < 1 << 12), "{carries:?}");
        if let Some(top) = top {
            assert_eq!(carries[7], top, "{op:?}");
        }
        for k in [0, 3, 7] {
            let c = carries[k];
            let mut moved = batch.clone();
            *moved.limb_count(c) -= Val::ONE;
            *moved.limb_count(c ^ 1) += Val::ONE;
            let msg = moved.prove_and_verify().unwrap_err();
            assert!(msg.contains(LOOKUP_NEEDLE), "{op:?} carry {k}: {msg}");
        }
    }
}

#[test]
fn range_multiplicity_forgery_is_rejected() {
    // The Range table claims one more send of byte 7 than there was.
    let mut batch = Batch::new(&[(Opcode::Add, 7, 7)], reference);
    *batch.byte_count(7) += Val::ONE;
    let msg = batch.prove_and_verify().unwrap_err();
    assert!(msg.contains(LOOKUP_NEEDLE), "{msg}");
}

#[test]
fn non_boolean_borrow_is_rejected() {
    // SLTU 0x100 < 0x001: honest d = 0xff, borrow0 = 1, borrow1 = 0.
    // Forge borrow0 = 2 and adjust d0, d1 so both limb equations still hold:
    // only the borrow's booleanity fails (constraints are checked first).
    let (a, b) = (0x100, 0x001);
    let mut batch = Batch::new(&[(Opcode::Sltu, a, b)], reference);
    let t = table_index(AluTable::Compare);
    // Limb 0: b0 + d0 = a0 + 256·borrow0 → 1 + d0 = 0 + 512 → d0 = 511.
    batch.set(t, 0, compare::BORROW, Val::from_u32(2));
    batch.set(t, 0, compare::D, Val::from_u32(511));
    // Limb 1: b1 + d1 + borrow0 = a1 + 256·borrow1 → 0 + d1 + 2 = 1 → d1 = −1.
    batch.set(t, 0, compare::D + 1, -Val::ONE);
    batch.assert_rejected(NO_RANGE_NEEDLE);
}
