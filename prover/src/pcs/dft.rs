//! The lean PCS's low-degree extensions: Plonky3's two radix-2 DFTs, each
//! on the matrices it is faster for.
//!
//! `Radix2DitParallel` (the protocol configuration's DFT) parallelises
//! over rows and hands its output over already in the bit-reversed order a
//! commitment stores; on a matrix of a few columns its rows are too short
//! to keep two cores busy. `Radix2DFTSmallBatch` parallelises over blocks
//! of rows that share twiddles and runs its inner layers in cache, but
//! returns natural order, which costs a bit-reversal pass here. An LDE
//! of 2^20 rows to 2^22 in bit-reversed order on the AVX-512 EPYC
//! (`cargo run --release -p prover --example dft_widths`, best of three;
//! `docs/benchmarks.md`, § "Narrow DFTs"):
//!
//! | columns | 4 | 8 | 12 | 16 | 32 | 82 |
//! |---|---|---|---|---|---|---|
//! | parallel | 269 ms | 297 ms | 330 ms | 215 ms | 331 ms | 778 ms |
//! | small batch | 84 ms | 126 ms | 207 ms | 236 ms | 381 ms | 908 ms |
//!
//! The narrow matrices are the quotient's chunks (one extension column,
//! four base columns each) and the DEEP reduction's sums.

use p3_dft::{Radix2DFTSmallBatch, Radix2DitParallel, TwoAdicSubgroupDft};
use p3_matrix::bitrev::BitReversibleMatrix;
use p3_matrix::dense::RowMajorMatrix;
use p3_matrix::util::reverse_matrix_index_bits;
use sluice_verifier::stark::config::Val;

/// Matrices at most this wide are extended by the small-batch DFT.
const NARROW: usize = 12;

/// Both DFTs, with their twiddle caches.
#[derive(Clone, Default)]
pub struct LeanDft {
    wide: Radix2DitParallel<Val>,
    narrow: Radix2DFTSmallBatch<Val>,
}

impl LeanDft {
    /// The DFT for matrices of any width (the protocol configuration's).
    pub fn wide(&self) -> &Radix2DitParallel<Val> {
        &self.wide
    }

    /// The LDE of `evals` (evaluations over the subgroup `H`) over
    /// `shift · K`, `|K| = |H| · 2^added_bits`, rows in bit-reversed order.
    pub fn lde_bit_reversed(
        &self,
        evals: RowMajorMatrix<Val>,
        added_bits: usize,
        shift: Val,
    ) -> RowMajorMatrix<Val> {
        if evals.width <= NARROW {
            let mut lde = self.narrow.coset_lde_batch(evals, added_bits, shift);
            reverse_matrix_index_bits(&mut lde);
            lde
        } else {
            // The view's inner matrix, stored bit-reversed: no copy.
            self.wide
                .coset_lde_batch(evals, added_bits, shift)
                .bit_reverse_rows()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p3_field::Field;
    use zk_rand::SeedableRng;

    #[test]
    fn both_algorithms_give_the_same_extension() {
        let mut rng = zk_rand::rngs::StdRng::seed_from_u64(3);
        let dft = LeanDft::default();
        for width in [1, 4, NARROW, NARROW + 1] {
            let evals = RowMajorMatrix::<Val>::rand(&mut rng, 1 << 6, width);
            let ours = dft.lde_bit_reversed(evals.clone(), 2, Val::GENERATOR);
            let protocol = Radix2DitParallel::<Val>::default()
                .coset_lde_batch(evals, 2, Val::GENERATOR)
                .bit_reverse_rows();
            assert_eq!(ours, protocol, "width {width}");
        }
    }
}
