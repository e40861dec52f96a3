//! The STARK as the driver's [`EpochProver`].

use sluice_verifier::stark::epoch_verifier::seal_envelope;
use sluice_verifier::statement::EpochStatement;
use sluice_verifier::stream::ChainContext;

use crate::driver::{EpochProver, EpochWork};

/// Proves epochs with the Sluice STARK; the proof bytes it returns are the
/// envelope [`sluice_verifier::stark::StarkEpochVerifier`] opens.
#[derive(Clone, Copy, Debug, Default)]
pub struct StarkEpochProver;

impl EpochProver for StarkEpochProver {
    fn prove_epoch(
        &self,
        ctx: &ChainContext,
        work: &EpochWork,
        _input: &[u8],
    ) -> anyhow::Result<(EpochStatement, Vec<u8>)> {
        let t = &work.transition;
        let (statement, proof) = super::prove_epoch(
            &ctx.params,
            &ctx.image_id,
            ctx.epoch_size_log2,
            &work.record,
            t.start_state,
            t.end_state,
        )?;
        Ok((statement, seal_envelope(&t.start_root, &t.end_root, &proof)))
    }
}
