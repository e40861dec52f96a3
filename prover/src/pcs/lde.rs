//! A committed low-degree extension that keeps only its first half once
//! it is hashed.
//!
//! The Merkle tree of a commitment needs every row of every LDE while it
//! hashes them, and afterwards:
//!
//! - the quotient domain of the table's constraints: at blowup 4 and
//!   constraint degree 3 the first half of the bit-reversed LDE;
//! - the polynomials at a few points (the opening, the DEEP reduction),
//!   which the first `1 / blowup` of the rows determine;
//! - a few dozen rows the FRI queries open.
//!
//! [`LeanLde`] holds the full LDE until the tree is built; then
//! [`LeanLde::release`] gives the memory of every row past the first `2n`
//! (`n` the polynomials' degree bound) back: to the recycling pool of
//! [`crate::heap::recycle_freed_pages`], or to the operating system. A row
//! asked for after that is interpolated from the first `n`
//! ([`LeanLde::prepare_rows`] does it for a batch).
//!
//! Releasing through a shared reference needs `unsafe`: the Merkle tree owns
//! its leaves and lends them out only shared, and this module is where that
//! contract is kept (see [`LeanLde::release`]).
#![allow(unsafe_code)]

use std::cell::UnsafeCell;
use std::ops::Deref;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use p3_field::coset::TwoAdicMultiplicativeCoset;
use p3_field::{
    batch_multiplicative_inverse, Field, FieldArray, PrimeCharacteristicRing, TwoAdicField,
};
use p3_matrix::dense::{RowMajorMatrix, RowMajorMatrixView};
use p3_matrix::Matrix;
use p3_maybe_rayon::prelude::*;
use p3_util::{log2_strict_usize, reverse_bits_len, reverse_slice_index_bits};
use sluice_verifier::stark::config::Val;

/// Rows interpolated together by [`LeanLde::prepare_rows`]: one pass over
/// the first `n` rows serves this many.
const ROWS_PER_PASS: usize = 8;

/// Up to [`ROWS_PER_PASS`] rows, each row's weight on every point of the
/// first coset, and each row's scale.
type WeightBatch = (
    Vec<usize>,
    Vec<FieldArray<Val, ROWS_PER_PASS>>,
    [Val; ROWS_PER_PASS],
);

/// Interpolation weights of some rows, for every matrix of one shape
/// ([`LeanLde::row_weights`]).
pub struct RowWeights {
    shape: (usize, usize, usize),
    rows: Vec<usize>,
    batches: Vec<WeightBatch>,
}

/// One committed matrix: its polynomials' evaluations over `gK` in
/// bit-reversed order (`g` the field's generator, `|K|` the LDE height),
/// all of them until [`Self::release`], the first `2n` after.
pub struct LeanLde {
    width: usize,
    height: usize,
    log_height: usize,
    /// `log2(n)`: the first `n` rows (the coset `gH`) determine the rest.
    log_degree: usize,
    /// The LDE; only its first `stored_rows` rows are read.
    rows: UnsafeCell<RowMajorMatrix<Val>>,
    /// Every row until [`Self::release`], `2n` after.
    stored_rows: AtomicUsize,
    /// Rows interpolated ahead of an opening ([`Self::prepare_rows`]).
    prepared: Mutex<Vec<(usize, Vec<Val>)>>,
}

// SAFETY: `rows` is written only by `release`, whose contract excludes any
// concurrent access; every other access reads.
unsafe impl Sync for LeanLde {}

impl LeanLde {
    /// `lde`: the bit-reversed LDE over `gK`, at blowup `2^log_blowup`, of
    /// polynomials of degree below `lde.height() >> log_blowup`.
    /// At `log_blowup = 0` nothing is ever released and any height is
    /// accepted.
    pub fn new(lde: RowMajorMatrix<Val>, log_blowup: usize) -> Self {
        let log_height = if log_blowup == 0 {
            p3_util::log2_ceil_usize(lde.height())
        } else {
            log2_strict_usize(lde.height())
        };
        Self {
            width: lde.width,
            height: lde.height(),
            log_height,
            log_degree: log_height.saturating_sub(log_blowup),
            stored_rows: AtomicUsize::new(lde.height()),
            rows: UnsafeCell::new(lde),
            prepared: Mutex::new(Vec::new()),
        }
    }

