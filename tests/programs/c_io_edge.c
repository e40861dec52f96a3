/*
 * Edge cases of read and write with valid buffers: zero lengths, reads that
 * straddle word boundaries, and a 64 KiB read and a 64 KiB write in one call
 * each (the per-call bound the proof supports is at least 64 KiB).
 *
 * Reads r1 = read(small + 3, 6), r2 = read(small + 11, 2),
 * r3 = read(big + 1, 65536), r4 = read(tail, 4096), each returning
 * min(len, remaining input), and commits
 *
 *   r1 | r2 | r3 | r4 (u32 LE each) | the r1 + r2 + r3 + r4 bytes read
 *
 * with one write per buffer. Exits 0, or with the number of the failed check.
 */
#include "sluice.h"

#define BIG 65536

enum {
    ERR_ZERO_READ = 1, /* read(buf, 0) returned non-zero */
    ERR_ZERO_WRITE,    /* write(fd, buf, 0) returned non-zero */
    ERR_READ_RESULT,   /* a read returned more than asked, or bytes after a short read */
    ERR_OVERRUN,       /* a read stored outside the bytes it returned */
    ERR_WRITE_RESULT,  /* a write did not return its length */
};

static unsigned char small[16];
static unsigned char big[1 + BIG + 3];
static unsigned char tail[4096];
static uint32_t counts[4];
static int ended; /* a read returned fewer bytes than asked */

static size_t read_checked(unsigned char *buf, size_t len)
{
    size_t n = sluice_read(buf, len);
    if (n > len || (ended && n != 0))
        sluice_exit(ERR_READ_RESULT);
    if (n < len)
        ended = 1;
    return n;
}

static void write_checked(int fd, const void *buf, size_t len)
{
    if (sluice_write(fd, buf, len) != len)
        sluice_exit(ERR_WRITE_RESULT);
}

int main(void)
{
    if (sluice_read(small, 0) != 0 || sluice_read(small + 1, 0) != 0)
        return ERR_ZERO_READ;
    if (sluice_write(SLUICE_FD_PUBLIC, small + 1, 0) != 0 ||
        sluice_write(SLUICE_FD_STDOUT, small, 0) != 0)
        return ERR_ZERO_WRITE;

    counts[0] = read_checked(small + 3, 6); /* bytes 3..8: three words */
    counts[1] = read_checked(small + 11, 2); /* bytes 11..12: two words */
    counts[2] = read_checked(big + 1, BIG);
    counts[3] = read_checked(tail, sizeof tail);
    if (sluice_read(small, 0) != 0)
        return ERR_ZERO_READ;
    /* Nothing around the read bytes was stored to. */
    if (small[0] | small[1] | small[2] | small[9] | small[10] | small[13] |
        big[0] | big[1 + BIG])
        return ERR_OVERRUN;
    for (uint32_t i = counts[0]; i < 6; i++)
        if (small[3 + i] != 0)
            return ERR_OVERRUN;

    write_checked(SLUICE_FD_PUBLIC, counts, sizeof counts);
    write_checked(SLUICE_FD_PUBLIC, small + 3, counts[0]);
    write_checked(SLUICE_FD_PUBLIC, small + 11, counts[1]);
    write_checked(SLUICE_FD_PUBLIC, big + 1, counts[2]);
    write_checked(SLUICE_FD_PUBLIC, tail, counts[3]);
    write_checked(SLUICE_FD_PUBLIC, big + 1, 0);
    write_checked(SLUICE_FD_STDERR, "c_io_edge: done\n", 16);
    return 0;
}
