//! The Poseidon2 table: one permutation of the memory hash per row.
//!
//! Every row proves `out = P(in)` for the width-16 KoalaBear Poseidon2 that
//! commits memory (`docs/memory.md` §1: S-box `x^3`, 4 + 4 full rounds, 20
//! partial rounds, Plonky3's default constants), and provides the pair
//! `(in ‖ out)` on the [`PERM_BUS`] `mult` times. Tables that need a hash (the
//! page table's leaf sponges, the Merkle table's compressions) consume pairs
//! from the bus, so every permutation they use is one this table proved.
//!
//! Columns keep the state after every round: the state after each full round
//! (16 columns) and the S-box output of each partial round (1 column), so
//! every constraint is one S-box, of degree 3. A row whose `mult` is zero is
//! still a valid permutation (padding rows permute zeros); `mult` is free
//! (a provided entry): whatever its value, only true pairs reach the bus.

use alloc::vec::Vec;

use p3_air::{Air, BaseAir, WindowAccess};
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

/// Column indices of the Poseidon2 table.
#[derive(Clone, Debug)]
pub struct Poseidon2Cols {
    pub input: [usize; WIDTH],
    /// State after each of the first four full rounds.
    pub head: [[usize; WIDTH]; HALF_FULL_ROUNDS],
    /// S-box output of each partial round (state element 0).
    pub partial: [usize; PARTIAL_ROUNDS],
    /// State after each of the last four full rounds; the last is the output.
    pub tail: [[usize; WIDTH]; HALF_FULL_ROUNDS],
    /// How many times the pair is provided on the bus.
    pub mult: usize,
    pub width: usize,
}

impl Poseidon2Cols {
    pub fn new() -> Self {
        let mut a = ColumnAlloc::default();
        let input = a.many();
        let head = core::array::from_fn(|_| a.many());
        let partial = a.many();
        let tail = core::array::from_fn(|_| a.many());
        let mult = a.one();
        Poseidon2Cols {
            input,
            head,
            partial,
            tail,
            mult,
            width: a.width(),
        }
    }

    /// The output state's columns.
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
        let l = |i: usize| local[i].clone();
        let (initial, partial, last) = round_constants();
        let k = |x: u32| AB::Expr::from_u32(x);
        let cube = |x: AB::Expr| x.clone() * x.clone() * x;

        let mut state: [AB::Expr; WIDTH] = c.input.map(l);
        external_layer(&mut state);
        let full_round = |builder: &mut AB,
                          state: &mut [AB::Expr; WIDTH],
                          rc: &[u32; WIDTH],
                          post: &[usize; WIDTH]| {
            for (s, &r) in state.iter_mut().zip(rc) {
                *s = cube(s.clone() + k(r));
            }
            external_layer(state);
            for (s, &p) in state.iter_mut().zip(post) {
                builder.assert_eq(s.clone(), l(p));
                *s = l(p);
            }
        };
        for (rc, post) in initial.iter().zip(&c.head) {
            full_round(builder, &mut state, rc, post);
        }
        for (&rc, &post) in partial.iter().zip(&c.partial) {
            builder.assert_eq(cube(state[0].clone() + k(rc)), l(post));
            state[0] = l(post);
            internal_layer(&mut state);
        }
        for (rc, post) in last.iter().zip(&c.tail) {
            full_round(builder, &mut state, rc, post);
        }
        let input = c.input.map(l);
        let output = c.output().map(l);
        builder.push_interaction(
            PERM_BUS,
            perm_message(&input, &output),
            Count::provided(-l(c.mult)),
        );
    }
}