    /// Gives the memory of every row past the first `2n` back; they are
    /// interpolated from then on. Under [`crate::heap::recycle_freed_pages`]
    /// the block shrinks, and its tail's pages serve the next blocks.
    /// Otherwise they go back to the operating system
    /// (`madvise(MADV_DONTNEED)` on their whole pages) and the block itself
    /// stays allocated until the matrix is dropped, so the heap's layout is
    /// the same as if nothing were released and an epoch reuses the
    /// previous one's blocks in place; where that call does not exist,
    /// nothing is released.
    ///
    /// # Safety
    ///
    /// No other thread may access this matrix during the call, and no row
    /// slice or iterator borrowed from it before the call may be used after.
    pub unsafe fn release(&self) {
        let kept = self.kept_rows();
        if kept >= self.stored_rows.load(Ordering::Relaxed) {
            return;
        }
        // SAFETY: the caller guarantees exclusive access for the call.
        let rows = unsafe { &mut *self.rows.get() };
        if crate::heap::recycling() {
            rows.values.truncate(kept * self.width);
            rows.values.shrink_to_fit();
            self.stored_rows.store(kept, Ordering::Relaxed);
            return;
        }
        #[cfg(target_os = "linux")]
        {
            // SAFETY: `sysconf` only reads a system constant.
            let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) })
                .ok()
                .filter(|p| p.is_power_of_two())
                .unwrap_or(1 << 16);
            let base = rows.values.as_mut_ptr() as usize;
            let start = (base + kept * self.width * size_of::<Val>()).next_multiple_of(page);
            let end = (base + rows.values.len() * size_of::<Val>()) / page * page;
            self.stored_rows.store(kept, Ordering::Relaxed);
            if end > start {
                // SAFETY: the range lies inside the block `rows.values` owns,
                // and past the rows kept, which are never read again: the
                // stored height now excludes them. Private anonymous memory
                // reads back as zeros afterwards, so even a stray read would
                // be defined.
                unsafe {
                    libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED);
                }
            }
        }
    }

    /// Rows kept by [`Self::release`]: the quotient domain of a degree-3
    /// constraint system, or the whole LDE at blowup 2 or less.
    fn kept_rows(&self) -> usize {
        (1 << (self.log_degree + 1)).min(self.height)
    }

    /// The stored prefix of the LDE: every row before [`Self::release`].
    pub fn stored(&self) -> RowMajorMatrixView<'_, Val> {
        // SAFETY: only `release` writes, and never concurrently with a read.
        let rows = unsafe { &*self.rows.get() };
        let stored = self.stored_rows.load(Ordering::Relaxed);
        RowMajorMatrixView::new(&rows.values[..stored * self.width], self.width)
    }

    /// The first `n` rows: the polynomials on `gH`, bit-reversed.
    pub fn first_coset(&self) -> RowMajorMatrixView<'_, Val> {
        let n = 1 << self.log_degree;
        RowMajorMatrixView::new(&self.stored().values[..n * self.width], self.width)
    }

    /// `log2(n)`, the polynomials' degree bound.
    pub fn log_degree(&self) -> usize {
        self.log_degree
    }

    /// The point of LDE row `r`: `g · ω^(bitrev(r))`.
    fn point(&self, r: usize) -> Val {
        Val::GENERATOR
            * Val::two_adic_generator(self.log_height)
                .exp_u64(reverse_bits_len(r, self.log_height) as u64)
    }

    /// Row `r`, stored, prepared or interpolated.
    fn row(&self, r: usize) -> LeanRow<'_> {
        let stored = self.stored();
        if r < stored.height() {
            return LeanRow::Stored(&stored.values[r * self.width..(r + 1) * self.width]);
        }
        let prepared = self.prepared.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, row)) = prepared.iter().find(|(i, _)| *i == r) {
            return LeanRow::Evaluated(row.clone());
        }
        drop(prepared);
        let weights = self.row_weights(&[r]);
        LeanRow::Evaluated(self.interpolate(&weights).swap_remove(0).1)
    }

    /// What two matrices must share for one [`RowWeights`] to serve both.
    fn shape(&self) -> (usize, usize, usize) {
        (self.height, self.log_degree, self.stored().height())
    }

    /// Whether `weights` interpolate exactly `rows` of this matrix.
    pub fn can_use(&self, weights: &RowWeights, rows: &[usize]) -> bool {
        weights.shape == self.shape() && weights.rows == self.rows_past_stored(rows)
    }

    /// `rows` past the stored ones, sorted, each once.
    fn rows_past_stored(&self, rows: &[usize]) -> Vec<usize> {
        let stored = self.stored().height();
        let mut rows: Vec<usize> = rows.iter().copied().filter(|&r| r >= stored).collect();
        rows.sort_unstable();
        rows.dedup();
        rows
    }

    /// The weights interpolating rows `rows` (those past the stored ones)
    /// from the first coset: with `x_i` its points and `z` a row's point,
    /// `f(z) = (z^n − g^n) / (n·g^n) · Σ_i f(x_i) · x_i / (z − x_i)`.
    /// Every matrix of this one's height, degree and stored rows can use
    /// them.
    pub fn row_weights(&self, rows: &[usize]) -> RowWeights {
        let rows = self.rows_past_stored(rows);
        if rows.is_empty() {
            return RowWeights {
                shape: self.shape(),
                rows,
                batches: Vec::new(),
            };
        }
        let n = 1usize << self.log_degree;
        let xs = bit_reversed_coset(self.log_degree);
        let g_n = Val::GENERATOR.exp_power_of_2(self.log_degree);
        let scale_denominator = (g_n * Val::from_usize(n)).inverse();
        let batches = rows
            .chunks(ROWS_PER_PASS)
            .map(|batch| {
                let mut weights = vec![FieldArray([Val::ZERO; ROWS_PER_PASS]); n];
                let mut scales = [Val::ZERO; ROWS_PER_PASS];
                for (k, &r) in batch.iter().enumerate() {
                    let z = self.point(r);
                    scales[k] = (z.exp_power_of_2(self.log_degree) - g_n) * scale_denominator;
                    let denominators: Vec<Val> = xs.par_iter().map(|&x| z - x).collect();
                    let inverses = batch_multiplicative_inverse(&denominators);
                    weights
                        .par_iter_mut()
                        .zip(inverses.par_iter().zip(xs.par_iter()))
                        .for_each(|(w, (&inv, &x))| w.0[k] = x * inv);
                }
                (batch.to_vec(), weights, scales)
            })
            .collect();
        RowWeights {
            shape: self.shape(),
            rows,
            batches,
        }
    }

    /// The rows `weights` interpolate, as `(row, values)`.
    fn interpolate(&self, weights: &RowWeights) -> Vec<(usize, Vec<Val>)> {
        assert_eq!(weights.shape, self.shape(), "weights of another shape");
        if weights.batches.is_empty() {
            return Vec::new();
        }
        let first = self.first_coset();
        let mut out = Vec::new();
        for (rows, w, scales) in &weights.batches {
            let sums = first.columnwise_dot_product_batched::<Val, ROWS_PER_PASS>(w);
            out.extend(
                rows.iter()
                    .enumerate()
                    .map(|(k, &r)| (r, sums.iter().map(|s| s.0[k] * scales[k]).collect())),
            );
        }
        out
    }

    /// Interpolates the rows `weights` serve ahead of an opening that reads
    /// them. [`Self::forget_prepared_rows`] drops them.
    pub fn prepare_rows(&self, weights: &RowWeights) {
        let rows = self.interpolate(weights);
        *self.prepared.lock().unwrap_or_else(|e| e.into_inner()) = rows;
    }

    /// Drops the rows [`Self::prepare_rows`] interpolated.
    pub fn forget_prepared_rows(&self) {
        self.prepared
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

/// The points of `gK`, `|K| = 2^log_size`, in bit-reversed order: the
/// points of an LDE's rows, whose first `2^k` are those of `gK'`,
/// `|K'| = 2^k`.
pub(super) fn bit_reversed_coset(log_size: usize) -> Vec<Val> {
    let coset = TwoAdicMultiplicativeCoset::new(Val::GENERATOR, log_size)
        .expect("a size within the field's two-adicity");
    let mut points: Vec<Val> = coset.iter().collect();
    reverse_slice_index_bits(&mut points);
    points
}

/// A row borrowed from the stored LDE or evaluated on demand.
pub enum LeanRow<'a> {
    Stored(&'a [Val]),
    Evaluated(Vec<Val>),
}

impl Deref for LeanRow<'_> {
    type Target = [Val];

    fn deref(&self) -> &[Val] {
        match self {
            Self::Stored(row) => row,
            Self::Evaluated(row) => row,
        }
    }
}

