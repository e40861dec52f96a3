//! The epoch record: index, public statement, proof.
//!
//! ```text
//! body = index (u64 LE)  statement_len (u32 LE)  statement (bincode)
//!        proof_len (u32 LE)  proof (proof_len bytes)
//! ```
//!
//! The two lengths are fixed-width so that both are bounded before the
//! statement is decoded and the proof is never copied.

use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::{
    decode_canonical, encode_frame_prefix, encode_into, encoded_len, FormatError, RecordKind,
    EPOCH_BODY_FIXED_LEN, MAX_OUTPUT_BYTES, MAX_PROOF_LEN, MAX_STATEMENT_LEN,
};
use crate::digest::Digest;
use crate::statement::{EpochRole, EpochStatement};

/// A decoded epoch record; the proof borrows from the record's bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EpochEntry<'a> {
    pub index: u64,
    pub statement: EpochStatement,
    pub proof: &'a [u8],
}

/// Field order and types are the wire format (see `docs/bundle-format.md`).
#[derive(Serialize, Deserialize)]
struct WireStatement<'a> {
    start: [u8; 32],
    end: [u8; 32],
    cycles: u64,
    role: EpochRole,
    #[serde(borrow)]
    output: &'a [u8],
}

/// Body length of an epoch record with these parts, if it fits a `u32`.
pub fn epoch_body_len(statement_len: usize, proof_len: usize) -> Option<u32> {
    let total = (EPOCH_BODY_FIXED_LEN as u64)
        .checked_add(statement_len as u64)?
        .checked_add(proof_len as u64)?;
    u32::try_from(total).ok()
}

/// Everything of an epoch frame up to (excluding) the proof bytes: frame
/// prefix, index, statement length, statement, proof length. Writing these
/// bytes followed by the `proof_len` proof bytes gives the whole frame, so a
/// writer never copies the proof.
pub fn encode_epoch_prefix(
    index: u64,
    statement: &EpochStatement,
    proof_len: usize,
) -> Result<Vec<u8>, FormatError> {
    if statement.output.len() > MAX_OUTPUT_BYTES as usize {
        return Err(FormatError::TooLong {
            what: "epoch output",
            len: statement.output.len() as u64,
            max: MAX_OUTPUT_BYTES.into(),
        });
    }
    if proof_len > MAX_PROOF_LEN as usize {
        return Err(FormatError::TooLong {
            what: "epoch proof",
            len: proof_len as u64,
            max: MAX_PROOF_LEN.into(),
        });
    }
    let wire = WireStatement {
        start: statement.start.to_bytes(),
        end: statement.end.to_bytes(),
        cycles: statement.cycles,
        role: statement.role,
        output: &statement.output,
    };
    let statement_len = encoded_len(&wire).ok_or(FormatError::Malformed {
        what: "epoch statement",
        detail: "cannot be encoded".into(),
    })?;
    // Both bounds above make this fit (and stay under MAX_EPOCH_BODY_LEN).
    let body_len = epoch_body_len(statement_len, proof_len).ok_or(FormatError::TooLong {
        what: "epoch record",
        len: u64::MAX,
        max: u32::MAX.into(),
    })?;
    let mut out = Vec::with_capacity(5 + 12 + statement_len + 4);
    out.extend_from_slice(&encode_frame_prefix(RecordKind::Epoch, body_len));
    out.extend_from_slice(&index.to_le_bytes());
    out.extend_from_slice(&(statement_len as u32).to_le_bytes());
    encode_into(&wire, &mut out);
    out.extend_from_slice(&(proof_len as u32).to_le_bytes());
    Ok(out)
}

fn read_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// Decodes an epoch body (the bytes after the frame prefix).
pub fn decode_epoch_body(body: &[u8]) -> Result<EpochEntry<'_>, FormatError> {
    let fixed = EPOCH_BODY_FIXED_LEN as usize;
    if body.len() < fixed {
        return Err(FormatError::LengthMismatch {
            what: "epoch record",
            declared: body.len() as u64,
            actual: fixed as u64,
        });
    }
    let mut index_bytes = [0u8; 8];
    index_bytes.copy_from_slice(&body[..8]);
    let index = u64::from_le_bytes(index_bytes);
    let statement_len = read_u32(body, 8);
    if statement_len > MAX_STATEMENT_LEN {
        return Err(FormatError::TooLong {
            what: "epoch statement",
            len: statement_len.into(),
            max: MAX_STATEMENT_LEN.into(),
        });
    }
    let statement_len = statement_len as usize;
    // 12 + statement_len + 4 <= body.len(), without overflow.
    if statement_len > body.len() - fixed {
        return Err(FormatError::LengthMismatch {
            what: "epoch record",
            declared: body.len() as u64,
            actual: (fixed + statement_len) as u64,
        });
    }
    let statement_bytes = &body[12..12 + statement_len];
    let proof_len = read_u32(body, 12 + statement_len);
    if proof_len > MAX_PROOF_LEN {
        return Err(FormatError::TooLong {
            what: "epoch proof",
            len: proof_len.into(),
            max: MAX_PROOF_LEN.into(),
        });
    }
    let proof_start = fixed + statement_len;
    if body.len() - proof_start != proof_len as usize {
        return Err(FormatError::LengthMismatch {
            what: "epoch record",
            declared: body.len() as u64,
            actual: (proof_start as u64) + u64::from(proof_len),
        });
    }
    let wire: WireStatement<'_> = decode_canonical(statement_bytes, "epoch statement")?;
    if wire.output.len() > MAX_OUTPUT_BYTES as usize {
        return Err(FormatError::TooLong {
            what: "epoch output",
            len: wire.output.len() as u64,
            max: MAX_OUTPUT_BYTES.into(),
        });
    }
    let start = Digest::from_bytes(&wire.start).map_err(|source| FormatError::BadDigest {
        what: "statement start digest",
        source,
    })?;
    let end = Digest::from_bytes(&wire.end).map_err(|source| FormatError::BadDigest {
        what: "statement end digest",
        source,
    })?;
    Ok(EpochEntry {
        index,
        statement: EpochStatement {
            start,
            end,
            cycles: wire.cycles,
            role: wire.role,
            output: wire.output.to_vec(),
        },
        proof: &body[proof_start..],
    })
}
