//! The public output table: the statement's output bytes, fixed by the
//! verifier.
//!
//! Its columns are **preprocessed**: the verifier builds (and commits) them
//! from the epoch statement's output, four bytes per row with their
//! positions, so the prover cannot change them. Each byte is received once
//! on [`OUTPUT_BUS`], where the [`super::io_words`] table sends the bytes the
//! epoch's public writes actually wrote, in execution order. The bus
//! balances only if those are exactly the statement's bytes: no hash, and
//! no cost per byte beyond a quarter of a row.

use alloc::vec::Vec;

use p3_air::{Air, BaseAir, WindowAccess};
use p3_field::{Field, PrimeCharacteristicRing};
use p3_lookup::{Count, InteractionBuilder};
use p3_matrix::dense::RowMajorMatrix;

use super::io_words::OUTPUT_BUS;

/// Bytes per row.
pub const BYTES_PER_ROW: usize = 4;
/// Preprocessed columns: the row's first position, its bytes, which of them
/// are output (the last row may be partial; padding rows hold none).
const PRE_POS: usize = 0;
const PRE_BYTE: usize = 1;
const PRE_REAL: usize = PRE_BYTE + BYTES_PER_ROW;
const PRE_WIDTH: usize = PRE_REAL + BYTES_PER_ROW;

/// The largest public output one epoch may commit; the verifier refuses a
/// longer claim before building anything.
pub const MAX_EPOCH_OUTPUT: usize = 1 << 20;

/// The table's height (log2) for an output of `len` bytes, with at least
/// `2^min_log_height` rows.
pub fn output_log_height(len: usize, min_log_height: usize) -> usize {
    let rows = len.div_ceil(BYTES_PER_ROW).max(1);
    (rows.next_power_of_two().trailing_zeros() as usize).max(min_log_height)
}

/// The output table for one epoch's statement.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutputAir {
    pub output: Vec<u8>,
    /// The table's height (log2), [`output_log_height`] of the output.
    pub log_height: usize,
}

impl OutputAir {
    pub fn new(output: &[u8], min_log_height: usize) -> Self {
        Self {
            output: output.to_vec(),
            log_height: output_log_height(output.len(), min_log_height),
        }
    }
}

impl<F: Field> BaseAir<F> for OutputAir {
    /// One main column, constrained to zero: the table has no witness.
    fn width(&self) -> usize {
        1
    }

    fn preprocessed_width(&self) -> usize {
        PRE_WIDTH
    }

    fn preprocessed_trace(&self) -> Option<RowMajorMatrix<F>> {
        let height = 1usize << self.log_height;
        let mut values = F::zero_vec(height * PRE_WIDTH);
        for (r, row) in values.chunks_exact_mut(PRE_WIDTH).enumerate() {
            row[PRE_POS] = F::from_usize(r * BYTES_PER_ROW);
            for i in 0..BYTES_PER_ROW {
                if let Some(&b) = self.output.get(r * BYTES_PER_ROW + i) {
                    row[PRE_BYTE + i] = F::from_u8(b);
                    row[PRE_REAL + i] = F::ONE;
                }
            }
        }
        Some(RowMajorMatrix::new(values, PRE_WIDTH))
    }
}

impl<AB: InteractionBuilder> Air<AB> for OutputAir
where
    AB::F: Field,
{
    fn eval(&self, builder: &mut AB) {
        let pre: Vec<AB::Expr> = builder
            .preprocessed()
            .current_slice()
            .iter()
            .map(|&v| v.into())
            .collect();
        let unused: AB::Expr = builder.main().current_slice()[0].into();
        builder.assert_zero(unused);
        for i in 0..BYTES_PER_ROW {
            let position = pre[PRE_POS].clone() + AB::Expr::from_usize(i);
            builder.push_interaction(
                OUTPUT_BUS,
                alloc::vec![position, pre[PRE_BYTE + i].clone()],
                Count::bounded(-pre[PRE_REAL + i].clone(), 1),
            );
        }
    }
}
