//! Test helpers: a tiny RV32IM encoder written from the spec's bit layouts
//! (independent of `sluice_verifier::isa::Instruction::encode`), program
//! runners and an ELF32 builder.
#![allow(dead_code)]

use sluice_prover::executor::{Cause, Config, ExecError, Executor, Program};
use sluice_prover::memory_image::MemoryImage;
use sluice_prover::prove::prove_epoch;
use sluice_verifier::layout::GUEST_MEMORY_START;
use sluice_verifier::memory::image_id;
use sluice_verifier::params::ProofParams;
use sluice_verifier::stark::verify_epoch;
use sluice_verifier::statement::{EpochRole, EpochStatement};

pub const BASE: u32 = GUEST_MEMORY_START;
/// Where test data segments go.
pub const DATA: u32 = 0x0002_0000;

/// Minor page faults of this process so far.
pub fn minor_faults() -> i64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `getrusage` fills the struct it is given.
    let usage = unsafe {
        assert_eq!(libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()), 0);
        usage.assume_init()
    };
    usage.ru_minflt
}

/// Runs `prover verify --elf <elf> <bundle>` and asserts that it accepts
/// the bundle (its error output is the failure message).
pub fn assert_cli_verifies(elf: &str, bundle: &std::path::Path) {
    let verified = std::process::Command::new(env!("CARGO_BIN_EXE_prover"))
        .args(["verify", "--elf", elf])
        .arg(bundle)
        .output()
        .unwrap();
    assert_eq!(
        verified.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );
}

// ---- raw formats -------------------------------------------------------

