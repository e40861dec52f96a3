//! The `Range` table: the provider side of the [`BYTE`](super::bus::BYTE) bus.
//!
//! 256 rows. The value column counts `0..=255`: it starts at 0 and each row
//! adds one, and the verifier fixes the table's height, so no prover can add
//! a non-byte to the table. The multiplicity column holds how many times
//! each byte was sent; it is free, so a byte sent `n` times is simply
//! provided `n` times.
//!
//! The values are constrained rather than preprocessed (protocol 6): a
//! preprocessed column is a commitment the verifier must compute itself
//! (a low-degree extension and a Merkle tree, 4× the table's rows) and
//! every query opens, which cost more than the transition constraint.

use p3_air::{Air, AirBuilder, BaseAir, WindowAccess};
use p3_field::{Field, PrimeCharacteristicRing};
use p3_lookup::InteractionBuilder;

use super::bus::receive_byte_table;

/// Number of rows (one per byte value), as log2.
pub const RANGE_LOG_ROWS: usize = 8;
/// Number of rows (one per byte value).
pub const RANGE_ROWS: usize = 1 << RANGE_LOG_ROWS;
/// Main-trace width of a range table: the multiplicity and the value.
pub const RANGE_WIDTH: usize = 2;
/// Main column holding how many times the row's value was sent.
pub const MULT: usize = 0;
/// Main column holding the row's value: its row number.
pub const VALUE: usize = 1;

/// The byte range-check table.
#[derive(Clone, Copy, Debug, Default)]
pub struct RangeAir;

impl<F: Field> BaseAir<F> for RangeAir {
    fn width(&self) -> usize {
        RANGE_WIDTH
    }
}

impl<AB: InteractionBuilder> Air<AB> for RangeAir
where
    AB::F: Field,
{
    fn eval(&self, builder: &mut AB) {
        let (x, mult) = value_and_multiplicity(builder, RANGE_ROWS);
        receive_byte_table(builder, x, mult);
    }
}

/// A range table row's value and multiplicity, with the value column
/// constrained to count `0, 1, …, rows - 1` down the table. The verifier
/// fixes the height at `rows`; the last-row check makes the table sound
/// without relying on it.
pub(super) fn value_and_multiplicity<AB: InteractionBuilder>(
    builder: &mut AB,
    rows: usize,
) -> (AB::Expr, AB::Expr) {
    let main = builder.main();
    let x: AB::Expr = main.current(VALUE).expect("a range table's value").into();
    let next: AB::Expr = main.next(VALUE).expect("a range table's next value").into();
    let mult: AB::Expr = main.current(MULT).expect("a range table's count").into();
    builder.when_first_row().assert_zero(x.clone());
    builder
        .when_transition()
        .assert_eq(next, x.clone() + AB::Expr::ONE);
    builder
        .when_last_row()
        .assert_eq(x.clone(), AB::Expr::from_usize(rows - 1));
    (x, mult)
}
