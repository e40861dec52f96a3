//! Start-up, exit and panics.

use crate::syscall::{self, syscall3};

/// The initial stack pointer: the end of guest memory
/// (`GUEST_MEMORY_END` in `verifier/src/layout.rs`). The stack grows down
/// from here; the heap grows up from the end of the image.
pub const STACK_TOP: u32 = 0x4000_0000;

/// Exit code of a guest that panicked.
pub const PANIC_EXIT_CODE: u32 = 101;

// The VM starts at the ELF entry with every register zero. `_start` sets the
// stack pointer and the global pointer (the linker may relax accesses near
// `__global_pointer$` into `gp`-relative ones; the `la` itself must not be
// relaxed, since gp is not set yet), calls the user's main (named by
// `entry!`), and exits with code 0 if it returns. No .bss zeroing: memory
// beyond the loaded bytes already reads as zero (see sluice-guest.ld).
#[cfg(target_arch = "riscv32")]
core::arch::global_asm!(
    ".section .text._start, \"ax\", @progbits",
    ".globl _start",
    ".type _start, @function",
    "_start:",
    ".option push",
    ".option norelax",
    "la gp, __global_pointer$",
    ".option pop",
    "li sp, {stack_top}",
    "call __sluice_main",
    "li a0, 0",
    "li a7, {exit}",
    "ecall",
    // exit never returns; spin rather than run off into other code.
    "1: j 1b",
    stack_top = const STACK_TOP,
    exit = const syscall::EXIT,
);

/// Halts the VM with `code` (0 = success). Never returns.
pub fn exit(code: u32) -> ! {
    // SAFETY: exit takes no buffer.
    unsafe {
        syscall3(syscall::EXIT, code, 0, 0);
    }
    // Unreachable in the VM: exit halts it.
    #[allow(clippy::empty_loop)]
    loop {}
}

/// Prints "panicked at <file>:<line>:<col>:\n<message>" to stderr (fd 2) and
/// exits with [`PANIC_EXIT_CODE`]. Out-of-memory in the heap also ends here,
/// since `alloc` reports allocation failure by panicking.
#[cfg(all(target_arch = "riscv32", target_os = "none"))]
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    use core::fmt::Write;
    let _ = writeln!(crate::Stderr, "{info}");
    exit(PANIC_EXIT_CODE)
}