/// One of two iterators.
pub enum Either<A, B> {
    Left(A),
    Right(B),
}

impl<T, A: Iterator<Item = T>, B: Iterator<Item = T>> Iterator for Either<A, B> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        match self {
            Self::Left(a) => a.next(),
            Self::Right(b) => b.next(),
        }
    }
}

impl Matrix<Val> for LeanLde {
    fn width(&self) -> usize {
        self.width
    }

    fn height(&self) -> usize {
        self.height
    }

    unsafe fn get_unchecked(&self, r: usize, c: usize) -> Val {
        self.row(r)[c]
    }

    unsafe fn row_subseq_unchecked(
        &self,
        r: usize,
        start: usize,
        end: usize,
    ) -> impl IntoIterator<Item = Val, IntoIter = impl Iterator<Item = Val> + Send + Sync> {
        match self.row(r) {
            LeanRow::Stored(row) => Either::Left(row[start..end].iter().copied()),
            LeanRow::Evaluated(mut row) => {
                row.truncate(end);
                Either::Right(row.into_iter().skip(start))
            }
        }
    }

    unsafe fn row_subslice_unchecked(
        &self,
        r: usize,
        start: usize,
        end: usize,
    ) -> impl Deref<Target = [Val]> {
        match self.row(r) {
            LeanRow::Stored(row) => LeanRow::Stored(&row[start..end]),
            LeanRow::Evaluated(row) => LeanRow::Evaluated(row[start..end].to_vec()),
        }
    }

