//! The Poseidon2 table's trace: every permutation the page and Merkle
//! tables use, each distinct input once, with its use count, in the layout
//! the epoch's proof uses ([`layout_for`]).

use std::collections::HashMap;

use p3_field::{PrimeCharacteristicRing, PrimeField32};
use p3_matrix::dense::RowMajorMatrix;
use sluice_verifier::air::poseidon2::{
    external_layer, internal_layer, round_constants, Cell, Layout, Poseidon2Cols, WIDTH,
};
use sluice_verifier::stark::config::Val;

/// The permutations used so far, in first-use order.
#[derive(Default)]
pub struct Permutations {
    inputs: Vec<[Val; WIDTH]>,
    mult: Vec<u32>,
    index: HashMap<[u32; WIDTH], usize>,
}

/// The narrow layout's table may be at most this many times shorter than
/// the CPU table (or [`NARROW_MIN_LOG_ROWS`] rows, if that is more) for an
/// epoch to use it. It takes 81 opened elements off every query (about
/// 13 KB of a proof at 42 queries) but evaluates four times the wide
/// table's quotient points per permutation; a sixteenth of the CPU's rows
/// keeps that under about 3 % of an epoch's time (`docs/benchmarks.md`,
/// § Protocol 15).
pub const NARROW_MAX_SHARE_LOG2: usize = 4;
/// Below this many rows (log2) the narrow table's quotient costs a few
/// milliseconds whatever the CPU table's height: short runs, whose proofs
/// are the ones users store, always get the smaller proof.
pub const NARROW_MIN_LOG_ROWS: usize = 12;

/// The layout an epoch's proof uses for `perms` distinct permutations
/// beside a CPU table of `2^cpu_log_height` rows, with tables at least
/// `2^min_log_height` rows high: the narrow one when its table stays small
/// next to the CPU's, the wide one otherwise. The executor sizes epochs for
/// the wide one, which always fits.
pub fn layout_for(perms: usize, cpu_log_height: usize, min_log_height: usize) -> Layout {
    let narrow_log = super::log_height_for(Layout::Narrow.rows_per_perm() * perms, min_log_height);
    let bound = cpu_log_height
        .saturating_sub(NARROW_MAX_SHARE_LOG2)
        .max(NARROW_MIN_LOG_ROWS);
    if narrow_log <= bound {
        Layout::Narrow
    } else {
        Layout::Wide
    }
}

/// `P(input)`, filling `rows` (one permutation's rows of a table laid out
/// as `c`, laid end to end; `mult` left alone) with the state after every
/// round.
pub fn fill_perm(c: &Poseidon2Cols, rows: &mut [Val], input: [Val; WIDTH]) -> [Val; WIDTH] {
    let (initial, partial, last) = round_constants();
    let k = Val::from_u32;
    let w = c.width;
    for (cell, &x) in c.input.iter().zip(&input) {
        rows[cell.index(w)] = x;
    }
    let mut state = input;
    external_layer(&mut state);
    let full =
        |state: &mut [Val; WIDTH], rc: &[u32; WIDTH], post: &[Cell; WIDTH], rows: &mut [Val]| {
            for (s, &r) in state.iter_mut().zip(rc) {
                *s = (*s + k(r)).cube();
            }
            external_layer(state);
            for (cell, &x) in post.iter().zip(state.iter()) {
                rows[cell.index(w)] = x;
            }
        };
    for (rc, post) in initial.iter().zip(&c.head) {
        full(&mut state, rc, post, rows);
    }
    for (&rc, cell) in partial.iter().zip(&c.partial) {
        state[0] = (state[0] + k(rc)).cube();
        rows[cell.index(w)] = state[0];
        internal_layer(&mut state);
    }
    for (rc, post) in last.iter().zip(&c.tail) {
        full(&mut state, rc, post, rows);
    }
    if let Some(first) = c.first {
        rows[first] = Val::ONE;
    }
    state
}

impl Permutations {
    /// Records one use of `P(input)` and returns the output.
    pub fn apply(&mut self, input: [Val; WIDTH]) -> [Val; WIDTH] {
        let key = input.map(|x| x.as_canonical_u32());
        let i = *self.index.entry(key).or_insert_with(|| {
            self.inputs.push(input);
            self.mult.push(0);
            self.inputs.len() - 1
        });
        self.mult[i] += 1;
        let out = sluice_verifier::memory::hash::permute(key);
        out.map(Val::from_u32)
    }

    /// Distinct permutations recorded.
    pub fn len(&self) -> usize {
        self.inputs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
    }

