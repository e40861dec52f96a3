//! Driving a [`StreamVerifier`] from an `io::Read` (with `std`): fixed-size
//! reads into one reused buffer, so memory stays flat however long the
//! stream is.

use std::io::{ErrorKind, Read};

use super::{EpochProofVerifier, Event, StreamVerifier, Summary, VerifyError};
use crate::digest::Digest;

/// Bytes read per `read` call (64 KiB).
pub const READ_CHUNK: usize = 64 * 1024;

/// Why [`verify_reader`] did not return a summary.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Reading failed; nothing is known about the bundle's validity.
    #[error("cannot read the bundle: {0}")]
    Io(#[from] std::io::Error),
    /// The bundle was rejected.
    #[error("{0}")]
    Rejected(#[from] VerifyError),
}

/// Verifies the bundle `reader` yields, calling `on_event` for each event
/// as soon as it happens.
pub fn verify_reader<V: EpochProofVerifier, R: Read>(
    mut reader: R,
    verifier: V,
    expected_image_id: Option<Digest>,
    mut on_event: impl FnMut(&Event),
) -> Result<Summary, ReadError> {
    let mut stream = StreamVerifier::new(verifier, expected_image_id);
    let mut chunk = std::vec![0u8; READ_CHUNK];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(ReadError::Io(e)),
        };
        for event in stream.push(&chunk[..n])? {
            on_event(&event);
        }
    }
    Ok(stream.finish()?)
}
