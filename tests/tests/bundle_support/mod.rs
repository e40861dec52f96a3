//! Test doubles and helpers shared by the `bundle_*` tests. Nothing here
//! ships: the doubles exist only in test builds.
//!
//! The double "proof" of an epoch is an HMAC-like keyed SHA-256 tag over
//! (context, index, statement), repeated to a chosen length: a proof cannot
//! be forged without the key, moved to another index, another statement or
//! another bundle context, and every proof byte matters.
#![allow(dead_code)]

use sha2::{Digest as _, Sha256};
use sluice_prover::bundle_writer::BundleWriter;
use sluice_prover::driver::{prove_bundle, DriverOptions, EpochProver, EpochWork, NoProgress};
use sluice_prover::executor::{EpochRecord, Program};
use sluice_verifier::bundle::{
    encode_end, encode_epoch_prefix, encode_header, encode_preamble, BundleEnd, BundleHeader,
    StreamHasher, FRAME_PREFIX_LEN, PREAMBLE_LEN,
};
use sluice_verifier::digest::{Digest, KOALABEAR_MODULUS};
use sluice_verifier::isa::{Instruction as I, Opcode::*};
use sluice_verifier::layout::GUEST_MEMORY_START;
use sluice_verifier::params::ProofParams;
use sluice_verifier::statement::{EpochRole, EpochStatement};
use sluice_verifier::stream::{
    verify_reader_parallel, ChainContext, EpochProofVerifier, Event, ProofRejected, ReadError,
    StreamVerifier, Summary, VerifyError,
};
use sluice_verifier::PROTOCOL_VERSION;
use std::num::NonZeroUsize;

const KEY: &[u8] = b"sluice bundle test double key";

/// A fake but collision-resistant state digest of (pc, registers, cycle),
/// reduced into canonical KoalaBear words.
pub fn fake_state_digest(pc: u32, registers: &[u32; 32], cycle: u64) -> Digest {
    let mut h = Sha256::new();
    h.update(b"state");
    h.update(pc.to_le_bytes());
    for r in registers {
        h.update(r.to_le_bytes());
    }
    h.update(cycle.to_le_bytes());
    let bytes: [u8; 32] = h.finalize().into();
    let mut words = [0u32; 8];
    for (w, c) in words.iter_mut().zip(bytes.chunks_exact(4)) {
        *w = u32::from_le_bytes([c[0], c[1], c[2], c[3]]) % KOALABEAR_MODULUS;
    }
    Digest(words)
}

/// The fake image ID: the fake state digest of the initial state.
pub fn fake_image_id(program: &Program) -> Digest {
    fake_state_digest(program.entry(), &[0; 32], 0)
}

fn tag(ctx: &ChainContext, index: u64, statement: &EpochStatement) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(KEY);
    h.update(ctx.protocol_version.to_le_bytes());
    let p = ctx.params;
    h.update([
        p.log_blowup,
        p.num_queries,
        p.query_pow_bits,
        p.commit_pow_bits,
        p.log_final_poly_len,
        p.max_log_arity,
    ]);
    h.update(ctx.image_id.to_bytes());
    h.update([ctx.epoch_size_log2]);
    h.update(index.to_le_bytes());
    h.update(statement.start.to_bytes());
    h.update(statement.end.to_bytes());
    h.update(statement.cycles.to_le_bytes());
    match statement.role {
        EpochRole::Continue => h.update([0]),
        EpochRole::Halt { exit_code } => {
            h.update([1]);
            h.update(exit_code.to_le_bytes());
        }
    }
    h.update((statement.output.len() as u64).to_le_bytes());
    h.update(&statement.output);
    h.finalize().into()
}

/// The double proof: the tag repeated to `len` bytes (at least 32).
pub fn keyed_proof(
    ctx: &ChainContext,
    index: u64,
    statement: &EpochStatement,
    len: usize,
) -> Vec<u8> {
    let t = tag(ctx, index, statement);
    (0..len.max(32)).map(|i| t[i % 32]).collect()
}

