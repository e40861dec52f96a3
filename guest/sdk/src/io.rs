//! Input and output through the VM's syscalls.

use alloc::vec::Vec;

use crate::syscall::{self, syscall3};

/// The most bytes one `read` or public `write` may move (the VM faults
/// above it; the proof's per-call bound).
pub const MAX_IO_LEN: usize = 1 << 16;

/// Reads private input into `buf` until it is full or the input is
/// exhausted; returns the number of bytes read (less than `buf.len()` only
/// at end of input, 0 once everything has been read). One `read(0, buf,
/// len)` per 64 KiB: the VM returns `min(len, remaining)`, and once a read
/// comes up short every later one returns 0 (the proof enforces both).
pub fn read_input(buf: &mut [u8]) -> usize {
    let mut done = 0;
    for chunk in buf.chunks_mut(MAX_IO_LEN) {
        // SAFETY: `chunk` is a writable buffer of `chunk.len()` bytes.
        let n = unsafe {
            syscall3(
                syscall::READ,
                syscall::FD_INPUT,
                chunk.as_mut_ptr() as u32,
                chunk.len() as u32,
            )
        } as usize;
        let n = n.min(chunk.len());
        done += n;
        if n < chunk.len() {
            break;
        }
    }
    done
}

/// Reads the whole remaining private input.
pub fn read_input_to_vec() -> Vec<u8> {
    let mut out: Vec<u8> = Vec::new();
    loop {
        // Grow geometrically; read straight into the spare capacity (no
        // zero-filling: the VM writes every byte it returns).
        let want = out.capacity().clamp(4096, MAX_IO_LEN);
        out.reserve(want);
        let len = out.len();
        // SAFETY: the spare capacity holds at least `want` writable bytes;
        // the VM initialises the `n <= want` bytes it returns.
        let n = unsafe {
            syscall3(
                syscall::READ,
                syscall::FD_INPUT,
                out.as_mut_ptr().add(len) as u32,
                want as u32,
            )
        } as usize;
        let n = n.min(want);
        // SAFETY: those `n` bytes were written by the read.
        unsafe { out.set_len(len + n) };
        if n < want {
            return out;
        }
    }
}

fn write_fd(fd: u32, bytes: &[u8]) {
    if bytes.is_empty() {
        return;
    }
    // SAFETY: `bytes` is a readable buffer of `bytes.len()` bytes. The VM
    // always writes everything, so the returned count is not needed.
    unsafe {
        syscall3(
            syscall::WRITE,
            fd,
            bytes.as_ptr() as u32,
            bytes.len() as u32,
        );
    }
}

/// Appends `bytes` to the public output: what the proof commits to and a
/// verifier sees. One `write(3, buf, len)` per 64 KiB.
pub fn commit<T: AsRef<[u8]> + ?Sized>(bytes: &T) {
    for chunk in bytes.as_ref().chunks(MAX_IO_LEN) {
        write_fd(syscall::FD_PUBLIC, chunk);
    }
}

/// Writes to the host's stdout. Not part of the proof: a verifier never sees
/// it and it is not bound to the execution.
pub fn print<T: AsRef<[u8]> + ?Sized>(bytes: &T) {
    write_fd(syscall::FD_STDOUT, bytes.as_ref());
}

/// Writes to the host's stderr. Not part of the proof.
pub fn eprint<T: AsRef<[u8]> + ?Sized>(bytes: &T) {
    write_fd(syscall::FD_STDERR, bytes.as_ref());
}

/// `core::fmt` sink for the host stdout (see [`crate::println!`]).
pub struct Stdout;

impl core::fmt::Write for Stdout {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        print(s);
        Ok(())
    }
}

/// `core::fmt` sink for the host stderr (see [`crate::eprintln!`]).
pub struct Stderr;

impl core::fmt::Write for Stderr {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        eprint(s);
        Ok(())
    }
}
