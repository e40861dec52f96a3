//! The prover's polynomial commitment scheme: Plonky3's two-adic FRI PCS
//! (the protocol's, [`sluice_verifier::stark::config::Pcs`]) with the same
//! commitments, transcript and proofs byte for byte, in half the memory of
//! the committed extensions at blowup 4.
//!
//! Plonky3's PCS keeps every committed matrix as its full low-degree
//! extension until the FRI queries are answered. This one keeps the first
//! half of each ([`LeanLde`]) once its commitment is hashed:
//!
//! - a table's quotient domain is that half (constraint degree 3 at blowup
//!   4), so [`LeanPcs::get_evaluations_on_domain`] lends it as Plonky3's
//!   PCS does; a taller quotient domain (a table whose constraints reach
//!   degree 5) costs one coset DFT and a buffer of its size;
//! - the opened values are interpolated from the first quarter, as Plonky3
//!   interpolates them;
//! - the DEEP reduction is linear in the columns: each matrix is compressed
//!   to one extension column on the first quarter, and one LDE per height
//!   extends the sums of all its opening points ([`open`]);
//! - a row the queries open past the kept half is interpolated.
//!
//! Verification is the protocol's PCS: [`LeanPcs::verify`] hands it the
//! proof re-encoded as its own type.

mod dft;
mod lde;
mod mmcs;
mod open;
mod pack;

pub use lde::LeanLde;
pub use mmcs::{LeanMmcs, LeanTree};

use p3_commit::{OpenedValues, OpeningRequest, Pcs, PeriodicLdeTable, UnivariateStarkPcs};
use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};

use p3_dft::TwoAdicSubgroupDft;
use p3_field::coset::TwoAdicMultiplicativeCoset;
use p3_field::{Field, PrimeCharacteristicRing};
use p3_fri::{BatchMultiOpening, FriParameters, FriProof, FriProverError};
use p3_matrix::bitrev::BitReversibleMatrix;
use p3_matrix::dense::{RowMajorMatrix, RowMajorMatrixCow};
use p3_matrix::Matrix;
use p3_uni_stark::StarkConfig;
use sluice_verifier::params::ProofParams;
use sluice_verifier::stark::config::{
    fri_parameters, val_mmcs, Challenge, ChallengeMmcs, Challenger, Dft, Pcs as ProtocolPcs, Val,
    ValMmcs,
};

/// Whether plain proofs are made with the lean PCS ([`set_low_memory`]).
static LOW_MEMORY: AtomicBool = AtomicBool::new(false);

/// Makes this process prove plain (not zero-knowledge) epochs with the
/// lean PCS: the same proofs in about a third less memory
/// (`docs/benchmarks.md`, § "The lean PCS"). Process-wide, like the
/// allocator's settings it goes with: `prover prove --memory low` also
/// calls [`crate::heap::recycle_freed_pages`], without which the pages it
/// frees cost time to fault in again (§ "Recycled pages").
pub fn set_low_memory(on: bool) {
    LOW_MEMORY.store(on, Ordering::Relaxed);
}

/// Whether [`set_low_memory`] is on.
pub fn low_memory() -> bool {
    LOW_MEMORY.load(Ordering::Relaxed)
}

/// The prover's configuration of plain (not zero-knowledge) proofs: the
/// protocol's [`sluice_verifier::stark::config::SluiceConfig`] with the lean PCS.
pub type LeanConfig = StarkConfig<LeanPcs, Challenge, Challenger>;

/// The configuration proving under `params` with a seeded `challenger`.
pub fn lean_config(params: &ProofParams, challenger: Challenger) -> LeanConfig {
    LeanConfig::new(LeanPcs::new(params), challenger)
        .with_lookup_proof_of_work_bits(params.lookup_pow_bits as usize)
        .with_ood_proof_of_work_bits(params.ood_pow_bits as usize)
}

