//! The concrete Plonky3 configuration every Sluice epoch proof uses.
//!
//! Everything here is fixed by the protocol except the FRI knobs, which come
//! from [`ProofParams`] (they travel in the bundle header). The prover and the
//! verifier build the configuration with the same function, so they cannot
//! disagree about hashing, field or PCS.
//!
//! - Base field KoalaBear (`p = 2^31 - 2^24 + 1`), challenges drawn from its
//!   degree-4 binomial extension (~2^124 elements).
//! - Poseidon2 with the crate's fixed round constants: width 24 for Merkle
//!   leaves (padding-free sponge, rate 16, 8-element digests; protocol 7:
//!   half the permutations of a width-16 sponge for ~1.5× the cost of each,
//!   13 % less leaf hashing, `docs/benchmarks.md`), width 16 for Merkle
//!   nodes (truncated-permutation 2-to-1 compression) and Fiat–Shamir
//!   (duplex challenger, rate 8).
//! - FRI over two-adic cosets, radix-2 DIT FFT.
//!
//! Zero-knowledge mode ([`ProofParams::zk`]) swaps the PCS for Plonky3's
//! hiding FRI PCS over salted Merkle trees ([`SluiceZkConfig`]): every
//! committed matrix gets random codewords and randomized extra rows, every
//! leaf a random salt. Everything else is the same.
//!
//! The challenger inside the config is not blank: [`epoch_config`] seeds it
//! with the epoch's whole context (see [`super::transcript`]) because
//! `p3-batch-stark` clones the config's challenger at the start of both
//! proving and verification. One config is therefore built per epoch.

use p3_commit::ExtensionMmcs;
use p3_commit::UnivariateStarkPcs;
use p3_dft::Radix2DitParallel;
use p3_field::coset::TwoAdicMultiplicativeCoset;
use p3_field::extension::BinomialExtensionField;
use p3_field::Field;
use p3_fri::{FriParameters, HidingFriPcs, TwoAdicFriPcs};
use p3_koala_bear::{
    default_koalabear_poseidon2_16, default_koalabear_poseidon2_24, KoalaBear, Poseidon2KoalaBear,
};
use p3_merkle_tree::{MerkleTreeHidingMmcs, MerkleTreeMmcs};
use p3_symmetric::{PaddingFreeSponge, TruncatedPermutation};
use p3_uni_stark::{StarkConfig, StarkGenericConfig};
use zk_rand::SeedableRng;

use crate::params::{ParamsError, ProofParams, ZK_RANDOM_CODEWORDS};

/// The base field of every trace.
pub type Val = KoalaBear;
/// The field challenges are sampled from.
pub type Challenge = BinomialExtensionField<Val, 4>;
/// The Poseidon2 permutation (width 16) shared by hashing and Fiat–Shamir.
pub type Perm = Poseidon2KoalaBear<16>;
/// Field elements in a Merkle digest of the proof's commitments: 7 × 31
/// bits, so a birthday-bound collision costs about 2^108, above the
/// protocol's 104 bits ([`crate::security::COLLISION_RESISTANCE_BITS`]).
/// Every Merkle path in a proof is made of these, so each element dropped
/// is an eighth of the paths' bytes and of the trees' memory.
pub const DIGEST_ELEMS: usize = 7;
/// Leaf hash: absorb a matrix row 16 elements at a time, output a digest.
pub type LeafHash = PaddingFreeSponge<LeafPerm, 24, 16, DIGEST_ELEMS>;
/// The wider Poseidon2 permutation (width 24) the leaf sponge absorbs with.
pub type LeafPerm = Poseidon2KoalaBear<24>;
/// Node compression: permute two digests (14 of the 16 lanes), keep the
/// first [`DIGEST_ELEMS`].
pub type NodeCompress = TruncatedPermutation<Perm, 2, DIGEST_ELEMS, 16>;
/// Merkle commitments to base-field matrices.
pub type ValMmcs = MerkleTreeMmcs<
    <Val as Field>::Packing,
    <Val as Field>::Packing,
    LeafHash,
    NodeCompress,
    2,
    DIGEST_ELEMS,
>;
/// Merkle commitments to extension-field matrices (FRI layers, LogUp columns).
pub type ChallengeMmcs = ExtensionMmcs<Val, Challenge, ValMmcs>;
/// The Fiat–Shamir challenger: Plonky3's duplex sponge (width 16, rate 8)
/// with a deterministic proof-of-work search.
pub use super::challenger::Challenger;
/// The FFT used for low-degree extensions.
pub type Dft = Radix2DitParallel<Val>;
/// The polynomial commitment scheme.
pub type Pcs = TwoAdicFriPcs<Val, Dft, ValMmcs, ChallengeMmcs>;
/// The full STARK configuration.
pub type SluiceConfig = StarkConfig<Pcs, Challenge, Challenger>;

