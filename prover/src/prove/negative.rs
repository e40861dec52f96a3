//! Negative tests: every constraint family rejects a tampered witness, and
//! the verifier rejects tampered statements and proof bytes.
//!
//! Local (per-row) constraints are checked with the non-panicking checker
//! [`constraint_failures`]. Cheats that keep every row locally consistent and
//! only break a bus balance (a forged read value, a wrong ALU result) are
//! checked by proving: in debug builds Plonky3's own checker panics on the
//! imbalance, in release builds the proof is produced and the verifier must
//! reject it; [`cheat_fails`] accepts either outcome but never a verifying
//! proof.

use std::panic::{catch_unwind, AssertUnwindSafe};

use p3_field::{PrimeCharacteristicRing, PrimeField32};
use sluice_verifier::air::cpu::CpuCols;
use sluice_verifier::air::decode::DecodeCols;
use sluice_verifier::air::range::{MULT, RANGE_WIDTH, VALUE};
use sluice_verifier::air::{CPU_TABLE, DECODE_TABLE};
use sluice_verifier::isa::Opcode;
use sluice_verifier::stark::config::Val;
use sluice_verifier::stark::verify_epoch;

use super::tests::{first_epoch, mixed_program};
use super::*;

pub(super) const K: u8 = 8;

pub(super) fn setup() -> (EpochStatement, EpochTrace) {
    setup_with(&mixed_program())
}

/// The first epoch of `words`, its statement and honest trace (checked).
pub(super) fn setup_with(words: &[u32]) -> (EpochStatement, EpochTrace) {
    let (record, tr) = first_epoch(words, K as u32);
    let st = statement_for(&record, &tr);
    let trace = generate(&record, &tr, &params_under_test()).unwrap();
    assert_eq!(
        constraint_failures(&params_under_test(), &st, &trace),
        vec![]
    );
    (st, trace)
}

pub(super) fn cpu_row(trace: &mut EpochTrace, row: usize) -> &mut [Val] {
    let w = CpuCols::new().width;
    &mut trace.traces[CPU_TABLE].values[row * w..(row + 1) * w]
}

/// The word the decode table fetched at `pc`, and its row.
pub(super) fn fetched_word(trace: &EpochTrace, pc: Val) -> (u32, usize) {
    let d = DecodeCols::new();
    let rows = &trace.traces[DECODE_TABLE].values;
    let r = (0..rows.len() / d.width)
        .find(|&r| rows[r * d.width + d.is_real] == Val::ONE && rows[r * d.width + d.pc] == pc)
        .expect("a decode row for every executed pc");
    let row = &rows[r * d.width..(r + 1) * d.width];
    let word = d
        .bits
        .iter()
        .rev()
        .fold(0u32, |acc, &i| (acc << 1) | row[i].as_canonical_u32());
    (word, r)
}

/// The opcode CPU row `r` executes: the decode table's word at its pc.
pub(super) fn op_at(trace: &EpochTrace, r: usize) -> Opcode {
    let c = CpuCols::new();
    let pc = trace.traces[CPU_TABLE].values[r * c.width + c.pc];
    sluice_verifier::isa::decode(fetched_word(trace, pc).0)
        .unwrap()
        .opcode
}

/// The first CPU row executing `op`.
pub(super) fn row_of(trace: &EpochTrace, op: Opcode) -> usize {
    (0..trace.cycles as usize)
        .find(|&r| op_at(trace, r) == op)
        .unwrap_or_else(|| panic!("no {op} row"))
}

pub(super) fn locally_rejected(st: &EpochStatement, trace: &EpochTrace) -> bool {
    !constraint_failures(&params_under_test(), st, trace).is_empty()
}

/// Proving `trace` either fails (error or debug-checker panic) or yields a
/// proof the verifier rejects.
pub(super) fn cheat_fails(st: &EpochStatement, trace: &EpochTrace) -> bool {
    let params = params_under_test();
    let image = Digest([3; 8]);
    let proved = catch_unwind(AssertUnwindSafe(|| {
        prove_trace(&params, &image, K, 0, st, trace)
    }));
    match proved {
        Err(_) | Ok(Err(_)) => true,
        Ok(Ok(proof)) => verify_epoch(&params, &image, K, 0, st, &proof).is_err(),
    }
}

