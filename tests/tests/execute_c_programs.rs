//! C test programs (`tests/programs/*.c`, compiled against the C SDK in
//! `guest/c` by `scripts/build-guests.sh`): exit codes and exact public
//! output on chosen inputs, the expected output computed here from each
//! program's header comment.

mod common;

use std::collections::BTreeSet;

use common::{program, symbol};
use sluice_prover::executor::{execute, Cause, Config, Executor, Outcome};

const CONFIG: Config = Config {
    epoch_size_log2: 12,
    max_cycles: 10_000_000,
};

/// Runs `name` on `input` to completion, once on the fast path and once epoch
/// by epoch (the path the prover takes), checks that both agree, and returns
/// the outcome and the number of distinct pages the epochs touched.
fn run(name: &str, input: &[u8]) -> (Outcome, usize) {
    let (_, p) = program(name);
    let what = format!("{name} on {} input bytes", input.len());
    let out = execute(&p, input, &CONFIG).unwrap_or_else(|e| panic!("{what}: {e}"));

    let mut ex = Executor::new(&p, input.to_vec(), &CONFIG).unwrap();
    let (mut public, mut pages, mut consumed) = (Vec::new(), BTreeSet::new(), Vec::new());
    while let Some(epoch) = ex.run_epoch().unwrap_or_else(|e| panic!("{what}: {e}")) {
        public.extend_from_slice(&epoch.public_output);
        consumed.extend_from_slice(&epoch.input);
        pages.extend(epoch.touched_pages());
    }
    assert_eq!(ex.outcome().as_ref(), Some(&out), "{what}: epoch by epoch");
    assert_eq!(public, out.public_output, "{what}: epoch outputs");
    assert_eq!(consumed, input[..consumed.len()], "{what}: epoch inputs");
    eprintln!("{what}: {} cycles, exit {}", out.cycles, out.exit_code);
    (out, pages.len())
}

/// Like [`run`], and the program must exit 0 (it exits with the number of
/// its failed self-check otherwise).
fn run_ok(name: &str, input: &[u8]) -> Outcome {
    let (out, _) = run(name, input);
    assert_eq!(
        out.exit_code,
        0,
        "{name} on {} input bytes: check {} failed",
        input.len(),
        out.exit_code
    );
    out
}

