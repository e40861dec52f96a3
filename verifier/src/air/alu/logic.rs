//! AND, OR and XOR, by bit decomposition of both operands.
//!
//! Each operand limb is the weighted sum of eight boolean columns, so the
//! operands are bytes without any range check, and per bit
//! `and = x·y`, `or = x + y − x·y`, `xor = x + y − 2·x·y`. The result limb is
//! the selector-weighted sum of those (degree 3), which is itself a byte.
//!
//! Cost: 71 columns and no bus traffic besides the ALU message. The
//! alternative, a 2¹⁶-row byte-pair table, would add 65 536 fixed rows (plus
//! their LogUp column) to every epoch proof whatever the number of logic
//! operations, and still need 4 lookups and ~15 columns per operation; for the
//! epoch sizes Sluice uses (2¹⁴–2²⁰ cycles, of which logic ops are a small
//! fraction) bits are cheaper.

use alloc::vec::Vec;

use p3_air::{Air, BaseAir};
use p3_field::PrimeCharacteristicRing;
use p3_lookup::InteractionBuilder;

use super::{current_row, exclusive_selectors, k};
use crate::air::bus::{opcode_expr, receive_alu};
use crate::isa::Opcode;

/// Bits of `a`: bit `j` of limb `i` is column `A_BITS + 8·i + j`.
pub const A_BITS: usize = 0;
/// Bits of `b`, same layout.
pub const B_BITS: usize = 32;
/// Result `c`, four byte limbs.
pub const C: usize = 64;
/// Selector: AND.
pub const IS_AND: usize = 68;
/// Selector: OR.
pub const IS_OR: usize = 69;
/// Selector: XOR.
pub const IS_XOR: usize = 70;
/// Number of columns.
pub const WIDTH: usize = 71;

/// The AND/OR/XOR table.
#[derive(Clone, Copy, Debug, Default)]
pub struct LogicAir;

impl<F> BaseAir<F> for LogicAir {
    fn width(&self) -> usize {
        WIDTH
    }
}

impl<AB: InteractionBuilder> Air<AB> for LogicAir {
    fn eval(&self, builder: &mut AB) {
        let r = current_row(builder);
        let (is_and, is_or, is_xor) = (r[IS_AND].clone(), r[IS_OR].clone(), r[IS_XOR].clone());
        let mult = exclusive_selectors(builder, &[is_and.clone(), is_or.clone(), is_xor.clone()]);
        let mut a: Vec<AB::Expr> = Vec::with_capacity(4);
        let mut b: Vec<AB::Expr> = Vec::with_capacity(4);
        for i in 0..4 {
            let (mut ai, mut bi, mut andi) = (AB::Expr::ZERO, AB::Expr::ZERO, AB::Expr::ZERO);
            for j in 0..8 {
                let x = r[A_BITS + 8 * i + j].clone();
                let y = r[B_BITS + 8 * i + j].clone();
                builder.assert_bool(x.clone());
                builder.assert_bool(y.clone());
                let w = k::<AB::Expr>(1 << j);
                ai += w.clone() * x.clone();
                bi += w.clone() * y.clone();
                andi += w * x * y;
            }
            let or = ai.clone() + bi.clone() - andi.clone();
            let xor = ai.clone() + bi.clone() - andi.clone() * k::<AB::Expr>(2);
            builder.assert_eq(
                r[C + i].clone(),
                is_and.clone() * andi + is_or.clone() * or + is_xor.clone() * xor,
            );
            a.push(ai);
            b.push(bi);
        }
        let op = is_and * opcode_expr::<AB::Expr>(Opcode::And)
            + is_or * opcode_expr::<AB::Expr>(Opcode::Or)
            + is_xor * opcode_expr::<AB::Expr>(Opcode::Xor);
        let a: [AB::Expr; 4] = core::array::from_fn(|i| a[i].clone());
        let b: [AB::Expr; 4] = core::array::from_fn(|i| b[i].clone());
        receive_alu(builder, op, a, b, super::word(&r, C), mult);
    }
}
