# Runs into EBREAK (label fault_0) after a few ordinary instructions.
#include "prologue.inc"
    addi t1, zero, 1
    addi t1, t1, 1
    .globl fault_0
fault_0:
    ebreak
    li   a0, 0
    li   a7, 93
    ecall
