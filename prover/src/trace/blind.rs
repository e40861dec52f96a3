//! The zero-knowledge blinding columns (`sluice_verifier::air::blind`):
//! every table's trace gains them, with fresh random messages linking the
//! tables in a ring.

use p3_field::PrimeCharacteristicRing;
use p3_matrix::dense::RowMajorMatrix;
use sluice_verifier::air::blind::{BLIND_MESSAGE_LEN, BLIND_WIDTH, IN, OUT, SEL};
use sluice_verifier::stark::config::Val;
use zk_rand::{CryptoRng, RngExt};

/// `traces` (every table of an epoch proof, in batch order) with the blinding
/// columns appended: in row 0, table `i` sends a random message and
/// receives table `i - 1`'s (table `n - 1`'s for table 0); every other row's
/// blinding columns are zero.
pub fn blind(
    traces: &[&RowMajorMatrix<Val>],
    rng: &mut impl CryptoRng,
) -> Vec<RowMajorMatrix<Val>> {
    let messages: Vec<[Val; BLIND_MESSAGE_LEN]> = (0..traces.len())
        .map(|_| core::array::from_fn(|_| rng.random()))
        .collect();
    traces
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let width = t.width + BLIND_WIDTH;
            let height = t.values.len() / t.width.max(1);
            let mut values = Val::zero_vec(height * width);
            for (dst, src) in values
                .chunks_exact_mut(width)
                .zip(t.values.chunks_exact(t.width))
            {
                dst[..t.width].copy_from_slice(src);
            }
            let first = &mut values[t.width..width];
            first[SEL] = Val::ONE;
            first[OUT..OUT + BLIND_MESSAGE_LEN].copy_from_slice(&messages[i]);
            let prev = (i + traces.len() - 1) % traces.len();
            first[IN..IN + BLIND_MESSAGE_LEN].copy_from_slice(&messages[prev]);
            RowMajorMatrix::new(values, width)
        })
        .collect()
}
