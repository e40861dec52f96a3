//! The `prover` command-line tool. See `prover --help`.

mod cli;

#[global_allocator]
static ALLOC: sluice_prover::heap::HugePageAlloc = sluice_prover::heap::HugePageAlloc;

fn main() -> std::process::ExitCode {
    // `cli::main` sets the allocator up for `--memory` before any thread
    // starts (`heap::retain_freed_memory`, or `heap::recycle_freed_pages`
    // for `--memory low`).
    cli::main()
}
