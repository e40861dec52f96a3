//! Verification of one epoch proof against its statement.

use alloc::format;
use alloc::vec;
use alloc::vec::Vec;

use p3_air::BaseAir;
use p3_batch_stark::verify_batch;
use p3_field::PrimeCharacteristicRing;

use super::common_cache::ShapeKey;
use super::config::{
    config_with_challenger, public_rng, zk_config_with_challenger, EpochStarkConfig, SluiceConfig,
    SluiceZkConfig, Val,
};
use super::lookups::verifier_common;
use super::proof::{decode_proof, EpochProof, Rejection};
use super::shipped::shipped_airs;
use super::transcript::{seeded_challenger, EpochContext};
use crate::air::cpu::{NUM_PUBLIC_VALUES, PV_END_PC, PV_EXIT, PV_HALTED, PV_LAST_CLK, PV_START_PC};
use crate::air::output::MAX_EPOCH_OUTPUT;
use crate::air::{epoch_airs, merkle, SluiceAir, Table};
use crate::digest::Digest;
use crate::layout::{GUEST_MEMORY_END, GUEST_MEMORY_START};
use crate::memory::state_digest;
pub use crate::params::MIN_LOG_HEIGHT;
use crate::params::{ProofParams, MAX_TRACE_LOG2};
use crate::statement::{EpochRole, EpochStatement};

/// Largest epoch size (log2) the STARK supports: timestamp gaps (below
/// `8 * 2^20 + 8`) must stay below 2^24 (two range-checked 12-bit limbs).
pub const MAX_EPOCH_SIZE_LOG2: u8 = MAX_TRACE_LOG2 as u8;

/// Largest height (log2) of a table sized by the execution: `2^20` rows,
/// the size the security computation assumes, whatever the epoch size (one
/// syscall may move 64 KiB, so even a one-cycle epoch can need thousands of
/// rows). Verification cost grows only with the logarithm of the height.
pub const MAX_LOG_HEIGHT: usize = MAX_TRACE_LOG2 as usize;

/// The CPU table's height (log2) for an epoch of `cycles` cycles, with
/// tables at least `2^min_log_height` rows ([`ProofParams::min_log_height`]).
pub fn cpu_log_height(cycles: u64, min_log_height: usize) -> usize {
    let bits = 64 - (cycles.max(1) - 1).leading_zeros() as usize;
    bits.max(min_log_height)
}

/// Checks the statement's own consistency with the epoch size.
pub fn check_statement(epoch_size_log2: u8, statement: &EpochStatement) -> Result<(), Rejection> {
    if epoch_size_log2 == 0 || epoch_size_log2 > MAX_EPOCH_SIZE_LOG2 {
        return Err(Rejection::new(
            "epoch size",
            format!("epoch_size_log2 {epoch_size_log2} is outside 1..={MAX_EPOCH_SIZE_LOG2}"),
        ));
    }
    // Every epoch runs 1..=2^k cycles: the executor may end one early so
    // that its tables fit (adaptive epochs).
    let size = 1u64 << epoch_size_log2;
    if !(1..=size).contains(&statement.cycles) {
        return Err(Rejection::new(
            "statement cycles",
            format!(
                "{} cycles for a {:?} epoch of size 2^{epoch_size_log2}",
                statement.cycles, statement.role
            ),
        ));
    }
    // The output table is built from the claim: bound it first.
    if statement.output.len() > MAX_EPOCH_OUTPUT {
        return Err(Rejection::new(
            "public output",
            format!(
                "{} output bytes in one epoch; at most {MAX_EPOCH_OUTPUT}",
                statement.output.len()
            ),
        ));
    }
    Ok(())
}

