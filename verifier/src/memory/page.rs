//! Pages and how their bytes become field elements.
//!
//! A page is [`PAGE_SIZE`] bytes at `index << PAGE_SIZE_LOG2`. Its leaf is the
//! sponge (domain [`LEAF_DOMAIN`]) over the encoding of its words in address
//! order. A 32-bit word does not fit in a KoalaBear element (`p < 2^31`), so
//! each little-endian word `w` becomes two elements, its 16-bit halves
//! `[w & 0xffff, w >> 16]` ([`encode_word`]): injective, and cheap to
//! range-check in a STARK (two 16-bit limbs).

use p3_koala_bear::KoalaBear;

use super::hash::{sponge, LEAF_DOMAIN, RATE};
use crate::digest::Digest;

/// log2 of the page size in bytes of the memory commitment. Equal to the
/// executor's page-tracking granularity (`sluice_prover::executor::PAGE_SIZE_LOG2`),
/// chosen by measurement: see `docs/memory.md` and `docs/benchmarks.md`.
pub const PAGE_SIZE_LOG2: u32 = 10;
/// Page size in bytes.
pub const PAGE_SIZE: usize = 1 << PAGE_SIZE_LOG2;
/// 32-bit words per page.
pub const WORDS_PER_PAGE: usize = PAGE_SIZE / 4;
/// Field elements per encoded page.
pub const ELEMENTS_PER_PAGE: usize = 2 * WORDS_PER_PAGE;

/// The page holding byte `addr`.
pub const fn page_index(addr: u32) -> u32 {
    addr >> PAGE_SIZE_LOG2
}

/// The field encoding of one 32-bit word: its low and high 16-bit halves.
/// Both are below `2^16 < p`, so the encoding is injective.
pub const fn encode_word(word: u32) -> [u32; 2] {
    [word & 0xffff, word >> 16]
}

/// The field encoding of a whole page: its words in address order, each as
/// [`encode_word`] (`[lo, hi]`). Block `j` of the leaf sponge is elements
/// `8 j .. 8 j + 8`. This is the sequence a STARK pages in and out.
pub fn encode_page(page: &[u8; PAGE_SIZE]) -> [u32; ELEMENTS_PER_PAGE] {
    let mut out = [0u32; ELEMENTS_PER_PAGE];
    for (pair, word) in out.chunks_exact_mut(2).zip(page.chunks_exact(4)) {
        let w = u32::from_le_bytes([word[0], word[1], word[2], word[3]]);
        pair.copy_from_slice(&encode_word(w));
    }
    out
}

/// The leaf digest of a page of any size that is a non-zero multiple of 16
/// bytes (4 words = one sponge block). The sponge IV carries the element
/// count, so pages of different sizes never share a digest. Used with
/// [`PAGE_SIZE`] bytes by the commitment and with other sizes by the
/// page-size benchmark.
///
/// # Panics
/// If `bytes.len()` is zero or not a multiple of 16 (a programming error:
/// pages have a fixed size).
pub fn hash_bytes_as_page(bytes: &[u8]) -> Digest {
    assert!(
        !bytes.is_empty() && bytes.len().is_multiple_of(16),
        "page length must be a non-zero multiple of 16 bytes"
    );
    let elements = (bytes.len() / 2) as u32;
    let blocks = bytes.chunks_exact(16).map(|chunk| {
        let mut block = [KoalaBear::new(0); RATE];
        for (pair, word) in block.chunks_exact_mut(2).zip(chunk.chunks_exact(4)) {
            let w = u32::from_le_bytes([word[0], word[1], word[2], word[3]]);
            let [lo, hi] = encode_word(w);
            pair[0] = KoalaBear::new(lo);
            pair[1] = KoalaBear::new(hi);
        }
        block
    });
    sponge(LEAF_DOMAIN, [elements, 0], blocks)
}

/// The leaf digest of one page of the commitment.
pub fn hash_page(page: &[u8; PAGE_SIZE]) -> Digest {
    hash_bytes_as_page(page)
}

/// The leaf digest of a page given as words (word `i` at byte offset `4 i`).
pub fn hash_page_words(words: &[u32; WORDS_PER_PAGE]) -> Digest {
    let mut bytes = [0u8; PAGE_SIZE];
    for (chunk, w) in bytes.chunks_exact_mut(4).zip(words) {
        chunk.copy_from_slice(&w.to_le_bytes());
    }
    hash_page(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::hash::permute;

    #[test]
    fn encoding_is_injective_on_edges() {
        assert_eq!(encode_word(0), [0, 0]);
        assert_eq!(encode_word(0xffff_ffff), [0xffff, 0xffff]);
        assert_eq!(encode_word(0x1234_5678), [0x5678, 0x1234]);
        assert_eq!(encode_word(0x0001_0000), [0, 1]);
        assert_ne!(encode_word(0x0001_0000), encode_word(0x0000_0001));
    }

    /// The leaf, recomputed from the spec with the raw permutation.
    #[test]
    fn leaf_matches_spec_with_raw_permutation() {
        let mut page = [0u8; PAGE_SIZE];
        for (i, b) in page.iter_mut().enumerate() {
            *b = (i * 7 + 3) as u8;
        }
        let mut state = [0u32; 16];
        state[8] = LEAF_DOMAIN;
        state[9] = ELEMENTS_PER_PAGE as u32;
        for chunk in page.chunks_exact(16) {
            for (k, w) in chunk.chunks_exact(4).enumerate() {
                let w = u32::from_le_bytes(w.try_into().unwrap());
                state[2 * k] = w & 0xffff;
                state[2 * k + 1] = w >> 16;
            }
            state = permute(state);
        }
        assert_eq!(hash_page(&page).0, state[..8]);
        let words: [u32; WORDS_PER_PAGE] = core::array::from_fn(|i| {
            u32::from_le_bytes(page[4 * i..4 * i + 4].try_into().unwrap())
        });
        assert_eq!(hash_page_words(&words), hash_page(&page));
        // encode_page is the sequence absorbed.
        let enc = encode_page(&page);
        let mut st = [0u32; 16];
        st[8] = LEAF_DOMAIN;
        st[9] = ELEMENTS_PER_PAGE as u32;
        for block in enc.chunks_exact(8) {
            st[..8].copy_from_slice(block);
            st = permute(st);
        }
        assert_eq!(st, state);
    }

    #[test]
    fn one_bit_changes_the_leaf() {
        let page = [0u8; PAGE_SIZE];
        let zero = hash_page(&page);
        for pos in [0, 1, 2, 3, PAGE_SIZE - 1] {
            let mut p = page;
            p[pos] = 0x80;
            assert_ne!(hash_page(&p), zero, "byte {pos}");
        }
        // Same bytes, different length: different digests.
        assert_ne!(hash_bytes_as_page(&[0; 256]), hash_bytes_as_page(&[0; 512]));
    }
}
