//! TEST ONLY: a stand-in epoch proof system, so that the stream, the bindings,
//! `verify.js` and the browser page can be tested end to end before the STARK
//! verifier exists. Compiled only under `cfg(test)` or the `test-double`
//! feature, which the shipped build never enables.
//!
//! A "proof" is SHA-256 over a domain tag, everything the STARK transcript is
//! seeded with (protocol version, proof parameters, image ID, epoch size), the
//! epoch index and the epoch's statement. It proves nothing about execution,
//! but it is bound to its position and statement the way a real proof is, so
//! tampering with any byte of a record, moving a record to another index or
//! another run, or changing its role is rejected — which is what the
//! stream-level tests need to observe.

use alloc::vec::Vec;

use sha2::{Digest as _, Sha256};
use sluice_verifier::statement::{EpochRole, EpochStatement};
use sluice_verifier::stream::{ChainContext, EpochProofVerifier, ProofRejected};

/// Domain separation: no other SHA-256 in Sluice hashes this prefix.
const DOMAIN: &[u8] = b"sluice/test-double-epoch-proof/v1";

/// The test-double proof of `statement` at `index` under `ctx`: the 32-byte
/// tag (see [`tag`]).
pub fn prove(ctx: &ChainContext, index: u64, statement: &EpochStatement) -> Vec<u8> {
    tag(ctx, index, statement).to_vec()
}

/// A test-double proof of `len` bytes (at least 32): the tag repeated, so
/// that benchmarks can stream proofs of a realistic size and every byte of
/// them is still checked.
pub fn prove_sized(
    ctx: &ChainContext,
    index: u64,
    statement: &EpochStatement,
    len: usize,
) -> Vec<u8> {
    let tag = tag(ctx, index, statement);
    (0..len.max(TAG_LEN)).map(|i| tag[i % TAG_LEN]).collect()
}

/// Length of the tag a test-double proof repeats.
pub const TAG_LEN: usize = 32;

/// SHA-256 over the domain, the context, the index and the statement.
pub fn tag(ctx: &ChainContext, index: u64, statement: &EpochStatement) -> [u8; TAG_LEN] {
    let mut h = Sha256::new();
    h.update(DOMAIN);
    h.update(ctx.protocol_version.to_le_bytes());
    let p = &ctx.params;
    h.update([
        p.log_blowup,
        p.num_queries,
        p.query_pow_bits,
        p.commit_pow_bits,
        p.log_final_poly_len,
        p.max_log_arity,
    ]);
    h.update(ctx.image_id.to_bytes());
    h.update([ctx.epoch_size_log2]);
    h.update(index.to_le_bytes());
    h.update(statement.start.to_bytes());
    h.update(statement.end.to_bytes());
    h.update(statement.cycles.to_le_bytes());
    match statement.role {
        EpochRole::Continue => h.update([0u8]),
        EpochRole::Halt { exit_code } => {
            h.update([1u8]);
            h.update(exit_code.to_le_bytes());
        }
    }
    h.update((statement.output.len() as u64).to_le_bytes());
    h.update(&statement.output);
    h.finalize().into()
}

/// Accepts exactly the proofs [`prove`] and [`prove_sized`] make: at least
/// 32 bytes, every byte equal to the tag repeated.
#[derive(Clone, Copy, Debug, Default)]
pub struct HashProofVerifier;

impl EpochProofVerifier for HashProofVerifier {
    fn verify_epoch(
        &self,
        ctx: &ChainContext,
        index: u64,
        statement: &EpochStatement,
        proof: &[u8],
    ) -> Result<(), ProofRejected> {
        let tag = tag(ctx, index, statement);
        let matches = proof.len() >= TAG_LEN && proof.chunks(TAG_LEN).all(|c| c == &tag[..c.len()]);
        if matches {
            Ok(())
        } else {
            Err(ProofRejected {
                check: "test-double-proof",
                detail: alloc::format!(
                    "the {}-byte proof is not the test-double hash of this epoch's context and statement",
                    proof.len()
                ),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_verifier::digest::Digest;
    use sluice_verifier::params::ProofParams;

    fn ctx() -> ChainContext {
        ChainContext {
            protocol_version: sluice_verifier::PROTOCOL_VERSION,
            params: ProofParams::DEFAULT,
            image_id: Digest([1, 2, 3, 4, 5, 6, 7, 8]),
            epoch_size_log2: 4,
        }
    }

    fn statement() -> EpochStatement {
        EpochStatement {
            start: Digest([9; 8]),
            end: Digest([10; 8]),
            cycles: 16,
            role: EpochRole::Continue,
            output: b"out".to_vec(),
        }
    }

    #[test]
    fn accepts_its_own_proof_only_in_place() {
        let (c, s) = (ctx(), statement());
        let proof = prove(&c, 3, &s);
        assert_eq!(HashProofVerifier.verify_epoch(&c, 3, &s, &proof), Ok(()));

        let reject = |c: &ChainContext, i: u64, s: &EpochStatement, p: &[u8]| {
            let e = HashProofVerifier.verify_epoch(c, i, s, p).unwrap_err();
            assert_eq!(e.check, "test-double-proof");
        };
        reject(&c, 4, &s, &proof);
        let mut flipped = proof.clone();
        flipped[7] ^= 1;
        reject(&c, 3, &s, &flipped);
        reject(&c, 3, &s, &proof[..31]);
        let long = prove_sized(&c, 3, &s, 1000);
        assert_eq!(long.len(), 1000);
        assert_eq!(HashProofVerifier.verify_epoch(&c, 3, &s, &long), Ok(()));
        let mut long_flipped = long.clone();
        long_flipped[999] ^= 0x40;
        reject(&c, 3, &s, &long_flipped);
        reject(
            &ChainContext {
                image_id: Digest([1; 8]),
                ..c
            },
            3,
            &s,
            &proof,
        );
        reject(
            &ChainContext {
                epoch_size_log2: 5,
                ..c
            },
            3,
            &s,
            &proof,
        );
        reject(
            &c,
            3,
            &EpochStatement {
                role: EpochRole::Halt { exit_code: 0 },
                ..s.clone()
            },
            &proof,
        );
        reject(
            &c,
            3,
            &EpochStatement {
                output: b"ouT".to_vec(),
                ..s.clone()
            },
            &proof,
        );
        reject(&c, 3, &EpochStatement { cycles: 15, ..s }, &proof);
    }
}
