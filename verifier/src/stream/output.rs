//! Typed public output: what a guest committed with `sluice_guest::io::commit`,
//! decoded on the verifying side with the same codec (postcard).
//!
//! The output is one byte stream without frames; postcard values delimit
//! themselves, so several commits decode in order with an [`OutputReader`].
//! The [`Summary`] keeps the first [`super::OUTPUT_CAP`] bytes: a longer
//! output is refused as [`OutputError::Truncated`] rather than decoded from
//! a prefix; decode it with [`Summary::output_from`], from the whole output
//! obtained elsewhere (the prover's report, a file) and checked against the
//! proven length and SHA-256.
//!
//! The output is proven, but it is whatever the guest committed: check
//! [`Summary::exit_code`] too (a guest that commits and then panics still
//! proves its output, with exit code 101). postcard does not limit nesting:
//! decode deeply recursive types only from guests you expect to produce them.

use serde::de::DeserializeOwned;
use sha2::{Digest as _, Sha256};

use super::Summary;

/// Why a typed output could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The summary keeps only a prefix of this output.
    #[error(
        "the public output has {len} bytes and the summary keeps only the first {kept}; decode \
         the whole output with Summary::output_from"
    )]
    Truncated { kept: usize, len: u64 },
    /// Bytes given to [`Summary::output_from`] are not the proven output.
    #[error(
        "the {given} bytes given are not the proven public output ({len} bytes; length and \
         SHA-256 compared)"
    )]
    NotTheOutput { given: usize, len: u64 },
    /// The bytes are not a value of the requested type.
    #[error("the public output does not decode as `{ty}`: {source}")]
    Decode {
        ty: &'static str,
        source: postcard::Error,
    },
    /// A whole-output decode left bytes over: the guest committed more (or
    /// another type) than the value asked for.
    #[error(
        "{left} bytes of public output are left after the `{ty}`; the guest committed more \
         values (read them in order with Summary::output_reader)"
    )]
    TrailingBytes { ty: &'static str, left: usize },
}

/// Decodes committed values in the order the guest committed them.
#[derive(Clone, Debug)]
pub struct OutputReader<'a> {
    rest: &'a [u8],
}

impl<'a> OutputReader<'a> {
    /// A reader over raw output bytes (the whole output, however obtained).
    pub fn new(bytes: &'a [u8]) -> Self {
        OutputReader { rest: bytes }
    }

    /// The next committed value.
    pub fn read<T: DeserializeOwned>(&mut self) -> Result<T, OutputError> {
        let (value, rest) =
            postcard::take_from_bytes(self.rest).map_err(|source| OutputError::Decode {
                ty: core::any::type_name::<T>(),
                source,
            })?;
        self.rest = rest;
        Ok(value)
    }

    /// Raw bytes the guest committed with `commit_slice`: the next `len`.
    pub fn read_slice(&mut self, len: usize) -> Option<&'a [u8]> {
        if len > self.rest.len() {
            return None;
        }
        let (head, rest) = self.rest.split_at(len);
        self.rest = rest;
        Some(head)
    }

    /// What has not been read yet.
    pub fn remaining(&self) -> &'a [u8] {
        self.rest
    }
}

impl Summary {
    /// The public output as one `T`, the guest having made one
    /// `io::commit(&value)`: any byte left over is an error.
    pub fn output<T: DeserializeOwned>(&self) -> Result<T, OutputError> {
        let mut reader = self.output_reader()?;
        let value = reader.read::<T>()?;
        match reader.remaining().len() {
            0 => Ok(value),
            left => Err(OutputError::TrailingBytes {
                ty: core::any::type_name::<T>(),
                left,
            }),
        }
    }

