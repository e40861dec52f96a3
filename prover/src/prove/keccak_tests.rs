//! The Keccak precompile: a guest's `keccak_permute` calls prove and
//! verify, and every way to forge one is rejected by the verifier.

use p3_field::{PrimeCharacteristicRing, PrimeField32};
use sluice_verifier::air::cpu::CpuCols;
use sluice_verifier::air::keccak::{CLK_COL, KECCAK_WIDTH, ROWS_PER_PERM};
use sluice_verifier::air::keccak_mem::KeccakMemCols;
use sluice_verifier::air::{KECCAK_MEM_TABLE, KECCAK_TABLE};
use sluice_verifier::isa::{Instruction as I, Opcode::*};
use sluice_verifier::layout::syscall;
use sluice_verifier::stark::config::Val;

use super::negative::{cpu_row, proves_with_tables, row_of, setup_with, verifier_rejects};
use super::*;

const STATE: u32 = 0x2_0000;

/// Stores two lanes' words, permutes the state at `STATE` three times, and
/// exits with the low word of lane 0. Three 24-row permutations pad the
/// table to 128 rows: two whole padding permutations follow them.
pub(super) fn keccak_program() -> Vec<u32> {
    [
        I::u(Lui, 11, STATE),
        I::i(Addi, 5, 0, 0x123),
        I::s(Sw, 11, 5, 0),
        I::i(Addi, 5, 0, -7),
        I::s(Sw, 11, 5, 196),
        I::u(Lui, 17, syscall::KECCAK_PERMUTE),
        I::i(Addi, 17, 17, (syscall::KECCAK_PERMUTE & 0xfff) as i32),
        I::i(Addi, 10, 11, 0),
        I::bare(Ecall),
        I::i(Addi, 10, 11, 0),
        I::bare(Ecall),
        I::i(Addi, 10, 11, 0),
        I::bare(Ecall),
        I::i(Addi, 17, 0, syscall::EXIT as i32),
        I::i(Lw, 10, 11, 0),
        I::bare(Ecall),
    ]
    .iter()
    .map(|i| i.encode())
    .collect()
}

fn expected_state() -> [u64; 25] {
    let mut s = [0u64; 25];
    s[0] = 0x123;
    s[24] = 0xffff_fff9 << 32;
    for _ in 0..3 {
        tiny_keccak::keccakf(&mut s);
    }
    s
}

#[test]
fn keccak_calls_prove_and_verify() {
    assert_eq!(
        proves_with_tables(&keccak_program(), &[KECCAK_TABLE, KECCAK_MEM_TABLE]),
        Some(expected_state()[0] as u32)
    );
}

#[test]
fn an_epoch_without_keccak_leaves_its_tables_out() {
    let (_, trace) = setup_with(&super::tests::mixed_program());
    assert!(!trace.tables.contains(KECCAK_TABLE) && !trace.tables.contains(KECCAK_MEM_TABLE));
}

fn keccak_cell(trace: &mut EpochTrace, row: usize, col: usize) -> &mut Val {
    &mut trace.traces[KECCAK_TABLE].values[row * KECCAK_WIDTH + col]
}

fn mem_cell(trace: &mut EpochTrace, row: usize, col: usize) -> &mut Val {
    let w = KeccakMemCols::new().width;
    &mut trace.traces[KECCAK_MEM_TABLE].values[row * w + col]
}

/// The export row of the first call's permutation.
const EXPORT_ROW: usize = ROWS_PER_PERM - 1;

fn export_col() -> usize {
    core::mem::offset_of!(p3_keccak_air::KeccakCols<u8>, export)
}

/// Column of output limb `limb` of lane (x, y), (x, y) != (0, 0), in the
/// permutation table (`KeccakCols<u8>` has one byte per column).
fn output_col(y: usize, x: usize, limb: usize) -> usize {
    assert!((x, y) != (0, 0));
    core::mem::offset_of!(p3_keccak_air::KeccakCols<u8>, a_prime_prime) + (5 * y + x) * 4 + limb
}

#[test]
fn a_wrong_permutation_output_is_rejected() {
    let (st, mut trace) = setup_with(&keccak_program());
    let col = output_col(0, 1, 0);
    let cell = keccak_cell(&mut trace, EXPORT_ROW, col);
    *cell += Val::ONE;
    assert!(verifier_rejects(&st, &trace));
}

#[test]
fn a_new_state_byte_the_permutation_did_not_give_is_rejected() {
    let (st, mut trace) = setup_with(&keccak_program());
    let c = KeccakMemCols::new();
    let cell = mem_cell(&mut trace, 3, c.new[5]);
    *cell = Val::from_u32((cell.as_canonical_u32() + 1) % 256);
    assert!(verifier_rejects(&st, &trace));
}

#[test]
fn a_call_without_an_exported_permutation_is_rejected() {
    let (st, mut trace) = setup_with(&keccak_program());
    *keccak_cell(&mut trace, EXPORT_ROW, export_col()) = Val::ZERO;
    assert!(verifier_rejects(&st, &trace));
}

#[test]
fn an_export_before_the_last_round_is_rejected() {
    let (st, mut trace) = setup_with(&keccak_program());
    // Move the first permutation's export (and its cycle) one row up.
    let clk = *keccak_cell(&mut trace, EXPORT_ROW, CLK_COL);
    *keccak_cell(&mut trace, EXPORT_ROW, export_col()) = Val::ZERO;
    *keccak_cell(&mut trace, EXPORT_ROW - 1, export_col()) = Val::ONE;
    *keccak_cell(&mut trace, EXPORT_ROW - 1, CLK_COL) = clk;
    assert!(verifier_rejects(&st, &trace));
}