/// The CPU table's public values, derived from the statement and the two
/// carried pcs.
pub fn cpu_public_values(statement: &EpochStatement, start_pc: u32, end_pc: u32) -> Vec<Val> {
    let (halted, exit) = match statement.role {
        EpochRole::Continue => (0, 0),
        EpochRole::Halt { exit_code } => (1, exit_code),
    };
    let mut pv = vec![Val::ZERO; NUM_PUBLIC_VALUES];
    pv[PV_START_PC] = Val::from_u32(start_pc);
    pv[PV_END_PC] = Val::from_u32(end_pc);
    pv[PV_LAST_CLK] = Val::from_u64(statement.cycles - 1);
    pv[PV_HALTED] = Val::from_u32(halted);
    for (i, b) in exit.to_le_bytes().into_iter().enumerate() {
        pv[PV_EXIT + i] = Val::from_u8(b);
    }
    pv
}

/// The Merkle table's public values: the start and end memory roots.
pub fn merkle_public_values(start_root: &Digest, end_root: &Digest) -> Vec<Val> {
    let mut pv = vec![Val::ZERO; merkle::NUM_PUBLIC_VALUES];
    for i in 0..8 {
        pv[merkle::PV_START_ROOT + i] = Val::from_u32(start_root.0[i]);
        pv[merkle::PV_END_ROOT + i] = Val::from_u32(end_root.0[i]);
    }
    pv
}

/// Public values of every table, in batch order. `start`/`end` are the
/// machine states `(pc, memory root)` at the epoch's two ends.
pub fn public_values(
    airs: &[SluiceAir],
    statement: &EpochStatement,
    start: (u32, &Digest),
    end: (u32, &Digest),
) -> Vec<Vec<Val>> {
    airs.iter()
        .map(|air| match air.table {
            Table::Cpu(_) => cpu_public_values(statement, start.0, end.0),
            Table::Merkle(_) => merkle_public_values(start.1, end.1),
            _ => vec![Val::ZERO; <SluiceAir as BaseAir<Val>>::num_public_values(air)],
        })
        .collect()
}

fn is_guest_pc(pc: u32) -> bool {
    pc.is_multiple_of(4) && (GUEST_MEMORY_START..GUEST_MEMORY_END).contains(&pc)
}

/// The per-epoch configuration: parameters checked, transcript seeded.
pub fn epoch_config(ctx: &EpochContext<'_>) -> Result<SluiceConfig, Rejection> {
    config_with_challenger(&ctx.params, seeded_challenger(ctx))
        .map_err(|e| Rejection::new("proof parameters", format!("{e}")))
}

/// The per-epoch zero-knowledge configuration with masks and salts from
/// `rng` (the verifier and preprocessing pass [`public_rng`]).
pub fn zk_epoch_config(
    ctx: &EpochContext<'_>,
    rng: super::config::ZkRng,
) -> Result<SluiceZkConfig, Rejection> {
    zk_config_with_challenger(&ctx.params, seeded_challenger(ctx), rng)
        .map_err(|e| Rejection::new("proof parameters", format!("{e}")))
}

/// Verifies `proof_bytes` as the proof of epoch `index` with `statement`.
pub fn verify_epoch(
    params: &ProofParams,
    image_id: &Digest,
    epoch_size_log2: u8,
    index: u64,
    statement: &EpochStatement,
    proof_bytes: &[u8],
) -> Result<(), Rejection> {
    check_statement(epoch_size_log2, statement)?;
    let ctx = EpochContext {
        params: *params,
        image_id: *image_id,
        epoch_size_log2,
        index,
        statement,
    };
    if params.zk {
        let config = zk_epoch_config(&ctx, public_rng())?;
        verify_decoded(&config, params, statement, &decode_proof(proof_bytes)?)
    } else {
        let config = epoch_config(&ctx)?;
        verify_decoded(&config, params, statement, &decode_proof(proof_bytes)?)
    }
}

/// The height (log2) every table of an epoch's proof must have, where the
/// statement fixes it (`None`: anything from the minimum to
/// [`MAX_LOG_HEIGHT`]).
pub fn expected_log_heights(
    airs: &[SluiceAir],
    params: &ProofParams,
    statement: &EpochStatement,
) -> Vec<Option<usize>> {
    airs.iter()
        .map(|air| match air.table {
            Table::Cpu(_) => Some(cpu_log_height(statement.cycles, params.min_log_height())),
            _ => air.fixed_log_height(),
        })
        .collect()
}