    /// A reader over `whole_output`, checked to be the proven public output
    /// (its length and SHA-256): for outputs longer than the summary keeps.
    pub fn output_from<'a>(&self, whole_output: &'a [u8]) -> Result<OutputReader<'a>, OutputError> {
        let digest: [u8; 32] = Sha256::digest(whole_output).into();
        if whole_output.len() as u64 != self.output_len || digest != self.output_sha256 {
            return Err(OutputError::NotTheOutput {
                given: whole_output.len(),
                len: self.output_len,
            });
        }
        Ok(OutputReader::new(whole_output))
    }

    /// A reader over the whole public output, for guests that commit
    /// several values.
    pub fn output_reader(&self) -> Result<OutputReader<'_>, OutputError> {
        if !self.output_complete() {
            return Err(OutputError::Truncated {
                kept: self.output.len(),
                len: self.output_len,
            });
        }
        Ok(OutputReader::new(&self.output))
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::String;
    use alloc::vec;
    use alloc::vec::Vec;

    use serde::{Deserialize, Serialize};

    use super::*;
    use crate::digest::Digest;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Point {
        name: String,
        xs: Vec<i32>,
    }

    fn summary(output: Vec<u8>, output_len: u64) -> Summary {
        let output_sha256 = Sha256::digest(&output).into();
        Summary {
            image_id: Digest::default(),
            epochs: 1,
            cycles: 1,
            exit_code: 0,
            output,
            output_len,
            output_sha256,
            zero_knowledge: false,
        }
    }

    fn encoded<T: Serialize>(v: &T) -> Vec<u8> {
        postcard::to_allocvec(v).unwrap()
    }

    #[test]
    fn one_commit_decodes_as_its_type() {
        let p = Point {
            name: "a".into(),
            xs: vec![-1, 2, 300_000],
        };
        let bytes = encoded(&p);
        let s = summary(bytes.clone(), bytes.len() as u64);
        assert_eq!(s.output::<Point>().unwrap(), p);
    }

    #[test]
    fn several_commits_decode_in_order_and_leftovers_are_refused() {
        let mut bytes = encoded(&7u32);
        bytes.extend(encoded(&Some(-5i64)));
        bytes.extend_from_slice(b"raw");
        let s = summary(bytes.clone(), bytes.len() as u64);
        let mut r = s.output_reader().unwrap();
        assert_eq!(r.read::<u32>().unwrap(), 7);
        assert_eq!(r.read::<Option<i64>>().unwrap(), Some(-5));
        assert_eq!(r.read_slice(3), Some(&b"raw"[..]));
        assert_eq!(r.read_slice(1), None);
        assert!(matches!(
            s.output::<u32>(),
            Err(OutputError::TrailingBytes { left, .. }) if left == bytes.len() - 1
        ));
    }

    #[test]
    fn a_wrong_type_or_a_kept_prefix_is_an_error_not_a_value() {
        let s = summary(vec![0xff, 0xff], 2);
        assert!(matches!(s.output::<u64>(), Err(OutputError::Decode { .. })));
        let bytes = encoded(&1u8);
        let s = summary(bytes, 1 << 20);
        assert!(matches!(
            s.output::<u8>(),
            Err(OutputError::Truncated { kept: 1, len }) if len == 1 << 20
        ));
    }
}

#[cfg(test)]
mod whole_output_tests {
    use alloc::vec::Vec;

    use super::*;
    use crate::digest::Digest;

    #[test]
    fn a_long_output_decodes_from_the_whole_bytes_once_they_match_the_proof() {
        let values: Vec<u32> = (0..40_000).collect();
        let whole = postcard::to_allocvec(&values).unwrap();
        assert!(whole.len() > crate::stream::OUTPUT_CAP);
        let s = Summary {
            image_id: Digest::default(),
            epochs: 1,
            cycles: 1,
            exit_code: 0,
            output: whole[..crate::stream::OUTPUT_CAP].to_vec(),
            output_len: whole.len() as u64,
            output_sha256: Sha256::digest(&whole).into(),
            zero_knowledge: false,
        };
        assert!(matches!(
            s.output::<Vec<u32>>(),
            Err(OutputError::Truncated { .. })
        ));
        assert_eq!(
            s.output_from(&whole).unwrap().read::<Vec<u32>>().unwrap(),
            values
        );
        let mut forged = whole.clone();
        *forged.last_mut().unwrap() ^= 1;
        assert!(matches!(
            s.output_from(&forged),
            Err(OutputError::NotTheOutput { .. })
        ));
        assert!(matches!(
            s.output_from(&whole[1..]),
            Err(OutputError::NotTheOutput { .. })
        ));
    }
}
