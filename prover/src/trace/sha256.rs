//! The SHA-256 tables' traces: the round table (65 rows per compression)
//! and the memory table (24 word rows per call).

use p3_field::PrimeCharacteristicRing;
use p3_matrix::dense::RowMajorMatrix;
use p3_maybe_rayon::prelude::*;
use sluice_verifier::air::cpu::timestamp;
use sluice_verifier::air::io::SLOT_BUF;
use sluice_verifier::air::sha256::{
    Sha256Cols, BLOCK_WORDS, K, ROUNDS, ROWS_PER_CALL, STATE_WORDS,
};
use sluice_verifier::air::sha256_mem::{Sha256MemCols, WORDS};
use sluice_verifier::layout::syscall;
use sluice_verifier::stark::config::Val;

use super::fill::{put_buffer_ptr, put_bytes, put_segment, put_ts, put_word};
use super::io::IoWord;
use super::ByteCounts;

/// One `sha256_compress` call, recorded by the CPU replay.
#[derive(Clone, Debug)]
pub struct Sha256Call {
    pub clk: u32,
    pub ptr: u32,
    /// The buffer's words in address order (state, then block), before and
    /// after.
    pub words: [IoWord; WORDS],
}

/// The state and the block (as SHA-256 reads it: big-endian words) of a
/// buffer's words.
pub(crate) fn state_and_block(words: &[u32; WORDS]) -> ([u32; STATE_WORDS], [u32; BLOCK_WORDS]) {
    (
        core::array::from_fn(|i| words[i]),
        core::array::from_fn(|i| words[STATE_WORDS + i].swap_bytes()),
    )
}

/// The buffer after `sha256_compress` (for the replay).
pub fn compressed_words(words: &[u32; WORDS]) -> [u32; WORDS] {
    let (mut state, _) = state_and_block(words);
    let mut block = [0u8; 64];
    for (chunk, w) in block.chunks_exact_mut(4).zip(&words[STATE_WORDS..]) {
        chunk.copy_from_slice(&w.to_le_bytes());
    }
    sha2::compress256(&mut state, &[block.into()]);
    core::array::from_fn(|i| if i < STATE_WORDS { state[i] } else { words[i] })
}

fn big_sigma0(x: u32) -> u32 {
    x.rotate_right(2) ^ x.rotate_right(13) ^ x.rotate_right(22)
}
fn big_sigma1(x: u32) -> u32 {
    x.rotate_right(6) ^ x.rotate_right(11) ^ x.rotate_right(25)
}
fn small_sigma0(x: u32) -> u32 {
    x.rotate_right(7) ^ x.rotate_right(18) ^ (x >> 3)
}
fn small_sigma1(x: u32) -> u32 {
    x.rotate_right(17) ^ x.rotate_right(19) ^ (x >> 10)
}

/// The low `cols.len()` bits of `x`, least significant first.
fn put_bits(row: &mut [Val], cols: &[usize], x: u32) {
    debug_assert!(cols.len() == 32 || x < 1 << cols.len());
    for (i, &col) in cols.iter().enumerate() {
        row[col] = Val::from_u32(x >> i & 1);
    }
}

fn put_limbs(row: &mut [Val], cols: [usize; 2], x: u32) {
    row[cols[0]] = Val::from_u32(x & 0xffff);
    row[cols[1]] = Val::from_u32(x >> 16);
}

/// The carries out of the low and the high limb of `Σ terms`.
fn carries(terms: &[u32]) -> [u32; 2] {
    let lo: u32 = terms.iter().map(|t| t & 0xffff).sum();
    let hi: u32 = terms.iter().map(|t| t >> 16).sum::<u32>() + (lo >> 16);
    [lo >> 16, hi >> 16]
}

/// Fills one compression's 65 rows.
pub(crate) fn fill_compression(
    rows: &mut [Val],
    c: &Sha256Cols,
    clk: u32,
    real: bool,
    state: [u32; STATE_WORDS],
    block: [u32; BLOCK_WORDS],
) {
    // The schedule, run on past w[63] so every row's window is defined.
    let mut w = [0u32; ROUNDS + BLOCK_WORDS];
    w[..BLOCK_WORDS].copy_from_slice(&block);
    for t in BLOCK_WORDS..w.len() {
        w[t] = small_sigma1(w[t - 2])
            .wrapping_add(w[t - 7])
            .wrapping_add(small_sigma0(w[t - 15]))
            .wrapping_add(w[t - 16]);
    }
    let [mut a, mut b, mut cc, mut d, mut e, mut f, mut g, mut h] = state;
    for (t, row) in rows.chunks_exact_mut(c.width).enumerate() {
        row[c.clk] = Val::from_u32(clk);
        row[c.real] = Val::from_bool(real);
        row[c.step[t]] = Val::ONE;
        for (cols, x) in [
            (&c.a, a),
            (&c.b, b),
            (&c.c, cc),
            (&c.e, e),
            (&c.f, f),
            (&c.g, g),
        ] {
            put_bits(row, cols, x);
        }
        put_limbs(row, c.d, d);
        put_limbs(row, c.h, h);
        for (j, cols) in c.w.iter().enumerate() {
            put_limbs(row, *cols, w[t + j]);
        }
        put_bits(row, &c.w1_bits, w[t + 1]);
        put_bits(row, &c.w14_bits, w[t + 14]);
        let s0 = big_sigma0(a);
        let s1 = big_sigma1(e);
        let maj = (a & b) ^ (a & cc) ^ (b & cc);
        let ch = (e & f) ^ (!e & g);
        put_limbs(row, c.big_sigma0, s0);
        put_limbs(row, c.big_sigma1, s1);
        put_limbs(row, c.maj, maj);
        put_limbs(row, c.small_sigma0, small_sigma0(w[t + 1]));
        put_limbs(row, c.small_sigma1, small_sigma1(w[t + 14]));
        if t == ROUNDS {
            break;
        }
        let t1 = [h, s1, ch, K[t], w[t]];
        let ca = carries(&[&t1[..], &[s0, maj]].concat());
        let ce = carries(&[&[d][..], &t1].concat());
        for half in 0..2 {
            put_bits(row, &c.carry_a[half], ca[half]);
            put_bits(row, &c.carry_e[half], ce[half]);
        }
        if t < ROUNDS - BLOCK_WORDS {
            let cw = carries(&[
                small_sigma1(w[t + 14]),
                w[t + 9],
                small_sigma0(w[t + 1]),
                w[t],
            ]);
            for (cols, carry) in c.carry_w.iter().zip(cw) {
                put_bits(row, cols, carry);
            }
        }
        let t1 = t1.iter().fold(0u32, |x, y| x.wrapping_add(*y));
        let t2 = s0.wrapping_add(maj);
        (h, g, f, e) = (g, f, e, d.wrapping_add(t1));
        (d, cc, b, a) = (cc, b, a, t1.wrapping_add(t2));
    }
}

