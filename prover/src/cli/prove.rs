//! `prover prove`: execute a guest, prove every epoch, stream the bundle.
//!
//! Written against the [`EpochProver`] trait: [`run_with`] is the
//! integration point. The subcommand is registered in `cli/mod.rs` once the
//! STARK prover (`sluice_prover::prove::StarkEpochProver`) and the image ID
//! (`sluice_verifier::memory::image_id`) are on main; no stand-in prover is
//! ever wired into the binary.

use std::io::Write;
use std::path::PathBuf;

use clap::ValueEnum;
use sluice_prover::bundle_writer::{partial_path, BundleOutput, BundleWriter};
use sluice_prover::distributed::{QueueOptions, QueueProver};
use sluice_prover::driver::{resume_bundle, ConsoleProgress, DriveError, EpochProver, Progress};
use sluice_prover::executor::{Config, Program};
use sluice_prover::host::{check_security, HostError, Prover, LONG_EPOCH_LOG2};
use sluice_prover::sizing::{auto_epoch_size_log2, available_memory, peak_bytes};
use sluice_verifier::digest::Digest;
use sluice_verifier::params::ProofParams;
use sluice_verifier::stark::verify::MAX_EPOCH_SIZE_LOG2;
use sluice_verifier::stream::EpochProofVerifier;

use super::files::{read_bounded, read_input, MAX_ELF_BYTES};
use super::{exit, interrupt, resume, Favor, Memory};

pub const LONG_HELP: &str = "\
Executes the guest once, cuts the run into epochs of at most 2^K cycles
(an epoch ends early when one more cycle could overflow a table of its
proof, as a sparse working set or a burst of I/O can), proves the
epochs in parallel (a bounded window of them at a time) and writes each proof
to the bundle as soon as it and every earlier one are done. With `-o -` the
bundle goes to stdout, so it can be verified while it is being proven:

  prover prove guest.elf -o - | prover verify -

A file is written as FILE.partial and renamed to FILE only when complete.
If the run is stopped (Ctrl-C, SIGTERM, a crash, a reboot), FILE.partial
keeps every epoch proven so far, and the same command with --resume
continues it: the finished FILE is byte for byte the one an uninterrupted
run writes. Progress and the summary go to stderr.

Exit status:
  0  bundle written; the guest exited with code 0
  1  bundle written; the guest exited with a non-zero code
  2  usage error, unreadable file, invalid ELF, I/O error or proving failure
  3  the guest faulted or hit --max-cycles (nothing is proven)
  4  the guest ran, but a syscall it makes is of a shape the proof cannot
     show yet (reported before any epoch is proven; nothing is proven)
  130, 143  stopped by SIGINT or SIGTERM after a complete record
     (FILE.partial is kept for --resume)";

/// `--epoch-size-log2`: a fixed size or the memory-driven choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EpochSize {
    Auto,
    Log2(u8),
}