    fn vertically_packed_row<P>(&self, r: usize) -> impl Iterator<Item = P>
    where
        P: p3_field::PackedValue<Value = Val>,
    {
        if r + P::WIDTH <= self.stored_rows.load(Ordering::Relaxed) {
            let stored = self.stored();
            let rows: Vec<&[Val]> = stored.row_slices().skip(r).take(P::WIDTH).collect();
            super::pack::pack_rows::<P>(&rows, self.width).into_iter()
        } else {
            let rows: Vec<LeanRow<'_>> = (0..P::WIDTH)
                .map(|i| self.row((r + i) % self.height()))
                .collect();
            let rows: Vec<&[Val]> = rows.iter().map(|row| &**row).collect();
            super::pack::pack_rows::<P>(&rows, self.width).into_iter()
        }
    }

    fn vertically_packed_row_pair<P>(&self, r: usize, step: usize) -> Vec<P>
    where
        P: p3_field::PackedValue<Value = Val>,
    {
        super::pack::packed_row_pair(self, r, step)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p3_dft::TwoAdicSubgroupDft;
    use p3_matrix::bitrev::BitReversibleMatrix;
    use zk_rand::SeedableRng;

    fn sample(log_n: usize, log_blowup: usize, width: usize) -> (RowMajorMatrix<Val>, LeanLde) {
        let mut rng = zk_rand::rngs::StdRng::seed_from_u64(7);
        let mut coefficients = RowMajorMatrix::<Val>::rand(&mut rng, 1 << log_n, width);
        coefficients.pad_to_height(1 << (log_n + log_blowup), Val::ZERO);
        let lde = sluice_verifier::stark::config::Dft::default()
            .coset_dft_batch(coefficients, Val::GENERATOR)
            .bit_reverse_rows()
            .to_row_major_matrix();
        (lde.clone(), LeanLde::new(lde, log_blowup))
    }

    #[test]
    fn released_rows_equal_the_stored_ones() {
        let (lde, lean) = sample(5, 2, 3);
        // SAFETY: nothing else holds `lean`.
        unsafe { lean.release() };
        if cfg!(target_os = "linux") {
            assert_eq!(lean.stored().height(), 64, "the first 2n rows stay");
        }
        for r in 0..lde.height() {
            assert_eq!(
                *lean.row_slice(r).unwrap(),
                *lde.row_slice(r).unwrap(),
                "row {r}"
            );
            let row: Vec<Val> = lean.row(r).to_vec();
            assert_eq!(row, *lde.row_slice(r).unwrap());
        }
        let wanted: Vec<usize> = (0..lde.height()).step_by(3).collect();
        let weights = lean.row_weights(&wanted);
        assert!(lean.can_use(&weights, &wanted));
        assert!(!lean.can_use(&weights, &wanted[..wanted.len() - 1]));
        lean.prepare_rows(&weights);
        assert_eq!(
            lean.prepared.lock().unwrap().len(),
            wanted.iter().filter(|&&r| r >= 64).count()
        );
        for &r in &wanted {
            assert_eq!(
                *lean.row_slice(r).unwrap(),
                *lde.row_slice(r).unwrap(),
                "prepared row {r}"
            );
        }
        lean.forget_prepared_rows();
        type P = <Val as Field>::Packing;
        for r in [0, 3, 60, lde.height() - 1] {
            let a: Vec<P> = lean.vertically_packed_row::<P>(r).collect();
            let b: Vec<P> = lde.vertically_packed_row::<P>(r).collect();
            assert!(a == b, "packed row {r}");
        }
    }

    #[test]
    fn at_blowup_two_nothing_is_released() {
        let (lde, lean) = sample(4, 1, 2);
        // SAFETY: nothing else holds `lean`.
        unsafe { lean.release() };
        assert_eq!(lean.stored().values, lde.values);
    }
}
