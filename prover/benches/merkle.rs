//! Memory-commitment benchmark: page hashing at candidate page sizes, Merkle
//! path verification, and the per-epoch root update of the prover's memory
//! image for realistic numbers of touched pages.
//!
//! `cargo bench -p prover --bench merkle [-- GUEST.elf[:INPUT] ...]`
//!
//! Each guest given is run epoch by epoch (2^20 cycles, or
//! 2^`SLUICE_BENCH_EPOCH_LOG2`) with the memory image following it, reporting
//! touched pages per epoch and the image's time.

use std::hint::black_box;
use std::time::Instant;

use sluice_prover::executor::{
    register_page, Config, EpochRecord, Executor, PageIn, Program, PAGE_SIZE,
};
use sluice_prover::memory_image::MemoryImage;
use sluice_verifier::digest::Digest;
use sluice_verifier::isa::{Instruction as I, Opcode::*};
use sluice_verifier::memory::hash::{compress, permute};
use sluice_verifier::memory::page::hash_bytes_as_page;
use sluice_verifier::memory::{image_id, verify_path, DEPTH};

/// Seconds per call of `f`: the best of five batches, each of enough calls
/// to take about `budget_s / 5` (the minimum is the least disturbed by other
/// load on a shared machine).
fn time_per_call(budget_s: f64, mut f: impl FnMut()) -> f64 {
    let batch = budget_s / 5.0;
    let mut n = 1u64;
    let first = loop {
        let t = Instant::now();
        for _ in 0..n {
            f();
        }
        let s = t.elapsed().as_secs_f64();
        if s > batch || n >= 1 << 30 {
            break s / n as f64;
        }
        n *= if s < batch / 20.0 { 10 } else { 2 };
    };
    (0..4)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..n {
                f();
            }
            t.elapsed().as_secs_f64() / n as f64
        })
        .fold(first, f64::min)
}

