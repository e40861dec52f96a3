//! Epoch records: what the prover needs to prove one epoch on its own.

use sluice_verifier::layout::{INPUT_STATE_ADDR, NUM_REGISTERS, REGISTERS_BASE};

use super::memory::{page_index, Memory, Page, PAGE_SIZE};

/// The page holding the registers (in the reserved region).
pub const REGISTER_PAGE: u32 = page_index(REGISTERS_BASE);

/// The contents of one page at the start of an epoch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageIn {
    /// Page index (`address >> PAGE_SIZE_LOG2`).
    pub index: u32,
    /// The page's bytes when the epoch started.
    pub data: Box<Page>,
}

/// One epoch of an execution: its start state, the pages it touched with
/// their contents at its start, and its end state.
///
/// Every epoch runs at most `2^epoch_size_log2` cycles: fewer when the
/// executor ended it early so that every table of its proof fits (adaptive
/// epochs, `budget`), and the last until the guest halts (`exit_code` is
/// `Some`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EpochRecord {
    /// Epoch number, from 0.
    pub index: u64,
    /// Cycles executed before this epoch.
    pub start_cycle: u64,
    /// Cycles executed in this epoch.
    pub cycles: u64,
    pub start_pc: u32,
    pub start_registers: [u32; NUM_REGISTERS],
    pub end_pc: u32,
    pub end_registers: [u32; NUM_REGISTERS],
    /// `Some(code)` if the guest halted in this epoch.
    pub exit_code: Option<u32>,
    /// Bytes written to the public output (fd 3) during this epoch.
    pub public_output: Vec<u8>,
    /// Every page the epoch read or wrote (instruction fetches, loads, stores,
    /// syscall buffers, and always [`REGISTER_PAGE`]), sorted by index, with
    /// its contents at epoch start. The register page's bytes are the start
    /// registers as little-endian words, then zeros.
    pub pages: Vec<PageIn>,
    /// Whether the end of input had been reached (a read came up short)
    /// before this epoch, and by its end: the input state word.
    pub start_input_eof: bool,
    pub end_input_eof: bool,
    /// What each `read` of this epoch returned, in order: the witness the
    /// proof's I/O table shows (trace generation does not re-decide it).
    pub read_results: Vec<u32>,
    /// The row cap (log2) the executor cut this epoch under, so a replay
    /// from its start cuts it in the same place.
    pub row_cap_log2: u32,
    /// Private input consumed before this epoch (byte offset).
    pub input_start: u64,
    /// Private input consumed by the end of this epoch (byte offset).
    pub input_end: u64,
    /// The private input bytes this epoch consumed
    /// (`input[input_start..input_end]`): the proof's witness for its
    /// `read` syscalls.
    pub input: Vec<u8>,
}

impl EpochRecord {
    /// Whether the guest halted in this epoch (it is the last one).
    pub fn halted(&self) -> bool {
        self.exit_code.is_some()
    }

    /// Indices of the touched pages, ascending.
    pub fn touched_pages(&self) -> impl Iterator<Item = u32> + '_ {
        self.pages.iter().map(|p| p.index)
    }

    /// The start contents of page `index`, if the epoch touched it.
    pub fn page(&self, index: u32) -> Option<&Page> {
        self.pages
            .binary_search_by_key(&index, |p| p.index)
            .ok()
            .map(|i| &*self.pages[i].data)
    }
}

/// The mark word and bit of the word holding byte `addr` within its page.
#[inline(always)]
fn word_bit(addr: u32) -> (usize, u64) {
    let word = (addr as usize % PAGE_SIZE) / 4;
    (word / 64, 1 << (word % 64))
}

/// The bytes of [`REGISTER_PAGE`]: the register file and the input state
/// word ([`INPUT_STATE_ADDR`]), then zeros.
pub fn register_page(registers: &[u32; NUM_REGISTERS], input_eof: bool) -> Box<Page> {
    let mut page = Box::new([0u8; PAGE_SIZE]);
    let base = (REGISTERS_BASE as usize) % PAGE_SIZE;
    for (i, r) in registers.iter().enumerate() {
        page[base + 4 * i..base + 4 * i + 4].copy_from_slice(&r.to_le_bytes());
    }
    page[INPUT_STATE_ADDR as usize % PAGE_SIZE] = input_eof as u8;
    page
}

