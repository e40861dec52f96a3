//! Property tests and fuzzing of the stream decoder: chunking never changes
//! the result; random bytes and mutated bundles are rejected, never panic,
//! never buffer more than one record.
//!
//! Input counts (each test's `cases`, plus the deterministic sweep) are
//! listed in `docs/bundle-format.md` § Testing.

mod bundle_support;

use std::sync::OnceLock;

use bundle_support::*;
use proptest::prelude::*;
use sluice_verifier::stream::{Event, StreamVerifier, Summary, VerifyError};

/// A valid bundle and what verifying it in one push gives.
type Valid = (Vec<u8>, (Vec<Event>, Result<Summary, VerifyError>));

/// 30 iterations, epochs of 8 cycles: 20 epochs.
fn valid() -> &'static Valid {
    static V: OnceLock<Valid> = OnceLock::new();
    V.get_or_init(|| {
        let (bytes, _) = small_bundle(30, 3);
        let (events, result, _) = verify_chunked(&bytes, &[bytes.len()], None);
        assert!(result.is_ok());
        (bytes, (events, result))
    })
}

fn largest_record(bytes: &[u8]) -> usize {
    Frames::split(bytes)
        .frames
        .iter()
        .map(Vec::len)
        .max()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any chunking gives the same events and summary as one push.
    #[test]
    fn any_chunking_gives_the_same_result(chunks in prop::collection::vec(1usize..300, 1..40)) {
        let (bytes, expected) = valid();
        let (events, result, peak) = verify_chunked(bytes, &chunks, None);
        prop_assert_eq!(&events, &expected.0);
        prop_assert_eq!(&result, &expected.1);
        prop_assert!(peak <= largest_record(bytes));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Random bytes: rejected, no panic, buffer bounded by what was pushed.
    #[test]
    fn random_bytes_are_rejected(bytes in prop::collection::vec(any::<u8>(), 0..2048),
                                 chunk in 1usize..512) {
        let (_, result, peak) = verify_chunked(&bytes, &[chunk], None);
        prop_assert!(result.is_err());
        prop_assert!(peak <= bytes.len().max(12));
    }

    /// Random bytes after a valid preamble and header: still rejected.
    #[test]
    fn random_records_after_a_valid_header_are_rejected(
        tail in prop::collection::vec(any::<u8>(), 0..2048)) {
        let (bytes, _) = valid();
        let f = Frames::split(bytes);
        let mut input = bytes[..f.offset_of(1) as usize].to_vec();
        input.extend_from_slice(&tail);
        let (_, result, _) = verify_chunked(&input, &[97], None);
        prop_assert!(result.is_err());
    }

    /// Edits to a valid bundle (overwrites, insertions, deletions): any
    /// change is rejected.
    #[test]
    fn mutated_bundles_are_rejected(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..6),
        chunk in 1usize..700) {
        let (bytes, _) = valid();
        let mut m = bytes.clone();
        for (at, value, op) in edits {
            if m.is_empty() { break; }
            let i = at.index(m.len());
            match op {
                0 => m[i] = value,
                1 => m.insert(i, value),
                _ => { m.remove(i); }
            }
        }
        prop_assume!(&m != bytes);
        let (_, result, peak) = verify_chunked(&m, &[chunk], None);
        prop_assert!(result.is_err());
        // A corrupted length may swallow later records, never more than
        // was pushed.
        prop_assert!(peak <= m.len());
    }
}

/// A deterministic sweep (xorshift): 20,000 mutated bundles, each with one
/// to four byte overwrites, pushed in random chunk sizes. Every one must be
/// rejected without panicking.
#[test]
fn deterministic_mutation_sweep() {
    let (bytes, _) = valid();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut ran = 0u64;
    for _ in 0..20_000 {
        let mut m = bytes.clone();
        for _ in 0..1 + next() % 4 {
            let i = (next() % m.len() as u64) as usize;
            m[i] = next() as u8;
        }
        if &m == bytes {
            continue;
        }
        let chunk = 1 + (next() % 512) as usize;
        let (_, result, _) = verify_chunked(&m, &[chunk], None);
        assert!(result.is_err(), "mutation accepted");
        ran += 1;
    }
    eprintln!("deterministic_mutation_sweep: {ran} mutated bundles, all rejected");
    assert!(ran > 19_000);
}

/// The verifier is usable through the trait object too (as the WebAssembly
/// wrapper will use it).
#[test]
fn boxed_verifier_works() {
    let (bytes, expected) = valid();
    let boxed: Box<dyn sluice_verifier::stream::EpochProofVerifier> = Box::new(KeyedVerifier);
    let mut v = StreamVerifier::new(boxed, None);
    v.push(bytes).unwrap();
    assert_eq!(&v.finish(), &expected.1);
}
