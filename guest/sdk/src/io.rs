//! Input and output through the VM's syscalls.

use alloc::vec::Vec;

use crate::syscall::{self, syscall3};

/// Reads private input into `buf` until it is full or the input is
/// exhausted; returns the number of bytes read (less than `buf.len()` only
/// at end of input, 0 once everything has been read).
pub fn read_input(buf: &mut [u8]) -> usize {
    let mut done = 0;
    while done < buf.len() {
        let rest = &mut buf[done..];
        // SAFETY: `rest` is a writable buffer of `rest.len()` bytes.
        let n = unsafe {
            syscall3(
                syscall::READ,
                syscall::FD_INPUT,
                rest.as_mut_ptr() as u32,
                rest.len() as u32,
            )
        } as usize;
        if n == 0 {
            break;
        }
        done += n.min(rest.len());
    }
    done
}

/// Reads the whole remaining private input.
pub fn read_input_to_vec() -> Vec<u8> {
    const CHUNK: usize = 4096;
    let mut out = Vec::new();
    loop {
        let len = out.len();
        out.resize(len + CHUNK, 0);
        let n = read_input(&mut out[len..]);
        out.truncate(len + n);
        if n < CHUNK {
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
/// verifier sees.
pub fn commit<T: AsRef<[u8]> + ?Sized>(bytes: &T) {
    write_fd(syscall::FD_PUBLIC, bytes.as_ref());
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
