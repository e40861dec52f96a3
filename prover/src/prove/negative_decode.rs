//! Negative tests of the decode table and the CPU's decode lookup: a CPU
//! row cannot claim a decoding the table does not prove, the table cannot
//! prove a wrong decoding, and padding rows decode nothing. Since protocol
//! 7 the table also fetches each executed word, once per epoch: its word is
//! memory's, no address is fetched twice, and padding rows fetch nothing.

use p3_field::{PrimeCharacteristicRing, PrimeField64};
use sluice_verifier::air::cpu::{selector_index, CpuCols};
use sluice_verifier::air::decode::{DecodeCols, Flag};
use sluice_verifier::air::memory::FETCH_HOLD_TS;
use sluice_verifier::air::page::{PageCols, WORDS_PER_BLOCK};
use sluice_verifier::air::range::{MULT, RANGE_WIDTH};
use sluice_verifier::air::{DECODE_TABLE, PAGE_TABLE, RANGE_TABLE};
use sluice_verifier::isa::Opcode;
use sluice_verifier::stark::config::Val;
use sluice_verifier::stark::verify_epoch;

use super::negative::{
    cpu_row, fetched_word, locally_rejected, row_of, setup, setup_with, verifier_rejects,
};
use super::tests::mixed_program;
use super::*;
use crate::executor::PAGE_SIZE;
use crate::trace::decode::fill_row;

fn decode_row(trace: &mut EpochTrace, row: usize) -> &mut [Val] {
    let w = DecodeCols::new().width;
    &mut trace.traces[DECODE_TABLE].values[row * w..(row + 1) * w]
}

/// The decode table row of `op` that some cycle executed (multiplicity > 0).
fn decode_row_of(trace: &EpochTrace, op: Opcode) -> usize {
    let c = DecodeCols::new();
    let s = c.sel[selector_index(op).unwrap()];
    let rows = &trace.traces[DECODE_TABLE].values;
    (0..rows.len() / c.width)
        .find(|&r| rows[r * c.width + s] == Val::ONE && rows[r * c.width + c.mult] != Val::ZERO)
        .unwrap_or_else(|| panic!("no executed {op} word"))
}

/// A padding row of the decode table.
fn padding_decode_row(trace: &EpochTrace) -> usize {
    let c = DecodeCols::new();
    let rows = &trace.traces[DECODE_TABLE].values;
    (0..rows.len() / c.width)
        .find(|&r| rows[r * c.width + c.is_real] == Val::ZERO)
        .expect("the decode table has padding rows")
}

/// The byte-bus sends of a real decode row at `pc`: its bytes, the top
/// one times 4, and the link's bytes.
fn pc_bytes(pc: u32) -> Vec<u32> {
    let mut v: Vec<u32> = pc.to_le_bytes().map(u32::from).to_vec();
    v.push((pc >> 24) * 4);
    v.extend(pc.wrapping_add(4).to_le_bytes().map(u32::from));
    v
}

/// Moves byte-table multiplicities: one less for each of `from`, one more
/// for each of `to`.
fn recount_bytes(trace: &mut EpochTrace, from: &[u32], to: &[u32]) {
    let rows = &mut trace.traces[RANGE_TABLE].values;
    for &b in from {
        rows[b as usize * RANGE_WIDTH + MULT] -= Val::ONE;
    }
    for &b in to {
        rows[b as usize * RANGE_WIDTH + MULT] += Val::ONE;
    }
}

/// Overwrites padding decode row `row` with a real row fetching `word` at
/// `pc`, its range checks counted.
fn put_fetch(trace: &mut EpochTrace, row: usize, pc: u32, word: u32, mult: u32) {
    let was_real = decode_row(trace, row)[DecodeCols::new().is_real] == Val::ONE;
    let old_pc = decode_row(trace, row)[DecodeCols::new().pc].as_canonical_u64() as u32;
    let r = decode_row(trace, row);
    r.fill(Val::ZERO);
    fill_row(r, Some((pc, (word, mult)))).unwrap();
    let from = if was_real { pc_bytes(old_pc) } else { vec![] };
    recount_bytes(trace, &from, &pc_bytes(pc));
}