fn parse_epoch_size(s: &str) -> Result<EpochSize, String> {
    if s == "auto" {
        return Ok(EpochSize::Auto);
    }
    match s.parse::<u8>() {
        Ok(k) if (1..=MAX_EPOCH_SIZE_LOG2).contains(&k) => Ok(EpochSize::Log2(k)),
        _ => Err(format!(
            "expected `auto` or a log2 cycle count in 1..={MAX_EPOCH_SIZE_LOG2}"
        )),
    }
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Guest program: a static RV32IM ELF32 executable.
    pub elf: PathBuf,
    /// File whose bytes are the guest's private input. It is never written
    /// to the bundle. Without --zk the proofs do not hide it: a bundle
    /// leaks information about it. With --zk they reveal nothing about it
    /// beyond the public output, the cycle and epoch counts, each epoch's
    /// table heights, the pc at each epoch boundary, and what the epochs'
    /// memory roots (unsalted) confirm of a guessed memory content
    /// (docs/proof-system.md).
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// A file whose bytes are added to the input as one length-prefixed
    /// frame, after --input's raw bytes; repeat for several, in order. A
    /// Rust guest reads each with `io::read_vec()`, or `io::read::<T>()`
    /// for a postcard-encoded value (docs/guests.md). Private like --input:
    /// never written to the bundle, hidden only with --zk.
    #[arg(long = "frame", value_name = "FILE")]
    pub frames: Vec<PathBuf>,
    /// Save the guest's hints (what it passed to `io::hint`, fd 4) to
    /// FILE, before proving starts. Hints are the prover's to see: not
    /// proven and not in the bundle.
    #[arg(long, value_name = "FILE")]
    pub hints: Option<PathBuf>,
    /// Zero-knowledge proofs: Plonky3's hiding PCS masks every committed
    /// column and salts every Merkle leaf with randomness from the operating
    /// system, so the proofs hide the private input. Costs more time,
    /// memory and proof bytes (docs/benchmarks.md). The bundle header
    /// records the mode; verifiers accept both and say which they checked.
    #[arg(long)]
    pub zk: bool,
    /// What the proof parameters favor, each at ≥ 100 bits of conjectured
    /// security (`prover params --favor X` prints them):
    /// `auto` (the default: `short` for a run of one epoch of at most 2^13
    /// cycles, `long` for epochs of 2^19 cycles or more, `balance`
    /// otherwise);
    /// `balance` (blowup 4, 45 queries);
    /// `long` (blowup 4, 42 queries after 22 bits of grinding, a final
    /// polynomial of 64: proofs about 8 % smaller for about 0.7 s of
    /// grinding per epoch);
    /// `speed` (blowup 2, 91 queries: about 1.4× faster in 57 % of the
    /// memory, proofs about 1.85× larger);
    /// `size` (blowup 8, 30 queries: proofs about 29 % smaller, 1.9× the
    /// time and 1.8× the memory). Measured at 2^20 without --zk
    /// (docs/benchmarks.md); with --zk, speed saves little memory;
    /// `short` (blowup 16, 22 queries; with --zk the same as `size`):
    /// proofs about 40 % smaller than balance's for runs under 2^13
    /// cycles, for about 3× the time (0.3–1.3 s more there).
    /// The bundle header records the parameters; verifiers accept them all.
    #[arg(long, value_enum, default_value_t = Favor::Auto)]
    pub favor: Favor,
    /// Epoch size as log2 of the cycle count per epoch (1 to 20), or
    /// `auto`: the largest size up to 20 at which the proving jobs
    /// (--jobs, default one per core) fit the available memory together
    /// (2^18 when the available memory cannot be read).
    ///
    /// Each proving job needs about 3 KiB of memory per cycle of its epoch
    /// (counted as 4.5 KiB: ~4.5 GiB at K = 20, ~1.1 GiB at 18); with
    /// --memory fast about 7 KiB (4.4 measured at 2^20), 4.5 with --favor
    /// speed and 12 with --favor size; with --zk about 27 KiB: ~27 GiB at
    /// 20, ~13.5 GiB at 19, ~6.8 GiB at 18, and about 51 with --favor size
    /// (docs/benchmarks.md).
    /// Smaller epochs prove slightly faster per cycle but make a larger
    /// bundle.
    #[arg(long, value_name = "K|auto", default_value = "auto", value_parser = parse_epoch_size)]
    pub epoch_size_log2: EpochSize,
    /// How the prover trades memory for time; the proofs are the same
    /// byte for byte either way:
    /// `auto` (the default) is `low` for plain proofs and `fast` with --zk;
    /// `low` keeps half of each low-degree extension once it is committed,
    /// recomputes what it needs of the rest, and reuses freed pages for the
    /// next buffers without ever holding more than the most memory live at
    /// once: about a third less peak memory than `fast` (2^20: 2.9 KiB per
    /// cycle instead of 4.4) and as fast or faster from 2^18 cycles
    /// (docs/benchmarks.md, § "Recycled pages");
    /// `fast` keeps every extension whole until the proof is done, and the
    /// whole heap for the next epoch.
    /// `--epoch-size-log2 auto` counts 4.5 KiB per cycle for `low` and 7
    /// for `fast`. With --zk only the allocator changes.
    #[arg(long, value_enum, default_value_t = Memory::Auto)]
    pub memory: Memory,
    /// Where the bundle goes: a file, or `-` for stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE|-")]
    pub output: PathBuf,
    /// Epochs proven at the same time. Default: one per core, but no more
    /// than there are epochs or than the available memory holds (peak memory
    /// is about N times one epoch's, see --epoch-size-log2).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Stop with an error after this many cycles without a halt.
    #[arg(long, value_name = "N", default_value_t = Config::default().max_cycles)]
    pub max_cycles: u64,
    /// Continue FILE.partial, left by a run that was stopped, after its last
    /// complete epoch. The ELF, --favor and --zk must be those it was
    /// started with (--input and every --frame too, in the same order: the
    /// epochs kept are executed again and must make the statements they
    /// made); --jobs may differ, and --epoch-size-log2 auto takes the
    /// file's. The epochs kept are verified
    /// first; a record cut off or rejected is proven again.
    #[arg(long)]
    pub resume: bool,
    /// Prove on workers (`prover worker --queue URL`, any number of machines)
    /// through the Redis at URL (`redis://HOST:PORT[/DB]`). The bundle is
    /// written here, in order, byte for byte what a local run writes; --jobs
    /// is then the number of epochs in flight (default 8), and
    /// --epoch-size-log2 auto sizes epochs for one job of this machine's
    /// memory. See docs/distributed.md.
    #[arg(long, value_name = "URL")]
    pub queue: Option<String>,
    /// With --queue: also prove up to N epochs here while waiting.
    #[arg(long, value_name = "N", default_value_t = 0, requires = "queue")]
    pub local_jobs: usize,
}

