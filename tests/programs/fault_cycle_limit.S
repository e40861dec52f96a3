# Never halts: counts up in s1 forever (label loop). Run with a cycle limit.
#include "prologue.inc"
    li   s1, 0
    .globl loop
loop:
    addi s1, s1, 1
    j    loop
