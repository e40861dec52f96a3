//! Streaming-verifier benchmark: state-machine throughput and peak heap for
//! bundles of 1, 10, 100 and 1,000 epochs, with a test-double proof check.
//!
//! `cargo bench -p prover --bench stream [-- PROOF_BYTES]`
//! (default proof size 65,536 bytes per epoch).
//!
//! The double "verifies" a proof by comparing its first 32 bytes with a
//! SHA-256 tag of (index, statement); the rest of the proof is filler. So
//! these figures are the cost of the stream machinery alone — framing,
//! decoding, chain checks, the stream checksum over every byte, buffering —
//! and exclude STARK verification, which will dominate once real proofs
//! flow. A counting global allocator measures the heap.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use sha2::{Digest as _, Sha256};
use sluice_prover::bundle_writer::BundleWriter;
use sluice_verifier::digest::Digest;
use sluice_verifier::params::ProofParams;
use sluice_verifier::statement::{EpochRole, EpochStatement};
use sluice_verifier::stream::{ChainContext, EpochProofVerifier, ProofRejected, StreamVerifier};
use sluice_verifier::PROTOCOL_VERSION;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let now = CURRENT.fetch_add(new_size - layout.size(), Ordering::Relaxed)
                    + (new_size - layout.size());
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn tag(index: u64, s: &EpochStatement) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(index.to_le_bytes());
    h.update(s.start.to_bytes());
    h.update(s.end.to_bytes());
    h.update(s.cycles.to_le_bytes());
    h.finalize().into()
}

/// Test double: checks a 32-byte tag, ignores the filler.
struct TagVerifier;
impl EpochProofVerifier for TagVerifier {
    fn verify_epoch(
        &self,
        _: &ChainContext,
        index: u64,
        statement: &EpochStatement,
        proof: &[u8],
    ) -> Result<(), ProofRejected> {
        if proof.len() >= 32 && proof[..32] == tag(index, statement) {
            Ok(())
        } else {
            Err(ProofRejected::new("tag", "mismatch"))
        }
    }
}

fn digest(n: u64) -> Digest {
    Digest(std::array::from_fn(|i| {
        ((n * 8 + i as u64) % 0x7f00_0001) as u32
    }))
}

fn bundle(epochs: u64, proof_len: usize) -> Vec<u8> {
    let ctx = ChainContext {
        protocol_version: PROTOCOL_VERSION,
        params: ProofParams::DEFAULT,
        image_id: digest(0),
        epoch_size_log2: 20,
    };
    let mut w = BundleWriter::new(Vec::new(), &ctx).unwrap();
    let mut proof = vec![0x5au8; proof_len.max(32)];
    for i in 0..epochs {
        let last = i + 1 == epochs;
        let st = EpochStatement {
            start: digest(i),
            end: digest(i + 1),
            cycles: if last { 12345 } else { 1 << 20 },
            role: if last {
                EpochRole::Halt { exit_code: 0 }
            } else {
                EpochRole::Continue
            },
            output: vec![i as u8; 16],
        };
        proof[..32].copy_from_slice(&tag(i, &st));
        w.write_epoch(i, &st, &proof).unwrap();
    }
    w.finish().unwrap().0
}

fn main() {
    let proof_len: usize = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok())
        .unwrap_or(1 << 16);
    println!("proof bytes per epoch: {proof_len}; pushed in 64 KiB chunks");
    println!(
        "{:>7} {:>12} {:>10} {:>10} {:>12} {:>14} {:>12}",
        "epochs", "bundle B", "time ms", "MB/s", "epochs/s", "peak heap B", "peak buf B"
    );
    // 10,000 epochs only for small proofs (the bundle is held in memory).
    let counts: &[u64] = if proof_len <= 4096 {
        &[1, 10, 100, 1000, 10_000]
    } else {
        &[1, 10, 100, 1000]
    };
    for &epochs in counts {
        let bytes = bundle(epochs, proof_len);
        let reps = (2000 / epochs).max(3);
        let mut best = f64::MAX;
        let mut peak_heap = 0;
        let mut peak_buf = 0;
        for _ in 0..reps {
            let base = CURRENT.load(Ordering::Relaxed);
            PEAK.store(base, Ordering::Relaxed);
            let t = Instant::now();
            let mut v = StreamVerifier::new(TagVerifier, Some(digest(0)));
            for chunk in bytes.chunks(1 << 16) {
                v.push(chunk).expect("valid bundle");
            }
            peak_buf = v.peak_buffered_bytes();
            let summary = v.finish().expect("valid bundle");
            best = best.min(t.elapsed().as_secs_f64());
            assert_eq!(summary.epochs, epochs);
            peak_heap = PEAK.load(Ordering::Relaxed) - base;
        }
        println!(
            "{:>7} {:>12} {:>10.3} {:>10.1} {:>12.0} {:>14} {:>12}",
            epochs,
            bytes.len(),
            best * 1e3,
            bytes.len() as f64 / best / 1e6,
            epochs as f64 / best,
            peak_heap,
            peak_buf
        );
    }
}