/// Proving `trace` yields a proof (the test profile builds `p3-batch-stark`
/// without its debug checker, so a cheating prover gets this far) and the
/// verifier rejects it at the STARK check.
/// Proves the first epoch of `words` and verifies the proof; every table
/// in `tables` must be in it. Returns the epoch's exit code.
pub(super) fn proves_with_tables(words: &[u32], tables: &[usize]) -> Option<u32> {
    let (record, tr) = first_epoch(words, K as u32);
    let params = params_under_test();
    let image = Digest([3; 8]);
    let trace = generate(&record, &tr, &params).unwrap();
    for &t in tables {
        assert!(trace.tables.contains(t), "table {t} is in the proof");
    }
    let st = statement_for(&record, &tr);
    assert_eq!(constraint_failures(&params, &st, &trace), vec![]);
    let proof = prove_trace(&params, &image, K, 0, &st, &trace).unwrap();
    verify_epoch(&params, &image, K, 0, &st, &proof).unwrap();
    record.exit_code
}

pub(super) fn verifier_rejects(st: &EpochStatement, trace: &EpochTrace) -> bool {
    let params = params_under_test();
    let image = Digest([3; 8]);
    let proof = match catch_unwind(AssertUnwindSafe(|| {
        prove_trace(&params, &image, K, 0, st, trace)
    })) {
        Ok(Ok(proof)) => proof,
        Ok(Err(e)) => panic!("the cheating prover failed before verification: {e}"),
        Err(_) => panic!("the cheating prover panicked before verification"),
    };
    match verify_epoch(&params, &image, K, 0, st, &proof) {
        Ok(()) => false,
        Err(e) => {
            assert_eq!(e.check, "stark", "{e}");
            true
        }
    }
}

#[test]
fn wrong_next_pc_is_rejected() {
    let (st, mut t) = setup();
    let c = CpuCols::new();
    let r = row_of(&t, Opcode::Add);
    // Jump 8 ahead instead of 4, and let the next row start there.
    cpu_row(&mut t, r)[c.next_pc] += Val::from_u32(4);
    cpu_row(&mut t, r + 1)[c.pc] += Val::from_u32(4);
    assert!(locally_rejected(&st, &t));
}

#[test]
fn wrong_branch_decision_is_rejected() {
    let (st, mut t) = setup();
    let c = CpuCols::new();
    for op in [
        Opcode::Blt,
        Opcode::Bge,
        Opcode::Beq,
        Opcode::Bne,
        Opcode::Bltu,
    ] {
        let mut t2 = EpochTrace {
            traces: t.traces.clone(),
            alu_events: vec![],
            ..t
        };
        let r = row_of(&t2, op);
        let row = cpu_row(&mut t2, r);
        row[c.taken] = Val::ONE - row[c.taken];
        assert!(locally_rejected(&st, &t2), "{op}");
        t = t2;
        let row = cpu_row(&mut t, r);
        row[c.taken] = Val::ONE - row[c.taken];
    }
    // BEQ/BNE: lying about equality needs a zero divisor.
    let r = row_of(&t, Opcode::Bne);
    let row = cpu_row(&mut t, r);
    row[c.eq] = Val::ONE - row[c.eq];
    row[c.taken] = Val::ONE - row[c.taken];
    assert!(locally_rejected(&st, &t));
}

#[test]
fn wrong_alu_result_is_rejected() {
    let (st, mut t) = setup();
    let c = CpuCols::new();
    let r = row_of(&t, Opcode::Mul);
    // Keep the row consistent (rd gets the forged result): only the ALU bus
    // can catch it.
    let row = cpu_row(&mut t, r);
    row[c.alu_c[0]] += Val::ONE;
    row[c.write_new[0]] += Val::ONE;
    assert!(!locally_rejected(&st, &t));
    assert!(cheat_fails(&st, &t));
}

#[test]
fn forged_register_read_is_rejected() {
    let (st, mut t) = setup();
    let c = CpuCols::new();
    let r = row_of(&t, Opcode::Add);
    let row = cpu_row(&mut t, r);
    row[c.rs1_val[0]] += Val::ONE;
    row[c.alu_c[0]] += Val::ONE;
    row[c.write_new[0]] += Val::ONE;
    assert!(!locally_rejected(&st, &t));
    assert!(cheat_fails(&st, &t));
}

#[test]
fn forged_memory_load_is_rejected() {
    let (st, mut t) = setup();
    let c = CpuCols::new();
    let r = row_of(&t, Opcode::Lw);
    let row = cpu_row(&mut t, r);
    row[c.read2_val[1]] += Val::ONE;
    row[c.write_new[1]] += Val::ONE;
    assert!(!locally_rejected(&st, &t));
    assert!(cheat_fails(&st, &t));
}

