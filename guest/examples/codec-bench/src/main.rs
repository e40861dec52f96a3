//! Measures the guest-side cost of the serde codecs the SDK could use
//! (issue 15): the cycles `prover execute` reports for each mode, minus the
//! baseline's, divided by the encoded bytes.
//!
//! Input: one byte, the mode, then a little-endian `u32` repeat count `n`.
//! - `0`: builds the representative value `n` times (the baseline);
//! - `1` / `2`: also encodes it with postcard / bincode 2 (standard config);
//! - `3` / `4`: also encodes and decodes it with postcard / bincode 2.
//!
//! Public output: the encoded length (u32 LE) of one value in the chosen
//! codec (0 for the baseline), and a checksum that keeps the work alive.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

sluice_guest::entry!(main);

#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct Point {
    x: i32,
    y: i32,
}

/// A mix of what guests pass around: integers of several widths, a string,
/// a byte blob, a vector of small structs, an option and an enum.
#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct Record {
    id: u64,
    nonce: u32,
    name: String,
    blob: Vec<u8>,
    path: Vec<Point>,
    weights: Vec<u32>,
    parent: Option<[u8; 32]>,
    kind: Kind,
}

#[derive(Serialize, Deserialize, PartialEq, Debug)]
enum Kind {
    Leaf,
    Node { depth: u16, fanout: u8 },
}

fn build(seed: u32) -> Record {
    let mut parent = [0u8; 32];
    for (i, b) in parent.iter_mut().enumerate() {
        *b = (seed as u8).wrapping_mul(31).wrapping_add(i as u8);
    }
    Record {
        id: 0x0123_4567_89ab_cdef ^ u64::from(seed),
        nonce: seed.wrapping_mul(2_654_435_761),
        name: String::from("sluice codec measurement record"),
        blob: (0..64u32).map(|i| (i ^ seed) as u8).collect(),
        path: (0..8)
            .map(|i| Point {
                x: i * 1000 - seed as i32,
                y: -(i * 77),
            })
            .collect(),
        weights: (0..16u32).map(|i| i * i * 4099 + seed).collect(),
        parent: Some(parent),
        kind: Kind::Node {
            depth: 12,
            fanout: 16,
        },
    }
}

fn postcard_encode(r: &Record) -> Vec<u8> {
    postcard::to_allocvec(r).expect("postcard encodes")
}

fn bincode_encode(r: &Record) -> Vec<u8> {
    bincode::serde::encode_to_vec(r, bincode::config::standard()).expect("bincode encodes")
}

fn main() {
    let mut head = [0u8; 5];
    assert_eq!(
        sluice_guest::io::read_raw(&mut head),
        5,
        "input: mode byte and u32 count"
    );
    let mode = head[0];
    let n = u32::from_le_bytes([head[1], head[2], head[3], head[4]]);
    let mut len = 0u32;
    let mut check = 0u32;
    for i in 0..n {
        let r = core::hint::black_box(build(i));
        let bytes = match mode {
            0 => Vec::new(),
            1 | 3 => postcard_encode(&r),
            2 | 4 => bincode_encode(&r),
            _ => panic!("unknown mode {mode}"),
        };
        len = bytes.len() as u32;
        check = check.wrapping_add(bytes.iter().map(|&b| u32::from(b)).sum::<u32>());
        match mode {
            3 => {
                let back: Record = postcard::from_bytes(&bytes).expect("postcard decodes");
                assert!(i > 0 || back == r, "postcard round trip");
                core::hint::black_box(back);
            }
            4 => {
                let (back, _): (Record, usize) =
                    bincode::serde::decode_from_slice(&bytes, bincode::config::standard())
                        .expect("bincode decodes");
                assert!(i > 0 || back == r, "bincode round trip");
                core::hint::black_box(back);
            }
            _ => {}
        }
    }
    sluice_guest::io::commit_slice(&len.to_le_bytes());
    sluice_guest::io::commit_slice(&check.to_le_bytes());
}
