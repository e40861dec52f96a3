/*
 * Buffers that leave guest memory (0x1_0000 .. 0x4000_0000) fault; the first
 * input byte selects the variant, and the global label fault_<variant> marks
 * the faulting ecall. Exits 0 if no fault happened (which would be a bug).
 *
 *   0: read(0, 0x3fff_fffe, 4)   store past the end of guest memory
 *   1: write(3, 0xff00, 0x200)   load starting in the reserved region
 *   2: write(1, 0x7c, 1)         load from the register file
 *   3: read(0, 0x8000, 16)       store into the reserved region, input or not
 */
#include "sluice.h"

#define FAULT(variant, n, a0, a1, a2)                                          \
    do {                                                                       \
        register uint32_t r0 __asm__("a0") = (a0);                             \
        register uint32_t r1 __asm__("a1") = (a1);                             \
        register uint32_t r2 __asm__("a2") = (a2);                             \
        register uint32_t r7 __asm__("a7") = (n);                              \
        __asm__ volatile(".globl fault_" #variant "\nfault_" #variant ": ecall" \
                         : "+r"(r0) : "r"(r1), "r"(r2), "r"(r7) : "memory");   \
    } while (0)

int main(void)
{
    uint32_t selector = 0;
    sluice_read(&selector, 1);
    switch (selector) {
    case 0: FAULT(0, SLUICE_SYS_READ, 0, 0x3ffffffe, 4); break;
    case 1: FAULT(1, SLUICE_SYS_WRITE, 3, 0xff00, 0x200); break;
    case 2: FAULT(2, SLUICE_SYS_WRITE, 1, 0x7c, 1); break;
    case 3: FAULT(3, SLUICE_SYS_READ, 0, 0x8000, 16); break;
    }
    return 0;
}
