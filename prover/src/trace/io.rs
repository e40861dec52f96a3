//! The I/O tables' traces: one header row per `read`/`write` syscall the
//! CPU replay met, and one word row per buffer word it moved.

use p3_field::{PrimeCharacteristicRing, PrimeField32};
use p3_matrix::dense::RowMajorMatrix;
use sluice_verifier::air::cpu::timestamp;
use sluice_verifier::air::io::{IoCols, SLOT_A1, SLOT_A2, SLOT_BUF, SLOT_INPUT_STATE};
use sluice_verifier::air::io_words::IoWordCols;
use sluice_verifier::layout::{syscall, GUEST_MEMORY_END};
use sluice_verifier::stark::config::Val;

use super::fill::{inv_or_zero, put_bytes, put_ts, put_word};
use super::ByteCounts;

/// Which syscall a row is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IoKind {
    /// `read(0, buf, len)`.
    Read,
    /// `write(3, buf, len)`.
    Output,
    /// `write(1 | 2 | 4, buf, len)`: stdout, stderr or hints.
    Host { fd: u32 },
}

/// One buffer word a syscall moved.
#[derive(Clone, Copy, Debug, Default)]
pub struct IoWord {
    pub addr: u32,
    pub old: u32,
    pub new: u32,
    /// Timestamp of the word's previous access.
    pub prev: u32,
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
    /// The buffer words moved, in address order.
    pub words: Vec<IoWord>,
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
    /// The `keccak_permute` calls.
    pub keccak: Vec<super::keccak::KeccakCall>,
    /// The `sha256_compress` calls.
    pub sha256: Vec<super::sha256::Sha256Call>,
}

