//! SLL, SRL and SRA.
//!
//! The shift amount is `s = b & 31`: the low limb `b0` is decomposed into
//! bits `s0 s1 s2` (the in-byte shift `r`), a one-hot `e0..e3` (the whole-byte
//! shift `q`) and three more bits `k` that are ignored:
//! `b0 = r + 8·q + 32·k`. Because every part is a constrained small integer,
//! `b0` is then a byte and `s` is exactly its low five bits.
//!
//! The word is shifted in two stages. Bit stage: every limb is multiplied by
//! `m = 2^r` (left) or `m = 2^(8−r)` (right) and split as
//! `aᵢ·m = loᵢ + 256·hiᵢ` with both parts range-checked bytes (unique since
//! `aᵢ·m < 2¹⁶`). Then the left-shifted limbs are `uᵢ = loᵢ + hiᵢ₋₁` and the
//! right-shifted ones `vᵢ = hiᵢ + loᵢ₊₁`, the top one receiving the SRA
//! fill bits `fill·(256 − 2^(8−r))`. Byte stage: `c_j = Σ e_q · u_{j−q}`
//! (left) or `Σ e_q · v_{j+q}` (right, `255·fill` past the top).

use p3_air::{Air, BaseAir};
use p3_field::PrimeCharacteristicRing;
use p3_lookup::InteractionBuilder;

use super::{current_row, exclusive_selectors, k, send_bytes, sign_split, word};
use crate::air::bus::{opcode_expr, receive_alu};
use crate::isa::Opcode;

/// Operand `a`.
pub const A: usize = 0;
/// Limbs `b1..b3` of operand `b` (`b0` is recomposed from the bits below).
pub const B_HI: usize = 4;
/// Bits `s0 s1 s2` of the in-byte shift.
pub const S_BITS: usize = 7;
/// Bits 5..7 of `b0` (ignored by the shift, kept so that `b0` is pinned).
pub const K_BITS: usize = 10;
/// One-hot of the whole-byte shift `q = (b0 >> 3) & 3`.
pub const E: usize = 13;
/// `2^r`.
pub const PW_L: usize = 17;
/// `2^(8−r) = 256 / 2^r`.
pub const PW_R: usize = 18;
/// Low byte of `aᵢ·m`.
pub const LO: usize = 19;
/// High byte of `aᵢ·m`.
pub const HI: usize = 23;
/// Sign bit of `a`.
pub const A_MSB: usize = 27;
/// Low seven bits of `a3`.
pub const A_LOW: usize = 28;
/// `is_sra · A_MSB`: whether vacated bits are filled with ones.
pub const FILL: usize = 29;
/// `FILL · (256 − PW_R)`: the fill bits entering the top limb in the bit stage.
pub const FILL_BITS: usize = 30;
/// Result `c`.
pub const C: usize = 31;
/// Selector: SLL.
pub const IS_SLL: usize = 35;
/// Selector: SRL.
pub const IS_SRL: usize = 36;
/// Selector: SRA.
pub const IS_SRA: usize = 37;
/// Number of columns.
pub const WIDTH: usize = 38;

/// The shift table.
#[derive(Clone, Copy, Debug, Default)]
pub struct ShiftAir;

impl<F> BaseAir<F> for ShiftAir {
    fn width(&self) -> usize {
        WIDTH
    }
}

