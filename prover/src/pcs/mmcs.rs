//! The protocol's Merkle commitments over [`LeanLde`] leaves.
//!
//! FRI's prover reads the committed matrices through the input MMCS's
//! prover data, typed `ProverData<RowMajorMatrix<Val>>`. [`LeanMmcs`] is
//! [`ValMmcs`] itself whose prover data is a tree of [`LeanLde`] leaves
//! whatever the matrix type asked for, so trees, roots, openings and their
//! proofs are [`ValMmcs`]'s byte for byte.

use p3_commit::{BatchOpening, BatchOpeningRef, Mmcs};
use p3_matrix::{Dimensions, Matrix};
use p3_merkle_tree::MerkleTree;
use p3_util::log2_ceil_usize;
use sluice_verifier::stark::config::{Val, ValMmcs, DIGEST_ELEMS};
use std::sync::{Arc, Mutex};

use super::lde::{LeanLde, RowWeights};

/// A Merkle tree of lean leaves.
pub type LeanTree = MerkleTree<Val, Val, LeanLde, 2, DIGEST_ELEMS>;

/// [`ValMmcs`] over [`LeanLde`] leaves.
#[derive(Clone)]
pub struct LeanMmcs {
    /// The commitment scheme itself.
    pub scheme: ValMmcs,
    /// Interpolation weights of the rows last opened, by matrix shape.
    weights: Arc<Mutex<Vec<RowWeights>>>,
}

impl LeanMmcs {
    /// `scheme` over lean leaves.
    pub fn new(scheme: ValMmcs) -> Self {
        Self {
            scheme,
            weights: Arc::default(),
        }
    }

    /// Commits lean leaves, then releases their stored LDEs.
    #[allow(unsafe_code)]
    pub fn commit_lean(
        &self,
        leaves: Vec<LeanLde>,
    ) -> (<ValMmcs as Mmcs<Val>>::Commitment, LeanTree) {
        let (commitment, tree) = self.scheme.commit(leaves);
        for leaf in self.leaves(&tree) {
            // SAFETY: `tree` was just built and is not shared yet; the
            // hashing that borrowed the rows has returned.
            unsafe { leaf.release() };
        }
        (commitment, tree)
    }

    /// The tree's committed matrices, in commitment order.
    pub fn leaves<'a>(&self, tree: &'a LeanTree) -> Vec<&'a LeanLde> {
        self.scheme.get_matrices(tree)
    }
}

impl Mmcs<Val> for LeanMmcs {
    type ProverData<M> = LeanTree;
    type Commitment = <ValMmcs as Mmcs<Val>>::Commitment;
    type Proof = <ValMmcs as Mmcs<Val>>::Proof;
    type MultiProof = <ValMmcs as Mmcs<Val>>::MultiProof;
    type Error = <ValMmcs as Mmcs<Val>>::Error;

    /// Commits any matrices as they are: their rows stay stored, since
    /// nothing here knows their polynomials. The lean PCS commits through
    /// [`LeanMmcs::commit_lean`] instead.
    fn commit<M: Matrix<Val>>(&self, inputs: Vec<M>) -> (Self::Commitment, LeanTree) {
        let leaves = inputs
            .into_iter()
            .map(|m| LeanLde::new(m.to_row_major_matrix(), 0))
            .collect();
        self.scheme.commit(leaves)
    }

    fn open_batch<M: Matrix<Val>>(&self, index: usize, tree: &LeanTree) -> BatchOpening<Val, Self> {
        let (values, proof) = self.scheme.open_batch(index, tree).unpack();
        BatchOpening::new(values, proof)
    }

