//! Vertical packing: `P::WIDTH` rows of a row-major matrix turned into one
//! packed value per column, lane `i` from row `i`.
//!
//! The Merkle tree hashes `P::WIDTH` leaves at once and the quotient
//! evaluates `P::WIDTH` points at once, so both read the committed rows
//! this way, every row of every LDE. Plonky3's matrices assemble each
//! packed value from `P::WIDTH` scalar loads, which at 2^20 cost about as
//! much as the leaves' Poseidon2 hashing itself (`docs/benchmarks.md`,
//! § Vertical packing). With AVX-512 and 16 lanes, [`pack_rows`] instead
//! transposes 16 × 16 tiles in registers.
#![allow(unsafe_code)]

use std::ops::Deref;

use p3_field::PackedValue;
use p3_matrix::dense::RowMajorMatrixCow;
use p3_matrix::Matrix;
use p3_util::reverse_bits_len;
use sluice_verifier::stark::config::Val;

/// A stored bit-reversed LDE read in natural row order, as Plonky3's
/// `BitReversedMatrixView` reads it, but packed by [`pack_rows`]: the
/// quotient domain the PCS lends the constraint evaluation.
pub struct NaturalOrder<'a> {
    inner: RowMajorMatrixCow<'a, Val>,
    log_height: usize,
}

impl<'a> NaturalOrder<'a> {
    /// `inner`'s rows in bit-reversed order; its height a power of two.
    pub fn new(inner: RowMajorMatrixCow<'a, Val>) -> Self {
        let log_height = p3_util::log2_strict_usize(inner.height());
        Self { inner, log_height }
    }

    /// Row `r` (modulo the height, a power of two), read one element at a
    /// time by the quotient for the LogUp columns: no division here.
    fn stored_row(&self, r: usize) -> &[Val] {
        let w = self.inner.width;
        let s = reverse_bits_len(r & ((1 << self.log_height) - 1), self.log_height);
        &self.inner.values[s * w..(s + 1) * w]
    }
}

impl Matrix<Val> for NaturalOrder<'_> {
    fn width(&self) -> usize {
        self.inner.width
    }

    fn height(&self) -> usize {
        self.inner.height()
    }

    unsafe fn get_unchecked(&self, r: usize, c: usize) -> Val {
        self.stored_row(r)[c]
    }

    unsafe fn row_subseq_unchecked(
        &self,
        r: usize,
        start: usize,
        end: usize,
    ) -> impl IntoIterator<Item = Val, IntoIter = impl Iterator<Item = Val> + Send + Sync> {
        self.stored_row(r)[start..end].iter().copied()
    }

    unsafe fn row_subslice_unchecked(
        &self,
        r: usize,
        start: usize,
        end: usize,
    ) -> impl Deref<Target = [Val]> {
        &self.stored_row(r)[start..end]
    }

    fn vertically_packed_row<P>(&self, r: usize) -> impl Iterator<Item = P>
    where
        P: PackedValue<Value = Val>,
    {
        let rows: Vec<&[Val]> = (r..r + P::WIDTH).map(|i| self.stored_row(i)).collect();
        pack_rows::<P>(&rows, self.width()).into_iter()
    }

    fn vertically_packed_row_pair<P>(&self, r: usize, step: usize) -> Vec<P>
    where
        P: PackedValue<Value = Val>,
    {
        packed_row_pair(self, r, step)
    }
}

/// Rows `r..` and `r + step..` (wrapping) of `matrix`, each packed by its
/// own `vertically_packed_row`: the pair Plonky3 asks for, without its
/// default's scalar gather.
pub fn packed_row_pair<P, M>(matrix: &M, r: usize, step: usize) -> Vec<P>
where
    P: PackedValue<Value = Val>,
    M: Matrix<Val>,
{
    let mut pair: Vec<P> = matrix.vertically_packed_row(r).collect();
    pair.extend(matrix.vertically_packed_row::<P>((r + step) % matrix.height()));
    pair
}

/// One packed value per column of `rows`: `out[c]` holds `rows[i][c]` in
/// lane `i`. `rows` must hold `P::WIDTH` rows of at least `width` values.
pub fn pack_rows<P: PackedValue<Value = Val>>(rows: &[&[Val]], width: usize) -> Vec<P> {
    assert_eq!(rows.len(), P::WIDTH, "one row per lane");
    assert!(rows.iter().all(|row| row.len() >= width), "rows too short");
    let mut out: Vec<P> = Vec::with_capacity(width);
    #[cfg(all(target_arch = "x86_64", target_feature = "avx512f"))]
    if P::WIDTH == 16 && size_of::<Val>() == size_of::<u32>() {
        out.resize(width / 16 * 16, P::from_fn(|_| Val::default()));
        for (t, columns) in out.chunks_exact_mut(16).enumerate() {
            let dst: [*mut u32; 16] =
                core::array::from_fn(|k| columns[k].as_slice_mut().as_mut_ptr().cast());
            // SAFETY: every row holds at least `width >= 16 * (t + 1)`
            // values, and each `dst[k]` points at the 16 lanes of one packed
            // value, field elements that are 32-bit words any of the rows'
            // own words may replace.
            unsafe { avx512::transpose_tile(rows, 16 * t, dst) };
        }
    }
    let done = out.len();
    out.extend((done..width).map(|c| P::from_fn(|i| rows[i][c])));
    out
}

#[cfg(all(target_arch = "x86_64", target_feature = "avx512f"))]
mod avx512 {
    use core::arch::x86_64::*;

