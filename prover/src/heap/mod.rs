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
//!
//! [`HugePageAlloc`] makes the first epoch cheap too: it asks the kernel for
//! transparent huge pages on every large fresh block, so the gigabytes an epoch
//! touches fault in 2 MiB at a time instead of 4 KiB (a first `2^20` epoch
//! proved in 12.6–14.2 s instead of 14.3–18.6 s, `docs/benchmarks.md`,
//! § "Huge pages").
//!
//! [`recycle_freed_pages`] is the low-memory alternative to
//! [`retain_freed_memory`]: it keeps freed pages too, but never more than
//! the most memory ever live at once, so a low peak stays low
//! ([`recycle`]).

#[cfg(target_os = "linux")]
pub mod recycle;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

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
    RETAINING.store(true, Ordering::Relaxed);
}

/// Whether [`retain_freed_memory`] was called: the heap then only grows.
static RETAINING: AtomicBool = AtomicBool::new(false);

/// Makes [`HugePageAlloc`] serve every block of at least [`HUGE_BLOCK`]
/// bytes from a [`recycle::Pool`]: freed pages stay resident for the next
/// blocks, and the process never holds more than the most memory it ever
/// had live at once. For `--memory low`, whose peak depends on freed memory
/// leaving the working set; [`retain_freed_memory`] instead keeps the whole
/// heap as it was at its largest, wherever the blocks landed. Call it before
/// the first large allocation; blocks allocated before stay the system
/// allocator's. A no-op outside Linux.
pub fn recycle_freed_pages() {
    RECYCLING.store(cfg!(target_os = "linux"), Ordering::Relaxed);
}

/// Whether [`recycle_freed_pages`] was called.
pub fn recycling() -> bool {
    RECYCLING.load(Ordering::Relaxed)
}

/// The recycling pool's figures, if [`recycle_freed_pages`] was called.
#[cfg(target_os = "linux")]
pub fn recycled_pages() -> Option<recycle::PoolStats> {
    recycling().then(|| pool().stats())
}

/// Set by [`recycle_freed_pages`]; never cleared.
static RECYCLING: AtomicBool = AtomicBool::new(false);

#[cfg(target_os = "linux")]
static POOL: std::sync::Mutex<recycle::Pool> = std::sync::Mutex::new(recycle::Pool::new());

#[cfg(target_os = "linux")]
fn pool() -> std::sync::MutexGuard<'static, recycle::Pool> {
    POOL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Whether a block of `size` bytes aligned to `align` belongs in the pool.
fn recyclable(size: usize, align: usize) -> bool {
    cfg!(target_os = "linux") && size >= HUGE_BLOCK && align <= (2 << 20) && recycling()
}

/// A block from the pool, if [`recyclable`] and the pool has room.
#[allow(unsafe_code)]
fn pool_alloc(layout: Layout, zeroed: bool) -> Option<*mut u8> {
    if !recyclable(layout.size(), layout.align()) {
        return None;
    }
    #[cfg(target_os = "linux")]
    {
        let (p, recycled) = pool().alloc(layout.size())?;
        if zeroed {
            // SAFETY: `p` was just handed out as `(p, recycled)`; it is
            // cleared after the pool's lock is released.
            unsafe { recycle::zero_recycled(p, recycled, layout.size()) };
        }
        Some(p)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = zeroed;
        None
    }
}

/// Frees `ptr` into the pool if the pool handed it out.
fn pool_dealloc(ptr: *mut u8, layout: Layout) -> bool {
    if !recyclable(layout.size(), layout.align()) {
        return false;
    }
    #[cfg(target_os = "linux")]
    return pool().dealloc(ptr);
    #[cfg(not(target_os = "linux"))]
    false
}

/// The system allocator, with transparent huge pages asked for on large
/// blocks. Install it with `#[global_allocator]` in a binary's root, as the
/// `prover` binary and the benches do.
///
/// Linux gives huge pages only to memory marked with `madvise(MADV_HUGEPAGE)`
/// unless the machine is configured to give them to all memory
/// (`/sys/kernel/mm/transparent_hugepage/enabled`). This marks the whole
/// 2 MiB pages of every block of at least [`HUGE_BLOCK`] bytes, when it is
/// allocated or grown, that lie above all memory marked before: with
/// [`retain_freed_memory`] that is the fresh memory at the top of the heap.
/// The first touch then faults in huge pages, which cost one fault and far
/// fewer TLB entries per 2 MiB; memory already resident is not moved.
/// After [`recycle_freed_pages`] those blocks come from the recycling pool
/// instead, whose mappings are advised the same way. Elsewhere it is the
/// plain system allocator.
pub struct HugePageAlloc;