#[test]
fn a_permutation_exported_for_another_call_is_rejected() {
    let (st, mut trace) = setup_with(&keccak_program());
    // The two calls' permutations swap cycles: each call's lanes now meet
    // the other permutation's input and output.
    let a = *keccak_cell(&mut trace, EXPORT_ROW, CLK_COL);
    let b = *keccak_cell(&mut trace, EXPORT_ROW + ROWS_PER_PERM, CLK_COL);
    assert_ne!(a, b);
    *keccak_cell(&mut trace, EXPORT_ROW, CLK_COL) = b;
    *keccak_cell(&mut trace, EXPORT_ROW + ROWS_PER_PERM, CLK_COL) = a;
    assert!(verifier_rejects(&st, &trace));
}

#[test]
fn lanes_swapped_between_rows_are_rejected() {
    let (st, mut trace) = setup_with(&keccak_program());
    let c = KeccakMemCols::new();
    // Rows 0 and 24 of the first call trade lane numbers.
    *mem_cell(&mut trace, 0, c.seg.position) = Val::from_u32(24);
    *mem_cell(&mut trace, 24, c.seg.position) = Val::ZERO;
    assert!(verifier_rejects(&st, &trace));
}

#[test]
fn a_state_read_at_another_address_is_rejected() {
    let (st, mut trace) = setup_with(&keccak_program());
    let c = KeccakMemCols::new();
    // The whole first call's state moved one word up: every row's address.
    for r in 0..25 {
        *mem_cell(&mut trace, r, c.addr) += Val::from_u32(4);
    }
    assert!(verifier_rejects(&st, &trace));
}

#[test]
fn a_keccak_syscall_without_its_memory_rows_is_rejected() {
    let (st, mut trace) = setup_with(&keccak_program());
    let c = KeccakMemCols::new();
    let w = c.width;
    // The second call's 25 rows become padding, and the first call's last
    // row the table's last real row.
    for r in 25..50 {
        trace.traces[KECCAK_MEM_TABLE].values[r * w..(r + 1) * w].fill(Val::ZERO);
    }
    assert!(verifier_rejects(&st, &trace));
}

#[test]
fn a_permutation_no_call_asked_for_is_rejected() {
    let (st, mut trace) = setup_with(&keccak_program());
    // A padding permutation (zero state, a valid Keccak-f) exports under the
    // first call's cycle: its 25 lane messages have no sender.
    let row = 4 * ROWS_PER_PERM + EXPORT_ROW;
    assert!(row < trace.traces[KECCAK_TABLE].values.len() / KECCAK_WIDTH);
    let clk = *keccak_cell(&mut trace, EXPORT_ROW, CLK_COL);
    *keccak_cell(&mut trace, row, export_col()) = Val::ONE;
    *keccak_cell(&mut trace, row, CLK_COL) = clk;
    assert!(verifier_rejects(&st, &trace));
}

#[test]
fn a_new_state_byte_above_255_is_rejected() {
    let (st, mut trace) = setup_with(&keccak_program());
    let c = KeccakMemCols::new();
    // Byte 0 of lane 2 + 256 and byte 1 - 1: the same 16-bit limb on the
    // Keccak bus, a non-byte in memory.
    let (lo, hi) = (c.new[0], c.new[1]);
    let hi_value = mem_cell(&mut trace, 2, hi).as_canonical_u32();
    let (delta_lo, delta_hi) = if hi_value > 0 { (256, -1i64) } else { (0, 0) };
    assert!(delta_lo != 0, "pick a lane whose byte 1 is non-zero");
    *mem_cell(&mut trace, 2, lo) += Val::from_u32(delta_lo);
    *mem_cell(&mut trace, 2, hi) -= Val::from_u32((-delta_hi) as u32);
    assert!(verifier_rejects(&st, &trace));
}

#[test]
fn a_call_result_other_than_zero_is_rejected() {
    let (st, mut trace) = setup_with(&keccak_program());
    // The first ECALL row writes a0 = 1 instead of 0.
    let c = CpuCols::new();
    let r = row_of(&trace, Ecall);
    cpu_row(&mut trace, r)[c.write_new[0]] = Val::ONE;
    assert!(verifier_rejects(&st, &trace));
}

#[test]
fn a_second_permutation_exported_for_one_call_is_rejected() {
    let (st, mut trace) = setup_with(&keccak_program());
    // The second call's permutation (a valid one) exports under the first
    // call's cycle: the first call's lanes would be received twice, the
    // second call's never.
    let first = *keccak_cell(&mut trace, EXPORT_ROW, CLK_COL);
    *keccak_cell(&mut trace, EXPORT_ROW + ROWS_PER_PERM, CLK_COL) = first;
    assert!(verifier_rejects(&st, &trace));
}

#[test]
fn a_preimage_changed_on_the_export_row_only_is_rejected() {
    let (st, mut trace) = setup_with(&keccak_program());
    let col = core::mem::offset_of!(p3_keccak_air::KeccakCols<u8>, preimage) + 7;
    *keccak_cell(&mut trace, EXPORT_ROW, col) += Val::ONE;
    assert!(verifier_rejects(&st, &trace));
}

#[test]
fn a_segment_whose_cycle_changes_partway_is_rejected() {
    let (st, mut trace) = setup_with(&keccak_program());
    let c = KeccakMemCols::new();
    // Lanes 10..25 of the first call claim the second call's cycle.
    let second = *mem_cell(&mut trace, 25, c.clk);
    for r in 10..25 {
        *mem_cell(&mut trace, r, c.clk) = second;
    }
    assert!(verifier_rejects(&st, &trace));
}
