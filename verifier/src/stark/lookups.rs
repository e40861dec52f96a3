//! How the tables' bus messages are packed into LogUp columns.
//!
//! `p3-batch-stark` folds several messages on one bus into a single running
//! sum column while the column's constraint degree stays within a budget.
//! Its default budget never changes a table's quotient chunk count, so the
//! degree-2 tables (`add_sub`, `mul`: one chunk) get one message per column.
//! Ours is the degree of a half-rate quotient, `2^(b-1) + 1` at blowup
//! `2^b`: at the default blowup 4, every table packs up to degree 3 (two
//! messages a column in the degree-2 tables, whose quotient grows to the
//! two chunks the other tables already have). Measured in one run at 2^18
//! (`docs/benchmarks.md`): proofs −3 %, memory −6 %, time unchanged.
//! Packing up to the full rate (`2^b + 1`, four chunks everywhere) saves
//! 10 % of the proof and 12 % of the memory but costs ~10 % more time: every
//! quotient domain doubles.
//!
//! Prover, verifier and the security calculator must fold identically, so
//! all three build their lookup data here.

use alloc::string::String;
use alloc::vec;

use p3_batch_stark::ProverData;

use p3_air::Air;
use p3_lookup::InteractionSymbolicBuilder;

use super::config::{Challenge, EpochStarkConfig, Val};
use crate::params::ProofParams;

/// The packing budget (largest constraint degree of a LogUp column) of every
/// table under `params`.
///
/// Zero knowledge already commits twice the chunks (four at the default
/// blowup), so it keeps Plonky3's free budget (`0` = no override), which
/// packs up to degree 4 there.
pub fn lookup_budget(params: &ProofParams) -> usize {
    if params.zk {
        0
    } else {
        (1usize << params.log_blowup.saturating_sub(1)) + 1
    }
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
    SC: EpochStarkConfig,
    A: Air<InteractionSymbolicBuilder<Val, Challenge>>,
{
    ProverData::from_airs_and_degrees_with_lookup_budgets(
        config,
        airs,
        ext_degrees,
        &vec![lookup_budget(params); airs.len()],
        params.log_blowup as usize,
    )
    .map_err(|e| alloc::format!("{e:?}"))
}
