//! Why bytes are not a well-formed bundle (as opposed to a well-formed
//! bundle whose claims are false, which `crate::stream` reports).

use alloc::string::String;

use crate::digest::DigestError;

/// A violation of the byte format of `docs/bundle-format.md`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    #[error("bad magic: not a Sluice bundle (first 8 bytes are {found:02x?})")]
    BadMagic { found: [u8; 8] },
    #[error("unsupported bundle format version {found} (this verifier reads version {supported})")]
    UnsupportedFormatVersion { found: u32, supported: u32 },
    #[error("unknown record kind {0:#04x}")]
    UnknownRecordKind(u8),
    #[error("{found} record where {expected} was expected")]
    UnexpectedRecord {
        found: &'static str,
        expected: &'static str,
    },
    #[error("{what} declares {len} bytes; the limit is {max}")]
    TooLong {
        what: &'static str,
        len: u64,
        max: u64,
    },
    #[error("{what} declares {declared} bytes but its contents take {actual}")]
    LengthMismatch {
        what: &'static str,
        declared: u64,
        actual: u64,
    },
    #[error("{what} is malformed: {detail}")]
    Malformed { what: &'static str, detail: String },
    #[error("{what} is not canonically encoded (an over-long integer)")]
    NonCanonicalEncoding { what: &'static str },
    #[error("{what}: {source}")]
    BadDigest {
        what: &'static str,
        source: DigestError,
    },
}
