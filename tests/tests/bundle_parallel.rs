//! Parallel verification (`verify_reader_parallel`): events in epoch order
//! whatever order the proofs finish in, the earliest failure reported, at
//! most `jobs` proofs checked at once and at most `jobs + 1` records read,
//! and a panicking proof verifier does not hang the pool. (The tamper
//! suites in `bundle_stream.rs` also run every case at 1 and 3 jobs through
//! `bundle_support::verify_chunked`.)

mod bundle_support;

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use bundle_support::*;
use sluice_verifier::statement::EpochStatement;
use sluice_verifier::stream::{
    verify_reader_parallel, ChainContext, EpochProofVerifier, Event, ProofRejected, ReadError,
    VerifyErrorKind as K,
};

/// The keyed test double, slowed down so that early epochs finish last,
/// counting how many proofs are checked at once.
struct Staggered {
    /// Epochs below this sleep, longest first.
    slow_below: u64,
    running: AtomicUsize,
    most_running: AtomicUsize,
    /// Bytes the reader had handed out when each proof check ended.
    read_at_end: Mutex<Vec<(u64, u64)>>,
    read: &'static AtomicU64,
}

impl EpochProofVerifier for Staggered {
    fn verify_epoch(
        &self,
        ctx: &ChainContext,
        index: u64,
        statement: &EpochStatement,
        proof: &[u8],
    ) -> Result<(), ProofRejected> {
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_running.fetch_max(now, Ordering::SeqCst);
        if index < self.slow_below {
            std::thread::sleep(Duration::from_millis(15 * (self.slow_below - index)));
        }
        let verdict = KeyedVerifier.verify_epoch(ctx, index, statement, proof);
        self.read_at_end
            .lock()
            .unwrap()
            .push((index, self.read.load(Ordering::SeqCst)));
        self.running.fetch_sub(1, Ordering::SeqCst);
        verdict
    }
}

fn staggered(slow_below: u64) -> Staggered {
    Staggered {
        slow_below,
        running: AtomicUsize::new(0),
        most_running: AtomicUsize::new(0),
        read_at_end: Mutex::new(Vec::new()),
        read: Box::leak(Box::new(AtomicU64::new(0))),
    }
}

/// A reader handing out `step` bytes per read and publishing how many it
/// has handed out.
struct CountingReader {
    bytes: Vec<u8>,
    at: usize,
    step: usize,
    read: &'static AtomicU64,
}

impl std::io::Read for CountingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let rest = &self.bytes[self.at..];
        let n = self.step.min(buf.len()).min(rest.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.at += n;
        self.read.fetch_add(n as u64, Ordering::SeqCst);
        Ok(n)
    }
}

fn run(
    bytes: &[u8],
    verifier: &Staggered,
    jobs: usize,
    step: usize,
) -> (
    Vec<Event>,
    Result<sluice_verifier::stream::Summary, ReadError>,
) {
    let reader = CountingReader {
        bytes: bytes.to_vec(),
        at: 0,
        step,
        read: verifier.read,
    };
    let mut events = Vec::new();
    let verdict = verify_reader_parallel(
        reader,
        verifier,
        None,
        NonZeroUsize::new(jobs).unwrap(),
        |e| events.push(e.clone()),
    );
    (events, verdict)
}

fn epoch_indices(events: &[Event]) -> Vec<u64> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::EpochVerified { index, .. } => Some(*index),
            _ => None,
        })
        .collect()
}

