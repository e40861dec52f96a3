//! The epoch's memory log (every word touched, its initial and final value
//! and last timestamp) and the boundary table built from it.

use std::collections::{BTreeMap, HashMap};

use p3_field::{Field, PrimeCharacteristicRing};
use p3_matrix::dense::RowMajorMatrix;
use sluice_verifier::air::memory::BoundaryCols;
use sluice_verifier::stark::config::Val;

use crate::executor::{EpochRecord, PAGE_SIZE, PAGE_SIZE_LOG2};

use super::{ByteCounts, TraceError};

/// One word's life in the epoch.
#[derive(Clone, Copy, Debug)]
pub struct WordLog {
    pub init: u32,
    pub value: u32,
    pub ts: u32,
}

/// Word-addressed memory of one epoch, seeded from the record's pages.
pub struct MemoryLog<'a> {
    pages: HashMap<u32, &'a [u8; PAGE_SIZE]>,
    words: BTreeMap<u32, WordLog>,
}

impl<'a> MemoryLog<'a> {
    pub fn new(record: &'a EpochRecord) -> Self {
        MemoryLog {
            pages: record.pages.iter().map(|p| (p.index, &*p.data)).collect(),
            words: BTreeMap::new(),
        }
    }

    fn initial(&self, addr: u32) -> Result<u32, TraceError> {
        let page = self
            .pages
            .get(&(addr >> PAGE_SIZE_LOG2))
            .ok_or(TraceError::PageMissing { addr })?;
        let o = (addr as usize) % PAGE_SIZE;
        Ok(u32::from_le_bytes([
            page[o],
            page[o + 1],
            page[o + 2],
            page[o + 3],
        ]))
    }

    /// Reads (and, with `store`, writes) the word at `addr` at time `ts`;
    /// returns the old value and its timestamp.
    pub fn access(
        &mut self,
        addr: u32,
        store: Option<u32>,
        ts: u32,
    ) -> Result<(u32, u32), TraceError> {
        debug_assert_eq!(addr % 4, 0);
        let log = match self.words.get(&addr) {
            Some(w) => *w,
            None => {
                let init = self.initial(addr)?;
                WordLog {
                    init,
                    value: init,
                    ts: 0,
                }
            }
        };
        self.words.insert(
            addr,
            WordLog {
                init: log.init,
                value: store.unwrap_or(log.value),
                ts,
            },
        );
        Ok((log.value, log.ts))
    }

    /// Current value of a touched word (or its initial value).
    pub fn peek(&self, addr: u32) -> Result<u32, TraceError> {
        match self.words.get(&addr) {
            Some(w) => Ok(w.value),
            None => self.initial(addr),
        }
    }

    pub fn words(&self) -> &BTreeMap<u32, WordLog> {
        &self.words
    }
}

/// The boundary table: one row per touched word, sorted by address.
pub fn boundary_trace(
    words: &BTreeMap<u32, WordLog>,
    log_height: usize,
    bytes: &mut ByteCounts,
) -> RowMajorMatrix<Val> {
    let c = BoundaryCols::new();
    let height = 1usize << log_height;
    let mut values = Val::zero_vec(height * c.width);
    let mut prev: Option<u32> = None;
    for (r, (row, (&addr, w))) in values
        .chunks_exact_mut(c.width)
        .zip(words.iter())
        .enumerate()
    {
        let widx = addr / 4;
        row[c.is_real] = Val::ONE;
        let put = |row: &mut [Val], cols: [usize; 4], x: u32| {
            for (c, b) in cols.iter().zip(x.to_le_bytes()) {
                row[*c] = Val::from_u8(b);
            }
        };
        put(row, c.widx, widx);
        put(row, c.init, w.init);
        put(row, c.fin, w.value);
        row[c.final_ts] = Val::from_u32(w.ts);
        for b in widx.to_le_bytes().into_iter().chain(w.init.to_le_bytes()) {
            bytes.add(b as u32);
        }
        bytes.add((widx >> 24) * 16);
        if let Some(p) = prev {
            let gap = widx - p - 1;
            put(row, c.gap, gap);
            row[c.has_prev] = Val::ONE;
            for b in gap.to_le_bytes() {
                bytes.add(b as u32);
            }
            bytes.add((gap >> 24) * 16);
        }
        debug_assert!(r > 0 || prev.is_none());
        row[c.is_x0] = Val::from_bool(widx == 0);
        row[c.widx_inv] = Val::from_u32(widx).try_inverse().unwrap_or(Val::ZERO);
        prev = Some(widx);
    }
    for row in values.chunks_exact_mut(c.width).skip(words.len()) {
        row[c.is_x0] = Val::ONE;
    }
    RowMajorMatrix::new(values, c.width)
}
