# Self-checking RV32IM test: every RV32I and M instruction, with edge cases
# whose expected values were worked out by hand (and cross-checked by
# tests/programs/check_selfcheck_values.py). Each case has a number, kept in
# s11; on the first mismatch the program exits with that number, and after
# the last case it exits with 0. Registers a0 and a7 are only used to exit.
#
# Labels named mutant_<number>_<what> mark instructions that the end-to-end
# test (tests/tests/execute_programs.rs) patches into a different instruction
# to prove that the check can fail: the patched program must exit with
# <number>.

    .section .text
    .globl _start

# --- helpers -----------------------------------------------------------------
# Branch offsets reach only +-4 KiB, so every failure path is a short branch
# over an unconditional `j fail` (which reaches +-1 MiB).

# Fails unless register `reg` holds `expected`.
.macro EXPECT reg, expected
    li   t6, \expected
    beq  \reg, t6, 9f
    j    fail
9:
.endm

# Fails unless registers `a` and `b` are equal.
.macro EXPECT_EQ a, b
    beq  \a, \b, 9f
    j    fail
9:
.endm

.macro LABEL name
    .ifnb \name
    .globl \name
\name:
    .endif
.endm

# Register-register: t2 = v1 op v2.
.macro T_RR num, op, exp, v1, v2, label=
    li   s11, \num
    li   t0, \v1
    li   t1, \v2
    LABEL \label
    \op  t2, t0, t1
    EXPECT t2, \exp
.endm

# Register-register with rd = rs1 (the source is read before it is written).
.macro T_RR_RD1 num, op, exp, v1, v2
    li   s11, \num
    li   t0, \v1
    li   t1, \v2
    \op  t0, t0, t1
    EXPECT t0, \exp
.endm

# Register-register with rd = rs2.
.macro T_RR_RD2 num, op, exp, v1, v2
    li   s11, \num
    li   t0, \v1
    li   t1, \v2
    \op  t1, t0, t1
    EXPECT t1, \exp
.endm

# Register-register with rd = rs1 = rs2.
.macro T_RR_SAME num, op, exp, v
    li   s11, \num
    li   t0, \v
    \op  t0, t0, t0
    EXPECT t0, \exp
.endm

# Register-immediate: t2 = v op imm.
.macro T_RI num, op, exp, v, imm, label=
    li   s11, \num
    li   t0, \v
    LABEL \label
    \op  t2, t0, \imm
    EXPECT t2, \exp
.endm

# Load from `ldata + off`.
.macro T_LD num, op, exp, off, label=
    li   s11, \num
    la   t0, ldata
    LABEL \label
    \op  t2, \off(t0)
    EXPECT t2, \exp
.endm

# Branch that must be taken, forward.
.macro T_BR_FWD num, op, v1, v2, label=
    li   s11, \num
    li   t0, \v1
    li   t1, \v2
    LABEL \label
    \op  t0, t1, 1f
    j    fail
1:
.endm

# Branch that must be taken, backward.
.macro T_BR_BACK num, op, v1, v2
    li   s11, \num
    li   t0, \v1
    li   t1, \v2
    j    2f
1:  j    3f
2:  \op  t0, t1, 1b
    j    fail
3:
.endm

# Branch that must not be taken, neither backward nor forward.
.macro T_BR_NOT num, op, v1, v2
    li   s11, \num
    li   t0, \v1
    li   t1, \v2
    j    2f
1:  j    fail
2:  \op  t0, t1, 1b
    \op  t0, t1, 4f
    j    5f
4:  j    fail
5:
.endm

_start:
    # --- LUI ----------------------------------------------------------------
    li   s11, 1
    lui  t0, 0x12345
    EXPECT t0, 0x12345000
    li   s11, 2
    lui  t0, 0xfffff
    EXPECT t0, 0xfffff000
    li   s11, 3
    lui  t0, 0x80000
    EXPECT t0, 0x80000000
    li   s11, 4
    lui  t0, 0
    EXPECT t0, 0

    # --- AUIPC: compared with a JAL link (the address after the jal) --------
    li   s11, 5
    jal  t1, 1f