/// The final timestamp column the page table gives the word at `addr`.
fn page_fin_ts(trace: &mut EpochTrace, addr: u32) -> &mut Val {
    let c = PageCols::new();
    let rows = &mut trace.traces[PAGE_TABLE].values;
    let block = (addr as usize % PAGE_SIZE) / (4 * WORDS_PER_BLOCK);
    let r = (0..rows.len() / c.width)
        .find(|&r| {
            let row = &rows[r * c.width..(r + 1) * c.width];
            row[c.is_real] == Val::ONE
                && row[c.page] == Val::from_u32(addr / PAGE_SIZE as u32)
                && row[c.block] == Val::from_usize(block)
        })
        .expect("the word's page is touched");
    &mut rows[r * c.width + c.fin_ts[(addr as usize % 16) / 4]]
}

fn proves_and_verifies(st: &EpochStatement, trace: &EpochTrace) {
    let params = params_under_test();
    let image = Digest([3; 8]);
    let proof = prove_trace(&params, &image, super::negative::K, 0, st, trace).unwrap();
    verify_epoch(&params, &image, super::negative::K, 0, st, &proof).unwrap();
}

/// A fetch row takes the word memory holds at its pc. An extra row at an
/// address no cycle executes (instruction 26, jumped over) verifies when it
/// takes that address's word and the page table takes it back at
/// `FETCH_HOLD_TS`; with any other word it does not.
#[test]
fn a_fetch_takes_the_word_in_memory() {
    let (st, mut t) = setup();
    let program = mixed_program();
    let skipped = t.start_pc + 4 * 26;
    let pad = padding_decode_row(&t);
    *page_fin_ts(&mut t, skipped) = Val::from_u32(FETCH_HOLD_TS);
    put_fetch(&mut t, pad, skipped, program[26], 0);
    assert!(!locally_rejected(&st, &t));
    proves_and_verifies(&st, &t);
    // `addi x10, x0, 2` (instruction 28) is as decodable, but not there.
    put_fetch(&mut t, pad, skipped, program[28], 0);
    assert!(!locally_rejected(&st, &t), "only the memory bus can see it");
    assert!(verifier_rejects(&st, &t));
}

/// An address is fetched once per epoch: a second row for an executed pc,
/// even with the right word and no multiplicity, finds no initial token to
/// take. (A second fetch could otherwise follow a store to that word.)
#[test]
fn a_word_is_fetched_once_per_epoch() {
    let (st, mut t) = setup();
    let pc = t.start_pc + 4 * 3;
    let (word, _) = fetched_word(&t, Val::from_u32(pc));
    let pad = padding_decode_row(&t);
    put_fetch(&mut t, pad, pc, word, 0);
    assert!(!locally_rejected(&st, &t), "only the memory bus can see it");
    assert!(verifier_rejects(&st, &t));
}