#[test]
fn events_come_in_epoch_order_when_proofs_finish_out_of_order() {
    let (bytes, _) = small_bundle(40, 4);
    let (sequential, expected) = {
        let (events, verdict, _) = verify_chunked(&bytes, &[bytes.len()], None);
        (events, verdict.unwrap())
    };
    let epochs = expected.epochs;
    assert!(epochs >= 8, "{epochs} epochs");
    for jobs in [2, 3, 5] {
        let verifier = staggered(jobs as u64);
        let (events, verdict) = run(&bytes, &verifier, jobs, 7);
        assert_eq!(verdict.unwrap(), expected);
        assert_eq!(events, sequential, "{jobs} jobs");
        assert_eq!(epoch_indices(&events), (0..epochs).collect::<Vec<_>>());
        // The slow early epochs really were overtaken.
        let finished: Vec<u64> = verifier
            .read_at_end
            .lock()
            .unwrap()
            .iter()
            .map(|&(i, _)| i)
            .collect();
        assert_ne!(finished, (0..epochs).collect::<Vec<_>>(), "{jobs} jobs");
        let most = verifier.most_running.load(Ordering::SeqCst);
        assert!(
            most <= jobs,
            "{most} proofs checked at once with {jobs} jobs"
        );
        assert!(most >= 2, "the pool never ran two proofs at once");
    }
}

#[test]
fn the_reader_waits_for_a_free_worker() {
    let (bytes, _) = small_bundle(40, 4);
    let frames = Frames::split(&bytes);
    // frames: [header, epoch 0, epoch 1, …, end]
    let end_of_epoch = |i: usize| frames.offset_of(i + 2);
    for jobs in [1, 2, 3] {
        let verifier = staggered(1);
        let step = 5;
        let (_, verdict) = run(&bytes, &verifier, jobs, step);
        verdict.unwrap();
        let at_end = verifier.read_at_end.lock().unwrap().clone();
        let (_, read) = at_end.iter().find(|&&(i, _)| i == 0).copied().unwrap();
        // While epoch 0 was being checked, the reader held at most the
        // records of epochs 1..=jobs (one per worker, plus the one waiting
        // for a worker): it never read into the record after those.
        assert!(
            read <= end_of_epoch(jobs) + step as u64,
            "{jobs} jobs: {read} bytes read while epoch 0 was checked; \
             epoch {jobs} ends at {}",
            end_of_epoch(jobs)
        );
    }
}

/// Replaces the proof of epoch `index` with garbage of the same length.
fn break_proof(frames: &mut Frames, index: usize) {
    let frame = &mut frames.frames[index + 1];
    let last = frame.len() - 1;
    frame[last] ^= 1;
}

#[test]
fn the_earliest_failure_is_reported_even_when_a_later_one_is_found_first() {
    let (bytes, _) = small_bundle(40, 4);
    let base = Frames::split(&bytes);
    let epochs = base.frames.len() as u64 - 2;

    // Two bad proofs: epoch 1 (slow) and epoch 3 (fast, found first).
    let mut two = Frames {
        preamble: base.preamble.clone(),
        frames: base.frames.clone(),
    };
    break_proof(&mut two, 1);
    break_proof(&mut two, 3);
    // A bad proof at epoch 1, then epoch 4 missing, found by the reading
    // thread while epoch 1 is still being checked.
    let mut chain = Frames {
        preamble: base.preamble.clone(),
        frames: base.frames.clone(),
    };
    break_proof(&mut chain, 1);
    chain.frames.remove(5);
    // A bad proof at epoch 1, then the stream stops in epoch 2's record.
    let mut cut = Frames {
        preamble: base.preamble.clone(),
        frames: base.frames.clone(),
    };
    break_proof(&mut cut, 1);
    let mut cut = cut.join();
    cut.truncate(base.offset_of(3) as usize + 7);

    for (name, bad) in [
        ("two bad proofs", two.join()),
        ("proof then chain", chain.join()),
        ("proof then truncation", cut),
    ] {
        let sequential = verify_all(&bad, None).unwrap_err();
        assert_eq!(sequential.epoch, Some(1), "{name}");
        assert!(matches!(sequential.kind, K::ProofRejected(_)), "{name}");
        for jobs in [2, 3, 4] {
            let verifier = staggered(2);
            let (events, verdict) = run(&bad, &verifier, jobs, 64);
            match verdict {
                Err(ReadError::Rejected(e)) => assert_eq!(e, sequential, "{name}, {jobs} jobs"),
                other => panic!("{name}, {jobs} jobs: {other:?}"),
            }
            assert_eq!(epoch_indices(&events), vec![0], "{name}, {jobs} jobs");
            assert!(!events.contains(&Event::Done));
        }
    }
    assert!(epochs > 5);
}