#[test]
fn self_cancelling_access_is_rejected() {
    // A read claiming prev_ts == ts would consume the token it produces.
    let (st, mut t) = setup();
    let c = CpuCols::new();
    let r = row_of(&t, Opcode::Sub);
    let row = cpu_row(&mut t, r);
    let ts = Val::from_u32(8 * r as u32 + 2);
    row[c.rs1.prev_ts] = ts;
    assert!(locally_rejected(&st, &t));
    // Even with any limbs, ts - prev - 1 = -1 is not two 12-bit limbs.
    for d in c.rs1.diff {
        cpu_row(&mut t, r)[d] = Val::from_u32(4095);
    }
    assert!(locally_rejected(&st, &t));
}

/// The gap `ts - prev_ts - 1` has other decompositions than its 12-bit
/// limbs (`d0 - 4096`, `d1 + 1`); only the limb bus refuses them. With
/// unbounded limbs a gap could be negative, and an access could consume a
/// token produced after it.
#[test]
fn timestamp_gap_limbs_must_be_12_bit() {
    let (st, mut t) = setup();
    let c = CpuCols::new();
    let r = row_of(&t, Opcode::Sub);
    let row = cpu_row(&mut t, r);
    row[c.rs1.diff[0]] -= Val::from_u32(4096);
    row[c.rs1.diff[1]] += Val::ONE;
    assert!(!locally_rejected(&st, &t), "only the limb bus can see it");
    assert!(verifier_rejects(&st, &t));
}

#[test]
fn wrong_immediate_sign_extension_is_rejected() {
    let (st, mut t) = setup();
    let c = CpuCols::new();
    // `addi x1, x1, -1`: the immediate's top limbs are 0xff.
    let r = (0..t.cycles as usize)
        .find(|&r| {
            let row = &t.traces[CPU_TABLE].values[r * c.width..(r + 1) * c.width];
            op_at(&t, r) == Opcode::Addi && row[c.imm[3]] == Val::from_u32(0xff)
        })
        .unwrap();
    cpu_row(&mut t, r)[c.imm[3]] = Val::ZERO;
    assert!(locally_rejected(&st, &t));
}

#[test]
fn writing_x0_is_rejected() {
    let (st, mut t) = setup();
    let c = CpuCols::new();
    // `addi x0, x3, 5` is the only ADDI with rd = 0.
    let r = (0..t.cycles as usize)
        .find(|&r| {
            let row = &t.traces[CPU_TABLE].values[r * c.width..(r + 1) * c.width];
            op_at(&t, r) == Opcode::Addi && row[c.rd_zero] == Val::ONE
        })
        .unwrap();
    let mut t2 = EpochTrace {
        traces: t.traces.clone(),
        alu_events: vec![],
        ..t
    };
    cpu_row(&mut t2, r)[c.write_new[0]] = Val::from_u32(60);
    assert!(locally_rejected(&st, &t2));
    // Nor can the x0 flag be dropped to write the sum: the flag comes with
    // the decode message, so only the decode bus sees it.
    let row = cpu_row(&mut t, r);
    row[c.rd_zero] = Val::ZERO;
    row[c.write_new[0]] = row[c.alu_c[0]];
    assert_ne!(row[c.write_new[0]], Val::ZERO);
    assert!(!locally_rejected(&st, &t), "only the decode bus can see it");
    assert!(verifier_rejects(&st, &t));
}

#[test]
fn reactivated_padding_row_is_rejected() {
    let (st, mut t) = setup();
    let c = CpuCols::new();
    let r = t.cycles as usize + 1;
    assert!(r < t.traces[CPU_TABLE].values.len() / c.width);
    cpu_row(&mut t, r)[c.is_real] = Val::ONE;
    assert!(locally_rejected(&st, &t));
}

#[test]
fn wrong_exit_code_or_role_is_rejected() {
    let (st, t) = setup();
    let EpochRole::Halt { exit_code } = st.role else {
        panic!("mixed program halts")
    };
    let lie = EpochStatement {
        role: EpochRole::Halt {
            exit_code: exit_code ^ 0x100,
        },
        ..st.clone()
    };
    assert!(locally_rejected(&lie, &t));
    let cont = EpochStatement {
        role: EpochRole::Continue,
        cycles: 1 << K,
        ..st.clone()
    };
    assert!(locally_rejected(&cont, &t));
    let fewer = EpochStatement {
        cycles: st.cycles - 1,
        ..st.clone()
    };
    assert!(locally_rejected(&fewer, &t));
}

