//! Input and output through the VM's syscalls.

use alloc::vec::Vec;

use crate::syscall::{self, syscall3};

/// Input bytes read from the VM but not yet handed out: the proof supports
/// `read` only as "up to 4 bytes into an aligned word", so a request that
/// ends inside a word keeps the word's remaining bytes here.
struct Carry {
    bytes: core::cell::UnsafeCell<([u8; 4], usize, usize)>,
}

// SAFETY: guests are single-threaded.
unsafe impl Sync for Carry {}

static CARRY: Carry = Carry {
    bytes: core::cell::UnsafeCell::new(([0; 4], 0, 0)),
};

/// One `read(0, &word, 4)`: up to 4 input bytes (fewer only at end of
/// input).
fn read_word() -> ([u8; 4], usize) {
    let mut word: u32 = 0;
    // SAFETY: `word` is a writable, 4-byte aligned buffer of 4 bytes.
    let n = unsafe {
        syscall3(
            syscall::READ,
            syscall::FD_INPUT,
            &mut word as *mut u32 as u32,
            4,
        )
    } as usize;
    (word.to_le_bytes(), n.min(4))
}

/// Reads private input into `buf` until it is full or the input is
/// exhausted; returns the number of bytes read (less than `buf.len()` only
/// at end of input, 0 once everything has been read).
pub fn read_input(buf: &mut [u8]) -> usize {
    // SAFETY: guests are single-threaded and this is the only user.
    let (carry, start, end) = unsafe { &mut *CARRY.bytes.get() };
    let mut done = 0;
    while done < buf.len() {
        if start == end {
            let (word, n) = read_word();
            if n == 0 {
                break;
            }
            *carry = word;
            (*start, *end) = (0, n);
        }
        let take = (*end - *start).min(buf.len() - done);
        buf[done..done + take].copy_from_slice(&carry[*start..*start + take]);
        *start += take;
        done += take;
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
/// verifier sees. One `write(3, &byte, 1)` per byte: the shape the proof
/// supports.
pub fn commit<T: AsRef<[u8]> + ?Sized>(bytes: &T) {
    for b in bytes.as_ref() {
        // SAFETY: `b` is a readable buffer of one byte.
        unsafe {
            syscall3(syscall::WRITE, syscall::FD_PUBLIC, b as *const u8 as u32, 1);
        }
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