#[test]
fn a_read_error_after_a_failed_proof_reports_the_proof() {
    let (bytes, _) = small_bundle(40, 4);
    let mut frames = Frames::split(&bytes);
    break_proof(&mut frames, 0);
    let bad = frames.join();
    let fail_from = frames.offset_of(4) as usize;
    /// Fails every read once `fail_from` bytes were handed out.
    struct Failing {
        bytes: Vec<u8>,
        pos: usize,
        fail_from: usize,
    }
    impl std::io::Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.pos >= self.fail_from {
                return Err(std::io::Error::other("disk on fire"));
            }
            let n = 16.min(buf.len()).min(self.fail_from - self.pos);
            buf[..n].copy_from_slice(&self.bytes[self.pos..self.pos + n]);
            self.pos += n;
            Ok(n)
        }
    }
    for jobs in [1, 2, 3] {
        let verifier = staggered(1);
        let reader = Failing {
            bytes: bad.clone(),
            pos: 0,
            fail_from,
        };
        let verdict = verify_reader_parallel(
            reader,
            &verifier,
            None,
            NonZeroUsize::new(jobs).unwrap(),
            |_| {},
        );
        match verdict {
            Err(ReadError::Rejected(e)) => {
                assert_eq!(e.epoch, Some(0), "{jobs} jobs");
                assert!(matches!(e.kind, K::ProofRejected(_)), "{jobs} jobs");
            }
            other => panic!("{jobs} jobs: {other:?}"),
        }
    }
    // Without the bad proof, the read error is the verdict.
    let reader = Failing {
        bytes: bytes.clone(),
        pos: 0,
        fail_from,
    };
    let verdict = verify_reader_parallel(
        reader,
        &KeyedVerifier,
        None,
        NonZeroUsize::new(3).unwrap(),
        |_| {},
    );
    assert!(matches!(verdict, Err(ReadError::Io(_))), "{verdict:?}");
}

#[test]
fn a_panicking_proof_verifier_panics_the_caller_instead_of_hanging() {
    struct Panics;
    impl EpochProofVerifier for Panics {
        fn verify_epoch(
            &self,
            _: &ChainContext,
            index: u64,
            _: &EpochStatement,
            _: &[u8],
        ) -> Result<(), ProofRejected> {
            if index == 2 {
                panic!("verifier bug on epoch 2");
            }
            Ok(())
        }
    }
    let (bytes, _) = small_bundle(40, 4);
    for jobs in [2, 3] {
        let outcome = std::panic::catch_unwind(|| {
            verify_reader_parallel(
                std::io::Cursor::new(bytes.clone()),
                &Panics,
                None,
                NonZeroUsize::new(jobs).unwrap(),
                |_| {},
            )
        });
        let panic = outcome.expect_err("the panic reaches the caller");
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        assert!(message.contains("epoch 2"), "{message}");
    }
}

#[test]
fn chunkings_and_job_counts_agree_on_a_valid_and_a_tampered_bundle() {
    let (bytes, _) = small_bundle(40, 4);
    let mut frames = Frames::split(&bytes);
    break_proof(&mut frames, 4);
    let bad = frames.join();
    for input in [&bytes, &bad] {
        let reference = verify_chunked(input, &[input.len()], None);
        for chunks in [&[1usize][..], &[3, 1000, 17], &[65536]] {
            for jobs in 1..=4 {
                let (events, verdict) = read_parallel(input, chunks, None, jobs);
                assert_eq!(verdict, reference.1, "{chunks:?}, {jobs} jobs");
                if verdict.is_ok() {
                    assert_eq!(events, reference.0, "{chunks:?}, {jobs} jobs");
                } else {
                    assert_eq!(epoch_indices(&events), vec![0, 1, 2, 3]);
                }
            }
        }
    }
}