#[test]
fn output_above_the_epoch_bound_is_refused_before_building_anything() {
    let (st, _) = setup();
    let with_output = EpochStatement {
        output: vec![1; sluice_verifier::air::output::MAX_EPOCH_OUTPUT + 1],
        ..st
    };
    let e = verify_epoch(
        &params_under_test(),
        &Digest([3; 8]),
        K,
        0,
        &with_output,
        &[],
    )
    .unwrap_err();
    assert_eq!(e.check, "public output");
}

#[test]
fn verifier_rejects_any_other_context_and_tampered_bytes() {
    let (st, t) = setup();
    let params = params_under_test();
    let image = Digest([3; 8]);
    let proof = prove_trace(&params, &image, K, 0, &st, &t).unwrap();
    verify_epoch(&params, &image, K, 0, &st, &proof).unwrap();
    // Fiat–Shamir binds index, image ID, epoch size, params, statement.
    assert!(verify_epoch(&params, &image, K, 1, &st, &proof).is_err());
    assert!(verify_epoch(&params, &Digest([4; 8]), K, 0, &st, &proof).is_err());
    assert!(verify_epoch(&params, &image, K + 1, 0, &st, &proof).is_err());
    let p2 = ProofParams {
        num_queries: params.num_queries + 1,
        ..params
    };
    assert!(verify_epoch(&p2, &image, K, 0, &st, &proof).is_err());
    for st2 in [
        EpochStatement {
            start: Digest([9; 8]),
            ..st.clone()
        },
        EpochStatement {
            end: Digest([9; 8]),
            ..st.clone()
        },
        EpochStatement {
            cycles: st.cycles + 1,
            ..st.clone()
        },
    ] {
        assert!(verify_epoch(&params, &image, K, 0, &st2, &proof).is_err());
    }
    // Truncations, extensions and bit flips never verify and never panic.
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    for cut in [0, 1, 7, proof.len() / 2, proof.len() - 1] {
        assert!(verify_epoch(&params, &image, K, 0, &st, &proof[..cut]).is_err());
    }
    let mut longer = proof.clone();
    longer.push(0);
    assert!(verify_epoch(&params, &image, K, 0, &st, &longer).is_err());
    for _ in 0..300 {
        let mut bad = proof.clone();
        let i = (next() as usize) % bad.len();
        bad[i] ^= 1 << (next() % 8);
        assert!(
            verify_epoch(&params, &image, K, 0, &st, &bad).is_err(),
            "flip at {i}"
        );
    }
    for len in [0usize, 3, 64, 1000, 20000] {
        let junk: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        assert!(verify_epoch(&params, &image, K, 0, &st, &junk).is_err());
    }
}

#[test]
fn carried_roots_must_open_the_statement_digests() {
    let (st, mut t) = setup();
    let params = params_under_test();
    let image = Digest([3; 8]);
    // A proof carrying other roots than the statement's digests commit to.
    t.start_root = Digest([5; 8]);
    let proved = catch_unwind(AssertUnwindSafe(|| {
        prove_trace(&params, &image, K, 0, &st, &t)
    }));
    if let Ok(Ok(proof)) = proved {
        let e = verify_epoch(&params, &image, K, 0, &st, &proof).unwrap_err();
        assert_eq!(e.check, "state digest");
    }
}

#[test]
fn wrong_load_sign_extension_or_merge_is_rejected() {
    let (record, tr) = first_epoch(&super::tests::subword_program(), 6);
    let st = statement_for(&record, &tr);
    let t = generate(&record, &tr, &params_under_test()).unwrap();
    assert_eq!(constraint_failures(&params_under_test(), &st, &t), vec![]);
    let c = CpuCols::new();
    let tamper = |op: Opcode, f: &dyn Fn(&mut [Val])| {
        let mut t2 = EpochTrace {
            traces: t.traces.clone(),
            alu_events: vec![],
            ..t
        };
        let r = row_of(&t2, op);
        f(cpu_row(&mut t2, r));
        locally_rejected(&st, &t2)
    };
    // LB of 0xfe: zero-extend instead of sign-extend.
    assert!(tamper(Opcode::Lb, &|row| {
        for i in 1..4 {
            row[c.write_new[i]] = Val::ZERO;
        }
    }));
    // ... or lie about the sign bit consistently.
    assert!(tamper(Opcode::Lb, &|row| {
        row[c.ld_sign] = Val::ZERO;
        for i in 1..4 {
            row[c.write_new[i]] = Val::ZERO;
        }
    }));
    // LBU must zero-extend.
    assert!(tamper(Opcode::Lbu, &|row| row[c.write_new[1]] =
        Val::from_u32(0xff)));
    // Pick another byte of the word.
    assert!(tamper(Opcode::Lbu, &|row| {
        row[c.ld_byte[0]] = row[c.read2_val[1]];
        row[c.write_new[0]] = row[c.read2_val[1]];
    }));
    // SB must leave the other bytes alone.
    assert!(tamper(Opcode::Sb, &|row| row[c.write_new[0]] += Val::ONE));
    // SH at offset 2 may not be claimed at offset 1 (misaligned).
    assert!(tamper(Opcode::Sh, &|row| {
        row.swap(c.mem_off[2], c.mem_off[1]);
    }));
}

