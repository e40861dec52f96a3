//! Assembled test programs (`tests/programs/*.S`, built by
//! `scripts/build-guests.sh`): the RV32IM self-check, one program per fault
//! the executor reports, and the I/O program.

mod common;

use common::{patch_word, program, symbol, symbols, word_at};
use sluice_prover::executor::{execute, Cause, Config, ExecError, Executor, Outcome};
use sluice_verifier::isa::decode;

const CONFIG: Config = Config {
    epoch_size_log2: 10,
    max_cycles: 100_000,
};

#[test]
fn selfcheck_passes() {
    let (_, p) = program("rv32im_selfcheck");
    let out = execute(&p, &[], &CONFIG).unwrap();
    assert_eq!(out.exit_code, 0, "self-check case {} failed", out.exit_code);
    // Hundreds of cases ran (each is at least four instructions).
    assert!(out.cycles > 1000, "{} cycles", out.cycles);
    eprintln!("rv32im_selfcheck: {} cycles", out.cycles);
}

/// How each `mutant_<case>_<op>` instruction is broken: the bits to flip and
/// the instruction that results.
fn mutation(op: &str) -> (u32, &'static str) {
    match op {
        "add" => (1 << 30, "sub"),
        "sra" => (1 << 30, "srl"),
        "slt" => (1 << 12, "sltu"),
        "blt" => (1 << 13, "bltu"),
        "lb" => (1 << 14, "lbu"),
        "mulh" => (1 << 13, "mulhu"),
        "div" => (1 << 12, "divu"),
        _ => panic!("no mutation defined for `{op}`"),
    }
}

#[test]
fn selfcheck_catches_broken_instructions() {
    let (elf, p) = program("rv32im_selfcheck");
    let mutants: Vec<(String, u32)> = symbols(&elf)
        .into_iter()
        .filter(|(n, _)| n.starts_with("mutant_"))
        .collect();
    assert!(mutants.len() >= 7, "{mutants:?}");
    for (name, addr) in mutants {
        let mut parts = name.splitn(3, '_').skip(1);
        let case: u32 = parts.next().unwrap().parse().unwrap();
        let op = parts.next().unwrap();
        let word = word_at(&p, addr);
        assert_eq!(decode(word).unwrap().opcode.mnemonic(), op, "{name}");
        let (flip, becomes) = mutation(op);
        let broken = word ^ flip;
        assert_eq!(decode(broken).unwrap().opcode.mnemonic(), becomes);
        let out = execute(&patch_word(&p, addr, broken), &[], &CONFIG).unwrap();
        assert_eq!(out.exit_code, case, "{name} patched into {becomes}");
        // And the unpatched word through the same path still passes.
        let out = execute(&patch_word(&p, addr, word), &[], &CONFIG).unwrap();
        assert_eq!(out.exit_code, 0);
    }
}

#[test]
fn selfcheck_catches_a_broken_fail_path() {
    // Replacing the exit code source (`mv a0, s11` in `fail`) is invisible
    // when nothing fails, so break a test instead: turn the first `lui` of the
    // program (case 1, `lui t0, 0x12345`) into `lui t0, 0x12346`.
    let (_, p) = program("rv32im_selfcheck");
    let entry = p.entry();
    let mut addr = entry;
    while decode(word_at(&p, addr)).unwrap().opcode.mnemonic() != "lui" {
        addr += 4;
    }
    let word = word_at(&p, addr);
    assert_eq!(word >> 12, 0x12345);
    let out = execute(&patch_word(&p, addr, word + (1 << 12)), &[], &CONFIG).unwrap();
    assert_eq!(out.exit_code, 1);
}

fn fault(name: &str, variant: u8) -> (Vec<u8>, ExecError) {
    let (elf, p) = program(name);
    let err = execute(&p, &[variant], &CONFIG).expect_err("the program must fault");
    (elf, err)
}

#[test]
fn illegal_instructions() {
    for (variant, word) in [
        (0u8, 0x3000_2573u32),
        (1, 0x0200_9093),
        (2, 0x0005_2507),
        (3, 0x0000_100f),
    ] {
        let (elf, err) = fault("fault_illegal_instruction", variant);
        assert_eq!(
            err.cause,
            Cause::IllegalInstruction { word },
            "variant {variant}"
        );
        assert_eq!(err.pc, symbol(&elf, &format!("fault_{variant}")));
    }
}

#[test]
fn ebreak() {
    let (elf, err) = fault("fault_ebreak", 0);
    assert_eq!(err.cause, Cause::Ebreak);
    assert_eq!(err.pc, symbol(&elf, "fault_0"));
}

#[test]
fn unknown_syscalls() {
    for (variant, number) in [(0u8, 1234u32), (1, 0), (2, u32::MAX)] {
        let (elf, err) = fault("fault_unknown_syscall", variant);
        assert_eq!(err.cause, Cause::UnknownSyscall { number });
        assert_eq!(err.pc, symbol(&elf, &format!("fault_{variant}")));
    }
}

#[test]
fn bad_file_descriptors() {
    for (variant, syscall, fd) in [(0u8, 64u32, 5u32), (1, 64, 0), (2, 63, 3), (3, 63, 1)] {
        let (elf, err) = fault("fault_bad_fd", variant);
        assert_eq!(
            err.cause,
            Cause::BadFileDescriptor { syscall, fd },
            "variant {variant}"
        );
        assert_eq!(err.pc, symbol(&elf, &format!("fault_{variant}")));
    }
}

