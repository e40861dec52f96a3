//! Recycling the pages of large blocks (`--memory low`).
//!
//! A low peak needs freed memory out of the working set, but memory given
//! back to the kernel costs time to take again: the kernel zeroes every
//! fresh page, and a virtual machine that reports free memory to its host
//! (virtio-balloon free page reporting) has the host fault each one in
//! again too. On the benchmark VM that is 0.7–1.1 s per GiB, against
//! 0.05 s for pages the guest still holds (`docs/benchmarks.md`,
//! § "Recycled pages").
//!
//! [`Pool`] keeps freed pages in the process and moves them to where the
//! next block needs them. Every large block is a mapping of its own, in
//! whole 2 MiB pages. A freed block, or the tail cut off a shrunk one, joins
//! a list of free regions that stay resident. A new block takes the free
//! region that fits it best; when none is large enough it is assembled in a
//! fresh mapping from free regions moved there with `mremap` (the page
//! tables move, the bytes do not), and only what the free list cannot cover
//! is fresh memory. So fresh memory is mapped only when the free list is
//! empty, and the resident total, live plus free, never exceeds the most
//! bytes ever live at once: the peak that giving every freed page back
//! would have reached anyway.

use std::ptr::null_mut;

/// The unit of every block: a transparent huge page.
pub const CHUNK: usize = 2 << 20;

/// How many live blocks, and how many free regions, the pool tracks. A
/// block the pool cannot track comes from the system allocator instead; a
/// free region it cannot track is unmapped.
const SLOTS: usize = 1024;

/// `len` bytes of mapped memory from `addr`, both multiples of [`CHUNK`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Region {
    addr: usize,
    len: usize,
}

/// A fixed-capacity list of regions: the allocator cannot allocate.
struct Regions {
    items: [Region; SLOTS],
    count: usize,
}

impl Regions {
    const fn new() -> Self {
        Self {
            items: [Region { addr: 0, len: 0 }; SLOTS],
            count: 0,
        }
    }

    fn as_slice(&self) -> &[Region] {
        &self.items[..self.count]
    }

    fn is_full(&self) -> bool {
        self.count == SLOTS
    }

    /// Adds `region`; false when the list is full.
    fn push(&mut self, region: Region) -> bool {
        if self.is_full() {
            return false;
        }
        self.items[self.count] = region;
        self.count += 1;
        true
    }

    fn remove(&mut self, i: usize) -> Region {
        let region = self.items[i];
        self.count -= 1;
        self.items[i] = self.items[self.count];
        region
    }

    fn position(&self, addr: usize) -> Option<usize> {
        self.as_slice().iter().position(|r| r.addr == addr)
    }
}

/// What a [`Pool`] holds, in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// In blocks handed out and not freed.
    pub live: usize,
    /// Resident in free regions.
    pub free: usize,
    /// Mapped fresh from the kernel, in total.
    pub fresh: usize,
    /// The most ever live at once.
    pub high_water: usize,
}

/// Large blocks whose freed pages are kept and reused (module docs).
pub struct Pool {
    live: Regions,
    free: Regions,
    stats: PoolStats,
}

impl Default for Pool {
    fn default() -> Self {
        Self::new()
    }
}

#[allow(unsafe_code)]
impl Pool {
    pub const fn new() -> Self {
        Self {
            live: Regions::new(),
            free: Regions::new(),
            stats: PoolStats {
                live: 0,
                free: 0,
                fresh: 0,
                high_water: 0,
            },
        }
    }

    pub fn stats(&self) -> PoolStats {
        self.stats
    }

    /// Whether `addr` starts a block this pool handed out.
    pub fn owns(&self, addr: *mut u8) -> bool {
        self.live.position(addr as usize).is_some()
    }

    /// A block of at least `size` bytes, aligned to [`CHUNK`], and how many
    /// of its first bytes are recycled (the rest is fresh and reads as
    /// zeros; [`zero_recycled`] clears the recycled part for a zeroed
    /// allocation, outside the caller's lock). `None` when the pool cannot
    /// track another block or the kernel refuses memory (the caller then
    /// asks the system allocator).
    pub fn alloc(&mut self, size: usize) -> Option<(*mut u8, usize)> {
        if self.live.is_full() || size == 0 {
            return None;
        }
        let len = size.checked_next_multiple_of(CHUNK)?;
        let best = self
            .free
            .as_slice()
            .iter()
            .enumerate()
            .filter(|(_, r)| r.len >= len)
            .min_by_key(|(_, r)| r.len)
            .map(|(i, _)| i);
        let (addr, recycled) = match best {
            Some(i) => (self.take_free_prefix(i, len), len),
            None => {
                let addr = map_fresh(len)?;
                (addr, self.fill(addr, 0, len))
            }
        };
        self.take_live(Region { addr, len });
        Some((addr as *mut u8, recycled))
    }

