//! One epoch's proof check, detached from the stream: the statement the
//! chain accepted and the record holding its proof. It owns its bytes and
//! needs nothing from the checker, so any thread can run it.

use alloc::vec::Vec;
use core::ops::Range;

use super::{ChainContext, EpochProofVerifier, Event, VerifyError, VerifyErrorKind};
use crate::bundle::decode_epoch_body;
use crate::statement::{EpochRole, EpochStatement};

/// An epoch whose statement fits the chain and whose proof is still to be
/// checked (made by [`super::StreamChecker`]).
#[derive(Debug)]
pub struct EpochJob {
    ctx: ChainContext,
    /// Stream offset of the record's frame, for error reports.
    offset: u64,
    index: u64,
    statement: EpochStatement,
    /// The record's body; the proof is `record[proof]`.
    record: Vec<u8>,
    proof: Range<usize>,
}

impl EpochJob {
    pub(super) fn new(
        ctx: ChainContext,
        offset: u64,
        index: u64,
        statement: EpochStatement,
        record: Vec<u8>,
        proof: Range<usize>,
    ) -> Self {
        EpochJob {
            ctx,
            offset,
            index,
            statement,
            record,
            proof,
        }
    }

    /// A job for an epoch record `record` (its body) read at `offset` in a
    /// stream with context `ctx`: for a worker that receives the bytes of a
    /// record whose statement a [`super::StreamChecker`] elsewhere accepted.
    /// Only the record's form is checked here, not the chain.
    pub fn from_record(
        ctx: ChainContext,
        offset: u64,
        record: Vec<u8>,
    ) -> Result<Self, VerifyError> {
        let entry = decode_epoch_body(&record).map_err(|e| VerifyError {
            epoch: None,
            offset,
            kind: e.into(),
        })?;
        let proof = proof_range(&record, entry.proof);
        let (index, statement) = (entry.index, entry.statement);
        Ok(EpochJob::new(ctx, offset, index, statement, record, proof))
    }

    /// The epoch's position in the chain.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// Stream offset of the epoch's record.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The statement the chain accepted.
    pub fn statement(&self) -> &EpochStatement {
        &self.statement
    }

    /// The context the proof is checked in.
    pub fn context(&self) -> &ChainContext {
        &self.ctx
    }

    /// The record's body.
    pub fn record(&self) -> &[u8] {
        &self.record
    }

    /// Checks the proof; on success, the event that reports the epoch.
    pub fn verify<V: EpochProofVerifier + ?Sized>(
        &self,
        verifier: &V,
    ) -> Result<Event, VerifyError> {
        verifier
            .verify_epoch(
                &self.ctx,
                self.index,
                &self.statement,
                &self.record[self.proof.clone()],
            )
            .map_err(|rejected| VerifyError {
                epoch: Some(self.index),
                offset: self.offset,
                kind: VerifyErrorKind::ProofRejected(rejected),
            })?;
        Ok(self.verified_event())
    }

    /// What [`EpochJob::verify`] reports once the proof passed.
    pub fn verified_event(&self) -> Event {
        Event::EpochVerified {
            index: self.index,
            cycles: self.statement.cycles,
            output_len: self.statement.output.len() as u64,
            halted: matches!(self.statement.role, EpochRole::Halt { .. }),
        }
    }

    /// The record's buffer, for reuse.
    pub fn into_record(self) -> Vec<u8> {
        self.record
    }
}

/// Where `proof`, a slice of `record`, lies in it.
pub(super) fn proof_range(record: &[u8], proof: &[u8]) -> Range<usize> {
    let start = proof.as_ptr() as usize - record.as_ptr() as usize;
    start..start + proof.len()
}
