//! ADD and SUB. The CPU computes its own additions in its row and takes a
//! jump's link `pc + 4` from the decode table (protocol 8), so only SUB
//! reaches this table from the CPU; ADD stays for any other sender.
//!
//! Both are one byte-wise addition chain: ADD checks `a + b = c + 2³²·k`,
//! SUB checks `c + b = a + 2³²·k` (i.e. `c = a − b mod 2³²`), with a boolean
//! carry per limb. Swapping the roles of `a` and `c` by selector keeps it at
//! one chain and degree 2. With `a`, `b` bytes (the sender's guarantee, see
//! [`super`]), `c` range-checked to bytes and the carries boolean, each limb
//! equation is an integer equation, so `c` is exactly the RV32 result.

use p3_air::{Air, BaseAir};
use p3_field::PrimeCharacteristicRing;
use p3_lookup::InteractionBuilder;

use super::{current_row, exclusive_selectors, k, send_bytes, word};
use crate::air::bus::{opcode_expr, receive_alu};
use crate::isa::Opcode;

/// Operand `a`, four byte limbs.
pub const A: usize = 0;
/// Operand `b`, four byte limbs.
pub const B: usize = 4;
/// Result `c`, four byte limbs.
pub const C: usize = 8;
/// Carry out of each limb (boolean).
pub const CARRY: usize = 12;
/// Selector: this row is an ADD.
pub const IS_ADD: usize = 16;
/// Selector: this row is a SUB.
pub const IS_SUB: usize = 17;
/// Number of columns.
pub const WIDTH: usize = 18;

/// The ADD/SUB table.
#[derive(Clone, Copy, Debug, Default)]
pub struct AddSubAir;

impl<F> BaseAir<F> for AddSubAir {
    fn width(&self) -> usize {
        WIDTH
    }
}

impl<AB: InteractionBuilder> Air<AB> for AddSubAir {
    fn eval(&self, builder: &mut AB) {
        let r = current_row(builder);
        let (is_add, is_sub) = (r[IS_ADD].clone(), r[IS_SUB].clone());
        let mult = exclusive_selectors(builder, &[is_add.clone(), is_sub.clone()]);
        let (a, b, c) = (word(&r, A), word(&r, B), word(&r, C));
        let mut carry_in = AB::Expr::ZERO;
        for i in 0..4 {
            let carry = r[CARRY + i].clone();
            builder.assert_bool(carry.clone());
            // ADD: a + b + cin = c + 256·cout; SUB: c + b + cin = a + 256·cout.
            let lhs = is_add.clone() * a[i].clone() + is_sub.clone() * c[i].clone();
            let rhs = is_add.clone() * c[i].clone() + is_sub.clone() * a[i].clone();
            builder.assert_eq(
                lhs + b[i].clone() + carry_in,
                rhs + carry.clone() * k::<AB::Expr>(256),
            );
            carry_in = carry;
        }
        let op = is_add * opcode_expr::<AB::Expr>(Opcode::Add)
            + is_sub * opcode_expr::<AB::Expr>(Opcode::Sub);
        send_bytes(builder, c.iter().cloned(), &mult);
        receive_alu(builder, op, a, b, c, mult);
    }
}
