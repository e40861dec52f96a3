//! The range tables' traces: how often each byte was sent on the byte bus,
//! and each 12-bit limb on the timestamp-limb bus.

use p3_field::PrimeCharacteristicRing;
use p3_matrix::dense::RowMajorMatrix;
use sluice_verifier::air::range::{MULT, RANGE_ROWS, RANGE_WIDTH, VALUE};
use sluice_verifier::air::ts_range::{TS_LIMB_BITS, TS_LIMB_ROWS};
use sluice_verifier::stark::config::Val;

/// Multiplicities of the byte bus and of the timestamp-limb bus, filled by
/// every table generator that sends on them, then turned into the `Range`
/// and `TsRange` traces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ByteCounts(pub [u32; RANGE_ROWS], pub Vec<u32>);

impl Default for ByteCounts {
    fn default() -> Self {
        Self([0; RANGE_ROWS], vec![0; TS_LIMB_ROWS])
    }
}

impl ByteCounts {
    /// Records one send of `x`.
    ///
    /// # Panics
    /// If `x > 255`: a generator computed a limb wrongly, and the proof
    /// would fail anyway; failing here names the culprit.
    pub fn add(&mut self, x: u32) {
        assert!(x < RANGE_ROWS as u32, "byte bus send of non-byte {x}");
        self.0[x as usize] += 1;
    }

    /// Records one send of the timestamp-gap limb `x`.
    ///
    /// # Panics
    /// If `x` does not fit in a limb (a generator's bug, as for `add`).
    pub fn add_ts_limb(&mut self, x: u32) {
        assert!(x < 1 << TS_LIMB_BITS, "timestamp limb {x} out of range");
        self.1[x as usize] += 1;
    }

    /// Records one send of each value.
    pub fn add_all(&mut self, xs: impl IntoIterator<Item = u32>) {
        for x in xs {
            self.add(x);
        }
    }

    /// Total number of byte sends recorded.
    pub fn total(&self) -> u64 {
        self.0.iter().map(|&n| u64::from(n)).sum()
    }
}

/// The `Range` main trace: 256 rows of (multiplicity, value).
pub fn range_trace(counts: &ByteCounts) -> RowMajorMatrix<Val> {
    counted_values(&counts.0)
}

/// The `TsRange` main trace: 4,096 rows of (multiplicity, value).
pub fn ts_range_trace(counts: &ByteCounts) -> RowMajorMatrix<Val> {
    counted_values(&counts.1)
}

/// Row `i` holds how many times `i` was sent, then `i` itself.
fn counted_values(counts: &[u32]) -> RowMajorMatrix<Val> {
    let mut values = vec![Val::ZERO; counts.len() * RANGE_WIDTH];
    for (i, (row, &n)) in values.chunks_exact_mut(RANGE_WIDTH).zip(counts).enumerate() {
        row[MULT] = Val::from_u32(n);
        row[VALUE] = Val::from_usize(i);
    }
    RowMajorMatrix::new(values, RANGE_WIDTH)
}
