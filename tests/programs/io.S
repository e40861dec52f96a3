# Exercises every I/O path. Reads the input in 5-byte chunks (at most 256
# bytes) until read returns 0, then writes
#   fd 1 (stdout): "out:" + input
#   fd 2 (stderr): "err:" + input reversed
#   fd 3 (public): length (u32 LE) + number of read calls (u32 LE) + input,
#                  plus a zero-length write, which must add nothing
# and exits with 0.
    .section .text
    .globl _start
_start:
    la   s0, buf          # s0 = buffer
    li   s1, 0            # s1 = bytes read
    li   s2, 0            # s2 = read calls
    li   s3, 256          # s3 = capacity
read_loop:
    sub  a2, s3, s1
    beqz a2, read_done
    li   t0, 5
    bleu a2, t0, 1f
    mv   a2, t0
1:  li   a0, 0
    add  a1, s0, s1
    li   a7, 63
    ecall
    addi s2, s2, 1
    beqz a0, read_done
    add  s1, s1, a0
    j    read_loop
read_done:
    # stdout: "out:" + input
    li   a0, 1
    la   a1, out_tag
    li   a2, 4
    li   a7, 64
    ecall
    li   a0, 1
    mv   a1, s0
    mv   a2, s1
    ecall
    # reverse the input into rev
    la   t0, rev
    add  t1, s0, s1       # t1 = one past the last input byte
2:  beq  t1, s0, 3f
    addi t1, t1, -1
    lbu  t2, 0(t1)
    sb   t2, 0(t0)
    addi t0, t0, 1
    j    2b
3:  li   a0, 2
    la   a1, err_tag
    li   a2, 4
    ecall
    li   a0, 2
    la   a1, rev
    mv   a2, s1
    ecall
    # public: length, read calls, input
    la   t0, header
    sw   s1, 0(t0)
    sw   s2, 4(t0)
    li   a0, 3
    mv   a1, t0
    li   a2, 8
    ecall
    li   a0, 3
    mv   a1, s0
    mv   a2, s1
    ecall
    li   a0, 3
    mv   a1, s0
    li   a2, 0
    ecall
    li   a0, 0
    li   a7, 93
    ecall

    .section .rodata
out_tag: .ascii "out:"
err_tag: .ascii "err:"

    .section .bss
    .balign 4
header: .space 8
buf:    .space 256
rev:    .space 256
