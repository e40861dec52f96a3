//! ELF loading: valid files load and run; every rejection has its own error;
//! random and mutated bytes never panic.

mod common;
use common::*;

use proptest::prelude::*;
use sluice_prover::executor::{execute, Config, ElfError, Executor, InitialMemory, Program};
use sluice_verifier::layout::{GUEST_MEMORY_END, GUEST_MEMORY_START};

/// Writes the data segment (12 bytes + bss) to the public output and exits 0.
fn hello() -> ElfBuilder {
    let code = prog(&[
        &li(10, 3),
        &li(11, DATA),
        &li(12, 16),
        &li(17, 64),
        &[ECALL],
        &exit(0),
    ]);
    ElfBuilder::new(&code, b"hello, world", 4096)
}

fn err(b: &ElfBuilder) -> ElfError {
    Program::from_elf(&b.build()).unwrap_err()
}

#[test]
fn valid_elf_loads_and_runs_with_zeroed_bss() {
    let elf = hello().build();
    let program = Program::from_elf(&elf).unwrap();
    assert_eq!(program.entry(), BASE);
    assert_eq!(program.segments().len(), 2);
    assert_eq!(program.segments()[1].vaddr, DATA);
    assert_eq!(program.segments()[1].memsz, 12 + 4096);
    assert_eq!(program.segments()[1].data, b"hello, world");
    let out = execute(&program, &[], &Config::default()).unwrap();
    assert_eq!(out.public_output, b"hello, world\0\0\0\0");
    assert_eq!(out.exit_code, 0);
    assert_eq!(out.cycles, 9 + 5);
}

#[test]
fn non_load_headers_and_empty_segments_are_ignored() {
    let mut b = hello();
    b.phs[1].p_type = 0x6474_e551; // PT_GNU_STACK
    b.phs[1].vaddr = 0; // would be rejected if it were PT_LOAD
    let p = Program::from_elf(&b.build()).unwrap();
    assert_eq!(p.segments().len(), 1);
    let mut b = hello();
    b.phs[1].vaddr = 0;
    b.phs[1].filesz = 0;
    b.phs[1].memsz = 0;
    assert_eq!(Program::from_elf(&b.build()).unwrap().segments().len(), 1);
}

#[test]
fn rejects_truncated_header() {
    let elf = hello().build();
    for len in [0, 1, 4, 51] {
        assert_eq!(
            Program::from_elf(&elf[..len]),
            Err(ElfError::TooShort { len })
        );
    }
}

#[test]
fn rejects_bad_magic() {
    let mut b = hello();
    b.ident[1] = b'X';
    assert_eq!(err(&b), ElfError::BadMagic);
}

#[test]
fn rejects_elf64() {
    let mut b = hello();
    b.ident[4] = 2;
    assert_eq!(err(&b), ElfError::NotElf32 { class: 2 });
}

#[test]
fn rejects_big_endian() {
    let mut b = hello();
    b.ident[5] = 2;
    assert_eq!(err(&b), ElfError::NotLittleEndian { data: 2 });
}

#[test]
fn rejects_bad_versions() {
    let mut b = hello();
    b.ident[6] = 0;
    assert_eq!(err(&b), ElfError::BadVersion { version: 0 });
    let mut b = hello();
    b.version = 2;
    assert_eq!(err(&b), ElfError::BadVersion { version: 2 });
}

#[test]
fn rejects_non_executables() {
    for t in [0u16, 1, 3, 4] {
        let mut b = hello();
        b.e_type = t;
        assert_eq!(err(&b), ElfError::NotExecutable { e_type: t });
    }
}

#[test]
fn rejects_other_machines() {
    let mut b = hello();
    b.machine = 62; // x86-64
    assert_eq!(err(&b), ElfError::WrongMachine { machine: 62 });
}

#[test]
fn rejects_unsupported_flags() {
    for flags in [0x1u32, 0x2, 0x4, 0x6, 0x8, 0x11] {
        let mut b = hello();
        b.flags = flags;
        assert_eq!(err(&b), ElfError::UnsupportedFlags { flags });
    }
    // EF_RISCV_TSO alone is fine.
    let mut b = hello();
    b.flags = 0x10;
    assert!(Program::from_elf(&b.build()).is_ok());
}

