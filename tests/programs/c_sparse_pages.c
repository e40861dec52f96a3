/*
 * Touches one word in each of PAGES distinct 1 KiB pages: stores
 * address ^ seed at BASE + i * 1024 for i < PAGES, then loads them all back,
 * checks them (exit 1 on a mismatch, 2 if a word between them is not zero)
 * and commits checksum = fold(checksum * 31 + value) as u32 LE. The seed is
 * the first 4 input bytes (u32 LE, missing bytes zero).
 *
 * BASE .. BASE + PAGES KiB = 0x0100_0000 .. 0x0371_0000: far above the
 * image (at 0x1_0000) and below the stack (growing down from 0x4000_0000).
 */
#include "sluice.h"

#define BASE 0x01000000u
#define PAGES 40000u
#define STRIDE 1024u
#define END (BASE + PAGES * STRIDE)

#define WORD(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

int main(void)
{
    uint32_t seed = 0;
    sluice_read(&seed, 4);
    for (uint32_t a = BASE; a != END; a += STRIDE)
        WORD(a) = a ^ seed;
    uint32_t sum = 0;
    for (uint32_t a = BASE; a != END; a += STRIDE) {
        uint32_t v = WORD(a);
        if (v != (a ^ seed))
            return 1;
        sum = sum * 31 + v;
    }
    if (WORD(BASE + 4) != 0 || WORD(END - 4) != 0 || WORD(BASE + STRIDE / 2) != 0)
        return 2;
    sluice_commit(&sum, 4);
    return 0;
}
