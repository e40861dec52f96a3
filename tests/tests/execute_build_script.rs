//! `scripts/build-guests.sh --check` rejects ELFs with compressed (C) or
//! atomic (A) instructions, and accepts the guests it built.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Assembles `source` for `march` into `dir/name.elf`.
fn assemble(dir: &Path, name: &str, march: &str, source: &str) -> PathBuf {
    let src = dir.join(format!("{name}.S"));
    let elf = dir.join(format!("{name}.elf"));
    std::fs::write(&src, source).unwrap();
    let status = Command::new("riscv64-unknown-elf-gcc")
        .args([
            &format!("-march={march}"),
            "-mabi=ilp32",
            "-nostdlib",
            "-nostartfiles",
            "-static",
            "-Wl,-Ttext-segment=0x10000",
            "-o",
        ])
        .arg(&elf)
        .arg(&src)
        .status()
        .unwrap_or_else(|e| panic!("riscv64-unknown-elf-gcc: {e}; run scripts/setup.sh first"));
    assert!(status.success());
    elf
}

fn check(elf: &Path) -> (bool, String) {
    let out = Command::new(root().join("scripts/build-guests.sh"))
        .arg("--check")
        .arg(elf)
        .output()
        .expect("run scripts/build-guests.sh");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_rejects_compressed_and_atomic_instructions() {
    let dir = std::env::temp_dir().join(format!("sluice-rv32im-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let program =
        |body: &str| format!(".globl _start\n_start:\n{body}\n    li a7, 93\n    ecall\n");

    let pure = assemble(&dir, "pure", "rv32im", &program("    li a0, 0"));
    let (ok, stderr) = check(&pure);
    assert!(ok, "{stderr}");

    // `li a0, 0` becomes `c.li` when C is enabled.
    let compressed = assemble(&dir, "compressed", "rv32imc", &program("    li a0, 0"));
    let (ok, stderr) = check(&compressed);
    assert!(!ok && stderr.contains("compressed:"), "{stderr}");

    let atomic = assemble(
        &dir,
        "atomic",
        "rv32ima",
        &program("    amoadd.w a0, a1, (a2)"),
    );
    let (ok, stderr) = check(&atomic);
    assert!(!ok && stderr.contains("atomic:"), "{stderr}");

    let lr = assemble(&dir, "lr", "rv32ima", &program("    lr.w a0, (a1)"));
    let (ok, stderr) = check(&lr);
    assert!(!ok && stderr.contains("atomic:"), "{stderr}");
}

#[test]
fn check_accepts_the_built_guests() {
    for name in ["fibonacci", "sha256", "primes", "sdk-check"] {
        let elf = root().join(format!("build/guests/{name}.elf"));
        assert!(
            elf.is_file(),
            "{} is missing: run scripts/build-guests.sh first",
            elf.display()
        );
        let (ok, stderr) = check(&elf);
        assert!(ok, "{name}: {stderr}");
    }
}
