//! The end record: the totals the verifier must have counted itself, and the
//! checksum of every byte before it.

use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::{decode_canonical, encode_frame_prefix, encode_into, FormatError, RecordKind};

/// The decoded end record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleEnd {
    /// Number of epoch records.
    pub epochs: u64,
    /// Sum of the epochs' cycle counts.
    pub cycles: u64,
    /// Sum of the epochs' output lengths.
    pub output_len: u64,
    /// SHA-256 of every byte of the bundle before this record's frame
    /// prefix ([`super::StreamHasher`]).
    pub stream_sha256: [u8; 32],
}

/// The whole end frame: prefix and body.
pub fn encode_end(end: &BundleEnd) -> Vec<u8> {
    let mut body = Vec::new();
    encode_into(end, &mut body);
    let mut out = Vec::with_capacity(body.len() + 5);
    out.extend_from_slice(&encode_frame_prefix(RecordKind::End, body.len() as u32));
    out.extend_from_slice(&body);
    out
}

/// Decodes an end body (the bytes after the frame prefix).
pub fn decode_end_body(body: &[u8]) -> Result<BundleEnd, FormatError> {
    decode_canonical(body, "end record")
}
