//! `heap::retain_freed_memory`: a block freed by one epoch is reused by the
//! next without faulting its pages in from the kernel again.
//!
//! Its own test binary without the test harness (`harness = false`), so the
//! allocator is tuned before any other thread exists, as in `prover`'s
//! `main`.

mod common;

/// Allocates and writes `bytes`, frees them, and returns the faults it took.
fn epoch(bytes: usize) -> i64 {
    let before = common::minor_faults();
    let mut block = vec![0u8; bytes];
    for page in block.chunks_mut(4096) {
        page[0] = 1;
    }
    std::hint::black_box(&block);
    drop(block);
    common::minor_faults() - before
}

fn main() {
    if !cfg!(all(target_os = "linux", target_env = "gnu")) {
        println!("heap_reuse: glibc only, skipped");
        return;
    }
    sluice_prover::heap::retain_freed_memory();
    const BYTES: usize = 256 << 20;
    let first = epoch(BYTES);
    let second = epoch(BYTES);
    let third = epoch(BYTES);
    // The first epoch faults every page in (65,536 of 4 KiB, fewer with
    // huge pages); the later ones reuse them.
    assert!(first > 1000, "first epoch took only {first} faults");
    assert!(
        second * 20 < first && third * 20 < first,
        "freed memory was not reused: {first}, {second}, {third} faults"
    );
    println!("heap_reuse: ok ({first}, {second}, {third} minor faults)");
}
