/*
 * The reported case: a C guest whose whole public output is a single
 * write(3, buf, 17) of a stack buffer, after some computation.
 *
 * Hashes the private input (read in 64-byte chunks) with four FNV-1a lanes,
 * lane k hashing byte + k from seed 2166136261 + k, and commits
 * lane 0..3 (u32 LE each) | input length mod 256.
 */
#include "sluice.h"

int main(void)
{
    uint32_t h[4];
    for (int k = 0; k < 4; k++)
        h[k] = 2166136261u + (uint32_t)k;
    unsigned char chunk[64];
    uint32_t len = 0;
    for (;;) {
        size_t got = sluice_read(chunk, sizeof chunk);
        for (size_t i = 0; i < got; i++)
            for (int k = 0; k < 4; k++)
                h[k] = (h[k] ^ (uint8_t)(chunk[i] + k)) * 16777619u;
        len += got;
        if (got < sizeof chunk)
            break;
    }
    unsigned char out[17];
    for (int k = 0; k < 4; k++)
        for (int b = 0; b < 4; b++)
            out[4 * k + b] = (unsigned char)(h[k] >> (8 * b));
    out[16] = (unsigned char)len;
    sluice_commit(out, 17);
    return 0;
}
