//! The Merkle table: ties the touched pages' leaves to the start and end
//! memory roots.
//!
//! Each touched page takes 22 rows, one per tree level, walking its path
//! from the leaf to the root twice with the *same* siblings: once from the
//! old leaf (which must arrive at the current root) and once from the new
//! leaf (which gives the next root). The pages form a chain
//! `root_0 = start_root → root_1 → … → root_n = end_root`, a
//! read-modify-write of one page per step (`docs/memory.md` §6). The table's
//! public values are the start and end roots; the verifier checks them
//! against the statement's state digests.
//!
//! What the constraints force, independently of any prover-chosen selector:
//! every path has exactly 22 levels, numbered `0..=21` by position (no row
//! below a leaf, no internal node posing as a leaf); the left/right choice at
//! level `h` is bit `h` of the page index, and the index has no bits above
//! 21; the old walk of each page ends at the running root; the chain starts
//! at the start root and ends at the end root; the pages are exactly those
//! the page table sent (the leaf bus), each once. Since the pages are
//! distinct, each old leaf is the page's leaf under the start root.

use alloc::vec::Vec;

use p3_air::{Air, AirBuilder, BaseAir};
use p3_field::{Field, PrimeCharacteristicRing};
use p3_lookup::{Count, InteractionBuilder};

use super::layout::{eval_segments, ColumnAlloc, SegmentCols};
use super::page::LEAF_BUS;
use super::poseidon2::{use_permutation, WIDTH};
use crate::memory::hash::RATE;
use crate::memory::tree::DEPTH;

/// Public values: the start root then the end root.
pub const NUM_PUBLIC_VALUES: usize = 2 * RATE;
pub const PV_START_ROOT: usize = 0;
pub const PV_END_ROOT: usize = RATE;

/// Column indices of the Merkle table.
#[derive(Clone, Debug)]
pub struct MerkleCols {
    pub is_real: usize,
    /// Level 0 (the leaf's row) and level 21 (the root's row).
    pub first: usize,
    pub last: usize,
    /// Level `0..=21`, and the inverse of `level - 21` (or 0).
    pub level: usize,
    pub level_inv: usize,
    /// The page index shifted right by `level`, and its low bit.
    pub index: usize,
    pub bit: usize,
    /// The node at this level on the old and on the new walk.
    pub old: [usize; RATE],
    pub new: [usize; RATE],
    pub sibling: [usize; RATE],
    /// Permutation outputs of the two compressions.
    pub old_out: [usize; WIDTH],
    pub new_out: [usize; WIDTH],
    /// The running root before this page's update.
    pub root: [usize; RATE],
    pub width: usize,
}

impl MerkleCols {
    pub fn new() -> Self {
        // Fields are evaluated in the order written: columns in this order.
        let mut a = ColumnAlloc::default();
        MerkleCols {
            is_real: a.one(),
            first: a.one(),
            last: a.one(),
            level: a.one(),
            level_inv: a.one(),
            index: a.one(),
            bit: a.one(),
            old: a.many(),
            new: a.many(),
            sibling: a.many(),
            old_out: a.many(),
            new_out: a.many(),
            root: a.many(),
            width: a.width(),
        }
    }
}

impl Default for MerkleCols {
    fn default() -> Self {
        Self::new()
    }
}

/// The Merkle table's AIR.
#[derive(Clone, Copy, Debug, Default)]
pub struct MerkleAir;

impl<F> BaseAir<F> for MerkleAir {
    fn width(&self) -> usize {
        MerkleCols::new().width
    }
    fn num_public_values(&self) -> usize {
        NUM_PUBLIC_VALUES
    }
}

