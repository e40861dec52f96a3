//! The example guests (`guest/examples/*`, built by `scripts/build-guests.sh`)
//! run on the executor and produce what a host computation says they should.

mod common;

use common::guest;
use sha2::{Digest, Sha256};
use sluice_prover::executor::{
    execute, Config, EpochRecord, Executor, Outcome, Program, PAGE_SIZE, REGISTER_PAGE,
};

const CONFIG: Config = Config {
    epoch_size_log2: 16,
    max_cycles: 1 << 32,
};

fn run(program: &Program, input: &[u8]) -> Outcome {
    execute(program, input, &CONFIG).unwrap_or_else(|e| panic!("guest faulted: {e}"))
}

fn host_fib(n: u32) -> u64 {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        (a, b) = (b, a.wrapping_add(b));
    }
    a
}

#[test]
fn fibonacci_matches_host() {
    let (_, p) = guest("fibonacci");
    // Known values pin the host function itself.
    assert_eq!(host_fib(10), 55);
    assert_eq!(host_fib(93), 12_200_160_415_121_876_738);
    let mut last_cycles = 0;
    for n in [0u32, 1, 2, 3, 10, 40, 93, 94, 100, 1000, 10_000] {
        let out = run(&p, &n.to_le_bytes());
        assert_eq!(out.exit_code, 0, "n = {n}");
        assert_eq!(
            out.public_output,
            host_fib(n).to_le_bytes(),
            "fib({n}) = {}",
            host_fib(n)
        );
        assert!(out.stdout.is_empty() && out.stderr.is_empty());
        assert!(out.cycles > last_cycles, "cycles grow with n");
        last_cycles = out.cycles;
        eprintln!("fibonacci n={n}: {} cycles", out.cycles);
    }
}

#[test]
fn fibonacci_ignores_trailing_input() {
    let (_, p) = guest("fibonacci");
    let out = run(&p, &[20, 0, 0, 0, 0xff, 0xff]);
    assert_eq!(out.public_output, host_fib(20).to_le_bytes());
}

#[test]
fn short_input_panics_with_message_and_code_101() {
    let (_, p) = guest("fibonacci");
    for input in [&[][..], &[1], &[1, 2, 3]] {
        let out = run(&p, input);
        assert_eq!(out.exit_code, 101, "input {input:?}");
        assert!(out.public_output.is_empty());
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.starts_with("panicked at "), "{stderr}");
        assert!(
            stderr.contains("examples/fibonacci/src/main.rs"),
            "{stderr}"
        );
        assert!(
            stderr.contains(&format!(
                "input must be n as a 4-byte little-endian u32, got {} bytes",
                input.len()
            )),
            "{stderr}"
        );
    }
}

