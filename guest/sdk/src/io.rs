//! Input and output through the VM's syscalls.
//!
//! The private input is one byte stream. A host that uses the library API
//! (`sluice_prover::host::Prover`) writes it as *frames*: each
//! `input(&value)` or `input_bytes(&bytes)` appends a little-endian `u32`
//! length and then that many bytes (for `input`, the value's [postcard]
//! encoding). [`read`], [`read_vec`] and [`read_slice`] each take one
//! frame, in order. [`read_raw`] and [`read_to_end`] take the stream as it
//! is, for inputs that are plain files (`prover prove --input FILE`).
//!
//! The public output is one byte stream too, without frames: [`commit`]
//! appends a value's postcard encoding (self-delimiting, so several values
//! decode in order on the host with `Summary::output_reader`), and
//! [`commit_slice`] appends raw bytes.
//!
//! Postcard was measured against bincode 2 on a representative struct
//! (`guest/examples/codec-bench`, `docs/benchmarks.md`): its encoding is
//! 14 % smaller and it decodes 25 % faster in guest cycles.

use alloc::vec::Vec;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::syscall::{self, syscall3};

/// The most bytes one `read` or public `write` may move (the VM faults
/// above it; the proof's per-call bound).
pub const MAX_IO_LEN: usize = 1 << 16;

/// Bytes of a frame's length prefix.
pub const FRAME_HEADER_LEN: usize = 4;

/// Reads raw private input into `buf` until it is full or the input is
/// exhausted; returns the number of bytes read (less than `buf.len()` only
/// at end of input, 0 once everything has been read). One `read(0, buf,
/// len)` per 64 KiB: the VM returns `min(len, remaining)`, and once a read
/// comes up short every later one returns 0 (the proof enforces both).
pub fn read_raw(buf: &mut [u8]) -> usize {
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

/// Appends up to `want` bytes of raw input to `out` with one `read`,
/// straight into its spare capacity (no zero-filling: the VM writes every
/// byte it returns); returns how many arrived.
fn read_appending(out: &mut Vec<u8>, want: usize) -> usize {
    out.reserve(want);
    let len = out.len();
    // SAFETY: the spare capacity holds at least `want` writable bytes; the
    // VM initialises the `n <= want` bytes it returns.
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
    n
}

/// Reads the whole remaining private input, raw.
pub fn read_to_end() -> Vec<u8> {
    let mut out: Vec<u8> = Vec::new();
    loop {
        // Grow geometrically.
        let want = out.capacity().clamp(4096, MAX_IO_LEN);
        if read_appending(&mut out, want) < want {
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

/// Appends raw `bytes` to the public output: what the proof commits to and
/// a verifier sees. One `write(3, buf, len)` per 64 KiB.
pub fn commit_slice(bytes: &[u8]) {
    for chunk in bytes.chunks(MAX_IO_LEN) {
        write_fd(syscall::FD_PUBLIC, chunk);
    }
}

/// Appends `value`'s postcard encoding to the public output; the host
/// decodes it with `Summary::output::<T>()` (or, after several commits, in
/// order with `Summary::output_reader()`).
pub fn commit<T: Serialize + ?Sized>(value: &T) {
    let bytes = postcard::to_allocvec(value)
        .unwrap_or_else(|e| panic!("io::commit: cannot encode the value: {e}"));
    commit_slice(&bytes);
}

/// Passes `value` (postcard) to the host program, *not* proven: the host
/// reads the hints in order with `Outcome::hint_reader()` (the library's
/// `Prover::execute` or `Plan::outcome`), or `prover execute --hints FILE`
/// saves them. For results the host needs but a verifier does not, such as
/// a witness to check elsewhere or a progress report; anything a verifier
/// must rely on belongs in [`commit`].
pub fn hint<T: Serialize + ?Sized>(value: &T) {
    let bytes = postcard::to_allocvec(value)
        .unwrap_or_else(|e| panic!("io::hint: cannot encode the value: {e}"));
    hint_slice(&bytes);
}

/// Passes raw bytes to the host program's hints, not proven.
pub fn hint_slice(bytes: &[u8]) {
    for chunk in bytes.chunks(MAX_IO_LEN) {
        write_fd(syscall::FD_HINT, chunk);
    }
}

/// Reads the next frame's length, or panics with what went wrong.
fn frame_len(what: &str) -> usize {
    let mut header = [0u8; FRAME_HEADER_LEN];
    let got = read_raw(&mut header);
    if got != FRAME_HEADER_LEN {
        panic!(
            "io::{what}: the private input has no more values ({got} of a frame header's \
             {FRAME_HEADER_LEN} bytes left); the host gave fewer inputs than the guest reads"
        );
    }
    u32::from_le_bytes(header) as usize
}

/// Reads the next frame's bytes. The vector grows with what arrives, 64 KiB
/// at a time and never past the frame (the bump allocator grows the last
/// block in place), so a lying length fails as a short frame, not as an
/// allocation of its size.
fn read_frame(what: &str) -> Vec<u8> {
    let len = frame_len(what);
    let mut out: Vec<u8> = Vec::new();
    while out.len() < len {
        let want = (len - out.len()).min(MAX_IO_LEN);
        out.reserve_exact(want);
        if read_appending(&mut out, want) < want {
            panic!(
                "io::{what}: the private input ended inside a frame ({} of its {len} bytes)",
                out.len()
            );
        }
    }
    out
}

/// Reads the next input frame and decodes it as a `T` (postcard): the
/// value the host passed with `Prover::input(&value)`. Panics (exit code
/// 101, the message on stderr) if there is no frame left or it does not
/// decode as a `T` exactly.
pub fn read<T: DeserializeOwned>() -> T {
    let bytes = read_frame("read");
    match postcard::take_from_bytes::<T>(&bytes) {
        Ok((value, [])) => value,
        Ok((_, rest)) => panic!(
            "io::read: the frame has {} bytes left over after the value; the host wrote \
             another type than `{}`",
            rest.len(),
            core::any::type_name::<T>()
        ),
        Err(e) => panic!(
            "io::read: the frame does not decode as `{}`: {e}",
            core::any::type_name::<T>()
        ),
    }
}

/// Reads the next input frame as bytes: what the host passed with
/// `Prover::input_bytes(&bytes)`.
pub fn read_vec() -> Vec<u8> {
    read_frame("read_vec")
}

/// Reads the next input frame into `buf`, whose length must be the frame's.
pub fn read_slice(buf: &mut [u8]) {
    let len = frame_len("read_slice");
    if len != buf.len() {
        panic!(
            "io::read_slice: the frame holds {len} bytes, the buffer {}",
            buf.len()
        );
    }
    let got = read_raw(buf);
    if got != len {
        panic!("io::read_slice: the private input ended inside a frame ({got} of its {len} bytes)");
    }
}

/// Writes to the host's stdout. Not part of the proof: a verifier never sees
/// it and it is not bound to the execution.
pub fn print<T: AsRef<[u8]> + ?Sized>(bytes: &T) {
    for chunk in bytes.as_ref().chunks(MAX_IO_LEN) {
        write_fd(syscall::FD_STDOUT, chunk);
    }
}

/// Writes to the host's stderr. Not part of the proof.
pub fn eprint<T: AsRef<[u8]> + ?Sized>(bytes: &T) {
    for chunk in bytes.as_ref().chunks(MAX_IO_LEN) {
        write_fd(syscall::FD_STDERR, chunk);
    }
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
