//! What taking memory from the kernel costs on this machine: the time to
//! fault in a fresh 1 GiB mapping (huge pages advised) right after the
//! previous one was unmapped, and after a pause in which a virtual
//! machine's balloon driver may report the freed pages to its host; then
//! the time to write the same memory again while it is still resident (one
//! byte per 4 KiB page each time).
//! `heap::recycle_freed_pages` exists because of the difference
//! (`docs/benchmarks.md`, § "Recycled pages").
//!
//! `cargo run --release -p prover --example fault_cost [PAUSE_SECONDS]`
//! (default 5).

#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn main() {
    use std::time::{Duration, Instant};
    const LEN: usize = 1 << 30;
    let pause: u64 = std::env::args()
        .nth(1)
        .map_or(5, |s| s.parse().expect("PAUSE_SECONDS: a whole number"));
    let touch = |p: *mut u8| {
        let start = Instant::now();
        for offset in (0..LEN).step_by(4096) {
            // SAFETY: `p` maps `LEN` writable bytes.
            unsafe { p.add(offset).write_volatile(1) };
        }
        start.elapsed().as_secs_f64()
    };
    for (round, wait) in [0, 0, pause, pause].into_iter().enumerate() {
        std::thread::sleep(Duration::from_secs(wait));
        // SAFETY: a private anonymous mapping of a fresh range; it is
        // unmapped below and not used after.
        unsafe {
            let p = libc::mmap(
                std::ptr::null_mut(),
                LEN,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            );
            assert_ne!(p, libc::MAP_FAILED, "mmap of 1 GiB failed");
            libc::madvise(p, LEN, libc::MADV_HUGEPAGE);
            let fresh = touch(p.cast());
            let resident = touch(p.cast());
            libc::munmap(p, LEN);
            println!(
                "round {}, after {wait} s: fresh 1 GiB {fresh:.3} s, resident again {resident:.3} s",
                round + 1
            );
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn main() {
    println!("fault_cost: Linux only");
}
