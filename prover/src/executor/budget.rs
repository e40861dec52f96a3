//! Adaptive epochs: what one epoch may hold so that every table of its
//! proof fits.
//!
//! An epoch has at most `2^k` cycles, and no table of its proof may exceed
//! the row cap (`2^20` rows, what the verifier accepts and the security
//! computation assumes). A sparse working set or a burst of I/O can reach
//! that cap long before `2^k` cycles: every touched page costs 64 page-table
//! rows, 22 Merkle rows and up to 172 Poseidon2 rows, every buffer word an
//! I/O word row. So the executor, recording an epoch, checks before every
//! cycle that the worst this cycle can add still fits, and ends the epoch
//! early otherwise. Every run that halts then proves, at every epoch size.
//!
//! The bounds are conservative (upper bounds on what trace generation
//! builds), so an epoch is sometimes cut a little before a table is full,
//! never after.

use sluice_verifier::air::cpu::ADD_SUB_ROWS;
use sluice_verifier::air::io::MAX_IO_LEN;
use sluice_verifier::air::keccak::ROWS_PER_PERM;
use sluice_verifier::air::output::{BYTES_PER_ROW, MAX_EPOCH_OUTPUT};
use sluice_verifier::air::page::BLOCKS_PER_PAGE;
use sluice_verifier::air::sha256::ROWS_PER_CALL as SHA256_ROWS_PER_CALL;
use sluice_verifier::memory::tree::DEPTH;
use sluice_verifier::params::MAX_TRACE_LOG2;

use super::memory::PAGE_SIZE;

/// Poseidon2 permutations per touched page, at most: two leaf sponges of
/// the page (64 each) and two compressions per tree level.
pub const PERMS_PER_PAGE: u64 = 2 * BLOCKS_PER_PAGE as u64 + 2 * DEPTH as u64;
/// Rows per touched page in the largest per-page table: the Poseidon2
/// table's (the page table has `BLOCKS_PER_PAGE` rows per page, the Merkle
/// table `DEPTH`).
const ROWS_PER_PAGE: u64 = PERMS_PER_PAGE;
const _: () = assert!(ROWS_PER_PAGE >= BLOCKS_PER_PAGE as u64 && ROWS_PER_PAGE >= DEPTH as u64);

/// The smallest row cap (log2) an executor may be given: one cycle with the
/// largest syscall must fit in an empty epoch.
pub const MIN_ROW_CAP_LOG2: u32 = 15;

/// What the current epoch has used so far.
#[derive(Clone, Copy, Debug, Default)]
pub struct EpochUse {
    pub cycles: u64,
    /// I/O word rows and public output bytes.
    pub io_words: u64,
    pub output: u64,
    /// `keccak_permute` calls.
    pub keccak: u64,
    /// `sha256_compress` calls.
    pub sha256: u64,
}

/// The Keccak table is ~24 times as wide as the CPU's (2,634 columns and
/// its LogUp columns against ~110), so an epoch of `2^k` cycles may hold at
/// most `2^(k - KECCAK_SHARE_LOG2)` Keccak rows (and at most that share of
/// the row cap): the Keccak trace then adds at most ~85 cells per cycle to
/// the CPU's ~235, which the memory model of `--epoch-size-log2 auto`
/// absorbs, whatever the guest does (a loop of bare `keccak_permute` calls
/// included).
pub const KECCAK_SHARE_LOG2: u32 = 5;

/// Keccak rows any epoch may hold, however small: five permutations.
pub const MIN_KECCAK_ROWS: u64 = 128;
const _: () = assert!(MIN_KECCAK_ROWS >= 5 * ROWS_PER_PERM as u64);

/// The SHA-256 round table is ~4 times as wide as the CPU's (385 columns
/// and five LogUp columns), so an epoch of `2^k` cycles may hold at most
/// `2^(k - SHA256_SHARE_LOG2)` of its rows: at most ~100 cells per cycle
/// more, as for Keccak ([`KECCAK_SHARE_LOG2`]). Its memory table has fewer
/// rows per call (24 against 65) and is narrower.
pub const SHA256_SHARE_LOG2: u32 = 2;

