//! The stream checksum: SHA-256 over every byte before the end record.
//!
//! Anyone can recompute it, so it authenticates nothing; it makes the end
//! record commit to the exact bytes before it, so a stream whose records were
//! cut, dropped or altered anywhere is rejected even where every individual
//! check would pass, and the writer and verifier agree on what was sent.

use sha2::{Digest as _, Sha256};

/// Running SHA-256 of the bytes of a bundle.
#[derive(Clone, Default)]
pub struct StreamHasher(Sha256);

/// Bytes hashed per call of the compression function (64 blocks).
const SLICE: usize = 4096;

impl StreamHasher {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds bytes in stream order.
    ///
    /// In slices of [`SLICE`] bytes: SHA-256 compresses all the whole
    /// blocks it is given in one call, and a WebAssembly engine cannot
    /// switch a running call from its baseline code to optimized code
    /// (V8 tiers a function up for its *next* call), so a 400 KB epoch
    /// record hashed in one call ran at baseline speed from start to end.
    pub fn update(&mut self, bytes: &[u8]) {
        for slice in bytes.chunks(SLICE) {
            self.0.update(slice);
        }
    }

    /// The digest of everything fed so far (the hasher is unchanged).
    pub fn current(&self) -> [u8; 32] {
        self.0.clone().finalize().into()
    }
}