/// Blocks at least this large get huge pages: trace columns and their
/// generation's buffers, extensions, Merkle layers. A huge page is resident
/// in full once any byte of it is written, so a block written sparsely costs
/// up to this much more than its touched pages; 16 and 32 MiB left trace
/// generation on small pages (`docs/benchmarks.md`, § "Huge pages").
pub const HUGE_BLOCK: usize = 8 << 20;

#[allow(unsafe_code)]
// SAFETY: a block is either `System`'s, with the caller's arguments
// forwarded unchanged, or the pool's: aligned to 2 MiB (no larger alignment
// reaches it), at least the size asked, zeroed where asked, owned by one
// block at a time, and recognised by address when freed or resized (pool
// blocks are never smaller than `HUGE_BLOCK`, so smaller layouts skip the
// lookup). `advise` only changes the kernel's paging policy for memory the
// block owns.
unsafe impl GlobalAlloc for HugePageAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if let Some(p) = pool_alloc(layout, false) {
            return p;
        }
        let p = unsafe { System.alloc(layout) };
        advise(p, layout.size());
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if let Some(p) = pool_alloc(layout, true) {
            return p;
        }
        let p = unsafe { System.alloc_zeroed(layout) };
        advise(p, layout.size());
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if !pool_dealloc(ptr, layout) {
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let pooled = recyclable(layout.size(), layout.align()) && pool_owns(ptr);
        if pooled && recyclable(new_size, layout.align()) {
            #[cfg(target_os = "linux")]
            if let Some(p) = pool().realloc(ptr, new_size) {
                return p;
            }
        }
        if pooled || recyclable(new_size, layout.align()) {
            // Into, out of or within the pool where it cannot resize: copy.
            // SAFETY: `GlobalAlloc::realloc`'s contract makes the new layout
            // valid; `ptr` stays valid if the new block cannot be had.
            unsafe {
                let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
                let p = self.alloc(new_layout);
                if !p.is_null() {
                    std::ptr::copy_nonoverlapping(ptr, p, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
                return p;
            }
        }
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        advise(p, new_size);
        p
    }
}

/// Whether the pool handed out `ptr`.
fn pool_owns(ptr: *mut u8) -> bool {
    #[cfg(target_os = "linux")]
    return pool().owns(ptr);
    #[cfg(not(target_os = "linux"))]
    {
        let _ = ptr;
        false
    }
}

/// The end of the highest range advised so far.
static ADVISED_END: AtomicUsize = AtomicUsize::new(0);

/// Marks the whole huge pages inside `[p, p + size)` for huge-page backing.
/// Under [`retain_freed_memory`], only those above the highest range
/// already marked: the heap only grows upwards, so what lies below was
/// marked when it was fresh or holds small blocks, and marking reused
/// memory again gains nothing (it is resident already) and splits the
/// heap's mapping each time. Without it, glibc maps large blocks afresh.
#[allow(unsafe_code)]
fn advise(p: *mut u8, size: usize) {
    const PAGE: usize = 2 << 20;
    if p.is_null() || size < HUGE_BLOCK {
        return;
    }
    let end = (p as usize + size) / PAGE * PAGE;
    let start = if RETAINING.load(Ordering::Relaxed) {
        let previous = ADVISED_END.fetch_max(end, Ordering::Relaxed);
        (p as usize).max(previous).next_multiple_of(PAGE)
    } else {
        // glibc maps every block this large afresh (below the previous
        // ones) and unmaps it on free: all of it is new.
        (p as usize).next_multiple_of(PAGE)
    };
    #[cfg(target_os = "linux")]
    if end > start {
        // SAFETY: the range lies inside the block just allocated; the advice
        // changes how its pages are backed, never their contents. A failure
        // (a kernel without transparent huge pages) leaves 4 KiB pages.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (start, end);
}