#[test]
fn misaligned_loads() {
    for (variant, off, size) in [(0u8, 2u32, 4u32), (1, 1, 2), (2, 3, 2), (3, 1, 4)] {
        let (elf, err) = fault("fault_misaligned_load", variant);
        let addr = symbol(&elf, "buf") + off;
        assert_eq!(
            err.cause,
            Cause::MisalignedLoad { addr, size },
            "variant {variant}"
        );
        assert_eq!(err.pc, symbol(&elf, &format!("fault_{variant}")));
    }
}

#[test]
fn misaligned_stores() {
    for (variant, off, size) in [(0u8, 2u32, 4u32), (1, 1, 2), (2, 3, 4), (3, 3, 2)] {
        let (elf, err) = fault("fault_misaligned_store", variant);
        let addr = symbol(&elf, "buf") + off;
        assert_eq!(
            err.cause,
            Cause::MisalignedStore { addr, size },
            "variant {variant}"
        );
        assert_eq!(err.pc, symbol(&elf, &format!("fault_{variant}")));
    }
}

#[test]
fn misaligned_jumps() {
    for variant in 0u8..3 {
        let (elf, err) = fault("fault_misaligned_jump", variant);
        let at = symbol(&elf, &format!("fault_{variant}"));
        let target = match variant {
            0 => symbol(&elf, "target_0") + 2,
            _ => at + 6,
        };
        assert_eq!(
            err.cause,
            Cause::MisalignedJump { target },
            "variant {variant}"
        );
        assert_eq!(err.pc, at);
    }
}

#[test]
fn unmapped_fetches() {
    for (variant, pc) in [(0u8, 0x4000_0000u32), (1, 0x8000), (2, 0)] {
        let (_, err) = fault("fault_unmapped_fetch", variant);
        assert_eq!(err.cause, Cause::UnmappedFetch, "variant {variant}");
        assert_eq!(err.pc, pc);
    }
}

#[test]
fn unmapped_loads() {
    for (variant, addr, len) in [
        (0u8, 0u32, 4u32),
        (1, 0xfffc, 4),
        (2, 0x4000_0000, 4),
        (3, 0xffff_ffff, 1),
        (4, 0x3fff_fffe, 4),
        (5, 0x8000, 16),
    ] {
        let (elf, err) = fault("fault_unmapped_load", variant);
        assert_eq!(
            err.cause,
            Cause::UnmappedLoad { addr, len },
            "variant {variant}"
        );
        assert_eq!(err.pc, symbol(&elf, &format!("fault_{variant}")));
    }
}

#[test]
fn unmapped_stores() {
    for (variant, addr, len) in [
        (0u8, 0x7cu32, 4u32),
        (1, 0xffff, 1),
        (2, 0x4000_0000, 2),
        (3, 0xfff0, 32),
        (4, 0x3fff_fff0, 17),
    ] {
        let (elf, err) = fault("fault_unmapped_store", variant);
        assert_eq!(
            err.cause,
            Cause::UnmappedStore { addr, len },
            "variant {variant}"
        );
        assert_eq!(err.pc, symbol(&elf, &format!("fault_{variant}")));
    }
}

#[test]
fn infinite_loop_hits_the_cycle_limit() {
    let (elf, p) = program("fault_cycle_limit");
    let lp = symbol(&elf, "loop");
    for limit in [1000u64, 1001, 5000] {
        let config = Config {
            epoch_size_log2: 8,
            max_cycles: limit,
        };
        let err = execute(&p, &[], &config).unwrap_err();
        assert_eq!(err.cause, Cause::CycleLimit { limit });
        assert_eq!(err.cycles, limit);
        assert!(err.pc == lp || err.pc == lp + 4, "pc {:#x}", err.pc);
        // Epoch by epoch: whole epochs, then the limit.
        let mut ex = Executor::new(&p, vec![], &config).unwrap();
        let mut epochs = 0;
        let err = loop {
            match ex.run_epoch() {
                Ok(Some(r)) => {
                    assert_eq!(r.cycles, 256);
                    epochs += 1;
                }
                Ok(None) => panic!("the loop never halts"),
                Err(e) => break e,
            }
        };
        assert_eq!(err.cause, Cause::CycleLimit { limit });
        assert_eq!(epochs, limit / 256);
    }
}

fn io_expected(input: &[u8]) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let data = &input[..input.len().min(256)];
    // 5-byte reads until read returns 0 or the 256-byte buffer is full.
    let calls = if input.len() >= 256 {
        256usize.div_ceil(5)
    } else {
        data.len().div_ceil(5) + 1
    };
    let stdout = [b"out:".as_slice(), data].concat();
    let mut rev = data.to_vec();
    rev.reverse();
    let stderr = [b"err:".as_slice(), &rev].concat();
    let mut public = (data.len() as u32).to_le_bytes().to_vec();
    public.extend_from_slice(&(calls as u32).to_le_bytes());
    public.extend_from_slice(data);
    (public, stdout, stderr)
}

#[test]
fn io_program_reads_and_writes_every_stream() {
    let (_, p) = program("io");
    assert_eq!(
        io_expected(b"hello world").0,
        b"\x0b\0\0\0\x04\0\0\0hello world".to_vec()
    );
    let long: Vec<u8> = (0..300u32).map(|i| (i * 7) as u8).collect();
    for input in [
        &b""[..],
        b"a",
        b"hello",
        b"hello world",
        &long[..255],
        &long[..256],
        &long,
    ] {
        let out: Outcome = execute(&p, input, &CONFIG).unwrap();
        let (public, stdout, stderr) = io_expected(input);
        assert_eq!(out.exit_code, 0);
        assert_eq!(out.public_output, public, "input of {} bytes", input.len());
        assert_eq!(out.stdout, stdout);
        assert_eq!(out.stderr, stderr);
    }
}
