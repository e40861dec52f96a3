/*
 * sluice.h: the C guest SDK for Sluice (RV32IM, no libc).
 *
 * Syscalls are `ecall` with the number in a7, arguments in a0..a2 and the
 * result in a0 (the RISC-V Linux numbers; see docs/guests.md):
 *
 *   sluice_read(buf, len)        read(0, ...): the next min(len, remaining)
 *                                bytes of the private input; 0 at its end
 *   sluice_write(fd, buf, len)   fd 1/2: host stdout/stderr (not proven);
 *                                fd 3: public output (proven); returns len
 *   sluice_commit(buf, len)      write(3, buf, len)
 *   sluice_exit(code)            halts with `code` (0 = success)
 *
 * A buffer must lie in guest memory (0x1_0000 .. 0x4000_0000) or the machine
 * faults; len 0 touches nothing. Any other fd faults.
 *
 * sluice.c defines the POSIX names read, write and _exit with newlib's
 * signatures (so <unistd.h> may be included too), and memcpy, memmove,
 * memset and memcmp, which gcc may call even in freestanding code.
 */
#ifndef SLUICE_H
#define SLUICE_H

#include <stddef.h>
#include <stdint.h>

#define SLUICE_SYS_READ 63
#define SLUICE_SYS_WRITE 64
#define SLUICE_SYS_EXIT 93

#define SLUICE_FD_INPUT 0
#define SLUICE_FD_STDOUT 1
#define SLUICE_FD_STDERR 2
#define SLUICE_FD_PUBLIC 3
/* Hints for the host program: not proven. */
#define SLUICE_FD_HINT 4

static inline uint32_t sluice_syscall3(uint32_t n, uint32_t a, uint32_t b, uint32_t c)
{
    register uint32_t a0 __asm__("a0") = a;
    register uint32_t a1 __asm__("a1") = b;
    register uint32_t a2 __asm__("a2") = c;
    register uint32_t a7 __asm__("a7") = n;
    /* "memory": read stores into the buffer, write loads from it. */
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
    return a0;
}

static inline size_t sluice_read(void *buf, size_t len)
{
    return sluice_syscall3(SLUICE_SYS_READ, SLUICE_FD_INPUT, (uintptr_t)buf, len);
}

static inline size_t sluice_write(int fd, const void *buf, size_t len)
{
    return sluice_syscall3(SLUICE_SYS_WRITE, (uint32_t)fd, (uintptr_t)buf, len);
}

static inline size_t sluice_commit(const void *buf, size_t len)
{
    return sluice_write(SLUICE_FD_PUBLIC, buf, len);
}

__attribute__((noreturn)) static inline void sluice_exit(int code)
{
    sluice_syscall3(SLUICE_SYS_EXIT, (uint32_t)code, 0, 0);
    for (;;) {} /* not reached: exit halts the machine */
}

/* Defined in sluice.c. ssize_t is int on ilp32, as in newlib. */
int read(int fd, void *buf, size_t len);
int write(int fd, const void *buf, size_t len);
__attribute__((noreturn)) void _exit(int code);

void *memcpy(void *__restrict dst, const void *__restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif
