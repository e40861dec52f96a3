//! ELF32 loading: a hand-written, bounds-checked parser that never panics and
//! never allocates more than the file's own size.
//!
//! It lives in the verifier (no_std + alloc) so that every verifier, native or
//! WebAssembly, can compute a program's image ID from its ELF with exactly the
//! loader the prover runs. The prover re-exports these types from
//! `sluice_prover::executor` and builds its executable memory from
//! [`Program::segments`].

use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use crate::layout::{is_guest_range, GUEST_MEMORY_END, GUEST_MEMORY_START};

const EHDR_SIZE: usize = 52;
const PHDR_SIZE: usize = 32;
const ELFCLASS32: u8 = 1;
const ELFDATA2LSB: u8 = 1;
const EV_CURRENT: u32 = 1;
const ET_EXEC: u16 = 2;
const EM_RISCV: u16 = 243;
const PT_LOAD: u32 = 1;
const PN_XNUM: u16 = 0xffff;
const EF_RISCV_RVC: u32 = 0x1;
const EF_RISCV_FLOAT_ABI: u32 = 0x6;
const EF_RISCV_RVE: u32 = 0x8;

/// Why an ELF file was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ElfError {
    /// Shorter than the 52-byte ELF32 header.
    TooShort { len: usize },
    /// Does not start with `\x7fELF`.
    BadMagic,
    /// `EI_CLASS` is not `ELFCLASS32`.
    NotElf32 { class: u8 },
    /// `EI_DATA` is not little-endian.
    NotLittleEndian { data: u8 },
    /// `EI_VERSION` or `e_version` is not 1.
    BadVersion { version: u32 },
    /// `e_type` is not `ET_EXEC` (relocatable, shared object, core, …).
    NotExecutable { e_type: u16 },
    /// `e_machine` is not `EM_RISCV` (243).
    WrongMachine { machine: u16 },
    /// `e_flags` ask for the C extension, RV32E or a hardware float ABI.
    UnsupportedFlags { flags: u32 },
    /// `e_phentsize` is not 32.
    BadProgramHeaderSize { size: u16 },
    /// `e_phnum` is `PN_XNUM` (extended numbering is not supported).
    TooManyProgramHeaders,
    /// The program header table extends past the end of the file.
    ProgramHeadersOutOfFile {
        offset: u32,
        count: u16,
        file_len: usize,
    },
    /// A `PT_LOAD` segment has `p_filesz > p_memsz`.
    FileSizeExceedsMemSize {
        segment: usize,
        filesz: u32,
        memsz: u32,
    },
    /// A `PT_LOAD` segment's file bytes extend past the end of the file.
    SegmentDataOutOfFile {
        segment: usize,
        offset: u32,
        filesz: u32,
        file_len: usize,
    },
    /// A `PT_LOAD` segment is not entirely inside guest memory.
    SegmentOutsideGuestMemory {
        segment: usize,
        vaddr: u32,
        memsz: u32,
    },
    /// Two `PT_LOAD` segments overlap in memory.
    OverlappingSegments { first: usize, second: usize },
    /// The `PT_LOAD` segments' file bytes add up to more than the file itself
    /// (segments sharing file bytes; refused so a small file cannot expand
    /// into a large image).
    SegmentDataExceedsFile { total: u64, file_len: usize },
    /// No `PT_LOAD` segment with a non-zero size.
    NoLoadableSegments,
    /// The entry point is not 4-byte aligned.
    MisalignedEntry { entry: u32 },
    /// The entry point is not inside a loaded segment.
    EntryNotInSegment { entry: u32 },
}

impl fmt::Display for ElfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ElfError::*;
        match *self {
            TooShort { len } => write!(
                f,
                "file is {len} bytes, shorter than an ELF32 header ({EHDR_SIZE} bytes)"
            ),
            BadMagic => write!(f, "not an ELF file (bad magic number)"),
            NotElf32 { class } => write!(
                f,
                "not a 32-bit ELF (EI_CLASS = {class}); build for riscv32im-unknown-none-elf"
            ),
            NotLittleEndian { data } => {
                write!(f, "not a little-endian ELF (EI_DATA = {data})")
            }
            BadVersion { version } => write!(f, "unsupported ELF version {version}"),
            NotExecutable { e_type } => write!(
                f,
                "ELF type {e_type} is not an executable (ET_EXEC = 2); link a static executable"
            ),
            WrongMachine { machine } => write!(
                f,
                "ELF machine {machine} is not RISC-V (243); build for riscv32im-unknown-none-elf"
            ),
            UnsupportedFlags { flags } => write!(
                f,
                "ELF flags {flags:#x} require unsupported features (C extension, RV32E or \
                 hardware float ABI); build for rv32im with the ilp32 ABI"
            ),
            BadProgramHeaderSize { size } => {
                write!(
                    f,
                    "program header entry size is {size}, expected {PHDR_SIZE}"
                )
            }
            TooManyProgramHeaders => {
                write!(
                    f,
                    "extended program header numbering (PN_XNUM) is not supported"
                )
            }
            ProgramHeadersOutOfFile {
                offset,
                count,
                file_len,
            } => write!(
                f,
                "program header table ({count} entries at offset {offset:#x}) extends past \
                 the end of the {file_len}-byte file"
            ),
            FileSizeExceedsMemSize {
                segment,
                filesz,
                memsz,
            } => write!(
                f,
                "program header {segment}: file size {filesz:#x} exceeds memory size {memsz:#x}"
            ),
            SegmentDataOutOfFile {
                segment,
                offset,
                filesz,
                file_len,
            } => write!(
                f,
                "program header {segment}: data [{offset:#x}, +{filesz:#x}) extends past the end of \
                 the {file_len}-byte file"
            ),
            SegmentOutsideGuestMemory {
                segment,
                vaddr,
                memsz,
            } => write!(
                f,
                "program header {segment}: [{vaddr:#010x}, +{memsz:#x}) is outside guest memory \
                 [{GUEST_MEMORY_START:#010x}, {GUEST_MEMORY_END:#010x}); link the guest inside it"
            ),
            OverlappingSegments { first, second } => {
                write!(f, "program headers {first} and {second} overlap in memory")
            }
            SegmentDataExceedsFile { total, file_len } => write!(
                f,
                "segments hold {total} bytes of file data, more than the {file_len}-byte file"
            ),
            NoLoadableSegments => write!(f, "no loadable (PT_LOAD) segment"),
            MisalignedEntry { entry } => {
                write!(f, "entry point {entry:#010x} is not 4-byte aligned")
            }
            EntryNotInSegment { entry } => {
                write!(
                    f,
                    "entry point {entry:#010x} is not inside a loaded segment"
                )
            }
        }
    }
}

impl core::error::Error for ElfError {}

/// One loaded segment: `data` at `vaddr`, then zeros up to `memsz`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    pub vaddr: u32,
    pub memsz: u32,
    /// ELF `p_flags` (R = 4, W = 2, X = 1); informational, not enforced.
    pub flags: u32,
    pub data: Vec<u8>,
}

impl Segment {
    fn end(&self) -> u64 {
        self.vaddr as u64 + self.memsz as u64
    }
}

/// A program ready to run: its entry point and loaded segments.
///
/// Invariants (checked at construction): segments are non-empty, inside guest
/// memory, non-overlapping and sorted by address; `data.len() <= memsz`; the
/// entry is 4-byte aligned and inside a segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    entry: u32,
    segments: Vec<Segment>,
}

fn u16_at(b: &[u8], off: usize) -> u16 {
    // Callers check bounds first; fall back to 0 rather than panic.
    match b.get(off..off.saturating_add(2)) {
        Some(s) => u16::from_le_bytes([s[0], s[1]]),
        None => 0,
    }
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    match b.get(off..off.saturating_add(4)) {
        Some(s) => u32::from_le_bytes([s[0], s[1], s[2], s[3]]),
        None => 0,
    }
}

