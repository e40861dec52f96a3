//! The SHA-256 round table: one compression per 65 rows.
//!
//! Row `t < 64` holds the working state before round `t` and row 64 the
//! state after the last round. `a, b, c, e, f, g` are 32 boolean columns
//! each; `d` and `h` are two 16-bit limbs (each is `c`, `g` of the row
//! before, so its range follows from those bits). Each row also holds the
//! message schedule's window `w[t..t + 16]` as limbs, shifted by one per
//! row; rows `t < 48` compute `w[t + 16]` into the next row's window. A
//! 65-way one-hot `step` (cycled row to row from the first row, as in
//! Plonky3's Keccak AIR) selects the round constant in degree 1 and says
//! which rows exchange messages.
//!
//! A field element holds 31 bits, so every word sum runs on 16-bit limbs,
//! low limb first, with its carry as bits: the new `a` adds seven words
//! (carries `0..7`), the new `e` six, a schedule word four. Each limb side
//! of those equations stays below `2^20 < p`, so they hold over the
//! integers. `Σ0(a)`, `Σ1(e)`, `Maj(a, b, c)`, `σ0(w[t + 1])` and
//! `σ1(w[t + 14])` are limb columns equal to their degree-3 bit formulas
//! on every row; `Ch(e, f, g)` (degree 2) is used inline. The bits of
//! `w[t + 1]` and `w[t + 14]` are columns tied to the window's limbs on
//! every row, which also range-checks every schedule word (each passes
//! position 14 at a row `<= 49`).
//!
//! Messages on [`SHA256_BUS`] `(clk, tag, lo, hi)` tie a compression to
//! its call in the [`super::sha256_mem`] table, all with multiplicity
//! `real` (boolean, constant over the 65 rows):
//! - received, tags `0..8` ([`TAG_STATE_IN`]): the state words `H[0..8]`.
//!   `H[j]` is `d` at row `3 - j` and `H[4 + j]` is `h` at row `3 - j`
//!   (where the shift register has moved row 0's `a, b, c` and `e, f, g`);
//! - received, tags `64..80` ([`TAG_BLOCK`]): the block words, `w[t]` on
//!   row `t < 16`;
//! - sent, tags `32..40` ([`TAG_STATE_OUT`]): the state after 64 rounds,
//!   `F[j]` is `a` at row `64 - j` and `F[4 + j]` is `e` at row `64 - j`.
//!
//! The memory table adds `F` to `H`. Padding compressions (and a partial
//! one cut off by the power-of-two height) have `real = 0`: they satisfy
//! the round constraints but exchange nothing. A real compression cut
//! short never sends its output, so the bus cannot balance.

use alloc::vec::Vec;

use p3_air::{Air, AirBuilder, BaseAir};
use p3_field::{Field, PrimeCharacteristicRing};
use p3_lookup::{Count, InteractionBuilder};

use super::layout::ColumnAlloc;

/// Name of the bus between the SHA-256 memory table and the round table.
pub const SHA256_BUS: &str = "sha256";

/// Rounds of one compression.
pub const ROUNDS: usize = 64;
/// Rows per compression: the state before each round, then after the last.
pub const ROWS_PER_CALL: usize = ROUNDS + 1;
/// Words of the state and of the block.
pub const STATE_WORDS: usize = 8;
pub const BLOCK_WORDS: usize = 16;

/// [`SHA256_BUS`] tags: state word `j` in, state word `j` out (after the
/// rounds, before the addition), block word `j`. The three ranges are far
/// apart, so a memory row claiming the wrong kind sends or receives a tag
/// no one else uses (`super::sha256_mem`).
pub const TAG_STATE_IN: u32 = 0;
pub const TAG_STATE_OUT: u32 = 32;
pub const TAG_BLOCK: u32 = 64;

/// The round constants: the first 32 bits of the fractional parts of the
/// cube roots of the first 64 primes (FIPS 180-4, 4.2.2), computed here
/// rather than transcribed.
pub const K: [u32; ROUNDS] = round_constants();