    /// Frees a block [`Self::alloc`] handed out; false if it did not.
    pub fn dealloc(&mut self, addr: *mut u8) -> bool {
        let Some(i) = self.live.position(addr as usize) else {
            return false;
        };
        let region = self.live.remove(i);
        self.stats.live -= region.len;
        self.keep_free(region);
        true
    }

    /// Resizes a block this pool handed out to at least `new_size` bytes,
    /// keeping its first `min(old, new)` bytes; `None` if the block is not
    /// the pool's or the pool cannot grow it (the caller then copies).
    /// Shrinking keeps the address and frees the tail's pages.
    pub fn realloc(&mut self, addr: *mut u8, new_size: usize) -> Option<*mut u8> {
        let i = self.live.position(addr as usize)?;
        let old = self.live.items[i];
        let new_len = new_size.max(1).checked_next_multiple_of(CHUNK)?;
        if new_len <= old.len {
            if new_len < old.len {
                self.live.items[i].len = new_len;
                self.stats.live -= old.len - new_len;
                self.keep_free(Region {
                    addr: old.addr + new_len,
                    len: old.len - new_len,
                });
            }
            return Some(addr);
        }
        let target = map_fresh(new_len)?;
        move_pages(old.addr, old.len, target);
        self.fill(target, old.len, new_len);
        self.live.items[i] = Region {
            addr: target,
            len: new_len,
        };
        self.stats.live += new_len - old.len;
        self.stats.high_water = self.stats.high_water.max(self.stats.live);
        Some(target as *mut u8)
    }

    fn take_live(&mut self, region: Region) {
        self.live.push(region);
        self.stats.live += region.len;
        self.stats.high_water = self.stats.high_water.max(self.stats.live);
    }

    /// Takes the first `len` bytes of free region `i` off the free list and
    /// returns their address.
    fn take_free_prefix(&mut self, i: usize, len: usize) -> usize {
        let region = self.free.items[i];
        if region.len == len {
            self.free.remove(i);
        } else {
            self.free.items[i] = Region {
                addr: region.addr + len,
                len: region.len - len,
            };
        }
        self.stats.free -= len;
        region.addr
    }

    /// Puts `region` on the free list, or unmaps it if the list is full.
    fn keep_free(&mut self, region: Region) {
        if self.free.push(region) {
            self.stats.free += region.len;
        } else {
            unmap(region);
        }
    }

    /// Moves free regions, largest first, into `[target + from, target +
    /// to)` of a fresh mapping, and returns where the moved prefix ends
    /// (the rest stays fresh); counts the fresh rest in the stats.
    fn fill(&mut self, target: usize, from: usize, to: usize) -> usize {
        let mut end = from;
        while end < to {
            let Some(i) = (0..self.free.count).max_by_key(|&i| self.free.items[i].len) else {
                break;
            };
            let region = self.free.items[i];
            let take = region.len.min(to - end);
            move_pages(region.addr, take, target + end);
            self.take_free_prefix(i, take);
            end += take;
        }
        self.stats.fresh += to - end;
        end
    }
}

/// Clears the first `min(recycled, size)` bytes of a block [`Pool::alloc`]
/// just handed out as `(block, recycled)`, for a zeroed allocation.
///
/// # Safety
///
/// `block` must be that block, not yet used.
#[allow(unsafe_code)]
pub unsafe fn zero_recycled(block: *mut u8, recycled: usize, size: usize) {
    // SAFETY: the block is at least `size` bytes, mapped and the caller's.
    unsafe { std::ptr::write_bytes(block, 0, recycled.min(size)) };
}

