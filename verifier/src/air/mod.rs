//! AIR tables of the per-epoch proof and the buses that link them.
//!
//! One epoch proof is one `p3-batch-stark` batch over the tables listed by
//! [`epoch_airs`], in that order. The tables talk only through the global
//! LogUp buses of [`bus`] (`byte`, `alu`), [`memory::MEM_BUS`] (`mem`),
//! [`page::LEAF_BUS`] (`leaf`), [`poseidon2::PERM_BUS`] (`perm`),
//! [`io::IO_BUS`] (the `alu` bus, tagged), [`io::IO_WORDS_BUS`] (`io_words`),
//! [`io_words::OUTPUT_BUS`] (`output`), [`decode::DECODE_BUS`]
//! (`decode`) and [`ts_range::TS_LIMB`] (`ts_limb`).
//!
//! Memory is bound to the statement's roots by three tables: the page table
//! opens every word of every touched page to the memory check and hashes
//! the page's initial and final contents into leaves; the Merkle table walks
//! each leaf's path from the start root to the end root; the Poseidon2 table
//! proves every permutation the other two use.

use p3_air::{Air, BaseAir};
use p3_field::Field;
use p3_lookup::InteractionBuilder;

use crate::params::ProofParams;

pub mod alu;
pub mod blind;
pub mod bus;
pub mod cpu;
pub mod decode;
pub mod flag_sum;
pub mod io;
pub mod io_words;
pub mod keccak;
pub mod keccak_mem;
pub mod layout;
pub mod memory;
pub mod merkle;
pub mod output;
pub mod page;
pub mod poseidon2;
pub mod precompile_call;
pub mod range;
pub mod sha256;
pub mod sha256_mem;
pub mod ts_range;

use alloc::vec::Vec;
use p3_matrix::dense::RowMajorMatrix;

pub use alu::add_sub::AddSubAir;
pub use alu::compare::CompareAir;
pub use alu::div_rem::DivRemAir;
pub use alu::logic::LogicAir;
pub use alu::mul::MulAir;
pub use alu::shift::ShiftAir;
pub use cpu::CpuAir;
pub use decode::DecodeAir;
pub use io::IoAir;
pub use io_words::IoWordsAir;
pub use keccak::KeccakPermAir;
pub use keccak_mem::KeccakMemAir;
pub use merkle::MerkleAir;
pub use output::OutputAir;
pub use page::PageAir;
pub use poseidon2::{Layout, Poseidon2Air};
pub use range::RangeAir;
pub use sha256::Sha256Air;
pub use sha256_mem::Sha256MemAir;
pub use ts_range::TsRangeAir;

/// Applies `$body` to the inner AIR of every variant.
macro_rules! dispatch {
    ($self:expr, $a:ident => $body:expr) => {
        match &$self.table {
            Table::Cpu($a) => $body,
            Table::Page($a) => $body,
            Table::Range($a) => $body,
            Table::AddSub($a) => $body,
            Table::Logic($a) => $body,
            Table::Compare($a) => $body,
            Table::Shift($a) => $body,
            Table::Mul($a) => $body,
            Table::DivRem($a) => $body,
            Table::Merkle($a) => $body,
            Table::Poseidon2($a) => $body,
            Table::Io($a) => $body,
            Table::IoWords($a) => $body,
            Table::Output($a) => $body,
            Table::Decode($a) => $body,
            Table::TsRange($a) => $body,
            Table::Keccak($a) => $body,
            Table::KeccakMem($a) => $body,
            Table::Sha256($a) => $body,
            Table::Sha256Mem($a) => $body,
        }
    };
}

/// One table of an epoch proof: its kind, plus the zero-knowledge blinding
/// columns when the proof is zero-knowledge ([`blind`]).
#[derive(Clone, Debug)]
pub struct SluiceAir {
    pub table: Table,
    /// Whether the [`blind::BLIND_WIDTH`] blinding columns follow the
    /// table's own.
    pub blinded: bool,
}

