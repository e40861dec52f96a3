//! Negative tests of the memory binding: a prover that lies about memory at
//! an epoch's boundary (what it pages in, what it pages out) or breaks the
//! page, Merkle or Poseidon2 tables' structure is rejected.

use p3_field::PrimeCharacteristicRing;
use sluice_verifier::air::merkle::MerkleCols;
use sluice_verifier::air::page::PageCols;
use sluice_verifier::air::poseidon2::{Layout, Poseidon2Cols};
use sluice_verifier::air::{
    TableSet, MERKLE_TABLE, PAGE_TABLE, POSEIDON2_NARROW_TABLE, POSEIDON2_TABLE,
};
use sluice_verifier::isa::{Instruction as I, Opcode::*};
use sluice_verifier::stark::config::Val;

use super::negative::{locally_rejected, verifier_rejects};
use super::tests::{first_epoch, subword_program};
use super::*;
use crate::memory_image::MemoryImage;
use crate::trace::page::Checks;
use crate::trace::{generate_in_layout, generate_with};

const K: u32 = 6;
const DATA_PAGE: u32 = 0x2_0000 >> 10;

fn program() -> crate::executor::Program {
    crate::executor::Program::from_words(0x1_0000, &subword_program()).unwrap()
}

/// The honest first epoch of the sub-word program (it stores to
/// `0x2_0000` and loads back).
fn honest() -> (EpochRecord, EpochTransition, EpochStatement, EpochTrace) {
    let (record, tr) = first_epoch(&subword_program(), K);
    let st = statement_for(&record, &tr);
    let trace = generate(&record, &tr, &params_under_test()).unwrap();
    assert_eq!(
        constraint_failures(&params_under_test(), &st, &trace),
        vec![]
    );
    (record, tr, st, trace)
}

fn table_row(trace: &mut EpochTrace, table: usize, width: usize, row: usize) -> &mut [Val] {
    &mut trace.traces[table].values[row * width..(row + 1) * width]
}

#[test]
fn the_honest_memory_tables_are_exercised() {
    let (_, tr, _, trace) = honest();
    // Registers, code and data pages; every page 64 page rows, 22 Merkle rows.
    let pages: Vec<u32> = tr.page_outs.iter().map(|u| u.index).collect();
    assert_eq!(pages, vec![0, 0x1_0000 >> 10, DATA_PAGE]);
    let c = PageCols::new();
    let real = |t: usize, w: usize, col: usize| {
        trace.traces[t]
            .values
            .chunks_exact(w)
            .filter(|r| r[col] == Val::ONE)
            .count()
    };
    assert_eq!(real(PAGE_TABLE, c.width, c.is_real), 3 * 64);
    let m = MerkleCols::new();
    assert_eq!(real(MERKLE_TABLE, m.width, m.is_real), 3 * 22);
    assert_ne!(tr.start_root, tr.end_root, "the epoch wrote memory");
}

/// A prover that runs another program (other code at the same address)
/// while claiming this program's start state: its pages hash to another
/// root.
#[test]
fn paging_in_other_code_is_rejected() {
    let (_, honest_tr, honest_st, _) = honest();
    let mut words = subword_program();
    words[3] = I::i(Addi, 4, 0, 0x7e).encode();
    let (record, lie_tr) = first_epoch(&words, K);
    assert_ne!(lie_tr.start_root, honest_tr.start_root);
    let lie_st = EpochStatement {
        start: honest_st.start,
        ..statement_for(&record, &lie_tr)
    };
    // (a) The Merkle chain claims to start at the honest root: the old walk
    // of the code page does not arrive there.
    let mut tr_a = lie_tr.clone();
    tr_a.start_root = honest_tr.start_root;
    let t = generate_with(&record, &tr_a, Checks::Off, &params_under_test()).unwrap();
    assert!(locally_rejected(&lie_st, &t));
    assert!(verifier_rejects(&lie_st, &t));
    // (b) A consistent chain from the lie's root, with the honest root as
    // the public start root.
    let mut t = generate(&record, &lie_tr, &params_under_test()).unwrap();
    t.start_root = honest_tr.start_root;
    assert!(locally_rejected(&lie_st, &t));
    assert!(verifier_rejects(&lie_st, &t));
}