/// The round table: one 65-row block per call, then padding compressions
/// (of a zero state and block, exchanging nothing), `2^log_height` rows.
pub fn sha256_trace(calls: &[Sha256Call], log_height: usize) -> RowMajorMatrix<Val> {
    let c = Sha256Cols::new();
    let height = 1usize << log_height;
    let block_len = ROWS_PER_CALL * c.width;
    assert!(
        calls.len() * ROWS_PER_CALL <= height,
        "SHA-256 table overflow"
    );
    let mut padding = Val::zero_vec(block_len);
    fill_compression(&mut padding, &c, 0, false, [0; 8], [0; 16]);
    let mut values = Val::zero_vec(height * c.width);
    values
        .par_chunks_mut(block_len)
        .enumerate()
        .for_each(|(i, rows)| match calls.get(i) {
            Some(call) => {
                let (state, block) = state_and_block(&call.words.map(|w| w.old));
                fill_compression(rows, &c, call.clk, true, state, block);
            }
            None => rows.copy_from_slice(&padding[..rows.len()]),
        });
    RowMajorMatrix::new(values, c.width)
}

/// The memory table: 24 rows per call, then padding, `2^log_height` rows.
pub fn sha256_mem_trace(
    calls: &[Sha256Call],
    log_height: usize,
    bytes: &mut ByteCounts,
) -> RowMajorMatrix<Val> {
    let c = Sha256MemCols::new();
    let height = 1usize << log_height;
    assert!(
        calls.len() * WORDS <= height,
        "SHA-256 memory table overflow"
    );
    let mut values = Val::zero_vec(height * c.width);
    let mut rows = values.chunks_exact_mut(c.width);
    for call in calls {
        let ts = timestamp(call.clk, SLOT_BUF);
        for ((p, word), row) in call.words.iter().enumerate().zip(&mut rows) {
            put_segment(row, c.seg, p, WORDS);
            row[c.clk] = Val::from_u32(call.clk);
            row[c.addr] = Val::from_u32(word.addr);
            if p == 0 {
                put_buffer_ptr(row, c.ptr, call.ptr, syscall::SHA256_BUFFER_BYTES, bytes);
            }
            put_word(row, c.old, word.old);
            put_bytes(row, &c.new, word.new, bytes);
            put_ts(row, c.ts, word.prev, ts, bytes);
            if p < STATE_WORDS {
                row[c.is_state] = Val::ONE;
                let out = word.new.wrapping_sub(word.old);
                put_limbs(row, c.out, out);
                let carry = carries(&[word.old, out]);
                for (col, bit) in c.carry.iter().zip(carry) {
                    row[*col] = Val::from_u32(bit);
                }
            }
        }
    }
    RowMajorMatrix::new(values, c.width)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compression_of_abc_gives_the_standard_digest() {
        const IV: [u32; 8] = [
            0x6a09_e667,
            0xbb67_ae85,
            0x3c6e_f372,
            0xa54f_f53a,
            0x510e_527f,
            0x9b05_688c,
            0x1f83_d9ab,
            0x5be0_cd19,
        ];
        let mut block = [0u8; 64];
        block[..3].copy_from_slice(b"abc");
        block[3] = 0x80;
        block[63] = 24;
        let mut words = [0u32; WORDS];
        words[..8].copy_from_slice(&IV);
        for (i, chunk) in block.chunks_exact(4).enumerate() {
            words[8 + i] = u32::from_le_bytes(chunk.try_into().unwrap());
        }
        let out = compressed_words(&words);
        assert_eq!(out[0], 0xba78_16bf);
        assert_eq!(out[7], 0xf200_15ad);
        assert_eq!(out[8..], words[8..]);
        // The round rows end in the same state.
        let c = Sha256Cols::new();
        let mut rows = Val::zero_vec(ROWS_PER_CALL * c.width);
        let (state, block) = state_and_block(&words);
        fill_compression(&mut rows, &c, 1, true, state, block);
        let last = &rows[ROUNDS * c.width..];
        let word = |cols: &[usize; 32]| {
            cols.iter()
                .rev()
                .fold(0u32, |x, &i| x << 1 | u32::from(last[i] == Val::ONE))
        };
        assert_eq!(word(&c.a).wrapping_add(IV[0]), out[0]);
        assert_eq!(word(&c.e).wrapping_add(IV[4]), out[4]);
    }
}
