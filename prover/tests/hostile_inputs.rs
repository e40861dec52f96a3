//! Hostile-input drills for the native commands: each bad input ends in a
//! clear error (or, for a stream that never ends, in a verifier that waits
//! without spinning or growing), and each drill checks the bound that
//! `docs/reliability.md` records: memory as the child's peak RSS, CPU time
//! from its own accounting (`wait4`), never wall time.

mod common;
use common::*;

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use sluice_verifier::bundle::{
    decode_frame_prefix, encode_end, encode_frame_prefix, encode_header, encode_preamble,
    BundleEnd, BundleHeader, RecordKind, FRAME_PREFIX_LEN, MAX_EPOCH_BODY_LEN, PREAMBLE_LEN,
};
use sluice_verifier::digest::Digest;
use sluice_verifier::params::ProofParams;
use sluice_verifier::PROTOCOL_VERSION;

const MIB: i64 = 1 << 10; // ru_maxrss is in KiB

fn temp(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sluice-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn prover() -> Command {
    Command::new(env!("CARGO_BIN_EXE_prover"))
}

/// What a finished child did and cost.
struct Measured {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    /// Peak resident set, KiB (sampled every millisecond).
    max_rss: i64,
    /// User plus system CPU time.
    cpu: Duration,
}

/// Peak resident set (`VmHWM`, KiB) of a running process; `None` once it
/// has exited.
fn hwm_kib(pid: u32) -> Option<i64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Waits for `child` with `wait4` (its own CPU time) while sampling its
/// peak RSS every millisecond. The kernel's `ru_maxrss` cannot be used: it
/// keeps the peak of the test process the child was forked from, which
/// other drills fill with their large inputs.
fn wait_measured(mut child: Child, stderr_lines: Option<mpsc::Receiver<String>>) -> Measured {
    let out = child
        .stdout
        .take()
        .map(|s| std::thread::spawn(move || std::io::read_to_string(s).unwrap_or_default()));
    let err = match stderr_lines {
        Some(rx) => Some(std::thread::spawn(move || {
            rx.iter().collect::<Vec<_>>().join("\n")
        })),
        None => child
            .stderr
            .take()
            .map(|s| std::thread::spawn(move || std::io::read_to_string(s).unwrap_or_default())),
    };
    let pid = child.id();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sampler = {
        let done = done.clone();
        std::thread::spawn(move || {
            let mut peak = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                if let Some(kib) = hwm_kib(pid) {
                    peak = kib.max(peak);
                }
                std::thread::sleep(Duration::from_millis(1));
            }
            peak
        })
    };
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(r, pid as libc::pid_t, "wait4");
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Measured {
        code: libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status)),
        stdout: out.map(|h| h.join().unwrap()).unwrap_or_default(),
        stderr: err.map(|h| h.join().unwrap()).unwrap_or_default(),
        max_rss: sampler.join().unwrap(),
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
    }
}

fn run(cmd: &mut Command) -> Measured {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_measured(child, None)
}

