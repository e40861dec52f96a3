//! The Fiat–Shamir challenger: Plonky3's duplex sponge, with a proof-of-work
//! search that always finds the same witness.
//!
//! Plonky3's own search hands candidate witnesses to every core and keeps
//! whichever passes first, so two runs on the same epoch can grind different
//! witnesses, sample different FRI queries and write different proof bytes.
//! Sluice's proofs are a function of their epoch instead: the search here
//! returns the smallest passing witness. A resumed run (`prove --resume`)
//! therefore writes the very bundle an uninterrupted one writes, and a bundle
//! can be reproduced byte for byte from its guest, input and parameters.
//!
//! Only the search differs: absorbing, sampling and the witness check are the
//! inner challenger's, so the transcript and every verifier are unchanged.
//!
//! The search still uses every core (in the prover, where `p3-maybe-rayon`
//! is parallel): each round hands one block of candidates to each thread
//! and keeps the first block, in candidate order, that holds a passing
//! witness, so the answer does not depend on the number of threads.

use alloc::vec::Vec;
use p3_challenger::{
    CanObserve, CanSample, CanSampleBits, DuplexChallenger, FieldChallenger, GrindingChallenger,
};

use p3_field::{Field, PackedValue, PrimeCharacteristicRing, PrimeField64};
use p3_maybe_rayon::prelude::*;
use p3_symmetric::Permutation;

use super::config::{Perm, Val};

/// Sponge width and rate of the duplex challenger.
const WIDTH: usize = 16;
const RATE: usize = 8;

/// Packed permutations per block of the parallel search: large enough that
/// a thread's block outweighs handing it out, small enough that a 16-bit
/// search (about 2^16 candidates) spans several rounds.
const BLOCK_PERMUTATIONS: u64 = 128;

type Inner = DuplexChallenger<Val, Perm, WIDTH, RATE>;

/// The duplex challenger every Sluice proof uses (see the module docs).
#[derive(Clone, Debug)]
pub struct Challenger(Inner);

impl Challenger {
    pub fn new(permutation: Perm) -> Self {
        Challenger(Inner::new(permutation))
    }

    /// Whether `witness` passes the `bits`-bit proof-of-work check at this
    /// point of the transcript, without advancing it.
    fn passes(&self, bits: usize, witness: Val) -> bool {
        self.0.clone().check_witness(bits, witness)
    }

    /// The smallest witness whose candidates the packed search finds,
    /// confirmed by the inner challenger's own check. `None` only if the
    /// packed absorb below ever disagreed with the inner challenger's (a
    /// Plonky3 change): the caller then falls back to the scalar search.
    fn smallest_witness_packed(&self, bits: usize) -> Option<Val> {
        type Packed = <Val as Field>::Packing;
        let lanes = Packed::WIDTH;
        let inner = &self.0;
        // The witness is the next absorbed element: the sponge permutes the
        // buffered inputs, the witness, zeros to the rate, and the number of
        // absorbed elements added to the first capacity element.
        let slot = inner.input_buffer.len();
        debug_assert!(slot < RATE, "a full input buffer is absorbed at once");
        let mut state = [Packed::ZERO; WIDTH];
        for (i, lane) in state.iter_mut().enumerate() {
            *lane = if i < slot {
                Packed::from(inner.input_buffer[i])
            } else if i < RATE {
                Packed::ZERO
            } else if i == RATE {
                Packed::from(inner.sponge_state[RATE] + Val::from_usize(slot + 1))
            } else {
                Packed::from(inner.sponge_state[i])
            };
        }
        let mask = (1u64 << bits) - 1;
        let candidate = |c: u64| Val::from_u64(c.min(Val::ORDER_U64 - 1));
        // The smallest candidate of `[from, from + block)` whose sample
        // passes, in packed permutations.
        let block = BLOCK_PERMUTATIONS * lanes as u64;
        let search = |from: u64| -> Option<u64> {
            let end = (from + block).min(Val::ORDER_U64);
            (from..end).step_by(lanes).find_map(|start| {
                let mut s = state;
                s[slot] = Packed::from_fn(|lane| candidate(start + lane as u64));
                inner.permutation.permute_mut(&mut s);
                // `sample_bits` reads the last rate element.
                s[RATE - 1]
                    .as_slice()
                    .iter()
                    .position(|v| v.as_canonical_u64() & mask == 0)
                    .map(|lane| start + lane as u64)
            })
        };
        let threads = current_num_threads().max(1) as u64;
        let mut from = 0u64;
        while from < Val::ORDER_U64 {
            let found: Vec<Option<u64>> = (0..threads)
                .into_par_iter()
                .map(|i| search(from + i * block))
                .collect();
            if let Some(c) = found.into_iter().flatten().next() {
                let witness = candidate(c);
                return self.passes(bits, witness).then_some(witness);
            }
            from += threads * block;
        }
        None
    }
}

