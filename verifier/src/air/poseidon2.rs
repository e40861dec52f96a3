//! The Poseidon2 tables: the permutations of the memory hash, in one of two
//! layouts.
//!
//! Every permutation proves `out = P(in)` for the width-16 KoalaBear
//! Poseidon2 that commits memory (`docs/memory.md` §1: S-box `x^3`, 4 + 4
//! full rounds, 20 partial rounds, Plonky3's default constants), and provides
//! the pair `(in ‖ out)` on the [`PERM_BUS`] `mult` times. Tables that need a
//! hash (the page table's leaf sponges, the Merkle table's compressions)
//! consume pairs from the bus, so every permutation they use is one a
//! Poseidon2 table proved.
//!
//! A permutation keeps the state after every round: the state after each
//! full round (16 cells) and the S-box output of each partial round (1
//! cell), so every round is one S-box of degree 3. The cells sit in one of
//! two layouts ([`Layout`]); an epoch proof holds exactly one of the two
//! tables ([`super::TableSet::check`]), the prover's choice:
//!
//! - **Wide**: one row of 165 columns per permutation, no selector, degree 3.
//! - **Narrow**: two rows of 84 columns. The first row holds the input, the
//!   first four full rounds and the first [`PARTIAL_SPLIT`] partial rounds;
//!   the second, in the same columns, the other partial rounds and the last
//!   four full rounds. The rounds are checked on first rows, reading the
//!   second row as the next row, behind the `first` selector (degree 4).
//!   `first` alternates from 1 on row 0, so with an even height every first
//!   row has its second row below it and the last row is a second row (the
//!   wrap to row 0 is never read by an active constraint); a second row
//!   provides nothing (`mult` is zero there).
//!
//! A proof opens every column of every table at each query whatever its
//! height, so the narrow layout takes 81 opened elements off every query;
//! but it quadruples the quotient work per permutation, so it only pays
//! when an epoch uses few permutations (`docs/proof-system.md`).
//!
//! In both layouts a permutation whose `mult` is zero is still a valid one
//! (padding permutes zeros), and `mult` is free otherwise (a provided entry):
//! whatever its value, only true pairs reach the bus.

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

/// Partial rounds on a narrow permutation's first row (the rest are on its
/// second): 16 + 4 × 16 + 2 = 82 = 18 + 4 × 16 cells, both rows equally
/// wide.
pub const PARTIAL_SPLIT: usize = 2;

/// How a Poseidon2 table lays out one permutation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Layout {
    /// One row per permutation.
    #[default]
    Wide,
    /// Two rows per permutation, half as wide.
    Narrow,
}

impl Layout {
    /// Table rows per permutation.
    pub const fn rows_per_perm(self) -> usize {
        match self {
            Layout::Wide => 1,
            Layout::Narrow => 2,
        }
    }
}

/// Where one cell of a permutation sits: which of its rows (0 or 1), which
/// column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cell {
    pub row: usize,
    pub col: usize,
}

impl Cell {
    /// The cell's index in a permutation's rows laid end to end.
    pub fn index(&self, width: usize) -> usize {
        self.row * width + self.col
    }
}

fn cells<const N: usize>(a: &mut ColumnAlloc, row: usize) -> [Cell; N] {
    a.many().map(|col| Cell { row, col })
}

/// Column indices of a Poseidon2 table.
#[derive(Clone, Debug)]
pub struct Poseidon2Cols {
    /// Narrow only: 1 on a permutation's first row, 0 on its second.
    pub first: Option<usize>,
    /// How many times the pair is provided on the bus (first row).
    pub mult: usize,
    pub input: [Cell; WIDTH],
    /// State after each of the first four full rounds.
    pub head: [[Cell; WIDTH]; HALF_FULL_ROUNDS],
    /// S-box output of each partial round (state element 0).
    pub partial: [Cell; PARTIAL_ROUNDS],
    /// State after each of the last four full rounds; the last is the output.
    pub tail: [[Cell; WIDTH]; HALF_FULL_ROUNDS],
    pub width: usize,
}

