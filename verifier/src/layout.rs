//! The guest address space, fixed by the protocol.
//!
//! The prover's executor, the AIRs and the guest linker script all depend on
//! these numbers; changing one changes every image ID.
//!
//! ```text
//! 0x0000_0000 ..= 0x0000_007f  registers x0..x31, one little-endian word each
//! 0x0000_0080 ..= 0x0000_0083  the input state: 1 once a read came up short
//! 0x0000_0084 ..  0x0001_0000  reserved (never readable or writable by a guest)
//! 0x0001_0000 ..  0x4000_0000  guest memory: ELF segments, heap, stack
//! 0x4000_0000 ..               unmapped
//! ```
//!
//! Registers live in memory so that the memory commitment covers the whole
//! machine state except the pc. The guest cannot reach them by address: loads
//! and stores below [`GUEST_MEMORY_START`] fault.

/// Address of register `x0`; register `xi` lives at `REGISTERS_BASE + 4 * i`.
pub const REGISTERS_BASE: u32 = 0x0000_0000;
/// Number of general-purpose registers.
pub const NUM_REGISTERS: usize = 32;
/// First byte a guest may load from, store to, execute, or place a segment at.
pub const GUEST_MEMORY_START: u32 = 0x0001_0000;
/// One past the last byte a guest may use. The guest stack starts here and
/// grows down.
pub const GUEST_MEMORY_END: u32 = 0x4000_0000;

/// The private input's state word: `0` while the input may have more bytes,
/// `1` once a `read` returned fewer bytes than it asked for (end of input).
/// It lives in committed memory so that the chain of epochs carries it: an
/// epoch that starts after the end of input cannot read data.
pub const INPUT_STATE_ADDR: u32 = REGISTERS_BASE + 4 * NUM_REGISTERS as u32;

/// Address of register `index` in the reserved region.
pub const fn register_address(index: usize) -> u32 {
    REGISTERS_BASE + 4 * index as u32
}

/// Whether `[addr, addr + len)` lies entirely inside guest memory.
pub const fn is_guest_range(addr: u32, len: u32) -> bool {
    let end = addr as u64 + len as u64;
    addr >= GUEST_MEMORY_START && end <= GUEST_MEMORY_END as u64
}

/// System call numbers (in `a7`), following the RISC-V Linux/newlib ABI.
pub mod syscall {
    /// `read(fd = a0, buf = a1, len = a2) -> a0`: fd 0 reads the private input.
    pub const READ: u32 = 63;
    /// `write(fd = a0, buf = a1, len = a2) -> a0`.
    pub const WRITE: u32 = 64;
    /// `exit(code = a0)`: halts the machine.
    pub const EXIT: u32 = 93;

    /// Private input file descriptor for `read`.
    pub const FD_STDIN: u32 = 0;
    /// Host stdout: not proven.
    pub const FD_STDOUT: u32 = 1;
    /// Host stderr: not proven.
    pub const FD_STDERR: u32 = 2;
    /// Public output: appended to the output the proof commits.
    pub const FD_PUBLIC: u32 = 3;
    /// Hints: data for the host program (`sluice_guest::io::hint`), not
    /// proven, like stdout and stderr.
    pub const FD_HINT: u32 = 4;

    /// `keccak_permute(state = a0) -> a0 = 0`: Keccak-f[1600] in place on the
    /// 25 little-endian `u64` lanes at `state` (4-byte aligned, 200 bytes of
    /// guest memory). Proven by the Keccak tables, not by RV32IM steps.
    /// Precompile numbers start at `0x1_0000`, far above Linux's, so they
    /// never clash with a syscall a libc might issue.
    pub const KECCAK_PERMUTE: u32 = 0x1_0001;
    /// Bytes of the Keccak-f[1600] state.
    pub const KECCAK_STATE_BYTES: u32 = 200;
    /// `sha256_compress(buffer = a0) -> a0 = 0`: one SHA-256 compression.
    /// The buffer (4-byte aligned, in guest memory) holds the state, eight
    /// `u32` in native (little-endian) order, then the 64-byte block as
    /// SHA-256 reads it (big-endian words); the state is updated in place,
    /// the block is left as it was. Proven by the SHA-256 tables.
    pub const SHA256_COMPRESS: u32 = 0x1_0002;
    /// Bytes of the SHA-256 buffer: 32 of state, then 64 of block.
    pub const SHA256_BUFFER_BYTES: u32 = 96;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registers_sit_below_guest_memory() {
        assert!(register_address(NUM_REGISTERS - 1) + 4 <= GUEST_MEMORY_START);
        assert!(!is_guest_range(register_address(2), 4));
    }

    #[test]
    fn guest_range_edges() {
        assert!(is_guest_range(GUEST_MEMORY_START, 4));
        assert!(!is_guest_range(GUEST_MEMORY_START - 1, 4));
        assert!(is_guest_range(GUEST_MEMORY_END - 4, 4));
        assert!(!is_guest_range(GUEST_MEMORY_END - 3, 4));
        assert!(!is_guest_range(u32::MAX, 1));
        assert!(is_guest_range(GUEST_MEMORY_END, 0) || !is_guest_range(GUEST_MEMORY_END, 1));
    }
}
