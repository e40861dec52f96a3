//! Zero-knowledge blinding of each table's LogUp total.
//!
//! `p3-batch-stark` puts every table's LogUp total (the sum of its bus
//! fractions over all rows) into the proof in the clear; only the sum over
//! all tables is checked to be zero. The hiding PCS masks the committed
//! columns but not these totals, and a total is a function of the private
//! trace: the range table's, for one, is a linear form in the histogram of
//! every range-checked byte. So in zero-knowledge mode every table carries
//! [`BLIND_WIDTH`] more columns and links to its neighbours in a ring on
//! the [`BLIND`] bus:
//!
//! - table `i` **sends** `out_i`, four field elements the prover draws
//!   uniformly at random, once (`sel = 1` in one row);
//! - table `i` **receives** `out_{i-1}` (table `n-1`'s for table 0) in that
//!   same row.
//!
//! Table `i`'s total becomes `t_i + u_i - u_{i-1}`, with
//! `u_j = 1 / (prefix - c_j)`, where `prefix` is the bus's offset and `c_j`
//! `p3-lookup`'s combination of the message, `out_j[0]·β³ + out_j[1]·β² +
//! out_j[2]·β + out_j[3]`. The four random elements make `c_j` uniform over
//! the degree-4 extension (1, β, β², β³ are a basis unless β lies in a
//! subfield, which has negligible probability), so each `u_j` is uniform
//! on the nonzero elements and independent: the revealed totals are
//! uniform subject only to their sum being zero, which was public anyway.
//!
//! Soundness is untouched: the bus is its own (`p3-lookup` separates buses
//! by a challenge offset), so whatever the prover puts on it can only
//! balance with itself; `sel` is boolean, as the declared count bound
//! requires.

use p3_air::WindowAccess;
use p3_field::Field;
use p3_lookup::{Count, InteractionBuilder};

/// Name of the blinding bus.
pub const BLIND: &str = "zk-blind";

/// Field elements in a blinding message.
pub const BLIND_MESSAGE_LEN: usize = 4;

/// Blinding columns after a table's own: `sel`, `out[4]`, `in[4]`.
pub const BLIND_WIDTH: usize = 1 + 2 * BLIND_MESSAGE_LEN;

/// Offset of `sel` among the blinding columns.
pub const SEL: usize = 0;
/// Offset of the message the table sends.
pub const OUT: usize = 1;
/// Offset of the message the table receives (its predecessor's `OUT`).
pub const IN: usize = OUT + BLIND_MESSAGE_LEN;

/// The blinding constraints and bus messages of a table whose own columns
/// are the first `base` of its main trace.
pub fn eval<AB: InteractionBuilder>(builder: &mut AB, base: usize)
where
    AB::F: Field,
{
    let main = builder.main();
    let local: alloc::vec::Vec<AB::Expr> = main.current_slice()[base..base + BLIND_WIDTH]
        .iter()
        .map(|&v| v.into())
        .collect();
    let sel = local[SEL].clone();
    builder.assert_bool(sel.clone());
    builder.push_interaction(
        BLIND,
        local[OUT..OUT + BLIND_MESSAGE_LEN].to_vec(),
        Count::bounded(sel.clone(), 1),
    );
    builder.push_interaction(
        BLIND,
        local[IN..IN + BLIND_MESSAGE_LEN].to_vec(),
        Count::bounded(-sel, 1),
    );
}
