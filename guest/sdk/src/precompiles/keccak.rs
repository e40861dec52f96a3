//! Keccak-f[1600] and Keccak-256.

/// `keccak_permute(state = a0) -> 0` (`prover/src/executor/syscall.rs`).
pub const KECCAK_PERMUTE: u32 = 0x1_0001;

/// Keccak-f[1600] in place on 25 lanes (lane `x + 5 y`, as in FIPS 202).
#[inline]
pub fn keccak_permute(state: &mut [u64; 25]) {
    #[cfg(target_arch = "riscv32")]
    // SAFETY: the state is 200 writable, aligned bytes of guest memory, all
    // the syscall touches.
    unsafe {
        core::arch::asm!(
            "ecall",
            inlateout("a0") state.as_mut_ptr() => _,
            in("a7") KECCAK_PERMUTE,
            options(nostack),
        );
    }
    #[cfg(not(target_arch = "riscv32"))]
    tiny_keccak::keccakf(state);
}

/// Bytes absorbed per permutation by Keccak-256.
pub const KECCAK256_RATE: usize = 136;

/// Keccak-256, incrementally: `update` as often as needed, then `finalize`.
#[derive(Clone)]
pub struct Keccak256 {
    state: [u64; 25],
    /// Bytes absorbed into the current block.
    pos: usize,
}

impl Default for Keccak256 {
    fn default() -> Self {
        Self::new()
    }
}

impl Keccak256 {
    pub const fn new() -> Self {
        Keccak256 {
            state: [0; 25],
            pos: 0,
        }
    }

    /// XORs `byte` into the state at block position `at`.
    #[inline(always)]
    fn xor_byte(&mut self, at: usize, byte: u8) {
        self.state[at / 8] ^= u64::from(byte) << (8 * (at % 8));
    }

    pub fn update(&mut self, mut data: &[u8]) {
        // Finish a partial lane byte by byte, then whole lanes.
        while !data.is_empty() {
            if self.pos.is_multiple_of(8) && data.len() >= 8 {
                let lanes = ((KECCAK256_RATE - self.pos) / 8).min(data.len() / 8);
                let (whole, rest) = data.split_at(8 * lanes);
                let first = self.pos / 8;
                if (whole.as_ptr() as usize).is_multiple_of(4) {
                    // SAFETY: `whole` is 4-byte aligned and holds `2 * lanes`
                    // words. Word loads instead of byte loads: the VM has no
                    // unaligned access, so `from_le_bytes` on a byte slice
                    // costs four loads per word.
                    let words = unsafe {
                        core::slice::from_raw_parts(whole.as_ptr().cast::<u32>(), 2 * lanes)
                    };
                    for (i, w) in words.chunks_exact(2).enumerate() {
                        let lane =
                            u64::from(u32::from_le(w[0])) | u64::from(u32::from_le(w[1])) << 32;
                        self.state[first + i] ^= lane;
                    }
                } else {
                    for (i, chunk) in whole.chunks_exact(8).enumerate() {
                        self.state[first + i] ^= u64::from_le_bytes(chunk.try_into().unwrap());
                    }
                }
                self.pos += 8 * lanes;
                data = rest;
            } else {
                self.xor_byte(self.pos, data[0]);
                self.pos += 1;
                data = &data[1..];
            }
            if self.pos == KECCAK256_RATE {
                keccak_permute(&mut self.state);
                self.pos = 0;
            }
        }
    }

    pub fn finalize(mut self) -> [u8; 32] {
        self.xor_byte(self.pos, 0x01);
        self.xor_byte(KECCAK256_RATE - 1, 0x80);
        keccak_permute(&mut self.state);
        let mut out = [0u8; 32];
        for (chunk, lane) in out.chunks_exact_mut(8).zip(self.state) {
            chunk.copy_from_slice(&lane.to_le_bytes());
        }
        out
    }
}

/// The Keccak-256 digest of `data`.
pub fn keccak256(data: &[u8]) -> [u8; 32] {
    let mut h = Keccak256::new();
    h.update(data);
    h.finalize()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(d: [u8; 32]) -> alloc::string::String {
        d.iter().map(|b| alloc::format!("{b:02x}")).collect()
    }

    #[test]
    fn known_digests() {
        assert_eq!(
            hex(keccak256(b"")),
            "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
        );
        assert_eq!(
            hex(keccak256(b"abc")),
            "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
        );
    }

    #[test]
    fn any_split_gives_the_same_digest() {
        let data: alloc::vec::Vec<u8> = (0..600u32).map(|i| (i * 7 + 3) as u8).collect();
        let whole = keccak256(&data);
        for split in [0, 1, 7, 8, 9, 135, 136, 137, 300, 599, 600] {
            let mut h = Keccak256::new();
            h.update(&data[..split]);
            h.update(&data[split..]);
            assert_eq!(h.finalize(), whole, "split at {split}");
        }
        let mut tk = tiny_keccak::Keccak::v256();
        tiny_keccak::Hasher::update(&mut tk, &data);
        let mut want = [0u8; 32];
        tiny_keccak::Hasher::finalize(tk, &mut want);
        assert_eq!(whole, want);
    }
}
