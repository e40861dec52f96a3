//! The guest heap: a bump allocator from the end of the image (`_end`, set by
//! the linker script) up to [`HEAP_END`].
//!
//! It never frees. A guest is a single run of a single program on a single
//! hart, usually short, and every cycle it spends is proven: a free list
//! would cost cycles on every allocation and deallocation to save memory the
//! VM has plenty of (almost 1 GiB, and untouched memory costs nothing — only
//! pages a program touches enter an epoch's proof). The one cheap case it does
//! handle is growing the most recent allocation in place, which makes the
//! common `Vec::push` loop use memory linearly instead of quadratically.
//!
//! Memory above the bump pointer has never been handed out and reads as zero
//! (all guest memory starts zeroed), so `alloc_zeroed` skips zeroing.
//!
//! There is no memory protection: a stack that grows below [`HEAP_END`]
//! silently overwrites the heap. The reserve of 8 MiB between them is far
//! more than typical guests use.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::Cell;

use crate::rt::STACK_TOP;

/// Stack space reserved below [`STACK_TOP`].
pub const STACK_RESERVE: u32 = 8 << 20;
/// One past the last byte the heap hands out.
pub const HEAP_END: u32 = STACK_TOP - STACK_RESERVE;

struct BumpAllocator {
    /// Next free address, 0 until the first allocation.
    next: Cell<usize>,
    /// Start of the most recent allocation (for growing it in place).
    last: Cell<usize>,
}

// SAFETY: the VM has one hart, no threads and no interrupts.
unsafe impl Sync for BumpAllocator {}

fn heap_start() -> usize {
    extern "C" {
        // Defined by sluice-guest.ld: the first byte after the image.
        static _end: u8;
    }
    // Only the address of the linker symbol is taken, never its value.
    core::ptr::addr_of!(_end) as usize
}

impl BumpAllocator {
    fn next(&self) -> usize {
        match self.next.get() {
            0 => heap_start(),
            n => n,
        }
    }

    /// Reserves `size` bytes aligned to `align`; null when out of memory.
    fn bump(&self, size: usize, align: usize) -> *mut u8 {
        let start = match self.next().checked_add(align - 1) {
            Some(v) => v & !(align - 1),
            None => return core::ptr::null_mut(),
        };
        match start.checked_add(size) {
            Some(end) if end <= HEAP_END as usize => {
                self.next.set(end);
                self.last.set(start);
                start as *mut u8
            }
            _ => core::ptr::null_mut(),
        }
    }
}

unsafe impl GlobalAlloc for BumpAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.bump(layout.size(), layout.align())
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // Fresh heap memory has never been written: it is already zero.
        self.bump(layout.size(), layout.align())
    }

    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let addr = ptr as usize;
        if addr == self.last.get() && addr != 0 {
            // The most recent block: grow (or keep) it where it is. The
            // bump pointer never moves down, so memory above it stays zero.
            if let Some(end) = addr.checked_add(new_size) {
                if end <= HEAP_END as usize {
                    if end > self.next() {
                        self.next.set(end);
                    }
                    return ptr;
                }
            }
            return core::ptr::null_mut();
        }
        if new_size <= layout.size() {
            return ptr;
        }
        let new = self.bump(new_size, layout.align());
        if !new.is_null() {
            // SAFETY: both blocks are valid for `layout.size()` bytes and the
            // new one lies entirely above the old one.
            unsafe { core::ptr::copy_nonoverlapping(ptr, new, layout.size()) };
        }
        new
    }
}

#[global_allocator]
static HEAP: BumpAllocator = BumpAllocator {
    next: Cell::new(0),
    last: Cell::new(0),
};

/// Bytes of heap handed out so far.
pub fn heap_used() -> usize {
    HEAP.next() - heap_start()
}