/// The page table pages in a data word with another value than memory
/// holds (the Merkle walk is honest): the page's old leaf no longer matches.
#[test]
fn paging_in_a_wrong_value_is_rejected() {
    let (record, tr, st, _) = honest();
    let mut lie = record.clone();
    let page = lie
        .pages
        .iter_mut()
        .find(|p| p.index == 0x1_0000 >> 10)
        .unwrap();
    page.data[0x200] ^= 1; // an unaccessed word of the code page
    let mut lie_tr = tr.clone();
    for p in lie_tr
        .end_pages
        .iter_mut()
        .filter(|p| p.index == 0x1_0000 >> 10)
    {
        p.data[0x200] ^= 1;
    }
    let t = generate_with(&lie, &lie_tr, Checks::Off, &params_under_test()).unwrap();
    assert!(verifier_rejects(&st, &t));
}

/// The epoch's store is left out of the end memory: the end root claimed
/// is that of memory without the write.
#[test]
fn a_write_dropped_at_page_out_is_rejected() {
    let (record, tr, _, _) = honest();
    let start_data = &record
        .pages
        .iter()
        .find(|p| p.index == DATA_PAGE)
        .unwrap()
        .data;
    let mut end_pages = tr.end_pages.clone();
    let data = end_pages.iter_mut().find(|p| p.index == DATA_PAGE).unwrap();
    assert_ne!(
        data.data, *start_data,
        "the program stores to the data page"
    );
    data.data = start_data.clone();
    let dropped = MemoryImage::new(&program())
        .apply(&record, end_pages)
        .unwrap();
    assert_ne!(dropped.end_root, tr.end_root);
    let st = statement_for(&record, &dropped);
    let t = generate_with(&record, &dropped, Checks::Off, &params_under_test()).unwrap();
    assert!(verifier_rejects(&st, &t));
}

/// Memory that no cycle touched changes across the epoch.
#[test]
fn changing_an_unaccessed_word_is_rejected() {
    let (record, tr, _, _) = honest();
    let mut end_pages = tr.end_pages.clone();
    let data = end_pages.iter_mut().find(|p| p.index == DATA_PAGE).unwrap();
    data.data[0x100] ^= 0x80;
    let changed = MemoryImage::new(&program())
        .apply(&record, end_pages)
        .unwrap();
    let st = statement_for(&record, &changed);
    let t = generate_with(&record, &changed, Checks::Off, &params_under_test()).unwrap();
    assert!(verifier_rejects(&st, &t));
}

/// A claimed end root other than the one the Merkle chain computes.
#[test]
fn a_wrong_end_root_is_rejected() {
    let (_, _, st, mut t) = honest();
    t.end_root = t.start_root;
    let st = EpochStatement {
        end: state_digest(t.end_pc, &t.end_root),
        ..st
    };
    assert!(locally_rejected(&st, &t));
    assert!(verifier_rejects(&st, &t));
}

#[test]
fn page_table_structure_is_enforced() {
    let (_, _, st, t) = honest();
    let c = PageCols::new();
    let tamper = |f: &dyn Fn(&mut EpochTrace)| {
        let mut t2 = EpochTrace {
            traces: t.traces.clone(),
            alu_events: vec![],
            ..t
        };
        f(&mut t2);
        locally_rejected(&st, &t2)
    };
    // A page cut short: its second block claims to be the last.
    assert!(tamper(
        &|t| table_row(t, PAGE_TABLE, c.width, 1)[c.last] = Val::ONE
    ));
    // A page with 65 blocks: the last block is not marked last.
    assert!(tamper(
        &|t| table_row(t, PAGE_TABLE, c.width, 63)[c.last] = Val::ZERO
    ));
    // Blocks out of order.
    assert!(tamper(
        &|t| table_row(t, PAGE_TABLE, c.width, 5)[c.block] = Val::from_u32(7)
    ));
    // The same page listed twice (the second page renamed to the first).
    assert!(tamper(&|t| {
        for r in 64..128 {
            let row = table_row(t, PAGE_TABLE, c.width, r);
            row[c.page] = Val::ZERO;
            for b in c.page_bytes {
                row[b] = Val::ZERO;
            }
        }
    }));
    // A page's sponge restarted mid-page.
    assert!(tamper(
        &|t| table_row(t, PAGE_TABLE, c.width, 10)[c.old_cap[0]] += Val::ONE
    ));
    // The sponge not starting from the leaf IV.
    assert!(tamper(
        &|t| table_row(t, PAGE_TABLE, c.width, 0)[c.new_cap[1]] += Val::ONE
    ));
    // Register x0 starting non-zero.
    assert!(tamper(&|t| {
        let row = table_row(t, PAGE_TABLE, c.width, 0);
        row[c.init[0][0]] = Val::ONE;
        row[c.fin[0][0]] = Val::ONE;
    }));
    // A padding row turned real after the last page.
    assert!(tamper(
        &|t| table_row(t, PAGE_TABLE, c.width, 3 * 64)[c.is_real] = Val::ONE
    ));
}