/// The protocol's PCS in the memory of the coefficients it commits to.
#[derive(Clone)]
pub struct LeanPcs {
    dft: dft::LeanDft,
    mmcs: LeanMmcs,
    fri: FriParameters<ChallengeMmcs>,
    protocol: ProtocolPcs,
}

type ProtocolProof = <ProtocolPcs as Pcs<Challenge, Challenger>>::Proof;

impl LeanPcs {
    /// The PCS of `params` (which the caller has validated).
    pub fn new(params: &ProofParams) -> Self {
        let mmcs = val_mmcs();
        let fri = fri_parameters(params, ChallengeMmcs::new(mmcs.clone()));
        Self {
            dft: dft::LeanDft::default(),
            protocol: ProtocolPcs::new(Dft::default(), mmcs.clone(), fri.clone()),
            mmcs: LeanMmcs::new(mmcs),
            fri,
        }
    }

    /// The lean form of `evals` over `domain`: its LDE over `gK`, the
    /// values Plonky3's PCS commits.
    fn lean_lde(
        &self,
        domain: TwoAdicMultiplicativeCoset<Val>,
        evals: RowMajorMatrix<Val>,
    ) -> LeanLde {
        LeanLde::new(self.lde_matrix(domain, evals), self.fri.log_blowup)
    }

    /// The LDE of `evals` over `domain`, extended to `gK` at the blowup,
    /// bit-reversed: what Plonky3's PCS commits.
    fn lde_matrix(
        &self,
        domain: TwoAdicMultiplicativeCoset<Val>,
        evals: RowMajorMatrix<Val>,
    ) -> RowMajorMatrix<Val> {
        assert_eq!(domain.size(), evals.height());
        let shift = Val::GENERATOR / domain.shift();
        self.dft.lde_bit_reversed(evals, self.fri.log_blowup, shift)
    }

    fn commit_lean(
        &self,
        leaves: Vec<LeanLde>,
    ) -> (<ValMmcs as p3_commit::Mmcs<Val>>::Commitment, LeanTree) {
        for leaf in &leaves {
            assert!(
                leaf.height() >= 1 << self.fri.log_blowup,
                "committed LDE height {} is smaller than the blowup factor",
                leaf.height()
            );
        }
        self.mmcs.commit_lean(leaves)
    }
}

impl Pcs<Challenge, Challenger> for LeanPcs {
    type Domain = TwoAdicMultiplicativeCoset<Val>;
    type Commitment = <ValMmcs as p3_commit::Mmcs<Val>>::Commitment;
    type ProverData = LeanTree;
    type Proof = FriProof<Challenge, ChallengeMmcs, Val, Vec<BatchMultiOpening<Val, LeanMmcs>>>;
    type Error = <ProtocolPcs as Pcs<Challenge, Challenger>>::Error;
    type ProverError = FriProverError;

    fn natural_domain_for_degree(&self, degree: usize) -> Self::Domain {
        <ProtocolPcs as Pcs<Challenge, Challenger>>::natural_domain_for_degree(
            &self.protocol,
            degree,
        )
    }

    fn commit(
        &self,
        evaluations: impl IntoIterator<Item = (Self::Domain, RowMajorMatrix<Val>)>,
    ) -> Result<(Self::Commitment, LeanTree), FriProverError> {
        let leaves = evaluations
            .into_iter()
            .map(|(domain, evals)| self.lean_lde(domain, evals))
            .collect();
        Ok(self.commit_lean(leaves))
    }

    fn open(
        &self,
        requests: Vec<OpeningRequest<'_, LeanTree, Challenge>>,
        challenger: &mut Challenger,
    ) -> Result<(OpenedValues<Challenge>, Self::Proof), FriProverError> {
        open::open(self, requests, challenger)
    }

    /// Verifies as the protocol's PCS: the proof is re-encoded as its type
    /// (the two serialize identically).
    fn verify(
        &self,
        claims: Vec<p3_commit::CommitmentOpening<Challenge, Self::Commitment, Self::Domain>>,
        proof: &Self::Proof,
        challenger: &mut Challenger,
    ) -> Result<(), Self::Error> {
        let proof: ProtocolProof = reencode(proof);
        self.protocol.verify(claims, &proof, challenger)
    }
}

