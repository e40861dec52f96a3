//! The Poseidon2 table: one permutation of the memory hash per two rows.
//!
//! Every pair of rows proves `out = P(in)` for the width-16 KoalaBear
//! Poseidon2 that commits memory (`docs/memory.md` §1: S-box `x^3`, 4 + 4
//! full rounds, 20 partial rounds, Plonky3's default constants), and
//! provides the pair `(in ‖ out)` on the [`PERM_BUS`] `mult` times. Tables
//! that need a hash (the page table's leaf sponges, the Merkle table's
//! compressions) consume pairs from the bus, so every permutation they use
//! is one this table proved.
//!
//! Columns keep the state after every round: the state after each full
//! round (16 columns) and the S-box output of each partial round (1
//! column), so every round is one S-box of degree 3. A permutation's first
//! row holds its input, the first four full rounds and the first
//! [`PARTIAL_SPLIT`] partial rounds; its second row, in the same columns,
//! the other partial rounds and the last four full rounds. Both rows are 82
//! columns wide instead of one row of 164: a proof opens each column of the
//! table at every query, whatever its height, so half the width takes about
//! 80 opened elements off every query for twice the (few) rows.
//!
//! The constraints are checked on first rows, reading the second row as the
//! next row, behind the `first` selector (degree 4, four quotient chunks).
//! `first` alternates from 1 on row 0, so with an even height every first
//! row has its second row below it and the last row is a second row (the
//! wrap to row 0 is never read by an active constraint). A second row
//! provides nothing (`mult` is zero there); a first row whose `mult` is zero
//! still holds a valid permutation (padding permutes zeros); `mult` is free
//! otherwise (a provided entry): whatever its value, only true pairs reach
//! the bus.

use alloc::vec::Vec;

use p3_air::{Air, AirBuilder, BaseAir, WindowAccess};
use p3_field::{Field, PrimeCharacteristicRing};
use p3_koala_bear::{
    GenericPoseidon2LinearLayersKoalaBear as Layers, KoalaBear,
    KOALABEAR_POSEIDON2_RC_16_EXTERNAL_FINAL, KOALABEAR_POSEIDON2_RC_16_EXTERNAL_INITIAL,
    KOALABEAR_POSEIDON2_RC_16_INTERNAL,
};
use p3_lookup::{Count, InteractionBuilder};
use p3_poseidon2::GenericPoseidon2LinearLayers;

use super::layout::ColumnAlloc;

/// Name of the permutation bus: messages `(in[16], out[16])`.
pub const PERM_BUS: &str = "perm";
/// Permutation width.
pub const WIDTH: usize = 16;
/// Full rounds before and after the partial rounds.
pub const HALF_FULL_ROUNDS: usize = 4;
/// Partial rounds.
pub const PARTIAL_ROUNDS: usize = 20;

/// Table rows per permutation.
pub const ROWS_PER_PERM: usize = 2;

/// Partial rounds on a permutation's first row (the rest are on its
/// second): 16 + 4 × 16 + 2 = 82 = 18 + 4 × 16 columns, both rows equally
/// wide.
pub const PARTIAL_SPLIT: usize = 2;

/// Column indices of the Poseidon2 table.
#[derive(Clone, Debug)]
pub struct Poseidon2Cols {
    /// 1 on a permutation's first row, 0 on its second.
    pub first: usize,
    /// How many times the pair is provided on the bus (first rows only).
    pub mult: usize,
    /// First row: the input.
    pub input: [usize; WIDTH],
    /// First row: the state after each of the first four full rounds.
    pub head: [[usize; WIDTH]; HALF_FULL_ROUNDS],
    /// First row: the S-box output of the first [`PARTIAL_SPLIT`] partial
    /// rounds (state element 0).
    pub partial_head: [usize; PARTIAL_SPLIT],
    /// Second row: the S-box output of the other partial rounds.
    pub partial_tail: [usize; PARTIAL_ROUNDS - PARTIAL_SPLIT],
    /// Second row: the state after each of the last four full rounds; the
    /// last is the output.
    pub tail: [[usize; WIDTH]; HALF_FULL_ROUNDS],
    pub width: usize,
}

impl Poseidon2Cols {
    pub fn new() -> Self {
        let mut a = ColumnAlloc::default();
        let first = a.one();
        let mult = a.one();
        let start = a.width();
        let input = a.many();
        let head = core::array::from_fn(|_| a.many());
        let partial_head = a.many();
        let row_width = a.width() - start;
        // The second row reuses the first row's columns.
        let mut b = ColumnAlloc::default();
        for _ in 0..start {
            b.one();
        }
        let partial_tail = b.many();
        let tail = core::array::from_fn(|_| b.many());
        assert_eq!(b.width() - start, row_width, "both rows equally wide");
        Poseidon2Cols {
            first,
            mult,
            input,
            head,
            partial_head,
            partial_tail,
            tail,
            width: a.width(),
        }
    }

    /// The output state's columns (on the second row).
    pub fn output(&self) -> [usize; WIDTH] {
        self.tail[HALF_FULL_ROUNDS - 1]
    }
}

