//! The table set of an epoch proof: which tables a proof may leave out, and
//! what the verifier does with a set that lies.

use std::panic::{catch_unwind, AssertUnwindSafe};

use sluice_verifier::air::{
    epoch_airs, SluiceAir, TableSet, IO_TABLE, IO_WORDS_TABLE, KECCAK_MEM_TABLE, KECCAK_TABLE,
    MERKLE_TABLE, OUTPUT_TABLE, RANGE_TABLE, SHA256_MEM_TABLE, SHA256_TABLE,
};
use sluice_verifier::stark::config::{SluiceConfig, SluiceZkConfig};
use sluice_verifier::stark::proof::{decode_proof, encode_proof};
use sluice_verifier::stark::verify_epoch;

use super::negative::{setup, verifier_rejects, K};
use super::*;

const IMAGE: Digest = Digest([3; 8]);

fn airs() -> Vec<SluiceAir> {
    epoch_airs(&[], &params_under_test())
}

/// Proves `trace` as it is (its table set included) and returns the name
/// of the verifier's failed check, if any.
fn verdict(st: &EpochStatement, trace: &EpochTrace) -> Result<(), &'static str> {
    let params = params_under_test();
    let proof = catch_unwind(AssertUnwindSafe(|| {
        prove_trace(&params, &IMAGE, K, 0, st, trace)
    }))
    .expect("the prover does not panic")
    .expect("the prover proves");
    verify_epoch(&params, &IMAGE, K, 0, st, &proof).map_err(|e| e.check)
}

/// [`verdict`] with `trace`'s table set replaced by `set`.
fn verdict_with(
    st: &EpochStatement,
    trace: &mut EpochTrace,
    set: TableSet,
) -> Result<(), &'static str> {
    let honest = std::mem::replace(&mut trace.tables, set);
    let v = verdict(st, trace);
    trace.tables = honest;
    v
}

fn without(set: TableSet, table: usize) -> TableSet {
    TableSet(set.0 & !(1 << table))
}

fn with(set: TableSet, table: usize) -> TableSet {
    TableSet(set.0 | 1 << table)
}

/// The mixed program uses every ALU table and no syscall but `exit`: its
/// plain proof leaves out exactly the wide Poseidon2 table (it touches few
/// pages, so it proves the narrow one), the I/O, output and precompile
/// tables (a ZK proof only the wide Poseidon2, output and precompile
/// tables: which other tables an epoch used is private), and verifies.
/// Padding-only optional tables may be included or left out.
#[test]
fn unused_tables_are_left_out_and_the_proof_verifies() {
    let (st, mut t) = setup();
    let absent: Vec<&str> = airs()
        .iter()
        .enumerate()
        .filter(|(i, _)| !t.tables.contains(*i))
        .map(|(_, a)| a.name())
        .collect();
    if params_under_test().zk {
        assert_eq!(
            absent,
            [
                "poseidon2",
                "output",
                "keccak",
                "keccak_mem",
                "sha256",
                "sha256_mem"
            ]
        );
    } else {
        assert_eq!(
            absent,
            [
                "poseidon2",
                "io",
                "io_words",
                "output",
                "keccak",
                "keccak_mem",
                "sha256",
                "sha256_mem"
            ]
        );
    }
    assert_eq!(verdict(&st, &t), Ok(()));

    let toggled = TableSet(t.tables.0 ^ (1 << IO_TABLE | 1 << IO_WORDS_TABLE));
    assert_eq!(verdict_with(&st, &mut t, toggled), Ok(()));
    let keccak = TableSet(t.tables.0 | 1 << KECCAK_TABLE | 1 << KECCAK_MEM_TABLE);
    assert_eq!(verdict_with(&st, &mut t, keccak), Ok(()));
    let sha256 = TableSet(t.tables.0 | 1 << SHA256_TABLE | 1 << SHA256_MEM_TABLE);
    assert_eq!(verdict_with(&st, &mut t, sha256), Ok(()));
}

/// Leaving out a table that has real rows (each ALU table, in the mixed
/// program) drops its side of every bus it talks on: the verifier's LogUp
/// sum no longer balances.
#[test]
fn leaving_out_a_used_table_is_rejected_by_the_verifier() {
    let (st, mut t) = setup();
    let honest = t.tables;
    let alu = ["add_sub", "logic", "compare", "shift", "mul", "div_rem"];
    for (i, air) in airs().iter().enumerate() {
        if !alu.contains(&air.name()) {
            continue;
        }
        assert!(honest.contains(i), "{} is used", air.name());
        t.tables = without(honest, i);
        assert!(verifier_rejects(&st, &t), "without {}", air.name());
    }
}

/// The tables with public values and those every epoch uses (of the two
/// Poseidon2 layouts, the one it proves) cannot be left out, whatever the
/// prover writes.
#[test]
fn a_required_table_cannot_be_left_out() {
    let (st, mut t) = setup();
    let mut checked = 0;
    for (i, air) in airs().iter().enumerate() {
        // The Poseidon2 layout the epoch does not use is absent already.
        if air.is_optional() || !t.tables.contains(i) {
            continue;
        }
        let set = without(t.tables, i);
        assert_eq!(
            verdict_with(&st, &mut t, set),
            Err("table set"),
            "{}",
            air.name()
        );
        checked += 1;
    }
    assert_eq!(checked, 7);
    assert!(!airs()[MERKLE_TABLE].is_optional() && !airs()[RANGE_TABLE].is_optional());
}

/// The output table is there exactly when the statement claims output
/// (its contents are the claim), and no bit may name a table that does not
/// exist.
#[test]
fn the_output_table_and_unknown_tables_follow_the_verifier() {
    let (st, mut t) = setup();
    let set = with(t.tables, OUTPUT_TABLE);
    assert_eq!(verdict_with(&st, &mut t, set), Err("table set"));
    let set = with(t.tables, airs().len());
    assert_eq!(verdict_with(&st, &mut t, set), Err("table set"));

    // A claimed output the proof has no table for.
    let claimed = EpochStatement {
        output: b"forged".to_vec(),
        ..st.clone()
    };
    assert_eq!(verdict(&claimed, &t), Err("table set"));
}

/// Relabelling an honest proof's set (one table swapped for another, so the
/// count still matches) makes the verifier check the committed traces
/// against the wrong AIRs: rejected.
#[test]
fn a_relabelled_table_set_is_rejected() {
    fn relabel<SC: sluice_verifier::stark::config::EpochStarkConfig>(
        bytes: &[u8],
        set: TableSet,
    ) -> Vec<u8> {
        let mut proof = decode_proof::<SC>(bytes).unwrap();
        proof.tables = set;
        encode_proof(&proof)
    }
    let (st, t) = setup();
    let params = params_under_test();
    let proof = prove_trace(&params, &IMAGE, K, 0, &st, &t).unwrap();
    let div_rem = airs().iter().position(|a| a.name() == "div_rem").unwrap();
    let swapped = with(without(t.tables, div_rem), IO_TABLE);
    let forged = if params.zk {
        relabel::<SluiceZkConfig>(&proof, swapped)
    } else {
        relabel::<SluiceConfig>(&proof, swapped)
    };
    let e = verify_epoch(&params, &IMAGE, K, 0, &st, &forged).unwrap_err();
    assert!(matches!(e.check, "stark" | "proof shape"), "{e}");
}
