//! SDK for programs that run inside the Sluice RV32IM VM ("guests").
//!
//! A guest is a `#![no_std]`, `#![no_main]` binary built for
//! `riscv32im-unknown-none-elf`. This crate gives it what the bare machine
//! lacks:
//!
//! - the entry point `_start` ([`entry!`] names the user's `main`): it sets up
//!   the stack and global pointer, calls `main`, then exits with code 0;
//! - the linker script (`sluice-guest.ld`) that places the image at the start
//!   of guest memory, `0x1_0000`;
//! - typed I/O in [`io`]: [`io::read`] / [`io::read_vec`] /
//!   [`io::read_slice`] take the values the host passed, one frame each;
//!   [`io::commit`] / [`io::commit_slice`] append to the public output,
//!   which the proof covers; [`io::read_raw`] / [`io::read_to_end`] read
//!   an unframed input (a plain `--input FILE`);
//! - [`print`] / [`eprint`] (host stdout / stderr, *not* proven), [`exit`];
//! - precompiles in [`precompiles`]: Keccak-f[1600] and the SHA-256
//!   compression as one syscall each, with [`precompiles::Keccak256`] and
//!   [`precompiles::Sha256`] (and one-shot functions) on them;
//! - a heap (feature `heap`, on by default) so `alloc` works;
//! - a panic handler that prints the panic message to stderr and exits with
//!   code [`PANIC_EXIT_CODE`].
//!
//! ```ignore
//! #![no_std]
//! #![no_main]
//! sluice_guest::entry!(main);
//! use sluice_guest::io;
//! fn main() {
//!     let n: u32 = io::read();
//!     let squares: Vec<u64> = (0..u64::from(n)).map(|i| i * i).collect();
//!     io::commit(&squares);
//! }
//! ```
#![no_std]

extern crate alloc;

#[cfg(feature = "heap")]
mod heap;
pub mod io;
mod rt;
pub mod syscall;

pub use io::{eprint, print, Stderr, Stdout};
/// Precompiles (the `sluice-precompiles` crate): Keccak-f[1600] and the
/// SHA-256 compression as one syscall each, and the hashes built on them.
pub use sluice_precompiles as precompiles;

/// Reads raw private input into `buf`.
#[deprecated(since = "0.1.0", note = "use `sluice_guest::io::read_raw`")]
pub fn read_input(buf: &mut [u8]) -> usize {
    io::read_raw(buf)
}

/// Reads the whole remaining private input, raw.
#[deprecated(since = "0.1.0", note = "use `sluice_guest::io::read_to_end`")]
pub fn read_input_to_vec() -> alloc::vec::Vec<u8> {
    io::read_to_end()
}

/// Appends raw bytes to the public output.
#[deprecated(
    since = "0.1.0",
    note = "use `sluice_guest::io::commit_slice` (raw bytes) or `io::commit` (a typed value)"
)]
pub fn commit<T: AsRef<[u8]> + ?Sized>(bytes: &T) {
    io::commit_slice(bytes.as_ref())
}
pub use rt::{exit, PANIC_EXIT_CODE, STACK_TOP};

#[cfg(feature = "heap")]
pub use heap::{heap_used, HEAP_END, STACK_RESERVE};

/// Declares the guest's `main` function: `entry!(main)` where `main: fn()`.
///
/// The SDK's `_start` calls it once; when it returns the guest exits with
/// code 0. Call [`exit`] to stop early with another code.
#[macro_export]
macro_rules! entry {
    ($main:path) => {
        /// Called by `_start` (in the SDK) after the stack is set up.
        #[doc(hidden)]
        #[no_mangle]
        pub extern "C" fn __sluice_main() {
            let main: fn() = $main;
            main()
        }
    };
}

/// Formats to the host stdout (fd 1). Not proven; for debugging.
#[macro_export]
macro_rules! println {
    ($($arg:tt)*) => {{
        use ::core::fmt::Write as _;
        let _ = ::core::writeln!($crate::Stdout, $($arg)*);
    }};
}

/// Formats to the host stderr (fd 2). Not proven; for debugging.
#[macro_export]
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        use ::core::fmt::Write as _;
        let _ = ::core::writeln!($crate::Stderr, $($arg)*);
    }};
}
