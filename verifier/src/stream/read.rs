//! Driving the stream verifier from an `io::Read` (with `std`): fixed-size
//! reads into one reused buffer, so memory stays flat however long the
//! stream is.

use std::io::{ErrorKind, Read};

use super::{EpochProofVerifier, Event, Step, StreamChecker, Summary, VerifyError};
use crate::digest::Digest;

/// Bytes read per `read` call (64 KiB).
pub const READ_CHUNK: usize = 64 * 1024;

/// One `read` into `buf`, retried while it is interrupted by a signal.
/// `Ok(0)` is the end of the stream.
pub fn read_some<R: Read + ?Sized>(reader: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match reader.read(buf) {
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

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
/// as soon as it happens: every epoch verified before a failure is
/// reported, even one that completed in the same read as the failure.
pub fn verify_reader<V: EpochProofVerifier, R: Read>(
    mut reader: R,
    verifier: V,
    expected_image_id: Option<Digest>,
    mut on_event: impl FnMut(&Event),
) -> Result<Summary, ReadError> {
    let mut checker = StreamChecker::new(expected_image_id);
    let mut chunk = std::vec![0u8; READ_CHUNK];
    loop {
        let n = match read_some(&mut reader, &mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => return Err(ReadError::Io(e)),
        };
        let mut rest = &chunk[..n];
        loop {
            let (taken, step) = checker.feed(rest)?;
            rest = &rest[taken..];
            match step {
                None => break,
                Some(Step::Header(event)) => on_event(&event),
                Some(Step::Done) => on_event(&Event::Done),
                Some(Step::Epoch(job)) => {
                    on_event(&job.verify(&verifier)?);
                    checker.recycle(job);
                }
            }
        }
    }
    Ok(checker.finish()?)
}
