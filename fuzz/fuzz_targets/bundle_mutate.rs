//! Structure-aware: a real bundle (`SLUICE_FUZZ_BUNDLE`, default
//! `fuzz/generated/real.bundle`, proven by `scripts/fuzz.sh`) mutated at the
//! record level — flip a bit, truncate, duplicate, swap, delete, resize a
//! length prefix, splice one record into another — and verified with the
//! real STARK verifier. The oracle: a bundle that differs from the original
//! by any byte is rejected, and the original verifies.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sluice_fuzz::verify_chunked;
use sluice_verifier::bundle::{decode_frame_prefix, FRAME_PREFIX_LEN, PREAMBLE_LEN};
use sluice_verifier::stark::StarkEpochVerifier;

/// The bundle as its preamble and records (each with its frame prefix).
fn original() -> &'static (Vec<u8>, Vec<Vec<u8>>) {
    static BUNDLE: OnceLock<(Vec<u8>, Vec<Vec<u8>>)> = OnceLock::new();
    BUNDLE.get_or_init(|| {
        let path = std::env::var("SLUICE_FUZZ_BUNDLE").unwrap_or_else(|_| {
            concat!(env!("CARGO_MANIFEST_DIR"), "/generated/real.bundle").into()
        });
        let bytes = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{path}: {e} (scripts/fuzz.sh proves it)"));
        let mut records = Vec::new();
        let mut at = PREAMBLE_LEN;
        while at < bytes.len() {
            let prefix: &[u8; FRAME_PREFIX_LEN] =
                bytes[at..at + FRAME_PREFIX_LEN].try_into().unwrap();
            let len = decode_frame_prefix(prefix).unwrap().1 as usize;
            records.push(bytes[at..at + FRAME_PREFIX_LEN + len].to_vec());
            at += FRAME_PREFIX_LEN + len;
        }
        assert!(verify_chunked(StarkEpochVerifier, &[], &bytes).is_ok());
        (bytes[..PREAMBLE_LEN].to_vec(), records)
    })
}

fn be16(a: u8, b: u8) -> usize {
    (a as usize) << 8 | b as usize
}

fuzz_target!(|data: &[u8]| {
    let (preamble, records) = original();
    let mut preamble = preamble.clone();
    let mut records = records.clone();
    for op in data.chunks_exact(4).take(8) {
        let n = records.len();
        if n == 0 {
            break;
        }
        let (i, j) = (op[1] as usize % n, op[2] as usize % n);
        let in_place = matches!(op[0] % 8, 0 | 1 | 5 | 6);
        if in_place && records[i].len() < FRAME_PREFIX_LEN {
            continue;
        }
        match op[0] % 8 {
            0 => {
                let r = &mut records[i];
                let at = be16(op[2], op[3]) * 131 % r.len();
                r[at] ^= 1 << (op[3] % 8);
            }
            1 => {
                let r = &mut records[i];
                let keep = be16(op[2], op[3]) * 131 % r.len();
                r.truncate(keep);
            }
            2 => {
                let copy = records[i].clone();
                records.insert(i, copy);
            }
            3 => records.swap(i, j),
            4 => {
                records.remove(i);
            }
            5 => {
                let r = &mut records[i];
                let len = u32::from_le_bytes(r[1..5].try_into().unwrap());
                let delta = op[3] as i8 as i32;
                r[1..5].copy_from_slice(&(len as i32).wrapping_add(delta).to_le_bytes());
            }
            6 => {
                let donor = records[j].clone();
                let r = &mut records[i];
                let at = be16(op[3], op[2]) % r.len();
                let take = (r.len() - at).min(donor.len());
                r[at..at + take].copy_from_slice(&donor[..take]);
            }
            _ => preamble[op[1] as usize % PREAMBLE_LEN] ^= 1 << (op[2] % 8),
        }
    }
    let mut mutated = preamble;
    for r in &records {
        mutated.extend_from_slice(r);
    }
    let (original_preamble, original_records) = original();
    let unchanged = mutated.len()
        == original_preamble.len() + original_records.iter().map(Vec::len).sum::<usize>()
        && mutated[..PREAMBLE_LEN] == original_preamble[..]
        && mutated[PREAMBLE_LEN..] == original_records.concat()[..];
    let sizes = [(data.len() % 4093) + 1];
    let verdict = verify_chunked(StarkEpochVerifier, &sizes, &mutated);
    assert_eq!(verdict.is_ok(), unchanged, "verdict {verdict:?}");
});
