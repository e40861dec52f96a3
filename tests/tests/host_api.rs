//! The library flow a host program uses (issue 15): typed values into a
//! guest with `host::Prover`, a streamed bundle, `verify_bundle`, and the
//! typed public output decoded from the summary; and the guest SDK's
//! errors when the host's inputs do not match what the guest reads.

mod common;

use common::guest;
use sluice_prover::host::{HostError, ProveEvent, Prover};
use sluice_verifier::stream::OutputError;
use stats_core::{Job, Report};

fn job() -> Job {
    Job {
        label: "e2e".into(),
        samples: (-40..60).map(|i| i * 37 % 101).collect(),
        threshold: 10,
    }
}

#[test]
fn a_struct_in_proves_a_struct_out_that_the_verifier_decodes() {
    let (elf, _) = guest("stats");
    let job = job();
    let salt = [9u8, 8, 7];
    let prover = Prover::new(&elf)
        .unwrap()
        .input(&job)
        .unwrap()
        .input_bytes(&salt)
        .unwrap()
        .epoch_size_log2(11)
        .jobs(2);
    let mut bundle = Vec::new();
    let mut epochs_seen = 0;
    let report = prover
        .prove_to(&mut bundle, |e| {
            if let ProveEvent::EpochWritten { index, .. } = e {
                assert_eq!(index, epochs_seen, "epochs are reported in order");
                epochs_seen += 1;
            }
        })
        .unwrap();
    assert!(report.epochs >= 2, "the run spans several epochs");
    assert_eq!(epochs_seen, report.epochs);

    let summary = sluice_verifier::verify_bundle(&bundle[..], prover.image_id()).unwrap();
    assert_eq!(summary.exit_code, 0);
    // Executing without proving reports the output the proof shows.
    assert_eq!(prover.execute().unwrap().public_output, summary.output);
    let mut out = summary.output_reader().unwrap();
    assert_eq!(out.read::<Report>().unwrap(), Report::of(&job, &salt));
    assert_eq!(out.read::<Option<u8>>().unwrap(), Some(9));
    assert!(out.remaining().is_empty());
    // One `output::<T>()` is for a guest that committed one value.
    assert!(matches!(
        summary.output::<Report>(),
        Err(OutputError::TrailingBytes { left: 2, .. })
    ));
}

#[test]
fn execute_runs_the_guest_without_proving() {
    let (elf, _) = guest("stats");
    let job = job();
    let prover = Prover::new(&elf)
        .unwrap()
        .input(&job)
        .unwrap()
        .input_bytes(b"")
        .unwrap();
    let outcome = prover.execute().unwrap();
    assert_eq!(outcome.exit_code, 0);
    let mut out = sluice_verifier::stream::OutputReader::new(&outcome.public_output);
    assert_eq!(out.read::<Report>().unwrap(), Report::of(&job, b""));
    assert_eq!(out.read::<Option<u8>>().unwrap(), None);
    // The hint: unproven, for the host only.
    let mut hints = outcome.hint_reader();
    let hinted = hints.read::<Vec<i64>>().unwrap();
    assert_eq!(hinted, job.above_threshold());
    assert!(!hinted.is_empty() && hinted.iter().all(|&s| s > job.threshold));
    assert!(hints.remaining().is_empty());
}

/// Runs the stats guest on `prover`'s inputs; it must panic (exit 101) with
/// `message` on stderr.
fn guest_panics_with(prover: Prover, message: &str) {
    let outcome = prover.execute().unwrap();
    let stderr = String::from_utf8_lossy(&outcome.stderr);
    assert_eq!(outcome.exit_code, 101, "stderr: {stderr}");
    assert!(
        stderr.contains(message),
        "expected {message:?} in {stderr:?}"
    );
    assert!(outcome.public_output.is_empty());
}

