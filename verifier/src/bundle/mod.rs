//! The bundle: the byte stream that carries a run's epoch proofs from the
//! prover to the verifier.
//!
//! ```text
//! bundle   = preamble  frame(HEADER)  frame(EPOCH)*  frame(END)
//! preamble = MAGIC (8 bytes)  FORMAT_VERSION (u32 LE)
//! frame    = kind (u8)  body_len (u32 LE)  body (body_len bytes)
//! ```
//!
//! The framing (preamble, frame prefixes, the fixed-width fields of an epoch
//! body) is written by hand so that every length is known, and bounded,
//! before anything is allocated; the structured payloads (header, statement,
//! end record) are `bincode 2` with `config::standard()` (little-endian,
//! variable-length integers) and must be canonically encoded. The full
//! byte-level specification is `docs/bundle-format.md`; this module is its
//! reference implementation, and the streaming verifier
//! ([`crate::stream::StreamVerifier`]) and the prover's bundle writer both
//! go through it, so they cannot disagree.

mod checksum;
mod end;
mod epoch;
mod error;
mod frame;
mod header;

pub use checksum::StreamHasher;
pub use end::{decode_end_body, encode_end, BundleEnd};
pub use epoch::{decode_epoch_body, encode_epoch_prefix, epoch_body_len, EpochEntry};
pub use error::FormatError;
pub use frame::{
    check_preamble, decode_frame_prefix, encode_frame_prefix, encode_preamble, RecordKind,
};
pub use header::{decode_header_body, encode_header, BundleHeader};

/// The first eight bytes of every bundle. The leading `0x89` byte catches
/// 7-bit channels, the trailing `\n` catches newline translation.
pub const MAGIC: [u8; 8] = *b"\x89SLUICE\n";

/// Version of the framing and payload encodings described here. Bumped on
/// any change to the bytes; a verifier rejects versions it does not know.
pub const FORMAT_VERSION: u32 = 3;

/// Bytes of the preamble: magic plus format version.
pub const PREAMBLE_LEN: usize = 12;

/// Bytes of a frame prefix: kind plus body length.
pub const FRAME_PREFIX_LEN: usize = 5;

/// Largest header body. The canonical encoding is at most 44 bytes.
pub const MAX_HEADER_BODY_LEN: u32 = 64;

/// Largest end-record body. The canonical encoding is at most 59 bytes.
pub const MAX_END_BODY_LEN: u32 = 64;

/// Largest public output one epoch may commit (16 MiB).
pub const MAX_OUTPUT_BYTES: u32 = 1 << 24;

/// Largest encoded statement: two digests (64), cycles (≤ 9), role (≤ 6),
/// output length (≤ 9) and the output itself, rounded up.
pub const MAX_STATEMENT_LEN: u32 = MAX_OUTPUT_BYTES + 96;

/// Largest epoch proof (64 MiB).
pub const MAX_PROOF_LEN: u32 = 1 << 26;

/// Bytes of an epoch body that are not statement or proof: index (8),
/// statement length (4), proof length (4).
pub const EPOCH_BODY_FIXED_LEN: u32 = 16;

/// Largest epoch body (about 80 MiB): the bound on any record, and so on the
/// verifier's buffer.
pub const MAX_EPOCH_BODY_LEN: u32 = EPOCH_BODY_FIXED_LEN + MAX_STATEMENT_LEN + MAX_PROOF_LEN;

/// Smallest `epoch_size_log2` a header may carry.
pub const MIN_EPOCH_SIZE_LOG2: u8 = 0;

/// Largest `epoch_size_log2` a header may carry (epochs of 2^32 cycles, the
/// executor's limit).
pub const MAX_EPOCH_SIZE_LOG2: u8 = 32;

/// The bincode configuration of every payload: `standard()` (little-endian,
/// varint integers) with a decode limit of the largest statement.
pub(crate) fn bincode_config() -> bincode::config::Configuration<
    bincode::config::LittleEndian,
    bincode::config::Varint,
    bincode::config::Limit<{ MAX_STATEMENT_LEN as usize }>,
