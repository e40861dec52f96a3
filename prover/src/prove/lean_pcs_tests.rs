//! The prover's lean PCS ([`crate::pcs`]) gives the bytes Plonky3's PCS
//! gives, under every preset and for a batch with the widest tables.

use super::tests::{first_epoch, mixed_program};
use super::*;
use sluice_verifier::stark::verify_epoch;

/// Both proofs of the first epoch of `words`; the lean one verifies.
fn both_proofs(words: &[u32], k: u32, params: &ProofParams) -> (Vec<u8>, Vec<u8>) {
    let (record, transition) = first_epoch(words, k);
    let trace = generate(&record, &transition, params).unwrap();
    let statement = statement_for(&record, &transition);
    let image = Digest([5; 8]);
    let ctx = EpochContext {
        params: *params,
        image_id: image,
        epoch_size_log2: k as u8,
        index: 0,
        statement: &statement,
    };
    let prove = |lean| prove_context(&ctx, &trace, lean);
    let lean = prove(true).unwrap();
    let protocol = prove(false).unwrap();
    verify_epoch(params, &image, k as u8, 0, &statement, &lean).unwrap();
    (lean, protocol)
}

#[test]
fn lean_proofs_are_the_protocol_pcs_proofs_under_every_preset() {
    for (name, params) in [
        ("default", ProofParams::DEFAULT),
        ("speed", ProofParams::SPEED),
        ("size", ProofParams::SIZE),
        ("short", ProofParams::SHORT),
        ("long", ProofParams::LONG),
    ] {
        let (lean, protocol) = both_proofs(&mixed_program(), 10, &params);
        assert!(lean == protocol, "{name}: the lean PCS's proof differs");
    }
}

#[test]
fn lean_proofs_are_the_protocol_pcs_proofs_with_the_keccak_tables() {
    let (lean, protocol) = both_proofs(
        &super::keccak_tests::keccak_program(),
        8,
        &ProofParams::DEFAULT,
    );
    assert!(lean == protocol, "the lean PCS's proof differs");
}
