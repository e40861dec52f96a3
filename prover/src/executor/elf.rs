//! The ELF loader itself lives in the verifier (`sluice_verifier::elf`), so
//! that native and WebAssembly verifiers compute image IDs with the very
//! loader the prover runs. This module adds what only the executor needs: the
//! program's initial memory in the executor's page table.

pub use sluice_verifier::elf::{ElfError, Program, Segment};

use super::memory::Memory;

/// Builds the executor's initial memory from a [`Program`].
pub trait InitialMemory {
    /// The initial memory image (registers are not part of it: they start at
    /// zero). Only pages holding segment file bytes are allocated; `.bss`
    /// stays implicit zeros.
    fn initial_memory(&self) -> Memory;
}

impl InitialMemory for Program {
    fn initial_memory(&self) -> Memory {
        let mut mem = Memory::new();
        for s in self.segments() {
            mem.write_bytes(s.vaddr, &s.data);
        }
        mem
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initial_memory_loads_data_and_zero_fills_bss() {
        let p = Program::from_segments(
            0x1_0000,
            vec![
                (0x1_0000, 0x73u32.to_le_bytes().to_vec()),
                (0x2_0000, vec![0; 8]),
            ],
        )
        .unwrap();
        let mem = p.initial_memory();
        assert_eq!(mem.read_u32(0x1_0000), 0x73);
        assert_eq!(mem.read_u32(0x1_0004), 0);
        assert_eq!(mem.read_u32(0x2_0000), 0);
        // Two pages hold segment bytes (the second one zeros).
        assert_eq!(mem.allocated_pages(), 2);
    }
}
