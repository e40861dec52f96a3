//! Zero-knowledge mode: proofs verify, use fresh randomness, and are bound
//! to their mode.

use super::tests::{first_epoch, mixed_program};
use super::*;
use p3_field::PrimeCharacteristicRing;
use sluice_verifier::air::TableSet;
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
    // The committed heights are doubled by the randomized rows (tables
    // matched by index: the ZK proof keeps the unused ones).
    let plain_proof = decode_proof::<SluiceConfig>(&p.plain).unwrap();
    let by_table = |set: TableSet, bits: &[usize]| -> Vec<(usize, usize)> {
        set.select(0..32)
            .into_iter()
            .zip(bits.iter().copied())
            .collect()
    };
    let zk_bits = by_table(a.tables, &a.batch.degree_bits);
    let plain_bits = by_table(plain_proof.tables, &plain_proof.batch.degree_bits);
    assert!(zk_bits.len() > plain_bits.len());
    for &(_, bits) in &zk_bits {
        assert!(bits > zk.min_log_height());
    }
    for (table, bits) in plain_bits {
        let (_, zk) = zk_bits.iter().find(|(t, _)| *t == table).unwrap();
        assert!(*zk > bits);
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

/// Proves `traces` (already blinded, possibly tampered) in ZK mode and
/// verifies the proof; `Err` carries the verifier's check name.
fn prove_blinded(
    st: &EpochStatement,
    trace: &EpochTrace,
    traces: &[RowMajorMatrix<Val>],
) -> Result<(), &'static str> {
    let traces: Vec<&RowMajorMatrix<Val>> = traces.iter().collect();
    let zk = ProofParams::DEFAULT_ZK;
    let ctx = EpochContext {
        params: zk,
        image_id: IMAGE,
        epoch_size_log2: K,
        index: 0,
        statement: st,
    };
    let airs = trace.tables.select(epoch_airs(&st.output, &zk));
    let proof = prove_zk(&ctx, &airs, trace, &traces, os_rng().unwrap()).unwrap();
    verify_epoch(&zk, &IMAGE, K, 0, st, &proof).map_err(|e| e.check)
}

/// The blinding ring is checked like any bus: a table receiving a message
/// nobody sent, or a selector that is not boolean, is rejected by the
/// verifier. Leaving the ring empty (no table blinds) is allowed: it only
/// gives up the prover's own privacy.
#[test]
fn the_blinding_ring_is_checked_by_the_verifier() {
    use sluice_verifier::air::blind::{BLIND_WIDTH, IN, SEL};
    let (record, tr) = first_epoch(&mixed_program(), K as u32);
    let zk = ProofParams::DEFAULT_ZK;
    let trace = generate(&record, &tr, &zk).unwrap();
    let st = statement_for(&record, &tr);
    let honest = blind(&trace.tables.select(&trace.traces), &mut os_rng().unwrap());
    assert_eq!(prove_blinded(&st, &trace, &honest), Ok(()));

    let base = |t: &RowMajorMatrix<Val>| t.width - BLIND_WIDTH;
    let mut unbalanced = honest.clone();
    let t = &mut unbalanced[3];
    let at = base(t) + IN;
    t.values[at] += Val::ONE;
    assert_eq!(prove_blinded(&st, &trace, &unbalanced), Err("stark"));

    // Every table sends and receives twice: the ring still balances, so
    // only the boolean constraint on the selector rejects.
    let mut doubled = honest.clone();
    for t in &mut doubled {
        let at = base(t) + SEL;
        t.values[at] = Val::TWO;
    }
    assert!(!table_fails(&zk, trace.tables, &st, &unbalanced, 5));
    assert!(table_fails(&zk, trace.tables, &st, &doubled, 5));
    assert_eq!(prove_blinded(&st, &trace, &doubled), Err("stark"));

    let mut unblinded = honest;
    for t in &mut unblinded {
        let (w, b) = (t.width, base(t));
        for row in t.values.chunks_exact_mut(w) {
            row[b..].fill(Val::ZERO);
        }
    }
    assert_eq!(prove_blinded(&st, &trace, &unblinded), Ok(()));
}

/// Whether table `i` of `tables` (one without public values) of already
/// blinded traces violates a constraint of its own.
fn table_fails(
    params: &ProofParams,
    tables: TableSet,
    st: &EpochStatement,
    traces: &[RowMajorMatrix<Val>],
    i: usize,
) -> bool {
    let air = &tables.select(epoch_airs(&st.output, params))[i];
    assert_eq!(p3_air::BaseAir::<Val>::num_public_values(air), 0);
    !p3_air::check_all_constraints(air, &traces[i], &[], Some(1))
        .failures
        .is_empty()
}
