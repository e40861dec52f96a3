//! Trace generation: from an [`EpochRecord`] to the matrices of every table
//! of the epoch's batch proof, in [`sluice_verifier::air::epoch_airs`] order.

pub mod alu;
pub mod blind;
pub mod cpu;
pub mod decode;
mod fill;
pub mod io;
pub mod keccak;
pub mod memory;
pub mod page;
pub mod poseidon2;
pub mod range;
pub mod sha256;

use p3_field::PrimeCharacteristicRing;
use p3_matrix::dense::RowMajorMatrix;
use sluice_verifier::air::cpu::CpuCols;
use sluice_verifier::air::keccak::{LANES, ROWS_PER_PERM};
use sluice_verifier::air::output::{output_log_height, MAX_EPOCH_OUTPUT};
use sluice_verifier::air::page::BLOCKS_PER_PAGE;
use sluice_verifier::air::sha256::ROWS_PER_CALL as SHA256_ROWS;
use sluice_verifier::air::sha256_mem::WORDS as SHA256_WORDS;
use sluice_verifier::air::{
    epoch_airs, Layout, SluiceAir, Table, TableSet, CPU_TABLE, DECODE_TABLE, IO_TABLE,
    IO_WORDS_TABLE, KECCAK_MEM_TABLE, KECCAK_TABLE, MERKLE_TABLE, OUTPUT_TABLE, PAGE_TABLE,
    POSEIDON2_NARROW_TABLE, POSEIDON2_TABLE, RANGE_TABLE, SHA256_MEM_TABLE, SHA256_TABLE,
    TS_RANGE_TABLE,
};
use sluice_verifier::digest::Digest;
use sluice_verifier::memory::tree::DEPTH;
use sluice_verifier::params::ProofParams;
use sluice_verifier::stark::config::Val;
use sluice_verifier::stark::verify::{cpu_log_height, MAX_LOG_HEIGHT};

use crate::executor::EpochRecord;
use crate::memory_image::EpochTransition;
use poseidon2::Permutations;

pub use alu::AluEvent;
pub use range::ByteCounts;

/// Why an epoch cannot be turned into a trace.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    #[error("pc {pc:#x}: {what} is not supported by the STARK yet")]
    Unsupported { pc: u32, what: String },
    #[error("epoch touches word {addr:#x} whose page is not in the record")]
    PageMissing { addr: u32 },
    #[error("trace replay diverged from the executor: {0}")]
    Diverged(String),
    #[error("{0} is not supported by the STARK yet")]
    Feature(String),
}

/// Every table's trace plus what the statement needs.
pub struct EpochTrace {
    pub traces: Vec<RowMajorMatrix<Val>>,
    pub start_pc: u32,
    pub end_pc: u32,
    /// Memory roots at the epoch's two ends (the Merkle table's public
    /// values).
    pub start_root: Digest,
    pub end_root: Digest,
    pub cycles: u64,
    pub exit_code: Option<u32>,
    /// Every ALU-bus message `(op, a, b)` the CPU sent.
    pub alu_events: Vec<AluEvent>,
    /// Which tables the proof holds: the required ones, and each optional
    /// table (`SluiceAir::is_optional`) that has real rows.
    pub tables: TableSet,
}

fn log_height_for(rows: usize, min_log_height: usize) -> usize {
    let bits = usize::BITS as usize - rows.max(1).saturating_sub(1).leading_zeros() as usize;
    bits.max(min_log_height)
}

/// Builds the traces of the ALU tables for `events`, in batch order.
fn alu_traces(
    airs: &[SluiceAir],
    events: &[AluEvent],
    bytes: &mut ByteCounts,
    min_log_height: usize,
) -> Result<Vec<(RowMajorMatrix<Val>, bool)>, TraceError> {
    let tables = alu::alu_traces(events, bytes, 1 << min_log_height)
        .map_err(|e| TraceError::Diverged(format!("{:?} sent on the ALU bus", e.0)))?;
    // `AluTable::ALL` order is the batch order after the range table.
    let names: Vec<&str> = airs[RANGE_TABLE + 1..MERKLE_TABLE]
        .iter()
        .map(|a| a.name())
        .collect();
    debug_assert_eq!(
        names,
        ["add_sub", "logic", "compare", "shift", "mul", "div_rem"]
    );
    Ok(tables.into_iter().map(|(_, t, used)| (t, used)).collect())
}

/// Replays `record` and builds every table's trace for a proof with
/// `params` (which fix the tables' smallest height); `transition` is the
/// epoch's step in the Merkle memory image (from
/// [`crate::memory_image::MemoryImage::apply_epoch`]).
pub fn generate(
    record: &EpochRecord,
    transition: &EpochTransition,
    params: &ProofParams,
) -> Result<EpochTrace, TraceError> {
    generate_with(record, transition, page::Checks::On, params)
}

