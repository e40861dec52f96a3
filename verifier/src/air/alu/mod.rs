//! The arithmetic tables: one AIR per family of RV32IM ALU operations.
//!
//! Every table receives `(op, a, b, c)` messages on the [`ALU`](super::bus::ALU)
//! bus, one row per operation, with a multiplicity equal to the sum of the
//! row's (boolean, mutually exclusive) operation selectors: a row with no
//! selector set is padding and contributes nothing to any bus. Each table
//! constrains `c` completely from `a` and `b` with exact RV32IM semantics and
//! range-checks every limb it computes by sending it on the
//! [`BYTE`](super::bus::BYTE) bus (gated by the same multiplicity, so padding
//! rows cost the `Range` table nothing).
//!
//! **The operands are not range-checked here: the sender guarantees them.**
//! The CPU table is the only sender on the ALU bus, and its operands are
//! always bytes: register values (every value on the memory bus is bytes:
//! `docs/proof-system.md`, "Soundness of the memory argument"), the pc
//! limbs (range-checked by the decode table) and decoded immediates (bytes
//! by the decode table's construction). The tables lean on that
//! (`a`, `b` bytes) exactly as they leaned on their own checks before
//! protocol 5; a new sender must range-check its operands itself, as the
//! test harness's driver table does.
//!
//! The maximum constraint degree of every table is 3. Column counts:
//!
//! | table | ops | columns | byte sends/row |
//! |---|---|---|---|
//! | [`add_sub::AddSubAir`] | ADD SUB | 18 | 4 |
//! | [`logic::LogicAir`] | AND OR XOR | 71 | 0 |
//! | [`compare::CompareAir`] | SLT SLTU | 24 | 6 |
//! | [`shift::ShiftAir`] | SLL SRL SRA | 38 | 9 |
//! | [`mul::MulAir`] | MUL MULH MULHSU MULHU | 46 | 26 |
//! | [`div_rem::DivRemAir`] | DIV DIVU REM REMU | 80 | 40 |

// Limb-indexed loops read like the equations they constrain.
#![allow(clippy::needless_range_loop)]

pub mod add_sub;
pub mod compare;
pub mod div_rem;
pub mod logic;
pub mod mul;
pub mod shift;

use alloc::vec::Vec;

use p3_air::{AirBuilder, WindowAccess};
use p3_field::PrimeCharacteristicRing;
use p3_lookup::InteractionBuilder;

use super::bus::send_byte;

/// The current row of `builder`'s main trace as expressions.
pub(crate) fn current_row<AB: AirBuilder>(builder: &AB) -> Vec<AB::Expr> {
    let main = builder.main();
    main.current_slice().iter().map(|&v| v.into()).collect()
}

/// Four consecutive columns starting at `at`, as a word's limbs.
pub(crate) fn word<E: Clone>(row: &[E], at: usize) -> [E; 4] {
    core::array::from_fn(|i| row[at + i].clone())
}

/// Sends every expression in `xs` on the byte bus with multiplicity `count`.
pub(crate) fn send_bytes<AB: InteractionBuilder>(
    builder: &mut AB,
    xs: impl IntoIterator<Item = AB::Expr>,
    count: &AB::Expr,
) {
    for x in xs {
        send_byte(builder, x, count.clone());
    }
}

/// Asserts that each selector is boolean and that at most one is set, and
/// returns their sum (the row's multiplicity).
pub(crate) fn exclusive_selectors<AB: AirBuilder>(builder: &mut AB, sel: &[AB::Expr]) -> AB::Expr {
    let mut sum = AB::Expr::ZERO;
    for s in sel {
        builder.assert_bool(s.clone());
        sum += s.clone();
    }
    builder.assert_bool(sum.clone());
    sum
}

/// Splits the top limb `x3` of a word into its sign bit and low seven bits:
/// `x3 = 128·msb + low`, `msb` boolean. The caller must send `2·low` on the
/// byte bus, and `x3` must be a byte (an operand's top limb: the sender
/// guarantees it, see the module documentation): `2·low` being a byte forces
/// `low` to be either in `0..=127` or about `p/2`, and the second is
/// impossible because `x3` is a byte.
pub(crate) fn sign_split<AB: AirBuilder>(
    builder: &mut AB,
    x3: AB::Expr,
    msb: AB::Expr,
    low: AB::Expr,
) {
    builder.assert_bool(msb.clone());
    builder.assert_eq(x3, msb * AB::Expr::from_u32(128) + low);
}

