/*
 * sluice.c: the out-of-line part of the C guest SDK: the POSIX names for the
 * syscalls, and the memory functions gcc may emit calls to (struct copies,
 * large initialisers, loops it recognises) even with -ffreestanding.
 *
 * Byte loops, kept small: every instruction is a proven cycle, so a guest
 * that copies a lot should copy words itself. The attribute stops gcc from
 * turning these loops back into calls to themselves.
 */
#include "sluice.h"

#define NO_LIBCALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))

int read(int fd, void *buf, size_t len)
{
    return (int)sluice_syscall3(SLUICE_SYS_READ, (uint32_t)fd, (uintptr_t)buf, len);
}

int write(int fd, const void *buf, size_t len)
{
    return (int)sluice_write(fd, buf, len);
}

void _exit(int code)
{
    sluice_exit(code);
}

NO_LIBCALLS void *memcpy(void *__restrict dst, const void *__restrict src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if ((((uintptr_t)d | (uintptr_t)s) & 3) == 0) {
        for (; n >= 4; n -= 4, d += 4, s += 4)
            *(uint32_t *)d = *(const uint32_t *)s;
    }
    while (n--)
        *d++ = *s++;
    return dst;
}

NO_LIBCALLS void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d <= s) {
        while (n--)
            *d++ = *s++;
    } else {
        while (n--)
            d[n] = s[n];
    }
    return dst;
}

NO_LIBCALLS void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    if (((uintptr_t)d & 3) == 0) {
        uint32_t w = (unsigned char)c * 0x01010101u;
        for (; n >= 4; n -= 4, d += 4)
            *(uint32_t *)d = w;
    }
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}
