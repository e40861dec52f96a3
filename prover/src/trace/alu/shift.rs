//! Trace of the SLL/SRL/SRA table.

use sluice_verifier::air::alu::shift::*;
use sluice_verifier::isa::Opcode;
use sluice_verifier::stark::config::Val;

use super::{build_table, set, set_word, sign_split, AluEvent};
use crate::trace::range::ByteCounts;

/// One row per event; `op` must be SLL, SRL or SRA.
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
        Opcode::Sll,
        &[IS_SLL, IS_SRL, IS_SRA, C, C + 1, C + 2, C + 3],
        fill,
    )
}

/// Fills one row for `op(a, b)` and records its byte sends.
pub fn fill(op: Opcode, a: u32, b: u32, row: &mut [Val], bytes: &mut ByteCounts) {
    let s = b & 31;
    let (c, sel) = match op {
        Opcode::Sll => (a << s, IS_SLL),
        Opcode::Srl => (a >> s, IS_SRL),
        Opcode::Sra => (((a as i32) >> s) as u32, IS_SRA),
        _ => panic!("{op:?} is not served by the shift table"),
    };
    let (r, q, kk) = (s & 7, s >> 3, (b >> 5) & 7);
    set_word(row, A, a);
    for i in 0..3 {
        set(row, B_HI + i, (b >> (8 * (i + 1))) & 255);
        set(row, S_BITS + i, (r >> i) & 1);
        set(row, K_BITS + i, (kk >> i) & 1);
    }
    set(row, E + q as usize, 1);
    let (pw_l, pw_r) = (1u32 << r, 256u32 >> r);
    set(row, PW_L, pw_l);
    set(row, PW_R, pw_r);
    let (msb, low) = sign_split(a);
    set(row, A_MSB, msb);
    set(row, A_LOW, low);
    let fill = u32::from(op == Opcode::Sra) * msb;
    set(row, FILL, fill);
    set(row, FILL_BITS, fill * (256 - pw_r));
    let m = if op == Opcode::Sll { pw_l } else { pw_r };
    for (i, limb) in a.to_le_bytes().into_iter().enumerate() {
        let prod = u32::from(limb) * m;
        set(row, LO + i, prod & 255);
        set(row, HI + i, prod >> 8);
        bytes.add_all([prod & 255, prod >> 8]);
    }
    set_word(row, C, c);
    set(row, sel, 1);
    bytes.add(2 * low);
}
