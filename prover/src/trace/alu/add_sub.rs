//! Trace of the ADD/SUB table.

use sluice_verifier::air::alu::add_sub::*;
use sluice_verifier::isa::Opcode;
use sluice_verifier::stark::config::Val;

use super::{build_table, set, set_word, AluEvent};
use crate::trace::range::ByteCounts;

/// One row per event; `op` must be ADD or SUB.
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
        Opcode::Add,
        &[IS_ADD, IS_SUB, C, C + 1, C + 2, C + 3],
        fill,
    )
}

/// The carry out of each byte limb of `x + y` (the last one is the carry out
/// of 32 bits).
pub(crate) fn limb_carries(x: u32, y: u32) -> [u32; 4] {
    let mut carry = 0;
    core::array::from_fn(|i| {
        carry = (((x >> (8 * i)) & 255) + ((y >> (8 * i)) & 255) + carry) >> 8;
        carry
    })
}

/// Fills one row for `op(a, b)` and records its byte sends.
pub fn fill(op: Opcode, a: u32, b: u32, row: &mut [Val], bytes: &mut ByteCounts) {
    let is_add = match op {
        Opcode::Add => true,
        Opcode::Sub => false,
        _ => panic!("{op:?} is not served by the ADD/SUB table"),
    };
    let c = if is_add {
        a.wrapping_add(b)
    } else {
        a.wrapping_sub(b)
    };
    set_word(row, A, a);
    set_word(row, B, b);
    set_word(row, C, c);
    // ADD: a + b + cin = c + 256·cout; SUB: c + b + cin = a + 256·cout.
    let (x, z) = if is_add { (a, c) } else { (c, a) };
    debug_assert_eq!(x.wrapping_add(b), z);
    for (i, carry) in limb_carries(x, b).into_iter().enumerate() {
        set(row, CARRY + i, carry);
    }
    set(row, if is_add { IS_ADD } else { IS_SUB }, 1);
    bytes.add_all(c.to_le_bytes().map(u32::from));
}
