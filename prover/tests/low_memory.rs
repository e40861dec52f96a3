//! `prove --memory low` (the lean PCS, freed pages recycled) writes the
//! bundle `--memory fast` writes, byte for byte, and it verifies; `auto`,
//! the default, is `low` for plain proofs and `fast` with `--zk`; `worker`
//! takes the option too.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A fresh directory of this test's own (tests run in parallel).
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sluice-low-memory-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `prover prove collatz` in epochs of 2^12 cycles with `extra`: its exit
/// code and the bundle.
fn prove(out: &Path, extra: &[&str]) -> (Option<i32>, Vec<u8>) {
    let status = Command::new(env!("CARGO_BIN_EXE_prover"))
        .args(["prove", &common::built_guest("collatz")])
        .args(["--epoch-size-log2", "12", "--jobs", "2", "-o"])
        .arg(out)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    (status.code(), std::fs::read(out).unwrap())
}

#[test]
fn a_low_memory_run_writes_the_fast_runs_bundle() {
    let dir = scratch("bundle");
    let (fast_code, fast) = prove(&dir.join("fast.bundle"), &["--memory", "fast"]);
    let (low_code, low) = prove(&dir.join("low.bundle"), &["--memory", "low"]);
    // `collatz` exits with 97, so `prove` exits 1 after a complete bundle.
    assert_eq!(fast_code, Some(1));
    assert_eq!(low_code, Some(1));
    assert!(fast.len() > 100_000, "several epochs were proven");
    assert!(low == fast, "--memory low wrote other bytes");
    common::assert_cli_verifies(&common::built_guest("collatz"), &dir.join("low.bundle"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn auto_is_low_for_plain_proofs_and_fast_with_zk() {
    let dir = scratch("auto");
    std::fs::write(dir.join("input"), b"hello").unwrap();
    for (extra, expected) in [
        (&[][..], "; memory: low (--memory auto: a plain proof)"),
        (
            &["--zk"][..],
            "; memory: fast (--memory auto: a zero-knowledge proof)",
        ),
        (&["--zk", "--memory", "low"][..], "; memory: low\n"),
    ] {
        let run = Command::new(env!("CARGO_BIN_EXE_prover"))
            .args(["prove", &common::built_guest("echo"), "--input"])
            .arg(dir.join("input"))
            .arg("-o")
            .arg(dir.join("echo.bundle"))
            .args(extra)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(0), "{extra:?}: {stderr}");
        assert!(stderr.contains(expected), "{extra:?}: {stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_memory_option_is_documented_and_checked() {
    for command in ["prove", "worker"] {
        let help = Command::new(env!("CARGO_BIN_EXE_prover"))
            .args([command, "--help"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&help.stdout);
        assert!(text.contains("--memory"), "{command} --help: {text}");
    }
    let wrong = Command::new(env!("CARGO_BIN_EXE_prover"))
        .args(["prove", "x.elf", "-o", "/dev/null", "--memory", "tiny"])
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("auto, fast, low"));
}
