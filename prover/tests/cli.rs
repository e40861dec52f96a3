//! The `prover execute` and `prover prove` commands: output, arguments and exit status.

mod common;
use common::*;

use std::path::PathBuf;
use std::process::{Command, Output};

fn temp(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sluice-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn prover(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_prover"))
        .args(args)
        .output()
        .expect("run prover")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Echoes the input to stdout, writes "Hi!" to the public output, says
/// "oops" on stderr and exits with `code`.
fn echo_elf(code: u32) -> Vec<u8> {
    let words = prog(&[
        // read(0, DATA+16, 64) -> a0; write(1, DATA+16, a0)
        &[addi(10, 0, 0)],
        &li(11, DATA + 16),
        &[addi(12, 0, 64), addi(17, 0, 63), ECALL],
        &[addi(12, 10, 0), addi(10, 0, 1), addi(17, 0, 64), ECALL],
        // write(3, DATA, 3)
        &[addi(10, 0, 3)],
        &li(11, DATA),
        &[addi(12, 0, 3), ECALL],
        // write(2, DATA+4, 4)
        &[addi(10, 0, 2)],
        &li(11, DATA + 4),
        &[addi(12, 0, 4), ECALL],
        &exit(code),
    ]);
    ElfBuilder::new(&words, b"Hi!\0oops", 64).build()
}

#[test]
fn execute_success() {
    let elf = temp("ok.elf", &echo_elf(0));
    let input = temp("in.txt", b"ping\n");
    let out = prover(&[
        "execute",
        elf.to_str().unwrap(),
        "--input",
        input.to_str().unwrap(),
        "--epoch-size-log2",
        "3",
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    assert!(stdout.starts_with("ping\n"), "{stdout}");
    assert!(stdout.contains("cycles:        25\n"), "{stdout}");
    assert!(
        stdout.contains("epochs:        4 (at most 2^3 cycles each)\n"),
        "{stdout}"
    );
    assert!(stdout.contains("exit code:     0\n"), "{stdout}");
    assert!(
        stdout.contains("public output: 3 bytes\n  hex:  486921\n  text: Hi!\n"),
        "{stdout}"
    );
    assert_eq!(text(&out.stderr), "oops");
}

#[test]
fn execute_nonzero_guest_exit() {
    let elf = temp("exit7.elf", &echo_elf(7));
    let out = prover(&["execute", elf.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("exit code:     7\n"));
}

#[test]
fn execute_fault() {
    let elf = temp("fault.elf", &ElfBuilder::new(&[NOP, NOP], &[], 0).build());
    let out = prover(&["execute", elf.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(
            "guest faulted: illegal instruction 0x00000000 at pc 0x00010008 (after 2 cycles)"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: inspect the guest near pc 0x00010008"),
        "{stderr}"
    );

    let elf = temp("loop.elf", &ElfBuilder::new(&[jal(0, 0)], &[], 0).build());
    let out = prover(&["execute", elf.to_str().unwrap(), "--max-cycles", "100"]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("cycle limit of 100 cycles reached"),
        "{stderr}"
    );
    assert!(stderr.contains("raise --max-cycles"), "{stderr}");
}

#[test]
fn execute_bad_inputs() {
    let bad = temp(
        "bad.elf",
        b"not an elf at all, just some text....................",
    );
    let out = prover(&["execute", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("not an ELF file (bad magic number)"),
        "{stderr}"
    );
    assert!(stderr.contains("hint:"), "{stderr}");

    let out = prover(&["execute", "/nonexistent/guest.elf"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read ELF `/nonexistent/guest.elf`"));

    let elf = temp("ok2.elf", &echo_elf(0));
    let out = prover(&[
        "execute",
        elf.to_str().unwrap(),
        "--input",
        "/nonexistent/in",
    ]);
    assert_eq!(out.status.code(), Some(2));

    let out = prover(&["execute", elf.to_str().unwrap(), "--epoch-size-log2", "40"]);
    assert_eq!(out.status.code(), Some(2));
    let out = prover(&["execute"]);
    assert_eq!(out.status.code(), Some(2));
    let out = prover(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn help_documents_exit_codes() {
    let out = prover(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("execute"), "{stdout}");
    assert!(stdout.contains("Exit status:"), "{stdout}");
    let out = prover(&["execute", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    for s in [
        "--input",
        "--epoch-size-log2",
        "--max-cycles",
        "Exit status:",
        "public output",
    ] {
        assert!(stdout.contains(s), "missing {s}: {stdout}");
    }
}

#[test]
fn prove_refuses_epoch_sizes_the_stark_does_not_support() {
    let elf = temp("supported-k.elf", &echo_elf(0));
    let out_path = temp("supported-k.bundle", b"");
    for k in ["0", "21"] {
        let out = prover(&[
            "prove",
            elf.to_str().unwrap(),
            "--epoch-size-log2",
            k,
            "-o",
            out_path.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2), "k = {k}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("1..=20") && stderr.contains("auto"),
            "{stderr}"
        );
    }
}
