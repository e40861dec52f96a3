//! Proving one epoch: trace generation, then one `p3-batch-stark` batch
//! proof over every table, with the transcript seeded by the epoch's context.

use anyhow::{anyhow, Context};
use p3_batch_stark::{prove_batch, ProverData, StarkInstance};
use sluice_verifier::air::epoch_airs;
use sluice_verifier::digest::Digest;
use sluice_verifier::memory::state_digest;
use sluice_verifier::params::ProofParams;
use sluice_verifier::stark::proof::{encode_proof, EpochProof};
use sluice_verifier::stark::transcript::EpochContext;
use sluice_verifier::stark::verify::{check_statement, epoch_config, public_values};
use sluice_verifier::statement::{EpochRole, EpochStatement};

use crate::driver::{EpochProver, EpochWork};
use crate::executor::EpochRecord;
use crate::trace::{generate, EpochTrace};
use sluice_verifier::stream::ChainContext;

/// The memory roots an epoch starts and ends at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Roots {
    pub start: Digest,
    pub end: Digest,
}

/// The statement an epoch record proves, given its start/end memory roots
/// (computed by the caller from the memory image).
pub fn statement_for(record: &EpochRecord, roots: Roots) -> EpochStatement {
    EpochStatement {
        start: state_digest(record.start_pc, &roots.start),
        end: state_digest(record.end_pc, &roots.end),
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
pub fn prove_trace(
    params: &ProofParams,
    image_id: &Digest,
    epoch_size_log2: u8,
    index: u64,
    statement: &EpochStatement,
    trace: &EpochTrace,
    roots: Roots,
) -> anyhow::Result<Vec<u8>> {
    let ctx = EpochContext {
        params: *params,
        image_id: *image_id,
        epoch_size_log2,
        index,
        statement,
    };
    let config = epoch_config(&ctx).map_err(|e| anyhow!("{e}"))?;
    let airs = epoch_airs();
    let pvs = public_values(&airs, statement, trace.start_pc, trace.end_pc);
    let instances: Vec<StarkInstance<'_, _, _>> = airs
        .iter()
        .zip(&trace.traces)
        .zip(pvs)
        .map(|((air, trace), public_values)| StarkInstance {
            air,
            trace,
            public_values,
        })
        .collect();
    let prover_data = ProverData::from_instances(&config, &instances)
        .map_err(|e| anyhow!("preprocessing failed: {e:?}"))?;
    let batch = prove_batch(&config, &instances, &prover_data)
        .map_err(|e| anyhow!("proving failed: {e:?}"))?;
    Ok(encode_proof(&EpochProof {
        start_pc: trace.start_pc,
        end_pc: trace.end_pc,
        start_root: roots.start,
        end_root: roots.end,
        batch,
    }))
}

/// Evaluates every table's own constraints on `trace` without proving,
/// returning `(table, row, constraint index)` of each violation (at most 16
/// per table). Bus balance is not checked here (see
/// the lookup debug utilities). Never panics, unlike the debug checker inside
/// `prove_batch`; negative tests use it.
pub fn constraint_failures(
    statement: &EpochStatement,
    trace: &EpochTrace,
) -> Vec<(&'static str, usize, usize)> {
    let airs = epoch_airs();
    let pvs = public_values(&airs, statement, trace.start_pc, trace.end_pc);
    let mut out = Vec::new();
    for ((air, main), pv) in airs.iter().zip(&trace.traces).zip(&pvs) {
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
    roots: Roots,
) -> anyhow::Result<(EpochStatement, Vec<u8>)> {
    let statement = statement_for(record, roots);
    check_statement(epoch_size_log2, &statement).map_err(|e| anyhow!("{e}"))?;
    let trace = generate(record).with_context(|| format!("epoch {}", record.index))?;
    let proof = prove_trace(
        params,
        image_id,
        epoch_size_log2,
        record.index,
        &statement,
        &trace,
        roots,
    )?;
    Ok((statement, proof))
}

/// The STARK implementation of the driver's [`EpochProver`] seam. The
/// start/end memory roots come from the driver's [`EpochWork`]: the driver
/// keeps the Merkle memory image and applies each epoch in order, so workers
/// can prove epochs in any order.
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
        let roots = Roots {
            start: work.transition.start_root,
            end: work.transition.end_root,
        };
        prove_epoch(
            &ctx.params,
            &ctx.image_id,
            ctx.epoch_size_log2,
            &work.record,
            roots,
        )
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod negative;
