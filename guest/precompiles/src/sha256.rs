//! SHA-256 compression and SHA-256.

/// `sha256_compress(buffer = a0) -> 0` (`prover/src/executor/syscall.rs`).
pub const SHA256_COMPRESS: u32 = 0x1_0002;

/// The initial hash value (FIPS 180-4, 5.3.3).
pub const SHA256_IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// What [`sha256_compress`] works on, laid out as the syscall reads it: the
/// state (eight words), then one 64-byte block as SHA-256 reads it.
#[repr(C, align(4))]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sha256Buffer {
    pub state: [u32; 8],
    pub block: [u8; 64],
}

/// One SHA-256 compression: `buffer.state` absorbs `buffer.block`.
#[inline]
pub fn sha256_compress(buffer: &mut Sha256Buffer) {
    #[cfg(target_arch = "riscv32")]
    // SAFETY: the buffer is 96 writable, aligned bytes of guest memory, all
    // the syscall touches.
    unsafe {
        core::arch::asm!(
            "ecall",
            inlateout("a0") (buffer as *mut Sha256Buffer) => _,
            in("a7") SHA256_COMPRESS,
            options(nostack),
        );
    }
    #[cfg(not(target_arch = "riscv32"))]
    crate::sha256_soft::compress(&mut buffer.state, &buffer.block);
}

/// SHA-256, incrementally: `update` as often as needed, then `finalize`.
#[derive(Clone, Debug)]
pub struct Sha256 {
    buffer: Sha256Buffer,
    /// Bytes in the current block.
    pos: usize,
    /// Bytes hashed so far.
    len: u64,
}

impl Default for Sha256 {
    fn default() -> Self {
        Self::new()
    }
}

impl Sha256 {
    pub const fn new() -> Self {
        Sha256 {
            buffer: Sha256Buffer {
                state: SHA256_IV,
                block: [0; 64],
            },
            pos: 0,
            len: 0,
        }
    }

    pub fn update(&mut self, mut data: &[u8]) {
        self.len += data.len() as u64;
        while !data.is_empty() {
            let n = (64 - self.pos).min(data.len());
            self.buffer.block[self.pos..self.pos + n].copy_from_slice(&data[..n]);
            self.pos += n;
            data = &data[n..];
            if self.pos == 64 {
                sha256_compress(&mut self.buffer);
                self.pos = 0;
            }
        }
    }

    pub fn finalize(mut self) -> [u8; 32] {
        let bits = self.len.wrapping_mul(8);
        self.buffer.block[self.pos] = 0x80;
        self.buffer.block[self.pos + 1..].fill(0);
        if self.pos >= 56 {
            sha256_compress(&mut self.buffer);
            self.buffer.block.fill(0);
        }
        self.buffer.block[56..].copy_from_slice(&bits.to_be_bytes());
        sha256_compress(&mut self.buffer);
        let mut out = [0u8; 32];
        for (chunk, word) in out.chunks_exact_mut(4).zip(self.buffer.state) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        out
    }
}

/// The SHA-256 digest of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(data);
    h.finalize()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex;

    #[test]
    fn known_digests() {
        assert_eq!(
            hex(&sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(&sha256(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
    }

    #[test]
    fn any_split_gives_the_same_digest() {
        use sha2::Digest;
        let data: alloc::vec::Vec<u8> = (0..600u32).map(|i| (i * 7 + 3) as u8).collect();
        let whole = sha256(&data);
        for split in [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 599, 600] {
            let mut h = Sha256::new();
            h.update(&data[..split]);
            h.update(&data[split..]);
            assert_eq!(h.finalize(), whole, "split at {split}");
            let prefix = &data[..split];
            assert_eq!(sha256(prefix)[..], sha2::Sha256::digest(prefix)[..]);
        }
    }
}