impl IoReplay {
    pub fn new(input: &[u8], reads: &[u32]) -> Self {
        IoReplay {
            input: input.to_vec(),
            pos: 0,
            reads: reads.iter().copied().collect(),
            output: Vec::new(),
            rows: Vec::new(),
            keccak: Vec::new(),
            sha256: Vec::new(),
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

/// The I/O table: one header row per syscall.
pub fn io_trace(rows: &[IoRow], log_height: usize, bytes: &mut ByteCounts) -> RowMajorMatrix<Val> {
    let c = IoCols::new();
    let height = 1usize << log_height;
    assert!(rows.len() <= height, "I/O table overflow");
    let mut values = Val::zero_vec(height * c.width);
    let mut prev_clk = None;
    for (row, io) in values.chunks_exact_mut(c.width).zip(rows) {
        row[c.is_real] = Val::ONE;
        row[c.clk] = Val::from_u32(io.clk);
        if let Some(p) = prev_clk {
            row[c.has_prev] = Val::ONE;
            put_bytes(row, &c.gap, io.clk - p - 1, bytes);
        }
        prev_clk = Some(io.clk);
        match io.kind {
            IoKind::Read => row[c.is_read] = Val::ONE,
            IoKind::Output => row[c.is_out] = Val::ONE,
            IoKind::Host { fd } => {
                row[c.is_host] = Val::ONE;
                row[c.fd_two] = Val::from_bool(fd == syscall::FD_STDERR);
                row[c.fd_hint] = Val::from_bool(fd == syscall::FD_HINT);
            }
        }
        put_word(row, c.a1, io.a1);
        put_ts(row, c.a1_ts, io.a1_prev, timestamp(io.clk, SLOT_A1), bytes);
        put_word(row, c.a2, io.a2);
        put_ts(row, c.a2_ts, io.a2_prev, timestamp(io.clk, SLOT_A2), bytes);
        let (buf, len) = (io.a1, io.a2);
        // For every call the executor completes, len < 2^30, so its field
        // value is non-zero exactly when len is, and the room below is the
        // true one. A forged host write outside guest memory (negative
        // tests) gets the witness a cheating prover would build, field
        // arithmetic and all, and the constraints reject it.
        if Val::from_u32(len) != Val::ZERO {
            row[c.nz] = Val::ONE;
            let limbs = len.to_le_bytes().iter().map(|&b| b as u32).sum();
            row[c.len_inv] = inv_or_zero(Val::from_u32(limbs));
            let top = 64i64 - (buf >> 24) as i64 - (len >> 24) as i64;
            if (0..256).contains(&top) {
                bytes.add(top as u32);
            }
            row[c.hi_inv] = inv_or_zero(Val::from_u32(buf >> 16));
            let room = Val::from_u32(GUEST_MEMORY_END) - Val::from_u32(buf) - Val::from_u32(len);
            let room = room.as_canonical_u32();
            put_bytes(row, &c.room[..3], room, bytes);
            row[c.room[3]] = Val::from_u32(room >> 24);
            if room >> 24 < 64 {
                bytes.add((room >> 24) * 4);
            }
        }
        if io.kind == IoKind::Read {
            let n = io.read;
            put_bytes(row, &c.n[..2], n, bytes);
            row[c.n[2]] = Val::from_u32(n >> 16);
            put_bytes(row, &c.left, len - n, bytes);
            row[c.short] = Val::from_bool(n < len);
            row[c.short_inv] = inv_or_zero(Val::from_u32(len - n));
            row[c.n_nz] = Val::from_bool(n > 0);
            row[c.n_inv] = inv_or_zero(Val::from_u32(n));
            let (old, prev) = io.input_state.expect("a read has its input state");
            row[c.eof] = Val::from_u32(old);
            put_ts(
                row,
                c.eof_ts,
                prev,
                timestamp(io.clk, SLOT_INPUT_STATE),
                bytes,
            );
        }
        let moves = match io.kind {
            IoKind::Read => io.read > 0,
            IoKind::Output => len > 0,
            IoKind::Host { .. } => false,
        };
        if moves {
            row[c.moves] = Val::ONE;
            row[c.off[(buf & 3) as usize]] = Val::ONE;
            row[c.quarter] = Val::from_u32((buf & 0xff) / 4);
            bytes.add((buf & 0xff) / 4);
        }
    }
    RowMajorMatrix::new(values, c.width)
}

/// The I/O word table: one row per buffer word, a segment per syscall.
pub fn io_words_trace(
    rows: &[IoRow],
    log_height: usize,
    bytes: &mut ByteCounts,
) -> RowMajorMatrix<Val> {
    let c = IoWordCols::new();
    let height = 1usize << log_height;
    let mut values = Val::zero_vec(height * c.width);
    let mut out_pos = 0u32;
    let mut prev_clk = None;
    let mut r = 0;
    for io in rows {
        let (start, moved) = match io.kind {
            IoKind::Read => (io.a1, io.read),
            IoKind::Output => (io.a1, io.a2),
            IoKind::Host { .. } => continue,
        };
        if io.words.is_empty() {
            continue;
        }
        let end = start + moved;
        let last = io.words.len() - 1;
        for (w, word) in io.words.iter().enumerate() {
            let row = &mut values[r * c.width..(r + 1) * c.width];
            r += 1;
            row[c.is_real] = Val::ONE;
            row[c.clk] = Val::from_u32(io.clk);
            match io.kind {
                IoKind::Read => row[c.is_read] = Val::ONE,
                _ => row[c.is_out] = Val::ONE,
            }
            row[c.addr] = Val::from_u32(word.addr);
            row[c.end] = Val::from_u32(end);
            if w == 0 {
                row[c.first] = Val::ONE;
                row[c.start_off[(start - word.addr) as usize]] = Val::ONE;
                if let Some(p) = prev_clk {
                    row[c.has_prev] = Val::ONE;
                    put_bytes(row, &c.gap, io.clk - p - 1, bytes);
                }
                prev_clk = Some(io.clk);
            }
            if w == last {
                row[c.last] = Val::ONE;
                row[c.fin[(end - word.addr - 1) as usize]] = Val::ONE;
            }
            row[c.out_pos] = Val::from_u32(out_pos);
            let old = word.old.to_le_bytes();
            let new = word.new.to_le_bytes();
            for i in 0..4 {
                let at = word.addr + i as u32;
                let sel = (start..end).contains(&at);
                row[c.sel[i]] = Val::from_bool(sel);
                row[c.old[i]] = Val::from_u8(old[i]);
                row[c.new[i]] = Val::from_u8(new[i]);
                if sel {
                    match io.kind {
                        IoKind::Read => bytes.add(new[i] as u32),
                        _ => out_pos += 1,
                    }
                }
            }
            put_ts(row, c.ts, word.prev, timestamp(io.clk, SLOT_BUF), bytes);
        }
    }
    for row in values.chunks_exact_mut(c.width).skip(r) {
        row[c.out_pos] = Val::from_u32(out_pos);
    }
    RowMajorMatrix::new(values, c.width)
}
