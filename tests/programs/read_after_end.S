# Two 4-byte reads of the private input; exits 42 only if the first came up
# short (end of input) and the second still returned data, which no input
# can produce: the honest machine always exits 0. The negative tests forge
# exactly that run and show the verifier rejects its proof.
    .section .text
    .globl _start
_start:
    li   a0, 0
    la   a1, buf
    li   a2, 4
    li   a7, 63
    ecall
    mv   s1, a0           # n1
    li   a0, 0
    la   a1, buf
    li   a2, 4
    li   a7, 63
    ecall
    mv   s2, a0           # n2
    li   a0, 0
    li   t0, 4
    bgeu s1, t0, done     # first read not short: exit 0
    beqz s2, done         # nothing after the end: exit 0
    li   a0, 42
done:
    li   a7, 93
    ecall

    .section .bss
    .balign 4
buf: .space 4
