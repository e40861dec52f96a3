//! The preamble and the frame prefix: the only parts of a bundle read
//! before anything is known about it, so they are fixed-size.

use super::{
    FormatError, FORMAT_VERSION, FRAME_PREFIX_LEN, MAGIC, MAX_END_BODY_LEN, MAX_EPOCH_BODY_LEN,
    MAX_HEADER_BODY_LEN, PREAMBLE_LEN,
};

/// What a frame carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RecordKind {
    /// The bundle header; exactly one, first.
    Header = 1,
    /// One epoch: index, statement, proof.
    Epoch = 2,
    /// The end record; exactly one, last.
    End = 3,
}

impl RecordKind {
    /// Parses the kind byte.
    pub fn from_byte(byte: u8) -> Result<Self, FormatError> {
        match byte {
            1 => Ok(RecordKind::Header),
            2 => Ok(RecordKind::Epoch),
            3 => Ok(RecordKind::End),
            other => Err(FormatError::UnknownRecordKind(other)),
        }
    }

    /// Largest body a frame of this kind may declare.
    pub fn max_body_len(self) -> u32 {
        match self {
            RecordKind::Header => MAX_HEADER_BODY_LEN,
            RecordKind::Epoch => MAX_EPOCH_BODY_LEN,
            RecordKind::End => MAX_END_BODY_LEN,
        }
    }

    /// Name used in error messages.
    pub fn name(self) -> &'static str {
        match self {
            RecordKind::Header => "header",
            RecordKind::Epoch => "epoch",
            RecordKind::End => "end",
        }
    }
}

/// The 12-byte preamble.
pub fn encode_preamble() -> [u8; PREAMBLE_LEN] {
    let mut out = [0u8; PREAMBLE_LEN];
    out[..8].copy_from_slice(&MAGIC);
    out[8..].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    out
}

/// Checks the preamble: magic, then format version.
pub fn check_preamble(bytes: &[u8; PREAMBLE_LEN]) -> Result<(), FormatError> {
    let mut found = [0u8; 8];
    found.copy_from_slice(&bytes[..8]);
    if found != MAGIC {
        return Err(FormatError::BadMagic { found });
    }
    let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    if version != FORMAT_VERSION {
        return Err(FormatError::UnsupportedFormatVersion {
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    Ok(())
}

/// A frame prefix for a body of `body_len` bytes.
pub fn encode_frame_prefix(kind: RecordKind, body_len: u32) -> [u8; FRAME_PREFIX_LEN] {
    let mut out = [0u8; FRAME_PREFIX_LEN];
    out[0] = kind as u8;
    out[1..].copy_from_slice(&body_len.to_le_bytes());
    out
}

/// Parses a frame prefix and enforces the kind's length bound, so a reader
/// never allocates for a length it would reject.
pub fn decode_frame_prefix(
    bytes: &[u8; FRAME_PREFIX_LEN],
) -> Result<(RecordKind, u32), FormatError> {
    let kind = RecordKind::from_byte(bytes[0])?;
    let len = u32::from_le_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]);
    if len > kind.max_body_len() {
        return Err(FormatError::TooLong {
            what: match kind {
                RecordKind::Header => "header record",
                RecordKind::Epoch => "epoch record",
                RecordKind::End => "end record",
            },
            len: len.into(),
            max: kind.max_body_len().into(),
        });
    }
    Ok((kind, len))
}
