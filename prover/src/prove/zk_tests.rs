//! Zero-knowledge mode: proofs verify, use fresh randomness, and are bound
//! to their mode.

use super::tests::{first_epoch, mixed_program};
use super::*;
use sluice_verifier::stark::config::{SluiceConfig, SluiceZkConfig};
use sluice_verifier::stark::proof::decode_proof;
use sluice_verifier::stark::verify_epoch;

const K: u8 = 8;
const IMAGE: Digest = Digest([3; 8]);

/// The mixed program's first epoch, proven twice in ZK mode and once
/// without.
struct Proven {
    statement: EpochStatement,
    zk: [Vec<u8>; 2],
    plain: Vec<u8>,
}

fn proven() -> Proven {
    let (record, tr) = first_epoch(&mixed_program(), K as u32);
    let zk = ProofParams::DEFAULT_ZK;
    let (statement, a) = prove_epoch(&zk, &IMAGE, K, &record, &tr).unwrap();
    let (again, b) = prove_epoch(&zk, &IMAGE, K, &record, &tr).unwrap();
    assert_eq!(statement, again);
    let (_, plain) = prove_epoch(&ProofParams::DEFAULT, &IMAGE, K, &record, &tr).unwrap();
    Proven {
        statement,
        zk: [a, b],
        plain,
    }
}

#[test]
fn zk_proofs_verify_differ_and_are_bound_to_their_mode() {
    let p = proven();
    let zk = ProofParams::DEFAULT_ZK;
    let plain = ProofParams::DEFAULT;
    for proof in &p.zk {
        verify_epoch(&zk, &IMAGE, K, 0, &p.statement, proof).unwrap();
    }
    verify_epoch(&plain, &IMAGE, K, 0, &p.statement, &p.plain).unwrap();

    // Fresh randomness: the two ZK proofs of one epoch share no
    // commitment, and their bytes differ.
    assert_ne!(p.zk[0], p.zk[1]);
    let a = decode_proof::<SluiceZkConfig>(&p.zk[0]).unwrap();
    let b = decode_proof::<SluiceZkConfig>(&p.zk[1]).unwrap();
    let ca = bincode::serde::encode_to_vec(&a.batch.commitments, bincode::config::standard());
    let cb = bincode::serde::encode_to_vec(&b.batch.commitments, bincode::config::standard());
    assert_ne!(
        ca.unwrap(),
        cb.unwrap(),
        "the commitments must be randomized"
    );
    // The committed heights are doubled by the randomized rows.
    let plain_bits = decode_proof::<SluiceConfig>(&p.plain)
        .unwrap()
        .batch
        .degree_bits;
    for (zk_bits, plain_bits) in a.batch.degree_bits.iter().zip(&plain_bits) {
        assert!(*zk_bits > zk.min_log_height());
        assert!(*zk_bits > *plain_bits);
    }

    // Each mode's verifier rejects the other mode's proof, saying why.
    for (params, proof) in [(&plain, &p.zk[0]), (&zk, &p.plain)] {
        let e = verify_epoch(params, &IMAGE, K, 0, &p.statement, proof).unwrap_err();
        assert_eq!(e.check, "proof mode", "{e}");
    }
    // A mode label rewritten to match the other header does not decode as
    // the other mode's proof.
    for (params, proof) in [(&plain, &p.zk[0]), (&zk, &p.plain)] {
        let mut relabelled = proof.clone();
        relabelled[0] ^= 1;
        let e = verify_epoch(params, &IMAGE, K, 0, &p.statement, &relabelled).unwrap_err();
        assert_eq!(e.check, "proof encoding", "{e}");
    }
}

/// Tampering with a ZK proof's bytes anywhere is caught: the salts, the
/// random openings and the masked values are all bound.
#[test]
fn a_tampered_zk_proof_is_rejected() {
    let p = proven();
    let zk = ProofParams::DEFAULT_ZK;
    let proof = &p.zk[0];
    let n = proof.len();
    for at in [1, 17, n / 5, n / 3, n / 2, 2 * n / 3, n - 40, n - 1] {
        let mut bad = proof.clone();
        bad[at] ^= 0x01;
        assert!(
            verify_epoch(&zk, &IMAGE, K, 0, &p.statement, &bad).is_err(),
            "a flipped bit at {at} of {n}"
        );
    }
    // Another index, image, or statement: Fiat–Shamir mismatch.
    assert!(verify_epoch(&zk, &IMAGE, K, 1, &p.statement, proof).is_err());
    assert!(verify_epoch(&zk, &Digest([4; 8]), K, 0, &p.statement, proof).is_err());
    let other = EpochStatement {
        cycles: p.statement.cycles - 1,
        ..p.statement.clone()
    };
    assert!(verify_epoch(&zk, &IMAGE, K, 0, &other, proof).is_err());
}

/// Tables lower than the hiding budget allows (padded only to the non-ZK
/// minimum) never make an accepted ZK proof: Plonky3 refuses to prove them,
/// and the verifier would refuse their shape.
#[test]
fn zk_tables_below_the_hiding_height_are_refused() {
    let (record, tr) = first_epoch(&mixed_program(), K as u32);
    let trace = generate(&record, &tr, &ProofParams::DEFAULT).unwrap();
    let st = statement_for(&record, &tr);
    let zk = ProofParams::DEFAULT_ZK;
    let proved = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        prove_trace(&zk, &IMAGE, K, 0, &st, &trace)
    }));
    if let Ok(Ok(proof)) = proved {
        let e = verify_epoch(&zk, &IMAGE, K, 0, &st, &proof).unwrap_err();
        assert_eq!(e.check, "proof shape", "{e}");
    }
}
