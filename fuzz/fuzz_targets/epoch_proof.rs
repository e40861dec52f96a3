//! The epoch proof wire decoder (bincode and the shape checks) and the STARK
//! verifier behind it, in both modes, on arbitrary bytes (seeds: real proofs
//! that `scripts/fuzz.sh` cuts out of real bundles).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sluice_verifier::digest::Digest;
use sluice_verifier::params::ProofParams;
use sluice_verifier::stark::verify_epoch;
use sluice_verifier::statement::{EpochRole, EpochStatement};

fuzz_target!(|data: &[u8]| {
    let Some((&k, proof)) = data.split_first() else {
        return;
    };
    // The epoch size the proof claims to be for: 2^4 to 2^20 cycles.
    let epoch_size_log2 = 4 + k % 17;
    let statement = EpochStatement {
        start: Digest([1; 8]),
        end: Digest([2; 8]),
        cycles: 1 << (epoch_size_log2 - 1),
        role: if k & 0x80 == 0 {
            EpochRole::Continue
        } else {
            EpochRole::Halt { exit_code: 0 }
        },
        output: Vec::new(),
    };
    for zk in [false, true] {
        let params = ProofParams {
            zk,
            ..ProofParams::DEFAULT
        };
        let verdict = verify_epoch(
            &params,
            &Digest([3; 8]),
            epoch_size_log2,
            0,
            &statement,
            proof,
        );
        assert!(verdict.is_err(), "a proof of a made-up statement verified");
    }
});