/// The constant `x` as an expression.
pub(crate) fn k<E: PrimeCharacteristicRing>(x: u32) -> E {
    E::from_u32(x)
}

/// Constrains `x·y + z ≡ t (mod 2⁶⁴)` for 8-limb little-endian byte vectors
/// (already sign- or zero-extended by the caller), by the schoolbook
/// convolution with one carry per limb: for each `k`,
/// `Σ_{i+j=k} xᵢ·yⱼ + z_k + carry_{k−1} = t_k + 256·carry_k`, where
/// `carry_k = carry_lo[k] + 256·carry_hi[k]` and the caller range-checks both
/// carry bytes. Every term is below 2²⁴ < p, so each limb equation holds over
/// the integers and the congruence is exact.
pub(crate) fn convolution_chain<AB: AirBuilder>(
    builder: &mut AB,
    x: &[AB::Expr; 8],
    y: &[AB::Expr; 8],
    z: &[AB::Expr; 8],
    t: &[AB::Expr; 8],
    carry_lo: &[AB::Expr],
    carry_hi: &[AB::Expr],
) {
    let mut carry_in = AB::Expr::ZERO;
    for kk in 0..8 {
        let mut sum = z[kk].clone() + carry_in;
        for i in 0..=kk {
            sum += x[i].clone() * y[kk - i].clone();
        }
        let carry = carry_lo[kk].clone() + carry_hi[kk].clone() * k::<AB::Expr>(256);
        builder.assert_eq(sum, t[kk].clone() + carry.clone() * k::<AB::Expr>(256));
        carry_in = carry;
    }
}

/// A word's four limbs followed by four copies of `fill` (0 or 255·sign).
pub(crate) fn extend<E: Clone>(w: &[E; 4], fill: E) -> [E; 8] {
    core::array::from_fn(|i| if i < 4 { w[i].clone() } else { fill.clone() })
}

#[cfg(test)]
mod tests {
    use p3_air::symbolic::AirLayout;
    use p3_air::{Air, BaseAir};
    use p3_lookup::InteractionSymbolicBuilder;

    use super::*;
    use crate::stark::config::{Challenge, Val};

    /// Maximum constraint degree, number of constraints and of `ALU`/`BYTE`
    /// interactions of one table, read from its symbolic evaluation.
    fn shape<A>(air: &A) -> (usize, usize, usize, usize)
    where
        A: BaseAir<Val> + Air<InteractionSymbolicBuilder<Val, Challenge>>,
    {
        let b =
            InteractionSymbolicBuilder::<Val, Challenge>::from_air(air, AirLayout::from_air(air));
        let cons = b.base_constraints();
        let degree = cons.iter().map(|c| c.degree_multiple()).max().unwrap_or(0);
        let on = |bus: &str| {
            b.global_interactions()
                .iter()
                .filter(|i| i.bus_name == bus)
                .count()
        };
        (
            degree,
            cons.len(),
            on(crate::air::bus::ALU),
            on(crate::air::bus::BYTE),
        )
    }

    #[test]
    fn tables_have_degree_at_most_three_and_documented_shape() {
        // (degree ≤ 3, one ALU receive, byte sends as in the module table)
        let check = |name: &str,
                     (deg, _, alu, byte): (usize, usize, usize, usize),
                     width: usize,
                     w: usize,
                     bytes: usize| {
            // Every table multiplies columns somewhere, so 0 or 1 would mean
            // the measurement is broken.
            assert!((2..=3).contains(&deg), "{name}: degree {deg}");
            assert_eq!(alu, 1, "{name}: ALU interactions");
            assert_eq!(byte, bytes, "{name}: BYTE sends");
            assert_eq!(width, w, "{name}: width");
        };
        check("add_sub", shape(&add_sub::AddSubAir), add_sub::WIDTH, 18, 4);
        check("logic", shape(&logic::LogicAir), logic::WIDTH, 71, 0);
        check(
            "compare",
            shape(&compare::CompareAir),
            compare::WIDTH,
            24,
            6,
        );
        check("shift", shape(&shift::ShiftAir), shift::WIDTH, 38, 9);
        check("mul", shape(&mul::MulAir), mul::WIDTH, 46, 26);
        check(
            "div_rem",
            shape(&div_rem::DivRemAir),
            div_rem::WIDTH,
            80,
            40,
        );
    }
}
