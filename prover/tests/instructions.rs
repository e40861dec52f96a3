//! One test per RV32IM instruction, with edge cases; expected values are
//! computed by hand from the ISA manual's definitions.

mod common;
use common::*;

const INT_MIN: u32 = 0x8000_0000;
const INT_MAX: u32 = 0x7fff_ffff;
const NEG1: u32 = 0xffff_ffff;

/// `rd(x7) = op(x5 = a, x6 = b)`.
fn rr(op: fn(u32, u32, u32) -> u32, a: u32, b: u32) -> u32 {
    let code = prog(&[&li(5, a), &li(6, b), &[op(7, 5, 6)]]);
    steps(&code).registers()[7]
}

/// `rd(x7) = op(x5 = a, imm)`.
fn ri(op: fn(u32, u32, i32) -> u32, a: u32, imm: i32) -> u32 {
    let code = prog(&[&li(5, a), &[op(7, 5, imm)]]);
    steps(&code).registers()[7]
}

/// `rd(x7) = shift-immediate(x5 = a, shamt)`.
fn shift(op: fn(u32, u32, u32) -> u32, a: u32, shamt: u32) -> u32 {
    let code = prog(&[&li(5, a), &[op(7, 5, shamt)]]);
    steps(&code).registers()[7]
}

fn check_rr(op: fn(u32, u32, u32) -> u32, cases: &[(u32, u32, u32)]) {
    for &(a, b, want) in cases {
        let got = rr(op, a, b);
        assert_eq!(got, want, "op({a:#x}, {b:#x}) = {got:#x}, want {want:#x}");
    }
}

fn check_ri(op: fn(u32, u32, i32) -> u32, cases: &[(u32, i32, u32)]) {
    for &(a, imm, want) in cases {
        let got = ri(op, a, imm);
        assert_eq!(got, want, "op({a:#x}, {imm}) = {got:#x}, want {want:#x}");
    }
}

// ---- U and J -------------------------------------------------------------

#[test]
fn lui_() {
    let ex = steps(&[lui(1, 0x1234_5000), lui(2, 0xffff_f000), lui(3, 0)]);
    assert_eq!(ex.registers()[1], 0x1234_5000);
    assert_eq!(ex.registers()[2], 0xffff_f000);
    assert_eq!(ex.registers()[3], 0);
    assert_eq!(ex.pc(), BASE + 12);
}

#[test]
fn auipc_() {
    let ex = steps(&[NOP, auipc(1, 0x1000), auipc(2, 0xffff_f000), auipc(3, 0)]);
    assert_eq!(ex.registers()[1], BASE + 4 + 0x1000);
    assert_eq!(ex.registers()[2], (BASE + 8).wrapping_sub(0x1000));
    assert_eq!(ex.registers()[3], BASE + 12);
}

#[test]
fn jal_() {
    // jal x1, +8 skips one word; then jal x2, -8 jumps back to the nop.
    let code = [jal(1, 8), NOP, jal(2, -8)];
    let ex = steps_with(&code, &[], &[], 2);
    assert_eq!(ex.registers()[1], BASE + 4);
    assert_eq!(ex.registers()[2], BASE + 12);
    assert_eq!(ex.pc(), BASE);
    // Far forward jump (imm[11] and imm[19:12] bits) lands in zero memory.
    let ex = steps_with(&[jal(0, 0x1_0800)], &[], &[], 1);
    assert_eq!(ex.pc(), BASE + 0x1_0800);
    assert_eq!(ex.registers()[0], 0);
}

#[test]
fn jalr_() {
    // target = (rs1 + imm) & !1, rd = pc + 4, and rd == rs1 reads rs1 first.
    let code = prog(&[&li(5, BASE + 0x101), &[jalr(1, 5, 0x0f)]]);
    let ex = steps(&code);
    assert_eq!(ex.pc(), BASE + 0x110);
    assert_eq!(ex.registers()[1], BASE + 12);
    let code = prog(&[&li(5, BASE + 0x20), &[jalr(5, 5, -4)]]);
    let ex = steps(&code);
    assert_eq!(ex.pc(), BASE + 0x1c);
    assert_eq!(ex.registers()[5], BASE + 12);
}

// ---- branches -------------------------------------------------------------

