//! The page table: page-in and page-out of every page an epoch touches.
//!
//! Each touched page takes 64 rows, one per sponge block of its leaf hash
//! (four words, `docs/memory.md` §3). A row:
//!
//! - opens its four words to the memory check: produces `(addr, init, 0)`
//!   and consumes `(addr, fin, fin_ts)` on the `mem` bus. Every word of the
//!   page is listed, touched or not; a word no cycle accessed can only
//!   balance the bus with `fin = init` and `fin_ts = 0`, so an epoch cannot
//!   change memory it did not write;
//! - absorbs the four initial words into the page's *old* leaf sponge and the
//!   four final words into its *new* leaf sponge, one permutation each,
//!   consumed from the Poseidon2 table's bus;
//! - on the page's last block, sends `(page, old leaf, new leaf)` on the
//!   [`LEAF_BUS`] to the Merkle table, which proves the old leaf under the
//!   start root and derives the end root from the new one.
//!
//! What the constraints force, independently of any prover-chosen selector:
//! pages are listed in strictly increasing order (so each at most once) and
//! are below `2^20` (so every address is below `2^30`, canonical in the
//! field: no address can alias another modulo `p`); each page has exactly 64
//! blocks numbered `0..=63` by position; the sponge starts from the leaf IV
//! and chains block to block; initial bytes are range-checked (final values
//! are whatever the memory check balances them against: range-checked
//! writes or these initial bytes); register `x0` starts at zero.

use alloc::vec::Vec;

use p3_air::{Air, AirBuilder, BaseAir};
use p3_field::{Field, PrimeCharacteristicRing};
use p3_lookup::{Count, InteractionBuilder};

use super::bus::send_byte;
use super::layout::{eval_segments, ColumnAlloc, SegmentCols};
use super::memory::{mem_consume, mem_produce};
use super::poseidon2::{use_permutation, WIDTH};
use crate::memory::hash::{sponge_iv, LEAF_DOMAIN, RATE};
use crate::memory::page::{ELEMENTS_PER_PAGE, PAGE_SIZE, WORDS_PER_PAGE};

/// Name of the leaf bus: messages `(page, old leaf[8], new leaf[8])`.
pub const LEAF_BUS: &str = "leaf";
/// Words absorbed per sponge block (8 elements, two per word).
pub const WORDS_PER_BLOCK: usize = RATE / 2;
/// Rows (sponge blocks) per page.
pub const BLOCKS_PER_PAGE: usize = WORDS_PER_PAGE / WORDS_PER_BLOCK;
/// Pages must be below `2^PAGE_INDEX_BITS` (addresses below `2^30`).
pub const PAGE_INDEX_BITS: u32 = 20;

/// Column indices of the page table.
#[derive(Clone, Debug)]
pub struct PageCols {
    pub is_real: usize,
    /// First block of a page.
    pub first: usize,
    /// Last block of a page.
    pub last: usize,
    /// A first block that follows another page.
    pub has_prev: usize,
    /// Block number `0..=63`, and the inverse of `block - 63` (or 0).
    pub block: usize,
    pub block_inv: usize,
    pub page: usize,
    /// `page` as bytes; the top one is below 16.
    pub page_bytes: [usize; 3],
    /// On `has_prev` rows: `page - previous page - 1` as bytes.
    pub gap: [usize; 3],
    /// `page == 0` and the inverse witness.
    pub is_page0: usize,
    pub page_inv: usize,
    /// Initial and final bytes of the block's four words.
    pub init: [[usize; 4]; WORDS_PER_BLOCK],
    pub fin: [[usize; 4]; WORDS_PER_BLOCK],
    /// Timestamp of each word's last access (0 if none).
    pub fin_ts: [usize; WORDS_PER_BLOCK],
    /// Capacity half of the old sponge's input, and its permutation output.
    pub old_cap: [usize; RATE],
    pub old_out: [usize; WIDTH],
    pub new_cap: [usize; RATE],
    pub new_out: [usize; WIDTH],
    pub width: usize,
}

impl PageCols {
    pub fn new() -> Self {
        let mut a = ColumnAlloc::default();
        let mut c = PageCols {
            is_real: a.one(),
            first: a.one(),
            last: a.one(),
            has_prev: a.one(),
            block: a.one(),
            block_inv: a.one(),
            page: a.one(),
            page_bytes: a.many(),
            gap: a.many(),
            is_page0: a.one(),
            page_inv: a.one(),
            init: [[0; 4]; WORDS_PER_BLOCK],
            fin: [[0; 4]; WORDS_PER_BLOCK],
            fin_ts: [0; WORDS_PER_BLOCK],
            old_cap: [0; RATE],
            old_out: [0; WIDTH],
            new_cap: [0; RATE],
            new_out: [0; WIDTH],
            width: 0,
        };
        c.init = core::array::from_fn(|_| a.many());
        c.fin = core::array::from_fn(|_| a.many());
        c.fin_ts = a.many();
        c.old_cap = a.many();
        c.old_out = a.many();
        c.new_cap = a.many();
        c.new_out = a.many();
        c.width = a.width();
        c
    }
}

impl Default for PageCols {
    fn default() -> Self {
        Self::new()
    }
}

/// The capacity half of the leaf sponge's initial state.
pub fn leaf_capacity_iv() -> [u32; RATE] {
    let iv = sponge_iv(LEAF_DOMAIN, [ELEMENTS_PER_PAGE as u32, 0]);
    core::array::from_fn(|i| iv[RATE + i])
}

