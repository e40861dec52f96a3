//! How the tables' bus messages are packed into LogUp columns.
//!
//! `p3-batch-stark` folds several messages on one bus into a single running
//! sum column while the column's constraint degree stays within a budget.
//! Its default budget never changes a table's quotient chunk count, so the
//! degree-2 tables (`add_sub`, `mul`: one chunk) get one message per column.
//! Ours is per table ([`lookup_budget`]). By default it is the degree of a
//! half-rate quotient, `2^(b-1) + 1` at blowup `2^b`: at the default blowup
//! 4, degree 3, two chunks (measured in one run at 2^18 against Plonky3's
//! budget, `docs/benchmarks.md`: proofs −3 %, memory −6 %, time unchanged).
//! Packing every table up to the full rate (four chunks everywhere) saved
//! 10 % of the proof and 12 % of the memory but cost ~10 % more time, most
//! of it the CPU table's doubled quotient domain. So only short tables
//! whose full-rate packing opens fewer extension columns per query pack
//! that far ([`FULL_RATE_TABLES`]).
//!
//! Prover, verifier and the security calculator must fold identically, so
//! all three build their lookup data here.

use alloc::string::String;
use alloc::vec::Vec;

use p3_air::symbolic::AirLayout;
use p3_air::Air;
use p3_air::BaseAir;
use p3_batch_stark::common::{GlobalPreprocessed, PreprocessedInstanceMeta};
use p3_batch_stark::symbolic::get_log_num_quotient_chunks_for_domain;
use p3_batch_stark::{CommonData, ProverData};
use p3_commit::PolynomialSpace;
use p3_commit::{Pcs, UnivariateStarkPcs};
use p3_field::coset::TwoAdicMultiplicativeCoset;
use p3_field::PrimeCharacteristicRing;
use p3_lookup::{InteractionSymbolicBuilder, LogUpGadget, Lookups};
use p3_matrix::Matrix;

use super::config::{Challenge, EpochStarkConfig, Val};
use super::shipped::ShippedAir;
use crate::params::ProofParams;

/// Tables packed at the full rate: each one's LogUp columns saved outweigh
/// its quotient chunks added (four opened elements per query each, whatever
/// the table's height), and it stays short (rows per touched page, per
/// syscall, per precompile call), so its doubled quotient domain costs
/// little time.
pub const FULL_RATE_TABLES: &[&str] = &["page", "io", "keccak_mem"];

/// Tables whose full-rate packing would open fewer columns too, kept at the
/// half rate for time: each can be as tall as a large share of the CPU
/// table (a MUL table a quarter of the CPU's height took 2.4 s more to
/// prove at 2^20 with four chunks, for 8 opened elements less per query;
/// `docs/benchmarks.md`, § Protocol 14), or, for Keccak, has 3,192
/// constraints to evaluate on a doubled domain for 16 of its 2,700 opened
/// elements.
pub const HALF_RATE_BY_CHOICE: &[&str] =
    &["cpu", "mul", "div_rem", "io_words", "keccak", "sha256_mem"];

/// The packing budget (largest constraint degree of a LogUp column) of
/// `table` under `params`.
///
/// By default a table packs at the half rate of the blowup, `2^(b-1) + 1`
/// (degree 3 at blowup 4: two quotient chunks, which most tables need for
/// their own constraints anyway). A table of [`FULL_RATE_TABLES`] packs at
/// the full rate capped at four chunks, `min(2^b, 4) + 1`, or the half rate
/// if that is larger (degree 5 at blowups 4 and 8, 9 at 16).
///
/// Zero knowledge already commits twice the chunks (four at the default
/// blowup), so it keeps Plonky3's free budget (`0` = no override), which
/// packs up to degree 4 there.
pub fn lookup_budget(params: &ProofParams, table: &str) -> usize {
    if params.zk {
        0
    } else if FULL_RATE_TABLES.contains(&table) {
        full_rate_budget(params)
    } else {
        half_rate_budget(params)
    }
}

