/*
 * crt0.S: start-up code for C guests (see sluice.h and docs/guests.md).
 *
 * The VM starts at the ELF entry with every register zero. _start sets gp
 * (the linker relaxes accesses near __global_pointer$ into gp-relative ones;
 * this `la` must not be relaxed, since gp is not set yet) and sp, zeroes
 * .bss, calls main(0, NULL) and exits with main's return value.
 *
 * Zeroing .bss is a formality in Sluice, where all memory past the loaded
 * bytes starts at zero; it costs 1.5 cycles per word (16 bytes per round).
 *
 * Built with -DSLUICE_QEMU, _start first maps the rest of guest memory
 * (the page after _end up to 0x4000_0000) with Linux mmap, so that the same
 * program runs under qemu-riscv32 (which opens no fd 3: run it with 3>&1).
 */
    .section .text._start, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    .option push
    .option norelax
    la   gp, __global_pointer$
    .option pop
#ifdef SLUICE_QEMU
    la   a0, _end + 0xfff
    li   t0, -0x1000
    and  a0, a0, t0              /* addr = _end rounded up to a page */
    li   a1, 0x40000000
    sub  a1, a1, a0              /* len */
    li   a2, 3                   /* PROT_READ | PROT_WRITE */
    li   a3, 0x32                /* MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS */
    li   a4, -1                  /* fd */
    li   a5, 0                   /* offset */
    li   a7, 222                 /* mmap */
    ecall
#endif
    li   sp, 0x40000000          /* GUEST_MEMORY_END: the stack grows down */
    la   t0, __bss_start         /* both 16-byte aligned (sluice.ld) */
    la   t1, __bss_end
    beq  t0, t1, 2f
1:  sw   zero, 0(t0)
    sw   zero, 4(t0)
    sw   zero, 8(t0)
    sw   zero, 12(t0)
    addi t0, t0, 16
    bltu t0, t1, 1b
2:  li   a0, 0                   /* argc */
    li   a1, 0                   /* argv */
    call main
    li   a7, 93                  /* exit(main's return value in a0) */
    ecall
3:  j    3b                      /* not reached: exit halts the machine */
    .size _start, . - _start