/// Every table kind of an epoch proof.
#[derive(Clone, Debug)]
pub enum Table {
    /// One row per cycle.
    Cpu(CpuAir),
    /// Every word of every touched page: memory check and leaf hashing.
    Page(PageAir),
    /// Byte range checks (fixed 256 rows).
    Range(RangeAir),
    /// ALU tables (wip-alu).
    AddSub(AddSubAir),
    Logic(LogicAir),
    Compare(CompareAir),
    Shift(ShiftAir),
    Mul(MulAir),
    DivRem(DivRemAir),
    /// The touched pages' paths from the start root to the end root.
    Merkle(MerkleAir),
    /// The memory hash's permutations, one table per [`poseidon2::Layout`]
    /// (an epoch proof holds exactly one of the two).
    Poseidon2(Poseidon2Air),
    /// One `read`/`write` syscall per row.
    Io(IoAir),
    /// One row per buffer word a read or public write moves.
    IoWords(IoWordsAir),
    /// The statement's public output (preprocessed, built by the verifier).
    Output(OutputAir),
    /// One row per distinct instruction word executed: the decoder.
    Decode(DecodeAir),
    /// 12-bit limbs of timestamp gaps (fixed 4,096 rows).
    TsRange(TsRangeAir),
    /// Keccak-f[1600], 24 rows per permutation (a precompile).
    Keccak(KeccakPermAir),
    /// The state words of every `keccak_permute` call, 25 rows per call.
    KeccakMem(KeccakMemAir),
    /// SHA-256 compression rounds, 65 rows per call (a precompile).
    Sha256(Sha256Air),
    /// The buffer words of every `sha256_compress` call, 24 rows per call.
    Sha256Mem(Sha256MemAir),
}

impl SluiceAir {
    /// Short table name for errors and reports.
    pub fn name(&self) -> &'static str {
        match self.table {
            Table::Cpu(_) => "cpu",
            Table::Page(_) => "page",
            Table::Range(_) => "range",
            Table::AddSub(_) => "add_sub",
            Table::Logic(_) => "logic",
            Table::Compare(_) => "compare",
            Table::Shift(_) => "shift",
            Table::Mul(_) => "mul",
            Table::DivRem(_) => "div_rem",
            Table::Merkle(_) => "merkle",
            Table::Poseidon2(p) => match p.layout {
                Layout::Wide => "poseidon2",
                Layout::Narrow => "poseidon2_narrow",
            },
            Table::Io(_) => "io",
            Table::IoWords(_) => "io_words",
            Table::Output(_) => "output",
            Table::Decode(_) => "decode",
            Table::TsRange(_) => "ts_range",
            Table::Keccak(_) => "keccak",
            Table::KeccakMem(_) => "keccak_mem",
            Table::Sha256(_) => "sha256",
            Table::Sha256Mem(_) => "sha256_mem",
        }
    }

    /// The table's position in [`epoch_airs`] (and its bit in a [`TableSet`]).
    pub fn index(&self) -> usize {
        match self.table {
            Table::Cpu(_) => CPU_TABLE,
            Table::Page(_) => PAGE_TABLE,
            Table::Range(_) => RANGE_TABLE,
            Table::AddSub(_) => 3,
            Table::Logic(_) => 4,
            Table::Compare(_) => 5,
            Table::Shift(_) => 6,
            Table::Mul(_) => 7,
            Table::DivRem(_) => 8,
            Table::Merkle(_) => MERKLE_TABLE,
            Table::Poseidon2(p) => match p.layout {
                Layout::Wide => POSEIDON2_TABLE,
                Layout::Narrow => POSEIDON2_NARROW_TABLE,
            },
            Table::Io(_) => IO_TABLE,
            Table::IoWords(_) => IO_WORDS_TABLE,
            Table::Output(_) => OUTPUT_TABLE,
            Table::Decode(_) => DECODE_TABLE,
            Table::TsRange(_) => TS_RANGE_TABLE,
            Table::Keccak(_) => KECCAK_TABLE,
            Table::KeccakMem(_) => KECCAK_MEM_TABLE,
            Table::Sha256(_) => SHA256_TABLE,
            Table::Sha256Mem(_) => SHA256_MEM_TABLE,
        }
    }

    /// Whether any constraint or bus message of the table reads the next
    /// row. Tables that do not are opened at `zeta` only (Plonky3 skips
    /// their `zeta * g` openings), which shortens the proof; the test
    /// `next_row_reads_are_declared` checks every table's claim against its
    /// symbolic constraints, in both modes.
    pub fn reads_next_row(&self) -> bool {
        matches!(
            self.table,
            Table::Cpu(_)
                | Table::Page(_)
                | Table::Range(_)
                | Table::Poseidon2(Poseidon2Air {
                    layout: Layout::Narrow
                })
                | Table::Merkle(_)
                | Table::Io(_)
                | Table::IoWords(_)
                | Table::TsRange(_)
                | Table::Keccak(_)
                | Table::KeccakMem(_)
                | Table::Sha256(_)
                | Table::Sha256Mem(_)
        )
    }

    /// Whether an epoch proof may leave the table out. A table left out
    /// adds no constraint and no bus message, exactly as a table of padding
    /// rows would, so leaving one out proves nothing a padded table could
    /// not: the prover may omit an ALU or I/O table the epoch does not use.
    /// The output table is present exactly when the statement has output
    /// (the verifier decides, [`TableSet::check`]). The tables with public
    /// values (CPU, Merkle) and those every epoch uses are always present;
    /// of the two Poseidon2 tables exactly one is, so neither is optional.
    pub fn is_optional(&self) -> bool {
        matches!(
            self.table,
            Table::AddSub(_)
                | Table::Logic(_)
                | Table::Compare(_)
                | Table::Shift(_)
                | Table::Mul(_)
                | Table::DivRem(_)
                | Table::Io(_)
                | Table::IoWords(_)
                | Table::Output(_)
                | Table::Keccak(_)
                | Table::KeccakMem(_)
                | Table::Sha256(_)
                | Table::Sha256Mem(_)
        )
    }

    /// Whether a zero-knowledge proof may leave the table out when the
    /// epoch does not use it. Zero-knowledge proofs hold every other table
    /// whatever the epoch ran (which operation families it used stays
    /// private), but the precompile tables are wide (the Keccak table alone
    /// would add ~470 KB to every proof), so their presence shows whether
    /// an epoch called that precompile (`docs/proof-system.md`).
    pub fn is_precompile(&self) -> bool {
        matches!(
            self.table,
            Table::Keccak(_) | Table::KeccakMem(_) | Table::Sha256(_) | Table::Sha256Mem(_)
        )
    }

    /// The trace height (log2) the table must have whatever the epoch, for
    /// tables of fixed contents; `None` for tables sized by the execution.
    pub fn fixed_log_height(&self) -> Option<usize> {
        match &self.table {
            Table::Range(_) => Some(range::RANGE_LOG_ROWS),
            Table::TsRange(_) => Some(ts_range::TS_LIMB_LOG_ROWS),
            Table::Output(o) => Some(o.log_height),
            _ => None,
        }
    }
}

