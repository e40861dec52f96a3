//! The Keccak memory table: the state words of every `keccak_permute`
//! syscall, read and written over the memory bus.
//!
//! One segment of [`LANES`] rows per call, row `j` holding lane `j` (the
//! two words at `ptr + 8 j` and `ptr + 8 j + 4`). The segment's first row
//! receives the CPU's `ECALL` message on [`IO_BUS`]: `a7 =`
//! [`syscall::KECCAK_PERMUTE`], `a0 = ptr`, result 0. Nothing else
//! consumes a message with that `a7`, so each such `ECALL` has exactly one
//! segment, and the segment structure ([`eval_segments`]) forces its 25
//! rows at consecutive lanes with the same `clk`. On that row `ptr` is
//! checked as the executor checks it: 4-byte aligned, the 200 bytes inside
//! guest memory (`0x1_0000 <= ptr`, `ptr + 200 <= 2^30`).
//!
//! Each row consumes both words' tokens from the memory bus and produces
//! the new ones at the call's buffer timestamp (distinct addresses, so one
//! timestamp serves them all), range-checks the new bytes, and sends
//! `(clk, lane, old limbs, new limbs)` on [`KECCAK_BUS`], which only an
//! exported permutation of the [`super::keccak`] table receives. So the new
//! state is Keccak-f[1600] of the old one, lane for lane.

use p3_air::{Air, AirBuilder, BaseAir};
use p3_field::{Field, PrimeCharacteristicRing};
use p3_lookup::{Count, InteractionBuilder};

use super::bus::{send_byte, word_limbs};
use super::cpu::{word_expr, TS_PER_CYCLE};
use super::io::{io_message, IO_BUS, SLOT_BUF};
use super::keccak::{keccak_lane_message, KECCAK_BUS, LANES};
use super::layout::{check_access_order, eval_segments, ColumnAlloc, SegmentCols, TsCols};
use super::memory::{mem_consume, mem_produce};
use crate::layout::{syscall, GUEST_MEMORY_END};

/// Column indices of the Keccak memory table.
#[derive(Clone, Debug)]
pub struct KeccakMemCols {
    /// Segment structure; `position` is the lane.
    pub seg: SegmentCols,
    pub clk: usize,
    /// Address of the lane's low word.
    pub addr: usize,
    /// First row: the state pointer's bytes (`a0`), `ptr[0] / 4`, the
    /// inverse of `ptr`'s upper half, and the bytes of `2^30 - ptr - 200`.
    pub ptr: [usize; 4],
    pub quarter: usize,
    pub hi_inv: usize,
    pub room: [usize; 4],
    /// The lane's bytes before and after, low word first.
    pub old: [usize; 8],
    pub new: [usize; 8],
    /// The two words' previous accesses.
    pub ts: [TsCols; 2],
    pub width: usize,
}

impl KeccakMemCols {
    pub fn new() -> Self {
        let mut a = ColumnAlloc::default();
        let mut c = KeccakMemCols {
            seg: SegmentCols {
                is_real: a.one(),
                first: a.one(),
                last: a.one(),
                position: a.one(),
                position_inv: a.one(),
            },
            clk: a.one(),
            addr: a.one(),
            ptr: a.many(),
            quarter: a.one(),
            hi_inv: a.one(),
            room: a.many(),
            old: a.many(),
            new: a.many(),
            ts: [a.ts(), a.ts()],
            width: 0,
        };
        c.width = a.width();
        c
    }
}

impl Default for KeccakMemCols {
    fn default() -> Self {
        Self::new()
    }
}

/// Two bytes as one 16-bit limb.
fn limb<E: PrimeCharacteristicRing>(lo: E, hi: E) -> E {
    lo + hi * E::from_u32(1 << 8)
}

/// The Keccak memory table's AIR.
#[derive(Clone, Copy, Debug, Default)]
pub struct KeccakMemAir;

impl<F> BaseAir<F> for KeccakMemAir {
    fn width(&self) -> usize {
        KeccakMemCols::new().width
    }
}

