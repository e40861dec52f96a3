//! Shared building blocks of the tables' layouts and row structure.

use alloc::vec::Vec;

use p3_air::{AirBuilder, WindowAccess};
use p3_field::PrimeCharacteristicRing;
use p3_lookup::InteractionBuilder;

use super::bus::send_byte;
use super::ts_range::{send_ts_limb, TS_LIMB_BITS};

/// The current and next rows of the main trace, as expressions: how a
/// table's `eval` reads its cells by column index.
pub fn rows<AB: AirBuilder>(builder: &AB) -> (Vec<AB::Expr>, Vec<AB::Expr>) {
    let main = builder.main();
    let exprs = |row: &[AB::Var]| row.iter().map(|&v| v.into()).collect();
    (exprs(main.current_slice()), exprs(main.next_slice()))
}

/// Hands out consecutive column indices while a table's layout is built.
#[derive(Default)]
pub struct ColumnAlloc(usize);

impl ColumnAlloc {
    pub fn one(&mut self) -> usize {
        self.0 += 1;
        self.0 - 1
    }

    pub fn many<const N: usize>(&mut self) -> [usize; N] {
        core::array::from_fn(|_| self.one())
    }

    pub fn ts(&mut self) -> TsCols {
        TsCols {
            prev_ts: self.one(),
            diff: self.many(),
        }
    }

    /// Columns allocated so far: the table's width.
    pub fn width(&self) -> usize {
        self.0
    }
}

/// One timestamped memory access: the previous timestamp and the two
/// 12-bit limbs of `ts - prev_ts - 1`.
#[derive(Clone, Copy, Debug)]
pub struct TsCols {
    pub prev_ts: usize,
    pub diff: [usize; 2],
}

/// Constrains `prev_ts < ts` (when `count` is 1) by range-checking the two
/// 12-bit limbs of `ts - prev_ts - 1` ([`super::ts_range`]): a memory access
/// can only consume a token produced strictly before it. An access's
/// timestamp is at most 2^23 (`8 * clk + 8`, `clk < 2^20`) and `p > 2^24`,
/// so the limbs' value is the integer gap; the decode table's
/// `FETCH_HOLD_TS` (2^23 + 8) is above every access's, so no access can
/// consume the token it produces ([`super::memory::FETCH_HOLD_TS`]).
pub fn check_access_order<AB: InteractionBuilder>(
    builder: &mut AB,
    ts: AB::Expr,
    prev_ts: AB::Expr,
    diff: [AB::Expr; 2],
    count: AB::Expr,
) {
    let [d0, d1] = diff;
    let value = d0.clone() + d1.clone() * AB::Expr::from_u32(1 << TS_LIMB_BITS);
    builder.assert_zero(count.clone() * (ts - prev_ts - AB::Expr::ONE - value));
    for d in [d0, d1] {
        send_ts_limb(builder, d, count.clone());
    }
}

/// Strictly increasing cycles from one row to the next flagged row:
/// `next_clk - clk - 1` is the next row's three gap bytes when
/// `next_has_prev`, and each row range-checks its own gap bytes when
/// `has_prev`. So every flagged row belongs to a later cycle than the row
/// before it (one syscall per cycle, output in execution order).
pub fn check_cycle_order<AB: InteractionBuilder>(
    builder: &mut AB,
    clk: AB::Expr,
    next_clk: AB::Expr,
    next_has_prev: AB::Expr,
    next_gap: [AB::Expr; 3],
    has_prev: AB::Expr,
    gap: [AB::Expr; 3],
) {
    let [g0, g1, g2] = next_gap;
    let value = g0 + g1 * AB::Expr::from_u32(1 << 8) + g2 * AB::Expr::from_u32(1 << 16);
    builder
        .when_transition()
        .assert_zero(next_has_prev * (next_clk - clk - AB::Expr::ONE - value));
    for g in gap {
        send_byte(builder, g, has_prev.clone());
    }
}

/// Columns of a table made of fixed-length segments (a page's 64 blocks, a
/// path's 22 levels), real rows first, then padding.
#[derive(Clone, Copy, Debug)]
pub struct SegmentCols {
    pub is_real: usize,
    /// First and last row of a segment.
    pub first: usize,
    pub last: usize,
    /// Position in the segment `0..len`, and the inverse of
    /// `position - (len - 1)` (or 0).
    pub position: usize,
    pub position_inv: usize,
}

/// Forces, by position alone, that the real rows form whole segments of
/// exactly `len` rows numbered `0..len`, followed only by padding: `first`
/// and `last` cannot be set anywhere else, a segment cannot stop short or
/// run long, and a padding row cannot turn real. Returns `mid` = a real row
/// that is not its segment's last (degree 1).
pub fn eval_segments<AB: AirBuilder>(
    builder: &mut AB,
    local: &[AB::Expr],
    next: &[AB::Expr],
    c: SegmentCols,
    len: u32,
) -> AB::Expr {
    let one = AB::Expr::ONE;
    let l = |i: usize| local[i].clone();
    let n = |i: usize| next[i].clone();
    let (is_real, first, last) = (l(c.is_real), l(c.first), l(c.last));
    let mid = is_real.clone() - last.clone();
    for b in [c.is_real, c.first, c.last] {
        builder.assert_bool(l(b));
    }
    builder.assert_zero(first.clone() * (one.clone() - is_real.clone()));
    builder.assert_zero(last.clone() * (one.clone() - is_real.clone()));
    builder
        .when_first_row()
        .assert_eq(first.clone(), is_real.clone());
    builder.when_last_row().assert_zero(mid.clone());
    let top = AB::Expr::from_u32(len - 1);
    builder.assert_zero(first * l(c.position));
    builder.assert_zero(last.clone() * (l(c.position) - top.clone()));
    builder.assert_zero(
        is_real.clone() * ((l(c.position) - top) * l(c.position_inv) - one.clone() + last.clone()),
    );
    let mut t = builder.when_transition();
    t.assert_zero(n(c.is_real) * (one.clone() - is_real));
    t.assert_zero(mid.clone() * (one - n(c.is_real)));
    t.assert_eq(n(c.first), last * n(c.is_real));
    t.assert_zero(mid.clone() * (n(c.position) - l(c.position) - AB::Expr::ONE));
    mid
}
