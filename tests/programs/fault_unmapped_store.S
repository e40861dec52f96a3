# Writes outside guest memory (label fault_<n>).
# Variant: 0 = sw to 0x7c (register x31's slot), 1 = sb to 0xffff,
# 2 = sh to 0x4000_0000, 3 = read(0, 0xfff0, 32) (buffer starts below
# guest memory), 4 = read(0, 0x3ffffff0, 17) (runs past the end).
#include "prologue.inc"
    li   t2, 0x55
    li   t1, 1
    beq  s0, t1, 1f
    li   t1, 2
    beq  s0, t1, 2f
    li   t1, 3
    beq  s0, t1, 3f
    li   t1, 4
    beq  s0, t1, 4f
    .globl fault_0
fault_0:
    sw   t2, 0x7c(zero)
1:  li   t0, 0x10000
    .globl fault_1
fault_1:
    sb   t2, -1(t0)
2:  li   t0, 0x40000000
    .globl fault_2
fault_2:
    sh   t2, 0(t0)
3:  li   a0, 0
    li   a1, 0xfff0
    li   a2, 32
    li   a7, 63
    .globl fault_3
fault_3:
    ecall
4:  li   a0, 0
    li   a1, 0x3ffffff0
    li   a2, 17
    li   a7, 63
    .globl fault_4
fault_4:
    ecall