    /// Unsupported: the leaves are [`LeanLde`]s whatever `M` is; read them
    /// with [`LeanMmcs::leaves`].
    fn get_matrices<'a, M: Matrix<Val>>(&self, _tree: &'a LeanTree) -> Vec<&'a M> {
        unreachable!("LeanMmcs leaves are LeanLde matrices: read them with LeanMmcs::leaves")
    }

    fn get_matrix_heights<M: Matrix<Val>>(&self, tree: &LeanTree) -> Vec<usize> {
        self.leaves(tree).iter().map(|m| m.height()).collect()
    }

    fn verify_batch(
        &self,
        commit: &Self::Commitment,
        dimensions: &[Dimensions],
        index: usize,
        opening: BatchOpeningRef<'_, Val, Self>,
    ) -> Result<(), Self::Error> {
        let (values, proof) = opening.unpack();
        self.scheme.verify_batch(
            commit,
            dimensions,
            index,
            BatchOpeningRef::new(values, proof),
        )
    }

    /// Evaluates every queried row of every released leaf in a few passes
    /// over its coefficients, then opens as [`ValMmcs`].
    fn open_multi_batch<M: Matrix<Val>>(
        &self,
        indices: &[usize],
        tree: &LeanTree,
    ) -> (Vec<Vec<Vec<Val>>>, Self::MultiProof) {
        let leaves = self.leaves(tree);
        let log_max_height = leaves
            .iter()
            .map(|m| log2_ceil_usize(m.height()))
            .max()
            .unwrap_or(0);
        // FRI opens every commitment at the same indices, so the weights of
        // one tree's rows serve the next tree's matrices of the same shape.
        let mut cache = self.weights.lock().unwrap_or_else(|e| e.into_inner());
        let mut used = vec![false; cache.len()];
        for leaf in &leaves {
            let shift = log_max_height - log2_ceil_usize(leaf.height());
            let rows: Vec<usize> = indices.iter().map(|&i| i >> shift).collect();
            let i = match cache.iter().position(|w| leaf.can_use(w, &rows)) {
                Some(i) => i,
                None => {
                    cache.push(leaf.row_weights(&rows));
                    used.push(false);
                    cache.len() - 1
                }
            };
            used[i] = true;
            leaf.prepare_rows(&cache[i]);
        }
        // Keep what this opening used: the next tree's opening asks for the
        // same rows.
        let mut used = used.into_iter();
        cache.retain(|_| used.next().unwrap_or(false));
        drop(cache);
        let opening = self.scheme.open_multi_batch(indices, tree);
        leaves.iter().for_each(|leaf| leaf.forget_prepared_rows());
        opening
    }

    fn verify_multi_batch<R: AsRef<[Val]> + PartialEq>(
        &self,
        commit: &Self::Commitment,
        dimensions: &[Dimensions],
        indices: &[usize],
        opened_values: &[Vec<R>],
        proof: &Self::MultiProof,
    ) -> Result<(), Self::Error> {
        self.scheme
            .verify_multi_batch(commit, dimensions, indices, opened_values, proof)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p3_matrix::dense::RowMajorMatrix;
    use zk_rand::SeedableRng;

    #[test]
    fn matrices_committed_as_they_are_open_as_the_scheme_opens_them() {
        let mut rng = zk_rand::rngs::StdRng::seed_from_u64(3);
        let shapes = [(24, 5), (12, 3), (3, 2)];
        let matrices: Vec<RowMajorMatrix<Val>> = shapes
            .iter()
            .map(|&(h, w)| RowMajorMatrix::rand(&mut rng, h, w))
            .collect();
        let scheme = sluice_verifier::stark::config::val_mmcs();
        let lean = LeanMmcs::new(scheme.clone());
        let (lean_root, lean_tree) = lean.commit(matrices.clone());
        let (root, tree) = scheme.commit(matrices.clone());
        assert_eq!(lean_root, root);
        let indices = [0, 5, 23, 17];
        let (lean_rows, lean_proof) =
            lean.open_multi_batch::<RowMajorMatrix<Val>>(&indices, &lean_tree);
        let (rows, proof) = scheme.open_multi_batch(&indices, &tree);
        assert_eq!(lean_rows, rows);
        assert_eq!(lean.get_max_height::<RowMajorMatrix<Val>>(&lean_tree), 24);
        let dimensions: Vec<Dimensions> = matrices.iter().map(|m| m.dimensions()).collect();
        lean.verify_multi_batch(&root, &dimensions, &indices, &lean_rows, &lean_proof)
            .unwrap();
        scheme
            .verify_multi_batch(&root, &dimensions, &indices, &rows, &proof)
            .unwrap();
    }
}
