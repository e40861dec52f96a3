//! The I/O word table: every buffer word a `read` or public `write` moves.
//!
//! One row per touched word; the words of one syscall are one segment of
//! consecutive rows at consecutive word addresses, all accessed at that
//! syscall's buffer timestamp (distinct addresses, so one timestamp serves
//! them all). The segment's first row receives the syscall's
//! `(clk, kind, first word, offset, end)` from the [`super::io`] table on
//! [`IO_WORDS_BUS`]; the structure then forces the rest: each next row of
//! the segment is the next word with the same `clk`, kind and `end`, and
//! the last row is the one holding byte `end - 1`. Byte `i` of a row is
//! selected (`sel[i]`) when its address lies in `[start, end)`.
//!
//! - A read writes its selected bytes with private input (free witness,
//!   range-checked) and keeps the others.
//! - A public write leaves memory unchanged and sends each selected byte,
//!   with its position in the epoch's output, to the [`super::output`]
//!   table on [`OUTPUT_BUS`]. Segments are in strictly increasing cycle
//!   order and positions count up by one per selected byte from 0, so the
//!   bytes arrive in execution order and the output table, built by the
//!   verifier from the statement, pins every one of them.
//!
//! Cost: one row per word moved plus at most one more per call.

use p3_air::{Air, AirBuilder, BaseAir};
use p3_field::{Field, PrimeCharacteristicRing};
use p3_lookup::{Count, InteractionBuilder};

use super::bus::send_byte;
use super::cpu::TS_PER_CYCLE;
use super::io::{io_words_message, IO_WORDS_BUS, KIND_OUTPUT, KIND_READ, SLOT_BUF};
use super::layout::{check_access_order, check_cycle_order, ColumnAlloc, TsCols};
use super::memory::{mem_consume, mem_produce};

/// Name of the public-output bus: `(position, byte)`.
pub const OUTPUT_BUS: &str = "output";

/// Column indices of the I/O word table.
#[derive(Clone, Debug)]
pub struct IoWordCols {
    pub is_real: usize,
    /// First and last row of the syscall's segment.
    pub first: usize,
    pub last: usize,
    pub clk: usize,
    /// A segment after another; `clk - previous clk - 1` as bytes.
    pub has_prev: usize,
    pub gap: [usize; 3],
    pub is_read: usize,
    pub is_out: usize,
    /// The word's address, and the segment's end (one past its last byte).
    pub addr: usize,
    pub end: usize,
    /// First row: the start's offset in the word (one-hot `0..4`). Last
    /// row: `end - addr` (one-hot `1..=4`, as `fin[0..4]`).
    pub start_off: [usize; 4],
    pub fin: [usize; 4],
    /// Selected bytes (inside `[start, end)`).
    pub sel: [usize; 4],
    pub old: [usize; 4],
    pub new: [usize; 4],
    pub ts: TsCols,
    /// Output position of this row's first selected byte.
    pub out_pos: usize,
    pub width: usize,
}

impl IoWordCols {
    pub fn new() -> Self {
        let mut a = ColumnAlloc::default();
        let mut c = IoWordCols {
            is_real: a.one(),
            first: a.one(),
            last: a.one(),
            clk: a.one(),
            has_prev: a.one(),
            gap: a.many(),
            is_read: a.one(),
            is_out: a.one(),
            addr: a.one(),
            end: a.one(),
            start_off: a.many(),
            fin: a.many(),
            sel: a.many(),
            old: a.many(),
            new: a.many(),
            ts: a.ts(),
            out_pos: a.one(),
            width: 0,
        };
        c.width = a.width();
        c
    }
}

impl Default for IoWordCols {
    fn default() -> Self {
        Self::new()
    }
}

/// The I/O word table's AIR.
#[derive(Clone, Copy, Debug, Default)]
pub struct IoWordsAir;

impl<F> BaseAir<F> for IoWordsAir {
    fn width(&self) -> usize {
        IoWordCols::new().width
    }
}

