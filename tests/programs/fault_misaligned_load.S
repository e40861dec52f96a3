# Loads whose address is not a multiple of their size (label fault_<n>);
# lb/lbu at odd addresses and aligned lh/lw run first and must not fault.
# Variant: 0 = lw at buf+2, 1 = lh at buf+1, 2 = lhu at buf+3, 3 = lw at buf+1.
#include "prologue.inc"
    la   t0, buf
    lb   t2, 1(t0)
    lbu  t2, 3(t0)
    lh   t2, 2(t0)
    lw   t2, 4(t0)
    li   t1, 1
    beq  s0, t1, 1f
    li   t1, 2
    beq  s0, t1, 2f
    li   t1, 3
    beq  s0, t1, 3f
    .globl fault_0
fault_0:
    lw   t2, 2(t0)
1:
    .globl fault_1
fault_1:
    lh   t2, 1(t0)
2:
    .globl fault_2
fault_2:
    lhu  t2, 3(t0)
3:
    .globl fault_3
fault_3:
    lw   t2, 1(t0)

    .section .data
    .balign 4
    .globl buf
buf: .word 0x11223344, 0x55667788
