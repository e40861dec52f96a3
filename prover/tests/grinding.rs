//! The proof-of-work search gives the same witness on any number of
//! threads: the smallest that passes (so proofs stay a function of their
//! epoch, which `prove --resume` relies on).

use p3_challenger::{CanObserve, GrindingChallenger};
use p3_field::PrimeCharacteristicRing;
use sluice_verifier::stark::challenger::Challenger;
use sluice_verifier::stark::config::{permutation, Val};

#[test]
fn the_witness_is_the_smallest_on_any_number_of_threads() {
    for seed in 0..6u32 {
        let mut start = Challenger::new(permutation());
        start.observe(Val::from_u32(seed));
        // About 2^12 candidates: several blocks of the parallel search.
        let bits = 12;
        let smallest = (0u32..)
            .map(Val::from_u32)
            .find(|&w| start.clone().check_witness(bits, w))
            .unwrap();
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut c = start.clone();
            assert_eq!(
                pool.install(|| c.grind(bits)),
                smallest,
                "seed {seed}, {threads} threads"
            );
        }
    }
}
