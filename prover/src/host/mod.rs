//! The host library: prove a guest from your own Rust program.
//!
//! ```no_run
//! use sluice_prover::host::{ProveEvent, Prover};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let elf = std::fs::read("build/guests/stats.elf")?;
//! let mut bundle = Vec::new();
//! let report = Prover::new(&elf)?
//!     .input(&(7u32, "seven"))?       // the guest's `io::read::<(u32, String)>()`
//!     .input_bytes(b"raw frame")?     // the guest's `io::read_vec()`
//!     .epoch_size_log2(16)
//!     .jobs(2)
//!     .prove_to(&mut bundle, |event| {
//!         if let ProveEvent::EpochWritten { index, .. } = event {
//!             eprintln!("epoch {index} proven");
//!         }
//!     })?;
//! # Ok(()) }
//! ```
//!
//! Inputs are written as the frames `sluice_guest::io` reads: a
//! little-endian `u32` length, then the bytes (for [`Prover::input`], the
//! value's postcard encoding). [`Prover::input_raw`] appends bytes without a
//! frame, for guests that read their input raw (`io::read_to_end`), as
//! `prover prove --input FILE` passes it.
//!
//! The CLI's `prove` is this builder plus files, `--resume` and signals.

use std::io::Write;

use serde::Serialize;
use sluice_verifier::digest::Digest;
use sluice_verifier::memory::image_id;
use sluice_verifier::params::{ProofParams, MIN_SECURITY_BITS};
use sluice_verifier::stark::verify::MAX_EPOCH_SIZE_LOG2;
use sluice_verifier::stream::ChainContext;
use sluice_verifier::PROTOCOL_VERSION;

use crate::bundle_writer::{BundleWriter, WriteError};
use crate::driver::{prove_bundle, DriveError, DriverOptions, EpochProver, Progress, ProveReport};
use crate::executor::{execute, Config, ElfError, ExecError, Outcome, Program};
use crate::prove::StarkEpochProver;
use crate::sizing::{auto_epoch_size_log2, available_memory, default_jobs, peak_bytes};

