//! AIR tables of the per-epoch proof and the buses that link them.
//!
//! One epoch proof is one `p3-batch-stark` batch over the tables listed by
//! [`epoch_airs`], in that order. The tables talk only through the global
//! LogUp buses of [`bus`] (`byte`, `alu`) and [`memory::MEM_BUS`] (`mem`).

use p3_air::{Air, BaseAir};
use p3_field::Field;
use p3_lookup::InteractionBuilder;

pub mod bus;
pub mod cpu;
pub mod memory;

pub use cpu::CpuAir;
pub use memory::BoundaryAir;

/// Every table kind of an epoch proof, dispatching `BaseAir`/`Air`.
#[derive(Clone, Debug)]
pub enum SluiceAir {
    /// One row per cycle.
    Cpu(CpuAir),
    /// Initial and final value of every touched memory word.
    Boundary(BoundaryAir),
}

impl SluiceAir {
    /// Short table name for errors and reports.
    pub fn name(&self) -> &'static str {
        match self {
            SluiceAir::Cpu(_) => "cpu",
            SluiceAir::Boundary(_) => "boundary",
        }
    }

    /// The trace height (log2) the table must have whatever the epoch, for
    /// tables of fixed contents; `None` for tables sized by the execution.
    pub fn fixed_log_height(&self) -> Option<usize> {
        match self {
            SluiceAir::Cpu(_) | SluiceAir::Boundary(_) => None,
        }
    }
}

/// Index of the CPU table in [`epoch_airs`].
pub const CPU_TABLE: usize = 0;
/// Index of the boundary table in [`epoch_airs`].
pub const BOUNDARY_TABLE: usize = 1;

/// The tables of one epoch proof, in batch order.
pub fn epoch_airs() -> alloc::vec::Vec<SluiceAir> {
    alloc::vec![SluiceAir::Cpu(CpuAir), SluiceAir::Boundary(BoundaryAir)]
}

impl<F> BaseAir<F> for SluiceAir {
    fn width(&self) -> usize {
        match self {
            SluiceAir::Cpu(a) => <CpuAir as BaseAir<F>>::width(a),
            SluiceAir::Boundary(a) => <BoundaryAir as BaseAir<F>>::width(a),
        }
    }

    fn num_public_values(&self) -> usize {
        match self {
            SluiceAir::Cpu(a) => <CpuAir as BaseAir<F>>::num_public_values(a),
            SluiceAir::Boundary(a) => <BoundaryAir as BaseAir<F>>::num_public_values(a),
        }
    }
}

impl<AB: InteractionBuilder> Air<AB> for SluiceAir
where
    AB::F: Field,
{
    fn eval(&self, builder: &mut AB) {
        match self {
            SluiceAir::Cpu(a) => a.eval(builder),
            SluiceAir::Boundary(a) => a.eval(builder),
        }
    }
}
