//! Trace of the AND/OR/XOR table.

use sluice_verifier::air::alu::logic::*;
use sluice_verifier::isa::Opcode;
use sluice_verifier::stark::config::Val;

use super::{build_table, set, set_word, AluEvent};
use crate::trace::range::ByteCounts;

/// One row per event; `op` must be AND, OR or XOR. Sends no bytes.
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
        Opcode::And,
        &[IS_AND, IS_OR, IS_XOR, C, C + 1, C + 2, C + 3],
        fill,
    )
}

/// Fills one row for `op(a, b)` and records its byte sends.
pub fn fill(op: Opcode, a: u32, b: u32, row: &mut [Val], _bytes: &mut ByteCounts) {
    let (c, sel) = match op {
        Opcode::And => (a & b, IS_AND),
        Opcode::Or => (a | b, IS_OR),
        Opcode::Xor => (a ^ b, IS_XOR),
        _ => panic!("{op:?} is not served by the logic table"),
    };
    for bit in 0..32 {
        set(row, A_BITS + bit, (a >> bit) & 1);
        set(row, B_BITS + bit, (b >> bit) & 1);
    }
    set_word(row, C, c);
    set(row, sel, 1);
}