#[test]
fn rejects_bad_program_header_table() {
    let mut b = hello();
    b.phentsize = 56;
    assert_eq!(err(&b), ElfError::BadProgramHeaderSize { size: 56 });
    let mut b = hello();
    b.phnum = Some(0xffff);
    assert_eq!(err(&b), ElfError::TooManyProgramHeaders);
    let len = hello().build().len();
    let mut b = hello();
    b.phnum = Some(1000);
    assert_eq!(
        err(&b),
        ElfError::ProgramHeadersOutOfFile {
            offset: 52,
            count: 1000,
            file_len: len
        }
    );
    let mut b = hello();
    b.phoff = Some(0xffff_fff0);
    assert_eq!(
        err(&b),
        ElfError::ProgramHeadersOutOfFile {
            offset: 0xffff_fff0,
            count: 2,
            file_len: len
        }
    );
    let mut b = hello();
    b.phnum = Some(0);
    assert_eq!(err(&b), ElfError::NoLoadableSegments);
}

#[test]
fn rejects_filesz_above_memsz() {
    let mut b = hello();
    b.phs[1].memsz = 4;
    assert_eq!(
        err(&b),
        ElfError::FileSizeExceedsMemSize {
            segment: 1,
            filesz: 12,
            memsz: 4
        }
    );
}

#[test]
fn rejects_segment_data_outside_file() {
    let len = hello().build().len();
    let mut b = hello();
    b.phs[1].offset = len as u32 - 11;
    assert_eq!(
        err(&b),
        ElfError::SegmentDataOutOfFile {
            segment: 1,
            offset: len as u32 - 11,
            filesz: 12,
            file_len: len
        }
    );
    let mut b = hello();
    b.phs[1].offset = u32::MAX;
    assert!(matches!(
        err(&b),
        ElfError::SegmentDataOutOfFile { segment: 1, .. }
    ));
}

#[test]
fn rejects_segments_outside_guest_memory() {
    for (vaddr, memsz) in [
        (0u32, 16u32),                     // registers
        (GUEST_MEMORY_START - 4, 16),      // straddles the start
        (GUEST_MEMORY_END - 8, 16),        // straddles the end
        (GUEST_MEMORY_END, 4),             // beyond
        (0xffff_fff0, 0x20),               // wraps around
        (GUEST_MEMORY_START, 0xffff_ffff), // 4 GiB of bss
    ] {
        let mut b = hello();
        b.phs[1].vaddr = vaddr;
        b.phs[1].memsz = memsz.max(12);
        assert_eq!(
            err(&b),
            ElfError::SegmentOutsideGuestMemory {
                segment: 1,
                vaddr,
                memsz: memsz.max(12)
            },
            "{vaddr:#x}+{memsz:#x}"
        );
    }
    // The largest legal segment: all of guest memory as bss (costs nothing).
    let mut b = ElfBuilder::new(&[jal(0, 0)], &[], 0);
    b.phs[0].memsz = GUEST_MEMORY_END - GUEST_MEMORY_START;
    let p = Program::from_elf(&b.build()).unwrap();
    assert_eq!(p.initial_memory().allocated_pages(), 1);
}

#[test]
fn rejects_overlapping_segments() {
    let mut b = hello();
    b.phs[1].vaddr = BASE + 4; // inside the code segment
    assert_eq!(
        err(&b),
        ElfError::OverlappingSegments {
            first: 0,
            second: 1
        }
    );
    // Adjacent is fine.
    let mut b = hello();
    b.phs[1].vaddr = BASE + b.phs[0].memsz;
    assert!(Program::from_elf(&b.build()).is_ok());
    // Overlap through bss only.
    let mut b = hello();
    b.phs[0].memsz = DATA - BASE + 1;
    assert_eq!(
        err(&b),
        ElfError::OverlappingSegments {
            first: 0,
            second: 1
        }
    );
}

#[test]
fn rejects_segments_sharing_file_bytes_beyond_file_size() {
    // 2 segments each mapping the whole file: more data than the file holds.
    let mut b = hello();
    let len = b.build().len() as u32;
    for (i, ph) in b.phs.iter_mut().enumerate() {
        ph.offset = 0;
        ph.filesz = len;
        ph.memsz = len;
        ph.vaddr = BASE + i as u32 * 0x1_0000;
    }
    assert_eq!(
        err(&b),
        ElfError::SegmentDataExceedsFile {
            total: 2 * len as u64,
            file_len: len as usize
        }
    );
}

