//! Offline memory checking: the `mem` bus and the boundary table.
//!
//! Registers (word `4 * i`) and guest memory share one word-addressed space.
//! Every access *consumes* the token `(addr, old value, old timestamp)` and
//! *produces* `(addr, new value, timestamp)`, with `old timestamp <
//! timestamp` range-checked by the accessor, and every timestamp of the CPU
//! table is unique (`8 * clk + slot + 1`), so no row can consume the token it
//! produces (no self-cancelling message). The boundary table produces every
//! touched word's initial value at timestamp 0 and consumes its final value.
//! The LogUp sum over the `mem` bus is zero iff every read returns the value
//! last written (or the initial value).
//!
//! The boundary table lists each word once: its word indices are strictly
//! increasing (consecutive differences minus one are range-checked) and below
//! 2^28, so addresses are canonical (`< 2^30 < p`) and word-aligned.
//!
//! GAP (see `docs/proof-system.md`): the initial values are NOT yet tied to
//! the statement's start memory root, nor the final values to its end root;
//! the page-in/page-out Merkle binding is a later step. Until then a proof
//! only shows that *some* initial memory leads to the claimed execution.

use alloc::vec::Vec;

use p3_air::{Air, AirBuilder, BaseAir, WindowAccess};
use p3_field::{Field, PrimeCharacteristicRing};
use p3_lookup::{Count, InteractionBuilder};

use super::bus::send_byte;

/// Name of the memory bus.
pub const MEM_BUS: &str = "mem";

fn message<E: Clone>(addr: E, value: [E; 4], ts: E) -> [E; 6] {
    let [a, b, c, d] = value;
    [addr, a, b, c, d, ts]
}

/// Produces `(addr, value, ts)` on the memory bus `count` (boolean) times.
pub fn mem_produce<AB: InteractionBuilder>(
    builder: &mut AB,
    addr: AB::Expr,
    value: [AB::Expr; 4],
    ts: AB::Expr,
    count: AB::Expr,
) {
    builder.push_interaction(MEM_BUS, message(addr, value, ts), Count::bounded(count, 1));
}

/// Consumes `(addr, value, ts)` from the memory bus `count` (boolean) times.
pub fn mem_consume<AB: InteractionBuilder>(
    builder: &mut AB,
    addr: AB::Expr,
    value: [AB::Expr; 4],
    ts: AB::Expr,
    count: AB::Expr,
) {
    builder.push_interaction(MEM_BUS, message(addr, value, ts), Count::bounded(-count, 1));
}

/// Column indices of the boundary table.
#[derive(Clone, Debug)]
pub struct BoundaryCols {
    pub is_real: usize,
    /// `is_real`, except 0 on the first row (the row has a predecessor).
    pub has_prev: usize,
    /// Word index (`addr / 4`) as four bytes; the top one is below 16.
    pub widx: [usize; 4],
    pub init: [usize; 4],
    pub fin: [usize; 4],
    pub final_ts: usize,
    /// `widx - prev.widx - 1` as four bytes (top below 16).
    pub gap: [usize; 4],
    /// `widx == 0` (register x0) and the inverse witness.
    pub is_x0: usize,
    pub widx_inv: usize,
    pub width: usize,
}

impl BoundaryCols {
    pub const fn new() -> Self {
        BoundaryCols {
            is_real: 0,
            has_prev: 1,
            widx: [2, 3, 4, 5],
            init: [6, 7, 8, 9],
            fin: [10, 11, 12, 13],
            final_ts: 14,
            gap: [15, 16, 17, 18],
            is_x0: 19,
            widx_inv: 20,
            width: 21,
        }
    }
}

impl Default for BoundaryCols {
    fn default() -> Self {
        Self::new()
    }
}

/// The boundary table's AIR.
#[derive(Clone, Copy, Debug, Default)]
pub struct BoundaryAir;

impl<F> BaseAir<F> for BoundaryAir {
    fn width(&self) -> usize {
        BoundaryCols::new().width
    }
}

impl<AB: InteractionBuilder> Air<AB> for BoundaryAir
where
    AB::F: Field,
{
    fn eval(&self, builder: &mut AB) {
        let c = BoundaryCols::new();
        let main = builder.main();
        let local: Vec<AB::Expr> = main.current_slice().iter().map(|&v| v.into()).collect();
        let next: Vec<AB::Expr> = main.next_slice().iter().map(|&v| v.into()).collect();
        let l = |i: usize| local[i].clone();
        let n = |i: usize| next[i].clone();
        let k = |x: u32| AB::Expr::from_u32(x);
        let word = |idx: [usize; 4], row: &dyn Fn(usize) -> AB::Expr| {
            row(idx[0])
                + row(idx[1]) * k(1 << 8)
                + row(idx[2]) * k(1 << 16)
                + row(idx[3]) * k(1 << 24)
        };
        let is_real = l(c.is_real);
        builder.assert_bool(is_real.clone());
        builder.when_first_row().assert_zero(l(c.has_prev));
        {
            let mut t = builder.when_transition();
            t.assert_zero(n(c.is_real) * (AB::Expr::ONE - is_real.clone()));
            t.assert_eq(n(c.has_prev), n(c.is_real));
            // Strictly increasing word indices.
            t.assert_zero(
                n(c.is_real)
                    * (word(c.widx, &n) - word(c.widx, &l) - AB::Expr::ONE - word(c.gap, &n)),
            );
        }
        for i in 0..4 {
            send_byte(builder, l(c.widx[i]), is_real.clone());
            send_byte(builder, l(c.init[i]), is_real.clone());
            send_byte(builder, l(c.gap[i]), l(c.has_prev));
        }
        send_byte(builder, l(c.widx[3]) * k(16), is_real.clone());
        send_byte(builder, l(c.gap[3]) * k(16), l(c.has_prev));
        // x0 starts at zero.
        let widx = word(c.widx, &l);
        let is_x0 = l(c.is_x0);
        builder.assert_bool(is_x0.clone());
        builder.assert_zero(is_x0.clone() * widx.clone());
        builder.assert_zero(widx.clone() * l(c.widx_inv) - AB::Expr::ONE + is_x0.clone());
        for i in 0..4 {
            builder.assert_zero(is_x0.clone() * l(c.init[i]));
        }
        let addr = widx * k(4);
        let init = c.init.map(&l);
        let fin = c.fin.map(&l);
        mem_produce(builder, addr.clone(), init, AB::Expr::ZERO, is_real.clone());
        mem_consume(builder, addr, fin, l(c.final_ts), is_real);
    }
}
