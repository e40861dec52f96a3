//! MUL, MULH, MULHSU and MULHU.
//!
//! Both operands are extended to eight byte limbs — with `255·sign` for an
//! operand the operation treats as signed, with zeros otherwise — and their
//! product modulo 2⁶⁴ is constrained limb by limb
//! ([`convolution_chain`](super::convolution_chain)). Modulo 2⁶⁴ the product
//! of the sign-extended words is the 64-bit two's-complement product, so MUL
//! reads the low four product limbs and the MULH* variants the high four.

use p3_air::{Air, BaseAir};
use p3_field::PrimeCharacteristicRing;
use p3_lookup::InteractionBuilder;

use super::{
    convolution_chain, current_row, exclusive_selectors, extend, k, send_bytes, send_carries,
    sign_split, word,
};
use crate::air::bus::{opcode_expr, receive_alu};
use crate::isa::Opcode;

/// Operand `a`.
pub const A: usize = 0;
/// Operand `b`.
pub const B: usize = 4;
/// The 64-bit product, eight limbs.
pub const P: usize = 8;
/// The eight convolution carries (each below 2¹², on the limb bus).
pub const CARRY: usize = 16;
/// Sign bit of `a`.
pub const A_MSB: usize = 24;
/// Low seven bits of `a3`.
pub const A_LOW: usize = 25;
/// Sign bit of `b`.
pub const B_MSB: usize = 26;
/// Low seven bits of `b3`.
pub const B_LOW: usize = 27;
/// `a` is negative and treated as signed (MULH, MULHSU).
pub const SA: usize = 28;
/// `b` is negative and treated as signed (MULH).
pub const SB: usize = 29;
/// Result `c`.
pub const C: usize = 30;
/// Selector: MUL.
pub const IS_MUL: usize = 34;
/// Selector: MULH.
pub const IS_MULH: usize = 35;
/// Selector: MULHSU.
pub const IS_MULHSU: usize = 36;
/// Selector: MULHU.
pub const IS_MULHU: usize = 37;
/// Number of columns.
pub const WIDTH: usize = 38;

/// The multiplication table.
#[derive(Clone, Copy, Debug, Default)]
pub struct MulAir;

impl<F> BaseAir<F> for MulAir {
    fn width(&self) -> usize {
        WIDTH
    }
}

impl<AB: InteractionBuilder> Air<AB> for MulAir {
    fn eval(&self, builder: &mut AB) {
        let r = current_row(builder);
        let sel = [
            r[IS_MUL].clone(),
            r[IS_MULH].clone(),
            r[IS_MULHSU].clone(),
            r[IS_MULHU].clone(),
        ];
        let mult = exclusive_selectors(builder, &sel);
        let [is_mul, is_mulh, is_mulhsu, is_mulhu] = sel;
        let (a, b, c, p) = (word(&r, A), word(&r, B), word(&r, C), &r[P..P + 8]);

        sign_split(builder, a[3].clone(), r[A_MSB].clone(), r[A_LOW].clone());
        sign_split(builder, b[3].clone(), r[B_MSB].clone(), r[B_LOW].clone());
        let (sa, sb) = (r[SA].clone(), r[SB].clone());
        builder.assert_eq(
            sa.clone(),
            (is_mulh.clone() + is_mulhsu.clone()) * r[A_MSB].clone(),
        );
        builder.assert_eq(sb.clone(), is_mulh.clone() * r[B_MSB].clone());

        let x = extend(&a, sa * k::<AB::Expr>(255));
        let y = extend(&b, sb * k::<AB::Expr>(255));
        let z: [AB::Expr; 8] = core::array::from_fn(|_| AB::Expr::ZERO);
        let t: [AB::Expr; 8] = core::array::from_fn(|i| p[i].clone());
        let carries = &r[CARRY..CARRY + 8];
        convolution_chain(builder, &x, &y, &z, &t, carries);
        let high = is_mulh.clone() + is_mulhsu.clone() + is_mulhu.clone();
        for j in 0..4 {
            builder.assert_eq(
                c[j].clone(),
                is_mul.clone() * p[j].clone() + high.clone() * p[j + 4].clone(),
            );
        }

        let op = is_mul * opcode_expr::<AB::Expr>(Opcode::Mul)
            + is_mulh * opcode_expr::<AB::Expr>(Opcode::Mulh)
            + is_mulhsu * opcode_expr::<AB::Expr>(Opcode::Mulhsu)
            + is_mulhu * opcode_expr::<AB::Expr>(Opcode::Mulhu);
        send_carries(builder, carries, &mult);
        send_bytes(
            builder,
            r[P..P + 8].iter().cloned().chain([
                r[A_LOW].clone() * k::<AB::Expr>(2),
                r[B_LOW].clone() * k::<AB::Expr>(2),
            ]),
            &mult,
        );
        receive_alu(builder, op, a, b, c, mult);
    }
}
