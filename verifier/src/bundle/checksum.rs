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

impl StreamHasher {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds bytes in stream order.
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// The digest of everything fed so far (the hasher is unchanged).
    pub fn current(&self) -> [u8; 32] {
        self.0.clone().finalize().into()
    }
}