#[test]
fn merkle_table_structure_is_enforced() {
    let (_, _, st, t) = honest();
    let c = MerkleCols::new();
    let tamper = |f: &dyn Fn(&mut EpochTrace)| {
        let mut t2 = EpochTrace {
            traces: t.traces.clone(),
            alu_events: vec![],
            ..t
        };
        f(&mut t2);
        locally_rejected(&st, &t2)
    };
    // A path of 21 levels (an internal node posing as the root) or 23.
    assert!(tamper(
        &|t| table_row(t, MERKLE_TABLE, c.width, 20)[c.last] = Val::ONE
    ));
    assert!(tamper(
        &|t| table_row(t, MERKLE_TABLE, c.width, 21)[c.last] = Val::ZERO
    ));
    // A level number out of place.
    assert!(tamper(
        &|t| table_row(t, MERKLE_TABLE, c.width, 3)[c.level] = Val::from_u32(4)
    ));
    // The left/right choice not the index bit.
    assert!(tamper(&|t| {
        let row = table_row(t, MERKLE_TABLE, c.width, 30);
        row[c.bit] = Val::ONE - row[c.bit];
    }));
    // The next level's node is not the compression of this one.
    assert!(tamper(
        &|t| table_row(t, MERKLE_TABLE, c.width, 8)[c.new[2]] += Val::ONE
    ));
    // The running root changed inside a path.
    assert!(tamper(
        &|t| table_row(t, MERKLE_TABLE, c.width, 9)[c.root[0]] += Val::ONE
    ));
    // The table ends without padding (a real last row).
    assert!(tamper(&|t| {
        let h = t.traces[MERKLE_TABLE].values.len() / c.width;
        table_row(t, MERKLE_TABLE, c.width, h - 1)[c.is_real] = Val::ONE;
    }));
    // The bit flip is also caught by the buses when the index is adjusted
    // to match: the compression input is then not the one the Poseidon2
    // table proved.
    let mut t3 = EpochTrace {
        traces: t.traces.clone(),
        alu_events: vec![],
        ..t
    };
    let row = table_row(&mut t3, MERKLE_TABLE, c.width, 0);
    row[c.sibling[0]] += Val::ONE;
    assert!(verifier_rejects(&st, &t3));
}

/// The honest epoch with its Poseidon2 table in `layout`, and that table's
/// index and columns.
fn honest_in(layout: Layout) -> (EpochStatement, EpochTrace, usize, Poseidon2Cols) {
    let (record, tr, st, _) = honest();
    let t =
        generate_in_layout(&record, &tr, Checks::On, &params_under_test(), Some(layout)).unwrap();
    assert_eq!(constraint_failures(&params_under_test(), &st, &t), vec![]);
    let table = match layout {
        Layout::Wide => POSEIDON2_TABLE,
        Layout::Narrow => POSEIDON2_NARROW_TABLE,
    };
    assert!(t.tables.contains(table));
    (st, t, table, Poseidon2Cols::new(layout))
}

/// `t` with its tables' values copied, to tamper with.
fn copy_of(t: &EpochTrace) -> EpochTrace {
    EpochTrace {
        traces: t.traces.clone(),
        alu_events: vec![],
        ..*t
    }
}

