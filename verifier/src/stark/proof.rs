//! The wire form of one epoch proof, and how untrusted bytes become one.
//!
//! An epoch proof is an [`EpochProof`] (a `p3-batch-stark` [`BatchProof`]
//! and the epoch's start/end pc and memory roots) serialized with serde and
//! bincode 2 (standard configuration: little-endian, varint integers).
//! Decoding runs under a byte limit, so a length prefix inside hostile bytes
//! can never make the decoder allocate more than [`MAX_PROOF_BYTES`]; it must
//! also consume every byte (trailing bytes are rejected, so a proof has one
//! encoding).
//!
//! The first byte is the proof's mode (0: plain, 1: zero-knowledge). The
//! verifier reads it before anything else, so a proof presented under the
//! other mode's header fails with a message that says so instead of a
//! decoding error deep inside the batch proof. The byte is only a label:
//! the mode the verifier checks is the header's, bound into the transcript.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use p3_batch_stark::BatchProof;

use super::config::{EpochProofConfig, EpochStarkConfig};

/// Largest encoded epoch proof accepted, in bytes.
pub const MAX_PROOF_BYTES: usize = 32 << 20;

/// One epoch's proof: the batch proof plus the pcs and memory roots it
/// starts and ends at.
///
/// The verifier checks `state_digest(start_pc, start_root) ==
/// statement.start` (and the same for the end), and feeds the pcs to the CPU
/// table as public values and the roots to the Merkle table, so both are
/// bound to the statement: the Merkle table proves every touched page's
/// initial contents under `start_root` and derives `end_root` from their
/// final contents (`docs/proof-system.md`).
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(bound = "")]
pub struct EpochProof<SC: EpochProofConfig> {
    /// The mode label (see the module documentation).
    pub zk: bool,
    /// The tables the batch holds, in batch order; the verifier checks the
    /// set ([`crate::air::TableSet::check`]) before anything else.
    pub tables: crate::air::TableSet,
    pub start_pc: u32,
    pub end_pc: u32,
    pub start_root: crate::digest::Digest,
    pub end_root: crate::digest::Digest,
    pub batch: BatchProof<SC>,
}

/// Why a proof was rejected: a short static name of the failed check plus a
/// human-readable detail. Mirrors the stream's `ProofRejected`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub check: &'static str,
    pub detail: String,
}

impl Rejection {
    pub fn new(check: &'static str, detail: impl Into<String>) -> Self {
        Self {
            check,
            detail: detail.into(),
        }
    }
}

impl core::fmt::Display for Rejection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}: {}", self.check, self.detail)
    }
}

fn bincode_config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<MAX_PROOF_BYTES>()
}

/// Serializes a proof.
pub fn encode_proof<SC: EpochProofConfig>(proof: &EpochProof<SC>) -> Vec<u8> {
    // Encoding an in-memory proof into a Vec cannot fail except by exceeding
    // the limit, which a proof of a supported epoch size never does.
    bincode::serde::encode_to_vec(proof, bincode_config())
        .expect("an epoch proof always fits the encoding limit")
}

/// The name of a mode, for messages.
pub fn mode_name(zk: bool) -> &'static str {
    if zk {
        "zero-knowledge"
    } else {
        "non-zero-knowledge"
    }
}

/// Parses untrusted bytes into a proof of `SC`'s mode; never panics or
/// over-allocates.
pub fn decode_proof<SC: EpochStarkConfig>(bytes: &[u8]) -> Result<EpochProof<SC>, Rejection> {
    if bytes.len() > MAX_PROOF_BYTES {
        return Err(Rejection::new(
            "proof size",
            format!(
                "{} bytes exceeds the {MAX_PROOF_BYTES}-byte limit",
                bytes.len()
            ),
        ));
    }
    match bytes.first() {
        Some(&b) if b == u8::from(SC::ZK) => {}
        Some(&b) if b == u8::from(!SC::ZK) => {
            return Err(Rejection::new(
                "proof mode",
                format!(
                    "a {} proof in a bundle whose header says {}; the header's zk flag and the proofs disagree",
                    mode_name(!SC::ZK),
                    mode_name(SC::ZK)
                ),
            ))
        }
        _ => {
            return Err(Rejection::new(
                "proof encoding",
                "the proof does not start with a mode byte (0 or 1)",
            ))
        }
    }
    let (proof, used): (EpochProof<SC>, usize) =
        bincode::serde::decode_from_slice(bytes, bincode_config())
            .map_err(|e| Rejection::new("proof encoding", format!("{e}")))?;
    if used != bytes.len() {
        return Err(Rejection::new(
            "proof encoding",
            format!("{} trailing bytes after the proof", bytes.len() - used),
        ));
    }
    Ok(proof)
}
