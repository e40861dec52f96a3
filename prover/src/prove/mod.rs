//! Proving one epoch: trace generation, then one `p3-batch-stark` batch
//! proof over every table, with the transcript seeded by the epoch's context.

use anyhow::{anyhow, Context};
use p3_batch_stark::{prove_batch, StarkInstance};
use p3_commit::{Pcs, UnivariateStarkPcs};
use p3_uni_stark::PcsProverError;
use sluice_verifier::air::{epoch_airs, SluiceAir};
use sluice_verifier::digest::Digest;
use sluice_verifier::memory::state_digest;
use sluice_verifier::params::ProofParams;
use sluice_verifier::stark::config::{public_rng, Challenge, Challenger, EpochProofConfig, ZkRng};
use sluice_verifier::stark::lookups::epoch_prover_data;
use sluice_verifier::stark::proof::{encode_proof, EpochProof};
use sluice_verifier::stark::transcript::seeded_challenger;
use sluice_verifier::stark::transcript::EpochContext;
use sluice_verifier::stark::verify::{
    check_statement, epoch_config, public_values, zk_epoch_config,
};
use sluice_verifier::statement::{EpochRole, EpochStatement};
use zk_rand::SeedableRng;

use crate::driver::{EpochProver, EpochWork};
use crate::executor::EpochRecord;
use crate::memory_image::EpochTransition;
use crate::trace::blind::blind;
use crate::trace::{generate, EpochTrace};
use p3_matrix::dense::RowMajorMatrix;
use sluice_verifier::stark::config::Val;
use sluice_verifier::stream::ChainContext;

/// The statement an epoch record proves, given its step in the memory image
/// (computed by the caller, see [`crate::memory_image::MemoryImage`]).
pub fn statement_for(record: &EpochRecord, transition: &EpochTransition) -> EpochStatement {
    EpochStatement {
        start: state_digest(record.start_pc, &transition.start_root),
        end: state_digest(record.end_pc, &transition.end_root),
        cycles: record.cycles,
        role: match record.exit_code {
            Some(exit_code) => EpochRole::Halt { exit_code },
            None => EpochRole::Continue,
        },
        output: record.public_output.clone(),
    }
}

/// Proves `trace` (of `statement`) as epoch `index`; returns the proof
/// bytes. Exposed separately from [`prove_epoch`] so tests can tamper with a
/// trace or a statement.
///
/// In zero-knowledge mode the masks and salts come from a generator seeded
/// by the operating system for this call alone: never from the input, never
/// shared between epochs or runs.
pub fn prove_trace(
    params: &ProofParams,
    image_id: &Digest,
    epoch_size_log2: u8,
    index: u64,
    statement: &EpochStatement,
    trace: &EpochTrace,
) -> anyhow::Result<Vec<u8>> {
    let ctx = EpochContext {
        params: *params,
        image_id: *image_id,
        epoch_size_log2,
        index,
        statement,
    };
    prove_context(&ctx, trace, crate::pcs::low_memory())
}

/// [`prove_trace`] with the PCS of plain proofs chosen by `lean` rather
/// than by [`crate::pcs::set_low_memory`]: both give the same bytes.
fn prove_context(
    ctx: &EpochContext<'_>,
    trace: &EpochTrace,
    lean: bool,
) -> anyhow::Result<Vec<u8>> {
    let params = &ctx.params;
    let airs = trace
        .tables
        .select(epoch_airs(&ctx.statement.output, params));
    let traces = trace.tables.select(&trace.traces);
    if params.zk {
        let mut rng = os_rng()?;
        let blinded = blind(&traces, &mut rng);
        prove_zk(ctx, &airs, trace, &blinded.iter().collect::<Vec<_>>(), rng)
    } else if lean {
        params.validate().map_err(|e| anyhow!("{e}"))?;
        let config = crate::pcs::lean_config(params, seeded_challenger(ctx));
        prove_with(&config, &config, &airs, ctx, trace, &traces)
    } else {
        let config = epoch_config(ctx).map_err(|e| anyhow!("{e}"))?;
        prove_with(&config, &config, &airs, ctx, trace, &traces)
    }
}

/// A generator seeded from the operating system.
fn os_rng() -> anyhow::Result<ZkRng> {
    ZkRng::try_from_rng(&mut zk_rand::rngs::SysRng)
        .map_err(|e| anyhow!("the operating system's random generator failed: {e}"))
}

/// The zero-knowledge proof of already blinded `traces` (those of the
/// tables in `trace.tables`, as are `airs`), masked and salted from `rng`.
fn prove_zk(
    ctx: &EpochContext<'_>,
    airs: &[SluiceAir],
    trace: &EpochTrace,
    traces: &[&RowMajorMatrix<Val>],
    rng: ZkRng,
) -> anyhow::Result<Vec<u8>> {
    let config = zk_epoch_config(ctx, rng).map_err(|e| anyhow!("{e}"))?;
    // Public columns are salted as the verifier salts them.
    let public = zk_epoch_config(ctx, public_rng()).map_err(|e| anyhow!("{e}"))?;
    prove_with(&config, &public, airs, ctx, trace, traces)
}