/// Why the host library did not prove.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    #[error("{0}")]
    Elf(#[from] ElfError),
    #[error("cannot encode an input value: {0}")]
    Encode(postcard::Error),
    #[error("an input frame of {len} bytes is longer than a frame's u32 length allows (4 GiB)")]
    FrameTooLong { len: usize },
    #[error("epoch size 2^{0} is outside 2^1..=2^{MAX_EPOCH_SIZE_LOG2}")]
    EpochSize(u8),
    #[error(
        "proof parameters give {bits} bits of security; at least {MIN_SECURITY_BITS} required"
    )]
    TooWeak { bits: u32 },
    #[error("guest faulted: {0} (after {cycles} cycles); nothing was proven", cycles = .0.cycles)]
    Fault(ExecError),
    #[error(
        "the guest ran (exit code {exit_code}, {cycles} cycles), but it cannot be proven yet: \
         the ecall at pc {pc:#x} is a {what}; nothing was proven"
    )]
    Unprovable {
        exit_code: u32,
        cycles: u64,
        pc: u32,
        what: String,
    },
    #[error("cannot write the bundle header: {0}")]
    Header(std::io::Error),
    #[error(transparent)]
    Drive(#[from] DriveError),
    #[error("cannot finish the bundle: {0}")]
    Write(#[from] WriteError),
}

/// What proving will do, decided before any epoch is proven: the guest has
/// already run once (a faulting or unprovable guest fails here, early).
#[derive(Clone, Debug)]
pub struct Plan {
    /// What the bundle's header and every proof are bound to.
    pub ctx: ChainContext,
    /// Whether the epoch size was chosen from the available memory.
    pub auto_epoch_size: bool,
    /// The run: cycles, the least number of epochs, exit code, output.
    pub outcome: Outcome,
    /// Rows of the largest trace an epoch proves (`2^height_log2`).
    pub height_log2: u8,
    /// Epochs proven at once.
    pub jobs: usize,
    /// Expected peak memory of those jobs, and what the system has free.
    pub needed_bytes: u64,
    pub available_bytes: Option<u64>,
}

/// Progress of [`Prover::prove_to`].
#[derive(Clone, Copy, Debug)]
pub enum ProveEvent<'a> {
    /// The guest ran and proving starts.
    Started(&'a Plan),
    /// Epoch `index` was proven and written.
    EpochWritten {
        index: u64,
        cycles: u64,
        proof_bytes: usize,
    },
}

/// Builds a proving run: the guest, its input, the epoch size and jobs.
#[derive(Clone, Debug)]
pub struct Prover<P = StarkEpochProver> {
    program: Program,
    input: Vec<u8>,
    epoch_size_log2: Option<u8>,
    jobs: Option<usize>,
    params: ProofParams,
    /// Set by [`Prover::params`]: without it, [`Prover::plan`] picks the
    /// parameters by the run's length ([`auto_params`]).
    params_given: bool,
    /// Set by [`Prover::zk`], which [`Prover::params`] keeps.
    zk: Option<bool>,
    max_cycles: u64,
    image_id: Option<Digest>,
    epoch_prover: P,
}

impl Prover {
    /// A prover for the guest `elf` (a static RV32IM ELF), with no input,
    /// default parameters, the epoch size the available memory holds and
    /// one job per core.
    pub fn new(elf: &[u8]) -> Result<Self, HostError> {
        Ok(Self::from_program(Program::from_elf(elf)?))
    }

    /// A prover for an already loaded program.
    pub fn from_program(program: Program) -> Self {
        Prover {
            program,
            input: Vec::new(),
            epoch_size_log2: None,
            jobs: None,
            params: ProofParams::DEFAULT,
            params_given: false,
            zk: None,
            max_cycles: Config::default().max_cycles,
            image_id: None,
            epoch_prover: StarkEpochProver,
        }
    }
}

impl<P: EpochProver> Prover<P> {
    /// Proves epochs with `epoch_prover` instead of the STARK prover (test
    /// doubles, or a prover elsewhere).
    pub fn with_epoch_prover<Q: EpochProver>(self, epoch_prover: Q) -> Prover<Q> {
        Prover {
            program: self.program,
            input: self.input,
            epoch_size_log2: self.epoch_size_log2,
            jobs: self.jobs,
            params: self.params,
            params_given: self.params_given,
            zk: self.zk,
            max_cycles: self.max_cycles,
            image_id: self.image_id,
            epoch_prover,
        }
    }

    /// Appends `value` as one input frame: the guest's next
    /// `io::read::<T>()` returns it.
    pub fn input<T: Serialize + ?Sized>(self, value: &T) -> Result<Self, HostError> {
        let bytes = postcard::to_allocvec(value).map_err(HostError::Encode)?;
        self.frame(&bytes)
    }

    /// Appends `bytes` as one input frame: the guest's next `io::read_vec()`
    /// (or `io::read_slice`) returns them.
    pub fn input_bytes(self, bytes: &[u8]) -> Result<Self, HostError> {
        self.frame(bytes)
    }

    fn frame(mut self, bytes: &[u8]) -> Result<Self, HostError> {
        let len =
            u32::try_from(bytes.len()).map_err(|_| HostError::FrameTooLong { len: bytes.len() })?;
        self.input.extend_from_slice(&len.to_le_bytes());
        self.input.extend_from_slice(bytes);
        Ok(self)
    }

    /// Appends `bytes` to the input stream as they are, without a frame:
    /// for guests that read raw input (`io::read_raw`, `io::read_to_end`).
    pub fn input_raw(mut self, bytes: &[u8]) -> Self {
        self.input.extend_from_slice(bytes);
        self
    }

    /// Epochs of at most `2^k` cycles (default: the largest the available
    /// memory holds for the jobs, as `--epoch-size-log2 auto`).
    pub fn epoch_size_log2(mut self, k: u8) -> Self {
        self.epoch_size_log2 = Some(k);
        self
    }

    /// Epochs proven at once (default: one per core, as memory allows).
    pub fn jobs(mut self, n: usize) -> Self {
        self.jobs = Some(n.max(1));
        self
    }

    /// Zero-knowledge proofs (hiding the private input's traces).
    pub fn zk(mut self, on: bool) -> Self {
        self.zk = Some(on);
        self.params.zk = on;
        self
    }

    /// These proof parameters for every run, e.g. [`ProofParams::DEFAULT`],
    /// [`ProofParams::SPEED`] (faster, less memory, larger proofs) or
    /// [`ProofParams::SIZE`] (smaller proofs), as `prove --favor` chooses.
    /// Without this call the plan picks them by the run's length
    /// ([`auto_params`]). Their `zk` field counts unless [`Self::zk`] is
    /// called, before or after.
    pub fn params(mut self, params: ProofParams) -> Self {
        self.params = ProofParams {
            zk: self.zk.unwrap_or(params.zk),
            ..params
        };
        self.params_given = true;
        self
    }

    /// The guest fails with a cycle-limit fault past `n` cycles.
    pub fn max_cycles(mut self, n: u64) -> Self {
        self.max_cycles = n;
        self
    }

    /// The program being proven.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// The whole input stream the guest will read.
    pub fn input_stream(&self) -> &[u8] {
        &self.input
    }

    /// The epoch prover.
    pub fn epoch_prover(&self) -> &P {
        &self.epoch_prover
    }

    /// Claims `id` as the image ID instead of the program's own: for test
    /// doubles of the proof system only (a real verifier rejects a bundle
    /// whose image ID is not the program's).
    #[doc(hidden)]
    pub fn with_image_id(mut self, id: Digest) -> Self {
        self.image_id = Some(id);
        self
    }

    /// The image ID a bundle of this guest proves.
    pub fn image_id(&self) -> Digest {
        self.image_id.unwrap_or_else(|| image_id(&self.program))
    }

    /// Runs the guest without proving: cycles, exit code, public output.
    pub fn execute(&self) -> Result<Outcome, HostError> {
        let config = Config {
            epoch_size_log2: self.epoch_size_log2.unwrap_or(MAX_EPOCH_SIZE_LOG2).into(),
            max_cycles: self.max_cycles,
        };
        execute(&self.program, &self.input, &config).map_err(HostError::Fault)
    }

    /// Checks the parameters, runs the guest once and decides the epoch
    /// size and jobs; every refusal happens here, before any proving.
    pub fn plan(&self) -> Result<Plan, HostError> {
        check_security(&self.params)?;
        let available = available_memory();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let epoch_size_log2 = match self.epoch_size_log2 {
            Some(k) if k == 0 || k > MAX_EPOCH_SIZE_LOG2 => return Err(HostError::EpochSize(k)),
            Some(k) => k,
            None => auto_epoch_size_log2(available, self.jobs.unwrap_or(cores), &self.params),
        };
        let config = Config {
            epoch_size_log2: epoch_size_log2.into(),
            max_cycles: self.max_cycles,
        };
        let outcome = execute(&self.program, &self.input, &config).map_err(HostError::Fault)?;
        check_provable(&outcome)?;
        // A run shorter than one epoch proves a shorter trace.
        let height_log2 =
            (outcome.cycles.max(1).next_power_of_two().trailing_zeros() as u8).min(epoch_size_log2);
        let params = if self.params_given {
            self.params
        } else {
            auto_params(self.params.zk, outcome.epochs, height_log2)
        };
        check_security(&params)?;
        let jobs = self.jobs.unwrap_or_else(|| {
            default_jobs(cores, available, height_log2, outcome.epochs, &params)
        });
        Ok(Plan {
            ctx: ChainContext {
                protocol_version: PROTOCOL_VERSION,
                params,
                image_id: self.image_id(),
                epoch_size_log2,
            },
            auto_epoch_size: self.epoch_size_log2.is_none(),
            height_log2,
            jobs,
            needed_bytes: peak_bytes(jobs, height_log2, &params),
            available_bytes: available,
            outcome,
        })
    }

    /// The driver's options for `plan`.
    pub fn driver_options(&self, plan: &Plan) -> DriverOptions {
        DriverOptions {
            max_cycles: self.max_cycles,
            ..DriverOptions::with_jobs(plan.jobs)
        }
    }

    /// Proves the guest, streaming the bundle to `writer` as each epoch is
    /// proven, and reports progress to `on_event`.
    pub fn prove_to<W: Write>(
        &self,
        writer: W,
        on_event: impl FnMut(ProveEvent<'_>),
    ) -> Result<ProveReport, HostError> {
        let plan = self.plan()?;
        self.prove_planned(&plan, writer, on_event)
    }

    /// [`Prover::prove_to`] with a plan already made (and looked at).
    pub fn prove_planned<W: Write>(
        &self,
        plan: &Plan,
        writer: W,
        mut on_event: impl FnMut(ProveEvent<'_>),
    ) -> Result<ProveReport, HostError> {
        let writer = BundleWriter::new(writer, &plan.ctx).map_err(HostError::Header)?;
        on_event(ProveEvent::Started(plan));
        let mut progress = Events(&mut on_event);
        let (report, _) = prove_bundle(
            &self.epoch_prover,
            &self.program,
            &self.input,
            &plan.ctx,
            &self.driver_options(plan),
            writer,
            &mut progress,
        )?;
        Ok(report)
    }
}

/// Runs of one epoch of at most `2^SHORT_RUN_LOG2` cycles are proven with
/// [`ProofParams::short`] unless the parameters are given.
pub const SHORT_RUN_LOG2: u8 = 13;

/// Epochs of at least `2^LONG_EPOCH_LOG2` cycles are proven with
/// [`ProofParams::LONG`] unless the parameters are given: their proving
/// time hides its fixed cost of grinding.
pub const LONG_EPOCH_LOG2: u8 = 19;

/// The parameters a plan picks when none are given: [`ProofParams::short`]
/// for a run of one epoch of at most `2^SHORT_RUN_LOG2` cycles, where the
/// larger blowup costs little time and makes the proof much smaller
/// (`docs/benchmarks.md`, § Short runs); [`ProofParams::LONG`] for epochs
/// of at least `2^LONG_EPOCH_LOG2` cycles; [`ProofParams::DEFAULT`]
/// otherwise.
pub fn auto_params(zk: bool, epochs: u64, height_log2: u8) -> ProofParams {
    if epochs <= 1 && height_log2 <= SHORT_RUN_LOG2 {
        return ProofParams::short(zk);
    }
    let preset = if height_log2 >= LONG_EPOCH_LOG2 {
        ProofParams::LONG
    } else {
        ProofParams::DEFAULT
    };
    ProofParams { zk, ..preset }
}

/// Refuses parameters below [`MIN_SECURITY_BITS`] of conjectured security;
/// returns the bits otherwise.
pub fn check_security(params: &ProofParams) -> Result<u32, HostError> {
    let bits = params.conjectured_security_bits();
    if bits < MIN_SECURITY_BITS {
        return Err(HostError::TooWeak { bits });
    }
    Ok(bits)
}

/// The safety net of the pre-pass: a run the proof cannot show is refused
/// before any epoch is proven. Every syscall the executor completes is
/// provable today (`unsupported_shape` says so), so this only fires if a
/// future executor feature outgrows the proof.
fn check_provable(outcome: &Outcome) -> Result<(), HostError> {
    match &outcome.unprovable {
        None => Ok(()),
        Some(u) => Err(HostError::Unprovable {
            exit_code: outcome.exit_code,
            cycles: outcome.cycles,
            pc: u.pc,
            what: u.what.clone(),
        }),
    }
}

/// The driver's progress, as [`ProveEvent`]s.
struct Events<'f, F>(&'f mut F);

impl<F: FnMut(ProveEvent<'_>)> Progress for Events<'_, F> {
    fn epoch_written(&mut self, index: u64, cycles: u64, proof_len: usize) {
        (self.0)(ProveEvent::EpochWritten {
            index,
            cycles,
            proof_bytes: proof_len,
        });
    }
}

#[cfg(test)]
mod tests;
