//! BENCHMARK ONLY: the proof-of-work search's time for 18 bits (what the
//! `short` preset grinds twice per proof) on one thread and on two, eight
//! searches each. The witnesses must agree (their sum is printed).
//!
//!     cargo run --release -p prover --example grind_time

use p3_challenger::{CanObserve, GrindingChallenger};
use p3_field::{PrimeCharacteristicRing, PrimeField64};
use sluice_verifier::stark::challenger::Challenger;
use sluice_verifier::stark::config::{permutation, Val};

fn main() {
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool");
        let start = std::time::Instant::now();
        let mut sum = 0u64;
        for seed in 0..8u32 {
            let mut c = Challenger::new(permutation());
            c.observe(Val::from_u32(seed));
            sum += pool.install(|| c.grind(18)).as_canonical_u64();
        }
        println!(
            "{threads} thread(s): {:?} per 18-bit search (witness sum {sum})",
            start.elapsed() / 8
        );
    }
}
