//! Verify a bundle from Rust: the library call behind `prover verify`.
//!
//! ```sh
//! cargo run --release -p verifier --example verify_bundle -- BUNDLE GUEST.elf
//! ```
//!
//! The guest ELF gives the image ID the bundle must prove; a valid bundle of
//! any other program is rejected.

use std::process::ExitCode;

use sluice_verifier::memory::image_id_from_elf;

fn main() -> ExitCode {
    let args: Vec<_> = std::env::args_os().skip(1).collect();
    let [bundle, elf] = &args[..] else {
        eprintln!("usage: verify_bundle BUNDLE GUEST.elf");
        return ExitCode::from(2);
    };
    let image_id = match std::fs::read(elf)
        .map_err(|e| e.to_string())
        .and_then(|bytes| image_id_from_elf(&bytes).map_err(|e| e.to_string()))
    {
        Ok(id) => id,
        Err(e) => {
            eprintln!(
                "error: cannot read the guest {}: {e}",
                elf.to_string_lossy()
            );
            return ExitCode::from(2);
        }
    };
    let file = match std::fs::File::open(bundle) {
        Ok(f) => std::io::BufReader::new(f),
        Err(e) => {
            eprintln!("error: cannot open {}: {e}", bundle.to_string_lossy());
            return ExitCode::from(2);
        }
    };
    match sluice_verifier::verify_bundle(file, image_id) {
        Ok(s) => {
            println!(
                "verified: {} epochs, {} cycles, exit code {}, {} bytes of public output",
                s.epochs, s.cycles, s.exit_code, s.output_len
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("rejected: {e}");
            ExitCode::FAILURE
        }
    }
}