impl<AB: InteractionBuilder> Air<AB> for KeccakMemAir
where
    AB::F: Field,
{
    fn eval(&self, builder: &mut AB) {
        let c = KeccakMemCols::new();
        let (local, next) = super::layout::rows(builder);
        let l = |i: usize| local[i].clone();
        let n = |i: usize| next[i].clone();
        let k = |x: u32| AB::Expr::from_u32(x);
        let zero = AB::Expr::ZERO;

        // ---- 25 rows per call: one lane each, at consecutive addresses ----
        let mid = eval_segments(builder, &local, &next, c.seg, LANES as u32);
        let (is_real, first) = (l(c.seg.is_real), l(c.seg.first));
        {
            let mut t = builder.when_transition();
            t.assert_zero(mid.clone() * (n(c.clk) - l(c.clk)));
            t.assert_zero(mid * (n(c.addr) - l(c.addr) - k(8)));
        }

        // ---- The call: a0 = ptr, checked on the first row ----
        let ptr = c.ptr.map(&l);
        builder.assert_zero(first.clone() * (l(c.addr) - word_expr(ptr.clone())));
        // ptr[0] = 4 * quarter with quarter a byte: ptr is word aligned.
        builder.assert_zero(first.clone() * (ptr[0].clone() - l(c.quarter) * k(4)));
        send_byte(builder, l(c.quarter), first.clone());
        // ptr < 2^30 < p (so its field value is the integer), ptr >= 2^16,
        // and 2^30 - 200 - ptr a 30-bit number: ptr + 200 <= 2^30. The first
        // check is not redundant: without it a0 >= 2^30 could wrap modulo p
        // in `word_expr` and pass the room check.
        send_byte(builder, ptr[3].clone() * k(4), first.clone());
        builder.assert_zero(
            first.clone()
                * ((ptr[2].clone() + ptr[3].clone() * k(256)) * l(c.hi_inv) - AB::Expr::ONE),
        );
        let room = c.room.map(&l);
        builder.assert_zero(
            first.clone()
                * (k(GUEST_MEMORY_END - syscall::KECCAK_STATE_BYTES)
                    - word_expr(ptr.clone())
                    - word_expr(room.clone())),
        );
        for (i, r) in room.into_iter().enumerate() {
            let scale = if i == 3 { 4 } else { 1 };
            send_byte(builder, r * k(scale), first.clone());
        }
        let a7 = word_limbs(syscall::KECCAK_PERMUTE).map(|b| k(b.into()));
        builder.push_interaction(
            IO_BUS,
            io_message(
                l(c.clk),
                a7,
                ptr,
                [zero.clone(), zero.clone(), zero.clone(), zero],
            ),
            Count::bounded(-first, 1),
        );

        // ---- The lane's two words, at the call's buffer timestamp ----
        let ts = l(c.clk) * k(TS_PER_CYCLE) + k(SLOT_BUF + 1);
        let old = c.old.map(&l);
        let new = c.new.map(&l);
        for (w, cols) in c.ts.iter().enumerate() {
            let addr = l(c.addr) + k(4 * w as u32);
            let bytes = |v: &[AB::Expr; 8]| core::array::from_fn(|i| v[4 * w + i].clone());
            check_access_order(
                builder,
                ts.clone(),
                l(cols.prev_ts),
                cols.diff.map(&l),
                is_real.clone(),
            );
            mem_consume(
                builder,
                addr.clone(),
                bytes(&old),
                l(cols.prev_ts),
                is_real.clone(),
            );
            mem_produce(builder, addr, bytes(&new), ts.clone(), is_real.clone());
        }
        for b in &new {
            send_byte(builder, b.clone(), is_real.clone());
        }
        let limbs = |v: &[AB::Expr; 8]| {
            core::array::from_fn(|i| limb(v[2 * i].clone(), v[2 * i + 1].clone()))
        };
        builder.push_interaction(
            KECCAK_BUS,
            keccak_lane_message(l(c.clk), l(c.seg.position), limbs(&old), limbs(&new)),
            Count::bounded(is_real, 1),
        );
    }
}