/// Verifies an already decoded proof under `config` (seeded for the epoch
/// with `params`).
pub fn verify_decoded<SC: EpochStarkConfig>(
    config: &SC,
    params: &ProofParams,
    statement: &EpochStatement,
    proof: &EpochProof<SC>,
) -> Result<(), Rejection> {
    if params.zk != SC::ZK || proof.zk != SC::ZK {
        return Err(Rejection::new(
            "proof mode",
            format!(
                "parameters say zk = {}, the proof's mode label {}, the configuration {}",
                params.zk,
                proof.zk,
                SC::ZK
            ),
        ));
    }
    for (name, pc) in [("start pc", proof.start_pc), ("end pc", proof.end_pc)] {
        if !is_guest_pc(pc) {
            return Err(Rejection::new(
                "pc range",
                format!("{name} {pc:#x} is not an aligned guest address"),
            ));
        }
    }
    for (name, pc, root, digest) in [
        (
            "start state",
            proof.start_pc,
            &proof.start_root,
            &statement.start,
        ),
        ("end state", proof.end_pc, &proof.end_root, &statement.end),
    ] {
        if !root.is_canonical() || state_digest(pc, root) != *digest {
            return Err(Rejection::new(
                "state digest",
                format!("{name}: H(pc, root) does not match the statement"),
            ));
        }
    }
    let all = epoch_airs(&statement.output, params);
    proof
        .tables
        .check(&all, &statement.output)
        .map_err(|e| Rejection::new("table set", e))?;
    let airs = proof.tables.select(all);
    let degree_bits = &proof.batch.degree_bits;
    if degree_bits.len() != airs.len() {
        return Err(Rejection::new(
            "proof shape",
            format!("{} tables, expected {}", degree_bits.len(), airs.len()),
        ));
    }
    // The proof states each table's committed height, which zero-knowledge
    // mode doubles (its randomized extra rows).
    let zk = usize::from(SC::ZK);
    let min = params.min_log_height();
    let expected = expected_log_heights(&airs, params, statement);
    for ((air, &ext_bits), expected) in airs.iter().zip(degree_bits).zip(expected) {
        let bits = ext_bits.wrapping_sub(zk);
        let ok = match expected {
            Some(e) => bits == e,
            None => (min..=MAX_LOG_HEIGHT).contains(&bits),
        };
        if !ok {
            return Err(Rejection::new(
                "proof shape",
                format!("table {} has height 2^{ext_bits}", air.name()),
            ));
        }
    }
    // Consecutive epochs of one shape share their preprocessing.
    let shape = ShapeKey {
        params: *params,
        tables: proof.tables,
        degree_bits: degree_bits.clone(),
        output: statement.output.clone(),
    };
    let pvs = public_values(
        &airs,
        statement,
        (proof.start_pc, &proof.start_root),
        (proof.end_pc, &proof.end_root),
    );
    let airs = shipped_airs(airs);
    let common = SC::common_cache()
        .get_or_try_insert(&shape, || {
            verifier_common(config, &airs, degree_bits, params)
        })
        .map_err(|e| Rejection::new("proof shape", e))?;
    // The LogUp checks run on these lookups, never on the tables' (empty)
    // symbolic evaluation: make sure they are the shipped ones.
    if common.lookups.len() != airs.len()
        || common
            .lookups
            .iter()
            .zip(&airs)
            .any(|(packed, air)| packed.is_empty() != air.lookups().is_empty())
    {
        return Err(Rejection::new(
            "verifier setup",
            "the lookups do not match the tables",
        ));
    }
    verify_batch(config, &airs, &proof.batch, &pvs, &common)
        .map_err(|e| Rejection::new("stark", format!("{e:?}")))
}
