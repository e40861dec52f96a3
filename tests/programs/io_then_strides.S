# Two reads that fill most of a lowered row cap (64 KiB and 63 KiB into
# fresh buffers), then 64 stores in 64 fresh pages, one per instruction,
# within the instructions the epoch's last full check allowed: the
# adaptive-epoch test checks that no epoch passes the cap (the instructions
# after a syscall are checked again).
    .section .text
    .globl _start
_start:
    lui  s0, 0x2000       # 0x0200_0000
    li   a0, 0
    mv   a1, s0
    lui  a2, 0x10         # 64 KiB
    li   a7, 63
    ecall
    li   a0, 0
    lui  a1, 0x2010       # 0x0201_0000
    lui  a2, 0x10
    addi a2, a2, -1024    # 63 KiB
    ecall
    lui  t0, 0x3002
    lui  t1, 0x3006
    lui  t2, 0x300a
    lui  t3, 0x300e
    lui  t4, 0x3012
    lui  t5, 0x3016
    lui  t6, 0x301a
    lui  s1, 0x301e
    lui  s2, 0x3022
    lui  s3, 0x3026
    lui  s4, 0x302a
    lui  s5, 0x302e
    lui  s6, 0x3032
    lui  s7, 0x3036
    lui  s8, 0x303a
    lui  s9, 0x303e
    sw   zero, -2048(t0)
    sw   zero, -1024(t0)
    sw   zero, 0(t0)
    sw   zero, 1024(t0)
    sw   zero, -2048(t1)
    sw   zero, -1024(t1)
    sw   zero, 0(t1)
    sw   zero, 1024(t1)
    sw   zero, -2048(t2)
    sw   zero, -1024(t2)
    sw   zero, 0(t2)
    sw   zero, 1024(t2)
    sw   zero, -2048(t3)
    sw   zero, -1024(t3)
    sw   zero, 0(t3)
    sw   zero, 1024(t3)
    sw   zero, -2048(t4)
    sw   zero, -1024(t4)
    sw   zero, 0(t4)
    sw   zero, 1024(t4)
    sw   zero, -2048(t5)
    sw   zero, -1024(t5)
    sw   zero, 0(t5)
    sw   zero, 1024(t5)
    sw   zero, -2048(t6)
    sw   zero, -1024(t6)
    sw   zero, 0(t6)
    sw   zero, 1024(t6)
    sw   zero, -2048(s1)
    sw   zero, -1024(s1)
    sw   zero, 0(s1)
    sw   zero, 1024(s1)
    sw   zero, -2048(s2)
    sw   zero, -1024(s2)
    sw   zero, 0(s2)
    sw   zero, 1024(s2)
    sw   zero, -2048(s3)
    sw   zero, -1024(s3)
    sw   zero, 0(s3)
    sw   zero, 1024(s3)
    sw   zero, -2048(s4)
    sw   zero, -1024(s4)
    sw   zero, 0(s4)
    sw   zero, 1024(s4)
    sw   zero, -2048(s5)
    sw   zero, -1024(s5)
    sw   zero, 0(s5)
    sw   zero, 1024(s5)
    sw   zero, -2048(s6)
    sw   zero, -1024(s6)
    sw   zero, 0(s6)
    sw   zero, 1024(s6)
    sw   zero, -2048(s7)
    sw   zero, -1024(s7)
    sw   zero, 0(s7)
    sw   zero, 1024(s7)
    sw   zero, -2048(s8)
    sw   zero, -1024(s8)
    sw   zero, 0(s8)
    sw   zero, 1024(s8)
    sw   zero, -2048(s9)
    sw   zero, -1024(s9)
    sw   zero, 0(s9)
    sw   zero, 1024(s9)
    li   a0, 0
    li   a7, 93
    ecall
