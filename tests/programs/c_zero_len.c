/*
 * Zero-length reads and writes touch no memory, so their buffer may be any
 * address, even outside guest memory: each returns 0 and changes nothing.
 * Then reads one byte b (if any) into an aligned word and commits
 * "z" | b, or just "z" on empty input. Exits 0, or 1 if a zero-length call
 * returned non-zero.
 */
#include "sluice.h"

static void *const bad[] = {
    (void *)0,           /* the register file */
    (void *)0xff00,      /* reserved */
    (void *)0x40000000,  /* one past guest memory */
    (void *)0xfffffffc,  /* unmapped */
};

int main(void)
{
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (sluice_read(bad[i], 0) != 0)
            return 1;
        for (int fd = 1; fd <= 3; fd++)
            if (sluice_write(fd, bad[i], 0) != 0)
                return 1;
    }
    uint32_t word = 'z';
    size_t n = sluice_read((unsigned char *)&word + 1, 1);
    sluice_commit(&word, 1 + n);
    return 0;
}
