//! The decode table's trace: one row per instruction address the epoch
//! executed, with its word and how many cycles executed it.

use std::collections::BTreeMap;

use p3_field::PrimeCharacteristicRing;
use p3_matrix::dense::RowMajorMatrix;
use sluice_verifier::air::cpu::{role, selector_index};
use sluice_verifier::air::decode::{DecodeCols, Flag, FLAGS, NUM_FLAGS};
use sluice_verifier::isa::{decode, Instruction};
use sluice_verifier::layout::GUEST_MEMORY_START;
use sluice_verifier::stark::config::Val;

use super::alu::add_sub::limb_carries;
use super::cpu::circuit_imm;
use super::fill::{inv_or_zero, put_word};
use super::range::ByteCounts;
use super::TraceError;

/// `addi x0, x0, 0`: what padding rows decode (with multiplicity 0).
const PADDING_WORD: u32 = 0x0000_0013;

/// The word at each executed address and how many cycles executed it.
#[derive(Clone, Debug, Default)]
pub struct WordCounts(BTreeMap<u32, (u32, u32)>);

impl WordCounts {
    /// One more cycle at `pc` executing `word` (always the same word there:
    /// an epoch's fetched words are read-only).
    pub fn add(&mut self, pc: u32, word: u32) {
        let entry = self.0.entry(pc).or_insert((word, 0));
        debug_assert_eq!(entry.0, word, "pc {pc:#x} changed its word in an epoch");
        entry.1 += 1;
    }

    /// Distinct addresses.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The decoded instruction, or why the STARK cannot show it.
pub fn decode_supported(pc: u32, word: u32) -> Result<Instruction, TraceError> {
    let ins = decode(word).map_err(|_| TraceError::Unsupported {
        pc,
        what: format!("illegal instruction {word:#010x}"),
    })?;
    if selector_index(ins.opcode).is_none() {
        return Err(TraceError::Unsupported {
            pc,
            what: format!("instruction {}", ins.opcode),
        });
    }
    Ok(ins)
}

/// The flag values of `word`'s opcode, in [`FLAGS`] order.
pub fn flag_values(ins: &Instruction) -> [bool; NUM_FLAGS] {
    FLAGS.map(|f: Flag| f.set_by(ins.opcode))
}

/// The table's trace at `2^log_height` rows (at least `counts.len()`).
pub fn decode_trace(
    counts: &WordCounts,
    log_height: usize,
    bytes: &mut ByteCounts,
) -> Result<RowMajorMatrix<Val>, TraceError> {
    let c = DecodeCols::new();
    let height = 1usize << log_height;
    debug_assert!(counts.len() <= height);
    let mut values = Val::zero_vec(height * c.width);
    let padding = std::iter::repeat_n(None, height - counts.len());
    let rows = counts
        .0
        .iter()
        .map(|(&pc, &wn)| Some((pc, wn)))
        .chain(padding);
    for (row, entry) in values.chunks_exact_mut(c.width).zip(rows) {
        if let Some((pc, _)) = entry {
            let link = pc.wrapping_add(4);
            bytes.add_all(pc.to_le_bytes().map(u32::from));
            bytes.add((pc >> 24) * 4);
            bytes.add_all(link.to_le_bytes().map(u32::from));
        }
        fill_row(row, entry)?;
    }
    Ok(RowMajorMatrix::new(values, c.width))
}

/// Fills a zeroed decode row: `Some((pc, (word, mult)))` for a real row,
/// `None` for padding (which holds a valid pc, fetching nothing). The
/// caller counts a real row's range checks.
pub fn fill_row(row: &mut [Val], entry: Option<(u32, (u32, u32))>) -> Result<(), TraceError> {
    let c = DecodeCols::new();
    let (pc, word, mult) = match entry {
        Some((pc, (word, mult))) => {
            row[c.is_real] = Val::ONE;
            (pc, word, mult)
        }
        None => (GUEST_MEMORY_START, PADDING_WORD, 0),
    };
    row[c.pc] = Val::from_u32(pc);
    put_word(row, c.pc_limbs, pc);
    row[c.pc_hi_inv] = inv_or_zero(Val::from_u32(pc >> 16));
    put_word(row, c.link, pc.wrapping_add(4));
    for (&col, carry) in c.link_carry.iter().zip(limb_carries(pc, 4)) {
        row[col] = Val::from_u32(carry);
    }
    // The CPU replay decoded every counted word already.
    let ins = decode_supported(0, word)?;
    for (i, &b) in c.bits.iter().enumerate() {
        row[b] = Val::from_u32((word >> i) & 1);
    }
    let sel = selector_index(ins.opcode).expect("decode_supported checked it");
    row[c.sel[sel]] = Val::ONE;
    put_word(row, c.imm, circuit_imm(ins.opcode.format(), word));
    let rd = (word >> 7) & 31;
    row[c.rd_zero] = Val::from_bool(rd == 0);
    row[c.rd_inv] = inv_or_zero(Val::from_u32(rd));
    row[c.link_rd] = Val::from_bool(role(ins.opcode).links && rd != 0);
    row[c.mult] = Val::from_u32(mult);
    Ok(())
}
