//! Conjectured security of an epoch proof, by Plonky3's own calculator.
//!
//! The figure is `p3_security::budget::security_report` applied to the real
//! tables of an epoch proof: every table's width, next-row openings,
//! preprocessed columns, constraint count (LogUp's own constraints
//! included), maximum constraint degree, quotient chunks and lookups (after
//! `p3-batch-stark`'s same-bus packing), read off the AIRs themselves at the
//! largest height the verifier accepts (`2^MAX_TRACE_LOG2` rows for every
//! table sized by the execution). Nothing here is a hand formula: the
//! shapes come from the AIRs by symbolic evaluation, and the rounds (LogUp
//! challenges, constraint composition, out-of-domain point, opening
//! batching, FRI folding, FRI queries, commitment collisions) and their
//! grinding are graded by the calculator. A table change therefore moves
//! the figure by itself, and `ProofParams::validate` refuses any parameter
//! set the calculator puts below [`crate::params::MIN_SECURITY_BITS`].
//!
//! Zero-knowledge mode has its own shape: Plonky3's hiding PCS commits
//! every trace at twice its height (randomized rows), so the largest
//! committed height is `2^(MAX_TRACE_LOG2 + 1)`; the quotient is split into
//! twice as many chunks (and one degree higher before splitting); every
//! non-preprocessed matrix carries [`ZK_RANDOM_CODEWORDS`] random columns,
//! and a randomizing codeword is opened too (`OpeningShape::hiding`).

use alloc::vec::Vec;

use p3_air::symbolic::AirLayout;
use p3_air::BaseAir;
use p3_batch_stark::num_batched_openings;
use p3_batch_stark::symbolic::{get_log_num_quotient_chunks, get_symbolic_constraints};
use p3_field::{BasedVectorSpace, PrimeField32};
use p3_lookup::LogUpGadget;
use p3_security::budget::{
    security_report, AirShape, InstanceShape, LookupShape, ProtocolParams, SecurityReport,
};
use p3_security::fixed;
use p3_uni_stark::OpeningShape;

use crate::air::epoch_airs;
use crate::params::{ProofParams, MAX_TRACE_LOG2, ZK_RANDOM_CODEWORDS};
use crate::stark::config::{Challenge, Val};
use crate::stark::lookups::packed_lookups;
use crate::stark::shipped::{shipped_airs, ShippedAir};

/// Collision resistance of the proof's commitments, in bits: Poseidon2 over
/// KoalaBear with Merkle digests of
/// [`DIGEST_ELEMS`](crate::stark::config::DIGEST_ELEMS) elements (7 × 30.98
/// ≈ 217 bits), so birthday-bound 108 bits. (The transcript sponge keeps an 8-element capacity, 124 bits.)
pub const COLLISION_RESISTANCE_BITS: u32 = 108;

/// The shape of one table, as the calculator and the docs see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableShape {
    pub name: &'static str,
    pub width: usize,
    pub preprocessed_width: usize,
    /// Whether any constraint reads the next row (opened at `zeta * g` too).
    pub main_next: bool,
    pub preprocessed_next: bool,
    /// Constraints batched into the quotient: the AIR's and LogUp's.
    pub num_constraints: usize,
    pub max_constraint_degree: usize,
    pub num_quotient_chunks: usize,
    /// Lookup columns committed after packing (LogUp fraction columns).
    pub num_lookups: usize,
    /// Denominators (bus messages) per row over all lookups.
    pub num_fractions: usize,
    /// Widest message payload.
    pub max_message_width: usize,
    /// Powers of the opening-batching challenge this table consumes.
    pub num_batched_openings: usize,
}

/// Every table of an epoch proof, and their aggregate for the calculator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EpochShape {
    pub log_max_height: u32,
    pub tables: Vec<TableShape>,
    pub air: AirShape,
}

