//! The `prover` command-line tool. See `prover --help`.

mod cli;

fn main() -> std::process::ExitCode {
    sluice_prover::heap::retain_freed_memory();
    cli::main()
}
