//! A table's own constraints as data: one arena of shared sub-expressions
//! and the list of constraint roots, in the order the table asserts them.
//!
//! The verifier checks a table's constraints once per proof, at the
//! out-of-domain point. Compiled, that check is the table's `Air::eval`
//! instantiated over extension-field values, with every field operation
//! inlined: a quarter of the WebAssembly module for code that runs a few
//! thousand operations per proof. Replaying the same expressions from data
//! costs a few kilobytes and computes the same values in the same order,
//! so the folded constraint is bit for bit the one `Air::eval` gives.
//!
//! The arena is built from the symbolic constraints Plonky3 derives from
//! the real table (`shipped`'s tests generate it and fail when it is stale),
//! so it is exactly the table's constraints after Plonky3's constant
//! folding, which only ever replaces an expression by an equal one.

use alloc::vec;
use alloc::vec::Vec;

use p3_air::{AirBuilder, BaseAir, WindowAccess};
use serde::{Deserialize, Serialize};

use super::config::Val;

/// One arena node. Operands are earlier nodes, named by how far back they
/// are (small numbers encode in one byte).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Node {
    /// Main column, this row (`next == false`) or the next.
    Main {
        col: u32,
        next: bool,
    },
    /// Preprocessed column, this row or the next.
    Preprocessed {
        col: u32,
        next: bool,
    },
    Public(u32),
    Periodic(u32),
    IsFirstRow,
    IsLastRow,
    /// Zero only on the last row (two-row window).
    IsTransition,
    Constant(Val),
    Add(u32, u32),
    Sub(u32, u32),
    Neg(u32),
    Mul(u32, u32),
}

/// The arena and the constraint roots.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConstraintDag {
    nodes: Vec<Node>,
    /// Index of each constraint's node, in assertion order.
    roots: Vec<u32>,
}

/// What a table's constraints may read: its widths, the columns whose next
/// row it opens, its public and periodic values.
#[derive(Clone, Debug, Default)]
pub struct TableShape {
    pub main_width: usize,
    pub main_next: Vec<usize>,
    pub preprocessed_width: usize,
    pub preprocessed_next: Vec<usize>,
    pub publics: usize,
    pub periodic: usize,
}

impl TableShape {
    /// The shape `air` declares.
    pub fn of<A: BaseAir<Val>>(air: &A) -> Self {
        TableShape {
            main_width: air.width(),
            main_next: air.main_next_row_columns(),
            preprocessed_width: air.preprocessed_width(),
            preprocessed_next: air.preprocessed_next_row_columns(),
            publics: air.num_public_values(),
            periodic: air.num_periodic_columns(),
        }
    }
}

