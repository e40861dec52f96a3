//! The sequential stream verifier: bytes in, events out, a few dozen bytes
//! of chain state plus at most one buffered record in between. Each epoch's
//! proof is checked in place the moment its record completes.

use alloc::vec::Vec;

use super::{EpochProofVerifier, Event, Step, StreamChecker, Summary, VerifyError};
use crate::digest::Digest;
use crate::stream::ChainContext;

/// Verifies a bundle pushed to it in chunks of any size.
///
/// It holds the chain state and at most one record's bytes at a time (see
/// [`StreamVerifier::buffered_bytes`]); each epoch is checked — statement
/// against the chain, then the proof — as soon as its last byte arrives, and
/// its bytes are dropped (the buffer reused) before the next record is read.
/// The first error is final: every later `push` and `finish` returns it
/// again.
pub struct StreamVerifier<V: EpochProofVerifier> {
    verifier: V,
    checker: StreamChecker,
    /// Epochs whose proofs passed.
    verified: u64,
    error: Option<VerifyError>,
}

impl<V: EpochProofVerifier> StreamVerifier<V> {
    /// A verifier for one bundle. With `expected_image_id`, a bundle for any
    /// other program is rejected at its header.
    pub fn new(verifier: V, expected_image_id: Option<Digest>) -> Self {
        StreamVerifier {
            verifier,
            checker: StreamChecker::new(expected_image_id),
            verified: 0,
            error: None,
        }
    }

    /// Feeds the next bytes of the stream; returns what they completed.
    pub fn push(&mut self, chunk: &[u8]) -> Result<Vec<Event>, VerifyError> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        let mut events = Vec::new();
        let mut rest = chunk;
        loop {
            let (taken, step) = self.checker.feed(rest).inspect_err(|e| {
                self.error = Some(e.clone());
            })?;
            rest = &rest[taken..];
            match step {
                None => return Ok(events),
                Some(Step::Header(event)) => events.push(event),
                Some(Step::Done) => events.push(Event::Done),
                Some(Step::Epoch(job)) => {
                    let verdict = job.verify(&self.verifier);
                    self.checker.recycle(job);
                    match verdict {
                        Ok(event) => {
                            self.verified += 1;
                            events.push(event);
                        }
                        Err(e) => {
                            self.error = Some(e.clone());
                            return Err(e);
                        }
                    }
                }
            }
        }
    }

    /// Ends the stream: succeeds only if the end record was read and
    /// matched (which implies a halting epoch was verified).
    pub fn finish(self) -> Result<Summary, VerifyError> {
        match self.error {
            Some(e) => Err(e),
            None => self.checker.finish(),
        }
    }

    /// Bytes of the record (or preamble, or prefix) being read that are held
    /// in memory now. Never more than one record.
    pub fn buffered_bytes(&self) -> usize {
        self.checker.buffered_bytes()
    }

    /// The most [`StreamVerifier::buffered_bytes`] ever was.
    pub fn peak_buffered_bytes(&self) -> usize {
        self.checker.peak_buffered_bytes()
    }

    /// Capacity of the record buffer (it is reused, never grown past the
    /// largest record).
    pub fn buffer_capacity(&self) -> usize {
        self.checker.buffer_capacity()
    }

    /// Bytes accepted so far.
    pub fn bytes_consumed(&self) -> u64 {
        self.checker.bytes_consumed()
    }

    /// Epochs verified so far, proofs included.
    pub fn epochs_verified(&self) -> u64 {
        self.verified
    }

    /// The chain context, once the header was accepted.
    pub fn context(&self) -> Option<&ChainContext> {
        self.checker.context()
    }

    /// The error the verifier stopped at, if any.
    pub fn error(&self) -> Option<&VerifyError> {
        self.error.as_ref()
    }
}
