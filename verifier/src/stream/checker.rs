//! Everything about a bundle except its proofs: framing, the chain, the
//! totals and the checksum. Each accepted epoch statement leaves as an
//! [`EpochJob`] carrying its own record, so its proof can be checked here
//! (the sequential [`super::StreamVerifier`]) or on another thread
//! ([`super::parallel`]) while the checker reads on.

use alloc::vec::Vec;

use sha2::{Digest as _, Sha256};

use super::{ChainContext, EpochJob, Event, Summary, VerifyError, VerifyErrorKind, OUTPUT_CAP};
use crate::bundle::{
    check_preamble, decode_end_body, decode_epoch_body, decode_frame_prefix, decode_header_body,
    FormatError, RecordKind, StreamHasher, FRAME_PREFIX_LEN, MAX_EPOCH_SIZE_LOG2,
    MIN_EPOCH_SIZE_LOG2, PREAMBLE_LEN,
};
use crate::digest::Digest;
use crate::params::{ParamsError, MIN_SECURITY_BITS};
use crate::statement::EpochRole;
use crate::PROTOCOL_VERSION;

/// What the verifier is reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Preamble,
    Prefix,
    Body { kind: RecordKind, len: usize },
    Finished,
}

/// An epoch statement the chain accepted, and where its proof lies in the
/// record.
struct Accepted {
    index: u64,
    statement: crate::statement::EpochStatement,
    proof: core::ops::Range<usize>,
}

/// The chain state once the header is accepted: everything kept between
/// epochs.
struct Chain {
    ctx: ChainContext,
    /// Index the next epoch record must carry.
    next_index: u64,
    /// `S_i`: the state digest the next epoch must start from.
    state: Digest,
    cycles: u64,
    /// `Some` once the halting epoch was accepted.
    exit_code: Option<u32>,
    output_len: u64,
    output_sha256: Sha256,
    /// The first [`OUTPUT_CAP`] output bytes.
    output_head: Vec<u8>,
}

/// What a completed unit of the stream means.
#[derive(Debug)]
pub enum Step {
    /// The header was read and accepted.
    Header(Event),
    /// An epoch record whose statement fits the chain. The chain has moved
    /// on as if its proof were valid: the bundle is accepted only if every
    /// job's proof verifies.
    Epoch(EpochJob),
    /// The end record was read and matched the totals and the checksum.
    Done,
}

/// Reads a bundle pushed to it in chunks of any size and checks everything
/// but the proofs, which it hands out as [`EpochJob`]s.
///
/// It holds the chain state and at most one record's bytes at a time (see
/// [`StreamChecker::buffered_bytes`]); a completed epoch record leaves with
/// its job. The first error is final: every later call returns it again.
pub struct StreamChecker {
    expected_image_id: Option<Digest>,
    expect: Expect,
    buf: Vec<u8>,
    /// Bytes fed and accepted so far.
    consumed: u64,
    /// Stream offset of the unit (preamble or frame) being read.
    unit_offset: u64,
    hasher: StreamHasher,
    chain: Option<Chain>,
    error: Option<VerifyError>,
    peak_buffered: usize,
}

impl StreamChecker {
    /// A checker for one bundle. With `expected_image_id`, a bundle for any
    /// other program is rejected at its header.
    pub fn new(expected_image_id: Option<Digest>) -> Self {
        StreamChecker {
            expected_image_id,
            expect: Expect::Preamble,
            buf: Vec::new(),
            consumed: 0,
            unit_offset: 0,
            hasher: StreamHasher::new(),
            chain: None,
            error: None,
            peak_buffered: 0,
        }
    }

