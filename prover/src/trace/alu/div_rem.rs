//! Trace of the DIV/DIVU/REM/REMU table.

use p3_field::{Field, PrimeCharacteristicRing};
use sluice_verifier::air::alu::div_rem::*;
use sluice_verifier::isa::Opcode;
use sluice_verifier::stark::config::Val;

use super::mul::{convolution_carries, extend};
use super::{build_table, set, set_word, sign_split, AluEvent};
use crate::trace::range::ByteCounts;

/// One row per event; `op` must be DIV, DIVU, REM or REMU.
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
        Opcode::Divu,
        &[IS_DIV, IS_DIVU, IS_REM, IS_REMU, C, C + 1, C + 2, C + 3],
        fill,
    )
}

/// RISC-V quotient and remainder (division by zero and signed overflow
/// included).
fn quotient_remainder(a: u32, b: u32, signed: bool) -> (u32, u32) {
    if b == 0 {
        return (u32::MAX, a);
    }
    if signed {
        let (x, y) = (a as i32, b as i32);
        (x.wrapping_div(y) as u32, x.wrapping_rem(y) as u32)
    } else {
        (a / b, a % b)
    }
}

/// `|x|` for a word whose (operation-relative) sign is `neg`, and the carries
/// of the chain `x + |x| = 2³²` (all zero when `neg` is false).
fn abs_and_carries(x: u32, neg: bool) -> (u32, [u32; 4]) {
    if !neg {
        return (x, [0; 4]);
    }
    let abs = x.wrapping_neg();
    let mut carries = [0; 4];
    let mut c = 0;
    for (i, slot) in carries.iter_mut().enumerate() {
        let s = ((x >> (8 * i)) & 255) + ((abs >> (8 * i)) & 255) + c;
        c = s >> 8;
        *slot = c;
    }
    (abs, carries)
}

/// Fills one row for `op(a, b)` and records its byte sends.
pub fn fill(op: Opcode, a: u32, b: u32, row: &mut [Val], bytes: &mut ByteCounts) {
    let signed = matches!(op, Opcode::Div | Opcode::Rem);
    let (q, r) = quotient_remainder(a, b, signed);
    fill_witness(op, a, b, q, r, None, row, bytes);
}

/// Fills a row claiming quotient `q` and remainder `r` for `op(a, b)`, with
/// every auxiliary column derived from them (`ov` forced when `force_ov` is
/// `Some`). Honest rows come from [`fill`]; tests use this directly to build
/// forged-but-self-consistent rows that only one constraint can catch.
#[allow(clippy::too_many_arguments)]
pub fn fill_witness(
    op: Opcode,
    a: u32,
    b: u32,
    q: u32,
    r: u32,
    force_ov: Option<u32>,
    row: &mut [Val],
    bytes: &mut ByteCounts,
) {
    let (sel, signed, wants_q) = match op {
        Opcode::Div => (IS_DIV, true, true),
        Opcode::Divu => (IS_DIVU, false, true),
        Opcode::Rem => (IS_REM, true, false),
        Opcode::Remu => (IS_REMU, false, false),
        _ => panic!("{op:?} is not served by the DIV table"),
    };
    let s = u32::from(signed);
    let (am, al) = sign_split(a);
    let (bm, bl) = sign_split(b);
    let (qm, ql) = sign_split(q);
    let (rm, rl) = sign_split(r);
    let (sa, sb, sq, sr) = (s * am, s * bm, s * qm, s * rm);
    set_word(row, A, a);
    set_word(row, B, b);
    set_word(row, Q, q);
    set_word(row, R, r);
    set_word(row, C, if wants_q { q } else { r });
    for (col, v) in [
        (A_MSB, am),
        (A_LOW, al),
        (B_MSB, bm),
        (B_LOW, bl),
        (Q_MSB, qm),
        (Q_LOW, ql),
        (R_MSB, rm),
        (R_LOW, rl),
        (SA, sa),
        (SB, sb),
        (SQ, sq),
        (SR, sr),
        (sel, 1),
    ] {
        set(row, col, v);
    }

    // b == 0 gadget.
    let b_sum: u32 = b.to_le_bytes().iter().map(|&x| u32::from(x)).sum();
    set(row, BZ, u32::from(b == 0));
    row[B_INV] = Val::from_u32(b_sum).try_inverse().unwrap_or(Val::ZERO);

    // Overflow gadget (same sum as the AIR).
    let t = ((a & 0xff) + ((a >> 8) & 0xff) + ((a >> 16) & 0xff) + al)
        + b.to_le_bytes()
            .iter()
            .map(|&x| 255 - u32::from(x))
            .sum::<u32>()
        + (1 - am)
        + (1 - s);
    let ov = force_ov.unwrap_or(u32::from(t == 0));
    set(row, OV, ov);
    row[OV_INV] = Val::from_u32(t).try_inverse().unwrap_or(Val::ZERO);

    // b·q + r = a over 64 bits (high half 0 on overflow).
    let x = extend(b, 255 * u64::from(sb));
    let y = extend(q, 255 * u64::from(sq));
    let z = extend(r, 255 * u64::from(sr));
    let target = extend(a, 255 * u64::from(sa.saturating_sub(ov)));
    convolution_carries(&x, &y, &z, &target, row, CARRY, bytes);

    // |r| < |b| unless b = 0.
    let (abs_b, bc) = abs_and_carries(b, sb == 1);
    let (abs_r, rc) = abs_and_carries(r, sr == 1);
    set_word(row, ABS_B, abs_b);
    set_word(row, ABS_R, abs_r);
    for i in 0..4 {
        set(row, ABS_B_CARRY + i, bc[i]);
        set(row, ABS_R_CARRY + i, rc[i]);
    }
    let d = if b == 0 {
        0
    } else {
        abs_b.wrapping_sub(abs_r).wrapping_sub(1)
    };
    set_word(row, D, d);
    if b != 0 {
        let mut c = 1;
        for i in 0..4 {
            let s = ((abs_r >> (8 * i)) & 255) + ((d >> (8 * i)) & 255) + c;
            c = s >> 8;
            set(row, D_CARRY + i, c);
        }
    }

    bytes.add_all(
        [q, r, abs_b, abs_r, d]
            .into_iter()
            .flat_map(u32::to_le_bytes)
            .map(u32::from),
    );
    bytes.add_all([2 * al, 2 * bl, 2 * ql, 2 * rl]);
}