/// `len` deterministic pseudo-random bytes.
fn bytes(len: usize, seed: u32) -> Vec<u8> {
    (0..len as u32)
        .map(|i| (i.wrapping_add(seed).wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect()
}

const ODD_READS: [usize; 9] = [1, 3, 7, 13, 250, 2, 31, 5, 1001];

/// What `c_io_odd`'s reads (sizes `ODD_READS`, cycling, until one returns
/// fewer bytes than asked) get from `len` input bytes: `(bytes, reads)`, or
/// `None` when a read would pass its 8 KiB buffer (it then exits 1).
fn io_odd_reads(len: usize) -> Option<(usize, usize)> {
    let (mut n, mut reads) = (0, 0);
    loop {
        let want = ODD_READS[reads % ODD_READS.len()];
        if n + want > 8192 {
            return None;
        }
        let got = want.min(len - n);
        n += got;
        reads += 1;
        if got < want {
            return Some((n, reads));
        }
    }
}

fn io_odd_expected(input: &[u8], reads: usize) -> Vec<u8> {
    let mut out = b"odd1".to_vec();
    out.extend_from_slice(&(input.len() as u32).to_le_bytes());
    out.extend_from_slice(&(reads as u32).to_le_bytes());
    out.extend(input.iter().enumerate().map(|(i, &b)| b ^ (7 * i) as u8));
    out.extend_from_within(3..8);
    out
}

#[test]
fn io_odd_reads_and_writes_odd_sizes_at_odd_addresses() {
    assert_eq!(
        io_odd_expected(b"abcde", 3),
        b"odd1\x05\0\0\0\x03\0\0\0\x61\x65\x6d\x71\x791\x05\0\0\0"
    );
    let data = bytes(9000, 1);
    // Ends of reads (1, 4, 11, 24, 274, ...), lengths just off them, and
    // inputs too long for the buffer.
    for len in [
        0, 1, 2, 3, 4, 5, 10, 11, 12, 23, 24, 25, 273, 274, 275, 1313, 1314, 5001, 7000, 7001,
        8191, 8192, 9000,
    ] {
        let input = &data[..len];
        let Some((n, reads)) = io_odd_reads(len) else {
            let (out, _) = run("c_io_odd", input);
            assert_eq!((out.exit_code, out.public_output.len()), (1, 0), "{len}");
            continue;
        };
        assert_eq!(n, len);
        let out = run_ok("c_io_odd", input);
        assert_eq!(out.public_output, io_odd_expected(input, reads), "{len}");
        let line = format!("c_io_odd: {n} bytes in {reads} reads\n");
        assert_eq!(String::from_utf8_lossy(&out.stdout), line);
        assert!(out.stderr.is_empty());
    }
    assert!(io_odd_reads(7000).is_some() && io_odd_reads(9000).is_none());
}

fn fnv_lanes(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for k in 0..4u32 {
        let h = input.iter().fold(2_166_136_261u32 + k, |h, &b| {
            (h ^ u32::from(b.wrapping_add(k as u8))).wrapping_mul(16_777_619)
        });
        out.extend_from_slice(&h.to_le_bytes());
    }
    out.push(input.len() as u8);
    out
}

#[test]
fn write17_commits_one_17_byte_write() {
    for len in [0, 1, 3, 63, 64, 65, 127, 128, 129, 300] {
        let input = bytes(len, 3);
        let out = run_ok("c_write17", &input);
        assert_eq!(out.public_output, fnv_lanes(&input), "{len} bytes");
        assert_eq!(out.public_output.len(), 17);
    }
}

#[test]
fn sparse_pages_touches_40000_pages() {
    const BASE: u32 = 0x0100_0000;
    for input in [
        &b""[..],
        b"\x78",
        b"\x78\x56\x34",
        b"\x78\x56\x34\x12",
        b"\x01\0\0\0\xff",
    ] {
        let mut seed = [0u8; 4];
        seed[..input.len().min(4)].copy_from_slice(&input[..input.len().min(4)]);
        let seed = u32::from_le_bytes(seed);
        let checksum = (0..40_000u32)
            .map(|i| (BASE + i * 1024) ^ seed)
            .fold(0u32, |sum, v| sum.wrapping_mul(31).wrapping_add(v));
        let (out, pages) = run("c_sparse_pages", input);
        assert_eq!(out.exit_code, 0, "check {} failed", out.exit_code);
        assert_eq!(out.public_output, checksum.to_le_bytes());
        // The data pages, plus code, stack and the register page.
        assert!((40_000..40_010).contains(&pages), "{pages} pages");
    }
}

#[test]
fn io_edge_zero_lengths_straddling_reads_and_64_kib_calls() {
    const SIZES: [usize; 4] = [6, 2, 65536, 4096];
    let data = bytes(6 + 2 + 65536 + 4096 + 10, 4);
    for len in [
        0, 1, 3, 5, 6, 7, 8, 9, 4097, 65541, 65543, 65544, 65545, 69639, 69640, 69641, 69650,
    ] {
        let input = &data[..len];
        let out = run_ok("c_io_edge", input);
        let (mut header, mut body, mut pos) = (Vec::new(), Vec::new(), 0);
        for want in SIZES {
            let got = want.min(len - pos);
            header.extend_from_slice(&(got as u32).to_le_bytes());
            body.extend_from_slice(&input[pos..pos + got]);
            pos += got;
        }
        assert_eq!(out.public_output, [header, body].concat(), "{len} bytes");
        assert_eq!(out.stderr, b"c_io_edge: done\n");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn zero_length_calls_touch_nothing() {
    assert_eq!(run_ok("c_zero_len", b"").public_output, b"z");
    assert_eq!(run_ok("c_zero_len", b"!?").public_output, b"z!");
}

#[test]
fn sdk_posix_names_mem_functions_and_libgcc() {
    for len in [0, 1, 2, 99, 100, 101, 999, 1000, 1001, 1500] {
        let input = bytes(len, 5);
        let h = input[..len.min(1000)]
            .iter()
            .fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
                (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
            });
        let out = run_ok("c_sdk", &input);
        let expected = format!("{} {}\n", h / 1000, h % 1000);
        assert_eq!(String::from_utf8_lossy(&out.public_output), expected);
    }
}

#[test]
fn buffers_outside_guest_memory_fault() {
    let (elf, p) = program("c_bad_buffer");
    let store = |addr, len| Cause::UnmappedStore { addr, len };
    let load = |addr, len| Cause::UnmappedLoad { addr, len };
    for (variant, cause) in [
        (0u8, store(0x3fff_fffe, 4)),
        (1, load(0xff00, 0x200)),
        (2, load(0x7c, 1)),
        (3, store(0x8000, 16)),
    ] {
        let err = execute(&p, &[variant], &CONFIG).expect_err("must fault");
        assert_eq!(err.cause, cause, "variant {variant}");
        assert_eq!(err.pc, symbol(&elf, &format!("fault_{variant}")));
    }
}
