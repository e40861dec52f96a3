//! The I/O table's trace: one row per `read`/`write` syscall the CPU replay
//! met, and the public output sponge.

use p3_field::{Field, PrimeCharacteristicRing};
use p3_matrix::dense::RowMajorMatrix;
use sluice_verifier::air::cpu::{timestamp, TsCols};
use sluice_verifier::air::io::{output_iv, IoCols, SLOT_A1, SLOT_A2, SLOT_BUF, SLOT_INPUT_STATE};
use sluice_verifier::air::poseidon2::WIDTH;
use sluice_verifier::memory::hash::RATE;
use sluice_verifier::stark::config::Val;

use super::poseidon2::Permutations;
use super::ByteCounts;

/// Which proven syscall a row is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IoKind {
    /// `read(0, buf, 4)`.
    Read,
    /// `write(3, buf, 1)`.
    Output,
    /// `write(1 | 2, buf, len)`.
    Host { fd_two: bool },
}

/// One syscall's witness, recorded by the CPU replay.
#[derive(Clone, Debug)]
pub struct IoRow {
    pub clk: u32,
    pub kind: IoKind,
    pub a1: u32,
    pub a1_prev: u32,
    pub a2: u32,
    pub a2_prev: u32,
    /// The buffer word `(old, new, previous timestamp)`, if accessed.
    pub buf: Option<(u32, u32, u32)>,
    /// A read's input state word `(old, previous timestamp)`.
    pub input_state: Option<(u32, u32)>,
    /// Bytes a `read` returned.
    pub read: u32,
}

/// The replay's I/O state: the epoch's input, how much of it is consumed,
/// the output so far and the rows.
pub struct IoReplay {
    input: Vec<u8>,
    pos: usize,
    /// What the executor's reads returned, next first.
    reads: std::collections::VecDeque<u32>,
    pub output: Vec<u8>,
    pub rows: Vec<IoRow>,
}

impl IoReplay {
    pub fn new(input: &[u8], reads: &[u32]) -> Self {
        IoReplay {
            input: input.to_vec(),
            pos: 0,
            reads: reads.iter().copied().collect(),
            output: Vec::new(),
            rows: Vec::new(),
        }
    }

    /// The next (at most) `n` unread input bytes.
    pub fn peek_input(&self, n: usize) -> &[u8] {
        let rest = &self.input[self.pos.min(self.input.len())..];
        &rest[..n.min(rest.len())]
    }

    /// What the next read returned in the executor's run.
    pub fn next_read(&mut self) -> Option<u32> {
        self.reads.pop_front()
    }

    pub fn consume_input(&mut self, n: usize) {
        self.pos += n;
    }

    /// Input bytes not consumed by the replay.
    pub fn unread(&self) -> usize {
        self.input.len().saturating_sub(self.pos)
    }
}

fn put_word(row: &mut [Val], cols: [usize; 4], x: u32) {
    for (c, b) in cols.iter().zip(x.to_le_bytes()) {
        row[*c] = Val::from_u8(b);
    }
}

fn put_ts(row: &mut [Val], cols: TsCols, prev: u32, ts: u32, bytes: &mut ByteCounts) {
    let diff = ts - prev - 1;
    row[cols.prev_ts] = Val::from_u32(prev);
    for (i, c) in cols.diff.iter().enumerate() {
        let b = (diff >> (8 * i)) & 0xff;
        row[*c] = Val::from_u32(b);
        bytes.add(b);
    }
}

/// The I/O table.
pub fn io_trace(
    rows: &[IoRow],
    log_height: usize,
    perms: &mut Permutations,
    bytes: &mut ByteCounts,
) -> RowMajorMatrix<Val> {
    let c = IoCols::new();
    let height = 1usize << log_height;
    assert!(rows.len() <= height, "I/O table overflow");
    let mut values = Val::zero_vec(height * c.width);
    let mut state = output_iv().map(Val::from_u32);
    let mut prev_clk = None;
    for (r, row) in values.chunks_exact_mut(c.width).enumerate() {
        for (&col, &x) in c.state.iter().zip(&state) {
            row[col] = x;
        }
        let Some(io) = rows.get(r) else { continue };
        row[c.is_real] = Val::ONE;
        row[c.clk] = Val::from_u32(io.clk);
        if let Some(p) = prev_clk {
            let gap: u32 = io.clk - p - 1;
            row[c.has_prev] = Val::ONE;
            for (i, &g) in c.gap.iter().enumerate() {
                let b = (gap >> (8 * i)) & 0xff;
                row[g] = Val::from_u32(b);
                bytes.add(b);
            }
        }
        prev_clk = Some(io.clk);
        match io.kind {
            IoKind::Read => row[c.is_read] = Val::ONE,
            IoKind::Output => row[c.is_out] = Val::ONE,
            IoKind::Host { fd_two } => {
                row[c.is_host] = Val::ONE;
                row[c.fd_two] = Val::from_bool(fd_two);
            }
        }
        put_word(row, c.a1, io.a1);
        put_ts(row, c.a1_ts, io.a1_prev, timestamp(io.clk, SLOT_A1), bytes);
        put_word(row, c.a2, io.a2);
        put_ts(row, c.a2_ts, io.a2_prev, timestamp(io.clk, SLOT_A2), bytes);
        if let Some((old, prev)) = io.input_state {
            row[c.eof] = Val::from_u32(old);
            put_ts(
                row,
                c.eof_ts,
                prev,
                timestamp(io.clk, SLOT_INPUT_STATE),
                bytes,
            );
        }
        if let Some((old, new, prev)) = io.buf {
            let off = io.a1 & 3;
            row[c.off[off as usize]] = Val::ONE;
            row[c.quarter] = Val::from_u32((io.a1 & 0xff) / 4);
            bytes.add((io.a1 & 0xff) / 4);
            bytes.add((io.a1 >> 24) * 4);
            row[c.hi_inv] = Val::from_u32(io.a1 >> 16)
                .try_inverse()
                .unwrap_or(Val::ZERO);
            put_word(row, c.old, old);
            put_word(row, c.new, new);
            put_ts(row, c.buf_ts, prev, timestamp(io.clk, SLOT_BUF), bytes);
            if io.kind == IoKind::Read {
                row[c.n[io.read as usize]] = Val::ONE;
                for b in new.to_le_bytes() {
                    bytes.add(b as u32);
                }
            }
            if io.kind == IoKind::Output {
                let mut input = [Val::ZERO; WIDTH];
                input[0] = Val::from_u8(old.to_le_bytes()[off as usize]);
                input[RATE..].copy_from_slice(&state[RATE..]);
                let out = perms.apply(input);
                for (&col, &x) in c.perm.iter().zip(&out) {
                    row[col] = x;
                }
                state = out;
            }
        }
    }
    RowMajorMatrix::new(values, c.width)
}
