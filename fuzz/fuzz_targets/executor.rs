//! The executor on arbitrary instruction words and registers. It must never
//! panic: every fault is reported, the cycle limit holds, epochs respect
//! their size, and the recording path (epoch by epoch, what the prover
//! uses) agrees with the fast path (`execute`) on every run.
//!
//! Input: byte 0 picks the epoch size (2^2 to 2^10 cycles); the next 124
//! bytes set x1..x31 (through a LUI/ADDI prologue); the rest are
//! instruction words at 0x1_0000, followed by a 4 KiB data area at
//! 0x2_0000. The guest's private input is the same code bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sluice_prover::executor::{execute, Config, Executor, Program};
use sluice_verifier::isa::{Instruction, Opcode};

const CODE: u32 = 0x1_0000;
const DATA: u32 = 0x2_0000;
const MAX_CYCLES: u64 = 20_000;

fn word(op: Opcode, rd: u8, rs1: u8, imm: u32) -> u32 {
    Instruction {
        opcode: op,
        rd,
        rs1,
        rs2: 0,
        imm,
    }
    .encode()
}

fuzz_target!(|data: &[u8]| {
    let Some((&k, rest)) = data.split_first() else {
        return;
    };
    let (regs, code) = rest.split_at(rest.len().min(124));
    let mut words = Vec::new();
    for (i, chunk) in regs.chunks(4).enumerate() {
        let mut b = [0u8; 4];
        b[..chunk.len()].copy_from_slice(chunk);
        let v = u32::from_le_bytes(b);
        let r = i as u8 + 1;
        let lo = ((v as i32) << 20 >> 20) as u32;
        words.push(word(Opcode::Lui, r, 0, v.wrapping_sub(lo) & 0xffff_f000));
        words.push(word(Opcode::Addi, r, r, lo));
    }
    words.extend(
        code.chunks(4)
            .take(4096)
            .map(|c| c.iter().rev().fold(0u32, |w, &b| w << 8 | b as u32)),
    );
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    let Ok(program) = Program::from_segments(CODE, vec![(CODE, bytes), (DATA, vec![0; 4096])])
    else {
        return;
    };
    let config = Config {
        epoch_size_log2: 2 + u32::from(k % 9),
        max_cycles: MAX_CYCLES,
    };
    let fast = execute(&program, code, &config);
    let Ok(mut recorder) = Executor::new(&program, code.to_vec(), &config) else {
        panic!("a valid configuration was refused");
    };
    let (mut cycles, mut output) = (0u64, Vec::new());
    let mut exit = None;
    let recorded = loop {
        match recorder.run_epoch() {
            Ok(Some(r)) => {
                assert!(r.cycles >= 1 && r.cycles <= 1 << config.epoch_size_log2);
                assert_eq!(r.start_cycle, cycles);
                cycles += r.cycles;
                output.extend_from_slice(&r.public_output);
                exit = r.exit_code;
            }
            Ok(None) => break Ok(()),
            Err(e) => break Err(e),
        }
    };
    assert!(cycles <= MAX_CYCLES);
    match (fast, recorded) {
        (Ok(o), Ok(())) => {
            assert_eq!(o.cycles, cycles);
            assert_eq!(Some(o.exit_code), exit);
            assert_eq!(o.public_output, output);
        }
        (Err(a), Err(b)) => {
            assert!(a.cycles <= MAX_CYCLES);
            assert_eq!((a.pc, a.cycles, &a.cause), (b.pc, b.cycles, &b.cause));
        }
        (a, b) => panic!("fast path {a:?}, recording path {b:?}"),
    }
});
