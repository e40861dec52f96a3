//! Differential testing of the executor against QEMU's RISC-V user-mode
//! emulator (`qemu-riscv32`, Debian's `qemu-user`).
//!
//! Random RV32IM programs — straight-line code, forward branches and jumps,
//! bounded loops, aligned loads and stores into a data area, every
//! instruction but ECALL/EBREAK, register values that hit the corner cases
//! (0, ±1, `i32::MIN`, `i32::MAX`) — end by writing their registers and data
//! area to fd 3 and exiting with a register's low byte. Each runs in both;
//! the exit code, the instruction count (QEMU in single-step mode logs one
//! trace line per instruction) and the fd-3 output must agree.
//!
//! `SLUICE_QEMU_PROGRAMS` sets the number of programs (default 150);
//! `scripts/qemu-diff.sh` runs many more. Without `qemu-riscv32` on the
//! PATH the test says so and passes, unless `SLUICE_REQUIRE_QEMU=1` (set by
//! `scripts/test.sh`, whose set-up installs it).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use sluice_prover::executor::{execute, Config, Program};
use sluice_verifier::isa::{decode, Instruction, Opcode, Opcode::*};

const CODE: u32 = 0x1_1000;
const DATA: u32 = 0x2_0000;
/// Loads and stores hit the first `SCRATCH` bytes of the data area; the
/// registers are dumped after them.
const SCRATCH: u32 = 1024;
const DATA_SIZE: u32 = 4096;

/// Registers random code may write: x1..x28. x29 is the JALR scratch, x30
/// the loop counter, x31 the data pointer.
const WRITABLE: u8 = 28;
const R_JALR: u8 = 29;
const R_LOOP: u8 = 30;
const R_DATA: u8 = 31;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
    fn value(&mut self) -> u32 {
        match self.below(8) {
            0 => 0,
            1 => 1,
            2 => u32::MAX,
            3 => i32::MIN as u32,
            4 => i32::MAX as u32,
            5 => self.below(64) as u32,
            _ => self.next() as u32,
        }
    }
}

const ALU_R: [Opcode; 18] = [
    Add, Sub, Sll, Slt, Sltu, Xor, Srl, Sra, Or, And, Mul, Mulh, Mulhsu, Mulhu, Div, Divu, Rem,
    Remu,
];
const ALU_I: [Opcode; 6] = [Addi, Slti, Sltiu, Xori, Ori, Andi];
const SHIFT_I: [Opcode; 3] = [Slli, Srli, Srai];
const LOADS: [(Opcode, u32); 5] = [(Lb, 1), (Lh, 2), (Lw, 4), (Lbu, 1), (Lhu, 2)];
const STORES: [(Opcode, u32); 3] = [(Sb, 1), (Sh, 2), (Sw, 4)];
const BRANCHES: [Opcode; 6] = [Beq, Bne, Blt, Bge, Bltu, Bgeu];

fn ins(opcode: Opcode, rd: u8, rs1: u8, rs2: u8, imm: u32) -> u32 {
    let i = Instruction {
        opcode,
        rd,
        rs1,
        rs2,
        imm,
    };
    let word = i.encode();
    assert_eq!(
        decode(word),
        Ok(i),
        "generator bug: {i:?} does not round-trip"
    );
    word
}

/// `rd := value` in two instructions.
fn set(rd: u8, value: u32) -> [u32; 2] {
    let lo = ((value as i32) << 20 >> 20) as u32;
    let hi = value.wrapping_sub(lo) & 0xffff_f000;
    [ins(Lui, rd, 0, 0, hi), ins(Addi, rd, rd, 0, lo)]
}

fn rd(rng: &mut Rng) -> u8 {
    1 + rng.below(WRITABLE as u64) as u8
}

fn rs(rng: &mut Rng) -> u8 {
    rng.below(WRITABLE as u64 + 1) as u8
}

fn imm12(rng: &mut Rng) -> u32 {
    match rng.below(4) {
        0 => 0,
        1 => 0xffff_f800, // -2048
        2 => 2047,
        _ => ((rng.next() as i32) << 20 >> 20) as u32,
    }
}

/// One instruction that neither jumps nor touches memory.
fn simple(rng: &mut Rng) -> u32 {
    match rng.below(10) {
        0..=4 => ins(rng.pick(&ALU_R), rd(rng), rs(rng), rs(rng), 0),
        5..=6 => ins(rng.pick(&ALU_I), rd(rng), rs(rng), 0, imm12(rng)),
        7 => ins(
            rng.pick(&SHIFT_I),
            rd(rng),
            rs(rng),
            0,
            rng.below(32) as u32,
        ),
        8 => ins(Lui, rd(rng), 0, 0, rng.next() as u32 & 0xffff_f000),
        _ => ins(Auipc, rd(rng), 0, 0, rng.next() as u32 & 0xffff_f000),
    }
}

