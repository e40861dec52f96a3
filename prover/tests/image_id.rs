//! The `prover image-id` command, checked against an independent computation
//! of the image ID from the executor's initial memory.

mod common;
use common::*;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sluice_prover::executor::{register_page, InitialMemory, Program};
use sluice_prover::memory_image::root_of_executor_memory;
use sluice_verifier::digest::Digest;
use sluice_verifier::memory::{image_id, state_digest};

fn temp(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sluice-image-id-test-{}", std::process::id()));
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

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The image ID from the executor's loaded memory (not the verifier's own
/// segment-to-page code) and the entry point.
fn independent_image_id(elf: &[u8]) -> Digest {
    let program = Program::from_elf(elf).unwrap();
    let root = root_of_executor_memory(&program.initial_memory(), &register_page(&[0; 32], false))
        .unwrap();
    state_digest(program.entry(), &root)
}

fn printed_id(path: &Path) -> Digest {
    let out = prover(&["image-id", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 1, "{text:?}");
    Digest::from_hex(text.trim()).unwrap()
}

#[test]
fn prints_the_image_id_of_a_gnu_elf() {
    let path = fixture("hello.elf");
    let bytes = std::fs::read(&path).unwrap();
    let id = printed_id(&path);
    assert_eq!(id, independent_image_id(&bytes));
    assert_eq!(id, image_id(&Program::from_elf(&bytes).unwrap()));
}

#[test]
fn different_programs_print_different_ids() {
    let a = ElfBuilder::new(&prog(&[&exit(0)]), b"data", 64).build();
    let b = ElfBuilder::new(&prog(&[&exit(1)]), b"data", 64).build();
    let c = ElfBuilder::new(&prog(&[&exit(0)]), b"datb", 64).build();
    let ids: Vec<Digest> = [("a.elf", &a), ("b.elf", &b), ("c.elf", &c)]
        .into_iter()
        .map(|(name, elf)| {
            let id = printed_id(&temp(name, elf));
            assert_eq!(id, independent_image_id(elf));
            id
        })
        .collect();
    assert_ne!(ids[0], ids[1]);
    assert_ne!(ids[0], ids[2]);
    assert_ne!(ids[1], ids[2]);
}

#[test]
fn bad_input_exits_2_with_a_clear_error() {
    let bad = temp("bad.elf", b"\x7fELF but not really an ELF file at all");
    let out = prover(&["image-id", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot load") && err.contains("bad.elf"),
        "{err}"
    );

    let below = fixture("hello-below-guest-memory.elf");
    let out = prover(&["image-id", below.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("outside guest memory"));

    let out = prover(&["image-id", "/nonexistent/x.elf"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read ELF"));

    let out = prover(&["image-id"]);
    assert_eq!(out.status.code(), Some(2));
}
