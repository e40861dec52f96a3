//! The out-of-domain check of the compiled tables, in code that does not
//! depend on the STARK configuration.
//!
//! Plonky3's verifier folder is generic over the configuration, so a table's
//! `eval` run on it is compiled once per configuration (plain and
//! zero-knowledge): for the SHA-256 table that was 26 KB of WebAssembly
//! twice. [`OodFolder`] is one concrete type: the table's constraints are
//! evaluated on it at the opened values, then handed to the real folder in
//! the same order, so the folded sum is the one the real folder would have
//! computed itself.

use alloc::vec::Vec;

use p3_air::{AirBuilder, RowWindow};
use p3_lookup::{Count, InteractionBuilder};

use super::config::{Challenge, Val};

/// Collects a table's constraint values at the out-of-domain point.
pub struct OodFolder<'a> {
    main: RowWindow<'a, Challenge>,
    /// The compiled tables have no preprocessed columns.
    preprocessed: RowWindow<'a, Challenge>,
    is_first_row: Challenge,
    is_last_row: Challenge,
    is_transition: Challenge,
    /// Every constraint's value, in `eval`'s order.
    pub constraints: Vec<Challenge>,
}

impl<'a> OodFolder<'a> {
    /// A folder over the opened rows and the row selectors at the point,
    /// taken from the real folder.
    pub fn new<AB>(builder: &'a AB, main: &'a AB::MainWindow) -> Self
    where
        AB: AirBuilder<Expr = Challenge, Var = Challenge>,
    {
        use p3_air::WindowAccess;
        OodFolder {
            main: RowWindow::from_two_rows(main.current_slice(), main.next_slice()),
            preprocessed: RowWindow::from_two_rows(&[], &[]),
            is_first_row: builder.is_first_row(),
            is_last_row: builder.is_last_row(),
            is_transition: builder.is_transition_window(2),
            constraints: Vec::new(),
        }
    }
}

impl<'a> AirBuilder for OodFolder<'a> {
    type F = Val;
    type Expr = Challenge;
    type Var = Challenge;
    type PublicVar = Val;
    type PeriodicVar = Challenge;
    type PreprocessedWindow = RowWindow<'a, Challenge>;
    type MainWindow = RowWindow<'a, Challenge>;

    fn main(&self) -> Self::MainWindow {
        self.main
    }

    fn preprocessed(&self) -> &Self::PreprocessedWindow {
        &self.preprocessed
    }

    fn is_first_row(&self) -> Challenge {
        self.is_first_row
    }

    fn is_last_row(&self) -> Challenge {
        self.is_last_row
    }

    fn is_transition(&self) -> Challenge {
        self.is_transition
    }

    fn assert_zero<I: Into<Challenge>>(&mut self, x: I) {
        self.constraints.push(x.into());
    }
}

/// Bus messages are checked by the LogUp argument from the shipped lookups,
/// not here (as in the real folder).
impl InteractionBuilder for OodFolder<'_> {
    fn push_interaction<E: Into<Challenge>>(
        &mut self,
        _bus_name: &str,
        _fields: impl IntoIterator<Item = E>,
        _count: impl Into<Count<Challenge>>,
    ) {
    }

    fn push_local_interaction(
        &mut self,
        _tuples: impl IntoIterator<Item = (Vec<Challenge>, Count<Challenge>)>,
    ) {
    }
}