/// Words per page.
const WORDS_PER_PAGE: usize = PAGE_SIZE / 4;

/// Which words of one touched page the epoch executed and which it read or
/// wrote as data, one bit per word each.
#[derive(Clone, Copy, Default)]
struct WordMarks {
    fetched: [u64; WORDS_PER_PAGE / 64],
    data: [u64; WORDS_PER_PAGE / 64],
}

/// Tracks the pages touched in the current epoch, copying each on its first
/// touch, and which of their words it executed or accessed as data: the
/// proof holds every executed word read-only for the whole epoch (the
/// decode table fetches it once), so the executor ends an epoch before an
/// access that would mix the two. Memory use is bounded by the pages one
/// epoch can touch.
pub(super) struct PageTracker {
    /// `stamps[page].0 == current` iff the page was touched this epoch, and
    /// then `stamps[page].1` is its position in `pages` and `marks`.
    stamps: Vec<(u32, u32)>,
    current: u32,
    pub(super) pages: Vec<PageIn>,
    marks: Vec<WordMarks>,
}

impl PageTracker {
    pub(super) fn new(num_pages: usize) -> Self {
        PageTracker {
            stamps: vec![(0, 0); num_pages],
            current: 0,
            pages: Vec::new(),
            marks: Vec::new(),
        }
    }

    /// Starts a new epoch: forgets the touched set.
    pub(super) fn start_epoch(&mut self, registers: &[u32; NUM_REGISTERS], input_eof: bool) {
        self.current = self.current.wrapping_add(1);
        if self.current == 0 {
            self.stamps.fill((0, 0));
            self.current = 1;
        }
        self.pages.clear();
        self.marks.clear();
        self.stamps[REGISTER_PAGE as usize] = (self.current, 0);
        self.pages.push(PageIn {
            index: REGISTER_PAGE,
            data: register_page(registers, input_eof),
        });
        self.marks.push(WordMarks::default());
    }

    /// Records a touch of page `index`; returns its position in `pages`.
    #[inline(always)]
    pub(super) fn touch(&mut self, mem: &Memory, index: u32) -> usize {
        let stamp = &mut self.stamps[index as usize];
        if stamp.0 != self.current {
            *stamp = (self.current, self.pages.len() as u32);
            self.pages.push(PageIn {
                index,
                data: mem.page_copy(index),
            });
            self.marks.push(WordMarks::default());
        }
        stamp.1 as usize
    }

    /// Records the fetch of the instruction word at `pc`. `false` (nothing
    /// marked) if the epoch has read or written that word as data.
    #[inline(always)]
    pub(super) fn fetch(&mut self, mem: &Memory, pc: u32) -> bool {
        let slot = self.touch(mem, page_index(pc));
        let (i, bit) = word_bit(pc);
        let marks = &mut self.marks[slot];
        if marks.data[i] & bit != 0 {
            return false;
        }
        marks.fetched[i] |= bit;
        true
    }

    /// Records data accesses (loads, stores, syscall buffers) of every word
    /// overlapping `[addr, addr + len)`. `false` (nothing marked) if the
    /// epoch has executed one of them.
    pub(super) fn data(&mut self, mem: &Memory, addr: u32, len: u32) -> bool {
        if len == 0 {
            return true;
        }
        let (first, last) = (addr & !3, (addr + (len - 1)) & !3);
        let executed = (first..=last).step_by(4).any(|w| {
            let slot = self.touch(mem, page_index(w));
            let (i, bit) = word_bit(w);
            self.marks[slot].fetched[i] & bit != 0
        });
        if executed {
            return false;
        }
        for w in (first..=last).step_by(4) {
            let slot = self.touch(mem, page_index(w));
            let (i, bit) = word_bit(w);
            self.marks[slot].data[i] |= bit;
        }
        true
    }

