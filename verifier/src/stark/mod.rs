//! The per-epoch STARK: configuration, transcript seeding, proof wire form
//! and verification.
//!
//! One epoch proof is a single `p3-batch-stark` batch proof over the tables
//! of [`crate::air`], linked by LogUp buses (`p3-lookup`). See
//! `docs/proof-system.md` for the tables, buses, parameters and known gaps.

pub mod challenger;
pub mod common_cache;
pub mod config;
pub mod constraint_dag;
pub mod lookups;
pub mod ood_folder;
pub mod proof;
pub mod shipped;
pub mod transcript;
pub mod verify;

pub use proof::{decode_proof, encode_proof, EpochProof, Rejection};
pub use verify::verify_epoch;

use crate::statement::EpochStatement;
use crate::stream::{ChainContext, EpochProofVerifier, ProofRejected};

/// The STARK implementation of the stream's [`EpochProofVerifier`] seam.
#[derive(Clone, Copy, Debug, Default)]
pub struct StarkEpochVerifier;

impl EpochProofVerifier for StarkEpochVerifier {
    fn verify_epoch(
        &self,
        ctx: &ChainContext,
        index: u64,
        statement: &EpochStatement,
        proof: &[u8],
    ) -> Result<(), ProofRejected> {
        if ctx.protocol_version != crate::PROTOCOL_VERSION {
            return Err(ProofRejected::new(
                "protocol version",
                alloc::format!(
                    "bundle uses protocol {}, this verifier {}",
                    ctx.protocol_version,
                    crate::PROTOCOL_VERSION
                ),
            ));
        }
        verify::verify_epoch(
            &ctx.params,
            &ctx.image_id,
            ctx.epoch_size_log2,
            index,
            statement,
            proof,
        )
        .map_err(|r| ProofRejected::new(r.check, r.detail))
    }
}
