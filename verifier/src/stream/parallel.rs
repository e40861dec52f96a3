//! Verifying on several threads (with `std`): one thread reads the stream
//! and checks the chain in order, `jobs` threads check the proofs.
//!
//! The verdict and the events are exactly those of the sequential
//! [`super::verify_reader`] for any input: events are reported in epoch
//! order, and the failure reported is the earliest one in the stream (an
//! epoch's proof is earlier than any chain or framing error found after its
//! record). At most `jobs + 1` records are in memory: one per proof being
//! checked and the one being read; an epoch is handed out only when it is
//! fewer than `jobs` epochs ahead of the oldest one not yet reported.
//!
//! The stream is read on a thread of its own, one chunk at a time (it
//! reads the next chunk only once the last one is checked), so verdicts are
//! reported as soon as they are known, also while the stream is silent: a
//! live stream's last epoch is reported before the next one arrives, and a
//! bad proof followed by a stalled stream is rejected at once instead of
//! never. The reading thread is left behind when the verdict comes first
//! (a read cannot be interrupted); it ends when its read returns.
//!
//! On the first failure no new proof is started; those already running
//! finish (a proof check cannot be interrupted) and are discarded unless
//! they fail earlier in the stream. A panicking proof verifier panics the
//! caller when its epoch's turn comes, as sequentially.

use std::collections::BTreeMap;
use std::io::Read;
use std::num::NonZeroUsize;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Mutex;
use std::vec::Vec;

use super::read::read_some;
use super::{
    verify_reader, EpochJob, EpochProofVerifier, Event, ReadError, Step, StreamChecker, Summary,
    VerifyError, READ_CHUNK,
};
use crate::digest::Digest;

/// A proof check's outcome (or the panic it raised, to be raised again on
/// the calling thread as sequential verification would), and the record's
/// buffer for reuse.
struct Outcome {
    index: u64,
    verdict: std::thread::Result<Result<Event, VerifyError>>,
    record: Vec<u8>,
}

/// What the calling thread waits for: a proof check's outcome, or what the
/// reading thread read (the chunk and how many bytes of it are new; zero at
/// the end of the stream).
enum Message {
    Outcome(Outcome),
    Read(std::io::Result<(Vec<u8>, usize)>),
    /// The reader panicked: raised again on the calling thread, where the
    /// sequential verifier would have met it.
    ReadPanicked(std::boxed::Box<dyn core::any::Any + Send>),
}

/// The reading thread: reads one chunk each time it is handed the buffer
/// back, until the stream ends or fails, or nobody listens.
fn read_chunks<R: Read>(mut reader: R, buffers: Receiver<Vec<u8>>, out: Sender<Message>) {
    while let Ok(mut chunk) = buffers.recv() {
        // A reader that panics must not leave the caller waiting for a
        // chunk that never comes.
        let message = match catch_unwind(AssertUnwindSafe(|| read_some(&mut reader, &mut chunk))) {
            Ok(read) => Message::Read(read.map(|n| (chunk, n))),
            Err(panic) => Message::ReadPanicked(panic),
        };
        let last = !matches!(message, Message::Read(Ok((_, n))) if n > 0);
        if out.send(message).is_err() || last {
            return;
        }
    }
}

/// [`verify_reader`] with the proofs checked on `jobs` threads and the
/// stream read on one more. With one job it is [`verify_reader`] itself: no
/// thread is started.
pub fn verify_reader_parallel<V, R>(
    reader: R,
    verifier: &V,
    expected_image_id: Option<Digest>,
    jobs: NonZeroUsize,
    mut on_event: impl FnMut(&Event),
) -> Result<Summary, ReadError>
where
    V: EpochProofVerifier + Sync + ?Sized,
    R: Read + Send + 'static,
{
    if jobs.get() == 1 {
        return verify_reader(reader, verifier, expected_image_id, on_event);
    }
    let (job_tx, job_rx) = channel::<EpochJob>();
    let (out_tx, out_rx) = channel::<Message>();
    let (buffer_tx, buffer_rx) = channel::<Vec<u8>>();
    let job_rx = Mutex::new(job_rx);
    {
        let out_tx = out_tx.clone();
        std::thread::spawn(move || read_chunks(reader, buffer_rx, out_tx));
    }
    std::thread::scope(|scope| {
        for _ in 0..jobs.get() {
            let out_tx = out_tx.clone();
            let job_rx = &job_rx;
            scope.spawn(move || worker(verifier, job_rx, out_tx));
        }
        drop(out_tx);
        let mut pool = Pool {
            jobs: jobs.get(),
            job_tx: Some(job_tx),
            buffer_tx: Some(buffer_tx),
            out_rx,
            in_flight: 0,
            next_to_report: 0,
            finished: BTreeMap::new(),
            failure: None,
            checker: StreamChecker::new(expected_image_id),
        };
        let result = pool.run(&mut on_event);
        // Closing the job channel ends the workers; the scope joins them.
        // Closing the buffer channel ends the reading thread once its read
        // (if one is under way) returns.
        pool.job_tx = None;
        pool.buffer_tx = None;
        result
    })
}

fn worker<V: EpochProofVerifier + ?Sized>(
    verifier: &V,
    jobs: &Mutex<Receiver<EpochJob>>,
    out: Sender<Message>,
) {
    loop {
        // The lock is held only while waiting for the next job.
        let next = match jobs.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(job) = next else { return };
        let verdict = catch_unwind(AssertUnwindSafe(|| job.verify(verifier)));
        let index = job.index();
        let outcome = Outcome {
            index,
            verdict,
            record: job.into_record(),
        };
        if out.send(Message::Outcome(outcome)).is_err() {
            return;
        }
    }
}