impl Program {
    /// Parses and validates a static RV32IM ELF32 executable.
    pub fn from_elf(bytes: &[u8]) -> Result<Program, ElfError> {
        if bytes.len() < EHDR_SIZE {
            return Err(ElfError::TooShort { len: bytes.len() });
        }
        if bytes[0..4] != [0x7f, b'E', b'L', b'F'] {
            return Err(ElfError::BadMagic);
        }
        if bytes[4] != ELFCLASS32 {
            return Err(ElfError::NotElf32 { class: bytes[4] });
        }
        if bytes[5] != ELFDATA2LSB {
            return Err(ElfError::NotLittleEndian { data: bytes[5] });
        }
        if bytes[6] as u32 != EV_CURRENT {
            return Err(ElfError::BadVersion {
                version: bytes[6] as u32,
            });
        }
        let e_type = u16_at(bytes, 16);
        if e_type != ET_EXEC {
            return Err(ElfError::NotExecutable { e_type });
        }
        let machine = u16_at(bytes, 18);
        if machine != EM_RISCV {
            return Err(ElfError::WrongMachine { machine });
        }
        let version = u32_at(bytes, 20);
        if version != EV_CURRENT {
            return Err(ElfError::BadVersion { version });
        }
        let entry = u32_at(bytes, 24);
        let phoff = u32_at(bytes, 28);
        let flags = u32_at(bytes, 36);
        if flags & (EF_RISCV_RVC | EF_RISCV_FLOAT_ABI | EF_RISCV_RVE) != 0 {
            return Err(ElfError::UnsupportedFlags { flags });
        }
        let phentsize = u16_at(bytes, 42);
        let phnum = u16_at(bytes, 44);
        if phnum == PN_XNUM {
            return Err(ElfError::TooManyProgramHeaders);
        }
        if phnum > 0 && phentsize as usize != PHDR_SIZE {
            return Err(ElfError::BadProgramHeaderSize { size: phentsize });
        }
        let table_end = phoff as u64 + phnum as u64 * PHDR_SIZE as u64;
        if table_end > bytes.len() as u64 {
            return Err(ElfError::ProgramHeadersOutOfFile {
                offset: phoff,
                count: phnum,
                file_len: bytes.len(),
            });
        }

        // First pass: validate every PT_LOAD without copying anything.
        let mut loads: Vec<(usize, u32, u32, u32, u32, u32)> = Vec::new();
        for i in 0..phnum as usize {
            let h = phoff as usize + i * PHDR_SIZE;
            if u32_at(bytes, h) != PT_LOAD {
                continue;
            }
            let offset = u32_at(bytes, h + 4);
            let vaddr = u32_at(bytes, h + 8);
            let filesz = u32_at(bytes, h + 16);
            let memsz = u32_at(bytes, h + 20);
            let pflags = u32_at(bytes, h + 24);
            if filesz > memsz {
                return Err(ElfError::FileSizeExceedsMemSize {
                    segment: i,
                    filesz,
                    memsz,
                });
            }
            if offset as u64 + filesz as u64 > bytes.len() as u64 {
                return Err(ElfError::SegmentDataOutOfFile {
                    segment: i,
                    offset,
                    filesz,
                    file_len: bytes.len(),
                });
            }
            if memsz == 0 {
                continue;
            }
            if !is_guest_range(vaddr, memsz) {
                return Err(ElfError::SegmentOutsideGuestMemory {
                    segment: i,
                    vaddr,
                    memsz,
                });
            }
            loads.push((i, offset, vaddr, filesz, memsz, pflags));
        }
        if loads.is_empty() {
            return Err(ElfError::NoLoadableSegments);
        }
        loads.sort_by_key(|l| l.2);
        for pair in loads.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            if a.2 as u64 + a.4 as u64 > b.2 as u64 {
                let (first, second) = (a.0.min(b.0), a.0.max(b.0));
                return Err(ElfError::OverlappingSegments { first, second });
            }
        }
        // Copy at most the file's own size.
        let total: u64 = loads.iter().map(|l| l.3 as u64).sum();
        if total > bytes.len() as u64 {
            return Err(ElfError::SegmentDataExceedsFile {
                total,
                file_len: bytes.len(),
            });
        }
        let segments = loads
            .into_iter()
            .map(|(_, offset, vaddr, filesz, memsz, flags)| Segment {
                vaddr,
                memsz,
                flags,
                data: bytes[offset as usize..offset as usize + filesz as usize].to_vec(),
            })
            .collect();
        Self::new(entry, segments)
    }

    /// A program made of instruction words placed at `base`, entry at `base`.
    /// Meant for tests and benchmarks.
    pub fn from_words(base: u32, words: &[u32]) -> Result<Program, ElfError> {
        let data: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        Self::from_segments(base, vec![(base, data)])
    }

    /// A program from `(address, bytes)` segments (memory size = data size).
    pub fn from_segments(entry: u32, segments: Vec<(u32, Vec<u8>)>) -> Result<Program, ElfError> {
        let mut segs = Vec::with_capacity(segments.len());
        for (i, (vaddr, data)) in segments.into_iter().enumerate() {
            let memsz = u32::try_from(data.len()).unwrap_or(u32::MAX);
            if memsz == 0 {
                continue;
            }
            if !is_guest_range(vaddr, memsz) || data.len() > u32::MAX as usize {
                return Err(ElfError::SegmentOutsideGuestMemory {
                    segment: i,
                    vaddr,
                    memsz,
                });
            }
            segs.push((
                i,
                Segment {
                    vaddr,
                    memsz,
                    flags: 7,
                    data,
                },
            ));
        }
        segs.sort_by_key(|(_, s)| s.vaddr);
        for pair in segs.windows(2) {
            if pair[0].1.end() > pair[1].1.vaddr as u64 {
                let (a, b) = (pair[0].0, pair[1].0);
                return Err(ElfError::OverlappingSegments {
                    first: a.min(b),
                    second: a.max(b),
                });
            }
        }
        Self::new(entry, segs.into_iter().map(|(_, s)| s).collect())
    }

    fn new(entry: u32, segments: Vec<Segment>) -> Result<Program, ElfError> {
        if segments.is_empty() {
            return Err(ElfError::NoLoadableSegments);
        }
        if entry & 3 != 0 {
            return Err(ElfError::MisalignedEntry { entry });
        }
        let inside = segments
            .iter()
            .any(|s| entry >= s.vaddr && entry as u64 + 4 <= s.end());
        if !inside {
            return Err(ElfError::EntryNotInSegment { entry });
        }
        Ok(Program { entry, segments })
    }

    /// The entry point (initial pc).
    pub fn entry(&self) -> u32 {
        self.entry
    }

    /// The loaded segments, sorted by address.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(phnum: u16) -> Vec<u8> {
        let mut b = vec![0u8; EHDR_SIZE];
        b[..7].copy_from_slice(&[0x7f, b'E', b'L', b'F', 1, 1, 1]);
        b[16..18].copy_from_slice(&ET_EXEC.to_le_bytes());
        b[18..20].copy_from_slice(&EM_RISCV.to_le_bytes());
        b[20..24].copy_from_slice(&1u32.to_le_bytes());
        b[24..28].copy_from_slice(&0x1_0000u32.to_le_bytes());
        b[28..32].copy_from_slice(&(EHDR_SIZE as u32).to_le_bytes());
        b[42..44].copy_from_slice(&(PHDR_SIZE as u16).to_le_bytes());
        b[44..46].copy_from_slice(&phnum.to_le_bytes());
        b
    }

    fn phdr(offset: u32, vaddr: u32, filesz: u32, memsz: u32) -> Vec<u8> {
        [PT_LOAD, offset, vaddr, vaddr, filesz, memsz, 5, 4]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect()
    }

    #[test]
    fn minimal_elf() {
        let mut b = header(1);
        b.extend(phdr(84, 0x1_0000, 4, 8));
        b.extend(0x0000_0073u32.to_le_bytes());
        let p = Program::from_elf(&b).unwrap();
        assert_eq!(p.entry(), 0x1_0000);
        assert_eq!(p.segments()[0].data, 0x73u32.to_le_bytes());
        assert_eq!(p.segments()[0].memsz, 8);
        assert_eq!(p.segments()[0].vaddr, 0x1_0000);
    }

    #[test]
    fn readers_never_panic_out_of_bounds() {
        assert_eq!(u16_at(&[1], 0), 0);
        assert_eq!(u32_at(&[1, 2, 3], 0), 0);
        assert_eq!(u32_at(&[1, 2, 3, 4], usize::MAX - 1), 0);
        assert_eq!(u32_at(&[1, 0, 0, 0], 0), 1);
    }

    #[test]
    fn no_program_headers() {
        assert_eq!(
            Program::from_elf(&header(0)),
            Err(ElfError::NoLoadableSegments)
        );
    }
}