impl<AB: InteractionBuilder> Air<AB> for ShiftAir {
    fn eval(&self, builder: &mut AB) {
        let r = current_row(builder);
        let (is_sll, is_srl, is_sra) = (r[IS_SLL].clone(), r[IS_SRL].clone(), r[IS_SRA].clone());
        let mult = exclusive_selectors(builder, &[is_sll.clone(), is_srl.clone(), is_sra.clone()]);
        let is_right = is_srl.clone() + is_sra.clone();
        let a = word(&r, A);
        let c = word(&r, C);

        // Shift amount and b0.
        let s: [AB::Expr; 3] = core::array::from_fn(|i| r[S_BITS + i].clone());
        let kb: [AB::Expr; 3] = core::array::from_fn(|i| r[K_BITS + i].clone());
        let e: [AB::Expr; 4] = core::array::from_fn(|i| r[E + i].clone());
        let mut e_sum = AB::Expr::ZERO;
        for x in s.iter().chain(&kb).chain(&e) {
            builder.assert_bool(x.clone());
        }
        for x in &e {
            e_sum += x.clone();
        }
        builder.assert_one(e_sum);
        let q = e[1].clone() + e[2].clone() * k::<AB::Expr>(2) + e[3].clone() * k::<AB::Expr>(3);
        let b0 = s[0].clone()
            + s[1].clone() * k::<AB::Expr>(2)
            + s[2].clone() * k::<AB::Expr>(4)
            + q * k::<AB::Expr>(8)
            + (kb[0].clone() + kb[1].clone() * k::<AB::Expr>(2) + kb[2].clone() * k::<AB::Expr>(4))
                * k::<AB::Expr>(32);
        let (pw_l, pw_r) = (r[PW_L].clone(), r[PW_R].clone());
        builder.assert_eq(
            pw_l.clone(),
            (s[0].clone() + AB::Expr::ONE)
                * (s[1].clone() * k::<AB::Expr>(3) + AB::Expr::ONE)
                * (s[2].clone() * k::<AB::Expr>(15) + AB::Expr::ONE),
        );
        builder.assert_eq(pw_l.clone() * pw_r.clone(), k::<AB::Expr>(256));

        // Sign fill for SRA.
        let msb = r[A_MSB].clone();
        sign_split(builder, a[3].clone(), msb.clone(), r[A_LOW].clone());
        let fill = r[FILL].clone();
        let fill_bits = r[FILL_BITS].clone();
        builder.assert_eq(fill.clone(), is_sra.clone() * msb);
        builder.assert_eq(
            fill_bits.clone(),
            fill.clone() * (k::<AB::Expr>(256) - pw_r.clone()),
        );

        // Bit stage.
        let m = is_sll.clone() * pw_l + is_right.clone() * pw_r;
        let lo = word(&r, LO);
        let hi = word(&r, HI);
        for i in 0..4 {
            builder.assert_eq(
                a[i].clone() * m.clone(),
                lo[i].clone() + hi[i].clone() * k::<AB::Expr>(256),
            );
        }
        let u = |i: isize| -> AB::Expr {
            match i {
                0 => lo[0].clone(),
                1..=3 => lo[i as usize].clone() + hi[i as usize - 1].clone(),
                _ => AB::Expr::ZERO,
            }
        };
        let v = |i: usize| -> AB::Expr {
            match i {
                0..=2 => hi[i].clone() + lo[i + 1].clone(),
                3 => hi[3].clone() + fill_bits.clone(),
                _ => fill.clone() * k::<AB::Expr>(255),
            }
        };

        // Byte stage.
        for j in 0..4 {
            let mut left = AB::Expr::ZERO;
            let mut right = AB::Expr::ZERO;
            for (qq, eq) in e.iter().enumerate() {
                left += eq.clone() * u(j as isize - qq as isize);
                right += eq.clone() * v(j + qq);
            }
            builder.assert_eq(
                c[j].clone(),
                is_sll.clone() * left + is_right.clone() * right,
            );
        }

        let op = is_sll * opcode_expr::<AB::Expr>(Opcode::Sll)
            + is_srl * opcode_expr::<AB::Expr>(Opcode::Srl)
            + is_sra * opcode_expr::<AB::Expr>(Opcode::Sra);
        let b = [
            b0,
            r[B_HI].clone(),
            r[B_HI + 1].clone(),
            r[B_HI + 2].clone(),
        ];
        send_bytes(
            builder,
            lo.iter()
                .chain(&hi)
                .cloned()
                .chain([r[A_LOW].clone() * k::<AB::Expr>(2)]),
            &mult,
        );
        receive_alu(builder, op, a, b, c, mult);
    }
}
