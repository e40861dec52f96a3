//! The proving driver: one execution pass cut into epochs, the epochs proven
//! in parallel within a bounded window, each proof written to the bundle in
//! epoch order as soon as it and all before it are done.
//!
//! Threads (all scoped):
//! - the executor thread runs the guest one epoch at a time
//!   ([`Executor::run_epoch`]) and hands out [`EpochRecord`]s; before each
//!   epoch it takes a permit, so at most `window` epochs are ever executed
//!   but not yet written (records, proofs and the reorder buffer together);
//! - `jobs` worker threads take records and prove them with the
//!   [`EpochProver`];
//! - the calling thread reorders finished proofs, checks each statement
//!   against its record and the chain, writes it, and returns the permit.
//!
//! Nothing keeps a proof after it is written: memory is bounded by the
//! window, not by the number of epochs.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{channel, sync_channel};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sluice_verifier::bundle::BundleEnd;
use sluice_verifier::statement::{EpochRole, EpochStatement};
use sluice_verifier::stream::ChainContext;

use crate::bundle_writer::{BundleWriter, WriteError};
use crate::executor::{Config, EpochRecord, ExecError, Executor, Program};
use crate::memory_image::{EpochTransition, ImageError, MemoryImage};

/// Proves one epoch. Implemented by the STARK prover; test doubles only
/// inside tests.
pub trait EpochProver: Sync {
    /// Proves one epoch; returns its statement and the proof bytes.
    ///
    /// `input` is the whole private input of the run (the record says which
    /// bytes this epoch consumed).
    fn prove_epoch(
        &self,
        ctx: &ChainContext,
        work: &EpochWork,
        input: &[u8],
    ) -> anyhow::Result<(EpochStatement, Vec<u8>)>;

    /// The statement [`EpochProver::prove_epoch`] claims for `work`, without
    /// proving it: a resumed run re-executes the epochs already in its
    /// bundle and checks that they still make these statements.
    fn statement(&self, work: &EpochWork) -> EpochStatement {
        crate::prove::statement_for(&work.record, &work.transition)
    }

    /// Called when the run stops early (a write failed, the guest faulted,
    /// or an epoch failed and every epoch before it is written): the driver
    /// then waits for the calls still in [`EpochProver::prove_epoch`], which
    /// may give up at once. A prover that waits on others (the queue) must;
    /// a local one may ignore it.
    fn cancel(&self) {}
}

impl<T: EpochProver + ?Sized> EpochProver for &T {
    fn prove_epoch(
        &self,
        ctx: &ChainContext,
        work: &EpochWork,
        input: &[u8],
    ) -> anyhow::Result<(EpochStatement, Vec<u8>)> {
        (**self).prove_epoch(ctx, work, input)
    }

    fn statement(&self, work: &EpochWork) -> EpochStatement {
        (**self).statement(work)
    }

    fn cancel(&self) {
        (**self).cancel()
    }
}

/// [`EpochProver::prove_epoch`], with a panic turned into an error ("the
/// prover panicked: …"), for callers that must answer for every epoch they
/// take (the driver's workers, the queue's workers).
pub fn prove_catching_panics<P: EpochProver + ?Sized>(
    prover: &P,
    ctx: &ChainContext,
    work: &EpochWork,
    input: &[u8],
) -> anyhow::Result<(EpochStatement, Vec<u8>)> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        prover.prove_epoch(ctx, work, input)
    }))
    .unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Err(anyhow::anyhow!("the prover panicked: {message}"))
    })
}

/// One epoch ready to prove: what the executor recorded, and how it moved
/// the committed memory (start/end roots and state digests, page openings).
///
/// The memory transition is computed on the executor thread, in epoch order,
/// because each epoch's start root is the previous epoch's end root.
#[derive(Clone, Debug)]
pub struct EpochWork {
    pub record: EpochRecord,
    pub transition: EpochTransition,
}