/// No cycle reads or writes a word its epoch fetches (the executor ends
/// the epoch before such an access). The load here reads a word that no
/// cycle executes, which proves; a fetch row added at that address (as if
/// the word were also executed) then cannot share the word's one initial
/// token with the load: taking it too leaves the memory bus unbalanced, and
/// chaining the load after the fetch (consuming the token the fetch hands
/// back at `FETCH_HOLD_TS`) makes the load's timestamp gap negative, which
/// no pair of 12-bit limbs can express.
#[test]
fn a_fetched_word_is_never_data() {
    use sluice_verifier::air::cpu::{SLOT_READ2, TS_PER_CYCLE};
    use sluice_verifier::air::ts_range::TS_LIMB_BITS;
    use sluice_verifier::air::TS_RANGE_TABLE;
    use sluice_verifier::isa::Instruction as I;
    let data = I::i(Opcode::Addi, 7, 0, 5).encode();
    let words = [
        I::u(Opcode::Lui, 6, 0x1_0000).encode(),
        I::i(Opcode::Lw, 5, 6, 16).encode(),
        I::i(Opcode::Addi, 17, 0, 93).encode(),
        I::bare(Opcode::Ecall).encode(),
        data,
    ];
    let (st, mut honest) = setup_with(&words);
    let addr = honest.start_pc + 16;
    let c = CpuCols::new();
    let load = row_of(&honest, Opcode::Lw);
    assert_eq!(
        cpu_row(&mut honest, load)[c.read2_val[0]],
        Val::from_u32(data & 0xff)
    );
    proves_and_verifies(&st, &honest);

    // The fetch takes the initial token the load also takes.
    let (st, mut t) = setup_with(&words);
    let pad = padding_decode_row(&t);
    put_fetch(&mut t, pad, addr, data, 0);
    assert!(!locally_rejected(&st, &t), "only the memory bus can see it");
    assert!(verifier_rejects(&st, &t));

    // The load takes the fetch's token instead: the memory bus balances,
    // the limbs satisfy the row's gap equation, but one limb is no 12-bit
    // value, so the limb bus does not.
    let (st, mut t) = setup_with(&words);
    let pad = padding_decode_row(&t);
    put_fetch(&mut t, pad, addr, data, 0);
    let row = cpu_row(&mut t, load);
    let (prev, d0, d1) = (
        row[c.read2.prev_ts],
        row[c.read2.diff[0]],
        row[c.read2.diff[1]],
    );
    let ts = prev + Val::ONE + d0 + d1 * Val::from_u32(1 << TS_LIMB_BITS);
    assert_eq!(
        ts.as_canonical_u64() % u64::from(TS_PER_CYCLE),
        u64::from(SLOT_READ2 + 1)
    );
    let hold = Val::from_u32(FETCH_HOLD_TS);
    row[c.read2.prev_ts] = hold;
    row[c.read2.diff[0]] = ts - hold - Val::ONE;
    row[c.read2.diff[1]] = Val::ZERO;
    let limbs = &mut t.traces[TS_RANGE_TABLE].values;
    for old in [d0, d1] {
        limbs[old.as_canonical_u64() as usize * RANGE_WIDTH + MULT] -= Val::ONE;
    }
    limbs[MULT] += Val::ONE;
    assert!(!locally_rejected(&st, &t), "only the limb bus can see it");
    assert!(verifier_rejects(&st, &t));
}

/// A padding row fetches nothing, so it may provide nothing: otherwise it
/// could decode any word at any pc. Here it takes over a real row's
/// multiplicity with the same decoding, which keeps both buses balanced.
#[test]
fn padding_decode_rows_provide_nothing() {
    let (st, mut t) = setup();
    let c = DecodeCols::new();
    let pc = t.start_pc + 4 * 3;
    let (word, real) = fetched_word(&t, Val::from_u32(pc));
    let mult = decode_row(&mut t, real)[c.mult];
    decode_row(&mut t, real)[c.mult] = Val::ZERO;
    let pad = padding_decode_row(&t);
    put_fetch(&mut t, pad, pc, word, 0);
    let row = decode_row(&mut t, pad);
    row[c.is_real] = Val::ZERO;
    row[c.mult] = mult;
    recount_bytes(&mut t, &pc_bytes(pc), &[]);
    assert!(locally_rejected(&st, &t));
    assert!(verifier_rejects(&st, &t));
}

