//! The CPU table: one row per cycle of the epoch.
//!
//! A row looks up the decoding of the instruction at `pc` in the decode
//! table ([`super::decode`], over [`DECODE_BUS`]), which fetched the word
//! from memory once for the whole epoch and also provides `pc`'s bytes and
//! the link `pc + 4`; the row makes at most three memory accesses (`rs1`;
//! `rs2` or a load's word; `rd` or a store's word) and fixes `next_pc`.
//! An `ADD` is computed in the row (a carry per 16-bit half); other arithmetic is
//! delegated to the ALU tables over the [`bus::ALU`] bus; range
//! checks go over [`bus::BYTE`]; every memory access (registers included) is
//! a pair of messages on [`MEM_BUS`] checked offline against the page
//! table ([`super::memory`], [`super::page`]).
//!
//! Rows are padded to a power of two with `is_real = 0`; `is_real` starts at
//! 1 and can only fall. A real row sends its decode message (so its flags
//! are those of exactly one instruction); a padding row's flags are all 0,
//! and every bus count and access is gated by `is_real` or a flag, so a
//! padding row does nothing.
//!
//! `ECALL` is either `exit` (the epoch's last cycle, exit code in `a0`) or,
//! with `sys_io` set, a `read`/`write` whose details the I/O table proves
//! ([`super::io`]): the row sends `(IO_TAG, clk, a7, a0, result)` on the I/O bus and
//! writes `result` to `a0`.

use alloc::vec::Vec;

use p3_air::{Air, AirBuilder, BaseAir};
use p3_field::{Field, PrimeCharacteristicRing};
use p3_lookup::{Count, InteractionBuilder};

use super::bus::{alu_opcode, send_alu, send_byte};
use super::decode::{
    rd_from_alu, reads_rs2, writes_rd, Decoded, Flag, DECODE_BUS, NUM_FLAGS, STORES, WRITES_RD,
};
use super::io::{io_message, IO_BUS};
use super::layout::{check_access_order, ColumnAlloc};
use super::memory::{mem_consume, mem_produce};
use crate::isa::{Format, Opcode};

/// Opcodes the CPU table constrains, in selector order.
pub const SUPPORTED: [Opcode; 47] = {
    use Opcode::*;
    [
        Lui, Auipc, Jal, Jalr, Beq, Bne, Blt, Bge, Bltu, Bgeu, Lb, Lh, Lw, Lbu, Lhu, Sb, Sh, Sw,
        Addi, Slti, Sltiu, Xori, Ori, Andi, Slli, Srli, Srai, Add, Sub, Sll, Slt, Sltu, Xor, Srl,
        Sra, Or, And, Fence, Ecall, Mul, Mulh, Mulhsu, Mulhu, Div, Divu, Rem, Remu,
    ]
};

/// Selector index of `op`, if the table supports it.
pub fn selector_index(op: Opcode) -> Option<usize> {
    SUPPORTED.iter().position(|&o| o == op)
}

/// Memory access slots of one row; slot `s` of cycle `clk` has timestamp
/// `8 * clk + s + 1` (0 is the boundary table's initial timestamp). Slot 0
/// was the instruction fetch before the decode table took it over
/// (protocol 7). No instruction makes more than three accesses, so a row
/// has three (protocol 12): `rs1`, a second read (`rs2`, or a load's word)
/// and a write (`rd`, or a store's word). Slot 3 is left to the I/O
/// table's input state word ([`super::io::SLOT_INPUT_STATE`]).
pub const SLOT_RS1: u32 = 1;
pub const SLOT_READ2: u32 = 2;
pub const SLOT_WRITE: u32 = 4;
/// Timestamps per cycle.
pub const TS_PER_CYCLE: u32 = 8;

/// The timestamp of an access in `slot` at epoch cycle `clk`.
pub const fn timestamp(clk: u32, slot: u32) -> u32 {
    TS_PER_CYCLE * clk + slot + 1
}

/// Register number of `a7` (syscall number).
pub const REG_A7: u32 = 17;
/// Register number of `a0` (exit code).
pub const REG_A0: u32 = 10;
/// The `exit` syscall number.
pub const SYSCALL_EXIT: u32 = 93;

