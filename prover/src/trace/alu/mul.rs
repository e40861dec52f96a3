//! Trace of the MUL/MULH/MULHSU/MULHU table.

use sluice_verifier::air::alu::mul::*;
use sluice_verifier::air::ts_range::TS_LIMB_BITS;
use sluice_verifier::isa::Opcode;
use sluice_verifier::stark::config::Val;

use super::{build_table, set, set_word, sign_split, AluEvent};
use crate::trace::range::ByteCounts;

/// One row per event; `op` must be MUL, MULH, MULHSU or MULHU.
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
        Opcode::Mul,
        &[IS_MUL, IS_MULH, IS_MULHSU, IS_MULHU, C, C + 1, C + 2, C + 3],
        fill,
    )
}

/// Fills the carry columns of `x·y + z = t + 2⁶⁴·k` (8-limb vectors), as
/// `AIR::convolution_chain` checks it; records each carry's 12-bit limb
/// send.
pub(crate) fn convolution_carries(
    x: &[u64; 8],
    y: &[u64; 8],
    z: &[u64; 8],
    t: &[u64; 8],
    row: &mut [Val],
    carries: usize,
    bytes: &mut ByteCounts,
) {
    let mut carry: u64 = 0;
    for k in 0..8 {
        let mut sum = z[k] + carry;
        for i in 0..=k {
            sum += x[i] * y[k - i];
        }
        // Exact (at most 2,049) for an honest row; a forged row (tests)
        // gets some in-range carry and the AIR rejects it.
        carry = sum.saturating_sub(t[k]) / 256 % (1 << TS_LIMB_BITS);
        set(row, carries + k, carry as u32);
        bytes.add_ts_limb(carry as u32);
    }
}

/// A word's limbs extended with `fill` to eight limbs.
pub(crate) fn extend(x: u32, fill: u64) -> [u64; 8] {
    let l = x.to_le_bytes();
    core::array::from_fn(|i| if i < 4 { u64::from(l[i]) } else { fill })
}

/// Fills one row for `op(a, b)` and records its byte sends.
pub fn fill(op: Opcode, a: u32, b: u32, row: &mut [Val], bytes: &mut ByteCounts) {
    let (sel, a_signed, b_signed) = match op {
        Opcode::Mul => (IS_MUL, false, false),
        Opcode::Mulh => (IS_MULH, true, true),
        Opcode::Mulhsu => (IS_MULHSU, true, false),
        Opcode::Mulhu => (IS_MULHU, false, false),
        _ => panic!("{op:?} is not served by the MUL table"),
    };
    let (am, al) = sign_split(a);
    let (bm, bl) = sign_split(b);
    let sa = u32::from(a_signed) * am;
    let sb = u32::from(b_signed) * bm;
    let x = extend(a, 255 * u64::from(sa));
    let y = extend(b, 255 * u64::from(sb));
    // The 64-bit two's-complement product, computed independently of the limbs.
    let wide = |v: u32, signed: bool| {
        if signed {
            v as i32 as i64 as u64
        } else {
            u64::from(v)
        }
    };
    let p = wide(a, a_signed).wrapping_mul(wide(b, b_signed));
    let pl = p.to_le_bytes().map(u64::from);
    convolution_carries(&x, &y, &[0; 8], &pl, row, CARRY, bytes);
    set_word(row, A, a);
    set_word(row, B, b);
    set_word(row, P, p as u32);
    set_word(row, P + 4, (p >> 32) as u32);
    set(row, A_MSB, am);
    set(row, A_LOW, al);
    set(row, B_MSB, bm);
    set(row, B_LOW, bl);
    set(row, SA, sa);
    set(row, SB, sb);
    let c = if op == Opcode::Mul {
        p as u32
    } else {
        (p >> 32) as u32
    };
    set_word(row, C, c);
    set(row, sel, 1);
    bytes.add_all(p.to_le_bytes().map(u32::from));
    bytes.add_all([2 * al, 2 * bl]);
}