/// `prover verify -` with its stderr delivered line by line as it comes.
fn verify_stdin() -> (Child, ChildStdin, mpsc::Receiver<String>) {
    let mut child = prover()
        .args(["verify", "-", "--jobs", "2"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdin = child.stdin.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            if tx.send(line.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    (child, stdin, rx)
}

/// Waits for a stderr line containing `needle`, forwarding every line to
/// `seen`.
fn wait_for(rx: &mpsc::Receiver<String>, needle: &str, seen: &mut Vec<String>) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        match rx.recv_timeout(Duration::from_secs(1)) {
            Ok(line) => {
                let found = line.contains(needle);
                seen.push(line);
                if found {
                    return;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    panic!("no stderr line with {needle:?}; saw:\n{}", seen.join("\n"));
}

/// Resident set of a running process, KiB.
fn rss_kib(pid: u32) -> i64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// CPU time (user + system) of a running process.
fn cpu_of(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the parenthesised command name; utime and stime are the
    // 14th and 15th fields of the whole line.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap();
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as u64;
    Duration::from_millis(ticks * 1000 / hz)
}

/// Counts down from `n` and exits 0: about 2n cycles.
fn countdown_elf(n: u32) -> Vec<u8> {
    let words = prog(&[&li(5, n), &[addi(5, 5, -1), bne(5, 0, -4)], &exit(0)]);
    ElfBuilder::new(&words, &[], 0).build()
}

/// A real bundle of 32 epochs of 2^6 cycles, proven once per test binary.
fn real_bundle() -> &'static Vec<u8> {
    static BUNDLE: OnceLock<Vec<u8>> = OnceLock::new();
    BUNDLE.get_or_init(|| {
        let elf = temp("countdown.elf", &countdown_elf(1000));
        let out = elf.with_file_name("countdown.bundle");
        let m = run(prover().args([
            "prove",
            elf.to_str().unwrap(),
            "--epoch-size-log2",
            "6",
            "-o",
            out.to_str().unwrap(),
        ]));
        assert_eq!(m.code, Some(0), "{}", m.stderr);
        std::fs::read(out).unwrap()
    })
}

/// The bundle's records: (kind byte, whole record with its frame prefix).
fn records(bundle: &[u8]) -> Vec<&[u8]> {
    let mut at = PREAMBLE_LEN;
    let mut out = Vec::new();
    while at < bundle.len() {
        let prefix: &[u8; FRAME_PREFIX_LEN] = bundle[at..at + FRAME_PREFIX_LEN].try_into().unwrap();
        let len = decode_frame_prefix(prefix).unwrap().1 as usize;
        out.push(&bundle[at..at + FRAME_PREFIX_LEN + len]);
        at += FRAME_PREFIX_LEN + len;
    }
    out
}

fn verify_file(name: &str, bytes: &[u8]) -> Measured {
    let path = temp(name, bytes);
    run(prover().args(["verify", path.to_str().unwrap()]))
}

fn header_with(f: fn(&mut BundleHeader)) -> Vec<u8> {
    let mut h = BundleHeader {
        protocol_version: PROTOCOL_VERSION,
        params: ProofParams::DEFAULT,
        image_id: Digest([7; 8]),
        epoch_size_log2: 6,
    };
    f(&mut h);
    let mut bytes = encode_preamble().to_vec();
    bytes.extend_from_slice(&encode_header(&h));
    bytes
}

#[test]
fn headers_claiming_huge_or_unsupported_sizes_are_rejected_at_the_header() {
    type Mutation = fn(&mut BundleHeader);
    let cases: [(&str, Mutation); 6] = [
        ("epochs of 2^255 cycles", |h| h.epoch_size_log2 = 255),
        ("epochs of 2^33 cycles", |h| h.epoch_size_log2 = 33),
        ("a 2^200 blowup", |h| h.params.log_blowup = 200),
        ("255 queries", |h| h.params.num_queries = 255),
        ("no queries", |h| h.params.num_queries = 0),
        ("protocol 2^32 - 1", |h| h.protocol_version = u32::MAX),
    ];
    for (what, mutate) in cases {
        let m = verify_file("header.bin", &header_with(mutate));
        assert_eq!(m.code, Some(1), "{what}: {}{}", m.stdout, m.stderr);
        // Rejected at the header record, right after the 12-byte preamble.
        assert!(m.stdout.contains("REJECTED"), "{what}: {}", m.stdout);
        assert!(m.stdout.contains("check failed"), "{what}: {}", m.stdout);
        assert!(m.stdout.contains("(at byte 12)"), "{what}: {}", m.stdout);
        assert!(m.max_rss < 64 * MIB, "{what}: {} KiB", m.max_rss);
    }
}

#[test]
fn an_end_record_claiming_huge_totals_is_rejected() {
    let bundle = real_bundle();
    let recs = records(bundle);
    let end_at = bundle.len() - recs.last().unwrap().len();
    let mut tampered = bundle[..end_at].to_vec();
    tampered.extend_from_slice(&encode_end(&BundleEnd {
        epochs: u64::MAX,
        cycles: u64::MAX,
        output_len: u64::MAX,
        stream_sha256: [0; 32],
    }));
    let m = verify_file("end.bin", &tampered);
    assert_eq!(m.code, Some(1), "{}", m.stderr);
    assert!(
        m.stdout
            .contains("end check failed: end record claims epochs = 18446744073709551615"),
        "{}",
        m.stdout
    );
}

/// A record prefix declaring the largest length the format allows, then
/// that many bytes of junk: the verifier holds one record (it cannot
/// judge the record before its last byte) and no more, then rejects it.
#[test]
fn a_record_at_the_maximum_length_costs_one_record_of_memory() {
    let mut bytes = header_with(|_| {});
    bytes.extend_from_slice(&encode_frame_prefix(RecordKind::Epoch, MAX_EPOCH_BODY_LEN));
    bytes.resize(bytes.len() + MAX_EPOCH_BODY_LEN as usize, 0xa5);
    let m = verify_file("max-record.bin", &bytes);
    assert_eq!(m.code, Some(1), "{}", m.stderr);
    assert!(m.stdout.contains("REJECTED"), "{}", m.stdout);
    let record_kib = i64::from(MAX_EPOCH_BODY_LEN >> 10);
    eprintln!(
        "max-length record ({record_kib} KiB): peak RSS {} KiB, CPU {:?}",
        m.max_rss, m.cpu
    );
    assert!(m.max_rss < record_kib + 96 * MIB, "{} KiB", m.max_rss);

    // One byte more is refused from the prefix alone.
    let mut bytes = header_with(|_| {});
    bytes.extend_from_slice(&encode_frame_prefix(
        RecordKind::Epoch,
        MAX_EPOCH_BODY_LEN + 1,
    ));
    let m = verify_file("over-max-record.bin", &bytes);
    assert_eq!(m.code, Some(1), "{}{}", m.stdout, m.stderr);
    assert!(m.max_rss < 64 * MIB, "{} KiB", m.max_rss);
}

#[test]
fn a_bundle_ending_mid_record_is_rejected_as_truncated() {
    let bundle = real_bundle();
    let recs = records(bundle);
    // Inside a prefix, inside a statement, inside a proof, before the end.
    let third = PREAMBLE_LEN + recs[..3].iter().map(|r| r.len()).sum::<usize>();
    for cut in [
        third + 2,
        third + 40,
        third + recs[3].len() / 2,
        bundle.len() - 1,
    ] {
        let m = verify_file("cut.bin", &bundle[..cut]);
        assert_eq!(m.code, Some(1), "cut at {cut}: {}", m.stderr);
        assert!(
            m.stdout.contains("stream ended"),
            "cut at {cut}: {}",
            m.stdout
        );
    }
}

/// One byte every 100 ms on stdin: the header is reported as soon as its
/// last byte arrives, and the verifier sleeps between bytes.
#[test]
fn a_trickling_stdin_is_waited_for_without_spinning() {
    let bundle = real_bundle();
    let header_end = PREAMBLE_LEN + records(bundle)[0].len();
    let (child, mut stdin, rx) = verify_stdin();
    let pid = child.id();
    let start = Instant::now();
    let mut seen = Vec::new();
    for (i, b) in bundle[..header_end].iter().enumerate() {
        stdin.write_all(&[*b]).unwrap();
        stdin.flush().unwrap();
        if i + 1 < header_end {
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    wait_for(&rx, "header:", &mut seen);
    let trickle = start.elapsed();
    let cpu = cpu_of(pid);
    eprintln!("{header_end} bytes trickled in {trickle:?}: verifier CPU {cpu:?}");
    // A busy loop would burn the whole trickle; reading and checking the
    // header costs milliseconds (2 s of slack for a loaded machine).
    assert!(cpu < Duration::from_secs(2), "CPU {cpu:?} over {trickle:?}");
    stdin.write_all(&bundle[header_end..]).unwrap();
    drop(stdin);
    let m = wait_measured(child, Some(rx));
    assert_eq!(m.code, Some(0), "{}\n{}", seen.join("\n"), m.stderr);
    assert!(m.stdout.contains("VERIFIED"));
}

/// A stream that never sends its end record: epochs keep verifying, memory
/// stays flat, and the verifier then waits without spinning until the
/// stream closes, which it reports as truncated.
#[test]
fn an_endless_stream_keeps_memory_flat_and_waits_idle() {
    let bundle = real_bundle();
    let recs = records(bundle);
    let (child, mut stdin, rx) = verify_stdin();
    let pid = child.id();
    let mut seen = Vec::new();
    let mut at = PREAMBLE_LEN + recs[0].len();
    stdin.write_all(&bundle[..at]).unwrap();
    let mut rss = Vec::new();
    for (i, r) in recs[1..recs.len() - 1].iter().enumerate() {
        stdin.write_all(r).unwrap();
        stdin.flush().unwrap();
        at += r.len();
        wait_for(&rx, &format!("epoch {i} verified"), &mut seen);
        rss.push(rss_kib(pid));
    }
    let epochs = rss.len();
    let (early, late) = (rss[3], *rss.last().unwrap());
    eprintln!(
        "endless stream: RSS after epoch 3 {early} KiB, after epoch {} {late} KiB",
        epochs - 1
    );
    assert!(
        late - early < 8 * MIB,
        "RSS grew from {early} to {late} KiB over {epochs} epochs"
    );
    // Every epoch is in; no end record comes. The verifier must sleep.
    let cpu = cpu_of(pid);
    std::thread::sleep(Duration::from_secs(2));
    let idle = cpu_of(pid) - cpu;
    assert!(
        idle < Duration::from_millis(500),
        "{idle:?} of CPU while waiting"
    );
    drop(stdin);
    let m = wait_measured(child, Some(rx));
    assert_eq!(m.code, Some(1));
    assert!(m.stdout.contains("stream ended"), "{}", m.stdout);
    assert_eq!(at, bundle.len() - recs.last().unwrap().len());
}

#[test]
fn hostile_elf_files_get_a_clear_error_from_every_command() {
    let good = ElfBuilder::new(&exit(0), &[], 0);
    let mut overlapping = ElfBuilder::new(&exit(0), b"data", 0);
    overlapping.phs[1].vaddr = BASE + 4;
    let mut past_the_file = good.clone();
    past_the_file.phs[0].filesz = 0x7fff_ffff;
    past_the_file.phs[0].memsz = 0x7fff_ffff;
    let mut past_guest_memory = good.clone();
    past_guest_memory.phs[0].memsz = 0x7fff_0000;
    let cases: [(&str, Vec<u8>, &str); 5] = [
        ("empty", Vec::new(), "shorter than an ELF32 header"),
        ("overlapping", overlapping.build(), "overlap"),
        (
            "past-the-file",
            past_the_file.build(),
            "past the end of the",
        ),
        (
            "past-guest-memory",
            past_guest_memory.build(),
            "guest memory",
        ),
        (
            "text",
            b"#!/bin/sh\n# a shell script, not a guest program at all\necho hi\n".to_vec(),
            "not an ELF file",
        ),
    ];
    for (name, bytes, message) in cases {
        let elf = temp(&format!("{name}.elf"), &bytes);
        let elf = elf.to_str().unwrap();
        let bundle = temp("any.bin", b"");
        for args in [
            vec!["execute", elf],
            vec!["prove", elf, "-o", "/dev/null"],
            vec!["image-id", elf],
            vec!["verify", bundle.to_str().unwrap(), "--elf", elf],
        ] {
            let m = run(prover().args(&args));
            assert_eq!(m.code, Some(2), "{name} {args:?}: {}", m.stderr);
            assert!(m.stderr.contains(message), "{name} {args:?}: {}", m.stderr);
            assert!(
                !m.stderr.contains("panicked"),
                "{name} {args:?}: {}",
                m.stderr
            );
        }
    }
}

/// The largest program the loader accepts: one segment spanning the whole
/// guest memory, nearly all of it zero-initialised. Loading, hashing and
/// running it cost memory for the pages touched, not for the gigabyte
/// declared.
#[test]
fn a_segment_spanning_guest_memory_costs_only_what_it_touches() {
    use sluice_verifier::layout::{GUEST_MEMORY_END, GUEST_MEMORY_START};
    let mut elf = ElfBuilder::new(&exit(0), &[], 0);
    elf.phs[0].memsz = GUEST_MEMORY_END - GUEST_MEMORY_START;
    let path = temp("whole-memory.elf", &elf.build());
    let path = path.to_str().unwrap();
    for args in [vec!["execute", path], vec!["image-id", path]] {
        let m = run(prover().args(&args));
        assert_eq!(m.code, Some(0), "{args:?}: {}", m.stderr);
        eprintln!(
            "{args:?} of a 1 GiB segment: peak RSS {} KiB, CPU {:?}",
            m.max_rss, m.cpu
        );
        assert!(m.max_rss < 256 * MIB, "{args:?}: {} KiB", m.max_rss);
    }
}

/// An ELF path that never ends (`/dev/zero`) is read up to the limit and
/// refused; a sparse file over the limit is refused from its size.
#[test]
fn endless_and_oversized_elf_files_are_refused() {
    let m = run(prover().args(["image-id", "/dev/zero"]));
    assert_eq!(m.code, Some(2));
    assert!(m.stderr.contains("larger than 1280 MiB"), "{}", m.stderr);
    eprintln!(
        "/dev/zero as an ELF: peak RSS {} KiB, CPU {:?}",
        m.max_rss, m.cpu
    );
    assert!(m.max_rss < 1400 * MIB, "{} KiB", m.max_rss);

    let sparse = temp("sparse.elf", b"");
    std::fs::File::options()
        .write(true)
        .open(&sparse)
        .unwrap()
        .set_len(2 << 30)
        .unwrap();
    let m = run(prover().args(["prove", sparse.to_str().unwrap(), "-o", "/dev/null"]));
    assert_eq!(m.code, Some(2));
    assert!(m.stderr.contains("larger than 1280 MiB"), "{}", m.stderr);
    assert!(m.max_rss < 64 * MIB, "{} KiB", m.max_rss);
    std::fs::remove_file(sparse).unwrap();
}

/// A guest that never halts hits the cycle limit in the fast pre-pass:
/// `prove` says so before proving anything and writes no file.
#[test]
fn a_guest_that_loops_forever_is_refused_before_any_proving() {
    let elf = temp(
        "forever.elf",
        &ElfBuilder::new(&[jal(0, 0)], &[], 0).build(),
    );
    let out = elf.with_file_name("forever.bundle");
    let m = run(prover().args([
        "prove",
        elf.to_str().unwrap(),
        "--max-cycles",
        "20000000",
        "-o",
        out.to_str().unwrap(),
    ]));
    assert_eq!(m.code, Some(3), "{}", m.stderr);
    assert!(
        m.stderr.contains("cycle limit of 20000000 cycles reached"),
        "{}",
        m.stderr
    );
    assert!(m.stderr.contains("nothing was proven"), "{}", m.stderr);
    assert!(!m.stderr.contains("proving"), "{}", m.stderr);
    assert!(!out.exists());
    assert!(!PathBuf::from(format!("{}.partial", out.display())).exists());
    eprintln!(
        "20 M cycles of an endless loop: CPU {:?}, peak RSS {} KiB",
        m.cpu, m.max_rss
    );
    assert!(m.max_rss < 64 * MIB, "{} KiB", m.max_rss);
}