/// Runs `li x5,a; li x6,b; br x5,x6,+16`: pc after is target if taken.
fn taken(op: fn(u32, u32, i32) -> u32, a: u32, b: u32) -> bool {
    let code = prog(&[&li(5, a), &li(6, b), &[op(5, 6, 16)]]);
    let pc = steps(&code).pc();
    assert!(pc == BASE + 32 || pc == BASE + 20, "pc {pc:#x}");
    pc == BASE + 32
}

#[test]
fn beq_() {
    assert!(taken(beq, 5, 5));
    assert!(!taken(beq, 5, 6));
    assert!(taken(beq, NEG1, NEG1));
    // Backward branch offset.
    let code = prog(&[&[NOP, NOP], &li(5, 1), &[beq(5, 5, -16)]]);
    assert_eq!(steps(&code[..]).pc(), BASE);
}

#[test]
fn bne_() {
    assert!(taken(bne, 5, 6));
    assert!(!taken(bne, 7, 7));
    assert!(taken(bne, 0, INT_MIN));
}

#[test]
fn blt_() {
    assert!(taken(blt, NEG1, 0)); // -1 < 0 signed
    assert!(!taken(blt, 0, NEG1));
    assert!(taken(blt, INT_MIN, INT_MAX));
    assert!(!taken(blt, 3, 3));
}

#[test]
fn bge_() {
    assert!(taken(bge, 0, NEG1));
    assert!(taken(bge, 3, 3));
    assert!(!taken(bge, INT_MIN, INT_MAX));
    assert!(taken(bge, INT_MAX, INT_MIN));
}

#[test]
fn bltu_() {
    assert!(taken(bltu, 0, NEG1)); // 0 < 0xffffffff unsigned
    assert!(!taken(bltu, NEG1, 0));
    assert!(!taken(bltu, 3, 3));
    assert!(taken(bltu, INT_MAX, INT_MIN));
}

#[test]
fn bgeu_() {
    assert!(taken(bgeu, NEG1, 0));
    assert!(!taken(bgeu, 0, NEG1));
    assert!(taken(bgeu, 3, 3));
    assert!(!taken(bgeu, INT_MAX, INT_MIN));
}

#[test]
fn branch_with_misaligned_offset_not_taken_is_fine() {
    let code = prog(&[&li(5, 1), &[beq(5, 0, 6)]]);
    assert_eq!(steps(&code).pc(), BASE + 12);
}

#[test]
fn branch_max_offsets() {
    // -4096 and +4094 are the extreme B offsets; +4092 keeps alignment.
    let mut code = vec![NOP; 1024];
    code.push(beq(0, 0, -4096)); // at BASE + 4096
    let ex = steps_with(&[&[jal(0, 4096)][..], &code[1..]].concat(), &[], &[], 2);
    assert_eq!(ex.pc(), BASE);
    let ex = steps_with(&[beq(0, 0, 4092)], &[], &[], 1);
    assert_eq!(ex.pc(), BASE + 4092);
}

// ---- loads and stores -----------------------------------------------------

const DATA_BYTES: [u8; 8] = [0x81, 0x7f, 0x34, 0x92, 0xff, 0xff, 0x00, 0x80];

/// `x7 = load(DATA + off)` with x5 = DATA + 16, imm = off - 16 (negative imm).
fn load(op: fn(u32, u32, i32) -> u32, off: i32) -> u32 {
    let code = prog(&[&li(5, DATA + 16), &[op(7, 5, off - 16)]]);
    steps_with(&code, &DATA_BYTES, &[], 3).registers()[7]
}

#[test]
fn lb_() {
    assert_eq!(load(lb, 0), 0xffff_ff81);
    assert_eq!(load(lb, 1), 0x0000_007f);
    assert_eq!(load(lb, 7), 0xffff_ff80);
    assert_eq!(load(lb, 6), 0);
}

#[test]
fn lbu_() {
    assert_eq!(load(lbu, 0), 0x81);
    assert_eq!(load(lbu, 1), 0x7f);
    assert_eq!(load(lbu, 7), 0x80);
}

#[test]
fn lh_() {
    assert_eq!(load(lh, 0), 0x0000_7f81);
    assert_eq!(load(lh, 2), 0xffff_9234);
    assert_eq!(load(lh, 6), 0xffff_8000);
    assert_eq!(load(lh, 4), 0xffff_ffff);
}