/// Epochs in flight with --queue when --jobs is not given.
const QUEUE_DEFAULT_JOBS: usize = 8;

/// What `prove` proves with: the epoch prover, the verifier a resumed
/// file's epochs are checked with, the proof parameters and the image-ID
/// function.
pub struct Provers<'a, P, V, F> {
    pub prover: &'a P,
    pub verifier: &'a V,
    pub params: ProofParams,
    pub image_id: F,
}

/// Runs `prove` as the binary does: progress on the console, SIGINT and
/// SIGTERM stop between two records. Returns the exit code.
pub fn run_with<P, V, F>(args: Args, provers: Provers<'_, P, V, F>) -> u8
where
    P: EpochProver,
    V: EpochProofVerifier + Sync,
    F: Fn(&Program) -> Digest,
{
    run_with_progress(args, provers, &mut ConsoleProgress::new(), true)
}

pub fn run_with_progress<P, V, F>(
    args: Args,
    provers: Provers<'_, P, V, F>,
    progress: &mut dyn Progress,
    handle_signals: bool,
) -> u8
where
    P: EpochProver,
    V: EpochProofVerifier + Sync,
    F: Fn(&Program) -> Digest,
{
    let Provers {
        prover,
        verifier,
        params,
        image_id,
    } = provers;
    let params = args.favor.apply(ProofParams {
        zk: params.zk || args.zk,
        ..params
    });
    let to_stdout = args.output.as_os_str() == "-";
    if args.resume && to_stdout {
        eprintln!(
            "error: --resume continues a file (-o FILE); a bundle sent to stdout cannot be resumed"
        );
        return exit::USAGE_OR_INPUT;
    }
    let resuming = if args.resume {
        match resume::header(&args.output) {
            Ok(found) => found,
            Err(code) => return code,
        }
    } else {
        None
    };
    // Before any file is read.
    if let Err(e) = check_security(&params) {
        eprintln!("error: {e}");
        return exit_code_of(&e);
    }
    let elf = match read_bounded("ELF", &args.elf, MAX_ELF_BYTES) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE_OR_INPUT;
        }
    };
    let host = match Prover::new(&elf) {
        Ok(p) => p.with_epoch_prover(prover),
        Err(e) => {
            eprintln!("error: cannot load `{}`: {e}", args.elf.display());
            return exit::USAGE_OR_INPUT;
        }
    };
    let input = match read_input(args.input.as_deref(), &args.frames) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE_OR_INPUT;
        }
    };
    let claimed_image_id = image_id(host.program());
    let mut host = host
        .input_raw(&input)
        .zk(params.zk)
        .max_cycles(args.max_cycles)
        .with_image_id(claimed_image_id);
    // `auto` leaves the choice to the plan, which knows the run's length.
    if args.favor != Favor::Auto {
        host = host.params(params);
    }
    drop(input);
    match (args.epoch_size_log2, &resuming) {
        (EpochSize::Log2(k), _) => host = host.epoch_size_log2(k),
        (EpochSize::Auto, Some(found)) => host = host.epoch_size_log2(found.epoch_size_log2),
        (EpochSize::Auto, None) if args.queue.is_some() => {
            host = host.epoch_size_log2(auto_epoch_size_log2(available_memory(), 1, &params));
        }
        (EpochSize::Auto, None) => {}
    }
    if let Some(jobs) = args.jobs {
        host = host.jobs(jobs);
    } else if args.queue.is_some() {
        host = host.jobs(QUEUE_DEFAULT_JOBS.max(args.local_jobs));
    }
    // The guest runs once (no recording) before anything is proven: a
    // faulting or unprovable guest fails here, and the totals give the
    // progress bar its ETA.
    let plan = match host.plan() {
        Ok(plan) => plan,
        Err(e) => {
            eprintln!("error: {e}");
            return exit_code_of(&e);
        }
    };
    let ctx = plan.ctx;
    let params = ctx.params;
    let bits = params.conjectured_security_bits();
    let outcome = &plan.outcome;
    let jobs = plan.jobs;
    if let Some(path) = &args.hints {
        if let Err(e) = std::fs::write(path, &outcome.hints) {
            eprintln!("error: cannot write the hints to `{}`: {e}", path.display());
            return exit::USAGE_OR_INPUT;
        }
    }
    if let Some(why) = resuming
        .as_ref()
        .and_then(|found| resume::mismatch(found, &ctx))
    {
        eprintln!(
            "error: cannot resume `{}`: {why}",
            partial_path(&args.output).display()
        );
        return exit::USAGE_OR_INPUT;
    }
    let proving_here = if args.queue.is_some() {
        args.local_jobs
    } else {
        jobs
    };
    let needed = peak_bytes(proving_here, plan.height_log2, &params);
    if let Some(available) = plan
        .available_bytes
        .filter(|&a| proving_here > 0 && a < needed)
    {
        eprintln!(
            "warning: {proving_here} job(s) proving epochs of 2^{} cycles need about {} MiB and only {} MiB \
             are available; if proving is killed, lower --epoch-size-log2 or --jobs",
            ctx.epoch_size_log2,
            needed >> 20,
            available >> 20,
        );
    }
    let chosen = match (args.epoch_size_log2, &resuming) {
        (EpochSize::Auto, Some(_)) => " (--epoch-size-log2 auto: the resumed file's)",
        (EpochSize::Auto, None) => " (--epoch-size-log2 auto: what the available memory holds)",
        (EpochSize::Log2(_), _) => "",
    };
    let favor = match Favor::of(&params) {
        Some(f) => {
            let name = f.to_possible_value().expect("every preset has a name");
            let why = match f {
                _ if args.favor != Favor::Auto => String::new(),
                Favor::Balance => " (--favor auto: a run longer than one short epoch)".into(),
                Favor::Long => {
                    format!(" (--favor auto: epochs of 2^{LONG_EPOCH_LOG2} cycles or more)")
                }
                _ => " (--favor auto: a short run)".into(),
            };
            format!("parameters {}{why}", name.get_name())
        }
        None => "parameters as given".to_string(),
    };
    let memory = match (sluice_prover::pcs::low_memory(), args.memory) {
        (true, Memory::Auto) => "; memory: low (--memory auto: a plain proof)",
        (true, _) => "; memory: low",
        (false, Memory::Auto) => "; memory: fast (--memory auto: a zero-knowledge proof)",
        (false, _) => "; memory: fast",
    };
    eprintln!(
        "proving {} cycles in at least {} epochs of at most 2^{} cycles{chosen} with {jobs} job(s); image ID {}; {favor}, {bits} bits of conjectured security; zero-knowledge: {}{memory}",
        outcome.cycles, outcome.epochs, ctx.epoch_size_log2, ctx.image_id, super::yes_no(params.zk)
    );
    let queue = match &args.queue {
        Some(url) => {
            let options = QueueOptions {
                local_jobs: args.local_jobs,
                ..QueueOptions::new(url)
            };
            match QueueProver::connect(&options, ctx.protocol_version, host.epoch_prover()) {
                Ok(q) => {
                    eprintln!(
                        "run {} on the queue at {url}: {jobs} epoch(s) in flight, {} proven here",
                        q.run_id(),
                        args.local_jobs
                    );
                    Some(q)
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    return exit::USAGE_OR_INPUT;
                }
            }
        }
        None => None,
    };
    let (writer, written) = if resuming.is_some() {
        match resume::reopen(&args.output, verifier, jobs) {
            Ok(r) => (r.writer, r.written),
            Err(code) => return code,
        }
    } else {
        let mut out = match BundleOutput::create(&args.output) {
            Ok(o) => o,
            Err(e) => {
                eprintln!("error: cannot create `{}`: {e}", args.output.display());
                return exit::USAGE_OR_INPUT;
            }
        };
        // A run that fails after this keeps its epochs for --resume.
        out.keep_partial();
        match BundleWriter::new(out, &ctx) {
            Ok(w) => (w, Vec::new()),
            Err(e) => {
                eprintln!("error: cannot write the bundle: {e}");
                return exit::USAGE_OR_INPUT;
            }
        }
    };
    let _watch = if handle_signals {
        let partial = (!to_stdout).then(|| partial_path(&args.output));
        let on_stop = queue
            .as_ref()
            .map(|q| Box::new(q.cleanup_handle()) as interrupt::OnStop);
        match interrupt::watch(writer.record_lock(), partial, on_stop) {
            Ok(w) => Some(w),
            Err(e) => {
                eprintln!("warning: cannot watch for Ctrl-C ({e}); an interrupted run may cut its last record, which --resume then proves again");
                None
            }
        }
    } else {
        None
    };
    let options = host.driver_options(&plan);
    let done_cycles: u64 = written.iter().map(|s| s.cycles).sum();
    progress.start(
        Some(outcome.epochs.saturating_sub(written.len() as u64)),
        Some(outcome.cycles.saturating_sub(done_cycles)),
    );
    let epoch_prover: &dyn EpochProver = match &queue {
        Some(queue) => queue,
        None => host.epoch_prover(),
    };
    let result = resume_bundle(
        &epoch_prover,
        host.program(),
        host.input_stream(),
        &ctx,
        &options,
        writer,
        &written,
        progress,
    );
    // Dropping the queue at return deletes what is left of the run.
    if let Some(queue) = &queue {
        let stats = queue.stats();
        eprintln!(
            "queue: {} job(s) published ({} bytes, at most {} per epoch), {} result bytes received",
            stats.jobs, stats.job_bytes, stats.max_job_bytes, stats.result_bytes
        );
    }
    let (report, out) = match result {
        Ok(r) => r,
        Err(DriveError::Exec(e)) => {
            // Unreachable after the pre-pass unless the executor is not
            // deterministic; nothing here could ever be completed.
            let _ = std::fs::remove_file(partial_path(&args.output));
            eprintln!("error: guest faulted: {e}");
            return exit::GUEST_FAULT;
        }
        Err(e) => {
            eprintln!("error: {e}");
            if !to_stdout && partial_path(&args.output).exists() {
                eprintln!(
                    "note: `{}` keeps the epochs written so far; once the cause is fixed, the \
                     same command with --resume continues it",
                    partial_path(&args.output).display()
                );
            }
            return exit::USAGE_OR_INPUT;
        }
    };
    if let Err(e) = out.commit() {
        eprintln!("error: cannot finish `{}`: {e}", args.output.display());
        return exit::USAGE_OR_INPUT;
    }
    let secs = report.elapsed.as_secs_f64();
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "proved {} epochs{}, {} cycles in {secs:.2} s ({:.0} cycles/s); {} proof bytes; exit code {}; {} bytes of public output",
        report.epochs,
        match report.resumed_epochs {
            0 => String::new(),
            n => format!(" after the {n} resumed"),
        },
        report.cycles,
        report.cycles as f64 / secs.max(1e-9),
        report.proof_bytes,
        report.exit_code,
        report.output_len
    );
    if args.output.as_os_str() != "-" {
        let _ = writeln!(err, "bundle written to {}", args.output.display());
    }
    if report.exit_code == 0 {
        exit::OK
    } else {
        exit::GUEST_EXIT_NONZERO
    }
}

