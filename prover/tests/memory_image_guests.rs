//! The memory image following real guests (built by
//! `scripts/build-guests.sh`) epoch by epoch: chained roots, page-in and
//! page-out openings, and end roots equal to roots computed from scratch.

use std::path::PathBuf;

use sluice_prover::executor::{Config, Executor, Program};
use sluice_prover::memory_image::{root_of_executor_memory, MemoryImage};
use sluice_verifier::memory::{image_id, image_id_from_elf, update_root, verify_path};

/// `build/guests/<name>.elf`; fails (never skips) when it was not built.
fn guest(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../build/guests")
        .join(format!("{name}.elf"));
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{} is missing ({e}): run scripts/build-guests.sh first",
            path.display()
        )
    })
}

fn follow(name: &str, input: Vec<u8>, epoch_size_log2: u32) -> u64 {
    let elf = guest(name);
    let program = Program::from_elf(&elf).unwrap();
    let config = Config {
        epoch_size_log2,
        max_cycles: 1 << 28,
    };
    let mut ex = Executor::new(&program, input, &config).unwrap();
    let mut image = MemoryImage::new(&program);
    let mut expected_start = image_id_from_elf(&elf).unwrap();
    assert_eq!(expected_start, image_id(&program));
    let mut epochs = 0;
    while let Some(record) = ex.run_epoch().unwrap() {
        let t = image.apply_epoch(&record, ex.memory()).unwrap();
        assert_eq!(t.start_state, expected_start, "{name} epoch {epochs}");
        for o in &t.page_ins {
            verify_path(&t.start_root, o.index, &o.leaf, &o.path).unwrap();
        }
        let mut root = t.start_root;
        for u in &t.page_outs {
            verify_path(&root, u.index, &u.old_leaf, &u.path).unwrap();
            root = update_root(&u.path, u.index, &u.new_leaf).unwrap();
        }
        assert_eq!(root, t.end_root);
        // Checking from scratch every epoch is slow; every 8th and the last.
        if epochs % 8 == 0 || record.halted() {
            assert_eq!(
                t.end_root,
                root_of_executor_memory(ex.memory(), &ex.register_page()).unwrap(),
                "{name} epoch {epochs}"
            );
        }
        expected_start = t.end_state;
        epochs += 1;
    }
    assert!(ex.is_halted());
    assert_eq!(
        image.root(),
        root_of_executor_memory(ex.memory(), &ex.register_page()).unwrap()
    );
    epochs
}

#[test]
fn primes() {
    // n = 2000, little-endian u32.
    let epochs = follow("primes", 2000u32.to_le_bytes().to_vec(), 12);
    assert!(epochs > 3, "{epochs} epochs");
}

#[test]
fn sha256_in_software() {
    let epochs = follow("sha256-soft", vec![0x5a; 3000], 14);
    assert!(epochs > 3, "{epochs} epochs");
}

#[test]
fn guests_have_distinct_image_ids() {
    let ids: Vec<_> = ["primes", "sha256", "fibonacci"]
        .iter()
        .map(|g| image_id_from_elf(&guest(g)).unwrap())
        .collect();
    assert_ne!(ids[0], ids[1]);
    assert_ne!(ids[1], ids[2]);
    assert_ne!(ids[0], ids[2]);
}
