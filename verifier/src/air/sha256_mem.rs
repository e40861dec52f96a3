//! The SHA-256 memory table: the buffer words of every `sha256_compress`
//! syscall, read (and the state written) over the memory bus.
//!
//! One segment of [`WORDS`] rows per call, row `p` holding the word at
//! `ptr + 4 p`: the eight state words (`p < 8`), then the sixteen block
//! words. The segment's first row receives the CPU's `ECALL`
//! ([`receive_buffer_call`](super::precompile_call::receive_buffer_call)). Each row consumes the word's token from the
//! memory bus and produces the new one at the call's buffer timestamp, and
//! range-checks the new bytes.
//!
//! On [`SHA256_BUS`] (see [`super::sha256`]):
//! - a state row (`is_state`) sends `H[p]` (tag `TAG_STATE_IN + p`),
//!   receives the compression's output `F[p]` (tag `TAG_STATE_OUT + p`),
//!   and writes `H[p] + F[p] mod 2^32`;
//! - a block row sends its word, read big-endian as SHA-256 does (tag
//!   `TAG_BLOCK + p - 8`), and writes it back unchanged.
//!
//! `is_state` is the prover's choice, but only `is_state = [p < 8]`
//! balances the bus, tag by tag: a state row at `p >= 8` sends a state-in
//! tag and receives a state-out tag above 8 (no round row uses those), and
//! a block row at `p < 8` sends a block tag below 64 (none either) while
//! the round table's output tag `TAG_STATE_OUT + p` finds no receiver.

use p3_air::{Air, BaseAir};
use p3_field::{Field, PrimeCharacteristicRing};
use p3_lookup::{Count, InteractionBuilder};

use super::bus::send_byte;
use super::cpu::TS_PER_CYCLE;
use super::io::SLOT_BUF;
use super::layout::{check_access_order, ColumnAlloc, SegmentCols, TsCols};
use super::memory::{mem_consume, mem_produce};
use super::precompile_call::{eval_call_rows, limb, BufferPtrCols, CallShape};
use super::sha256::{
    sha256_message, BLOCK_WORDS, SHA256_BUS, STATE_WORDS, TAG_BLOCK, TAG_STATE_IN, TAG_STATE_OUT,
};
use crate::layout::syscall;

/// Rows per call: the state's words, then the block's.
pub const WORDS: usize = STATE_WORDS + BLOCK_WORDS;

/// Column indices of the SHA-256 memory table.
#[derive(Clone, Debug)]
pub struct Sha256MemCols {
    /// Segment structure; `position` is the word's index in the buffer.
    pub seg: SegmentCols,
    pub clk: usize,
    pub addr: usize,
    /// First row: the buffer pointer and its checks.
    pub ptr: BufferPtrCols,
    /// Whether the row holds a state word (else a block word).
    pub is_state: usize,
    /// The word's bytes before and after.
    pub old: [usize; 4],
    pub new: [usize; 4],
    /// State rows: the compression's output word (limbs) and the two
    /// carries (bits) of `old + out`.
    pub out: [usize; 2],
    pub carry: [usize; 2],
    /// The word's previous access.
    pub ts: TsCols,
    pub width: usize,
}

impl Sha256MemCols {
    pub fn new() -> Self {
        let mut a = ColumnAlloc::default();
        let mut c = Sha256MemCols {
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
            is_state: a.one(),
            old: a.many(),
            new: a.many(),
            out: a.many(),
            carry: a.many(),
            ts: a.ts(),
            width: 0,
        };
        c.width = a.width();
        c
    }
}

impl Default for Sha256MemCols {
    fn default() -> Self {
        Self::new()
    }
}

/// The SHA-256 memory table's AIR.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sha256MemAir;

impl<F> BaseAir<F> for Sha256MemAir {
    fn width(&self) -> usize {
        Sha256MemCols::new().width
    }
}

impl<AB: InteractionBuilder> Air<AB> for Sha256MemAir
where
    AB::F: Field,
{
    fn eval(&self, builder: &mut AB) {
        let c = Sha256MemCols::new();
        let (local, next) = super::layout::rows(builder);
        let l = |i: usize| local[i].clone();
        let k = |x: u32| AB::Expr::from_u32(x);

        // ---- 24 rows per call, one word each, at consecutive addresses ----
        eval_call_rows(
            builder,
            &local,
            &next,
            c.seg,
            c.clk,
            c.addr,
            c.ptr,
            CallShape {
                syscall: syscall::SHA256_COMPRESS,
                bytes: syscall::SHA256_BUFFER_BYTES,
                rows: WORDS as u32,
                stride: 4,
            },
        );
        let is_real = l(c.seg.is_real);

        // ---- The word, at the call's buffer timestamp ----
        let is_state = l(c.is_state);
        let is_block = is_real.clone() - is_state.clone();
        builder.assert_bool(is_state.clone());
        builder.assert_zero(is_state.clone() * (AB::Expr::ONE - is_real.clone()));
        let ts = l(c.clk) * k(TS_PER_CYCLE) + k(SLOT_BUF + 1);
        let old = c.old.map(&l);
        let new = c.new.map(&l);
        check_access_order(
            builder,
            ts.clone(),
            l(c.ts.prev_ts),
            c.ts.diff.map(&l),
            is_real.clone(),
        );
        mem_consume(
            builder,
            l(c.addr),
            old.clone(),
            l(c.ts.prev_ts),
            is_real.clone(),
        );
        mem_produce(builder, l(c.addr), new.clone(), ts, is_real.clone());
        for b in &new {
            send_byte(builder, b.clone(), is_real.clone());
        }

        // ---- A state word: new = old + out mod 2^32, on limbs ----
        let old_le = [
            limb(old[0].clone(), old[1].clone()),
            limb(old[2].clone(), old[3].clone()),
        ];
        let new_le = [
            limb(new[0].clone(), new[1].clone()),
            limb(new[2].clone(), new[3].clone()),
        ];
        let out = c.out.map(&l);
        let carry = c.carry.map(&l);
        for bit in &carry {
            builder.assert_bool(bit.clone());
        }
        for half in 0..2 {
            let carry_in = if half == 0 {
                AB::Expr::ZERO
            } else {
                carry[0].clone()
            };
            builder.assert_zero(
                is_state.clone()
                    * (new_le[half].clone() + carry[half].clone() * k(1 << 16)
                        - old_le[half].clone()
                        - out[half].clone()
                        - carry_in),
            );
        }
        // ---- A block word is left as it was ----
        for (o, w) in old.iter().zip(&new) {
            builder.assert_zero(is_block.clone() * (w.clone() - o.clone()));
        }

        let clk = l(c.clk);
        let position = l(c.seg.position);
        let old_be = [
            limb(old[3].clone(), old[2].clone()),
            limb(old[1].clone(), old[0].clone()),
        ];
        let messages = [
            (position.clone() + k(TAG_STATE_IN), old_le, is_state.clone()),
            (position.clone() + k(TAG_STATE_OUT), out, -is_state),
            (
                position + k(TAG_BLOCK) - k(STATE_WORDS as u32),
                old_be,
                is_block,
            ),
        ];
        for (tag, word, count) in messages {
            builder.push_interaction(
                SHA256_BUS,
                sha256_message(clk.clone(), tag, word),
                Count::bounded(count, 1),
            );
        }
    }
}
