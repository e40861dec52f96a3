//! Keccak-f[1600] in software (FIPS 202, 3.3), for builds outside the VM.
//! The round constants and rotation offsets are derived here from the
//! specification's own definitions rather than tabulated.

/// `rc(t)` of FIPS 202, Algorithm 5: the output of an LFSR over GF(2^8)
/// with feedback polynomial `x^8 + x^6 + x^5 + x^4 + 1`.
const fn rc_bit(t: usize) -> u64 {
    let mut r: u8 = 1;
    let mut i = 0;
    while i < t % 255 {
        let carry = r & 0x80;
        r <<= 1;
        if carry != 0 {
            r ^= 0x71;
        }
        i += 1;
    }
    (r & 1) as u64
}

/// Round constant of round `ir` (Algorithm 6): bit `2^j - 1` is `rc(j + 7 ir)`.
const fn round_constant(ir: usize) -> u64 {
    let mut c = 0u64;
    let mut j = 0;
    while j <= 6 {
        c |= rc_bit(j + 7 * ir) << ((1 << j) - 1);
        j += 1;
    }
    c
}

const ROUND_CONSTANTS: [u64; 24] = {
    let mut rcs = [0u64; 24];
    let mut ir = 0;
    while ir < 24 {
        rcs[ir] = round_constant(ir);
        ir += 1;
    }
    rcs
};

/// ρ's rotation of lane `x + 5 y` (Algorithm 2): walk `(x, y) -> (y, 2x + 3y)`
/// from `(1, 0)`, the `t`-th lane rotated by `(t + 1)(t + 2) / 2`.
const RHO: [u32; 25] = {
    let mut rho = [0u32; 25];
    let (mut x, mut y) = (1usize, 0usize);
    let mut t = 0;
    while t < 24 {
        rho[x + 5 * y] = (((t + 1) * (t + 2) / 2) % 64) as u32;
        let nx = y;
        y = (2 * x + 3 * y) % 5;
        x = nx;
        t += 1;
    }
    rho
};

/// Keccak-f[1600] on lanes `x + 5 y`.
pub(crate) fn permute(a: &mut [u64; 25]) {
    for rc in ROUND_CONSTANTS {
        // θ: every lane absorbs the parities of two neighbouring columns.
        let mut c = [0u64; 5];
        for (x, cx) in c.iter_mut().enumerate() {
            *cx = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        }
        for x in 0..5 {
            let d = c[(x + 4) % 5] ^ c[(x + 1) % 5].rotate_left(1);
            for y in 0..5 {
                a[x + 5 * y] ^= d;
            }
        }
        // ρ and π: lane (x, y) rotates and moves to (y, 2x + 3y).
        let mut b = [0u64; 25];
        for x in 0..5 {
            for y in 0..5 {
                b[y + 5 * ((2 * x + 3 * y) % 5)] = a[x + 5 * y].rotate_left(RHO[x + 5 * y]);
            }
        }
        // χ, then ι.
        for y in 0..5 {
            for x in 0..5 {
                a[x + 5 * y] = b[x + 5 * y] ^ (!b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]);
            }
        }
        a[0] ^= rc;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn agrees_with_tiny_keccak() {
        let mut ours = [0u64; 25];
        let mut theirs = [0u64; 25];
        for round in 0..4u64 {
            for (i, (o, t)) in ours.iter_mut().zip(theirs.iter_mut()).enumerate() {
                let v = (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ round;
                *o ^= v;
                *t ^= v;
            }
            super::permute(&mut ours);
            tiny_keccak::keccakf(&mut theirs);
            assert_eq!(ours, theirs, "after permutation {round}");
        }
    }
}
