//! Command-line interface: one subcommand per module.

mod execute;
mod image_id;
// `prove` and `verify` are written against the `EpochProver` /
// `EpochProofVerifier` traits (`prove::run_with`, `verify::run_with`). They
// become subcommands when the STARK prover/verifier and the image ID merge;
// until then nothing calls them, and no stand-in proof system is wired in.
#[allow(dead_code)]
mod prove;
#[allow(dead_code)]
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
}

const EXIT_CODES_HELP: &str = "\
Exit status:
  0  the guest halted with exit code 0
  1  the guest halted with a non-zero exit code
  2  usage error, unreadable file or invalid ELF
  3  the guest faulted (illegal instruction, misaligned or unmapped access,
     unknown syscall, bad file descriptor, ebreak) or hit --max-cycles";

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
    let code = match cli.command {
        Command::Execute(args) => execute::run(args),
        Command::ImageId(args) => image_id::run(args),
    };
    ExitCode::from(code)
}