fn main() {
    let perm = time_per_call(1.0, || {
        black_box(permute(black_box([7u32; 16])));
    });
    let comp = time_per_call(1.0, || {
        black_box(compress(
            black_box(&Digest([1; 8])),
            black_box(&Digest([2; 8])),
        ));
    });
    println!("permutation (Poseidon2-KoalaBear-16): {:.3} µs", perm * 1e6);
    println!("node compression:                     {:.3} µs", comp * 1e6);
    println!();
    println!(
        "{:>9} {:>5} {:>12} {:>10} {:>12} {:>14} {:>16}",
        "page", "depth", "leaf hash", "MB/s", "path (est.)", "perms/page-in", "perms/touched B"
    );
    for log2 in [8u32, 10, 12] {
        let size = 1usize << log2;
        let page: Vec<u8> = (0..size).map(|i| (i * 31 + 7) as u8).collect();
        let leaf = time_per_call(1.5, || {
            black_box(hash_bytes_as_page(black_box(&page)));
        });
        let depth = 32 - log2 as usize;
        let leaf_perms = size / 16;
        println!(
            "{:>7} B {:>5} {:>9.2} µs {:>10.1} {:>9.2} µs {:>14} {:>16.3}",
            size,
            depth,
            leaf * 1e6,
            size as f64 / leaf / 1e6,
            depth as f64 * comp * 1e6,
            leaf_perms + depth,
            // page-in + page-out: two leaf hashes and two paths per touched page.
            2.0 * (leaf_perms + depth) as f64 / size as f64,
        );
    }
    println!();

    // Path verification at the chosen size (depth DEPTH).
    let mut image = MemoryImage::zero();
    let pages = clustered_pages(256);
    let start = start_record(&pages);
    let ends = end_record(&pages, 1);
    image.apply(&start, ends).expect("fresh image");
    let index = pages[100];
    let path = image.path(index).unwrap();
    let leaf = image.leaf(index);
    let root = image.root();
    let verify = time_per_call(0.5, || {
        verify_path(black_box(&root), index, black_box(&leaf), black_box(&path)).unwrap();
    });
    println!(
        "verify_path (depth {DEPTH}, {} B pages): {:.2} µs",
        PAGE_SIZE,
        verify * 1e6
    );

    // Per-epoch update of the memory image.
    println!();
    println!(
        "{:>14} {:>12} {:>14} {:>14}",
        "touched pages", "apply()", "per page", "stored nodes"
    );
    for n in [16usize, 64, 256, 1024, 4096] {
        let pages = clustered_pages(n);
        let mut image = MemoryImage::zero();
        let mut round = 0u8;
        // Warm the image with the pages holding something.
        let first = start_record(&pages);
        image.apply(&first, end_record(&pages, 1)).unwrap();
        round += 1;
        let reps = (4096 / n).max(2);
        let t = Instant::now();
        for _ in 0..reps {
            let rec = record_with(&pages, round);
            let ends = end_record(&pages, round.wrapping_add(1));
            image.apply(&rec, ends).unwrap();
            round = round.wrapping_add(1);
        }
        let per = t.elapsed().as_secs_f64() / reps as f64;
        println!(
            "{:>14} {:>9.2} ms {:>11.1} µs {:>14}",
            n,
            per * 1e3,
            per / n as f64 * 1e6,
            image.stored_nodes()
        );
    }

    // A real execution: the image following the executor epoch by epoch.
    println!();
    let program = memory_walk(4 << 20);
    let config = Config {
        epoch_size_log2: 20,
        max_cycles: u64::MAX,
    };
    follow(
        "memory walk (4 MiB buffer, stride 64 B)",
        &program,
        vec![],
        &config,
    );

    let guest_config = Config {
        epoch_size_log2: std::env::var("SLUICE_BENCH_EPOCH_LOG2")
            .map(|k| k.parse().expect("SLUICE_BENCH_EPOCH_LOG2: a number"))
            .unwrap_or(20),
        ..config
    };
    for arg in std::env::args().skip(1).filter(|a| !a.starts_with('-')) {
        let (elf, input) = match arg.split_once(':') {
            Some((e, i)) => (
                e.to_string(),
                std::fs::read(workspace_path(i)).expect("read input"),
            ),
            None => (arg.clone(), Vec::new()),
        };
        let program = Program::from_elf(&std::fs::read(workspace_path(&elf)).expect("read ELF"))
            .expect("ELF");
        follow(&elf, &program, input, &guest_config);
    }

    let big = Program::from_segments(0x1_0000, vec![(0x1_0000, vec![0x13; 1 << 20])]).unwrap();
    let id = time_per_call(1.0, || {
        black_box(image_id(black_box(&big)));
    });
    println!("image_id of a 1 MiB program: {:.2} ms", id * 1e3);
}

/// `cargo bench` runs in `prover/`: relative paths are taken from the
/// workspace root.
fn workspace_path(p: &str) -> std::path::PathBuf {
    let path = std::path::PathBuf::from(p);
    if path.is_absolute() {
        path
    } else {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(path)
    }
}

/// Runs `program` epoch by epoch with the memory image following it.
fn follow(name: &str, program: &Program, input: Vec<u8>, config: &Config) {
    let mut ex = Executor::new(program, input, config).unwrap();
    let mut image = MemoryImage::new(program);
    let (mut exec_s, mut image_s, mut epochs, mut touched, mut max) = (0.0, 0.0, 0u64, 0usize, 0);
    loop {
        let t = Instant::now();
        let Some(record) = ex.run_epoch().unwrap() else {
            break;
        };
        exec_s += t.elapsed().as_secs_f64();
        let t = Instant::now();
        image.apply_epoch(&record, ex.memory()).unwrap();
        image_s += t.elapsed().as_secs_f64();
        epochs += 1;
        touched += record.pages.len();
        max = max.max(record.pages.len());
    }
    println!(
        "{name}: {} cycles, {epochs} epochs of 2^{}, touched pages/epoch avg {:.0} max {max}; \
         executor {:.3} s, memory image {:.3} s ({:.1} µs/touched page, {:.0} ms/epoch), {} stored nodes",
        ex.cycles(),
        config.epoch_size_log2,
        touched as f64 / epochs as f64,
        exec_s,
        image_s,
        image_s / touched as f64 * 1e6,
        image_s / epochs as f64 * 1e3,
        image.stored_nodes()
    );
}