#[test]
fn inputs_that_do_not_match_the_guest_fail_in_the_guest_with_a_message() {
    let (elf, _) = guest("stats");
    let base = || Prover::new(&elf).unwrap();
    guest_panics_with(base(), "io::read: the private input has no more values");
    guest_panics_with(
        base().input(&job()).unwrap(),
        "io::read_vec: the private input has no more values",
    );
    // A u8 is not a Job: the label's length would be 7, then nothing.
    guest_panics_with(
        base().input(&7u8).unwrap(),
        "io::read: the frame does not decode as",
    );
    // A Job followed by junk inside the same frame.
    let mut bytes = postcard_bytes(&job());
    bytes.push(0);
    guest_panics_with(
        base().input_bytes(&bytes).unwrap(),
        "bytes left over after the value",
    );
    // A frame whose length lies: 100 bytes announced, 2 given.
    guest_panics_with(
        base().input_raw(&[100, 0, 0, 0, 1, 2]),
        "the private input ended inside a frame (2 of its 100 bytes)",
    );
    // 4 GiB announced: refused as a short frame, not as an allocation.
    guest_panics_with(base().input_raw(&[0xff; 8]), "ended inside a frame");
}

#[test]
fn a_faulting_guest_is_refused_before_proving() {
    let (elf, _) = guest("stats");
    let prover = Prover::new(&elf).unwrap().max_cycles(100);
    let mut bundle = Vec::new();
    assert!(matches!(
        prover.prove_to(&mut bundle, |_| panic!("no event before the guest ran")),
        Err(HostError::Fault(_))
    ));
    assert!(bundle.is_empty());
    assert!(matches!(Prover::new(b"not an elf"), Err(HostError::Elf(_))));
}

fn postcard_bytes(job: &Job) -> Vec<u8> {
    // The host library's own encoding, through its public API.
    let stream = Prover::new(&guest("stats").0)
        .unwrap()
        .input(job)
        .unwrap()
        .input_stream()
        .to_vec();
    stream[4..].to_vec()
}

/// The SDK's frame readers on the `sdk-check` guest's `frames:` mode:
/// empty frames, frames around the VM's 64 KiB per-`read` bound, and
/// `read_slice` next to `read_vec`.
#[test]
fn frames_of_every_size_arrive_whole() {
    let (elf, _) = guest("sdk-check");
    let lens = [0usize, 1, 65_535, 65_536, 65_537, 200_000, 0, 3];
    let mut prover = Prover::new(&elf)
        .unwrap()
        .input_raw(b"frames:")
        .input(&(lens.len() as u32))
        .unwrap();
    let mut expected = Vec::new();
    for (i, &len) in lens.iter().enumerate() {
        let bytes: Vec<u8> = (0..len).map(|j| (j * 7 + i) as u8).collect();
        if i % 2 == 1 {
            prover = prover.input(&(len as u32)).unwrap();
        }
        prover = prover.input_bytes(&bytes).unwrap();
        expected.push((len as u32, bytes.iter().map(|&b| u64::from(b)).sum::<u64>()));
    }
    let outcome = prover.execute().unwrap();
    assert_eq!(
        outcome.exit_code,
        0,
        "{}",
        String::from_utf8_lossy(&outcome.stderr)
    );
    let mut out = sluice_verifier::stream::OutputReader::new(&outcome.public_output);
    for want in expected {
        assert_eq!(out.read::<(u32, u64)>().unwrap(), want);
    }
    assert!(out.remaining().is_empty());
}

#[test]
fn a_frame_cut_short_is_reported_with_what_arrived() {
    let (elf, _) = guest("sdk-check");
    let base = || {
        Prover::new(&elf)
            .unwrap()
            .input_raw(b"frames:")
            .input(&2u32)
            .unwrap()
    };
    let announced = 200_000u32.to_le_bytes();
    // read_vec: 64 KiB reads, the second comes up short.
    let mut vec_frame = announced.to_vec();
    vec_frame.extend(vec![1u8; 100_000]);
    let outcome = base().input_raw(&vec_frame).execute().unwrap();
    assert_eq!(outcome.exit_code, 101);
    assert!(String::from_utf8_lossy(&outcome.stderr).contains(
        "io::read_vec: the private input ended inside a frame (100000 of its 200000 bytes)"
    ));
    // read_slice: the second frame, after its length frame.
    let outcome = base()
        .input_bytes(b"")
        .unwrap()
        .input(&200_000u32)
        .unwrap()
        .input_raw(&vec_frame)
        .execute()
        .unwrap();
    assert_eq!(outcome.exit_code, 101);
    assert!(String::from_utf8_lossy(&outcome.stderr).contains(
        "io::read_slice: the private input ended inside a frame (100000 of its 200000 bytes)"
    ));
}