/// Index of the CPU table in [`epoch_airs`].
pub const CPU_TABLE: usize = 0;
/// Index of the page table in [`epoch_airs`].
pub const PAGE_TABLE: usize = 1;

/// Index of the range table in [`epoch_airs`].
pub const RANGE_TABLE: usize = 2;

/// Index of the Merkle table in [`epoch_airs`].
pub const MERKLE_TABLE: usize = 9;
/// Index of the Poseidon2 table in [`epoch_airs`].
pub const POSEIDON2_TABLE: usize = 10;
/// Index of the I/O table in [`epoch_airs`].
pub const IO_TABLE: usize = 11;
/// Index of the I/O word table in [`epoch_airs`].
pub const IO_WORDS_TABLE: usize = 12;
/// Index of the public output table in [`epoch_airs`].
pub const OUTPUT_TABLE: usize = 13;
/// Index of the decode table in [`epoch_airs`].
pub const DECODE_TABLE: usize = 14;
/// Index of the timestamp-limb table in [`epoch_airs`].
pub const TS_RANGE_TABLE: usize = 15;
/// Index of the Keccak permutation table in [`epoch_airs`].
pub const KECCAK_TABLE: usize = 16;
/// Index of the Keccak memory table in [`epoch_airs`].
pub const KECCAK_MEM_TABLE: usize = 17;
/// Index of the SHA-256 round table in [`epoch_airs`].
pub const SHA256_TABLE: usize = 18;
/// Index of the SHA-256 memory table in [`epoch_airs`].
pub const SHA256_MEM_TABLE: usize = 19;
/// Index of the narrow Poseidon2 table (two rows per permutation) in
/// [`epoch_airs`].
pub const POSEIDON2_NARROW_TABLE: usize = 20;

/// The tables of one epoch proof, in batch order; `output` is the epoch
/// statement's public output (the output table's fixed contents). In
/// zero-knowledge mode every table carries the blinding columns.
pub fn epoch_airs(output: &[u8], params: &ProofParams) -> Vec<SluiceAir> {
    [
        Table::Cpu(CpuAir),
        Table::Page(PageAir),
        Table::Range(RangeAir),
        Table::AddSub(AddSubAir),
        Table::Logic(LogicAir),
        Table::Compare(CompareAir),
        Table::Shift(ShiftAir),
        Table::Mul(MulAir),
        Table::DivRem(DivRemAir),
        Table::Merkle(MerkleAir),
        Table::Poseidon2(Poseidon2Air::WIDE),
        Table::Io(IoAir),
        Table::IoWords(IoWordsAir),
        Table::Output(OutputAir::new(output, params.min_log_height())),
        Table::Decode(DecodeAir),
        Table::TsRange(TsRangeAir),
        Table::Keccak(KeccakPermAir),
        Table::KeccakMem(KeccakMemAir),
        Table::Sha256(Sha256Air),
        Table::Sha256Mem(Sha256MemAir),
        Table::Poseidon2(Poseidon2Air::NARROW),
    ]
    .into_iter()
    .map(|table| SluiceAir {
        table,
        blinded: params.zk,
    })
    .collect()
}