/// The exit code of a run the host library refused before proving.
fn exit_code_of(e: &HostError) -> u8 {
    match e {
        HostError::Fault(_) => exit::GUEST_FAULT,
        HostError::Unprovable { .. } => exit::UNPROVABLE,
        _ => exit::USAGE_OR_INPUT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::verify;
    use sha2::{Digest as _, Sha256};
    use sluice_prover::bundle_writer::partial_path;
    use sluice_prover::driver::{EpochWork, NoProgress};
    use sluice_verifier::digest::KOALABEAR_MODULUS;
    use sluice_verifier::isa::{Instruction as I, Opcode::*};
    use sluice_verifier::statement::{EpochRole, EpochStatement};
    use sluice_verifier::stream::{ChainContext, EpochProofVerifier, ProofRejected};

    /// Test double digests: SHA-256 of (pc, registers, cycle), reduced.
    fn state(pc: u32, regs: &[u32; 32], cycle: u64) -> Digest {
        let mut h = Sha256::new();
        h.update(pc.to_le_bytes());
        for r in regs {
            h.update(r.to_le_bytes());
        }
        h.update(cycle.to_le_bytes());
        let b: [u8; 32] = h.finalize().into();
        Digest(std::array::from_fn(|i| {
            u32::from_le_bytes([b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]])
                % KOALABEAR_MODULUS
        }))
    }

    fn image_id(p: &Program) -> Digest {
        state(p.entry(), &[0; 32], 0)
    }

    /// Test double prover: the "proof" is the epoch index; fails at
    /// `fail_at` if set.
    struct IndexProver {
        fail_at: Option<u64>,
    }
    impl EpochProver for IndexProver {
        fn prove_epoch(
            &self,
            _: &ChainContext,
            work: &EpochWork,
            _: &[u8],
        ) -> anyhow::Result<(EpochStatement, Vec<u8>)> {
            let r = &work.record;
            if Some(r.index) == self.fail_at {
                anyhow::bail!("simulated failure");
            }
            Ok((self.statement(work), r.index.to_le_bytes().to_vec()))
        }

        fn statement(&self, work: &EpochWork) -> EpochStatement {
            let r = &work.record;
            EpochStatement {
                start: state(r.start_pc, &r.start_registers, r.start_cycle),
                end: state(r.end_pc, &r.end_registers, r.start_cycle + r.cycles),
                cycles: r.cycles,
                role: r
                    .exit_code
                    .map_or(EpochRole::Continue, |exit_code| EpochRole::Halt {
                        exit_code,
                    }),
                output: r.public_output.clone(),
            }
        }
    }

    /// Test double verifier matching [`IndexProver`].
    struct IndexVerifier;
    impl EpochProofVerifier for IndexVerifier {
        fn verify_epoch(
            &self,
            _: &ChainContext,
            index: u64,
            _: &EpochStatement,
            proof: &[u8],
        ) -> Result<(), ProofRejected> {
            (proof == index.to_le_bytes())
                .then_some(())
                .ok_or(ProofRejected::new("test", "wrong index"))
        }
    }

    /// A minimal static RV32 ELF with one loadable segment at 0x1_0000.
    fn elf(words: &[u32]) -> Vec<u8> {
        let code: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        let mut b = vec![0u8; 52];
        b[..7].copy_from_slice(&[0x7f, b'E', b'L', b'F', 1, 1, 1]);
        b[16..18].copy_from_slice(&2u16.to_le_bytes()); // ET_EXEC
        b[18..20].copy_from_slice(&243u16.to_le_bytes()); // EM_RISCV
        b[20..24].copy_from_slice(&1u32.to_le_bytes());
        b[24..28].copy_from_slice(&0x1_0000u32.to_le_bytes()); // entry
        b[28..32].copy_from_slice(&52u32.to_le_bytes()); // phoff
        b[42..44].copy_from_slice(&32u16.to_le_bytes());
        b[44..46].copy_from_slice(&1u16.to_le_bytes());
        let len = code.len() as u32;
        for v in [1u32, 84, 0x1_0000, 0x1_0000, len, len, 5, 4] {
            b.extend(v.to_le_bytes());
        }
        b.extend(code);
        b
    }

    /// Writes "ok" to the public output `n` times, then exits with `code`.
    fn guest(n: i32, code: i32) -> Vec<u8> {
        elf(&[
            I::i(Addi, 5, 0, n).encode(),
            I::u(Lui, 11, 0x1_0000).encode(),
            I::i(Addi, 12, 0, 1).encode(),
            I::i(Addi, 10, 0, 3).encode(),
            I::i(Addi, 17, 0, 64).encode(),
            I::bare(Ecall).encode(),
            I::i(Addi, 5, 5, -1).encode(),
            I::b(Bne, 5, 0, -16).encode(),
            I::i(Addi, 10, 0, code).encode(),
            I::i(Addi, 17, 0, 93).encode(),
            I::bare(Ecall).encode(),
        ])
    }

    fn args(dir: &std::path::Path, elf_bytes: &[u8], name: &str) -> Args {
        let elf_path = dir.join(format!("{name}.elf"));
        std::fs::write(&elf_path, elf_bytes).unwrap();
        Args {
            elf: elf_path,
            input: None,
            frames: Vec::new(),
            hints: None,
            epoch_size_log2: EpochSize::Log2(3),
            output: dir.join(format!("{name}.bundle")),
            jobs: Some(2),
            max_cycles: 1 << 20,
            zk: false,
            favor: Favor::Auto,
            memory: Memory::Auto,
            resume: false,
            queue: None,
            local_jobs: 0,
        }
    }

    fn prove(a: Args, prover: &IndexProver) -> u8 {
        let provers = Provers {
            prover,
            verifier: &IndexVerifier,
            params: ProofParams::DEFAULT,
            image_id,
        };
        run_with_progress(a, provers, &mut NoProgress, false)
    }

    fn verify_json(path: &std::path::Path) -> (u8, String) {
        let a = verify::Args {
            bundle: path.to_path_buf(),
            image_id: None,
            elf: None,
            json: true,
            jobs: None,
        };
        let mut out = Vec::new();
        let file = std::fs::File::open(path).unwrap();
        let code = verify::run_on(&a, file, IndexVerifier, image_id, &mut out, false);
        (code, String::from_utf8(out).unwrap())
    }

    #[test]
    fn an_unprovable_run_is_refused_before_proving_with_exit_4() {
        let unprovable = HostError::Unprovable {
            exit_code: 0,
            cycles: 10,
            pc: 0x1_0000,
            what: "syscall shape".into(),
        };
        assert_eq!(exit_code_of(&unprovable), exit::UNPROVABLE);
        let fault = sluice_prover::executor::execute(
            &sluice_prover::executor::Program::from_words(0x1_0000, &[0]).unwrap(),
            &[],
            &Config::default(),
        )
        .unwrap_err();
        assert_eq!(exit_code_of(&HostError::Fault(fault)), exit::GUEST_FAULT);
        assert_eq!(
            exit_code_of(&HostError::TooWeak { bits: 1 }),
            exit::USAGE_OR_INPUT
        );
    }

    #[test]
    fn prove_then_verify_and_exit_codes() {
        let dir = std::env::temp_dir().join(format!("sluice-cli-prove-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let ok = IndexProver { fail_at: None };

        // 5 * 10 + 6 = 56 cycles in 8-cycle epochs, exit 0: 8 epochs, as
        // the first is cut before the first write, which reads the
        // program's first word (executed in that epoch) as data.
        let a = args(&dir, &guest(10, 0), "zero");
        let out = a.output.clone();
        assert_eq!(prove(a, &ok), exit::OK);
        assert!(out.exists() && !partial_path(&out).exists());
        let (code, json) = verify_json(&out);
        assert_eq!(code, 0, "{json}");
        assert!(
            json.contains("\"epochs\":8,\"cycles\":56,\"exit_code\":0"),
            "{json}"
        );
        assert!(json.contains("\"output_len\":10"), "{json}");

        // Non-zero guest exit: the bundle is still written and verifies.
        let a = args(&dir, &guest(3, 5), "five");
        let out = a.output.clone();
        assert_eq!(prove(a, &ok), exit::GUEST_EXIT_NONZERO);
        let (code, json) = verify_json(&out);
        assert_eq!(code, 0, "{json}");
        assert!(json.contains("\"exit_code\":5"), "{json}");

        // Cycle limit: exit 3, nothing written.
        let mut a = args(&dir, &guest(100, 0), "limit");
        a.max_cycles = 100;
        let out = a.output.clone();
        assert_eq!(prove(a, &ok), exit::GUEST_FAULT);
        assert!(!out.exists() && !partial_path(&out).exists());

        // Prover failure: exit 2, the epochs before it kept in FILE.partial;
        // --resume proves the rest into the bundle an unbroken run writes.
        let a = args(&dir, &guest(10, 0), "fails");
        let out = a.output.clone();
        assert_eq!(
            prove(a, &IndexProver { fail_at: Some(3) }),
            exit::USAGE_OR_INPUT
        );
        assert!(!out.exists() && partial_path(&out).exists());
        let mut a = args(&dir, &guest(10, 0), "fails");
        a.resume = true;
        assert_eq!(prove(a, &ok), exit::OK);
        assert!(out.exists() && !partial_path(&out).exists());
        let a = args(&dir, &guest(10, 0), "unbroken");
        let unbroken = a.output.clone();
        assert_eq!(prove(a, &ok), exit::OK);
        assert_eq!(
            std::fs::read(&out).unwrap(),
            std::fs::read(&unbroken).unwrap()
        );
        assert_eq!(verify_json(&out).0, 0);

        // Nothing to resume, or a partial file of another program: exit 2,
        // the partial file untouched.
        let mut a = args(&dir, &guest(10, 0), "absent");
        a.resume = true;
        assert_eq!(prove(a, &ok), exit::USAGE_OR_INPUT);
        let a = args(&dir, &guest(10, 0), "other");
        let other = a.output.clone();
        assert_eq!(
            prove(a, &IndexProver { fail_at: Some(2) }),
            exit::USAGE_OR_INPUT
        );
        let before = std::fs::read(partial_path(&other)).unwrap();
        let mut a = args(&dir, &guest(11, 0), "other");
        a.resume = true;
        assert_eq!(prove(a, &ok), exit::USAGE_OR_INPUT);
        let mut a = args(&dir, &guest(10, 0), "other");
        (a.resume, a.epoch_size_log2) = (true, EpochSize::Log2(4));
        assert_eq!(prove(a, &ok), exit::USAGE_OR_INPUT);
        assert_eq!(std::fs::read(partial_path(&other)).unwrap(), before);
        let mut a = args(&dir, &guest(10, 0), "other");
        (a.resume, a.epoch_size_log2) = (true, EpochSize::Auto);
        assert_eq!(prove(a, &ok), exit::OK);
        assert_eq!(
            std::fs::read(&other).unwrap(),
            std::fs::read(&unbroken).unwrap()
        );

        // Unreadable and invalid ELF: exit 2.
        let a = args(&dir, b"not an elf", "bad");
        assert_eq!(prove(a, &ok), exit::USAGE_OR_INPUT);
        let mut a = args(&dir, b"", "missing");
        a.elf = dir.join("does-not-exist.elf");
        assert_eq!(prove(a, &ok), exit::USAGE_OR_INPUT);

        // A tampered bundle is rejected with exit 1.
        let zero = dir.join("zero.bundle");
        let mut bytes = std::fs::read(&zero).unwrap();
        let n = bytes.len();
        bytes[n - 40] ^= 1;
        let tampered = dir.join("tampered.bundle");
        std::fs::write(&tampered, bytes).unwrap();
        let (code, json) = verify_json(&tampered);
        assert_eq!(code, 1, "{json}");
        assert!(json.starts_with("{\"verified\":false"), "{json}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn epoch_size_is_auto_or_a_valid_log2() {
        assert_eq!(parse_epoch_size("auto"), Ok(EpochSize::Auto));
        assert_eq!(parse_epoch_size("20"), Ok(EpochSize::Log2(20)));
        assert_eq!(parse_epoch_size("1"), Ok(EpochSize::Log2(1)));
        for bad in ["0", "21", "-1", "Auto", "", "18.5"] {
            assert!(parse_epoch_size(bad).is_err(), "{bad}");
        }
    }
}
