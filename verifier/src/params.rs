//! Proof parameters: the knobs of FRI that fix soundness and proof size.
//!
//! They travel in every bundle header and seed every Fiat–Shamir transcript,
//! so a proof made with one set can never pass as another.

use p3_field::{BasedVectorSpace, TwoAdicField};
use serde::{Deserialize, Serialize};

use crate::stark::config::{Challenge, Val};

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
    /// Zero-knowledge mode: every committed matrix is randomized and every
    /// Merkle leaf salted (Plonky3's hiding FRI PCS and hiding MMCS), so the
    /// openings reveal nothing about the trace beyond the statement and the
    /// tables' heights (`docs/proof-system.md`).
    pub zk: bool,
}

impl ProofParams {
    /// The parameters Sluice proves with by default.
    ///
    /// FRI folds by 16 (`max_log_arity` 4) down to an 8-coefficient final
    /// polynomial, with 8 bits of grinding per folding round to keep that
    /// round above the query round's 104 bits: measured against binary
    /// folding, proofs 13–16 % smaller at 2^16–2^18 for the same security,
    /// time and memory (`docs/benchmarks.md`, § "FRI folding arity").
    /// 16 bits of grinding before the opening-batching challenge keep that
    /// round above 104 bits with the Keccak table's 2,634 columns among the
    /// batched openings (14 bits were enough before it).
    pub const DEFAULT: ProofParams = ProofParams {
        log_blowup: 2,
        num_queries: 45,
        query_pow_bits: 16,
        commit_pow_bits: 8,
        batch_pow_bits: 16,
        lookup_pow_bits: 14,
        ood_pow_bits: 4,
        log_final_poly_len: 3,
        max_log_arity: 4,
        zk: false,
    };

    /// The default for long epochs: 42 queries after 22 bits of grinding
    /// instead of 45 after 16, and a final polynomial of 64 coefficients
    /// instead of 8: the same 104 bits (103 with zero knowledge). Proofs
    /// about 8 % smaller (a 2^20 epoch: 307 KB) for an expected 0.7 s
    /// of grinding per epoch on two cores: within the noise of a 2^20
    /// epoch's 15 s, but most of a 2^16 epoch's second, so the prover
    /// picks it by itself only for epochs of at least `2^LONG_EPOCH_LOG2`
    /// cycles (`docs/benchmarks.md`, § Protocol 14).
    pub const LONG: ProofParams = ProofParams {
        num_queries: 42,
        query_pow_bits: 22,
        log_final_poly_len: 6,
        ..Self::DEFAULT
    };

    /// Faster proving in less memory for larger proofs: blowup 2 and twice
    /// the queries (104 bits, 103 with zero knowledge). At 2^20, 1.4× the
    /// default's speed in 57 % of its memory, proofs 1.85× larger
    /// (`docs/benchmarks.md`, § "FRI folding arity"); with zero knowledge
    /// it saves little memory.
    pub const SPEED: ProofParams = ProofParams {
        log_blowup: 1,
        num_queries: 91,
        ..Self::DEFAULT
    };

    /// Smaller proofs for more proving time and memory: blowup 8 and 30
    /// queries (104 bits, 103 with zero knowledge). At 2^20, proofs 29 %
    /// smaller than the default's, 1.9× its time and 1.8× its memory.
    pub const SIZE: ProofParams = ProofParams {
        log_blowup: 3,
        num_queries: 30,
        // One bit more grinding before the DEEP batching challenge: with the
        // SHA-256 tables among the openings, 16 bits leave 103.9.
        batch_pow_bits: 17,
        ..Self::DEFAULT
    };

    /// Small proofs for short runs: blowup 16 and 22 queries (104 bits).
    /// Time and memory grow with the blowup, which only a short epoch can
    /// afford: the prover picks this preset by itself for a run of one
    /// epoch of at most `2^SHORT_RUN_LOG2` cycles (`docs/proof-system.md`,
    /// § Parameters). The larger blowup shifts bits from the queries to the
    /// grinding: two more before the queries and the DEEP batching
    /// challenge, two more per folding round. Plain mode only: a
    /// zero-knowledge trace at 2^20 rows has no room in KoalaBear's two-adic
    /// subgroups for blowup 16 ([`Self::short`] falls back to [`Self::SIZE`]).
    pub const SHORT: ProofParams = ProofParams {
        log_blowup: 4,
        num_queries: 22,
        query_pow_bits: 18,
        batch_pow_bits: 18,
        commit_pow_bits: 10,
        ..Self::DEFAULT
    };