/// How the driver runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DriverOptions {
    /// Epochs proven at the same time.
    pub jobs: usize,
    /// Epochs executed but not yet written, at most (>= `jobs`).
    pub window: usize,
    /// The guest fails with a cycle-limit error past this many cycles.
    pub max_cycles: u64,
}

impl DriverOptions {
    /// `jobs` provers, a window of `jobs + 1` (one record ready for the next
    /// free prover).
    pub fn with_jobs(jobs: usize) -> Self {
        let jobs = jobs.max(1);
        DriverOptions {
            jobs,
            window: jobs + 1,
            max_cycles: Config::default().max_cycles,
        }
    }
}

impl Default for DriverOptions {
    /// One job per available core.
    fn default() -> Self {
        Self::with_jobs(std::thread::available_parallelism().map_or(1, |n| n.get()))
    }
}

/// What a finished run produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProveReport {
    /// Epochs and cycles proven by this run.
    pub epochs: u64,
    pub cycles: u64,
    /// Epochs and cycles that were already in a resumed bundle.
    pub resumed_epochs: u64,
    pub resumed_cycles: u64,
    pub exit_code: u32,
    pub output_len: u64,
    /// Sum of the lengths of the proofs this run wrote.
    pub proof_bytes: u64,
    /// The end record written.
    pub end: BundleEnd,
    /// Most epochs ever executed but not yet written (<= the window).
    pub peak_in_flight: usize,
    pub elapsed: Duration,
}