impl<T> CanObserve<T> for Challenger
where
    Inner: CanObserve<T>,
{
    fn observe(&mut self, value: T) {
        self.0.observe(value);
    }
}

impl<T> CanSample<T> for Challenger
where
    Inner: CanSample<T>,
{
    fn sample(&mut self) -> T {
        self.0.sample()
    }
}

impl<T> CanSampleBits<T> for Challenger
where
    Inner: CanSampleBits<T>,
{
    fn sample_bits(&mut self, bits: usize) -> T {
        self.0.sample_bits(bits)
    }
}

impl FieldChallenger<Val> for Challenger {}

impl GrindingChallenger for Challenger {
    type Witness = Val;

    /// The smallest passing witness, absorbed. At 0 bits, as the inner
    /// challenger does: zero, and the transcript untouched.
    fn grind(&mut self, bits: usize) -> Val {
        assert!(
            bits < 31,
            "proof of work of {bits} bits exceeds the field's range"
        );
        if bits == 0 {
            return Val::ZERO;
        }
        let witness = self.smallest_witness_packed(bits).unwrap_or_else(|| {
            (0..Val::ORDER_U64)
                .map(Val::from_u64)
                .find(|&w| self.passes(bits, w))
                .expect("some field element passes a proof of work below the field's size")
        });
        assert!(self.0.check_witness(bits, witness));
        witness
    }

    fn check_witness(&mut self, bits: usize, witness: Val) -> bool {
        self.0.check_witness(bits, witness)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stark::config::permutation;
    use alloc::vec::Vec;

    fn challenger_after(inputs: &[u32]) -> Challenger {
        let mut c = Challenger::new(permutation());
        for &x in inputs {
            c.observe(Val::from_u32(x));
        }
        c
    }

    /// The search returns the smallest witness the inner challenger accepts,
    /// at every buffer position, and leaves the transcript where the inner
    /// challenger's own check leaves it.
    #[test]
    fn grind_finds_the_smallest_witness_the_inner_check_accepts() {
        for buffered in 0..RATE as u32 {
            let inputs: Vec<u32> = (0..buffered + 3).map(|i| i * 7 + 1).collect();
            for bits in [1, 4, 8] {
                let mut c = challenger_after(&inputs);
                let smallest = (0u32..)
                    .map(Val::from_u32)
                    .find(|&w| c.passes(bits, w))
                    .unwrap();
                let mut reference = c.clone();
                assert_eq!(c.grind(bits), smallest, "buffered {buffered}, {bits} bits");
                assert!(reference.0.check_witness(bits, smallest));
                let (a, b): (Val, Val) = (c.sample(), reference.0.sample());
                assert_eq!(a, b, "transcripts diverged after grinding");
            }
        }
    }

    #[test]
    fn grind_is_deterministic() {
        let mut a = challenger_after(&[5, 6, 7]);
        let mut b = challenger_after(&[5, 6, 7]);
        assert_eq!(a.grind(12), b.grind(12));
    }

    #[test]
    fn zero_bits_leave_the_transcript_alone() {
        let mut a = challenger_after(&[1, 2]);
        let mut b = a.clone();
        assert_eq!(a.grind(0), Val::ZERO);
        let (x, y): (Val, Val) = (a.sample(), b.sample());
        assert_eq!(x, y);
    }

    #[test]
    fn a_witness_that_fails_is_rejected() {
        let mut c = challenger_after(&[9]);
        let good = c.clone().grind(10);
        let bad = (0u32..)
            .map(Val::from_u32)
            .find(|&w| !c.passes(10, w) && w != good)
            .unwrap();
        assert!(!c.check_witness(10, bad));
    }
}
