//! The host side of typed I/O: prove the `stats` guest on a `Job`, verify
//! the bundle, decode the `Report` it proves, and read the guest's hint
//! (unproven data for the host).
//!
//! ```sh
//! scripts/build-guests.sh
//! cargo run --release -p prover --example stats_host -- build/guests/stats.elf stats.bundle
//! ```
//!
//! The guest (`guest/examples/stats`) reads the `Job` with
//! `sluice_guest::io::read()` and commits a `Report` with `io::commit`;
//! both sides take the types from `stats-core`.

use std::process::ExitCode;

use sluice_prover::host::{ProveEvent, Prover};
use stats_core::{Job, Report};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args_os().skip(1);
    let elf_path = args
        .next()
        .unwrap_or_else(|| "build/guests/stats.elf".into());
    let bundle_path = args.next().unwrap_or_else(|| "stats.bundle".into());
    let elf = std::fs::read(&elf_path)
        .map_err(|e| format!("cannot read {}: {e}", elf_path.to_string_lossy()))?;

    let job = Job {
        label: "sensor 7".into(),
        samples: vec![12, -4, 99, 31, 7, 64, -250, 18],
        threshold: 20,
    };
    let salt = b"any raw bytes";

    // Prove: the bundle streams to the file as each epoch is proven.
    let prover = Prover::new(&elf)?
        .input(&job)?
        .input_bytes(salt)?
        .epoch_size_log2(14);
    let file = std::io::BufWriter::new(std::fs::File::create(&bundle_path)?);
    let mut hinted: Option<Vec<i64>> = None;
    let report = prover.prove_to(file, |event| match event {
        ProveEvent::Started(plan) => {
            eprintln!(
                "proving {} cycles in epochs of 2^{} cycles with {} job(s)",
                plan.outcome.cycles, plan.ctx.epoch_size_log2, plan.jobs
            );
            // Hints come from the run that planned the proof; they are the
            // prover's word, not part of what the bundle proves.
            hinted = plan.outcome.hint_reader().read().ok();
        }
        ProveEvent::EpochWritten {
            index, proof_bytes, ..
        } => eprintln!("epoch {index}: {proof_bytes} proof bytes"),
    })?;
    eprintln!(
        "proved {} cycles in {:.2} s",
        report.cycles,
        report.elapsed.as_secs_f64()
    );

    // Verify, as anyone holding the bundle and the guest's image ID would.
    let bundle = std::io::BufReader::new(std::fs::File::open(&bundle_path)?);
    let summary = sluice_verifier::verify_bundle(bundle, prover.image_id())?;
    // The output is what the guest committed; the exit code says whether it
    // finished (a panic after a commit still proves that commit).
    if summary.exit_code != 0 {
        return Err(format!("the guest exited with code {}", summary.exit_code).into());
    }
    let mut output = summary.output_reader()?;
    let proven: Report = output.read()?;
    let first_salt_byte: Option<u8> = output.read()?;
    println!("verified: {proven:?}, first salt byte {first_salt_byte:?}");

    if proven != Report::of(&job, salt) || first_salt_byte != salt.first().copied() {
        return Err("the proven report is not the expected one".into());
    }
    let want = job.above_threshold();
    println!("hinted (not proven): samples above the threshold {hinted:?}");
    if hinted.as_ref() != Some(&want) {
        return Err(format!("the guest hinted {hinted:?}, expected {want:?}").into());
    }
    Ok(())
}
