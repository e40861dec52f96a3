//! End-to-end prove/verify tests of single epochs, and negative tests.

use super::*;
use crate::executor::{Config, Executor, Program};
use crate::memory_image::MemoryImage;
use sluice_verifier::isa::{Instruction as I, Opcode::*};
use sluice_verifier::stark::verify_epoch;

const BASE: u32 = 0x1_0000;

/// `lui x1, 0x12345; beq x0, x0, -4` forever.
fn lui_loop() -> Vec<u32> {
    vec![0x1234_50b7, 0xfe00_0ee3]
}

/// Every epoch of `words` (loaded at `BASE`) with its memory transition.
pub(crate) fn epochs(words: &[u32], k: u32) -> Vec<(EpochRecord, EpochTransition)> {
    let p = Program::from_words(BASE, words).unwrap();
    let cfg = Config {
        epoch_size_log2: k,
        max_cycles: 1 << 20,
    };
    let mut image = MemoryImage::new(&p);
    let mut ex = Executor::new(&p, vec![], &cfg).unwrap();
    let mut out = vec![];
    while let Some(record) = ex.run_epoch().unwrap() {
        let transition = image.apply_epoch(&record, ex.memory()).unwrap();
        out.push((record, transition));
        if out.len() == 4 {
            break;
        }
    }
    out
}

/// The first epoch of `words` and its memory transition.
pub(crate) fn first_epoch(words: &[u32], k: u32) -> (EpochRecord, EpochTransition) {
    epochs(words, k).swap_remove(0)
}

#[test]
fn a_branch_loop_epoch_proves_and_verifies() {
    let (record, tr) = first_epoch(&lui_loop(), 8);
    assert_eq!(record.cycles, 256);
    let params = params_under_test();
    let image = Digest([3; 8]);
    let trace = generate(&record, &tr, &params).unwrap();
    let st = statement_for(&record, &tr);
    assert_eq!(constraint_failures(&params, &st, &trace), vec![]);
    let (statement, proof) = prove_epoch(&params, &image, 8, &record, &tr).unwrap();
    assert_eq!(statement.role, EpochRole::Continue);
    verify_epoch(&params, &image, 8, 0, &statement, &proof).unwrap();
    // Another index, image, or epoch size: Fiat–Shamir mismatch.
    assert!(verify_epoch(&params, &image, 8, 1, &statement, &proof).is_err());
    assert!(verify_epoch(&params, &Digest([4; 8]), 8, 0, &statement, &proof).is_err());
}

/// A program exercising every supported instruction family: ALU (R and I),
/// M extension, LW/SW, all branch kinds taken and not taken, JAL/JALR,
/// LUI/AUIPC, FENCE, a write to x0, and exit with a computed code.
pub(crate) fn mixed_program() -> Vec<u32> {
    let p = [
        I::i(Addi, 1, 0, 10),     // 0
        I::u(Lui, 2, 0x20000),    // 1
        I::i(Addi, 3, 0, 0),      // 2
        I::r(Add, 3, 3, 1),       // 3 loop
        I::r(Mul, 4, 3, 1),       // 4
        I::s(Sw, 2, 4, 4),        // 5
        I::i(Lw, 5, 2, 4),        // 6
        I::r(Sub, 6, 5, 4),       // 7
        I::b(Bne, 6, 0, 8),       // 8 never taken
        I::i(Addi, 1, 1, -1),     // 9
        I::b(Blt, 0, 1, -28),     // 10 -> 3
        I::jal(7, 20),            // 11 -> 16
        I::r(Divu, 8, 3, 1),      // 12 x1 = 0: all ones
        I::r(Rem, 9, 3, 8),       // 13
        I::i(Addi, 17, 0, 93),    // 14
        I::bare(Ecall),           // 15
        I::i(Srli, 10, 3, 1),     // 16 func
        I::r(Xor, 10, 10, 3),     // 17
        I::r(Sltu, 11, 0, 10),    // 18
        I::r(Or, 10, 10, 11),     // 19
        I::i(Andi, 10, 10, 0xff), // 20
        I::r(Sll, 12, 10, 11),    // 21
        I::i(Srai, 13, 12, 2),    // 22
        I::r(Mulhu, 14, 12, 3),   // 23
        I::r(Slt, 15, 13, 12),    // 24
        I::b(Bge, 15, 0, 8),      // 25 taken
        I::i(Addi, 10, 0, 1),     // 26 skipped
        I::b(Beq, 0, 0, 8),       // 27 taken
        I::i(Addi, 10, 0, 2),     // 28 skipped
        I::u(Auipc, 16, 0x1000),  // 29
        I::bare(Fence),           // 30
        I::i(Addi, 0, 3, 5),      // 31 write to x0 is ignored
        I::b(Bltu, 10, 0, 8),     // 32 not taken
        I::b(Bgeu, 0, 10, 8),     // 33 not taken (x10 != 0)
        I::i(Jalr, 0, 7, 0),      // 34 return
    ];
    p.iter().map(|i| i.encode()).collect()
}

fn expected_exit() -> u32 {
    let acc: u32 = (1..=10).sum();
    let x10 = ((acc >> 1) ^ acc) | 1;
    x10 & 0xff
}

