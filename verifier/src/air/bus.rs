//! The global LogUp buses that link the tables of one epoch proof, and the
//! helpers that build their messages.
//!
//! Every table of the per-epoch batch proof talks to the others only through
//! these buses, so their names, message layouts and sign conventions are the
//! contract between the CPU/memory tables and the arithmetic tables. Keeping
//! the layout in one place means a sender and a receiver cannot disagree about
//! the order of fields.
//!
//! # Conventions
//!
//! * A **send** has a positive count, a **receive** a negative one
//!   (`p3_lookup::PermutationCheckBus` semantics). LogUp proves that, over the
//!   whole batch, the signed counts of every distinct message sum to zero.
//! * Words travel as four little-endian byte limbs `[b0, b1, b2, b3]`, each a
//!   field element in `0..=255`. A receiver that constrains a word's limbs to
//!   be bytes (via [`BYTE`]) pins the word uniquely; the sender may rely on it.
//! * Every count a sender or a receiver passes here must be `0` or `1` (a
//!   selector, or a sum of flags the decode table makes exclusive, such as
//!   the CPU's `is_jalr + mem_count`); the bound `1` declared to Plonky3's
//!   height check relies on that. The `Range` table is the only provider with
//!   an unbounded multiplicity ([`receive_byte_table`]).
//!
//! # Buses
//!
//! * [`BYTE`] `"byte"`: message `(x)`. The `Range` table provides every
//!   `x ∈ 0..=255` with a free multiplicity; anyone needing a byte range check
//!   sends `(x)`.
//! * [`ALU`] `"alu"`: message `(ALU_TAG, op, a0..a3, b0..b3, c0..c3)`, meaning
//!   `c = op(a, b)` under RV32IM semantics, `op` = [`Opcode`]` as u8` of the
//!   R-type instruction (I-type instructions use [`alu_opcode`]). The CPU sends,
//!   the arithmetic tables receive.

use p3_field::PrimeCharacteristicRing;
use p3_lookup::{Count, InteractionBuilder};

use crate::isa::Opcode;

/// Name of the byte range-check bus.
pub const BYTE: &str = "byte";

/// Name of the ALU operation bus.
pub const ALU: &str = "alu";

/// Number of field elements in a [`BYTE`] message.
pub const BYTE_MESSAGE_LEN: usize = 1;

/// Number of field elements an ALU operation is made of: the opcode and
/// three words of four limbs each.
pub const ALU_MESSAGE_LEN: usize = 13;
/// First field of every operation's message on the [`ALU`] bus, which is
/// one field longer than the operation: the bus also carries the syscall
/// messages ([`super::io::IO_BUS`], protocol 12), which have the same width
/// (Plonky3 folds only tuples of one width on a bus) and lead with
/// [`super::io::IO_TAG`] instead.
pub const ALU_TAG: u32 = 0;

/// The opcodes the arithmetic tables serve on the [`ALU`] bus, in
/// discriminant order. Only R-type opcodes appear: the immediate forms travel
/// under their R-type equivalent (see [`alu_opcode`]).
pub const ALU_OPCODES: [Opcode; 18] = [
    Opcode::Add,
    Opcode::Sub,
    Opcode::Sll,
    Opcode::Slt,
    Opcode::Sltu,
    Opcode::Xor,
    Opcode::Srl,
    Opcode::Sra,
    Opcode::Or,
    Opcode::And,
    Opcode::Mul,
    Opcode::Mulh,
    Opcode::Mulhsu,
    Opcode::Mulhu,
    Opcode::Div,
    Opcode::Divu,
    Opcode::Rem,
    Opcode::Remu,
];

/// The opcode an instruction uses on the [`ALU`] bus: itself for the R-type
/// ALU operations, the R-type equivalent for the immediate forms (`addi` →
/// [`Opcode::Add`], `slti` → [`Opcode::Slt`], `slli` → [`Opcode::Sll`], …),
/// `None` for instructions that have no single ALU equivalent (branches, loads,
/// jumps, …: the CPU table picks the operation it needs for those itself).
pub const fn alu_opcode(op: Opcode) -> Option<Opcode> {
    use Opcode::*;
    Some(match op {
        Addi => Add,
        Slti => Slt,
        Sltiu => Sltu,
        Xori => Xor,
        Ori => Or,
        Andi => And,
        Slli => Sll,
        Srli => Srl,
        Srai => Sra,
        Add | Sub | Sll | Slt | Sltu | Xor | Srl | Sra | Or | And | Mul | Mulh | Mulhsu | Mulhu
        | Div | Divu | Rem | Remu => op,
        _ => return None,
    })
}

/// The little-endian byte limbs of a word, as they travel on a bus.
pub const fn word_limbs(x: u32) -> [u8; 4] {
    x.to_le_bytes()
}