> {
    bincode::config::standard().with_limit::<{ MAX_STATEMENT_LEN as usize }>()
}

/// Decodes one bincode payload that must fill `bytes` exactly and be the
/// canonical (shortest) encoding of the value it decodes to.
///
/// bincode accepts over-long varints (e.g. `5` written as `0xfb 05 00`);
/// each field's shortest form is strictly shorter than any other form of the
/// same value, so "re-encodes to the same length" is equivalent to "is
/// byte-for-byte the canonical encoding".
pub(crate) fn decode_canonical<'de, T>(
    bytes: &'de [u8],
    what: &'static str,
) -> Result<T, FormatError>
where
    T: serde::Deserialize<'de> + serde::Serialize,
{
    let (value, used): (T, usize) =
        bincode::serde::borrow_decode_from_slice(bytes, bincode_config()).map_err(|e| {
            FormatError::Malformed {
                what,
                detail: alloc::format!("{e}"),
            }
        })?;
    if used != bytes.len() {
        return Err(FormatError::LengthMismatch {
            what,
            declared: bytes.len() as u64,
            actual: used as u64,
        });
    }
    if encoded_len(&value) != Some(used) {
        return Err(FormatError::NonCanonicalEncoding { what });
    }
    Ok(value)
}

/// Length of the canonical encoding of `value`, without allocating.
pub(crate) fn encoded_len<T: serde::Serialize>(value: &T) -> Option<usize> {
    let mut size = bincode::enc::write::SizeWriter::default();
    bincode::serde::encode_into_writer(value, &mut size, bincode_config()).ok()?;
    Some(size.bytes_written)
}

/// Appends the canonical encoding of `value` to `out`.
pub(crate) fn encode_into<T: serde::Serialize>(value: &T, out: &mut alloc::vec::Vec<u8>) {
    let bytes = bincode::serde::encode_to_vec(value, bincode_config())
        .expect("encoding a payload into a Vec cannot fail");
    out.extend_from_slice(&bytes);
}

/// The worked example of `docs/bundle-format.md`, byte for byte.
#[cfg(test)]
mod tests {
    use alloc::vec::Vec;

    use super::*;
    use crate::digest::Digest;
    use crate::params::ProofParams;
    use crate::statement::{EpochRole, EpochStatement};

    fn seq(from: u32) -> Digest {
        Digest(core::array::from_fn(|i| from + i as u32))
    }

    fn le_words(from: u32) -> Vec<u8> {
        (from..from + 8).flat_map(u32::to_le_bytes).collect()
    }

    #[test]
    fn documented_example_bytes() {
        assert_eq!(
            encode_preamble(),
            [0x89, b'S', b'L', b'U', b'I', b'C', b'E', b'\n', 3, 0, 0, 0]
        );

        let header = BundleHeader {
            protocol_version: 1,
            params: ProofParams::DEFAULT,
            image_id: seq(1),
            epoch_size_log2: 20,
        };
        let mut want = alloc::vec![0x01, 0x2c, 0, 0, 0, 0x01, 2, 45, 16, 8, 16, 14, 4, 3, 4, 0];
        want.extend(le_words(1));
        want.push(20);
        assert_eq!(encode_header(&header), want);
        assert_eq!(decode_header_body(&want[5..]), Ok(header));

        let statement = EpochStatement {
            start: seq(1),
            end: seq(9),
            cycles: 300,
            role: EpochRole::Halt { exit_code: 7 },
            output: b"hi".to_vec(),
        };
        let proof = [0xde, 0xad, 0xbe, 0xef];
        let mut want = alloc::vec![0x02, 0x5c, 0, 0, 0];
        want.extend([0u8; 8]); // index 0
        want.extend([0x48, 0, 0, 0]); // statement length 72
        want.extend(le_words(1));
        want.extend(le_words(9));
        want.extend([0xfb, 0x2c, 0x01]); // cycles 300
        want.extend([0x01, 0x07]); // Halt { exit_code: 7 }
        want.extend([0x02, b'h', b'i']); // output
        want.extend([4, 0, 0, 0]); // proof length
        want.extend(proof);
        let mut got = encode_epoch_prefix(0, &statement, proof.len()).unwrap();
        got.extend(proof);
        assert_eq!(got, want);
        let entry = decode_epoch_body(&want[5..]).unwrap();
        assert_eq!(
            (entry.index, &entry.statement, entry.proof),
            (0, &statement, &proof[..])
        );

        let end = BundleEnd {
            epochs: 1,
            cycles: 300,
            output_len: 2,
            stream_sha256: [0xab; 32],
        };
        let mut want = alloc::vec![0x03, 0x25, 0, 0, 0, 0x01, 0xfb, 0x2c, 0x01, 0x02];
        want.extend([0xab; 32]);
        assert_eq!(encode_end(&end), want);
        assert_eq!(decode_end_body(&want[5..]), Ok(end));
    }

