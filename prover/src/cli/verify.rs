//! `prover verify`: check a bundle as it streams in.
//!
//! Written against the [`EpochProofVerifier`] trait: [`run_with`] is the
//! integration point. The subcommand is registered in `cli/mod.rs` once the
//! STARK verifier (`sluice_verifier::stark::StarkEpochVerifier`) and the
//! image ID (`sluice_verifier::memory::image_id`, for `--elf`) are on main;
//! no stand-in verifier is ever wired into the binary.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::num::NonZeroUsize;
use std::path::PathBuf;

use sluice_prover::executor::Program;
use sluice_verifier::digest::Digest;
use sluice_verifier::stream::{
    verify_reader_parallel, EpochProofVerifier, Event, ReadError, Summary, READ_CHUNK,
};

pub const LONG_HELP: &str = "\
Reads the bundle in 64 KiB chunks and checks each epoch's statement against
the chain as soon as its last byte arrives, in order; its proof is checked
on one of --jobs threads while the next records are read. At most jobs + 1
records are in memory however long the run. Epochs are reported in order,
and a rejection names the earliest failing epoch and check, exactly as with
--jobs 1 (which checks each proof in place). `-` reads stdin:

  prover prove guest.elf -o - | prover verify -

Progress goes to stderr; the result to stdout (one JSON object with --json).

Exit status:
  0  the bundle verified (whatever the guest's exit code)
  1  the bundle was rejected (the message names the epoch and the check)
  2  usage error or I/O error (nothing is known about the bundle)";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The bundle: a file, or `-` for stdin.
    pub bundle: PathBuf,
    /// Reject the bundle unless it proves this image ID (64 hex digits).
    #[arg(long, value_name = "HEX", conflicts_with = "elf")]
    pub image_id: Option<String>,
    /// Reject the bundle unless it proves this ELF's image ID.
    #[arg(long, value_name = "FILE")]
    pub elf: Option<PathBuf>,
    /// Print the result as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Threads checking proofs (default: one per core).
    #[arg(long, value_name = "N")]
    pub jobs: Option<NonZeroUsize>,
}

/// Runs `verify` with `verifier` and the image-ID function `image_id` (for
/// `--elf`). Returns the exit code.
pub fn run_with<V: EpochProofVerifier + Sync>(
    args: Args,
    verifier: V,
    image_id: impl Fn(&Program) -> Digest,
) -> u8 {
    let mut stdout = std::io::stdout().lock();
    let input: Box<dyn Read + Send> = if args.bundle.as_os_str() == "-" {
        Box::new(std::io::stdin())
    } else {
        match std::fs::File::open(&args.bundle) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("error: cannot open `{}`: {e}", args.bundle.display());
                return super::exit::USAGE_OR_INPUT;
            }
        }
    };
    run_on(&args, input, verifier, image_id, &mut stdout, !args.json)
}

/// The command on any reader and writer (tests drive it directly).
pub fn run_on<V: EpochProofVerifier + Sync>(
    args: &Args,
    input: impl Read + Send + 'static,
    verifier: V,
    image_id: impl Fn(&Program) -> Digest,
    out: &mut dyn Write,
    progress: bool,
) -> u8 {
    let expected = match expected_image_id(args, image_id) {
        Ok(e) => e,
        Err(message) => {
            eprintln!("error: {message}");
            return super::exit::USAGE_OR_INPUT;
        }
    };
    let mut security_bits = 0;
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN));
    let result = verify_reader_parallel(
        std::io::BufReader::with_capacity(READ_CHUNK, input),
        &verifier,
        expected,
        jobs,
        |event| {
            if let Event::Header {
                security_bits: bits,
                ..
            } = event
            {
                security_bits = *bits;
            }
            if progress {
                match event {
                    Event::Header { image_id, epoch_size_log2, security_bits, params } => eprintln!(
                        "header: image ID {image_id}, epochs of 2^{epoch_size_log2} cycles, {security_bits} bits of conjectured security, zero-knowledge: {}",
                        super::yes_no(params.zk)
                    ),
                    Event::EpochVerified { index, cycles, output_len, halted } => eprintln!(
                        "epoch {index} verified: {cycles} cycles, {output_len} output bytes{}",
                        if *halted { ", halted" } else { "" }
                    ),
                    Event::Done => eprintln!("end record matched"),
                }
            }
        },
    );
    let (code, text) = match result {
        Ok(summary) => (
            super::exit::OK,
            if args.json {
                eprintln!("{}", sluice_verifier::SOUNDNESS_WARNING);
                json_ok(&summary, security_bits)
            } else {
                eprintln!("{}", sluice_verifier::SOUNDNESS_WARNING);
                human_ok(&summary)
            },
        ),
        Err(ReadError::Rejected(e)) => (
            super::exit::GUEST_EXIT_NONZERO,
            if args.json {
                format!(
                    "{{\"verified\":false,\"error\":{{\"check\":\"{}\",\"epoch\":{},\"offset\":{},\"message\":{}}}}}\n",
                    e.check(),
                    e.epoch.map_or("null".to_string(), |i| i.to_string()),
                    e.offset,
                    json_string(&e.to_string())
                )
            } else {
                format!("REJECTED: {e}\n")
            },
        ),
        Err(ReadError::Io(e)) => {
            eprintln!("error: cannot read `{}`: {e}", args.bundle.display());
            return super::exit::USAGE_OR_INPUT;
        }
    };
    if out
        .write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .is_err()
    {
        return super::exit::USAGE_OR_INPUT;
    }
    code
}

