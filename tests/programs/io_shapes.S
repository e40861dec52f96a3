# Reads and writes of odd sizes at odd offsets: read(0, buf+1, 7),
# write(3, buf+2, 5), write(3, buf, 3), write(1, buf+1, 2),
# write(4, buf+2, 3) (a hint), write(3, buf+3, 9), exit 0. On input "ABCDEFGH" the public output is
# "BCDEF", "\0AB", "CDEFG\0\0\0\0". The I/O tables' negative tests tamper
# with its witness.
    .section .text
    .globl _start
_start:
    la   s0, buf
    li   a0, 0
    addi a1, s0, 1
    li   a2, 7
    li   a7, 63
    ecall
    li   a0, 3
    addi a1, s0, 2
    li   a2, 5
    li   a7, 64
    ecall
    li   a0, 3
    mv   a1, s0
    li   a2, 3
    li   a7, 64
    ecall
    li   a0, 1
    addi a1, s0, 1
    li   a2, 2
    li   a7, 64
    ecall
    li   a0, 4
    addi a1, s0, 2
    li   a2, 3
    li   a7, 64
    ecall
    li   a0, 3
    addi a1, s0, 3
    li   a2, 9
    li   a7, 64
    ecall
    li   a0, 0
    li   a7, 93
    ecall

    .section .bss
    .balign 4
buf: .space 12
