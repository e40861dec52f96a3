#!/usr/bin/env python3
"""Recomputes the expected value of every register-register and
register-immediate case in rv32im_selfcheck.S from the RISC-V spec's
definitions, independently of the Sluice executor, and reports mismatches.
Also checks that case numbers are unique. Run: python3 check_selfcheck_values.py
"""
import re
import sys

M = 0xFFFFFFFF


def s(x):
    x &= M
    return x - (1 << 32) if x >> 31 else x


def trunc_div(a, b):
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def div(a, b):
    if b & M == 0:
        return M
    if s(a) == -(1 << 31) and s(b) == -1:
        return a & M
    return trunc_div(s(a), s(b)) & M


def rem(a, b):
    if b & M == 0:
        return a & M
    if s(a) == -(1 << 31) and s(b) == -1:
        return 0
    return (s(a) - trunc_div(s(a), s(b)) * s(b)) & M


OPS = {
    "add": lambda a, b: (a + b) & M,
    "sub": lambda a, b: (a - b) & M,
    "sll": lambda a, b: (a << (b & 31)) & M,
    "srl": lambda a, b: (a & M) >> (b & 31),
    "sra": lambda a, b: (s(a) >> (b & 31)) & M,
    "slt": lambda a, b: int(s(a) < s(b)),
    "sltu": lambda a, b: int((a & M) < (b & M)),
    "xor": lambda a, b: (a ^ b) & M,
    "or": lambda a, b: (a | b) & M,
    "and": lambda a, b: (a & b) & M,
    "mul": lambda a, b: (a * b) & M,
    "mulh": lambda a, b: ((s(a) * s(b)) >> 32) & M,
    "mulhsu": lambda a, b: ((s(a) * (b & M)) >> 32) & M,
    "mulhu": lambda a, b: (((a & M) * (b & M)) >> 32) & M,
    "div": div,
    "divu": lambda a, b: M if b & M == 0 else (a & M) // (b & M),
    "rem": rem,
    "remu": lambda a, b: a & M if b & M == 0 else (a & M) % (b & M),
}
IMM = {"addi": "add", "slti": "slt", "sltiu": "sltu", "xori": "xor", "ori": "or",
       "andi": "and", "slli": "sll", "srli": "srl", "srai": "sra"}


def num(t):
    return int(t, 0)


src = open(sys.argv[1] if len(sys.argv) > 1 else __file__.replace("check_selfcheck_values.py", "rv32im_selfcheck.S")).read()
bad, seen, count = 0, {}, 0
for line in src.splitlines():
    line = line.split("#")[0].strip()
    m = re.match(r"(T_RR|T_RR_RD1|T_RR_RD2|T_RR_SAME|T_RI|T_LD|T_BR_FWD|T_BR_BACK|T_BR_NOT)\s+(.*)", line)
    mnum = re.match(r"li\s+s11,\s*(\d+)", line)
    if mnum:
        n = int(mnum.group(1))
        if n in seen:
            print(f"duplicate case number {n}"); bad += 1
        seen[n] = True
    if not m:
        continue
    kind, args = m.group(1), [a.strip() for a in m.group(2).split(",")]
    n = int(args[0])
    if n in seen:
        print(f"duplicate case number {n}"); bad += 1
    seen[n] = True
    if kind in ("T_LD", "T_BR_FWD", "T_BR_BACK", "T_BR_NOT"):
        continue
    op = args[1]
    count += 1
    if kind == "T_RR_SAME":
        exp, v = num(args[2]), num(args[3])
        got = OPS[op](v, v)
    elif kind == "T_RI":
        exp, v, imm = num(args[2]), num(args[3]), num(args[4])
        got = OPS[IMM[op]](v, imm & M)
    else:
        exp, a, b = num(args[2]), num(args[3]), num(args[4])
        got = OPS[op](a, b)
    if got != exp & M:
        print(f"case {n}: {op} expected {exp:#010x} in the source, spec gives {got:#010x}")
        bad += 1
print(f"{count} arithmetic cases checked, {bad} problems")
sys.exit(1 if bad else 0)
