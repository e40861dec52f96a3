# Reads outside guest memory (label fault_<n>).
# Variant: 0 = lw 0x0 (register x0's slot), 1 = lw 0xfffc (last reserved
# word), 2 = lw 0x4000_0000, 3 = lbu 0xffffffff,
# 4 = write(1, 0x3ffffffe, 4) (buffer runs past the end),
# 5 = write(3, 0x8000, 16).
#include "prologue.inc"
    li   t1, 1
    beq  s0, t1, 1f
    li   t1, 2
    beq  s0, t1, 2f
    li   t1, 3
    beq  s0, t1, 3f
    li   t1, 4
    beq  s0, t1, 4f
    li   t1, 5
    beq  s0, t1, 5f
    .globl fault_0
fault_0:
    lw   t2, 0(zero)
1:  li   t0, 0x10000
    .globl fault_1
fault_1:
    lw   t2, -4(t0)
2:  li   t0, 0x40000000
    .globl fault_2
fault_2:
    lw   t2, 0(t0)
3:  li   t0, -1
    .globl fault_3
fault_3:
    lbu  t2, 0(t0)
4:  li   a0, 1
    li   a1, 0x3ffffffe
    li   a2, 4
    li   a7, 64
    .globl fault_4
fault_4:
    ecall
5:  li   a0, 3
    li   a1, 0x8000
    li   a2, 16
    li   a7, 64
    .globl fault_5
fault_5:
    ecall
