//! The proving driver and the bundle writer: ordered output from parallel
//! provers, a bounded window, failures that leave no complete-looking file,
//! and flat verifier memory over 1,000 epochs.

mod bundle_support;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bundle_support::*;
use sluice_prover::bundle_writer::{partial_path, BundleOutput, BundleWriter, WriteError};
use sluice_prover::driver::{
    prove_bundle, DriveError, DriverOptions, EpochProver, EpochWork, NoProgress,
};
use sluice_prover::executor::{execute, Cause, Config, Program};
use sluice_verifier::statement::{EpochRole, EpochStatement};
use sluice_verifier::stream::{verify_reader, ChainContext, StreamVerifier};

fn drive<P: EpochProver>(
    prover: &P,
    program: &Program,
    ctx: &ChainContext,
    options: DriverOptions,
) -> Result<(sluice_prover::driver::ProveReport, Vec<u8>), DriveError> {
    let writer = BundleWriter::new(Vec::new(), ctx).unwrap();
    prove_bundle(prover, program, &[], ctx, &options, writer, &mut NoProgress)
}

/// A fresh folder for a test's bundle files, and a loop of `iterations`
/// in epochs of 2^3 cycles.
fn scratch(tag: &str, iterations: u32) -> (std::path::PathBuf, Program, ChainContext) {
    let dir = std::env::temp_dir().join(format!("sluice-{tag}-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let program = looping_program(iterations, 0);
    let ctx = ctx_for(&program, 3);
    (dir, program, ctx)
}

/// [`prove_bundle`] into a bundle file at `path` with `jobs` jobs.
fn drive_to_file<P: EpochProver>(
    prover: &P,
    program: &Program,
    ctx: &ChainContext,
    out: BundleOutput,
    jobs: usize,
) -> Result<(sluice_prover::driver::ProveReport, BundleOutput), DriveError> {
    let writer = BundleWriter::new(out, ctx).unwrap();
    let options = DriverOptions::with_jobs(jobs);
    prove_bundle(prover, program, &[], ctx, &options, writer, &mut NoProgress)
}

#[test]
fn output_is_identical_for_any_number_of_jobs_and_verifies() {
    let program = looping_program(100, 3);
    let ctx = ctx_for(&program, 5);
    let outcome = execute(
        &program,
        &[],
        &Config {
            epoch_size_log2: 5,
            max_cycles: 1 << 20,
        },
    )
    .unwrap();
    let one = prove_with(&program, &ctx, 100, 1);
    for jobs in [2, 3, 8] {
        assert_eq!(prove_with(&program, &ctx, 100, jobs), one, "jobs = {jobs}");
    }
    let summary = verify_all(&one, Some(ctx.image_id)).unwrap();
    assert_eq!(summary.cycles, outcome.cycles);
    assert_eq!(summary.epochs, outcome.epochs);
    assert_eq!(summary.exit_code, 3);
    assert_eq!(summary.output, outcome.public_output);
}

/// Proves slowly, later epochs faster, so proofs finish out of order.
struct Jittery {
    inner: KeyedProver,
}
impl EpochProver for Jittery {
    fn prove_epoch(
        &self,
        ctx: &ChainContext,
        work: &EpochWork,
        input: &[u8],
    ) -> anyhow::Result<(EpochStatement, Vec<u8>)> {
        let record = &work.record;
        std::thread::sleep(Duration::from_millis(
            [7, 1, 4, 0, 2][record.index as usize % 5],
        ));
        self.inner.prove_epoch(ctx, work, input)
    }
}

#[test]
fn out_of_order_completion_is_written_in_order_within_the_window() {
    let program = looping_program(60, 0);
    let ctx = ctx_for(&program, 3); // 306 cycles: 39 epochs
    let expected = prove_with(&program, &ctx, 40, 1);
    for jobs in [1, 2, 4] {
        let options = DriverOptions::with_jobs(jobs);
        let (report, bytes) = drive(
            &Jittery {
                inner: KeyedProver { proof_len: 40 },
            },
            &program,
            &ctx,
            options,
        )
        .unwrap();
        assert_eq!(bytes, expected);
        assert_eq!(report.epochs, 39);
        assert_eq!(report.cycles, 306);
        assert!(
            report.peak_in_flight <= options.window,
            "{} > {}",
            report.peak_in_flight,
            options.window
        );
        assert!(report.peak_in_flight >= 1);
        assert_eq!(report.proof_bytes, 39 * 40);
    }
}

struct FailsAt(u64);
impl EpochProver for FailsAt {
    fn prove_epoch(
        &self,
        ctx: &ChainContext,
        work: &EpochWork,
        input: &[u8],
    ) -> anyhow::Result<(EpochStatement, Vec<u8>)> {
        let record = &work.record;
        if record.index == self.0 {
            anyhow::bail!("out of memory (simulated)");
        }
        KeyedProver { proof_len: 32 }.prove_epoch(ctx, work, input)
    }
}

/// Claims one cycle too many for epoch 2.
struct Lies;
impl EpochProver for Lies {
    fn prove_epoch(
        &self,
        ctx: &ChainContext,
        work: &EpochWork,
        input: &[u8],
    ) -> anyhow::Result<(EpochStatement, Vec<u8>)> {
        let record = &work.record;
        let (mut st, proof) = KeyedProver { proof_len: 32 }.prove_epoch(ctx, work, input)?;
        if record.index == 2 {
            st.cycles += 1;
        }
        Ok((st, proof))
    }
}

#[test]
fn prover_failures_stop_the_run_and_name_the_epoch() {
    let program = looping_program(60, 0);
    let ctx = ctx_for(&program, 3);
    for jobs in [1, 3] {
        match drive(&FailsAt(5), &program, &ctx, DriverOptions::with_jobs(jobs)) {
            Err(DriveError::Prove { index: 5, source }) => {
                assert!(source.to_string().contains("simulated"))
            }
            other => panic!("unexpected {:?}", other.map(|r| r.0)),
        }
        match drive(&Lies, &program, &ctx, DriverOptions::with_jobs(jobs)) {
            Err(DriveError::Inconsistent { index: 2, what }) => {
                assert!(what.contains("cycles"), "{what}")
            }
            other => panic!("unexpected {:?}", other.map(|r| r.0)),
        }
    }
}

/// Fails epoch 2 at once while the epochs before it are still proving.
struct FailsBeforeEarlierFinish;
impl EpochProver for FailsBeforeEarlierFinish {
    fn prove_epoch(
        &self,
        ctx: &ChainContext,
        work: &EpochWork,
        input: &[u8],
    ) -> anyhow::Result<(EpochStatement, Vec<u8>)> {
        match work.record.index {
            2 => anyhow::bail!("out of memory (simulated)"),
            i if i < 2 => std::thread::sleep(Duration::from_millis(300)),
            _ => {}
        }
        KeyedProver { proof_len: 32 }.prove_epoch(ctx, work, input)
    }
}

/// A failed epoch still lets the ones before it, proven in parallel and
/// finishing later, reach the partial file: `--resume` starts at the
/// failure, not at whichever epoch happened to be written when it came.
#[test]
fn a_failure_keeps_the_epochs_before_it() {
    let (dir, program, ctx) = scratch("keep", 60);
    let path = dir.join("failed.bundle");
    let mut out = BundleOutput::create(&path).unwrap();
    out.keep_partial();
    match drive_to_file(&FailsBeforeEarlierFinish, &program, &ctx, out, 3) {
        Err(DriveError::Prove { index: 2, .. }) => {}
        other => panic!("unexpected {:?}", other.map(|r| r.0)),
    }
    let partial = sluice_prover::resume::read_partial(&partial_path(&path), &KeyedVerifier, 1)
        .unwrap()
        .expect("the header was written");
    assert_eq!(partial.statements.len(), 2);
    assert_eq!(partial.dropped_len, 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

struct PanicsAt(u64);
impl EpochProver for PanicsAt {
    fn prove_epoch(
        &self,
        ctx: &ChainContext,
        work: &EpochWork,
        input: &[u8],
    ) -> anyhow::Result<(EpochStatement, Vec<u8>)> {
        let record = &work.record;
        assert!(record.index != self.0, "simulated prover bug");
        KeyedProver { proof_len: 32 }.prove_epoch(ctx, work, input)
    }
}

/// A panicking prover is an error for its epoch, not a hang.
#[test]
fn a_panicking_prover_does_not_hang_the_driver() {
    let program = looping_program(60, 0);
    let ctx = ctx_for(&program, 3);
    for jobs in [1, 2, 4] {
        match drive(&PanicsAt(1), &program, &ctx, DriverOptions::with_jobs(jobs)) {
            Err(DriveError::Prove { index: 1, source }) => {
                assert!(
                    source.to_string().contains("simulated prover bug"),
                    "{source}"
                )
            }
            other => panic!("unexpected {:?}", other.map(|r| r.0)),
        }
    }
}

#[test]
fn guest_faults_and_cycle_limits_are_execution_errors() {
    // No exit: an endless loop hits the cycle limit.
    let endless = Program::from_words(
        sluice_verifier::layout::GUEST_MEMORY_START,
        &[
            sluice_verifier::isa::Instruction::b(sluice_verifier::isa::Opcode::Beq, 0, 0, 0)
                .encode(),
        ],
    );
    let endless = match endless {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    let ctx = ctx_for(&endless, 3);
    let options = DriverOptions {
        max_cycles: 100,
        ..DriverOptions::with_jobs(2)
    };
    match drive(&KeyedProver { proof_len: 32 }, &endless, &ctx, options) {
        Err(DriveError::Exec(e)) => {
            assert!(matches!(e.cause, Cause::CycleLimit { limit: 100 }), "{e}")
        }
        other => panic!("unexpected {:?}", other.map(|r| r.0)),
    }
}

#[test]
fn file_output_appears_only_when_complete() {
    let (dir, program, ctx) = scratch("bundle", 30);

    // Failure: neither the file nor the partial file remains.
    let path = dir.join("failed.bundle");
    {
        let out = BundleOutput::create(&path).unwrap();
        assert!(partial_path(&path).exists());
        assert!(!path.exists());
        assert!(drive_to_file(&FailsAt(4), &program, &ctx, out, 2).is_err());
    }
    assert!(!path.exists());
    assert!(!partial_path(&path).exists());

    // A partial file (as after a crash) does not verify.
    let path = dir.join("ok.bundle");
    let out = BundleOutput::create(&path).unwrap();
    let (report, out) =
        drive_to_file(&KeyedProver { proof_len: 64 }, &program, &ctx, out, 2).unwrap();
    let partial = std::fs::read(partial_path(&path)).unwrap();
    assert!(!path.exists());
    let mut cut = partial.clone();
    cut.truncate(partial.len() - 10);
    assert!(verify_all(&cut, None).is_err());
    out.commit().unwrap();
    assert!(path.exists());
    assert!(!partial_path(&path).exists());

    // The committed file verifies, read in 64 KiB chunks.
    let file = std::fs::File::open(&path).unwrap();
    let events = AtomicU64::new(0);
    let summary = verify_reader(file, KeyedVerifier, Some(ctx.image_id), |_| {
        events.fetch_add(1, Ordering::Relaxed);
    })
    .unwrap();
    assert_eq!(summary.epochs, report.epochs);
    assert_eq!(events.load(Ordering::Relaxed), report.epochs + 2);
    assert_eq!(std::fs::read(&path).unwrap(), partial);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn writer_refuses_out_of_order_and_unfinished_bundles() {
    let ctx = ChainContext {
        image_id: label(0),
        ..ctx_for(&looping_program(1, 0), 3)
    };
    let cont = EpochStatement {
        start: label(0),
        end: label(1),
        cycles: 8,
        role: EpochRole::Continue,
        output: vec![],
    };
    let halt = EpochStatement {
        role: EpochRole::Halt { exit_code: 0 },
        cycles: 2,
        ..cont.clone()
    };
    let mut w = BundleWriter::new(Vec::new(), &ctx).unwrap();
    assert!(matches!(
        w.write_epoch(1, &cont, &[0; 32]),
        Err(WriteError::OutOfOrder {
            expected: 0,
            found: 1
        })
    ));
    w.write_epoch(0, &cont, &[0; 32]).unwrap();
    let w2 = BundleWriter::new(Vec::new(), &ctx).unwrap();
    assert!(matches!(w2.finish(), Err(WriteError::NotHalted)));
    w.write_epoch(1, &halt, &[0; 32]).unwrap();
    assert!(matches!(
        w.write_epoch(2, &cont, &[0; 32]),
        Err(WriteError::AfterHalt { index: 2 })
    ));
    let big = EpochStatement {
        output: vec![0; (1 << 24) + 1],
        ..halt.clone()
    };
    let mut w3 = BundleWriter::new(Vec::new(), &ctx).unwrap();
    assert!(matches!(
        w3.write_epoch(0, &big, &[]),
        Err(WriteError::Format { index: 0, .. })
    ));
    assert!(w.finish().is_ok());
}

/// 1,000 tiny epochs: the verifier's buffer peak is the largest record, the
/// same as for 10 epochs; the driver never has more than its window in
/// flight.
#[test]
fn a_thousand_epochs_in_flat_memory() {
    let run = |iterations: u32| {
        let program = looping_program(iterations, 0);
        let ctx = ctx_for(&program, 2); // 4-cycle epochs
        let options = DriverOptions::with_jobs(2);
        let (report, bytes) =
            drive(&KeyedProver { proof_len: 256 }, &program, &ctx, options).unwrap();
        assert!(report.peak_in_flight <= options.window);
        let mut v = StreamVerifier::new(KeyedVerifier, Some(ctx.image_id));
        for chunk in bytes.chunks(4096) {
            v.push(chunk).unwrap();
        }
        let peak = v.peak_buffered_bytes();
        let capacity = v.buffer_capacity();
        let summary = v.finish().unwrap();
        (
            summary.epochs,
            peak,
            capacity,
            Frames::split(&bytes)
                .frames
                .iter()
                .map(Vec::len)
                .max()
                .unwrap(),
        )
    };
    let (small_epochs, small_peak, small_cap, small_record) = run(7); // 41 cycles: 11 epochs
    let (big_epochs, big_peak, big_cap, big_record) = run(799); // 4001 cycles: 1001 epochs
    assert_eq!(small_epochs, 11);
    assert_eq!(big_epochs, 1001);
    // Peak = largest record body (prefix bytes are buffered separately).
    assert!(small_peak <= small_record && big_peak <= big_record);
    assert_eq!(
        big_peak, small_peak,
        "peak buffer grew with the number of epochs"
    );
    assert!(
        big_cap <= 2 * big_record && small_cap == big_cap,
        "{small_cap} vs {big_cap}"
    );
    eprintln!("1,001 epochs: peak buffered {big_peak} bytes, buffer capacity {big_cap} bytes (11 epochs: {small_peak}/{small_cap})");
}

/// Slow enough that proving visibly overlaps verification.
struct Slow;
impl EpochProver for Slow {
    fn prove_epoch(
        &self,
        ctx: &ChainContext,
        work: &EpochWork,
        input: &[u8],
    ) -> anyhow::Result<(EpochStatement, Vec<u8>)> {
        std::thread::sleep(Duration::from_millis(10));
        KeyedProver { proof_len: 64 }.prove_epoch(ctx, work, input)
    }
}

/// `prove -o - | verify -` in-process: through an OS pipe, the verifier
/// accepts epoch 0 while later epochs are still being proven.
#[test]
fn verification_overlaps_proving_through_a_pipe() {
    let program = looping_program(30, 0);
    let ctx = ctx_for(&program, 3); // 20 epochs
    let (reader, writer) = std::io::pipe().unwrap();
    let expected = ctx.image_id;
    let verifier = std::thread::spawn(move || {
        let mut first_epoch_at = None;
        let summary = verify_reader(reader, KeyedVerifier, Some(expected), |event| {
            if matches!(
                event,
                sluice_verifier::stream::Event::EpochVerified { index: 0, .. }
            ) {
                first_epoch_at = Some(std::time::Instant::now());
            }
        });
        (summary, first_epoch_at)
    });
    let bundle_writer = BundleWriter::new(writer, &ctx).unwrap();
    let (report, writer) = prove_bundle(
        &Slow,
        &program,
        &[],
        &ctx,
        &DriverOptions::with_jobs(1),
        bundle_writer,
        &mut NoProgress,
    )
    .unwrap();
    let proving_done = std::time::Instant::now();
    drop(writer); // EOF for the reader
    let (summary, first_epoch_at) = verifier.join().unwrap();
    let summary = summary.unwrap();
    assert_eq!(summary.epochs, report.epochs);
    assert_eq!(report.epochs, 20);
    // 19 more epochs at >= 10 ms each were proven after epoch 0 was verified.
    let lead = proving_done - first_epoch_at.unwrap();
    assert!(
        lead >= Duration::from_millis(150),
        "epoch 0 verified only {lead:?} before proving finished"
    );
}
