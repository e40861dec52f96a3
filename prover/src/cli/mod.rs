//! Command-line interface: one subcommand per module.

mod execute;
mod files;
mod image_id;
mod interrupt;
mod params;
mod prove;
mod resume;
mod verify;
mod worker;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use sluice_prover::prove::StarkEpochProver;
use sluice_verifier::params::ProofParams;
use sluice_verifier::stark::StarkEpochVerifier;

/// What the proof parameters favor (`prove --favor`, `params --favor`):
/// the blowup against the number of queries, each choice at ≥ 100 bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Favor {
    /// `short` for a run of one epoch of at most 2^13 cycles, `long` for
    /// epochs of 2^19 cycles or more, `balance` otherwise (the default).
    #[default]
    Auto,
    /// Blowup 4, 45 queries.
    Balance,
    /// Blowup 4, 42 queries after 22 bits of grinding, a final polynomial
    /// of 64: proofs about 8 % smaller for about 0.7 s of grinding per
    /// epoch.
    Long,
    /// Blowup 2, 91 queries: faster proving in less memory, larger proofs.
    Speed,
    /// Blowup 8, 30 queries: smaller proofs, more time and memory.
    Size,
    /// Blowup 16, 22 queries: the smallest proofs, for short runs (blowup 8,
    /// 30 queries with --zk).
    Short,
}

/// How the prover trades memory for time (`prove --memory`, `worker
/// --memory`); proofs are the same byte for byte either way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Memory {
    /// `low` for plain proofs, `fast` with `--zk` (the default).
    #[default]
    Auto,
    /// Every low-degree extension kept whole; freed memory kept for the
    /// next epoch.
    Fast,
    /// Half of each extension kept once committed, the rest recomputed;
    /// freed pages reused, never more held than the most ever live.
    Low,
}

impl Memory {
    /// `Auto` decided: `low` unless the proofs are zero-knowledge, whose
    /// hiding PCS the lean one does not replace (only the allocator would
    /// change, for about 3 % more memory and the same time).
    fn resolve(self, zk: bool) -> Memory {
        match self {
            Memory::Auto if zk => Memory::Fast,
            Memory::Auto => Memory::Low,
            chosen => chosen,
        }
    }

    /// Sets up the process for this mode (`Auto` as `Fast`): call before
    /// any thread starts.
    pub fn apply(self) {
        match self {
            Memory::Auto | Memory::Fast => sluice_prover::heap::retain_freed_memory(),
            Memory::Low => {
                sluice_prover::pcs::set_low_memory(true);
                sluice_prover::heap::recycle_freed_pages();
            }
        }
    }
}

impl Favor {
    /// `params` with this choice's preset, keeping `params`' mode (zero
    /// knowledge or not); `Auto` keeps `params` as they are (the run's
    /// plan decides).
    pub fn apply(self, params: ProofParams) -> ProofParams {
        let preset = match self {
            Favor::Auto => return params,
            Favor::Balance => ProofParams::DEFAULT,
            Favor::Long => ProofParams::LONG,
            Favor::Speed => ProofParams::SPEED,
            Favor::Size => ProofParams::SIZE,
            Favor::Short => ProofParams::short(params.zk),
        };
        ProofParams {
            zk: params.zk,
            ..preset
        }
    }

    /// The fixed choice whose preset `params` are (in either mode), if any
    /// (`Size` rather than `Short` with zero knowledge, where they agree).
    pub fn of(params: &ProofParams) -> Option<Favor> {
        Favor::value_variants()
            .iter()
            .copied()
            .filter(|&f| f != Favor::Auto)
            .find(|f| {
                f.apply(ProofParams {
                    zk: params.zk,
                    ..ProofParams::DEFAULT
                }) == *params
            })
    }
}

/// Exit codes shared by every subcommand.
pub mod exit {
    /// Success: the guest halted with exit code 0.
    pub const OK: u8 = 0;
    /// The guest halted with a non-zero exit code.
    pub const GUEST_EXIT_NONZERO: u8 = 1;
    /// Usage error, unreadable file, or invalid ELF.
    pub const USAGE_OR_INPUT: u8 = 2;
    /// The guest faulted (illegal instruction, bad memory access, unknown
    /// syscall, ebreak) or hit the cycle limit.
    pub const GUEST_FAULT: u8 = 3;
    /// `prove`: the guest ran, but uses a syscall shape the proof cannot
    /// show yet (nothing was proven).
    pub const UNPROVABLE: u8 = 4;
    // `prove` stopped by a signal exits with 128 + its number (130 for
    // SIGINT, 143 for SIGTERM), as shells report it.
}