#[test]
fn lhu_() {
    assert_eq!(load(lhu, 0), 0x7f81);
    assert_eq!(load(lhu, 2), 0x9234);
    assert_eq!(load(lhu, 6), 0x8000);
}

#[test]
fn lw_() {
    assert_eq!(load(lw, 0), 0x9234_7f81);
    assert_eq!(load(lw, 4), 0x8000_ffff);
    // Memory never written (in guest space) reads as zero.
    assert_eq!(load(lw, 0x400), 0);
}

#[test]
fn load_to_x0_is_discarded() {
    let code = prog(&[&li(5, DATA), &[lw(0, 5, 0)]]);
    assert_eq!(steps_with(&code, &DATA_BYTES, &[], 3).registers()[0], 0);
}

/// Stores x6 = v with `op` at DATA + off, then returns the first 8 data bytes.
fn store(op: fn(u32, u32, i32) -> u32, v: u32, off: i32) -> [u8; 8] {
    let code = prog(&[&li(5, DATA + 8), &li(6, v), &[op(6, 5, off - 8)]]);
    let ex = steps_with(&code, &[0xaa; 8], &[], 5);
    let mut out = [0u8; 8];
    ex.memory().read_bytes(DATA, &mut out);
    out
}

#[test]
fn sb_() {
    assert_eq!(
        store(sb, 0x1234_5678, 0),
        [0x78, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa]
    );
    assert_eq!(
        store(sb, 0xff, 5),
        [0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xff, 0xaa, 0xaa]
    );
}

#[test]
fn sh_() {
    assert_eq!(
        store(sh, 0x1234_5678, 2),
        [0xaa, 0xaa, 0x78, 0x56, 0xaa, 0xaa, 0xaa, 0xaa]
    );
    assert_eq!(
        store(sh, 0xffff_0001, 6),
        [0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0x01, 0x00]
    );
}

#[test]
fn sw_() {
    assert_eq!(
        store(sw, 0x1234_5678, 4),
        [0xaa, 0xaa, 0xaa, 0xaa, 0x78, 0x56, 0x34, 0x12]
    );
    assert_eq!(store(sw, 0, 0), [0, 0, 0, 0, 0xaa, 0xaa, 0xaa, 0xaa]);
}

#[test]
fn store_then_load_at_top_of_memory() {
    let top = sluice_verifier::layout::GUEST_MEMORY_END - 4;
    let code = prog(&[
        &li(5, top),
        &li(6, 0xdead_beef),
        &[sw(6, 5, 0), lw(7, 5, 0), lhu(8, 5, 2)],
    ]);
    let ex = steps(&code);
    assert_eq!(ex.registers()[7], 0xdead_beef);
    assert_eq!(ex.registers()[8], 0xdead);
}

// ---- OP-IMM ---------------------------------------------------------------

#[test]
fn addi_() {
    check_ri(
        addi,
        &[
            (1, 2, 3),
            (5, -1, 4),
            (NEG1, 1, 0),
            (INT_MAX, 1, INT_MIN),
            (0, -2048, 0xffff_f800),
            (0, 2047, 2047),
        ],
    );
    // addi x0 is a nop: writes to x0 are ignored.
    let ex = steps(&[addi(0, 0, 5), addi(1, 0, 0)]);
    assert_eq!(ex.registers()[0], 0);
    assert_eq!(ex.registers()[1], 0);
}

#[test]
fn slti_() {
    check_ri(
        slti,
        &[
            (NEG1, 0, 1),
            (0, -1, 0),
            (5, 5, 0),
            (4, 5, 1),
            (INT_MIN, -2048, 1),
            (INT_MAX, 2047, 0),
        ],
    );
}

#[test]
fn sltiu_() {
    // The immediate is sign-extended, then compared unsigned.
    check_ri(
        sltiu,
        &[
            (0, 1, 1),
            (1, 1, 0),
            (5, -1, 1),
            (NEG1, -1, 0),
            (0, 0, 0),
            (INT_MIN, 2047, 0),
        ],
    );
}