const fn round_constants() -> [u32; ROUNDS] {
    let mut out = [0u32; ROUNDS];
    let (mut n, mut p) = (0, 2u128);
    while n < ROUNDS {
        let mut q = 2;
        let mut prime = true;
        while q * q <= p {
            if p % q == 0 {
                prime = false;
            }
            q += 1;
        }
        if prime {
            // floor(cbrt(p) * 2^32) = floor(cbrt(p * 2^96)), below 2^40.
            let target = p << 96;
            let (mut lo, mut hi) = (0u128, 1u128 << 40);
            while lo < hi {
                let mid = (lo + hi).div_ceil(2);
                if mid * mid * mid <= target {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            out[n] = lo as u32;
            n += 1;
        }
        p += 1;
    }
    out
}

/// Lays out a [`SHA256_BUS`] message: a word as two 16-bit limbs.
pub fn sha256_message<E>(clk: E, tag: E, limbs: [E; 2]) -> Vec<E> {
    let [lo, hi] = limbs;
    alloc::vec![clk, tag, lo, hi]
}

/// Column indices of the round table.
#[derive(Clone, Debug)]
pub struct Sha256Cols {
    pub clk: usize,
    pub real: usize,
    /// One-hot: the row's place in its compression, `0..=64`.
    pub step: [usize; ROWS_PER_CALL],
    /// Working variables: bits, least significant first.
    pub a: [usize; 32],
    pub b: [usize; 32],
    pub c: [usize; 32],
    pub e: [usize; 32],
    pub f: [usize; 32],
    pub g: [usize; 32],
    /// `d` and `h` as 16-bit limbs, low first.
    pub d: [usize; 2],
    pub h: [usize; 2],
    /// Schedule window `w[t..t + 16]`, limbs.
    pub w: [[usize; 2]; BLOCK_WORDS],
    /// Bits of `w[t + 1]` and `w[t + 14]`.
    pub w1_bits: [usize; 32],
    pub w14_bits: [usize; 32],
    /// `Σ0(a)`, `Σ1(e)`, `Maj(a, b, c)`, `σ0(w[t + 1])`, `σ1(w[t + 14])`.
    pub big_sigma0: [usize; 2],
    pub big_sigma1: [usize; 2],
    pub maj: [usize; 2],
    pub small_sigma0: [usize; 2],
    pub small_sigma1: [usize; 2],
    /// Carries (bits) out of the low and the high limb of the new `a`,
    /// the new `e` and the new schedule word.
    pub carry_a: [[usize; 3]; 2],
    pub carry_e: [[usize; 3]; 2],
    pub carry_w: [[usize; 2]; 2],
    pub width: usize,
}

impl Sha256Cols {
    pub fn new() -> Self {
        let mut a = ColumnAlloc::default();
        let mut c = Sha256Cols {
            clk: a.one(),
            real: a.one(),
            step: a.many(),
            a: a.many(),
            b: a.many(),
            c: a.many(),
            e: a.many(),
            f: a.many(),
            g: a.many(),
            d: a.many(),
            h: a.many(),
            w: core::array::from_fn(|_| a.many()),
            w1_bits: a.many(),
            w14_bits: a.many(),
            big_sigma0: a.many(),
            big_sigma1: a.many(),
            maj: a.many(),
            small_sigma0: a.many(),
            small_sigma1: a.many(),
            carry_a: [a.many(), a.many()],
            carry_e: [a.many(), a.many()],
            carry_w: [a.many(), a.many()],
            width: 0,
        };
        c.width = a.width();
        c
    }

    /// Every column constrained boolean.
    pub fn bit_columns(&self) -> Vec<usize> {
        let mut v = Vec::new();
        for bits in [
            &self.a,
            &self.b,
            &self.c,
            &self.e,
            &self.f,
            &self.g,
            &self.w1_bits,
            &self.w14_bits,
        ] {
            v.extend_from_slice(bits);
        }
        for carry in self.carry_a.iter().chain(&self.carry_e) {
            v.extend_from_slice(carry);
        }
        for carry in &self.carry_w {
            v.extend_from_slice(carry);
        }
        v.push(self.real);
        v
    }
}

impl Default for Sha256Cols {
    fn default() -> Self {
        Self::new()
    }
}

// Not inlined: the verifier runs them once per proof, and each inlined copy
// over extension-field values would add kilobytes to the WebAssembly module.
// No `double()` in these helpers: on Plonky3's symbolic expressions it
// shares its operand twice, and the lookup messages are evaluated by walking
// the expression tree, so a doubling fold costs `2^depth` per row.

/// `x xor y` of bits (degree 2 in bits).
fn xor<E: PrimeCharacteristicRing>(x: E, y: E) -> E {
    x.clone() + y.clone() - x * y * E::TWO
}

/// `Σ bits[i] 2^i` (the bits: any expressions).
#[inline(never)]
pub fn weighted<E: PrimeCharacteristicRing>(bits: &[E]) -> E {
    bits.iter()
        .enumerate()
        .fold(E::ZERO, |acc, (i, b)| acc + b.clone() * E::from_u32(1 << i))
}

/// `Σ step[t] value(t)`: a constant per step, selected in degree 1 by the
/// one-hot step.
#[inline(never)]
fn select<E: PrimeCharacteristicRing>(step: &[E], value: &dyn Fn(usize) -> u32) -> E {
    step.iter()
        .enumerate()
        .filter(|(t, _)| value(*t) != 0)
        .fold(E::ZERO, |acc, (t, s)| {
            acc + s.clone() * E::from_u32(value(t))
        })
}

/// The two 16-bit limbs of a word given by its bits.
pub fn limbs_of<E: PrimeCharacteristicRing>(bits: &[E; 32]) -> [E; 2] {
    [weighted(&bits[..16]), weighted(&bits[16..])]
}

/// `ROTR r1 ^ ROTR r2 ^ (ROTR r3 or, if `shift`, SHR r3)` of a word's bits.
#[inline(never)]
fn sigma<E: PrimeCharacteristicRing>(x: &[E; 32], r: [usize; 3], shift: bool) -> [E; 32] {
    core::array::from_fn(|i| {
        let two = xor(x[(i + r[0]) % 32].clone(), x[(i + r[1]) % 32].clone());
        if !shift {
            xor(two, x[(i + r[2]) % 32].clone())
        } else if i + r[2] < 32 {
            xor(two, x[i + r[2]].clone())
        } else {
            two
        }
    })
}

/// `Σ0`, `Σ1`, `σ0`, `σ1` (FIPS 180-4, 4.1.2) on bits.
pub fn big_sigma0<E: PrimeCharacteristicRing>(x: &[E; 32]) -> [E; 32] {
    sigma(x, [2, 13, 22], false)
}
pub fn big_sigma1<E: PrimeCharacteristicRing>(x: &[E; 32]) -> [E; 32] {
    sigma(x, [6, 11, 25], false)
}
pub fn small_sigma0<E: PrimeCharacteristicRing>(x: &[E; 32]) -> [E; 32] {
    sigma(x, [7, 18, 3], true)
}
pub fn small_sigma1<E: PrimeCharacteristicRing>(x: &[E; 32]) -> [E; 32] {
    sigma(x, [17, 19, 10], true)
}

/// `Maj(x, y, z)` and `Ch(x, y, z)` on bits.
#[inline(never)]
pub fn maj<E: PrimeCharacteristicRing>(x: &[E; 32], y: &[E; 32], z: &[E; 32]) -> [E; 32] {
    core::array::from_fn(|i| {
        let (x, y, z) = (x[i].clone(), y[i].clone(), z[i].clone());
        x.clone() * y.clone() + x.clone() * z.clone() + y.clone() * z.clone() - x * y * z * E::TWO
    })
}
#[inline(never)]
pub fn ch<E: PrimeCharacteristicRing>(x: &[E; 32], y: &[E; 32], z: &[E; 32]) -> [E; 32] {
    core::array::from_fn(|i| x[i].clone() * (y[i].clone() - z[i].clone()) + z[i].clone())
}

/// The SHA-256 round table's AIR.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sha256Air;

impl<F> BaseAir<F> for Sha256Air {
    fn width(&self) -> usize {
        Sha256Cols::new().width
    }
}

impl<AB: InteractionBuilder> Air<AB> for Sha256Air
where
    AB::F: Field,
{
    fn eval(&self, builder: &mut AB) {
        let c = Sha256Cols::new();
        let (local, next) = super::layout::rows(builder);
        let l = |i: usize| local[i].clone();
        let n = |i: usize| next[i].clone();
        let k = |x: u32| AB::Expr::from_u32(x);
        let bits = |cols: &[usize; 32], row: &[AB::Expr]| cols.map(|i| row[i].clone());
        let limbs = |cols: [usize; 2], row: &[AB::Expr]| cols.map(|i| row[i].clone());
        let base = k(1 << 16);

        for i in c.bit_columns() {
            builder.assert_bool(l(i));
        }

        // ---- The step cycles 0, 1, .., 64, 0, .. from the first row ----
        let step = c.step.map(&l);
        builder.when_first_row().assert_one(step[0].clone());
        for s in &step[1..] {
            builder.when_first_row().assert_zero(s.clone());
        }
        for (i, s) in step.iter().enumerate() {
            builder
                .when_transition()
                .assert_eq(n(c.step[(i + 1) % ROWS_PER_CALL]), s.clone());
        }
        let sum = |range: core::ops::Range<usize>| select(&step, &|t| range.contains(&t) as u32);
        let round = sum(0..ROUNDS);
        let schedule = sum(0..ROUNDS - BLOCK_WORDS);
        let k_limb = |half: usize| {
            select(&step, &|t| {
                K.get(t).map_or(0, |k| (k >> (16 * half)) & 0xffff)
            })
        };

        // ---- The functions of this row's bits, as limb columns ----
        let (a, b, cc) = (bits(&c.a, &local), bits(&c.b, &local), bits(&c.c, &local));
        let (e, f, g) = (bits(&c.e, &local), bits(&c.f, &local), bits(&c.g, &local));
        let w1 = bits(&c.w1_bits, &local);
        let w14 = bits(&c.w14_bits, &local);
        for (cols, value) in [
            (c.big_sigma0, limbs_of(&big_sigma0(&a))),
            (c.big_sigma1, limbs_of(&big_sigma1(&e))),
            (c.maj, limbs_of(&maj(&a, &b, &cc))),
            (c.small_sigma0, limbs_of(&small_sigma0(&w1))),
            (c.small_sigma1, limbs_of(&small_sigma1(&w14))),
            (c.w[1], limbs_of(&w1)),
            (c.w[14], limbs_of(&w14)),
        ] {
            for (col, v) in cols.into_iter().zip(value) {
                builder.assert_eq(l(col), v);
            }
        }
        let ch = limbs_of(&ch(&e, &f, &g));

        // ---- One round: the shift register and the new a and e ----
        let mut t = builder.when_transition();
        t.assert_zero(round.clone() * (n(c.clk) - l(c.clk)));
        t.assert_zero(round.clone() * (n(c.real) - l(c.real)));
        // Equal limbs of boolean bits: equal bits.
        for (from, to) in [(&c.a, &c.b), (&c.b, &c.c), (&c.e, &c.f), (&c.f, &c.g)] {
            let (x, y) = (limbs_of(&bits(from, &local)), limbs_of(&bits(to, &next)));
            for (x, y) in x.into_iter().zip(y) {
                t.assert_zero(round.clone() * (y - x));
            }
        }
        for (from, to) in [(&c.c, c.d), (&c.g, c.h)] {
            let value = limbs_of(&bits(from, &local));
            for (v, col) in value.into_iter().zip(to) {
                t.assert_zero(round.clone() * (n(col) - v));
            }
        }
        for j in 0..BLOCK_WORDS - 1 {
            for half in 0..2 {
                t.assert_zero(round.clone() * (n(c.w[j][half]) - l(c.w[j + 1][half])));
            }
        }
        let carry = |cols: &[usize]| weighted(&cols.iter().map(|&i| l(i)).collect::<Vec<_>>());
        let (d, h, w0) = (
            limbs(c.d, &local),
            limbs(c.h, &local),
            limbs(c.w[0], &local),
        );
        let new_a = limbs_of(&bits(&c.a, &next));
        let new_e = limbs_of(&bits(&c.e, &next));
        for half in 0..2 {
            let carry_in = |cols: &[[usize; 3]; 2]| {
                if half == 0 {
                    AB::Expr::ZERO
                } else {
                    carry(&cols[0])
                }
            };
            // T1 without h's own addend: Σ1(e) + Ch(e, f, g) + K[t] + w[t].
            let t1 = l(c.big_sigma1[half]) + ch[half].clone() + k_limb(half) + w0[half].clone();
            let t2 = l(c.big_sigma0[half]) + l(c.maj[half]);
            t.assert_zero(
                round.clone()
                    * (new_a[half].clone() + carry(&c.carry_a[half]) * base.clone()
                        - h[half].clone()
                        - t1.clone()
                        - t2
                        - carry_in(&c.carry_a)),
            );
            t.assert_zero(
                round.clone()
                    * (new_e[half].clone() + carry(&c.carry_e[half]) * base.clone()
                        - d[half].clone()
                        - h[half].clone()
                        - t1
                        - carry_in(&c.carry_e)),
            );
            // w[t + 16] = σ1(w[t + 14]) + w[t + 9] + σ0(w[t + 1]) + w[t].
            let carry_w_in = if half == 0 {
                AB::Expr::ZERO
            } else {
                carry(&c.carry_w[0])
            };
            t.assert_zero(
                schedule.clone()
                    * (n(c.w[BLOCK_WORDS - 1][half]) + carry(&c.carry_w[half]) * base.clone()
                        - l(c.small_sigma1[half])
                        - l(c.w[9][half])
                        - l(c.small_sigma0[half])
                        - w0[half].clone()
                        - carry_w_in),
            );
        }

        // ---- The messages to the memory table ----
        let real = l(c.real);
        let clk = l(c.clk);
        let tagged = |rows: core::ops::Range<usize>, tag: &dyn Fn(usize) -> u32| {
            select(&step, &|t| if rows.contains(&t) { tag(t) } else { 0 })
        };
        let state_in = sum(0..4);
        let state_out = sum(ROUNDS - 3..ROWS_PER_CALL);
        let block = sum(0..BLOCK_WORDS);
        let in_tag = tagged(0..4, &|r| TAG_STATE_IN + 3 - r as u32);
        let out_tag = tagged(ROUNDS - 3..ROWS_PER_CALL, &|r| {
            TAG_STATE_OUT + (ROUNDS - r) as u32
        });
        let messages = [
            (in_tag.clone(), d, -state_in.clone()),
            (in_tag + k(4), h, -state_in),
            (out_tag.clone(), limbs_of(&a), state_out.clone()),
            (out_tag + k(4), limbs_of(&e), state_out),
            (
                tagged(0..BLOCK_WORDS, &|r| TAG_BLOCK + r as u32),
                w0,
                -block,
            ),
        ];
        for (tag, word, count) in messages {
            builder.push_interaction(
                SHA256_BUS,
                sha256_message(clk.clone(), tag, word),
                Count::bounded(real.clone() * count, 1),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_constants_match_fips_180_4() {
        assert_eq!(K[0], 0x428a_2f98);
        assert_eq!(K[1], 0x7137_4491);
        assert_eq!(K[31], 0x1429_2967);
        assert_eq!(K[63], 0xc671_78f2);
    }

    #[test]
    fn bit_formulas_match_the_word_functions() {
        use p3_koala_bear::KoalaBear as F;
        let as_bits = |x: u32| core::array::from_fn::<F, 32, _>(|i| F::from_u32(x >> i & 1));
        let value = |v: [F; 2]| {
            let [lo, hi] = v.map(|x| x.as_canonical_u32());
            lo | hi << 16
        };
        use p3_field::PrimeField32;
        let (x, y, z) = (0x6a09_e667u32, 0xbb67_ae85u32, 0x3c6e_f372u32);
        let (bx, by, bz) = (as_bits(x), as_bits(y), as_bits(z));
        assert_eq!(
            value(limbs_of(&big_sigma0(&bx))),
            x.rotate_right(2) ^ x.rotate_right(13) ^ x.rotate_right(22)
        );
        assert_eq!(
            value(limbs_of(&big_sigma1(&bx))),
            x.rotate_right(6) ^ x.rotate_right(11) ^ x.rotate_right(25)
        );
        assert_eq!(
            value(limbs_of(&small_sigma0(&bx))),
            x.rotate_right(7) ^ x.rotate_right(18) ^ (x >> 3)
        );
        assert_eq!(
            value(limbs_of(&small_sigma1(&bx))),
            x.rotate_right(17) ^ x.rotate_right(19) ^ (x >> 10)
        );
        assert_eq!(
            value(limbs_of(&maj(&bx, &by, &bz))),
            (x & y) ^ (x & z) ^ (y & z)
        );
        assert_eq!(value(limbs_of(&ch(&bx, &by, &bz))), (x & y) ^ (!x & z));
    }
}
