//! What every precompile's memory table checks on a call's first row: the
//! CPU's `ECALL` (received on [`IO_BUS`]) and its buffer pointer `a0`.
//!
//! The pointer is checked as the executor checks it: 4-byte aligned, and
//! the whole buffer inside guest memory (`0x1_0000 <= ptr`,
//! `ptr + len <= 2^30`). A precompile's `a7` is consumed by its memory table
//! alone, so each such `ECALL` has exactly one call segment there.

use p3_air::AirBuilder;
use p3_field::PrimeCharacteristicRing;
use p3_lookup::{Count, InteractionBuilder};

use super::bus::{send_byte, word_limbs};
use super::cpu::word_expr;
use super::io::{io_message, IO_BUS};
use super::layout::{eval_segments, ColumnAlloc, SegmentCols};
use crate::layout::GUEST_MEMORY_END;

/// Columns of the pointer check, filled on a call's first row.
#[derive(Clone, Copy, Debug)]
pub struct BufferPtrCols {
    /// The pointer's bytes (`a0`).
    pub ptr: [usize; 4],
    /// `ptr[0] / 4`.
    pub quarter: usize,
    /// The inverse of `ptr`'s upper half.
    pub hi_inv: usize,
    /// The bytes of `2^30 - len - ptr`.
    pub room: [usize; 4],
}

impl BufferPtrCols {
    pub fn new(a: &mut ColumnAlloc) -> Self {
        BufferPtrCols {
            ptr: a.many(),
            quarter: a.one(),
            hi_inv: a.one(),
            room: a.many(),
        }
    }
}

/// On `first` (boolean): receives the `ECALL` `a7 = syscall`, `a0 = ptr`,
/// result 0 at cycle `clk`, and checks that the `len` bytes at `ptr` are
/// word-aligned guest memory. Returns `ptr` as an expression (the integer
/// value: it is below `2^30 < p`).
pub fn receive_buffer_call<AB: InteractionBuilder>(
    builder: &mut AB,
    local: &[AB::Expr],
    c: BufferPtrCols,
    first: AB::Expr,
    clk: AB::Expr,
    syscall: u32,
    len: u32,
) -> AB::Expr {
    let l = |i: usize| local[i].clone();
    let k = |x: u32| AB::Expr::from_u32(x);
    let ptr = c.ptr.map(l);
    // ptr[0] = 4 * quarter with quarter a byte: ptr is word aligned.
    builder.assert_zero(first.clone() * (ptr[0].clone() - l(c.quarter) * k(4)));
    send_byte(builder, l(c.quarter), first.clone());
    // ptr < 2^30 < p (so its field value is the integer), ptr >= 2^16,
    // and 2^30 - len - ptr a 30-bit number: ptr + len <= 2^30. The first
    // check is not redundant: without it a0 >= 2^30 could wrap modulo p
    // in `word_expr` and pass the room check.
    send_byte(builder, ptr[3].clone() * k(4), first.clone());
    builder.assert_zero(
        first.clone() * ((ptr[2].clone() + ptr[3].clone() * k(256)) * l(c.hi_inv) - AB::Expr::ONE),
    );
    let room = c.room.map(l);
    builder.assert_zero(
        first.clone()
            * (k(GUEST_MEMORY_END - len) - word_expr(ptr.clone()) - word_expr(room.clone())),
    );
    for (i, r) in room.into_iter().enumerate() {
        let scale = if i == 3 { 4 } else { 1 };
        send_byte(builder, r * k(scale), first.clone());
    }
    let a7 = word_limbs(syscall).map(|b| k(b.into()));
    let zero = || AB::Expr::ZERO;
    builder.push_interaction(
        IO_BUS,
        io_message(clk, a7, ptr.clone(), [zero(), zero(), zero(), zero()]),
        Count::bounded(-first, 1),
    );
    word_expr(ptr)
}

/// What a precompile's memory table reads per call.
#[derive(Clone, Copy, Debug)]
pub struct CallShape {
    /// The syscall number (`a7`).
    pub syscall: u32,
    /// Bytes of the buffer at `a0`.
    pub bytes: u32,
    /// Rows per call, and the address step from one row to the next.
    pub rows: u32,
    pub stride: u32,
}

/// The rows of a precompile's memory table: segments of `shape.rows` rows
/// ([`eval_segments`]), one call each, every row with the call's `clk` and
/// an address `stride` above the row before, the first at the buffer
/// pointer the call's `ECALL` passed ([`receive_buffer_call`]).
#[allow(clippy::too_many_arguments)]
pub fn eval_call_rows<AB: InteractionBuilder>(
    builder: &mut AB,
    local: &[AB::Expr],
    next: &[AB::Expr],
    seg: SegmentCols,
    clk: usize,
    addr: usize,
    ptr: BufferPtrCols,
    shape: CallShape,
) {
    let l = |i: usize| local[i].clone();
    let n = |i: usize| next[i].clone();
    let mid = eval_segments(builder, local, next, seg, shape.rows);
    {
        let mut t = builder.when_transition();
        t.assert_zero(mid.clone() * (n(clk) - l(clk)));
        t.assert_zero(mid * (n(addr) - l(addr) - AB::Expr::from_u32(shape.stride)));
    }
    let first = l(seg.first);
    let ptr = receive_buffer_call(
        builder,
        local,
        ptr,
        first.clone(),
        l(clk),
        shape.syscall,
        shape.bytes,
    );
    builder.assert_zero(first * (l(addr) - ptr));
}

/// Two bytes as one 16-bit limb.
pub fn limb<E: PrimeCharacteristicRing>(lo: E, hi: E) -> E {
    lo + hi * E::from_u32(1 << 8)
}