/// Public values of the CPU table, in order.
pub const PV_START_PC: usize = 0;
pub const PV_END_PC: usize = 1;
pub const PV_LAST_CLK: usize = 2;
pub const PV_HALTED: usize = 3;
pub const PV_EXIT: usize = 4; // 4 limbs
pub const NUM_PUBLIC_VALUES: usize = 8;

pub use super::layout::TsCols;

/// Column indices of the CPU table.
#[derive(Clone, Debug)]
pub struct CpuCols {
    pub is_real: usize,
    pub clk: usize,
    pub pc: usize,
    pub next_pc: usize,
    /// The decoding of the instruction at `pc` (from the decode table):
    /// register numbers and `rd = x0`, immediate (four byte limbs,
    /// format-dependent), ALU operation and flags.
    pub rd_num: usize,
    pub rd_zero: usize,
    pub rs1_num: usize,
    pub rs2_num: usize,
    pub imm: [usize; 4],
    pub alu_op: usize,
    pub flags: [usize; NUM_FLAGS],
    /// The result of the main ALU operation `c = op(a, b)`, sent on the ALU
    /// bus or, for `ADD`, computed in the row with a carry per half. Its
    /// operands are `a = rs1_val` (which holds `pc` for `AUIPC`, which reads
    /// no register) and `b = read2_val` (which holds the immediate for the
    /// I-format operations sent on the bus); the row's own `ADD` takes the
    /// immediate directly.
    pub alu_c: [usize; 4],
    /// The carries of the row's own `ADD` out of each 16-bit half.
    pub add_carry: [usize; 2],
    /// Branch decision, and the equality gadget for `BEQ`/`BNE`.
    pub taken: usize,
    pub eq: usize,
    pub eq_inv: [usize; 2],
    /// `alu_c0` without its low bits, range-checked: `JALR`: `alu_c0 = 2 *
    /// c0_rest + jalr_lsb`; loads/stores: `alu_c0 = 4 * c0_rest + offset`.
    pub c0_rest: usize,
    pub jalr_lsb: usize,
    /// Access 1: `rs1` (`a7` for `ECALL`), read by every instruction but
    /// `AUIPC`.
    pub rs1_val: [usize; 4],
    pub rs1: TsCols,
    /// Access 2, a read: `rs2` (`a0` for `ECALL`) or the word a load reads.
    pub read2_addr: usize,
    pub read2_val: [usize; 4],
    pub read2: TsCols,
    /// Access 3, a write: `rd` (`a0` for a syscall's result) or the word a
    /// store writes.
    pub write_addr: usize,
    pub write_old: [usize; 4],
    pub write_new: [usize; 4],
    pub write: TsCols,
    /// Loads/stores: byte offset of the address in its word, one-hot.
    pub mem_off: [usize; 4],
    /// Sub-word loads: the selected low/high byte, and the sign split of the
    /// top loaded byte (`top = 128 * ld_sign + ld_low`).
    pub ld_byte: [usize; 2],
    pub ld_sign: usize,
    pub ld_low: usize,
    /// Loads/stores: the inverse of the address's upper half (address `>=
    /// 0x1_0000`).
    pub mem_hi_inv: usize,
    /// An `ECALL` that is `read`/`write` (not `exit`).
    pub sys_io: usize,
    pub width: usize,
}

impl CpuCols {
    pub fn new() -> Self {
        let mut a = ColumnAlloc::default();
        CpuCols {
            is_real: a.one(),
            clk: a.one(),
            pc: a.one(),
            next_pc: a.one(),
            rd_num: a.one(),
            rd_zero: a.one(),
            rs1_num: a.one(),
            rs2_num: a.one(),
            imm: a.many(),
            alu_op: a.one(),
            flags: a.many(),
            alu_c: a.many(),
            add_carry: a.many(),
            taken: a.one(),
            eq: a.one(),
            eq_inv: a.many(),
            c0_rest: a.one(),
            jalr_lsb: a.one(),
            rs1_val: a.many(),
            rs1: a.ts(),
            read2_addr: a.one(),
            read2_val: a.many(),
            read2: a.ts(),
            write_addr: a.one(),
            write_old: a.many(),
            write_new: a.many(),
            write: a.ts(),
            mem_off: a.many(),
            ld_byte: a.many(),
            ld_sign: a.one(),
            ld_low: a.one(),
            mem_hi_inv: a.one(),
            sys_io: a.one(),
            width: a.width(),
        }
    }