pub fn r(f7: u32, rs2: u32, rs1: u32, f3: u32, rd: u32, op: u32) -> u32 {
    (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op
}
pub fn i(imm: i32, rs1: u32, f3: u32, rd: u32, op: u32) -> u32 {
    (((imm as u32) & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op
}
pub fn s(imm: i32, rs2: u32, rs1: u32, f3: u32, op: u32) -> u32 {
    let imm = imm as u32;
    (((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 0x1f) << 7) | op
}
pub fn b(imm: i32, rs2: u32, rs1: u32, f3: u32, op: u32) -> u32 {
    let imm = imm as u32;
    (((imm >> 12) & 1) << 31)
        | (((imm >> 5) & 0x3f) << 25)
        | (rs2 << 20)
        | (rs1 << 15)
        | (f3 << 12)
        | (((imm >> 1) & 0xf) << 8)
        | (((imm >> 11) & 1) << 7)
        | op
}
pub fn u(imm: u32, rd: u32, op: u32) -> u32 {
    (imm & 0xffff_f000) | (rd << 7) | op
}
pub fn j(imm: i32, rd: u32, op: u32) -> u32 {
    let imm = imm as u32;
    (((imm >> 20) & 1) << 31)
        | (((imm >> 1) & 0x3ff) << 21)
        | (((imm >> 11) & 1) << 20)
        | (((imm >> 12) & 0xff) << 12)
        | (rd << 7)
        | op
}

// ---- mnemonics ---------------------------------------------------------

const OP: u32 = 0x33;
const OP_IMM: u32 = 0x13;
const LOAD: u32 = 0x03;
const STORE: u32 = 0x23;
const BRANCH: u32 = 0x63;

pub fn lui(rd: u32, imm: u32) -> u32 {
    u(imm, rd, 0x37)
}
pub fn auipc(rd: u32, imm: u32) -> u32 {
    u(imm, rd, 0x17)
}
pub fn jal(rd: u32, off: i32) -> u32 {
    j(off, rd, 0x6f)
}
pub fn jalr(rd: u32, rs1: u32, imm: i32) -> u32 {
    i(imm, rs1, 0, rd, 0x67)
}
macro_rules! rtype {
    ($($name:ident = $f7:expr, $f3:expr;)*) => {$(
        pub fn $name(rd: u32, rs1: u32, rs2: u32) -> u32 { r($f7, rs2, rs1, $f3, rd, OP) }
    )*};
}
rtype! {
    add = 0, 0; sub = 0x20, 0; sll = 0, 1; slt = 0, 2; sltu = 0, 3; xor = 0, 4;
    srl = 0, 5; sra = 0x20, 5; or = 0, 6; and = 0, 7;
    mul = 1, 0; mulh = 1, 1; mulhsu = 1, 2; mulhu = 1, 3;
    div = 1, 4; divu = 1, 5; rem = 1, 6; remu = 1, 7;
}
macro_rules! itype {
    ($($name:ident = $f3:expr, $op:expr;)*) => {$(
        pub fn $name(rd: u32, rs1: u32, imm: i32) -> u32 { i(imm, rs1, $f3, rd, $op) }
    )*};
}
itype! {
    addi = 0, OP_IMM; slti = 2, OP_IMM; sltiu = 3, OP_IMM; xori = 4, OP_IMM;
    ori = 6, OP_IMM; andi = 7, OP_IMM;
    lb = 0, LOAD; lh = 1, LOAD; lw = 2, LOAD; lbu = 4, LOAD; lhu = 5, LOAD;
}
pub fn slli(rd: u32, rs1: u32, sh: u32) -> u32 {
    r(0, sh, rs1, 1, rd, OP_IMM)
}
pub fn srli(rd: u32, rs1: u32, sh: u32) -> u32 {
    r(0, sh, rs1, 5, rd, OP_IMM)
}
pub fn srai(rd: u32, rs1: u32, sh: u32) -> u32 {
    r(0x20, sh, rs1, 5, rd, OP_IMM)
}
macro_rules! stype {
    ($($name:ident = $f3:expr;)*) => {$(
        /// `name rs2, imm(rs1)`
        pub fn $name(rs2: u32, rs1: u32, imm: i32) -> u32 { s(imm, rs2, rs1, $f3, STORE) }
    )*};
}
stype! { sb = 0; sh = 1; sw = 2; }
macro_rules! btype {
    ($($name:ident = $f3:expr;)*) => {$(
        pub fn $name(rs1: u32, rs2: u32, off: i32) -> u32 { b(off, rs2, rs1, $f3, BRANCH) }
    )*};
}
btype! { beq = 0; bne = 1; blt = 4; bge = 5; bltu = 6; bgeu = 7; }
pub const FENCE: u32 = 0x0ff0_000f; // fence iorw, iorw
pub const ECALL: u32 = 0x0000_0073;
pub const EBREAK: u32 = 0x0010_0073;
pub const NOP: u32 = 0x0000_0013;

/// `li rd, value` as `lui` + `addi` (always two words).
pub fn li(rd: u32, value: u32) -> [u32; 2] {
    let lo = ((value as i32) << 20) >> 20;
    let hi = value.wrapping_sub(lo as u32);
    [lui(rd, hi), addi(rd, rd, lo)]
}

/// `exit(code)`: `li a0, code; li a7, 93; ecall` (5 words).
pub fn exit(code: u32) -> Vec<u32> {
    let mut v = li(10, code).to_vec();
    v.extend(li(17, 93));
    v.push(ECALL);
    v
}

/// Concatenates word groups.
pub fn prog(parts: &[&[u32]]) -> Vec<u32> {
    parts.concat()
}

// ---- runners -----------------------------------------------------------

pub fn config(max_cycles: u64) -> Config {
    Config {
        epoch_size_log2: 20,
        max_cycles,
    }
}

/// A program: `code` at `BASE`, optional `data` at `DATA`.
pub fn program(code: &[u32], data: &[u8]) -> Program {
    let code: Vec<u8> = code.iter().flat_map(|w| w.to_le_bytes()).collect();
    let mut segs = vec![(BASE, code)];
    if !data.is_empty() {
        segs.push((DATA, data.to_vec()));
    }
    Program::from_segments(BASE, segs).expect("valid test program")
}

/// Runs exactly `steps` instructions (stopping on the cycle limit) and
/// returns the machine for inspection.
pub fn steps_with(code: &[u32], data: &[u8], input: &[u8], steps: u64) -> Executor {
    let mut ex = Executor::new(&program(code, data), input.to_vec(), &config(steps)).unwrap();
    let err = ex.run().expect_err("snippet should not halt");
    assert_eq!(
        err.cause,
        Cause::CycleLimit { limit: steps },
        "unexpected fault: {err}"
    );
    assert_eq!(ex.cycles(), steps);
    ex
}

/// Runs all of `code` straight through (one step per word).
pub fn steps(code: &[u32]) -> Executor {
    steps_with(code, &[], &[], code.len() as u64)
}

/// Runs `code` until it faults; returns the error and the machine.
pub fn fault_with(code: &[u32], data: &[u8], input: &[u8]) -> (ExecError, Executor) {
    let mut ex = Executor::new(&program(code, data), input.to_vec(), &config(1_000_000)).unwrap();
    let err = ex.run().expect_err("should fault");
    (err, ex)
}

pub fn fault(code: &[u32]) -> ExecError {
    fault_with(code, &[], &[]).0
}

// ---- ELF builder -------------------------------------------------------

/// One program header.
#[derive(Clone, Debug)]
pub struct Ph {
    pub p_type: u32,
    pub offset: u32,
    pub vaddr: u32,
    pub filesz: u32,
    pub memsz: u32,
    pub flags: u32,
}

/// A hand-assembled ELF32 file: header, program headers at 52, then data.
#[derive(Clone, Debug)]
pub struct ElfBuilder {
    pub ident: [u8; 16],
    pub e_type: u16,
    pub machine: u16,
    pub version: u32,
    pub entry: u32,
    pub flags: u32,
    pub phentsize: u16,
    pub phoff: Option<u32>,
    pub phnum: Option<u16>,
    pub phs: Vec<Ph>,
    /// Bytes after the headers; `Ph::offset` values are absolute.
    pub body: Vec<u8>,
}

pub const EHDR: u32 = 52;

impl ElfBuilder {
    /// A valid ELF with one RX segment holding `code` at `BASE` and,
    /// optionally, one RW segment of `data` then `bss` zero bytes at `DATA`.
    pub fn new(code: &[u32], data: &[u8], bss: u32) -> Self {
        let nph = if data.is_empty() && bss == 0 { 1 } else { 2 };
        let body_start = EHDR + 32 * nph;
        let code_bytes: Vec<u8> = code.iter().flat_map(|w| w.to_le_bytes()).collect();
        let mut phs = vec![Ph {
            p_type: 1,
            offset: body_start,
            vaddr: BASE,
            filesz: code_bytes.len() as u32,
            memsz: code_bytes.len() as u32,
            flags: 5,
        }];
        let mut body = code_bytes;
        if nph == 2 {
            phs.push(Ph {
                p_type: 1,
                offset: body_start + body.len() as u32,
                vaddr: DATA,
                filesz: data.len() as u32,
                memsz: data.len() as u32 + bss,
                flags: 6,
            });
            body.extend_from_slice(data);
        }
        let mut ident = [0u8; 16];
        ident[..7].copy_from_slice(&[0x7f, b'E', b'L', b'F', 1, 1, 1]);
        ElfBuilder {
            ident,
            e_type: 2,
            machine: 243,
            version: 1,
            entry: BASE,
            flags: 0,
            phentsize: 32,
            phoff: None,
            phnum: None,
            phs,
            body,
        }
    }

    pub fn build(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&self.ident);
        out.extend_from_slice(&self.e_type.to_le_bytes());
        out.extend_from_slice(&self.machine.to_le_bytes());
        out.extend_from_slice(&self.version.to_le_bytes());
        out.extend_from_slice(&self.entry.to_le_bytes());
        out.extend_from_slice(&self.phoff.unwrap_or(EHDR).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes()); // e_shoff
        out.extend_from_slice(&self.flags.to_le_bytes());
        out.extend_from_slice(&(EHDR as u16).to_le_bytes()); // e_ehsize
        out.extend_from_slice(&self.phentsize.to_le_bytes());
        out.extend_from_slice(&self.phnum.unwrap_or(self.phs.len() as u16).to_le_bytes());
        out.extend_from_slice(&[0u8; 6]); // shentsize, shnum, shstrndx
        assert_eq!(out.len(), EHDR as usize);
        for ph in &self.phs {
            for v in [
                ph.p_type, ph.offset, ph.vaddr, ph.vaddr, ph.filesz, ph.memsz, ph.flags, 4,
            ] {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        out.extend_from_slice(&self.body);
        out
    }
}

/// A program `scripts/build-guests.sh` built, by its path from the
/// repository root (`build/guests/…` or `build/programs/…`).
pub fn built_elf(path: &str) -> Program {
    let p = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path);
    let bytes = std::fs::read(&p)
        .unwrap_or_else(|e| panic!("{}: {e} (run scripts/build-guests.sh first)", p.display()));
    Program::from_elf(&bytes).unwrap()
}

/// `build/guests/<name>.elf` (built by `scripts/build-guests.sh`) as a
/// path string; panics with the fix when it is missing, so an unbuilt guest
/// fails the test instead of skipping it.
pub fn built_guest(name: &str) -> String {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(format!("build/guests/{name}.elf"));
    assert!(
        path.is_file(),
        "{} is missing: run scripts/build-guests.sh first",
        path.display()
    );
    path.to_str().unwrap().to_owned()
}

// ---- proving -----------------------------------------------------------

/// Each epoch's statement and proof bytes.
pub type Proofs = Vec<(EpochStatement, Vec<u8>)>;

/// Proves and verifies every epoch at `2^k` cycles (each one checked to
/// chain from the one before); returns the output, the exit code and
/// the statements with their proofs.
pub fn prove_run(program: &Program, input: &[u8], k: u32) -> (Vec<u8>, u32, Proofs) {
    let params = ProofParams::DEFAULT;
    let id = image_id(program);
    let cfg = Config {
        epoch_size_log2: k,
        max_cycles: 1 << 24,
    };
    let mut image = MemoryImage::new(program);
    let mut ex = Executor::new(program, input.to_vec(), &cfg).unwrap();
    let mut output = Vec::new();
    let mut exit = None;
    let mut prev_end = id;
    let mut proofs = Vec::new();
    while let Some(record) = ex.run_epoch().unwrap() {
        let tr = image.apply_epoch(&record, ex.memory()).unwrap();
        let (st, proof) = prove_epoch(&params, &id, k as u8, &record, &tr)
            .unwrap_or_else(|e| panic!("epoch {}: {e:#}", record.index));
        verify_epoch(&params, &id, k as u8, record.index, &st, &proof)
            .unwrap_or_else(|e| panic!("epoch {}: {e}", record.index));
        assert_eq!(st.start, prev_end, "epochs chain");
        prev_end = st.end;
        output.extend_from_slice(&st.output);
        if let EpochRole::Halt { exit_code } = st.role {
            exit = Some(exit_code);
        }
        proofs.push((st, proof));
    }
    (output, exit.expect("the guest halts"), proofs)
}
