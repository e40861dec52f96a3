//! The hash functions of the memory commitment, all built on one permutation:
//! Poseidon2 over KoalaBear, width 16, with Plonky3 0.8.0's default round
//! constants (`p3_koala_bear::default_koalabear_poseidon2_16`).
//!
//! The state is 16 field elements: a rate of 8 (`state[0..8]`) and a capacity
//! of 8 (`state[8..16]`). A digest is `state[0..8]` after the last
//! permutation. Three functions use the permutation, each with its own domain:
//!
//! - [`sponge`] (leaves and the state digest): the capacity starts as an IV
//!   `[tag, param, 0, 0, 0, 0, 0, 0]`; each 8-element block overwrites the
//!   rate and is followed by one permutation; the digest is the rate.
//! - [`compress`] (internal tree nodes): `P(L ‖ R)[0..8] + L`, element-wise
//!   (a feed-forward of the left child).
//!
//! Why the feed-forward: a node takes two whole digests, so it has no spare
//! capacity for a tag. Without it, every sponge output `P(x)[0..8]` would also
//! be the node of `x[0..8] ‖ x[8..16]`, and a leaf could be "opened" as an
//! internal node — the shape of the OpenVM "rows below the leaves" attack.
//! With it, turning a sponge output into a node output (or back) needs a
//! partial preimage of the permutation.

use p3_field::{PrimeCharacteristicRing, PrimeField32};
use p3_koala_bear::{default_koalabear_poseidon2_16, KoalaBear, Poseidon2KoalaBear};
use p3_symmetric::Permutation;

use crate::digest::Digest;

/// Permutation width.
pub const WIDTH: usize = 16;
/// Elements absorbed per permutation (and digest length).
pub const RATE: usize = 8;

/// Domain tag of page leaves (capacity element 0 of the sponge IV).
pub const LEAF_DOMAIN: u32 = 1;
/// Domain tag of state digests (capacity element 0 of the sponge IV).
pub const STATE_DOMAIN: u32 = 2;

static PERMUTATION: spin::LazyLock<Poseidon2KoalaBear<WIDTH>> =
    spin::LazyLock::new(default_koalabear_poseidon2_16);

/// The Poseidon2-KoalaBear-16 permutation, built once.
pub fn permutation() -> &'static Poseidon2KoalaBear<WIDTH> {
    &PERMUTATION
}

/// Applies the permutation to 16 canonical elements given as `u32`s (values
/// `>= p` are reduced). Exposed for known-answer tests and for in-circuit
/// cross-checks.
pub fn permute(state: [u32; WIDTH]) -> [u32; WIDTH] {
    let mut s = state.map(KoalaBear::new);
    permutation().permute_mut(&mut s);
    s.map(|x| x.as_canonical_u32())
}

fn to_field(d: &Digest) -> [KoalaBear; RATE] {
    d.0.map(KoalaBear::new)
}

fn from_field(x: &[KoalaBear]) -> Digest {
    let mut out = [0u32; RATE];
    for (o, x) in out.iter_mut().zip(x) {
        *o = x.as_canonical_u32();
    }
    Digest(out)
}

/// 2-to-1 compression of internal tree nodes:
/// `compress(L, R)[i] = P(L ‖ R)[i] + L[i]` for `i` in `0..8`.
///
/// Inputs must be canonical (every digest built here is; digests from bytes
/// are checked by [`Digest::from_bytes`]).
pub fn compress(left: &Digest, right: &Digest) -> Digest {
    let l = to_field(left);
    let r = to_field(right);
    let mut state = [KoalaBear::ZERO; WIDTH];
    state[..RATE].copy_from_slice(&l);
    state[RATE..].copy_from_slice(&r);
    permutation().permute_mut(&mut state);
    for (s, l) in state[..RATE].iter_mut().zip(l) {
        *s += l;
    }
    from_field(&state[..RATE])
}

/// The sponge of the memory commitment: capacity IV
/// `[tag, param, 0, 0, 0, 0, 0, 0]`, then for each 8-element block of
/// `blocks`, overwrite the rate with it and permute. Returns the rate.
///
/// `param` is the element count for leaves and carries the pc for state
/// digests (see [`super::state_digest`]); together with the tag it fixes the
/// input length, so no padding is needed. With no blocks the result is the
/// rate of the IV, i.e. zero: callers always absorb at least one block.
pub fn sponge(
    tag: u32,
    params: [u32; 2],
    blocks: impl IntoIterator<Item = [KoalaBear; RATE]>,
) -> Digest {
    let mut state = [KoalaBear::ZERO; WIDTH];
    state[RATE] = KoalaBear::new(tag);
    state[RATE + 1] = KoalaBear::new(params[0]);
    state[RATE + 2] = KoalaBear::new(params[1]);
    let perm = permutation();
    for block in blocks {
        state[..RATE].copy_from_slice(&block);
        perm.permute_mut(&mut state);
    }
    from_field(&state[..RATE])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compress_is_feed_forward_of_the_permutation() {
        let l = Digest([1, 2, 3, 4, 5, 6, 7, 8]);
        let r = Digest([9, 10, 11, 12, 13, 14, 15, 16]);
        let mut input = [0u32; WIDTH];
        input[..8].copy_from_slice(&l.0);
        input[8..].copy_from_slice(&r.0);
        let out = permute(input);
        let p = crate::digest::KOALABEAR_MODULUS as u64;
        let want: [u32; 8] = core::array::from_fn(|i| ((out[i] as u64 + l.0[i] as u64) % p) as u32);
        assert_eq!(compress(&l, &r).0, want);
        // Order matters.
        assert_ne!(compress(&l, &r), compress(&r, &l));
    }

    #[test]
    fn sponge_overwrites_the_rate() {
        let block = [KoalaBear::new(7); RATE];
        let mut state = [0u32; WIDTH];
        state[..8].copy_from_slice(&[7; 8]);
        state[8] = LEAF_DOMAIN;
        state[9] = 8;
        let want = permute(state);
        assert_eq!(sponge(LEAF_DOMAIN, [8, 0], [block]).0, want[..8]);
        // Another tag or parameter gives another digest.
        assert_ne!(
            sponge(STATE_DOMAIN, [8, 0], [block]),
            sponge(LEAF_DOMAIN, [8, 0], [block])
        );
        assert_ne!(
            sponge(LEAF_DOMAIN, [8, 1], [block]),
            sponge(LEAF_DOMAIN, [8, 0], [block])
        );
    }

    #[test]
    fn permutation_is_not_identity_and_outputs_are_canonical() {
        let out = permute([0; WIDTH]);
        assert_ne!(out, [0; WIDTH]);
        assert!(out.iter().all(|&x| x < crate::digest::KOALABEAR_MODULUS));
    }
}