/// `2^(b-1) + 1` at blowup `2^b`.
fn half_rate_budget(params: &ProofParams) -> usize {
    (1usize << params.log_blowup.saturating_sub(1)) + 1
}

/// `min(2^b, 4) + 1`, or the half rate if that is larger.
fn full_rate_budget(params: &ProofParams) -> usize {
    half_rate_budget(params).max((1usize << params.log_blowup.min(2)) + 1)
}

/// A table's name, which picks its packing budget ([`lookup_budget`]).
pub trait NamedTable {
    fn table_name(&self) -> &'static str;
}

impl NamedTable for crate::air::SluiceAir {
    fn table_name(&self) -> &'static str {
        self.name()
    }
}

/// The packed lookups of `airs` at the committed heights `ext_degrees`,
/// exactly as [`epoch_prover_data`] folds them from the real tables, from
/// the shipped facts ([`super::shipped`]) and without committing the
/// preprocessed columns.
///
/// The security calculator needs only the packing, and it runs for every
/// header a verifier accepts. A test checks that this agrees with
/// Plonky3's own folding for every accepted mode and blowup.
pub fn packed_lookups(
    airs: &[ShippedAir],
    ext_degrees: &[usize],
    params: &ProofParams,
) -> Vec<Lookups<Val>> {
    airs.iter()
        .zip(ext_degrees)
        .map(|(air, &ext_bits)| pack(air, ext_bits, params, lookup_budget(params, air.air.name())))
        .collect()
}

/// The trace's own domain at the committed height `2^ext_bits` (before the
/// zero-knowledge rows), as the PCS's natural domain for that height.
fn trace_domain(ext_bits: usize, params: &ProofParams) -> TwoAdicMultiplicativeCoset<Val> {
    TwoAdicMultiplicativeCoset::new(Val::ONE, ext_bits - usize::from(params.zk))
        .expect("epoch heights fit the two-adic subgroup")
}

/// Log2 of `air`'s quotient chunk count with `lookups` (zero-knowledge
/// doubling not included).
fn log_quotient_chunks(
    air: &ShippedAir,
    ext_bits: usize,
    params: &ProofParams,
    lookups: &Lookups<Val>,
) -> usize {
    get_log_num_quotient_chunks_for_domain::<Val, Challenge, _, _>(
        air,
        AirLayout::from_air(air),
        trace_domain(ext_bits, params),
        lookups,
        usize::from(params.zk),
        &LogUpGadget::new(),
    )
}

/// `air`'s lookups packed under `budget` at the committed height
/// `2^ext_bits`.
fn pack(air: &ShippedAir, ext_bits: usize, params: &ProofParams, budget: usize) -> Lookups<Val> {
    let gadget = LogUpGadget::new();
    let transition = trace_domain(ext_bits, params).transition_degree_multiple();
    let unpacked = air.lookups().clone();
    // Packing may fill the quotient's current chunk count for free; an
    // explicit budget can go further.
    let free = (1usize << log_quotient_chunks(air, ext_bits, params, &unpacked)) + 1
        - usize::from(params.zk);
    unpacked.pack_same_bus_with_degree(free.max(budget), |lookup| {
        gadget.constraint_degree_with_transition(lookup, transition)
    })
}