    /// The short-run preset in the mode `zk` asks for: [`Self::SHORT`], or
    /// with zero knowledge [`Self::SIZE`] (the largest blowup that mode
    /// allows).
    pub const fn short(zk: bool) -> ProofParams {
        if zk {
            ProofParams { zk, ..Self::SIZE }
        } else {
            Self::SHORT
        }
    }

    /// [`Self::DEFAULT`] in zero-knowledge mode.
    pub const DEFAULT_ZK: ProofParams = ProofParams {
        zk: true,
        ..Self::DEFAULT
    };

    /// Every field with its name, in wire (and transcript) order.
    pub fn named_fields(&self) -> [(&'static str, u8); 10] {
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
            ("zk", u8::from(self.zk)),
        ]
    }

    /// The smallest trace height (log2) of any table.
    ///
    /// Without zero knowledge it is [`MIN_LOG_HEIGHT`]. With it, Plonky3's
    /// hiding PCS masks each committed column with as many random values as
    /// the trace has rows, and refuses (prover and verifier alike) a matrix
    /// with fewer than `2 * (num_queries + D * points)` rows, where `D` is the
    /// challenge field's degree and `points` the opening points per matrix
    /// (`zeta` and `zeta * g`): the masks must outnumber what the openings
    /// and queries disclose. Every table is padded to at least that height.
    ///
    /// In both modes FRI also needs every table taller than its final
    /// polynomial: at least `2^(log_final_poly_len + 1)` rows.
    pub fn min_log_height(&self) -> usize {
        let fri = self.log_final_poly_len as usize + 1;
        if !self.zk {
            return MIN_LOG_HEIGHT.max(fri);
        }
        let disclosed = 2 * (self.num_queries as usize + CHALLENGE_DEGREE * OPENING_POINTS);
        let bits = usize::BITS - (disclosed - 1).leading_zeros();
        (bits as usize).max(MIN_LOG_HEIGHT).max(fri)
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
        // The largest table's low-degree extension must fit the field's
        // two-adic subgroups: 2^(20 + zk + log_blowup) points.
        let lde_log = MAX_TRACE_LOG2 as usize + usize::from(self.zk) + self.log_blowup as usize;
        if lde_log > TWO_ADICITY {
            return Err(ParamsError::LdeTooLarge {
                log_blowup: self.log_blowup,
                zk: self.zk,
            });
        }
        // The fixed-height range table must be taller than the final
        // polynomial, and hold the hiding masks too.
        if self.log_final_poly_len as usize >= MAX_MIN_LOG_HEIGHT {
            return Err(ParamsError::FinalPolyTooLong {
                log_final_poly_len: self.log_final_poly_len,
            });
        }
        if self.min_log_height() > MAX_MIN_LOG_HEIGHT {
            return Err(ParamsError::ZkQueries {
                num_queries: self.num_queries,
            });
        }
        let bits = self.conjectured_security_bits();
        if bits < MIN_SECURITY_BITS {
            return Err(ParamsError::TooWeak { bits });
        }
        Ok(())
    }
}

/// Largest epoch trace height (log2) the security computation covers.
pub const MAX_TRACE_LOG2: u32 = 20;

/// Smallest trace height (log2) of any table without zero knowledge;
/// shorter traces are padded.
pub const MIN_LOG_HEIGHT: usize = 3;

/// The largest [`ProofParams::min_log_height`] accepted: the range table
/// has exactly `2^8` rows.
const MAX_MIN_LOG_HEIGHT: usize = crate::air::range::RANGE_LOG_ROWS;

/// log2 of the largest two-adic subgroup of the base field's
/// multiplicative group.
const TWO_ADICITY: usize = <Val as TwoAdicField>::TWO_ADICITY;

/// Degree of the challenge field over the base field.
const CHALLENGE_DEGREE: usize = <Challenge as BasedVectorSpace<Val>>::DIMENSION;

/// Out-of-domain points a committed matrix is opened at: `zeta` and
/// `zeta * g`.
const OPENING_POINTS: usize = 2;