#[test]
fn xori_() {
    check_ri(
        xori,
        &[
            (0x0f0f_0f0f, 0xff, 0x0f0f_0ff0),
            (0x1234_5678, -1, 0xedcb_a987),
            (7, 0, 7),
        ],
    );
}

#[test]
fn ori_() {
    check_ri(
        ori,
        &[
            (0x1234_5600, 0x78, 0x1234_5678),
            (0, -2048, 0xffff_f800),
            (5, 0, 5),
        ],
    );
}

#[test]
fn andi_() {
    check_ri(
        andi,
        &[
            (0x1234_5678, 0xff, 0x78),
            (0x1234_5678, -16, 0x1234_5670),
            (NEG1, 0, 0),
        ],
    );
}

#[test]
fn slli_() {
    assert_eq!(shift(slli, 1, 0), 1);
    assert_eq!(shift(slli, 1, 31), INT_MIN);
    assert_eq!(shift(slli, 0x8000_0001, 1), 2);
    assert_eq!(shift(slli, 0x1234_5678, 4), 0x2345_6780);
}

#[test]
fn srli_() {
    assert_eq!(shift(srli, INT_MIN, 31), 1);
    assert_eq!(shift(srli, NEG1, 4), 0x0fff_ffff);
    assert_eq!(shift(srli, 0x1234_5678, 0), 0x1234_5678);
}

#[test]
fn srai_() {
    assert_eq!(shift(srai, INT_MIN, 31), NEG1);
    assert_eq!(shift(srai, 0xf000_0000, 4), 0xff00_0000);
    assert_eq!(shift(srai, 0x7000_0000, 4), 0x0700_0000);
    assert_eq!(shift(srai, NEG1, 0), NEG1);
}

// ---- OP ------------------------------------------------------------------

#[test]
fn add_() {
    check_rr(
        add,
        &[
            (1, 2, 3),
            (NEG1, 1, 0),
            (INT_MAX, 1, INT_MIN),
            (INT_MIN, INT_MIN, 0),
        ],
    );
}

#[test]
fn sub_() {
    check_rr(
        sub,
        &[(3, 2, 1), (0, 1, NEG1), (INT_MIN, 1, INT_MAX), (5, 5, 0)],
    );
}

#[test]
fn sll_() {
    // Only the low 5 bits of rs2 count.
    check_rr(
        sll,
        &[
            (1, 4, 16),
            (1, 31, INT_MIN),
            (1, 32, 1),
            (1, 33, 2),
            (3, NEG1, INT_MIN),
        ],
    );
}

#[test]
fn slt_() {
    check_rr(
        slt,
        &[(NEG1, 0, 1), (0, NEG1, 0), (INT_MIN, INT_MAX, 1), (7, 7, 0)],
    );
}

#[test]
fn sltu_() {
    // sltu rd, x0, rs2 is snez.
    check_rr(
        sltu,
        &[(0, NEG1, 1), (NEG1, 0, 0), (INT_MAX, INT_MIN, 1), (7, 7, 0)],
    );
}

#[test]
fn xor_() {
    check_rr(
        xor,
        &[(0xff00_ff00, 0x0ff0_0ff0, 0xf0f0_f0f0), (NEG1, NEG1, 0)],
    );
}

#[test]
fn srl_() {
    check_rr(
        srl,
        &[
            (INT_MIN, 31, 1),
            (NEG1, 36, 0x0fff_ffff),
            (0x1234_5678, 32, 0x1234_5678),
        ],
    );
}

#[test]
fn sra_() {
    check_rr(
        sra,
        &[
            (INT_MIN, 31, NEG1),
            (0xf000_0000, 36, 0xff00_0000),
            (0x7000_0000, 4, 0x0700_0000),
            (NEG1, 32, NEG1),
        ],
    );
}

#[test]
fn or_() {
    check_rr(or, &[(0xf0f0_0000, 0x0000_0f0f, 0xf0f0_0f0f), (0, 0, 0)]);
}

#[test]
fn and_() {
    check_rr(
        and,
        &[
            (0xff00_ff00, 0x0ff0_0ff0, 0x0f00_0f00),
            (NEG1, 0x1234_5678, 0x1234_5678),
        ],
    );
}

// ---- M extension -----------------------------------------------------------

