//! Why a bundle was rejected: which epoch, which check.

use core::fmt;

use super::ProofRejected;
use crate::bundle::FormatError;
use crate::digest::Digest;

/// A rejection. `epoch` is the position in the chain the failing record
/// holds (or would have held) — `None` for the preamble, header and end
/// record — and `offset` is the byte offset in the stream of the start of
/// the record (or preamble) being read when the check failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyError {
    pub epoch: Option<u64>,
    pub offset: u64,
    pub kind: VerifyErrorKind,
}

impl VerifyError {
    /// Short stable name of the failed check (see [`VerifyErrorKind::check`]).
    pub fn check(&self) -> &'static str {
        self.kind.check()
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.epoch {
            Some(epoch) => write!(
                f,
                "epoch {epoch}: {} check failed: {} (record at byte {})",
                self.kind.check(),
                self.kind,
                self.offset
            ),
            None => write!(
                f,
                "bundle: {} check failed: {} (at byte {})",
                self.kind.check(),
                self.kind,
                self.offset
            ),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for VerifyError {}

/// The check that failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyErrorKind {
    /// The bytes are not a well-formed bundle.
    #[error("{0}")]
    Format(FormatError),
    #[error("bundle made for protocol version {found}; this verifier speaks version {expected}")]
    ProtocolVersion { found: u32, expected: u32 },
    #[error("proof parameters give {bits} bits of conjectured security; at least {min} required")]
    InsecureParams { bits: u32, min: u32 },
    /// Parameters outside what the protocol supports (checked at the
    /// header, before any epoch is read).
    #[error("proof parameters are not supported: {0}")]
    InvalidParams(crate::params::ParamsError),
    #[error("epoch_size_log2 is {found}; must be within {min}..={max}")]
    EpochSizeOutOfRange { found: u8, min: u8, max: u8 },
    #[error("bundle proves image ID {found}, but {expected} was expected")]
    ImageIdMismatch { expected: Digest, found: Digest },
    #[error("record carries epoch index {found}, but epoch {expected} comes next")]
    WrongIndex { expected: u64, found: u64 },
    #[error("statement starts at state {found}, but the chain is at {expected}")]
    ChainBreak { expected: Digest, found: Digest },
    #[error(
        "an epoch runs 1..={max} cycles (fewer than 2^k when the executor ended it early to \
         fit its tables, or when it halts); this one claims {cycles}"
    )]
    EpochCycles { cycles: u64, max: u64 },
    #[error("an epoch record follows the halting epoch")]
    EpochAfterHalt,
    #[error("total cycle count overflows 64 bits")]
    CycleOverflow,
    #[error("proof rejected: {0}")]
    ProofRejected(ProofRejected),
    #[error("end record reached, but no epoch halted")]
    NoHaltingEpoch,
    #[error("end record claims {field} = {claimed}, but the stream holds {counted}")]
    EndMismatch {
        field: &'static str,
        claimed: u64,
        counted: u64,
    },
    #[error("end record checksum does not match the bytes before it")]
    ChecksumMismatch,
    /// Bytes after the end record. How many is not reported: the verifier
    /// stops at the first one, and how many it had seen by then depends on
    /// how the stream was chunked.
    #[error("bytes follow the end record")]
    TrailingBytes,
    #[error("stream ended {place}")]
    Truncated { place: &'static str },
}

impl VerifyErrorKind {
    /// Short stable name of the check, for machine-readable output.
    pub fn check(&self) -> &'static str {
        match self {
            VerifyErrorKind::Format(_) => "format",
            VerifyErrorKind::ProtocolVersion { .. } => "protocol-version",
            VerifyErrorKind::InsecureParams { .. } => "security",
            VerifyErrorKind::InvalidParams(_) => "params",
            VerifyErrorKind::EpochSizeOutOfRange { .. } => "epoch-size",
            VerifyErrorKind::ImageIdMismatch { .. } => "image-id",
            VerifyErrorKind::WrongIndex { .. } => "index",
            VerifyErrorKind::ChainBreak { .. } => "chain",
            VerifyErrorKind::EpochCycles { .. } => "cycles",
            VerifyErrorKind::EpochAfterHalt => "halt",
            VerifyErrorKind::CycleOverflow => "cycles",
            VerifyErrorKind::ProofRejected(_) => "proof",
            VerifyErrorKind::NoHaltingEpoch => "halt",
            VerifyErrorKind::EndMismatch { .. } => "end",
            VerifyErrorKind::ChecksumMismatch => "checksum",
            VerifyErrorKind::TrailingBytes => "trailing-bytes",
            VerifyErrorKind::Truncated { .. } => "truncated",
        }
    }
}

impl From<FormatError> for VerifyErrorKind {
    fn from(e: FormatError) -> Self {
        VerifyErrorKind::Format(e)
    }
}