const EXIT_CODES_HELP: &str = "\
Exit status:
  0  the guest halted with exit code 0
  1  the guest halted with a non-zero exit code
  2  usage error, unreadable file or invalid ELF
  3  the guest faulted (illegal instruction, misaligned or unmapped access,
     unknown syscall, bad file descriptor, ebreak) or hit --max-cycles
  4  (prove) the guest ran but uses a syscall shape the proof cannot show
     yet; nothing was proven
  130, 143  (prove) stopped by SIGINT or SIGTERM; FILE.partial is kept for
     --resume";

/// Sluice: a streaming zkVM for RISC-V RV32IM.
#[derive(Debug, Parser)]
#[command(name = "prover", version, after_long_help = EXIT_CODES_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a guest ELF natively (no proof) and report cycles, epochs, exit
    /// code and public output.
    #[command(after_long_help = execute::LONG_HELP)]
    Execute(execute::Args),
    /// Print the image ID of a guest ELF (the digest a proof is bound to).
    #[command(after_long_help = image_id::LONG_HELP)]
    ImageId(image_id::Args),
    /// Execute a guest and prove every epoch, streaming the bundle to a file
    /// or stdout as each epoch is proven.
    #[command(after_long_help = prove::LONG_HELP)]
    Prove(prove::Args),
    /// Verify a bundle as it streams in (file or stdin), epoch by epoch.
    #[command(after_long_help = verify::LONG_HELP)]
    Verify(verify::Args),
    /// Prove epochs that coordinators publish on a queue
    /// (`prove --queue`), on this machine.
    #[command(after_long_help = worker::LONG_HELP)]
    Worker(worker::Args),
    /// Print the proof parameters and their conjectured security, round by
    /// round, as Plonky3's calculator grades them.
    #[command(after_long_help = params::LONG_HELP)]
    Params(params::Args),
}

/// "yes" or "no", as the commands report a flag.
fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit::USAGE_OR_INPUT
            } else {
                exit::OK
            });
        }
    };
    let memory = match &cli.command {
        Command::Prove(args) => args.memory.resolve(args.zk),
        Command::Worker(args) => args.memory.resolve(false),
        _ => Memory::Fast,
    };
    memory.apply();
    let code = match cli.command {
        Command::Execute(args) => execute::run(args),
        Command::ImageId(args) => image_id::run(args),
        Command::Prove(args) => prove::run_with(
            args,
            prove::Provers {
                prover: &StarkEpochProver,
                verifier: &StarkEpochVerifier,
                params: ProofParams::DEFAULT,
                image_id: sluice_verifier::memory::image_id,
            },
        ),
        Command::Verify(args) => {
            verify::run_with(args, StarkEpochVerifier, sluice_verifier::memory::image_id)
        }
        Command::Params(args) => params::run(args, ProofParams::DEFAULT),
        Command::Worker(args) => worker::run(args),
    };
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each choice is its preset in either mode, and is recognized back.
    #[test]
    fn favor_applies_its_preset_and_keeps_the_mode() {
        for zk in [false, true] {
            let base = ProofParams {
                zk,
                ..ProofParams::DEFAULT
            };
            for (favor, preset) in [
                (Favor::Balance, ProofParams::DEFAULT),
                (Favor::Long, ProofParams::LONG),
                (Favor::Speed, ProofParams::SPEED),
                (Favor::Size, ProofParams::SIZE),
            ] {
                let want = ProofParams { zk, ..preset };
                assert_eq!(favor.apply(base), want);
                assert_eq!(Favor::of(&want), Some(favor));
            }
            let short = Favor::Short.apply(base);
            assert_eq!(short, ProofParams::short(zk));
            // With zero knowledge the short preset is the size preset.
            let named = if zk { Favor::Size } else { Favor::Short };
            assert_eq!(Favor::of(&short), Some(named));
            assert_eq!(Favor::Auto.apply(base), base);
        }
        let odd = ProofParams {
            num_queries: 60,
            ..ProofParams::DEFAULT
        };
        assert_eq!(Favor::of(&odd), None);
    }
}
