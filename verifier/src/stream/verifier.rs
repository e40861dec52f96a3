//! The push-based stream verifier: bytes in, events out, a few dozen bytes
//! of chain state plus at most one buffered record in between.

use alloc::vec::Vec;

use sha2::{Digest as _, Sha256};

use super::{
    ChainContext, EpochProofVerifier, Event, Summary, VerifyError, VerifyErrorKind, OUTPUT_CAP,
};
use crate::bundle::{
    check_preamble, decode_end_body, decode_epoch_body, decode_frame_prefix, decode_header_body,
    FormatError, RecordKind, StreamHasher, FRAME_PREFIX_LEN, MAX_EPOCH_SIZE_LOG2,
    MIN_EPOCH_SIZE_LOG2, PREAMBLE_LEN,
};
use crate::digest::Digest;
use crate::params::MIN_SECURITY_BITS;
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

/// The chain state once the header is accepted: everything kept between
/// epochs.
struct Chain {
    ctx: ChainContext,
    /// Index the next epoch record must carry.
    next_index: u64,
    /// `S_i`: the state digest the next epoch must start from.
    state: Digest,
    cycles: u64,
    /// `Some` once the halting epoch was verified.
    exit_code: Option<u32>,
    output_len: u64,
    output_sha256: Sha256,
    /// The first [`OUTPUT_CAP`] output bytes.
    output_head: Vec<u8>,
}

/// Verifies a bundle pushed to it in chunks of any size.
///
/// It holds the chain state and at most one record's bytes at a time (see
/// [`StreamVerifier::buffered_bytes`]); each epoch is checked — statement
/// against the chain, then the proof — as soon as its last byte arrives, and
/// its bytes are dropped before the next record is read. The first error is
/// final: every later `push` and `finish` returns it again.
pub struct StreamVerifier<V: EpochProofVerifier> {
    verifier: V,
    expected_image_id: Option<Digest>,
    expect: Expect,
    buf: Vec<u8>,
    /// Bytes pushed and accepted so far.
    consumed: u64,
    /// Stream offset of the unit (preamble or frame) being read.
    unit_offset: u64,
    hasher: StreamHasher,
    chain: Option<Chain>,
    error: Option<VerifyError>,
    peak_buffered: usize,
}

impl<V: EpochProofVerifier> StreamVerifier<V> {
    /// A verifier for one bundle. With `expected_image_id`, a bundle for any
    /// other program is rejected at its header.
    pub fn new(verifier: V, expected_image_id: Option<Digest>) -> Self {
        StreamVerifier {
            verifier,
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

    /// Feeds the next bytes of the stream; returns what they completed.
    pub fn push(&mut self, chunk: &[u8]) -> Result<Vec<Event>, VerifyError> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        let mut events = Vec::new();
        let mut rest = chunk;
        while !rest.is_empty() {
            let need = match self.expect {
                Expect::Finished => {
                    let count = rest.len() as u64;
                    return Err(self.fail_at(
                        None,
                        self.consumed,
                        VerifyErrorKind::TrailingBytes { count },
                    ));
                }
                Expect::Preamble => PREAMBLE_LEN,
                Expect::Prefix => FRAME_PREFIX_LEN,
                Expect::Body { len, .. } => len,
            };
            let take = (need - self.buf.len()).min(rest.len());
            self.grow(take, need);
            self.buf.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            self.consumed += take as u64;
            self.peak_buffered = self.peak_buffered.max(self.buf.len());
            // A unit may complete, and an empty body completes at once.
            while self.unit_complete() {
                if let Err((epoch, kind)) = self.process(&mut events) {
                    let offset = self.unit_offset;
                    return Err(self.fail_at(epoch, offset, kind));
                }
            }
        }
        Ok(events)
    }

    /// Ends the stream: succeeds only if the end record was read and
    /// matched (which implies a halting epoch was verified).
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
        Err(VerifyError {
            epoch,
            offset: self.unit_offset,
            kind: VerifyErrorKind::Truncated { place },
        })
    }

    /// Bytes of the record (or preamble, or prefix) being read that are held
    /// in memory now. Never more than one record.
    pub fn buffered_bytes(&self) -> usize {
        self.buf.len()
    }

    /// The most [`StreamVerifier::buffered_bytes`] ever was.
    pub fn peak_buffered_bytes(&self) -> usize {
        self.peak_buffered
    }

    /// Capacity of the record buffer (it is reused, never grown past the
    /// largest record).
    pub fn buffer_capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// Bytes accepted so far.
    pub fn bytes_consumed(&self) -> u64 {
        self.consumed
    }

    /// Epochs verified so far.
    pub fn epochs_verified(&self) -> u64 {
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
    fn process(&mut self, events: &mut Vec<Event>) -> Result<(), (Option<u64>, VerifyErrorKind)> {
        match self.expect {
            Expect::Preamble => {
                let mut bytes = [0u8; PREAMBLE_LEN];
                bytes.copy_from_slice(&self.buf);
                check_preamble(&bytes).map_err(|e| (None, e.into()))?;
                self.next_unit(Expect::Prefix, true);
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
            }
            Expect::Body { kind, .. } => {
                match kind {
                    RecordKind::Header => {
                        let event = self.header().map_err(|k| (None, k))?;
                        events.push(event);
                    }
                    RecordKind::Epoch => {
                        let epoch = self.chain.as_ref().map(|c| c.next_index);
                        let event = self.epoch().map_err(|k| (epoch, k))?;
                        events.push(event);
                    }
                    RecordKind::End => {
                        self.end().map_err(|k| (None, k))?;
                        events.push(Event::Done);
                    }
                }
                if kind == RecordKind::End {
                    self.expect = Expect::Finished;
                    self.buf.clear();
                    self.unit_offset = self.consumed;
                } else {
                    self.next_unit(Expect::Prefix, true);
                }
            }
            Expect::Finished => {}
        }
        Ok(())
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
        let security_bits = header.params.conjectured_security_bits();
        if security_bits < MIN_SECURITY_BITS {
            return Err(VerifyErrorKind::InsecureParams {
                bits: security_bits,
                min: MIN_SECURITY_BITS,
            });
        }
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

    fn epoch(&mut self) -> Result<Event, VerifyErrorKind> {
        let entry = decode_epoch_body(&self.buf)?;
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
        let statement = &entry.statement;
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
        self.verifier
            .verify_epoch(&chain.ctx, entry.index, statement, entry.proof)
            .map_err(VerifyErrorKind::ProofRejected)?;

        // Accepted: advance the chain. The record's bytes go when the
        // buffer is cleared.
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
        Ok(Event::EpochVerified {
            index: entry.index,
            cycles: statement.cycles,
            output_len: output.len() as u64,
            halted: matches!(statement.role, EpochRole::Halt { .. }),
        })
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