/// The field element that identifies `op` in an [`ALU`] message.
pub fn opcode_expr<E: PrimeCharacteristicRing>(op: Opcode) -> E {
    E::from_u8(op as u8)
}

/// Lays out an [`ALU`] message `(ALU_TAG, op, a0..a3, b0..b3, c0..c3)`.
pub fn alu_message<E: PrimeCharacteristicRing>(
    op: E,
    a: [E; 4],
    b: [E; 4],
    c: [E; 4],
) -> [E; ALU_MESSAGE_LEN + 1] {
    let [a0, a1, a2, a3] = a;
    let [b0, b1, b2, b3] = b;
    let [c0, c1, c2, c3] = c;
    [
        E::from_u32(ALU_TAG),
        op,
        a0,
        a1,
        a2,
        a3,
        b0,
        b1,
        b2,
        b3,
        c0,
        c1,
        c2,
        c3,
    ]
}

/// The concrete [`ALU`] message for `c = op(a, b)`, e.g. for debugging a bus
/// imbalance or for tests that compare messages.
pub fn alu_message_values<F: PrimeCharacteristicRing>(
    op: Opcode,
    a: u32,
    b: u32,
    c: u32,
) -> [F; ALU_MESSAGE_LEN + 1] {
    let limbs = |x: u32| word_limbs(x).map(F::from_u8);
    alu_message(opcode_expr(op), limbs(a), limbs(b), limbs(c))
}

/// Sends `(x)` on [`BYTE`]: asks the `Range` table to vouch that `x` is in
/// `0..=255`. `count` must be constrained boolean by the caller's AIR.
pub fn send_byte<AB: InteractionBuilder>(
    builder: &mut AB,
    x: impl Into<AB::Expr>,
    count: impl Into<AB::Expr>,
) {
    builder.push_interaction(BYTE, [x.into()], Count::bounded(count.into(), 1));
}

/// The `Range` table's side of [`BYTE`]: provides the byte `x` `mult` times.
/// The multiplicity is free (a provided table entry, weight 0 in the height
/// check): whatever it is, it cannot make a non-byte appear on the bus.
pub fn receive_byte_table<AB: InteractionBuilder>(
    builder: &mut AB,
    x: impl Into<AB::Expr>,
    mult: impl Into<AB::Expr>,
) {
    builder.push_interaction(BYTE, [x.into()], Count::provided(-mult.into()));
}

/// Sends `c = op(a, b)` on [`ALU`]. `count` must be constrained boolean by the
/// caller's AIR.
pub fn send_alu<AB: InteractionBuilder>(
    builder: &mut AB,
    op: impl Into<AB::Expr>,
    a: [AB::Expr; 4],
    b: [AB::Expr; 4],
    c: [AB::Expr; 4],
    count: impl Into<AB::Expr>,
) {
    builder.push_interaction(
        ALU,
        alu_message(op.into(), a, b, c),
        Count::bounded(count.into(), 1),
    );
}

/// Receives `c = op(a, b)` from [`ALU`] `mult` times. The arithmetic tables
/// constrain `mult` to be boolean (one row per operation), which is what the
/// declared bound `1` relies on.
pub fn receive_alu<AB: InteractionBuilder>(
    builder: &mut AB,
    op: impl Into<AB::Expr>,
    a: [AB::Expr; 4],
    b: [AB::Expr; 4],
    c: [AB::Expr; 4],
    mult: impl Into<AB::Expr>,
) {
    builder.push_interaction(
        ALU,
        alu_message(op.into(), a, b, c),
        Count::bounded(-mult.into(), 1),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use p3_koala_bear::KoalaBear as F;

    #[test]
    fn immediate_forms_map_to_r_type() {
        assert_eq!(alu_opcode(Opcode::Addi), Some(Opcode::Add));
        assert_eq!(alu_opcode(Opcode::Srai), Some(Opcode::Sra));
        assert_eq!(alu_opcode(Opcode::Sltiu), Some(Opcode::Sltu));
        assert_eq!(alu_opcode(Opcode::Beq), None);
        assert_eq!(alu_opcode(Opcode::Lw), None);
        for op in ALU_OPCODES {
            assert_eq!(alu_opcode(op), Some(op));
        }
    }

    #[test]
    fn message_layout_is_tag_op_then_little_endian_limbs() {
        let m = alu_message_values::<F>(Opcode::Sub, 0x0403_0201, 0x0807_0605, 0xfcfb_fbfc);
        let expect: [u32; 14] = [
            ALU_TAG,
            Opcode::Sub as u32,
            1,
            2,
            3,
            4,
            5,
            6,
            7,
            8,
            0xfc,
            0xfb,
            0xfb,
            0xfc,
        ];
        assert_eq!(m, expect.map(F::from_u32));
    }
}
