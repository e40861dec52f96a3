# A sparse working set: writes one word in each of N distinct 1 KiB pages
# (N = the input, u32 LE; 0x0100_0000 + i * 1024), reads them all back,
# commits the sum of what it read (u32 LE) and exits 0 (1 if a word came
# back wrong). Epochs of such a run are cut by their page count, not their
# cycles: the adaptive-epoch tests prove it at several caps and sizes.
    .section .text
    .globl _start
_start:
    li   a0, 0
    la   a1, word
    li   a2, 4
    li   a7, 63
    ecall
    la   t0, word
    lw   s0, 0(t0)        # N
    li   s1, 0x01000000   # base
    li   t1, 0            # i
    mv   t2, s1
1:  bgeu t1, s0, 2f
    sw   t1, 0(t2)
    addi t1, t1, 1
    addi t2, t2, 1024
    j    1b
2:  li   t1, 0
    mv   t2, s1
    li   s2, 0            # sum
3:  bgeu t1, s0, 4f
    lw   t3, 0(t2)
    bne  t3, t1, bad
    add  s2, s2, t3
    addi t1, t1, 1
    addi t2, t2, 1024
    j    3b
4:  la   t0, word
    sw   s2, 0(t0)
    li   a0, 3
    mv   a1, t0
    li   a2, 4
    li   a7, 64
    ecall
    li   a0, 0
    li   a7, 93
    ecall
bad:
    li   a0, 1
    li   a7, 93
    ecall

    .section .bss
    .balign 4
word: .space 4
