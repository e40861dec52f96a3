//! Negative tests for the CPU row's three accesses (protocol 12): `rs1`, a
//! second read (`rs2` or a load's word) and a write (`rd` or a store's
//! word), and for the ALU operands that live in their value columns.
//! Each tampered trace is proven and must be rejected by the verifier.

use p3_field::PrimeCharacteristicRing;
use sluice_verifier::air::cpu::CpuCols;
use sluice_verifier::isa::Opcode;
use sluice_verifier::stark::config::Val;

use super::negative::{cpu_row, locally_rejected, row_of, setup, verifier_rejects};

/// Tampers with the first CPU row executing `op` of the mixed program and
/// checks that its own constraints and the verifier both reject it.
fn rejected_locally_and_by_the_verifier(op: Opcode, tamper: impl Fn(&CpuCols, &mut [Val])) {
    let (st, mut t) = setup();
    let c = CpuCols::new();
    let r = row_of(&t, op);
    tamper(&c, cpu_row(&mut t, r));
    assert!(locally_rejected(&st, &t), "{op}: the row's constraints");
    assert!(verifier_rejects(&st, &t), "{op}: the verifier");
}

/// Like [`rejected_locally_and_by_the_verifier`], for a tamper every row
/// constraint still accepts: only a bus, at the verifier, rejects it.
fn rejected_by_a_bus_alone(op: Opcode, tamper: impl Fn(&CpuCols, &mut [Val])) {
    let (st, mut t) = setup();
    let c = CpuCols::new();
    let r = row_of(&t, op);
    tamper(&c, cpu_row(&mut t, r));
    assert!(!locally_rejected(&st, &t), "{op}: only a bus can see it");
    assert!(verifier_rejects(&st, &t), "{op}: the verifier");
}

/// An I-format operation on the ALU bus reads no `rs2`: its operand `b`
/// sits in the second read's value columns and must be the immediate.
#[test]
fn an_immediate_operation_takes_its_immediate() {
    rejected_locally_and_by_the_verifier(Opcode::Andi, |c, row| {
        row[c.read2_val[1]] += Val::ONE;
    });
}

/// Each access is at its own address: a load's second read at its word,
/// a register-register operation's at `rs2`, a store's write at its word,
/// and a destination's write at `rd`.
#[test]
fn each_access_is_at_its_own_address() {
    let c = CpuCols::new();
    for (op, addr) in [
        (Opcode::Lw, c.read2_addr),
        (Opcode::Sub, c.read2_addr),
        (Opcode::Sw, c.write_addr),
        (Opcode::Add, c.write_addr),
    ] {
        rejected_locally_and_by_the_verifier(op, |_, row| row[addr] += Val::from_u32(4));
    }
}

/// A store's overwritten word is not constrained by its row (a word store
/// replaces all of it): only the memory bus ties it to the word's last value.
#[test]
fn a_store_cannot_forge_the_word_it_overwrites() {
    rejected_by_a_bus_alone(Opcode::Sw, |c, row| row[c.write_old[0]] += Val::ONE);
}

/// A load's word is consumed and produced from the same columns, so a load
/// cannot change memory; forging the value it reads (and the `rd` it
/// writes, consistently) unbalances the memory bus.
#[test]
fn a_load_cannot_forge_the_word_it_reads() {
    rejected_by_a_bus_alone(Opcode::Lw, |c, row| {
        row[c.read2_val[2]] += Val::ONE;
        row[c.write_new[2]] += Val::ONE;
    });
}

/// The second read's timestamp gap is range-checked like every access's.
#[test]
fn the_second_read_keeps_its_timestamp_order() {
    rejected_by_a_bus_alone(Opcode::Sub, |c, row| {
        row[c.read2.diff[0]] -= Val::from_u32(4096);
        row[c.read2.diff[1]] += Val::ONE;
    });
}
