//! What the fuzz targets share: fuzzer-chosen chunking of a stream, and the
//! invariants every run of the stream verifier must keep.

use sluice_verifier::stream::{EpochProofVerifier, StreamVerifier, Summary, VerifyError};

/// Splits a fuzz input into chunk sizes and the stream: byte 0 is the
/// number of sizes (mod 8), each next byte a size (1 to 256); the sizes are
/// used in turn, over and over. No sizes: the stream in one push.
pub fn chunking(data: &[u8]) -> (Vec<usize>, &[u8]) {
    let Some((&n, rest)) = data.split_first() else {
        return (Vec::new(), data);
    };
    let n = (n as usize % 8).min(rest.len());
    let sizes = rest[..n].iter().map(|&b| b as usize + 1).collect();
    (sizes, &rest[n..])
}

/// Verifies `stream` pushed in chunks of `sizes` and checks the stream
/// verifier's invariants: it never panics (the fuzzer catches that), never
/// holds more than one record, never reserves memory that a declared length
/// asks for but the bytes do not bring, and errors stay errors.
pub fn verify_chunked<V: EpochProofVerifier>(
    verifier: V,
    sizes: &[usize],
    stream: &[u8],
) -> Result<Summary, VerifyError> {
    let mut v = StreamVerifier::new(verifier, None);
    let mut at = 0;
    let mut turn = 0;
    while at < stream.len() {
        let size = if sizes.is_empty() {
            stream.len()
        } else {
            sizes[turn % sizes.len()]
        };
        turn += 1;
        let end = (at + size).min(stream.len());
        let pushed = v.push(&stream[at..end]);
        let peak = v.peak_buffered_bytes();
        assert!(
            peak <= stream.len(),
            "buffered {peak} bytes of a {}-byte stream",
            stream.len()
        );
        assert!(
            v.buffer_capacity() <= 2 * peak.max(64),
            "reserved {} bytes for at most {peak} buffered",
            v.buffer_capacity()
        );
        if let Err(e) = pushed {
            assert_eq!(
                v.push(&[0]).err(),
                Some(e.clone()),
                "a failed stream must stay failed"
            );
            return Err(e);
        }
        at = end;
    }
    v.finish()
}