/// `value` decoded as a type that serializes identically.
fn reencode<A: serde::Serialize, B: serde::de::DeserializeOwned>(value: &A) -> B {
    let config = bincode::config::standard();
    let bytes = bincode::serde::encode_to_vec(value, config).expect("an in-memory proof encodes");
    bincode::serde::decode_from_slice(&bytes, config)
        .expect("the lean and protocol proofs serialize identically")
        .0
}

impl UnivariateStarkPcs<Challenge, Challenger> for LeanPcs {
    type EvaluationsOnDomain<'a> = pack::NaturalOrder<'a>;

    const ZK: bool = false;

    fn log_max_trace_height(&self) -> usize {
        <ProtocolPcs as UnivariateStarkPcs<Challenge, Challenger>>::log_max_trace_height(
            &self.protocol,
        )
    }

    fn log_min_trace_height(&self) -> usize {
        <ProtocolPcs as UnivariateStarkPcs<Challenge, Challenger>>::log_min_trace_height(
            &self.protocol,
        )
    }

    fn get_quotient_ldes(
        &self,
        evaluations: impl IntoIterator<Item = (Self::Domain, RowMajorMatrix<Val>)>,
        _num_chunks: usize,
    ) -> Result<Vec<RowMajorMatrix<Val>>, FriProverError> {
        Ok(evaluations
            .into_iter()
            .map(|(domain, evals)| self.lde_matrix(domain, evals))
            .collect())
    }

    fn commit_ldes(
        &self,
        ldes: Vec<RowMajorMatrix<Val>>,
    ) -> Result<(Self::Commitment, LeanTree), FriProverError> {
        let leaves = ldes
            .into_iter()
            .map(|lde| LeanLde::new(lde, self.fri.log_blowup))
            .collect();
        Ok(self.commit_lean(leaves))
    }

    /// Matrix `idx` on `domain`, in natural order as Plonky3's PCS gives
    /// it: a view of the stored rows when they hold the domain (a quotient
    /// domain up to twice the trace's), else by one coset DFT.
    fn get_evaluations_on_domain<'a>(
        &self,
        tree: &'a LeanTree,
        idx: usize,
        domain: Self::Domain,
    ) -> Self::EvaluationsOnDomain<'a> {
        let leaf = self.mmcs.leaves(tree)[idx];
        let stored = leaf.stored();
        if domain.shift() == Val::GENERATOR && stored.height() >= domain.size() {
            let values: &'a [Val] = &stored.values[..domain.size() * stored.width];
            return pack::NaturalOrder::new(RowMajorMatrixCow::new(
                Cow::Borrowed(values),
                stored.width,
            ));
        }
        let first = leaf.first_coset().bit_reverse_rows().to_row_major_matrix();
        let coefficients = self.dft.wide().coset_idft_batch(first, Val::GENERATOR);
        let folded = fold_coefficients(&coefficients, domain);
        let evaluations = self
            .dft
            .wide()
            .coset_dft_batch(folded, domain.shift())
            .bit_reverse_rows()
            .to_row_major_matrix();
        let width = evaluations.width;
        pack::NaturalOrder::new(RowMajorMatrixCow::new(
            Cow::Owned(evaluations.values),
            width,
        ))
    }

    fn build_periodic_lde_table(
        &self,
        periodic_cols: &[Vec<Val>],
        trace_domain: Self::Domain,
        quotient_domain: Self::Domain,
    ) -> PeriodicLdeTable<Val> {
        <ProtocolPcs as UnivariateStarkPcs<Challenge, Challenger>>::build_periodic_lde_table(
            &self.protocol,
            periodic_cols,
            trace_domain,
            quotient_domain,
        )
    }
}

