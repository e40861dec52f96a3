//! The bundle stream decoder and `StreamVerifier`, with the test-double
//! epoch proof verifier: cheap enough per input that the fuzzer explores the
//! framing and the chain (seeds: `test_bundle` bundles, whose proofs the
//! double accepts, so mutations reach every record).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sluice_fuzz::{chunking, verify_chunked};
use sluice_verifier_wasm::test_double::HashProofVerifier;

fuzz_target!(|data: &[u8]| {
    let (sizes, stream) = chunking(data);
    let whole = verify_chunked(HashProofVerifier, &[], stream);
    let chunked = verify_chunked(HashProofVerifier, &sizes, stream);
    assert_eq!(whole, chunked, "chunking changed the verdict");
});
