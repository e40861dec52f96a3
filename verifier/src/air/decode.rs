//! The decode table: one row per instruction address (`pc`) the epoch
//! executes, in any order, fetching the word there once for the whole epoch
//! and proving what it means.
//!
//! A real row (`is_real`) holds `pc`, the word's 32 bits, one selector per
//! [`SUPPORTED`] opcode (exactly one set), and the immediate; its
//! constraints are the RV32IM decoder. It provides, on the [`DECODE_BUS`],
//! the [`Decoded`] message: `pc`, its bytes and link (below), the word's
//! register fields, the immediate, the ALU operation and the [`FLAGS`] the
//! CPU constraints are gated by, each flag a sum of selectors. The CPU row sends that message
//! for its `pc`, with count `is_real`; the table's free multiplicity column
//! receives it (zero on padding rows).
//!
//! **The read-only fetch (protocol 7).** The row reads its word from memory
//! itself, once: it consumes the page table's initial token `(pc, word, 0)`
//! and produces `(pc, word, FETCH_HOLD_TS)`, a timestamp above every access
//! of the epoch. Every other access to `pc` would have to consume a token
//! of `pc` with a smaller timestamp than its own, and the only one below
//! `FETCH_HOLD_TS`, the initial token, is taken (the page table produces
//! one per word; a second real row of the same `pc` could not balance
//! either). So the word decoded here is the word at `pc` for the whole
//! epoch, the one every cycle at `pc` executes, and the CPU row needs no
//! fetch of its own (7 columns and 4 bus fractions fewer per cycle). The
//! price: an epoch cannot load or store a word it executes; the executor
//! ends the epoch before such an access (`docs/proof-system.md`).
//!
//! **Facts about `pc` (protocol 8).** What depends on the address alone is
//! proven here once per address instead of in every cycle: `pc` as four
//! range-checked bytes (`0x1_0000 ≤ pc < 2^30`: never a register, always
//! canonical) and the link `pc + 4` as four range-checked bytes (what
//! `JAL`/`JALR` write to `rd`). Both travel in the message, so the CPU row
//! neither range-checks its pc nor sends its link to the add/sub table.
//!
//! Decoding used to happen in every CPU row (79 columns: the bits and
//! selectors); a program executes far fewer distinct addresses than
//! cycles, so the decoder runs once per address instead.

use alloc::vec::Vec;

use p3_air::{Air, BaseAir, WindowAccess};
use p3_field::{Field, PrimeCharacteristicRing};
use p3_lookup::{Count, InteractionBuilder};

use super::bus::send_byte;
use super::cpu::{role, word_expr, SUPPORTED};
use super::flag_sum::FlagSum;
use super::layout::ColumnAlloc;
use super::memory::{mem_consume, mem_produce, FETCH_HOLD_TS};
use crate::isa::{Format, Opcode};

/// The bus between the CPU rows and the decode table.
pub const DECODE_BUS: &str = "decode";