/// Accepts exactly the proofs [`keyed_proof`] makes (of any length >= 32).
#[derive(Clone, Copy, Default)]
pub struct KeyedVerifier;

impl EpochProofVerifier for KeyedVerifier {
    fn verify_epoch(
        &self,
        ctx: &ChainContext,
        index: u64,
        statement: &EpochStatement,
        proof: &[u8],
    ) -> Result<(), ProofRejected> {
        if proof.len() < 32 {
            return Err(ProofRejected::new(
                "length",
                format!("{} bytes", proof.len()),
            ));
        }
        let t = tag(ctx, index, statement);
        if proof.iter().enumerate().all(|(i, b)| *b == t[i % 32]) {
            Ok(())
        } else {
            Err(ProofRejected::new("tag", "keyed tag mismatch"))
        }
    }
}

/// Proves real executor epochs with the keyed double.
pub struct KeyedProver {
    pub proof_len: usize,
}

impl EpochProver for KeyedProver {
    fn prove_epoch(
        &self,
        ctx: &ChainContext,
        work: &EpochWork,
        _input: &[u8],
    ) -> anyhow::Result<(EpochStatement, Vec<u8>)> {
        let record = &work.record;
        let statement = statement_of(record);
        let proof = keyed_proof(ctx, record.index, &statement, self.proof_len);
        Ok((statement, proof))
    }
}

/// The statement the double claims for a record.
pub fn statement_of(record: &EpochRecord) -> EpochStatement {
    EpochStatement {
        start: fake_state_digest(record.start_pc, &record.start_registers, record.start_cycle),
        end: fake_state_digest(
            record.end_pc,
            &record.end_registers,
            record.start_cycle + record.cycles,
        ),
        cycles: record.cycles,
        role: match record.exit_code {
            Some(exit_code) => EpochRole::Halt { exit_code },
            None => EpochRole::Continue,
        },
        output: record.public_output.clone(),
    }
}

const T0: u8 = 5;
const A0: u8 = 10;
const A1: u8 = 11;
const A2: u8 = 12;
const A7: u8 = 17;

/// A guest that writes its own first 4 code bytes to the public output
/// `iterations` times (5 cycles per iteration), then exits with
/// `exit_code`. Total cycles: `5 * iterations + 6`.
pub fn looping_program(iterations: u32, exit_code: i32) -> Program {
    assert!(iterations > 0 && iterations < 2048);
    // The output comes from a data page: an epoch never reads a word it
    // executes (protocol 7), so writing the code would cut epochs.
    let data = GUEST_MEMORY_START + 0x1000;
    let words = [
        I::i(Addi, T0, 0, iterations as i32).encode(),
        I::u(Lui, A1, data).encode(),
        I::i(Addi, A2, 0, 4).encode(),
        // loop: write(3, a1, 4)
        I::i(Addi, A0, 0, 3).encode(),
        I::i(Addi, A7, 0, 64).encode(),
        I::bare(Ecall).encode(),
        I::i(Addi, T0, T0, -1).encode(),
        I::b(Bne, T0, 0, -16).encode(),
        // exit(exit_code)
        I::i(Addi, A0, 0, exit_code).encode(),
        I::i(Addi, A7, 0, 93).encode(),
        I::bare(Ecall).encode(),
    ];
    let code: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    let segments = vec![
        (GUEST_MEMORY_START, code),
        (data, vec![0x13, 0x0e, 0x0a, 0x00]),
    ];
    Program::from_segments(GUEST_MEMORY_START, segments).expect("valid program")
}

pub fn ctx_for(program: &Program, epoch_size_log2: u8) -> ChainContext {
    ChainContext {
        protocol_version: PROTOCOL_VERSION,
        params: ProofParams::DEFAULT,
        image_id: fake_image_id(program),
        epoch_size_log2,
    }
}

