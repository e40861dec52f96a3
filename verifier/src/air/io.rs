//! The I/O table: one row per `read`/`write` syscall.
//!
//! The CPU row of such an `ECALL` reads `a7` and `a0`, writes the result to
//! `a0`, and sends `(IO_TAG, clk, a7, a0, result)` on the [`IO_BUS`]; this table
//! receives it and does the rest of the syscall with exactly the executor's
//! semantics (`prover/src/executor/syscall.rs`):
//!
//! - `read(0, buf, len)`, `len <= MAX_IO_LEN`: returns `n` with `n <= len`;
//!   `n < len` (a short read) sets the input state word
//!   ([`INPUT_STATE_ADDR`], committed memory, carried by the chain of
//!   epochs), and a read that finds it set returns 0. So the reads of a
//!   verified run are those of one input read as a stream: whatever a
//!   cheating prover claims, no data follows the end of input. The bytes
//!   are the prover's to choose (private input), range-checked.
//! - `write(3, buf, len)`, `len <= MAX_IO_LEN`: appends `mem[buf..buf+len]`
//!   to the public output, returns `len`.
//! - `write(1 | 2 | 4, buf, len)`: host output (stdout, stderr, hints),
//!   returns `len`; the bytes are not part of the statement and are not
//!   read.
//!
//! For `len > 0` the whole buffer `[buf, buf + len)` must be guest memory
//! (`0x1_0000 <= buf`, `buf + len <= 2^30`), for every fd, as the executor
//! checks it (it faults otherwise, so no such row exists). The bytes moved
//! (`n` for a read, `len` for a public write) are one segment of the
//! [`super::io_words`] table, which touches each buffer word once; the
//! header sends it `(clk, kind, first word, offset, end)` on
//! [`IO_WORDS_BUS`]. Rows are in strictly increasing cycle order (the gap
//! minus one is three range-checked bytes), so each `ECALL` has exactly
//! one row.

use alloc::vec::Vec;

use p3_air::{Air, AirBuilder, BaseAir};
use p3_field::{Field, PrimeCharacteristicRing};
use p3_lookup::{Count, InteractionBuilder};

use super::bus::send_byte;
use super::cpu::{word_expr, TS_PER_CYCLE};
use super::layout::{check_access_order, check_cycle_order, ColumnAlloc, TsCols};
use super::memory::{mem_consume, mem_produce};
use crate::layout::{syscall, GUEST_MEMORY_END, INPUT_STATE_ADDR};

/// The bus of the CPU's syscall messages `(IO_TAG, clk, a7[4], a0[4],
/// result[4])`: the ALU bus (protocol 12), so that a CPU row's ALU and I/O
/// messages, never both active, share one LogUp column. An ALU message
/// leads with [`super::bus::ALU_TAG`] and an I/O message with [`IO_TAG`], a
/// different constant, so no I/O message equals an ALU message.
pub const IO_BUS: &str = super::bus::ALU;
/// First field of every [`IO_BUS`] message.
pub const IO_TAG: u32 = 1;
/// Name of the bus from a syscall to its buffer words:
/// `(clk, kind, first word address, offset in it, end address)`.
pub const IO_WORDS_BUS: &str = "io_words";
/// Kind codes on [`IO_WORDS_BUS`].
pub const KIND_READ: u32 = 1;
pub const KIND_OUTPUT: u32 = 2;
/// Memory slot of a read's input state word: the one between the CPU's
/// second read and its write, which the CPU row leaves unused.
pub const SLOT_INPUT_STATE: u32 = 3;
/// Memory slots of an I/O syscall's cycle (after the CPU's).
pub const SLOT_A1: u32 = 5;
pub const SLOT_A2: u32 = 6;
pub const SLOT_BUF: u32 = 7;
/// Register numbers of `a1` and `a2`.
pub const REG_A1: u32 = 11;
pub const REG_A2: u32 = 12;
/// The largest `len` of a `read` or a public `write` (the executor faults
/// above it; host writes have no bound but the buffer check).
pub const MAX_IO_LEN: u32 = 1 << 16;

/// Why the proof cannot show `read`/`write` syscall `number` on `fd` with
/// buffer `buf` and length `len`, or `None` if it can. Every syscall the
/// executor completes is provable; this stays as the pre-pass's safety net
/// so `prove` refuses before proving anything if that ever changes.
pub fn unsupported_shape(
    number: u32,
    fd: u32,
    buf: u32,
    len: u32,
) -> Option<alloc::string::String> {
    let _ = (number, fd, buf, len);
    None
}

