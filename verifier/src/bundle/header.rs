//! The header record: what every epoch of the bundle shares.

use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::{decode_canonical, encode_frame_prefix, encode_into, FormatError, RecordKind};
use crate::digest::Digest;
use crate::params::ProofParams;

/// The decoded header. Decoding checks the format only (lengths, canonical
/// encoding, canonical digest); whether the values are acceptable (protocol
/// version, security, epoch size, expected image ID) is the stream
/// verifier's decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BundleHeader {
    pub protocol_version: u32,
    pub params: ProofParams,
    pub image_id: Digest,
    pub epoch_size_log2: u8,
}

/// Field order and types are the wire format (see `docs/bundle-format.md`).
#[derive(Serialize, Deserialize)]
struct WireHeader {
    protocol_version: u32,
    params: ProofParams,
    image_id: [u8; 32],
    epoch_size_log2: u8,
}

/// The whole header frame: prefix and body.
pub fn encode_header(header: &BundleHeader) -> Vec<u8> {
    let wire = WireHeader {
        protocol_version: header.protocol_version,
        params: header.params,
        image_id: header.image_id.to_bytes(),
        epoch_size_log2: header.epoch_size_log2,
    };
    let mut body = Vec::new();
    encode_into(&wire, &mut body);
    let mut out = Vec::with_capacity(body.len() + 5);
    out.extend_from_slice(&encode_frame_prefix(RecordKind::Header, body.len() as u32));
    out.extend_from_slice(&body);
    out
}

/// Decodes a header body (the bytes after the frame prefix).
pub fn decode_header_body(body: &[u8]) -> Result<BundleHeader, FormatError> {
    let wire: WireHeader = decode_canonical(body, "header")?;
    let image_id = Digest::from_bytes(&wire.image_id).map_err(|source| FormatError::BadDigest {
        what: "header image ID",
        source,
    })?;
    Ok(BundleHeader {
        protocol_version: wire.protocol_version,
        params: wire.params,
        image_id,
        epoch_size_log2: wire.epoch_size_log2,
    })
}