/// Random codewords the hiding PCS appends to every committed matrix: the
/// challenge field's degree, the least Plonky3 accepts.
pub const ZK_RANDOM_CODEWORDS: usize = CHALLENGE_DEGREE;

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
    #[error("log_blowup {log_blowup} is too large{}: tables of 2^20 rows would need a low-degree extension beyond the field's 2^24-point subgroups", if *zk { " in zero-knowledge mode (which doubles the committed height)" } else { "" })]
    LdeTooLarge { log_blowup: u8, zk: bool },
    #[error("log_final_poly_len {log_final_poly_len} needs tables taller than the 256-row range table; use at most 7")]
    FinalPolyTooLong { log_final_poly_len: u8 },
    #[error("zero-knowledge mode with {num_queries} FRI queries needs tables taller than the 256-row range table; use at most 120 queries")]
    ZkQueries { num_queries: u8 },
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

    /// The presets `prove --favor` offers are valid in both modes and keep
    /// the security the docs state.
    #[test]
    fn presets_are_valid_and_keep_their_security() {
        let hiding = |p: ProofParams| ProofParams { zk: true, ..p };
        for (preset, hiding, plain, zk) in [
            (ProofParams::DEFAULT, hiding(ProofParams::DEFAULT), 104, 103),
            (ProofParams::LONG, hiding(ProofParams::LONG), 104, 103),
            (ProofParams::SPEED, hiding(ProofParams::SPEED), 104, 103),
            (ProofParams::SIZE, hiding(ProofParams::SIZE), 104, 103),
            (
                ProofParams::short(false),
                ProofParams::short(true),
                104,
                103,
            ),
        ] {
            assert_eq!(preset.validate(), Ok(()), "{preset:?}");
            assert_eq!(hiding.validate(), Ok(()), "{hiding:?}");
            assert_eq!(preset.conjectured_security_bits(), plain, "{preset:?}");
            assert_eq!(hiding.conjectured_security_bits(), zk, "{hiding:?}");
        }
    }

    /// Blowup 16 is out of reach in zero-knowledge mode (a hiding trace of
    /// 2^21 rows would need 2^25 points), so the short preset falls back.
    #[test]
    fn short_preset_is_plain_only() {
        let hiding = ProofParams {
            zk: true,
            ..ProofParams::SHORT
        };
        assert!(matches!(
            hiding.validate(),
            Err(ParamsError::LdeTooLarge { .. })
        ));
        assert!(ProofParams::short(true).zk);
        assert_eq!(ProofParams::short(true).log_blowup, 3);
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
    fn zk_tables_hold_the_hiding_masks() {
        // 2 * (45 + 4 * 2) = 106 disclosed values: 128 rows.
        // Plain mode: above the final polynomial (2^3 coefficients).
        assert_eq!(ProofParams::DEFAULT.min_log_height(), 4);
        let binary = ProofParams {
            log_final_poly_len: 0,
            ..ProofParams::DEFAULT
        };
        assert_eq!(binary.min_log_height(), MIN_LOG_HEIGHT);
        assert_eq!(ProofParams::DEFAULT_ZK.min_log_height(), 7);
        let q56 = ProofParams {
            num_queries: 56,
            ..ProofParams::DEFAULT_ZK
        };
        assert_eq!(q56.min_log_height(), 7);
        let q57 = ProofParams {
            num_queries: 57,
            ..ProofParams::DEFAULT_ZK
        };
        assert_eq!(q57.min_log_height(), 8);
        let q121 = ProofParams {
            num_queries: 121,
            ..ProofParams::DEFAULT_ZK
        };
        assert_eq!(q121.min_log_height(), 9);
        assert!(matches!(
            q121.validate(),
            Err(ParamsError::ZkQueries { num_queries: 121 })
        ));
    }

    /// FRI refuses (late, while proving) a table no taller than its final
    /// polynomial: tables are padded above it, and the range table's fixed
    /// 2^8 rows bound it.
    #[test]
    fn tables_are_taller_than_the_final_polynomial() {
        for zk in [false, true] {
            for len in 0..=7u8 {
                let p = ProofParams {
                    log_final_poly_len: len,
                    zk,
                    ..ProofParams::DEFAULT
                };
                assert!(p.min_log_height() > len as usize, "{p:?}");
                assert!(
                    !matches!(p.validate(), Err(ParamsError::FinalPolyTooLong { .. })),
                    "{p:?}"
                );
            }
            let p = ProofParams {
                log_final_poly_len: 8,
                zk,
                ..ProofParams::DEFAULT
            };
            assert!(matches!(
                p.validate(),
                Err(ParamsError::FinalPolyTooLong { .. })
            ));
        }
    }

    #[test]
    fn the_largest_extension_fits_the_two_adic_subgroups() {
        for (zk, max_blowup) in [(false, 4), (true, 3)] {
            let at = |log_blowup| ProofParams {
                log_blowup,
                zk,
                ..ProofParams::DEFAULT
            };
            assert!(!matches!(
                at(max_blowup).validate(),
                Err(ParamsError::LdeTooLarge { .. })
            ));
            assert!(matches!(
                at(max_blowup + 1).validate(),
                Err(ParamsError::LdeTooLarge { .. })
            ));
        }
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
