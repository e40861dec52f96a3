//! The epoch's memory log: every word touched, its initial and final value
//! and last timestamp (the page table is built from it, see [`super::page`]).

use std::collections::{BTreeMap, HashMap};

use sluice_verifier::air::memory::FETCH_HOLD_TS;

use crate::executor::{EpochRecord, PAGE_SIZE, PAGE_SIZE_LOG2};

use super::TraceError;

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

    /// The instruction word at `pc`: the decode table fetches it once, from
    /// its initial value, and holds it to [`FETCH_HOLD_TS`].
    pub fn fetch(&mut self, pc: u32) -> Result<u32, TraceError> {
        match self.words.get(&pc) {
            Some(w) if w.ts == FETCH_HOLD_TS => Ok(w.value),
            Some(_) => Err(fetched_as_data(pc)),
            None => {
                let init = self.initial(pc)?;
                self.words.insert(
                    pc,
                    WordLog {
                        init,
                        value: init,
                        ts: FETCH_HOLD_TS,
                    },
                );
                Ok(init)
            }
        }
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
            Some(w) if w.ts == FETCH_HOLD_TS => return Err(fetched_as_data(addr)),
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

/// A word the epoch both executes and reads or writes as data: the proof
/// cannot show it (the executor ends epochs before such an access).
fn fetched_as_data(addr: u32) -> TraceError {
    TraceError::Diverged(format!(
        "the word at {addr:#x} is both executed and accessed as data in one epoch"
    ))
}
