//! Cell-filling helpers shared by the tables' trace generators.

use p3_field::{Field, PrimeCharacteristicRing};
use sluice_verifier::air::cpu::TsCols;
use sluice_verifier::air::layout::SegmentCols;
use sluice_verifier::air::precompile_call::BufferPtrCols;
use sluice_verifier::air::ts_range::TS_LIMB_BITS;
use sluice_verifier::layout::GUEST_MEMORY_END;
use sluice_verifier::stark::config::Val;

use super::ByteCounts;

/// The inverse of `x`, or 0 (the witness of an "is non-zero" gadget).
pub fn inv_or_zero(x: Val) -> Val {
    x.try_inverse().unwrap_or(Val::ZERO)
}

/// A word as four byte cells (already range-checked where it came from).
pub fn put_word(row: &mut [Val], cols: [usize; 4], x: u32) {
    for (c, b) in cols.iter().zip(x.to_le_bytes()) {
        row[*c] = Val::from_u8(b);
    }
}

/// The low `cols.len()` bytes of `x`, each sent on the byte bus.
pub fn put_bytes(row: &mut [Val], cols: &[usize], x: u32, bytes: &mut ByteCounts) {
    for (i, c) in cols.iter().enumerate() {
        let b = (x >> (8 * i)) & 0xff;
        row[*c] = Val::from_u32(b);
        bytes.add(b);
    }
}

/// A memory access's previous timestamp and the 12-bit limbs of
/// `ts - prev - 1`, each sent on the timestamp-limb bus.
pub fn put_ts(row: &mut [Val], cols: TsCols, prev: u32, ts: u32, bytes: &mut ByteCounts) {
    debug_assert!(prev < ts);
    row[cols.prev_ts] = Val::from_u32(prev);
    let gap = ts - prev - 1;
    debug_assert!(gap < 1 << (2 * TS_LIMB_BITS));
    for (i, c) in cols.diff.iter().enumerate() {
        let limb = (gap >> (TS_LIMB_BITS as usize * i)) & ((1 << TS_LIMB_BITS) - 1);
        row[*c] = Val::from_u32(limb);
        bytes.add_ts_limb(limb);
    }
}

/// A precompile call's buffer pointer and its checks, on the call's first
/// row (`sluice_verifier::air::precompile_call`).
pub fn put_buffer_ptr(
    row: &mut [Val],
    cols: BufferPtrCols,
    ptr: u32,
    len: u32,
    bytes: &mut ByteCounts,
) {
    put_word(row, cols.ptr, ptr);
    let quarter = (ptr & 0xff) / 4;
    row[cols.quarter] = Val::from_u32(quarter);
    bytes.add(quarter);
    bytes.add((ptr >> 24) * 4);
    row[cols.hi_inv] = inv_or_zero(Val::from_u32(ptr >> 16));
    let room = GUEST_MEMORY_END - len - ptr;
    put_bytes(row, &cols.room[..3], room, bytes);
    row[cols.room[3]] = Val::from_u32(room >> 24);
    bytes.add((room >> 24) * 4);
}

/// A real row at `position` of a segment of `len` rows
/// (`sluice_verifier::air::layout::eval_segments`).
pub fn put_segment(row: &mut [Val], seg: SegmentCols, position: usize, len: usize) {
    row[seg.is_real] = Val::ONE;
    row[seg.first] = Val::from_bool(position == 0);
    row[seg.last] = Val::from_bool(position == len - 1);
    row[seg.position] = Val::from_usize(position);
    row[seg.position_inv] = inv_or_zero(Val::from_usize(position) - Val::from_usize(len - 1));
}