/// Why a shipped arena is malformed.
#[derive(Debug, PartialEq, Eq)]
pub struct Malformed(pub &'static str);

impl ConstraintDag {
    /// Number of constraints.
    pub fn len(&self) -> usize {
        self.roots.len()
    }

    /// True when the table asserts nothing of its own.
    pub fn is_empty(&self) -> bool {
        self.roots.is_empty()
    }

    /// Number of arena nodes.
    pub fn nodes(&self) -> usize {
        self.nodes.len()
    }

    /// Checks that every operand is an earlier node, every root a node,
    /// every column inside the table's widths, and every next-row read on
    /// a column the table declares it reads there (the only next-row values
    /// a proof opens), so [`Self::replay`] cannot index out of bounds or
    /// read a value the proof does not bind.
    pub fn check(&self, shape: &TableShape) -> Result<(), Malformed> {
        let within = |limit: usize, i: u32| (i as usize) < limit;
        let mask = |width: usize, cols: &[usize]| {
            let mut m = vec![false; width];
            cols.iter()
                .filter(|&&c| c < width)
                .for_each(|&c| m[c] = true);
            m
        };
        let main_next = mask(shape.main_width, &shape.main_next);
        let prep_next = mask(shape.preprocessed_width, &shape.preprocessed_next);
        let column = |width: usize, next_ok: &[bool], col: u32, next: bool| {
            within(width, col) && (!next || next_ok[col as usize])
        };
        for (at, node) in self.nodes.iter().enumerate() {
            let back = |d: u32| d >= 1 && (d as usize) <= at;
            let ok = match *node {
                Node::Main { col, next } => column(shape.main_width, &main_next, col, next),
                Node::Preprocessed { col, next } => {
                    column(shape.preprocessed_width, &prep_next, col, next)
                }
                Node::Public(i) => within(shape.publics, i),
                Node::Periodic(i) => within(shape.periodic, i),
                Node::IsFirstRow | Node::IsLastRow | Node::IsTransition | Node::Constant(_) => true,
                Node::Add(x, y) | Node::Sub(x, y) | Node::Mul(x, y) => back(x) && back(y),
                Node::Neg(x) => back(x),
            };
            if !ok {
                return Err(Malformed(
                    "a node names a missing column, an unopened next row or a later node",
                ));
            }
        }
        if self.roots.iter().any(|&r| !within(self.nodes.len(), r)) {
            return Err(Malformed("a constraint names a missing node"));
        }
        Ok(())
    }

    /// Evaluates every node over `builder`'s values and asserts each root
    /// in order. The arena must have passed [`Self::check`] for the
    /// builder's table.
    pub fn replay<AB: AirBuilder<F = Val>>(&self, builder: &mut AB) {
        let main = builder.main();
        let prep = builder.preprocessed().clone();
        let mut values: Vec<AB::Expr> = Vec::with_capacity(self.nodes.len());
        for (at, node) in self.nodes.iter().enumerate() {
            let get = |d: u32| values[at - d as usize].clone();
            let value: AB::Expr = match *node {
                Node::Main { col, next } => window(&main, col, next).into(),
                Node::Preprocessed { col, next } => window(&prep, col, next).into(),
                Node::Public(i) => builder.public_values()[i as usize].into(),
                Node::Periodic(i) => builder.periodic_values()[i as usize].into(),
                Node::IsFirstRow => builder.is_first_row(),
                Node::IsLastRow => builder.is_last_row(),
                Node::IsTransition => builder.is_transition_window(2),
                Node::Constant(c) => c.into(),
                Node::Add(x, y) => get(x) + get(y),
                Node::Sub(x, y) => get(x) - get(y),
                Node::Neg(x) => -get(x),
                Node::Mul(x, y) => get(x) * get(y),
            };
            values.push(value);
        }
        for &root in &self.roots {
            builder.assert_zero(values[root as usize].clone());
        }
    }
}

fn window<T: Clone, W: WindowAccess<T>>(w: &W, col: u32, next: bool) -> T {
    let row = if next {
        w.next_slice()
    } else {
        w.current_slice()
    };
    row[col as usize].clone()
}

#[cfg(test)]
pub mod build {
    //! Lowering Plonky3's symbolic constraints into an arena.
    extern crate std;

    use std::collections::HashMap;

    use p3_air::symbolic::{BaseEntry, BaseLeaf, SymbolicExpr, SymbolicExpression};

    use super::*;

    /// Builds the arena of `constraints`, sharing every repeated
    /// sub-expression (by structure, so equal sub-trees built twice by the
    /// table's code are stored once).
    pub fn from_symbolic(constraints: &[SymbolicExpression<Val>]) -> ConstraintDag {
        let mut b = Builder::default();
        let roots = constraints.iter().map(|c| b.lower(c)).collect();
        ConstraintDag {
            nodes: b.nodes,
            roots,
        }
    }

    #[derive(Default)]
    struct Builder {
        nodes: Vec<Node>,
        /// Each node by its absolute form (operands as absolute indices).
        interned: HashMap<Node, u32>,
        /// Sub-trees already lowered, by address (shared `Arc`s).
        seen: HashMap<*const SymbolicExpression<Val>, u32>,
    }

    impl Builder {
        fn lower(&mut self, e: &SymbolicExpression<Val>) -> u32 {
            let key: *const SymbolicExpression<Val> = e;
            if let Some(&i) = self.seen.get(&key) {
                return i;
            }
            let absolute = match e {
                SymbolicExpr::Leaf(leaf) => match leaf {
                    BaseLeaf::Variable(v) => {
                        let col = u32::try_from(v.index).unwrap();
                        match v.entry {
                            BaseEntry::Main { offset } => Node::Main {
                                col,
                                next: row_offset(offset),
                            },
                            BaseEntry::Preprocessed { offset } => Node::Preprocessed {
                                col,
                                next: row_offset(offset),
                            },
                            BaseEntry::Public => Node::Public(col),
                            BaseEntry::Periodic => Node::Periodic(col),
                        }
                    }
                    BaseLeaf::IsFirstRow => Node::IsFirstRow,
                    BaseLeaf::IsLastRow => Node::IsLastRow,
                    BaseLeaf::IsTransition => Node::IsTransition,
                    BaseLeaf::Constant(c) => Node::Constant(*c),
                },
                SymbolicExpr::Add { x, y, .. } => Node::Add(self.lower(x), self.lower(y)),
                SymbolicExpr::Sub { x, y, .. } => Node::Sub(self.lower(x), self.lower(y)),
                SymbolicExpr::Neg { x, .. } => Node::Neg(self.lower(x)),
                SymbolicExpr::Mul { x, y, .. } => Node::Mul(self.lower(x), self.lower(y)),
            };
            let index = match self.interned.get(&absolute) {
                Some(&i) => i,
                None => {
                    let i = u32::try_from(self.nodes.len()).unwrap();
                    let back = |x: u32| i - x;
                    self.nodes.push(match absolute {
                        Node::Add(x, y) => Node::Add(back(x), back(y)),
                        Node::Sub(x, y) => Node::Sub(back(x), back(y)),
                        Node::Neg(x) => Node::Neg(back(x)),
                        Node::Mul(x, y) => Node::Mul(back(x), back(y)),
                        leaf => leaf,
                    });
                    self.interned.insert(absolute, i);
                    i
                }
            };
            self.seen.insert(key, index);
            index
        }
    }

    fn row_offset(offset: usize) -> bool {
        match offset {
            0 => false,
            1 => true,
            _ => panic!("constraints span two rows"),
        }
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec;

    use p3_air::{Air, BaseAir};
    use p3_batch_stark::folder::VerifierConstraintFolderWithLookups;
    use p3_field::{BasedVectorSpace, PrimeCharacteristicRing};
    use p3_matrix::dense::RowMajorMatrixView;
    use p3_matrix::stack::VerticalPair;
    use p3_uni_stark::VerifierConstraintFolder;

    use super::*;
    use crate::air::epoch_airs;
    use crate::params::ProofParams;
    use crate::stark::config::{Challenge, SluiceConfig};
    use crate::stark::shipped::ShippedAir;

    /// A deterministic stream of extension-field elements.
    struct Values(u64);

    impl Values {
        fn next(&mut self) -> Challenge {
            Challenge::from_basis_coefficients_fn(|_| {
                self.0 = self
                    .0
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                Val::from_u32((self.0 >> 33) as u32)
            })
        }
        fn many(&mut self, n: usize) -> Vec<Challenge> {
            (0..n).map(|_| self.next()).collect()
        }
    }

    fn view(row: &[Challenge]) -> RowMajorMatrixView<'_, Challenge> {
        RowMajorMatrixView::new(row, row.len().max(1))
    }

    /// Folds a table's constraints at one random point, either with the
    /// compiled `eval` or by replaying the shipped arena.
    fn fold(shipped: &ShippedAir, seed: u64, replay: bool) -> Challenge {
        let air = &shipped.air;
        let mut v = Values(seed);
        let width = BaseAir::<Val>::width(air);
        let prep_width = BaseAir::<Val>::preprocessed_width(air);
        let (top, bottom) = (v.many(width), v.many(width));
        let (prep_top, prep_bottom) = (v.many(prep_width), v.many(prep_width));
        let periodic = v.many(BaseAir::<Val>::num_periodic_columns(air));
        let publics: Vec<Val> = (0..BaseAir::<Val>::num_public_values(air))
            .map(|i| Val::from_u32(i as u32 * 7919 + seed as u32))
            .collect();
        let empty: [Challenge; 0] = [];
        let mut folder = VerifierConstraintFolderWithLookups::<SluiceConfig> {
            inner: VerifierConstraintFolder {
                main: VerticalPair::new(view(&top), view(&bottom)),
                preprocessed: VerticalPair::new(view(&prep_top), view(&prep_bottom)),
                preprocessed_window: p3_air::RowWindow::from_two_rows(&prep_top, &prep_bottom),
                periodic_values: &periodic,
                public_values: &publics,
                is_first_row: v.next(),
                is_last_row: v.next(),
                is_transition: v.next(),
                alpha: v.next(),
                accumulator: Challenge::ZERO,
            },
            permutation: VerticalPair::new(view(&empty), view(&empty)),
            permutation_challenges: &empty,
            permutation_values: &empty,
        };
        if replay {
            shipped.eval(&mut folder);
        } else {
            air.eval(&mut folder);
        }
        folder.inner.accumulator
    }

    /// The replayed arena folds to exactly what the compiled constraints
    /// fold to, for every table in both modes, at random points (random
    /// rows, selectors and folding challenge: two different constraint
    /// lists agree at such a point only by negligible chance).
    #[test]
    fn replay_folds_like_the_compiled_constraints() {
        for zk in [false, true] {
            let params = ProofParams {
                zk,
                ..ProofParams::DEFAULT
            };
            for air in epoch_airs(b"some output", &params) {
                let shipped = ShippedAir::new(air);
                assert!(
                    shipped.is_compiled() == shipped.constraints().is_empty(),
                    "{}",
                    shipped.air.name()
                );
                for seed in 1..4 {
                    let compiled = fold(&shipped, seed, false);
                    assert_ne!(compiled, Challenge::ZERO);
                    assert_eq!(
                        fold(&shipped, seed, true),
                        compiled,
                        "{} zk {zk} seed {seed}",
                        shipped.air.name()
                    );
                }
            }
        }
    }

    /// Changing any one node changes the fold: a replay checks every node.
    #[test]
    fn every_node_counts() {
        let params = ProofParams::DEFAULT;
        for air in epoch_airs(b"", &params) {
            let shipped = ShippedAir::new(air);
            if shipped.is_compiled() {
                continue;
            }
            let honest = fold(&shipped, 9, true);
            let dag = shipped.constraints();
            let mut changed = 0;
            for at in 0..dag.nodes() {
                let mut tampered = dag.clone();
                tampered.nodes[at] = match tampered.nodes[at] {
                    Node::Constant(c) => Node::Constant(c + Val::ONE),
                    Node::Add(x, y) => Node::Sub(x, y),
                    Node::Sub(x, y) => Node::Add(x, y),
                    Node::Mul(x, y) => Node::Add(x, y),
                    Node::Neg(x) => Node::Add(x, x),
                    Node::Main { col, next } => Node::Main { col, next: !next },
                    other => other,
                };
                if tampered.nodes[at] == dag.nodes[at] {
                    continue;
                }
                let mut with = shipped.clone();
                with.set_constraints_for_test(alloc::boxed::Box::leak(alloc::boxed::Box::new(
                    tampered,
                )));
                assert_ne!(
                    fold(&with, 9, true),
                    honest,
                    "{} node {at}",
                    shipped.air.name()
                );
                changed += 1;
            }
            assert!(changed > 0);
        }
    }

    #[test]
    fn malformed_arenas_are_refused() {
        let dag = |nodes: Vec<Node>, roots: Vec<u32>| ConstraintDag { nodes, roots };
        let shape = |main_width: usize, main_next: Vec<usize>| TableShape {
            main_width,
            main_next,
            ..TableShape::default()
        };
        let next = |col| Node::Main { col, next: true };
        let ok = dag(vec![next(1), Node::Neg(1)], vec![1]);
        assert_eq!(ok.check(&shape(2, vec![0, 1])), Ok(()));
        assert!(
            ok.check(&shape(1, vec![0])).is_err(),
            "column outside the table"
        );
        assert!(ok.check(&shape(2, vec![0])).is_err(), "next row not opened");
        assert!(ok.check(&shape(2, vec![])).is_err(), "no next row opened");
        let this_row = dag(
            vec![Node::Main {
                col: 1,
                next: false,
            }],
            vec![0],
        );
        assert_eq!(this_row.check(&shape(2, vec![])), Ok(()));
        let one = shape(1, vec![0]);
        assert!(
            dag(vec![Node::Neg(0)], vec![0]).check(&one).is_err(),
            "self operand"
        );
        assert!(
            dag(vec![Node::Neg(1)], vec![0]).check(&one).is_err(),
            "operand before the start"
        );
        assert!(
            dag(vec![Node::IsFirstRow], vec![1]).check(&one).is_err(),
            "missing root"
        );
        assert!(
            dag(vec![Node::Public(0)], vec![0]).check(&one).is_err(),
            "missing public"
        );
        let prep = |next| Node::Preprocessed { col: 0, next };
        assert!(
            dag(vec![prep(false)], vec![0]).check(&one).is_err(),
            "no preprocessed columns"
        );
        let with_prep = TableShape {
            preprocessed_width: 1,
            ..shape(1, vec![0])
        };
        assert_eq!(dag(vec![prep(false)], vec![0]).check(&with_prep), Ok(()));
        assert!(
            dag(vec![prep(true)], vec![0]).check(&with_prep).is_err(),
            "preprocessed next row"
        );
    }
}