1:  auipc t0, 0
    EXPECT_EQ t0, t1
    li   s11, 6
    jal  t1, 1f
1:  auipc t0, 1
    sub  t0, t0, t1
    EXPECT t0, 0x1000
    li   s11, 7
    jal  t1, 1f
1:  auipc t0, 0x80000
    sub  t0, t0, t1
    EXPECT t0, 0x80000000
    li   s11, 8
    jal  t1, 1f
1:  auipc t0, 0xfffff
    sub  t0, t0, t1
    EXPECT t0, 0xfffff000

    # --- JAL ------------------------------------------------------------------
    li   s11, 10
    la   t1, 2f
    jal  t0, 1f
2:  j    fail
1:  EXPECT_EQ t0, t1
    li   s11, 11          # backward jump, link = address after the jal
    j    2f
1:  j    3f
2:  la   t1, 4f
    jal  t0, 1b
4:  j    fail
3:  EXPECT_EQ t0, t1
    li   s11, 12          # rd = x0: jump only
    jal  x0, 1f
    j    fail
1:  EXPECT x0, 0

    # --- JALR -----------------------------------------------------------------
    li   s11, 13
    la   t1, 1f
    la   t2, 2f
    jalr t0, 0(t1)
2:  j    fail
1:  EXPECT_EQ t0, t2
    li   s11, 14          # positive offset
    la   t1, 1f - 8
    jalr t0, 8(t1)
    j    fail
1:
    li   s11, 15          # negative offset
    la   t1, 1f + 12
    jalr t0, -12(t1)
    j    fail
1:
    li   s11, 16          # bit 0 of the target is cleared (odd base)
    la   t1, 1f
    addi t1, t1, 1
    la   t2, 2f
    jalr t0, 0(t1)
2:  j    fail
1:  EXPECT_EQ t0, t2
    li   s11, 17          # bit 0 cleared (odd offset)
    la   t1, 1f
    jalr t0, 1(t1)
    j    fail
1:
    li   s11, 18          # rd = rs1: target from the old value, then link
    la   t0, 1f
    la   t2, 2f
    jalr t0, 0(t0)
2:  j    fail
1:  EXPECT_EQ t0, t2
    li   s11, 19          # rd = x0
    la   t1, 1f
    jalr x0, 0(t1)
    j    fail