/// Which tables of [`epoch_airs`] an epoch proof holds: bit `i` for table
/// `i`, in batch order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TableSet(pub u32);

impl TableSet {
    /// Every table.
    pub fn all(airs: &[SluiceAir]) -> Self {
        TableSet((1u32 << airs.len()) - 1)
    }

    /// The set whose table `i` is present when `present[i]`.
    pub fn from_flags(present: &[bool]) -> Self {
        TableSet(
            present
                .iter()
                .enumerate()
                .filter(|(_, &p)| p)
                .map(|(i, _)| 1u32 << i)
                .sum(),
        )
    }

    pub fn contains(&self, table: usize) -> bool {
        table < 32 && self.0 >> table & 1 == 1
    }

    /// Checks the set against the epoch's tables and its public output: no
    /// table that does not exist, every required table present, the output
    /// table present exactly when there is output. Returns the name of the
    /// offending table and what is wrong with it.
    pub fn check(&self, airs: &[SluiceAir], output: &[u8]) -> Result<(), alloc::string::String> {
        if self.0 >> airs.len() != 0 {
            return Err(alloc::format!(
                "table set {:#x} names tables beyond the {}",
                self.0,
                airs.len()
            ));
        }
        for (i, air) in airs.iter().enumerate() {
            let present = self.contains(i);
            let required = match air.table {
                Table::Output(_) => Some(!output.is_empty()),
                Table::Poseidon2(_) => None,
                _ if air.is_optional() => None,
                _ => Some(true),
            };
            if let Some(want) = required.filter(|&want| want != present) {
                return Err(alloc::format!(
                    "table {} is {} but must be {}",
                    air.name(),
                    if present { "present" } else { "missing" },
                    if want { "present" } else { "absent" }
                ));
            }
        }
        let layouts = airs
            .iter()
            .enumerate()
            .filter(|(i, air)| matches!(air.table, Table::Poseidon2(_)) && self.contains(*i))
            .count();
        if layouts != 1 {
            return Err(alloc::format!(
                "{layouts} Poseidon2 tables are present but exactly one layout must be"
            ));
        }
        Ok(())
    }

    /// The present members of `items` (one per table, in batch order).
    pub fn select<T>(&self, items: impl IntoIterator<Item = T>) -> Vec<T> {
        items
            .into_iter()
            .enumerate()
            .filter(|(i, _)| self.contains(*i))
            .map(|(_, t)| t)
            .collect()
    }
}

impl<F: Field> BaseAir<F> for SluiceAir {
    fn width(&self) -> usize {
        let own = dispatch!(self, a => BaseAir::<F>::width(a));
        if self.blinded {
            own + blind::BLIND_WIDTH
        } else {
            own
        }
    }

    fn num_public_values(&self) -> usize {
        dispatch!(self, a => BaseAir::<F>::num_public_values(a))
    }

    fn preprocessed_trace(&self) -> Option<RowMajorMatrix<F>> {
        dispatch!(self, a => BaseAir::<F>::preprocessed_trace(a))
    }

    fn preprocessed_width(&self) -> usize {
        dispatch!(self, a => BaseAir::<F>::preprocessed_width(a))
    }

    fn main_next_row_columns(&self) -> Vec<usize> {
        if self.reads_next_row() {
            (0..BaseAir::<F>::width(self)).collect()
        } else {
            Vec::new()
        }
    }

    /// No table reads its preprocessed columns' next row.
    fn preprocessed_next_row_columns(&self) -> Vec<usize> {
        Vec::new()
    }
}