/// A fetch row cannot move to another address, even one holding the same
/// word: `addi x1, x1, 1` at word 0 runs, its twin at word 2 is jumped
/// over. Moving word 0's row to word 2 (its bytes, link and range checks
/// with it, the page table taking word 2's token back at `FETCH_HOLD_TS`
/// and word 0's at 0) keeps memory and bytes balanced and every row
/// locally valid; only the CPU's decode message, keyed by its pc, sees it.
#[test]
fn a_fetch_row_keeps_its_pc() {
    use sluice_verifier::isa::Instruction as I;
    let twin = I::i(Opcode::Addi, 1, 1, 1).encode();
    let words = [
        twin,
        I::jal(0, 8).encode(),
        twin,
        I::i(Opcode::Addi, 17, 0, 93).encode(),
        I::bare(Opcode::Ecall).encode(),
    ];
    let (st, mut t) = setup_with(&words);
    let (ran, skipped) = (t.start_pc, t.start_pc + 8);
    proves_and_verifies(&st, &t);
    let (_, row) = fetched_word(&t, Val::from_u32(ran));
    let mult = decode_row(&mut t, row)[DecodeCols::new().mult].as_canonical_u64() as u32;
    put_fetch(&mut t, row, skipped, twin, mult);
    *page_fin_ts(&mut t, ran) = Val::ZERO;
    *page_fin_ts(&mut t, skipped) = Val::from_u32(FETCH_HOLD_TS);
    assert!(!locally_rejected(&st, &t), "only the decode bus can see it");
    assert!(verifier_rejects(&st, &t));
}

/// AUIPC's `pc` bytes and a jump's link reach the CPU row only through the
/// decode message (protocol 12): an AUIPC adding to other bytes (with the
/// sum and `rd` moved to match) and a JAL writing another link are locally
/// consistent, and only the decode bus sees them.
#[test]
fn cpu_pc_bytes_and_link_come_from_the_decode_table() {
    let c = CpuCols::new();
    let (st, mut t) = setup();
    let r = row_of(&t, Opcode::Auipc);
    let row = cpu_row(&mut t, r);
    for col in [c.rs1_val[1], c.alu_c[1], c.write_new[1]] {
        row[col] += Val::ONE;
    }
    assert!(!locally_rejected(&st, &t), "only the decode bus can see it");
    assert!(verifier_rejects(&st, &t));
    let (st, mut t) = setup();
    let r = row_of(&t, Opcode::Jal);
    assert_eq!(cpu_row(&mut t, r)[c.rd_zero], Val::ZERO, "`jal x7, 20`");
    cpu_row(&mut t, r)[c.write_new[0]] += Val::ONE;
    assert!(!locally_rejected(&st, &t), "only the decode bus can see it");
    assert!(verifier_rejects(&st, &t));
    // `jalr x0` writes 0, not its link.
    let (st, mut t) = setup();
    let r = row_of(&t, Opcode::Jalr);
    assert_eq!(cpu_row(&mut t, r)[c.rd_zero], Val::ONE, "`jalr x0, x7, 0`");
    let link = cpu_row(&mut t, r)[c.pc] + Val::from_u32(4);
    let bytes = (link.as_canonical_u64() as u32).to_le_bytes();
    let row = cpu_row(&mut t, r);
    for (i, b) in bytes.into_iter().enumerate() {
        row[c.write_new[i]] = Val::from_u32(b.into());
    }
    row[c.rd_zero] = Val::ZERO;
    assert!(!locally_rejected(&st, &t), "only the decode bus can see it");
    assert!(verifier_rejects(&st, &t));
}

/// A decode row's `rd = x0` flag is proven from the word's `rd` field, and
/// its link flag from that and the opcode.
#[test]
fn decode_rows_prove_their_x0_and_link_flags() {
    let c = DecodeCols::new();
    let (st, t0) = setup();
    let jal = decode_row_of(&t0, Opcode::Jal);
    for (r, col, value) in [
        (jal, c.rd_zero, Val::ONE),
        (jal, c.link_rd, Val::ZERO),
        (decode_row_of(&t0, Opcode::Jalr), c.rd_zero, Val::ZERO),
        (decode_row_of(&t0, Opcode::Add), c.link_rd, Val::ONE),
    ] {
        let mut t = EpochTrace {
            traces: t0.traces.clone(),
            alu_events: vec![],
            ..t0
        };
        decode_row(&mut t, r)[col] = value;
        assert!(locally_rejected(&st, &t), "column {col}");
        assert!(verifier_rejects(&st, &t), "column {col}");
    }
}