    use sluice_verifier::stark::config::Val;

    /// Transposes the 16 × 16 tile of `rows` at column `col`:
    /// `dst[k][i] = rows[i][col + k]`.
    ///
    /// In four interleaving stages: 32-bit pairs of rows, 64-bit pairs, then
    /// two 128-bit lane shuffles that gather each column's four groups of
    /// four rows.
    ///
    /// # Safety
    ///
    /// `rows` holds 16 rows of at least `col + 16` values each, and each
    /// `dst[k]` is valid for writing 16 `u32`s.
    #[inline]
    pub unsafe fn transpose_tile(rows: &[&[Val]], col: usize, dst: [*mut u32; 16]) {
        // SAFETY: the caller guarantees 16 readable values at `col` in each
        // row and 16 writable values at each `dst[k]`; unaligned loads and stores.
        unsafe {
            let r: [__m512i; 16] =
                core::array::from_fn(|i| _mm512_loadu_si512(rows[i].as_ptr().add(col).cast()));
            // a[2k] and a[2k + 1]: rows 2k and 2k + 1 interleaved; per
            // 128-bit lane L, columns 4L, 4L + 1 and 4L + 2, 4L + 3.
            let a: [__m512i; 16] = core::array::from_fn(|j| {
                let (x, y) = (r[j & !1], r[j | 1]);
                if j % 2 == 0 {
                    _mm512_unpacklo_epi32(x, y)
                } else {
                    _mm512_unpackhi_epi32(x, y)
                }
            });
            // b[4m + q], lane L: column 4L + q of rows 4m .. 4m + 3.
            let b: [__m512i; 16] = core::array::from_fn(|j| {
                let (m, q) = (j / 4, j % 4);
                let (x, y) = (a[4 * m + q / 2], a[4 * m + 2 + q / 2]);
                if q % 2 == 0 {
                    _mm512_unpacklo_epi64(x, y)
                } else {
                    _mm512_unpackhi_epi64(x, y)
                }
            });
            for q in 0..4 {
                let (x0, x1, x2, x3) = (b[q], b[4 + q], b[8 + q], b[12 + q]);
                // c0 = [x0.0, x0.2, x1.0, x1.2], c1 = [x0.1, x0.3, x1.1, x1.3],
                // c2 and c3 likewise from x2 and x3.
                let c0 = _mm512_shuffle_i32x4::<0x88>(x0, x1);
                let c1 = _mm512_shuffle_i32x4::<0xDD>(x0, x1);
                let c2 = _mm512_shuffle_i32x4::<0x88>(x2, x3);
                let c3 = _mm512_shuffle_i32x4::<0xDD>(x2, x3);
                // Column 4L + q is [x0.L, x1.L, x2.L, x3.L].
                let columns = [
                    _mm512_shuffle_i32x4::<0x88>(c0, c2),
                    _mm512_shuffle_i32x4::<0x88>(c1, c3),
                    _mm512_shuffle_i32x4::<0xDD>(c0, c2),
                    _mm512_shuffle_i32x4::<0xDD>(c1, c3),
                ];
                for (lane, column) in columns.into_iter().enumerate() {
                    _mm512_storeu_si512(dst[4 * lane + q].cast(), column);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p3_field::{Field, PrimeCharacteristicRing};

    type Packed = <Val as Field>::Packing;

    #[test]
    fn natural_order_reads_the_bit_reversed_rows() {
        use p3_matrix::bitrev::BitReversibleMatrix;
        use p3_matrix::dense::RowMajorMatrix;
        let lanes = Packed::WIDTH;
        let (height, width) = (4 * lanes, 19);
        let values: Vec<Val> = (0..height * width)
            .map(|k| Val::from_usize(k * 31 + 1))
            .collect();
        let reference = RowMajorMatrix::new(values.clone(), width).bit_reverse_rows();
        let view = NaturalOrder::new(RowMajorMatrixCow::new(values.into(), width));
        for r in [0, 1, lanes, height - lanes, height - 1] {
            let ours: Vec<Packed> = view.vertically_packed_row_pair(r, 2 * lanes);
            let theirs: Vec<Packed> = reference.vertically_packed_row_pair(r, 2 * lanes);
            assert_eq!(ours, theirs, "row {r}");
            assert_eq!(
                view.row_slice(r).unwrap().to_vec(),
                reference.row_slice(r).unwrap().to_vec()
            );
            assert_eq!(view.get(r, 3), reference.get(r, 3));
        }
    }

    #[test]
    fn packs_every_column_of_every_row() {
        let lanes = Packed::WIDTH;
        for width in [0, 1, 15, 16, 17, 31, 32, 33, 171] {
            let values: Vec<Val> = (0..lanes * (width + 3))
                .map(|k| Val::from_usize(k * 7919 + 13))
                .collect();
            // Rows of unequal length, longer than `width`, out of order.
            let rows: Vec<&[Val]> = (0..lanes)
                .map(|i| {
                    let start = ((i * 5) % lanes) * (width + 3);
                    &values[start..start + width + 1 + i % 2]
                })
                .collect();
            let packed = pack_rows::<Packed>(&rows, width);
            assert_eq!(packed.len(), width);
            for (c, p) in packed.iter().enumerate() {
                for (i, row) in rows.iter().enumerate() {
                    assert_eq!(
                        p.as_slice()[i],
                        row[c],
                        "width {width}, column {c}, lane {i}"
                    );
                }
            }
        }
    }
}
