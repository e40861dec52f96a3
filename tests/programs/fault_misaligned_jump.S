# Taken jumps and branches to an address that is 2 mod 4 (label fault_<n>).
# A branch that is not taken is never a fault, whatever its target, so one
# runs first. The B/J-type words are encoded by hand: the assembler refuses
# offsets that are not multiples of 4 when the C extension is off.
# Variant: 0 = jalr to target_0 + 2, 1 = jal .+6, 2 = beq (taken) .+6.
#include "prologue.inc"
    li   t1, 1
    .word 0x00600363      # beq zero, t1, .+6: not taken, no fault
    li   t2, 1
    beq  s0, t2, 1f
    li   t2, 2
    beq  s0, t2, 2f
    la   t0, target_0
    addi t0, t0, 2
    .globl fault_0
fault_0:
    jalr ra, 0(t0)
    .globl target_0
target_0:
    nop
    nop
1:
    .globl fault_1
fault_1:
    .word 0x0060006f      # jal zero, .+6
    nop
    nop
2:
    .globl fault_2
fault_2:
    .word 0x00000363      # beq zero, zero, .+6
    nop
    nop