impl Poseidon2Cols {
    pub fn new(layout: Layout) -> Self {
        let mut a = ColumnAlloc::default();
        match layout {
            Layout::Wide => {
                let input = cells(&mut a, 0);
                let head = core::array::from_fn(|_| cells(&mut a, 0));
                let partial = cells(&mut a, 0);
                let tail = core::array::from_fn(|_| cells(&mut a, 0));
                let mult = a.one();
                Poseidon2Cols {
                    first: None,
                    mult,
                    input,
                    head,
                    partial,
                    tail,
                    width: a.width(),
                }
            }
            Layout::Narrow => {
                let first = a.one();
                let mult = a.one();
                let start = a.width();
                let input = cells(&mut a, 0);
                let head = core::array::from_fn(|_| cells(&mut a, 0));
                let partial_head: [Cell; PARTIAL_SPLIT] = cells(&mut a, 0);
                // The second row reuses the first row's cell columns.
                let mut b = ColumnAlloc::default();
                for _ in 0..start {
                    b.one();
                }
                let partial_tail: [Cell; PARTIAL_ROUNDS - PARTIAL_SPLIT] = cells(&mut b, 1);
                let tail = core::array::from_fn(|_| cells(&mut b, 1));
                assert_eq!(a.width(), b.width(), "both rows equally wide");
                Poseidon2Cols {
                    first: Some(first),
                    mult,
                    input,
                    head,
                    partial: core::array::from_fn(|i| match i.checked_sub(PARTIAL_SPLIT) {
                        None => partial_head[i],
                        Some(j) => partial_tail[j],
                    }),
                    tail,
                    width: a.width(),
                }
            }
        }
    }

    /// The output state's cells.
    pub fn output(&self) -> [Cell; WIDTH] {
        self.tail[HALF_FULL_ROUNDS - 1]
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

/// A Poseidon2 table's AIR, in either layout.
#[derive(Clone, Copy, Debug, Default)]
pub struct Poseidon2Air {
    pub layout: Layout,
}

impl Poseidon2Air {
    pub const WIDE: Poseidon2Air = Poseidon2Air {
        layout: Layout::Wide,
    };
    pub const NARROW: Poseidon2Air = Poseidon2Air {
        layout: Layout::Narrow,
    };
}

impl<F> BaseAir<F> for Poseidon2Air {
    fn width(&self) -> usize {
        Poseidon2Cols::new(self.layout).width
    }
}

/// Asserts every round of the permutation whose cells `cell` reads: each
/// full round's 16 S-boxes and linear layer against the state after it,
/// each partial round's S-box against its output cell.
fn check_rounds<B: AirBuilder>(builder: &mut B, c: &Poseidon2Cols, cell: impl Fn(Cell) -> B::Expr) {
    let (initial, partial, last) = round_constants();
    let k = |x: u32| B::Expr::from_u32(x);
    let cube = |x: B::Expr| x.clone() * x.clone() * x;
    let mut state: [B::Expr; WIDTH] = c.input.map(&cell);
    external_layer(&mut state);
    let full_round =
        |builder: &mut B, state: &mut [B::Expr; WIDTH], rc: &[u32; WIDTH], post: &[Cell; WIDTH]| {
            for (s, &r) in state.iter_mut().zip(rc) {
                *s = cube(s.clone() + k(r));
            }
            external_layer(state);
            for (s, &p) in state.iter_mut().zip(post) {
                builder.assert_eq(s.clone(), cell(p));
                *s = cell(p);
            }
        };
    for (rc, post) in initial.iter().zip(&c.head) {
        full_round(builder, &mut state, rc, post);
    }
    for (&rc, &post) in partial.iter().zip(&c.partial) {
        builder.assert_eq(cube(state[0].clone() + k(rc)), cell(post));
        state[0] = cell(post);
        internal_layer(&mut state);
    }
    for (rc, post) in last.iter().zip(&c.tail) {
        full_round(builder, &mut state, rc, post);
    }
}

impl<AB: InteractionBuilder> Air<AB> for Poseidon2Air
where
    AB::F: Field,
{
    fn eval(&self, builder: &mut AB) {
        let c = Poseidon2Cols::new(self.layout);
        let main = builder.main();
        let rows: [Vec<AB::Expr>; 2] = [
            main.current_slice().iter().map(|&v| v.into()).collect(),
            match self.layout {
                Layout::Wide => Vec::new(),
                Layout::Narrow => main.next_slice().iter().map(|&v| v.into()).collect(),
            },
        ];
        let cell = |x: Cell| rows[x.row][x.col].clone();
        let local = |col: usize| rows[0][col].clone();
        match c.first {
            None => check_rounds(builder, &c, cell),
            Some(col) => {
                // `first` is 1, 0, 1, 0, … from row 0, and a second row
                // provides nothing.
                let (first, next_first) = (local(col), rows[1][col].clone());
                builder.assert_bool(first.clone());
                builder.when_first_row().assert_one(first.clone());
                builder
                    .when_transition()
                    .assert_eq(next_first, AB::Expr::ONE - first.clone());
                builder.assert_zero((AB::Expr::ONE - first.clone()) * local(c.mult));
                check_rounds(&mut builder.when(first), &c, cell);
            }
        }
        let input = c.input.map(cell);
        let output = c.output().map(cell);
        builder.push_interaction(
            PERM_BUS,
            perm_message(&input, &output),
            Count::provided(-local(c.mult)),
        );
    }
}