/// Why proving stopped.
#[derive(Debug, thiserror::Error)]
pub enum DriveError {
    #[error("guest execution failed: {0}")]
    Exec(#[from] ExecError),
    #[error("proving epoch {index} failed: {source:#}")]
    Prove { index: u64, source: anyhow::Error },
    #[error("epoch {index}: the prover's statement does not match the execution: {what}")]
    Inconsistent { index: u64, what: String },
    #[error("{0}")]
    Write(#[from] WriteError),
    #[error("the executor stopped before the guest halted")]
    Incomplete,
    #[error("memory commitment: {0}")]
    Memory(#[from] ImageError),
    #[error(
        "epoch {index} of the bundle being resumed is not what this guest and input run: {what}"
    )]
    ResumeMismatch { index: u64, what: String },
}

/// Receives progress as epochs are written.
pub trait Progress {
    /// Called once before proving, with the totals if known.
    fn start(&mut self, _total_epochs: Option<u64>, _total_cycles: Option<u64>) {}
    /// Called after each epoch is written.
    fn epoch_written(&mut self, _index: u64, _cycles: u64, _proof_len: usize) {}
    /// Called once at the end (success or not).
    fn finish(&mut self) {}
}

/// Reports nothing.
pub struct NoProgress;
impl Progress for NoProgress {}

/// Checks a prover's statement against the execution and the chain: a bug
/// here would make a bundle no verifier accepts, so it fails the run now.
fn check_statement(
    record: &EpochRecord,
    statement: &EpochStatement,
    chain_state: &sluice_verifier::digest::Digest,
) -> Result<(), String> {
    if statement.start != *chain_state {
        return Err(format!(
            "starts at {} but the previous epoch ended at {}",
            statement.start, chain_state
        ));
    }
    if statement.cycles != record.cycles {
        return Err(format!(
            "claims {} cycles, the epoch ran {}",
            statement.cycles, record.cycles
        ));
    }
    let role_ok = match (statement.role, record.exit_code) {
        (EpochRole::Continue, None) => true,
        (EpochRole::Halt { exit_code }, Some(code)) => exit_code == code,
        _ => false,
    };
    if !role_ok {
        return Err(format!(
            "role {:?} but the epoch ended with exit code {:?}",
            statement.role, record.exit_code
        ));
    }
    if statement.output != record.public_output {
        return Err("output differs from what the guest wrote".into());
    }
    Ok(())
}

type Proven = Result<(EpochRecord, EpochStatement, Vec<u8>), DriveError>;

/// Executes `program` on `input` and proves every epoch into `writer`
/// (whose header already carries `ctx`), then writes the end record.
pub fn prove_bundle<P: EpochProver, W: Write>(
    prover: &P,
    program: &Program,
    input: &[u8],
    ctx: &ChainContext,
    options: &DriverOptions,
    writer: BundleWriter<W>,
    progress: &mut dyn Progress,
) -> Result<(ProveReport, W), DriveError> {
    resume_bundle(prover, program, input, ctx, options, writer, &[], progress)
}

/// [`prove_bundle`] for a bundle whose first epochs, with statements
/// `written`, are already in `writer` ([`BundleWriter::resume`]). Those
/// epochs are executed again but not proven: each must make the statement
/// it made before, or the run stops with [`DriveError::ResumeMismatch`]
/// before anything is written.
#[allow(clippy::too_many_arguments)]
pub fn resume_bundle<P: EpochProver, W: Write>(
    prover: &P,
    program: &Program,
    input: &[u8],
    ctx: &ChainContext,
    options: &DriverOptions,
    mut writer: BundleWriter<W>,
    written: &[EpochStatement],
    progress: &mut dyn Progress,
) -> Result<(ProveReport, W), DriveError> {
    assert_eq!(
        writer.epochs(),
        written.len() as u64,
        "the writer holds exactly the epochs being resumed"
    );
    let started = Instant::now();
    let jobs = options.jobs.max(1);
    let window = options.window.max(jobs);
    let config = Config {
        epoch_size_log2: ctx.epoch_size_log2.into(),
        max_cycles: options.max_cycles,
    };
    // Fail on a bad configuration before any thread starts.
    let mut executor = Executor::new(program, input.to_vec(), &config)?;
    // Planning ran the guest and kept its host output; this run's must not
    // grow the prover's memory.
    executor.discard_host_output();

    let abort = AtomicBool::new(false);
    // The lowest epoch whose proving failed (`u64::MAX`: none). Nothing is
    // started past it, but the epochs before it are still proven and
    // written, so that `--resume` starts from the failure.
    let failed_at = AtomicU64::new(u64::MAX);
    let in_flight = AtomicUsize::new(0);
    let peak = AtomicUsize::new(0);

    let (permit_tx, permit_rx) = sync_channel::<()>(window);
    for _ in 0..window {
        permit_tx.send(()).expect("the receiver is alive");
    }
    let (record_tx, record_rx) = sync_channel::<EpochWork>(window);
    let record_rx = Mutex::new(record_rx);
    let (proven_tx, proven_rx) = channel::<(u64, Proven)>();

    // Epochs, cycles and proof bytes proven by this run; the exit code.
    let mut stats = (0u64, 0u64, 0u32, 0u64);
    if let Some(EpochRole::Halt { exit_code }) = written.last().map(|s| s.role) {
        stats.2 = exit_code;
    }
    let outcome = std::thread::scope(|s| {
        let (abort_ref, failed_ref, in_flight_ref, peak_ref) =
            (&abort, &failed_at, &in_flight, &peak);
        let exec = s.spawn(move || -> Result<(), DriveError> {
            let (abort, in_flight, peak) = (abort_ref, in_flight_ref, peak_ref);
            let stopping =
                || abort.load(Ordering::Relaxed) || failed_ref.load(Ordering::Relaxed) != u64::MAX;
            let mut executor = executor;
            let mut image = MemoryImage::new(program);
            if let Err(e) = fast_forward(prover, &mut executor, &mut image, written, abort) {
                abort.store(true, Ordering::Relaxed);
                prover.cancel();
                return Err(e);
            }
            loop {
                if permit_rx.recv().is_err() || stopping() {
                    return Ok(());
                }
                let record = match executor.run_epoch() {
                    Ok(Some(record)) => record,
                    Ok(None) => return Ok(()),
                    Err(e) => {
                        // Nothing after this epoch can be written: stop
                        // proving the ones in flight.
                        abort.store(true, Ordering::Relaxed);
                        prover.cancel();
                        return Err(e.into());
                    }
                };
                let transition = match image.apply_epoch(&record, executor.memory()) {
                    Ok(t) => t,
                    Err(e) => {
                        abort.store(true, Ordering::Relaxed);
                        prover.cancel();
                        return Err(e.into());
                    }
                };
                let work = EpochWork { record, transition };
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                if record_tx.send(work).is_err() {
                    return Ok(());
                }
            }
        });
        for _ in 0..jobs {
            let proven_tx = proven_tx.clone();
            let record_rx = &record_rx;
            let (abort, failed_at) = (&abort, &failed_at);
            s.spawn(move || loop {
                let next = match record_rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                let Ok(work) = next else { return };
                let index = work.record.index;
                if abort.load(Ordering::Relaxed) {
                    return;
                }
                if index > failed_at.load(Ordering::Relaxed) {
                    continue;
                }
                // A panicking prover must not strand its epoch: the writer
                // would wait for it forever while holding the window.
                let proven = prove_catching_panics(prover, ctx, &work, input);
                let result = match proven {
                    Ok((statement, proof)) => Ok((work.record, statement, proof)),
                    Err(source) => Err(DriveError::Prove { index, source }),
                };
                if proven_tx.send((index, result)).is_err() {
                    return;
                }
            });
        }
        drop(proven_tx);

        // Reorder and write on this thread.
        let written = (|| -> Result<(), DriveError> {
            let mut pending: BTreeMap<u64, (EpochRecord, EpochStatement, Vec<u8>)> =
                BTreeMap::new();
            let mut chain_state = written.last().map_or(ctx.image_id, |s| s.end);
            let mut failure = None;
            for (index, result) in proven_rx.iter() {
                match result {
                    Ok(proven) => {
                        pending.insert(index, proven);
                    }
                    Err(e) => {
                        if index < failed_at.fetch_min(index, Ordering::Relaxed) {
                            failure = Some(e);
                        }
                    }
                }
                while let Some((record, statement, proof)) = pending.remove(&writer.epochs()) {
                    let index = record.index;
                    check_statement(&record, &statement, &chain_state)
                        .map_err(|what| DriveError::Inconsistent { index, what })?;
                    writer.write_epoch(index, &statement, &proof)?;
                    chain_state = statement.end;
                    stats.0 += 1;
                    stats.1 += statement.cycles;
                    if let EpochRole::Halt { exit_code } = statement.role {
                        stats.2 = exit_code;
                    }
                    stats.3 += proof.len() as u64;
                    progress.epoch_written(index, statement.cycles, proof.len());
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                    // The executor may be waiting for this.
                    let _ = permit_tx.send(());
                }
                if writer.epochs() >= failed_at.load(Ordering::Relaxed) {
                    break;
                }
            }
            failure.map_or(Ok(()), Err)
        })();
        if written.is_err() {
            abort.store(true, Ordering::Relaxed);
            prover.cancel();
        }
        // Unblock the executor (permits) and the workers (results); the
        // executor's exit closes the record channel and ends the workers.
        drop(permit_tx);
        drop(proven_rx);
        let executed = exec.join().unwrap_or(Ok(()));
        // An execution error explains a missing tail better than anything.
        executed?;
        written
    });
    progress.finish();
    outcome?;
    let (epochs, cycles, exit_code, proof_bytes) = stats;
    let (out, end) = writer.finish().map_err(|e| match e {
        WriteError::NotHalted => DriveError::Incomplete,
        other => DriveError::Write(other),
    })?;
    Ok((
        ProveReport {
            epochs,
            cycles,
            resumed_epochs: written.len() as u64,
            resumed_cycles: written.iter().map(|s| s.cycles).sum(),
            exit_code,
            output_len: end.output_len,
            proof_bytes,
            end,
            peak_in_flight: peak.load(Ordering::SeqCst),
            elapsed: started.elapsed(),
        },
        out,
    ))
}

/// Runs the epochs of a resumed bundle again without proving them, and
/// checks that each makes the statement the bundle holds for it: another
/// ELF, input or epoch size would not (up to what the epochs so far read
/// of the input, which is all their proofs depend on).
fn fast_forward<P: EpochProver>(
    prover: &P,
    executor: &mut Executor,
    image: &mut MemoryImage,
    written: &[EpochStatement],
    abort: &AtomicBool,
) -> Result<(), DriveError> {
    for (index, expected) in (0u64..).zip(written) {
        if abort.load(Ordering::Relaxed) {
            return Ok(());
        }
        let Some(record) = executor.run_epoch()? else {
            return Err(DriveError::ResumeMismatch {
                index,
                what: "the guest halts before it".into(),
            });
        };
        let transition = image.apply_epoch(&record, executor.memory())?;
        let actual = prover.statement(&EpochWork { record, transition });
        if let Some(what) = statement_difference(expected, &actual) {
            return Err(DriveError::ResumeMismatch { index, what });
        }
    }
    Ok(())
}

/// How the statement in a bundle differs from the one re-executed.
fn statement_difference(bundle: &EpochStatement, now: &EpochStatement) -> Option<String> {
    let what = if bundle.start != now.start {
        "it starts from another state".to_string()
    } else if bundle.cycles != now.cycles {
        format!("{} cycles in the bundle, {} now", bundle.cycles, now.cycles)
    } else if bundle.role != now.role {
        format!("{:?} in the bundle, {:?} now", bundle.role, now.role)
    } else if bundle.output != now.output {
        "its public output differs".to_string()
    } else if bundle.end != now.end {
        "it ends in another state (registers, pc or memory)".to_string()
    } else {
        return None;
    };
    Some(what)
}

/// Progress on stderr: a bar (epochs, cycles/s, ETA) on a terminal, one
/// plain line per epoch otherwise.
pub struct ConsoleProgress {
    bar: Option<indicatif::ProgressBar>,
    started: Instant,
    cycles: u64,
    total_cycles: Option<u64>,
}

impl ConsoleProgress {
    pub fn new() -> Self {
        ConsoleProgress {
            bar: None,
            started: Instant::now(),
            cycles: 0,
            total_cycles: None,
        }
    }

