//! DIV, DIVU, REM and REMU.
//!
//! The prover supplies the quotient `q` and remainder `r`; the table checks
//! the defining relation of RISC-V (truncating) division:
//!
//! * `b·q + r = a` exactly, as 64-bit two's-complement integers (operands
//!   sign-extended for DIV/REM, zero-extended for DIVU/REMU), via
//!   [`convolution_chain`](super::convolution_chain). Both sides are far
//!   below 2⁶³ in magnitude, so equality modulo 2⁶⁴ is integer equality.
//! * `|r| < |b|` when `b ≠ 0`, by `|r| + d + 1 = |b|` with `d` a range-checked
//!   word. `|b|`, `|r|` are witness words tied to `b`, `r` by a conditional
//!   negation chain (`x + |x| = 2³²` if negative, `|x| = x` otherwise).
//! * `r` is zero or has the sign of `a` (signed only).
//! * Division by zero (`bz`, from an is-zero gadget on `Σ bᵢ`) forces
//!   `q = 0xffff_ffff`; the relation then forces `r = a`.
//! * Signed overflow `INT_MIN / −1` (`ov`, from an is-zero gadget on a sum of
//!   non-negative terms that vanishes exactly for that case) is the one case
//!   where the true quotient 2³¹ does not fit: RISC-V wants `q = INT_MIN`,
//!   `r = 0`, and then `b·q + r = 2³¹`, so the expected high half of the
//!   product becomes 0 instead of the sign extension of `a`. `ov` is forced by
//!   the gadget, so no other row can use this relaxation.
//!
//! Those conditions define `q` and `r` uniquely, and `c` is `q` (DIV, DIVU)
//! or `r` (REM, REMU).

use p3_air::{Air, AirBuilder, BaseAir};
use p3_field::PrimeCharacteristicRing;
use p3_lookup::InteractionBuilder;

use super::{
    convolution_chain, current_row, exclusive_selectors, extend, k, send_bytes, send_carries,
    sign_split, word,
};
use crate::air::bus::{opcode_expr, receive_alu};
use crate::isa::Opcode;

/// Dividend `a`.
pub const A: usize = 0;
/// Divisor `b`.
pub const B: usize = 4;
/// Quotient `q`.
pub const Q: usize = 8;
/// Remainder `r`.
pub const R: usize = 12;
/// Result `c` (`q` or `r`).
pub const C: usize = 16;
/// Sign bit of `a`.
pub const A_MSB: usize = 20;
/// Low seven bits of `a3`.
pub const A_LOW: usize = 21;
/// Sign bit of `b`.
pub const B_MSB: usize = 22;
/// Low seven bits of `b3`.
pub const B_LOW: usize = 23;
/// Sign bit of `q`.
pub const Q_MSB: usize = 24;
/// Low seven bits of `q3`.
pub const Q_LOW: usize = 25;
/// Sign bit of `r`.
pub const R_MSB: usize = 26;
/// Low seven bits of `r3`.
pub const R_LOW: usize = 27;
/// `is_signed · A_MSB`.
pub const SA: usize = 28;
/// `is_signed · B_MSB`.
pub const SB: usize = 29;
/// `is_signed · Q_MSB`.
pub const SQ: usize = 30;
/// `is_signed · R_MSB`.
pub const SR: usize = 31;
/// `b == 0`.
pub const BZ: usize = 32;
/// Inverse of `Σ bᵢ` when `b ≠ 0`.
pub const B_INV: usize = 33;
/// Signed overflow (`INT_MIN / −1`).
pub const OV: usize = 34;
/// Inverse of the overflow-detecting sum when it is non-zero.
pub const OV_INV: usize = 35;
/// `|b|` (as the signedness of the operation sees it).
pub const ABS_B: usize = 36;
/// Carries of the `|b|` negation chain.
pub const ABS_B_CARRY: usize = 40;
/// `|r|`.
pub const ABS_R: usize = 44;
/// Carries of the `|r|` negation chain.
pub const ABS_R_CARRY: usize = 48;
/// `|b| − |r| − 1`.
pub const D: usize = 52;
/// Carries of `|r| + d + 1 = |b|`.
pub const D_CARRY: usize = 56;
/// The eight convolution carries (each below 2¹², on the limb bus).
pub const CARRY: usize = 60;
/// Selector: DIV.
pub const IS_DIV: usize = 68;
/// Selector: DIVU.
pub const IS_DIVU: usize = 69;
/// Selector: REM.
pub const IS_REM: usize = 70;
/// Selector: REMU.
pub const IS_REMU: usize = 71;
/// Number of columns.
pub const WIDTH: usize = 72;