    /// The table in `layout`: each distinct input's rows, padded with
    /// `P(0)` permutations of multiplicity zero.
    pub fn trace(&self, layout: Layout, log_height: usize) -> RowMajorMatrix<Val> {
        let c = Poseidon2Cols::new(layout);
        let height = 1usize << log_height;
        let block = layout.rows_per_perm() * c.width;
        assert!(
            self.inputs.len() * layout.rows_per_perm() <= height
                && (height * c.width).is_multiple_of(block),
            "Poseidon2 table overflow"
        );
        let mut values = Val::zero_vec(height * c.width);
        let mut padding = vec![Val::ZERO; block];
        let _ = fill_perm(&c, &mut padding, [Val::ZERO; WIDTH]);
        for (r, rows) in values.chunks_exact_mut(block).enumerate() {
            match self.inputs.get(r) {
                Some(&input) => {
                    let _ = fill_perm(&c, rows, input);
                    rows[c.mult] = Val::from_u32(self.mult[r]);
                }
                None => rows.copy_from_slice(&padding),
            }
        }
        RowMajorMatrix::new(values, c.width)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAYOUTS: [Layout; 2] = [Layout::Wide, Layout::Narrow];

    #[test]
    fn table_rows_compute_the_memory_hash_permutation() {
        for layout in LAYOUTS {
            let c = Poseidon2Cols::new(layout);
            for seed in 0..4u32 {
                let input: [u32; WIDTH] = core::array::from_fn(|i| {
                    seed.wrapping_mul(0x9e37_79b9).wrapping_add(i as u32) % 0x7f00_0001
                });
                let mut rows = vec![Val::ZERO; layout.rows_per_perm() * c.width];
                let out = fill_perm(&c, &mut rows, input.map(Val::from_u32));
                let want = sluice_verifier::memory::hash::permute(input);
                assert_eq!(out.map(|x| x.as_canonical_u32()), want);
                let last: Vec<u32> = c
                    .output()
                    .iter()
                    .map(|cell| rows[cell.index(c.width)].as_canonical_u32())
                    .collect();
                assert_eq!(last, want, "{layout:?}");
            }
        }
    }

    #[test]
    fn the_narrow_layout_alternates_first_and_second_rows() {
        let c = Poseidon2Cols::new(Layout::Narrow);
        assert_eq!(c.width, 84);
        assert_eq!(Poseidon2Cols::new(Layout::Wide).width, 165);
        let first = c.first.unwrap();
        let mut p = Permutations::default();
        let _ = p.apply([Val::ONE; WIDTH]);
        let t = p.trace(Layout::Narrow, 3);
        let col = |col: usize| -> Vec<u32> {
            t.values
                .chunks_exact(c.width)
                .map(|r| r[col].as_canonical_u32())
                .collect()
        };
        assert_eq!(col(first), [1, 0, 1, 0, 1, 0, 1, 0]);
        assert_eq!(col(c.mult), [1, 0, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn repeated_inputs_share_rows() {
        for layout in LAYOUTS {
            let mut p = Permutations::default();
            let a = p.apply([Val::ONE; WIDTH]);
            let b = p.apply([Val::ONE; WIDTH]);
            let _ = p.apply([Val::ZERO; WIDTH]);
            assert_eq!(a, b);
            assert_eq!(p.len(), 2);
            let t = p.trace(layout, 3);
            let c = Poseidon2Cols::new(layout);
            let rows = layout.rows_per_perm();
            let mult = |perm: usize| t.values[perm * rows * c.width + c.mult];
            assert_eq!(mult(0), Val::from_u32(2));
            assert_eq!(mult(1), Val::ONE);
            assert_eq!(mult(2), Val::ZERO);
        }
    }

    #[test]
    fn short_tables_beside_the_cpu_are_narrow() {
        // A few pages in any epoch: narrow.
        assert_eq!(layout_for(3 * 172, 12, 3), Layout::Narrow);
        assert_eq!(layout_for(3 * 172, 20, 3), Layout::Narrow);
        // Up to 2^12 narrow rows whatever the CPU's height.
        assert_eq!(layout_for(1 << 11, 8, 3), Layout::Narrow);
        assert_eq!(layout_for((1 << 11) + 1, 8, 3), Layout::Wide);
        // A sixteenth of a 2^20 CPU table, not more.
        assert_eq!(layout_for(1 << 15, 20, 3), Layout::Narrow);
        assert_eq!(layout_for((1 << 15) + 1, 20, 3), Layout::Wide);
        // Thousands of pages in a 2^16 epoch: wide.
        assert_eq!(layout_for(2_000 * 172, 16, 3), Layout::Wide);
    }
}
