# read/write on a file descriptor the VM does not offer (label fault_<n>).
# Variant: 0 = write(5, buf, 1), 1 = write(0, buf, 1), 2 = read(3, buf, 1),
# 3 = read(1, buf, 0).
#include "prologue.inc"
    la   a1, buf
    li   a2, 1
    li   t1, 1
    beq  s0, t1, 1f
    li   t1, 2
    beq  s0, t1, 2f
    li   t1, 3
    beq  s0, t1, 3f
    li   a0, 5
    li   a7, 64
    .globl fault_0
fault_0:
    ecall
1:  li   a0, 0
    li   a7, 64
    .globl fault_1
fault_1:
    ecall
2:  li   a0, 3
    li   a7, 63
    .globl fault_2
fault_2:
    ecall
3:  li   a0, 1
    li   a2, 0
    li   a7, 63
    .globl fault_3
fault_3:
    ecall

    .section .data
buf: .word 0