/// Deterministic pseudo-random bytes (xorshift), so failures reproduce.
fn bytes(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

/// Both SHA-256 guests (the precompile's and the software one) give the
/// host's digests.
#[test]
fn sha256_matches_host() {
    // The host implementation itself, on the FIPS 180-2 "abc" vector.
    assert_eq!(
        hex::encode(Sha256::digest(b"abc")),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    for name in ["sha256", "sha256-soft"] {
        let (_, p) = guest(name);
        // Padding boundaries (55/56/63/64/65), the guest's 1024-byte read
        // chunk, and a few KiB.
        for len in [
            0usize, 1, 3, 55, 56, 63, 64, 65, 119, 120, 1023, 1024, 1025, 4096, 5000,
        ] {
            let input = bytes(len, len as u32 + 7);
            let out = run(&p, &input);
            assert_eq!(out.exit_code, 0, "{name} len {len}");
            assert_eq!(
                out.public_output,
                Sha256::digest(&input).as_slice(),
                "{name} of {len} bytes"
            );
            eprintln!("{name} len={len}: {} cycles", out.cycles);
        }
    }
}

/// Counts primes below `n` by trial division, a different algorithm from the
/// guest's sieve.
fn host_count_primes(n: u32) -> u32 {
    let mut primes: Vec<u32> = Vec::new();
    for k in 2..n {
        if primes
            .iter()
            .take_while(|&&p| p * p <= k)
            .all(|&p| k % p != 0)
        {
            primes.push(k);
        }
    }
    primes.len() as u32
}

#[test]
fn primes_matches_host() {
    let (_, p) = guest("primes");
    assert_eq!(host_count_primes(100), 25);
    assert_eq!(host_count_primes(200_000), 17_984);
    for n in [0u32, 1, 2, 3, 4, 10, 100, 1000, 7919, 7920, 20_000] {
        let out = run(&p, &n.to_le_bytes());
        assert_eq!(out.exit_code, 0, "n = {n}");
        assert_eq!(
            out.public_output,
            host_count_primes(n).to_le_bytes(),
            "primes below {n}"
        );
    }
}

/// Runs `program` epoch by epoch and checks the records against the
/// fast-path outcome.
fn check_epochs(program: &Program, input: &[u8], k: u32, fast: &Outcome) -> Vec<EpochRecord> {
    let config = Config {
        epoch_size_log2: k,
        max_cycles: 1 << 32,
    };
    let ex = Executor::new(program, input.to_vec(), &config).unwrap();
    let records: Vec<EpochRecord> = ex.map(|r| r.expect("epoch ran")).collect();
    let size = 1u64 << k;
    assert_eq!(records.len() as u64, fast.cycles.div_ceil(size), "k = {k}");
    assert_eq!(
        records.iter().map(|r| r.cycles).sum::<u64>(),
        fast.cycles,
        "epoch cycles sum to the total"
    );
    let (last, body) = records.split_last().unwrap();
    for (i, r) in records.iter().enumerate() {
        assert_eq!(r.index, i as u64);
        assert_eq!(r.start_cycle, (i as u64) << k);
    }
    for r in body {
        assert_eq!(r.cycles, size, "epoch {} is exactly 2^{k} cycles", r.index);
        assert_eq!(r.exit_code, None);
    }
    assert!(last.cycles >= 1 && last.cycles <= size);
    assert_eq!(last.exit_code, Some(0));
    for pair in records.windows(2) {
        assert_eq!(pair[0].end_pc, pair[1].start_pc);
        assert_eq!(pair[0].end_registers, pair[1].start_registers);
        assert_eq!(pair[0].input_end, pair[1].input_start);
    }
    let output: Vec<u8> = records
        .iter()
        .flat_map(|r| r.public_output.clone())
        .collect();
    assert_eq!(output, fast.public_output);
    assert_eq!(records[0].input_start, 0);
    assert_eq!(last.input_end, input.len() as u64);
    records
}

#[test]
fn primes_spans_hundreds_of_epochs() {
    let (_, p) = guest("primes");
    let n = 200_000u32;
    let input = n.to_le_bytes();
    let fast = run(&p, &input);
    assert_eq!(fast.public_output, 17_984u32.to_le_bytes());
    assert!(fast.cycles > 2_000_000, "{} cycles", fast.cycles);
    eprintln!("primes n={n}: {} cycles", fast.cycles);
    for k in 10..=12 {
        let records = check_epochs(&p, &input, k, &fast);
        assert!(records.len() >= 100, "k = {k}: {} epochs", records.len());
        // The sieve's 200 000-byte heap vector spans ~196 pages of 1 KiB,
        // all touched; every epoch touches the register page.
        let pages: std::collections::BTreeSet<u32> = records
            .iter()
            .flat_map(|r| r.touched_pages().collect::<Vec<_>>())
            .collect();
        assert!(
            pages.len() as u32 >= n / PAGE_SIZE as u32,
            "{} pages",
            pages.len()
        );
        assert!(records
            .iter()
            .all(|r| r.touched_pages().any(|i| i == REGISTER_PAGE)));
        eprintln!("primes n={n}, k={k}: {} epochs", records.len());
        // Any epoch replays on its own from its record.
        let config = Config {
            epoch_size_log2: k,
            max_cycles: 1 << 32,
        };
        for i in [0, records.len() / 2, records.len() - 1] {
            let mut ex = Executor::from_epoch_start(&records[i], input.to_vec(), &config).unwrap();
            let replay = ex.run_epoch().unwrap().unwrap();
            assert_eq!(replay, records[i], "replay of epoch {i} at k = {k}");
        }
    }
}

#[test]
fn sha256_and_fibonacci_epochs_are_consistent() {
    for (name, input) in [
        ("sha256-soft", bytes(3000, 1)),
        ("fibonacci", 5000u32.to_le_bytes().to_vec()),
    ] {
        let (_, p) = guest(name);
        let fast = run(&p, &input);
        let records = check_epochs(&p, &input, 10, &fast);
        assert!(records.len() > 1, "{name}: {} epochs", records.len());
    }
}

#[test]
fn guest_images_start_in_guest_memory() {
    for name in ["fibonacci", "sha256", "primes", "sdk-check"] {
        let (_, p) = guest(name);
        assert_eq!(p.entry(), 0x1_0000, "{name}: _start is first in .text");
        assert!(p.segments().iter().all(|s| s.vaddr >= 0x1_0000));
    }
}

/// What `guest/examples/sdk-check` must output for `input`.
fn sdk_check_expected(input: &[u8]) -> Vec<u8> {
    let mut out = (input.len() as u32).to_le_bytes().to_vec();
    out.extend(input.iter().rev());
    let distinct = input
        .iter()
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    out.extend((distinct as u32).to_le_bytes());
    out.extend((0..10_000u64).sum::<u64>().to_le_bytes());
    out.extend(0u32.to_le_bytes());
    out
}

#[test]
fn sdk_reads_all_input_allocates_and_prints() {
    let (_, p) = guest("sdk-check");
    // read_input_to_vec reads 4 KiB chunks: cover the boundaries.
    for len in [0usize, 1, 100, 4095, 4096, 4097, 8192, 10_000] {
        let input = bytes(len, 99 + len as u32);
        let out = run(&p, &input);
        assert_eq!(
            out.exit_code,
            0,
            "len {len}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.public_output, sdk_check_expected(&input), "len {len}");
        assert_eq!(out.stdout, format!("{len} bytes\n").into_bytes());
        assert_eq!(out.stderr, b"sdk-check\n");
    }
}

#[test]
fn sdk_exit_with_a_chosen_code() {
    let (_, p) = guest("sdk-check");
    for code in [0u8, 1, 7, 255] {
        let input = [b"exit:".as_slice(), &[code]].concat();
        let out = run(&p, &input);
        assert_eq!(out.exit_code, u32::from(code));
        // Everything committed before exit is kept.
        assert_eq!(out.public_output, sdk_check_expected(&input));
    }
}

#[test]
fn heap_exhaustion_panics_with_code_101() {
    let (_, p) = guest("sdk-check");
    let out = run(&p, b"oom:");
    assert_eq!(out.exit_code, 101);
    assert!(out.public_output.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    // The first 768 MiB fit below HEAP_END, the second cannot.
    assert!(
        stderr.contains(&format!(
            "memory allocation of {} bytes failed",
            768u32 << 20
        )),
        "{stderr}"
    );
}

#[test]
fn deep_recursion_uses_megabytes_of_stack() {
    let (_, p) = guest("sdk-check");
    let out = run(&p, b"stack:");
    assert_eq!(out.exit_code, 0);
    assert_eq!(
        out.public_output,
        (0..=50_000u64).sum::<u64>().to_le_bytes()
    );
}

#[test]
fn every_word_of_guest_code_is_rv32im() {
    // The executable segment of a Rust guest holds only .text: every word must
    // decode as an RV32IM instruction (the same check build-guests.sh makes
    // with objdump, here by the VM's own decoder).
    for name in ["fibonacci", "sha256", "primes", "sdk-check"] {
        let (_, p) = guest(name);
        let text: Vec<_> = p.segments().iter().filter(|s| s.flags & 1 != 0).collect();
        assert_eq!(text.len(), 1, "{name}: one executable segment");
        let words = text[0].data.chunks_exact(4);
        assert!(words.len() > 100);
        for (i, w) in words.enumerate() {
            let word = u32::from_le_bytes(w.try_into().unwrap());
            assert!(
                sluice_verifier::isa::decode(word).is_ok(),
                "{name}: {word:#010x} at {:#x}",
                text[0].vaddr + 4 * i as u32
            );
        }
    }
}
