# A host write (fd 1) whose buffer leaves guest memory: the machine faults.
# The first input byte picks the buffer: 0 (or no input) the register page
# (0x100, 4 bytes), 1 past the end of guest memory (0x3ffffff0, 32 bytes).
# If the write returned, the program would exit 42: the negative tests
# forge that run and show the verifier rejects it.
#include "prologue.inc"
    li   a0, 1
    li   a1, 0x100
    li   a2, 4
    beqz s0, 1f
    li   a1, 0x3ffffff0
    li   a2, 32
1:  li   a7, 64
    ecall
    li   a0, 42
    li   a7, 93
    ecall