#[test]
fn sys_io_flag_cannot_be_forged() {
    let (st, t) = setup();
    let c = CpuCols::new();
    // On a non-ECALL row.
    let mut t2 = EpochTrace {
        traces: t.traces.clone(),
        alu_events: vec![],
        ..t
    };
    let r = row_of(&t2, Opcode::Add);
    cpu_row(&mut t2, r)[c.sys_io] = Val::ONE;
    assert!(locally_rejected(&st, &t2));
    // On the exit: the epoch would no longer halt where it claims to.
    let mut t3 = EpochTrace {
        traces: t.traces.clone(),
        alu_events: vec![],
        ..t
    };
    let r = row_of(&t3, Opcode::Ecall);
    cpu_row(&mut t3, r)[c.sys_io] = Val::ONE;
    assert!(locally_rejected(&st, &t3));
    assert!(verifier_rejects(&st, &t3));
}

/// The adders trust their operands to be bytes (`air::alu`, and the CPU's
/// own `ADD`): an operand is a register value, and a register value is a
/// memory token, which is always bytes. Here an ADD reads `rs1` in another
/// limb form of the same integer (limb 0 raised by 256, limb 1 lowered by
/// one): its low half, all the row's adder sees, is unchanged, so every
/// local constraint still holds and only the memory bus can reject it.
#[test]
fn a_register_read_in_non_byte_limbs_is_rejected() {
    let (st, mut t) = setup();
    let c = CpuCols::new();
    let r = row_of(&t, Opcode::Add);
    let row = cpu_row(&mut t, r);
    row[c.rs1_val[0]] += Val::from_u32(256);
    row[c.rs1_val[1]] -= Val::ONE;
    assert!(!locally_rejected(&st, &t));
    assert!(verifier_rejects(&st, &t));
}

/// The first ADD or ADDI row whose addition carries out of its high half.
fn add_row_with_top_carry(t: &mut EpochTrace) -> usize {
    let c = CpuCols::new();
    (0..t.cycles as usize)
        .find(|&r| {
            matches!(op_at(t, r), Opcode::Add | Opcode::Addi)
                && cpu_row(t, r)[c.add_carry[1]] == Val::ONE
                && cpu_row(t, r)[c.rd_num] != Val::ZERO
        })
        .expect("an ADDI of a negative immediate")
}

/// The CPU row's own adder: a sum off by one, or a carry that is not a
/// bit, breaks its constraints.
#[test]
fn an_in_row_addition_is_checked() {
    let (st, mut t) = setup();
    let c = CpuCols::new();
    let r = add_row_with_top_carry(&mut t);
    let honest = cpu_row(&mut t, r).to_vec();
    for col in [c.alu_c[0], c.write_new[0]] {
        cpu_row(&mut t, r)[col] += Val::ONE;
    }
    assert!(locally_rejected(&st, &t));
    assert!(cheat_fails(&st, &t));

    cpu_row(&mut t, r).copy_from_slice(&honest);
    cpu_row(&mut t, r)[c.add_carry[1]] = Val::TWO;
    assert!(locally_rejected(&st, &t));
}

/// A sum whose top limb keeps the carry (limb 3 = 256, no carry out)
/// satisfies the adder's equations; only the range check on the result's
/// limbs, a bus the verifier checks, rejects it.
#[test]
fn an_in_row_sum_limb_above_a_byte_is_rejected_by_the_verifier() {
    let (st, mut t) = setup();
    let c = CpuCols::new();
    let r = add_row_with_top_carry(&mut t);
    let row = cpu_row(&mut t, r);
    row[c.add_carry[1]] = Val::ZERO;
    for col in [c.alu_c[3], c.write_new[3]] {
        row[col] += Val::from_u32(256);
    }
    assert!(!locally_rejected(&st, &t));
    assert!(verifier_rejects(&st, &t));
}

