//! The I/O table: the `read` and `write` syscalls, and the public output.
//!
//! One row per `read`/`write` `ECALL`, in cycle order. The CPU row of such an
//! `ECALL` reads `a7` and `a0`, writes the result to `a0`, and sends
//! `(clk, a7, a0, result)` on the [`IO_BUS`]; this table receives it and
//! does the rest of the syscall in the cycle's three spare memory slots:
//! reads `a1` (buffer) and `a2` (length), and reads or writes the buffer's
//! word. The proven syscalls are the ones the guest SDK issues:
//!
//! - `read(0, buf, 4)`, `buf` word-aligned: returns `n` in `0..=4` and writes
//!   `n` bytes of private input (free witness, range-checked) into the word,
//!   leaving its other bytes unchanged. The input is the prover's to choose;
//!   what is proven is that the program ran on *some* input, read as a
//!   stream: the read also reads and writes the input state word
//!   ([`INPUT_STATE_ADDR`], in committed memory, so the chain of epochs
//!   carries it) in the cycle's unused load/store slot. Once a read came up
//!   short (`n < 4`) the word is 1, and a read that finds it 1 returns 0.
//!   So no proof can show end of input (or a short read) followed by data.
//! - `write(3, buf, 1)`: appends the byte at `buf` to the public output,
//!   returns 1. Output bytes are absorbed, one per permutation, into a
//!   sponge whose digest is this table's public value; the verifier
//!   recomputes it from the statement's output ([`output_digest`]).
//! - `write(1 | 2, buf, len)`: host stdout/stderr, returns `len`. Its bytes
//!   are not part of the statement, so the buffer is not read.
//!
//! Buffers must lie in guest memory (`0x1_0000 <= addr < 2^30`), so a
//! syscall can never touch a register. Rows are in strictly increasing cycle
//! order (the gap minus one is three range-checked bytes), so the output
//! digest is over the output in execution order, and each `ECALL` has
//! exactly one row.

use alloc::vec::Vec;

use p3_air::{Air, AirBuilder, BaseAir, WindowAccess};
use p3_field::{Field, PrimeCharacteristicRing};
use p3_lookup::{Count, InteractionBuilder};

use super::bus::send_byte;
use super::cpu::{word_expr, SLOT_MEM, TS_PER_CYCLE};
use super::layout::{check_access_order, ColumnAlloc, TsCols};
use super::memory::{mem_consume, mem_produce};
use super::poseidon2::{use_permutation, WIDTH};
use crate::digest::Digest;
use crate::layout::{syscall, INPUT_STATE_ADDR};
use crate::memory::hash::{permute, RATE};

/// Name of the I/O bus: `(clk, a7[4], a0[4], result[4])` from the CPU.
pub const IO_BUS: &str = "io";
/// Memory slot of a read's input state word: the load/store slot, which an
/// `ECALL` row leaves unused.
pub const SLOT_INPUT_STATE: u32 = SLOT_MEM;
/// Memory slots of an I/O syscall's cycle (after the CPU's five).
pub const SLOT_A1: u32 = 5;
pub const SLOT_A2: u32 = 6;
pub const SLOT_BUF: u32 = 7;
/// Register numbers of `a1` and `a2`.
pub const REG_A1: u32 = 11;
pub const REG_A2: u32 = 12;
/// Bytes a proven `read` asks for, and a proven `write(3, …)` writes.
pub const READ_LEN: u32 = 4;
pub const OUTPUT_WRITE_LEN: u32 = 1;
/// Sponge domain tag of the public output digest.
pub const OUTPUT_DOMAIN: u32 = 3;
/// Public values: the output digest.
pub const NUM_PUBLIC_VALUES: usize = RATE;

