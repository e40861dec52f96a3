//! SLT and SLTU.
//!
//! `d = a − b mod 2³²` is computed by a byte-wise borrow chain
//! (`b + d = a + 2³²·borrow`); the final borrow is `a <u b`. For the signed
//! comparison, `a <s b` equals `a <u b` flipped once for each operand whose
//! sign bit is set (comparing `a ⊕ 2³¹` with `b ⊕ 2³¹` unsigned), i.e.
//! `borrow ⊕ sa ⊕ sb`. Sign bits come from splitting the top limbs.

use p3_air::{Air, BaseAir};
use p3_field::PrimeCharacteristicRing;
use p3_lookup::InteractionBuilder;

use super::{current_row, exclusive_selectors, k, send_bytes, sign_split, word};
use crate::air::bus::{opcode_expr, receive_alu};
use crate::isa::Opcode;

/// Operand `a`.
pub const A: usize = 0;
/// Operand `b`.
pub const B: usize = 4;
/// `a − b mod 2³²`.
pub const D: usize = 8;
/// Borrow out of each limb (boolean).
pub const BORROW: usize = 12;
/// Low seven bits of `a3`.
pub const A_LOW: usize = 16;
/// Low seven bits of `b3`.
pub const B_LOW: usize = 17;
/// Sign bit of `a`.
pub const A_MSB: usize = 18;
/// Sign bit of `b`.
pub const B_MSB: usize = 19;
/// `A_MSB ⊕ B_MSB`.
pub const SX: usize = 20;
/// The result bit.
pub const LT: usize = 21;
/// Selector: SLT.
pub const IS_SLT: usize = 22;
/// Selector: SLTU.
pub const IS_SLTU: usize = 23;
/// Number of columns.
pub const WIDTH: usize = 24;

/// The SLT/SLTU table.
#[derive(Clone, Copy, Debug, Default)]
pub struct CompareAir;

impl<F> BaseAir<F> for CompareAir {
    fn width(&self) -> usize {
        WIDTH
    }
}

impl<AB: InteractionBuilder> Air<AB> for CompareAir {
    fn eval(&self, builder: &mut AB) {
        let r = current_row(builder);
        let (is_slt, is_sltu) = (r[IS_SLT].clone(), r[IS_SLTU].clone());
        let mult = exclusive_selectors(builder, &[is_slt.clone(), is_sltu.clone()]);
        let (a, b, d) = (word(&r, A), word(&r, B), word(&r, D));
        let mut borrow_in = AB::Expr::ZERO;
        for i in 0..4 {
            let borrow = r[BORROW + i].clone();
            builder.assert_bool(borrow.clone());
            builder.assert_eq(
                b[i].clone() + d[i].clone() + borrow_in,
                a[i].clone() + borrow.clone() * k::<AB::Expr>(256),
            );
            borrow_in = borrow;
        }
        let borrow = borrow_in;
        let (sa, sb) = (r[A_MSB].clone(), r[B_MSB].clone());
        sign_split(builder, a[3].clone(), sa.clone(), r[A_LOW].clone());
        sign_split(builder, b[3].clone(), sb.clone(), r[B_LOW].clone());
        let sx = r[SX].clone();
        builder.assert_eq(
            sx.clone(),
            sa.clone() + sb.clone() - sa * sb * k::<AB::Expr>(2),
        );
        let signed = borrow.clone() + sx.clone() - borrow.clone() * sx * k::<AB::Expr>(2);
        let lt = r[LT].clone();
        builder.assert_eq(
            lt.clone(),
            is_sltu.clone() * borrow + is_slt.clone() * signed,
        );

        let op = is_slt * opcode_expr::<AB::Expr>(Opcode::Slt)
            + is_sltu * opcode_expr::<AB::Expr>(Opcode::Sltu);
        send_bytes(
            builder,
            d.iter().cloned().chain([
                r[A_LOW].clone() * k::<AB::Expr>(2),
                r[B_LOW].clone() * k::<AB::Expr>(2),
            ]),
            &mult,
        );
        let zero = AB::Expr::ZERO;
        receive_alu(
            builder,
            op,
            a,
            b,
            [lt, zero.clone(), zero.clone(), zero],
            mult,
        );
    }
}
