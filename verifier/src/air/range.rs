//! The `Range` table: the provider side of the [`BYTE`](super::bus::BYTE) bus.
//!
//! 256 rows. A preprocessed (fixed, committed once per shape and known to the
//! verifier) column holds `0..=255`; the single main column holds how many
//! times each byte was sent. Because the value column is fixed, no prover can
//! add a non-byte to the table; the multiplicity is free, so a byte sent
//! `n` times is simply provided `n` times.

use alloc::vec::Vec;

use p3_air::{Air, BaseAir, WindowAccess};
use p3_field::Field;
use p3_lookup::InteractionBuilder;
use p3_matrix::dense::RowMajorMatrix;

use super::bus::receive_byte_table;

/// Number of rows (one per byte value), as log2.
pub const RANGE_LOG_ROWS: usize = 8;
/// Number of rows (one per byte value).
pub const RANGE_ROWS: usize = 1 << RANGE_LOG_ROWS;
/// Main-trace width: the multiplicity column.
pub const RANGE_WIDTH: usize = 1;
/// Main column holding the multiplicity of the row's byte.
pub const MULT: usize = 0;

/// The byte range-check table.
#[derive(Clone, Copy, Debug, Default)]
pub struct RangeAir;

impl<F: Field> BaseAir<F> for RangeAir {
    fn width(&self) -> usize {
        RANGE_WIDTH
    }

    fn preprocessed_trace(&self) -> Option<RowMajorMatrix<F>> {
        Some(values_column(RANGE_ROWS))
    }

    fn preprocessed_width(&self) -> usize {
        1
    }
}

impl<AB: InteractionBuilder> Air<AB> for RangeAir
where
    AB::F: Field,
{
    fn eval(&self, builder: &mut AB) {
        let (x, mult) = value_and_multiplicity(builder);
        receive_byte_table(builder, x, mult);
    }
}

/// `0..rows` as one column: the fixed contents of a range table.
pub(super) fn values_column<F: Field>(rows: usize) -> RowMajorMatrix<F> {
    let values: Vec<F> = (0..rows as u32).map(F::from_u32).collect();
    RowMajorMatrix::new(values, 1)
}

/// A range table row's value (its preprocessed column) and multiplicity
/// (its one main column).
pub(super) fn value_and_multiplicity<AB: InteractionBuilder>(
    builder: &mut AB,
) -> (AB::Expr, AB::Expr) {
    let x = builder
        .preprocessed()
        .current(0)
        .expect("a range table has one preprocessed column")
        .into();
    let mult = builder
        .main()
        .current(MULT)
        .expect("a range table has one main column")
        .into();
    (x, mult)
}
