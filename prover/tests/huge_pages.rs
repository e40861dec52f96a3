//! `heap::HugePageAlloc`: a large block is backed by transparent huge pages
//! where the kernel gives them to advised memory, and the same block from
//! the plain system allocator is not.

use std::alloc::{GlobalAlloc, Layout, System};

#[global_allocator]
static ALLOC: sluice_prover::heap::HugePageAlloc = sluice_prover::heap::HugePageAlloc;

const BLOCK: usize = 64 << 20;

/// KiB of this process's anonymous memory in huge pages.
fn huge_kib() -> u64 {
    let rollup = std::fs::read_to_string("/proc/self/smaps_rollup").expect("smaps_rollup");
    rollup
        .lines()
        .find_map(|l| l.strip_prefix("AnonHugePages:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("an AnonHugePages line")
}

/// Writes one byte per 4 KiB page of `block` and returns the huge-page KiB
/// that gained.
fn touch(block: &mut [u8]) -> u64 {
    let before = huge_kib();
    for page in block.chunks_mut(4096) {
        page[0] = 1;
    }
    std::hint::black_box(&block);
    huge_kib().saturating_sub(before)
}

#[test]
fn a_large_block_gets_huge_pages_only_when_advised() {
    let mode =
        std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled").unwrap_or_default();
    if !mode.contains("[madvise]") {
        // `always` backs every block and `never` none: neither shows the advice.
        eprintln!("skipped: transparent huge pages are not in madvise mode ({mode:?})");
        return;
    }
    let mut advised = vec![0u8; BLOCK];
    let gained = touch(&mut advised);
    // At least half of the block's 32 whole huge pages (the kernel may fall
    // back to small pages when it finds no free 2 MiB run).
    assert!(
        gained >= (BLOCK as u64 / 1024) / 2,
        "an advised {BLOCK}-byte block got only {gained} KiB of huge pages"
    );

    let layout = Layout::from_size_align(BLOCK, 4096).unwrap();
    // SAFETY: a non-zero layout; the block is freed with the same layout.
    let plain = unsafe { System.alloc_zeroed(layout) };
    assert!(!plain.is_null());
    // SAFETY: `plain` is a live, zeroed allocation of `BLOCK` bytes.
    let gained_plain = touch(unsafe { std::slice::from_raw_parts_mut(plain, BLOCK) });
    // SAFETY: allocated above with `layout`.
    unsafe { System.dealloc(plain, layout) };
    assert_eq!(gained_plain, 0, "a block nobody advised got huge pages");
    drop(advised);
}
