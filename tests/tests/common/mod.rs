//! Shared helpers for the execution end-to-end tests: locating the ELFs that
//! `scripts/build-guests.sh` builds, and reading their symbol tables.

#![allow(dead_code)]

use std::path::PathBuf;

use sluice_prover::executor::Program;

/// `build/<dir>/<name>.elf` at the repository root; panics with a hint when
/// it is missing, so an unbuilt ELF fails the test instead of skipping it.
pub fn elf_bytes(dir: &str, name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("build")
        .join(dir)
        .join(format!("{name}.elf"));
    match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) => panic!(
            "cannot read {}: {e}; run scripts/build-guests.sh first",
            path.display()
        ),
    }
}

/// A guest from `guest/examples/<name>` (`build/guests/<name>.elf`).
pub fn guest(name: &str) -> (Vec<u8>, Program) {
    let bytes = elf_bytes("guests", name);
    let program = Program::from_elf(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    (bytes, program)
}

/// An assembled program from `tests/programs/<name>.S`
/// (`build/programs/<name>.elf`).
pub fn program(name: &str) -> (Vec<u8>, Program) {
    let bytes = elf_bytes("programs", name);
    let program = Program::from_elf(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    (bytes, program)
}

fn u16_at(b: &[u8], off: usize) -> u16 {
    u16::from_le_bytes(b[off..off + 2].try_into().unwrap())
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes(b[off..off + 4].try_into().unwrap())
}

/// Every `(name, value)` in the ELF32 `.symtab`. A test-only reader for the
/// ELFs built here (the executor ignores symbols); it panics on malformed
/// input rather than validating it.
pub fn symbols(elf: &[u8]) -> Vec<(String, u32)> {
    const SHT_SYMTAB: u32 = 2;
    let shoff = u32_at(elf, 32) as usize;
    let shentsize = u16_at(elf, 46) as usize;
    let shnum = u16_at(elf, 48) as usize;
    let section = |i: usize| shoff + i * shentsize;
    let mut out = Vec::new();
    for i in 0..shnum {
        let sh = section(i);
        if u32_at(elf, sh + 4) != SHT_SYMTAB {
            continue;
        }
        let (off, size) = (u32_at(elf, sh + 16) as usize, u32_at(elf, sh + 20) as usize);
        let strtab = section(u32_at(elf, sh + 24) as usize);
        let str_off = u32_at(elf, strtab + 16) as usize;
        for sym in (off..off + size).step_by(16) {
            let name_off = str_off + u32_at(elf, sym) as usize;
            let end = elf[name_off..].iter().position(|&b| b == 0).unwrap();
            let name = String::from_utf8_lossy(&elf[name_off..name_off + end]).into_owned();
            if !name.is_empty() {
                out.push((name, u32_at(elf, sym + 4)));
            }
        }
    }
    out
}

/// The address of symbol `name`; panics if the ELF does not define it.
pub fn symbol(elf: &[u8], name: &str) -> u32 {
    symbols(elf)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("symbol `{name}` not found"))
}

/// `program` with the instruction word at `addr` replaced by `word`, built
/// through [`Program::from_segments`] (segments padded to their memory size,
/// so .bss stays).
pub fn patch_word(program: &Program, addr: u32, word: u32) -> Program {
    let mut patched = false;
    let segments = program
        .segments()
        .iter()
        .map(|s| {
            let mut data = s.data.clone();
            data.resize(s.memsz as usize, 0);
            if addr >= s.vaddr && addr + 4 <= s.vaddr + s.memsz {
                let at = (addr - s.vaddr) as usize;
                data[at..at + 4].copy_from_slice(&word.to_le_bytes());
                patched = true;
            }
            (s.vaddr, data)
        })
        .collect();
    assert!(patched, "{addr:#x} is in no segment");
    Program::from_segments(program.entry(), segments).unwrap()
}

/// The instruction word at `addr` in the program's initial memory.
pub fn word_at(program: &Program, addr: u32) -> u32 {
    let s = program
        .segments()
        .iter()
        .find(|s| addr >= s.vaddr && addr + 4 <= s.vaddr + s.data.len() as u32)
        .unwrap_or_else(|| panic!("{addr:#x} is in no segment's file bytes"));
    let at = (addr - s.vaddr) as usize;
    u32::from_le_bytes(s.data[at..at + 4].try_into().unwrap())
}