/// Why the I/O table cannot prove `read`/`write` syscall `number` on `fd`
/// with buffer `buf` and length `len`, or `None` if it can. The executor
/// asks this on every such syscall so `prove` can refuse a run before any
/// epoch is proven; trace generation refuses with the same words.
pub fn unsupported_shape(
    number: u32,
    fd: u32,
    buf: u32,
    len: u32,
) -> Option<alloc::string::String> {
    use crate::layout::is_guest_range;
    match (number, fd) {
        (syscall::READ, syscall::FD_STDIN)
            if len != READ_LEN || buf % 4 != 0 || !is_guest_range(buf, 4) =>
        {
            Some(alloc::format!(
                "read of {len} bytes into {buf:#x} (the proof supports reads of {READ_LEN} \
                 bytes into an aligned guest word, as the guest SDK's read_input issues them)"
            ))
        }
        (syscall::WRITE, syscall::FD_PUBLIC)
            if len != OUTPUT_WRITE_LEN || !is_guest_range(buf, 1) =>
        {
            Some(alloc::format!(
                "write of {len} bytes to the public output (the proof supports \
                 {OUTPUT_WRITE_LEN}-byte writes, as the guest SDK's commit issues them)"
            ))
        }
        _ => None,
    }
}

/// The sponge state before any output byte.
pub fn output_iv() -> [u32; WIDTH] {
    let mut s = [0; WIDTH];
    s[RATE] = OUTPUT_DOMAIN;
    s
}

/// The digest of a public output: a sponge absorbing one byte per
/// permutation (`state[0] = byte`, the rest of the rate zero), starting from
/// [`output_iv`]; the digest is the rate (all zero for no output).
pub fn output_digest(output: &[u8]) -> Digest {
    let mut state = output_iv();
    for &b in output {
        let mut input = [0; WIDTH];
        input[0] = b as u32;
        input[RATE..].copy_from_slice(&state[RATE..]);
        state = permute(input);
    }
    Digest(core::array::from_fn(|i| state[i]))
}

