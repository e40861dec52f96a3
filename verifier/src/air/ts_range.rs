//! The timestamp-limb table: the provider side of the [`TS_LIMB`] bus.
//!
//! A memory access proves `prev_ts < ts` by range-checking `ts - prev_ts -
//! 1` (below 2^24 since timestamps are below 2^23). As three bytes that cost
//! three columns and three byte-bus messages per access, and the CPU row
//! makes five accesses; as two 12-bit limbs it costs two of each. This
//! table counts `0..4096` in its value column and holds how many times each
//! value was sent, as the byte table ([`super::range`]) does for bytes.
//! 4,096 rows of 2 columns are small next to any epoch's CPU table, even at
//! 2^12 cycles.

use p3_air::{Air, BaseAir};
use p3_field::Field;
use p3_lookup::{Count, InteractionBuilder};

use super::range::{value_and_multiplicity, RANGE_WIDTH};

/// The bus of 12-bit timestamp-gap limbs.
pub const TS_LIMB: &str = "ts_limb";
/// Bits per limb.
pub const TS_LIMB_BITS: u32 = 12;
/// Number of rows (one per limb value), as log2.
pub const TS_LIMB_LOG_ROWS: usize = TS_LIMB_BITS as usize;
/// Number of rows (one per limb value).
pub const TS_LIMB_ROWS: usize = 1 << TS_LIMB_LOG_ROWS;

/// Sends `x` (which must be below 2^12) on the limb bus when `count` is 1.
pub fn send_ts_limb<AB: InteractionBuilder>(builder: &mut AB, x: AB::Expr, count: AB::Expr) {
    builder.push_interaction(TS_LIMB, [x], Count::bounded(count, 1));
}

/// The timestamp-limb table.
#[derive(Clone, Copy, Debug, Default)]
pub struct TsRangeAir;

impl<F: Field> BaseAir<F> for TsRangeAir {
    fn width(&self) -> usize {
        RANGE_WIDTH
    }
}

impl<AB: InteractionBuilder> Air<AB> for TsRangeAir
where
    AB::F: Field,
{
    fn eval(&self, builder: &mut AB) {
        let (x, mult) = value_and_multiplicity(builder, TS_LIMB_ROWS);
        builder.push_interaction(TS_LIMB, [x], Count::provided(-mult));
    }
}
