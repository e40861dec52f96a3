//! Offline memory checking: the `mem` bus.
//!
//! Registers (word `4 * i`) and guest memory share one word-addressed space.
//! Every access *consumes* the token `(addr, old value, old timestamp)` and
//! *produces* `(addr, new value, timestamp)`, with `old timestamp <
//! timestamp` range-checked by the accessor, and every timestamp of the CPU
//! table is unique (`8 * clk + slot + 1`), so no row can consume the token it
//! produces (no self-cancelling message). The page table
//! ([`super::page`]) produces the initial value of every word of every
//! touched page at timestamp 0 and consumes its final value.
//! The LogUp sum over the `mem` bus is zero iff every read returns the value
//! last written (or the initial value).

use p3_lookup::{Count, InteractionBuilder};

use super::cpu::TS_PER_CYCLE;
use crate::params::MAX_TRACE_LOG2;

/// Name of the memory bus.
pub const MEM_BUS: &str = "mem";

/// The timestamp at which the decode table hands a fetched instruction word
/// back ([`super::decode`]): above every access of any epoch (a cycle's
/// accesses are at `8 * clk + 1..=8 * clk + 8`, `clk < 2^20`), so no access
/// can consume the token the decode row produces, and a word an epoch
/// fetches is read-only for the whole epoch. Only the page table's final
/// token takes it.
pub const FETCH_HOLD_TS: u32 = TS_PER_CYCLE * ((1 << MAX_TRACE_LOG2) + 1);

/// The largest timestamp an access can have: slot 8 of the last cycle.
const MAX_ACCESS_TS: u32 = TS_PER_CYCLE * ((1 << MAX_TRACE_LOG2) - 1) + TS_PER_CYCLE;
// Above every access, and far enough below `p` that `ts - FETCH_HOLD_TS - 1`
// is never a 24-bit gap.
const _: () = assert!(FETCH_HOLD_TS > MAX_ACCESS_TS);
const _: () = assert!((FETCH_HOLD_TS as u64) + (1 << 24) < crate::digest::KOALABEAR_MODULUS as u64);

fn message<E: Clone>(addr: E, value: [E; 4], ts: E) -> [E; 6] {
    let [a, b, c, d] = value;
    [addr, a, b, c, d, ts]
}

/// Produces `(addr, value, ts)` on the memory bus `count` (boolean) times.
pub fn mem_produce<AB: InteractionBuilder>(
    builder: &mut AB,
    addr: AB::Expr,
    value: [AB::Expr; 4],
    ts: AB::Expr,
    count: AB::Expr,
) {
    builder.push_interaction(MEM_BUS, message(addr, value, ts), Count::bounded(count, 1));
}

/// Consumes `(addr, value, ts)` from the memory bus `count` (boolean) times.
pub fn mem_consume<AB: InteractionBuilder>(
    builder: &mut AB,
    addr: AB::Expr,
    value: [AB::Expr; 4],
    ts: AB::Expr,
    count: AB::Expr,
) {
    builder.push_interaction(MEM_BUS, message(addr, value, ts), Count::bounded(-count, 1));
}
