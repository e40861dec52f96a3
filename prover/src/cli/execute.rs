//! `prover execute`: run a guest natively.

use std::io::Write;
use std::path::{Path, PathBuf};

use sluice_prover::executor::{Cause, Config, Executor, Program, MAX_EPOCH_SIZE_LOG2};

use super::exit;
use super::files::{read_bounded, read_input, MAX_ELF_BYTES};

pub const LONG_HELP: &str = "\
Guest stdout (fd 1) and stderr (fd 2) are forwarded to this process's stdout
and stderr as the guest writes them, and its hints (fd 4, `io::hint`) to the
--hints file. When the guest halts, a summary is
printed to stdout:

  cycles:        <instructions executed, the final ecall included>
  epochs:        <number of epochs of at most 2^K cycles; `prove` may cut more,
                  ending an epoch early when its proof's tables would overflow>
  exit code:     <the guest's exit code>
  public output: <N bytes>, then the bytes as hex and, if printable UTF-8,
                 as text

Faults (illegal instruction, misaligned or unmapped access, unknown syscall,
bad file descriptor, ebreak, cycle limit) are reported on stderr with the pc.

Exit status:
  0  the guest halted with exit code 0
  1  the guest halted with a non-zero exit code
  2  usage error, unreadable file or invalid ELF
  3  the guest faulted or hit --max-cycles

Example:
  prover execute build/hello.elf --input input.bin";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Guest program: a static RV32IM ELF32 executable.
    pub elf: PathBuf,
    /// File whose bytes are the guest's private input (read from fd 0).
    /// Without it the input is empty.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// A file whose bytes are added to the input as one length-prefixed
    /// frame, after --input's raw bytes; repeat for several, in order. A
    /// Rust guest reads each with `io::read_vec()`, or `io::read::<T>()`
    /// for a postcard-encoded value (docs/guests.md).
    #[arg(long = "frame", value_name = "FILE")]
    pub frames: Vec<PathBuf>,
    /// Write the guest's hints (what it passed to `io::hint`, fd 4) to
    /// FILE as it runs. Without it they are dropped.
    #[arg(long, value_name = "FILE")]
    pub hints: Option<PathBuf>,
    /// Epoch size as log2 of the cycle count per epoch.
    #[arg(long, value_name = "K", default_value_t = Config::default().epoch_size_log2,
          value_parser = clap::value_parser!(u32).range(0..=MAX_EPOCH_SIZE_LOG2 as i64))]
    pub epoch_size_log2: u32,
    /// Stop with an error after this many cycles without a halt.
    #[arg(long, value_name = "N", default_value_t = Config::default().max_cycles)]
    pub max_cycles: u64,
}

fn read_file(what: &str, path: &Path, limit: u64) -> Result<Vec<u8>, u8> {
    read_bounded(what, path, limit).map_err(|e| {
        eprintln!("error: {e}");
        exit::USAGE_OR_INPUT
    })
}

/// Hex of `bytes`, at most `max` bytes shown.
fn hex(bytes: &[u8], max: usize) -> String {
    let mut s: String = bytes.iter().take(max).map(|b| format!("{b:02x}")).collect();
    if bytes.len() > max {
        s.push_str(&format!("… ({} more bytes)", bytes.len() - max));
    }
    s
}

fn printable_text(bytes: &[u8]) -> Option<&str> {
    let s = std::str::from_utf8(bytes).ok()?;
    s.chars()
        .all(|c| !c.is_control() || c == '\n' || c == '\t' || c == '\r')
        .then_some(s)
}

pub fn run(args: Args) -> u8 {
    let elf = match read_file("ELF", &args.elf, MAX_ELF_BYTES) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let program = match Program::from_elf(&elf) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: cannot load `{}`: {e}", args.elf.display());
            eprintln!(
                "hint: the guest must be a static executable built for riscv32im-unknown-none-elf \
                 (or gcc -march=rv32im -mabi=ilp32), linked inside guest memory"
            );
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
    let config = Config {
        epoch_size_log2: args.epoch_size_log2,
        max_cycles: args.max_cycles,
    };
    let mut ex = match Executor::new(&program, input, &config) {
        Ok(ex) => ex,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE_OR_INPUT;
        }
    };
    ex.forward_host_output(Box::new(std::io::stdout()), Box::new(std::io::stderr()));
    let hints: Box<dyn Write + Send> = match &args.hints {
        Some(path) => match std::fs::File::create(path) {
            Ok(file) => Box::new(std::io::BufWriter::new(file)),
            Err(e) => {
                eprintln!("error: cannot create `{}`: {e}", path.display());
                return exit::USAGE_OR_INPUT;
            }
        },
        None => Box::new(std::io::sink()),
    };
    ex.forward_hints(hints);
    let result = ex.run();
    let mut out = std::io::stdout().lock();
    match result {
        Ok(()) => {
            let code = ex.exit_code().unwrap_or(0);
            let output = ex.public_output();
            let _ = writeln!(out, "cycles:        {}", ex.cycles());
            let _ = writeln!(
                out,
                "epochs:        {} (at most 2^{} cycles each)",
                ex.epochs(),
                config.epoch_size_log2
            );
            let _ = writeln!(out, "exit code:     {code}");
            let _ = writeln!(out, "public output: {} bytes", output.len());
            if !output.is_empty() {
                let _ = writeln!(out, "  hex:  {}", hex(output, 4096));
                if let Some(text) = printable_text(output) {
                    let _ = writeln!(out, "  text: {text}");
                }
            }
            let _ = out.flush();
            if code == 0 {
                exit::OK
            } else {
                exit::GUEST_EXIT_NONZERO
            }
        }
        Err(e) => {
            let _ = out.flush();
            eprintln!("error: guest faulted: {e} (after {} cycles)", e.cycles);
            let hint = match e.cause {
                Cause::CycleLimit { .. } => {
                    "raise --max-cycles if the program is expected to run longer".to_string()
                }
                Cause::InvalidConfig { .. } => "fix the command-line options".to_string(),
                _ => format!(
                    "inspect the guest near pc {:#010x}, e.g. riscv64-unknown-elf-objdump -d {}",
                    e.pc,
                    args.elf.display()
                ),
            };
            eprintln!("hint: {hint}");
            exit::GUEST_FAULT
        }
    }
}
