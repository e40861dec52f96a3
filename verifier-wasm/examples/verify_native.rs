//! BENCHMARK ONLY: verifies a test-double bundle natively with the same
//! stream verifier and the same test-double proof check as the
//! `test-double` WebAssembly build, so Node and native can be compared on
//! the same bytes (`scripts/bench-wasm.sh`). Reads the file in 256 KiB
//! chunks (the chunk size `verify.js` uses) and prints one JSON line.

use std::io::Read;
use std::time::Instant;

use sluice_verifier::stream::StreamVerifier;
use sluice_verifier_wasm::test_double::HashProofVerifier;

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: verify_native BUNDLE");
    let mut file = std::fs::File::open(&path).expect("open bundle");
    let mut buf = vec![0u8; 256 * 1024];
    let started = Instant::now();
    let mut v = StreamVerifier::new(HashProofVerifier, None);
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buf).expect("read bundle");
        if n == 0 {
            break;
        }
        bytes += n as u64;
        v.push(&buf[..n]).expect("bundle verifies");
    }
    let summary = v.finish().expect("bundle verifies");
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{{\"epochs\":{},\"bytes\":{},\"seconds\":{:.6},\"us_per_epoch\":{:.3}}}",
        summary.epochs,
        bytes,
        secs,
        secs * 1e6 / summary.epochs as f64
    );
}