/// Column indices of the I/O table.
#[derive(Clone, Debug)]
pub struct IoCols {
    pub is_real: usize,
    pub clk: usize,
    /// A real row after another; `clk - previous clk - 1` as bytes.
    pub has_prev: usize,
    pub gap: [usize; 3],
    /// `read(0, …)`, `write(3, …)`, `write(1 | 2 | 4, …)`.
    pub is_read: usize,
    pub is_out: usize,
    pub is_host: usize,
    /// Host writes: the fd is `1 + fd_two + 3 fd_hint`, at most one set.
    pub fd_two: usize,
    pub fd_hint: usize,
    pub a1: [usize; 4],
    pub a1_ts: TsCols,
    pub a2: [usize; 4],
    pub a2_ts: TsCols,
    /// `len != 0`, and the inverse of the sum of `len`'s limbs proving it
    /// (the limb sum, not `len` itself: `len` as a field element vanishes
    /// for the non-zero words `p` and `2p`).
    pub nz: usize,
    pub len_inv: usize,
    /// Inverse of `a1`'s upper half (`a1 >= 0x1_0000`), and the bytes of
    /// `2^30 - a1 - len` (`a1 + len <= 2^30`).
    pub hi_inv: usize,
    pub room: [usize; 4],
    /// `a1 = 4 * quarter + offset` in the low limb; offset one-hot.
    pub quarter: usize,
    pub off: [usize; 4],
    /// `read`: the result `n` (`n0 + 256 n1 + 65536 n2`, `n2` boolean),
    /// `len - n` as bytes, whether the read was short, and its proof.
    pub n: [usize; 3],
    pub left: [usize; 3],
    pub short: usize,
    pub short_inv: usize,
    /// `read`: `n != 0`, and the inverse proving it.
    pub n_nz: usize,
    pub n_inv: usize,
    /// Bytes move (a read with `n > 0`, a public write with `len > 0`).
    pub moves: usize,
    /// `read`: the input state word before the read (0 or 1).
    pub eof: usize,
    pub eof_ts: TsCols,
    pub width: usize,
}

impl IoCols {
    pub fn new() -> Self {
        let mut a = ColumnAlloc::default();
        let mut c = IoCols {
            is_real: a.one(),
            clk: a.one(),
            has_prev: a.one(),
            gap: a.many(),
            is_read: a.one(),
            is_out: a.one(),
            is_host: a.one(),
            fd_two: a.one(),
            fd_hint: a.one(),
            a1: a.many(),
            a1_ts: a.ts(),
            a2: a.many(),
            a2_ts: a.ts(),
            nz: a.one(),
            len_inv: a.one(),
            hi_inv: a.one(),
            room: a.many(),
            quarter: a.one(),
            off: a.many(),
            n: a.many(),
            left: a.many(),
            short: a.one(),
            short_inv: a.one(),
            n_nz: a.one(),
            n_inv: a.one(),
            moves: a.one(),
            eof: a.one(),
            eof_ts: a.ts(),
            width: 0,
        };
        c.width = a.width();
        c
    }
}

impl Default for IoCols {
    fn default() -> Self {
        Self::new()
    }
}

/// Lays out an [`IO_BUS`] message.
pub fn io_message<E: PrimeCharacteristicRing>(
    clk: E,
    a7: [E; 4],
    a0: [E; 4],
    result: [E; 4],
) -> Vec<E> {
    let mut m = Vec::with_capacity(14);
    m.push(E::from_u32(IO_TAG));
    m.push(clk);
    m.extend(a7);
    m.extend(a0);
    m.extend(result);
    m
}

/// Lays out an [`IO_WORDS_BUS`] message.
pub fn io_words_message<E>(clk: E, kind: E, word: E, offset: E, end: E) -> Vec<E> {
    alloc::vec![clk, kind, word, offset, end]
}

/// The I/O table's AIR.
#[derive(Clone, Copy, Debug, Default)]
pub struct IoAir;

impl<F> BaseAir<F> for IoAir {
    fn width(&self) -> usize {
        IoCols::new().width
    }
}

