//! Which of Plonky3's radix-2 DFTs extends a matrix of a given width
//! faster: a coset LDE of 2^LOG_ROWS rows at blowup 4, rows in the
//! bit-reversed order a commitment stores (the parallel DFT gives that
//! order as it is; the small-batch DFT's natural order is reversed after).
//! The best of three runs each. `pcs::dft` picks by width from these
//! figures (`docs/benchmarks.md`, § "Narrow DFTs").
//!
//! `cargo run --release -p prover --example dft_widths [LOG_ROWS]`
//! (default 20).

use std::time::{Duration, Instant};

use p3_dft::{Radix2DFTSmallBatch, Radix2DitParallel, TwoAdicSubgroupDft};
use p3_field::{Field, PrimeCharacteristicRing};
use p3_matrix::bitrev::BitReversibleMatrix;
use p3_matrix::dense::RowMajorMatrix;
use p3_matrix::util::reverse_matrix_index_bits;
use sluice_verifier::stark::config::Val;

fn main() {
    let log_rows: usize = std::env::args()
        .nth(1)
        .map_or(20, |s| s.parse().expect("LOG_ROWS: a whole number"));
    let parallel = Radix2DitParallel::<Val>::default();
    let small = Radix2DFTSmallBatch::<Val>::new(1 << (log_rows + 2));
    println!("| columns | parallel | small batch |\n|---|---|---|");
    for width in [4usize, 8, 12, 16, 32, 52, 82] {
        let values = (0..(1usize << log_rows) * width)
            .map(|i| Val::from_usize(i.wrapping_mul(2_654_435_761)))
            .collect();
        let evals = RowMajorMatrix::new(values, width);
        let (mut best_parallel, mut best_small) = (Duration::MAX, Duration::MAX);
        for _ in 0..3 {
            let start = Instant::now();
            let a = parallel
                .coset_lde_batch(evals.clone(), 2, Val::GENERATOR)
                .bit_reverse_rows();
            best_parallel = best_parallel.min(start.elapsed());
            let start = Instant::now();
            let mut b = small.coset_lde_batch(evals.clone(), 2, Val::GENERATOR);
            reverse_matrix_index_bits(&mut b);
            best_small = best_small.min(start.elapsed());
            assert_eq!(a, b, "the two DFTs disagree at width {width}");
        }
        println!(
            "| {width} | {:.0} ms | {:.0} ms |",
            best_parallel.as_secs_f64() * 1e3,
            best_small.as_secs_f64() * 1e3
        );
    }
}
