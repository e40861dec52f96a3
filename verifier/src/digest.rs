//! 256-bit digests as the protocol sees them: eight KoalaBear field elements.
//!
//! State digests, memory roots and image IDs are all Poseidon2 outputs over
//! KoalaBear, so they are stored as eight canonical field elements
//! (`0 <= x < KOALABEAR_MODULUS`). On the wire and in hex they are the 32
//! little-endian bytes of those eight `u32`s, in order.

use core::fmt;

use serde::{Deserialize, Serialize};

/// The KoalaBear prime `2^31 - 2^24 + 1`.
pub const KOALABEAR_MODULUS: u32 = 0x7f00_0001;

/// Eight canonical KoalaBear elements.
///
/// Deserializing checks canonicity, so a digest decoded from untrusted bytes
/// (a bundle, a proof) can be hashed without further checks.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "[u32; 8]")]
pub struct Digest(pub [u32; 8]);

impl TryFrom<[u32; 8]> for Digest {
    type Error = DigestError;

    fn try_from(words: [u32; 8]) -> Result<Self, DigestError> {
        match words.iter().position(|&w| w >= KOALABEAR_MODULUS) {
            Some(index) => Err(DigestError::NotCanonical {
                index,
                value: words[index],
            }),
            None => Ok(Digest(words)),
        }
    }
}

/// Why a byte string is not a digest.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    #[error("a digest is 32 bytes (64 hex digits); got {0} bytes")]
    WrongLength(usize),
    #[error("a digest is written in hex; found a non-hex character")]
    NotHex,
    #[error(
        "digest word {index} is {value:#010x}, not a canonical KoalaBear element (< 0x7f000001)"
    )]
    NotCanonical { index: usize, value: u32 },
}

impl Digest {
    /// Whether every word is a canonical field element. Digests read from
    /// untrusted bytes must pass this before they are compared or hashed.
    pub fn is_canonical(&self) -> bool {
        self.0.iter().all(|&w| w < KOALABEAR_MODULUS)
    }

    /// The 32-byte wire form.
    pub fn to_bytes(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (chunk, word) in out.chunks_exact_mut(4).zip(self.0) {
            chunk.copy_from_slice(&word.to_le_bytes());
        }
        out
    }

    /// Parses the 32-byte wire form, rejecting non-canonical words.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DigestError> {
        if bytes.len() != 32 {
            return Err(DigestError::WrongLength(bytes.len()));
        }
        let mut words = [0u32; 8];
        for (index, (word, chunk)) in words.iter_mut().zip(bytes.chunks_exact(4)).enumerate() {
            *word = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
            if *word >= KOALABEAR_MODULUS {
                return Err(DigestError::NotCanonical {
                    index,
                    value: *word,
                });
            }
        }
        Ok(Digest(words))
    }

    /// Parses 64 hex digits (an optional `0x` prefix is allowed).
    pub fn from_hex(text: &str) -> Result<Self, DigestError> {
        let text = text.trim();
        let text = text.strip_prefix("0x").unwrap_or(text);
        if text.len() != 64 {
            return Err(DigestError::WrongLength(text.len() / 2));
        }
        let mut bytes = [0u8; 32];
        for (byte, pair) in bytes.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
            let hi = hex_value(pair[0]).ok_or(DigestError::NotHex)?;
            let lo = hex_value(pair[1]).ok_or(DigestError::NotHex)?;
            *byte = (hi << 4) | lo;
        }
        Self::from_bytes(&bytes)
    }
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.to_bytes() {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn hex_round_trip() {
        let d = Digest([1, 2, 3, 0x7f00_0000, 5, 6, 7, 8]);
        let text = d.to_string();
        assert_eq!(text.len(), 64);
        assert_eq!(Digest::from_hex(&text).unwrap(), d);
        assert_eq!(Digest::from_hex(&alloc::format!("0x{text}")).unwrap(), d);
    }

    #[test]
    fn deserializing_rejects_non_canonical_words() {
        let config = bincode::config::standard();
        let good = Digest([1, 2, 3, 4, 5, 6, 7, KOALABEAR_MODULUS - 1]);
        let bytes = bincode::serde::encode_to_vec(good, config).unwrap();
        let (back, _): (Digest, usize) = bincode::serde::decode_from_slice(&bytes, config).unwrap();
        assert_eq!(back, good);
        let bad =
            bincode::serde::encode_to_vec([0, 0, 0, 0, 0, KOALABEAR_MODULUS, 0, 0u32], config)
                .unwrap();
        assert!(bincode::serde::decode_from_slice::<Digest, _>(&bad, config).is_err());
    }

    #[test]
    fn rejects_non_canonical_and_bad_text() {
        let mut bytes = [0u8; 32];
        bytes[4..8].copy_from_slice(&KOALABEAR_MODULUS.to_le_bytes());
        assert_eq!(
            Digest::from_bytes(&bytes),
            Err(DigestError::NotCanonical {
                index: 1,
                value: KOALABEAR_MODULUS
            })
        );
        assert_eq!(
            Digest::from_bytes(&[0; 31]),
            Err(DigestError::WrongLength(31))
        );
        assert_eq!(Digest::from_hex(&"g".repeat(64)), Err(DigestError::NotHex));
        assert!(Digest::from_hex("00").is_err());
    }
}
