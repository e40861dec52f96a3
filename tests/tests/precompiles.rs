//! Guests that hash with the precompiles prove and verify, and their
//! digests are the standard ones; the software hash they replace costs
//! far more cycles.

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

/// Proves the keccak guest on `input` in epochs of `2^k` cycles and
/// returns the verified public output.
fn prove_keccak(input: &[u8], k: u8) -> Vec<u8> {
    let (elf, _) = guest("keccak");
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
    let empty = prove_keccak(b"", 12);
    assert_eq!(
        hex::encode(&empty),
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    );
    let abc = prove_keccak(b"abc", 12);
    assert_eq!(
        hex::encode(&abc),
        "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
    );
    // Several blocks and several epochs (the permutations of each epoch
    // are proven in it).
    let long: Vec<u8> = (0..3000u32).map(|i| (i * 31 + 7) as u8).collect();
    assert_eq!(prove_keccak(&long, 11), keccak256(&long));
}

#[test]
fn keccak_guest_costs_few_cycles_per_byte() {
    let (elf, _) = guest("keccak");
    let data = vec![0x5a; 64 * 1024];
    let outcome = Prover::new(&elf)
        .unwrap()
        .input_raw(&data)
        .execute()
        .unwrap();
    assert_eq!(outcome.public_output, keccak256(&data));
    let per_byte = outcome.cycles as f64 / data.len() as f64;
    eprintln!(
        "keccak guest: {} cycles for 64 KiB, {per_byte:.2} per byte",
        outcome.cycles
    );
    assert!(per_byte < 4.0, "{per_byte} cycles per byte");
}
