//! The streaming verifier against valid and tampered bundles: every
//! rejection asserts the specific check and epoch.

mod bundle_support;

use bundle_support::*;
use sluice_prover::executor::{execute, Config};
use sluice_verifier::bundle::{
    encode_frame_prefix, encode_header, BundleHeader, FormatError, RecordKind, MAX_EPOCH_BODY_LEN,
};
use sluice_verifier::digest::Digest;
use sluice_verifier::params::ProofParams;
use sluice_verifier::statement::{EpochRole, EpochStatement};
use sluice_verifier::stream::{Event, StreamVerifier, VerifyErrorKind as K};
use sluice_verifier::PROTOCOL_VERSION;

/// 40 iterations = 206 cycles = 13 epochs of 16 cycles, the last of 14.
fn bundle() -> (Vec<u8>, ChainContext) {
    small_bundle(40, 4)
}
use sluice_verifier::stream::ChainContext;

#[test]
fn valid_bundle_matches_independent_execution() {
    let program = looping_program(40, 7);
    let outcome = execute(
        &program,
        &[],
        &Config {
            epoch_size_log2: 4,
            max_cycles: 1 << 20,
        },
    )
    .unwrap();
    let (bytes, ctx) = bundle();
    let (events, summary, _) = verify_chunked(&bytes, &[bytes.len()], Some(ctx.image_id));
    let summary = summary.unwrap();
    assert_eq!(summary.cycles, outcome.cycles);
    assert_eq!(summary.cycles, 5 * 40 + 6);
    assert_eq!(summary.epochs, outcome.epochs);
    assert_eq!(summary.epochs, 13);
    assert_eq!(summary.exit_code, 7);
    assert_eq!(summary.output, outcome.public_output);
    assert_eq!(summary.output_len, 160);
    assert_eq!(summary.image_id, ctx.image_id);
    use sha2::Digest as _;
    let sha: [u8; 32] = sha2::Sha256::digest(&outcome.public_output).into();
    assert_eq!(summary.output_sha256, sha);
    // Header, 13 epochs, Done.
    assert_eq!(events.len(), 15);
    assert!(
        matches!(events[0], Event::Header { security_bits, epoch_size_log2: 4, .. }
        if security_bits == ProofParams::DEFAULT.conjectured_security_bits())
    );
    for (i, e) in events[1..14].iter().enumerate() {
        match e {
            Event::EpochVerified {
                index,
                cycles,
                halted,
                ..
            } => {
                assert_eq!(*index, i as u64);
                assert_eq!(*cycles, if i < 12 { 16 } else { 206 - 12 * 16 });
                assert_eq!(*halted, i == 12);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(events[14], Event::Done);
}

#[test]
fn one_byte_chunks_and_whole_file_agree() {
    let (bytes, ctx) = bundle();
    let whole = verify_chunked(&bytes, &[bytes.len()], Some(ctx.image_id));
    let bytewise = verify_chunked(&bytes, &[1], Some(ctx.image_id));
    let odd = verify_chunked(&bytes, &[3, 7, 1, 64, 5], Some(ctx.image_id));
    assert_eq!(whole.0, bytewise.0);
    assert_eq!(whole.1, bytewise.1);
    assert_eq!(whole.0, odd.0);
    assert_eq!(whole.1, odd.1);
    assert!(whole.1.is_ok());
}

#[test]
fn wrong_expected_image_id_is_rejected_at_the_header() {
    let (bytes, ctx) = bundle();
    let other = label(1);
    assert_ne!(other, ctx.image_id);
    let e = verify_all(&bytes, Some(other)).unwrap_err();
    assert_eq!(
        e.kind,
        K::ImageIdMismatch {
            expected: other,
            found: ctx.image_id
        }
    );
    assert_eq!(e.epoch, None);
    assert_eq!(e.offset, 12);
    assert!(e.to_string().contains("image-id"), "{e}");
}

#[test]
fn truncation_at_every_offset_is_rejected() {
    let (bytes, _) = bundle();
    let frames = Frames::split(&bytes);
    let end_start = frames.offset_of(frames.frames.len() - 1) as usize;
    for cut in 0..bytes.len() {
        let (_, result, _) = verify_chunked(&bytes[..cut], &[cut.max(1)], None);
        let e = result.unwrap_err();
        assert!(
            matches!(e.kind, K::Truncated { .. }),
            "cut at {cut}: unexpected {e}"
        );
        if cut == end_start {
            assert_eq!(
                e.kind,
                K::Truncated {
                    place: "before the end record"
                }
            );
        }
    }
    // Cut inside epoch 5's record: the error names epoch 5.
    let mid = frames.offset_of(1 + 5) as usize + 10;
    let e = verify_all(&bytes[..mid], None).unwrap_err();
    assert_eq!(e.epoch, Some(5));
    assert_eq!(
        e.kind,
        K::Truncated {
            place: "inside an epoch record"
        }
    );
}

/// Regression (found by the `stream_test_double` fuzz target): the error
/// counted the trailing bytes of the push that revealed them, so the same
/// stream gave different errors in different chunkings. The error is now
/// the same for every chunking: the check and the offset of the first
/// trailing byte.
#[test]
fn trailing_bytes_give_one_error_for_every_chunking() {
    let (mut bytes, _) = bundle();
    let end = bytes.len() as u64;
    bytes.extend_from_slice(&[0x44; 128]);
    let whole = verify_chunked(&bytes, &[bytes.len()], None).1.unwrap_err();
    assert_eq!((whole.kind.clone(), whole.offset), (K::TrailingBytes, end));
    for chunks in [&[1][..], &[7], &[64, 3], &[255, 106], &[4093]] {
        let e = verify_chunked(&bytes, chunks, None).1.unwrap_err();
        assert_eq!(e, whole, "chunks {chunks:?}");
    }
}

#[test]
fn trailing_bytes_are_rejected() {
    let (mut bytes, _) = bundle();
    bytes.push(0);
    let e = verify_all(&bytes, None).unwrap_err();
    assert_eq!(e.kind, K::TrailingBytes);
    // Also when they arrive in a later push, after Done.
    let (bytes, _) = bundle();
    let mut v = StreamVerifier::new(KeyedVerifier, None);
    let events = v.push(&bytes).unwrap();
    assert_eq!(events.last(), Some(&Event::Done));
    let e = v.push(&bytes[..12]).unwrap_err();
    assert_eq!(e.kind, K::TrailingBytes);
    assert_eq!(e.offset, bytes.len() as u64);
    // Sticky.
    assert_eq!(v.push(&[]).unwrap_err(), e);
    assert_eq!(v.finish().unwrap_err(), e);
}

#[test]
fn duplicated_dropped_and_reordered_epochs_are_rejected() {
    let (bytes, _) = bundle();
    let base = Frames::split(&bytes);
    // frames: [header, epoch 0..=12, end]

    let mut dup = Frames {
        preamble: base.preamble.clone(),
        frames: base.frames.clone(),
    };
    dup.frames.insert(4, base.frames[3].clone()); // epoch 2 twice
    let e = verify_all(&dup.join(), None).unwrap_err();
    assert_eq!(
        (e.epoch, e.kind),
        (
            Some(3),
            K::WrongIndex {
                expected: 3,
                found: 2
            }
        )
    );

    let mut dropped = Frames {
        preamble: base.preamble.clone(),
        frames: base.frames.clone(),
    };
    dropped.frames.remove(3); // epoch 2 gone
    let e = verify_all(&dropped.join(), None).unwrap_err();
    assert_eq!(
        (e.epoch, e.kind),
        (
            Some(2),
            K::WrongIndex {
                expected: 2,
                found: 3
            }
        )
    );
    assert_eq!(e.offset, dropped.offset_of(3));

    let mut swapped = Frames {
        preamble: base.preamble.clone(),
        frames: base.frames.clone(),
    };
    swapped.frames.swap(2, 3); // epochs 1 and 2
    let e = verify_all(&swapped.join(), None).unwrap_err();
    assert_eq!(
        (e.epoch, e.kind),
        (
            Some(1),
            K::WrongIndex {
                expected: 1,
                found: 2
            }
        )
    );
}

#[test]
fn renumbered_records_break_the_chain_or_the_proof() {
    // Drop epoch 1 and relabel every later epoch: indices line up, but the
    // statement of (old) epoch 2 does not start where epoch 0 ended.
    let program = looping_program(40, 7);
    let ctx = ctx_for(&program, 4);
    let bytes = prove_with(&program, &ctx, 48, 1);
    let frames = Frames::split(&bytes);
    let epoch2 = sluice_verifier::bundle::decode_epoch_body(&frames.frames[3][5..]).unwrap();
    let forged = craft_prefix_and_replace(&frames, 2, 1, &epoch2.statement, epoch2.proof);
    let e = verify_all(&forged, None).unwrap_err();
    assert_eq!(e.epoch, Some(1));
    assert!(matches!(e.kind, K::ChainBreak { .. }), "{e}");

    // Keep epoch 1's statement, but carry epoch 2's proof: the proof is
    // bound to its index and statement.
    let epoch1 = sluice_verifier::bundle::decode_epoch_body(&frames.frames[2][5..]).unwrap();
    let moved = craft_prefix_and_replace(&frames, 2, 1, &epoch1.statement, epoch2.proof);
    let e = verify_all(&moved, None).unwrap_err();
    assert_eq!(e.epoch, Some(1));
    assert!(
        matches!(e.kind, K::ProofRejected(ref r) if r.check == "tag"),
        "{e}"
    );
}

/// Frames with frame `at` replaced by an epoch record (index, statement,
/// proof) and everything after it dropped, except a resealed end.
fn craft_prefix_and_replace(
    frames: &Frames,
    at: usize,
    index: u64,
    statement: &EpochStatement,
    proof: &[u8],
) -> Vec<u8> {
    let mut f = Frames {
        preamble: frames.preamble.clone(),
        frames: frames.frames[..at].to_vec(),
    };
    let mut rec =
        sluice_verifier::bundle::encode_epoch_prefix(index, statement, proof.len()).unwrap();
    rec.extend_from_slice(proof);
    f.frames.push(rec);
    f.frames.push(Vec::new());
    f.reseal((0, 0, 0));
    f.join()
}

#[test]
fn a_record_spliced_from_another_bundle_is_rejected() {
    // Same program and statements, other proof parameters: every statement
    // check passes, the proof is bound to the other context.
    let program = looping_program(40, 7);
    let ctx_a = ctx_for(&program, 4);
    let ctx_b = ChainContext {
        params: ProofParams {
            num_queries: 60,
            ..ProofParams::DEFAULT
        },
        ..ctx_a
    };
    let a = Frames::split(&prove_with(&program, &ctx_a, 48, 2));
    let b = Frames::split(&prove_with(&program, &ctx_b, 48, 2));
    assert_ne!(a.frames[0], b.frames[0]);
    let mut spliced = Frames {
        preamble: a.preamble.clone(),
        frames: a.frames.clone(),
    };
    spliced.frames[4] = b.frames[4].clone(); // epoch 3
    let e = verify_all(&spliced.join(), None).unwrap_err();
    assert_eq!(e.epoch, Some(3));
    assert!(matches!(e.kind, K::ProofRejected(_)), "{e}");

    // From a run of another program: the chain breaks.
    let other = looping_program(41, 7);
    let ctx_c = ctx_for(&other, 4);
    let c = Frames::split(&prove_with(&other, &ctx_c, 48, 2));
    let mut spliced = Frames {
        preamble: a.preamble.clone(),
        frames: a.frames.clone(),
    };
    spliced.frames[4] = c.frames[4].clone();
    let e = verify_all(&spliced.join(), None).unwrap_err();
    assert_eq!(e.epoch, Some(3));
    assert!(matches!(e.kind, K::ChainBreak { .. }), "{e}");
}

fn st(start: u32, end: u32, cycles: u64, role: EpochRole, output: &[u8]) -> EpochStatement {
    EpochStatement {
        start: label(start),
        end: label(end),
        cycles,
        role,
        output: output.to_vec(),
    }
}

fn hand_ctx() -> ChainContext {
    ChainContext {
        protocol_version: PROTOCOL_VERSION,
        params: ProofParams::DEFAULT,
        image_id: label(0),
        epoch_size_log2: 3,
    }
}

#[test]
fn hand_made_chain_is_accepted() {
    let ctx = hand_ctx();
    let bytes = craft(
        &ctx,
        &[
            (0, st(0, 10, 8, EpochRole::Continue, b"ab")),
            (1, st(10, 20, 3, EpochRole::Halt { exit_code: 4 }, b"c")),
        ],
    );
    let s = verify_all(&bytes, Some(label(0))).unwrap();
    assert_eq!(
        (s.epochs, s.cycles, s.exit_code, s.output.as_slice()),
        (2, 11, 4, &b"abc"[..])
    );
}

#[test]
fn epoch_zero_must_start_at_the_image_id() {
    let ctx = hand_ctx();
    let bytes = craft(
        &ctx,
        &[(0, st(99, 10, 3, EpochRole::Halt { exit_code: 0 }, b""))],
    );
    let e = verify_all(&bytes, None).unwrap_err();
    assert_eq!(
        (e.epoch, e.kind),
        (
            Some(0),
            K::ChainBreak {
                expected: label(0),
                found: label(99)
            }
        )
    );
}

#[test]
fn a_final_epoch_that_does_not_halt_is_rejected() {
    let ctx = hand_ctx();
    let bytes = craft(
        &ctx,
        &[
            (0, st(0, 10, 8, EpochRole::Continue, b"")),
            (1, st(10, 20, 8, EpochRole::Continue, b"")),
        ],
    );
    let e = verify_all(&bytes, None).unwrap_err();
    assert_eq!((e.epoch, e.kind), (None, K::NoHaltingEpoch));
    // And an empty chain (header, end) too.
    let e = verify_all(&craft(&ctx, &[]), None).unwrap_err();
    assert_eq!(e.kind, K::NoHaltingEpoch);
}

#[test]
fn a_halting_epoch_followed_by_more_is_rejected() {
    let ctx = hand_ctx();
    let bytes = craft(
        &ctx,
        &[
            (0, st(0, 10, 5, EpochRole::Halt { exit_code: 0 }, b"")),
            (1, st(10, 20, 8, EpochRole::Continue, b"")),
        ],
    );
    let e = verify_all(&bytes, None).unwrap_err();
    assert_eq!((e.epoch, e.kind), (Some(1), K::EpochAfterHalt));
}

#[test]
fn cycle_counts_must_fit_the_role() {
    let ctx = hand_ctx();
    let cases = [
        (
            st(0, 1, 0, EpochRole::Continue, b""),
            K::EpochCycles { cycles: 0, max: 8 },
        ),
        (
            st(0, 1, 9, EpochRole::Continue, b""),
            K::EpochCycles { cycles: 9, max: 8 },
        ),
        (
            st(0, 1, 0, EpochRole::Halt { exit_code: 0 }, b""),
            K::EpochCycles { cycles: 0, max: 8 },
        ),
        (
            st(0, 1, 9, EpochRole::Halt { exit_code: 0 }, b""),
            K::EpochCycles { cycles: 9, max: 8 },
        ),
    ];
    for (statement, kind) in cases {
        let e = verify_all(&craft(&ctx, &[(0, statement)]), None).unwrap_err();
        assert_eq!((e.epoch, e.kind), (Some(0), kind));
    }
    // The bounds themselves pass.
    for cycles in [1, 8] {
        let ok = craft(
            &ctx,
            &[(0, st(0, 1, cycles, EpochRole::Halt { exit_code: 0 }, b""))],
        );
        assert!(verify_all(&ok, None).is_ok());
    }
}

#[test]
fn end_record_totals_and_checksum_must_match() {
    let (bytes, _) = bundle();
    let mut f = Frames::split(&bytes);
    f.reseal((13, 206, 161)); // output one byte longer than counted
    let e = verify_all(&f.join(), None).unwrap_err();
    assert_eq!(
        e.kind,
        K::EndMismatch {
            field: "output_len",
            claimed: 161,
            counted: 160
        }
    );
    f.reseal((12, 206, 160));
    assert_eq!(
        verify_all(&f.join(), None).unwrap_err().kind,
        K::EndMismatch {
            field: "epochs",
            claimed: 12,
            counted: 13
        }
    );
    f.reseal((13, 205, 160));
    assert_eq!(
        verify_all(&f.join(), None).unwrap_err().kind,
        K::EndMismatch {
            field: "cycles",
            claimed: 205,
            counted: 206
        }
    );
    // Correct totals pass; a wrong checksum does not.
    f.reseal((13, 206, 160));
    assert!(verify_all(&f.join(), None).is_ok());
    let mut joined = f.join();
    let n = joined.len();
    joined[n - 1] ^= 1; // last checksum byte
    assert_eq!(
        verify_all(&joined, None).unwrap_err().kind,
        K::ChecksumMismatch
    );
}

#[test]
fn header_checks() {
    let ctx = hand_ctx();
    let good = craft(
        &ctx,
        &[(0, st(0, 1, 3, EpochRole::Halt { exit_code: 0 }, b""))],
    );
    let header_frame = |h: BundleHeader| {
        let mut f = Frames::split(&good);
        f.frames[0] = encode_header(&h);
        f.join()
    };
    let h = BundleHeader {
        protocol_version: PROTOCOL_VERSION,
        params: ProofParams::DEFAULT,
        image_id: ctx.image_id,
        epoch_size_log2: 3,
    };
    let e = verify_all(
        &header_frame(BundleHeader {
            protocol_version: PROTOCOL_VERSION + 1,
            ..h
        }),
        None,
    )
    .unwrap_err();
    assert_eq!(
        e.kind,
        K::ProtocolVersion {
            found: PROTOCOL_VERSION + 1,
            expected: PROTOCOL_VERSION
        }
    );
    let weak = ProofParams {
        num_queries: 10,
        ..ProofParams::DEFAULT
    };
    let e = verify_all(&header_frame(BundleHeader { params: weak, ..h }), None).unwrap_err();
    assert_eq!(
        e.kind,
        K::InsecureParams {
            bits: weak.conjectured_security_bits(),
            min: 100
        }
    );
    // Secure enough, but outside the supported ranges: refused at the
    // header, not at every epoch's proof check.
    let out_of_range = ProofParams {
        num_queries: 255,
        ..ProofParams::DEFAULT
    };
    assert!(out_of_range.conjectured_security_bits() >= 100);
    let e = verify_all(
        &header_frame(BundleHeader {
            params: out_of_range,
            ..h
        }),
        None,
    )
    .unwrap_err();
    assert_eq!(
        e.kind,
        K::InvalidParams(out_of_range.validate().unwrap_err())
    );
    assert_eq!((e.check(), e.offset), ("params", 12));
    let e = verify_all(
        &header_frame(BundleHeader {
            epoch_size_log2: 33,
            ..h
        }),
        None,
    )
    .unwrap_err();
    assert_eq!(
        e.kind,
        K::EpochSizeOutOfRange {
            found: 33,
            min: 0,
            max: 32
        }
    );

    // A zk flag that is not a bool.
    let mut bytes = good.clone();
    let zk_at = 12 + 5 + 1 + 9;
    assert_eq!(bytes[zk_at], 0, "the honest header is not zero-knowledge");
    bytes[zk_at] = 2;
    assert!(verify_all(&bytes, None).is_err());

    // Non-canonical image ID word.
    let mut bytes = good.clone();
    let id_at = 12 + 5 + 1 + 10; // preamble, prefix, varint version, params (zk last)
    bytes[id_at..id_at + 4].copy_from_slice(&0x7f00_0001u32.to_le_bytes());
    let e = verify_all(&bytes, None).unwrap_err();
    assert!(
        matches!(
            e.kind,
            K::Format(FormatError::BadDigest {
                what: "header image ID",
                ..
            })
        ),
        "{e}"
    );

    // Over-long varint for the protocol version (1 as 0xfb 01 00).
    let mut f = Frames::split(&good);
    let body = &f.frames[0][5..];
    let mut long = vec![0xfb, 1, 0];
    long.extend_from_slice(&body[1..]);
    let mut frame = encode_frame_prefix(RecordKind::Header, long.len() as u32).to_vec();
    frame.extend_from_slice(&long);
    f.frames[0] = frame;
    let e = verify_all(&f.join(), None).unwrap_err();
    assert_eq!(
        e.kind,
        K::Format(FormatError::NonCanonicalEncoding { what: "header" })
    );

    // Magic and format version.
    let mut bytes = good.clone();
    bytes[1] = b's';
    assert!(matches!(
        verify_all(&bytes, None).unwrap_err().kind,
        K::Format(FormatError::BadMagic { .. })
    ));
    let mut bytes = good.clone();
    bytes[8] = 2;
    assert_eq!(
        verify_all(&bytes, None).unwrap_err().kind,
        K::Format(FormatError::UnsupportedFormatVersion {
            found: 2,
            supported: 3
        })
    );
    // An epoch record before the header; two headers.
    let mut f = Frames::split(&good);
    f.frames.remove(0);
    assert_eq!(
        verify_all(&f.join(), None).unwrap_err().kind,
        K::Format(FormatError::UnexpectedRecord {
            found: "epoch",
            expected: "the header"
        })
    );
    let mut f = Frames::split(&good);
    f.frames.insert(1, f.frames[0].clone());
    assert_eq!(
        verify_all(&f.join(), None).unwrap_err().kind,
        K::Format(FormatError::UnexpectedRecord {
            found: "header",
            expected: "an epoch or the end record"
        })
    );
    // Unknown record kind.
    let mut f = Frames::split(&good);
    f.frames[1][0] = 9;
    assert_eq!(
        verify_all(&f.join(), None).unwrap_err().kind,
        K::Format(FormatError::UnknownRecordKind(9))
    );
}

#[test]
fn a_huge_declared_record_is_rejected_before_any_allocation() {
    let (bytes, _) = bundle();
    let f = Frames::split(&bytes);
    let at = f.offset_of(1) as usize; // epoch 0's prefix
    let mut forged = bytes[..at].to_vec();
    forged.extend_from_slice(&encode_frame_prefix(RecordKind::Epoch, u32::MAX));
    let mut v = StreamVerifier::new(KeyedVerifier, None);
    v.push(&forged[..at]).unwrap();
    let e = v.push(&forged[at..]).unwrap_err();
    assert_eq!(e.epoch, Some(0));
    assert_eq!(
        e.kind,
        K::Format(FormatError::TooLong {
            what: "epoch record",
            len: u32::MAX as u64,
            max: MAX_EPOCH_BODY_LEN as u64
        })
    );
    assert!(
        v.peak_buffered_bytes() <= 64,
        "peak {}",
        v.peak_buffered_bytes()
    );
    assert!(
        v.buffer_capacity() <= 64,
        "capacity {}",
        v.buffer_capacity()
    );
    // A header frame claiming 4 GiB - 1, and an end frame too.
    for kind in [RecordKind::Header, RecordKind::End] {
        let mut forged = if kind == RecordKind::Header {
            bytes[..12].to_vec()
        } else {
            bytes[..f.offset_of(f.frames.len() - 1) as usize].to_vec()
        };
        forged.extend_from_slice(&encode_frame_prefix(kind, u32::MAX));
        let mut v = StreamVerifier::new(KeyedVerifier, None);
        let e = v.push(&forged).unwrap_err();
        assert!(
            matches!(e.kind, K::Format(FormatError::TooLong { .. })),
            "{e}"
        );
        assert!(v.buffer_capacity() <= 64);
    }
    // A plausible length within the bound is buffered only as bytes arrive.
    let mut v = StreamVerifier::new(KeyedVerifier, None);
    v.push(&bytes[..at]).unwrap();
    v.push(&encode_frame_prefix(RecordKind::Epoch, MAX_EPOCH_BODY_LEN))
        .unwrap();
    v.push(&[0u8; 100]).unwrap();
    assert_eq!(v.buffered_bytes(), 100);
    assert!(
        v.buffer_capacity() < 4096,
        "capacity {}",
        v.buffer_capacity()
    );
    let e = v.finish().unwrap_err();
    assert_eq!(
        (e.epoch, e.kind),
        (
            Some(0),
            K::Truncated {
                place: "inside an epoch record"
            }
        )
    );
}

#[test]
fn every_single_bit_flip_is_rejected_without_panic() {
    let (bytes, _) = small_bundle(6, 3); // 36 cycles: 5 epochs
    let mut kinds = std::collections::BTreeMap::new();
    for i in 0..bytes.len() {
        for bit in [0, 3, 7] {
            let mut b = bytes.clone();
            b[i] ^= 1 << bit;
            let e = verify_all(&b, None).unwrap_err();
            *kinds.entry(e.check()).or_insert(0) += 1;
        }
    }
    // The flips exercise many distinct checks.
    for check in [
        "format",
        "proof",
        "index",
        "chain",
        "checksum",
        "end",
        "truncated",
    ] {
        assert!(kinds.contains_key(check), "no flip hit {check}: {kinds:?}");
    }
}

#[test]
fn errors_are_sticky_and_name_epoch_and_check() {
    let (bytes, _) = bundle();
    let mut f = Frames::split(&bytes);
    let n = f.frames[6].len();
    f.frames[6][n - 1] ^= 0xff; // epoch 5's proof
    let bad = f.join();
    let mut v = StreamVerifier::new(KeyedVerifier, None);
    let e = v.push(&bad).unwrap_err();
    assert_eq!(e.epoch, Some(5));
    assert_eq!(e.offset, f.offset_of(6));
    assert_eq!(e.check(), "proof");
    assert_eq!(
        e.to_string(),
        format!("epoch 5: proof check failed: proof rejected: tag: keyed tag mismatch (record at byte {})", f.offset_of(6))
    );
    assert_eq!(v.epochs_verified(), 5);
    assert_eq!(v.push(&[]).unwrap_err(), e);
    assert_eq!(v.push(&bytes).unwrap_err(), e);
    assert_eq!(v.buffered_bytes(), 0);
    assert_eq!(v.finish().unwrap_err(), e);
}

#[test]
fn image_id_is_compared_only_when_given() {
    let (bytes, ctx) = bundle();
    assert!(verify_all(&bytes, None).is_ok());
    assert!(verify_all(&bytes, Some(ctx.image_id)).is_ok());
    let _ = Digest::default();
}
