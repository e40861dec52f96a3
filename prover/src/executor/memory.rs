//! Sparse, paged guest memory.
//!
//! The address space `[0, GUEST_MEMORY_END)` is cut into pages of
//! [`PAGE_SIZE`] bytes. A flat page table (one pointer per page, 8 MiB for
//! 1 KiB pages) maps each page to its bytes, allocated on first write; a page
//! never written reads as zeros. Page 0 holds the registers in the protocol
//! (see [`sluice_verifier::layout`]); the executor keeps registers in an array
//! and never stores them here.

use sluice_verifier::layout::GUEST_MEMORY_END;

/// log2 of the page size in bytes. The single knob for the page size: the
/// memory Merkle tree, page-in records and this page table all follow it.
pub const PAGE_SIZE_LOG2: u32 = 10;
/// Page size in bytes.
pub const PAGE_SIZE: usize = 1 << PAGE_SIZE_LOG2;
/// Number of pages covering `[0, GUEST_MEMORY_END)`.
pub const NUM_PAGES: usize = (GUEST_MEMORY_END as usize) >> PAGE_SIZE_LOG2;

const OFFSET_MASK: u32 = (PAGE_SIZE as u32) - 1;

/// One page of memory.
pub type Page = [u8; PAGE_SIZE];

/// The page index holding byte `addr`.
#[inline(always)]
pub const fn page_index(addr: u32) -> u32 {
    addr >> PAGE_SIZE_LOG2
}

/// Byte address of the first byte of page `index`.
#[inline(always)]
pub const fn page_address(index: u32) -> u32 {
    index << PAGE_SIZE_LOG2
}

/// Sparse paged memory over `[0, GUEST_MEMORY_END)`.
///
/// Accessors take addresses the caller has already checked to be below
/// `GUEST_MEMORY_END` and naturally aligned for the access size; out-of-range
/// addresses panic (by slice indexing), they are never silently wrapped.
#[derive(Clone)]
pub struct Memory {
    pages: Vec<Option<Box<Page>>>,
    allocated: usize,
}

impl Default for Memory {
    fn default() -> Self {
        Self::new()
    }
}

impl Memory {
    /// All-zero memory. Costs one lazily zeroed page table, no pages.
    pub fn new() -> Self {
        Memory {
            pages: vec![None; NUM_PAGES],
            allocated: 0,
        }
    }

    /// Number of pages allocated (written at least once).
    pub fn allocated_pages(&self) -> usize {
        self.allocated
    }

    /// The page at `index`, or `None` if it was never written (all zeros).
    #[inline(always)]
    pub fn page(&self, index: u32) -> Option<&Page> {
        self.pages[index as usize].as_deref()
    }

    /// The page at `index`, allocating a zero page if needed.
    #[inline(always)]
    pub fn page_mut(&mut self, index: u32) -> &mut Page {
        let slot = &mut self.pages[index as usize];
        if slot.is_none() {
            self.allocated += 1;
        }
        slot.get_or_insert_with(|| Box::new([0u8; PAGE_SIZE]))
    }

    /// A copy of the page at `index` (zeros if never written).
    pub fn page_copy(&self, index: u32) -> Box<Page> {
        match self.page(index) {
            Some(p) => Box::new(*p),
            None => Box::new([0u8; PAGE_SIZE]),
        }
    }

