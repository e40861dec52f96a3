//! The STARK as the stream's [`EpochProofVerifier`].
//!
//! An epoch's proof bytes on the stream are its *envelope*:
//!
//! ```text
//! start_root (32 bytes) | end_root (32 bytes) | STARK proof (decode_proof)
//! ```
//!
//! The statement names state digests `H(pc, root)`; the STARK proof carries
//! the start and end pc its CPU table is bound to. The envelope supplies the
//! two memory roots so the verifier can recompute both digests and refuse a
//! proof whose pc or roots do not hash to the statement. (Binding the roots to
//! the memory the epoch actually read and wrote happens in-circuit by paging;
//! `docs/proof-system.md` says how far that binding goes today.)

use alloc::format;

use crate::digest::Digest;
use crate::memory::state_digest;
use crate::statement::EpochStatement;
use crate::stream::{ChainContext, EpochProofVerifier, ProofRejected};
use crate::PROTOCOL_VERSION;

use super::proof::{decode_proof, Rejection};
use super::transcript::EpochContext;
use super::verify::{check_statement, epoch_config, verify_decoded};

/// Bytes before the STARK proof in an envelope: the two memory roots.
pub const ENVELOPE_HEADER_BYTES: usize = 64;

/// Verifies epoch proofs with the Sluice STARK.
#[derive(Clone, Copy, Debug, Default)]
pub struct StarkEpochVerifier;

fn rejected(r: Rejection) -> ProofRejected {
    ProofRejected::new(r.check, r.detail)
}

/// Splits an envelope into its roots and the STARK proof bytes.
pub fn open_envelope(bytes: &[u8]) -> Result<(Digest, Digest, &[u8]), ProofRejected> {
    if bytes.len() < ENVELOPE_HEADER_BYTES {
        return Err(ProofRejected::new(
            "proof envelope",
            format!("{} bytes, shorter than the two memory roots", bytes.len()),
        ));
    }
    let root = |range: core::ops::Range<usize>| {
        Digest::from_bytes(&bytes[range])
            .map_err(|e| ProofRejected::new("proof envelope", format!("memory root: {e}")))
    };
    Ok((root(0..32)?, root(32..64)?, &bytes[ENVELOPE_HEADER_BYTES..]))
}

/// Builds an envelope (the prover's side of [`open_envelope`]).
pub fn seal_envelope(
    start_root: &Digest,
    end_root: &Digest,
    stark_proof: &[u8],
) -> alloc::vec::Vec<u8> {
    let mut out = alloc::vec::Vec::with_capacity(ENVELOPE_HEADER_BYTES + stark_proof.len());
    out.extend_from_slice(&start_root.to_bytes());
    out.extend_from_slice(&end_root.to_bytes());
    out.extend_from_slice(stark_proof);
    out
}

impl EpochProofVerifier for StarkEpochVerifier {
    fn verify_epoch(
        &self,
        ctx: &ChainContext,
        index: u64,
        statement: &EpochStatement,
        proof: &[u8],
    ) -> Result<(), ProofRejected> {
        // Protects against a proof made under other AIRs or hashing.
        if ctx.protocol_version != PROTOCOL_VERSION {
            return Err(ProofRejected::new(
                "protocol version",
                format!(
                    "bundle uses protocol {}, this verifier speaks {PROTOCOL_VERSION}",
                    ctx.protocol_version
                ),
            ));
        }
        // Protects the cycle count and role against the epoch size.
        check_statement(ctx.epoch_size_log2, statement).map_err(rejected)?;
        let (start_root, end_root, stark_bytes) = open_envelope(proof)?;
        let stark = decode_proof(stark_bytes).map_err(rejected)?;
        // Protects the chain: the proven pcs and the claimed roots must hash to
        // the statement's state digests.
        if state_digest(stark.start_pc, &start_root) != statement.start {
            return Err(ProofRejected::new(
                "start state",
                format!(
                    "H(pc {:#x}, start root) is not the statement's start digest",
                    stark.start_pc
                ),
            ));
        }
        if state_digest(stark.end_pc, &end_root) != statement.end {
            return Err(ProofRejected::new(
                "end state",
                format!(
                    "H(pc {:#x}, end root) is not the statement's end digest",
                    stark.end_pc
                ),
            ));
        }
        // Protects against replay: the transcript is seeded with the version,
        // parameters, image ID, index and statement.
        let seed = EpochContext {
            params: ctx.params,
            image_id: ctx.image_id,
            epoch_size_log2: ctx.epoch_size_log2,
            index,
            statement,
        };
        let config = epoch_config(&seed).map_err(rejected)?;
        verify_decoded(&config, ctx.epoch_size_log2, statement, &stark).map_err(rejected)
    }
}