/// The division table.
#[derive(Clone, Copy, Debug, Default)]
pub struct DivRemAir;

impl<F> BaseAir<F> for DivRemAir {
    fn width(&self) -> usize {
        WIDTH
    }
}

/// Constrains `abs` to be `|x|` for a word `x` whose sign (as the operation
/// sees it) is the boolean `sign`: `x + abs = 2³²` when `sign = 1` (then
/// `x ≠ 0`), `abs = x` when `sign = 0`. Per limb
/// `xᵢ + (2·sign − 1)·absᵢ + cᵢ₋₁ = 256·cᵢ` with boolean carries and
/// `c₃ = sign`.
fn abs_chain<AB: AirBuilder>(
    builder: &mut AB,
    x: &[AB::Expr; 4],
    abs: &[AB::Expr; 4],
    carries: &[AB::Expr],
    sign: AB::Expr,
) {
    let factor = sign.clone() * k::<AB::Expr>(2) - AB::Expr::ONE;
    let mut carry_in = AB::Expr::ZERO;
    for i in 0..4 {
        let carry = carries[i].clone();
        builder.assert_bool(carry.clone());
        builder.assert_eq(
            x[i].clone() + factor.clone() * abs[i].clone() + carry_in,
            carry.clone() * k::<AB::Expr>(256),
        );
        carry_in = carry;
    }
    builder.assert_eq(carry_in, sign);
}