    fn rate(&self) -> f64 {
        let secs = self.started.elapsed().as_secs_f64();
        if secs > 0.0 {
            self.cycles as f64 / secs
        } else {
            0.0
        }
    }
}

impl Default for ConsoleProgress {
    fn default() -> Self {
        Self::new()
    }
}

impl Progress for ConsoleProgress {
    /// Progress is counted in cycles, which the pre-pass knows exactly: the
    /// number of epochs is only a lower bound (adaptive epochs may cut more).
    fn start(&mut self, _total_epochs: Option<u64>, total_cycles: Option<u64>) {
        self.started = Instant::now();
        self.total_cycles = total_cycles;
        if std::io::stderr().is_terminal() {
            let bar = match total_cycles {
                Some(n) => indicatif::ProgressBar::new(n),
                None => indicatif::ProgressBar::new_spinner(),
            };
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{elapsed_precise} [{bar:30}] {pos}/{len} cycles  {msg}  ETA {eta}",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            self.bar = Some(bar);
        }
    }

    fn epoch_written(&mut self, index: u64, cycles: u64, proof_len: usize) {
        self.cycles += cycles;
        let rate = self.rate();
        match &self.bar {
            Some(bar) => {
                bar.set_message(format!("epoch {}, {rate:.0} cycles/s", index + 1));
                bar.inc(cycles);
            }
            None => {
                let of = self
                    .total_cycles
                    .map_or(String::new(), |n| format!(" of {n}"));
                eprintln!(
                    "epoch {} proven: {cycles} cycles ({} done{of}), {proof_len} proof bytes, {rate:.0} cycles/s",
                    index + 1,
                    self.cycles
                );
            }
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}