/// The page table's AIR.
#[derive(Clone, Copy, Debug, Default)]
pub struct PageAir;

impl<F> BaseAir<F> for PageAir {
    fn width(&self) -> usize {
        PageCols::new().width
    }
}

/// `Σ limbs[i] * 256^i`.
fn bytes_value<E: PrimeCharacteristicRing>(limbs: impl IntoIterator<Item = E>) -> E {
    limbs
        .into_iter()
        .enumerate()
        .fold(E::ZERO, |acc, (i, b)| acc + b * E::from_u32(1 << (8 * i)))
}

impl<AB: InteractionBuilder> Air<AB> for PageAir
where
    AB::F: Field,
{
    fn eval(&self, builder: &mut AB) {
        let c = PageCols::new();
        let (local, next) = super::layout::rows(builder);
        let l = |i: usize| local[i].clone();
        let n = |i: usize| next[i].clone();
        let k = |x: u32| AB::Expr::from_u32(x);
        let one = AB::Expr::ONE;

        let is_real = l(c.is_real);
        let first = l(c.first);
        let last = l(c.last);
        // ---- Row structure: pages of exactly 64 blocks, padding at the end ----
        let segments = SegmentCols {
            is_real: c.is_real,
            first: c.first,
            last: c.last,
            position: c.block,
            position_inv: c.block_inv,
        };
        let mid = eval_segments(builder, &local, &next, segments, BLOCKS_PER_PAGE as u32);
        for b in [c.has_prev, c.is_page0] {
            builder.assert_bool(l(b));
        }
        builder.when_first_row().assert_zero(l(c.has_prev));
        {
            let mut t = builder.when_transition();
            t.assert_eq(n(c.has_prev), n(c.first));
            t.assert_zero(mid.clone() * (n(c.page) - l(c.page)));
            // Strictly increasing pages.
            t.assert_zero(
                n(c.has_prev) * (n(c.page) - l(c.page) - one.clone() - bytes_value(c.gap.map(&n))),
            );
            // Sponge chaining inside a page.
            for i in 0..RATE {
                t.assert_zero(mid.clone() * (n(c.old_cap[i]) - l(c.old_out[RATE + i])));
                t.assert_zero(mid.clone() * (n(c.new_cap[i]) - l(c.new_out[RATE + i])));
            }
        }
        // The sponge starts from the leaf IV.
        for (i, iv) in leaf_capacity_iv().into_iter().enumerate() {
            builder.assert_zero(first.clone() * (l(c.old_cap[i]) - k(iv)));
            builder.assert_zero(first.clone() * (l(c.new_cap[i]) - k(iv)));
        }

        // ---- Page index: below 2^20, decomposed once per page ----
        builder.assert_zero(is_real.clone() * (l(c.page) - bytes_value(c.page_bytes.map(&l))));
        for &b in &c.page_bytes {
            send_byte(builder, l(b), first.clone());
        }
        send_byte(builder, l(c.page_bytes[2]) * k(16), first.clone());
        for &b in &c.gap {
            send_byte(builder, l(b), l(c.has_prev));
        }
        // Register x0 starts at zero.
        builder.assert_zero(l(c.is_page0) * l(c.page));
        builder.assert_zero(l(c.page) * l(c.page_inv) - one.clone() + l(c.is_page0));
        for &b in &c.init[0] {
            builder.assert_zero(first.clone() * l(c.is_page0) * l(b));
        }

        // ---- Memory check and sponge absorption ----
        let base = l(c.page) * k(PAGE_SIZE as u32) + l(c.block) * k(4 * WORDS_PER_BLOCK as u32);
        let mut old_in: Vec<AB::Expr> = Vec::with_capacity(WIDTH);
        let mut new_in: Vec<AB::Expr> = Vec::with_capacity(WIDTH);
        for w in 0..WORDS_PER_BLOCK {
            let addr = base.clone() + k(4 * w as u32);
            let init = c.init[w].map(&l);
            let fin = c.fin[w].map(&l);
            for b in &init {
                send_byte(builder, b.clone(), is_real.clone());
            }
            for (bytes, dest) in [(&init, &mut old_in), (&fin, &mut new_in)] {
                dest.push(bytes[0].clone() + bytes[1].clone() * k(1 << 8));
                dest.push(bytes[2].clone() + bytes[3].clone() * k(1 << 8));
            }
            mem_produce(builder, addr.clone(), init, AB::Expr::ZERO, is_real.clone());
            mem_consume(builder, addr, fin, l(c.fin_ts[w]), is_real.clone());
        }
        old_in.extend(c.old_cap.map(&l));
        new_in.extend(c.new_cap.map(&l));
        let to_array = |v: Vec<AB::Expr>| -> [AB::Expr; WIDTH] {
            v.try_into()
                .unwrap_or_else(|_| unreachable!("16 sponge inputs"))
        };
        use_permutation(
            builder,
            &to_array(old_in),
            &c.old_out.map(&l),
            is_real.clone(),
        );
        use_permutation(
            builder,
            &to_array(new_in),
            &c.new_out.map(&l),
            is_real.clone(),
        );

        // ---- The leaves go to the Merkle table ----
        let mut leaf = Vec::with_capacity(1 + 2 * RATE);
        leaf.push(l(c.page));
        leaf.extend((0..RATE).map(|i| l(c.old_out[i])));
        leaf.extend((0..RATE).map(|i| l(c.new_out[i])));
        builder.push_interaction(LEAF_BUS, leaf, Count::bounded(last, 1));
    }
}