/// The keyed double, except that epoch `panics_at` panics at once and epoch
/// 0 takes a while.
struct PanicsAt(u64);

impl EpochProofVerifier for PanicsAt {
    fn verify_epoch(
        &self,
        ctx: &ChainContext,
        index: u64,
        statement: &EpochStatement,
        proof: &[u8],
    ) -> Result<(), ProofRejected> {
        if index == self.0 {
            panic!("verifier bug on epoch {index}");
        }
        if index == 0 {
            std::thread::sleep(Duration::from_millis(40));
        }
        KeyedVerifier.verify_epoch(ctx, index, statement, proof)
    }
}

#[test]
fn a_panic_waits_for_its_epochs_turn() {
    let (bytes, _) = small_bundle(40, 4);
    // Epoch 1 panics while epoch 0 is still being checked: epoch 0 is
    // reported first, then the panic, as sequentially.
    for jobs in [2, 3] {
        let mut events = Vec::new();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            verify_reader_parallel(
                std::io::Cursor::new(bytes.clone()),
                &PanicsAt(1),
                None,
                NonZeroUsize::new(jobs).unwrap(),
                |e| events.push(e.clone()),
            )
        }));
        assert!(outcome.is_err(), "{jobs} jobs: no panic");
        assert_eq!(epoch_indices(&events), vec![0], "{jobs} jobs");
    }
    // A bad proof before the panicking epoch is the verdict.
    let mut frames = Frames::split(&bytes);
    break_proof(&mut frames, 2);
    let bad = frames.join();
    for jobs in [1, 2, 3, 4] {
        let verdict = std::panic::catch_unwind(|| {
            verify_reader_parallel(
                std::io::Cursor::new(bad.clone()),
                &PanicsAt(3),
                None,
                NonZeroUsize::new(jobs).unwrap(),
                |_| {},
            )
        });
        match verdict {
            Ok(Err(ReadError::Rejected(e))) => assert_eq!(e.epoch, Some(2), "{jobs} jobs"),
            Ok(other) => panic!("{jobs} jobs: {other:?}"),
            Err(_) => panic!("{jobs} jobs: the later epoch's panic won"),
        }
    }
}

/// Hands out `bytes[..stall_at]` in 64-byte reads, then blocks until
/// `release` fires (or is dropped), then ends the stream: a live stream
/// whose prover went quiet.
struct Stalling {
    bytes: Vec<u8>,
    at: usize,
    stall_at: usize,
    release: std::sync::mpsc::Receiver<()>,
}

