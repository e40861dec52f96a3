# Jumps out of guest memory; the fault is the fetch at the target, so the
# reported pc is the target. Variant: 0 = 0x4000_0000 (end of guest memory),
# 1 = 0x8000 (reserved), 2 = 0x0 (the registers).
#include "prologue.inc"
    li   t1, 1
    beq  s0, t1, 1f
    li   t1, 2
    beq  s0, t1, 2f
    li   t0, 0x40000000
    jr   t0
1:  li   t0, 0x8000
    jr   t0
2:  jr   zero
