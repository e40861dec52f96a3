//! The `prover` command-line tool. See `prover --help`.

mod cli;

#[global_allocator]
static ALLOC: sluice_prover::heap::HugePageAlloc = sluice_prover::heap::HugePageAlloc;

fn main() -> std::process::ExitCode {
    sluice_prover::heap::retain_freed_memory();
    cli::main()
}
