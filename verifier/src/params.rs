//! Proof parameters: the knobs of FRI that fix soundness and proof size.
//!
//! They travel in every bundle header and seed every Fiat–Shamir transcript,
//! so a proof made with one set can never pass as another.

use serde::{Deserialize, Serialize};

/// The smallest conjectured security the verifier accepts, in bits.
pub const MIN_SECURITY_BITS: u32 = 100;

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
    /// Proof-of-work bits ground before the opening-batching (DEEP
    /// composition) challenge.
    pub batch_pow_bits: u8,
    /// Proof-of-work bits ground before the LogUp challenges.
    pub lookup_pow_bits: u8,
    /// Proof-of-work bits ground before the out-of-domain point.
    pub ood_pow_bits: u8,
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
        commit_pow_bits: 4,
        batch_pow_bits: 14,
        lookup_pow_bits: 14,
        ood_pow_bits: 4,
        log_final_poly_len: 0,
        max_log_arity: 1,
    };

    /// Every field with its name, in wire (and transcript) order.
    pub fn named_fields(&self) -> [(&'static str, u8); 9] {
        [
            ("log_blowup", self.log_blowup),
            ("num_queries", self.num_queries),
            ("query_pow_bits", self.query_pow_bits),
            ("commit_pow_bits", self.commit_pow_bits),
            ("batch_pow_bits", self.batch_pow_bits),
            ("lookup_pow_bits", self.lookup_pow_bits),
            ("ood_pow_bits", self.ood_pow_bits),
            ("log_final_poly_len", self.log_final_poly_len),
            ("max_log_arity", self.max_log_arity),
        ]
    }

    /// Conjectured security in whole bits: Plonky3's round budget
    /// (`p3_security::budget::security_report`) on the real epoch tables at
    /// the largest heights the verifier accepts ([`crate::security`]).
    pub fn conjectured_security_bits(&self) -> u32 {
        crate::security::conjectured_security_bits(self)
    }

    /// Checks that these parameters are ones the protocol accepts: within the
    /// ranges the Plonky3 configuration supports (so no header can make it
    /// panic or spend unbounded work) and at least [`MIN_SECURITY_BITS`] of
    /// conjectured security.
    pub fn validate(&self) -> Result<(), ParamsError> {
        let range = |name: &'static str, value: u8, lo: u8, hi: u8| {
            if value < lo || value > hi {
                Err(ParamsError::OutOfRange {
                    name,
                    value,
                    lo,
                    hi,
                })
            } else {
                Ok(())
            }
        };
        range("log_blowup", self.log_blowup, 1, 6)?;
        range("num_queries", self.num_queries, 1, 200)?;
        range("query_pow_bits", self.query_pow_bits, 0, 30)?;
        range("commit_pow_bits", self.commit_pow_bits, 0, 20)?;
        range("batch_pow_bits", self.batch_pow_bits, 0, 30)?;
        range("lookup_pow_bits", self.lookup_pow_bits, 0, 30)?;
        range("ood_pow_bits", self.ood_pow_bits, 0, 30)?;
        range("log_final_poly_len", self.log_final_poly_len, 0, 8)?;
        range("max_log_arity", self.max_log_arity, 1, 4)?;
        let bits = self.conjectured_security_bits();
        if bits < MIN_SECURITY_BITS {
            return Err(ParamsError::TooWeak { bits });
        }
        Ok(())
    }
}

/// Largest epoch trace height (log2) the security computation covers.
pub const MAX_TRACE_LOG2: u32 = 20;

/// Why a set of proof parameters is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParamsError {
    #[error("proof parameter {name} = {value} is outside {lo}..={hi}")]
    OutOfRange {
        name: &'static str,
        value: u8,
        lo: u8,
        hi: u8,
    },
    #[error("proof parameters give {bits} bits of conjectured security; at least {MIN_SECURITY_BITS} are required")]
    TooWeak { bits: u32 },
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
        assert!(matches!(weak.validate(), Err(ParamsError::TooWeak { .. })));
    }

    #[test]
    fn out_of_range_parameters_are_refused() {
        for bad in [
            ProofParams {
                log_blowup: 0,
                ..ProofParams::DEFAULT
            },
            ProofParams {
                log_blowup: 7,
                ..ProofParams::DEFAULT
            },
            ProofParams {
                max_log_arity: 0,
                ..ProofParams::DEFAULT
            },
            ProofParams {
                query_pow_bits: 31,
                ..ProofParams::DEFAULT
            },
            ProofParams {
                log_final_poly_len: 9,
                ..ProofParams::DEFAULT
            },
        ] {
            assert!(
                matches!(bad.validate(), Err(ParamsError::OutOfRange { .. })),
                "{bad:?}"
            );
        }
    }
}
