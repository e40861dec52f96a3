//! `prover prove`: execute a guest, prove every epoch, stream the bundle.
//!
//! Written against the [`EpochProver`] trait: [`run_with`] is the
//! integration point. The subcommand is registered in `cli/mod.rs` once the
//! STARK prover (`sluice_prover::prove::StarkEpochProver`) and the image ID
//! (`sluice_verifier::memory::image_id`) are on main; no stand-in prover is
//! ever wired into the binary.

use std::io::Write;
use std::path::PathBuf;

use sluice_prover::bundle_writer::{BundleOutput, BundleWriter};
use sluice_prover::driver::{
    prove_bundle, ConsoleProgress, DriveError, DriverOptions, EpochProver, Progress,
};
use sluice_prover::executor::{execute, Config, Program};
use sluice_verifier::bundle::{MAX_EPOCH_SIZE_LOG2, MIN_EPOCH_SIZE_LOG2};
use sluice_verifier::digest::Digest;
use sluice_verifier::params::{ProofParams, MIN_SECURITY_BITS};
use sluice_verifier::stream::ChainContext;
use sluice_verifier::PROTOCOL_VERSION;

use super::exit;

pub const LONG_HELP: &str = "\
Executes the guest once, cuts the run into epochs of 2^K cycles, proves the
epochs in parallel (a bounded window of them at a time) and writes each proof
to the bundle as soon as it and every earlier one are done. With `-o -` the
bundle goes to stdout, so it can be verified while it is being proven:

  prover prove guest.elf -o - | prover verify -

A file is written as FILE.partial and renamed to FILE only when complete.
Progress and the summary go to stderr.

Exit status:
  0  bundle written; the guest exited with code 0
  1  bundle written; the guest exited with a non-zero code
  2  usage error, unreadable file, invalid ELF, I/O error or proving failure
  3  the guest faulted or hit --max-cycles (nothing is proven)";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Guest program: a static RV32IM ELF32 executable.
    pub elf: PathBuf,
    /// File whose bytes are the guest's private input.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Epoch size as log2 of the cycle count per epoch.
    #[arg(long, value_name = "K", default_value_t = 20,
          value_parser = clap::value_parser!(u8).range(MIN_EPOCH_SIZE_LOG2 as i64..=MAX_EPOCH_SIZE_LOG2 as i64))]
    pub epoch_size_log2: u8,
    /// Where the bundle goes: a file, or `-` for stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE|-")]
    pub output: PathBuf,
    /// Epochs proven at the same time (default: one per core).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Stop with an error after this many cycles without a halt.
    #[arg(long, value_name = "N", default_value_t = Config::default().max_cycles)]
    pub max_cycles: u64,
}

/// Runs `prove` with `prover`, proof parameters `params` and the image-ID
/// function `image_id`. Returns the exit code.
pub fn run_with<P: EpochProver>(
    args: Args,
    prover: &P,
    params: ProofParams,
    image_id: impl Fn(&Program) -> Digest,
) -> u8 {
    run_with_progress(args, prover, params, image_id, &mut ConsoleProgress::new())
}

pub fn run_with_progress<P: EpochProver>(
    args: Args,
    prover: &P,
    params: ProofParams,
    image_id: impl Fn(&Program) -> Digest,
    progress: &mut dyn Progress,
) -> u8 {
    let bits = params.conjectured_security_bits();
    if bits < MIN_SECURITY_BITS {
        eprintln!("error: proof parameters give {bits} bits of security; at least {MIN_SECURITY_BITS} required");
        return exit::USAGE_OR_INPUT;
    }
    let elf = match std::fs::read(&args.elf) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read ELF `{}`: {e}", args.elf.display());
            return exit::USAGE_OR_INPUT;
        }
    };
    let program = match Program::from_elf(&elf) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: cannot load `{}`: {e}", args.elf.display());
            return exit::USAGE_OR_INPUT;
        }
    };
    let input = match &args.input {
        Some(path) => match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("error: cannot read input `{}`: {e}", path.display());
                return exit::USAGE_OR_INPUT;
            }
        },
        None => Vec::new(),
    };
    let config = Config {
        epoch_size_log2: args.epoch_size_log2.into(),
        max_cycles: args.max_cycles,
    };
    // A fast pass (no recording) first: a faulting guest fails before any
    // proving, and the totals give the progress bar its ETA.
    let outcome = match execute(&program, &input, &config) {
        Ok(o) => o,
        Err(e) => {
            eprintln!(
                "error: guest faulted: {e} (after {} cycles); nothing was proven",
                e.cycles
            );
            return exit::GUEST_FAULT;
        }
    };
    let ctx = ChainContext {
        protocol_version: PROTOCOL_VERSION,
        params,
        image_id: image_id(&program),
        epoch_size_log2: args.epoch_size_log2,
    };
    eprintln!(
        "proving {} cycles in {} epochs of 2^{} cycles; image ID {}; {bits} bits of conjectured security",
        outcome.cycles, outcome.epochs, args.epoch_size_log2, ctx.image_id
    );
    let out = match BundleOutput::create(&args.output) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: cannot create `{}`: {e}", args.output.display());
            return exit::USAGE_OR_INPUT;
        }
    };
    let writer = match BundleWriter::new(out, &ctx) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: cannot write the bundle: {e}");
            return exit::USAGE_OR_INPUT;
        }
    };
    let options = DriverOptions {
        max_cycles: args.max_cycles,
        ..args
            .jobs
            .map_or_else(DriverOptions::default, DriverOptions::with_jobs)
    };
    progress.start(Some(outcome.epochs), Some(outcome.cycles));
    let result = prove_bundle(prover, &program, &input, &ctx, &options, writer, progress);
    let (report, out) = match result {
        Ok(r) => r,
        Err(DriveError::Exec(e)) => {
            eprintln!("error: guest faulted: {e}");
            return exit::GUEST_FAULT;
        }
        Err(e) => {
            eprintln!("error: {e}");
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
        "proved {} epochs, {} cycles in {secs:.2} s ({:.0} cycles/s); {} proof bytes; exit code {}; {} bytes of public output",
        report.epochs,
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