/// A decode row's link is `pc + 4` and its pc is its bytes: another link,
/// or bytes of another pc, fail its own constraints.
#[test]
fn decode_rows_prove_their_pc_bytes_and_link() {
    let c = DecodeCols::new();
    let pc = Val::from_u32(0x1_0000 + 4 * 3);
    let (st, mut t) = setup();
    let (_, r) = fetched_word(&t, pc);
    decode_row(&mut t, r)[c.link[0]] += Val::ONE;
    assert!(locally_rejected(&st, &t));
    assert!(verifier_rejects(&st, &t));
    // Bytes (and link) of pc + 1 under pc: only `pc = Σ bytes` sees it.
    let (st, mut t) = setup();
    decode_row(&mut t, r)[c.pc_limbs[0]] += Val::ONE;
    decode_row(&mut t, r)[c.link[0]] += Val::ONE;
    assert!(locally_rejected(&st, &t));
    assert!(verifier_rejects(&st, &t));
    // No inverse of the upper half: only the `pc >= 0x1_0000` check sees it.
    let (st, mut t) = setup();
    decode_row(&mut t, r)[c.pc_hi_inv] = Val::ZERO;
    assert!(locally_rejected(&st, &t));
    assert!(verifier_rejects(&st, &t));
}

/// The message's `pc` field is what binds the CPU row's `pc` column (its
/// chain, `next_pc`) to the decoding. Two executed addresses hold the same
/// `addi` (whose message carries no pc bytes or link, protocol 12): moving
/// one execution's multiplicity to the other address leaves every row
/// locally valid, and only the `pc` field tells the two decodings apart.
#[test]
fn the_decode_message_binds_the_cpu_pc() {
    use sluice_verifier::isa::Instruction as I;
    let twin = I::i(Opcode::Addi, 1, 1, 1).encode();
    let words = [
        twin,
        twin,
        I::i(Opcode::Addi, 17, 0, 93).encode(),
        I::bare(Opcode::Ecall).encode(),
    ];
    let (st, mut t) = setup_with(&words);
    proves_and_verifies(&st, &t);
    let (a, b) = (t.start_pc, t.start_pc + 4);
    let c = CpuCols::new();
    let d = DecodeCols::new();
    assert_eq!(cpu_row(&mut t, 0)[c.pc], Val::from_u32(a));
    let (_, ra) = fetched_word(&t, Val::from_u32(a));
    let (_, rb) = fetched_word(&t, Val::from_u32(b));
    decode_row(&mut t, ra)[d.mult] -= Val::ONE;
    decode_row(&mut t, rb)[d.mult] += Val::ONE;
    assert!(!locally_rejected(&st, &t), "only the decode bus can see it");
    assert!(verifier_rejects(&st, &t));
}

#[test]
fn honest_decode_table_proves_and_verifies() {
    let (st, t) = setup();
    let c = DecodeCols::new();
    let rows = &t.traces[DECODE_TABLE].values;
    let executed: u64 = (0..rows.len() / c.width)
        .map(|r| rows[r * c.width + c.mult].as_canonical_u64())
        .sum();
    assert_eq!(executed, t.cycles, "every cycle is counted once");
    let params = params_under_test();
    let image = Digest([3; 8]);
    let proof = prove_trace(&params, &image, super::negative::K, 0, &st, &t).unwrap();
    verify_epoch(&params, &image, super::negative::K, 0, &st, &proof).unwrap();
}

/// A branch that is not taken never uses its immediate in the CPU row, so
/// only the decode lookup ties it to the word: a forged one must fail
/// there, at the verifier.
#[test]
fn cpu_immediate_comes_from_the_decode_table() {
    let (st, mut t) = setup();
    let c = CpuCols::new();
    let r = row_of(&t, Opcode::Bne);
    assert_eq!(cpu_row(&mut t, r)[c.taken], Val::ZERO, "BNE is never taken");
    cpu_row(&mut t, r)[c.imm[0]] += Val::from_u32(4);
    assert!(!locally_rejected(&st, &t), "only the decode bus can see it");
    assert!(verifier_rejects(&st, &t));
}

