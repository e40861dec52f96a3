//! Keeping freed memory for the next epoch.
//!
//! Proving an epoch allocates gigabytes of short-lived buffers (trace
//! extensions, Merkle trees, quotients) and frees them all at its end. By
//! default glibc serves every allocation above 32 MiB with its own `mmap`
//! and returns it to the kernel on free, and trims its heaps, so each epoch
//! of a long run faults its whole working set in again from fresh,
//! kernel-zeroed pages: measured at 2^17 cycles, 12 % of proving was the
//! kernel zeroing pages (`docs/benchmarks.md` § "Reusing the heap").
//!
//! [`retain_freed_memory`] makes glibc serve large blocks from one heap and
//! never give freed memory back, so the second and later epochs reuse the
//! first one's pages. Peak memory is unchanged (the next epoch needs as much
//! again); the process simply keeps it between epochs.

/// Tunes glibc's allocator so that freed memory stays in the process for
/// reuse. Call it once, first thing in `main`, before any thread starts.
/// The `prover` binary and the benches do; an embedding host may. A no-op
/// where the C library is not glibc.
#[allow(unsafe_code)]
pub fn retain_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only sets allocator parameters; glibc documents each
    // of these values, and calling it before other threads exist avoids
    // racing with their first allocation.
    unsafe {
        // One arena: large blocks cannot be served by the per-thread arenas'
        // 64 MiB heaps without `mmap`, and would otherwise fall back to the
        // main heap anyway; one arena lets every thread reuse them.
        libc::mallopt(libc::M_ARENA_MAX, 1);
        // No `mmap` for large blocks: they come from the heap and go back to it.
        libc::mallopt(libc::M_MMAP_MAX, 0);
        // Never trim the heap's top (−1 disables trimming).
        libc::mallopt(libc::M_TRIM_THRESHOLD, -1);
        // Grow the heap 64 MiB at a time.
        libc::mallopt(libc::M_TOP_PAD, 64 << 20);
    }
}
