//! Known answers (FIPS 180-4's examples and a longer message, digests from
//! Python's hashlib) and the properties a streaming hasher must have.

extern crate std;

use std::string::String;
use std::vec::Vec;

use digest::Digest;

use crate::*;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| std::format!("{b:02x}")).collect()
}

/// 1,000 bytes: several blocks of every variant plus a partial one.
fn long() -> Vec<u8> {
    (0..1000u32).map(|i| (i * 7 + 3) as u8).collect()
}

fn check<D: Digest>(data: &[u8], want: &str) {
    assert_eq!(hex(&D::digest(data)), want);
    // The same digest whatever the split of the input into updates.
    for split in [0, 1, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 500] {
        if split > data.len() {
            continue;
        }
        let mut h = D::new();
        h.update(&data[..split]);
        h.update(&data[split..]);
        assert_eq!(hex(&h.finalize()), want, "split at {split}");
    }
}

#[test]
fn known_answers() {
    check::<Sha224>(
        b"",
        "d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f",
    );
    check::<Sha224>(
        b"abc",
        "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7",
    );
    check::<Sha224>(
        b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "75388b16512776cc5dba5da1fd890150b0c6455cb4f58b1952522525",
    );
    check::<Sha224>(
        &long(),
        "23729dacbd480285c5c68439e2fe22ca5611a63cd6c14d2ec5ae2c85",
    );
    check::<Sha256>(
        b"",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    check::<Sha256>(
        b"abc",
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    check::<Sha256>(
        b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
    check::<Sha256>(
        &long(),
        "1e9bc38cbf860b9ec31918b065f9b52476c549a782e0e7990bed8ce3868d2371",
    );
    check::<Sha384>(b"", "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b");
    check::<Sha384>(b"abc", "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
    check::<Sha384>(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "3391fdddfc8dc7393707a65b1b4709397cf8b1d162af05abfe8f450de5f36bc6b0455a8520bc4e6f5fe95b1fe3c8452b");
    check::<Sha384>(&long(), "94c38db521ca733b8904c2d14b6e82d33dcfcc26e1318c579dbee1fc2f472019034e792263b9d46e90e700de2f6e7e91");
    check::<Sha512>(b"", "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e");
    check::<Sha512>(b"abc", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
    check::<Sha512>(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445");
    check::<Sha512>(&long(), "00e36fccf193e59697a92b5ab24666ce6326d7fa16bf10832d0991ddc591112e9dfa6a636950ed9c4d67344a760654c2ff7785e1d60094d651038735b5dccabd");
    check::<Sha512_224>(
        b"",
        "6ed0dd02806fa89e25de060c19d3ac86cabb87d6a0ddd05c333b84f4",
    );
    check::<Sha512_224>(
        b"abc",
        "4634270f707b6a54daae7530460842e20e37ed265ceee9a43e8924aa",
    );
    check::<Sha512_224>(
        b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "e5302d6d54bb242275d1e7622d68df6eb02dedd13f564c13dbda2174",
    );
    check::<Sha512_224>(
        &long(),
        "b6c1c1e13c07e992f0df6a5c8e4c6c153f91516cfa051b9fbfa88514",
    );
    check::<Sha512_256>(
        b"",
        "c672b8d1ef56ed28ab87c3622c5114069bdd3ad7b8f9737498d0c01ecef0967a",
    );
    check::<Sha512_256>(
        b"abc",
        "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23",
    );
    check::<Sha512_256>(
        b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "bde8e1f9f19bb9fd3406c90ec6bc47bd36d8ada9f11880dbc8a22a7078b6a461",
    );
    check::<Sha512_256>(
        &long(),
        "14271b3d36ca983ae2da2693d995fe68412c0bd5394ec2f05b763586db6e24fd",
    );
}

#[test]
fn compress256_is_the_digests_compression() {
    // One block holding "abc" padded by hand.
    let mut block = [0u8; 64];
    block[..3].copy_from_slice(b"abc");
    block[3] = 0x80;
    block[63] = 24;
    let mut state = sluice_precompiles::SHA256_IV;
    compress256(&mut state, &[block.into()]);
    let digest: Vec<u8> = state.iter().flat_map(|w| w.to_be_bytes()).collect();
    assert_eq!(digest[..], Sha256::digest(b"abc")[..]);
}

#[test]
fn reset_starts_over() {
    use digest::{FixedOutputReset, Update};
    let mut h = Sha256::default();
    Update::update(&mut h, b"something else");
    digest::Reset::reset(&mut h);
    Update::update(&mut h, b"abc");
    assert_eq!(h.finalize_fixed_reset()[..], Sha256::digest(b"abc")[..]);
}