/// One cached shape per mode and `log_blowup` (the packing budget depends on
/// both; blowups above 7 share the last slot, whose budget already packs
/// every bus into as few columns as its messages allow).
static SHAPES: [spin::Once<EpochShape>; 16] = [const { spin::Once::new() }; 16];

/// The epoch proof's shape under `params` (computed once per process for
/// each mode and blowup).
pub fn epoch_shape(params: &ProofParams) -> &'static EpochShape {
    let log_blowup = params.log_blowup.min(7);
    let slot = usize::from(params.zk) * 8 + usize::from(log_blowup);
    SHAPES[slot].call_once(|| compute_shape(params.zk, log_blowup))
}

/// Log2 of the challenge field's size, rounded down, in the calculator's
/// fixed point: `4 * log2(p)` for KoalaBear's degree-4 extension.
pub fn challenge_field_bits() -> u64 {
    let degree = <Challenge as BasedVectorSpace<Val>>::DIMENSION as u64;
    degree * fixed::floor_log2(Val::ORDER_U32 as u64)
}

/// What the calculator is told about the protocol's knobs.
pub fn protocol_params(params: &ProofParams) -> ProtocolParams {
    ProtocolParams {
        log_blowup: params.log_blowup as u32,
        log_folding_arity: params.max_log_arity as u32,
        num_queries: params.num_queries as u32,
        query_pow_bits: params.query_pow_bits as u32,
        ood_pow_bits: params.ood_pow_bits as u32,
        deep_pow_bits: params.batch_pow_bits as u32,
        folding_pow_bits: params.commit_pow_bits as u32,
        lookup_pow_bits: params.lookup_pow_bits as u32,
    }
}

/// The per-round breakdown for `params` on the real epoch tables.
pub fn report(params: &ProofParams) -> SecurityReport {
    let shape = epoch_shape(params);
    let instance = InstanceShape {
        log_max_height: shape.log_max_height,
        field_bits: challenge_field_bits(),
        collision_resistance: COLLISION_RESISTANCE_BITS,
    };
    security_report(&protocol_params(params), &instance, &shape.air)
}

/// Conjectured security in whole bits, rounded down.
pub fn conjectured_security_bits(params: &ProofParams) -> u32 {
    report(params).security_level()
}

/// A round's bits as a decimal number (the calculator's fixed point).
pub fn term_bits(bits: u64) -> f64 {
    bits as f64 / fixed::ONE as f64
}