    /// Allocated pages in increasing index order. Pages written back to all
    /// zeros are still listed; callers hashing memory must treat them as zero
    /// pages.
    pub fn pages(&self) -> impl Iterator<Item = (u32, &Page)> + '_ {
        self.pages
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.as_deref().map(|p| (i as u32, p)))
    }

    /// Reads an aligned little-endian word.
    #[inline(always)]
    pub fn read_u32(&self, addr: u32) -> u32 {
        debug_assert_eq!(addr & 3, 0);
        match &self.pages[page_index(addr) as usize] {
            Some(p) => {
                let o = (addr & OFFSET_MASK) as usize;
                u32::from_le_bytes([p[o], p[o + 1], p[o + 2], p[o + 3]])
            }
            None => 0,
        }
    }

    /// Reads an aligned little-endian halfword.
    #[inline(always)]
    pub fn read_u16(&self, addr: u32) -> u16 {
        debug_assert_eq!(addr & 1, 0);
        match &self.pages[page_index(addr) as usize] {
            Some(p) => {
                let o = (addr & OFFSET_MASK) as usize;
                u16::from_le_bytes([p[o], p[o + 1]])
            }
            None => 0,
        }
    }

    /// Reads a byte.
    #[inline(always)]
    pub fn read_u8(&self, addr: u32) -> u8 {
        match &self.pages[page_index(addr) as usize] {
            Some(p) => p[(addr & OFFSET_MASK) as usize],
            None => 0,
        }
    }

    /// Writes an aligned little-endian word.
    #[inline(always)]
    pub fn write_u32(&mut self, addr: u32, value: u32) {
        debug_assert_eq!(addr & 3, 0);
        let o = (addr & OFFSET_MASK) as usize;
        self.page_mut(page_index(addr))[o..o + 4].copy_from_slice(&value.to_le_bytes());
    }

    /// Writes an aligned little-endian halfword.
    #[inline(always)]
    pub fn write_u16(&mut self, addr: u32, value: u16) {
        debug_assert_eq!(addr & 1, 0);
        let o = (addr & OFFSET_MASK) as usize;
        self.page_mut(page_index(addr))[o..o + 2].copy_from_slice(&value.to_le_bytes());
    }

    /// Writes a byte.
    #[inline(always)]
    pub fn write_u8(&mut self, addr: u32, value: u8) {
        let o = (addr & OFFSET_MASK) as usize;
        self.page_mut(page_index(addr))[o] = value;
    }

    /// Copies `dst.len()` bytes starting at `addr` out of memory.
    /// `addr + dst.len()` must not exceed `GUEST_MEMORY_END`.
    pub fn read_bytes(&self, mut addr: u32, mut dst: &mut [u8]) {
        while !dst.is_empty() {
            let o = (addr & OFFSET_MASK) as usize;
            let n = dst.len().min(PAGE_SIZE - o);
            let (head, tail) = dst.split_at_mut(n);
            match self.page(page_index(addr)) {
                Some(p) => head.copy_from_slice(&p[o..o + n]),
                None => head.fill(0),
            }
            dst = tail;
            addr += n as u32;
        }
    }

    /// Calls `f` on consecutive slices covering `[addr, addr + len)` (at most
    /// one page each; untouched pages read as zeros), without copying.
    /// `addr + len` must not exceed `GUEST_MEMORY_END`.
    pub fn visit(&self, mut addr: u32, mut len: u32, mut f: impl FnMut(&[u8])) {
        static ZERO_PAGE: Page = [0u8; PAGE_SIZE];
        while len > 0 {
            let o = (addr & OFFSET_MASK) as usize;
            let n = (len as usize).min(PAGE_SIZE - o);
            let page = self.page(page_index(addr)).unwrap_or(&ZERO_PAGE);
            f(&page[o..o + n]);
            len -= n as u32;
            addr = addr.wrapping_add(n as u32);
        }
    }

    /// Copies `src` into memory starting at `addr`.
    /// `addr + src.len()` must not exceed `GUEST_MEMORY_END`.
    pub fn write_bytes(&mut self, mut addr: u32, mut src: &[u8]) {
        while !src.is_empty() {
            let o = (addr & OFFSET_MASK) as usize;
            let n = src.len().min(PAGE_SIZE - o);
            self.page_mut(page_index(addr))[o..o + n].copy_from_slice(&src[..n]);
            src = &src[n..];
            addr += n as u32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_reads_zero_and_writes_allocate() {
        let mut m = Memory::new();
        assert_eq!(m.read_u32(0x1_0000), 0);
        assert_eq!(m.allocated_pages(), 0);
        m.write_u32(0x1_0000, 0x1122_3344);
        assert_eq!(m.allocated_pages(), 1);
        assert_eq!(m.read_u8(0x1_0000), 0x44);
        assert_eq!(m.read_u8(0x1_0003), 0x11);
        assert_eq!(m.read_u16(0x1_0002), 0x1122);
        m.write_u8(0x1_0001, 0xff);
        assert_eq!(m.read_u32(0x1_0000), 0x1122_ff44);
        m.write_u16(0x1_0002, 0xabcd);
        assert_eq!(m.read_u32(0x1_0000), 0xabcd_ff44);
    }

    #[test]
    fn byte_copies_cross_pages() {
        let mut m = Memory::new();
        let start = 0x2_0000 + PAGE_SIZE as u32 - 3;
        let data: Vec<u8> = (1..=10).collect();
        m.write_bytes(start, &data);
        assert_eq!(m.allocated_pages(), 2);
        let mut out = [0u8; 12];
        m.read_bytes(start - 1, &mut out);
        assert_eq!(&out, &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0]);
        let last = GUEST_MEMORY_END - 4;
        m.write_u32(last, 7);
        assert_eq!(m.read_u32(last), 7);
        let idx: Vec<u32> = m.pages().map(|(i, _)| i).collect();
        assert_eq!(
            idx,
            vec![page_index(start), page_index(start) + 1, page_index(last)]
        );
    }
}
