//! Trace generation for the arithmetic tables.
//!
//! Input: the ALU operations of an epoch as [`AluEvent`]s `(op, a, b)` with
//! `op` an R-type ALU opcode (the CPU table sends exactly these on the ALU
//! bus). Output: one trace per table, one row per event, padded with
//! multiplicity-0 rows to a power of two, plus the byte-bus multiplicities
//! every row's range checks add to the `Range` table.

// Limb-indexed loops read like the equations they constrain.
#![allow(clippy::needless_range_loop)]

pub mod add_sub;
pub mod compare;
pub mod div_rem;
pub mod logic;
pub mod mul;
pub mod shift;

pub mod harness;
#[cfg(test)]
mod tests;

use p3_field::PrimeCharacteristicRing;
use p3_matrix::dense::RowMajorMatrix;
use sluice_verifier::isa::Opcode;
use sluice_verifier::stark::config::Val;

use super::range::ByteCounts;

/// One ALU operation: `c = op(a, b)`.
pub type AluEvent = (Opcode, u32, u32);

/// Smallest trace height of the harness's tables (tests): what the default
/// parameters accept (taller than FRI's final polynomial).
pub fn min_height() -> usize {
    1 << sluice_verifier::params::ProofParams::DEFAULT.min_log_height()
}

/// Which arithmetic table serves an opcode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AluTable {
    /// ADD, SUB.
    AddSub,
    /// AND, OR, XOR.
    Logic,
    /// SLT, SLTU.
    Compare,
    /// SLL, SRL, SRA.
    Shift,
    /// MUL, MULH, MULHSU, MULHU.
    Mul,
    /// DIV, DIVU, REM, REMU.
    DivRem,
}

impl AluTable {
    /// All tables, in a fixed order.
    pub const ALL: [AluTable; 6] = [
        AluTable::AddSub,
        AluTable::Logic,
        AluTable::Compare,
        AluTable::Shift,
        AluTable::Mul,
        AluTable::DivRem,
    ];

    /// The table that receives `op` on the ALU bus; `None` if `op` is not an
    /// R-type ALU opcode.
    pub fn of(op: Opcode) -> Option<AluTable> {
        use Opcode::*;
        Some(match op {
            Add | Sub => AluTable::AddSub,
            And | Or | Xor => AluTable::Logic,
            Slt | Sltu => AluTable::Compare,
            Sll | Srl | Sra => AluTable::Shift,
            Mul | Mulh | Mulhsu | Mulhu => AluTable::Mul,
            Div | Divu | Rem | Remu => AluTable::DivRem,
            _ => return None,
        })
    }

    /// Builds this table's trace from its events (all must belong to it),
    /// at least `min_rows` rows high.
    pub fn trace(
        self,
        events: &[AluEvent],
        bytes: &mut ByteCounts,
        min_rows: usize,
    ) -> RowMajorMatrix<Val> {
        match self {
            AluTable::AddSub => add_sub::trace(events, bytes, min_rows),
            AluTable::Logic => logic::trace(events, bytes, min_rows),
            AluTable::Compare => compare::trace(events, bytes, min_rows),
            AluTable::Shift => shift::trace(events, bytes, min_rows),
            AluTable::Mul => mul::trace(events, bytes, min_rows),
            AluTable::DivRem => div_rem::trace(events, bytes, min_rows),
        }
    }
}

/// Returned when an event's opcode has no arithmetic table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotAnAluOp(pub Opcode);

/// The traces of all arithmetic tables for one set of events, in
/// [`AluTable::ALL`] order, each at least `min_rows` rows high, and
/// whether any event went to it.
pub fn alu_traces(
    events: &[AluEvent],
    bytes: &mut ByteCounts,
    min_rows: usize,
) -> Result<Vec<(AluTable, RowMajorMatrix<Val>, bool)>, NotAnAluOp> {
    let mut split: [Vec<AluEvent>; 6] = Default::default();
    for &e in events {
        let t = AluTable::of(e.0).ok_or(NotAnAluOp(e.0))?;
        let i = AluTable::ALL.iter().position(|&x| x == t).expect("listed");
        split[i].push(e);
    }
    Ok(AluTable::ALL
        .iter()
        .zip(split.iter())
        .map(|(&t, ev)| (t, t.trace(ev, bytes, min_rows), !ev.is_empty()))
        .collect())
}

/// Writes `x` into column `col` of `row`.
pub(crate) fn set(row: &mut [Val], col: usize, x: u32) {
    row[col] = Val::from_u32(x);
}

/// Writes the four byte limbs of `x` from column `col` on.
pub(crate) fn set_word(row: &mut [Val], col: usize, x: u32) {
    for (i, b) in x.to_le_bytes().into_iter().enumerate() {
        row[col + i] = Val::from_u8(b);
    }
}

/// Assembles a table: one row per event via `fill` (which also records the
/// row's byte sends), then padding rows: the row `fill` makes for
/// `pad_op(0, 0)` with every selector and result column cleared, so they
/// satisfy the constraints and have multiplicity 0. Their byte sends are
/// gated off, so they are not recorded.
pub(crate) fn build_table(
    events: &[AluEvent],
    min_rows: usize,
    width: usize,
    bytes: &mut ByteCounts,
    pad_op: Opcode,
    zeroed_on_padding: &[usize],
    fill: impl Fn(Opcode, u32, u32, &mut [Val], &mut ByteCounts),
) -> RowMajorMatrix<Val> {
    let height = events
        .len()
        .next_power_of_two()
        .max(min_rows.next_power_of_two());
    let mut values = Val::zero_vec(height * width);
    for (row, &(op, a, b)) in values.chunks_exact_mut(width).zip(events) {
        fill(op, a, b, row, bytes);
    }
    if events.len() < height {
        let mut pad = Val::zero_vec(width);
        fill(pad_op, 0, 0, &mut pad, &mut ByteCounts::default());
        for &c in zeroed_on_padding {
            pad[c] = Val::ZERO;
        }
        for row in values.chunks_exact_mut(width).skip(events.len()) {
            row.copy_from_slice(&pad);
        }
    }
    RowMajorMatrix::new(values, width)
}

/// `(sign bit, low seven bits)` of a word's top limb.
pub(crate) fn sign_split(x: u32) -> (u32, u32) {
    let top = x >> 24;
    (top >> 7, top & 127)
}
