//! `heap::recycle_freed_pages` through the global allocator: large blocks
//! reuse freed pages instead of faulting fresh ones in, keep their contents
//! through growth and shrinking, and the pool never holds more than the
//! most ever live.

mod common;

#[global_allocator]
static ALLOC: sluice_prover::heap::HugePageAlloc = sluice_prover::heap::HugePageAlloc;

const MIB: usize = 1 << 20;

/// A block of `bytes`, every page written.
fn written(bytes: usize, byte: u8) -> Vec<u8> {
    let mut block = Vec::with_capacity(bytes);
    block.resize(bytes, byte);
    std::hint::black_box(&block);
    block
}

#[test]
#[cfg(target_os = "linux")]
fn large_blocks_recycle_their_pages() {
    sluice_prover::heap::recycle_freed_pages();
    let stats = || sluice_prover::heap::recycled_pages().expect("recycling is on");

    let before = common::minor_faults();
    drop(written(128 * MIB, 1));
    let first = common::minor_faults() - before;
    let before = common::minor_faults();
    let again = written(128 * MIB, 2);
    let second = common::minor_faults() - before;
    assert!(
        second * 10 < first.max(64),
        "freed pages were not reused: {first} then {second} faults"
    );
    assert_eq!(stats().fresh, 128 * MIB);

    // A larger block takes the free pages and only the difference fresh.
    drop(again);
    let mut grown = written(100 * MIB, 3);
    let small = written(20 * MIB, 4);
    drop(small);
    grown.extend(std::iter::repeat_n(5u8, 60 * MIB));
    assert!(grown[..100 * MIB].iter().step_by(4096).all(|&b| b == 3));
    assert!(grown[100 * MIB..].iter().step_by(4096).all(|&b| b == 5));
    let s = stats();
    assert!(s.live + s.free <= s.high_water, "{s:?}");
    // The free 28 MiB went into the doubled block before any fresh memory:
    // everything ever mapped is live.
    assert_eq!((s.free, s.fresh), (0, s.live), "{s:?}");

    // Shrinking gives the tail to the next block, and the contents stay.
    grown.truncate(40 * MIB);
    grown.shrink_to_fit();
    assert!(grown.iter().step_by(4096).all(|&b| b == 3));
    let fresh = stats().fresh;
    let next = written(100 * MIB, 6);
    assert_eq!(stats().fresh, fresh, "the freed tail served the next block");
    // Zeroed blocks from recycled pages are zero.
    drop(next);
    let zeros = vec![0u64; 12 * MIB];
    assert!(zeros.iter().step_by(512).all(|&w| w == 0));
    // Down below the pool's threshold, a block moves to the system allocator.
    grown.truncate(MIB);
    grown.shrink_to_fit();
    assert!(grown.iter().all(|&b| b == 3));
    let s = stats();
    assert!(s.live + s.free <= s.high_water, "{s:?}");
}
