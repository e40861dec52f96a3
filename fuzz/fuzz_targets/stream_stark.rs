//! The bundle stream decoder and `StreamVerifier` with the real STARK epoch
//! verifier behind it (seeds: real bundles that `scripts/fuzz.sh` proves).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sluice_fuzz::{chunking, verify_chunked};
use sluice_verifier::stark::StarkEpochVerifier;

fuzz_target!(|data: &[u8]| {
    let (sizes, stream) = chunking(data);
    let _ = verify_chunked(StarkEpochVerifier, &sizes, stream);
});
