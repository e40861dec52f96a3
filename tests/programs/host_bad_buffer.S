# A host write (fd 1) whose buffer leaves guest memory: the machine faults.
# The first input byte picks the buffer:
#   0 (or no input): the register page (0x100, 4 bytes);
#   1: past the end of guest memory (0x3ffffff0, 32 bytes);
#   2: a length that is 0 as a field element (0x10000, p = 0x7f000001);
#   3: a buffer whose end wraps the field (0x3ffffff0 + 0x3ffffff0 > p).
# If the write returned, the program would exit 42: the negative tests
# forge that run and show the verifier rejects it.
#include "prologue.inc"
    li   a0, 1
    li   a1, 0x100
    li   a2, 4
    beqz s0, 1f
    li   t0, 1
    li   a1, 0x3ffffff0
    li   a2, 32
    beq  s0, t0, 1f
    li   t0, 2
    li   a1, 0x10000
    li   a2, 0x7f000001
    beq  s0, t0, 1f
    li   a1, 0x3ffffff0
    li   a2, 0x3ffffff0
1:  li   a7, 64
    ecall
    li   a0, 42
    li   a7, 93
    ecall