fn compute_shape(zk: bool, log_blowup: u8) -> EpochShape {
    // Lookup packing depends on the AIRs, the heights, the mode and the
    // blowup only.
    let params = ProofParams {
        zk,
        log_blowup,
        ..ProofParams::DEFAULT
    };
    let airs = shipped_airs(epoch_airs(&[], &params));
    let log_max = MAX_TRACE_LOG2 as usize;
    let degrees: Vec<usize> = airs
        .iter()
        .map(|a| a.air.fixed_log_height().unwrap_or(log_max))
        .collect();
    let is_zk = usize::from(zk);
    let ext_degrees: Vec<usize> = degrees.iter().map(|d| d + is_zk).collect();
    let common = packed_lookups(&airs, &ext_degrees, &params);
    let openings = if zk {
        OpeningShape::hiding(ZK_RANDOM_CODEWORDS)
    } else {
        OpeningShape::new()
    };
    let gadget = LogUpGadget::new();
    let challenge_dim = <Challenge as BasedVectorSpace<Val>>::DIMENSION;

    let tables: Vec<TableShape> = airs
        .iter()
        .zip(&degrees)
        .zip(common.iter())
        .map(|((air, &log_height), lookups)| {
            let layout = AirLayout::from_air::<Val>(air);
            // The table's own constraints' degree is shipped; the lookups'
            // constraints are built here.
            let (base, ext) = get_symbolic_constraints::<Val, Challenge, ShippedAir, _>(
                air, layout, lookups, &gadget,
            );
            let max_degree = base
                .iter()
                .map(|c| c.degree_multiple())
                .chain(ext.iter().map(|c| c.degree_multiple()))
                .fold(air.degree(), usize::max);
            // As `p3-batch-stark` commits them: one degree more and twice
            // the chunks under zero knowledge.
            let log_chunks = get_log_num_quotient_chunks::<Val, Challenge, ShippedAir, _>(
                air,
                layout,
                1 << log_height,
                lookups,
                is_zk,
                &gadget,
            );
            let num_quotient_chunks = 1usize << (log_chunks + is_zk);
            let width = BaseAir::<Val>::width(air);
            let preprocessed_width = BaseAir::<Val>::preprocessed_width(air);
            let main_next = !BaseAir::<Val>::main_next_row_columns(air).is_empty();
            let preprocessed_next = !BaseAir::<Val>::preprocessed_next_row_columns(air).is_empty();
            let num_lookups = lookups.len();
            let num_fractions = lookups.iter().map(|l| l.elements.len()).sum();
            let max_message_width = lookups
                .iter()
                .flat_map(|l| l.elements.iter().map(Vec::len))
                .max()
                .unwrap_or(0);
            TableShape {
                name: air.air.name(),
                width,
                preprocessed_width,
                main_next,
                preprocessed_next,
                num_constraints: air.num_constraints() + base.len() + ext.len(),
                max_constraint_degree: max_degree,
                num_quotient_chunks,
                num_lookups,
                num_fractions,
                max_message_width,
                num_batched_openings: num_batched_openings(
                    width,
                    main_next,
                    preprocessed_width,
                    preprocessed_next,
                    num_quotient_chunks,
                    num_lookups,
                    challenge_dim,
                    openings,
                ),
            }
        })
        .collect();

    let sum = |f: fn(&TableShape) -> usize| tables.iter().map(f).sum::<usize>() as u32;
    let max = |f: fn(&TableShape) -> usize| tables.iter().map(f).max().unwrap_or(0) as u32;
    let any_next = tables.iter().any(|t| t.main_next || t.preprocessed_next);
    // Out-of-domain points: `zeta` for every table, and `zeta * g` for any
    // table that reads its next row (LogUp columns always do).
    let ood_points = 1 + u32::from(any_next || tables.iter().any(|t| t.num_lookups > 0));
    let air = AirShape {
        // One batching slot per table beyond the first, for the challenge
        // that combines the tables' quotients.
        num_composed_constraints: sum(|t| t.num_constraints) + tables.len() as u32 - 1,
        max_constraint_degree: max(|t| t.max_constraint_degree),
        num_quotient_chunks: max(|t| t.num_quotient_chunks),
        max_combo: ood_points,
        num_deep_terms: Some(sum(|t| t.num_batched_openings) + ood_points),
        lookup: Some(LookupShape {
            fractions_per_row: sum(|t| t.num_fractions),
            max_message_width: max(|t| t.max_message_width),
        }),
    };
    EpochShape {
        // The largest committed height: zero knowledge doubles it.
        log_max_height: MAX_TRACE_LOG2 + zk as u32,
        tables,
        air,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p3_security::budget::report::{
        DEEP_COMPOSITION_LABEL, FOLDING_LABEL, LOOKUP_LABEL, OUT_OF_DOMAIN_LABEL, QUERY_LABEL,
    };

    /// The collision bound follows the digest size: half its bits, rounded
    /// down, and at least the protocol's security level.
    #[test]
    fn collision_bits_follow_the_digest() {
        use crate::stark::config::DIGEST_ELEMS;
        let field_bits = (Val::ORDER_U32 as f64).log2();
        let birthday = (DIGEST_ELEMS as f64 * field_bits / 2.0).floor() as u32;
        assert_eq!(COLLISION_RESISTANCE_BITS, birthday);
        assert!(COLLISION_RESISTANCE_BITS > conjectured_security_bits(&ProofParams::default()));
    }

    fn bits_of(params: &ProofParams, label: &str) -> u32 {
        let r = report(params);
        let t = r.terms().iter().find(|t| t.label == label).unwrap();
        fixed::to_bits(t.bits)
    }

    /// The security calculator folds the lookups without committing the
    /// preprocessed columns; the prover and verifier fold them while
    /// committing. Both must agree for every mode and blowup a header may
    /// name, or the calculator would judge a different protocol.
    #[test]
    fn packing_without_preprocessing_matches_plonky3s() {
        use crate::stark::config::{unchecked_config, unchecked_zk_config};
        use crate::stark::lookups::epoch_prover_data;
        for zk in [false, true] {
            for log_blowup in 1..=6 {
                let params = ProofParams {
                    zk,
                    log_blowup,
                    ..ProofParams::DEFAULT
                };
                let airs = epoch_airs(&[], &params);
                // Small variable tables keep the commitment cheap; the fixed
                // tables keep their real heights.
                let degrees: Vec<usize> = airs
                    .iter()
                    .map(|a| a.fixed_log_height().unwrap_or(6) + usize::from(zk))
                    .collect();
                let ours = packed_lookups(&shipped_airs(airs.clone()), &degrees, &params);
                let theirs = if zk {
                    let config = unchecked_zk_config(&params);
                    epoch_prover_data(&config, &airs, &degrees, &params).map(|d| d.common.lookups)
                } else {
                    let config = unchecked_config(&params);
                    epoch_prover_data(&config, &airs, &degrees, &params).map(|d| d.common.lookups)
                }
                .unwrap();
                assert_eq!(
                    alloc::format!("{ours:?}"),
                    alloc::format!("{theirs:?}"),
                    "zk {zk}, log_blowup {log_blowup}"
                );
            }
        }
    }

    fn ungrounded() -> ProofParams {
        ProofParams {
            commit_pow_bits: 0,
            batch_pow_bits: 0,
            lookup_pow_bits: 0,
            ood_pow_bits: 0,
            ..ProofParams::DEFAULT
        }
    }

    /// Pins the calculator's verdict on the default parameters and the
    /// current tables: a table or parameter change that moves it must
    /// update this test (and the figure in the docs) on purpose.
    #[test]
    fn default_parameters_give_104_bits() {
        let r = report(&ProofParams::DEFAULT);
        assert_eq!(r.security_level(), 104);
        assert_eq!(r.binding_term().label, QUERY_LABEL);
        // LogUp's round falls with the widest message: 104.84 bits since
        // protocol 8's decode message (pc's bytes and the link, 39
        // elements), 105.02 before.
        for (label, bits) in [
            (LOOKUP_LABEL, 104),
            (OUT_OF_DOMAIN_LABEL, 105),
            (DEEP_COMPOSITION_LABEL, 104),
            (FOLDING_LABEL, 105),
            (QUERY_LABEL, 104),
        ] {
            assert_eq!(bits_of(&ProofParams::DEFAULT, label), bits, "{label}");
        }
    }

    /// Zero-knowledge mode's own shape: committed heights doubled, twice
    /// the quotient chunks, random codewords in every batched opening. The
    /// LogUp round binds (103.4 bits); opening batching, which bound before
    /// protocol 9 raised its grinding to 16 bits, is at 103.7.
    #[test]
    fn zero_knowledge_gives_103_bits() {
        let zk = ProofParams::DEFAULT_ZK;
        let r = report(&zk);
        assert_eq!(r.security_level(), 103);
        assert_eq!(r.binding_term().label, LOOKUP_LABEL);
        let (plain, hiding) = (epoch_shape(&ProofParams::DEFAULT), epoch_shape(&zk));
        assert_eq!(hiding.log_max_height, plain.log_max_height + 1);
        // Plain: at most four chunks (the full-rate tables' LogUp columns,
        // degree 5), the CPU two. ZK: one degree more (batch-stark also packs LogUp messages
        // up to the larger chunk budget, degree 4), rounded up to four
        // chunks, doubled.
        let cpu = |s: &EpochShape| {
            s.tables
                .iter()
                .find(|t| t.name == "cpu")
                .unwrap()
                .num_quotient_chunks
        };
        assert_eq!(plain.air.num_quotient_chunks, 4);
        assert_eq!(cpu(plain), 2);
        assert_eq!(hiding.air.num_quotient_chunks, 8);
        assert!(hiding.air.num_deep_terms > plain.air.num_deep_terms);
        assert!(zk.validate().is_ok());
    }

    /// Protocol 2's parameters (no grinding but before the queries): the
    /// calculator says 90 bits (on protocol 2's tables: LogUp 91.0, opening
    /// batching 90.4; on protocol 5's: LogUp 91, opening batching 90; on
    /// protocol 8's: LogUp 90.84, opening batching 90; on protocol 9's,
    /// with the Keccak table's 2,634 columns among the openings: LogUp 90,
    /// opening batching 88), not the 101 its hand formula claimed; such a
    /// set is refused.
    #[test]
    fn without_grinding_the_level_is_88_bits_and_refused() {
        let r = report(&ungrounded());
        assert_eq!(r.security_level(), 88);
        assert_eq!(bits_of(&ungrounded(), DEEP_COMPOSITION_LABEL), 88);
        assert_eq!(bits_of(&ungrounded(), LOOKUP_LABEL), 90);
        assert!(ungrounded().validate().is_err());
    }

    /// Each grinding knob is credited to its own round, bit for bit.
    #[test]
    fn each_grinding_site_lifts_its_round() {
        let base = ungrounded();
        for (label, p) in [
            (
                LOOKUP_LABEL,
                ProofParams {
                    lookup_pow_bits: 5,
                    ..base
                },
            ),
            (
                DEEP_COMPOSITION_LABEL,
                ProofParams {
                    batch_pow_bits: 5,
                    ..base
                },
            ),
            (
                OUT_OF_DOMAIN_LABEL,
                ProofParams {
                    ood_pow_bits: 5,
                    ..base
                },
            ),
            (
                FOLDING_LABEL,
                ProofParams {
                    commit_pow_bits: 5,
                    ..base
                },
            ),
        ] {
            assert_eq!(bits_of(&p, label), bits_of(&base, label) + 5, "{label}");
        }
    }

    /// The shape is read off every table of the batch, with its lookups.
    #[test]
    #[ignore = "prints the report: cargo test -p verifier --lib security -- --ignored --nocapture"]
    fn print_report() {
        for p in [ungrounded(), ProofParams::DEFAULT] {
            for t in report(&p).terms() {
                std::println!("{}: {:.2}", t.label, term_bits(t.bits));
            }
        }
        std::println!("{:?}", epoch_shape(&ProofParams::DEFAULT).air);
    }

    #[test]
    fn shape_covers_every_table() {
        let shape = epoch_shape(&ProofParams::DEFAULT);
        let airs = epoch_airs(&[], &ProofParams::DEFAULT);
        assert_eq!(shape.tables.len(), airs.len());
        for (t, a) in shape.tables.iter().zip(&airs) {
            assert_eq!(t.name, a.name());
            assert_eq!(t.width, BaseAir::<Val>::width(a));
            assert!(t.num_constraints > 0 && t.max_constraint_degree >= 2);
            assert!(t.num_lookups > 0, "{} has no lookups", t.name);
        }
        let lookup = shape.air.lookup.unwrap();
        assert_eq!(
            lookup.fractions_per_row as usize,
            shape.tables.iter().map(|t| t.num_fractions).sum::<usize>()
        );
        assert_eq!(challenge_field_bits() >> fixed::FRACTIONAL_BITS, 123);
    }
}
