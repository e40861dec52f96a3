//! Real GNU-linker output (fixtures built from `fixtures/hello.S`).

use sluice_prover::executor::{execute, Config, ElfError, Program};

const HELLO: &[u8] = include_bytes!("fixtures/hello.elf");
const BELOW: &[u8] = include_bytes!("fixtures/hello-below-guest-memory.elf");

#[test]
fn gnu_linked_elf_runs() {
    let p = Program::from_elf(HELLO).unwrap();
    assert_eq!(p.entry(), 0x10094);
    // Text (with the ELF headers) and .bss.
    assert_eq!(p.segments().len(), 2);
    assert_eq!(p.segments()[0].vaddr, 0x10000);
    assert!(p.segments()[1].data.is_empty());
    let out = execute(&p, b"abc", &Config::default()).unwrap();
    assert_eq!(out.public_output, b"hello abc");
    assert_eq!(out.stdout, b"log\n");
    assert_eq!(out.exit_code, (97 + 98 + 99) & 0xff);
    assert_eq!(out.cycles, 53);
    // 16 bytes max are read; the sum wraps to its low byte.
    let out = execute(&p, &[0xff; 40], &Config::default()).unwrap();
    assert_eq!(out.public_output.len(), 6 + 16);
    assert_eq!(out.exit_code, (16 * 0xff) & 0xff);
}

#[test]
fn headers_segment_below_guest_memory_is_rejected() {
    // `-Ttext=0x10000` makes ld put the headers' page at 0xf000.
    let err = Program::from_elf(BELOW).unwrap_err();
    assert!(
        matches!(
            err,
            ElfError::SegmentOutsideGuestMemory { vaddr: 0xf000, .. }
        ),
        "{err}"
    );
}