/// What the verifier needs before a proof of the tables `airs` at the
/// committed heights `ext_degrees`: the preprocessed tables' commitment and
/// the packed lookups, the same [`CommonData`] the prover's
/// [`epoch_prover_data`] holds, made from the shipped tables.
pub fn verifier_common<SC: EpochStarkConfig>(
    config: &SC,
    airs: &[ShippedAir],
    ext_degrees: &[usize],
    params: &ProofParams,
) -> Result<CommonData<SC>, String> {
    if airs.len() != ext_degrees.len() {
        return Err(alloc::format!(
            "{} tables, {} heights",
            airs.len(),
            ext_degrees.len()
        ));
    }
    let pcs = config.pcs();
    let is_zk = usize::from(params.zk);
    let mut instances = Vec::with_capacity(airs.len());
    let mut matrix_to_instance = Vec::new();
    let mut matrices = Vec::new();
    for (i, (air, &ext_bits)) in airs.iter().zip(ext_degrees).enumerate() {
        let Some(trace) = BaseAir::<Val>::preprocessed_trace(air).filter(|t| t.width() > 0) else {
            instances.push(None);
            continue;
        };
        if trace.height() != 1 << (ext_bits - is_zk) {
            return Err(alloc::format!(
                "table {} has {} preprocessed rows at height 2^{ext_bits}",
                air.air.name(),
                trace.height()
            ));
        }
        instances.push(Some(PreprocessedInstanceMeta {
            matrix_index: matrices.len(),
            width: trace.width(),
            degree_bits: ext_bits,
        }));
        matrix_to_instance.push(i);
        matrices.push((pcs.natural_domain_for_degree(1 << ext_bits), trace));
    }
    let preprocessed = if matrices.is_empty() {
        None
    } else {
        let (commitment, _) = pcs
            .commit_preprocessing(matrices)
            .map_err(|e| alloc::format!("{e:?}"))?;
        Some(GlobalPreprocessed {
            commitment,
            instances,
            matrix_to_instance,
        })
    };
    Ok(CommonData::new(
        preprocessed,
        packed_lookups(airs, ext_degrees, params),
    ))
}