impl<AB: InteractionBuilder> Air<AB> for IoWordsAir
where
    AB::F: Field,
{
    fn eval(&self, builder: &mut AB) {
        let c = IoWordCols::new();
        let (local, next) = super::layout::rows(builder);
        let l = |i: usize| local[i].clone();
        let n = |i: usize| next[i].clone();
        let k = |x: u32| AB::Expr::from_u32(x);
        let one = AB::Expr::ONE;
        let zero = AB::Expr::ZERO;

        let (is_real, first, last) = (l(c.is_real), l(c.first), l(c.last));
        let (is_read, is_out) = (l(c.is_read), l(c.is_out));
        for b in [c.is_real, c.first, c.last, c.has_prev, c.is_read, c.is_out] {
            builder.assert_bool(l(b));
        }
        builder.assert_eq(is_read.clone() + is_out.clone(), is_real.clone());
        builder.assert_zero(first.clone() * (one.clone() - is_real.clone()));
        builder.assert_zero(last.clone() * (one.clone() - is_real.clone()));
        builder.assert_zero(l(c.has_prev) * (one.clone() - first.clone()));

        // ---- Segments: real rows first, each segment first..last ----
        builder
            .when_first_row()
            .assert_zero(is_real.clone() * (one.clone() - first.clone()));
        builder.when_first_row().assert_zero(l(c.has_prev));
        builder.when_first_row().assert_zero(l(c.out_pos));
        builder
            .when_last_row()
            .assert_zero(is_real.clone() * (one.clone() - last.clone()));
        {
            let inside = is_real.clone() - last.clone();
            let mut t = builder.when_transition();
            t.assert_zero(n(c.is_real) * (one.clone() - is_real.clone()));
            // Not the last row of a segment: the next row continues it.
            t.assert_zero(inside.clone() * (one.clone() - n(c.is_real)));
            t.assert_zero(inside.clone() * n(c.first));
            for col in [c.clk, c.is_read, c.is_out, c.end] {
                t.assert_zero(inside.clone() * (n(col) - l(col)));
            }
            t.assert_zero(inside * (n(c.addr) - l(c.addr) - k(4)));
            // The last row of a segment: the next real row starts another,
            // at a later cycle.
            t.assert_zero(last.clone() * n(c.is_real) * (one.clone() - n(c.first)));
            t.assert_eq(n(c.has_prev), n(c.first) * n(c.is_real) * is_real.clone());
            // Output positions count the selected bytes of public writes.
            let count: AB::Expr = c.sel.iter().map(|&s| l(s)).sum();
            t.assert_eq(n(c.out_pos), l(c.out_pos) + is_out.clone() * count);
        }
        check_cycle_order(
            builder,
            l(c.clk),
            n(c.clk),
            n(c.has_prev),
            c.gap.map(&n),
            l(c.has_prev),
            c.gap.map(&l),
        );

        // ---- The segment's ends and the selected bytes ----
        let start_off = c.start_off.map(&l);
        let fin = c.fin.map(&l);
        let mut off_sum = zero.clone();
        let mut offset = zero.clone();
        let mut fin_sum = zero.clone();
        let mut fin_len = zero.clone();
        for i in 0..4 {
            builder.assert_bool(start_off[i].clone());
            builder.assert_bool(fin[i].clone());
            off_sum += start_off[i].clone();
            offset += start_off[i].clone() * k(i as u32);
            fin_sum += fin[i].clone();
            fin_len += fin[i].clone() * k(i as u32 + 1);
        }
        builder.assert_eq(off_sum, first.clone());
        builder.assert_eq(fin_sum, last.clone());
        builder.assert_zero(last.clone() * (l(c.end) - l(c.addr) - fin_len));
        let kind = is_read.clone() * k(KIND_READ) + is_out.clone() * k(KIND_OUTPUT);
        builder.push_interaction(
            IO_WORDS_BUS,
            io_words_message(l(c.clk), kind, l(c.addr), offset.clone(), l(c.end)),
            Count::bounded(-first.clone(), 1),
        );
        // sel[i] = [i >= start offset, or not first] * [i < end, or not last]
        let old = c.old.map(&l);
        let new = c.new.map(&l);
        for i in 0..4 {
            let from: AB::Expr = (0..=i).map(|j| start_off[j].clone()).sum();
            let upto: AB::Expr = (i..4).map(|j| fin[j].clone()).sum();
            let after_start = one.clone() - first.clone() + from;
            let before_end = one.clone() - last.clone() + upto;
            let sel = l(c.sel[i]);
            builder.assert_eq(sel.clone(), is_real.clone() * after_start * before_end);
            // A read replaces exactly the selected bytes; a write keeps all.
            builder.assert_zero((one.clone() - sel.clone()) * (new[i].clone() - old[i].clone()));
            builder.assert_zero(is_out.clone() * (new[i].clone() - old[i].clone()));
            send_byte(builder, new[i].clone(), is_read.clone() * sel.clone());
            let position = l(c.out_pos) + k(i as u32) - offset.clone();
            builder.push_interaction(
                OUTPUT_BUS,
                alloc::vec![position, old[i].clone()],
                Count::bounded(is_out.clone() * sel, 1),
            );
        }

        // ---- The word, at the syscall's buffer timestamp ----
        let ts = l(c.clk) * k(TS_PER_CYCLE) + k(SLOT_BUF + 1);
        check_access_order(
            builder,
            ts.clone(),
            l(c.ts.prev_ts),
            c.ts.diff.map(&l),
            is_real.clone(),
        );
        mem_consume(builder, l(c.addr), old, l(c.ts.prev_ts), is_real.clone());
        mem_produce(builder, l(c.addr), new, ts, is_real);
    }
}