impl Default for Poseidon2Cols {
    fn default() -> Self {
        Self::new()
    }
}

/// Lays out a [`PERM_BUS`] message.
pub fn perm_message<E: Clone>(input: &[E; WIDTH], output: &[E; WIDTH]) -> Vec<E> {
    input.iter().chain(output.iter()).cloned().collect()
}

/// Consumes the pair `out = P(in)` from [`PERM_BUS`] `count` (boolean) times.
pub fn use_permutation<AB: InteractionBuilder>(
    builder: &mut AB,
    input: &[AB::Expr; WIDTH],
    output: &[AB::Expr; WIDTH],
    count: AB::Expr,
) {
    builder.push_interaction(
        PERM_BUS,
        perm_message(input, output),
        Count::bounded(count, 1),
    );
}

/// The round constants as `u32`s: `(initial full, partial, final full)`.
pub fn round_constants() -> (
    [[u32; WIDTH]; HALF_FULL_ROUNDS],
    [u32; PARTIAL_ROUNDS],
    [[u32; WIDTH]; HALF_FULL_ROUNDS],
) {
    use p3_field::PrimeField32;
    let full =
        |c: &[[KoalaBear; WIDTH]; HALF_FULL_ROUNDS]| c.map(|r| r.map(|x| x.as_canonical_u32()));
    (
        full(&KOALABEAR_POSEIDON2_RC_16_EXTERNAL_INITIAL),
        KOALABEAR_POSEIDON2_RC_16_INTERNAL.map(|x| x.as_canonical_u32()),
        full(&KOALABEAR_POSEIDON2_RC_16_EXTERNAL_FINAL),
    )
}

/// The external (full-round) linear layer over any ring.
pub fn external_layer<R: PrimeCharacteristicRing>(state: &mut [R; WIDTH]) {
    <Layers as GenericPoseidon2LinearLayers<WIDTH>>::external_linear_layer(state);
}

/// The internal (partial-round) linear layer over any ring.
pub fn internal_layer<R: PrimeCharacteristicRing>(state: &mut [R; WIDTH]) {
    <Layers as GenericPoseidon2LinearLayers<WIDTH>>::internal_linear_layer(state);
}

/// The Poseidon2 table's AIR.
#[derive(Clone, Copy, Debug, Default)]
pub struct Poseidon2Air;

impl<F> BaseAir<F> for Poseidon2Air {
    fn width(&self) -> usize {
        Poseidon2Cols::new().width
    }
}

impl<AB: InteractionBuilder> Air<AB> for Poseidon2Air
where
    AB::F: Field,
{
    fn eval(&self, builder: &mut AB) {
        let c = Poseidon2Cols::new();
        let main = builder.main();
        let local: Vec<AB::Expr> = main.current_slice().iter().map(|&v| v.into()).collect();
        let next: Vec<AB::Expr> = main.next_slice().iter().map(|&v| v.into()).collect();
        let l = |i: usize| local[i].clone();
        let n = |i: usize| next[i].clone();
        let first = l(c.first);
        let one = AB::Expr::ONE;

        // `first` is 1, 0, 1, 0, … from row 0, and a second row provides
        // nothing.
        builder.assert_bool(first.clone());
        builder.when_first_row().assert_one(first.clone());
        builder
            .when_transition()
            .assert_eq(n(c.first), one.clone() - first.clone());
        builder.assert_zero((one - first.clone()) * l(c.mult));

        let (initial, partial, last) = round_constants();
        let k = |x: u32| AB::Expr::from_u32(x);
        let cube = |x: AB::Expr| x.clone() * x.clone() * x;
        // Every round's check, on first rows only (`gate`), reading the
        // second row's columns through `n`.
        let mut gated = builder.when(first);
        let mut state: [AB::Expr; WIDTH] = c.input.map(l);
        external_layer(&mut state);
        let full_round = |builder: &mut _,
                          state: &mut [AB::Expr; WIDTH],
                          rc: &[u32; WIDTH],
                          post: [AB::Expr; WIDTH]| {
            for (s, &r) in state.iter_mut().zip(rc) {
                *s = cube(s.clone() + k(r));
            }
            external_layer(state);
            for (s, p) in state.iter_mut().zip(post) {
                AirBuilder::assert_eq(builder, s.clone(), p.clone());
                *s = p;
            }
        };
        for (rc, post) in initial.iter().zip(&c.head) {
            full_round(&mut gated, &mut state, rc, post.map(l));
        }
        let sboxes = c
            .partial_head
            .map(l)
            .into_iter()
            .chain(c.partial_tail.map(n));
        for (&rc, post) in partial.iter().zip(sboxes) {
            gated.assert_eq(cube(state[0].clone() + k(rc)), post.clone());
            state[0] = post;
            internal_layer(&mut state);
        }
        for (rc, post) in last.iter().zip(&c.tail) {
            full_round(&mut gated, &mut state, rc, post.map(n));
        }
        let input = c.input.map(l);
        let output = c.output().map(n);
        builder.push_interaction(
            PERM_BUS,
            perm_message(&input, &output),
            Count::provided(-l(c.mult)),
        );
    }
}
