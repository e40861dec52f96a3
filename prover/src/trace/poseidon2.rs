//! The Poseidon2 table's trace: every permutation the page and Merkle
//! tables use, each distinct input once, with its use count.

use std::collections::HashMap;

use p3_field::{PrimeCharacteristicRing, PrimeField32};
use p3_matrix::dense::RowMajorMatrix;
use sluice_verifier::air::poseidon2::{
    external_layer, internal_layer, round_constants, Poseidon2Cols, WIDTH,
};
use sluice_verifier::stark::config::Val;

/// The permutations used so far, in first-use order.
#[derive(Default)]
pub struct Permutations {
    inputs: Vec<[Val; WIDTH]>,
    mult: Vec<u32>,
    index: HashMap<[u32; WIDTH], usize>,
}

/// `P(input)`, filling `row` (one Poseidon2-table row, `mult` left alone)
/// with the state after every round.
pub fn fill_row(c: &Poseidon2Cols, row: &mut [Val], input: [Val; WIDTH]) -> [Val; WIDTH] {
    let (initial, partial, last) = round_constants();
    let k = Val::from_u32;
    for (&col, &x) in c.input.iter().zip(&input) {
        row[col] = x;
    }
    let mut state = input;
    external_layer(&mut state);
    let full =
        |state: &mut [Val; WIDTH], rc: &[u32; WIDTH], post: &[usize; WIDTH], row: &mut [Val]| {
            for (s, &r) in state.iter_mut().zip(rc) {
                *s = (*s + k(r)).cube();
            }
            external_layer(state);
            for (&col, &x) in post.iter().zip(state.iter()) {
                row[col] = x;
            }
        };
    for (rc, post) in initial.iter().zip(&c.head) {
        full(&mut state, rc, post, row);
    }
    for (&rc, &col) in partial.iter().zip(&c.partial) {
        state[0] = (state[0] + k(rc)).cube();
        row[col] = state[0];
        internal_layer(&mut state);
    }
    for (rc, post) in last.iter().zip(&c.tail) {
        full(&mut state, rc, post, row);
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

    /// The table: one row per distinct input, padded with `P(0)` rows of
    /// multiplicity zero.
    pub fn trace(&self, log_height: usize) -> RowMajorMatrix<Val> {
        let c = Poseidon2Cols::new();
        let height = 1usize << log_height;
        assert!(self.inputs.len() <= height, "Poseidon2 table overflow");
        let mut values = Val::zero_vec(height * c.width);
        let mut padding = vec![Val::ZERO; c.width];
        let _ = fill_row(&c, &mut padding, [Val::ZERO; WIDTH]);
        for (r, row) in values.chunks_exact_mut(c.width).enumerate() {
            match self.inputs.get(r) {
                Some(&input) => {
                    let _ = fill_row(&c, row, input);
                    row[c.mult] = Val::from_u32(self.mult[r]);
                }
                None => row.copy_from_slice(&padding),
            }
        }
        RowMajorMatrix::new(values, c.width)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_rows_compute_the_memory_hash_permutation() {
        let c = Poseidon2Cols::new();
        for seed in 0..4u32 {
            let input: [u32; WIDTH] = core::array::from_fn(|i| {
                seed.wrapping_mul(0x9e37_79b9).wrapping_add(i as u32) % 0x7f00_0001
            });
            let mut row = vec![Val::ZERO; c.width];
            let out = fill_row(&c, &mut row, input.map(Val::from_u32));
            let want = sluice_verifier::memory::hash::permute(input);
            assert_eq!(out.map(|x| x.as_canonical_u32()), want);
            let last: Vec<u32> = c
                .output()
                .iter()
                .map(|&i| row[i].as_canonical_u32())
                .collect();
            assert_eq!(last, want);
        }
    }

    #[test]
    fn repeated_inputs_share_a_row() {
        let mut p = Permutations::default();
        let a = p.apply([Val::ONE; WIDTH]);
        let b = p.apply([Val::ONE; WIDTH]);
        let _ = p.apply([Val::ZERO; WIDTH]);
        assert_eq!(a, b);
        assert_eq!(p.len(), 2);
        let t = p.trace(3);
        let c = Poseidon2Cols::new();
        assert_eq!(t.values[c.mult], Val::from_u32(2));
        assert_eq!(t.values[c.width + c.mult], Val::ONE);
        assert_eq!(t.values[2 * c.width + c.mult], Val::ZERO);
    }
}
