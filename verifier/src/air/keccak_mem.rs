//! The Keccak memory table: the state words of every `keccak_permute`
//! syscall, read and written over the memory bus.
//!
//! One segment of [`LANES`] rows per call, row `j` holding lane `j` (the
//! two words at `ptr + 8 j` and `ptr + 8 j + 4`). The segment's first row
//! receives the CPU's `ECALL` message on [`IO_BUS`]: `a7 =`
//! [`syscall::KECCAK_PERMUTE`], `a0 = ptr`, result 0. Nothing else
//! consumes a message with that `a7`, so each such `ECALL` has exactly one
//! segment, and the segment structure ([`eval_segments`](super::layout::eval_segments)) forces its 25
//! rows at consecutive lanes with the same `clk`. On that row `ptr` is
//! checked as the executor checks it ([`receive_buffer_call`](super::precompile_call::receive_buffer_call)).
//!
//! Each row consumes both words' tokens from the memory bus and produces
//! the new ones at the call's buffer timestamp (distinct addresses, so one
//! timestamp serves them all), range-checks the new bytes, and sends
//! `(clk, lane, old limbs, new limbs)` on [`KECCAK_BUS`], which only an
//! exported permutation of the [`super::keccak`] table receives. So the new
//! state is Keccak-f[1600] of the old one, lane for lane.

use p3_air::{Air, BaseAir};
use p3_field::{Field, PrimeCharacteristicRing};
use p3_lookup::{Count, InteractionBuilder};

use super::bus::send_byte;
use super::cpu::TS_PER_CYCLE;
use super::io::SLOT_BUF;
use super::keccak::{keccak_lane_message, KECCAK_BUS, LANES};
use super::layout::{check_access_order, ColumnAlloc, SegmentCols, TsCols};
use super::memory::{mem_consume, mem_produce};
use super::precompile_call::{eval_call_rows, limb, BufferPtrCols, CallShape};
use crate::layout::syscall;

/// Column indices of the Keccak memory table.
#[derive(Clone, Debug)]
pub struct KeccakMemCols {
    /// Segment structure; `position` is the lane.
    pub seg: SegmentCols,
    pub clk: usize,
    /// Address of the lane's low word.
    pub addr: usize,
    /// First row: the state pointer and its checks.
    pub ptr: BufferPtrCols,
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
            ptr: BufferPtrCols::new(&mut a),
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
        let k = |x: u32| AB::Expr::from_u32(x);

        // ---- 25 rows per call: one lane each, at consecutive addresses ----
        eval_call_rows(
            builder,
            &local,
            &next,
            c.seg,
            c.clk,
            c.addr,
            c.ptr,
            CallShape {
                syscall: syscall::KECCAK_PERMUTE,
                bytes: syscall::KECCAK_STATE_BYTES,
                rows: LANES as u32,
                stride: 8,
            },
        );
        let is_real = l(c.seg.is_real);

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
