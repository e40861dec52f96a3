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
    crate::keccak_f::permute(state);
}

/// Bytes absorbed per permutation by Keccak-256.
pub const KECCAK256_RATE: usize = 136;

/// The Keccak sponge over [`keccak_permute`], with any rate and padding
/// byte: Keccak (`0x01`), SHA-3 (`0x06`), SHAKE (`0x1f`). Absorb with
/// [`absorb`](Self::absorb), then [`squeeze`](Self::squeeze) as many bytes
/// as wanted (the first call pads).
#[derive(Clone)]
pub struct KeccakSponge {
    state: [u64; 25],
    /// Bytes absorbed into, or squeezed from, the current block.
    pos: usize,
    /// Bytes per block: `200 - 2 * security bytes`.
    rate: usize,
    /// The domain-separation bits and the first padding bit.
    delim: u8,
    squeezing: bool,
}

impl KeccakSponge {
    /// A sponge of `rate` bytes per block (a multiple of 8, at most 192)
    /// whose padding starts with `delim`.
    pub const fn new(rate: usize, delim: u8) -> Self {
        assert!(rate > 0 && rate <= 192 && rate.is_multiple_of(8));
        KeccakSponge {
            state: [0; 25],
            pos: 0,
            rate,
            delim,
            squeezing: false,
        }
    }

    /// Bytes per block.
    pub const fn rate(&self) -> usize {
        self.rate
    }

    /// XORs `byte` into the state at block position `at`.
    #[inline(always)]
    fn xor_byte(&mut self, at: usize, byte: u8) {
        self.state[at / 8] ^= u64::from(byte) << (8 * (at % 8));
    }

    /// Absorbs `data`. After a [`squeeze`](Self::squeeze) this starts a new
    /// block of input on the permuted state (duplexing, as `tiny-keccak`
    /// does), and the next squeeze pads again.
    pub fn absorb(&mut self, mut data: &[u8]) {
        if self.squeezing {
            keccak_permute(&mut self.state);
            self.pos = 0;
            self.squeezing = false;
        }
        let rate = self.rate;
        // Finish a partial lane byte by byte, then whole lanes.
        while !data.is_empty() {
            if self.pos.is_multiple_of(8) && data.len() >= 8 {
                let lanes = ((rate - self.pos) / 8).min(data.len() / 8);
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
            if self.pos == rate {
                keccak_permute(&mut self.state);
                self.pos = 0;
            }
        }
    }

    /// Writes the next `out.len()` bytes of output; the first call pads and
    /// ends absorbing.
    pub fn squeeze(&mut self, out: &mut [u8]) {
        if !self.squeezing {
            self.xor_byte(self.pos, self.delim);
            self.xor_byte(self.rate - 1, 0x80);
            keccak_permute(&mut self.state);
            self.pos = 0;
            self.squeezing = true;
        }
        for byte in out {
            *byte = (self.state[self.pos / 8] >> (8 * (self.pos % 8))) as u8;
            self.pos += 1;
            // Permute as soon as a block is used up, as `tiny-keccak` does:
            // an `absorb` after this squeeze then starts from the same state.
            if self.pos == self.rate {
                keccak_permute(&mut self.state);
                self.pos = 0;
            }
        }
    }
}

/// Keccak-256, incrementally: `update` as often as needed, then `finalize`.
#[derive(Clone)]
pub struct Keccak256(KeccakSponge);

impl Default for Keccak256 {
    fn default() -> Self {
        Self::new()
    }
}

impl Keccak256 {
    pub const fn new() -> Self {
        Keccak256(KeccakSponge::new(KECCAK256_RATE, 0x01))
    }

    pub fn update(&mut self, data: &[u8]) {
        self.0.absorb(data);
    }

    pub fn finalize(mut self) -> [u8; 32] {
        let mut out = [0u8; 32];
        self.0.squeeze(&mut out);
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
    use crate::hex;

    #[test]
    fn known_digests() {
        assert_eq!(
            hex(&keccak256(b"")),
            "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
        );
        assert_eq!(
            hex(&keccak256(b"abc")),
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

    #[test]
    fn sha3_and_shake_squeezing_past_a_block() {
        use tiny_keccak::{Hasher, Xof};
        let data: alloc::vec::Vec<u8> = (0..300u32).map(|i| (i * 13 + 1) as u8).collect();
        let mut sha3 = KeccakSponge::new(136, 0x06);
        sha3.absorb(&data);
        let mut ours = [0u8; 32];
        sha3.squeeze(&mut ours);
        let mut reference = tiny_keccak::Sha3::v256();
        reference.update(&data);
        let mut want = [0u8; 32];
        reference.finalize(&mut want);
        assert_eq!(ours, want);

        // SHAKE128 output longer than its 168-byte rate, in uneven pieces.
        let mut shake = KeccakSponge::new(168, 0x1f);
        shake.absorb(&data);
        let mut ours = [0u8; 400];
        let (a, rest) = ours.split_at_mut(5);
        let (b, c) = rest.split_at_mut(200);
        shake.squeeze(a);
        shake.squeeze(b);
        shake.squeeze(c);
        let mut reference = tiny_keccak::Shake::v128();
        reference.update(&data);
        let mut want = [0u8; 400];
        reference.squeeze(&mut want);
        assert_eq!(ours, want);
    }

    /// Absorbing after squeezing (duplexing) matches `tiny-keccak`, also when
    /// the squeeze ended exactly on a block boundary (an independent review
    /// found that case wrong in the first version).
    #[test]
    fn duplexing_matches_tiny_keccak() {
        use tiny_keccak::{Hasher, Xof};
        for squeezed in [0usize, 1, 100, 167, 168, 169, 336] {
            let mut ours = KeccakSponge::new(168, 0x1f);
            let mut reference = tiny_keccak::Shake::v128();
            ours.absorb(b"abc");
            reference.update(b"abc");
            let mut a = alloc::vec![0u8; squeezed];
            let mut b = alloc::vec![0u8; squeezed];
            ours.squeeze(&mut a);
            reference.squeeze(&mut b);
            assert_eq!(a, b);
            ours.absorb(b"more");
            reference.update(b"more");
            let (mut a, mut b) = ([0u8; 200], [0u8; 200]);
            ours.squeeze(&mut a);
            reference.squeeze(&mut b);
            assert_eq!(a, b, "absorbing after {squeezed} squeezed bytes");
        }
    }
}