/// Column indices of the I/O table.
#[derive(Clone, Debug)]
pub struct IoCols {
    pub is_real: usize,
    pub clk: usize,
    /// A real row after another; `clk - previous clk - 1` as bytes.
    pub has_prev: usize,
    pub gap: [usize; 3],
    /// `read(0, …)`, `write(3, …)`, `write(1 | 2, …)`.
    pub is_read: usize,
    pub is_out: usize,
    pub is_host: usize,
    /// Host writes: the fd is `1 + fd_two`.
    pub fd_two: usize,
    pub a1: [usize; 4],
    pub a1_ts: TsCols,
    pub a2: [usize; 4],
    pub a2_ts: TsCols,
    /// Byte offset of `a1` in its word (one-hot), `a1 = 4 * quarter +
    /// offset` in the low limb, inverse of the address's upper half.
    pub off: [usize; 4],
    pub quarter: usize,
    pub hi_inv: usize,
    pub old: [usize; 4],
    pub new: [usize; 4],
    pub buf_ts: TsCols,
    /// `read`: bytes read, one-hot over `0..=4`.
    pub n: [usize; 5],
    /// `read`: the input state word before the read (0 or 1).
    pub eof: usize,
    pub eof_ts: TsCols,
    /// Output sponge state before this row, and the permutation output.
    pub state: [usize; WIDTH],
    pub perm: [usize; WIDTH],
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
            a1: a.many(),
            a1_ts: a.ts(),
            a2: a.many(),
            a2_ts: a.ts(),
            off: a.many(),
            quarter: a.one(),
            hi_inv: a.one(),
            old: a.many(),
            new: a.many(),
            buf_ts: a.ts(),
            n: a.many(),
            eof: a.one(),
            eof_ts: a.ts(),
            state: a.many(),
            perm: a.many(),
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
pub fn io_message<E: Clone>(clk: E, a7: [E; 4], a0: [E; 4], result: [E; 4]) -> Vec<E> {
    let mut m = Vec::with_capacity(13);
    m.push(clk);
    m.extend(a7);
    m.extend(a0);
    m.extend(result);
    m
}

/// The I/O table's AIR.
#[derive(Clone, Copy, Debug, Default)]
pub struct IoAir;

impl<F> BaseAir<F> for IoAir {
    fn width(&self) -> usize {
        IoCols::new().width
    }
    fn num_public_values(&self) -> usize {
        NUM_PUBLIC_VALUES
    }
}

impl<AB: InteractionBuilder> Air<AB> for IoAir
where
    AB::F: Field,
{
    fn eval(&self, builder: &mut AB) {
        let c = IoCols::new();
        let main = builder.main();
        let local: Vec<AB::Expr> = main.current_slice().iter().map(|&v| v.into()).collect();
        let next: Vec<AB::Expr> = main.next_slice().iter().map(|&v| v.into()).collect();
        let pv: Vec<AB::Expr> = builder.public_values().iter().map(|&v| v.into()).collect();
        let l = |i: usize| local[i].clone();
        let n = |i: usize| next[i].clone();
        let k = |x: u32| AB::Expr::from_u32(x);
        let one = AB::Expr::ONE;
        let zero = AB::Expr::ZERO;

        let is_real = l(c.is_real);
        let (is_read, is_out, is_host) = (l(c.is_read), l(c.is_out), l(c.is_host));
        for b in [
            c.is_real, c.has_prev, c.is_read, c.is_out, c.is_host, c.fd_two,
        ] {
            builder.assert_bool(l(b));
        }
        builder.assert_eq(
            is_read.clone() + is_out.clone() + is_host.clone(),
            is_real.clone(),
        );
        builder.assert_zero(l(c.fd_two) * (one.clone() - is_host.clone()));

        // ---- Rows: real then padding, in strictly increasing cycle order ----
        builder.when_first_row().assert_zero(l(c.has_prev));
        {
            let mut t = builder.when_transition();
            t.assert_zero(n(c.is_real) * (one.clone() - is_real.clone()));
            t.assert_eq(n(c.has_prev), n(c.is_real));
            let gap = n(c.gap[0]) + n(c.gap[1]) * k(1 << 8) + n(c.gap[2]) * k(1 << 16);
            t.assert_zero(n(c.has_prev) * (n(c.clk) - l(c.clk) - one.clone() - gap));
        }
        for &g in &c.gap {
            send_byte(builder, l(g), l(c.has_prev));
        }

        // ---- The CPU's message ----
        let syscall_no = is_read.clone() * k(syscall::READ)
            + (is_out.clone() + is_host.clone()) * k(syscall::WRITE);
        let fd = is_out.clone() * k(syscall::FD_PUBLIC)
            + is_host.clone() * (k(syscall::FD_STDOUT) + l(c.fd_two));
        let bytes_read = (0..5).fold(zero.clone(), |acc, j| acc + l(c.n[j]) * k(j as u32));
        let result = [
            is_read.clone() * bytes_read
                + is_out.clone() * k(OUTPUT_WRITE_LEN)
                + is_host.clone() * l(c.a2[0]),
            is_host.clone() * l(c.a2[1]),
            is_host.clone() * l(c.a2[2]),
            is_host.clone() * l(c.a2[3]),
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

        // ---- a1, a2 and the buffer word, in the cycle's spare slots ----
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
        // Lengths: 4 for a read, 1 for an output write.
        let len = word_expr(c.a2.map(&l));
        builder.assert_zero(is_read.clone() * (len.clone() - k(READ_LEN)));
        builder.assert_zero(is_out.clone() * (len - k(OUTPUT_WRITE_LEN)));

        let access = is_read.clone() + is_out.clone();
        let off = c.off.map(&l);
        let mut off_sum = zero.clone();
        let mut offset = zero.clone();
        for (i, o) in off.iter().enumerate() {
            builder.assert_bool(o.clone());
            off_sum += o.clone();
            offset += o.clone() * k(i as u32);
        }
        builder.assert_eq(off_sum, access.clone());
        builder.assert_zero(is_read.clone() * (one.clone() - off[0].clone()));
        builder.assert_zero(access.clone() * (l(c.a1[0]) - l(c.quarter) * k(4) - offset.clone()));
        send_byte(builder, l(c.quarter), access.clone());
        // Guest memory only: upper half non-zero, below 2^30.
        builder.assert_zero(
            access.clone() * ((l(c.a1[2]) + l(c.a1[3]) * k(256)) * l(c.hi_inv) - one.clone()),
        );
        send_byte(builder, l(c.a1[3]) * k(4), access.clone());
        let addr = word_expr(c.a1.map(&l)) - offset;
        ts_check(builder, c.buf_ts, SLOT_BUF, access.clone());
        mem_consume(
            builder,
            addr.clone(),
            c.old.map(&l),
            l(c.buf_ts.prev_ts),
            access.clone(),
        );
        mem_produce(builder, addr, c.new.map(&l), ts(SLOT_BUF), access);

        // read: n bytes of input at the start of the word, the rest kept.
        let ns = c.n.map(&l);
        let mut n_sum = zero.clone();
        for x in &ns {
            builder.assert_bool(x.clone());
            n_sum += x.clone();
        }
        builder.assert_eq(n_sum, is_read.clone());

        // The input state: end of input is sticky. Before: `eof`; after:
        // `1 - [n = 4]` (a short read, or any read after the end, ends it).
        let eof = l(c.eof);
        builder.assert_bool(eof.clone());
        builder.assert_zero(eof.clone() * (one.clone() - ns[0].clone()));
        builder.assert_zero((one.clone() - is_read.clone()) * eof.clone());
        ts_check(builder, c.eof_ts, SLOT_INPUT_STATE, is_read.clone());
        mem_consume(
            builder,
            k(INPUT_STATE_ADDR),
            [eof, zero.clone(), zero.clone(), zero.clone()],
            l(c.eof_ts.prev_ts),
            is_read.clone(),
        );
        mem_produce(
            builder,
            k(INPUT_STATE_ADDR),
            [
                is_read.clone() - ns[4].clone(),
                zero.clone(),
                zero.clone(),
                zero.clone(),
            ],
            ts(SLOT_INPUT_STATE),
            is_read.clone(),
        );
        let mut at_most = zero.clone();
        for (i, n_is_i) in ns.iter().take(4).enumerate() {
            // `at_most` = [n <= i]: byte i is not read, so it is unchanged.
            at_most += n_is_i.clone();
            builder.assert_zero(at_most.clone() * (l(c.new[i]) - l(c.old[i])));
            send_byte(builder, l(c.new[i]), is_read.clone());
            // An output write leaves memory alone.
            builder.assert_zero(is_out.clone() * (l(c.new[i]) - l(c.old[i])));
        }

        // ---- The output sponge ----
        let byte = (0..4).fold(zero.clone(), |acc, i| acc + off[i].clone() * l(c.old[i]));
        let state = c.state.map(&l);
        let perm = c.perm.map(&l);
        let input: [AB::Expr; WIDTH] = core::array::from_fn(|i| match i {
            0 => byte.clone(),
            _ if i < RATE => zero.clone(),
            _ => state[i].clone(),
        });
        use_permutation(builder, &input, &perm, is_out.clone());
        let after: [AB::Expr; WIDTH] = core::array::from_fn(|i| {
            state[i].clone() + is_out.clone() * (perm[i].clone() - state[i].clone())
        });
        for (i, iv) in output_iv().into_iter().enumerate() {
            builder.when_first_row().assert_eq(state[i].clone(), k(iv));
            builder
                .when_transition()
                .assert_eq(n(c.state[i]), after[i].clone());
        }
        for i in 0..RATE {
            builder
                .when_last_row()
                .assert_eq(after[i].clone(), pv[i].clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_digest_depends_on_every_byte_and_the_length() {
        assert_eq!(output_digest(&[]), Digest([0; 8]));
        let a = output_digest(b"hi");
        assert_ne!(a, output_digest(b"hj"));
        assert_ne!(a, output_digest(b"ih"));
        assert_ne!(a, output_digest(b"hi\0"));
        assert_ne!(output_digest(&[0]), output_digest(&[]));
        assert!(a.is_canonical());
    }
}