#[test]
fn rejects_bad_entry_points() {
    let mut b = hello();
    b.entry = BASE + 2;
    assert_eq!(err(&b), ElfError::MisalignedEntry { entry: BASE + 2 });
    for entry in [0u32, BASE - 4, DATA + 0x2000, GUEST_MEMORY_END] {
        let mut b = hello();
        b.entry = entry;
        assert_eq!(err(&b), ElfError::EntryNotInSegment { entry });
    }
    // The entry may be in any loaded segment (here, the bss of the data one).
    let mut b = hello();
    b.entry = DATA + 16;
    assert!(Program::from_elf(&b.build()).is_ok());
}

#[test]
fn no_load_segments() {
    let mut b = hello();
    for ph in &mut b.phs {
        ph.p_type = 4; // PT_NOTE
    }
    assert_eq!(err(&b), ElfError::NoLoadableSegments);
}

#[test]
fn error_messages_are_specific() {
    let mut b = hello();
    b.phs[1].vaddr = 0x100;
    assert_eq!(
        err(&b).to_string(),
        "program header 1: [0x00000100, +0x100c) is outside guest memory [0x00010000, 0x40000000); \
         link the guest inside it"
    );
    let mut b = hello();
    b.machine = 62;
    assert_eq!(
        err(&b).to_string(),
        "ELF machine 62 is not RISC-V (243); build for riscv32im-unknown-none-elf"
    );
}

#[test]
fn from_words_and_segments_validate() {
    assert_eq!(
        Program::from_words(BASE + 2, &[NOP]),
        Err(ElfError::MisalignedEntry { entry: BASE + 2 })
    );
    assert_eq!(
        Program::from_words(0x100, &[NOP]),
        Err(ElfError::SegmentOutsideGuestMemory {
            segment: 0,
            vaddr: 0x100,
            memsz: 4
        })
    );
    assert_eq!(
        Program::from_words(BASE, &[]),
        Err(ElfError::NoLoadableSegments)
    );
    assert_eq!(
        Program::from_segments(BASE, vec![(BASE, vec![0; 8]), (BASE + 4, vec![0; 4])]),
        Err(ElfError::OverlappingSegments {
            first: 0,
            second: 1
        })
    );
}

/// Runs a program briefly; any outcome is fine, panics are not.
fn run_briefly(p: &Program) {
    let cfg = Config {
        epoch_size_log2: 4,
        max_cycles: 2_000,
    };
    let mut ex = Executor::new(p, vec![1, 2, 3], &cfg).unwrap();
    for epoch in ex.by_ref() {
        if epoch.is_err() {
            break;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(p) = Program::from_elf(&bytes) {
            run_briefly(&p);
        }
    }

    #[test]
    fn random_headers_never_panic(mut bytes in proptest::collection::vec(any::<u8>(), 52..400)) {
        // A valid identification so parsing goes deeper.
        bytes[..7].copy_from_slice(&[0x7f, b'E', b'L', b'F', 1, 1, 1]);
        bytes[16..20].copy_from_slice(&[2, 0, 243, 0]);
        bytes[20..24].copy_from_slice(&1u32.to_le_bytes());
        let _ = Program::from_elf(&bytes);
    }

    #[test]
    fn mutated_elves_never_panic(
        edits in proptest::collection::vec((0usize..400, any::<u8>()), 1..8),
        cut in 0usize..500,
    ) {
        let mut bytes = hello().build();
        for (pos, val) in edits {
            let n = bytes.len();
            bytes[pos % n] = val;
        }
        bytes.truncate(cut.max(1));
        if let Ok(p) = Program::from_elf(&bytes) {
            // Every accepted program satisfies the loader's invariants.
            prop_assert_eq!(p.entry() % 4, 0);
            for s in p.segments() {
                prop_assert!(s.data.len() as u64 <= s.memsz as u64);
                prop_assert!(s.vaddr >= GUEST_MEMORY_START);
                prop_assert!(s.vaddr as u64 + s.memsz as u64 <= GUEST_MEMORY_END as u64);
            }
            run_briefly(&p);
        }
    }

    #[test]
    fn random_code_never_panics(words in proptest::collection::vec(any::<u32>(), 1..64)) {
        // Random instruction streams exercise every fault path of the executor.
        run_briefly(&Program::from_words(BASE, &words).unwrap());
    }
}
