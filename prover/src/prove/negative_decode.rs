//! Negative tests of the decode table and the CPU's decode lookup: a CPU
//! row cannot claim a decoding the table does not prove, the table cannot
//! prove a wrong decoding, and padding rows decode nothing.

use p3_field::{Field, PrimeCharacteristicRing, PrimeField64};
use sluice_verifier::air::cpu::{selector_index, CpuCols};
use sluice_verifier::air::decode::{DecodeCols, Flag};
use sluice_verifier::air::DECODE_TABLE;
use sluice_verifier::isa::Opcode;
use sluice_verifier::stark::config::Val;
use sluice_verifier::stark::verify_epoch;

use super::negative::{cpu_row, locally_rejected, row_of, setup, verifier_rejects};
use super::*;

fn decode_row(trace: &mut EpochTrace, row: usize) -> &mut [Val] {
    let w = DecodeCols::new().width;
    &mut trace.traces[DECODE_TABLE].values[row * w..(row + 1) * w]
}

/// The decode table row of `op` that some cycle executed (multiplicity > 0).
fn decode_row_of(trace: &EpochTrace, op: Opcode) -> usize {
    let c = DecodeCols::new();
    let s = c.sel[selector_index(op).unwrap()];
    let rows = &trace.traces[DECODE_TABLE].values;
    (0..rows.len() / c.width)
        .find(|&r| rows[r * c.width + s] == Val::ONE && rows[r * c.width + c.mult] != Val::ZERO)
        .unwrap_or_else(|| panic!("no executed {op} word"))
}

#[test]
fn honest_decode_table_proves_and_verifies() {
    let (st, t) = setup();
    let c = DecodeCols::new();
    let rows = &t.traces[DECODE_TABLE].values;
    let executed: u64 = (0..rows.len() / c.width)
        .map(|r| rows[r * c.width + c.mult].as_canonical_u64())
        .sum();
    assert_eq!(executed, t.cycles, "every cycle is counted once");
    let params = params_under_test();
    let image = Digest([3; 8]);
    let proof = prove_trace(&params, &image, super::negative::K, 0, &st, &t).unwrap();
    verify_epoch(&params, &image, super::negative::K, 0, &st, &proof).unwrap();
}

/// A branch that is not taken never uses its immediate in the CPU row, so
/// only the decode lookup ties it to the word: a forged one must fail
/// there, at the verifier.
#[test]
fn cpu_immediate_comes_from_the_decode_table() {
    let (st, mut t) = setup();
    let c = CpuCols::new();
    let r = row_of(&t, Opcode::Bne);
    assert_eq!(cpu_row(&mut t, r)[c.taken], Val::ZERO, "BNE is never taken");
    cpu_row(&mut t, r)[c.imm[0]] += Val::from_u32(4);
    assert!(!locally_rejected(&st, &t), "only the decode bus can see it");
    assert!(verifier_rejects(&st, &t));
}

/// A real row's flags are the decode table's: a not-taken BNE that drops
/// its branch flag is locally a plain `pc + 4` step.
#[test]
fn cpu_flags_come_from_the_decode_table() {
    let (st, mut t) = setup();
    let c = CpuCols::new();
    let r = row_of(&t, Opcode::Bne);
    cpu_row(&mut t, r)[c.flag(Flag::Bne)] = Val::ZERO;
    assert!(!locally_rejected(&st, &t), "only the decode bus can see it");
    assert!(verifier_rejects(&st, &t));
}

/// A store's `rd` field is part of its immediate; the row's `rd_num` (with
/// its inverse fixed up) is bound to the word only through the decode bus.
#[test]
fn cpu_register_fields_come_from_the_decode_table() {
    let (st, mut t) = setup();
    let c = CpuCols::new();
    let r = row_of(&t, Opcode::Sw);
    let row = cpu_row(&mut t, r);
    assert_eq!(row[c.rd_num], Val::from_u32(4), "`sw x4, 4(x2)`");
    row[c.rd_num] = Val::from_u32(5);
    row[c.rd_inv] = Val::from_u32(5).inverse();
    assert!(!locally_rejected(&st, &t), "only the decode bus can see it");
    assert!(verifier_rejects(&st, &t));
}

#[test]
fn decode_multiplicity_must_count_the_cpu_rows() {
    let (st, mut t) = setup();
    let r = decode_row_of(&t, Opcode::Add);
    let c = DecodeCols::new();
    decode_row(&mut t, r)[c.mult] += Val::ONE;
    assert!(!locally_rejected(&st, &t));
    assert!(verifier_rejects(&st, &t));
}

#[test]
fn decode_rows_must_decode_their_bits() {
    let c = DecodeCols::new();
    let (add, sub, sll) = (
        selector_index(Opcode::Add).unwrap(),
        selector_index(Opcode::Sub).unwrap(),
        selector_index(Opcode::Sll).unwrap(),
    );
    // ADD's bits with SUB's selector (they differ in funct7 only).
    let (st, mut t) = setup();
    let r = decode_row_of(&t, Opcode::Add);
    let row = decode_row(&mut t, r);
    row[c.sel[add]] = Val::ZERO;
    row[c.sel[sub]] = Val::ONE;
    assert!(locally_rejected(&st, &t));
    assert!(verifier_rejects(&st, &t));
    // ... or SLL's (funct3).
    let (st, mut t) = setup();
    let row = decode_row(&mut t, r);
    row[c.sel[add]] = Val::ZERO;
    row[c.sel[sll]] = Val::ONE;
    assert!(locally_rejected(&st, &t));
    // No selector at all, or two.
    let (st, mut t) = setup();
    decode_row(&mut t, r)[c.sel[add]] = Val::ZERO;
    assert!(locally_rejected(&st, &t));
    let (st, mut t) = setup();
    decode_row(&mut t, r)[c.sel[sub]] = Val::ONE;
    assert!(locally_rejected(&st, &t));
    // Bits that are not bits but keep every field and byte: `add x3, x3,
    // x1` has rs2 = 1 (bit 20); 3·1 + (−1)·2 is still 1.
    let (st, mut t) = setup();
    let row = decode_row(&mut t, r);
    assert_eq!((row[c.bits[20]], row[c.bits[21]]), (Val::ONE, Val::ZERO));
    row[c.bits[20]] = Val::from_u32(3);
    row[c.bits[21]] = -Val::ONE;
    assert!(locally_rejected(&st, &t));
    // An immediate the word does not encode (`addi x1, x1, -1`).
    let (st, mut t) = setup();
    let r = decode_row_of(&t, Opcode::Addi);
    decode_row(&mut t, r)[c.imm[1]] += Val::ONE;
    assert!(locally_rejected(&st, &t));
    assert!(verifier_rejects(&st, &t));
}

#[test]
fn padding_rows_decode_nothing() {
    let c = CpuCols::new();
    for f in [Flag::WritesRd, Flag::Alu, Flag::Sw, Flag::Ecall, Flag::Jal] {
        let (st, mut t) = setup();
        let r = t.cycles as usize + 1;
        cpu_row(&mut t, r)[c.flag(f)] = Val::ONE;
        assert!(locally_rejected(&st, &t), "{f:?}");
    }
}