/// A fresh anonymous mapping of `len` bytes aligned to [`CHUNK`], advised
/// for transparent huge pages.
#[allow(unsafe_code)]
fn map_fresh(len: usize) -> Option<usize> {
    let span = len.checked_add(CHUNK)?;
    // SAFETY: a private anonymous mapping at an address the kernel picks
    // touches no existing memory.
    let raw = unsafe {
        libc::mmap(
            null_mut(),
            span,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if raw == libc::MAP_FAILED {
        return None;
    }
    let raw = raw as usize;
    let addr = raw.next_multiple_of(CHUNK);
    // SAFETY: the two trimmed ends lie inside the mapping just made and
    // outside `[addr, addr + len)`; the advice changes only how the
    // mapping's pages are backed.
    unsafe {
        if addr > raw {
            libc::munmap(raw as *mut libc::c_void, addr - raw);
        }
        let tail = raw + span - (addr + len);
        if tail > 0 {
            libc::munmap((addr + len) as *mut libc::c_void, tail);
        }
        libc::madvise(addr as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
    }
    Some(addr)
}

/// Moves the pages of `[src, src + len)` to `[dst, dst + len)`, which must
/// be mapped memory nobody uses, one [`CHUNK`] at a time: every mapping
/// boundary the pool makes falls on a chunk boundary, so each chunk lies in
/// one mapping and its move cannot fail for spanning several (a whole-range
/// move can, and kernels before 6.17 unmap the destination before finding
/// out, leaving a hole another thread's `mmap` could take). Consecutive
/// chunks of one source mapping merge again at the destination.
///
/// A chunk the kernel still refuses to move (it is out of memory for page
/// tables, or at its limit of mappings) may have left such a hole, which
/// the pool cannot tell from its own mapping; it aborts the process rather
/// than hand out a block that might not be whole, as Rust does when an
/// allocation fails.
#[allow(unsafe_code)]
fn move_pages(src: usize, len: usize, dst: usize) {
    for offset in (0..len).step_by(CHUNK) {
        // SAFETY: the caller owns both ranges; a fixed move replaces the
        // unused pages at the destination and leaves the source unmapped.
        let p = unsafe {
            libc::mremap(
                (src + offset) as *mut libc::c_void,
                CHUNK,
                CHUNK,
                libc::MREMAP_MAYMOVE | libc::MREMAP_FIXED,
                (dst + offset) as *mut libc::c_void,
            )
        };
        if p as usize != dst + offset {
            const MESSAGE: &[u8] =
                b"sluice: the kernel refused to move a block's pages (mremap); out of memory\n";
            // SAFETY: writes a static buffer to standard error; nothing is
            // allocated, as the allocator must not.
            unsafe {
                libc::write(2, MESSAGE.as_ptr().cast(), MESSAGE.len());
            }
            std::process::abort();
        }
    }
}

#[allow(unsafe_code)]
fn unmap(region: Region) {
    // SAFETY: the region is a mapping this pool owns and nobody uses.
    unsafe { libc::munmap(region.addr as *mut libc::c_void, region.len) };
}

#[cfg(test)]
#[allow(unsafe_code)]
mod tests {
    use super::*;

    const MIB: usize = 1 << 20;

    /// `pool.alloc`, zeroed if asked, as the global allocator does it.
    fn alloc(pool: &mut Pool, size: usize, zeroed: bool) -> *mut u8 {
        let (p, recycled) = pool.alloc(size).unwrap();
        if zeroed {
            // SAFETY: `p` was just handed out as `(p, recycled)`.
            unsafe { zero_recycled(p, recycled, size) };
        }
        p
    }

    fn fill_block(p: *mut u8, len: usize, byte: u8) {
        // SAFETY: `p` is a live block of at least `len` bytes.
        unsafe { std::ptr::write_bytes(p, byte, len) };
    }

    /// Whether every `4096`th byte of the block, and its last, is `byte`.
    fn holds(p: *mut u8, len: usize, byte: u8) -> bool {
        // SAFETY: `p` is a live block of at least `len` bytes.
        let block = unsafe { std::slice::from_raw_parts(p, len) };
        block.iter().step_by(4096).all(|&b| b == byte) && block[len - 1] == byte
    }

    #[test]
    fn a_freed_block_serves_the_next_one_without_fresh_memory() {
        let mut pool = Pool::new();
        let a = alloc(&mut pool, 20 * MIB, false);
        fill_block(a, 20 * MIB, 7);
        assert!(pool.dealloc(a));
        let b = alloc(&mut pool, 19 * MIB, false);
        assert_eq!(b, a);
        assert!(holds(b, 19 * MIB, 7), "recycled, not fresh");
        let stats = pool.stats();
        assert_eq!(stats.fresh, 20 * MIB);
        assert_eq!((stats.live, stats.free), (20 * MIB, 0));
        let c = alloc(&mut pool, 8 * MIB, true);
        assert!(holds(c, 8 * MIB, 0), "fresh memory is zero");
        pool.dealloc(c);
        let d = alloc(&mut pool, 8 * MIB, true);
        fill_block(d, MIB, 0);
        assert_eq!(d, c);
        pool.dealloc(b);
        let e = alloc(&mut pool, 20 * MIB, true);
        assert!(holds(e, 20 * MIB, 0), "a recycled zeroed block is cleared");
        assert_eq!(pool.stats().fresh, 28 * MIB);
        for p in [d, e] {
            assert!(pool.dealloc(p));
        }
        assert!(!pool.dealloc(d), "a block is freed once");
    }

    #[test]
    fn a_larger_block_is_assembled_from_free_regions() {
        let mut pool = Pool::new();
        let a = alloc(&mut pool, 6 * MIB, false);
        let b = alloc(&mut pool, 4 * MIB, false);
        fill_block(a, 6 * MIB, 1);
        fill_block(b, 4 * MIB, 2);
        pool.dealloc(a);
        pool.dealloc(b);
        assert_eq!(pool.stats().fresh, 10 * MIB);
        let c = alloc(&mut pool, 12 * MIB, false);
        // Largest first: `a`'s pages, then `b`'s, then 2 MiB fresh.
        assert!(holds(c, 6 * MIB, 1));
        assert!(holds(c.wrapping_add(6 * MIB), 4 * MIB, 2));
        assert!(holds(c.wrapping_add(10 * MIB), 2 * MIB, 0));
        let stats = pool.stats();
        assert_eq!(
            (stats.fresh, stats.free, stats.live),
            (12 * MIB, 0, 12 * MIB)
        );
        // The assembled block spans several mappings; it still moves whole.
        fill_block(c, 12 * MIB, 3);
        pool.dealloc(c);
        let d = alloc(&mut pool, 14 * MIB, true);
        assert!(holds(d, 14 * MIB, 0));
        assert_eq!(pool.stats().fresh, 14 * MIB);
        pool.dealloc(d);
    }

    #[test]
    fn shrinking_frees_the_tail_and_growing_keeps_the_contents() {
        let mut pool = Pool::new();
        let a = alloc(&mut pool, 16 * MIB, false);
        fill_block(a, 16 * MIB, 5);
        assert_eq!(pool.realloc(a, 7 * MIB), Some(a));
        let stats = pool.stats();
        assert_eq!((stats.live, stats.free), (8 * MIB, 8 * MIB));
        let b = alloc(&mut pool, 8 * MIB, false);
        assert_eq!(b, a.wrapping_add(8 * MIB), "the tail serves the next block");
        assert!(holds(b, 8 * MIB, 5));
        pool.dealloc(b);
        let grown = pool.realloc(a, 30 * MIB).unwrap();
        assert!(
            holds(grown, 8 * MIB, 5),
            "the contents moved with the block"
        );
        let stats = pool.stats();
        assert_eq!(stats.live, 30 * MIB);
        assert_eq!(stats.fresh, 16 * MIB + 14 * MIB);
        assert!(pool.owns(grown) && !pool.owns(a));
        assert_eq!(pool.realloc(a, MIB), None, "not the pool's any more");
        pool.dealloc(grown);
    }

    /// Random allocations, frees and resizes: every live block keeps its
    /// contents, and live plus free never exceeds the most ever live.
    #[test]
    fn resident_memory_stays_within_the_live_high_water_mark() {
        let mut pool = Pool::new();
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % bound as u64) as usize
        };
        let mut live: Vec<(*mut u8, usize, u8)> = Vec::new();
        for step in 0..300u32 {
            let tag = (step % 251) as u8 + 1;
            match next(3) {
                0 if live.len() < 12 => {
                    let size = (1 + next(24)) * MIB - next(MIB);
                    let p = alloc(&mut pool, size, next(2) == 0);
                    fill_block(p, size, tag);
                    live.push((p, size, tag));
                }
                1 if !live.is_empty() => {
                    let (p, size, t) = live.swap_remove(next(live.len()));
                    assert!(holds(p, size, t), "step {step}: a block lost its contents");
                    assert!(pool.dealloc(p));
                }
                _ if !live.is_empty() => {
                    let i = next(live.len());
                    let (p, size, t) = live[i];
                    let new_size = (1 + next(24)) * MIB - next(MIB);
                    let q = pool.realloc(p, new_size).unwrap();
                    let kept = size.min(new_size);
                    assert!(holds(q, kept, t), "step {step}: a resize lost contents");
                    fill_block(q, new_size, t);
                    live[i] = (q, new_size, t);
                }
                _ => {}
            }
            let stats = pool.stats();
            assert!(
                stats.live + stats.free <= stats.high_water,
                "step {step}: {stats:?}"
            );
        }
        for (p, size, t) in live {
            assert!(holds(p, size, t));
            pool.dealloc(p);
        }
        let stats = pool.stats();
        assert_eq!(stats.live, 0);
        assert!(stats.fresh >= stats.high_water);
    }
}
