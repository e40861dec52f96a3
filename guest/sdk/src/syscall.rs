//! Raw system calls: `ecall` with the number in `a7` and arguments in
//! `a0..a2`, result in `a0` — the contract of the prover's executor
//! (`prover/src/executor/syscall.rs`) and of the proof.
//!
//! Every buffer passed to `read`/`write` must lie entirely in guest memory
//! (`0x1_0000..0x4000_0000`), or the VM faults; Rust references always do.

/// `read(fd, buf, len) -> count`: fd 0 only; 0 at end of input.
pub const READ: u32 = 63;
/// `write(fd, buf, len) -> len`: fd 1/2 host stdout/stderr, fd 3 public
/// output, fd 4 hints for the host program.
pub const WRITE: u32 = 64;
/// `exit(code)`: halts the VM.
pub const EXIT: u32 = 93;

/// The private input.
pub const FD_INPUT: u32 = 0;
/// Host stdout: shown to whoever runs the prover, not proven.
pub const FD_STDOUT: u32 = 1;
/// Host stderr: shown to whoever runs the prover, not proven.
pub const FD_STDERR: u32 = 2;
/// The public output: committed by the proof.
pub const FD_PUBLIC: u32 = 3;
/// Hints for the host program: not proven (`io::hint`).
pub const FD_HINT: u32 = 4;

/// Issues syscall `number` with three arguments and returns `a0`.
///
/// # Safety
/// The arguments must be valid for the syscall: for `read` a writable buffer
/// of `a2` bytes at `a1`, for `write` a readable one.
#[inline(always)]
pub unsafe fn syscall3(number: u32, a0: u32, a1: u32, a2: u32) -> u32 {
    #[cfg(target_arch = "riscv32")]
    {
        let ret: u32;
        // No `nomem`: `read` writes guest memory behind the compiler's back.
        core::arch::asm!(
            "ecall",
            inlateout("a0") a0 => ret,
            in("a1") a1,
            in("a2") a2,
            in("a7") number,
            options(nostack),
        );
        ret
    }
    #[cfg(not(target_arch = "riscv32"))]
    {
        let _ = (number, a0, a1, a2);
        unimplemented!("Sluice syscalls only exist inside the RV32IM VM")
    }
}
