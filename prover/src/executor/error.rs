//! Execution errors: every way a guest run can stop other than by `exit`.

use std::fmt;

/// Why execution stopped abnormally.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cause {
    /// The word at pc is not an RV32IM instruction.
    IllegalInstruction { word: u32 },
    /// `EBREAK` was executed.
    Ebreak,
    /// `ECALL` with an unknown syscall number in `a7`.
    UnknownSyscall { number: u32 },
    /// `read`/`write` on a file descriptor it does not support.
    BadFileDescriptor { syscall: u32, fd: u32 },
    /// A `read` or public `write` longer than the per-call bound
    /// (`sluice_verifier::air::io::MAX_IO_LEN`).
    IoTooLong { syscall: u32, len: u32 },
    /// A taken jump or branch to an address that is not 4-byte aligned.
    MisalignedJump { target: u32 },
    /// A load whose address is not aligned to its size.
    MisalignedLoad { addr: u32, size: u32 },
    /// A store whose address is not aligned to its size.
    MisalignedStore { addr: u32, size: u32 },
    /// pc is outside guest memory.
    UnmappedFetch,
    /// A load (or a `write` syscall's buffer) reaches outside guest memory.
    UnmappedLoad { addr: u32, len: u32 },
    /// A store (or a `read` syscall's buffer) reaches outside guest memory.
    UnmappedStore { addr: u32, len: u32 },
    /// The guest ran `limit` cycles without halting.
    CycleLimit { limit: u64 },
    /// The configuration is unusable (not tied to a guest instruction).
    InvalidConfig { reason: String },
    /// Internal to recording: the syscall does not fit the epoch being
    /// recorded, which ends before it. Never returned to a caller.
    EpochFull,
    /// Recording: the instruction reads or writes a word the epoch has
    /// executed, or executes one it has read or written; the epoch ends
    /// before it (the proof holds an epoch's executed words read-only).
    /// Returned only for an instruction that accesses its own word, which
    /// no epoch can hold (the run is also marked unprovable).
    FetchedWordAccess,
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Cause::*;
        match self {
            IllegalInstruction { word } => write!(f, "illegal instruction {word:#010x}"),
            Ebreak => write!(f, "breakpoint (ebreak)"),
            UnknownSyscall { number } => write!(f, "unknown syscall {number} (a7)"),
            BadFileDescriptor { syscall, fd } => {
                let name = match *syscall {
                    sluice_verifier::layout::syscall::READ => "read",
                    sluice_verifier::layout::syscall::WRITE => "write",
                    _ => "syscall",
                };
                write!(f, "{name} on unsupported file descriptor {fd}")
            }
            IoTooLong { syscall, len } => {
                let name = if *syscall == sluice_verifier::layout::syscall::READ {
                    "read"
                } else {
                    "public write"
                };
                write!(
                    f,
                    "{name} of {len} bytes in one call; at most {} bytes per call \
                     (split it into several calls)",
                    sluice_verifier::air::io::MAX_IO_LEN
                )
            }
            MisalignedJump { target } => {
                write!(f, "misaligned jump target {target:#010x}")
            }
            MisalignedLoad { addr, size } => {
                write!(f, "misaligned {size}-byte load from {addr:#010x}")
            }
            MisalignedStore { addr, size } => {
                write!(f, "misaligned {size}-byte store to {addr:#010x}")
            }
            UnmappedFetch => write!(f, "instruction fetch from unmapped memory"),
            UnmappedLoad { addr, len } => {
                write!(f, "{len}-byte load from unmapped memory at {addr:#010x}")
            }
            UnmappedStore { addr, len } => {
                write!(f, "{len}-byte store to unmapped memory at {addr:#010x}")
            }
            CycleLimit { limit } => write!(f, "cycle limit of {limit} cycles reached"),
            InvalidConfig { reason } => write!(f, "invalid configuration: {reason}"),
            EpochFull => write!(f, "epoch full (internal)"),
            FetchedWordAccess => write!(
                f,
                "an instruction whose load, store or syscall buffer covers its own \
                 instruction word cannot be proven (an epoch's executed words are read-only \
                 in the proof)"
            ),
        }
    }
}

/// Execution stopped abnormally at `pc` after `cycles` completed cycles.
///
/// The faulting instruction has no effect: registers, memory and pc are those
/// before it, and it is not counted in `cycles`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecError {
    pub pc: u32,
    pub cycles: u64,
    pub cause: Cause,
}

impl fmt::Display for ExecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.cause {
            Cause::InvalidConfig { .. } => write!(f, "{}", self.cause),
            cause => write!(f, "{cause} at pc {:#010x}", self.pc),
        }
    }
}

impl std::error::Error for ExecError {}