/// A valid bundle for `program`, proven by the driver with the double.
pub fn prove_with(program: &Program, ctx: &ChainContext, proof_len: usize, jobs: usize) -> Vec<u8> {
    let writer = BundleWriter::new(Vec::new(), ctx).expect("vec write");
    let (_, bytes) = prove_bundle(
        &KeyedProver { proof_len },
        program,
        &[],
        ctx,
        &DriverOptions::with_jobs(jobs),
        writer,
        &mut NoProgress,
    )
    .expect("proving succeeds");
    bytes
}

/// A small valid bundle: `iterations` loop iterations in epochs of
/// `2^epoch_size_log2` cycles.
pub fn small_bundle(iterations: u32, epoch_size_log2: u8) -> (Vec<u8>, ChainContext) {
    let program = looping_program(iterations, 7);
    let ctx = ctx_for(&program, epoch_size_log2);
    (prove_with(&program, &ctx, 48, 2), ctx)
}

/// Pushes `bytes` in the given chunk sizes (cycled), then finishes.
///
/// Every call also verifies the same bytes, read in the same chunks, with
/// [`verify_reader_parallel`] at 1 and 3 jobs and asserts the same verdict
/// and the same events in the same order: the whole tamper suite holds the
/// parallel verifier to the sequential one.
pub fn verify_chunked(
    bytes: &[u8],
    chunks: &[usize],
    expected: Option<Digest>,
) -> (Vec<Event>, Result<Summary, VerifyError>, usize) {
    let sequential = push_chunked(bytes, chunks, expected);
    for jobs in [1, 3] {
        let (events, verdict) = read_parallel(bytes, chunks, expected, jobs);
        assert_eq!(
            verdict, sequential.1,
            "{jobs} job(s) disagree on the verdict"
        );
        // A push that fails returns no events, so the sequential list may
        // miss the epochs completed in the failing chunk; the reader
        // reports every epoch verified before the failure.
        if sequential.1.is_ok() {
            assert_eq!(events, sequential.0, "{jobs} job(s) report other events");
        } else {
            assert!(
                events.starts_with(&sequential.0),
                "{jobs} job(s) report other events: {events:?} / {:?}",
                sequential.0
            );
        }
    }
    sequential
}

fn push_chunked(
    bytes: &[u8],
    chunks: &[usize],
    expected: Option<Digest>,
) -> (Vec<Event>, Result<Summary, VerifyError>, usize) {
    let mut v = StreamVerifier::new(KeyedVerifier, expected);
    let mut events = Vec::new();
    let mut pos = 0;
    let mut i = 0;
    while pos < bytes.len() {
        let n = chunks[i % chunks.len()].max(1).min(bytes.len() - pos);
        i += 1;
        match v.push(&bytes[pos..pos + n]) {
            Ok(evs) => events.extend(evs),
            Err(e) => return (events, Err(e), v.peak_buffered_bytes()),
        }
        pos += n;
    }
    let peak = v.peak_buffered_bytes();
    (events, v.finish(), peak)
}

/// Yields `bytes` in the given read sizes (cycled).
pub struct ChunkedReader {
    pub bytes: Vec<u8>,
    pub at: usize,
    pub chunks: Vec<usize>,
    pub reads: usize,
}

impl std::io::Read for ChunkedReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let want = self.chunks[self.reads % self.chunks.len()].max(1);
        self.reads += 1;
        let rest = &self.bytes[self.at..];
        let n = want.min(buf.len()).min(rest.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.at += n;
        Ok(n)
    }
}

/// Verifies with [`verify_reader_parallel`] on `jobs` threads; returns the
/// events in the order they were reported, and the verdict.
pub fn read_parallel(
    bytes: &[u8],
    chunks: &[usize],
    expected: Option<Digest>,
    jobs: usize,
) -> (Vec<Event>, Result<Summary, VerifyError>) {
    let reader = ChunkedReader {
        bytes: bytes.to_vec(),
        at: 0,
        chunks: chunks.to_vec(),
        reads: 0,
    };
    let mut events = Vec::new();
    let jobs = NonZeroUsize::new(jobs).expect("at least one job");
    let verdict = verify_reader_parallel(reader, &KeyedVerifier, expected, jobs, |e| {
        events.push(e.clone())
    })
    .map_err(|e| match e {
        ReadError::Rejected(e) => e,
        ReadError::Io(e) => panic!("an in-memory reader cannot fail: {e}"),
    });
    (events, verdict)
}

