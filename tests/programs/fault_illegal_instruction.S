# Executes a word that is not an RV32IM instruction; the label fault_<n>
# marks it. Variant (first input byte): 0 = csrr a0, mstatus (Zicsr),
# 1 = slli with shamt[5] set (RV64 only), 2 = flw (F extension),
# 3 = fence.i (Zifencei).
#include "prologue.inc"
    li   t1, 1
    beq  s0, t1, 1f
    li   t1, 2
    beq  s0, t1, 2f
    li   t1, 3
    beq  s0, t1, 3f
    .globl fault_0
fault_0:
    .word 0x30002573
1:
    .globl fault_1
fault_1:
    .word 0x02009093
2:
    .globl fault_2
fault_2:
    .word 0x00052507
3:
    .globl fault_3
fault_3:
    .word 0x0000100f