fn memory_access(rng: &mut Rng) -> u32 {
    if rng.below(2) == 0 {
        let (op, size) = rng.pick(&LOADS);
        let offset = rng.below(u64::from(SCRATCH / size)) as u32 * size;
        ins(op, rd(rng), R_DATA, 0, offset)
    } else {
        let (op, size) = rng.pick(&STORES);
        let offset = rng.below(u64::from(SCRATCH / size)) as u32 * size;
        ins(op, 0, R_DATA, rs(rng), offset)
    }
}

/// A block of straight-line code (simple instructions and memory accesses).
fn straight(rng: &mut Rng, words: &mut Vec<u32>, n: u64) {
    for _ in 0..n {
        let w = if rng.below(3) == 0 {
            memory_access(rng)
        } else {
            simple(rng)
        };
        words.push(w);
    }
}

/// One construct of the program body.
fn construct(rng: &mut Rng, words: &mut Vec<u32>) {
    match rng.below(12) {
        0..=4 => {
            let n = 1 + rng.below(4);
            straight(rng, words, n);
        }
        5 | 6 => {
            // A forward branch over `skip` instructions.
            let skip = rng.below(4) as u32;
            let offset = 4 * (skip + 1);
            words.push(ins(rng.pick(&BRANCHES), 0, rs(rng), rs(rng), offset));
            straight(rng, words, u64::from(skip));
        }
        7 => {
            let skip = rng.below(3) as u32;
            words.push(ins(Jal, rd(rng), 0, 0, 4 * (skip + 1)));
            straight(rng, words, u64::from(skip));
        }
        8 => {
            // AUIPC then JALR over `skip` instructions; an odd offset checks
            // that JALR clears the target's low bit.
            let skip = rng.below(3) as u32;
            let odd = rng.below(2) as u32;
            words.push(ins(Auipc, R_JALR, 0, 0, 0));
            words.push(ins(Jalr, rd(rng), R_JALR, 0, 8 + 4 * skip + odd));
            straight(rng, words, u64::from(skip));
        }
        9 => words.push(ins(Fence, 0, 0, 0, 0)),
        _ => {
            // A bounded loop: 1 to 8 rounds of a straight-line body.
            let rounds = 1 + rng.below(8) as u32;
            let body = 1 + rng.below(5);
            words.push(ins(Addi, R_LOOP, 0, 0, rounds));
            let start = words.len();
            straight(rng, words, body);
            words.push(ins(Addi, R_LOOP, R_LOOP, 0, u32::MAX));
            let back = (words.len() - start) as u32 * 4;
            words.push(ins(Bne, 0, R_LOOP, 0, back.wrapping_neg()));
        }
    }
}

/// A random program: the code words and the data area's initial bytes.
fn program(seed: u64) -> (Vec<u32>, Vec<u8>) {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut words = Vec::new();
    words.extend(set(R_DATA, DATA));
    for r in 1..=WRITABLE {
        let v = rng.value();
        words.extend(set(r, v));
    }
    let constructs = 10 + rng.below(60);
    for _ in 0..constructs {
        construct(&mut rng, &mut words);
    }
    // Dump x1..x30, write the data area to fd 3, exit with x5's low byte.
    for r in 1..=30u8 {
        words.push(ins(Sw, 0, R_DATA, r, SCRATCH + 4 * u32::from(r)));
    }
    words.push(ins(Andi, 10, 5, 0, 0xff));
    words.push(ins(Sw, 0, R_DATA, 10, SCRATCH));
    words.extend([
        ins(Addi, 17, 0, 0, 64),
        ins(Addi, 10, 0, 0, 3),
        ins(Addi, 11, R_DATA, 0, 0),
        ins(Addi, 12, 0, 0, SCRATCH + 4 * 31),
        ins(Ecall, 0, 0, 0, 0),
        ins(Lw, 10, R_DATA, 0, SCRATCH),
        ins(Addi, 17, 0, 0, 93),
        ins(Ecall, 0, 0, 0, 0),
    ]);
    let data = (0..DATA_SIZE)
        .map(|i| if i < SCRATCH { rng.next() as u8 } else { 0 })
        .collect();
    (words, data)
}