impl<AB: InteractionBuilder> Air<AB> for IoAir
where
    AB::F: Field,
{
    fn eval(&self, builder: &mut AB) {
        let c = IoCols::new();
        let (local, next) = super::layout::rows(builder);
        let l = |i: usize| local[i].clone();
        let n = |i: usize| next[i].clone();
        let k = |x: u32| AB::Expr::from_u32(x);
        let one = AB::Expr::ONE;
        let zero = AB::Expr::ZERO;

        let is_real = l(c.is_real);
        let (is_read, is_out, is_host) = (l(c.is_read), l(c.is_out), l(c.is_host));
        for b in [
            c.is_real, c.has_prev, c.is_read, c.is_out, c.is_host, c.fd_two, c.fd_hint, c.nz,
            c.short, c.moves, c.n_nz,
        ] {
            builder.assert_bool(l(b));
        }
        builder.assert_eq(
            is_read.clone() + is_out.clone() + is_host.clone(),
            is_real.clone(),
        );
        builder.assert_zero(l(c.fd_two) * (one.clone() - is_host.clone()));
        builder.assert_zero(l(c.fd_hint) * (one.clone() - is_host.clone()));
        builder.assert_zero(l(c.fd_two) * l(c.fd_hint));

        // ---- Rows: real then padding, in strictly increasing cycle order ----
        builder.when_first_row().assert_zero(l(c.has_prev));
        {
            let mut t = builder.when_transition();
            t.assert_zero(n(c.is_real) * (one.clone() - is_real.clone()));
            t.assert_eq(n(c.has_prev), n(c.is_real));
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

        // ---- a1 and a2, in the cycle's spare slots ----
        let clk = l(c.clk);
        let ts = |slot: u32| clk.clone() * k(TS_PER_CYCLE) + k(slot + 1);
        let ts_check = |builder: &mut AB, cols: TsCols, slot: u32, count: AB::Expr| {
            check_access_order(builder, ts(slot), l(cols.prev_ts), cols.diff.map(l), count);
        };
        for (reg, val, cols, slot) in [
            (REG_A1, c.a1, c.a1_ts, SLOT_A1),
            (REG_A2, c.a2, c.a2_ts, SLOT_A2),
        ] {
            ts_check(builder, cols, slot, is_real.clone());
            let v = val.map(&l);
            mem_consume(
                builder,
                k(4 * reg),
                v.clone(),
                l(cols.prev_ts),
                is_real.clone(),
            );
            mem_produce(builder, k(4 * reg), v, ts(slot), is_real.clone());
        }
        let a1 = c.a1.map(&l);
        let a2 = c.a2.map(&l);
        let buf = word_expr(a1.clone());
        let len = word_expr(a2.clone());

        // ---- The buffer lies in guest memory when len > 0 ----
        let nz = l(c.nz);
        let limbs = a2[0].clone() + a2[1].clone() + a2[2].clone() + a2[3].clone();
        builder.assert_zero(is_real.clone() * (limbs.clone() * l(c.len_inv) - nz.clone()));
        builder.assert_zero(limbs * (one.clone() - nz.clone()));
        builder.assert_zero(nz.clone() * (one.clone() - is_real.clone()));
        // a1[3] + a2[3] <= 64, so a1 + len < 66 * 2^24 < p and cannot wrap;
        // a1 >= 2^16; and 2^30 - a1 - len a 30-bit number: a1 + len <= 2^30.
        send_byte(builder, k(64) - a1[3].clone() - a2[3].clone(), nz.clone());
        builder.assert_zero(
            nz.clone() * ((a1[2].clone() + a1[3].clone() * k(256)) * l(c.hi_inv) - one.clone()),
        );
        let room = c.room.map(&l);
        builder.assert_zero(
            nz.clone()
                * (k(GUEST_MEMORY_END) - buf.clone() - len.clone() - word_expr(room.clone())),
        );
        for (i, r) in room.iter().enumerate() {
            let scale = if i == 3 { 4 } else { 1 };
            send_byte(builder, r.clone() * k(scale), nz.clone());
        }
        // Reads and public writes: len <= MAX_IO_LEN = 2^16.
        let bounded = is_read.clone() + is_out.clone();
        builder.assert_zero(bounded.clone() * a2[3].clone());
        builder.assert_zero(bounded.clone() * a2[2].clone() * (a2[2].clone() - one.clone()));
        builder.assert_zero(bounded.clone() * a2[2].clone() * (a2[0].clone() + a2[1].clone()));

        // ---- read: n <= len, the input state ----
        let ns = c.n.map(&l);
        let n_val = ns[0].clone() + ns[1].clone() * k(1 << 8) + ns[2].clone() * k(1 << 16);
        send_byte(builder, ns[0].clone(), is_read.clone());
        send_byte(builder, ns[1].clone(), is_read.clone());
        builder.assert_bool(ns[2].clone());
        for x in &ns {
            builder.assert_zero((one.clone() - is_read.clone()) * x.clone());
        }
        let left = c.left.map(&l);
        let left_val = left[0].clone() + left[1].clone() * k(1 << 8) + left[2].clone() * k(1 << 16);
        builder.assert_zero(is_read.clone() * (len.clone() - n_val.clone() - left_val.clone()));
        for x in &left {
            send_byte(builder, x.clone(), is_read.clone());
        }
        let short = l(c.short);
        builder.assert_zero(short.clone() * (one.clone() - is_read.clone()));
        builder.assert_zero(is_read.clone() * (left_val.clone() * l(c.short_inv) - short.clone()));
        builder.assert_zero(left_val * (one.clone() - short.clone()));
        // End of input is sticky: a read that finds it returns nothing, and
        // a short read (or any read after the end) leaves it set.
        let eof = l(c.eof);
        builder.assert_bool(eof.clone());
        builder.assert_zero((one.clone() - is_read.clone()) * eof.clone());
        builder.assert_zero(eof.clone() * n_val.clone());
        ts_check(builder, c.eof_ts, SLOT_INPUT_STATE, is_read.clone());
        mem_consume(
            builder,
            k(INPUT_STATE_ADDR),
            [eof.clone(), zero.clone(), zero.clone(), zero.clone()],
            l(c.eof_ts.prev_ts),
            is_read.clone(),
        );
        let eof_after = eof.clone() + short.clone() - eof * short;
        mem_produce(
            builder,
            k(INPUT_STATE_ADDR),
            [eof_after, zero.clone(), zero.clone(), zero.clone()],
            ts(SLOT_INPUT_STATE),
            is_read.clone(),
        );

        // ---- The CPU's message ----
        let syscall_no = is_read.clone() * k(syscall::READ)
            + (is_out.clone() + is_host.clone()) * k(syscall::WRITE);
        let fd = is_out.clone() * k(syscall::FD_PUBLIC)
            + is_host.clone()
                * (k(syscall::FD_STDOUT)
                    + l(c.fd_two)
                    + k(syscall::FD_HINT - syscall::FD_STDOUT) * l(c.fd_hint));
        let writes = is_out.clone() + is_host.clone();
        let result = [
            ns[0].clone() + writes.clone() * a2[0].clone(),
            ns[1].clone() + writes.clone() * a2[1].clone(),
            ns[2].clone() + writes.clone() * a2[2].clone(),
            writes * a2[3].clone(),
        ];
        builder.push_interaction(
            IO_BUS,
            io_message(
                l(c.clk),
                [syscall_no, zero.clone(), zero.clone(), zero.clone()],
                [fd, zero.clone(), zero.clone(), zero.clone()],
                result,
            ),
            Count::bounded(-is_real.clone(), 1),
        );

        // ---- The buffer words: one segment of the word table ----
        let n_nz = l(c.n_nz);
        builder.assert_zero(is_read.clone() * (n_val.clone() * l(c.n_inv) - n_nz.clone()));
        builder.assert_zero(n_val.clone() * (one.clone() - n_nz.clone()));
        builder.assert_zero(n_nz.clone() * (one.clone() - is_read.clone()));
        let moves = l(c.moves);
        builder.assert_eq(
            moves.clone(),
            is_read.clone() * n_nz + is_out.clone() * nz.clone(),
        );
        let moved = is_read.clone() * n_val + is_out.clone() * len;
        let off = c.off.map(&l);
        let mut off_sum = zero.clone();
        let mut offset = zero.clone();
        for (i, o) in off.iter().enumerate() {
            builder.assert_bool(o.clone());
            off_sum += o.clone();
            offset += o.clone() * k(i as u32);
        }
        builder.assert_eq(off_sum, moves.clone());
        builder.assert_zero(moves.clone() * (a1[0].clone() - l(c.quarter) * k(4) - offset.clone()));
        send_byte(builder, l(c.quarter), moves.clone());
        let kind = is_read * k(KIND_READ) + is_out * k(KIND_OUTPUT);
        builder.push_interaction(
            IO_WORDS_BUS,
            io_words_message(
                l(c.clk),
                kind,
                buf.clone() - offset.clone(),
                offset,
                buf + moved,
            ),
            Count::bounded(moves, 1),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::air::bus::{alu_message, ALU_TAG};
    use crate::stark::config::Val;

    /// The I/O messages share the ALU bus: same width, another tag.
    #[test]
    fn io_messages_never_look_like_alu_messages() {
        assert_ne!(IO_TAG, ALU_TAG);
        let m = io_message(Val::ONE, [Val::ZERO; 4], [Val::ZERO; 4], [Val::ZERO; 4]);
        let alu = alu_message(Val::ONE, [Val::ZERO; 4], [Val::ZERO; 4], [Val::ZERO; 4]);
        assert_eq!(m.len(), alu.len());
        assert_eq!(alu[0], Val::from_u32(ALU_TAG));
        assert_eq!(m[0], Val::from_u32(IO_TAG));
    }
}