/// Every round of a permutation is checked, in both layouts: a changed
/// cell of the input, of a full round, of a partial round (on either row of
/// a narrow permutation) or of the output breaks a round's equation.
#[test]
fn poseidon2_rows_must_be_permutations() {
    for layout in [Layout::Wide, Layout::Narrow] {
        let (st, t, table, c) = honest_in(layout);
        // The second permutation's rows.
        let first_row = layout.rows_per_perm();
        let cells = [
            c.input[0],
            c.head[0][3],
            c.partial[1],
            c.partial[7],
            c.tail[3][15],
        ];
        for cell in cells {
            let mut t2 = copy_of(&t);
            table_row(&mut t2, table, c.width, first_row + cell.row)[cell.col] += Val::ONE;
            assert!(locally_rejected(&st, &t2), "{layout:?} {cell:?}");
            assert!(verifier_rejects(&st, &t2), "{layout:?} {cell:?}");
        }
        // A multiplicity that provides a pair nobody uses, or withholds one:
        // the perm bus no longer balances.
        let mut t2 = copy_of(&t);
        table_row(&mut t2, table, c.width, 0)[c.mult] += Val::ONE;
        assert!(verifier_rejects(&st, &t2), "{layout:?}");
    }
}

/// The narrow layout's own checks: a second row never provides a pair (its
/// `(input, output)` would be cells of two different permutations), `first`
/// alternates from 1 on row 0, and a permutation's second row is its own,
/// not another's.
#[test]
fn poseidon2_narrow_row_pairs_cannot_be_regrouped() {
    let (st, t, table, c) = honest_in(Layout::Narrow);
    let first = c.first.unwrap();
    let w = c.width;
    // A second row providing the pair (its columns, the next first row's).
    let mut t2 = copy_of(&t);
    table_row(&mut t2, table, w, 1)[c.mult] = Val::ONE;
    assert!(locally_rejected(&st, &t2));
    assert!(verifier_rejects(&st, &t2));
    // A second row marked as a first row, or the table starting on one.
    for row in [1, 0] {
        let mut t2 = copy_of(&t);
        let r = table_row(&mut t2, table, w, row);
        r[first] = Val::ONE - r[first];
        assert!(locally_rejected(&st, &t2), "row {row}");
        assert!(verifier_rejects(&st, &t2), "row {row}");
    }
    // Every row a second row: nothing is checked, nothing may be provided.
    let mut t2 = copy_of(&t);
    let h = t2.traces[table].values.len() / w;
    for row in 0..h {
        table_row(&mut t2, table, w, row)[first] = Val::ZERO;
    }
    assert!(locally_rejected(&st, &t2));
    assert!(verifier_rejects(&st, &t2));
    // The first two permutations' second rows swapped: each first row now
    // sits above another permutation's rounds.
    let mut t2 = copy_of(&t);
    let values = &mut t2.traces[table].values;
    let (a, b) = values.split_at_mut(3 * w);
    a[w..2 * w].swap_with_slice(&mut b[..w]);
    assert!(locally_rejected(&st, &t2));
    assert!(verifier_rejects(&st, &t2));
}

/// A proof holds exactly one Poseidon2 layout: both, or neither, is refused
/// by the table set before any STARK check; and the layout named must be
/// the one proved (the other table's stand-in provides no pair, so the
/// perm bus does not balance).
#[test]
fn exactly_one_poseidon2_layout_is_proved() {
    let (st, t, _, _) = honest_in(Layout::Narrow);
    let both = TableSet(t.tables.0 | 1 << POSEIDON2_TABLE);
    let neither = TableSet(t.tables.0 & !(1 << POSEIDON2_NARROW_TABLE));
    let swapped = TableSet(neither.0 | 1 << POSEIDON2_TABLE);
    let airs = sluice_verifier::air::epoch_airs(&[], &params_under_test());
    for set in [both, neither] {
        let err = set.check(&airs, &[]).unwrap_err();
        assert!(err.contains("exactly one layout"), "{err}");
    }
    assert_eq!(swapped.check(&airs, &[]), Ok(()));
    let mut t2 = copy_of(&t);
    t2.tables = swapped;
    assert!(verifier_rejects(&st, &t2));
}
