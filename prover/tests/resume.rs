//! `prove --resume` on real proofs: a run cut off anywhere, by SIGKILL at
//! random moments or by a file cut at chosen bytes (in the header, between
//! records, inside a record's prefix or its proof, after the end record),
//! continues into exactly the bytes of an uninterrupted run, which then
//! verify. SIGINT stops between two records and says how to resume.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The guest: 2^11-cycle epochs of `collatz` (about 19 of them), so that
/// a run takes seconds and a kill lands among many records.
const EPOCH_SIZE_LOG2: &str = "11";
/// `collatz` exits with 97 (its answer): `prove` then exits 1.
const GUEST_EXIT: i32 = 1;

fn elf() -> String {
    common::built_guest("collatz")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sluice-resume-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn partial(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// `prover prove ELF --jobs 2 EXTRA…`, with `--epoch-size-log2 11` and
/// `-o OUT` unless `extra` sets them.
fn prove_command(out: &Path, extra: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_prover"));
    c.args(["prove", &elf(), "--jobs", "2"]).args(extra);
    if !extra.contains(&"--epoch-size-log2") {
        c.args(["--epoch-size-log2", EPOCH_SIZE_LOG2]);
    }
    if !extra.contains(&"-o") {
        c.arg("-o").arg(out);
    }
    c.stdout(Stdio::null()).stderr(Stdio::piped());
    c
}

/// Runs `prove` to its end; returns its exit code and stderr.
fn prove(out: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let o = prove_command(out, extra).output().unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn verify(bundle: &Path) {
    common::assert_cli_verifies(&elf(), bundle);
}

/// Resumes `out` until it completes, and checks it is `reference`.
fn resume_and_compare(out: &Path, reference: &[u8], what: &str) -> String {
    let (code, err) = prove(out, &["--resume"]);
    assert_eq!(code, Some(GUEST_EXIT), "{what}: {err}");
    assert!(!partial(out).exists(), "{what}: the partial file stays");
    let got = std::fs::read(out).unwrap();
    assert!(
        got == reference,
        "{what}: the resumed bundle differs ({err})"
    );
    err
}

/// The bytes of an uninterrupted run.
fn reference(dir: &Path) -> Vec<u8> {
    let out = dir.join("reference.bundle");
    let (code, err) = prove(&out, &[]);
    assert_eq!(code, Some(GUEST_EXIT), "{err}");
    std::fs::read(&out).unwrap()
}

/// Byte offsets at which each record (header, epochs, end) starts, read
/// from their frame prefixes (`docs/bundle-format.md`).
fn record_starts(bundle: &[u8]) -> Vec<usize> {
    use sluice_verifier::bundle::{decode_frame_prefix, FRAME_PREFIX_LEN, PREAMBLE_LEN};
    let mut starts = Vec::new();
    let mut at = PREAMBLE_LEN;
    while at < bundle.len() {
        starts.push(at);
        let prefix: &[u8; FRAME_PREFIX_LEN] = bundle[at..at + FRAME_PREFIX_LEN].try_into().unwrap();
        let len = decode_frame_prefix(prefix).expect("a frame prefix").1 as usize;
        at += FRAME_PREFIX_LEN + len;
    }
    assert_eq!(at, bundle.len());
    starts
}

#[test]
fn a_partial_file_cut_anywhere_resumes_into_the_uninterrupted_bundle() {
    let dir = scratch("cut");
    let reference = reference(&dir);
    verify(&dir.join("reference.bundle"));
    let starts = record_starts(&reference);
    let (header, epochs, end) = (
        starts[0],
        &starts[1..starts.len() - 1],
        starts[starts.len() - 1],
    );
    assert!(
        epochs.len() >= 8,
        "{} epochs: the guest is too short",
        epochs.len()
    );
    let mid = epochs[epochs.len() / 2];
    let cuts = [
        ("inside the preamble", 3),
        ("inside the header", header + 5),
        ("right after the header", epochs[0]),
        ("inside the first epoch's prefix", epochs[0] + 2),
        ("inside the first epoch's proof", epochs[1] - 100),
        ("between two epochs", mid),
        ("inside a middle epoch's statement", mid + 20),
        ("one byte into a middle epoch", mid + 1),
        ("inside the last epoch", end - 7),
        ("before the end record", end),
        ("inside the end record", end + 3),
        (
            "after the end record (killed before the rename)",
            reference.len(),
        ),
    ];
    for (what, len) in cuts {
        let out = dir.join("cut.bundle");
        std::fs::write(partial(&out), &reference[..len]).unwrap();
        resume_and_compare(&out, &reference, what);
        std::fs::remove_file(&out).unwrap();
    }

    // A damaged record is dropped with everything after it and proven again.
    let out = dir.join("damaged.bundle");
    let mut damaged = reference[..end].to_vec();
    damaged[mid + 200] ^= 0x40;
    std::fs::write(partial(&out), &damaged).unwrap();
    let err = resume_and_compare(&out, &reference, "a damaged proof");
    assert!(err.contains("proven again"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Kills `child` with SIGKILL once `out`'s partial file has `bytes` bytes
/// and `delay` more has passed (so a kill can land inside a record), unless
/// the run finished first. Returns whether it was killed mid-run.
fn kill_at(mut child: Child, out: &Path, bytes: u64, delay: Duration) -> bool {
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        if std::fs::metadata(partial(out)).map_or(0, |m| m.len()) >= bytes {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the run stalled"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    std::thread::sleep(delay);
    let killed = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    let _ = child.wait();
    killed
}

#[test]
fn sigkill_at_random_moments_then_resume_gives_the_same_bytes() {
    let dir = scratch("kill");
    let reference = reference(&dir);
    let len = reference.len() as f64;
    // Ten kills at pseudo-random points of the run (a fixed sequence, so a
    // failure can be replayed): when the file reaches a random size, plus a
    // random delay of up to 40 ms. Each is followed by a resume killed the
    // same way, then a last resume that completes the bundle.
    let mut seed = 0x9e37_79b9_u32;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        f64::from(seed) / f64::from(u32::MAX)
    };
    let mut killed_mid_run = 0;
    for round in 0..10 {
        let out = dir.join(format!("kill-{round}.bundle"));
        let at = (len * (0.05 + 0.85 * next())) as u64;
        let delay = Duration::from_millis((40.0 * next()) as u64);
        killed_mid_run +=
            kill_at(prove_command(&out, &[]).spawn().unwrap(), &out, at, delay) as u32;
        if partial(&out).exists() {
            let kept = std::fs::metadata(partial(&out)).unwrap().len() as f64;
            let at = (kept + (len - kept) * next()) as u64;
            let delay = Duration::from_millis((40.0 * next()) as u64);
            kill_at(
                prove_command(&out, &["--resume"]).spawn().unwrap(),
                &out,
                at,
                delay,
            );
        }
        if partial(&out).exists() {
            resume_and_compare(&out, &reference, &format!("kill round {round}"));
        } else {
            assert!(std::fs::read(&out).unwrap() == reference, "round {round}");
        }
        verify(&out);
        std::fs::remove_file(&out).unwrap();
    }
    assert!(
        killed_mid_run >= 8,
        "only {killed_mid_run} of 10 kills landed mid-run"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sigint_stops_between_records_and_says_how_to_resume() {
    let dir = scratch("sigint");
    let out = dir.join("int.bundle");
    let child = prove_command(&out, &[]).spawn().unwrap();
    // Wait for the header and at least one epoch record.
    let started = Instant::now();
    while std::fs::metadata(partial(&out)).map_or(0, |m| m.len()) < 4096 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no epoch written"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(err.contains("--resume"), "{err}");
    // Whole records only: resuming drops nothing.
    let (code, err) = prove(&out, &["--resume"]);
    assert_eq!(code, Some(GUEST_EXIT), "{err}");
    assert!(err.contains(" 0 byte(s) after them dropped"), "{err}");
    verify(&out);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn resume_refuses_another_mode_and_missing_files_up_front() {
    let dir = scratch("refuse");
    let out = dir.join("r.bundle");
    let (code, err) = prove(&out, &["--resume"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("nothing to resume"), "{err}");
    // A plain partial file cannot be continued in zero-knowledge mode.
    let reference = reference(&dir);
    let end = *record_starts(&reference).last().unwrap();
    std::fs::write(partial(&out), &reference[..end / 2]).unwrap();
    let (code, err) = prove(&out, &["--resume", "--zk"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("without --zk"), "{err}");
    let (code, err) = prove(&out, &["--resume", "--epoch-size-log2", "12"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--epoch-size-log2 11"), "{err}");
    // Nor with other parameters: the message names the choice it needs.
    let (code, err) = prove(&out, &["--resume", "--favor", "speed"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("resume with --favor balance"), "{err}");
    assert_eq!(std::fs::read(partial(&out)).unwrap(), &reference[..end / 2]);
    let (code, err) = prove(&out, &["--resume", "-o", "-"]);
    assert_eq!(code, Some(2), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Zero-knowledge proofs are randomized, so a resumed ZK bundle is not the
/// uninterrupted one byte for byte; it still verifies, and keeps the epochs
/// before the cut as they were.
#[test]
fn a_zero_knowledge_run_resumes_and_verifies() {
    let dir = scratch("zk");
    let first = dir.join("first.bundle");
    let (code, err) = prove(&first, &["--zk", "--epoch-size-log2", "12"]);
    assert_eq!(code, Some(GUEST_EXIT), "{err}");
    let bytes = std::fs::read(&first).unwrap();
    let starts = record_starts(&bytes);
    let cut = starts[starts.len() / 2] + 10;
    let out = dir.join("zk.bundle");
    std::fs::write(partial(&out), &bytes[..cut]).unwrap();
    let (code, err) = prove(&out, &["--resume", "--zk", "--epoch-size-log2", "12"]);
    assert_eq!(code, Some(GUEST_EXIT), "{err}");
    let resumed = std::fs::read(&out).unwrap();
    let kept = starts[starts.len() / 2];
    assert_eq!(
        resumed[..kept],
        bytes[..kept],
        "the epochs before the cut are kept"
    );
    verify(&out);
    std::fs::remove_dir_all(&dir).unwrap();
}