/// SHA-256 rows any epoch may hold, however small: seven compressions.
pub const MIN_SHA256_ROWS: u64 = 512;
const _: () = assert!(MIN_SHA256_ROWS >= 7 * SHA256_ROWS_PER_CALL as u64);

/// Every cycle takes at most one row of each arithmetic table (an `ADD` is
/// computed in the CPU row, a jump's link comes from the decode table), so
/// the CPU table's bound covers them all.
const _: () = {
    let mut i = 0;
    while i < ADD_SUB_ROWS.len() {
        assert!(ADD_SUB_ROWS[i] <= 1);
        i += 1;
    }
};

/// The worst one cycle can add, besides one cycle.
#[derive(Clone, Copy, Debug, Default)]
pub struct CycleCost {
    pub pages: u64,
    pub io_words: u64,
    pub output: u64,
    pub keccak: u64,
    pub sha256: u64,
}

impl CycleCost {
    /// An instruction other than a syscall: a fetch page and a data page.
    pub const INSTRUCTION: CycleCost = CycleCost {
        pages: 2,
        io_words: 0,
        output: 0,
        keccak: 0,
        sha256: 0,
    };

    /// A `keccak_permute` call: its 200 bytes span at most two pages.
    pub const KECCAK: CycleCost = CycleCost {
        pages: 4,
        io_words: 0,
        output: 0,
        keccak: 1,
        sha256: 0,
    };

    /// A `sha256_compress` call: its 96 bytes span at most two pages.
    pub const SHA256: CycleCost = CycleCost {
        pages: 4,
        io_words: 0,
        output: 0,
        keccak: 0,
        sha256: 1,
    };

    /// A `read` or public `write` of `len` bytes (`public`: to the public
    /// output). A host write moves nothing in the proof: use
    /// [`CycleCost::INSTRUCTION`].
    pub fn io(len: u32, public: bool) -> CycleCost {
        let len = u64::from(len.min(MAX_IO_LEN));
        CycleCost {
            pages: 1 + len.div_ceil(PAGE_SIZE as u64) + 1,
            io_words: len / 4 + 2,
            output: if public { len } else { 0 },
            keccak: 0,
            sha256: 0,
        }
    }
}

/// The row cap and the check against it.
#[derive(Clone, Copy, Debug)]
pub struct RowCap {
    rows: u64,
    keccak_rows: u64,
    sha256_rows: u64,
}

impl Default for RowCap {
    fn default() -> Self {
        Self::of(1 << MAX_TRACE_LOG2)
    }
}

impl RowCap {
    /// The cap's log2.
    pub fn log2(&self) -> u32 {
        self.rows.trailing_zeros()
    }

    fn of(rows: u64) -> RowCap {
        RowCap {
            rows,
            keccak_rows: rows >> KECCAK_SHARE_LOG2,
            sha256_rows: rows >> SHA256_SHARE_LOG2,
        }
    }

    /// A cap of `2^log2` rows, `MIN_ROW_CAP_LOG2..=MAX_TRACE_LOG2`.
    pub fn new(log2: u32) -> Option<RowCap> {
        (MIN_ROW_CAP_LOG2..=MAX_TRACE_LOG2)
            .contains(&log2)
            .then_some(Self::of(1 << log2))
    }

    /// The cap for epochs of at most `2^epoch_size_log2` cycles: the
    /// precompile tables' shares scale with the epoch
    /// ([`KECCAK_SHARE_LOG2`], [`SHA256_SHARE_LOG2`]).
    pub fn for_epochs(mut self, epoch_size_log2: u32) -> RowCap {
        let share =
            |log2: u32, floor: u64| (1u64 << epoch_size_log2.saturating_sub(log2)).max(floor);
        self.keccak_rows = self
            .keccak_rows
            .min(share(KECCAK_SHARE_LOG2, MIN_KECCAK_ROWS));
        self.sha256_rows = self
            .sha256_rows
            .min(share(SHA256_SHARE_LOG2, MIN_SHA256_ROWS));
        self
    }

    /// How many more instructions (not syscalls, which check themselves)
    /// certainly fit after one that [`Self::fits`]: each adds at most one
    /// cycle and two pages.
    pub fn instructions_that_fit(&self, used: &EpochUse, pages: u64) -> u64 {
        let cap = self.rows;
        let cycles = cap.saturating_sub(used.cycles + 2);
        let pages = ((cap - 1) / ROWS_PER_PAGE).saturating_sub(pages + 4) / 2;
        cycles.min(pages)
    }

