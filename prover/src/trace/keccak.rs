//! The Keccak tables' traces: the permutation table (Plonky3's rows plus
//! the call's cycle) and the memory table (25 lane rows per call).

use p3_field::PrimeCharacteristicRing;
use p3_keccak_air::{generate_trace_rows, KeccakCols, NUM_KECCAK_COLS};
use p3_matrix::dense::RowMajorMatrix;
use p3_maybe_rayon::prelude::*;
use sluice_verifier::air::cpu::timestamp;
use sluice_verifier::air::io::SLOT_BUF;
use sluice_verifier::air::keccak::{CLK_COL, KECCAK_WIDTH, LANES, ROWS_PER_PERM};
use sluice_verifier::air::keccak_mem::KeccakMemCols;
use sluice_verifier::layout::syscall;
use sluice_verifier::stark::config::Val;

use super::fill::{put_buffer_ptr, put_bytes, put_segment, put_ts, put_word};
use super::io::IoWord;
use super::ByteCounts;

/// Words of the Keccak state.
pub const STATE_WORDS: usize = 2 * LANES;

/// One `keccak_permute` call, recorded by the CPU replay.
#[derive(Clone, Debug)]
pub struct KeccakCall {
    pub clk: u32,
    pub ptr: u32,
    /// The state's words in address order, before and after.
    pub words: [IoWord; STATE_WORDS],
}

impl KeccakCall {
    /// The state before the call, as lanes.
    pub fn input(&self) -> [u64; LANES] {
        lanes(&self.words.map(|w| w.old))
    }
}

/// State words in address order as lanes (each lane two little-endian words).
pub fn lanes(words: &[u32; STATE_WORDS]) -> [u64; LANES] {
    core::array::from_fn(|j| u64::from(words[2 * j]) | u64::from(words[2 * j + 1]) << 32)
}

/// The permutation table: one 24-row block per call, then padding blocks
/// (permutations of zero that export nothing), `2^log_height` rows.
pub fn keccak_trace(calls: &[KeccakCall], log_height: usize) -> RowMajorMatrix<Val> {
    let height = 1usize << log_height;
    let real = calls.len() * ROWS_PER_PERM;
    assert!(real <= height, "Keccak table overflow");
    let perms: RowMajorMatrix<Val> =
        generate_trace_rows(calls.iter().map(KeccakCall::input).collect(), 0);
    let zero: RowMajorMatrix<Val> = generate_trace_rows(vec![[0; LANES]], 0);
    let mut values = Val::zero_vec(height * KECCAK_WIDTH);
    values
        .par_chunks_mut(KECCAK_WIDTH)
        .enumerate()
        .for_each(|(r, row)| {
            let (src, at) = if r < real {
                (&perms, r)
            } else {
                (&zero, (r - real) % ROWS_PER_PERM)
            };
            row[..NUM_KECCAK_COLS]
                .copy_from_slice(&src.values[at * NUM_KECCAK_COLS..(at + 1) * NUM_KECCAK_COLS]);
            if r < real && r % ROWS_PER_PERM == ROWS_PER_PERM - 1 {
                let cols: &mut KeccakCols<Val> =
                    core::borrow::BorrowMut::borrow_mut(&mut row[..NUM_KECCAK_COLS]);
                cols.export = Val::ONE;
                row[CLK_COL] = Val::from_u32(calls[r / ROWS_PER_PERM].clk);
            }
        });
    RowMajorMatrix::new(values, KECCAK_WIDTH)
}

/// The memory table: 25 rows per call, then padding, `2^log_height` rows.
pub fn keccak_mem_trace(
    calls: &[KeccakCall],
    log_height: usize,
    bytes: &mut ByteCounts,
) -> RowMajorMatrix<Val> {
    let c = KeccakMemCols::new();
    let height = 1usize << log_height;
    assert!(
        calls.len() * LANES <= height,
        "Keccak memory table overflow"
    );
    let mut values = Val::zero_vec(height * c.width);
    let mut rows = values.chunks_exact_mut(c.width);
    for call in calls {
        let ts = timestamp(call.clk, SLOT_BUF);
        for (lane, row) in (0..LANES).zip(&mut rows) {
            put_segment(row, c.seg, lane, LANES);
            row[c.clk] = Val::from_u32(call.clk);
            row[c.addr] = Val::from_u32(call.ptr + 8 * lane as u32);
            if lane == 0 {
                put_buffer_ptr(row, c.ptr, call.ptr, syscall::KECCAK_STATE_BYTES, bytes);
            }
            for (w, word) in call.words[2 * lane..2 * lane + 2].iter().enumerate() {
                put_word(row, c.old[4 * w..4 * w + 4].try_into().unwrap(), word.old);
                put_bytes(row, &c.new[4 * w..4 * w + 4], word.new, bytes);
                put_ts(row, c.ts[w], word.prev, ts, bytes);
            }
        }
    }
    RowMajorMatrix::new(values, c.width)
}

/// Keccak-f[1600] of the state words, as state words (for the replay).
pub fn permuted_words(words: &[u32; STATE_WORDS]) -> [u32; STATE_WORDS] {
    let mut lanes = lanes(words);
    tiny_keccak::keccakf(&mut lanes);
    core::array::from_fn(|i| (lanes[i / 2] >> (32 * (i % 2))) as u32)
}