impl std::io::Read for Stalling {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.stall_at {
            let _ = self.release.recv();
            return Ok(0);
        }
        let n = 64.min(buf.len()).min(self.stall_at - self.at);
        buf[..n].copy_from_slice(&self.bytes[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Regression (found by the hostile-input drills): verdicts used to be
/// collected only when a read returned, so the epochs before a silent
/// stretch were reported only when the next bytes came, and a bad proof
/// followed by a stalled stream was never rejected. Now both arrive while
/// the reader is still blocked.
#[test]
fn verdicts_arrive_while_the_stream_is_silent() {
    let (bytes, _) = small_bundle(40, 4);
    let frames = Frames::split(&bytes);
    let mut broken = Frames::split(&bytes);
    break_proof(&mut broken, 1);
    // Header and epochs 0..=2 arrive, then nothing.
    let stall_at = frames.offset_of(4) as usize;
    for jobs in [2, 3] {
        // Good epochs: all three reported before the stream resumes.
        let (release, wait) = std::sync::mpsc::channel();
        let (events_tx, events) = std::sync::mpsc::channel();
        let reader = Stalling {
            bytes: frames.join(),
            at: 0,
            stall_at,
            release: wait,
        };
        let verifying = std::thread::spawn(move || {
            verify_reader_parallel(
                reader,
                &KeyedVerifier,
                None,
                NonZeroUsize::new(jobs).unwrap(),
                |e| {
                    let _ = events_tx.send(e.clone());
                },
            )
        });
        let mut verified = Vec::new();
        while verified.len() < 3 {
            match events.recv_timeout(Duration::from_secs(60)) {
                Ok(Event::EpochVerified { index, .. }) => verified.push(index),
                Ok(_) => {}
                Err(e) => panic!("{jobs} jobs: epochs {verified:?} reported, then {e:?}"),
            }
        }
        assert_eq!(verified, [0, 1, 2], "{jobs} jobs");
        release.send(()).unwrap();
        let verdict = verifying.join().unwrap().unwrap_err();
        assert!(
            matches!(&verdict, ReadError::Rejected(e) if matches!(e.kind, K::Truncated { .. })),
            "{jobs} jobs: {verdict:?}"
        );

        // A bad proof, then silence: rejected without the stream resuming.
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let (verdict_tx, verdict_rx) = std::sync::mpsc::channel();
        let reader = Stalling {
            bytes: broken.join(),
            at: 0,
            stall_at,
            release: wait,
        };
        std::thread::spawn(move || {
            let v = verify_reader_parallel(
                reader,
                &KeyedVerifier,
                None,
                NonZeroUsize::new(jobs).unwrap(),
                |_| {},
            );
            let _ = verdict_tx.send(v);
        });
        match verdict_rx.recv_timeout(Duration::from_secs(60)) {
            Ok(Err(ReadError::Rejected(e))) => {
                assert_eq!(e.epoch, Some(1), "{jobs} jobs");
                assert!(matches!(e.kind, K::ProofRejected(_)), "{jobs} jobs: {e:?}");
            }
            other => panic!("{jobs} jobs: {other:?} while the stream was silent"),
        }
        drop(release);
    }
}

/// Hands out `bytes` in 64-byte reads and panics once `panic_at` bytes are
/// out.
struct PanickingReader {
    bytes: Vec<u8>,
    at: usize,
    panic_at: usize,
}

impl std::io::Read for PanickingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at >= self.panic_at {
            panic!("reader bug");
        }
        let n = 64.min(buf.len()).min(self.panic_at - self.at);
        buf[..n].copy_from_slice(&self.bytes[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// A reader that panics panics the caller, as it does sequentially (found
/// by review: the reading thread first turned the panic into an I/O
/// error), unless a proof before it failed.
#[test]
fn a_panicking_reader_panics_the_caller_as_sequentially() {
    let (bytes, _) = small_bundle(40, 4);
    let frames = Frames::split(&bytes);
    let panic_at = frames.offset_of(4) as usize;
    let mut broken = Frames::split(&bytes);
    break_proof(&mut broken, 0);
    for jobs in [1, 2, 3] {
        let reader = PanickingReader {
            bytes: bytes.clone(),
            at: 0,
            panic_at,
        };
        let outcome = std::panic::catch_unwind(|| {
            verify_reader_parallel(
                reader,
                &KeyedVerifier,
                None,
                NonZeroUsize::new(jobs).unwrap(),
                |_| {},
            )
        });
        let panic = outcome.expect_err("the reader's panic reaches the caller");
        assert_eq!(
            panic.downcast_ref::<&str>(),
            Some(&"reader bug"),
            "{jobs} jobs"
        );

        let reader = PanickingReader {
            bytes: broken.join(),
            at: 0,
            panic_at,
        };
        let verdict = verify_reader_parallel(
            reader,
            &KeyedVerifier,
            None,
            NonZeroUsize::new(jobs).unwrap(),
            |_| {},
        );
        assert!(
            matches!(&verdict, Err(ReadError::Rejected(e)) if e.epoch == Some(0)),
            "{jobs} jobs: {verdict:?}"
        );
    }
}
