# Stores whose address is not a multiple of their size (label fault_<n>);
# sb at an odd address and aligned sh/sw run first and must not fault.
# Variant: 0 = sw at buf+2, 1 = sh at buf+1, 2 = sw at buf+3, 3 = sh at buf+3.
#include "prologue.inc"
    la   t0, buf
    li   t1, 0x5a
    sb   t1, 1(t0)
    sh   t1, 2(t0)
    sw   t1, 4(t0)
    li   t1, 1
    beq  s0, t1, 1f
    li   t1, 2
    beq  s0, t1, 2f
    li   t1, 3
    beq  s0, t1, 3f
    .globl fault_0
fault_0:
    sw   t1, 2(t0)
1:
    .globl fault_1
fault_1:
    sh   t1, 1(t0)
2:
    .globl fault_2
fault_2:
    sw   t1, 3(t0)
3:
    .globl fault_3
fault_3:
    sh   t1, 3(t0)

    .section .data
    .balign 4
    .globl buf
buf: .word 0, 0