    pub fn flag(&self, f: Flag) -> usize {
        self.flags[f.index()]
    }
}

impl Default for CpuCols {
    fn default() -> Self {
        Self::new()
    }
}

/// What an opcode does, as the constraints group it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Role {
    /// Operation sent on the main ALU message, if any.
    pub alu_op: Option<Opcode>,
    /// ALU operand `a` is `pc` (AUIPC) rather than `rs1`.
    pub a_is_pc: bool,
    /// ALU operand `b` is the immediate rather than `rs2`.
    pub b_is_imm: bool,
    /// Writes `rd`.
    pub writes_rd: bool,
    /// Writes the link `pc + 4` (which the decode table provides).
    pub links: bool,
}

/// The role of a supported opcode.
pub const fn role(op: Opcode) -> Role {
    use Opcode::*;
    let none = Role {
        alu_op: None,
        a_is_pc: false,
        b_is_imm: false,
        writes_rd: false,
        links: false,
    };
    match op {
        Lui => Role {
            writes_rd: true,
            ..none
        },
        Auipc => Role {
            alu_op: Some(Add),
            a_is_pc: true,
            b_is_imm: true,
            writes_rd: true,
            ..none
        },
        Jal => Role {
            writes_rd: true,
            links: true,
            ..none
        },
        Jalr => Role {
            alu_op: Some(Add),
            b_is_imm: true,
            writes_rd: true,
            links: true,
            ..none
        },
        Beq | Bne | Fence | Ecall | Ebreak => none,
        Blt | Bge => Role {
            alu_op: Some(Slt),
            ..none
        },
        Bltu | Bgeu => Role {
            alu_op: Some(Sltu),
            ..none
        },
        Lb | Lh | Lw | Lbu | Lhu => Role {
            alu_op: Some(Add),
            b_is_imm: true,
            writes_rd: true,
            ..none
        },
        Sb | Sh | Sw => Role {
            alu_op: Some(Add),
            b_is_imm: true,
            ..none
        },
        _ => Role {
            alu_op: alu_opcode(op),
            b_is_imm: matches!(op.format(), Format::I),
            writes_rd: true,
            ..none
        },
    }
}

/// Rows of the add/sub table that one execution of each opcode takes
/// (indexed by `opcode as usize`): one for a main ALU message whose
/// operation is `SUB` (an `ADD` is computed in the CPU row, a jump's link
/// comes from the decode table). The executor sums them to cut an epoch
/// before that table is full.
pub const ADD_SUB_ROWS: [u8; Opcode::COUNT] = {
    let mut rows = [0; Opcode::COUNT];
    let mut i = 0;
    while i < Opcode::COUNT {
        let r = role(Opcode::ALL[i]);
        rows[Opcode::ALL[i] as usize] = matches!(r.alu_op, Some(Opcode::Sub)) as u8;
        i += 1;
    }
    rows
};

/// The CPU table's AIR.
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuAir;

impl<F> BaseAir<F> for CpuAir {
    fn width(&self) -> usize {
        CpuCols::new().width
    }
    fn num_public_values(&self) -> usize {
        NUM_PUBLIC_VALUES
    }
}

/// `Σ limbs[k] * 256^k`.
pub fn word_expr<E: PrimeCharacteristicRing>(limbs: [E; 4]) -> E {
    let [a, b, c, d] = limbs;
    a + b * E::from_u32(1 << 8) + c * E::from_u32(1 << 16) + d * E::from_u32(1 << 24)
}

