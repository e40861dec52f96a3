//! The verifier's per-shape preprocessing, kept between epochs.
//!
//! Before it checks a proof, Plonky3's batch verifier needs the
//! preprocessed tables' commitment (the output table's:
//! a low-degree extension and a Merkle tree) and the packed lookups. Both
//! depend only on the proof parameters, which tables are present, their
//! heights and the statement's output, never on the proof, so consecutive
//! epochs of one shape (almost all of a long run) share them. Recomputing
//! them cost about a tenth of native verification.

use alloc::sync::Arc;
use alloc::vec::Vec;

use p3_batch_stark::CommonData;

use super::config::{EpochStarkConfig, SluiceConfig, SluiceZkConfig};
use crate::air::TableSet;
use crate::params::ProofParams;

/// Everything [`CommonData`] is computed from, besides the fixed AIRs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShapeKey {
    pub params: ProofParams,
    pub tables: TableSet,
    /// Committed heights (log2) of the present tables, in order.
    pub degree_bits: Vec<usize>,
    /// The statement's output: the output table's preprocessed columns.
    pub output: Vec<u8>,
}

/// The last shape seen and its data: one entry, so memory stays constant.
pub struct CommonCache<SC: EpochStarkConfig> {
    slot: spin::Mutex<Option<(ShapeKey, Arc<CommonData<SC>>)>>,
}

impl<SC: EpochStarkConfig> CommonCache<SC> {
    pub const fn new() -> Self {
        CommonCache {
            slot: spin::Mutex::new(None),
        }
    }

    /// The data for `key`, computed by `make` unless the last call had the
    /// same key. The lock is not held while computing.
    pub fn get_or_try_insert<E>(
        &self,
        key: &ShapeKey,
        make: impl FnOnce() -> Result<CommonData<SC>, E>,
    ) -> Result<Arc<CommonData<SC>>, E> {
        if let Some((cached, data)) = self.slot.lock().as_ref() {
            if cached == key {
                return Ok(data.clone());
            }
        }
        let data = Arc::new(make()?);
        *self.slot.lock() = Some((key.clone(), data.clone()));
        Ok(data)
    }
}

impl<SC: EpochStarkConfig> Default for CommonCache<SC> {
    fn default() -> Self {
        Self::new()
    }
}

/// The plain configuration's cache.
pub(super) static PLAIN: CommonCache<SluiceConfig> = CommonCache::new();
/// The zero-knowledge configuration's cache.
pub(super) static ZK: CommonCache<SluiceZkConfig> = CommonCache::new();

#[cfg(test)]
mod tests {
    use core::cell::Cell;

    use super::*;

    fn key(height: usize, output: &[u8]) -> ShapeKey {
        ShapeKey {
            params: ProofParams::DEFAULT,
            tables: TableSet(0b11),
            degree_bits: alloc::vec![height, 10],
            output: output.to_vec(),
        }
    }

    #[test]
    fn the_same_shape_is_computed_once_and_any_change_recomputes() {
        let cache = CommonCache::<SluiceConfig>::new();
        let made = Cell::new(0);
        let make = || {
            made.set(made.get() + 1);
            Ok::<_, ()>(CommonData::new(None, Vec::new()))
        };
        let first = cache.get_or_try_insert(&key(12, b""), make).unwrap();
        let again = cache.get_or_try_insert(&key(12, b""), make).unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(made.get(), 1);
        for other in [key(13, b""), key(12, b"x")] {
            let data = cache.get_or_try_insert(&other, make).unwrap();
            assert!(!Arc::ptr_eq(&first, &data));
        }
        let mut zk = key(12, b"");
        zk.params = ProofParams::DEFAULT_ZK;
        cache.get_or_try_insert(&zk, make).unwrap();
        let mut fewer = key(12, b"");
        fewer.tables = TableSet(0b01);
        cache.get_or_try_insert(&fewer, make).unwrap();
        assert_eq!(made.get(), 5);
        // A failure is not cached.
        assert!(cache
            .get_or_try_insert(&key(14, b""), || Err::<CommonData<SluiceConfig>, _>(()))
            .is_err());
        cache.get_or_try_insert(&key(14, b""), make).unwrap();
        assert_eq!(made.get(), 6);
    }
}
