# ECALL with a syscall number the VM does not know (label fault_<n>).
# Variant: 0 = a7 = 1234, 1 = a7 = 0, 2 = a7 = 0xffffffff.
#include "prologue.inc"
    li   t1, 1
    beq  s0, t1, 1f
    li   t1, 2
    beq  s0, t1, 2f
    li   a7, 1234
    .globl fault_0
fault_0:
    ecall
1:  li   a7, 0
    .globl fault_1
fault_1:
    ecall
2:  li   a7, -1
    .globl fault_2
fault_2:
    ecall