    /// Reads from `chunk` until a unit completes a [`Step`] or the chunk
    /// runs out. Returns the bytes taken (all of them when no step
    /// completed) and the step. A caller that stops feeding after a step
    /// holds at most that step's record plus nothing else: this is how the
    /// parallel verifier bounds the records in memory.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(usize, Option<Step>), VerifyError> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        let mut taken = 0;
        loop {
            // A unit may complete, and an empty body completes at once.
            while self.unit_complete() {
                match self.process() {
                    Ok(Some(step)) => return Ok((taken, Some(step))),
                    Ok(None) => {}
                    Err((epoch, kind)) => {
                        let offset = self.unit_offset;
                        return Err(self.fail_at(epoch, offset, kind));
                    }
                }
            }
            let rest = &chunk[taken..];
            if rest.is_empty() {
                return Ok((taken, None));
            }
            let need = match self.expect {
                Expect::Finished => {
                    return Err(self.fail_at(None, self.consumed, VerifyErrorKind::TrailingBytes));
                }
                Expect::Preamble => PREAMBLE_LEN,
                Expect::Prefix => FRAME_PREFIX_LEN,
                Expect::Body { len, .. } => len,
            };
            let take = (need - self.buf.len()).min(rest.len());
            self.grow(take, need);
            self.buf.extend_from_slice(&rest[..take]);
            taken += take;
            self.consumed += take as u64;
            self.peak_buffered = self.peak_buffered.max(self.buf.len());
        }
    }

    /// Takes back a finished job's record buffer, so the next record reuses
    /// its allocation instead of growing a fresh one.
    pub fn recycle(&mut self, job: EpochJob) {
        self.recycle_buffer(job.into_record());
    }

    /// [`StreamChecker::recycle`] for a record buffer already taken out of
    /// its job. Kept only if the checker has not started a new buffer.
    pub fn recycle_buffer(&mut self, mut buf: Vec<u8>) {
        if self.buf.capacity() == 0 && self.error.is_none() {
            buf.clear();
            self.buf = buf;
        }
    }

    /// Ends the stream: succeeds only if the end record was read and
    /// matched (which implies a halting epoch was accepted). The summary
    /// stands only if every job's proof verified.
    pub fn finish(self) -> Result<Summary, VerifyError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        if self.expect == Expect::Finished {
            if let Some(chain) = self.chain {
                return Ok(Summary {
                    image_id: chain.ctx.image_id,
                    epochs: chain.next_index,
                    cycles: chain.cycles,
                    exit_code: chain.exit_code.unwrap_or_default(),
                    output: chain.output_head,
                    output_len: chain.output_len,
                    output_sha256: chain.output_sha256.finalize().into(),
                    zero_knowledge: chain.ctx.params.zk,
                });
            }
        }
        Err(self.truncation())
    }

    /// Where the stream stopped, for a stream that ended early.
    fn truncation(&self) -> VerifyError {
        let (epoch, place) = match (self.expect, &self.chain) {
            (Expect::Preamble, _) if self.buf.is_empty() => (None, "before the preamble (empty)"),
            (Expect::Preamble, _) => (None, "inside the preamble"),
            (Expect::Prefix, None) if self.buf.is_empty() => (None, "before the header record"),
            (Expect::Prefix, Some(_)) if self.buf.is_empty() => (None, "before the end record"),
            (Expect::Prefix, chain) => {
                let epoch = match (self.buf[0], chain) {
                    (b, Some(c)) if b == RecordKind::Epoch as u8 => Some(c.next_index),
                    _ => None,
                };
                (epoch, "inside a record prefix")
            }
            (Expect::Body { kind, .. }, chain) => match kind {
                RecordKind::Header => (None, "inside the header record"),
                RecordKind::Epoch => (
                    chain.as_ref().map(|c| c.next_index),
                    "inside an epoch record",
                ),
                RecordKind::End => (None, "inside the end record"),
            },
            (Expect::Finished, _) => (None, "in an impossible state"),
        };
        VerifyError {
            epoch,
            offset: self.unit_offset,
            kind: VerifyErrorKind::Truncated { place },
        }
    }

    /// Bytes of the record (or preamble, or prefix) being read that are held
    /// in memory now. Never more than one record.
    pub fn buffered_bytes(&self) -> usize {
        self.buf.len()
    }

    /// The most [`StreamChecker::buffered_bytes`] ever was.
    pub fn peak_buffered_bytes(&self) -> usize {
        self.peak_buffered
    }

    /// Capacity of the record buffer (never grown past the largest record;
    /// reused through [`StreamChecker::recycle`]).
    pub fn buffer_capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// Bytes accepted so far.
    pub fn bytes_consumed(&self) -> u64 {
        self.consumed
    }

    /// Epoch records accepted so far (their proofs not necessarily checked).
    pub fn epochs_accepted(&self) -> u64 {
        self.chain.as_ref().map_or(0, |c| c.next_index)
    }

    /// The chain context, once the header was accepted.
    pub fn context(&self) -> Option<&ChainContext> {
        self.chain.as_ref().map(|c| &c.ctx)
    }

    /// The error the verifier stopped at, if any.
    pub fn error(&self) -> Option<&VerifyError> {
        self.error.as_ref()
    }

    /// Makes room for `take` more bytes of a unit of `need` bytes: doubling,
    /// capped at `need`, so byte-at-a-time pushes stay linear and a record
    /// never reserves more than it declares (and only as its bytes arrive).
    fn grow(&mut self, take: usize, need: usize) {
        let want = self.buf.len() + take;
        if want > self.buf.capacity() {
            let target = want.max(need.min(self.buf.capacity().saturating_mul(2)));
            self.buf.reserve_exact(target - self.buf.len());
        }
    }

    fn unit_complete(&self) -> bool {
        match self.expect {
            Expect::Preamble => self.buf.len() == PREAMBLE_LEN,
            Expect::Prefix => self.buf.len() == FRAME_PREFIX_LEN,
            Expect::Body { len, .. } => self.buf.len() == len,
            Expect::Finished => false,
        }
    }

    fn fail_at(&mut self, epoch: Option<u64>, offset: u64, kind: VerifyErrorKind) -> VerifyError {
        let error = VerifyError {
            epoch,
            offset,
            kind,
        };
        self.error = Some(error.clone());
        // Nothing more will be read: release the record.
        self.buf = Vec::new();
        error
    }

    /// Handles the complete unit in `buf`.
    fn process(&mut self) -> Result<Option<Step>, (Option<u64>, VerifyErrorKind)> {
        match self.expect {
            Expect::Preamble => {
                let mut bytes = [0u8; PREAMBLE_LEN];
                bytes.copy_from_slice(&self.buf);
                check_preamble(&bytes).map_err(|e| (None, e.into()))?;
                self.next_unit(Expect::Prefix, true);
                Ok(None)
            }
            Expect::Prefix => {
                let mut bytes = [0u8; FRAME_PREFIX_LEN];
                bytes.copy_from_slice(&self.buf);
                let next_epoch = self.chain.as_ref().map(|c| c.next_index);
                let epoch = match RecordKind::from_byte(bytes[0]) {
                    Ok(RecordKind::Epoch) => next_epoch,
                    _ => None,
                };
                let (kind, len) = decode_frame_prefix(&bytes).map_err(|e| (epoch, e.into()))?;
                self.check_kind(kind).map_err(|k| (epoch, k))?;
                // The end record's own bytes are not covered by the checksum.
                self.next_unit(
                    Expect::Body {
                        kind,
                        len: len as usize,
                    },
                    kind != RecordKind::End,
                );
                // The frame starts at the prefix.
                self.unit_offset -= FRAME_PREFIX_LEN as u64;
                Ok(None)
            }
            Expect::Body {
                kind: RecordKind::Header,
                ..
            } => {
                let event = self.header().map_err(|k| (None, k))?;
                self.next_unit(Expect::Prefix, true);
                Ok(Some(Step::Header(event)))
            }
            Expect::Body {
                kind: RecordKind::Epoch,
                ..
            } => {
                let epoch = self.chain.as_ref().map(|c| c.next_index);
                let (ctx, accepted) = self.epoch().map_err(|k| (epoch, k))?;
                let offset = self.unit_offset;
                self.hasher.update(&self.buf);
                // The record leaves with its job; the next one starts afresh
                // (or in a buffer handed back through `recycle`).
                let record = core::mem::take(&mut self.buf);
                self.next_unit(Expect::Prefix, false);
                Ok(Some(Step::Epoch(EpochJob::new(
                    ctx,
                    offset,
                    accepted.index,
                    accepted.statement,
                    record,
                    accepted.proof,
                ))))
            }
            Expect::Body {
                kind: RecordKind::End,
                ..
            } => {
                self.end().map_err(|k| (None, k))?;
                self.expect = Expect::Finished;
                self.buf.clear();
                self.unit_offset = self.consumed;
                Ok(Some(Step::Done))
            }
            Expect::Finished => Ok(None),
        }
    }

    /// Moves on to the next unit, hashing the finished one if it is covered
    /// by the checksum.
    fn next_unit(&mut self, expect: Expect, hash: bool) {
        if hash {
            self.hasher.update(&self.buf);
        }
        self.buf.clear();
        self.expect = expect;
        self.unit_offset = self.consumed;
    }

    /// Which record kinds may come next.
    fn check_kind(&self, kind: RecordKind) -> Result<(), VerifyErrorKind> {
        let unexpected = |expected| {
            VerifyErrorKind::Format(FormatError::UnexpectedRecord {
                found: kind.name(),
                expected,
            })
        };
        match (&self.chain, kind) {
            (None, RecordKind::Header) => Ok(()),
            (None, _) => Err(unexpected("the header")),
            (Some(_), RecordKind::Header) => Err(unexpected("an epoch or the end record")),
            (Some(chain), RecordKind::Epoch) if chain.exit_code.is_some() => {
                Err(VerifyErrorKind::EpochAfterHalt)
            }
            (Some(_), _) => Ok(()),
        }
    }

    fn header(&mut self) -> Result<Event, VerifyErrorKind> {
        let header = decode_header_body(&self.buf)?;
        if header.protocol_version != PROTOCOL_VERSION {
            return Err(VerifyErrorKind::ProtocolVersion {
                found: header.protocol_version,
                expected: PROTOCOL_VERSION,
            });
        }
        if !(MIN_EPOCH_SIZE_LOG2..=MAX_EPOCH_SIZE_LOG2).contains(&header.epoch_size_log2) {
            return Err(VerifyErrorKind::EpochSizeOutOfRange {
                found: header.epoch_size_log2,
                min: MIN_EPOCH_SIZE_LOG2,
                max: MAX_EPOCH_SIZE_LOG2,
            });
        }
        // The ranges first: a header cannot make the security computation
        // (or, later, every epoch's proof check) work on parameters the
        // protocol never uses.
        match header.params.validate() {
            Ok(()) => {}
            Err(ParamsError::TooWeak { bits }) => {
                return Err(VerifyErrorKind::InsecureParams {
                    bits,
                    min: MIN_SECURITY_BITS,
                })
            }
            Err(e) => return Err(VerifyErrorKind::InvalidParams(e)),
        }
        let security_bits = header.params.conjectured_security_bits();
        if let Some(expected) = self.expected_image_id {
            if expected != header.image_id {
                return Err(VerifyErrorKind::ImageIdMismatch {
                    expected,
                    found: header.image_id,
                });
            }
        }
        self.chain = Some(Chain {
            ctx: ChainContext {
                protocol_version: header.protocol_version,
                params: header.params,
                image_id: header.image_id,
                epoch_size_log2: header.epoch_size_log2,
            },
            next_index: 0,
            state: header.image_id,
            cycles: 0,
            exit_code: None,
            output_len: 0,
            output_sha256: Sha256::new(),
            output_head: Vec::new(),
        });
        Ok(Event::Header {
            image_id: header.image_id,
            epoch_size_log2: header.epoch_size_log2,
            params: header.params,
            security_bits,
        })
    }

    /// Checks an epoch statement against the chain and moves the chain on.
    fn epoch(&mut self) -> Result<(ChainContext, Accepted), VerifyErrorKind> {
        let entry = decode_epoch_body(&self.buf)?;
        // The job keeps the record.
        let proof = super::job::proof_range(&self.buf, entry.proof);
        let Some(chain) = self.chain.as_mut() else {
            // check_kind admits epoch records only after the header.
            return Err(VerifyErrorKind::Truncated {
                place: "in an impossible state",
            });
        };
        if entry.index != chain.next_index {
            return Err(VerifyErrorKind::WrongIndex {
                expected: chain.next_index,
                found: entry.index,
            });
        }
        let statement = entry.statement;
        if statement.start != chain.state {
            return Err(VerifyErrorKind::ChainBreak {
                expected: chain.state,
                found: statement.start,
            });
        }
        // At most 2^k cycles: the executor ends an epoch early when the
        // next cycle could overflow a table of its proof (adaptive epochs).
        let epoch_cycles = chain.ctx.epoch_cycles();
        if statement.cycles == 0 || statement.cycles > epoch_cycles {
            return Err(VerifyErrorKind::EpochCycles {
                cycles: statement.cycles,
                max: epoch_cycles,
            });
        }
        let cycles = chain
            .cycles
            .checked_add(statement.cycles)
            .ok_or(VerifyErrorKind::CycleOverflow)?;

        chain.next_index += 1;
        chain.state = statement.end;
        chain.cycles = cycles;
        if let EpochRole::Halt { exit_code } = statement.role {
            chain.exit_code = Some(exit_code);
        }
        let output = &statement.output;
        chain.output_len = chain.output_len.saturating_add(output.len() as u64);
        chain.output_sha256.update(output);
        let room = OUTPUT_CAP - chain.output_head.len();
        let kept = &output[..room.min(output.len())];
        let head = &mut chain.output_head;
        if head.len() + kept.len() > head.capacity() {
            // Doubling, but never past the cap: at most OUTPUT_CAP bytes.
            let target = (head.len() + kept.len()).max(head.capacity().saturating_mul(2));
            head.reserve_exact(target.min(OUTPUT_CAP) - head.len());
        }
        head.extend_from_slice(kept);
        Ok((
            chain.ctx,
            Accepted {
                index: entry.index,
                statement,
                proof,
            },
        ))
    }

    fn end(&mut self) -> Result<(), VerifyErrorKind> {
        let end = decode_end_body(&self.buf)?;
        let Some(chain) = self.chain.as_ref() else {
            return Err(VerifyErrorKind::Truncated {
                place: "in an impossible state",
            });
        };
        if chain.exit_code.is_none() {
            return Err(VerifyErrorKind::NoHaltingEpoch);
        }
        for (field, claimed, counted) in [
            ("epochs", end.epochs, chain.next_index),
            ("cycles", end.cycles, chain.cycles),
            ("output_len", end.output_len, chain.output_len),
        ] {
            if claimed != counted {
                return Err(VerifyErrorKind::EndMismatch {
                    field,
                    claimed,
                    counted,
                });
            }
        }
        if end.stream_sha256 != self.hasher.current() {
            return Err(VerifyErrorKind::ChecksumMismatch);
        }
        Ok(())
    }
}