#[test]
fn mul_() {
    check_rr(
        mul,
        &[
            (3, 4, 12),
            (NEG1, NEG1, 1),
            (INT_MIN, 2, 0),
            (0x1234_5678, 0x9abc_def0, 0x242d_2080),
            (NEG1, 5, 0xffff_fffb),
        ],
    );
}

#[test]
fn mulh_() {
    check_rr(
        mulh,
        &[
            (NEG1, NEG1, 0),
            (INT_MIN, INT_MIN, 0x4000_0000),
            (INT_MIN, INT_MAX, 0xc000_0000),
            (NEG1, 1, NEG1),
            (0x1234_5678, 0x9abc_def0, 0xf8cc_93d6),
        ],
    );
}

#[test]
fn mulhsu_() {
    // rs1 signed, rs2 unsigned.
    check_rr(
        mulhsu,
        &[
            (NEG1, NEG1, NEG1),
            (INT_MIN, NEG1, INT_MIN),
            (2, NEG1, 1),
            (0x1234_5678, 0x9abc_def0, 0x0b00_ea4e),
            (0x9abc_def0, 0x1234_5678, 0xf8cc_93d6),
        ],
    );
}

#[test]
fn mulhu_() {
    check_rr(
        mulhu,
        &[
            (NEG1, NEG1, 0xffff_fffe),
            (INT_MIN, 2, 1),
            (3, 4, 0),
            (0x1234_5678, 0x9abc_def0, 0x0b00_ea4e),
        ],
    );
}

#[test]
fn div_() {
    check_rr(
        div,
        &[
            (7, 2, 3),
            ((-7i32) as u32, 2, (-3i32) as u32), // rounds toward zero
            (7, (-2i32) as u32, (-3i32) as u32),
            (123, 0, NEG1), // division by zero
            (0, 0, NEG1),
            (INT_MIN, NEG1, INT_MIN), // overflow
        ],
    );
}

#[test]
fn divu_() {
    check_rr(
        divu,
        &[
            (7, 2, 3),
            (NEG1, 2, INT_MAX),
            (123, 0, NEG1),
            (INT_MIN, NEG1, 0),
        ],
    );
}

#[test]
fn rem_() {
    check_rr(
        rem,
        &[
            ((-7i32) as u32, 2, NEG1), // sign of the dividend
            (7, (-2i32) as u32, 1),
            (123, 0, 123), // division by zero: the dividend
            ((-5i32) as u32, 0, (-5i32) as u32),
            (INT_MIN, NEG1, 0), // overflow
        ],
    );
}

#[test]
fn remu_() {
    check_rr(
        remu,
        &[
            (NEG1, 10, 5),
            (7, 2, 1),
            (123, 0, 123),
            (INT_MIN, NEG1, INT_MIN),
        ],
    );
}

// ---- system ------------------------------------------------------------------

#[test]
fn fence_is_a_nop() {
    let code = prog(&[&li(5, 42), &[FENCE, 0x8330_000f /* fence.tso */]]);
    let ex = steps(&code);
    assert_eq!(ex.pc(), BASE + 16);
    let mut want = [0u32; 32];
    want[5] = 42;
    assert_eq!(ex.registers(), &want);
}

#[test]
fn ecall_exit_halts_and_counts_a_cycle() {
    let code = exit(7);
    let mut ex =
        sluice_prover::executor::Executor::new(&program(&code, &[]), vec![], &config(100)).unwrap();
    ex.run().unwrap();
    assert_eq!(ex.cycles(), 5);
    assert_eq!(ex.exit_code(), Some(7));
    // pc advances past the exit ecall.
    assert_eq!(ex.pc(), BASE + 20);
}

#[test]
fn ebreak_faults() {
    let err = fault(&[NOP, EBREAK]);
    assert_eq!(err.cause, sluice_prover::executor::Cause::Ebreak);
    assert_eq!(err.pc, BASE + 4);
    assert_eq!(err.cycles, 1);
}

#[test]
fn x0_stays_zero_through_every_writer() {
    let code = prog(&[
        &[lui(0, 0x1000), auipc(0, 0x1000), jal(0, 4)],
        &li(5, 9),
        &[add(0, 5, 5), mul(0, 5, 5)],
    ]);
    let ex = steps(&code);
    assert_eq!(ex.registers()[0], 0);
}