    /// Whether an epoch that has used `used` and touched `pages` pages can
    /// run one more cycle costing at most `next`.
    pub fn fits(&self, used: &EpochUse, pages: u64, next: &CycleCost) -> bool {
        let cap = self.rows;
        let cycles = used.cycles + 1;
        let page_rows = (pages + next.pages) * ROWS_PER_PAGE + 1;
        let words = used.io_words + next.io_words;
        let output = used.output + next.output;
        let keccak_rows = (used.keccak + next.keccak) * ROWS_PER_PERM as u64;
        let sha256_rows = (used.sha256 + next.sha256) * SHA256_ROWS_PER_CALL as u64;
        cycles <= cap
            && keccak_rows <= self.keccak_rows
            && sha256_rows <= self.sha256_rows
            && page_rows <= cap
            && words <= cap
            && output <= MAX_EPOCH_OUTPUT as u64
            && output.div_ceil(BYTES_PER_ROW as u64) <= cap
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_syscall_fits_an_empty_epoch_under_the_smallest_cap() {
        let cap = RowCap::new(MIN_ROW_CAP_LOG2).unwrap();
        for public in [false, true] {
            assert!(cap.fits(&EpochUse::default(), 1, &CycleCost::io(MAX_IO_LEN, public)));
        }
        assert!(cap.fits(&EpochUse::default(), 1, &CycleCost::KECCAK));
        for cost in [CycleCost::KECCAK, CycleCost::SHA256] {
            assert!(cap.fits(&EpochUse::default(), 1, &cost));
            assert!(cap.for_epochs(1).fits(&EpochUse::default(), 1, &cost));
        }
        assert!(RowCap::new(MIN_ROW_CAP_LOG2 - 1).is_none());
        assert!(RowCap::new(MAX_TRACE_LOG2 + 1).is_none());
    }

    #[test]
    fn keccak_rows_scale_with_the_epoch() {
        let used = |calls: u64| EpochUse {
            cycles: 10,
            keccak: calls,
            ..EpochUse::default()
        };
        let fits = |cap: RowCap, calls| cap.fits(&used(calls), 1, &CycleCost::KECCAK);
        // 2^20-cycle epochs: 2^15 rows, 1,365 permutations.
        let big = RowCap::default().for_epochs(20);
        assert!(fits(big, 1364) && !fits(big, 1365));
        // 2^12-cycle epochs: the floor of 128 rows, five permutations.
        let small = RowCap::default().for_epochs(12);
        assert!(fits(small, 4) && !fits(small, 5));
        // A smaller row cap binds too.
        let capped = RowCap::new(15).unwrap().for_epochs(20);
        assert!(fits(capped, 41) && !fits(capped, 42));
    }

    #[test]
    fn sha256_rows_scale_with_the_epoch() {
        let used = |calls: u64| EpochUse {
            cycles: 10,
            sha256: calls,
            ..EpochUse::default()
        };
        let fits = |cap: RowCap, calls| cap.fits(&used(calls), 1, &CycleCost::SHA256);
        // 2^20-cycle epochs: 2^18 rows, 4,032 compressions.
        let big = RowCap::default().for_epochs(20);
        assert!(fits(big, 4031) && !fits(big, 4032));
        // 2^8-cycle epochs: the floor of 512 rows, seven compressions.
        let small = RowCap::default().for_epochs(8);
        assert!(fits(small, 6) && !fits(small, 7));
    }

    #[test]
    fn pages_are_the_binding_bound_of_a_sparse_sweep() {
        let cap = RowCap::default();
        let used = EpochUse {
            cycles: 1000,
            ..EpochUse::default()
        };
        let max_pages = ((1 << 20) - 1) / ROWS_PER_PAGE - 2;
        assert!(cap.fits(&used, max_pages, &CycleCost::INSTRUCTION));
        assert!(!cap.fits(&used, max_pages + 1, &CycleCost::INSTRUCTION));
        assert_eq!(ROWS_PER_PAGE, 172);
    }
}