impl<AB: InteractionBuilder> Air<AB> for MerkleAir
where
    AB::F: Field,
{
    fn eval(&self, builder: &mut AB) {
        let c = MerkleCols::new();
        let (local, next) = super::layout::rows(builder);
        let pv: Vec<AB::Expr> = builder.public_values().iter().map(|&v| v.into()).collect();
        let l = |i: usize| local[i].clone();
        let n = |i: usize| next[i].clone();
        let k = |x: u32| AB::Expr::from_u32(x);
        let one = AB::Expr::ONE;

        let is_real = l(c.is_real);
        let first = l(c.first);
        let last = l(c.last);
        let bit = l(c.bit);
        // ---- Row structure: paths of exactly 22 levels, padding at the end ----
        let segments = SegmentCols {
            is_real: c.is_real,
            first: c.first,
            last: c.last,
            position: c.level,
            position_inv: c.level_inv,
        };
        let mid = eval_segments(builder, &local, &next, segments, DEPTH as u32);
        builder.assert_bool(bit.clone());
        // 22 never divides a power of two, so the table always ends in padding.
        builder.when_last_row().assert_zero(is_real.clone());
        {
            let mut t = builder.when_transition();
            // The index loses its low bit at each level.
            t.assert_zero(mid.clone() * (l(c.index) - bit.clone() - n(c.index) * k(2)));
        }
        // No index bits above level 21: the page index is below 2^22.
        builder.assert_zero(last.clone() * (l(c.index) - bit.clone()));

        // ---- The two compressions of this level ----
        let node = |cur: [usize; RATE]| {
            let cur = cur.map(&l);
            let sib = c.sibling.map(&l);
            let left: [AB::Expr; RATE] = core::array::from_fn(|i| {
                cur[i].clone() + bit.clone() * (sib[i].clone() - cur[i].clone())
            });
            let right: [AB::Expr; RATE] = core::array::from_fn(|i| {
                sib[i].clone() + bit.clone() * (cur[i].clone() - sib[i].clone())
            });
            (left, right)
        };
        let mut parents: Vec<[AB::Expr; RATE]> = Vec::with_capacity(2);
        for (cur, out) in [(c.old, c.old_out), (c.new, c.new_out)] {
            let (left, right) = node(cur);
            let input: [AB::Expr; WIDTH] = core::array::from_fn(|i| {
                if i < RATE {
                    left[i].clone()
                } else {
                    right[i - RATE].clone()
                }
            });
            let output = out.map(&l);
            // C(L, R) = P(L ‖ R)[..8] + L.
            parents.push(core::array::from_fn(|i| {
                output[i].clone() + left[i].clone()
            }));
            use_permutation(builder, &input, &output, is_real.clone());
        }
        let (old_parent, new_parent) = (&parents[0], &parents[1]);
        {
            let mut t = builder.when_transition();
            for i in 0..RATE {
                t.assert_zero(mid.clone() * (n(c.old[i]) - old_parent[i].clone()));
                t.assert_zero(mid.clone() * (n(c.new[i]) - new_parent[i].clone()));
            }
        }

        // ---- The root chain ----
        for i in 0..RATE {
            builder
                .when_first_row()
                .assert_eq(l(c.root[i]), pv[PV_START_ROOT + i].clone());
            builder
                .when_last_row()
                .assert_eq(l(c.root[i]), pv[PV_END_ROOT + i].clone());
            // The old walk arrives at the running root.
            builder.assert_zero(last.clone() * (old_parent[i].clone() - l(c.root[i])));
            let mut t = builder.when_transition();
            // The running root is the new walk's root after a page, and
            // unchanged elsewhere (inside a path and through the padding).
            t.assert_zero(last.clone() * (n(c.root[i]) - new_parent[i].clone()));
            t.assert_zero((one.clone() - last.clone()) * (n(c.root[i]) - l(c.root[i])));
        }

        // ---- The leaves come from the page table ----
        let mut leaf = Vec::with_capacity(1 + 2 * RATE);
        leaf.push(l(c.index));
        leaf.extend(c.old.map(&l));
        leaf.extend(c.new.map(&l));
        builder.push_interaction(LEAF_BUS, leaf, Count::bounded(-first, 1));
    }
}
