//! Guests that hash with the precompiles prove and verify, and their
//! digests are the standard ones; the software hash they replace costs
//! far more cycles. So do guests that hash through the `sha2` and
//! `tiny-keccak` APIs with `guest/patches` patched in.

mod common;

use common::guest;
use sluice_prover::host::Prover;

fn keccak256(data: &[u8]) -> [u8; 32] {
    use tiny_keccak::Hasher;
    let mut h = tiny_keccak::Keccak::v256();
    h.update(data);
    let mut out = [0u8; 32];
    h.finalize(&mut out);
    out
}

fn sha256(data: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(data).into()
}

/// Proves guest `name` on `input` in epochs of `2^k` cycles and returns the
/// verified public output.
fn prove_hash(name: &str, input: &[u8], k: u8) -> Vec<u8> {
    let (elf, _) = guest(name);
    let prover = Prover::new(&elf)
        .unwrap()
        .input_raw(input)
        .epoch_size_log2(k)
        .jobs(2);
    let mut bundle = Vec::new();
    prover.prove_to(&mut bundle, |_| {}).unwrap();
    let summary = sluice_verifier::verify_bundle(&bundle[..], prover.image_id()).unwrap();
    assert_eq!(summary.exit_code, 0);
    summary.output
}

#[test]
fn keccak_guest_proves_the_standard_digests() {
    let empty = prove_hash("keccak", b"", 12);
    assert_eq!(
        hex::encode(&empty),
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    );
    let abc = prove_hash("keccak", b"abc", 12);
    assert_eq!(
        hex::encode(&abc),
        "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
    );
    // Several blocks and several epochs (the permutations of each epoch
    // are proven in it).
    let long: Vec<u8> = (0..3000u32).map(|i| (i * 31 + 7) as u8).collect();
    assert_eq!(prove_hash("keccak", &long, 11), keccak256(&long));
}

/// SHA-256 then Keccak-256: the output of the `hashes` guest.
fn sha256_then_keccak256(data: &[u8]) -> Vec<u8> {
    [sha256(data), keccak256(data)].concat()
}

/// Guest cycles per byte of `name` hashing 64 KiB, its digest checked.
fn cycles_per_byte<D: AsRef<[u8]>>(name: &str, digest: fn(&[u8]) -> D) -> f64 {
    let (elf, _) = guest(name);
    let data = vec![0x5a; 64 * 1024];
    let outcome = Prover::new(&elf)
        .unwrap()
        .input_raw(&data)
        .execute()
        .unwrap();
    assert_eq!(outcome.public_output, digest(&data).as_ref(), "{name}");
    let per_byte = outcome.cycles as f64 / data.len() as f64;
    eprintln!(
        "{name} guest: {} cycles for 64 KiB, {per_byte:.2} per byte",
        outcome.cycles
    );
    per_byte
}

#[test]
fn keccak_guest_costs_few_cycles_per_byte() {
    let per_byte = cycles_per_byte("keccak", keccak256);
    assert!(per_byte < 4.0, "{per_byte} cycles per byte");
}

#[test]
fn sha256_guest_proves_the_standard_digests() {
    for (input, digest) in [
        (
            &b""[..],
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ),
        (
            b"abc",
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        ),
        (
            b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
        ),
    ] {
        assert_eq!(hex::encode(prove_hash("sha256", input, 12)), digest);
    }
    // Many blocks over several epochs.
    let long: Vec<u8> = (0..5000u32).map(|i| (i * 31 + 7) as u8).collect();
    assert_eq!(prove_hash("sha256", &long, 11), sha256(&long));
}

#[test]
fn sha256_guest_costs_few_cycles_per_byte() {
    let fast = cycles_per_byte("sha256", sha256);
    assert!(fast < 4.0, "{fast} cycles per byte");
    let soft = cycles_per_byte("sha256-soft", sha256);
    assert!(
        soft > 10.0 * fast,
        "software {soft} against precompile {fast}"
    );
}

#[test]
fn patched_sha2_and_tiny_keccak_prove_the_standard_digests() {
    let abc = prove_hash("hashes", b"abc", 12);
    assert_eq!(
        hex::encode(&abc),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\
         4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
    );
    let long: Vec<u8> = (0..5000u32).map(|i| (i * 31 + 7) as u8).collect();
    assert_eq!(
        prove_hash("hashes", &long, 11),
        sha256_then_keccak256(&long)
    );
}

#[test]
fn patched_sha2_and_tiny_keccak_cost_what_the_precompiles_cost() {
    // Both hashes over every byte: within the two precompile guests' sum
    // (plus the digest crate's buffering), far below either software hash.
    let both = cycles_per_byte("hashes", sha256_then_keccak256);
    let direct = cycles_per_byte("sha256", sha256) + cycles_per_byte("keccak", keccak256);
    assert!(
        both < 1.25 * direct,
        "patched {both} against direct {direct}"
    );
    assert!(both < 8.0, "{both} cycles per byte");
}