    #[test]
    fn continue_role_and_over_long_varints() {
        let statement = EpochStatement {
            start: seq(1),
            end: seq(9),
            cycles: 4,
            role: EpochRole::Continue,
            output: Vec::new(),
        };
        let bytes = encode_epoch_prefix(3, &statement, 0).unwrap();
        // cycles 4, role 0, output length 0.
        assert_eq!(&bytes[5 + 12 + 64..5 + 12 + 67], &[4, 0, 0]);
        assert!(decode_epoch_body(&bytes[5..]).is_ok());
        // Cycles 4 written as 0xfb 04 00 is refused.
        let mut long = bytes[5..5 + 12 + 64].to_vec();
        long[8] += 2; // statement length 67 -> 69
        long.extend([0xfb, 4, 0, 0, 0]);
        long.extend([0, 0, 0, 0]);
        assert_eq!(
            decode_epoch_body(&long),
            Err(FormatError::NonCanonicalEncoding {
                what: "epoch statement"
            })
        );
        // An unknown role variant is malformed.
        let mut bad = bytes[5..].to_vec();
        bad[12 + 65] = 2;
        assert!(matches!(
            decode_epoch_body(&bad),
            Err(FormatError::Malformed { .. })
        ));
    }

    #[test]
    fn statement_and_proof_lengths_are_checked_against_the_body() {
        let statement = EpochStatement {
            start: seq(1),
            end: seq(9),
            cycles: 4,
            role: EpochRole::Continue,
            output: Vec::new(),
        };
        let mut body = encode_epoch_prefix(0, &statement, 2).unwrap()[5..].to_vec();
        body.extend([1, 2]);
        assert!(decode_epoch_body(&body).is_ok());
        // One byte too many or too few.
        let mut longer = body.clone();
        longer.push(0);
        assert!(matches!(
            decode_epoch_body(&longer),
            Err(FormatError::LengthMismatch { .. })
        ));
        assert!(matches!(
            decode_epoch_body(&body[..body.len() - 1]),
            Err(FormatError::LengthMismatch { .. })
        ));
        // Statement length beyond the body, and beyond the limit.
        let mut bad = body.clone();
        bad[8..12].copy_from_slice(&1000u32.to_le_bytes());
        assert!(matches!(
            decode_epoch_body(&bad),
            Err(FormatError::LengthMismatch { .. })
        ));
        bad[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            decode_epoch_body(&bad),
            Err(FormatError::TooLong {
                what: "epoch statement",
                ..
            })
        ));
        let n = body.len();
        let mut bad = body.clone();
        bad[n - 6..n - 2].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            decode_epoch_body(&bad),
            Err(FormatError::TooLong {
                what: "epoch proof",
                ..
            })
        ));
        assert!(decode_epoch_body(&body[..15]).is_err());
    }
}