#[test]
fn a_mixed_program_proves_and_verifies_in_one_epoch() {
    let (record, tr) = first_epoch(&mixed_program(), 8);
    assert_eq!(record.exit_code, Some(expected_exit()));
    let params = params_under_test();
    let image = Digest([3; 8]);
    let trace = generate(&record, &tr, &params).unwrap();
    let st = statement_for(&record, &tr);
    assert_eq!(constraint_failures(&params, &st, &trace), vec![]);
    let proof = prove_trace(&params, &image, 8, 0, &st, &trace).unwrap();
    verify_epoch(&params, &image, 8, 0, &st, &proof).unwrap();
    // Another exit code or role is another statement.
    let other = EpochStatement {
        role: EpochRole::Halt {
            exit_code: expected_exit() + 1,
        },
        ..st.clone()
    };
    assert!(verify_epoch(&params, &image, 8, 0, &other, &proof).is_err());
}

#[test]
fn every_epoch_of_a_multi_epoch_run_verifies() {
    let k = 4;
    let params = params_under_test();
    let image = Digest([5; 8]);
    let runs = epochs(&mixed_program(), k);
    assert_eq!(runs.len(), 4);
    let mut prev_end = None;
    for (record, tr) in &runs {
        let (st, proof) = prove_epoch(&params, &image, k as u8, record, tr).unwrap();
        verify_epoch(&params, &image, k as u8, record.index, &st, &proof).unwrap();
        if let Some(end) = prev_end {
            assert_eq!(st.start, end);
        }
        prev_end = Some(st.end);
    }
}

#[test]
fn seam_traits_prove_and_verify_with_real_state_digests() {
    use crate::memory_image::MemoryImage;
    use sluice_verifier::memory::image_id;
    use sluice_verifier::stark::StarkEpochVerifier;
    use sluice_verifier::stream::{ChainContext, EpochProofVerifier};

    let p = Program::from_words(BASE, &mixed_program()).unwrap();
    let k = 5u32;
    let cfg = Config {
        epoch_size_log2: k,
        max_cycles: 1 << 20,
    };
    let mut image = MemoryImage::new(&p);
    let mut ex = Executor::new(&p, vec![], &cfg).unwrap();
    let mut works = vec![];
    while let Some(record) = ex.run_epoch().unwrap() {
        let transition = image.apply_epoch(&record, ex.memory()).unwrap();
        assert_eq!(
            transition.start_state,
            state_digest(record.start_pc, &transition.start_root)
        );
        works.push(crate::driver::EpochWork { record, transition });
    }
    let ctx = ChainContext {
        protocol_version: sluice_verifier::PROTOCOL_VERSION,
        params: params_under_test(),
        image_id: image_id(&p),
        epoch_size_log2: k as u8,
    };
    let prover = StarkEpochProver;
    let mut prev_end = ctx.image_id;
    // Out of order, as parallel workers would.
    let mut proven = std::collections::BTreeMap::new();
    for w in works.iter().rev() {
        let r = &w.record;
        let (st, proof) = prover.prove_epoch(&ctx, w, &[]).unwrap();
        StarkEpochVerifier
            .verify_epoch(&ctx, r.index, &st, &proof)
            .unwrap();
        let e = StarkEpochVerifier
            .verify_epoch(&ctx, r.index + 1, &st, &proof)
            .unwrap_err();
        assert_eq!(e.check, "stark");
        proven.insert(r.index, st);
    }
    assert_eq!(
        proven[&0].start, ctx.image_id,
        "epoch 0 starts at the image ID"
    );
    for st in proven.values() {
        assert_eq!(st.start, prev_end, "chained");
        prev_end = st.end;
    }
}

/// Byte and half-word loads (signed and unsigned) and stores at every
/// offset; exits with the last signed half-word load.
pub(crate) fn subword_program() -> Vec<u32> {
    [
        I::u(Lui, 2, 0x20000),
        I::i(Addi, 1, 0, -2),
        I::s(Sw, 2, 1, 0), // fe ff ff ff
        I::i(Addi, 4, 0, 0x7f),
        I::s(Sb, 2, 4, 1), // fe 7f ff ff
        I::i(Addi, 5, 0, 0x5a1),
        I::s(Sh, 2, 5, 2),   // fe 7f a1 05
        I::i(Lb, 6, 2, 0),   // ffff_fffe
        I::i(Lbu, 7, 2, 0),  // fe
        I::i(Lb, 8, 2, 1),   // 7f
        I::i(Lh, 9, 2, 0),   // 7ffe
        I::i(Lh, 10, 2, 2),  // 05a1
        I::i(Lhu, 11, 2, 0), // 7ffe
        I::s(Sb, 2, 1, 3),   // fe 7f a1 fe
        I::i(Lh, 12, 2, 2),  // ffff_fea1
        I::i(Lhu, 13, 2, 2), // fea1
        I::i(Lbu, 14, 2, 3), // fe
        I::i(Lw, 15, 2, 0),
        I::i(Lb, 0, 2, 0), // load into x0 is dropped
        I::r(Add, 10, 12, 0),
        I::i(Addi, 17, 0, 93),
        I::bare(Ecall),
    ]
    .iter()
    .map(|i| i.encode())
    .collect()
}

#[test]
fn subword_loads_and_stores_prove_and_verify() {
    let (record, tr) = first_epoch(&subword_program(), 6);
    assert_eq!(record.exit_code, Some(0xffff_fea1));
    assert_eq!(record.end_registers[6], 0xffff_fffe);
    assert_eq!(record.end_registers[11], 0x7ffe);
    assert_eq!(record.end_registers[15], 0xfea1_7ffe);
    let params = params_under_test();
    let image = Digest([3; 8]);
    let trace = generate(&record, &tr, &params).unwrap();
    let st = statement_for(&record, &tr);
    assert_eq!(constraint_failures(&params, &st, &trace), vec![]);
    let proof = prove_trace(&params, &image, 6, 0, &st, &trace).unwrap();
    verify_epoch(&params, &image, 6, 0, &st, &proof).unwrap();
}