    /// Ends the epoch, handing out its pages sorted by index.
    pub(super) fn take_pages(&mut self) -> Vec<PageIn> {
        self.marks.clear();
        let mut pages = std::mem::take(&mut self.pages);
        pages.sort_unstable_by_key(|p| p.index);
        pages
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::executor::memory::page_address;

    #[test]
    fn tracker_copies_on_first_touch_only() {
        let mut mem = Memory::new();
        let page = page_index(0x2_0000);
        mem.write_u32(0x2_0000, 1);
        let mut t = PageTracker::new(super::super::NUM_PAGES);
        let mut regs = [0u32; NUM_REGISTERS];
        regs[1] = 0xaabb_ccdd;
        t.start_epoch(&regs, false);
        t.touch(&mem, page);
        mem.write_u32(0x2_0000, 2);
        t.touch(&mem, page); // second touch: no new copy
        assert!(t.data(&mem, page_address(page) + 4, PAGE_SIZE as u32)); // page and the next
        let pages = t.take_pages();
        let idx: Vec<u32> = pages.iter().map(|p| p.index).collect();
        assert_eq!(idx, [REGISTER_PAGE, page, page + 1]);
        assert_eq!(&pages[0].data[4..8], &[0xdd, 0xcc, 0xbb, 0xaa]);
        assert_eq!(&pages[1].data[..4], &1u32.to_le_bytes());
        assert!(pages[2].data.iter().all(|&b| b == 0));
        // A new epoch forgets the touched set.
        t.start_epoch(&regs, false);
        t.touch(&mem, page);
        let pages = t.take_pages();
        assert_eq!(pages.len(), 2);
        assert_eq!(&pages[1].data[..4], &2u32.to_le_bytes());
    }

    /// An epoch's executed words and its data words never overlap: each
    /// side refuses the other's words (and marks nothing when it does),
    /// word by word, and a new epoch forgets both.
    #[test]
    fn executed_words_and_data_words_stay_apart() {
        let mem = Memory::new();
        let mut t = PageTracker::new(super::super::NUM_PAGES);
        t.start_epoch(&[0; NUM_REGISTERS], false);
        let code = 0x2_0000;
        assert!(t.fetch(&mem, code));
        assert!(t.fetch(&mem, code), "fetching again is fine");
        assert!(t.data(&mem, code + 4, 4), "the next word is another word");
        assert!(!t.data(&mem, code, 1), "a byte of an executed word");
        assert!(!t.data(&mem, code - 2, 4), "a range reaching into it");
        assert!(!t.fetch(&mem, code + 4), "executing a data word");
        // The refused range marked nothing: the word before is still free
        // to execute.
        assert!(t.fetch(&mem, code - 4));
        // Words 63 and 64 of a page sit in different mark words.
        let page = page_address(page_index(0x3_0000));
        assert!(t.data(&mem, page + 63 * 4, 4));
        assert!(t.fetch(&mem, page + 64 * 4));
        assert!(!t.fetch(&mem, page + 63 * 4));
        assert!(!t.data(&mem, page + 64 * 4, 4));
        // The last word of a page and the first of the next.
        assert!(t.data(&mem, page + PAGE_SIZE as u32 - 2, 4));
        assert!(!t.fetch(&mem, page + PAGE_SIZE as u32));
        t.start_epoch(&[0; NUM_REGISTERS], false);
        assert!(t.data(&mem, code, 4), "a new epoch starts with no marks");
        assert!(t.fetch(&mem, code + 4));
    }

    #[test]
    fn stamp_wraparound_clears() {
        let mem = Memory::new();
        let mut t = PageTracker::new(super::super::NUM_PAGES);
        t.current = u32::MAX - 1;
        t.start_epoch(&[0; NUM_REGISTERS], false); // current = MAX
        t.touch(&mem, 100);
        t.start_epoch(&[0; NUM_REGISTERS], false); // wraps: stamps cleared, current = 1
        assert_eq!(t.current, 1);
        t.touch(&mem, 100);
        assert_eq!(t.take_pages().len(), 2);
    }
}