/// The generator behind the hiding PCS's masks and the Merkle salts.
pub type ZkRng = zk_rand::rngs::StdRng;
/// Salt elements per Merkle leaf in zero-knowledge mode (≈ 124 bits).
pub const SALT_ELEMS: usize = 4;
/// Merkle commitments with a random salt in every leaf.
pub type HidingValMmcs = MerkleTreeHidingMmcs<
    <Val as Field>::Packing,
    <Val as Field>::Packing,
    LeafHash,
    NodeCompress,
    ZkRng,
    2,
    DIGEST_ELEMS,
    SALT_ELEMS,
>;
/// Salted commitments to extension-field matrices.
pub type ZkChallengeMmcs = ExtensionMmcs<Val, Challenge, HidingValMmcs>;
/// The hiding polynomial commitment scheme.
pub type ZkPcs = HidingFriPcs<Val, Dft, HidingValMmcs, ZkChallengeMmcs, ZkRng>;
/// The STARK configuration of zero-knowledge mode.
pub type SluiceZkConfig = StarkConfig<ZkPcs, Challenge, Challenger>;

/// What a configuration must share with the protocol for its proofs to be
/// epoch proofs: the field, challenges, challenger and domains. Any PCS
/// whose proofs serialize as the protocol's qualifies: the prover's
/// memory-lean PCS (`sluice_prover::pcs`) proves under this bound and the
/// verifier checks the bytes under [`SluiceConfig`].
pub trait EpochProofConfig:
    StarkGenericConfig<
        Pcs: UnivariateStarkPcs<Challenge, Challenger, Domain = TwoAdicMultiplicativeCoset<Val>>,
        Challenge = Challenge,
        Challenger = Challenger,
    > + Sync
    + 'static
{
}

impl<SC> EpochProofConfig for SC where
    SC: StarkGenericConfig<
            Pcs: UnivariateStarkPcs<
                Challenge,
                Challenger,
                Domain = TwoAdicMultiplicativeCoset<Val>,
            >,
            Challenge = Challenge,
            Challenger = Challenger,
        > + Sync
        + 'static
{
}

/// What the epoch verifier needs of either of its configurations: only the
/// PCS differs.
pub trait EpochStarkConfig: EpochProofConfig {
    /// Whether proofs under this configuration are zero-knowledge.
    const ZK: bool;

    /// The verifier's preprocessing cache for this configuration.
    fn common_cache() -> &'static super::common_cache::CommonCache<Self>;
}

impl EpochStarkConfig for SluiceConfig {
    const ZK: bool = false;

    fn common_cache() -> &'static super::common_cache::CommonCache<Self> {
        &super::common_cache::PLAIN
    }
}

impl EpochStarkConfig for SluiceZkConfig {
    const ZK: bool = true;

    fn common_cache() -> &'static super::common_cache::CommonCache<Self> {
        &super::common_cache::ZK
    }
}

/// Seed of the salts of **public** commitments in zero-knowledge mode.
///
/// The preprocessed tables (the output table, built from
/// the statement) are public, and the verifier commits them itself, so the
/// prover must salt them exactly as the verifier does: both use a generator
/// seeded with this constant for preprocessing. Salting public data hides
/// nothing and need not: the Merkle tree binds whatever the salts. Private
/// data (traces, LogUp columns, quotients, FRI layers) is salted and masked
/// from the prover's own OS-seeded generator ([`zk_config_with_challenger`]).
pub const PUBLIC_SALT_SEED: [u8; 32] = *b"sluice: salts of public columns.";

/// The generator for public (preprocessed) commitments; also the only one
/// a verifier needs, since verification draws no randomness.
pub fn public_rng() -> ZkRng {
    ZkRng::from_seed(PUBLIC_SALT_SEED)
}

/// The Poseidon2 permutation with the protocol's fixed constants.
pub fn permutation() -> Perm {
    default_koalabear_poseidon2_16()
}

/// A blank challenger (nothing observed yet).
pub fn blank_challenger() -> Challenger {
    Challenger::new(permutation())
}

/// The FRI parameters Plonky3 sees for `params`.
pub fn fri_parameters<M>(params: &ProofParams, mmcs: M) -> FriParameters<M> {
    FriParameters {
        log_blowup: params.log_blowup as usize,
        log_final_poly_len: params.log_final_poly_len as usize,
        max_log_arity: params.max_log_arity as usize,
        num_queries: params.num_queries as usize,
        batch_proof_of_work_bits: params.batch_pow_bits as usize,
        commit_proof_of_work_bits: params.commit_pow_bits as usize,
        query_proof_of_work_bits: params.query_pow_bits as usize,
        mmcs,
    }
}