/// One batch proof of `traces` (the epoch's present tables, blinded in ZK
/// mode; `airs` are theirs) under `config`; `public` commits the
/// preprocessed (public) columns.
fn prove_with<SC: EpochProofConfig>(
    config: &SC,
    public: &SC,
    airs: &[SluiceAir],
    ctx: &EpochContext<'_>,
    trace: &EpochTrace,
    traces: &[&RowMajorMatrix<Val>],
) -> anyhow::Result<Vec<u8>>
where
    SC::Pcs: Sync,
    PcsProverError<SC>: Send,
    <SC::Pcs as Pcs<Challenge, Challenger>>::ProverData: Sync,
    <SC::Pcs as Pcs<Challenge, Challenger>>::Commitment: Sync,
{
    let pvs = trace_public_values(airs, ctx.statement, trace);
    let instances: Vec<StarkInstance<'_, SC, SluiceAir>> = airs
        .iter()
        .zip(traces)
        .zip(pvs)
        .map(|((air, &trace), public_values)| StarkInstance {
            air,
            trace,
            public_values,
        })
        .collect();
    let zk = usize::from(<SC::Pcs as UnivariateStarkPcs<Challenge, Challenger>>::ZK);
    let ext_degrees: Vec<usize> = traces
        .iter()
        .map(|t| p3_util::log2_strict_usize(p3_matrix::Matrix::height(*t)) + zk)
        .collect();
    let prover_data = epoch_prover_data(public, airs, &ext_degrees, &ctx.params)
        .map_err(|e| anyhow!("preprocessing failed: {e}"))?;
    let batch = prove_batch(config, &instances, &prover_data)
        .map_err(|e| anyhow!("proving failed: {e:?}"))?;
    Ok(encode_proof(&EpochProof {
        zk: zk == 1,
        tables: trace.tables,
        start_pc: trace.start_pc,
        end_pc: trace.end_pc,
        start_root: trace.start_root,
        end_root: trace.end_root,
        batch,
    }))
}

fn trace_public_values(
    airs: &[sluice_verifier::air::SluiceAir],
    statement: &EpochStatement,
    trace: &EpochTrace,
) -> Vec<Vec<sluice_verifier::stark::config::Val>> {
    public_values(
        airs,
        statement,
        (trace.start_pc, &trace.start_root),
        (trace.end_pc, &trace.end_root),
    )
}

/// Evaluates every table's own constraints on `trace` without proving,
/// returning `(table, row, constraint index)` of each violation (at most 16
/// per table). Bus balance is not checked here (see
/// the lookup debug utilities). Never panics, unlike the debug checker inside
/// `prove_batch`; negative tests use it.
pub fn constraint_failures(
    params: &ProofParams,
    statement: &EpochStatement,
    trace: &EpochTrace,
) -> Vec<(&'static str, usize, usize)> {
    let airs = epoch_airs(&statement.output, params);
    let pvs = trace_public_values(&airs, statement, trace);
    let blinded;
    let traces = if params.zk {
        blinded = blind(&trace.traces.iter().collect::<Vec<_>>(), &mut public_rng());
        &blinded
    } else {
        &trace.traces
    };
    let mut out = Vec::new();
    for ((air, main), pv) in airs.iter().zip(traces).zip(&pvs) {
        let report = p3_air::check_all_constraints(air, main, pv, Some(16));
        out.extend(
            report
                .failures
                .iter()
                .map(|f| (air.name(), f.row, f.constraint)),
        );
    }
    out
}

/// Proves one epoch: returns its statement and proof bytes.
pub fn prove_epoch(
    params: &ProofParams,
    image_id: &Digest,
    epoch_size_log2: u8,
    record: &EpochRecord,
    transition: &EpochTransition,
) -> anyhow::Result<(EpochStatement, Vec<u8>)> {
    let statement = statement_for(record, transition);
    check_statement(epoch_size_log2, &statement).map_err(|e| anyhow!("{e}"))?;
    let trace =
        generate(record, transition, params).with_context(|| format!("epoch {}", record.index))?;
    let proof = prove_trace(
        params,
        image_id,
        epoch_size_log2,
        record.index,
        &statement,
        &trace,
    )?;
    Ok((statement, proof))
}

/// The proof parameters the tamper suites run with: the defaults, or their
/// zero-knowledge twin when the environment sets `SLUICE_TEST_ZK=1`
/// (`scripts/test.sh` runs the suites both ways).
#[doc(hidden)]
pub fn params_under_test() -> ProofParams {
    match std::env::var("SLUICE_TEST_ZK").as_deref() {
        Ok("1") => ProofParams::DEFAULT_ZK,
        _ => ProofParams::DEFAULT,
    }
}

/// The STARK implementation of the driver's [`EpochProver`] seam. The
/// memory transition (roots, page paths) comes from the driver's
/// [`EpochWork`]: the driver keeps the Merkle memory image and applies each
/// epoch in order, so workers can prove epochs in any order.
#[derive(Clone, Copy, Debug, Default)]
pub struct StarkEpochProver;

impl EpochProver for StarkEpochProver {
    fn prove_epoch(
        &self,
        ctx: &ChainContext,
        work: &EpochWork,
        _input: &[u8],
    ) -> anyhow::Result<(EpochStatement, Vec<u8>)> {
        if ctx.protocol_version != sluice_verifier::PROTOCOL_VERSION {
            return Err(anyhow!(
                "protocol version {} is not {}",
                ctx.protocol_version,
                sluice_verifier::PROTOCOL_VERSION
            ));
        }
        prove_epoch(
            &ctx.params,
            &ctx.image_id,
            ctx.epoch_size_log2,
            &work.record,
            &work.transition,
        )
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod negative;

#[cfg(test)]
mod negative_accesses;

#[cfg(test)]
mod negative_decode;

#[cfg(test)]
mod negative_memory;

#[cfg(test)]
mod zk_tests;

#[cfg(test)]
mod lean_pcs_tests;

#[cfg(test)]
mod negative_tables;

#[cfg(test)]
mod keccak_tests;
#[cfg(test)]
mod sha256_tests;