impl<AB: InteractionBuilder> Air<AB> for CpuAir
where
    AB::F: Field,
{
    fn eval(&self, builder: &mut AB) {
        let c = CpuCols::new();
        let (local, next) = super::layout::rows(builder);
        let pv: Vec<AB::Expr> = builder.public_values().iter().map(|&v| v.into()).collect();
        let l = |i: usize| local[i].clone();
        let n = |i: usize| next[i].clone();
        let ls = |idx: [usize; 4]| idx.map(l);
        let k = |x: u32| AB::Expr::from_u32(x);
        let flag = |f: Flag| l(c.flag(f));

        let is_real = l(c.is_real);

        // ---- Row activity, clock, pc flow, public values ----
        builder.assert_bool(is_real.clone());
        builder.when_first_row().assert_one(is_real.clone());
        builder.when_first_row().assert_zero(l(c.clk));
        builder
            .when_first_row()
            .assert_eq(l(c.pc), pv[PV_START_PC].clone());
        {
            let mut t = builder.when_transition();
            // A padding row is never followed by a real one.
            t.assert_zero(n(c.is_real) * (AB::Expr::ONE - is_real.clone()));
            t.assert_eq(n(c.clk), l(c.clk) + AB::Expr::ONE);
            // Consecutive real rows chain pc.
            t.assert_zero(n(c.is_real) * (n(c.pc) - l(c.next_pc)));
        }
        // The last real row: is_real * (1 - next.is_real) on transitions,
        // is_real on the last row.
        let last_t = is_real.clone() * (AB::Expr::ONE - n(c.is_real));
        let is_ecall = flag(Flag::Ecall);
        let sys_io = l(c.sys_io);
        builder.assert_bool(sys_io.clone());
        builder.assert_zero(sys_io.clone() * (AB::Expr::ONE - is_ecall.clone()));
        let is_exit = is_ecall.clone() - sys_io.clone();
        for (gate, transition) in [(last_t.clone(), true), (is_real.clone(), false)] {
            let mut b = if transition {
                builder.when_transition()
            } else {
                builder.when_last_row()
            };
            b.assert_zero(gate.clone() * (l(c.clk) - pv[PV_LAST_CLK].clone()));
            b.assert_zero(gate.clone() * (l(c.next_pc) - pv[PV_END_PC].clone()));
            b.assert_zero(gate * (is_exit.clone() - pv[PV_HALTED].clone()));
        }
        // exit is the last real cycle.
        builder
            .when_transition()
            .assert_zero(is_exit.clone() * n(c.is_real));

        // ---- Decode: the meaning of the word at pc, from the decode table ----
        // AUIPC's operand `a` (it reads no register, `rs1_val` holds `pc`)
        // and a jump's link (the value it writes) are the decode table's
        // bytes: the message carries them gated by the opcode's flag.
        let is_auipc = flag(Flag::Auipc);
        let links = flag(Flag::Jal) + flag(Flag::Jalr);
        builder.push_interaction(
            DECODE_BUS,
            Decoded {
                pc: l(c.pc),
                auipc_pc: c.rs1_val.map(|v| is_auipc.clone() * l(v)),
                link_rd: c.write_new.map(|v| links.clone() * l(v)),
                rd_zero: l(c.rd_zero),
                rd: l(c.rd_num),
                rs1: l(c.rs1_num),
                rs2: l(c.rs2_num),
                imm: ls(c.imm),
                alu_op: l(c.alu_op),
                flags: c.flags.map(l),
            }
            .fields(),
            Count::bounded(is_real.clone(), 1),
        );
        // A padding row decodes nothing.
        for &f in &c.flags {
            builder.assert_zero((AB::Expr::ONE - is_real.clone()) * l(f));
        }
        // Signed value of a B/J immediate: its top limb is 0 or 0xff.
        let sign_weight = AB::F::from_u64(1 << 32) * AB::F::from_u32(0xff).inverse();
        let imm_signed = word_expr(ls(c.imm)) - l(c.imm[3]) * AB::Expr::from(sign_weight);

        // ---- The main ALU message, or the row's own ADD ----
        let alu_count = flag(Flag::Alu);
        let alu_op = l(c.alu_op);
        let b_imm_sel = flag(Flag::BImm);
        let writes_rd = writes_rd(flag);
        let rd_from_alu = rd_from_alu(flag);
        let add_here = flag(Flag::AddHere);
        // An I-format operation on the bus reads no `rs2`: its operand `b`,
        // the immediate, sits in `read2_val`.
        let imm_on_bus = b_imm_sel.clone() * (AB::Expr::ONE - add_here.clone());
        for i in 0..4 {
            builder.assert_zero(imm_on_bus.clone() * (l(c.read2_val[i]) - l(c.imm[i])));
        }
        send_alu(
            builder,
            alu_op,
            ls(c.rs1_val),
            ls(c.read2_val),
            ls(c.alu_c),
            alu_count.clone() - add_here.clone(),
        );
        // ADD in the row: a + b = c + 2^32·k by 16-bit halves with boolean
        // carries, `c`'s bytes range-checked (`a`, `b` are bytes: registers,
        // pc, immediate; every half sum is below 2^18, far from wrapping).
        let b: [AB::Expr; 4] = core::array::from_fn(|i| {
            l(c.read2_val[i]) + b_imm_sel.clone() * (l(c.imm[i]) - l(c.read2_val[i]))
        });
        let half =
            |limbs: &[AB::Expr], h: usize| limbs[2 * h].clone() + limbs[2 * h + 1].clone() * k(256);
        let (a_limbs, c_limbs) = (ls(c.rs1_val), ls(c.alu_c));
        let mut carry_in = AB::Expr::ZERO;
        for (h, &carry) in c.add_carry.iter().enumerate() {
            let carry = l(carry);
            builder.assert_bool(carry.clone());
            builder.assert_zero(
                add_here.clone()
                    * (half(&a_limbs, h) + half(&b, h) + carry_in
                        - half(&c_limbs, h)
                        - carry.clone() * k(1 << 16)),
            );
            carry_in = carry;
        }
        for limb in c_limbs {
            send_byte(builder, limb, add_here.clone());
        }

        // ---- Control flow ----
        let is_jal = flag(Flag::Jal);
        let is_jalr = flag(Flag::Jalr);
        let (is_less, is_geq) = (flag(Flag::BranchLess), flag(Flag::BranchGreaterEq));
        let (is_beq, is_bne) = (flag(Flag::Beq), flag(Flag::Bne));
        let is_branch = is_less.clone() + is_geq.clone() + is_beq.clone() + is_bne.clone();
        let taken = l(c.taken);
        let eq = l(c.eq);
        builder.assert_bool(taken.clone());
        builder.assert_bool(eq.clone());
        let c0 = l(c.alu_c[0]);
        builder.assert_zero(is_less * (taken.clone() - c0.clone()));
        builder.assert_zero(is_geq * (taken.clone() - AB::Expr::ONE + c0.clone()));
        builder.assert_zero(is_beq.clone() * (taken.clone() - eq.clone()));
        builder.assert_zero(is_bne.clone() * (taken.clone() - AB::Expr::ONE + eq.clone()));
        // eq = (rs1 == rs2), via two 16-bit halves of the limb differences.
        let is_eqb = is_beq + is_bne;
        let half = |i: usize| {
            (l(c.rs1_val[i]) - l(c.read2_val[i]))
                + (l(c.rs1_val[i + 1]) - l(c.read2_val[i + 1])) * k(256)
        };
        let (lo, hi) = (half(0), half(2));
        builder.assert_zero(is_eqb.clone() * eq.clone() * lo.clone());
        builder.assert_zero(is_eqb.clone() * eq.clone() * hi.clone());
        builder
            .assert_zero(is_eqb * (lo * l(c.eq_inv[0]) + hi * l(c.eq_inv[1]) - AB::Expr::ONE + eq));
        // next_pc
        let pc = l(c.pc);
        let next_pc = l(c.next_pc);
        builder.assert_zero(
            is_branch.clone()
                * (next_pc.clone() - pc.clone() - k(4) - taken * (imm_signed.clone() - k(4))),
        );
        builder.assert_zero(is_jal.clone() * (next_pc.clone() - pc.clone() - imm_signed));
        // JALR: target = (rs1 + imm) & !1, below 2^30.
        builder.assert_bool(l(c.jalr_lsb));
        builder.assert_zero(is_jalr.clone() * (c0.clone() - l(c.c0_rest) * k(2) - l(c.jalr_lsb)));
        builder.assert_zero(
            is_jalr.clone() * (next_pc.clone() - word_expr(ls(c.alu_c)) + l(c.jalr_lsb)),
        );
        let sequential = is_real.clone() - is_branch - is_jal - is_jalr.clone();
        builder.assert_zero(sequential * (next_pc - pc.clone() - k(4)));

        // ---- The row's three accesses ----
        let clk = l(c.clk);
        let ts = |slot: u32| clk.clone() * k(TS_PER_CYCLE) + k(slot + 1);
        // An access consumes its word's last (value, timestamp) and produces
        // the new value at its own slot's timestamp, checking prev_ts < ts.
        let access = |builder: &mut AB,
                      addr: AB::Expr,
                      old: [AB::Expr; 4],
                      new: [AB::Expr; 4],
                      cols: TsCols,
                      slot: u32,
                      count: AB::Expr| {
            check_access_order(
                builder,
                ts(slot),
                l(cols.prev_ts),
                cols.diff.map(l),
                count.clone(),
            );
            mem_consume(builder, addr.clone(), old, l(cols.prev_ts), count.clone());
            mem_produce(builder, addr, new, ts(slot), count);
        };
        // Access 1: rs1 (a7 for ECALL, whose rs fields are zero).
        let rs1_addr = l(c.rs1_num) * k(4) + is_ecall.clone() * k(4 * REG_A7);
        let rs1 = ls(c.rs1_val);
        access(
            builder,
            rs1_addr,
            rs1.clone(),
            rs1,
            c.rs1,
            SLOT_RS1,
            is_real.clone() - is_auipc,
        );
        // exit: a7 = 93, exit code = a0.
        builder.assert_zero(is_exit.clone() * (l(c.rs1_val[0]) - k(SYSCALL_EXIT)));
        for i in 1..4 {
            builder.assert_zero(is_exit.clone() * l(c.rs1_val[i]));
        }
        for i in 0..4 {
            builder.assert_zero(is_exit.clone() * (l(c.read2_val[i]) - pv[PV_EXIT + i].clone()));
        }
        // read/write: the I/O table checks a7, a0 and the result written to a0.
        builder.push_interaction(
            IO_BUS,
            io_message(l(c.clk), ls(c.rs1_val), ls(c.read2_val), ls(c.write_new)),
            Count::bounded(sys_io.clone(), 1),
        );
        // Loads and stores: guest address rs1 + imm, naturally aligned; the
        // access is to the word containing it.
        let is_lw = flag(Flag::Lw);
        let is_sw = flag(Flag::Sw);
        let (is_lb, is_lbu, is_lh, is_lhu) = (
            flag(Flag::Lb),
            flag(Flag::Lbu),
            flag(Flag::Lh),
            flag(Flag::Lhu),
        );
        let (is_sb, is_sh) = (flag(Flag::Sb), flag(Flag::Sh));
        let is_load =
            is_lb.clone() + is_lh.clone() + is_lw.clone() + is_lbu.clone() + is_lhu.clone();
        let is_store = is_sb.clone() + is_sh.clone() + is_sw.clone();
        let is_half = is_lh.clone() + is_lhu.clone() + is_sh.clone();
        let mem_count = is_load.clone() + is_store.clone();
        let oh = c.mem_off.map(l);
        let mut oh_sum = AB::Expr::ZERO;
        let mut offset = AB::Expr::ZERO;
        for (i, o) in oh.iter().enumerate() {
            builder.assert_bool(o.clone());
            oh_sum += o.clone();
            offset += o.clone() * k(i as u32);
        }
        builder.assert_eq(oh_sum, mem_count.clone());
        // Alignment: words at offset 0, halves at 0 or 2.
        builder.assert_zero((is_lw.clone() + is_sw.clone()) * (AB::Expr::ONE - oh[0].clone()));
        builder.assert_zero(is_half * (oh[1].clone() + oh[3].clone()));
        let addr = word_expr(ls(c.alu_c)) - offset.clone();
        builder.assert_zero(mem_count.clone() * (c0.clone() - l(c.c0_rest) * k(4) - offset));
        // JALR's target and a load's or store's address: `c0_rest` a byte
        // and the sum below 2^30 (one message each for the two, which never
        // share a row).
        let target_or_addr = is_jalr.clone() + mem_count.clone();
        send_byte(builder, l(c.c0_rest), target_or_addr.clone());
        send_byte(builder, l(c.alu_c[3]) * k(4), target_or_addr);
        builder.assert_zero(
            mem_count.clone()
                * ((l(c.alu_c[2]) + l(c.alu_c[3]) * k(256)) * l(c.mem_hi_inv) - AB::Expr::ONE),
        );
        // Access 2: rs2 (a0 for ECALL) for the instructions that use it, or
        // the word a load reads.
        let reads_rs2 = reads_rs2(flag);
        let rs2_addr = l(c.rs2_num) * k(4) + is_ecall * k(4 * REG_A0);
        builder.assert_zero(reads_rs2.clone() * (l(c.read2_addr) - rs2_addr));
        builder.assert_zero(is_load.clone() * (l(c.read2_addr) - addr.clone()));
        let read2 = ls(c.read2_val);
        access(
            builder,
            l(c.read2_addr),
            read2.clone(),
            read2.clone(),
            c.read2,
            SLOT_READ2,
            reads_rs2 + is_load,
        );
        // Selected bytes of a sub-word load.
        let sub_load = is_lb.clone() + is_lbu.clone() + is_lh.clone() + is_lhu.clone();
        let picked0 = (0..4).fold(AB::Expr::ZERO, |a, i| a + oh[i].clone() * read2[i].clone());
        let picked1 = oh[0].clone() * read2[1].clone() + oh[2].clone() * read2[3].clone();
        let (b0, b1) = (l(c.ld_byte[0]), l(c.ld_byte[1]));
        builder.assert_zero(sub_load * (b0.clone() - picked0));
        builder.assert_zero((is_lh.clone() + is_lhu.clone()) * (b1.clone() - picked1));
        // Sign of LB (byte 0) / LH (byte 1).
        let signed = is_lb.clone() + is_lh.clone();
        builder.assert_bool(l(c.ld_sign));
        builder.assert_zero(is_lb.clone() * (b0.clone() - l(c.ld_sign) * k(128) - l(c.ld_low)));
        builder.assert_zero(is_lh.clone() * (b1.clone() - l(c.ld_sign) * k(128) - l(c.ld_low)));
        send_byte(builder, l(c.ld_low) * k(2), signed);
        let ext = l(c.ld_sign) * k(0xff);
        let zero = AB::Expr::ZERO;
        let loaded: [(AB::Expr, [AB::Expr; 4]); 5] = [
            (is_lw, read2.clone()),
            (is_lb, [b0.clone(), ext.clone(), ext.clone(), ext.clone()]),
            (
                is_lbu,
                [b0.clone(), zero.clone(), zero.clone(), zero.clone()],
            ),
            (is_lh, [b0.clone(), b1.clone(), ext.clone(), ext]),
            (is_lhu, [b0, b1, zero.clone(), zero]),
        ];
        // Stores merge rs2's low byte / half into the word.
        let old = c.write_old.map(l);
        let new = c.write_new.map(l);
        for i in 0..4 {
            builder.assert_zero(is_sw.clone() * (new[i].clone() - read2[i].clone()));
            builder.assert_zero(
                is_sb.clone()
                    * (new[i].clone()
                        - old[i].clone()
                        - oh[i].clone() * (read2[0].clone() - old[i].clone())),
            );
            let (sel_oh, src) = if i % 2 == 0 {
                (oh[i].clone(), read2[0].clone())
            } else {
                (oh[i - 1].clone(), read2[1].clone())
            };
            builder.assert_zero(
                is_sh.clone() * (new[i].clone() - old[i].clone() - sel_oh * (src - old[i].clone())),
            );
        }
        // rd's value; x0 keeps 0.
        let rd = l(c.rd_num);
        // (`rd_zero` and a jump's link come with the decode message.)
        let keep = AB::Expr::ONE - l(c.rd_zero);
        let is_lui = flag(Flag::Lui);
        for i in 0..4 {
            let new = new[i].clone();
            builder.assert_zero(rd_from_alu.clone() * (new.clone() - keep.clone() * l(c.alu_c[i])));
            builder.assert_zero(is_lui.clone() * (new.clone() - keep.clone() * l(c.imm[i])));
            for (s, v) in &loaded {
                builder.assert_zero(s.clone() * (new.clone() - keep.clone() * v[i].clone()));
            }
        }
        // Access 3: rd (rd is 0 in an ECALL's encoding; read/write return
        // their result in a0), or the word a store writes.
        let rd_addr = rd * k(4) + sys_io.clone() * k(4 * REG_A0);
        builder.assert_zero((writes_rd + sys_io.clone()) * (l(c.write_addr) - rd_addr));
        builder.assert_zero(is_store.clone() * (l(c.write_addr) - addr));
        // Writes rd or stores: the stores `WRITES_RD` subtracts cancel.
        let write_count = WRITES_RD.plus(&STORES).eval(flag) + sys_io;
        access(
            builder,
            l(c.write_addr),
            old,
            new,
            c.write,
            SLOT_WRITE,
            write_count,
        );
    }
}