/// A static ELF32 executable QEMU's Linux loader accepts: code at
/// `0x1_0000` (R+X) and data at `0x2_0000` (R+W), page-aligned in the file.
fn elf(words: &[u32], data: &[u8]) -> Vec<u8> {
    let code: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    let code_off = 0x1000u32;
    let data_off = code_off + (code.len() as u32).div_ceil(0x1000) * 0x1000;
    let mut b = vec![0u8; 52];
    b[..7].copy_from_slice(&[0x7f, b'E', b'L', b'F', 1, 1, 1]);
    b[16..18].copy_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    b[18..20].copy_from_slice(&243u16.to_le_bytes()); // EM_RISCV
    b[20..24].copy_from_slice(&1u32.to_le_bytes());
    b[24..28].copy_from_slice(&CODE.to_le_bytes());
    b[28..32].copy_from_slice(&52u32.to_le_bytes()); // phoff
    b[40..42].copy_from_slice(&52u16.to_le_bytes()); // ehsize
    b[42..44].copy_from_slice(&32u16.to_le_bytes()); // phentsize
    b[44..46].copy_from_slice(&2u16.to_le_bytes()); // phnum
                                                    // As GNU ld lays out a static executable, the first segment starts at
                                                    // file offset 0: its first page maps the headers.
    let segments = [
        (0, CODE - code_off, code_off + code.len() as u32, 5u32),
        (data_off, DATA, data.len() as u32, 6u32),
    ];
    for (off, vaddr, size, flags) in segments {
        for v in [1u32, off, vaddr, vaddr, size, size, flags, 0x1000] {
            b.extend(v.to_le_bytes());
        }
    }
    b.resize(code_off as usize, 0);
    b.extend(&code);
    b.resize(data_off as usize, 0);
    b.extend(data);
    // A section header table as every linker writes one: the null section
    // and the section-name string table.
    let names = b"\0.shstrtab\0";
    let names_off = b.len() as u32;
    b.extend(names);
    b.resize(b.len().div_ceil(4) * 4, 0);
    let shoff = b.len() as u32;
    b.extend([0u8; 40]);
    for v in [1u32, 3, 0, 0, names_off, names.len() as u32, 0, 0, 1, 0] {
        b.extend(v.to_le_bytes());
    }
    b[32..36].copy_from_slice(&shoff.to_le_bytes());
    b[46..48].copy_from_slice(&40u16.to_le_bytes()); // shentsize
    b[48..50].copy_from_slice(&2u16.to_le_bytes()); // shnum
    b[50..52].copy_from_slice(&1u16.to_le_bytes()); // shstrndx
    b
}

/// What QEMU did: exit code, instructions executed, fd-3 bytes, and the
/// pcs it executed.
fn run_qemu(path: &Path, dir: &Path) -> (i32, u64, Vec<u8>, Vec<u32>) {
    let log = dir.join("qemu.log");
    let out = dir.join("fd3.bin");
    let status = Command::new("sh")
        .arg("-c")
        .arg(r#"exec qemu-riscv32 -singlestep -d nochain,exec -D "$1" "$2" 3>"$3""#)
        .args(["sh"])
        .arg(&log)
        .arg(path)
        .arg(&out)
        .status()
        .expect("run qemu-riscv32");
    let pcs: Vec<u32> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("Trace "))
        .filter_map(|l| l.split('/').nth(1))
        .map(|pc| u32::from_str_radix(pc, 16).expect("a pc"))
        .collect();
    (
        status.code().expect("qemu exited"),
        pcs.len() as u64,
        std::fs::read(&out).unwrap(),
        pcs,
    )
}

fn qemu_present() -> bool {
    Command::new("qemu-riscv32")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn the_executor_agrees_with_qemu_on_random_programs() {
    if !qemu_present() {
        assert!(
            std::env::var("SLUICE_REQUIRE_QEMU").as_deref() != Ok("1"),
            "qemu-riscv32 is missing (scripts/setup.sh installs Debian's qemu-user)"
        );
        eprintln!("qemu-riscv32 not found: differential test skipped");
        return;
    }
    let programs: u64 = std::env::var("SLUICE_QEMU_PROGRAMS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(150);
    let dir = std::env::temp_dir().join(format!("sluice-qemu-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = Config {
        epoch_size_log2: 20,
        max_cycles: 1 << 20,
    };
    let mut executed: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut instructions = 0u64;
    for seed in 0..programs {
        let (words, data) = program(seed);
        let bytes = elf(&words, &data);
        let path = dir.join("p.elf");
        std::fs::write(&path, &bytes).unwrap();
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        let ours = execute(&Program::from_elf(&bytes).unwrap(), &[], &config)
            .unwrap_or_else(|e| panic!("seed {seed}: the executor faulted: {e}"));
        let (code, count, output, pcs) = run_qemu(&path, &dir);
        assert_eq!(ours.exit_code as i32, code, "seed {seed}: exit code");
        assert_eq!(ours.cycles, count, "seed {seed}: instructions executed");
        assert!(
            ours.public_output == output,
            "seed {seed}: fd 3 output (registers, data)"
        );
        for pc in pcs {
            let word = words[((pc - CODE) / 4) as usize];
            *executed
                .entry(decode(word).unwrap().opcode.mnemonic())
                .or_default() += 1;
        }
        instructions += count;
    }
    std::fs::remove_dir_all(&dir).unwrap();
    eprintln!(
        "{programs} programs, {instructions} instructions executed in both; per opcode: {executed:?}"
    );
    // Every instruction but the traps ran (ECALL only in the epilogue).
    let all = ALU_R
        .iter()
        .chain(&ALU_I)
        .chain(&SHIFT_I)
        .chain(&BRANCHES)
        .copied()
        .chain(LOADS.iter().map(|l| l.0))
        .chain(STORES.iter().map(|s| s.0))
        .chain([Lui, Auipc, Jal, Jalr, Fence, Ecall]);
    if programs >= 50 {
        for op in all {
            assert!(
                executed.contains_key(op.mnemonic()),
                "{} never ran",
                op.mnemonic()
            );
        }
    }
}