impl<AB: InteractionBuilder> Air<AB> for SluiceAir
where
    AB::F: Field,
{
    fn eval(&self, builder: &mut AB) {
        dispatch!(self, a => a.eval(builder));
        if self.blinded {
            blind::eval(builder, dispatch!(self, a => BaseAir::<AB::F>::width(a)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stark::config::{Challenge, Val};
    use alloc::collections::BTreeSet;
    use p3_air::symbolic::{
        AirLayout, BaseEntry, BaseLeaf, ExtLeaf, SymbolicExpr, SymbolicExpression,
        SymbolicExpressionExt,
    };
    use p3_batch_stark::symbolic::get_symbolic_constraints;
    use p3_lookup::{LogUpGadget, Lookups};

    /// Node addresses already visited: the trees share sub-expressions
    /// (`Arc`), so each node is visited once. Base and extension nodes get
    /// separate sets: a lifted base expression sits at the address of the
    /// extension leaf that holds it.
    #[derive(Default)]
    struct Seen {
        base: BTreeSet<usize>,
        ext: BTreeSet<usize>,
    }

    /// Whether `e` reads a main or preprocessed column's next row.
    fn reads_next(e: &SymbolicExpression<Val>, seen: &mut Seen) -> bool {
        if !seen.base.insert(e as *const _ as usize) {
            return false;
        }
        match e {
            SymbolicExpr::Leaf(BaseLeaf::Variable(v)) => matches!(
                v.entry,
                BaseEntry::Main { offset: 1 } | BaseEntry::Preprocessed { offset: 1 }
            ),
            SymbolicExpr::Leaf(_) => false,
            SymbolicExpr::Add { x, y, .. }
            | SymbolicExpr::Sub { x, y, .. }
            | SymbolicExpr::Mul { x, y, .. } => reads_next(x, seen) || reads_next(y, seen),
            SymbolicExpr::Neg { x, .. } => reads_next(x, seen),
        }
    }

    /// LogUp columns always read their next row; only the trace's own
    /// (main and preprocessed) next-row reads count here, including those
    /// inside bus messages and counts (lifted base expressions).
    fn ext_reads_next(e: &SymbolicExpressionExt<Val, Challenge>, seen: &mut Seen) -> bool {
        if !seen.ext.insert(e as *const _ as usize) {
            return false;
        }
        match e {
            SymbolicExpr::Leaf(ExtLeaf::Base(b)) => reads_next(b, seen),
            SymbolicExpr::Leaf(_) => false,
            SymbolicExpr::Add { x, y, .. }
            | SymbolicExpr::Sub { x, y, .. }
            | SymbolicExpr::Mul { x, y, .. } => ext_reads_next(x, seen) || ext_reads_next(y, seen),
            SymbolicExpr::Neg { x, .. } => ext_reads_next(x, seen),
        }
    }

    /// Whether any constraint or bus term of `air` reads its next row.
    fn air_reads_next<A>(air: &A) -> bool
    where
        A: BaseAir<Val> + Air<p3_lookup::InteractionSymbolicBuilder<Val, Challenge>>,
    {
        let lookups = Lookups::<Val>::from_air::<Challenge, _>(air);
        let (base, ext) = get_symbolic_constraints::<Val, Challenge, A, _>(
            air,
            AirLayout::from_air::<Val>(air),
            &lookups,
            &LogUpGadget::new(),
        );
        let mut seen = Seen::default();
        base.iter().any(|e| reads_next(e, &mut seen))
            || ext.iter().any(|e| ext_reads_next(e, &mut seen))
    }

    /// A one-column AIR whose only next-row read is in a bus message.
    struct NextInMessage;

    impl<F> BaseAir<F> for NextInMessage {
        fn width(&self) -> usize {
            1
        }
    }

    impl<AB: InteractionBuilder> Air<AB> for NextInMessage {
        fn eval(&self, builder: &mut AB) {
            use p3_air::WindowAccess;
            let main = builder.main();
            let next: AB::Expr = main.next_slice()[0].into();
            let one = <AB::Expr as p3_field::PrimeCharacteristicRing>::ONE;
            builder.push_interaction("probe", [next], p3_lookup::Count::bounded(one, 1));
        }
    }

    /// The detector sees a next-row read that only a bus message makes.
    #[test]
    fn next_row_reads_in_bus_messages_are_seen() {
        assert!(air_reads_next(&NextInMessage));
    }

    /// A table that reads its next row but is not opened there would be
    /// checked against values the proof never binds: every table's claim
    /// must match what its constraints and bus messages actually read.
    #[test]
    fn next_row_reads_are_declared() {
        for zk in [false, true] {
            let params = ProofParams {
                zk,
                ..ProofParams::DEFAULT
            };
            for air in epoch_airs(b"out", &params) {
                let reads = air_reads_next(&air);
                assert_eq!(reads, air.reads_next_row(), "{} (zk {zk})", air.name());
            }
        }
    }
}