/// Verifies in one push.
pub fn verify_all(bytes: &[u8], expected: Option<Digest>) -> Result<Summary, VerifyError> {
    verify_chunked(bytes, &[bytes.len().max(1)], expected).1
}

/// A bundle cut into its parts: preamble, then whole frames (prefix + body).
pub struct Frames {
    pub preamble: Vec<u8>,
    pub frames: Vec<Vec<u8>>,
}

impl Frames {
    /// Splits a well-formed bundle.
    pub fn split(bytes: &[u8]) -> Frames {
        let preamble = bytes[..PREAMBLE_LEN].to_vec();
        let mut frames = Vec::new();
        let mut pos = PREAMBLE_LEN;
        while pos < bytes.len() {
            let len = u32::from_le_bytes(bytes[pos + 1..pos + 5].try_into().unwrap()) as usize;
            frames.push(bytes[pos..pos + FRAME_PREFIX_LEN + len].to_vec());
            pos += FRAME_PREFIX_LEN + len;
        }
        Frames { preamble, frames }
    }

    pub fn join(&self) -> Vec<u8> {
        let mut out = self.preamble.clone();
        for f in &self.frames {
            out.extend_from_slice(f);
        }
        out
    }

    /// Byte offset of frame `i`.
    pub fn offset_of(&self, i: usize) -> u64 {
        (self.preamble.len() + self.frames[..i].iter().map(Vec::len).sum::<usize>()) as u64
    }

    /// Replaces the last frame (the end record) with one whose totals and
    /// checksum are correct for the frames before it, so that the only
    /// defect left is the one a test put there.
    pub fn reseal(&mut self, totals: (u64, u64, u64)) {
        self.frames.pop();
        let mut h = StreamHasher::new();
        h.update(&self.preamble);
        for f in &self.frames {
            h.update(f);
        }
        let end = BundleEnd {
            epochs: totals.0,
            cycles: totals.1,
            output_len: totals.2,
            stream_sha256: h.current(),
        };
        self.frames.push(encode_end(&end));
    }
}

/// Encodes an epoch frame with a valid keyed proof.
pub fn epoch_frame(ctx: &ChainContext, index: u64, statement: &EpochStatement) -> Vec<u8> {
    let proof = keyed_proof(ctx, index, statement, 48);
    let mut out = encode_epoch_prefix(index, statement, proof.len()).unwrap();
    out.extend_from_slice(&proof);
    out
}

/// A hand-made bundle: header for `ctx`, these epochs (with valid keyed
/// proofs), and a correct end record for them.
pub fn craft(ctx: &ChainContext, epochs: &[(u64, EpochStatement)]) -> Vec<u8> {
    let mut frames = Frames {
        preamble: encode_preamble().to_vec(),
        frames: vec![encode_header(&BundleHeader {
            protocol_version: ctx.protocol_version,
            params: ctx.params,
            image_id: ctx.image_id,
            epoch_size_log2: ctx.epoch_size_log2,
        })],
    };
    for (index, st) in epochs {
        frames.frames.push(epoch_frame(ctx, *index, st));
    }
    frames.frames.push(Vec::new());
    let cycles = epochs.iter().map(|(_, s)| s.cycles).sum();
    let output = epochs.iter().map(|(_, s)| s.output.len() as u64).sum();
    frames.reseal((epochs.len() as u64, cycles, output));
    frames.join()
}

/// A digest derived from a label, for hand-made chains.
pub fn label(n: u32) -> Digest {
    Digest([n, n + 1, n + 2, n + 3, n + 4, n + 5, n + 6, n + 7])
}
