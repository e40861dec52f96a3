//! `prove --resume`: whether `FILE.partial` belongs to this run, and what of
//! it stays. Each refusal says what differs and what to do instead.

use std::path::Path;

use clap::ValueEnum;
use sluice_prover::bundle_writer::{partial_path, BundleOutput, BundleWriter};
use sluice_prover::resume::{read_header, read_partial, ResumeError};
use sluice_verifier::statement::EpochStatement;
use sluice_verifier::stream::{ChainContext, EpochProofVerifier};

use super::exit;

/// A partial bundle reopened for writing after its last good epoch.
pub struct Resumed {
    pub writer: BundleWriter<BundleOutput>,
    /// The statements of the epochs it keeps.
    pub written: Vec<EpochStatement>,
}

/// The context in the header of `<output>.partial`, read first because it
/// fixes the epoch size. `Ok(None)`: the file ends inside its header, so
/// the run starts over. `Err` carries the exit code, the error printed.
pub fn header(output: &Path) -> Result<Option<ChainContext>, u8> {
    let partial = partial_path(output);
    match read_header(&partial) {
        Ok(Some(ctx)) => Ok(Some(ctx)),
        Ok(None) => {
            eprintln!(
                "note: `{}` ends before its header is complete; proving from the first epoch",
                partial.display()
            );
            Ok(None)
        }
        Err(ResumeError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            eprintln!(
                "error: nothing to resume: `{}` does not exist (prove without --resume to start)",
                partial.display()
            );
            Err(exit::USAGE_OR_INPUT)
        }
        Err(e) => {
            eprintln!("error: cannot resume: {e}; remove it or prove without --resume");
            Err(exit::USAGE_OR_INPUT)
        }
    }
}

/// Why the partial bundle's header `found` cannot be continued by a run
/// with context `run`.
pub fn mismatch(found: &ChainContext, run: &ChainContext) -> Option<String> {
    if found.protocol_version != run.protocol_version {
        return Some(format!(
            "it was written with protocol {}, this prover writes protocol {}; prove again without \
             --resume",
            found.protocol_version, run.protocol_version
        ));
    }
    if found.image_id != run.image_id {
        return Some(format!(
            "it proves another program (image ID {}, this ELF's is {}); resume with the ELF it was \
             started with, or prove again without --resume",
            found.image_id, run.image_id
        ));
    }
    if found.params.zk != run.params.zk {
        let flag = if found.params.zk { "with" } else { "without" };
        return Some(format!("it was proven {flag} --zk; resume {flag} it"));
    }
    if found.params != run.params {
        if let Some(favor) = super::Favor::of(&found.params).and_then(|f| f.to_possible_value()) {
            return Some(format!(
                "it was proven with --favor {0}; resume with --favor {0}",
                favor.get_name()
            ));
        }
        return Some(format!(
            "its proof parameters ({:?}) are not this prover's ({:?}); prove again without --resume",
            found.params, run.params
        ));
    }
    if found.epoch_size_log2 != run.epoch_size_log2 {
        return Some(format!(
            "its epochs are of at most 2^{} cycles, not 2^{}; resume with --epoch-size-log2 {} \
             (or auto)",
            found.epoch_size_log2, run.epoch_size_log2, found.epoch_size_log2
        ));
    }
    None
}

/// Reads `<output>.partial` (its context already matched), verifies its
/// complete epochs `jobs` at a time, and reopens it after the last good one.
pub fn reopen<V: EpochProofVerifier + Sync + ?Sized>(
    output: &Path,
    verifier: &V,
    jobs: usize,
) -> Result<Resumed, u8> {
    let path = partial_path(output);
    let partial = match read_partial(&path, verifier, jobs) {
        Ok(Some(p)) => p,
        Ok(None) => unreachable!("the header was read before"),
        Err(e) => {
            eprintln!("error: cannot resume: {e}");
            return Err(exit::USAGE_OR_INPUT);
        }
    };
    let cycles: u64 = partial.statements.iter().map(|s| s.cycles).sum();
    eprintln!(
        "resuming `{}`: {} epoch(s), {cycles} cycles, verified and kept; {} byte(s) after them dropped",
        path.display(),
        partial.statements.len(),
        partial.dropped_len
    );
    if let Some(why) = &partial.rejected {
        eprintln!("note: the record after them is proven again: {why}");
    }
    let out = match BundleOutput::reopen(output, partial.keep_len) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: cannot write `{}`: {e}", path.display());
            return Err(exit::USAGE_OR_INPUT);
        }
    };
    let writer = BundleWriter::resume(out, partial.keep_len, partial.hasher, &partial.statements);
    Ok(Resumed {
        writer,
        written: partial.statements,
    })
}
