//! End-to-end prove/verify tests of single epochs, and negative tests.

use super::*;
use crate::executor::{Config, Executor, Program};
use sluice_verifier::stark::verify_epoch;

const BASE: u32 = 0x1_0000;

/// `lui x1, 0x12345; beq x0, x0, -4` forever.
fn lui_loop() -> Vec<u32> {
    vec![0x1234_50b7, 0xfe00_0ee3]
}

pub(crate) fn first_epoch(words: &[u32], k: u32) -> EpochRecord {
    let p = Program::from_words(BASE, words).unwrap();
    let cfg = Config {
        epoch_size_log2: k,
        max_cycles: 1 << 24,
    };
    let mut ex = Executor::new(&p, vec![], &cfg).unwrap();
    ex.run_epoch().unwrap().unwrap()
}

fn digests() -> (Digest, Digest) {
    (Digest([1; 8]), Digest([2; 8]))
}

#[test]
fn a_branch_loop_epoch_proves_and_verifies() {
    let record = first_epoch(&lui_loop(), 8);
    assert_eq!(record.cycles, 256);
    let (s, e) = digests();
    let params = ProofParams::DEFAULT;
    let image = Digest([3; 8]);
    let trace = generate(&record).unwrap();
    let st = statement_for(&record, digests().0, digests().1);
    assert_eq!(constraint_failures(&st, &trace), vec![]);
    let (statement, proof) = prove_epoch(&params, &image, 8, &record, s, e).unwrap();
    assert_eq!(statement.role, EpochRole::Continue);
    verify_epoch(&params, &image, 8, 0, &statement, &proof).unwrap();
    // Another index, image, or epoch size: Fiat–Shamir mismatch.
    assert!(verify_epoch(&params, &image, 8, 1, &statement, &proof).is_err());
    assert!(verify_epoch(&params, &Digest([4; 8]), 8, 0, &statement, &proof).is_err());
}