/// `n` page indices in the clusters a typical guest touches per epoch: code
/// (1/4), stack (1/8) and heap (the rest), plus the register page.
fn clustered_pages(n: usize) -> Vec<u32> {
    let mut v = vec![0u32];
    let code = 0x1_0000 >> 10;
    let stack_top = (0x4000_0000u32 >> 10) - 1;
    let heap = 0x0100_0000 >> 10;
    v.extend((0..n / 4).map(|i| code + i as u32));
    v.extend((0..n / 8).map(|i| stack_top - i as u32));
    v.extend((0..n - 1 - n / 4 - n / 8).map(|i| heap + 3 * i as u32));
    v.sort_unstable();
    v.dedup();
    v
}

fn page_of(fill: u8, index: u32) -> Box<[u8; PAGE_SIZE]> {
    let mut p = Box::new([fill; PAGE_SIZE]);
    p[..4].copy_from_slice(&index.to_le_bytes());
    p
}

fn record_with(pages: &[u32], fill: u8) -> EpochRecord {
    EpochRecord {
        index: 0,
        start_cycle: 0,
        cycles: 0,
        start_pc: 0x1_0000,
        start_registers: [0; 32],
        end_pc: 0x1_0000,
        end_registers: [0; 32],
        exit_code: None,
        public_output: vec![],
        start_input_eof: false,
        end_input_eof: false,
        read_results: vec![],
        row_cap_log2: 20,
        pages: pages
            .iter()
            .map(|&index| PageIn {
                index,
                data: page_of(fill, index),
            })
            .collect(),
        input_start: 0,
        input_end: 0,
        input: Vec::new(),
    }
}

/// A record whose start contents are all zero (a fresh image).
fn start_record(pages: &[u32]) -> EpochRecord {
    let mut r = record_with(pages, 0);
    for p in &mut r.pages {
        p.data = if p.index == 0 {
            register_page(&[0; 32], false)
        } else {
            Box::new([0; PAGE_SIZE])
        };
    }
    r
}

fn end_record(pages: &[u32], fill: u8) -> Vec<PageIn> {
    record_with(pages, fill).pages
}

/// Walks a buffer of `len` bytes with a 64-byte stride, loading and storing
/// one word per step, forever wrapping, for `len / 64 * 4` iterations.
fn memory_walk(len: u32) -> Program {
    let buffer = 0x0100_0000u32;
    let words = [
        I::u(Lui, 10, buffer).encode(),       // a0 = cursor
        I::u(Lui, 11, buffer + len).encode(), // a1 = end
        I::u(Lui, 13, len / 64 * 4).encode(), // a3 = iterations (multiple of 4096)
        // loop:
        I::i(Lw, 12, 10, 0).encode(),
        I::i(Addi, 12, 12, 1).encode(),
        I::s(Sw, 10, 12, 0).encode(),
        I::i(Addi, 10, 10, 64).encode(),
        I::b(Bltu, 10, 11, 8).encode(),
        I::u(Lui, 10, buffer).encode(),
        I::i(Addi, 13, 13, -1).encode(),
        I::b(Bne, 13, 0, -28).encode(),
        I::i(Addi, 10, 0, 0).encode(),
        I::i(Addi, 17, 0, 93).encode(),
        I::bare(Ecall).encode(),
    ];
    Program::from_words(0x1_0000, &words).expect("valid program")
}