fn expected_image_id(
    args: &Args,
    image_id: impl Fn(&Program) -> Digest,
) -> Result<Option<Digest>, String> {
    if let Some(hex) = &args.image_id {
        return Digest::from_hex(hex)
            .map(Some)
            .map_err(|e| format!("--image-id: {e}"));
    }
    if let Some(path) = &args.elf {
        let bytes = super::files::read_bounded("ELF", path, super::files::MAX_ELF_BYTES)?;
        let program = Program::from_elf(&bytes)
            .map_err(|e| format!("cannot load `{}`: {e}", path.display()))?;
        return Ok(Some(image_id(&program)));
    }
    Ok(None)
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

fn human_ok(s: &Summary) -> String {
    let mut text = format!(
        "VERIFIED\nimage ID:       {}\nepochs:         {}\ncycles:         {}\nexit code:      {}\nzero-knowledge: {}\npublic output:  {} bytes, sha256 {}\n",
        s.image_id,
        s.epochs,
        s.cycles,
        s.exit_code,
        super::yes_no(s.zero_knowledge),
        s.output_len,
        hex(&s.output_sha256)
    );
    if !s.output.is_empty() {
        let shown = &s.output[..s.output.len().min(4096)];
        let _ = writeln!(
            text,
            "  hex:  {}{}",
            hex(shown),
            if (shown.len() as u64) < s.output_len {
                " …"
            } else {
                ""
            }
        );
        if let Ok(t) = std::str::from_utf8(shown) {
            if t.chars().all(|c| !c.is_control() || c == '\n' || c == '\t') {
                let _ = writeln!(text, "  text: {t}");
            }
        }
    }
    text
}

fn json_ok(s: &Summary, security_bits: u32) -> String {
    format!(
        "{{\"verified\":true,\"image_id\":\"{}\",\"epochs\":{},\"cycles\":{},\"exit_code\":{},\"security_bits\":{},\"zero_knowledge\":{},\"output_len\":{},\"output_sha256\":\"{}\",\"output_hex\":\"{}\",\"output_complete\":{}}}\n",
        s.image_id,
        s.epochs,
        s.cycles,
        s.exit_code,
        security_bits,
        s.zero_knowledge,
        s.output_len,
        hex(&s.output_sha256),
        hex(&s.output),
        s.output_complete()
    )
}

/// A JSON string literal.
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_verifier::statement::EpochStatement;
    use sluice_verifier::stream::{ChainContext, ProofRejected};

    /// Test double: accepts a proof equal to the epoch index's bytes.
    struct IndexProof;
    impl EpochProofVerifier for IndexProof {
        fn verify_epoch(
            &self,
            _: &ChainContext,
            index: u64,
            _: &EpochStatement,
            proof: &[u8],
        ) -> Result<(), ProofRejected> {
            if proof == index.to_le_bytes() {
                Ok(())
            } else {
                Err(ProofRejected::new("test", "wrong"))
            }
        }
    }

    fn bundle() -> (Vec<u8>, Digest) {
        use sluice_prover::bundle_writer::BundleWriter;
        use sluice_verifier::params::ProofParams;
        use sluice_verifier::statement::EpochRole;
        let id = Digest([1, 2, 3, 4, 5, 6, 7, 8]);
        let ctx = ChainContext {
            protocol_version: sluice_verifier::PROTOCOL_VERSION,
            params: ProofParams::DEFAULT,
            image_id: id,
            epoch_size_log2: 2,
        };
        let mut w = BundleWriter::new(Vec::new(), &ctx).unwrap();
        let st = EpochStatement {
            start: id,
            end: Digest([9; 8]),
            cycles: 3,
            role: EpochRole::Halt { exit_code: 5 },
            output: b"hi \"there\"".to_vec(),
        };
        w.write_epoch(0, &st, &0u64.to_le_bytes()).unwrap();
        (w.finish().unwrap().0, id)
    }

    fn args(json: bool, image_id: Option<String>) -> Args {
        Args {
            bundle: PathBuf::from("-"),
            image_id,
            elf: None,
            json,
            jobs: None,
        }
    }

    #[test]
    fn verified_rejected_and_bad_usage_exit_codes() {
        let (bytes, id) = bundle();
        let no_elf = |_: &Program| -> Digest { unreachable!("no --elf given") };
        let mut out = Vec::new();
        assert_eq!(
            run_on(
                &args(true, None),
                std::io::Cursor::new(bytes.clone()),
                IndexProof,
                no_elf,
                &mut out,
                false
            ),
            0
        );
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("{\"verified\":true,"), "{text}");
        assert!(
            text.contains("\"exit_code\":5")
                && text.contains("\"epochs\":1")
                && text.contains("\"cycles\":3"),
            "{text}"
        );
        assert!(text.contains(&format!("\"image_id\":\"{id}\"")));

        let mut out = Vec::new();
        assert_eq!(
            run_on(
                &args(false, Some(id.to_string())),
                std::io::Cursor::new(bytes.clone()),
                IndexProof,
                no_elf,
                &mut out,
                false
            ),
            0
        );
        assert!(String::from_utf8(out).unwrap().starts_with("VERIFIED"));

        let mut bad = bytes.clone();
        let n = bad.len();
        bad.truncate(n - 1);
        let mut out = Vec::new();
        assert_eq!(
            run_on(
                &args(true, None),
                std::io::Cursor::new(bad.clone()),
                IndexProof,
                no_elf,
                &mut out,
                false
            ),
            1
        );
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with(
                "{\"verified\":false,\"error\":{\"check\":\"truncated\",\"epoch\":null,"
            ),
            "{text}"
        );

        let other = Digest([2; 8]).to_string();
        let mut out = Vec::new();
        assert_eq!(
            run_on(
                &args(false, Some(other)),
                std::io::Cursor::new(bytes.clone()),
                IndexProof,
                no_elf,
                &mut out,
                false
            ),
            1
        );
        assert!(String::from_utf8(out).unwrap().contains("image-id"));

        let mut out = Vec::new();
        assert_eq!(
            run_on(
                &args(false, Some("zz".into())),
                std::io::Cursor::new(bytes.clone()),
                IndexProof,
                no_elf,
                &mut out,
                false
            ),
            2
        );
    }

    /// A bundle of `epochs` continuing epochs and a halting one, each
    /// proof the epoch's index (what [`IndexProof`] accepts).
    fn long_bundle(epochs: u64) -> Vec<u8> {
        use sluice_prover::bundle_writer::BundleWriter;
        use sluice_verifier::params::ProofParams;
        use sluice_verifier::statement::EpochRole;
        let ctx = ChainContext {
            protocol_version: sluice_verifier::PROTOCOL_VERSION,
            params: ProofParams::DEFAULT,
            image_id: Digest([7; 8]),
            epoch_size_log2: 2,
        };
        let mut w = BundleWriter::new(Vec::new(), &ctx).unwrap();
        for i in 0..=epochs {
            let st = EpochStatement {
                start: Digest([7 + i as u32; 8]),
                end: Digest([8 + i as u32; 8]),
                cycles: 4,
                role: if i == epochs {
                    EpochRole::Halt { exit_code: 0 }
                } else {
                    EpochRole::Continue
                },
                output: vec![i as u8],
            };
            w.write_epoch(i, &st, &i.to_le_bytes()).unwrap();
        }
        w.finish().unwrap().0
    }

    #[test]
    fn every_job_count_gives_the_same_answer() {
        let good = long_bundle(9);
        // Epoch 6's proof claims to be epoch 7's.
        let at = good
            .windows(8)
            .rposition(|w| w == 6u64.to_le_bytes())
            .unwrap();
        let mut bad = good.clone();
        bad[at] = 7;
        let no_elf = |_: &Program| -> Digest { unreachable!("no --elf given") };
        for bundle in [&good, &bad] {
            let outputs: Vec<(u8, String)> = [1, 2, 3, 8]
                .into_iter()
                .map(|jobs| {
                    let mut out = Vec::new();
                    let a = Args {
                        jobs: NonZeroUsize::new(jobs),
                        ..args(true, None)
                    };
                    let code = run_on(
                        &a,
                        std::io::Cursor::new(bundle.clone()),
                        IndexProof,
                        no_elf,
                        &mut out,
                        false,
                    );
                    (code, String::from_utf8(out).unwrap())
                })
                .collect();
            assert!(outputs.windows(2).all(|w| w[0] == w[1]), "{outputs:?}");
        }
        let mut out = Vec::new();
        let a = Args {
            jobs: NonZeroUsize::new(3),
            ..args(true, None)
        };
        assert_eq!(
            run_on(
                &a,
                std::io::Cursor::new(bad.clone()),
                IndexProof,
                no_elf,
                &mut out,
                false
            ),
            1
        );
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\"check\":\"proof\",\"epoch\":6,"), "{text}");
    }

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(json_string("a\"b\\c\n\u{1}"), "\"a\\\"b\\\\c\\n\\u0001\"");
    }
}