/// Preprocessed commitment and packed lookups of the tables `airs` (the
/// epoch's, or a test batch of some of them) at the committed heights
/// `ext_degrees` (log2, zero-knowledge rows included).
pub fn epoch_prover_data<SC, A>(
    config: &SC,
    airs: &[A],
    ext_degrees: &[usize],
    params: &ProofParams,
) -> Result<ProverData<SC>, String>
where
    SC: super::config::EpochProofConfig,
    A: Air<InteractionSymbolicBuilder<Val, Challenge>> + NamedTable,
{
    let budgets: Vec<usize> = airs
        .iter()
        .map(|a| lookup_budget(params, a.table_name()))
        .collect();
    ProverData::from_airs_and_degrees_with_lookup_budgets(
        config,
        airs,
        ext_degrees,
        &budgets,
        params.log_blowup as usize,
    )
    .map_err(|e| alloc::format!("{e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::air::epoch_airs;
    use crate::stark::config::{unchecked_config, unchecked_zk_config};
    use crate::stark::shipped::shipped_airs;

    fn same<SC: EpochStarkConfig>(ours: &CommonData<SC>, theirs: &CommonData<SC>, what: &str)
    where
        p3_batch_stark::Commitment<SC>: core::fmt::Debug,
    {
        assert_eq!(
            alloc::format!("{:?}", ours.lookups),
            alloc::format!("{:?}", theirs.lookups),
            "{what}"
        );
        match (&ours.preprocessed, &theirs.preprocessed) {
            (None, None) => {}
            (Some(a), Some(b)) => {
                assert_eq!(
                    alloc::format!("{:?}", a.commitment),
                    alloc::format!("{:?}", b.commitment),
                    "{what}"
                );
                assert_eq!(a.matrix_to_instance, b.matrix_to_instance, "{what}");
                let meta = |m: &Option<PreprocessedInstanceMeta>| {
                    m.as_ref().map(|m| (m.matrix_index, m.width, m.degree_bits))
                };
                let a: Vec<_> = a.instances.iter().map(meta).collect();
                let b: Vec<_> = b.instances.iter().map(meta).collect();
                assert_eq!(a, b, "{what}");
            }
            _ => panic!("{what}: preprocessed data on one side only"),
        }
    }

    /// The verifier's CommonData (from the shipped tables) against the
    /// prover's (from the real ones), each side salting public columns from
    /// a fresh generator, as the prover and verifier do.
    fn both_sides<SC: EpochStarkConfig>(
        config: impl Fn() -> SC,
        airs: &[crate::air::SluiceAir],
        degrees: &[usize],
        params: &ProofParams,
        what: &str,
    ) where
        p3_batch_stark::Commitment<SC>: core::fmt::Debug,
    {
        let shipped = shipped_airs(airs.to_vec());
        let ours = verifier_common(&config(), &shipped, degrees, params).unwrap();
        let theirs = epoch_prover_data(&config(), airs, degrees, params)
            .unwrap()
            .common;
        same(&ours, &theirs, what);
    }

    /// What the verifier builds from the shipped tables is what the prover
    /// builds from the real ones with Plonky3's own preprocessing: the
    /// output table's commitment (salted alike in zero-knowledge mode), its
    /// metadata and the packed lookups, for several outputs, heights,
    /// blowups and both modes.
    #[test]
    fn the_verifiers_common_data_is_the_provers() {
        let outputs: [&[u8]; 3] = [b"", b"out", &[5; 2000]];
        for zk in [false, true] {
            for log_blowup in [1, 2, 3] {
                let params = ProofParams {
                    zk,
                    log_blowup,
                    ..ProofParams::DEFAULT
                };
                for out in outputs {
                    for variable in [params.min_log_height(), 11] {
                        let airs = epoch_airs(out, &params);
                        let degrees: Vec<usize> = airs
                            .iter()
                            .map(|a| a.fixed_log_height().unwrap_or(variable) + usize::from(zk))
                            .collect();
                        let what = alloc::format!(
                            "zk {zk} blowup {log_blowup} out {} h {variable}",
                            out.len()
                        );
                        if zk {
                            both_sides(
                                || unchecked_zk_config(&params),
                                &airs,
                                &degrees,
                                &params,
                                &what,
                            );
                        } else {
                            both_sides(
                                || unchecked_config(&params),
                                &airs,
                                &degrees,
                                &params,
                                &what,
                            );
                        }
                    }
                }
            }
        }
    }

    /// Every table of [`FULL_RATE_TABLES`] opens fewer extension columns
    /// per query (LogUp columns plus quotient chunks) at the full rate than
    /// at the half rate (default blowup), and every other table that would
    /// is named in [`HALF_RATE_BY_CHOICE`]: a table change that turns the
    /// balance fails here.
    #[test]
    fn full_rate_tables_open_fewer_columns() {
        let params = ProofParams::DEFAULT;
        let (half, full) = (half_rate_budget(&params), full_rate_budget(&params));
        for air in shipped_airs(epoch_airs(b"out", &params)) {
            let name = air.air.name();
            let bits = air.air.fixed_log_height().unwrap_or(12);
            let opened = |budget| {
                let lookups = pack(&air, bits, &params, budget);
                lookups.len() + (1 << log_quotient_chunks(&air, bits, &params, &lookups))
            };
            let (at_half, at_full) = (opened(half), opened(full));
            let why = alloc::format!(
                "{name}: {at_half} extension columns at the half rate, {at_full} at the full rate"
            );
            assert!(!(FULL_RATE_TABLES.contains(&name) && HALF_RATE_BY_CHOICE.contains(&name)));
            if FULL_RATE_TABLES.contains(&name) || HALF_RATE_BY_CHOICE.contains(&name) {
                assert!(at_full < at_half, "{why}");
            } else {
                assert!(at_full >= at_half, "{why}");
            }
        }
    }

    #[test]
    fn mismatched_heights_are_an_error_not_a_panic() {
        let params = ProofParams::DEFAULT;
        let shipped = shipped_airs(epoch_airs(b"", &params));
        let c = unchecked_config(&params);
        assert!(verifier_common(&c, &shipped, &[8], &params).is_err());
    }
}