impl<AB: InteractionBuilder> Air<AB> for DivRemAir {
    fn eval(&self, builder: &mut AB) {
        let r = current_row(builder);
        let sel = [
            r[IS_DIV].clone(),
            r[IS_DIVU].clone(),
            r[IS_REM].clone(),
            r[IS_REMU].clone(),
        ];
        let mult = exclusive_selectors(builder, &sel);
        let [is_div, is_divu, is_rem, is_remu] = sel;
        let is_signed = is_div.clone() + is_rem.clone();
        let (a, b, q, rem, c) = (
            word(&r, A),
            word(&r, B),
            word(&r, Q),
            word(&r, R),
            word(&r, C),
        );

        // Sign bits, gated by signedness.
        let splits = [
            (&a, A_MSB, A_LOW, SA),
            (&b, B_MSB, B_LOW, SB),
            (&q, Q_MSB, Q_LOW, SQ),
            (&rem, R_MSB, R_LOW, SR),
        ];
        for (w, msb, low, s) in splits {
            sign_split(builder, w[3].clone(), r[msb].clone(), r[low].clone());
            builder.assert_eq(r[s].clone(), is_signed.clone() * r[msb].clone());
        }
        let (sa, sb, sq, sr) = (r[SA].clone(), r[SB].clone(), r[SQ].clone(), r[SR].clone());

        // b == 0 gadget; division by zero yields q = all ones.
        let bz = r[BZ].clone();
        builder.assert_bool(bz.clone());
        let b_sum = b.iter().cloned().fold(AB::Expr::ZERO, |s, x| s + x);
        builder.assert_zero(bz.clone() * b_sum.clone());
        builder
            .assert_zero((AB::Expr::ONE - bz.clone()) * (b_sum * r[B_INV].clone() - AB::Expr::ONE));
        for qj in &q {
            builder.assert_zero(bz.clone() * (qj.clone() - k::<AB::Expr>(255)));
        }

        // Overflow gadget: t = 0 exactly when signed, a = 0x8000_0000 and
        // b = 0xffff_ffff (every term is non-negative and small).
        let ov = r[OV].clone();
        builder.assert_bool(ov.clone());
        let mut t = a[0].clone() + a[1].clone() + a[2].clone() + r[A_LOW].clone();
        for bj in &b {
            t += k::<AB::Expr>(255) - bj.clone();
        }
        t += AB::Expr::ONE - r[A_MSB].clone();
        t += AB::Expr::ONE - is_signed.clone();
        builder.assert_zero(ov.clone() * t.clone());
        builder.assert_zero((AB::Expr::ONE - ov.clone()) * (t * r[OV_INV].clone() - AB::Expr::ONE));

        // b·q + r = a (64-bit), high half of a relaxed to 0 on overflow.
        let x = extend(&b, sb.clone() * k::<AB::Expr>(255));
        let y = extend(&q, sq * k::<AB::Expr>(255));
        let z = extend(&rem, sr.clone() * k::<AB::Expr>(255));
        let target = extend(&a, (sa.clone() - ov) * k::<AB::Expr>(255));
        let carries = &r[CARRY..CARRY + 8];
        convolution_chain(builder, &x, &y, &z, &target, carries);

        // |r| < |b| unless b = 0.
        let abs_b = word(&r, ABS_B);
        let abs_r = word(&r, ABS_R);
        let d = word(&r, D);
        abs_chain(builder, &b, &abs_b, &r[ABS_B_CARRY..ABS_B_CARRY + 4], sb);
        abs_chain(
            builder,
            &rem,
            &abs_r,
            &r[ABS_R_CARRY..ABS_R_CARRY + 4],
            sr.clone(),
        );
        let not_bz = AB::Expr::ONE - bz;
        let mut carry_in = AB::Expr::ONE;
        for i in 0..4 {
            let carry = r[D_CARRY + i].clone();
            builder.assert_bool(carry.clone());
            builder.assert_zero(
                not_bz.clone()
                    * (abs_r[i].clone() + d[i].clone() + carry_in
                        - abs_b[i].clone()
                        - carry.clone() * k::<AB::Expr>(256)),
            );
            carry_in = carry;
        }
        builder.assert_zero(not_bz * carry_in);

        // The remainder is zero or has the dividend's sign.
        builder.assert_zero(sr.clone() * (AB::Expr::ONE - sa.clone()));
        let r_sum = rem.iter().cloned().fold(AB::Expr::ZERO, |s, x| s + x);
        builder.assert_zero((sa - sr) * r_sum);

        // The result.
        let want_q = is_div.clone() + is_divu.clone();
        let want_r = is_rem.clone() + is_remu.clone();
        for j in 0..4 {
            builder.assert_eq(
                c[j].clone(),
                want_q.clone() * q[j].clone() + want_r.clone() * rem[j].clone(),
            );
        }

        let op = is_div * opcode_expr::<AB::Expr>(Opcode::Div)
            + is_divu * opcode_expr::<AB::Expr>(Opcode::Divu)
            + is_rem * opcode_expr::<AB::Expr>(Opcode::Rem)
            + is_remu * opcode_expr::<AB::Expr>(Opcode::Remu);
        let lows = [A_LOW, B_LOW, Q_LOW, R_LOW].map(|i| r[i].clone() * k::<AB::Expr>(2));
        send_bytes(
            builder,
            q.iter()
                .chain(&rem)
                .chain(&abs_b)
                .chain(&abs_r)
                .chain(&d)
                .cloned()
                .chain(lows),
            &mult,
        );
        send_carries(builder, carries, &mult);
        receive_alu(builder, op, a, b, c, mult);
    }
}
