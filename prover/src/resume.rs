//! Reading back a bundle file that was cut off (`FILE.partial`), so that
//! `prove --resume` can continue it after its last good epoch.
//!
//! The partial file is read with the verifier's own [`StreamChecker`] (the
//! framing, the header, the chain) and every complete epoch's proof is
//! verified: what is kept is exactly what a verifier would accept so far.
//! The first record that is cut off, malformed or rejected, and everything
//! after it, is dropped and proven again.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sluice_verifier::bundle::StreamHasher;
use sluice_verifier::statement::EpochStatement;
use sluice_verifier::stream::{
    read_some, ChainContext, EpochJob, EpochProofVerifier, Step, StreamChecker, VerifyError,
};

/// What a partial bundle file holds that can be kept.
pub struct Partial {
    /// The context its header declares.
    pub ctx: ChainContext,
    /// The statements of the complete epochs that verified, in order.
    pub statements: Vec<EpochStatement>,
    /// Bytes kept: the preamble, the header and those epochs' records.
    pub keep_len: u64,
    /// The bundle checksum over those bytes.
    pub hasher: StreamHasher,
    /// Bytes after them, dropped.
    pub dropped_len: u64,
    /// Why the first dropped record was dropped, when it was complete (a
    /// cut-off record needs no reason).
    pub rejected: Option<VerifyError>,
}

/// Why a partial file cannot be resumed.
#[derive(Debug, thiserror::Error)]
pub enum ResumeError {
    #[error("cannot read `{path}`: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("`{path}` is not the start of a Sluice bundle ({source})")]
    NotABundle { path: PathBuf, source: VerifyError },
}

/// Reads as far as the header of the bundle in `path`. `Ok(None)` when the
/// file ends before its header is complete (nothing worth keeping).
pub fn read_header(path: &Path) -> Result<Option<ChainContext>, ResumeError> {
    let mut scan = Scan::open(path)?;
    Ok(match scan.next_step()? {
        Some(Step::Header(_)) => scan.checker.context().copied(),
        _ => None,
    })
}

/// Reads the partial bundle in `path`: its header, then every complete
/// epoch, whose proofs are verified `jobs` at a time with `verifier`.
/// `Ok(None)` when the header itself is incomplete.
pub fn read_partial<V: EpochProofVerifier + Sync + ?Sized>(
    path: &Path,
    verifier: &V,
    jobs: usize,
) -> Result<Option<Partial>, ResumeError> {
    let mut scan = Scan::open(path)?;
    // The checker's first step is the header or nothing.
    let Some(Step::Header(_)) = scan.next_step()? else {
        return Ok(None);
    };
    let mut partial = Partial {
        ctx: *scan.checker.context().expect("the header was read"),
        statements: Vec::new(),
        keep_len: scan.checker.bytes_consumed(),
        hasher: scan.hasher.clone(),
        dropped_len: 0,
        rejected: None,
    };
    // Epochs read but not yet verified, each with the length and checksum
    // of the bundle up to its end.
    let batch = jobs.max(1) * 2;
    let mut pending: Vec<(EpochJob, u64, StreamHasher)> = Vec::with_capacity(batch);
    let mut reading = true;
    while reading && partial.rejected.is_none() {
        match scan.next_step() {
            Ok(Some(Step::Epoch(job))) => {
                pending.push((job, scan.checker.bytes_consumed(), scan.hasher.clone()));
            }
            // The end record of a run killed before its rename: the epochs
            // are all there and the end record is written again.
            Ok(Some(_)) | Ok(None) => reading = false,
            Err(ResumeError::NotABundle { source, .. }) => {
                partial.rejected = Some(source);
                reading = false;
            }
            Err(e) => return Err(e),
        }
        if pending.len() == batch || !reading {
            let verdicts: Vec<Result<(), VerifyError>> = pending
                .par_iter()
                .map(|(job, _, _)| job.verify(verifier).map(|_| ()))
                .collect();
            for ((job, end, hasher), verdict) in pending.drain(..).zip(verdicts) {
                if partial.rejected.is_some() {
                    break;
                }
                match verdict {
                    Ok(()) => {
                        partial.statements.push(job.statement().clone());
                        partial.keep_len = end;
                        partial.hasher = hasher;
                    }
                    Err(e) => partial.rejected = Some(e),
                }
            }
        }
    }
    partial.dropped_len = scan.file_len.saturating_sub(partial.keep_len);
    Ok(Some(partial))
}

/// The checker fed from the file, one step at a time, with the checksum of
/// everything it has taken.
struct Scan {
    path: PathBuf,
    file: File,
    file_len: u64,
    checker: StreamChecker,
    hasher: StreamHasher,
    chunk: Vec<u8>,
    at: usize,
}

impl Scan {
    fn open(path: &Path) -> Result<Self, ResumeError> {
        let io_error = |source| ResumeError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = File::open(path).map_err(io_error)?;
        let file_len = file.metadata().map_err(io_error)?.len();
        Ok(Scan {
            path: path.to_path_buf(),
            file,
            file_len,
            checker: StreamChecker::new(None),
            hasher: StreamHasher::new(),
            chunk: Vec::new(),
            at: 0,
        })
    }

    /// The next completed step, or `None` at the end of the file.
    fn next_step(&mut self) -> Result<Option<Step>, ResumeError> {
        loop {
            if self.at == self.chunk.len() {
                self.chunk.resize(1 << 20, 0);
                let n = read_some(&mut self.file, &mut self.chunk).map_err(|source| {
                    ResumeError::Io {
                        path: self.path.clone(),
                        source,
                    }
                })?;
                self.chunk.truncate(n);
                self.at = 0;
                if n == 0 {
                    return Ok(None);
                }
            }
            let rest = &self.chunk[self.at..];
            let (taken, step) =
                self.checker
                    .feed(rest)
                    .map_err(|source| ResumeError::NotABundle {
                        path: self.path.clone(),
                        source,
                    })?;
            // Only the snapshots taken at epoch boundaries are used, so
            // hashing the end record's bytes too does no harm.
            self.hasher.update(&rest[..taken]);
            self.at += taken;
            if step.is_some() {
                return Ok(step);
            }
        }
    }
}