/// [`generate`] with the memory tables' cross-checks on or off: with
/// [`page::Checks::Off`] the page and Merkle tables are built from
/// `transition` as given, true or not, which is how negative tests build a
/// prover that lies about memory.
pub fn generate_with(
    record: &EpochRecord,
    transition: &EpochTransition,
    checks: page::Checks,
    params: &ProofParams,
) -> Result<EpochTrace, TraceError> {
    generate_in_layout(record, transition, checks, params, None)
}

/// [`generate_with`] with the Poseidon2 table in `layout`, or in the one
/// [`poseidon2::layout_for`] picks when `None` (tests of either layout).
pub fn generate_in_layout(
    record: &EpochRecord,
    transition: &EpochTransition,
    checks: page::Checks,
    params: &ProofParams,
    layout: Option<Layout>,
) -> Result<EpochTrace, TraceError> {
    let min = params.min_log_height();
    if transition.index != record.index {
        return Err(TraceError::Diverged(format!(
            "memory transition of epoch {} for epoch {}",
            transition.index, record.index
        )));
    }
    if record.cycles == 0 || record.cycles > u32::MAX as u64 / 8 {
        return Err(TraceError::Feature(format!(
            "an epoch of {} cycles",
            record.cycles
        )));
    }
    let airs = epoch_airs(&record.public_output, params);
    let mut bytes = ByteCounts::default();
    let mut alu = Vec::new();
    let mut mem = memory::MemoryLog::new(record);
    let mut io = io::IoReplay::new(&record.input, &record.read_results);

    // CPU.
    let c = CpuCols::new();
    let cpu_log = cpu_log_height(record.cycles, min);
    let height = 1usize << cpu_log;
    let mut values = Val::zero_vec(height * c.width);
    let mut pc = record.start_pc;
    let mut exit_code = None;
    let mut executed = decode::WordCounts::default();
    for (clk, row) in values.chunks_exact_mut(c.width).enumerate() {
        let clk = clk as u32;
        if (clk as u64) < record.cycles {
            if exit_code.is_some() {
                return Err(TraceError::Diverged("cycles after exit".into()));
            }
            let step = cpu::fill_row(&c, row, clk, pc, &mut mem, &mut alu, &mut bytes, &mut io)?;
            executed.add(pc, step.word);
            pc = step.next_pc;
            exit_code = step.halted;
        } else {
            cpu::fill_padding(&c, row, clk);
        }
    }
    let cpu = RowMajorMatrix::new(values, c.width);

    if io.output != record.public_output || io.unread() != 0 {
        return Err(TraceError::Diverged(format!(
            "replay wrote {} output bytes and left {} input bytes unread; the executor \
             wrote {} and read all",
            io.output.len(),
            io.unread(),
            record.public_output.len()
        )));
    }
    // The replay must end where the executor ended.
    if pc != record.end_pc || exit_code != record.exit_code {
        return Err(TraceError::Diverged(format!(
            "end pc {pc:#x} / exit {exit_code:?}, executor {:#x} / {:?}",
            record.end_pc, record.exit_code
        )));
    }
    for (i, &want) in record.end_registers.iter().enumerate() {
        let got = mem.peek(4 * i as u32)?;
        if got != want {
            return Err(TraceError::Diverged(format!(
                "x{i} = {got:#x}, executor {want:#x}"
            )));
        }
    }

    let pages = transition.page_outs.len();
    let max = MAX_LOG_HEIGHT;
    let page_log = log_height_for(pages * BLOCKS_PER_PAGE, min);
    let merkle_log = log_height_for(pages * DEPTH + 1, min);
    let mut perms = Permutations::default();
    if page_log.max(merkle_log) > max {
        return Err(TraceError::Feature(format!(
            "an epoch touching {pages} pages"
        )));
    }
    let page = page::page_trace(
        record,
        mem.words(),
        transition,
        page_log,
        &mut perms,
        &mut bytes,
        checks,
    )?;
    let merkle = page::merkle_trace(transition, merkle_log, &mut perms, checks)?;
    let io_table = io::io_trace(&io.rows, log_height_for(io.rows.len(), min), &mut bytes);
    let words: usize = io.rows.iter().map(|r| r.words.len()).sum();
    let words_log = log_height_for(words, min);
    if words_log > max || record.public_output.len() > MAX_EPOCH_OUTPUT {
        return Err(TraceError::Feature(format!(
            "an epoch moving {words} I/O words and {} output bytes",
            record.public_output.len()
        )));
    }
    let io_words = io::io_words_trace(&io.rows, words_log, &mut bytes);
    let output = RowMajorMatrix::new(
        Val::zero_vec(1 << output_log_height(record.public_output.len(), min)),
        1,
    );
    let layout = layout.unwrap_or_else(|| poseidon2::layout_for(perms.len(), cpu_log, min));
    let perm_log = log_height_for(perms.len() * layout.rows_per_perm(), min);
    if perm_log > max {
        return Err(TraceError::Feature(format!(
            "an epoch touching {pages} pages"
        )));
    }
    // Both layouts' tables are in the batch order; the one not used is a
    // stand-in of padding the proof leaves out.
    let table_in = |l: Layout| {
        if l == layout {
            perms.trace(l, perm_log)
        } else {
            Permutations::default().trace(l, min)
        }
    };
    let (wide, narrow) = (table_in(Layout::Wide), table_in(Layout::Narrow));
    let alu_tables = alu_traces(&airs, &alu, &mut bytes, min)?;
    let decode = decode::decode_trace(&executed, log_height_for(executed.len(), min), &mut bytes)?;
    // A precompile's round and memory tables' heights, refused before they
    // are built when one would exceed the cap.
    let precompile_logs = |calls: usize, rows: usize, words: usize, what: &str| {
        let logs = (
            log_height_for(calls * rows, min),
            log_height_for(calls * words, min),
        );
        if logs.0.max(logs.1) > max {
            return Err(TraceError::Feature(format!("an epoch of {calls} {what}")));
        }
        Ok(logs)
    };
    let calls = &io.keccak;
    let (keccak_log, keccak_mem_log) =
        precompile_logs(calls.len(), ROWS_PER_PERM, LANES, "Keccak permutations")?;
    let keccak = keccak::keccak_trace(calls, keccak_log);
    let keccak_mem = keccak::keccak_mem_trace(calls, keccak_mem_log, &mut bytes);
    let sha_calls = &io.sha256;
    let (sha256_log, sha256_mem_log) = precompile_logs(
        sha_calls.len(),
        SHA256_ROWS,
        SHA256_WORDS,
        "SHA-256 compressions",
    )?;
    let sha256 = sha256::sha256_trace(sha_calls, sha256_log);
    let sha256_mem = sha256::sha256_mem_trace(sha_calls, sha256_mem_log, &mut bytes);
    let range = range::range_trace(&bytes);
    let ts_range = range::ts_range_trace(&bytes);

    let mut traces = Vec::with_capacity(airs.len());
    let mut used = Vec::with_capacity(airs.len());
    let mut push = |t: RowMajorMatrix<Val>, is_used: bool| {
        traces.push(t);
        used.push(is_used);
    };
    push(cpu, true);
    push(page, true);
    push(range, true);
    for (t, is_used) in alu_tables {
        push(t, is_used);
    }
    push(merkle, true);
    push(wide, layout == Layout::Wide);
    push(io_table, !io.rows.is_empty());
    push(io_words, words > 0);
    push(output, !record.public_output.is_empty());
    push(decode, true);
    push(ts_range, true);
    push(keccak, !calls.is_empty());
    push(keccak_mem, !calls.is_empty());
    push(sha256, !sha_calls.is_empty());
    push(sha256_mem, !sha_calls.is_empty());
    push(narrow, layout == Layout::Narrow);
    debug_assert_eq!(traces.len(), airs.len());
    // Only optional tables may be left out, and in zero-knowledge mode only
    // the output table (whose presence the statement already shows): which
    // operation families an epoch used is private there.
    let tables = TableSet::from_flags(
        &airs
            .iter()
            .zip(&used)
            .map(|(air, &u)| match air.table {
                // Exactly the chosen layout.
                Table::Poseidon2(_) => u,
                _ => {
                    let hidden =
                        params.zk && !matches!(air.table, Table::Output(_)) && !air.is_precompile();
                    u || hidden || !air.is_optional()
                }
            })
            .collect::<Vec<_>>(),
    );
    // The executor cut the epoch so that every table fits; say so here
    // rather than write a proof the verifier would refuse by its shape.
    for (air, t) in airs.iter().zip(&traces) {
        let height = t.values.len() / t.width.max(1);
        if height > 1 << max {
            return Err(TraceError::Feature(format!(
                "a {} table of {height} rows (at most 2^{max})",
                air.name()
            )));
        }
    }
    const {
        assert!(
            CPU_TABLE == 0
                && PAGE_TABLE == 1
                && RANGE_TABLE == 2
                && MERKLE_TABLE == 9
                && POSEIDON2_TABLE == 10
                && IO_TABLE == 11
                && IO_WORDS_TABLE == 12
                && OUTPUT_TABLE == 13
                && DECODE_TABLE == 14
                && TS_RANGE_TABLE == 15
                && KECCAK_TABLE == 16
                && KECCAK_MEM_TABLE == 17
                && SHA256_TABLE == 18
                && SHA256_MEM_TABLE == 19
                && POSEIDON2_NARROW_TABLE == 20
        )
    };
    Ok(EpochTrace {
        traces,
        start_pc: record.start_pc,
        end_pc: record.end_pc,
        start_root: transition.start_root,
        end_root: transition.end_root,
        cycles: record.cycles,
        exit_code: record.exit_code,
        alu_events: alu,
        tables,
    })
}