/// The coefficients of `p mod (X^m − s^m)` for `domain = s·K`, `|K| = m`,
/// padded to `m` rows: the same values as `p` on `domain`, in a form one
/// DFT of the domain's size evaluates.
fn fold_coefficients(
    coefficients: &RowMajorMatrix<Val>,
    domain: TwoAdicMultiplicativeCoset<Val>,
) -> RowMajorMatrix<Val> {
    let m = domain.size();
    let width = coefficients.width;
    if coefficients.height() <= m {
        let mut padded = coefficients.clone();
        padded.pad_to_height(m, Val::ZERO);
        return padded;
    }
    // X^m ≡ s^m on the domain, so X^(qm + r) contributes s^(qm) X^r.
    let wrap = domain.shift().exp_u64(m as u64);
    let mut folded = RowMajorMatrix::new(vec![Val::ZERO; m * width], width);
    for (block, factor) in coefficients.values.chunks(m * width).zip(wrap.powers()) {
        for (acc, &c) in folded.values.iter_mut().zip(block) {
            *acc += c * factor;
        }
    }
    folded
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_verifier::stark::config::blank_challenger;
    use zk_rand::SeedableRng;

    /// Both PCSs commit `shapes` (log2 height, width) of random evaluations
    /// and open them at `points(matrix index)`; the openings and proofs
    /// must match.
    fn both_open(params: &ProofParams, shapes: &[(usize, usize)], points: &[Vec<Challenge>]) {
        let lean = LeanPcs::new(params);
        let protocol = ProtocolPcs::new(Dft::default(), val_mmcs(), lean.fri.clone());
        let mut rng = zk_rand::rngs::StdRng::seed_from_u64(11);
        let evaluations: Vec<_> = shapes
            .iter()
            .map(|&(log_h, w)| {
                let domain = <ProtocolPcs as Pcs<Challenge, Challenger>>::natural_domain_for_degree(
                    &protocol,
                    1 << log_h,
                );
                (domain, RowMajorMatrix::<Val>::rand(&mut rng, 1 << log_h, w))
            })
            .collect();
        let (lean_commit, lean_data) = lean.commit(evaluations.clone()).unwrap();
        let (protocol_commit, protocol_data) =
            <ProtocolPcs as Pcs<Challenge, Challenger>>::commit(&protocol, evaluations).unwrap();
        assert_eq!(lean_commit, protocol_commit);
        let (lean_values, lean_proof) = lean
            .open(
                vec![OpeningRequest {
                    prover_data: &lean_data,
                    points: points.to_vec(),
                }],
                &mut blank_challenger(),
            )
            .unwrap();
        let (protocol_values, protocol_proof) = protocol
            .open(
                vec![OpeningRequest {
                    prover_data: &protocol_data,
                    points: points.to_vec(),
                }],
                &mut blank_challenger(),
            )
            .unwrap();
        assert_eq!(lean_values, protocol_values);
        assert!(
            bytes(&lean_proof) == bytes(&protocol_proof),
            "the proofs differ"
        );
    }

    fn bytes<T: serde::Serialize>(value: &T) -> Vec<u8> {
        bincode::serde::encode_to_vec(value, bincode::config::standard()).unwrap()
    }

    fn point(i: u32) -> Challenge {
        Challenge::new(core::array::from_fn(|k| {
            Val::from_u32(1000 + 7 * i + k as u32)
        }))
    }

    #[test]
    fn mixed_heights_and_points_open_as_plonky3_opens_them() {
        let shapes = [(8, 5), (6, 3), (8, 2), (4, 7)];
        let points = vec![
            vec![point(0), point(1)],
            vec![point(0)],
            vec![point(2), point(0), point(3)],
            vec![point(1)],
        ];
        for params in [ProofParams::DEFAULT, ProofParams::SPEED, ProofParams::SIZE] {
            both_open(&params, &shapes, &points);
        }
    }

    #[test]
    fn a_matrix_opened_at_no_point_still_feeds_fri() {
        let shapes = [(8, 4), (7, 3)];
        both_open(&ProofParams::DEFAULT, &shapes, &[vec![], vec![point(5)]]);
    }
}