1:  EXPECT x0, 0

    # --- branches: taken forward, taken backward, not taken --------------------
    T_BR_FWD  20, beq, 5, 5
    T_BR_FWD  21, beq, 0x80000000, 0x80000000
    T_BR_BACK 22, beq, 0xffffffff, 0xffffffff
    T_BR_NOT  23, beq, 1, 2
    T_BR_NOT  24, beq, 0x80000000, 0
    T_BR_FWD  25, bne, 1, 2
    T_BR_BACK 26, bne, 0, 0xffffffff
    T_BR_NOT  27, bne, 7, 7
    T_BR_FWD  28, blt, 0xffffffff, 1, mutant_28_blt
    T_BR_FWD  29, blt, 0x80000000, 0x7fffffff
    T_BR_BACK 30, blt, 0xfffffffe, 0xffffffff
    T_BR_NOT  31, blt, 1, 0xffffffff
    T_BR_NOT  32, blt, 5, 5
    T_BR_NOT  33, blt, 0x7fffffff, 0x80000000
    T_BR_FWD  34, bge, 1, 0xffffffff
    T_BR_FWD  35, bge, 5, 5
    T_BR_BACK 36, bge, 0x7fffffff, 0x80000000
    T_BR_NOT  37, bge, 0xffffffff, 0
    T_BR_NOT  38, bge, 0x80000000, 0x7fffffff
    T_BR_FWD  39, bltu, 1, 0xffffffff
    T_BR_BACK 40, bltu, 0x7fffffff, 0x80000000
    T_BR_NOT  41, bltu, 0xffffffff, 1
    T_BR_NOT  42, bltu, 3, 3
    T_BR_FWD  43, bgeu, 0xffffffff, 1
    T_BR_FWD  44, bgeu, 3, 3
    T_BR_BACK 45, bgeu, 0x80000000, 0x7fffffff
    T_BR_NOT  46, bgeu, 0, 1
    T_BR_NOT  47, bgeu, 1, 0xffffffff

    # --- loads (ldata: 80 7f ff 01 34 12 00 80) --------------------------------
    T_LD 50, lb,  0xffffff80, 0, mutant_50_lb
    T_LD 51, lb,  0x0000007f, 1
    T_LD 52, lb,  0xffffffff, 2
    T_LD 53, lb,  0x00000001, 3
    T_LD 54, lbu, 0x00000080, 0
    T_LD 55, lbu, 0x000000ff, 2
    T_LD 56, lh,  0x00007f80, 0
    T_LD 57, lh,  0x000001ff, 2
    T_LD 58, lh,  0xffff8000, 6
    T_LD 59, lh,  0x00001234, 4
    T_LD 60, lhu, 0x00008000, 6
    T_LD 61, lhu, 0x00007f80, 0
    T_LD 62, lhu, 0x0000ffff, 8
    T_LD 63, lw,  0x01ff7f80, 0
    T_LD 64, lw,  0x80001234, 4
    T_LD 65, lw,  0xffffffff, 8
    li   s11, 66          # negative offsets
    la   t0, ldata + 8
    lw   t2, -4(t0)
    EXPECT t2, 0x80001234
    li   s11, 67
    la   t0, ldata + 8
    lb   t2, -8(t0)
    EXPECT t2, 0xffffff80
    li   s11, 68          # loads into x0 are discarded
    la   t0, ldata
    lw   x0, 0(t0)
    EXPECT x0, 0

    # --- stores ---------------------------------------------------------------
    li   s11, 70
    la   t0, sdata
    li   t1, 0xdeadbeef
    sw   t1, 0(t0)
    lw   t2, 0(t0)
    EXPECT t2, 0xdeadbeef
    li   s11, 71
    lbu  t2, 0(t0)
    EXPECT t2, 0xef
    li   s11, 72
    lb   t2, 3(t0)
    EXPECT t2, 0xffffffde
    li   s11, 73          # sb stores only the low byte
    li   t1, 0x12345678
    sb   t1, 1(t0)
    lw   t2, 0(t0)
    EXPECT t2, 0xdead78ef
    li   s11, 74          # sh stores only the low half
    li   t1, 0xaaaa5555
    sh   t1, 2(t0)
    lw   t2, 0(t0)
    EXPECT t2, 0x555578ef
    li   s11, 75          # the next word is untouched
    lw   t2, 4(t0)
    EXPECT t2, 0
    li   s11, 76
    li   t1, 0xffff8001
    sh   t1, 4(t0)
    lhu  t2, 4(t0)
    EXPECT t2, 0x8001
    li   s11, 77
    lh   t2, 4(t0)
    EXPECT t2, 0xffff8001
    li   s11, 78          # negative offset
    addi t3, t0, 12
    li   t1, 0xa5
    sb   t1, -4(t3)
    lw   t2, 8(t0)
    EXPECT t2, 0xa5
    li   s11, 79          # sw with a negative offset
    li   t1, 0x01020304
    sw   t1, -12(t3)
    lw   t2, 0(t0)
    EXPECT t2, 0x01020304
    li   s11, 80          # store x0
    sw   x0, 0(t0)
    lw   t2, 0(t0)
    EXPECT t2, 0

    # --- ADDI, SLTI, SLTIU, XORI, ORI, ANDI -------------------------------------
    T_RI 90, addi, 0x80000000, 0x7fffffff, 1
    T_RI 91, addi, 0xffffffff, 0, -1
    T_RI 92, addi, 0x000007ff, 0, 2047
    T_RI 93, addi, 0xfffff800, 0, -2048
    T_RI 94, addi, 0x7fffffff, 0x80000000, -1
    T_RI 95, addi, 0x00000000, 0xffffffff, 1
    T_RI 96, slti, 1, 0xffffffff, 0
    T_RI 97, slti, 0, 0, -1
    T_RI 98, slti, 1, 0x80000000, -2048
    T_RI 99, slti, 1, 5, 6
    T_RI 100, slti, 0, 6, 6
    T_RI 101, slti, 0, 0x7fffffff, -1
    T_RI 102, sltiu, 1, 0, -1
    T_RI 103, sltiu, 0, 0xffffffff, -1
    T_RI 104, sltiu, 0, 1, 1
    T_RI 105, sltiu, 1, 0, 1
    T_RI 106, sltiu, 0, 5, 0
    T_RI 107, sltiu, 1, 0x7fffffff, -2048
    T_RI 108, xori, 0xff00ff00, 0x00ff00ff, -1
    T_RI 109, xori, 0x12345688, 0x12345678, 0x0f0
    T_RI 110, xori, 0x800007ff, 0x80000000, 0x7ff
    T_RI 111, ori, 0xfffff800, 0x80000000, -2048
    T_RI 112, ori, 0x000007ff, 0x00000001, 0x7fe
    T_RI 113, andi, 0x12345678, 0x12345678, -1
    T_RI 114, andi, 0x000007ff, 0xffffffff, 0x7ff
    T_RI 115, andi, 0x12345670, 0x12345678, -16
    T_RI 116, andi, 0, 0x12345678, 0

    # --- SLLI, SRLI, SRAI ------------------------------------------------------
    T_RI 120, slli, 0x80000000, 1, 31
    T_RI 121, slli, 0xffffffff, 0xffffffff, 0
    T_RI 122, slli, 0x23456780, 0x12345678, 4
    T_RI 123, slli, 0, 0x80000000, 1
    T_RI 124, srli, 1, 0x80000000, 31
    T_RI 125, srli, 0x7fffffff, 0xffffffff, 1
    T_RI 126, srli, 0x01234567, 0x12345678, 4
    T_RI 127, srli, 0x80000000, 0x80000000, 0
    T_RI 128, srai, 0xffffffff, 0x80000000, 31
    T_RI 129, srai, 0xf8000000, 0x80000000, 4
    T_RI 130, srai, 0x07ffffff, 0x7fffffff, 4
    T_RI 131, srai, 0x81234567, 0x81234567, 0
    T_RI 132, srai, 0, 0x7fffffff, 31

    # --- ADD, SUB ---------------------------------------------------------------
    T_RR 140, add, 0, 0, 0
    T_RR 141, add, 3, 1, 2
    T_RR 142, add, 0x80000000, 0x7fffffff, 1, mutant_142_add
    T_RR 143, add, 0xfffffffe, 0xffffffff, 0xffffffff
    T_RR 144, add, 0, 0xffffffff, 1
    T_RR 145, add, 0x7fffffff, 0x80000000, 0xffffffff
    T_RR_RD1 146, add, 0x00000011, 0x00000010, 1
    T_RR_RD2 147, add, 0x00000011, 0x00000010, 1
    T_RR_SAME 148, add, 0x80000000, 0x40000000
    T_RR 150, sub, 0, 5, 5
    T_RR 151, sub, 0xffffffff, 0, 1
    T_RR 152, sub, 0x7fffffff, 0x80000000, 1
    T_RR 153, sub, 0x80000000, 0, 0x80000000
    T_RR 154, sub, 2, 1, 0xffffffff
    T_RR_RD1 155, sub, 0xfffffff0, 0, 0x10
    T_RR_RD2 156, sub, 0xfffffff0, 0, 0x10
    T_RR_SAME 157, sub, 0, 0x12345678

    # --- SLL, SRL, SRA: only the low 5 bits of rs2 count -------------------------
    T_RR 160, sll, 0x80000000, 1, 31
    T_RR 161, sll, 2, 1, 33
    T_RR 162, sll, 0xffffffff, 0xffffffff, 32
    T_RR 163, sll, 0x12121210, 0x21212121, 4
    T_RR 164, sll, 2, 1, 0xffffffe1
    T_RR 165, sll, 0, 0x80000000, 1
    T_RR 166, srl, 1, 0x80000000, 31
    T_RR 167, srl, 0x40000000, 0x80000000, 33
    T_RR 168, srl, 0xffffffff, 0xffffffff, 32
    T_RR 169, srl, 0x0fffffff, 0xffffffff, 4
    T_RR 170, sra, 0xffffffff, 0x80000000, 31
    T_RR 171, sra, 0xc0000000, 0x80000000, 1, mutant_171_sra
    T_RR 172, sra, 1, 0x7fffffff, 30
    T_RR 173, sra, 0xc0000000, 0x80000000, 33
    T_RR 174, sra, 0xf8123456, 0x81234567, 4
    T_RR 175, sra, 0xffffffff, 0xffffffff, 63
    T_RR 176, sra, 0x81234567, 0x81234567, 0xffffffe0
    T_RR_SAME 177, sll, 0x00000800, 0x00000008

    # --- SLT, SLTU: signed versus unsigned ------------------------------------------
    T_RR 180, slt, 1, 0xffffffff, 1, mutant_180_slt
    T_RR 181, sltu, 0, 0xffffffff, 1
    T_RR 182, slt, 1, 0x80000000, 0x7fffffff
    T_RR 183, sltu, 0, 0x80000000, 0x7fffffff
    T_RR 184, slt, 0, 5, 5
    T_RR 185, sltu, 0, 5, 5
    T_RR 186, slt, 0, 0x7fffffff, 0x80000000
    T_RR 187, sltu, 1, 0x7fffffff, 0x80000000
    T_RR 188, sltu, 1, 0, 1
    T_RR 189, sltu, 1, 0, 0xffffffff
    T_RR 190, slt, 0, 0, 0xffffffff

    # --- XOR, OR, AND ---------------------------------------------------------------
    T_RR 195, xor, 0xf0f0f0f0, 0xff00ff00, 0x0ff00ff0
    T_RR 196, or,  0xfff0fff0, 0xff00ff00, 0x0ff00ff0
    T_RR 197, and, 0x0f000f00, 0xff00ff00, 0x0ff00ff0
    T_RR_SAME 198, xor, 0, 0xdeadbeef
    T_RR_SAME 199, and, 0xdeadbeef, 0xdeadbeef

    # --- MUL, MULH, MULHSU, MULHU ------------------------------------------------------
    T_RR 200, mul, 21, 3, 7
    T_RR 201, mul, 1, 0xffffffff, 0xffffffff
    T_RR 202, mul, 0x80000000, 0x80000000, 0xffffffff
    T_RR 203, mul, 0x242d2080, 0x12345678, 0x9abcdef0
    T_RR 204, mul, 0, 0x10000, 0x10000
    T_RR 205, mul, 0xfffffff9, 0xffffffff, 7
    T_RR 210, mulh, 0, 0xffffffff, 0xffffffff
    T_RR 211, mulh, 0x40000000, 0x80000000, 0x80000000
    T_RR 212, mulh, 0xc0000000, 0x80000000, 0x7fffffff, mutant_212_mulh
    T_RR 213, mulh, 0xffffffff, 0xffffffff, 1
    T_RR 214, mulh, 0x3fffffff, 0x7fffffff, 0x7fffffff
    T_RR 215, mulh, 0xf8cc93d6, 0x12345678, 0x9abcdef0
    T_RR 220, mulhsu, 0xffffffff, 0xffffffff, 0xffffffff
    T_RR 221, mulhsu, 0x80000000, 0x80000000, 0xffffffff
    T_RR 222, mulhsu, 0x7ffffffe, 0x7fffffff, 0xffffffff
    T_RR 223, mulhsu, 0, 1, 0x80000000
    T_RR 224, mulhsu, 0xffffffff, 0xffffffff, 1
    T_RR 225, mulhsu, 0x0b00ea4e, 0x12345678, 0x9abcdef0
    T_RR 230, mulhu, 0xfffffffe, 0xffffffff, 0xffffffff
    T_RR 231, mulhu, 1, 0x80000000, 2
    T_RR 232, mulhu, 0, 0xffffffff, 1
    T_RR 233, mulhu, 0x0b00ea4e, 0x12345678, 0x9abcdef0
    T_RR 234, mulhu, 0x7fffffff, 0xffffffff, 0x80000000
    T_RR_SAME 235, mul, 0x00000009, 0xfffffffd
    T_RR_SAME 236, mulh, 0x00000000, 0xfffffffd

    # --- DIV, DIVU, REM, REMU: rounding toward zero, by zero, overflow ------------------
    T_RR 240, div, 3, 20, 6
    T_RR 241, div, 0xfffffffd, 0xffffffec, 6, mutant_241_div
    T_RR 242, div, 0xfffffffd, 20, 0xfffffffa
    T_RR 243, div, 3, 0xffffffec, 0xfffffffa
    T_RR 244, div, 0xffffffff, 0x12345678, 0
    T_RR 245, div, 0xffffffff, 0, 0
    T_RR 246, div, 0x80000000, 0x80000000, 0xffffffff
    T_RR 247, div, 0, 5, 7
    T_RR 250, divu, 3, 20, 6
    T_RR 251, divu, 0x7fffffff, 0xffffffff, 2
    T_RR 252, divu, 0xffffffff, 0x12345678, 0
    T_RR 253, divu, 0, 0x80000000, 0xffffffff
    T_RR 254, divu, 0x2aaaaaa7, 0xffffffec, 6
    T_RR 260, rem, 2, 20, 6
    T_RR 261, rem, 0xfffffffe, 0xffffffec, 6
    T_RR 262, rem, 2, 20, 0xfffffffa
    T_RR 263, rem, 0xfffffffe, 0xffffffec, 0xfffffffa
    T_RR 264, rem, 0x12345678, 0x12345678, 0
    T_RR 265, rem, 0, 0x80000000, 0xffffffff
    T_RR 266, rem, 0x80000000, 0x80000000, 0
    T_RR 270, remu, 2, 20, 6
    T_RR 271, remu, 5, 0xffffffff, 10
    T_RR 272, remu, 0x12345678, 0x12345678, 0
    T_RR 273, remu, 0x80000000, 0x80000000, 0xffffffff
    T_RR 274, remu, 2, 0xffffffec, 6
    T_RR_SAME 275, div, 1, 0x80000000
    T_RR_SAME 276, rem, 0, 0xfffffff9

    # --- writes to x0 are ignored -----------------------------------------------------------
    li   s11, 280
    li   t0, 5
    addi x0, t0, 1
    EXPECT x0, 0
    li   s11, 281
    add  t1, x0, t0
    EXPECT t1, 5
    li   s11, 282
    lui  x0, 0x12345
    EXPECT x0, 0
    li   s11, 283
    mul  x0, t0, t0
    auipc x0, 1
    EXPECT x0, 0
    li   s11, 284         # x0 as a source reads 0 after all that
    sub  t1, t0, x0
    EXPECT t1, 5

    # --- FENCE is a no-op --------------------------------------------------------------------
    li   s11, 290
    li   t0, 0x1234
    fence
    fence rw, rw
    fence iorw, iorw
    .word 0x8330000f      # fence.tso
    EXPECT t0, 0x1234
    li   s11, 291
    la   t1, sdata
    sw   t0, 0(t1)
    fence
    lw   t2, 0(t1)
    EXPECT t2, 0x1234

    # --- all passed ------------------------------------------------------------------------------
    li   a0, 0
    li   a7, 93
    ecall

fail:
    mv   a0, s11
    li   a7, 93
    ecall

    .section .data
    .balign 4
ldata:
    .byte 0x80, 0x7f, 0xff, 0x01
    .byte 0x34, 0x12, 0x00, 0x80
    .byte 0xff, 0xff, 0xff, 0xff
sdata:
    .word 0, 0, 0, 0
