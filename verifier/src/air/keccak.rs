//! The Keccak permutation table: Keccak-f[1600], 24 rows per permutation.
//!
//! The rounds are Plonky3's `p3-keccak-air` (bit-level θ, ρ, π, χ, ι over
//! 2,633 columns), run through a [`SubAirBuilder`] that shows it only its
//! own columns; Sluice adds one column, `clk`, after them. A permutation's
//! last row (the only row where `export` may be 1) holds its input
//! (`preimage`, constant over the 24 rows and equal to the first row's
//! state) and its output (`a'''`), both as 16-bit limbs that the AIR
//! builds from constrained bits. That row receives, once per lane, the
//! message [`keccak_lane_message`] `(clk, lane, input limbs, output limbs)`
//! on [`KECCAK_BUS`] with multiplicity `export`: the
//! [`super::keccak_mem`] table sends one per lane of each `keccak_permute`
//! call, so every call's 25 lanes are one exported permutation's input and
//! output, and `clk` ties all 25 to the same call.
//!
//! Padding permutations (and the partial block a power-of-two height cuts
//! off) export nothing: `export` is 0 there, so they send no message.

use alloc::vec::Vec;

use p3_air::{Air, BaseAir, WindowAccess};
use p3_field::{Field, PrimeCharacteristicRing};
use p3_keccak_air::{KeccakAir, KeccakCols, NUM_KECCAK_COLS, U64_LIMBS};
use p3_lookup::{Count, InteractionBuilder};
use p3_uni_stark::SubAirBuilder;

/// Name of the bus from the Keccak memory table to the permutation table.
pub const KECCAK_BUS: &str = "keccak";

/// Lanes of the Keccak-f[1600] state.
pub const LANES: usize = 25;

/// Rows per permutation.
pub const ROWS_PER_PERM: usize = p3_keccak_air::NUM_ROUNDS;

/// The table's own columns: Plonky3's, then `clk`.
pub const KECCAK_WIDTH: usize = NUM_KECCAK_COLS + 1;

/// Column of the call's cycle, read on the export row.
pub const CLK_COL: usize = NUM_KECCAK_COLS;

/// Lays out a [`KECCAK_BUS`] message: lane `x + 5 y`'s four 16-bit input
/// limbs and four output limbs, least significant first.
pub fn keccak_lane_message<E>(
    clk: E,
    lane: E,
    input: [E; U64_LIMBS],
    output: [E; U64_LIMBS],
) -> Vec<E> {
    let mut m = Vec::with_capacity(2 + 2 * U64_LIMBS);
    m.push(clk);
    m.push(lane);
    m.extend(input);
    m.extend(output);
    m
}

/// The Keccak permutation table's AIR.
#[derive(Clone, Copy, Debug, Default)]
pub struct KeccakPermAir;

impl<F> BaseAir<F> for KeccakPermAir {
    fn width(&self) -> usize {
        KECCAK_WIDTH
    }
}

impl<AB: InteractionBuilder> Air<AB> for KeccakPermAir
where
    AB::F: Field,
{
    fn eval(&self, builder: &mut AB) {
        {
            let mut rounds =
                SubAirBuilder::<AB, KeccakAir, AB::Var>::new(builder, 0..NUM_KECCAK_COLS);
            KeccakAir {}.eval(&mut rounds);
        }
        let main = builder.main();
        let row = main.current_slice();
        let cols: &KeccakCols<AB::Var> = core::borrow::Borrow::borrow(&row[..NUM_KECCAK_COLS]);
        let clk: AB::Expr = row[CLK_COL].into();
        let export: AB::Expr = cols.export.into();
        let mut messages = Vec::with_capacity(LANES);
        for y in 0..5 {
            for x in 0..5 {
                let input = core::array::from_fn(|limb| cols.preimage[y][x][limb].into());
                let output =
                    core::array::from_fn(|limb| cols.a_prime_prime_prime(y, x, limb).into());
                messages.push(keccak_lane_message(
                    clk.clone(),
                    AB::Expr::from_usize(x + 5 * y),
                    input,
                    output,
                ));
            }
        }
        for m in messages {
            builder.push_interaction(KECCAK_BUS, m, Count::bounded(-export.clone(), 1));
        }
    }
}
