//! TEST ONLY: writes a bundle whose epoch proofs are test-double proofs
//! (`sluice_verifier_wasm::test_double`), for the Node and browser tests and
//! the binding benchmarks until the real prover writes bundles. Its digests
//! are pseudo-random canonical field elements, not the states of any real
//! program, and a bundle it writes verifies only with the `test-double` build.
//!
//! ```text
//! test_bundle --epochs N --epoch-size-log2 K --last-cycles C --exit-code E
//!             --output TEXT --seed S [--output-bytes N] [--image-id HEX]
//!             [--proof-bytes N] [--endless] -o FILE|-
//! ```
//!
//! `--endless` writes valid epochs forever and never the end record (the
//! hostile-input drills' endless stream); it stops quietly when the reader
//! goes away.
//! Prints the image ID (hex) on stdout (or stderr with `-o -`).

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use sha2::{Digest as _, Sha256};
use sluice_verifier::bundle::{
    encode_end, encode_epoch_prefix, encode_header, encode_preamble, BundleEnd, BundleHeader,
    StreamHasher,
};
use sluice_verifier::digest::Digest;
use sluice_verifier::params::ProofParams;
use sluice_verifier::statement::{EpochRole, EpochStatement};
use sluice_verifier::stream::ChainContext;
use sluice_verifier_wasm::test_double;

struct Args {
    epochs: u64,
    epoch_size_log2: u8,
    last_cycles: u64,
    exit_code: u32,
    output: Vec<u8>,
    seed: String,
    image_id: Option<Digest>,
    proof_bytes: usize,
    endless: bool,
    out: String,
}

fn parse() -> Result<Args, String> {
    let mut a = Args {
        epochs: 4,
        epoch_size_log2: 4,
        last_cycles: 1,
        exit_code: 0,
        output: Vec::new(),
        seed: "default".into(),
        image_id: None,
        proof_bytes: test_double::TAG_LEN,
        endless: false,
        out: String::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        let num = |s: String| s.parse::<u64>().map_err(|e| format!("{s}: {e}"));
        match flag.as_str() {
            "--epochs" => a.epochs = num(value()?)?,
            "--epoch-size-log2" => a.epoch_size_log2 = num(value()?)? as u8,
            "--last-cycles" => a.last_cycles = num(value()?)?,
            "--exit-code" => a.exit_code = num(value()?)? as u32,
            "--output" => a.output = value()?.into_bytes(),
            "--output-bytes" => {
                // That many pseudo-random bytes of output (binary).
                let n = num(value()?)? as usize;
                a.output = (0..n).map(|i| (i as u8).wrapping_mul(31) ^ 0x5a).collect();
            }
            "--seed" => a.seed = value()?,
            // Proof size per epoch (the tag repeated), for benchmarks.
            "--proof-bytes" => a.proof_bytes = num(value()?)? as usize,
            // Use this image ID (e.g. a real ELF's) instead of a seeded one.
            "--image-id" => {
                a.image_id = Some(Digest::from_hex(&value()?).map_err(|e| e.to_string())?)
            }
            "--endless" => a.endless = true,
            "-o" => a.out = value()?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if a.epochs == 0 || a.out.is_empty() || a.epoch_size_log2 > 32 {
        return Err("need --epochs >= 1, --epoch-size-log2 <= 32 and -o FILE".into());
    }
    Ok(a)
}

/// A pseudo-random canonical digest (every word below the KoalaBear prime).
fn digest(seed: &str, label: &str, i: u64) -> Digest {
    let h = Sha256::new()
        .chain_update(seed.as_bytes())
        .chain_update([0])
        .chain_update(label.as_bytes())
        .chain_update(i.to_le_bytes())
        .finalize();
    let mut words = [0u32; 8];
    for (w, c) in words.iter_mut().zip(h.chunks_exact(4)) {
        *w = u32::from_le_bytes([c[0], c[1], c[2], c[3]]) & 0x3fff_ffff;
    }
    Digest(words)
}

fn main() -> ExitCode {
    let args = match parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("test_bundle: {e}");
            return ExitCode::from(2);
        }
    };
    let image_id = args
        .image_id
        .unwrap_or_else(|| digest(&args.seed, "image", 0));
    let ctx = ChainContext {
        protocol_version: sluice_verifier::PROTOCOL_VERSION,
        params: ProofParams::DEFAULT,
        image_id,
        epoch_size_log2: args.epoch_size_log2,
    };
    let sink: Box<dyn Write> = if args.out == "-" {
        Box::new(std::io::stdout().lock())
    } else {
        match std::fs::File::create(&args.out) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("test_bundle: {}: {e}", args.out);
                return ExitCode::from(2);
            }
        }
    };
    let mut w = BufWriter::new(sink);
    let mut hasher = StreamHasher::new();
    let mut put = |w: &mut BufWriter<Box<dyn Write>>, bytes: &[u8]| -> std::io::Result<()> {
        hasher.update(bytes);
        w.write_all(bytes)
    };
    let result = (|| -> std::io::Result<(u64, u64)> {
        put(&mut w, &encode_preamble())?;
        put(
            &mut w,
            &encode_header(&BundleHeader {
                protocol_version: ctx.protocol_version,
                params: ctx.params,
                image_id,
                epoch_size_log2: ctx.epoch_size_log2,
            }),
        )?;
        // The output is split evenly over the epochs, the remainder in the last.
        let per = if args.endless {
            0
        } else {
            args.output.len() as u64 / args.epochs
        };
        let (mut cycles, mut at, mut start) = (0u64, 0usize, image_id);
        let count = if args.endless { u64::MAX } else { args.epochs };
        for index in 0..count {
            let last = index + 1 == count && !args.endless;
            let take = if last {
                args.output.len() - at
            } else {
                per as usize
            };
            let statement = EpochStatement {
                start,
                end: digest(&args.seed, "state", index + 1),
                cycles: if last {
                    args.last_cycles
                } else {
                    1u64 << args.epoch_size_log2
                },
                role: if last {
                    EpochRole::Halt {
                        exit_code: args.exit_code,
                    }
                } else {
                    EpochRole::Continue
                },
                output: args.output[at..at + take].to_vec(),
            };
            at += take;
            cycles += statement.cycles;
            start = statement.end;
            let proof = test_double::prove_sized(&ctx, index, &statement, args.proof_bytes);
            let prefix = encode_epoch_prefix(index, &statement, proof.len())
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            put(&mut w, &prefix)?;
            put(&mut w, &proof)?;
        }
        Ok((cycles, at as u64))
    })();
    let (cycles, output_len) = match result {
        Ok(v) => v,
        Err(e) if args.endless && e.kind() == std::io::ErrorKind::BrokenPipe => {
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("test_bundle: {e}");
            return ExitCode::from(2);
        }
    };
    let end = encode_end(&BundleEnd {
        epochs: args.epochs,
        cycles,
        output_len,
        stream_sha256: hasher.current(),
    });
    if let Err(e) = w.write_all(&end).and_then(|_| w.flush()) {
        eprintln!("test_bundle: {e}");
        return ExitCode::from(2);
    }
    if args.out == "-" {
        eprintln!("{image_id}");
    } else {
        println!("{image_id}");
    }
    ExitCode::SUCCESS
}
