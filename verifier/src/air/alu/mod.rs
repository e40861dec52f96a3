//! The arithmetic tables: one AIR per family of RV32IM ALU operations.
//!
//! Every table receives `(ALU_TAG, op, a, b, c)` messages on the [`ALU`](super::bus::ALU)
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
//! | [`mul::MulAir`] | MUL MULH MULHSU MULHU | 38 | 10 (+ 8 carries) |
//! | [`div_rem::DivRemAir`] | DIV DIVU REM REMU | 72 | 24 (+ 8 carries) |
//!
//! MUL and DIV/REM also send their eight convolution carries on the 12-bit
//! limb bus ([`send_carries`]): one message per carry instead of two bytes.

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
use super::ts_range::send_ts_limb;

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
/// `Σ_{i+j=k} xᵢ·yⱼ + z_k + carry_{k−1} = t_k + 256·carry_k`, and sends every
/// carry on the 12-bit limb bus ([`send_carries`]).
///
/// Why 12 bits are enough and exact: with every carry below 2¹² and `t_k` a
/// byte, a limb's left side is at most `8·255² + 255 + 4095 < 2²⁰` and its
/// right side below 2²⁰ < p, so each limb equation holds over the integers
/// and the congruence is exact; an honest carry is at most
/// `(8·255² + 255 + 2049) / 256 < 2,049` (2,039 for MULH(−1, −1)). (The
/// last carry is the part of the product above 2⁶⁴: it is unused, but its
/// range check is what stops a forged top limb, whose carry would be
/// `carry_7 − 256⁻¹` in the field.)
pub(crate) fn convolution_chain<AB: AirBuilder>(
    builder: &mut AB,
    x: &[AB::Expr; 8],
    y: &[AB::Expr; 8],
    z: &[AB::Expr; 8],
    t: &[AB::Expr; 8],
    carries: &[AB::Expr],
) {
    let mut carry_in = AB::Expr::ZERO;
    for kk in 0..8 {
        let mut sum = z[kk].clone() + carry_in;
        for i in 0..=kk {
            sum += x[i].clone() * y[kk - i].clone();
        }
        let carry = carries[kk].clone();
        builder.assert_eq(sum, t[kk].clone() + carry.clone() * k::<AB::Expr>(256));
        carry_in = carry;
    }
}

/// Range-checks the eight carries of a [`convolution_chain`] below 2¹² on
/// the 12-bit limb bus ([`TS_LIMB`](crate::air::ts_range::TS_LIMB), which
/// the timestamp gaps use too) with multiplicity `count`.
pub(crate) fn send_carries<AB: InteractionBuilder>(
    builder: &mut AB,
    carries: &[AB::Expr],
    count: &AB::Expr,
) {
    for c in carries {
        send_ts_limb(builder, c.clone(), count.clone());
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

    /// Maximum constraint degree, number of constraints and of `ALU`/`BYTE`/
    /// 12-bit limb interactions of one table, read from its symbolic
    /// evaluation.
    fn shape<A>(air: &A) -> (usize, usize, usize, usize, usize)
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
            on(crate::air::ts_range::TS_LIMB),
        )
    }

    /// MUL and DIV/REM send exactly their eight carry columns on the limb
    /// bus, each with the row's multiplicity (the sum of its selectors): a
    /// carry left out or sent twice in place of another would leave a
    /// carry unchecked, and the top one is what stops a forged high word.
    #[test]
    fn convolution_tables_range_check_each_carry_column_once() {
        use p3_air::symbolic::{BaseEntry, BaseLeaf, SymbolicExpr};

        fn column(e: &p3_air::symbolic::SymbolicExpression<Val>) -> Option<usize> {
            match e {
                SymbolicExpr::Leaf(BaseLeaf::Variable(v))
                    if v.entry == (BaseEntry::Main { offset: 0 }) =>
                {
                    Some(v.index)
                }
                _ => None,
            }
        }
        fn check<A>(air: &A, carry: usize, selectors: [usize; 4])
        where
            A: BaseAir<Val> + Air<InteractionSymbolicBuilder<Val, Challenge>>,
        {
            let b = InteractionSymbolicBuilder::<Val, Challenge>::from_air(
                air,
                AirLayout::from_air(air),
            );
            let sends: Vec<_> = b
                .global_interactions()
                .iter()
                .filter(|i| i.bus_name == crate::air::ts_range::TS_LIMB)
                .collect();
            let cols: Vec<Option<usize>> = sends
                .iter()
                .map(|i| {
                    assert_eq!(i.fields.len(), 1);
                    column(&i.fields[0])
                })
                .collect();
            let want: Vec<Option<usize>> = (carry..carry + 8).map(Some).collect();
            assert_eq!(cols, want);
            // The count is the selectors' sum: 1 on a real row, 0 on
            // padding (checked on a row with one selector set, and none).
            for set in [None, Some(0), Some(3)] {
                let mut row = alloc::vec![Val::ZERO; BaseAir::<Val>::width(air)];
                if let Some(s) = set {
                    row[selectors[s]] = Val::ONE;
                }
                for send in &sends {
                    let count = eval(&send.count, &row);
                    assert_eq!(count, Val::from_bool(set.is_some()));
                }
            }
        }
        fn eval(e: &p3_air::symbolic::SymbolicExpression<Val>, row: &[Val]) -> Val {
            match e {
                SymbolicExpr::Leaf(BaseLeaf::Variable(v)) => row[v.index],
                SymbolicExpr::Leaf(BaseLeaf::Constant(c)) => *c,
                SymbolicExpr::Leaf(other) => panic!("unexpected leaf {other:?}"),
                SymbolicExpr::Add { x, y, .. } => eval(x, row) + eval(y, row),
                SymbolicExpr::Sub { x, y, .. } => eval(x, row) - eval(y, row),
                SymbolicExpr::Mul { x, y, .. } => eval(x, row) * eval(y, row),
                SymbolicExpr::Neg { x, .. } => -eval(x, row),
            }
        }
        check(
            &mul::MulAir,
            mul::CARRY,
            [mul::IS_MUL, mul::IS_MULH, mul::IS_MULHSU, mul::IS_MULHU],
        );
        check(
            &div_rem::DivRemAir,
            div_rem::CARRY,
            [
                div_rem::IS_DIV,
                div_rem::IS_DIVU,
                div_rem::IS_REM,
                div_rem::IS_REMU,
            ],
        );
    }

    #[test]
    fn tables_have_degree_at_most_three_and_documented_shape() {
        // (degree ≤ 3, one ALU receive, byte sends as in the module table,
        // the convolution tables' eight carries on the limb bus)
        let check = |name: &str,
                     (deg, _, alu, byte, limb): (usize, usize, usize, usize, usize),
                     width: usize,
                     w: usize,
                     bytes: usize| {
            let carries = if matches!(name, "mul" | "div_rem") {
                8
            } else {
                0
            };
            assert_eq!(limb, carries, "{name}: limb-bus sends");
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
        check("mul", shape(&mul::MulAir), mul::WIDTH, 38, 10);
        check(
            "div_rem",
            shape(&div_rem::DivRemAir),
            div_rem::WIDTH,
            72,
            24,
        );
    }
}
