//! The Poseidon2 table's trace: every permutation the page and Merkle
//! tables use, each distinct input once, with its use count.

use std::collections::HashMap;

use p3_field::{PrimeCharacteristicRing, PrimeField32};
use p3_matrix::dense::RowMajorMatrix;
use sluice_verifier::air::poseidon2::{
    external_layer, internal_layer, round_constants, Poseidon2Cols, ROWS_PER_PERM, WIDTH,
};
use sluice_verifier::stark::config::Val;

/// The permutations used so far, in first-use order.
#[derive(Default)]
pub struct Permutations {
    inputs: Vec<[Val; WIDTH]>,
    mult: Vec<u32>,
    index: HashMap<[u32; WIDTH], usize>,
}

/// `P(input)`, filling `rows` (a permutation's two Poseidon2-table rows,
/// `mult` left alone) with the state after every round.
pub fn fill_rows(c: &Poseidon2Cols, rows: &mut [Val], input: [Val; WIDTH]) -> [Val; WIDTH] {
    let (initial, partial, last) = round_constants();
    let k = Val::from_u32;
    let (first, second) = rows.split_at_mut(c.width);
    first[c.first] = Val::ONE;
    second[c.first] = Val::ZERO;
    for (&col, &x) in c.input.iter().zip(&input) {
        first[col] = x;
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
        full(&mut state, rc, post, first);
    }
    let sboxes = c
        .partial_head
        .iter()
        .map(|&col| (col, true))
        .chain(c.partial_tail.iter().map(|&col| (col, false)));
    for (&rc, (col, on_first)) in partial.iter().zip(sboxes) {
        state[0] = (state[0] + k(rc)).cube();
        if on_first {
            first[col] = state[0];
        } else {
            second[col] = state[0];
        }
        internal_layer(&mut state);
    }
    for (rc, post) in last.iter().zip(&c.tail) {
        full(&mut state, rc, post, second);
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

    /// Table rows: two per permutation.
    pub fn rows(&self) -> usize {
        ROWS_PER_PERM * self.inputs.len()
    }

    /// The table: two rows per distinct input, padded with `P(0)` pairs of
    /// multiplicity zero.
    pub fn trace(&self, log_height: usize) -> RowMajorMatrix<Val> {
        let c = Poseidon2Cols::new();
        let height = 1usize << log_height;
        assert!(
            self.rows() <= height && log_height >= 1,
            "Poseidon2 table overflow"
        );
        let pair = ROWS_PER_PERM * c.width;
        let mut values = Val::zero_vec(height * c.width);
        let mut padding = vec![Val::ZERO; pair];
        let _ = fill_rows(&c, &mut padding, [Val::ZERO; WIDTH]);
        for (r, rows) in values.chunks_exact_mut(pair).enumerate() {
            match self.inputs.get(r) {
                Some(&input) => {
                    let _ = fill_rows(&c, rows, input);
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

    #[test]
    fn table_rows_compute_the_memory_hash_permutation() {
        let c = Poseidon2Cols::new();
        for seed in 0..4u32 {
            let input: [u32; WIDTH] = core::array::from_fn(|i| {
                seed.wrapping_mul(0x9e37_79b9).wrapping_add(i as u32) % 0x7f00_0001
            });
            let mut rows = vec![Val::ZERO; ROWS_PER_PERM * c.width];
            let out = fill_rows(&c, &mut rows, input.map(Val::from_u32));
            let want = sluice_verifier::memory::hash::permute(input);
            assert_eq!(out.map(|x| x.as_canonical_u32()), want);
            let last: Vec<u32> = c
                .output()
                .iter()
                .map(|&i| rows[c.width + i].as_canonical_u32())
                .collect();
            assert_eq!(last, want);
            assert_eq!(
                (rows[c.first], rows[c.width + c.first]),
                (Val::ONE, Val::ZERO)
            );
        }
    }

    #[test]
    fn repeated_inputs_share_rows() {
        let mut p = Permutations::default();
        let a = p.apply([Val::ONE; WIDTH]);
        let b = p.apply([Val::ONE; WIDTH]);
        let _ = p.apply([Val::ZERO; WIDTH]);
        assert_eq!(a, b);
        assert_eq!(p.len(), 2);
        let t = p.trace(3);
        let c = Poseidon2Cols::new();
        let mult = |row: usize| t.values[row * c.width + c.mult];
        assert_eq!(mult(0), Val::from_u32(2));
        assert_eq!(mult(2), Val::ONE);
        // Second rows and padding provide nothing.
        for row in [1, 3, 4, 5, 6, 7] {
            assert_eq!(mult(row), Val::ZERO, "row {row}");
        }
    }
}
