//! Fiat–Shamir seeding: what every epoch proof's transcript starts from.
//!
//! Before a single commitment is observed, the challenger absorbs the
//! protocol version, every proof parameter, the image ID, the epoch index,
//! the epoch size and the full public statement (start and end digests,
//! cycles, role and exit code, output length and the SHA-256 of the output).
//! A proof made for any other position, run, role, parameter set or output
//! therefore faces different challenges and fails verification (the
//! "relabelling / replay" attack class).
//!
//! Encoding: a fixed domain tag, then a sequence of `u32` words; each word is
//! observed as two field elements holding its low and high 16 bits, so every
//! word is absorbed injectively whatever its value. The sequence has a fixed
//! length, so no length prefix is needed.

use alloc::vec::Vec;

use p3_challenger::CanObserve;
use p3_field::PrimeCharacteristicRing;
use sha2::{Digest as _, Sha256};

use super::config::{blank_challenger, Challenger, Val};
use crate::digest::Digest;
use crate::params::ProofParams;
use crate::statement::{EpochRole, EpochStatement};
use crate::PROTOCOL_VERSION;

/// Domain separation tag (ASCII "sluice-epoch-proof"), absorbed first.
const DOMAIN_TAG: &[u8] = b"sluice-epoch-proof";

/// Everything an epoch's transcript is seeded with.
#[derive(Clone, Debug)]
pub struct EpochContext<'a> {
    pub params: ProofParams,
    pub image_id: Digest,
    pub epoch_size_log2: u8,
    pub index: u64,
    pub statement: &'a EpochStatement,
}

/// The seed as a word sequence (exposed for tests and documentation).
pub fn seed_words(ctx: &EpochContext<'_>) -> Vec<u32> {
    let mut w = Vec::with_capacity(64);
    w.push(DOMAIN_TAG.len() as u32);
    w.extend(DOMAIN_TAG.iter().map(|&b| b as u32));
    w.push(PROTOCOL_VERSION);
    w.extend(ctx.params.named_fields().map(|(_, v)| u32::from(v)));
    w.extend(ctx.image_id.0);
    w.push(ctx.index as u32);
    w.push((ctx.index >> 32) as u32);
    w.push(ctx.epoch_size_log2 as u32);
    let s = ctx.statement;
    w.extend(s.start.0);
    w.extend(s.end.0);
    w.push(s.cycles as u32);
    w.push((s.cycles >> 32) as u32);
    match s.role {
        EpochRole::Continue => w.extend([0, 0]),
        EpochRole::Halt { exit_code } => w.extend([1, exit_code]),
    }
    let len = s.output.len() as u64;
    w.push(len as u32);
    w.push((len >> 32) as u32);
    let hash = Sha256::digest(&s.output);
    w.extend(
        hash.chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])),
    );
    w
}

/// A fresh challenger that has absorbed the epoch's seed and nothing else.
pub fn seeded_challenger(ctx: &EpochContext<'_>) -> Challenger {
    let mut challenger = blank_challenger();
    for word in seed_words(ctx) {
        challenger.observe(Val::from_u32(word & 0xffff));
        challenger.observe(Val::from_u32(word >> 16));
    }
    challenger
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use p3_challenger::CanSample;

    fn statement() -> EpochStatement {
        EpochStatement {
            start: Digest([1, 2, 3, 4, 5, 6, 7, 8]),
            end: Digest([9, 10, 11, 12, 13, 14, 15, 16]),
            cycles: 256,
            role: EpochRole::Continue,
            output: vec![1, 2, 3],
        }
    }

    fn first_challenge(ctx: &EpochContext<'_>) -> Val {
        seeded_challenger(ctx).sample()
    }

    /// Every field of the context changes the first challenge.
    #[test]
    fn every_field_is_bound() {
        let st = statement();
        let base = EpochContext {
            params: ProofParams::DEFAULT,
            image_id: Digest([7; 8]),
            epoch_size_log2: 8,
            index: 3,
            statement: &st,
        };
        let c0 = first_challenge(&base);
        assert_eq!(c0, first_challenge(&base.clone()));

        let variants = vec![
            EpochContext {
                index: 4,
                ..base.clone()
            },
            EpochContext {
                index: 3 + (1 << 32),
                ..base.clone()
            },
            EpochContext {
                epoch_size_log2: 9,
                ..base.clone()
            },
            EpochContext {
                image_id: Digest([7, 7, 7, 7, 7, 7, 7, 6]),
                ..base.clone()
            },
            EpochContext {
                params: ProofParams {
                    num_queries: 46,
                    ..ProofParams::DEFAULT
                },
                ..base.clone()
            },
            EpochContext {
                params: ProofParams {
                    commit_pow_bits: 1,
                    ..ProofParams::DEFAULT
                },
                ..base.clone()
            },
            EpochContext {
                params: ProofParams {
                    batch_pow_bits: 15,
                    ..ProofParams::DEFAULT
                },
                ..base.clone()
            },
            EpochContext {
                params: ProofParams {
                    lookup_pow_bits: 15,
                    ..ProofParams::DEFAULT
                },
                ..base.clone()
            },
            EpochContext {
                params: ProofParams {
                    ood_pow_bits: 5,
                    ..ProofParams::DEFAULT
                },
                ..base.clone()
            },
            EpochContext {
                params: ProofParams::DEFAULT_ZK,
                ..base.clone()
            },
        ];
        for v in &variants {
            assert_ne!(first_challenge(v), c0, "{v:?}");
        }

        let statements = vec![
            EpochStatement {
                cycles: 255,
                ..st.clone()
            },
            EpochStatement {
                role: EpochRole::Halt { exit_code: 0 },
                ..st.clone()
            },
            EpochStatement {
                start: Digest([1, 2, 3, 4, 5, 6, 7, 9]),
                ..st.clone()
            },
            EpochStatement {
                end: Digest([0; 8]),
                ..st.clone()
            },
            EpochStatement {
                output: vec![1, 2, 4],
                ..st.clone()
            },
            EpochStatement {
                output: vec![1, 2, 3, 0],
                ..st.clone()
            },
        ];
        let halted = EpochStatement {
            role: EpochRole::Halt { exit_code: 1 },
            ..st.clone()
        };
        let halted0 = EpochStatement {
            role: EpochRole::Halt { exit_code: 0 },
            ..st.clone()
        };
        assert_ne!(
            first_challenge(&EpochContext {
                statement: &halted,
                ..base.clone()
            }),
            first_challenge(&EpochContext {
                statement: &halted0,
                ..base.clone()
            })
        );
        for s in &statements {
            let ctx = EpochContext {
                statement: s,
                ..base.clone()
            };
            assert_ne!(first_challenge(&ctx), c0, "{s:?}");
        }
    }
}