/// The reading thread's side of the pool.
struct Pool {
    jobs: usize,
    job_tx: Option<Sender<EpochJob>>,
    /// Hands the reading thread its buffer: the next chunk may be read.
    buffer_tx: Option<Sender<Vec<u8>>>,
    out_rx: Receiver<Message>,
    in_flight: usize,
    /// Index of the next epoch whose event is due.
    next_to_report: u64,
    /// Verdicts (or panics) that arrived ahead of an earlier epoch's.
    finished: BTreeMap<u64, std::thread::Result<Result<Event, VerifyError>>>,
    /// The earliest proof failure, once reached in order.
    failure: Option<VerifyError>,
    checker: StreamChecker,
}

impl Pool {
    fn run(&mut self, on_event: &mut impl FnMut(&Event)) -> Result<Summary, ReadError> {
        self.next_chunk(std::vec![0u8; READ_CHUNK]);
        'read: loop {
            let message = self
                .out_rx
                .recv()
                .expect("the reading thread holds a sender until it reports the end");
            let (chunk, n) = match message {
                // A verdict while the stream is silent is reported now,
                // and a failure stops the reading.
                Message::Outcome(outcome) => {
                    self.accept(outcome, on_event);
                    if self.failure.is_some() {
                        break 'read;
                    }
                    continue;
                }
                Message::Read(Ok((_, 0))) => break,
                Message::Read(Ok(read)) => read,
                Message::Read(Err(e)) => {
                    // A proof that failed before the unreadable bytes is
                    // the verdict, as it would have been sequentially.
                    self.drain(on_event);
                    return Err(match self.failure.take() {
                        Some(failure) => failure.into(),
                        None => ReadError::Io(e),
                    });
                }
                Message::ReadPanicked(panic) => {
                    self.drain(on_event);
                    if let Some(failure) = self.failure.take() {
                        return Err(failure.into());
                    }
                    resume_unwind(panic);
                }
            };
            let mut rest = &chunk[..n];
            loop {
                let (taken, step) = match self.checker.feed(rest) {
                    Ok(fed) => fed,
                    Err(stream_error) => {
                        // Every proof in flight precedes this record.
                        self.drain(on_event);
                        return Err(self.failure.take().unwrap_or(stream_error).into());
                    }
                };
                rest = &rest[taken..];
                match step {
                    None => break,
                    Some(Step::Header(event)) => on_event(&event),
                    Some(Step::Done) => {
                        // The end record follows every epoch: report them
                        // all first.
                        self.drain(on_event);
                        if self.failure.is_some() {
                            break 'read;
                        }
                        on_event(&Event::Done);
                    }
                    Some(Step::Epoch(job)) => {
                        // A window of `jobs` epochs past the oldest one not
                        // yet reported: a slow proof stalls the reading
                        // instead of piling up verdicts behind it.
                        while job.index() >= self.next_to_report + self.jobs as u64
                            && self.failure.is_none()
                        {
                            self.receive_one(on_event);
                        }
                        if self.failure.is_some() {
                            break 'read;
                        }
                        self.in_flight += 1;
                        let sent = match &self.job_tx {
                            Some(tx) => tx.send(job).is_ok(),
                            None => false,
                        };
                        assert!(
                            sent,
                            "the verification threads stopped while the stream was being read"
                        );
                    }
                }
            }
            self.next_chunk(chunk);
        }
        self.drain(on_event);
        if let Some(failure) = self.failure.take() {
            return Err(failure.into());
        }
        let checker = std::mem::replace(&mut self.checker, StreamChecker::new(None));
        Ok(checker.finish()?)
    }

    /// Lets the reading thread read the next chunk into `chunk`.
    fn next_chunk(&mut self, chunk: Vec<u8>) {
        if let Some(tx) = &self.buffer_tx {
            // The reading thread is gone only after reporting the end,
            // which stops the loop above before asking for more.
            let _ = tx.send(chunk);
        }
    }

    /// Waits for every proof in flight and reports what is due.
    fn drain(&mut self, on_event: &mut impl FnMut(&Event)) {
        while self.in_flight > 0 {
            self.receive_one(on_event);
        }
    }

    /// Waits for one proof check; reports, in order, every verdict now due.
    /// A chunk the reading thread delivers meanwhile is dropped: it can
    /// only come after a failure (otherwise the reading thread is waiting
    /// for its buffer while a chunk is being checked), and then nothing
    /// more is read.
    fn receive_one(&mut self, on_event: &mut impl FnMut(&Event)) {
        loop {
            match self.out_rx.recv() {
                Ok(Message::Outcome(outcome)) => return self.accept(outcome, on_event),
                Ok(Message::Read(_) | Message::ReadPanicked(_)) => {
                    debug_assert!(self.failure.is_some())
                }
                Err(_) => panic!("a verification thread stopped with a proof in flight"),
            }
        }
    }

    /// Files a verdict and reports, in order, every verdict now due. A
    /// panic is raised again only when its epoch's turn comes and nothing
    /// failed before it, as sequential verification would have met it.
    fn accept(&mut self, outcome: Outcome, on_event: &mut impl FnMut(&Event)) {
        self.in_flight -= 1;
        self.finished.insert(outcome.index, outcome.verdict);
        self.checker.recycle_buffer(outcome.record);
        while self.failure.is_none() {
            let Some(verdict) = self.finished.remove(&self.next_to_report) else {
                break;
            };
            self.next_to_report += 1;
            match verdict {
                Ok(Ok(event)) => on_event(&event),
                Ok(Err(e)) => self.failure = Some(e),
                Err(panic) => resume_unwind(panic),
            }
        }
    }
}
