//! `prover execute` on the real guests and test programs that
//! `scripts/build-guests.sh` builds (`build/guests`, `build/programs`):
//! output and exit status 0 / 1 / 3. Lives here rather than in `tests/`
//! because only this package's tests can name the `prover` binary.

use std::path::PathBuf;
use std::process::Output;

use sha2::{Digest, Sha256};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `build/<dir>/<name>.elf`; fails (never skips) when it was not built.
fn elf(dir: &str, name: &str) -> String {
    let path = root().join("build").join(dir).join(format!("{name}.elf"));
    assert!(
        path.is_file(),
        "{} is missing: run scripts/build-guests.sh first",
        path.display()
    );
    path.to_str().unwrap().to_owned()
}

fn input_file(name: &str, bytes: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("sluice-cli-guests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_owned()
}

fn prover(args: &[&str]) -> (Option<i32>, String, String) {
    let out: Output = std::process::Command::new(env!("CARGO_BIN_EXE_prover"))
        .args(args)
        .output()
        .expect("run prover");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `prover prove ELF --input INPUT --epoch-size-log2 8 EXTRA… -o OUT`.
fn prove_at_2_8(
    elf: &str,
    input: &str,
    out: &str,
    extra: &[&str],
) -> (Option<i32>, String, String) {
    let mut args = vec!["prove", elf, "--input", input, "--epoch-size-log2", "8"];
    args.extend(extra);
    args.extend(["-o", out]);
    prover(&args)
}

/// The number after `label` on its summary line.
fn field(stdout: &str, label: &str) -> u64 {
    let line = stdout
        .lines()
        .find(|l| l.starts_with(label))
        .unwrap_or_else(|| panic!("no `{label}` line in {stdout}"));
    line[label.len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn fibonacci() {
    let input = input_file("fib40", &40u32.to_le_bytes());
    let (code, stdout, stderr) =
        prover(&["execute", &elf("guests", "fibonacci"), "--input", &input]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    // fib(40) = 102334155 = 0x0619_7ecb.
    assert!(stdout.contains("exit code:     0\n"), "{stdout}");
    assert!(
        stdout.contains("public output: 8 bytes\n  hex:  cb7e190600000000\n"),
        "{stdout}"
    );
}

#[test]
fn panicking_guest_exits_1() {
    let (code, stdout, stderr) = prover(&["execute", &elf("guests", "fibonacci")]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("exit code:     101\n"), "{stdout}");
    assert!(stderr.starts_with("panicked at "), "{stderr}");
    assert!(stderr.contains("got 0 bytes"), "{stderr}");
}

#[test]
fn sha256() {
    let data: Vec<u8> = (0..3000u32).map(|i| (i * 31 + 7) as u8).collect();
    let input = input_file("sha-in", &data);
    let (code, stdout, stderr) = prover(&["execute", &elf("guests", "sha256"), "--input", &input]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let want: String = Sha256::digest(&data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(
        stdout.contains(&format!("public output: 32 bytes\n  hex:  {want}\n")),
        "{stdout}"
    );
}

#[test]
fn primes_over_many_epochs() {
    let input = input_file("primes-in", &200_000u32.to_le_bytes());
    let (code, stdout, stderr) = prover(&[
        "execute",
        &elf("guests", "primes"),
        "--input",
        &input,
        "--epoch-size-log2",
        "12",
    ]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    // 17984 primes below 200 000.
    assert!(stdout.contains("  hex:  40460000\n"), "{stdout}");
    let cycles = field(&stdout, "cycles:");
    let epochs = field(&stdout, "epochs:");
    assert_eq!(epochs, cycles.div_ceil(1 << 12));
    assert!(epochs >= 100, "{stdout}");
}

#[test]
fn selfcheck_and_io_programs() {
    let (code, stdout, stderr) = prover(&["execute", &elf("programs", "rv32im_selfcheck")]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");

    let input = input_file("io-in", b"hello world");
    let (code, stdout, stderr) = prover(&["execute", &elf("programs", "io"), "--input", &input]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.starts_with("out:hello world"), "{stdout}");
    assert_eq!(stderr, "err:dlrow olleh");
    assert!(
        stdout
            .contains("public output: 19 bytes\n  hex:  0b0000000400000068656c6c6f20776f726c64\n"),
        "{stdout}"
    );
}

#[test]
fn faults_exit_3() {
    let (code, _, stderr) = prover(&["execute", &elf("programs", "fault_ebreak")]);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr.contains("guest faulted: breakpoint (ebreak) at pc 0x"),
        "{stderr}"
    );

    let input = input_file("sel1", &[1]);
    let (code, _, stderr) = prover(&[
        "execute",
        &elf("programs", "fault_unmapped_fetch"),
        "--input",
        &input,
    ]);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr.contains("instruction fetch from unmapped memory at pc 0x00008000"),
        "{stderr}"
    );

    let (code, _, stderr) = prover(&[
        "execute",
        &elf("programs", "fault_cycle_limit"),
        "--max-cycles",
        "1000",
    ]);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr.contains("cycle limit of 1000 cycles reached"),
        "{stderr}"
    );
}

/// The reported case: a C program that writes its public output with one
/// `write(3, buf, 17)` (after a 64-byte read) proves through the CLI and
/// verifies with its output.
#[test]
fn c_program_with_a_17_byte_public_write_proves_and_verifies() {
    let input = input_file("w17-in", b"hello");
    let out = std::env::temp_dir().join(format!("sluice-w17-{}.bundle", std::process::id()));
    let out = out.to_str().unwrap();
    let elf_path = elf("programs", "c_write17");
    let (code, _, stderr) = prove_at_2_8(&elf_path, &input, out, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    let (code, executed, _) = prover(&["execute", &elf_path, "--input", &input]);
    assert_eq!(code, Some(0), "{executed}");
    let (code, verified, stderr) = prover(&["verify", out, "--elf", &elf_path]);
    assert_eq!(code, Some(0), "{verified}{stderr}");
    let hex_line = |s: &str| {
        s.lines()
            .find(|l| l.trim_start().starts_with("hex:"))
            .map(|l| l.trim().to_owned())
    };
    assert!(hex_line(&executed).is_some(), "{executed}");
    assert_eq!(hex_line(&executed), hex_line(&verified), "{verified}");
    let _ = std::fs::remove_file(out);
}

/// `prove --zk` makes a bundle every verifier accepts as zero-knowledge,
/// with the same output as the plain bundle; `verify` says which mode it
/// checked, and `params --zk` gives the mode's own security figure.
#[test]
fn zk_bundles_prove_verify_and_say_so() {
    let input = input_file("zk-in", b"hello");
    let elf_path = elf("programs", "c_write17");
    let dir = std::env::temp_dir();
    let bundle = |name: &str| {
        dir.join(format!("sluice-{name}-{}.bundle", std::process::id()))
            .to_str()
            .unwrap()
            .to_owned()
    };
    let (zk, plain) = (bundle("zk"), bundle("plain"));
    for (out, extra) in [(&zk, Some("--zk")), (&plain, None)] {
        let (code, _, stderr) = prove_at_2_8(&elf_path, &input, out, extra.as_slice());
        assert_eq!(code, Some(0), "{stderr}");
        assert!(
            stderr.contains(&format!(
                "zero-knowledge: {}",
                if extra.is_some() { "yes" } else { "no" }
            )),
            "{stderr}"
        );
    }
    let (code, verified_zk, stderr) = prover(&["verify", &zk, "--elf", &elf_path]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(verified_zk.contains("zero-knowledge: yes"), "{verified_zk}");
    let (code, verified_plain, _) = prover(&["verify", &plain, "--elf", &elf_path]);
    assert_eq!(code, Some(0));
    assert!(
        verified_plain.contains("zero-knowledge: no"),
        "{verified_plain}"
    );
    let output = |s: &str| {
        s.lines()
            .filter(|l| l.contains("hex:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(output(&verified_zk), output(&verified_plain));
    let (_, json, _) = prover(&["verify", "--json", &zk]);
    assert!(json.contains("\"zero_knowledge\":true"), "{json}");
    // The ZK bundle differs from the plain one, and so does a second ZK
    // proof of the same run.
    let again = bundle("zk-again");
    let (code, _, _) = prove_at_2_8(&elf_path, &input, &again, &["--zk"]);
    assert_eq!(code, Some(0));
    assert_ne!(std::fs::read(&zk).unwrap(), std::fs::read(&again).unwrap());
    let (_, params, _) = prover(&["params", "--zk"]);
    assert!(
        params.contains("zk 1") && params.contains("tables at 2^21 rows"),
        "{params}"
    );
    for f in [zk, plain, again] {
        let _ = std::fs::remove_file(f);
    }
}

/// `--favor speed` and `--favor size` prove bundles that verify, with their
/// own parameters in the header: the size bundle is the smallest, the
/// speed bundle the largest. `params --favor` prints the same parameters,
/// and an unknown choice is a usage error.
#[test]
fn favor_trades_proof_size_against_speed() {
    let input = input_file("favor-in", b"hello");
    let elf_path = elf("programs", "c_write17");
    let dir = std::env::temp_dir();
    let mut sizes = Vec::new();
    for favor in ["speed", "balance", "size"] {
        let out = dir
            .join(format!(
                "sluice-favor-{favor}-{}.bundle",
                std::process::id()
            ))
            .to_str()
            .unwrap()
            .to_owned();
        let (code, _, stderr) = prove_at_2_8(&elf_path, &input, &out, &["--favor", favor]);
        assert_eq!(code, Some(0), "{favor}: {stderr}");
        let (code, _, stderr) = prover(&["verify", &out, "--elf", &elf_path]);
        assert_eq!(code, Some(0), "{favor}: {stderr}");
        let blowup = match favor {
            "speed" => "log_blowup 1, num_queries 91",
            "balance" => "log_blowup 2, num_queries 45",
            _ => "log_blowup 3, num_queries 30",
        };
        let (code, params, _) = prover(&["params", "--favor", favor]);
        assert_eq!(code, Some(0));
        assert!(params.contains(blowup), "{favor}: {params}");
        sizes.push(std::fs::metadata(&out).unwrap().len());
        std::fs::remove_file(&out).unwrap();
    }
    assert!(sizes[0] > sizes[1] && sizes[1] > sizes[2], "{sizes:?}");
    let (code, _, stderr) = prover(&["params", "--favor", "bogus"]);
    assert_eq!(code, Some(2), "{stderr}");
}

/// `--frame FILE` adds one length-prefixed frame per file after the raw
/// `--input`: the `sdk-check` guest's `frames:` mode reads a postcard count
/// (frame 1, the byte 2) and then `io::read_vec` (frame 2, "hello") and
/// `io::read` + `io::read_slice` (frames 3 and 4: the length 3, then
/// "abc"), and commits `(len, byte sum)` for each: `(5, 532)` and
/// `(3, 294)`. `execute` and `prove` read the same stream, and the bundle
/// verifies with that output.
#[test]
fn frames_on_the_command_line() {
    let raw = input_file("frames-raw", b"frames:");
    let count = input_file("frames-count", &[2]);
    let hello = input_file("frames-hello", b"hello");
    let len = input_file("frames-len", &[3]);
    let abc = input_file("frames-abc", b"abc");
    let elf_path = elf("guests", "sdk-check");
    let frames = [
        "--input", &raw, "--frame", &count, "--frame", &hello, "--frame", &len, "--frame", &abc,
    ];
    // postcard: (5u32, 532u64) = 05 94 04; (3u32, 294u64) = 03 a6 02.
    let want = "public output: 6 bytes\n  hex:  05940403a602\n";
    let mut args = vec!["execute", elf_path.as_str()];
    args.extend(frames);
    let (code, stdout, stderr) = prover(&args);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains(want), "{stdout}");

    let out = std::env::temp_dir()
        .join(format!("sluice-frames-{}.bundle", std::process::id()))
        .to_str()
        .unwrap()
        .to_owned();
    let mut args = vec!["prove", elf_path.as_str(), "--epoch-size-log2", "12"];
    args.extend(frames);
    args.extend(["-o", &out]);
    let (code, _, stderr) = prover(&args);
    assert_eq!(code, Some(0), "{stderr}");
    let (code, verified, stderr) = prover(&["verify", &out, "--elf", &elf_path]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(verified.contains("hex:  05940403a602"), "{verified}");
    std::fs::remove_file(&out).unwrap();

    let (code, _, stderr) = prover(&["execute", &elf_path, "--frame", "/nonexistent/frame"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("cannot read frame"), "{stderr}");
}

/// `--hints FILE` saves what the guest wrote to fd 4: `io_shapes` on
/// "ABCDEFGH" hints "BCD" (its read put the input at `buf + 1`; the hint is
/// `buf + 2`, 3 bytes). `execute` writes them as the guest runs, `prove`
/// from the run that plans the proof; the bundle does not carry them.
#[test]
fn hints_are_saved_where_asked() {
    let input = input_file("hints-in", b"ABCDEFGH");
    let hints = input_file("hints-out", b"stale");
    let shapes = elf("programs", "io_shapes");
    let (code, stdout, stderr) =
        prover(&["execute", &shapes, "--input", &input, "--hints", &hints]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert_eq!(std::fs::read(&hints).unwrap(), b"BCD");
    // The host write reaches stdout; the hint does not.
    assert!(stdout.starts_with("ABcycles:"), "{stdout}");

    std::fs::remove_file(&hints).unwrap();
    let out = input_file("hints.bundle", b"");
    let (code, _, stderr) = prove_at_2_8(&shapes, &input, &out, &["--hints", &hints]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(std::fs::read(&hints).unwrap(), b"BCD");
    let (code, _, stderr) = prover(&["verify", &out, "--elf", &shapes]);
    assert_eq!(code, Some(0), "{stderr}");

    let (code, _, stderr) = prover(&["execute", &shapes, "--hints", "/nonexistent/dir/hints"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("cannot create `/nonexistent/dir/hints`"),
        "{stderr}"
    );
}
