//! Proof parameters: the knobs of FRI that fix soundness and proof size.
//!
//! They travel in every bundle header and seed every Fiat–Shamir transcript,
//! so a proof made with one set can never pass as another.

use serde::{Deserialize, Serialize};

/// The smallest conjectured security the verifier accepts, in bits.
pub const MIN_SECURITY_BITS: u32 = 100;

/// Bits of the degree-4 extension of KoalaBear from which challenges are
/// drawn (`4 * log2(p)`, rounded down).
pub const CHALLENGE_FIELD_BITS: u32 = 123;

/// FRI parameters shared by every table of an epoch proof.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofParams {
    /// log2 of the Reed–Solomon blowup factor.
    pub log_blowup: u8,
    /// Number of FRI query repetitions.
    pub num_queries: u8,
    /// Proof-of-work bits ground before the queries are sampled.
    pub query_pow_bits: u8,
    /// Proof-of-work bits ground before each folding challenge.
    pub commit_pow_bits: u8,
    /// log2 of the length of the final FRI polynomial.
    pub log_final_poly_len: u8,
    /// log2 of the largest folding arity.
    pub max_log_arity: u8,
}

impl ProofParams {
    /// The parameters Sluice proves with by default.
    pub const DEFAULT: ProofParams = ProofParams {
        log_blowup: 2,
        num_queries: 45,
        query_pow_bits: 16,
        commit_pow_bits: 0,
        log_final_poly_len: 0,
        max_log_arity: 1,
    };

    /// Conjectured security in bits: each FRI query, under the usual
    /// conjecture, costs a cheating prover `log_blowup` bits; grinding adds
    /// `query_pow_bits`; nothing exceeds what the challenge field allows.
    pub fn conjectured_security_bits(&self) -> u32 {
        let fri = self.log_blowup as u32 * self.num_queries as u32 + self.query_pow_bits as u32;
        fri.min(CHALLENGE_FIELD_BITS)
    }
}

impl Default for ProofParams {
    fn default() -> Self {
        Self::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_meets_the_floor() {
        assert!(ProofParams::DEFAULT.conjectured_security_bits() >= MIN_SECURITY_BITS);
    }

    #[test]
    fn fewer_queries_lose_security() {
        let weak = ProofParams {
            num_queries: 10,
            ..ProofParams::DEFAULT
        };
        assert!(weak.conjectured_security_bits() < MIN_SECURITY_BITS);
    }
}
