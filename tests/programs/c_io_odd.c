/*
 * Private input through odd-sized reads into unaligned buffers, public output
 * through odd-sized writes from unaligned addresses.
 *
 * Reads the input with reads of the sizes in read_sizes (cycling), each into
 * the next byte of a buffer that starts at an odd address, until a read
 * returns fewer bytes than asked (exit 1 if a read would pass the CAP-byte
 * buffer: inputs of up to 7 000 bytes always fit). Then checks that
 * further reads return 0 and wrote nothing, and writes to fd 3
 *
 *   "odd1" | n (u32 LE) | reads (u32 LE) | in[i] ^ (7 * i) for i < n
 *          | bytes 3..8 of the above again
 *
 * in chunks of the sizes in write_sizes (cycling, 0 included), and
 * "c_io_odd: <n> bytes in <reads> reads\n" to stdout. Exits 0, or with the
 * number of the failed check.
 */
#include "sluice.h"

#define CAP 8192
#define HEADER 12

enum {
    ERR_TOO_LONG = 1,  /* the input does not fit in CAP bytes */
    ERR_READ_TOO_MUCH, /* a read returned more than it was asked for */
    ERR_OVERRUN,       /* a short read wrote past the bytes it returned */
    ERR_READ_AT_END,   /* a read after the short one returned bytes */
    ERR_WRITE_RESULT,  /* a write did not return its length */
};

static const uint16_t read_sizes[] = {1, 3, 7, 13, 250, 2, 31, 5, 1001};
static const uint16_t write_sizes[] = {17, 5, 1, 0, 3, 250, 13, 7, 64};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static unsigned char in_buf[1 + CAP + 1024];
static unsigned char out_buf[3 + HEADER + CAP];

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void commit_checked(const unsigned char *p, size_t len)
{
    if (sluice_commit(p, len) != len)
        sluice_exit(ERR_WRITE_RESULT);
}

/* Appends the decimal digits of v at p; returns the end. */
static char *put_dec(char *p, uint32_t v)
{
    char digits[10];
    int k = 0;
    do
        digits[k++] = (char)('0' + v % 10);
    while (v /= 10);
    while (k)
        *p++ = digits[--k];
    return p;
}

static char *put_str(char *p, const char *s)
{
    while (*s)
        *p++ = *s++;
    return p;
}

int main(void)
{
    unsigned char *in = in_buf + 1; /* odd address */
    uint32_t n = 0, reads = 0;
    for (;;) {
        uint32_t want = read_sizes[reads % COUNT(read_sizes)];
        if (n + want > CAP)
            return ERR_TOO_LONG;
        uint32_t got = sluice_read(in + n, want);
        reads++;
        if (got > want)
            return ERR_READ_TOO_MUCH;
        n += got;
        if (got < want) {
            for (uint32_t i = n; i < n + (want - got); i++)
                if (in[i] != 0)
                    return ERR_OVERRUN;
            break;
        }
    }
    /* At end of input: every read returns 0 and stores nothing. */
    static const uint16_t after[] = {1, 250, 0, 3};
    for (unsigned k = 0; k < COUNT(after); k++) {
        if (sluice_read(in + n + k, after[k]) != 0)
            return ERR_READ_AT_END;
    }
    for (uint32_t i = n; i < n + 256; i++)
        if (in[i] != 0)
            return ERR_OVERRUN;

    unsigned char *out = out_buf + 3; /* odd address */
    memcpy(out, "odd1", 4);
    put_u32(out + 4, n);
    put_u32(out + 8, reads);
    for (uint32_t i = 0; i < n; i++)
        out[HEADER + i] = in[i] ^ (unsigned char)(7 * i);
    uint32_t total = HEADER + n, pos = 0;
    for (unsigned k = 0; pos < total; k++) {
        uint32_t len = write_sizes[k % COUNT(write_sizes)];
        if (len > total - pos)
            len = total - pos;
        commit_checked(out + pos, len);
        pos += len;
    }
    commit_checked(out + 3, 5);

    char line[64], *p = line;
    p = put_str(p, "c_io_odd: ");
    p = put_dec(p, n);
    p = put_str(p, " bytes in ");
    p = put_dec(p, reads);
    p = put_str(p, " reads\n");
    if (sluice_write(SLUICE_FD_STDOUT, line, (size_t)(p - line)) != (size_t)(p - line))
        return ERR_WRITE_RESULT;
    return 0;
}