/// A real row's flags are the decode table's: a not-taken BNE that drops
/// its branch flag is locally a plain `pc + 4` step.
#[test]
fn cpu_flags_come_from_the_decode_table() {
    let (st, mut t) = setup();
    let c = CpuCols::new();
    let r = row_of(&t, Opcode::Bne);
    cpu_row(&mut t, r)[c.flag(Flag::Bne)] = Val::ZERO;
    assert!(!locally_rejected(&st, &t), "only the decode bus can see it");
    assert!(verifier_rejects(&st, &t));
}

/// A store's `rd` field is part of its immediate; the row's `rd_num` is
/// bound to the word only through the decode bus.
#[test]
fn cpu_register_fields_come_from_the_decode_table() {
    let (st, mut t) = setup();
    let c = CpuCols::new();
    let r = row_of(&t, Opcode::Sw);
    let row = cpu_row(&mut t, r);
    assert_eq!(row[c.rd_num], Val::from_u32(4), "`sw x4, 4(x2)`");
    row[c.rd_num] = Val::from_u32(5);
    assert!(!locally_rejected(&st, &t), "only the decode bus can see it");
    assert!(verifier_rejects(&st, &t));
}

#[test]
fn decode_multiplicity_must_count_the_cpu_rows() {
    let (st, mut t) = setup();
    let r = decode_row_of(&t, Opcode::Add);
    let c = DecodeCols::new();
    decode_row(&mut t, r)[c.mult] += Val::ONE;
    assert!(!locally_rejected(&st, &t));
    assert!(verifier_rejects(&st, &t));
}

#[test]
fn decode_rows_must_decode_their_bits() {
    let c = DecodeCols::new();
    let (add, sub, sll) = (
        selector_index(Opcode::Add).unwrap(),
        selector_index(Opcode::Sub).unwrap(),
        selector_index(Opcode::Sll).unwrap(),
    );
    // ADD's bits with SUB's selector (they differ in funct7 only).
    let (st, mut t) = setup();
    let r = decode_row_of(&t, Opcode::Add);
    let row = decode_row(&mut t, r);
    row[c.sel[add]] = Val::ZERO;
    row[c.sel[sub]] = Val::ONE;
    assert!(locally_rejected(&st, &t));
    assert!(verifier_rejects(&st, &t));
    // ... or SLL's (funct3).
    let (st, mut t) = setup();
    let row = decode_row(&mut t, r);
    row[c.sel[add]] = Val::ZERO;
    row[c.sel[sll]] = Val::ONE;
    assert!(locally_rejected(&st, &t));
    // No selector at all, or two.
    let (st, mut t) = setup();
    decode_row(&mut t, r)[c.sel[add]] = Val::ZERO;
    assert!(locally_rejected(&st, &t));
    let (st, mut t) = setup();
    decode_row(&mut t, r)[c.sel[sub]] = Val::ONE;
    assert!(locally_rejected(&st, &t));
    // Bits that are not bits but keep every field and byte: `add x3, x3,
    // x1` has rs2 = 1 (bit 20); 3·1 + (−1)·2 is still 1.
    let (st, mut t) = setup();
    let row = decode_row(&mut t, r);
    assert_eq!((row[c.bits[20]], row[c.bits[21]]), (Val::ONE, Val::ZERO));
    row[c.bits[20]] = Val::from_u32(3);
    row[c.bits[21]] = -Val::ONE;
    assert!(locally_rejected(&st, &t));
    // An immediate the word does not encode (`addi x1, x1, -1`).
    let (st, mut t) = setup();
    let r = decode_row_of(&t, Opcode::Addi);
    decode_row(&mut t, r)[c.imm[1]] += Val::ONE;
    assert!(locally_rejected(&st, &t));
    assert!(verifier_rejects(&st, &t));
}

#[test]
fn padding_rows_decode_nothing() {
    let c = CpuCols::new();
    for f in [Flag::Lui, Flag::Alu, Flag::Sw, Flag::Ecall, Flag::Jal] {
        let (st, mut t) = setup();
        let r = t.cycles as usize + 1;
        cpu_row(&mut t, r)[c.flag(f)] = Val::ONE;
        assert!(locally_rejected(&st, &t), "{f:?}");
    }
}
