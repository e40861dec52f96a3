//! `prover image-id`: print a program's image ID.

use std::path::PathBuf;

use sluice_prover::executor::Program;
use sluice_verifier::memory::image_id;

use super::exit;
use super::files::{read_bounded, MAX_ELF_BYTES};

pub const LONG_HELP: &str = "\
Prints the image ID of a guest ELF: the state digest of its initial state
(segments loaded, registers zero, pc = entry), as 64 hex digits on stdout. A
bundle proves a run of exactly the program with this ID; give it to the
verifier to insist on it.

Exit status:
  0  printed
  2  usage error, unreadable file or invalid ELF

Example:
  prover image-id build/guests/hello.elf";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Guest program: a static RV32IM ELF32 executable.
    pub elf: PathBuf,
}

pub fn run(args: Args) -> u8 {
    let bytes = match read_bounded("ELF", &args.elf, MAX_ELF_BYTES) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE_OR_INPUT;
        }
    };
    match Program::from_elf(&bytes) {
        Ok(program) => {
            println!("{}", image_id(&program));
            exit::OK
        }
        Err(e) => {
            eprintln!("error: cannot load `{}`: {e}", args.elf.display());
            exit::USAGE_OR_INPUT
        }
    }
}
