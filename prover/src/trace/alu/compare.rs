//! Trace of the SLT/SLTU table.

use sluice_verifier::air::alu::compare::*;
use sluice_verifier::isa::Opcode;
use sluice_verifier::stark::config::Val;

use super::{build_table, set, set_word, sign_split, AluEvent};
use crate::trace::range::ByteCounts;

/// One row per event; `op` must be SLT or SLTU.
pub fn trace(
    events: &[AluEvent],
    bytes: &mut ByteCounts,
    min_rows: usize,
) -> p3_matrix::dense::RowMajorMatrix<Val> {
    build_table(
        events,
        min_rows,
        WIDTH,
        bytes,
        Opcode::Sltu,
        &[IS_SLT, IS_SLTU, LT],
        fill,
    )
}

/// Fills one row for `op(a, b)` and records its byte sends.
pub fn fill(op: Opcode, a: u32, b: u32, row: &mut [Val], bytes: &mut ByteCounts) {
    let (lt, sel) = match op {
        Opcode::Slt => (((a as i32) < (b as i32)) as u32, IS_SLT),
        Opcode::Sltu => ((a < b) as u32, IS_SLTU),
        _ => panic!("{op:?} is not served by the compare table"),
    };
    let d = a.wrapping_sub(b);
    set_word(row, A, a);
    set_word(row, B, b);
    set_word(row, D, d);
    let mut borrow = 0;
    for i in 0..4 {
        let s = ((b >> (8 * i)) & 255) + ((d >> (8 * i)) & 255) + borrow;
        borrow = s >> 8;
        set(row, BORROW + i, borrow);
    }
    let (am, al) = sign_split(a);
    let (bm, bl) = sign_split(b);
    set(row, A_MSB, am);
    set(row, A_LOW, al);
    set(row, B_MSB, bm);
    set(row, B_LOW, bl);
    set(row, SX, am ^ bm);
    set(row, LT, lt);
    set(row, sel, 1);
    bytes.add_all(d.to_le_bytes().map(u32::from));
    bytes.add_all([2 * al, 2 * bl]);
}