/// Declares [`Flag`] and [`FLAGS`] (every flag, in message order) from one
/// list, so the two cannot disagree.
macro_rules! flags {
    ($($(#[$doc:meta])* $name:ident,)*) => {
        /// A flag of the decoded instruction: which opcodes set it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Flag {
            $($(#[$doc])* $name,)*
        }

        /// Every flag, in message order.
        pub const FLAGS: [Flag; [$(Flag::$name),*].len()] = [$(Flag::$name),*];
    };
}

flags! {
    /// `ECALL` (an `exit` or, with the CPU's `sys_io`, a `read`/`write`).
    Ecall,
    /// Has a main ALU operation (sent on the ALU bus unless `AddHere`).
    Alu,
    /// The operation is `ADD` (ADD, ADDI, AUIPC, JALR's target, a load's or
    /// store's address): the CPU row adds itself instead of sending it.
    AddHere,
    /// ALU operand `a` is `pc`.
    Auipc,
    /// ALU operand `b` is the immediate (else `rs2`).
    BImm,
    Jal,
    Jalr,
    /// `BLT`/`BLTU`: taken when the comparison's result is 1.
    BranchLess,
    /// `BGE`/`BGEU`: taken when it is 0.
    BranchGreaterEq,
    Beq,
    Bne,
    Lw,
    Lb,
    Lbu,
    Lh,
    Lhu,
    Sw,
    Sb,
    Sh,
    Lui,
}

/// Number of flags.
pub const NUM_FLAGS: usize = FLAGS.len();

impl Flag {
    /// Whether `op` sets this flag: the definition both the table's
    /// constraints and the prover's witness follow.
    pub const fn set_by(self, op: Opcode) -> bool {
        use Opcode as O;
        let r = role(op);
        match self {
            Flag::Ecall => matches!(op, O::Ecall),
            Flag::Alu => r.alu_op.is_some(),
            Flag::AddHere => matches!(r.alu_op, Some(O::Add)),
            Flag::Auipc => matches!(op, O::Auipc),
            Flag::BImm => r.alu_op.is_some() && r.b_is_imm,
            Flag::Jal => matches!(op, O::Jal),
            Flag::Jalr => matches!(op, O::Jalr),
            Flag::BranchLess => matches!(op, O::Blt | O::Bltu),
            Flag::BranchGreaterEq => matches!(op, O::Bge | O::Bgeu),
            Flag::Beq => matches!(op, O::Beq),
            Flag::Bne => matches!(op, O::Bne),
            Flag::Lw => matches!(op, O::Lw),
            Flag::Lb => matches!(op, O::Lb),
            Flag::Lbu => matches!(op, O::Lbu),
            Flag::Lh => matches!(op, O::Lh),
            Flag::Lhu => matches!(op, O::Lhu),
            Flag::Sw => matches!(op, O::Sw),
            Flag::Sb => matches!(op, O::Sb),
            Flag::Sh => matches!(op, O::Sh),
            Flag::Lui => matches!(op, O::Lui),
        }
    }

    /// Position in [`FLAGS`] (and in the message's flag fields).
    pub const fn index(self) -> usize {
        self as usize
    }
}

/// The load flags.
pub const LOADS: [Flag; 5] = [Flag::Lw, Flag::Lb, Flag::Lbu, Flag::Lh, Flag::Lhu];
/// The store flags.
pub const STORES: [Flag; 3] = [Flag::Sw, Flag::Sb, Flag::Sh];

/// "`rd` gets the main ALU result": every ALU operation but a load's, a
/// store's, JALR's and a conditional branch's. A real row's flags are sums
/// of one opcode's selector, so this linear form is exactly that opcode's
/// bit, and 0 on a padding row (no column needed; protocol 12).
pub const RD_FROM_ALU: FlagSum = FlagSum::of(&[Flag::Alu])
    .minus(&[Flag::Jalr, Flag::BranchLess, Flag::BranchGreaterEq])
    .minus(&LOADS)
    .minus(&STORES);

/// "Writes `rd`", like [`RD_FROM_ALU`]: the ALU results, the loads, the
/// jumps and LUI.
pub const WRITES_RD: FlagSum = RD_FROM_ALU
    .plus(&[Flag::Jal, Flag::Jalr, Flag::Lui])
    .plus(&LOADS);

/// "Reads `rs2`" (`a0` for `ECALL`) in the CPU row's second access, like
/// [`RD_FROM_ALU`]: the register-register operations and branches, the
/// stores and `ECALL`. The prover reads it off the row's flags too, so the
/// two cannot disagree.
pub const READS_RS2: FlagSum = FlagSum::of(&[Flag::Alu, Flag::Beq, Flag::Bne, Flag::Ecall])
    .minus(&[Flag::BImm])
    .plus(&STORES);

/// [`RD_FROM_ALU`] over `flag` (one flag's value each).
pub fn rd_from_alu<E: PrimeCharacteristicRing>(flag: impl Fn(Flag) -> E) -> E {
    RD_FROM_ALU.eval(flag)
}

/// [`WRITES_RD`] over `flag`.
pub fn writes_rd<E: PrimeCharacteristicRing>(flag: impl Fn(Flag) -> E) -> E {
    WRITES_RD.eval(flag)
}

/// [`READS_RS2`] over `flag`.
pub fn reads_rs2<E: PrimeCharacteristicRing>(flag: impl Fn(Flag) -> E) -> E {
    READS_RS2.eval(flag)
}

/// The ALU operation code `op` sends on the ALU bus (0 when it sends none).
pub fn alu_code(op: Opcode) -> u32 {
    role(op).alu_op.map_or(0, |a| a as u32)
}

/// Fields of the [`DECODE_BUS`] message, in order.
pub const DECODED_LEN: usize = 1 + 4 + 4 + 1 + 3 + 4 + 1 + NUM_FLAGS;

/// The decoded instruction as the CPU row uses it.
#[derive(Clone, Debug)]
pub struct Decoded<E> {
    /// The instruction's address, and as four bytes. The CPU row relates
    /// its `pc` column to nothing else: this field alone ties the row's
    /// `pc` (its chain and `next_pc`) to the decoded word.
    pub pc: E,
    /// `AUIPC`: `pc` as four bytes (else zeros), the operand `a` the CPU row
    /// holds in its `rs1` columns (degree 2 on both sides: the CPU sends
    /// `is_auipc · rs1`).
    pub auipc_pc: [E; 4],
    /// `JAL`/`JALR` with `rd ≠ x0`: the link `pc + 4` as four bytes (else
    /// zeros), the value the CPU row writes (it sends `is_link · rd_new`).
    pub link_rd: [E; 4],
    /// `rd = x0`: the write keeps 0.
    pub rd_zero: E,
    pub rd: E,
    pub rs1: E,
    pub rs2: E,
    /// The immediate as four byte limbs (format-dependent).
    pub imm: [E; 4],
    pub alu_op: E,
    pub flags: [E; NUM_FLAGS],
}

impl<E: Clone> Decoded<E> {
    /// The message's fields, in [`DECODED_LEN`] order.
    pub fn fields(&self) -> Vec<E> {
        let mut v = Vec::with_capacity(DECODED_LEN);
        v.push(self.pc.clone());
        v.extend(self.auipc_pc.iter().cloned());
        v.extend(self.link_rd.iter().cloned());
        v.extend([
            self.rd_zero.clone(),
            self.rd.clone(),
            self.rs1.clone(),
            self.rs2.clone(),
        ]);
        v.extend(self.imm.iter().cloned());
        v.push(self.alu_op.clone());
        v.extend(self.flags.iter().cloned());
        v
    }
}

/// Column indices of the decode table.
#[derive(Clone, Debug)]
pub struct DecodeCols {
    /// A row that fetches and decodes an address (else padding: no memory
    /// access, multiplicity 0).
    pub is_real: usize,
    /// The instruction's address, as four bytes, and the inverse of its
    /// upper half (`pc >= 0x1_0000`).
    pub pc: usize,
    pub pc_limbs: [usize; 4],
    pub pc_hi_inv: usize,
    /// `pc + 4` as four bytes, and the carries out of its low three.
    pub link: [usize; 4],
    pub link_carry: [usize; 3],
    /// The 32 bits of the instruction word, least significant first.
    pub bits: [usize; 32],
    /// One boolean per [`SUPPORTED`] opcode; exactly one is set.
    pub sel: [usize; SUPPORTED.len()],
    /// The immediate as four byte limbs.
    pub imm: [usize; 4],
    /// `rd = x0`, by the inverse of the word's `rd` field; and `JAL`/`JALR`
    /// with `rd ≠ x0` (the rows whose message carries the link).
    pub rd_zero: usize,
    pub rd_inv: usize,
    pub link_rd: usize,
    /// How many CPU rows executed this word (free: the provider side).
    pub mult: usize,
    pub width: usize,
}

impl DecodeCols {
    pub fn new() -> Self {
        let mut a = ColumnAlloc::default();
        DecodeCols {
            is_real: a.one(),
            pc: a.one(),
            pc_limbs: a.many(),
            pc_hi_inv: a.one(),
            link: a.many(),
            link_carry: a.many(),
            bits: a.many(),
            sel: a.many(),
            imm: a.many(),
            rd_zero: a.one(),
            rd_inv: a.one(),
            link_rd: a.one(),
            mult: a.one(),
            width: a.width(),
        }
    }
}

impl Default for DecodeCols {
    fn default() -> Self {
        Self::new()
    }
}

/// The decode table's AIR.
#[derive(Clone, Copy, Debug, Default)]
pub struct DecodeAir;

impl<F> BaseAir<F> for DecodeAir {
    fn width(&self) -> usize {
        DecodeCols::new().width
    }
}

/// `Σ bits[lo + j] * 2^j` for `j < len`.
fn bits_value<E: PrimeCharacteristicRing>(bits: &[E], lo: usize, len: usize) -> E {
    (0..len).fold(E::ZERO, |acc, j| {
        acc + bits[lo + j].clone() * E::from_u32(1 << j)
    })
}

impl<AB: InteractionBuilder> Air<AB> for DecodeAir
where
    AB::F: Field,
{
    fn eval(&self, builder: &mut AB) {
        let c = DecodeCols::new();
        let main = builder.main();
        let local: Vec<AB::Expr> = main.current_slice().iter().map(|&v| v.into()).collect();
        let l = |i: usize| local[i].clone();
        let k = |x: u32| AB::Expr::from_u32(x);
        let bits: Vec<AB::Expr> = c.bits.iter().map(|&b| l(b)).collect();
        let bit = |i: usize| bits[i].clone();
        let field = |lo: usize, len: usize| bits_value(&bits, lo, len);
        let sel = |op: Opcode| {
            let i = SUPPORTED
                .iter()
                .position(|&o| o == op)
                .expect("supported opcode");
            l(c.sel[i])
        };
        let sum_sel = |pred: &dyn Fn(Opcode) -> bool| -> AB::Expr {
            SUPPORTED
                .iter()
                .filter(|&&o| pred(o))
                .fold(AB::Expr::ZERO, |acc, &o| acc + sel(o))
        };

        for b in &bits {
            builder.assert_bool(b.clone());
        }
        let opcode7 = field(0, 7);
        let funct3 = field(12, 3);
        let funct7 = field(25, 7);
        let mut sel_sum = AB::Expr::ZERO;
        for &op in SUPPORTED.iter() {
            let s = sel(op);
            builder.assert_bool(s.clone());
            sel_sum += s.clone();
            let w = op.base_word();
            builder.assert_zero(s.clone() * (opcode7.clone() - k(w & 0x7f)));
            let fmt = op.format();
            if !matches!(fmt, Format::U | Format::J) {
                builder.assert_zero(s.clone() * (funct3.clone() - k((w >> 12) & 7)));
            }
            let shift_imm = matches!(op, Opcode::Slli | Opcode::Srli | Opcode::Srai);
            if matches!(fmt, Format::R) || shift_imm {
                builder.assert_zero(s.clone() * (funct7.clone() - k(w >> 25)));
            }
            if op == Opcode::Ecall {
                builder.assert_zero(s * field(7, 25));
            }
        }
        // Every row, padding included, is one supported instruction.
        builder.assert_one(sel_sum);

        // Immediates by format.
        let b31 = bit(31);
        let sign_hi = b31.clone() * k(0xf0);
        let sign_byte = b31 * k(0xff);
        let i_imm = [
            field(20, 8),
            field(28, 4) + sign_hi.clone(),
            sign_byte.clone(),
            sign_byte.clone(),
        ];
        let s_imm = [
            field(7, 5) + bit(25) * k(32) + bit(26) * k(64) + bit(27) * k(128),
            field(28, 4) + sign_hi.clone(),
            sign_byte.clone(),
            sign_byte.clone(),
        ];
        let b_imm = [
            field(8, 4) * k(2) + bit(25) * k(32) + bit(26) * k(64) + bit(27) * k(128),
            field(28, 3) + bit(7) * k(8) + sign_hi.clone(),
            sign_byte.clone(),
            sign_byte.clone(),
        ];
        let j_imm = [
            field(21, 7) * k(2),
            field(28, 3) + bit(20) * k(8) + field(12, 4) * k(16),
            field(16, 4) + sign_hi,
            sign_byte,
        ];
        let u_imm = [
            AB::Expr::ZERO,
            field(12, 4) * k(16),
            field(16, 8),
            field(24, 8),
        ];
        // R-type instructions have no immediate: theirs is 0, so the
        // message says exactly one thing per word.
        let r_imm = core::array::from_fn(|_| AB::Expr::ZERO);
        for (f, imm) in [
            (Format::R, r_imm),
            (Format::I, i_imm),
            (Format::S, s_imm),
            (Format::B, b_imm),
            (Format::J, j_imm),
            (Format::U, u_imm),
        ] {
            let s = sum_sel(&|o: Opcode| o.format() == f);
            for (idx, e) in c.imm.iter().zip(imm) {
                builder.assert_zero(s.clone() * (l(*idx) - e));
            }
        }

        // The fetch: the word at `pc` from its initial token, held to the
        // end of the epoch. Padding rows fetch nothing and provide nothing.
        let is_real = l(c.is_real);
        builder.assert_bool(is_real.clone());
        builder.assert_zero((AB::Expr::ONE - is_real.clone()) * l(c.mult));
        let word: [AB::Expr; 4] = core::array::from_fn(|i| field(8 * i, 8));
        mem_consume(
            builder,
            l(c.pc),
            word.clone(),
            AB::Expr::ZERO,
            is_real.clone(),
        );
        mem_produce(builder, l(c.pc), word, k(FETCH_HOLD_TS), is_real.clone());

        // pc as bytes, 0x1_0000 <= pc < 2^30; link = pc + 4 as bytes. The
        // constraints hold on padding rows too (they carry a valid pc);
        // only the range checks are per real row.
        let pc_limbs = c.pc_limbs.map(l);
        builder.assert_eq(l(c.pc), word_expr(pc_limbs.clone()));
        builder.assert_one((pc_limbs[2].clone() + pc_limbs[3].clone() * k(256)) * l(c.pc_hi_inv));
        for p in &pc_limbs {
            send_byte(builder, p.clone(), is_real.clone());
        }
        send_byte(builder, pc_limbs[3].clone() * k(4), is_real.clone());
        // link_i + 256·carry_i = pc_i + carry_{i-1}, carrying 4 in; the top
        // limb has no carry out (pc < 2^30).
        let carries: [AB::Expr; 4] =
            core::array::from_fn(|i| c.link_carry.get(i).map_or(AB::Expr::ZERO, |&col| l(col)));
        for &carry in &c.link_carry {
            builder.assert_bool(l(carry));
        }
        let mut carry_in = k(4);
        for ((pc_limb, &link), carry) in pc_limbs.iter().zip(&c.link).zip(&carries) {
            builder.assert_eq(l(link) + carry.clone() * k(256), pc_limb.clone() + carry_in);
            send_byte(builder, l(link), is_real.clone());
            carry_in = carry.clone();
        }

        // rd = x0, and the link rows that write it.
        let rd = field(7, 5);
        let rd_zero = l(c.rd_zero);
        builder.assert_bool(rd_zero.clone());
        builder.assert_zero(rd_zero.clone() * rd.clone());
        builder.assert_one(rd.clone() * l(c.rd_inv) + rd_zero.clone());
        let links = sel(Opcode::Jal) + sel(Opcode::Jalr);
        builder.assert_eq(l(c.link_rd), links * (AB::Expr::ONE - rd_zero.clone()));
        let is_auipc = sel(Opcode::Auipc);

        let decoded = Decoded {
            pc: l(c.pc),
            auipc_pc: pc_limbs.map(|p| is_auipc.clone() * p),
            link_rd: c.link.map(|link| l(c.link_rd) * l(link)),
            rd_zero,
            rd,
            rs1: field(15, 5),
            rs2: field(20, 5),
            imm: c.imm.map(l),
            alu_op: SUPPORTED
                .iter()
                .fold(AB::Expr::ZERO, |acc, &o| acc + sel(o) * k(alu_code(o))),
            flags: FLAGS.map(|f| sum_sel(&|o: Opcode| f.set_by(o))),
        };
        builder.push_interaction(DECODE_BUS, decoded.fields(), Count::provided(-l(c.mult)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stark::config::Val;

    #[test]
    fn flags_are_in_index_order() {
        for (i, f) in FLAGS.iter().enumerate() {
            assert_eq!(f.index(), i);
        }
    }

    /// The flag groups the CPU constraints rely on are exclusive where the
    /// CPU adds them up.
    #[test]
    fn every_opcode_sets_a_consistent_flag_set() {
        for &op in SUPPORTED.iter() {
            let set = |f: Flag| f.set_by(op);
            let control = [
                Flag::Jal,
                Flag::Jalr,
                Flag::BranchLess,
                Flag::BranchGreaterEq,
            ]
            .iter()
            .chain(&[Flag::Beq, Flag::Bne])
            .filter(|&&f| set(f))
            .count();
            assert!(control <= 1, "{op}");
            let memory = [
                Flag::Lw,
                Flag::Lb,
                Flag::Lbu,
                Flag::Lh,
                Flag::Lhu,
                Flag::Sw,
                Flag::Sb,
                Flag::Sh,
            ]
            .iter()
            .filter(|&&f| set(f))
            .count();
            assert!(memory <= 1, "{op}");
            // The CPU's JALR-or-memory count `is_jalr + mem_count` is 0 or 1.
            assert!(!(set(Flag::Jalr) && memory > 0), "{op}");
            // The derived flags are this opcode's bits.
            let bit = |f: Flag| Val::from_bool(set(f));
            let r = role(op);
            let from_alu = r.alu_op.is_some()
                && r.writes_rd
                && !matches!(
                    op,
                    Opcode::Lb | Opcode::Lh | Opcode::Lw | Opcode::Lbu | Opcode::Lhu | Opcode::Jalr
                );
            assert_eq!(rd_from_alu(bit), Val::from_bool(from_alu), "{op}");
            assert_eq!(writes_rd(bit), Val::from_bool(r.writes_rd), "{op}");
            let uses_rs2 = (r.alu_op.is_some() && !r.b_is_imm)
                || matches!(
                    op,
                    Opcode::Beq
                        | Opcode::Bne
                        | Opcode::Sb
                        | Opcode::Sh
                        | Opcode::Sw
                        | Opcode::Ecall
                );
            assert_eq!(reads_rs2(bit), Val::from_bool(uses_rs2), "{op}");
            assert!(!set(Flag::BImm) || set(Flag::Alu));
            assert!(!set(Flag::Auipc) || set(Flag::Alu));
            // The CPU's ALU message count `Alu - AddHere` is 0 or 1.
            assert!(!set(Flag::AddHere) || set(Flag::Alu));
            assert_eq!(set(Flag::AddHere), alu_code(op) == Opcode::Add as u32);
            assert_eq!(alu_code(op) != 0, set(Flag::Alu), "{op}");
        }
    }
}