/// The in-row sum's range check is the only guard against a sum limb of
/// 256: a store to `0x200f0 + 16` carries out of the address's limb 0;
/// writing the same address as limbs `(256, 0, 2, 0)` with no carry (and the
/// word-within-page index raised by 64, still a byte) keeps every local
/// constraint and the memory access unchanged. With the byte bus's other
/// counts moved to match, only the missing 256 unbalances it.
#[test]
fn a_sum_limb_of_256_is_caught_by_the_range_check_alone() {
    use sluice_verifier::air::RANGE_TABLE;
    use sluice_verifier::isa::Instruction as I;
    let words: Vec<u32> = [
        I::u(Opcode::Lui, 2, 0x20000),
        I::i(Opcode::Addi, 2, 2, 0xf0),
        I::i(Opcode::Addi, 4, 0, 7),
        I::s(Opcode::Sw, 2, 4, 16),
        I::i(Opcode::Addi, 17, 0, 93),
        I::bare(Opcode::Ecall),
    ]
    .iter()
    .map(|i| i.encode())
    .collect();
    let (st, mut t) = setup_with(&words);
    let c = CpuCols::new();
    let r = row_of(&t, Opcode::Sw);
    let row = cpu_row(&mut t, r);
    assert_eq!(row[c.alu_c[0]], Val::ZERO);
    assert_eq!(row[c.alu_c[1]], Val::ONE);
    assert_eq!(row[c.c0_rest], Val::ZERO);
    row[c.alu_c[0]] = Val::from_u32(256);
    row[c.alu_c[1]] = Val::ZERO;
    row[c.c0_rest] = Val::from_u32(64);
    // Range multiplicities: c1 (1 -> 0) and the quarter (0 -> 64) are bytes
    // and are recounted; c0 (0 -> 256) cannot be.
    let rows = &mut t.traces[RANGE_TABLE].values;
    rows[RANGE_WIDTH + MULT] -= Val::ONE;
    rows[MULT] -= Val::ONE;
    rows[64 * RANGE_WIDTH + MULT] += Val::ONE;
    assert!(!locally_rejected(&st, &t));
    assert!(verifier_rejects(&st, &t));
    // Nor can the table provide the 256 the cheat needs: its values count
    // `0..256` down the rows.
    let free = t.traces[RANGE_TABLE]
        .values
        .chunks_exact(RANGE_WIDTH)
        .position(|r| r[MULT] == Val::ZERO)
        .expect("a byte never sent");
    let row = &mut t.traces[RANGE_TABLE].values[free * RANGE_WIDTH..][..RANGE_WIDTH];
    row[VALUE] = Val::from_u32(256);
    row[MULT] = Val::ONE;
    assert!(locally_rejected(&st, &t));
    assert!(verifier_rejects(&st, &t));
}

/// A range table holds exactly `0..rows`, one per row. A row holding
/// another value (one a cheat would need: 256 among the bytes, 4,096 among
/// the timestamp limbs) is rejected by the verifier even when it is never
/// used, so the bus stays balanced; a table shifted by one (every
/// transition intact) fails its first-row check.
#[test]
fn range_tables_hold_exactly_their_range() {
    use sluice_verifier::air::{RANGE_TABLE, TS_RANGE_TABLE};
    for (table, beyond) in [(RANGE_TABLE, 256u32), (TS_RANGE_TABLE, 4096)] {
        let (st, mut t) = setup();
        let free = t.traces[table]
            .values
            .chunks_exact(RANGE_WIDTH)
            .position(|r| r[MULT] == Val::ZERO)
            .expect("a value never sent");
        t.traces[table].values[free * RANGE_WIDTH + VALUE] = Val::from_u32(beyond);
        assert!(locally_rejected(&st, &t), "table {table}");
        assert!(verifier_rejects(&st, &t), "table {table}");

        let (st, mut t) = setup();
        for row in t.traces[table].values.chunks_exact_mut(RANGE_WIDTH) {
            row[VALUE] += Val::ONE;
        }
        assert!(locally_rejected(&st, &t), "table {table}");
        assert!(cheat_fails(&st, &t), "table {table}");
    }
}
