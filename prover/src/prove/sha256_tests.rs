//! The SHA-256 precompile: a guest's `sha256_compress` calls prove and
//! verify, and every way to forge one is rejected by the verifier.

use p3_field::{PrimeCharacteristicRing, PrimeField32};
use sluice_verifier::air::cpu::CpuCols;
use sluice_verifier::air::sha256::{Sha256Cols, ROWS_PER_CALL};
use sluice_verifier::air::sha256_mem::{Sha256MemCols, WORDS};
use sluice_verifier::air::{SHA256_MEM_TABLE, SHA256_TABLE};
use sluice_verifier::isa::{Instruction as I, Opcode::*};
use sluice_verifier::layout::syscall;
use sluice_verifier::stark::config::Val;

use super::negative::{cpu_row, proves_with_tables, row_of, setup_with, verifier_rejects};
use super::*;
use crate::trace::EpochTrace;

const BUFFER: u32 = 0x2_0000;

/// Stores a state word and two block words, compresses the buffer at
/// `BUFFER` twice, and exits with the first state word.
fn sha256_program() -> Vec<u32> {
    [
        I::u(Lui, 11, BUFFER),
        I::i(Addi, 5, 0, 0x123),
        I::s(Sw, 11, 5, 0),
        I::i(Addi, 5, 0, -7),
        I::s(Sw, 11, 5, 32),
        I::i(Addi, 5, 0, 0x456),
        I::s(Sw, 11, 5, 92),
        I::u(Lui, 17, syscall::SHA256_COMPRESS),
        I::i(Addi, 17, 17, (syscall::SHA256_COMPRESS & 0xfff) as i32),
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

fn expected_state() -> [u32; 8] {
    let mut state = [0u32; 8];
    state[0] = 0x123;
    let mut block = [0u8; 64];
    block[..4].copy_from_slice(&0xffff_fff9u32.to_le_bytes());
    block[60..].copy_from_slice(&0x456u32.to_le_bytes());
    for _ in 0..2 {
        sha2::compress256(&mut state, &[block.into()]);
    }
    state
}

#[test]
fn sha256_calls_prove_and_verify() {
    assert_eq!(
        proves_with_tables(&sha256_program(), &[SHA256_TABLE, SHA256_MEM_TABLE]),
        Some(expected_state()[0])
    );
}

#[test]
fn an_epoch_without_sha256_leaves_its_tables_out() {
    let (_, trace) = setup_with(&super::tests::mixed_program());
    assert!(!trace.tables.contains(SHA256_TABLE) && !trace.tables.contains(SHA256_MEM_TABLE));
}

fn round_cell(trace: &mut EpochTrace, row: usize, col: usize) -> &mut Val {
    let w = Sha256Cols::new().width;
    &mut trace.traces[SHA256_TABLE].values[row * w + col]
}

fn mem_cell(trace: &mut EpochTrace, row: usize, col: usize) -> &mut Val {
    let w = Sha256MemCols::new().width;
    &mut trace.traces[SHA256_MEM_TABLE].values[row * w + col]
}

fn flip(cell: &mut Val) {
    *cell = Val::ONE - *cell;
}

#[test]
fn a_wrong_working_bit_is_rejected() {
    let (st, mut trace) = setup_with(&sha256_program());
    let c = Sha256Cols::new();
    flip(round_cell(&mut trace, 20, c.a[7]));
    assert!(verifier_rejects(&st, &trace));
}

#[test]
fn a_wrong_function_limb_is_rejected() {
    let (st, mut trace) = setup_with(&sha256_program());
    let c = Sha256Cols::new();
    *round_cell(&mut trace, 30, c.big_sigma1[1]) += Val::ONE;
    assert!(verifier_rejects(&st, &trace));
}

#[test]
fn a_wrong_schedule_word_is_rejected() {
    let (st, mut trace) = setup_with(&sha256_program());
    let c = Sha256Cols::new();
    // w[17] as it enters the window on row 2.
    *round_cell(&mut trace, 2, c.w[15][0]) += Val::ONE;
    assert!(verifier_rejects(&st, &trace));
}

#[test]
fn carry_bits_outside_0_1_are_rejected() {
    let (st, mut trace) = setup_with(&sha256_program());
    let c = Sha256Cols::new();
    // A carry of 1 written as bits (-1, 1, 0): the same value, so every
    // limb equation still holds; only the bits' booleanity can catch it.
    let [b0, b1, _] = c.carry_a[0];
    let row = (0..ROWS_PER_CALL - 1)
        .find(|&r| {
            *round_cell(&mut trace, r, b0) == Val::ONE
                && *round_cell(&mut trace, r, b1) == Val::ZERO
        })
        .expect("a row whose low carry of a is odd and below 2");
    *round_cell(&mut trace, row, b0) = Val::NEG_ONE;
    *round_cell(&mut trace, row, b1) = Val::ONE;
    assert!(verifier_rejects(&st, &trace));
}

#[test]
fn a_state_word_other_than_h_plus_f_is_rejected() {
    let (st, mut trace) = setup_with(&sha256_program());
    let c = Sha256MemCols::new();
    let cell = mem_cell(&mut trace, 2, c.new[1]);
    *cell = Val::from_u32((cell.as_canonical_u32() + 1) % 256);
    assert!(verifier_rejects(&st, &trace));
}

#[test]
fn a_block_word_changed_by_the_call_is_rejected() {
    let (st, mut trace) = setup_with(&sha256_program());
    let c = Sha256MemCols::new();
    let cell = mem_cell(&mut trace, 12, c.new[0]);
    *cell = Val::from_u32((cell.as_canonical_u32() + 1) % 256);
    assert!(verifier_rejects(&st, &trace));
}

#[test]
fn a_state_row_posing_as_a_block_row_is_rejected() {
    let (st, mut trace) = setup_with(&sha256_program());
    let c = Sha256MemCols::new();
    *mem_cell(&mut trace, 3, c.is_state) = Val::ZERO;
    assert!(verifier_rejects(&st, &trace));
}

#[test]
fn a_block_row_posing_as_a_state_row_is_rejected() {
    let (st, mut trace) = setup_with(&sha256_program());
    let c = Sha256MemCols::new();
    *mem_cell(&mut trace, 10, c.is_state) = Val::ONE;
    assert!(verifier_rejects(&st, &trace));
}

#[test]
fn a_call_without_its_compression_is_rejected() {
    let (st, mut trace) = setup_with(&sha256_program());
    let c = Sha256Cols::new();
    for r in 0..ROWS_PER_CALL {
        *round_cell(&mut trace, r, c.real) = Val::ZERO;
    }
    assert!(verifier_rejects(&st, &trace));
}

#[test]
fn compressions_that_swap_calls_are_rejected() {
    let (st, mut trace) = setup_with(&sha256_program());
    let c = Sha256Cols::new();
    let first = *round_cell(&mut trace, 0, c.clk);
    let second = *round_cell(&mut trace, ROWS_PER_CALL, c.clk);
    for r in 0..ROWS_PER_CALL {
        *round_cell(&mut trace, r, c.clk) = second;
        *round_cell(&mut trace, ROWS_PER_CALL + r, c.clk) = first;
    }
    assert!(verifier_rejects(&st, &trace));
}

#[test]
fn a_compression_started_a_row_late_is_rejected() {
    let (st, mut trace) = setup_with(&sha256_program());
    let c = Sha256Cols::new();
    // Shift the whole table down one row: the first row's step is 64.
    let w = c.width;
    let values = &mut trace.traces[SHA256_TABLE].values;
    values.rotate_right(w);
    assert!(verifier_rejects(&st, &trace));
}

#[test]
fn a_call_without_its_memory_rows_is_rejected() {
    let (st, mut trace) = setup_with(&sha256_program());
    let c = Sha256MemCols::new();
    let w = c.width;
    // The second call's 24 rows become padding.
    for r in WORDS..2 * WORDS {
        for v in &mut trace.traces[SHA256_MEM_TABLE].values[r * w..(r + 1) * w] {
            *v = Val::ZERO;
        }
    }
    assert!(verifier_rejects(&st, &trace));
}

/// The first call's 65 rows rebuilt, consistent in themselves, from the
/// state and block `forge` makes of the call's real ones: only the bus can
/// tell.
fn rebuilt_first_compression(
    forge: impl Fn(&mut [u32; 8], &mut [u32; 16]),
) -> (EpochStatement, EpochTrace) {
    use crate::trace::sha256::{fill_compression, state_and_block};
    let (st, mut trace) = setup_with(&sha256_program());
    let c = Sha256Cols::new();
    let m = Sha256MemCols::new();
    let word = |t: &mut EpochTrace, r: usize| {
        let b: [u32; 4] = core::array::from_fn(|i| mem_cell(t, r, m.old[i]).as_canonical_u32());
        b[0] | b[1] << 8 | b[2] << 16 | b[3] << 24
    };
    let words: [u32; WORDS] = core::array::from_fn(|r| word(&mut trace, r));
    let (mut state, mut block) = state_and_block(&words);
    forge(&mut state, &mut block);
    let clk = round_cell(&mut trace, 0, c.clk).as_canonical_u32();
    let rows = &mut trace.traces[SHA256_TABLE].values[..ROWS_PER_CALL * c.width];
    rows.fill(Val::ZERO);
    fill_compression(rows, &c, clk, true, state, block);
    (st, trace)
}

#[test]
fn an_honest_rebuild_of_a_compression_still_verifies() {
    let (st, trace) = rebuilt_first_compression(|_, _| {});
    assert!(!verifier_rejects(&st, &trace));
}

#[test]
fn a_compression_of_another_block_is_rejected() {
    let (st, trace) = rebuilt_first_compression(|_, block| block[5] ^= 1);
    assert!(verifier_rejects(&st, &trace));
}

#[test]
fn a_compression_of_the_block_read_little_endian_is_rejected() {
    let (st, trace) = rebuilt_first_compression(|_, block| {
        for w in block.iter_mut() {
            *w = w.swap_bytes();
        }
    });
    assert!(verifier_rejects(&st, &trace));
}

#[test]
fn a_compression_of_a_reordered_state_is_rejected() {
    let (st, trace) = rebuilt_first_compression(|state, _| {
        state.swap(0, 3);
        state.swap(4, 7);
    });
    assert!(verifier_rejects(&st, &trace));
}

#[test]
fn a_second_compression_for_one_call_is_rejected() {
    let (st, mut trace) = setup_with(&sha256_program());
    let c = Sha256Cols::new();
    // The table holds two calls' compressions, then padding: copy the first
    // (real) one over the first padding slot.
    let w = c.width;
    let values = &mut trace.traces[SHA256_TABLE].values;
    let (first, rest) = values.split_at_mut(2 * ROWS_PER_CALL * w);
    rest[..ROWS_PER_CALL * w].copy_from_slice(&first[..ROWS_PER_CALL * w]);
    assert!(verifier_rejects(&st, &trace));
}

#[test]
fn real_switched_off_partway_is_rejected() {
    let (st, mut trace) = setup_with(&sha256_program());
    let c = Sha256Cols::new();
    for r in 33..ROWS_PER_CALL {
        *round_cell(&mut trace, r, c.real) = Val::ZERO;
    }
    assert!(verifier_rejects(&st, &trace));
}

#[test]
fn a_cycle_changed_on_the_output_row_only_is_rejected() {
    let (st, mut trace) = setup_with(&sha256_program());
    let c = Sha256Cols::new();
    let second = *round_cell(&mut trace, ROWS_PER_CALL, c.clk);
    *round_cell(&mut trace, ROWS_PER_CALL - 1, c.clk) = second;
    assert!(verifier_rejects(&st, &trace));
}

#[test]
fn a_call_result_other_than_zero_is_rejected() {
    let (st, mut trace) = setup_with(&sha256_program());
    let c = CpuCols::new();
    let r = row_of(&trace, Ecall);
    cpu_row(&mut trace, r)[c.write_new[0]] = Val::ONE;
    assert!(verifier_rejects(&st, &trace));
}
