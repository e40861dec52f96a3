//! The `prover` command-line tool. See `prover --help`.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