/// Builds the configuration for `params` whose challenger has already
/// observed `challenger` state (the seeded transcript of one epoch).
///
/// Fails when `params` are outside what the protocol accepts (checked by
/// [`ProofParams::validate`]) so that no attacker-chosen header can make
/// Plonky3 panic or prove with too little security.
pub fn config_with_challenger(
    params: &ProofParams,
    challenger: Challenger,
) -> Result<SluiceConfig, ParamsError> {
    params.validate()?;
    Ok(build_config(params, challenger))
}

/// The zero-knowledge configuration for `params`, its challenger seeded as
/// [`config_with_challenger`]'s. Masks and salts come from `rng`: the
/// prover passes a generator seeded from the operating system, fresh for
/// every epoch; preprocessing and verification pass [`public_rng`].
pub fn zk_config_with_challenger(
    params: &ProofParams,
    challenger: Challenger,
    rng: ZkRng,
) -> Result<SluiceZkConfig, ParamsError> {
    params.validate()?;
    Ok(build_zk_config(params, challenger, rng))
}

/// [`zk_config_with_challenger`] without validation (shapes only).
#[cfg(test)]
pub(crate) fn unchecked_zk_config(params: &ProofParams) -> SluiceZkConfig {
    build_zk_config(params, blank_challenger(), public_rng())
}

fn build_zk_config(params: &ProofParams, challenger: Challenger, mut rng: ZkRng) -> SluiceZkConfig {
    let perm = permutation();
    let hash = LeafHash::new(default_koalabear_poseidon2_24());
    let compress = NodeCompress::new(perm);
    let val_mmcs = HidingValMmcs::new(hash, compress, 0, ZkRng::from_rng(&mut rng));
    let challenge_mmcs = ZkChallengeMmcs::new(val_mmcs.clone());
    let fri = fri_parameters(params, challenge_mmcs);
    let pcs = ZkPcs::new(Dft::default(), val_mmcs, fri, ZK_RANDOM_CODEWORDS, rng);
    SluiceZkConfig::new(pcs, challenger)
        .with_lookup_proof_of_work_bits(params.lookup_pow_bits as usize)
        .with_ood_proof_of_work_bits(params.ood_pow_bits as usize)
}

/// A configuration for `params` without [`ProofParams::validate`]: only for
/// checking that [`crate::stark::lookups::packed_lookups`] folds as
/// Plonky3's own preprocessing does, in the security tests. Never used to prove or verify.
#[cfg(test)]
pub(crate) fn unchecked_config(params: &ProofParams) -> SluiceConfig {
    build_config(params, blank_challenger())
}

/// The Merkle commitment scheme of plain (not zero-knowledge) proofs.
pub fn val_mmcs() -> ValMmcs {
    let hash = LeafHash::new(default_koalabear_poseidon2_24());
    ValMmcs::new(hash, NodeCompress::new(permutation()), 0)
}

fn build_config(params: &ProofParams, challenger: Challenger) -> SluiceConfig {
    let val_mmcs = val_mmcs();
    let challenge_mmcs = ChallengeMmcs::new(val_mmcs.clone());
    let fri = fri_parameters(params, challenge_mmcs);
    let pcs = Pcs::new(Dft::default(), val_mmcs, fri);
    SluiceConfig::new(pcs, challenger)
        .with_lookup_proof_of_work_bits(params.lookup_pow_bits as usize)
        .with_ood_proof_of_work_bits(params.ood_pow_bits as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use p3_challenger::{CanObserve, CanSample};
    use p3_field::PrimeCharacteristicRing;

    #[test]
    fn default_params_build_a_config() {
        assert!(config_with_challenger(&ProofParams::DEFAULT, blank_challenger()).is_ok());
    }

    #[test]
    fn insecure_params_are_refused() {
        let weak = ProofParams {
            num_queries: 2,
            ..ProofParams::DEFAULT
        };
        assert!(config_with_challenger(&weak, blank_challenger()).is_err());
    }

    #[test]
    fn permutation_is_deterministic() {
        // Two independently built challengers observing the same value must
        // sample the same challenge: the constants are fixed, not random.
        let mut a = blank_challenger();
        let mut b = blank_challenger();
        a.observe(Val::from_u32(7));
        b.observe(Val::from_u32(7));
        let x: Val = a.sample();
        let y: Val = b.sample();
        assert_eq!(x, y);
        let mut c = blank_challenger();
        c.observe(Val::from_u32(8));
        let z: Val = c.sample();
        assert_ne!(x, z);
    }
}
